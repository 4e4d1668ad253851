"""The ``skactive`` command: compare query strategies on a data set.

``skactive`` (or ``python -m skactive``) with no arguments runs
``skactive compare`` with its defaults: five strategies on the bundled
digits data, five repeats, a budget of 200, and prints a table of the
area under the budget curve (AUBC), its gain over random sampling, the final
score and the query time::

    skactive compare --dataset iris --strategies random,margin --budget 50
    skactive --dataset data.csv --classifier rf --plot curves.png --json out.json
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
    "lal": "LAL-iterative, shipped regressor (needs --classifier rf)",
    "lal_independent": "LAL-independent, shipped regressor (needs --classifier rf)",
}

#: Classifier names accepted by ``--classifier``.
CLASSIFIERS = {
    "logreg": "LogisticRegression(max_iter=1000)",
    "rf": "RandomForestClassifier(n_estimators=100)",
    "svm": "SVC(probability=True)",
    "knn": "KNeighborsClassifier()",
}

DEFAULT_STRATEGIES = "random,entropy,margin,coreset,badge"
_FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz")


def make_classifier(name):
    """Build the classifier registered as ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``CLASSIFIERS``: ``"logreg"``, ``"rf"``,
        ``"svm"`` or ``"knn"``.

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
        "lal": lambda: p.LALStrategy(estimator, regressor="iterative"),
        "lal_independent": lambda: p.LALStrategy(estimator, regressor="independent"),
    }
    from sklearn.ensemble import RandomForestClassifier

    if name.startswith("lal") and not isinstance(estimator, RandomForestClassifier):
        raise ValueError(
            f"strategy {name!r} needs a random forest; use --classifier rf."
        )
    if name not in factories:
        raise ValueError(
            f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}."
        )
    return factories[name]()


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

    cmp.add_argument(
        "--dataset", default="digits", metavar="NAME_OR_PATH",
        help=f"bundled data set ({', '.join(DATASET_NAMES)}) or a path to a "
        ".csv/.npy/.npz file (labels in the last column; .npz with X and y)",
    )
    cmp.add_argument(
        "--strategies", type=_parse_strategies, default=DEFAULT_STRATEGIES,
        metavar="LIST",
        help=f"comma-separated strategies from: {', '.join(STRATEGIES)}",
    )
    cmp.add_argument("--classifier", default="logreg", choices=list(CLASSIFIERS),
                     help="classifier trained on the acquired labels")
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


def _load(parser, name, random_state):
    from .datasets import DATASET_NAMES, load_csv_or_npy, load_dataset

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
    clf = make_classifier(args.classifier)
    try:
        strategies = {n: make_strategy(n, clf) for n in args.strategies}
    except ValueError as exc:
        parser.error(str(exc))
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
