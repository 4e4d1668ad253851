"""Active learning curves over repeats, in the style of sklearn's learning_curve."""

import json
import numbers
import os
import pickle
import tempfile
import warnings

import numpy as np
from joblib import Parallel, delayed
from joblib import hash as _hash
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_random_state
from tqdm.auto import tqdm

from .._version import __version__
from ..base import (
    QueryStrategy,
    _check_classifier,
    _check_positive_int,
    _input_for,
    check_classification_labels,
)
from ..learner import ActiveLearner
from ..strategies import RandomSampling
from ..utils import seed_random_states
from ._metrics import aubc as _aubc
from ._metrics import deficiency as _deficiency
from ._metrics import relative_aubc as _relative_aubc

__all__ = ["ActiveLearningCurveResult", "active_learning_curve"]

_FORMAT = "skactive.ActiveLearningCurveResult"
_FORMAT_VERSION = 1


# -- naming -------------------------------------------------------------------
def _short_repr(value):
    if hasattr(value, "get_params"):
        return type(value).__name__
    return repr(value)


def _strategy_names(strategies):
    """Names for a list of strategies: the class name, plus the parameters
    that tell apart strategies of the same class."""
    classes = [type(s).__name__ for s in strategies]
    names = []
    for i, s in enumerate(strategies):
        cls = classes[i]
        same = [t for t, c in zip(strategies, classes) if c == cls]
        if len(same) == 1:
            names.append(cls)
            continue
        params = s.get_params(deep=False)
        differing = []
        for key in sorted(params):
            values = {_short_repr(t.get_params(deep=False).get(key)) for t in same}
            if len(values) > 1:
                differing.append(f"{key}={_short_repr(params[key])}")
        names.append(f"{cls}({', '.join(differing)})" if differing else cls)
    # Identical strategies keep their order as a suffix.
    seen = {}
    out = []
    for name in names:
        if names.count(name) > 1:
            seen[name] = seen.get(name, 0) + 1
            out.append(f"{name}#{seen[name]}")
        else:
            out.append(name)
    return out


def _check_strategies(strategies):
    if isinstance(strategies, QueryStrategy):
        strategies = [strategies]
    if isinstance(strategies, dict):
        items = list(strategies.items())
        for name, s in items:
            if not isinstance(name, str) or not name:
                raise TypeError(
                    f"strategies keys must be non-empty strings (the strategy "
                    f"names), got {name!r}."
                )
    elif isinstance(strategies, (list, tuple)):
        items = list(zip(_strategy_names(list(strategies)), strategies))
    else:
        raise TypeError(
            "strategies must be a dict name -> QueryStrategy, a list of "
            f"QueryStrategy or a single QueryStrategy, got "
            f"{type(strategies).__name__}."
        )
    if not items:
        raise ValueError("strategies is empty: give at least one strategy.")
    for name, s in items:
        if not isinstance(s, QueryStrategy):
            raise TypeError(
                f"strategies[{name!r}] must be a skactive QueryStrategy (e.g. "
                f"RandomSampling()), got {type(s).__name__}."
            )
    return dict(items)


def _find_reference(strategies):
    """Name of the random-sampling baseline, or None."""
    if "random" in strategies:
        return "random"
    for name, s in strategies.items():
        if isinstance(s, RandomSampling):
            return name
    return None


# -- the jobs -----------------------------------------------------------------
def _run_strategy(strategy, X, y, X_test, y_test, test_size, seed, params):
    X, y, X_test, y_test = _take(X, y, X_test, y_test, test_size, seed)
    learner = ActiveLearner(
        clone(strategy),
        eval_set=(X_test, y_test),
        missing_label=None,  # y is fully labeled: -1 may be a real class
        random_state=seed,
        verbose=False,
        **params,
    )
    learner.fit(X, y)
    hist = learner.history_
    query_times = [h["query_time"] for h in hist[:-1]]
    return {
        "n_labeled": np.array([h["n_labeled"] for h in hist], dtype=np.int64),
        "scores": np.array([h["score"] for h in hist], dtype=float),
        "fit_time": float(np.mean([h["fit_time"] for h in hist])),
        "query_time": float(np.mean(query_times)) if query_times else 0.0,
        "labeled_indices": np.asarray(learner.labeled_indices_, dtype=np.int64),
    }


def _run_full(estimator, X, y, X_test, y_test, test_size, seed, scoring):
    X, y, X_test, y_test = _take(X, y, X_test, y_test, test_size, seed)
    # As the loop gives them: arrays to a network, the pool's column names
    # to an array test set beside a DataFrame pool.
    est = seed_random_states(clone(estimator), seed)
    est.fit(_input_for(est, X), y)
    X_test = _input_for(est, X_test)
    return float(check_scoring(est, scoring=scoring)(est, X_test, y_test))


def _split(y, test_size, seed):
    """Train and test row indices of one repeat's stratified split.

    The same rows as ``train_test_split(X, y, stratify=y)`` with this seed:
    the split depends on ``y``, ``test_size`` and the seed only.
    """
    try:
        return train_test_split(
            np.arange(y.shape[0]), test_size=test_size, stratify=y,
            random_state=seed,
        )
    except ValueError as exc:
        raise ValueError(
            f"Could not make a stratified split with test_size={test_size!r}: "
            f"{exc} Pass X_test and y_test explicitly, or change test_size."
        ) from exc


def _take(X, y, X_test, y_test, test_size, seed):
    """A job's train and test sets: the fixed ones, or its repeat's split.

    Every job gets the same ``X`` and ``y`` objects and splits them itself,
    from its seed, so that a parallel backend ships the data once per call,
    not once per repeat, and no job carries row indices: joblib's dask
    backend scatters a large argument to the cluster once per ``Parallel``
    call, and loky memory-maps it.
    """
    if X_test is not None:
        return X, y, X_test, y_test
    train, test = _split(y, test_size, seed)
    return _safe_indexing(X, train), y[train], _safe_indexing(X, test), y[test]


# -- the run cache --------------------------------------------------------------
class _RunCache:
    """Finished runs of one experiment, one pickle per run under ``path``.

    Each file is written to a temporary name and moved into place with
    :func:`os.replace`, so an interruption leaves either the whole run or
    nothing, never a truncated file that a later call would trust.
    """

    def __init__(self, cache_dir, experiment):
        self.path = os.path.join(os.fspath(cache_dir), experiment)
        os.makedirs(self.path, exist_ok=True)

    def _file(self, key):
        return os.path.join(self.path, f"{key}.pkl")

    def load(self, key):
        """The cached output of run ``key``, or None."""
        try:
            with open(self._file(key), "rb") as f:
                return pickle.load(f)
        except Exception:  # not run yet, or unreadable: run it (again)
            return None

    def save(self, key, output):
        fd, tmp = tempfile.mkstemp(dir=self.path, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(output, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._file(key))
        except BaseException:
            os.unlink(tmp)
            raise


def _cache_key(what, value):
    try:
        return _hash(value)
    except Exception as exc:  # e.g. a lambda, which pickle cannot name
        raise TypeError(
            f"cache_dir identifies runs by joblib.hash of their settings, but "
            f"{what} cannot be hashed ({exc}). Define functions passed as "
            "parameters at module level (not as lambdas or closures), or "
            "leave cache_dir=None."
        ) from exc


def _interrupted_message(n_done, n_runs, cache):
    if cache is None:
        return (
            f"active_learning_curve stopped after {n_done} of {n_runs} "
            "strategy runs finished; their results are lost. Pass "
            "cache_dir=... to keep finished runs on disk and resume from them."
        )
    return (
        f"active_learning_curve stopped: {n_done} of {n_runs} strategy runs "
        f"finished and are cached in {cache.path}; call it again with the "
        "same arguments and cache_dir to resume."
    )


#: What each column of :meth:`ActiveLearningCurveResult.summary` means; the
#: JSON files carry it, so their numbers are defined where they are read.
SUMMARY_DEFINITIONS = {
    "aubc_mean": "area under the test-score curve over the budget, budget "
                 "axis normalised to [0, 1] (the mean score over the budget), "
                 "averaged over repeats; higher is better",
    "aubc_std": "standard deviation of the AUBC over repeats",
    "aubc_vs_random": "mean AUBC relative to random sampling's, minus one "
                      "(0.05: 5 % above random); paired over repeats",
    "deficiency": "area between the full-data score and the strategy's mean "
                  "curve, divided by the same area for random sampling: 1 is "
                  "random, below 1 better, lower is better; negative when the "
                  "strategy's curve averages above the full-data score while "
                  "random's stays below it",
    "final_score": "test score after the whole budget, mean over repeats",
    "final_score_std": "its standard deviation over repeats",
    "sec_per_query": "mean seconds per query round",
}


# -- the result ---------------------------------------------------------------
def _to_jsonable(value):
    if isinstance(value, np.ndarray):
        return _to_jsonable(value.tolist())
    if isinstance(value, dict):
        return {k: _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if np.isnan(value) else value  # strict JSON has no NaN
    return value


class ActiveLearningCurveResult:
    """Learning curves of several strategies over repeats, with summaries.

    Returned by :func:`active_learning_curve`; it can also be rebuilt from
    :meth:`to_dict` / :meth:`to_json` output with :meth:`from_dict` /
    :meth:`from_json`. All per-strategy attributes are dicts keyed by the
    strategy name, in the order the strategies were given.

    Parameters
    ----------
    n_labeled : array-like of shape (n_steps,)
        Labeled samples at each step, the initial set included.
    scores : dict of str to array-like of shape (n_repeats, n_steps)
        Test scores at each step, one row per repeat.
    full_score : dict of str to array-like of shape (n_repeats,)
        Score of each strategy's classifier trained on the whole training
        split of each repeat.
    query_time : dict of str to array-like of shape (n_repeats,)
        Mean seconds per query round, per repeat.
    fit_time : dict of str to array-like of shape (n_repeats,)
        Mean seconds per classifier fit, per repeat.
    labeled_indices : dict of str to array-like of shape (n_repeats, n_labeled[-1])
        Rows of each repeat's training set in the order they were labeled,
        the initial set first.
    reference : str or None, default=None
        Name of the random-sampling baseline; ``None`` when there is none.
    seeds : array-like of shape (n_repeats,), default=None
        Seed of each repeat.
    params : dict, default=None
        Settings of the run (budget, batch size, ...), for the record.

    Attributes
    ----------
    n_labeled : ndarray of shape (n_steps,)
    scores : dict of str to ndarray of shape (n_repeats, n_steps)
    aubc : dict of str to ndarray of shape (n_repeats,)
        Area under each repeat's budget curve, see :func:`aubc`.
    relative_aubc : dict of str to float, or None
        Mean AUBC relative to the random baseline's mean AUBC
        (:func:`relative_aubc`, so ``0.05`` is 5% better); ``None`` without
        a random baseline.
    deficiency : dict of str to float, or None
        :func:`deficiency` of the repeat-averaged curve against random's
        repeat-averaged curve, with the mean full-data score of the
        strategy's classifier: the area between the strategy's curve and
        the full-data score, divided by that area for random sampling.
        Below 1 the strategy closes the gap to the full-data score faster
        than random (lower is better; random itself scores 1). It is
        negative when the strategy's curve averages above the full-data
        score while random's stays below it, i.e. the strategy's labeled
        subsets beat training on all the data. ``None`` without a random
        baseline.
    final_score : dict of str to ndarray of shape (n_repeats,)
        Score after the whole budget is spent.
    full_score : dict of str to ndarray of shape (n_repeats,)
        As given.
    query_time : dict of str to ndarray of shape (n_repeats,)
        As given; with ``fit_time`` the only wall-clock (not reproducible)
        numbers.
    fit_time : dict of str to ndarray of shape (n_repeats,)
        As given.
    labeled_indices : dict of str to ndarray of shape (n_repeats, n_labeled[-1])
        As given.
    reference : str or None
        As given.
    seeds : ndarray of shape (n_repeats,)
        As given.
    params : dict
        As given.
    strategies : list of str
        Strategy names.
    n_repeats : int
        Number of repeats.

    See Also
    --------
    active_learning_curve : Computes it.
    plot_learning_curves : Plots it.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import RandomSampling, UncertaintySampling
    >>> from skactive.evaluation import ActiveLearningCurveResult, active_learning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> result = active_learning_curve(
    ...     [RandomSampling(), UncertaintySampling()], X, y,
    ...     batch_size=10, budget=10, initial_size=5, n_repeats=1)
    >>> result.strategies
    ['RandomSampling', 'UncertaintySampling']
    >>> row = result.summary()[1]
    >>> row["strategy"], row["aubc_vs_random"] is not None
    ('UncertaintySampling', True)
    >>> text = result.to_json()
    >>> ActiveLearningCurveResult.from_json(text).to_dict() == result.to_dict()
    True
    """

    def __init__(self, n_labeled, scores, full_score, query_time, fit_time,
                 labeled_indices, reference=None, seeds=None, params=None):
        self.n_labeled = np.asarray(n_labeled, dtype=np.int64)
        n_steps = self.n_labeled.shape[0]
        self.scores = {k: np.asarray(v, dtype=float).reshape(-1, n_steps)
                       for k, v in scores.items()}
        names = list(self.scores)
        self.full_score = {k: np.asarray(full_score[k], dtype=float) for k in names}
        self.query_time = {k: np.asarray(query_time[k], dtype=float) for k in names}
        self.fit_time = {k: np.asarray(fit_time[k], dtype=float) for k in names}
        self.labeled_indices = {
            k: np.asarray(labeled_indices[k], dtype=np.int64).reshape(
                self.scores[k].shape[0], -1)
            for k in names
        }
        if reference is not None and reference not in self.scores:
            raise ValueError(
                f"reference={reference!r} is not one of the strategies {names}."
            )
        self.reference = reference
        n_repeats = self.scores[names[0]].shape[0] if names else 0
        self.seeds = (np.zeros(0, dtype=np.int64) if seeds is None
                      else np.asarray(seeds, dtype=np.int64))
        self.params = {} if params is None else dict(params)
        self.n_repeats = n_repeats
        self._summarise()

    @property
    def strategies(self):
        """Strategy names, in the order they were given."""
        return list(self.scores)

    def _summarise(self):
        x = self.n_labeled if self.n_labeled.shape[0] > 1 else None
        self.aubc = {k: np.atleast_1d(_aubc(v, x)) for k, v in self.scores.items()}
        self.final_score = {k: v[:, -1].copy() for k, v in self.scores.items()}
        ref = self.reference
        if ref is None:
            self.relative_aubc = None
            self.deficiency = None
            return
        self.relative_aubc = {
            k: _relative_aubc(np.mean(a), np.mean(self.aubc[ref]))
            for k, a in self.aubc.items()
        }
        rand_curve = self.scores[ref].mean(axis=0)
        self.deficiency = {
            k: _deficiency(v.mean(axis=0), rand_curve,
                           float(np.mean(self.full_score[k])))
            for k, v in self.scores.items()
        }

    def summary(self):
        """One row per strategy with the headline numbers.

        Returns
        -------
        rows : list of dict
            Keys ``strategy``, ``aubc_mean``, ``aubc_std`` (population
            standard deviation over repeats), ``aubc_vs_random`` (relative
            AUBC, a fraction; None without a random baseline),
            ``deficiency``, ``final_score`` (mean over repeats),
            ``final_score_std`` and ``sec_per_query`` (mean seconds per
            query round).

            ``deficiency`` (None without a random baseline) is how much of
            random sampling's shortfall from the full-data score the
            strategy keeps: the area between its curve and the score of the
            classifier trained on the whole training set, over the same area
            for random (:func:`deficiency`). Below 1 is better than random,
            lower is better, random is 1. A negative value means the
            strategy's curve averages above the full-data score (while
            random's averages below it).
        """
        rows = []
        for k in self.scores:
            rows.append({
                "strategy": k,
                "aubc_mean": float(np.mean(self.aubc[k])),
                "aubc_std": float(np.std(self.aubc[k])),
                "aubc_vs_random": (None if self.relative_aubc is None
                                   else float(self.relative_aubc[k])),
                "deficiency": (None if self.deficiency is None
                               else float(self.deficiency[k])),
                "final_score": float(np.mean(self.final_score[k])),
                "final_score_std": float(np.std(self.final_score[k])),
                "sec_per_query": float(np.mean(self.query_time[k])),
            })
        return rows

    def to_dict(self):
        """The raw results as JSON-ready Python objects.

        The summaries (AUBC, deficiency, ...) are included for readers of the
        file, with their definitions (``summary_definitions``), but
        recomputed by :meth:`from_dict`.

        Returns
        -------
        data : dict
        """
        data = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "strategies": self.strategies,
            "reference": self.reference,
            "n_labeled": self.n_labeled,
            "scores": self.scores,
            "full_score": self.full_score,
            "query_time": self.query_time,
            "fit_time": self.fit_time,
            "labeled_indices": self.labeled_indices,
            "seeds": self.seeds,
            "params": self.params,
            "summary": self.summary(),
            # A reader of the file sees the numbers without the docs.
            "summary_definitions": SUMMARY_DEFINITIONS,
        }
        return _to_jsonable(data)

    @classmethod
    def from_dict(cls, data):
        """Rebuild a result from :meth:`to_dict` output.

        Parameters
        ----------
        data : dict

        Returns
        -------
        result : ActiveLearningCurveResult
        """
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(
                "data is not a serialised ActiveLearningCurveResult (missing "
                f"'format': {_FORMAT!r})."
            )
        if data.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"Unsupported ActiveLearningCurveResult format version "
                f"{data.get('version')!r}; this skactive reads version "
                f"{_FORMAT_VERSION}."
            )
        names = data["strategies"]
        return cls(
            n_labeled=data["n_labeled"],
            scores={k: data["scores"][k] for k in names},
            full_score=data["full_score"],
            query_time=data["query_time"],
            fit_time=data["fit_time"],
            labeled_indices=data["labeled_indices"],
            reference=data.get("reference"),
            seeds=data.get("seeds"),
            params=data.get("params"),
        )

    def to_json(self, path=None, *, indent=None):
        """Serialise to JSON.

        Parameters
        ----------
        path : str, os.PathLike or None, default=None
            File to write; ``None`` returns the JSON text instead.
        indent : int or None, default=None
            Indentation, as in :func:`json.dumps`.

        Returns
        -------
        text : str or None
            The JSON text when ``path`` is None.
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return None

    @classmethod
    def from_json(cls, path_or_str):
        """Read a result written by :meth:`to_json`.

        Parameters
        ----------
        path_or_str : str or os.PathLike
            JSON text, or a path to a file holding it.

        Returns
        -------
        result : ActiveLearningCurveResult
        """
        if isinstance(path_or_str, os.PathLike):
            with open(path_or_str, encoding="utf-8") as f:
                text = f.read()
        elif isinstance(path_or_str, str):
            if path_or_str.lstrip().startswith("{"):
                text = path_or_str
            else:
                with open(path_or_str, encoding="utf-8") as f:
                    text = f.read()
        else:
            raise TypeError(
                "path_or_str must be JSON text or a path, got "
                f"{type(path_or_str).__name__}."
            )
        return cls.from_dict(json.loads(text))

    def plot(self, ax=None, title=None):
        """Plot mean ± std curves; see :func:`plot_learning_curves`.

        Returns
        -------
        ax : matplotlib.axes.Axes
        """
        from ._plot import plot_learning_curves

        return plot_learning_curves(self, ax=ax, title=title)

    def __repr__(self):
        return (
            f"{type(self).__name__}(strategies={self.strategies}, "
            f"n_repeats={self.n_repeats}, n_labeled={self.n_labeled[0]}.."
            f"{self.n_labeled[-1]}, reference={self.reference!r})"
        )


# -- the function -------------------------------------------------------------
def _jsonable_param(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return repr(value)


def active_learning_curve(
    strategies,
    X,
    y,
    X_test=None,
    y_test=None,
    *,
    test_size=0.3,
    batch_size=10,
    budget=100,
    initial_size=10,
    initial="stratified",
    n_repeats=5,
    scoring=None,
    n_jobs=None,
    random_state=0,
    verbose=False,
    cache_dir=None,
):
    """Learning curves of query strategies, repeated and paired.

    Like :func:`sklearn.model_selection.learning_curve` for active learning:
    for each repeat and each strategy an :class:`~skactive.ActiveLearner` is
    run on the training data with the test set as ``eval_set``, and the test
    score after every round makes the curve. Within a repeat every strategy
    gets the same seed, hence the same train/test split and the same initial
    labeled set, so strategies are compared paired. Repeats get different
    seeds derived from ``random_state``.

    Parameters
    ----------
    strategies : dict of str to QueryStrategy, list of QueryStrategy or QueryStrategy
        The strategies to compare. A list is named by class name, plus the
        parameters that distinguish strategies of the same class. A strategy
        named ``"random"``, or else the first
        :class:`~skactive.RandomSampling`, is the baseline of the relative
        AUBC and the deficiency.
    X : array-like of shape (n_samples, n_features)
        Training data (the pool and initial set), or all the data when
        ``X_test`` is None.
    y : array-like of shape (n_samples,)
        Its labels (revealed only when queried).
    X_test, y_test : array-like, default=None
        Fixed test set scored after every round. ``None`` splits ``(X, y)``
        anew in each repeat with a stratified ``test_size`` split.
    test_size : float or int, default=0.3
        Test share (or count) of the per-repeat split; ignored with
        ``X_test``.
    batch_size : int, default=10
        Samples queried per round.
    budget : int, default=100
        Labels acquired after the initial set.
    initial_size : int, default=10
        Size of the initial labeled set.
    initial : {"stratified", "random"}, default="stratified"
        How the initial set is drawn, see :class:`~skactive.ActiveLearner`.
    n_repeats : int, default=5
        Number of repeats.
    scoring : str, callable or None, default=None
        Test scorer (:func:`sklearn.metrics.check_scoring`); ``None`` is the
        classifier's accuracy.
    n_jobs : int or None, default=None
        Parallel jobs over (repeat, strategy) pairs, through
        :class:`joblib.Parallel`. Under ``joblib.parallel_config(backend=
        "dask")`` with a ``distributed.Client`` the runs go to the cluster
        (``None`` then uses all its workers). Every job receives the same
        ``X, y`` (and test set) objects and makes its repeat's split
        itself, from the repeat's seed, so the data go to the workers once
        per call: joblib's dask backend scatters each large argument once,
        loky memory-maps it. The results are the same as with
        ``n_jobs=1``.
    random_state : int, RandomState instance or None, default=0
        Seeds the repeats. An int makes the result reproducible (apart from
        the timings), whatever ``n_jobs``.
    verbose : bool, default=False
        Show a progress bar over the strategy runs (one per strategy and
        repeat; the full-data reference fits are not counted).
    cache_dir : str, os.PathLike or None, default=None
        Folder where every finished run (one strategy in one repeat, and
        each full-data reference fit) is saved as soon as it finishes, in a
        subfolder named by a hash of the data and the settings. A later call
        with the same arguments loads those runs instead of recomputing
        them, with the same result, so an interrupted call resumes where it
        stopped; more repeats reuse the ones already run. Runs are
        identified by :func:`joblib.hash` of the data, the strategy's and
        classifier's parameters, the repeat's seed and the settings (a
        function parameter by its module and name, so rename it or use a
        new folder when you change its code). The files are pickles: only
        point ``cache_dir`` at a folder you trust. ``None`` keeps nothing.

    Returns
    -------
    result : ActiveLearningCurveResult
        Curves, AUBC, relative AUBC, deficiency, final scores and timings.

    See Also
    --------
    aubc : Area under the budget curve.
    plot_learning_curves : Plot the result.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import RandomSampling, UncertaintySampling
    >>> from skactive.evaluation import active_learning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> result = active_learning_curve(
    ...     {"random": RandomSampling(),
    ...      "margin": UncertaintySampling(measure="margin")},
    ...     X, y, batch_size=5, budget=20, initial_size=6, n_repeats=2)
    >>> result.n_labeled
    array([ 6, 11, 16, 21, 26])
    >>> result.scores["margin"].shape
    (2, 5)
    >>> [row["strategy"] for row in result.summary()]
    ['random', 'margin']

    With ``cache_dir`` an interrupted call (Ctrl-C, a crash) loses no
    finished run: calling again resumes.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = active_learning_curve([RandomSampling()], X, y, budget=10,
    ...                                   n_repeats=2, cache_dir=tmp)
    ...     again = active_learning_curve([RandomSampling()], X, y, budget=10,
    ...                                   n_repeats=2, cache_dir=tmp)  # loaded
    >>> (again.scores["RandomSampling"] == first.scores["RandomSampling"]).all()
    np.True_
    """
    strategies = _check_strategies(strategies)
    n_repeats = _check_positive_int(n_repeats, "n_repeats")
    if (X_test is None) != (y_test is None):
        raise ValueError(
            "X_test and y_test must be given together (or both left None to "
            "split X, y in each repeat)."
        )
    if X_test is None:
        if isinstance(test_size, (bool, np.bool_)) or not isinstance(
            test_size, numbers.Real
        ):
            raise TypeError(f"test_size must be a float or an int, got {test_size!r}.")
        if isinstance(test_size, numbers.Integral):
            if test_size < 1:
                raise ValueError(f"test_size must be >= 1 as an int, got {test_size}.")
        elif not 0.0 < test_size < 1.0:
            raise ValueError(
                f"test_size must be in (0, 1) as a float, got {test_size!r}."
            )
    params = {
        "batch_size": batch_size,
        "budget": budget,
        "initial_size": initial_size,
        "initial": initial,
        "scoring": scoring,
    }
    # Validate the learner's parameters once, before any job starts.
    ActiveLearner(**params)._validate_params()
    X = np.asarray(X) if not hasattr(X, "shape") else X
    y = np.asarray(y)
    # Checked here, not inside the first job, so a regression target or a
    # regressor fails with a clear message before anything runs.
    check_classification_labels(y, full_target=True)
    if y_test is not None:
        check_classification_labels(np.asarray(y_test), "y_test", full_target=True)
    for name, s in strategies.items():
        _check_classifier(s._get_estimator(), f"strategies[{name!r}]")

    rng = check_random_state(random_state)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_repeats)
    if X_test is None:
        # Each job splits X, y itself (see _take); a split that cannot be
        # made (too few samples of a class) fails here, before any job.
        _split(y, test_size, int(seeds[0]))

    # One full-data fit per repeat and distinct classifier.
    estimators = {}
    est_key = {}
    for name, s in strategies.items():
        # The strategy's own default (a network for the deep strategies).
        est = s._get_estimator()
        key = _hash(clone(est))
        estimators.setdefault(key, est)
        est_key[name] = key

    cache = None
    if cache_dir is not None:
        # The experiment: everything but the strategies, the seeds and
        # n_repeats, so that more repeats or strategies reuse finished runs.
        experiment = _cache_key("scoring", (
            "skactive.active_learning_curve", __version__,
            _hash((X, y, X_test, y_test)),
            None if X_test is not None else test_size,
            batch_size, budget, initial_size, initial, scoring,
        ))
        cache = _RunCache(cache_dir, experiment)

    jobs = []  # (tag, cache key, job)
    for r, seed in enumerate(seeds):
        for key, est in estimators.items():
            run_key = None if cache is None else _hash(("full", key, int(seed)))
            jobs.append((("full", r, key), run_key,
                         delayed(_run_full)(est, X, y, X_test, y_test, test_size,
                                            int(seed), scoring)))
        for name, s in strategies.items():
            run_key = None if cache is None else _cache_key(
                f"strategies[{name!r}]", ("curve", clone(s), int(seed)))
            jobs.append((("curve", r, name), run_key,
                         delayed(_run_strategy)(s, X, y, X_test, y_test,
                                                test_size, int(seed), params)))

    results = {}
    pending = []
    for tag, run_key, job in jobs:
        out = None if cache is None else cache.load(run_key)
        if out is None:
            pending.append((tag, run_key, job))
        else:
            results[tag] = out

    def n_finished():
        return sum(tag[0] == "curve" for tag in results)

    # The bar counts what it says: strategy runs, not the reference fits.
    n_runs = n_repeats * len(strategies)
    bar = tqdm(total=n_runs, initial=n_finished(), desc="strategy runs",
               disable=not verbose, unit="run")
    try:
        # The generator yields in submission order as each job finishes,
        # so every run is saved as soon as it is done.
        # Nothing pending (all cached): no workers to start, and none to
        # cancel, which joblib would warn about.
        outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
            job for _, _, job in pending) if pending else ()
        for (tag, run_key, _), out in zip(pending, outputs):
            if cache is not None:
                cache.save(run_key, out)
            results[tag] = out
            if tag[0] == "curve":
                bar.update(1)
    except KeyboardInterrupt:
        warnings.warn(_interrupted_message(n_finished(), n_runs, cache),
                      UserWarning, stacklevel=2)
        raise
    except Exception:
        if cache is not None and n_finished():
            warnings.warn(_interrupted_message(n_finished(), n_runs, cache),
                          UserWarning, stacklevel=2)
        raise
    finally:
        bar.close()

    n_labeled = None
    scores, full, qtime, ftime, order = {}, {}, {}, {}, {}
    for name in strategies:
        runs = [results[("curve", r, name)] for r in range(n_repeats)]
        for run in runs:
            if n_labeled is None:
                n_labeled = run["n_labeled"]
            elif not np.array_equal(n_labeled, run["n_labeled"]):
                raise RuntimeError(  # pragma: no cover - defensive
                    "Runs produced different budget steps; cannot stack curves."
                )
        scores[name] = np.vstack([run["scores"] for run in runs])
        qtime[name] = np.array([run["query_time"] for run in runs])
        ftime[name] = np.array([run["fit_time"] for run in runs])
        order[name] = np.vstack([run["labeled_indices"] for run in runs])
        full[name] = np.array(
            [results[("full", r, est_key[name])] for r in range(n_repeats)]
        )

    record = {
        "batch_size": batch_size,
        "budget": budget,
        "initial_size": initial_size,
        "initial": initial,
        "n_repeats": n_repeats,
        "test_size": None if X_test is not None else test_size,
        "fixed_test_set": X_test is not None,
        "scoring": scoring,
        "random_state": random_state,
        "strategies": {k: s for k, s in strategies.items()},
    }
    record = {k: ({n: repr(s) for n, s in v.items()} if k == "strategies"
                  else _jsonable_param(v)) for k, v in record.items()}
    return ActiveLearningCurveResult(
        n_labeled=n_labeled,
        scores=scores,
        full_score=full,
        query_time=qtime,
        fit_time=ftime,
        labeled_indices=order,
        reference=_find_reference(strategies),
        seeds=seeds,
        params=record,
    )
