"""The ``skactive`` command: compare query strategies on a data set.

``skactive`` (or ``python -m skactive``) with no arguments runs
``skactive compare`` with its defaults: five strategies on the bundled
digits data, five repeats, a budget of 200, and prints a table of the
area under the budget curve (AUBC), its gain over random sampling, the final
score and the query time::

    skactive compare --dataset iris --strategies random,margin --budget 50
    skactive --dataset data.csv --classifier rf --plot curves.png --json out.json
    skactive compare --dataset sentiment-tweets --strategies random,entropy,alil

The text data sets (``sentiment-movies``, ``sentiment-products``,
``sentiment-editorials``, ``sentiment-tweets``: :func:`skactive.datasets.
load_sentiment`) are token matrices for the text networks
(``--classifier textcnn``, their default).
"""

import argparse
import os
import sys

from . import __version__

__all__ = ["CLASSIFIERS", "STRATEGIES", "build_parser", "main"]

#: Strategy names accepted by ``--strategies``, with a one-line description.
STRATEGIES = {
    "random": "uniform random sampling (the baseline)",
    "entropy": "uncertainty sampling, predictive entropy",
    "margin": "uncertainty sampling, smallest top-2 margin",
    "least_confidence": "uncertainty sampling, lowest top-class probability",
    "qbc": "query by committee (bagging, vote entropy)",
    "coreset": "CoreSet k-center greedy",
    "badge": "BADGE gradient-embedding k-means++",
    "diversity": "diversity sampling (least similar to the labeled set)",
    "density": "density-weighted entropy",
    "eer": "expected error reduction (slow)",
    "lal": "LAL, shipped regressor: LAL-iterative for two classes, the "
           "multi-class one otherwise (needs --classifier rf)",
    "lal_independent": "LAL-independent, shipped regressor (needs --classifier rf)",
    "alil": "ALIL, shipped policy, whole pool (binary tasks; needs a 50-d "
            "embedding: --classifier textcnn or mlp50)",
    "alil_k5": "ALIL, shipped policy, 5 random candidates (the original code)",
    "iale": "IALE, shipped policy (needs a 128-d embedding: --classifier mlp "
            "or textcnn128)",
}

#: Classifier names accepted by ``--classifier``.
CLASSIFIERS = {
    "logreg": "LogisticRegression(max_iter=1000)",
    "rf": "RandomForestClassifier(n_estimators=100)",
    "svm": "SVC(probability=True)",
    "knn": "KNeighborsClassifier()",
    "mlp": "skactive.nets.make_mlp((128,)) (needs the deep extra)",
    "mlp50": "skactive.nets.make_mlp((50,)) (needs the deep extra)",
    "textcnn": "ALIL's text CNN (50 filters) on fixed PPMI word vectors (text)",
    "textcnn128": "the text CNN with 128 filters (text)",
    "bilstm": "a BiLSTM (2 x 64 units) on fixed PPMI word vectors (text)",
}
#: Classifiers that read token matrices.
TEXT_CLASSIFIERS = ("textcnn", "textcnn128", "bilstm")
#: Strategies and the embedding width their shipped policy reads.
_POLICY_WIDTH = {"alil": 50, "alil_k5": 50, "iale": 128}
_TEXT_PREFIX = "sentiment-"

DEFAULT_STRATEGIES = "random,entropy,margin,coreset,badge"
_FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz")


def make_classifier(name, data=None):
    """Build the classifier registered as ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``CLASSIFIERS``.
    data : Bunch or None, default=None
        The loaded data set; the text classifiers are sized by its
        vocabulary and read its word vectors (``data.word_vectors``).

    Returns
    -------
    estimator : classifier
        A new, unfitted scikit-learn classifier.

    Examples
    --------
    >>> from skactive.cli import make_classifier
    >>> make_classifier("svm")
    SVC(probability=True)
    """
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000)
    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_estimators=100)
    if name == "svm":
        from sklearn.svm import SVC

        return SVC(probability=True)
    if name == "knn":
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier()
    if name in ("mlp", "mlp50"):
        from .nets import make_mlp

        return make_mlp((128,) if name == "mlp" else (50,))
    if name in TEXT_CLASSIFIERS:
        if data is None or getattr(data, "word_vectors", None) is None:
            raise ValueError(
                f"classifier {name!r} reads token matrices; use a text data set "
                f"({', '.join(_TEXT_PREFIX + d for d in _text_domains())})."
            )
        from .nets import make_lstm, make_text_cnn

        W = data.word_vectors
        common = dict(embedding_weights=W, freeze_embedding=True, max_epochs=20,
                      lr=1e-2, batch_size=32)
        if name == "bilstm":
            return make_lstm(W.shape[0], hidden_size=64, **common)
        return make_text_cnn(W.shape[0], n_filters=128 if name == "textcnn128" else 50,
                             **common)
    raise ValueError(
        f"unknown classifier {name!r}; choose one of {', '.join(CLASSIFIERS)}."
    )


def make_strategy(name, estimator):
    """Build the query strategy registered as ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``STRATEGIES``.
    estimator : classifier
        The classifier the strategy wraps.

    Returns
    -------
    strategy : QueryStrategy
        A new, unfitted strategy.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.cli import make_strategy
    >>> make_strategy("margin", LogisticRegression())
    UncertaintySampling(estimator=LogisticRegression(), measure='margin')
    """
    from . import policies as p
    from . import strategies as s

    factories = {
        "random": lambda: s.RandomSampling(estimator),
        "entropy": lambda: s.UncertaintySampling(estimator, measure="entropy"),
        "margin": lambda: s.UncertaintySampling(estimator, measure="margin"),
        "least_confidence": lambda: s.UncertaintySampling(
            estimator, measure="least_confidence"),
        "qbc": lambda: s.QueryByCommittee(estimator),
        "coreset": lambda: s.CoreSet(estimator),
        "badge": lambda: s.BADGE(estimator),
        "diversity": lambda: s.DiversitySampling(estimator),
        "density": lambda: s.DensityWeighted(estimator),
        "eer": lambda: s.ExpectedErrorReduction(estimator),
        "lal": lambda: p.LALStrategy(estimator, regressor="auto"),
        "lal_independent": lambda: p.LALStrategy(estimator, regressor="independent"),
        "alil": lambda: p.ALILStrategy(estimator),
        "alil_k5": lambda: p.ALILStrategy(estimator, n_candidates=5),
        "iale": lambda: p.IALEStrategy(estimator),
    }
    if name == "diversity" and _reads_tokens(estimator):
        # ALIL's baseline: Jaccard similarity of the documents' token sets.
        factories["diversity"] = lambda: s.DiversitySampling(
            estimator, metric="jaccard", input="tokens")
    from sklearn.ensemble import RandomForestClassifier

    if name.startswith("lal") and not isinstance(estimator, RandomForestClassifier):
        raise ValueError(
            f"strategy {name!r} needs a random forest; use --classifier rf."
        )
    if name not in factories:
        raise ValueError(
            f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}."
        )
    width = _POLICY_WIDTH.get(name)
    if width is not None and _embedding_width(estimator) != width:
        hint = "textcnn or mlp50" if width == 50 else "mlp or textcnn128"
        raise ValueError(
            f"strategy {name!r} uses a shipped policy trained on {width}-d "
            f"embeddings; use --classifier {hint}."
        )
    return factories[name]()


def _text_domains():
    from .datasets import SENTIMENT_DOMAINS

    return SENTIMENT_DOMAINS


def _reads_tokens(estimator):
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    return "module__embedding_weights" in params


def _embedding_width(estimator):
    """Embedding width of a skactive network (None for other classifiers)."""
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    for key in ("module__n_filters", "module__hidden_sizes", "module__hidden_size"):
        if key in params:
            value = params[key]
            if key == "module__hidden_sizes":
                return int(value[-1])
            if key == "module__hidden_size":
                return 2 * int(value) if params.get("module__bidirectional") else int(value)
            return int(value)
    return None


def _parse_strategies(text):
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one strategy name")
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown strategy {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(STRATEGIES)}"
        )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise argparse.ArgumentTypeError(
            f"strategy {', '.join(map(repr, dupes))} given more than once"
        )
    return names


def _positive_int(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def build_parser():
    """The argument parser of the ``skactive`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The top-level parser with its ``compare`` subcommand.
    """
    parser = argparse.ArgumentParser(
        prog="skactive",
        description="Pool-based active learning with scikit-learn. Without a "
        "subcommand, runs `compare` with the given options.",
    )
    parser.add_argument("--version", action="version",
                        version=f"skactive {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cmp = sub.add_parser(
        "compare",
        help="compare query strategies by their learning curves (default)",
        description="Run each strategy from the same initial labeled sets "
        "(paired over repeats), score it on the test split after every "
        "round, and print the area under the budget curve (AUBC), its gain "
        "over random sampling, the final score and the query time.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    from .datasets import DATASET_NAMES

    text_names = ", ".join(_TEXT_PREFIX + d for d in _text_domains())
    cmp.add_argument(
        "--dataset", default="digits", metavar="NAME_OR_PATH",
        help=f"bundled data set ({', '.join(DATASET_NAMES)}), text data set "
        f"({text_names}) or a path to a .csv/.npy/.npz file (labels in the "
        "last column; .npz with X and y)",
    )
    cmp.add_argument(
        "--strategies", type=_parse_strategies, default=DEFAULT_STRATEGIES,
        metavar="LIST",
        help=f"comma-separated strategies from: {', '.join(STRATEGIES)}",
    )
    cmp.add_argument("--classifier", default=None, choices=list(CLASSIFIERS),
                     help="classifier trained on the acquired labels (default: "
                     "logreg, textcnn on text data sets)")
    cmp.add_argument("--budget", type=_positive_int(1), default=200,
                     help="labels acquired after the initial set")
    cmp.add_argument("--batch-size", type=_positive_int(1), default=10,
                     help="samples queried per round")
    cmp.add_argument("--initial-size", type=_positive_int(1), default=10,
                     help="size of the (stratified) initial labeled set")
    cmp.add_argument("--repeats", type=_positive_int(1), default=5,
                     help="repeats with different initial sets")
    cmp.add_argument("--n-jobs", type=int, default=None,
                     help="parallel runs (joblib; -1 uses all cores); each run "
                     "uses a single BLAS thread")
    cmp.add_argument("--random-state", type=int, default=0,
                     help="seed of the split and the repeats")
    cmp.add_argument("--plot", metavar="PNG", default=None,
                     help="save the learning curves to this image file")
    cmp.add_argument("--json", metavar="FILE", default=None,
                     help="save the full results as JSON")
    cmp.add_argument("--quiet", action="store_true",
                     help="no progress bar")
    cmp.set_defaults(func=_compare, subparser=cmp)
    return parser


def load_text_dataset(name, random_state=0, test_size=0.3, max_len=40):
    """A text data set of the CLI: token matrices, split, word vectors.

    Parameters
    ----------
    name : str
        ``"sentiment-<domain>"`` for a domain of
        :func:`skactive.datasets.load_sentiment`.
    random_state : int, default=0
        Seed of the train/test split (grouped by review where snippets
        share one).
    test_size : float, default=0.3
    max_len : int, default=40
        Tokens kept per snippet.

    Returns
    -------
    data : Bunch
        ``X_train``, ``X_test`` (int64 token matrices), ``y_train``,
        ``y_test``, ``name``, ``n_classes``, ``description``,
        ``vocabulary_size`` and ``word_vectors`` (PPMI vectors learned from
        the domain's snippets, labels unused).
    """
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.utils import Bunch

    from .datasets import load_sentiment
    from .nets import SequenceVectorizer, ppmi_word_vectors

    domain = name[len(_TEXT_PREFIX):]
    raw = load_sentiment(domain)
    vec = SequenceVectorizer(max_features=20000, max_len=max_len, min_df=2)
    X = vec.fit_transform(raw.data)
    W = ppmi_word_vectors(X, vec.vocabulary_size_, n_components=50)
    tr, te = next(GroupShuffleSplit(1, test_size=test_size,
                                    random_state=random_state).split(X, groups=raw.groups))
    return Bunch(X_train=X[tr], X_test=X[te], y_train=raw.target[tr],
                 y_test=raw.target[te], name=name, n_classes=2,
                 description=raw.DESCR, vocabulary_size=vec.vocabulary_size_,
                 word_vectors=W)


def _load(parser, name, random_state):
    from .datasets import DATASET_NAMES, load_csv_or_npy, load_dataset

    if name.startswith(_TEXT_PREFIX):
        if name[len(_TEXT_PREFIX):] not in _text_domains():
            parser.error(
                f"argument --dataset: unknown text data set {name!r}; use one of "
                + ", ".join(_TEXT_PREFIX + d for d in _text_domains()))
        try:
            return load_text_dataset(name, random_state=random_state)
        except ImportError as exc:
            parser.exit(1, f"skactive: error: text data sets need the deep extra "
                           f"(pip install 'skactive[deep]'): {exc}\n")
    if name in DATASET_NAMES:
        return load_dataset(name, random_state=random_state)
    if name.lower().endswith(_FILE_SUFFIXES) or os.path.exists(name):
        if not os.path.isfile(name):
            parser.error(f"argument --dataset: file not found: {name!r}")
        try:
            return load_csv_or_npy(name, random_state=random_state)
        except (ValueError, TypeError) as exc:
            parser.error(f"argument --dataset: cannot load {name!r}: {exc}")
    parser.error(
        f"argument --dataset: unknown data set {name!r}; use one of "
        f"{', '.join(DATASET_NAMES)} or a path to a .csv/.npy/.npz file"
    )
    return None  # pragma: no cover - parser.error exits


def format_table(rows):
    """Format ``ActiveLearningCurveResult.summary()`` rows as a text table.

    Parameters
    ----------
    rows : list of dict
        Rows with the keys ``strategy``, ``aubc_mean``, ``aubc_std``,
        ``aubc_vs_random``, ``final_score`` and ``sec_per_query``.

    Returns
    -------
    table : str
        One line per row under a header, columns separated by ``|``.

    Examples
    --------
    >>> from skactive.cli import format_table
    >>> print(format_table([{"strategy": "margin", "aubc_mean": 0.8512,
    ...                      "aubc_std": 0.012, "aubc_vs_random": 0.0423,
    ...                      "final_score": 0.93, "sec_per_query": 0.0021}]))
    strategy | AUBC mean ± std | AUBC vs random (%) | final score | s/query
    ---------+-----------------+--------------------+-------------+--------
    margin   | 0.8512 ± 0.0120 |              +4.23 |      0.9300 |  0.0021
    """
    header = ["strategy", "AUBC mean ± std", "AUBC vs random (%)",
              "final score", "s/query"]
    body = []
    for r in rows:
        rel = r["aubc_vs_random"]
        body.append([
            r["strategy"],
            f"{r['aubc_mean']:.4f} ± {r['aubc_std']:.4f}",
            "n/a" if rel is None else f"{100 * rel:+.2f}",
            f"{r['final_score']:.4f}",
            f"{r['sec_per_query']:.4f}",
        ])
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]

    def line(cells):
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return " | ".join(out).rstrip()

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), sep] + [line(row) for row in body])


def _compare(args, parser):
    from .evaluation import active_learning_curve

    data = _load(parser, args.dataset, args.random_state)
    is_text = getattr(data, "word_vectors", None) is not None
    if args.classifier is None:
        args.classifier = "textcnn" if is_text else "logreg"
    if is_text != (args.classifier in TEXT_CLASSIFIERS):
        parser.error(
            f"--classifier {args.classifier} does not fit {data.name}: text data "
            f"sets need one of {', '.join(TEXT_CLASSIFIERS)}, the others need "
            f"one of {', '.join(c for c in CLASSIFIERS if c not in TEXT_CLASSIFIERS)}."
        )
    try:
        clf = make_classifier(args.classifier, data)
        strategies = {n: make_strategy(n, clf) for n in args.strategies}
    except ImportError as exc:
        parser.exit(1, f"skactive: error: --classifier {args.classifier} needs the "
                       f"deep extra (pip install 'skactive[deep]'): {exc}\n")
    except ValueError as exc:
        parser.error(str(exc))
    if any(n.startswith("alil") for n in args.strategies) and data.n_classes != 2:
        parser.error(
            f"the shipped ALIL policy serves binary tasks; {data.name} has "
            f"{data.n_classes} classes."
        )
    n_train = data.X_train.shape[0]
    if args.initial_size + args.budget > n_train:
        parser.error(
            f"--initial-size {args.initial_size} + --budget {args.budget} "
            f"exceeds the {n_train} training samples of {data.name!r}"
        )
    print(
        f"skactive compare: {data.name} ({n_train} train / "
        f"{data.X_test.shape[0]} test samples, {data.n_classes} classes), "
        f"classifier={args.classifier}, budget={args.budget}, "
        f"batch_size={args.batch_size}, initial_size={args.initial_size}, "
        f"repeats={args.repeats}",
        flush=True,
    )
    # The runs fit many tiny models: multi-threaded BLAS only adds overhead
    # (measured 6x slower on 2 busy cores), so each run uses one thread and
    # parallelism comes from --n-jobs.
    from threadpoolctl import threadpool_limits

    # Usage errors are caught here; a ValueError from inside the run is a bug
    # and keeps its traceback.
    n_train = data.X_train.shape[0]
    if args.initial_size + args.budget > n_train:
        parser.error(
            f"--initial-size {args.initial_size} plus --budget {args.budget} "
            f"exceeds the {n_train} training samples of {data.name}."
        )
    with threadpool_limits(limits=1):
        result = active_learning_curve(
            strategies, data.X_train, data.y_train, data.X_test,
            data.y_test, batch_size=args.batch_size, budget=args.budget,
            initial_size=args.initial_size, n_repeats=args.repeats,
            n_jobs=args.n_jobs, random_state=args.random_state,
            verbose=not args.quiet,
        )
    print(format_table(result.summary()))
    if result.reference is not None:
        print("AUBC: area under the test-score curve over the budget "
              "(normalised to [0, 1]); vs random: relative to random sampling.")
    if args.json:
        result.params["dataset"] = data.name
        result.params["classifier"] = args.classifier
        result.to_json(args.json, indent=1)
        print(f"results written to {args.json}")
    if args.plot:
        try:
            from matplotlib.figure import Figure
        except ImportError:
            parser.exit(1, "skactive: error: --plot needs matplotlib; install "
                           "it with `pip install skactive[plot]`\n")
        fig = Figure(figsize=(7, 4.5), layout="constrained")
        ax = fig.subplots()
        result.plot(ax=ax, title=f"{data.name}, {args.classifier}")
        fig.savefig(args.plot, dpi=120)
        print(f"plot written to {args.plot}")
    return 0


def main(argv=None):
    """Entry point of the ``skactive`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; ``None`` reads ``sys.argv``.
        Without a subcommand, ``compare`` is run.

    Returns
    -------
    status : int
        0 on success. Usage errors (unknown strategy, classifier or data
        set, a budget larger than the pool, ...) print a message and raise
        ``SystemExit(2)``, as argparse does.

    Examples
    --------
    >>> from skactive.cli import main
    >>> main(["--dataset", "iris", "--strategies", "random,margin",
    ...       "--budget", "10", "--repeats", "1", "--quiet"])
    skactive compare: iris (105 train / 45 test samples, 3 classes), ...
    strategy | AUBC mean ± std | AUBC vs random (%) | final score | s/query
    ---------+-----------------+--------------------+-------------+--------
    random   | ...
    margin   | ...
    AUBC: ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in
                    ("-h", "--help", "--version")):
        argv.insert(0, "compare")
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args, args.subparser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
