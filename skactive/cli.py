"""The ``skactive`` command: compare query strategies on a data set.

``skactive`` (or ``python -m skactive``) with no arguments runs
``skactive compare`` with its defaults: five strategies on the bundled
digits data, five repeats, a budget of 200 labels (capped at half the pool
on smaller data sets), and prints a table of the area under the budget curve
(AUBC), its gain over random sampling, the final score and the query time,
followed by a short reading of it::

    skactive compare --dataset iris --strategies random,margin --budget 50
    skactive --dataset data.csv --target-column label --classifier rf \\
        --plot curves.png --json out.json
    skactive compare --classifier mlp --strategies random,bald,batchbald
    skactive compare --dataset iris --strategies random,margin,optimal
    skactive compare --dataset sentiment-tweets --strategies random,entropy,alil

The deep strategies (``bald``, ``variation_ratio``, ``mc_entropy``,
``batchbald``, ``powerbald``, ``ensemble``) need a network classifier
(``--classifier mlp``). ``optimal`` is not a strategy but an oracle:
:class:`skactive.OptimalOrderSearch` searches, per repeat, the labeling
order that maximises the test score, and its replayed curve is a reference
from above: it chooses with labels no real strategy can see (and a short
search, ``--oracle-steps``, leaves the true optimum higher still).

The text data sets (``sentiment-movies``, ``sentiment-products``,
``sentiment-editorials``, ``sentiment-tweets``: :func:`skactive.datasets.
load_sentiment`) are token matrices for the text networks
(``--classifier textcnn``, their default).

``--json`` writes the full results with their provenance (command line,
versions, seeds, machine) in ``params["provenance"]``.

``skactive label`` is the other side: people label a pool in the browser
while a strategy picks the items (:mod:`skactive.labeling`)::

    skactive label digits --session digits.sqlite
    skactive label docs.txt --session docs.sqlite --classes pos,neg,neutral

Every label is saved in the session file when it is given; Ctrl-C stops the
server and the same command resumes.
"""

import argparse
import contextlib
import os
import shlex
import sys
import textwrap
import warnings

import numpy as np

from . import __version__
from .base import QueryStrategy

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
    "bald": "MC-dropout BALD, mutual information (needs a network: --classifier mlp)",
    "variation_ratio": "MC-dropout variation ratio (needs a network)",
    "mc_entropy": "MC-dropout predictive entropy (needs a network)",
    "batchbald": "BatchBALD, joint mutual information of the batch (needs a network)",
    "powerbald": "PowerBALD, batch drawn with BALD-power weights (needs a network)",
    "ensemble": "deep ensemble of 5 networks, variation ratio (needs a network)",
    "lal": "LAL, shipped regressor: LAL-iterative for two classes, the "
           "multi-class one otherwise (needs --classifier rf)",
    "lal_independent": "LAL-independent, shipped regressor (needs --classifier rf)",
    "alil": "ALIL, shipped policy, whole pool (binary tasks; needs a 50-d "
            "embedding: --classifier textcnn or mlp50)",
    "alil_k5": "ALIL, shipped policy, 5 random candidates (the original code)",
    "iale": "IALE, shipped multi-source policy (any embedding width; learned "
            "with networks: --classifier mlp)",
    "optimal": "not a strategy: the best labeling order a search "
               "(OptimalOrderSearch) finds with the test labels, a reference "
               "from above; see --oracle-steps",
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
#: Strategies that read Monte-Carlo dropout predictions of a network.
_NET_STRATEGIES = ("bald", "variation_ratio", "mc_entropy", "batchbald",
                   "powerbald", "ensemble")
#: Strategies and the embedding width their shipped policy reads (IALE's
#: multi-source policy reads a width-invariant state, so it is not here).
_POLICY_WIDTH = {"alil": 50, "alil_k5": 50}
#: The oracle's name in ``--strategies``; it is not a query strategy.
ORACLE = "optimal"
_TEXT_PREFIX = "sentiment-"

DEFAULT_STRATEGIES = "random,entropy,margin,coreset,badge"
#: Budget without --budget, capped at half the pool on small data sets.
DEFAULT_BUDGET = 200
#: Initial labeled set without --initial-size, capped at a quarter of the
#: training set on tiny data sets.
DEFAULT_INITIAL_SIZE = 10
#: Annealing steps of the oracle's search without --oracle-steps.
DEFAULT_ORACLE_STEPS = 200
#: Final inverse temperature gamma * n_steps of the oracle's annealing (the
#: docs' CPU setting, 200 steps at gamma=2): fixing it keeps the schedule's
#: shape whatever --oracle-steps.
_ORACLE_FINAL_INVERSE_TEMPERATURE = 400.0
_FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz")
_DOCS_URL = "https://skactive.readthedocs.io"


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


def make_strategy(name, estimator, *, data=None, budget=None,
                  oracle_steps=DEFAULT_ORACLE_STEPS):
    """Build the query strategy registered as ``name``.

    Parameters
    ----------
    name : str
        One of the keys of ``STRATEGIES``.
    estimator : classifier
        The classifier the strategy wraps.
    data : Bunch or None, default=None
        The loaded data set (``y_train``, ``X_test``, ``y_test``); only the
        oracle ``"optimal"`` reads it, since it chooses with the labels.
    budget : int or None, default=None
        Labels acquired after the initial set; only ``"optimal"`` needs it
        (its search orders that many samples).
    oracle_steps : int, default=200
        Simulated-annealing steps of ``"optimal"``'s search, followed by a
        quarter as many greedy steps.

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
        "bald": lambda: s.MCDropout(estimator, measure="bald"),
        "variation_ratio": lambda: s.MCDropout(estimator, measure="variation_ratio"),
        "mc_entropy": lambda: s.MCDropout(estimator, measure="entropy"),
        "batchbald": lambda: s.BatchBALD(estimator),
        "powerbald": lambda: s.PowerBALD(estimator),
        "ensemble": lambda: s.DeepEnsemble(estimator),
        "lal": lambda: p.LALStrategy(estimator, regressor="auto"),
        "lal_independent": lambda: p.LALStrategy(estimator, regressor="independent"),
        "alil": lambda: p.ALILStrategy(estimator),
        "alil_k5": lambda: p.ALILStrategy(estimator, n_candidates=5),
        "iale": lambda: p.IALEStrategy(estimator),
        ORACLE: lambda: _OptimalOrder(
            estimator, data=_OracleData.from_bunch(data), budget=budget,
            n_steps=oracle_steps, greedy_steps=oracle_steps // 4,
            gamma=_ORACLE_FINAL_INVERSE_TEMPERATURE / oracle_steps),
    }
    if name not in factories:
        raise ValueError(
            f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}."
        )
    if name == "diversity" and _reads_tokens(estimator):
        # ALIL's baseline: Jaccard similarity of the documents' token sets.
        factories["diversity"] = lambda: s.DiversitySampling(
            estimator, metric="jaccard", input="tokens")
    from sklearn.ensemble import RandomForestClassifier

    if name.startswith("lal") and not isinstance(estimator, RandomForestClassifier):
        raise ValueError(
            f"strategy {name!r} needs a random forest; use --classifier rf."
        )
    if name in _NET_STRATEGIES and not _is_mc_network(estimator):
        raise ValueError(
            f"strategy {name!r} needs a network with Monte-Carlo dropout, not "
            f"{type(estimator).__name__}; use --classifier mlp (or mlp50; "
            f"{', '.join(TEXT_CLASSIFIERS)} on text data sets)."
        )
    if name == ORACLE and (data is None or budget is None):
        raise ValueError(
            f"{ORACLE!r} searches an order with the data set's labels: pass "
            "data (the loaded Bunch) and budget."
        )
    width = _POLICY_WIDTH.get(name)
    if width is not None and _embedding_width(estimator) != width:
        hint = "textcnn or mlp50" if width == 50 else "mlp or textcnn128"
        raise ValueError(
            f"strategy {name!r} uses a shipped policy trained on {width}-d "
            f"embeddings; use --classifier {hint}."
        )
    return factories[name]()


class _OracleData:
    """The labels the oracle chooses with, which a strategy never sees.

    ``clone`` deep-copies a strategy's parameters once per run; this holder
    is shared instead (it is only read) and keeps the strategy's repr, which
    the results record, short.
    """

    def __init__(self, y, X_val, y_val, name):
        self.y = np.asarray(y)
        self.X_val = X_val
        self.y_val = np.asarray(y_val)
        self.name = name

    @classmethod
    def from_bunch(cls, data):
        if data is None:
            return None
        return cls(data.y_train, data.X_test, data.y_test, data.name)

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"<labels of {self.name}: training pool and test split>"


class _OptimalOrder(QueryStrategy):
    """The optimal-order oracle as a strategy of ``active_learning_curve``.

    At its first query the loop's initial set is known: an
    :class:`~skactive.OptimalOrderSearch` from it, over the remaining pool,
    finds the order of ``budget // batch_size`` batches with the best
    validation curve (the test split, so the replayed test curve is the
    search's own), and every query replays it with
    :class:`~skactive.ReplayOrder`. The search reads the pool's and the
    test split's labels from ``data``: the curve is a reference from above,
    not something a query strategy could reach.
    """

    def __init__(self, estimator=None, *, data=None, budget=10, n_steps=200,
                 greedy_steps=50, gamma=2.0, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.data = data
        self.budget = budget
        self.n_steps = n_steps
        self.greedy_steps = greedy_steps
        self.gamma = gamma

    def _fit(self, X, y):
        if not hasattr(self, "order_"):
            # Until the first query the labeled set is the initial set, in
            # the loop's order: the search's warm start.
            self._X_init, self._y_init = X, y

    def _query(self, X_pool, batch_size, rng):
        raise ValueError(
            "The optimal-order oracle searches from the loop's initial set and "
            "only queries inside ActiveLearner.fit."
        )

    def _query_candidates(self, X, candidates, batch_size):
        from .oracle import ReplayOrder

        if not hasattr(self, "order_"):
            self._search(X, candidates, batch_size)
        return ReplayOrder(self.order_)._query_candidates(X, candidates, batch_size)

    def _search(self, X, candidates, batch_size):
        from sklearn.base import clone

        from .oracle import OptimalOrderSearch

        y = self.data.y
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"The oracle holds labels of {y.shape[0]} rows but the loop's X "
                f"has {X.shape[0]}: run it on the training split of its data."
            )
        if self.budget % batch_size:
            raise ValueError(
                f"The oracle orders whole batches: budget={self.budget} must be "
                f"a multiple of batch_size={batch_size}."
            )
        search = OptimalOrderSearch(
            clone(self.estimator_), batch_size=batch_size,
            n_batches=self.budget // batch_size, n_steps=self.n_steps,
            greedy_steps=self.greedy_steps, gamma=self.gamma,
            random_state=self.random_state)
        search.fit(X[candidates], y[candidates], self.data.X_val, self.data.y_val,
                   self._X_init, self._y_init)
        self.search_ = search
        self.order_ = candidates[search.order_]


def _text_domains():
    from .datasets import SENTIMENT_DOMAINS

    return SENTIMENT_DOMAINS


def _reads_tokens(estimator):
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    return "module__embedding_weights" in params


def _is_mc_network(estimator):
    """A skactive network (possibly ending a Pipeline): it predicts with MC dropout."""
    from sklearn.pipeline import Pipeline

    net = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    return hasattr(net, "predict_proba_mc")


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
    if names == [ORACLE]:
        raise argparse.ArgumentTypeError(
            f"{ORACLE!r} is a reference, not a strategy: give it with the "
            f"strategies it bounds, e.g. random,margin,{ORACLE}"
        )
    return names


def _positive_int(minimum, why=""):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be >= {minimum}{why}, got {value}")
        return value

    return parse


def _index_column(text):
    """``--index-column``: 'auto', 'none', a 0-based int or a column name."""
    if text.lower() == "none":
        return None
    if text == "auto":
        return text
    return _column(text)


def _test_size(text):
    """``--test-size``: a fraction in (0, 1) or a number of samples."""
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a fraction in (0, 1) or a number of samples, got "
                f"{text!r}") from None
        if not 0.0 < value < 1.0:
            raise argparse.ArgumentTypeError(
                f"a fraction must be in (0, 1), got {value}; give a whole "
                "number for a count of test samples")
        return value
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"a count of test samples must be >= 1, got {value}")
    return value


def _column(text):
    """``--target-column``: a 0-based index (negative from the end) or a name."""
    try:
        return int(text)
    except ValueError:
        return text


class _HelpFormatter(argparse.RawDescriptionHelpFormatter,
                     argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the description's and epilog's lines; appends the defaults that
    are values: not None or False (the help text says what those mean), nor
    those the help already states."""

    def _get_help_string(self, action):
        help = action.help or ""
        if action.default is None or action.default is False or "default:" in help:
            return help
        return super()._get_help_string(action)


def build_parser():
    """The argument parser of the ``skactive`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        The top-level parser with its ``compare`` and ``label``
        subcommands.
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
        description=_fill(
            "Run each strategy from the same initial labeled sets (paired over "
            "repeats), score it on the test split after every round, and print "
            "the area under the budget curve (AUBC), its gain over random "
            "sampling, the final score and the query time."),
        epilog=_strategy_list(),
        formatter_class=_HelpFormatter,
    )
    from .datasets import DATASET_NAMES

    text_names = ", ".join(_TEXT_PREFIX + d for d in _text_domains())
    cmp.add_argument(
        "--dataset", default="digits", metavar="NAME_OR_PATH",
        help=f"bundled data set ({', '.join(DATASET_NAMES)}), text data set "
        f"({text_names}) or a path to a .csv/.tsv/.txt/.npy/.npz file (labels "
        "in the last column, see --target-column; .npz with X and y; a "
        "leading unnamed integer index column, as pandas writes, is dropped)",
    )
    cmp.add_argument(
        "--target-column", type=_column, default=None, metavar="NAME_OR_INDEX",
        help="for a .csv/.tsv/.txt/.npy file: the label column, by header name "
        "or 0-based index (negative counts from the end; default: the last "
        "column)",
    )
    header = cmp.add_mutually_exclusive_group()
    header.add_argument(
        "--no-header", dest="header", action="store_false", default=None,
        help="for a text file: the first line is data, not column names "
        "(default: detected, a first line with a non-numeric feature cell, "
        "or pandas' 0,1,2,... names, is a header)",
    )
    header.add_argument(
        "--header", dest="header", action="store_true", default=None,
        help="for a text file: the first line holds column names, even if "
        "they are numbers",
    )
    cmp.add_argument(
        "--index-column", type=_index_column, default="auto",
        metavar="NAME_OR_INDEX",
        help="for a text file: a column of row ids to drop from the features, "
        "by header name or 0-based index; 'none' keeps every column (default: "
        "auto, leading unnamed integer columns as pandas writes its index)",
    )
    cmp.add_argument(
        "--test-size", type=_test_size, default=None, metavar="SIZE",
        help="held-out test split: a fraction in (0, 1) or a number of "
        "samples (default: 0.3; the synthetic data sets draw their own test "
        "set)",
    )
    cmp.add_argument(
        "--strategies", type=_parse_strategies, default=DEFAULT_STRATEGIES,
        metavar="LIST",
        help="comma-separated strategy names (listed below)",
    )
    cmp.add_argument("--classifier", default=None, choices=list(CLASSIFIERS),
                     help="classifier trained on the acquired labels (default: "
                     "logreg, textcnn on text data sets)")
    cmp.add_argument("--budget", type=_positive_int(1), default=None,
                     help=f"labels acquired after the initial set (default: "
                     f"{DEFAULT_BUDGET}, capped at half the pool in whole "
                     "batches)")
    cmp.add_argument("--batch-size", type=_positive_int(1), default=10,
                     help="samples queried per round")
    cmp.add_argument("--initial-size", type=_positive_int(
                         2, " (the first model needs two classes)"), default=None,
                     help=f"size of the (stratified) initial labeled set "
                     f"(default: {DEFAULT_INITIAL_SIZE}, capped at a quarter of "
                     "the training set)")
    cmp.add_argument("--repeats", type=_positive_int(1), default=5,
                     help="repeats with different initial sets")
    cmp.add_argument("--oracle-steps", type=_positive_int(1),
                     default=DEFAULT_ORACLE_STEPS, metavar="N",
                     help=f"annealing steps of the '{ORACLE}' oracle's search per "
                     "repeat, followed by N/4 greedy steps")
    cmp.add_argument("--n-jobs", type=int, default=None,
                     help="parallel runs (joblib; -1 uses all cores); each run "
                     "uses a single BLAS thread")
    cmp.add_argument("--random-state", type=int, default=0,
                     help="seed of the split and the repeats")
    cmp.add_argument("--plot", metavar="IMAGE", default=None,
                     help="save the learning curves to this image file (.png, "
                     ".pdf, .svg, ...; needs matplotlib); its directory must "
                     "exist")
    cmp.add_argument("--json", metavar="FILE", default=None,
                     help="save the full results, with their provenance, as "
                     "JSON; its directory must exist")
    cmp.add_argument("--cache-dir", metavar="DIR", default=None,
                     help="keep every finished run in DIR (created if "
                     "missing); the same command run again, e.g. after Ctrl-C, "
                     "resumes from them")
    cmp.add_argument("--quiet", action="store_true",
                     help="no progress bar")
    cmp.set_defaults(func=_compare, subparser=cmp)
    _add_label_parser(sub, DATASET_NAMES)
    return parser


#: Strategies of ``skactive label``: those that need no network, shipped
#: policy or test labels. "uncertainty" is UncertaintySampling's default
#: (entropy).
LABEL_STRATEGIES = ("uncertainty", "random", "entropy", "margin",
                    "least_confidence", "qbc", "coreset", "badge", "diversity",
                    "density")
#: Labels wanted without --budget, capped at the pool.
DEFAULT_LABEL_BUDGET = 100
_LABEL_DATASETS = ("digits", "iris", "wine", "breast_cancer")


def _add_label_parser(sub, dataset_names):
    lab = sub.add_parser(
        "label",
        help="label a pool yourself in the browser (active learning picks "
        "the items)",
        description=_fill(
            "Serve an annotator page on this machine: the model picks the next "
            "items to label, one or several people label them in a browser, "
            "and every label is saved at once in the session file. Ctrl-C "
            "stops the server; the same command resumes the session."),
        epilog=textwrap.dedent("""\
            examples:
              skactive label digits --session digits.sqlite
              skactive label docs.txt --session docs.sqlite --classes pos,neg
              skactive label rows.csv --session rows.sqlite --classes a,b,c \\
                  --host 0.0.0.0 --token auto"""),
        formatter_class=_HelpFormatter,
    )
    lab.add_argument(
        "data", metavar="DATA",
        help=f"a bundled data set ({', '.join(_LABEL_DATASETS)}: its training "
        "split is the pool, its test split scores the live learning curve), a "
        ".csv file of numeric features (one item per row; a first line with "
        "a non-numeric cell is the header), or a .txt file (one document per "
        "line)")
    lab.add_argument("--session", required=True, metavar="FILE",
                     help="the session file (SQLite); created if missing, "
                     "resumed if it exists")
    lab.add_argument("--classes", type=_parse_classes, default=None,
                     metavar="A,B,...",
                     help="comma-separated class labels (required unless the "
                     "data set names them)")
    lab.add_argument("--budget", type=_positive_int(1), default=None,
                     help=f"labels acquired after the initial set (default: "
                     f"{DEFAULT_LABEL_BUDGET}, capped at the pool)")
    lab.add_argument("--batch-size", type=_positive_int(1), default=10,
                     help="items queried per round (the model is refitted "
                     "between rounds)")
    lab.add_argument("--initial-size", type=_positive_int(1), default=None,
                     help="items labeled before the first model, drawn at "
                     "random (default: 10, capped at a quarter of the pool)")
    lab.add_argument("--strategy", choices=LABEL_STRATEGIES,
                     default="uncertainty", help="query strategy")
    lab.add_argument("--host", default="127.0.0.1",
                     help="address to serve on; any other than 127.0.0.1 / "
                     "localhost needs --token")
    lab.add_argument("--port", type=_port, default=8765,
                     help="port to serve on; 0 picks a free one")
    lab.add_argument("--token", default=None,
                     help="shared secret every request must carry (the printed "
                     "URL holds it); 'auto' makes a random one")
    lab.add_argument("--lease", type=_positive_int(1), default=600,
                     metavar="SECONDS",
                     help="how long an item stays with the annotator it was "
                     "handed to before another may get it")
    lab.add_argument("--random-state", type=int, default=0,
                     help="seed of the split and the initial set")
    lab.add_argument("--stop", choices=sorted(_STOPPING), default=None,
                     help="end the session before the budget when this "
                     "stopping criterion fires (defaults as published): "
                     "stabilizing = Cohen's kappa of consecutive models on a "
                     "stop set >= 0.99 over 3 rounds (Bloodgood & "
                     "Vijay-Shanker 2009); max-uncertainty, overall-uncertainty, "
                     "classification-change (Zhu et al. 2008)")
    lab.add_argument("--no-browser", action="store_true",
                     help="do not open the page in a browser")
    lab.set_defaults(func=_label, subparser=lab)
    return lab


_STOPPING = {
    "stabilizing": "StabilizingPredictions",
    "max-uncertainty": "MaxUncertainty",
    "overall-uncertainty": "OverallUncertainty",
    "classification-change": "ClassificationChange",
}


def _stopping(name, random_state):
    if name is None:
        return None
    from . import stopping

    cls = getattr(stopping, _STOPPING[name])
    if "random_state" in cls().get_params():
        return cls(random_state=random_state)
    return cls()


def _parse_classes(text):
    names = [c.strip() for c in text.split(",")]
    if any(not c for c in names):
        raise argparse.ArgumentTypeError(
            f"empty class name in {text!r}; give names separated by commas")
    if len(set(names)) != len(names):
        dupes = sorted({c for c in names if names.count(c) > 1})
        raise argparse.ArgumentTypeError(
            f"class {', '.join(map(repr, dupes))} given more than once")
    if len(names) < 2:
        raise argparse.ArgumentTypeError("give at least two classes")
    return names


def _port(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {value}")
    return value


def _label_data(parser, args):
    """``(pool, classes, eval_set, kind, feature_names, description, learner
    estimator)`` of ``skactive label``; usage errors exit through ``parser``."""
    from sklearn.linear_model import LogisticRegression

    from .datasets import load_dataset
    from .datasets._loaders import _read_text_table, _text_to_float

    path = args.data
    if path in _LABEL_DATASETS and not os.path.exists(path):
        data = load_dataset(path, random_state=args.random_state)
        classes = [int(c) if isinstance(c, (np.integer, int)) else str(c)
                   for c in np.unique(data.y_train).tolist()]
        if args.classes is not None and [str(c) for c in classes] != args.classes:
            parser.error(
                f"argument --classes: the data set {path!r} names its classes "
                f"({', '.join(map(str, classes))}); leave --classes out")
        kind = "image" if path == "digits" else "table"
        names = None
        if kind == "table":
            from sklearn import datasets as skd

            loader = getattr(skd, f"load_{path}")
            names = [str(n) for n in loader().feature_names]
        desc = (f"{path} ({data.X_train.shape[0]} items, "
                f"{data.X_test.shape[0]} held out for the curve)")
        return (data.X_train, classes, (data.X_test, data.y_test), kind, names,
                desc, LogisticRegression(max_iter=1000))
    if not os.path.isfile(path):
        parser.error(
            f"argument DATA: no file {path!r} and not a bundled data set "
            f"({', '.join(_LABEL_DATASETS)})")
    if args.classes is None:
        parser.error("argument --classes: required for a file: give the "
                     "labels to choose from, e.g. --classes yes,no")
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".txt":
        try:
            with open(path, encoding="utf-8-sig") as handle:
                docs = [line.rstrip("\r\n") for line in handle]
        except (OSError, UnicodeDecodeError) as exc:
            parser.error(f"argument DATA: cannot read {path!r}: {exc}")
        docs = [d for d in docs if d.strip()]
        if len(docs) < 2:
            parser.error(f"argument DATA: {path!r} holds {len(docs)} "
                         "non-empty line(s); one document per line is needed")
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline

        est = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
        return (docs, args.classes, None, "text", None,
                f"{path} ({len(docs)} documents)", est)
    if suffix not in (".csv", ".tsv"):
        parser.error(f"argument DATA: {path!r}: give a .csv file of features "
                     "or a .txt file of documents (one per line)")
    try:
        cells = _read_text_table(path)
        names = None
        from .datasets._loaders import _is_number

        if not all(_is_number(c) for c in cells[0]):
            names = [str(c) for c in cells[0]]
            cells = cells[1:]
        if cells.shape[0] < 2:
            raise ValueError("fewer than two data rows")
        X = _text_to_float(cells, path, list(range(cells.shape[1])))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        parser.error(f"argument DATA: cannot load {path!r}: {exc}")
    return (X, args.classes, None, "table", names,
            f"{path} ({X.shape[0]} rows, {X.shape[1]} features)",
            LogisticRegression(max_iter=1000))


def _label(args, parser):
    import secrets
    import signal
    import sqlite3

    from .labeling import LabelingSession
    from .labeling._app import _is_loopback, make_server

    # Checks that need no data first.
    if args.token == "auto":
        args.token = secrets.token_urlsafe(16)
    if args.token is not None and not args.token.strip():
        parser.error("argument --token: give a non-empty secret (or 'auto')")
    if args.token is None and not _is_loopback(args.host.strip("[]")):
        parser.error(
            f"argument --host: {args.host} is reachable from other machines; "
            "add --token SECRET (or --token auto) so only those you give the "
            "URL to can label, or serve on 127.0.0.1")
    if os.path.isdir(args.session):
        parser.error(f"argument --session: {args.session!r} is a directory; "
                     "give a file name")
    parent = os.path.dirname(os.path.abspath(args.session))
    if not os.path.isdir(parent):
        parser.error(f"argument --session: the directory {parent!r} does not "
                     "exist; create it first")
    X, classes, eval_set, kind, names, desc, est = _label_data(parser, args)
    n = len(X)
    initial = args.initial_size
    if initial is None:
        initial = min(DEFAULT_INITIAL_SIZE, max(1, n // 4))
    if initial >= n:
        parser.error(f"argument --initial-size: {initial} leaves no pool: "
                     f"the data has {n} items")
    budget = args.budget
    if budget is None:
        budget = min(DEFAULT_LABEL_BUDGET, n - initial)
    elif budget > n - initial:
        parser.error(f"argument --budget: {budget} exceeds the {n - initial} "
                     f"items left after the initial set of {initial}")
    from . import ActiveLearner
    from .strategies import UncertaintySampling

    strategy = (UncertaintySampling(est) if args.strategy == "uncertainty"
                else make_strategy(args.strategy, est))
    learner = ActiveLearner(strategy, batch_size=args.batch_size, budget=budget,
                            initial_size=initial, initial="random",
                            random_state=args.random_state,
                            stopping=_stopping(args.stop, args.random_state))
    resumed = os.path.exists(args.session)
    try:
        session = LabelingSession(args.session, X, learner, classes=classes,
                                  eval_set=eval_set, lease_seconds=args.lease)
    except (ValueError, sqlite3.DatabaseError) as exc:
        parser.error(f"argument --session: cannot use {args.session!r}: {exc}")
    try:
        try:
            server = make_server(session, args.host, args.port, token=args.token,
                                 kind=kind, feature_names=names)
        except OSError as exc:
            hint = ("; use another --port, or --port 0 for a free one"
                    if args.port else "")
            parser.error(f"cannot serve on {args.host}:{args.port}: "
                         f"{exc.strerror or exc}{hint}")

        def _stop(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            with server.lock:
                progress = session.progress()
            print(f"skactive label: {desc}, {len(classes)} classes, "
                  f"strategy={args.strategy}, budget={budget}, "
                  f"batch_size={args.batch_size}, initial_size={initial}"
                  + (f", stop={args.stop}" if args.stop else ""), flush=True)
            if resumed:
                print(f"resuming {args.session}: "
                      f"{_plural(progress['n_labeled'], 'label')} so far",
                      flush=True)
            print(f"labels are saved in {args.session} as they are given",
                  flush=True)
            print(f"open {server.url} to label (Ctrl-C stops)", flush=True)
            server.serve_until_interrupted(open_browser=not args.no_browser)
        except KeyboardInterrupt:  # before serving began
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.server_close()
        # A request that is being answered finishes before the session closes.
        with server.lock:
            progress = session.progress()
            session.close()
    except BaseException:
        session.close()
        raise
    print(f"\nskactive: stopped; {_plural(progress['n_labeled'], 'label')} "
          f"saved in {args.session}: run the same command to resume.", flush=True)
    return 0


def _strategy_list():
    width = max(map(len, STRATEGIES)) + 2
    lines = ["strategies:"]
    for name, text in STRATEGIES.items():
        lines.append(textwrap.fill(
            text, width=79, initial_indent="  " + name.ljust(width),
            subsequent_indent=" " * (width + 2), break_on_hyphens=False))
    return "\n".join(lines)


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
    test_size : float or int, default=0.3
        Fraction or number of snippets (groups, where snippets share a
        review) held out.
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


def _load(parser, args):
    """The data set of ``--dataset``; usage errors exit through ``parser``."""
    from .datasets import DATASET_NAMES, load_csv_or_npy, load_dataset

    name = args.dataset
    test_size = 0.3 if args.test_size is None else args.test_size
    is_file = name.lower().endswith(_FILE_SUFFIXES) or (
        name not in DATASET_NAMES and os.path.exists(name))
    if not is_file:
        for given, option in ((args.target_column is not None, "--target-column"),
                              (args.header is False, "--no-header"),
                              (args.header is True, "--header"),
                              (args.index_column != "auto", "--index-column")):
            if given:
                parser.error(f"argument {option}: applies to a data file, not "
                             f"to the data set {name!r}")
    if is_file:
        if not os.path.isfile(name):
            parser.error(f"argument --dataset: file not found: {name!r}")
        kwargs = {}
        if args.target_column is not None:
            kwargs["target_column"] = args.target_column
        if args.header is not None:
            kwargs["header"] = args.header
        kwargs["index_column"] = args.index_column
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                data = load_csv_or_npy(name, test_size=test_size,
                                       random_state=args.random_state, **kwargs)
        except (ValueError, TypeError) as exc:
            parser.error(f"argument --dataset: cannot load {name!r}: {exc}")
        for w in caught:  # e.g. a dropped index column: say so, briefly
            print(f"skactive: note: {w.message}", file=sys.stderr)
        return data
    if name.startswith(_TEXT_PREFIX):
        if name[len(_TEXT_PREFIX):] not in _text_domains():
            parser.error(
                f"argument --dataset: unknown text data set {name!r}; use one of "
                + ", ".join(_TEXT_PREFIX + d for d in _text_domains()))
        try:
            return load_text_dataset(name, random_state=args.random_state,
                                     test_size=test_size)
        except ImportError as exc:
            parser.exit(1, f"skactive: error: text data sets need the deep extra "
                           f"(pip install 'skactive[deep]'): {exc}\n")
        except ValueError as exc:
            parser.error(f"argument --test-size: {exc}")
    if name in DATASET_NAMES:
        from .datasets._loaders import _SKLEARN_LOADERS

        if args.test_size is not None and name not in _SKLEARN_LOADERS:
            parser.error(f"argument --test-size: the synthetic data set {name!r} "
                         "draws its own test set of 1000 points")
        try:
            return load_dataset(name, test_size=test_size,
                                random_state=args.random_state)
        except ValueError as exc:
            parser.error(f"argument --test-size: {exc}")
    parser.error(
        f"argument --dataset: unknown data set {name!r}; use one of "
        f"{', '.join(DATASET_NAMES)} or a path to a .csv/.npy/.npz file"
    )
    return None  # pragma: no cover - parser.error exits


def _check_output_path(parser, option, path):
    """Fail before the run, not after it, if ``path`` cannot be written."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        parser.error(f"argument {option}: {path!r} is a directory; give a file "
                     "name")
    if not os.path.isdir(parent):
        parser.error(f"argument {option}: the directory {parent!r} does not "
                     "exist; create it first")
    target = path if os.path.exists(path) else parent
    if not os.access(target, os.W_OK):
        parser.error(f"argument {option}: cannot write {path!r}: permission "
                     "denied")


def _check_outputs(parser, args):
    for option, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None:
            _check_output_path(parser, option, path)
    if args.json and args.plot and (os.path.abspath(args.json)
                                    == os.path.abspath(args.plot)):
        parser.error("arguments --json and --plot: give two different files")
    if args.plot is None:
        return
    try:
        from matplotlib.figure import Figure
    except ImportError:
        parser.exit(1, "skactive: error: --plot needs matplotlib; install it "
                       "with `pip install skactive[plot]`\n")
    formats = Figure().canvas.get_supported_filetypes()
    suffix = os.path.splitext(args.plot)[1].lower().lstrip(".")
    if suffix not in formats:
        parser.error(
            f"argument --plot: {args.plot!r} has "
            + (f"the unknown image format {suffix!r}" if suffix else "no suffix")
            + f"; end it with one of {', '.join('.' + f for f in sorted(formats))}"
        )


def _sizes(parser, args, data):
    """Initial set and budget, explicit or defaults that fit the data.

    Returns ``(initial_size, budget, notes)``, the notes saying how a default
    was capped.
    """
    n_train = data.X_train.shape[0]
    notes = {}
    initial = args.initial_size
    if initial is None:
        initial = min(DEFAULT_INITIAL_SIZE, max(2, n_train // 4))
        if initial != DEFAULT_INITIAL_SIZE:
            notes["initial_size"] = (f"default {DEFAULT_INITIAL_SIZE} capped at a "
                                     "quarter of the training set")
    if initial >= n_train:
        parser.error(
            f"argument --initial-size: {initial} leaves no pool: {data.name} has "
            f"{n_train} training samples; use --initial-size {n_train - 1} or less"
        )
    n_pool = n_train - initial
    budget = args.budget
    if budget is None:
        # Half the pool keeps a choice to make until the last round (a budget
        # of the whole pool ends with every strategy on the same labels), in
        # whole batches, at least one.
        half = (n_pool // 2) // args.batch_size * args.batch_size
        budget = min(DEFAULT_BUDGET, max(half, args.batch_size), n_pool)
        if budget != DEFAULT_BUDGET:
            notes["budget"] = (f"default {DEFAULT_BUDGET} capped at half the pool "
                               f"of {n_pool}")
    elif budget > n_pool:
        parser.error(
            f"argument --budget: {budget} exceeds the pool: {data.name} has "
            f"{n_train} training samples, {initial} of them in the initial set, "
            f"which leaves {n_pool} to query; use --budget {n_pool} or less, or "
            "leave it out (the default fits the pool)"
        )
    if ORACLE in args.strategies and budget % args.batch_size:
        parser.error(
            f"argument --strategies: {ORACLE!r} orders whole batches; make "
            f"--budget ({budget}) a multiple of --batch-size ({args.batch_size})"
        )
    return initial, budget, notes


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


def _plural(n, word, plural=None):
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _fill(text):
    return textwrap.fill(text, width=79, break_on_hyphens=False)


def _explain(result):
    """A few lines after the table: what it says, how sure, what to try next."""
    ref = result.reference
    n = result.n_repeats
    lines = [_fill(
        "AUBC: area under the test-accuracy curve over the budget (0 to 1, "
        "higher is better); ± is its std over the repeats"
        + ("; vs random: its relative change against random sampling, run "
           "from the same splits and initial sets." if ref is not None else "."))]
    if ref is None:
        lines.append(_fill("Add random to --strategies for the baseline that "
                           "the vs random column compares with."))
    names = [k for k in result.strategies if k not in (ref, ORACLE)]
    if ref is not None and names:
        # Paired over repeats: a strategy's difference to random in each
        # repeat, against its spread.
        diff = {k: np.asarray(result.aubc[k]) - np.asarray(result.aubc[ref])
                for k in names}
        rel = result.relative_aubc
        final = {k: float(np.mean(v)) for k, v in result.final_score.items()}
        best = max(names, key=lambda k: rel[k])
        best_text = (f"Best here: {best} ({100 * rel[best]:+.2f} % vs random)"
                     if rel[best] > 0 else "No strategy beats random here")
        if n < 2:
            lines.append(_fill(
                f"{best_text}, in a single repeat: no spread to judge it by; "
                "use --repeats 5 or more before reading the differences."))
        else:
            noise = {k for k, d in diff.items()
                     if abs(d.mean()) <= d.std(ddof=1)}
            worse = [k for k in names if rel[k] < 0 and k not in noise]
            sentence = best_text + (", within the noise." if best in noise
                                    and rel[best] > 0 else ".")
            if worse:
                sentence += " Worse than random: " + ", ".join(
                    f"{k} ({100 * rel[k]:+.2f} %)" for k in worse) + "."
                late = [k for k in worse if final[k] > final[ref]]
                if late:
                    sentence += (
                        f" {', '.join(late)} {'ends' if len(late) == 1 else 'end'}"
                        f" above random, though (final score "
                        + ", ".join(f"{final[k]:.4f}" for k in late)
                        + f" against {final[ref]:.4f}): the loss is in the early "
                        "rounds.")
                sentence += (
                    " That happens: on a small budget or from a cold start (few "
                    "initial labels, a weak first model) a strategy can keep "
                    "querying redundant or outlying samples, uncertainty "
                    "sampling in particular. It is a finding about this data, "
                    "classifier and budget, not about the method in general.")
            lines.append(_fill(sentence))
            if noise:
                lines.append(_fill(
                    f"Based on {n} repeats; within the noise (the difference to "
                    "random is smaller than its std over the repeats, so not "
                    f"significant): {', '.join(k for k in names if k in noise)}."))
            else:
                lines.append(_fill(f"Based on {n} repeats; every difference to "
                                   "random is larger than its std over the "
                                   "repeats."))
    lines.append(_fill(
        "Next: more repeats (--repeats 20), another classifier (--classifier "
        "rf, or mlp for the deep strategies), the curves (--plot curves.png), "
        "other strategies (--strategies; --help lists them, and "
        f"'{ORACLE}' adds a reference from above), and the user guide at "
        f"{_DOCS_URL}."))
    return "\n".join(lines)


def _oracle_settings(args):
    steps = args.oracle_steps
    return (f"OptimalOrderSearch per repeat, {steps} annealing + {steps // 4} "
            f"greedy steps, gamma={_ORACLE_FINAL_INVERSE_TEMPERATURE / steps:g}")


def _oracle_note(args):
    return _fill(
        f"* {ORACLE}: not a strategy but a reference from above: the best "
        f"labeling order that a search ({_oracle_settings(args)}) found with the "
        "test labels, which no real strategy can see. The optimum is at least "
        "this good; a longer search (--oracle-steps) gets closer to it.")


def _provenance(argv, args, result):
    """What a table needs to be reproduced: command, versions, seeds, machine."""
    import datetime
    import hashlib
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version(), "skactive": __version__}
    for dist, key in (("numpy", "numpy"), ("scipy", "scipy"),
                      ("scikit-learn", "sklearn"), ("torch", "torch")):
        try:
            versions[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[key] = None  # not installed
    provenance = {
        "argv": ["skactive", *argv],
        "command": shlex.join(["skactive", *argv]),
        "versions": versions,
        "random_state": args.random_state,
        "seeds": [int(s) for s in result.seeds],
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
        },
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
    }
    if os.path.isfile(args.dataset):
        with open(args.dataset, "rb") as f:
            provenance["dataset_sha256"] = hashlib.sha256(f.read()).hexdigest()
    return provenance



@contextlib.contextmanager
def _quiet_svc_deprecation():
    """Silence scikit-learn 1.9's deprecation of ``SVC(probability=True)``.

    Its replacement, ``CalibratedClassifierCV``, cross-validates and fails on
    an initial set of one or two samples per class, so ``--classifier svm``
    keeps Platt scaling; the warning would be printed at every fit.
    """
    message = "The `probability` parameter was deprecated"
    saved = os.environ.get("PYTHONWARNINGS")
    # --n-jobs workers are new processes: they read the filter from the
    # environment.
    os.environ["PYTHONWARNINGS"] = ",".join(
        filter(None, [saved, f"ignore:{message}:FutureWarning"]))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning,
                                    message=message)
            yield
    finally:
        if saved is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = saved

def _compare(args, parser):
    from .evaluation import active_learning_curve

    data = _load(parser, args)
    is_text = getattr(data, "word_vectors", None) is not None
    if args.classifier is None:
        args.classifier = "textcnn" if is_text else "logreg"
    if is_text != (args.classifier in TEXT_CLASSIFIERS):
        parser.error(
            f"--classifier {args.classifier} does not fit {data.name}: text data "
            f"sets need one of {', '.join(TEXT_CLASSIFIERS)}, the others need "
            f"one of {', '.join(c for c in CLASSIFIERS if c not in TEXT_CLASSIFIERS)}."
        )
    initial_size, budget, notes = _sizes(parser, args, data)
    # Output paths are checked now: a failure after the run would lose it.
    _check_outputs(parser, args)
    try:
        clf = make_classifier(args.classifier, data)
        strategies = {n: make_strategy(n, clf, data=data, budget=budget,
                                       oracle_steps=args.oracle_steps)
                      for n in args.strategies}
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

    def noted(key, value):
        return f"{key}={value}" + (f" ({notes[key]})" if key in notes else "")

    n_strategies = len(strategies)
    print(
        f"skactive compare: {data.name} ({n_train} train / "
        f"{data.X_test.shape[0]} test samples, {data.X_train.shape[1]} "
        f"{'tokens per text' if is_text else 'features'}, {data.n_classes} "
        f"classes), classifier={args.classifier}, "
        f"{noted('budget', budget)}, batch_size={args.batch_size}, "
        f"{noted('initial_size', initial_size)}, repeats={args.repeats}",
        flush=True,
    )
    # What the runs are: the progress bar may count more (full-data fits).
    print(f"{_plural(n_strategies, 'strategy', 'strategies')} × "
          f"{_plural(args.repeats, 'repeat')} = "
          f"{_plural(n_strategies * args.repeats, 'run')}", flush=True)
    if ORACLE in strategies:
        print(f"{ORACLE}: {_oracle_settings(args)}, on the test labels",
              flush=True)
    # The runs fit many tiny models: multi-threaded BLAS only adds overhead
    # (measured 6x slower on 2 busy cores), so each run uses one thread and
    # parallelism comes from --n-jobs.
    from threadpoolctl import threadpool_limits

    # Usage errors were caught above; a ValueError from inside the run is a
    # bug and keeps its traceback.
    with threadpool_limits(limits=1), _quiet_svc_deprecation():
        try:
            result = active_learning_curve(
                strategies, data.X_train, data.y_train, data.X_test,
                data.y_test, batch_size=args.batch_size, budget=budget,
                initial_size=initial_size, n_repeats=args.repeats,
                n_jobs=args.n_jobs, random_state=args.random_state,
                verbose=not args.quiet, cache_dir=args.cache_dir,
            )
        except KeyboardInterrupt:
            # active_learning_curve has warned how many runs finished; say
            # what that means here instead of a traceback.
            if args.cache_dir is None:
                hint = ("finished runs are lost; add --cache-dir DIR to keep "
                        "them and resume")
            else:
                hint = (f"finished runs are kept in {args.cache_dir}; run the "
                        "same command again to resume")
            print(f"\nskactive: interrupted: {hint}.", file=sys.stderr)
            return 130
    rows = result.summary()
    for row in rows:
        if row["strategy"] == ORACLE:
            row["strategy"] = f"{ORACLE}*"
    print(format_table(rows))
    if ORACLE in strategies:
        print(_oracle_note(args))
    print(_explain(result))
    status = 0
    if args.json:
        result.params["dataset"] = data.name
        result.params["classifier"] = args.classifier
        if ORACLE in strategies:
            result.params["oracle"] = {
                "strategy": ORACLE, "n_steps": args.oracle_steps,
                "greedy_steps": args.oracle_steps // 4,
                "gamma": _ORACLE_FINAL_INVERSE_TEMPERATURE / args.oracle_steps,
                "validation": "the test split, whose labels no strategy sees: a "
                              "reference from above, not a strategy"}
        result.params["provenance"] = _provenance(args.argv, args, result)
        try:
            result.to_json(args.json, indent=1)
            print(f"results written to {args.json}")
        except OSError as exc:  # checked before the run; the disk may differ now
            print(f"skactive: error: cannot write {args.json}: {exc}", file=sys.stderr)
            status = 1
    if args.plot:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4.5), layout="constrained")
        ax = fig.subplots()
        result.plot(ax=ax, title=f"{data.name}, {args.classifier}")
        try:
            fig.savefig(args.plot, dpi=120)
            print(f"plot written to {args.plot}")
        except OSError as exc:
            print(f"skactive: error: cannot write {args.plot}: {exc}", file=sys.stderr)
            status = 1
    return status


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
        0 on success, 1 if a result file could not be written after the run.
        Usage errors (unknown strategy, classifier or data set, a budget
        larger than the pool, an output directory that does not exist, ...)
        print a message and raise ``SystemExit(2)`` before the run, as
        argparse does.

    Examples
    --------
    >>> from skactive.cli import main
    >>> main(["--dataset", "iris", "--strategies", "random,margin",
    ...       "--repeats", "2", "--quiet"])
    skactive compare: iris (105 train / 45 test samples, 4 features, 3 classes),
    classifier=logreg, budget=40 (default 200 capped at half the pool of 95), ...
    2 strategies × 2 repeats = 4 runs
    strategy | AUBC mean ± std | AUBC vs random (%) | final score | s/query
    ---------+-----------------+--------------------+-------------+--------
    random   | ...
    margin   | ...
    AUBC: ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    given = list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in
                    ("-h", "--help", "--version")):
        argv.insert(0, "compare")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = given
    return args.func(args, args.subparser)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
