"""The active learning loop as a scikit-learn meta-estimator."""

import numbers
import sys
import time
from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import accuracy_score, check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from tqdm.auto import tqdm

from .base import (
    QueryStrategy,
    _check_option,
    _check_positive_int,
    _input_for,
    _validate_input,
    _with_feature_names,
    check_classification_labels,
)
from .strategies import UncertaintySampling
from .utils import (
    check_indices,
    check_out_of_core,
    is_out_of_core,
    seed_random_states,
    stratified_indices,
    take_rows,
    vstack_rows,
)
from .utils._out_of_core import apply_blockwise, compute_blockwise, describe

__all__ = ["ActiveLearner"]


def _lazy_2d(X):
    return is_out_of_core(X) and len(getattr(X, "shape", ())) == 2


def _checked_call(learner, method, X):
    """``learner.estimator_.method`` on ``X`` after the learner's input checks."""
    return getattr(learner.estimator_, method)(learner._checked_input(X))


def _call_with_input(estimator, method, X):
    """``estimator.method`` on ``X`` as it takes it (e.g. with column names)."""
    return getattr(estimator, method)(_input_for(estimator, X))


def _default_score_is_accuracy(estimator):
    """Whether ``estimator.score`` is scikit-learn's accuracy (a Pipeline's:
    its final step's)."""
    if isinstance(estimator, Pipeline):
        return _default_score_is_accuracy(estimator._final_estimator)
    return getattr(type(estimator), "score", None) is ClassifierMixin.score


class _BlockwiseClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier applied block by block to out-of-core data (for scorers)."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    @property
    def classes_(self):
        return self.estimator.classes_

    def __sklearn_is_fitted__(self):
        return True

    def __getattr__(self, name):
        # A callable scorer may read the classifier's attributes (coef_,
        # named_steps...): they are the wrapped classifier's.
        if name.startswith("__") or name == "estimator":
            raise AttributeError(name)
        return getattr(self.estimator, name)

    def _apply(self, method, X):
        return compute_blockwise(
            partial(_call_with_input, self.estimator, method), X)

    def predict(self, X):
        return self._apply("predict", X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        return self._apply("predict_proba", X)

    @available_if(lambda self: hasattr(self.estimator, "predict_log_proba"))
    def predict_log_proba(self, X):
        return self._apply("predict_log_proba", X)

    @available_if(lambda self: hasattr(self.estimator, "decision_function"))
    def decision_function(self, X):
        return self._apply("decision_function", X)


def _estimator_has(attr):
    """Check the fitted classifier if there is one, else the strategy's."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        strategy = UncertaintySampling() if self.strategy is None else self.strategy
        return hasattr(strategy._get_estimator(), attr)

    return check


def _is_nan(value):
    return isinstance(value, numbers.Real) and np.isnan(value)


def _check_missing_label(missing_label):
    if missing_label is None or isinstance(missing_label, (numbers.Number, str)):
        return missing_label
    raise TypeError(
        "missing_label must be None, a number (e.g. -1 or np.nan) or a "
        f"string, got {type(missing_label).__name__}."
    )


def _is_missing(y, missing_label):
    """Boolean mask of the entries of ``y`` equal to ``missing_label``.

    ``np.nan`` also matches ``None`` in object arrays, as missing values do
    in pandas.
    """
    if missing_label is None:
        return np.zeros(y.shape[0], dtype=bool)
    if _is_nan(missing_label):
        if y.dtype.kind in "fc":
            return np.isnan(y)
        if y.dtype.kind == "O":
            pd = sys.modules.get("pandas")
            if pd is not None:
                # pandas' NA too, which has no truth value for ``y != y``.
                return np.asarray(pd.isna(y), dtype=bool)
            # NaN is the one value not equal to itself.
            return np.asarray((y != y) | np.equal(y, None), dtype=bool)
        return np.zeros(y.shape[0], dtype=bool)
    if y.dtype.kind in "iufcb" and not isinstance(missing_label, numbers.Number):
        return np.zeros(y.shape[0], dtype=bool)
    if y.dtype.kind in "US" and not isinstance(missing_label, str):
        return np.zeros(y.shape[0], dtype=bool)
    return np.asarray(y == missing_label, dtype=bool)


def _check_labels(y, missing_label, name="y", full_target=False):
    """Class labels, with a hint when NaN or None marks unlabeled samples."""
    if not _is_nan(missing_label):
        unmarked = _is_missing(y, np.nan)
        if unmarked.any():
            raise ValueError(
                f"{name} contains {int(unmarked.sum())} NaN or None labels, but "
                f"missing_label={missing_label!r}. If they mark unlabeled "
                "samples, pass missing_label=np.nan; otherwise drop those "
                "samples."
            )
    check_classification_labels(y, name, full_target=full_target)


def _check_initial_indices(initial, n):
    """The user's initial set: distinct row indices leaving a non-empty pool."""
    idx = check_indices(initial, "initial", n=n,
                        what="row indices of X (or 'stratified' / 'random')")
    if idx.shape[0] == 0:
        raise ValueError("initial is empty; give at least one row index of X.")
    if idx.shape[0] >= n:
        raise ValueError(
            f"initial labels all {n} rows of X and leaves no pool; leave at "
            "least one row out."
        )
    return idx


def _same_rows(A, B):
    """Whether two row sets (arrays, sparse matrices, documents) are equal."""
    if hasattr(A, "to_numpy"):
        A = A.to_numpy()
    if hasattr(B, "to_numpy"):
        B = B.to_numpy()
    if sp.issparse(A) or sp.issparse(B):
        if not (sp.issparse(A) and sp.issparse(B)) or A.shape != B.shape:
            return False
        return (A != B).nnz == 0
    A, B = np.asarray(A), np.asarray(B)
    if A.shape != B.shape:
        return False
    if A.dtype.kind in "fc" and B.dtype.kind in "fc":
        return bool(np.array_equal(A, B, equal_nan=True))
    return bool(np.array_equal(A, B))


def _out_of_core_pool(X, strategy, name="X"):
    """Whether the loop reads ``X`` out of core, block by block.

    True for a dask array, memmap or zarr array that ``strategy`` can query
    without loading (it ranks rows by a per-row score, or needs the pool's
    size only). A memmap that it cannot is read in place as the NumPy array
    it is; other lazy arrays get an error that says what to do.
    """
    if not is_out_of_core(X):
        return False
    capable = strategy._out_of_core_query() is not None
    if isinstance(X, np.memmap):
        return capable and X.ndim == 2
    if not capable:
        name_s = type(strategy).__name__
        raise ValueError(
            f"{name_s} needs the whole pool in memory (it chooses its batch "
            "jointly, or its scores cannot be computed block by block), but "
            f"{name} is a "
            f"{describe(X)} of shape {tuple(X.shape)}, read block by block. "
            f"If it fits in memory, pass np.asarray({name}) (a dask array: "
            f"{name}.compute()); otherwise use a strategy that scores the "
            "pool block by block (UncertaintySampling, QueryByCommittee, "
            "DeepEnsemble, CoreSet, BADGE) or RandomSampling, or query a random "
            "subsample of the pool that fits in memory."
        )
    return True


class _GatheredRows:
    """Rows of an out-of-core ``X`` in labeling order, each read once.

    ``rows(lab)`` is ``X[lab]`` in memory; when ``lab`` continues the
    previous call's rows (the loop appends each round's batch), only the
    new rows are read.
    """

    def __init__(self, X):
        self.X = X
        self.rows = np.empty(0, dtype=np.intp)
        self.values = None

    def __call__(self, lab):
        lab = np.asarray(lab, dtype=np.intp)
        n = self.rows.shape[0]
        if self.values is None or lab.shape[0] < n or not np.array_equal(
                lab[:n], self.rows):
            n, self.values = 0, None
        if self.values is None or lab.shape[0] > n:
            part = take_rows(self.X, lab[n:])
            self.values = part if self.values is None else np.concatenate(
                [self.values, part])
            self.rows = lab.copy()
        return self.values


def _label_kind(y):
    """'number', 'string' or 'object' (mixed: not compared)."""
    kind = y.dtype.kind
    return "number" if kind in "biuf" else "string" if kind in "US" else "object"


class ActiveLearner(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Pool-based, batch-mode active learning as a classifier.

    ``fit(X, y)`` runs the whole loop: it starts from ``initial_size``
    labeled samples, and each round fits the strategy on the labeled set,
    queries ``batch_size`` samples from the pool, and reveals their labels,
    until ``budget`` labels have been acquired. The labels come from ``y``
    itself when it is fully labeled (a simulated oracle: only queried labels
    are ever used) or from ``oracle`` for the samples whose ``y`` is
    ``missing_label``. The fitted learner predicts with the classifier
    trained on the acquired labels, so ``score`` and ``cross_val_score``
    measure what model a strategy buys with a budget.

    For annotation tools, ``query`` and ``teach`` drive the loop one step at a
    time.

    Parameters
    ----------
    strategy : QueryStrategy or None, default=None
        The query strategy, which also holds the classifier
        (``strategy.estimator``). ``None`` means
        ``UncertaintySampling(LogisticRegression(max_iter=1000))``.
    batch_size : int, default=10
        Samples queried per round (the last round may query fewer so the
        budget is met exactly).
    budget : int, default=100
        Labels acquired by the loop, not counting the initial set. Must not
        exceed the pool.
    initial_size : int, default=10
        Size of the initial labeled set when ``y`` is fully labeled. Ignored
        when ``y`` contains ``missing_label``: the labeled rows are the
        initial set.
    initial : {"stratified", "random"} or array-like of int, default="stratified"
        How the initial set is drawn: ``"stratified"`` takes one sample of
        each class first (of ``initial_size`` random classes if there are more
        classes than that) and fills up at random; ``"random"`` draws
        uniformly and may miss classes. An array of row indices of ``X`` is
        the initial set itself (``initial_size`` is then ignored), e.g. the
        warm-start set an :class:`~skactive.oracle.OptimalOrderSearch` was
        run from.
    missing_label : int, float, str or None, default=-1
        Marker of unlabeled samples in ``y`` (``np.nan`` for float labels).
        ``None`` means every sample is labeled.
    oracle : callable or None, default=None
        ``oracle(indices) -> labels`` for the queried rows of ``X`` whose
        label is missing. Required when ``y`` contains ``missing_label``.
    eval_set : tuple (X_eval, y_eval) or None, default=None
        Labeled data scored after every round; the scores land in
        ``history_`` and make a learning curve. An out-of-core ``X_eval``
        (dask array, :class:`numpy.memmap`, zarr array) is predicted block
        by block; only the predictions are held in memory.
    scoring : str, callable or None, default=None
        Scorer for ``eval_set`` (see :func:`sklearn.metrics.check_scoring`);
        ``None`` uses the classifier's ``score`` (accuracy).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial set. It also seeds the strategy and its classifier
        where their own ``random_state`` is None, so a fixed value reproduces
        the whole query sequence.
    stopping : StoppingCriterion, list of them, or None, default=None
        Criteria asked after every round (see :mod:`skactive.stopping`); the
        loop stops before ``budget`` when any of them says so, and
        ``stop_reason_`` records why. Each is cloned at the start of ``fit``.
    warm_start : bool, default=False
        When True, ``fit`` continues from the labels the learner already
        holds (``labeled_indices_``, e.g. after an oracle raised or the loop
        was interrupted) instead of drawing a new initial set: those labels
        are reused, never asked again, and the loop buys the rest of
        ``budget``. ``X`` must be the data of the previous ``fit``.
    verbose : bool or int, default=False
        Show a progress bar over rounds.

    Attributes
    ----------
    strategy_ : QueryStrategy
        The strategy, fitted on the final labeled set.
    estimator_ : classifier
        The classifier trained on the final labeled set.
    classes_ : ndarray of shape (n_classes,)
        Labels the final classifier knows.
    labeled_indices_ : ndarray of shape (n_labeled,)
        Row of each labeled sample in your data, aligned with ``X_labeled_``
        and ``y_labeled_``: the rows of the ``X`` given to ``fit``, initial
        set first, then in query order, then the samples added by ``teach``
        (their ``indices``, or ids after every row seen when none are given).
    X_labeled_ : ndarray of shape (n_labeled, n_features)
        The acquired training set, including samples added by ``teach``
        (of shape (n_labeled,) for raw documents).
    y_labeled_ : ndarray of shape (n_labeled,)
        Its labels.
    history_ : list of dict
        One entry per round: ``round``, ``n_labeled`` (labeled samples the
        round's model was trained on), ``queried`` (indices into ``X`` that
        the round selected, empty for the last round), ``score`` (on
        ``eval_set``, or None), ``fit_time`` and ``query_time`` in seconds,
        and ``stop``: None, or on the last round why the loop ended.
    n_iter_ : int
        Number of query rounds run.
    stop_reason_ : str
        Why the loop ended: the budget was spent, a stopping criterion's
        ``reason_``, or ``"interrupted by <exception>"`` when ``fit`` raised
        (the labels answered before are kept; ``warm_start=True`` goes on).
    stopping_ : list of StoppingCriterion
        The fitted copies of ``stopping``, with what they measured; a
        ``warm_start`` fit with the same ``stopping`` continues them, so an
        interrupted loop stops where an uninterrupted one would.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen in ``fit``, when ``X`` has string column
        names (a DataFrame). The classifier is fitted with them too.

    See Also
    --------
    skactive.evaluation.active_learning_curve : Learning curves over repeats.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ActiveLearner, UncertaintySampling
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> al = ActiveLearner(UncertaintySampling(LogisticRegression(max_iter=500)),
    ...                    batch_size=20, budget=100, initial_size=20, random_state=0)
    >>> al.fit(X[:1000], y[:1000]).n_iter_
    5
    >>> len(al.labeled_indices_)
    120
    >>> round(al.score(X[1000:], y[1000:]), 2) > 0.8
    True
    """

    def __init__(
        self,
        strategy=None,
        *,
        batch_size=10,
        budget=100,
        initial_size=10,
        initial="stratified",
        missing_label=-1,
        oracle=None,
        eval_set=None,
        scoring=None,
        random_state=None,
        stopping=None,
        warm_start=False,
        verbose=False,
    ):
        self.strategy = strategy
        self.batch_size = batch_size
        self.budget = budget
        self.initial_size = initial_size
        self.initial = initial
        self.missing_label = missing_label
        self.oracle = oracle
        self.eval_set = eval_set
        self.scoring = scoring
        self.random_state = random_state
        self.stopping = stopping
        self.warm_start = warm_start
        self.verbose = verbose

    # -- set-up -------------------------------------------------------------
    def _strategy_param(self):
        strategy = UncertaintySampling() if self.strategy is None else self.strategy
        if not isinstance(strategy, QueryStrategy):
            raise TypeError(
                "strategy must be a skactive QueryStrategy (e.g. "
                f"UncertaintySampling()), got {type(strategy).__name__}."
            )
        return strategy

    def _make_strategy(self, rng):
        strategy = self._strategy_param()
        if getattr(strategy, "refit", True) is False:
            raise ValueError(
                "ActiveLearner retrains the classifier on the grown labeled set "
                "every round, so the strategy needs refit=True. refit=False is "
                "for querying with an already fitted classifier outside the "
                "loop; to keep a model fixed inside it, wrap it in "
                "sklearn.frozen.FrozenEstimator."
            )
        strategy = clone(strategy)
        if self.random_state is not None:
            seed_random_states(strategy, rng)
        return strategy

    def _validate_params(self):
        _check_positive_int(self.batch_size, "batch_size")
        _check_positive_int(self.budget, "budget", minimum=0)
        _check_positive_int(self.initial_size, "initial_size")
        if isinstance(self.initial, str):
            _check_option(self.initial, "initial", ("stratified", "random"))
        _check_missing_label(self.missing_label)
        if self.oracle is not None and not callable(self.oracle):
            raise TypeError(
                f"oracle must be a callable oracle(indices) -> labels, got "
                f"{type(self.oracle).__name__}."
            )
        if self.eval_set is not None and (
            not isinstance(self.eval_set, (tuple, list)) or len(self.eval_set) != 2
        ):
            raise ValueError("eval_set must be a tuple (X_eval, y_eval).")

    def _validate_X(self, X, strategy, reset=True, ensure_min_samples=1):
        # As the strategy validates it: raw documents stay documents when
        # the strategy only hands them to a classifier that reads them.
        return _validate_input(
            self, X, estimator=strategy._input_estimator(),
            raw_ok=not strategy._needs_features, owner=type(strategy).__name__,
            reset=reset, accept_sparse=("csr",),
            ensure_min_samples=ensure_min_samples)

    def _validate_X_y(self, X, y, strategy, reset=True, ensure_min_samples=2):
        # y is checked apart from X: np.nan may mark missing labels, which
        # validate_data(X, y) would reject as non-finite.
        X = self._validate_X(X, strategy, reset, ensure_min_samples)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        return X, y

    def _validate_lazy_X_y(self, X, y):
        """``_validate_X_y`` for an out-of-core ``X``: shape and dtype only.

        The values are checked where they are read: the labeled rows when
        the strategy is fitted on them, the pool block by block when it is
        scored.
        """
        n, d = check_out_of_core(X, "X", ensure_min_samples=2)
        self.n_features_in_ = d
        # As validate_data(reset=True) with an array: no column names.
        self.__dict__.pop("feature_names_in_", None)
        y = column_or_1d(y, warn=True)
        check_consistent_length(np.empty((n, 0)), y)
        return X, y

    def _strategy_input(self, X):
        """``X`` with the column names of ``fit``'s DataFrame, if any."""
        return _with_feature_names(X, getattr(self, "feature_names_in_", None))

    def _initial_indices(self, y, rng):
        n = y.shape[0]
        if not isinstance(self.initial, str):
            return _check_initial_indices(self.initial, n)
        size = self.initial_size
        if size >= n:
            raise ValueError(
                f"initial_size={size} leaves no pool: X has only {n} samples. "
                f"Use initial_size < {n}."
            )
        if self.initial == "random":
            return rng.permutation(n)[:size]
        return stratified_indices(y, size, rng)

    def _eval_score(self, estimator):
        if self.eval_set is None:
            return None
        X_eval, y_eval = self.eval_set
        if _lazy_2d(X_eval):
            # Scored block by block: only the predictions are in memory.
            if self.scoring is None and not _default_score_is_accuracy(estimator):
                raise ValueError(
                    f"eval_set holds a {describe(X_eval)}, scored block by "
                    f"block, but {type(estimator).__name__} has a score method "
                    "of its own, which needs the whole X_eval. Pass scoring= "
                    "(e.g. scoring='accuracy' or a scorer), or an in-memory "
                    "X_eval."
                )
            scorer = check_scoring(estimator, scoring=self.scoring)
            y_eval = np.asarray(y_eval)
            return float(scorer(_BlockwiseClassifier(estimator), X_eval, y_eval))
        # An array eval set beside a DataFrame pool: no warning every round.
        X_eval = _input_for(estimator, X_eval)
        scorer = check_scoring(estimator, scoring=self.scoring)
        return float(scorer(estimator, X_eval, y_eval))

    def _ask_oracle(self, indices):
        """The oracle's labels and which of them are answers (not missing)."""
        labels = np.asarray(self.oracle(indices))
        if labels.shape != (indices.shape[0],):
            raise ValueError(
                f"oracle returned labels of shape {labels.shape} for "
                f"{indices.shape[0]} queried samples; it must return one label "
                "per index."
            )
        answered = ~_is_missing(labels, self.missing_label)
        # Before they are stored: an integer y would silently truncate floats.
        check_classification_labels(labels[answered],
                                    "the labels returned by oracle")
        return labels, answered

    # -- the loop -------------------------------------------------------------
    def fit(self, X, y):
        """Run the active learning loop.

        If the oracle, the classifier or a KeyboardInterrupt stops the loop,
        every label answered so far is kept (``labeled_indices_``,
        ``X_labeled_``, ``y_labeled_``, ``history_``) before the exception
        propagates; ``fit`` again with ``warm_start=True`` continues from
        there, and :meth:`skactive.labeling.LabelingSession.from_learner`
        hands the labels to a persistent store.

        Parameters
        ----------
        X : array-like, dask array, numpy.memmap or zarr array of shape \
                (n_samples, n_features)
            All samples: the initial labeled set and the pool. With a
            DataFrame, the classifier is fitted on DataFrames with its
            columns. Raw documents (a list of str) are accepted when the
            strategy only needs the classifier's predictions and the
            classifier reads them, e.g.
            ``make_pipeline(TfidfVectorizer(), LogisticRegression())``.

            An out-of-core ``X`` (a :mod:`dask.array` array, e.g. from
            ``dask.array.from_zarr`` or ``from_npy_stack``, a
            :class:`numpy.memmap` from ``np.load(path, mmap_mode="r")``, or
            a zarr array) is never loaded whole: its shape and dtype are
            checked without reading it, only the labeled rows are read into
            memory (each once, ``X_labeled_``), and each round scores the
            pool block by block (a dask array's row chunks, on whatever
            scheduler is active; other arrays within scikit-learn's
            ``working_memory``), keeping per block only the rows that can be
            in the batch. Driver memory is one block plus the labeled set
            (and a few bytes per row of index bookkeeping), and the queries
            are those of the same ``X`` in memory (up to last-bit rounding of
            the scores, see :class:`~skactive.base.ScoreQueryMixin`). NaN and
            inf are caught where rows are read. This needs a strategy that
            ranks rows by a per-sample score (``UncertaintySampling``,
            ``QueryByCommittee``, ``DeepEnsemble``) or
            ``RandomSampling``; others raise a ValueError (a memmap is then
            read in place, as any NumPy array).
        y : array-like of shape (n_samples,)
            Labels. Fully labeled: a simulated oracle, only queried labels are
            used. With ``missing_label`` entries: the labeled rows start the
            loop and ``oracle`` labels the queried rows.

        Returns
        -------
        self : object
            The fitted learner.
        """
        self._validate_params()
        criteria = self._stopping_criteria()  # bad parameters fail here
        resume = bool(self.warm_start) and hasattr(self, "labeled_indices_")
        asked_at = None
        if resume:
            kept = self._kept_labels()
            criteria = self._resumed_criteria(criteria)
            if criteria is getattr(self, "stopping_", None):
                # They saw the model of these labels already: the refit of
                # the same labels must not count as one more round.
                asked_at = getattr(self, "_asked_at", None)
        lazy = _out_of_core_pool(X, self._strategy_param())
        if lazy:
            X, y = self._validate_lazy_X_y(X, y)
            rows_of = _GatheredRows(X)
        else:
            X, y = self._validate_X_y(X, y, self._strategy_param())
            rows_of = None
        rng = check_random_state(self.random_state)
        missing = _is_missing(y, self.missing_label)
        use_oracle = bool(missing.any())
        if use_oracle and self.oracle is None and not (
                resume and np.isin(np.flatnonzero(missing), kept[0]).all()):
            raise ValueError(
                f"y contains {int(missing.sum())} samples marked "
                f"missing_label={self.missing_label!r} but no oracle is "
                "given. Pass oracle=callable(indices) -> labels, or a fully "
                "labeled y to simulate the oracle. If "
                f"{self.missing_label!r} is a real class, pass "
                "missing_label=None."
            )
        if resume:
            labeled, y_known, n_initial = self._resume_labels(X, y, missing, kept,
                                                              rows_of)
            history = list(self.history_)
            if history and history[-1]["n_labeled"] == labeled.shape[0]:
                history.pop()  # that round's model is fitted again below
            n_done = getattr(self, "n_iter_", 0)
        elif use_oracle:
            labeled = np.flatnonzero(~missing)
            if labeled.shape[0] == 0:
                raise ValueError(
                    "y has no labeled sample; label at least one sample per "
                    "class to start the loop."
                )
            _check_labels(y[labeled], self.missing_label)
            # Fixed-width strings would truncate longer labels from the oracle.
            y_known = y.astype(object) if y.dtype.kind in "US" else y.copy()
            n_initial, history, n_done = labeled.shape[0], [], 0
        else:
            _check_labels(y, self.missing_label, full_target=True)
            labeled = self._initial_indices(y, rng)
            y_known = y
            n_initial, history, n_done = labeled.shape[0], [], 0
        pool_mask = np.ones(X.shape[0], dtype=bool)
        pool_mask[labeled] = False
        spent = labeled.shape[0] - n_initial
        n_pool = int(pool_mask.sum())
        to_buy = self.budget - spent
        if to_buy > n_pool:
            held = (f" and the learner already bought {spent}" if spent else "")
            raise ValueError(
                f"budget={self.budget} is larger than the pool, which has "
                f"{n_pool} unlabeled samples{held}; use budget <= "
                f"{n_pool + spent}."
            )
        # A batch larger than the pool is fine while the budget fits: each
        # round queries min(batch_size, budget left) samples.

        strategy = self._make_strategy(rng)
        if self.random_state is not None and not resume:
            # After the strategy, so its seeds are those of a loop without
            # criteria; a stop set drawn from the same seed stops alike.
            for c in criteria:
                seed_random_states(c, rng)
        # The strategy sees DataFrames when fit got one, so its classifier
        # keeps the column names.
        X_in = self._strategy_input(X)
        order = [np.asarray(labeled, dtype=np.intp)]
        n_rounds = max(-(-to_buy // self.batch_size), 0)
        reason = f"the budget of {self.budget} labels is spent"
        fitted = False
        bar = tqdm(total=n_rounds, desc="active learning", disable=not self.verbose,
                   leave=False)
        try:
            for r in range(n_rounds + 1):
                lab = np.concatenate(order)
                fitted = False
                t0 = time.perf_counter()
                # Out of core, only the labeled rows are read, each once.
                strategy.fit(_safe_indexing(X_in, lab) if rows_of is None
                             else rows_of(lab), y_known[lab])
                fitted = True
                entry = self._round_entry(len(history), lab.shape[0],
                                          strategy, time.perf_counter() - t0)
                history.append(entry)
                if r == n_rounds:
                    entry["stop"] = reason
                    break
                pool_idx = np.flatnonzero(pool_mask)
                stop = None
                if lab.shape[0] != asked_at:
                    stop = self._ask_criteria(criteria, entry["round"], strategy,
                                              X_in, lab, pool_idx, y_known, spent)
                    self._asked_at = asked_at = int(lab.shape[0])
                if stop is not None:
                    reason = entry["stop"] = stop
                    break
                k = min(self.batch_size, self.budget - spent)
                t0 = time.perf_counter()
                picked = strategy._query_candidates(X_in, pool_idx, batch_size=k)
                entry["query_time"] = time.perf_counter() - t0
                if use_oracle:
                    labels, answered = self._ask_oracle(picked)
                    if not answered.all():
                        # Keep the answers given, then say what is missing.
                        y_known[picked[answered]] = labels[answered]
                        order.append(picked[answered])
                        raise ValueError(
                            f"oracle returned missing_label for "
                            f"{int((~answered).sum())} of the {picked.shape[0]} "
                            "queried samples; the labels it gave are kept "
                            "(labeled_indices_). Return a label for every index, "
                            "or fit again with warm_start=True to go on."
                        )
                    y_known[picked] = labels
                    order.append(picked)
                else:
                    order.append(picked)
                pool_mask[picked] = False
                entry["queried"] = picked
                spent += k
                n_done += 1
                bar.update(1)
        except BaseException as exc:
            # Every label answered so far outlives the failure (an oracle
            # that raises, a KeyboardInterrupt): fit(warm_start=True) or
            # teach goes on from them.
            self._keep(X, y_known, order, history, n_done, n_initial,
                       strategy if fitted else None, criteria, resume, rows_of)
            self.stop_reason_ = (f"interrupted by {type(exc).__name__}: {exc}"
                                 if str(exc) else
                                 f"interrupted by {type(exc).__name__}")
            raise
        finally:
            bar.close()
        self._keep(X, y_known, order, history, n_done, n_initial, strategy,
                   criteria, resume, rows_of)
        self.stop_reason_ = reason
        return self

    def _round_entry(self, round_, n_labeled, strategy, fit_time):
        """The ``history_`` entry of a round whose model was just fitted."""
        return {
            "round": round_,
            "n_labeled": int(n_labeled),
            "score": self._eval_score(strategy.estimator_),
            "fit_time": fit_time,
            "query_time": 0.0,
            "queried": np.empty(0, dtype=np.intp),
            "stop": None,
        }

    def _keep(self, X, y_known, order, history, n_done, n_initial, strategy,
              criteria, resume, rows_of=None):
        """Store the labels (and the model, if its fit finished) on self.

        Without a finished fit, a model from an earlier ``fit`` is dropped
        unless this call continued it (``warm_start``): it may have been
        trained on other data.
        """
        if strategy is None and not resume:
            for attr in ("strategy_", "estimator_", "classes_"):
                self.__dict__.pop(attr, None)
        self.stopping_ = criteria
        self.labeled_indices_ = np.concatenate(order)
        self.X_labeled_ = (_safe_indexing(X, self.labeled_indices_)
                           if rows_of is None else rows_of(self.labeled_indices_))
        self.y_labeled_ = y_known[self.labeled_indices_]
        self.history_ = history
        self.n_iter_ = n_done
        self._n_initial = int(n_initial)
        # Rows taught later without indices are numbered after X's rows.
        self._n_rows = int(X.shape[0])
        if strategy is not None:
            self.strategy_ = strategy
            self.estimator_ = strategy.estimator_
            self.classes_ = self.estimator_.classes_

    def _resumed_criteria(self, fresh):
        """The criteria of the interrupted loop, if ``stopping`` is unchanged."""
        kept = getattr(self, "stopping_", None)
        if kept is None or [type(c) for c in kept] != [type(c) for c in fresh]:
            return fresh
        def params(c):
            # The loop seeded random_state=None: that is no change.
            return repr({k: v for k, v in c.get_params().items()
                         if not k.endswith("random_state")})

        if any(params(a) != params(b) for a, b in zip(kept, fresh)):
            return fresh
        return kept

    def _stopping_criteria(self):
        """Fresh, validated copies of ``stopping``."""
        if self.stopping is None:
            return []
        criteria = (list(self.stopping) if isinstance(self.stopping, (list, tuple))
                    else [self.stopping])
        for c in criteria:
            if isinstance(c, type):
                raise TypeError(
                    f"stopping must hold criterion instances; got the class "
                    f"{c.__name__}. Use {c.__name__}(...) instead."
                )
            if not callable(getattr(c, "update", None)):
                raise TypeError(
                    "stopping must be a stopping criterion from "
                    "skactive.stopping (e.g. StabilizingPredictions()) or a "
                    f"list of them, got {type(c).__name__}."
                )
        criteria = [clone(c) for c in criteria]
        for c in criteria:
            validate = getattr(c, "_validate_params", None)
            if validate is not None:
                validate()
        return criteria

    def _ask_criteria(self, criteria, round_, strategy, X_in, lab, pool_idx,
                      y_known, spent):
        """The first criterion's reason to stop, or None. All are updated."""
        if not criteria:
            return None
        from .stopping import StoppingState, _first_reason

        return _first_reason(criteria, StoppingState(
            round=round_, estimator=strategy.estimator_, X=X_in, labeled=lab,
            unlabeled=pool_idx, y_labeled=y_known[lab], n_queried=int(spent),
            budget=self.budget))

    def _kept_labels(self):
        return (np.asarray(self.labeled_indices_), self.X_labeled_,
                np.asarray(self.y_labeled_))

    def _resume_labels(self, X, y, missing, kept, rows_of=None):
        """Labeled rows, known labels and initial size of a warm start."""
        rows, X_kept, y_kept = kept
        n = X.shape[0]
        if rows.shape[0] and rows.max() >= n:
            raise ValueError(
                f"warm_start=True continues from the labels the learner holds, "
                f"but labeled_indices_ has rows up to {int(rows.max())} and X "
                f"has {n} rows: samples taught without indices= are numbered "
                "after X's rows. Teach with indices= (rows of X), or set "
                "warm_start=False to start over."
            )
        if rows.shape[0] and not _same_rows(
                _safe_indexing(X, rows) if rows_of is None else rows_of(rows),
                X_kept):
            raise ValueError(
                "warm_start=True continues from the labels the learner holds, "
                "but X is not the data they were taught on (its rows at "
                "labeled_indices_ differ from X_labeled_). Pass the X of the "
                "previous fit, or set warm_start=False to start over."
            )
        if y.dtype.kind in "US" or y_kept.dtype.kind in "USO":
            y_known = y.astype(object)
        else:
            y_known = y.astype(np.result_type(y.dtype, y_kept.dtype), copy=True)
        y_known[rows] = y_kept
        # Rows labeled in y that the learner did not hold join the start set.
        extra = np.setdiff1d(np.flatnonzero(~missing), rows, assume_unique=True)
        if missing.any() and extra.shape[0]:
            _check_labels(y[extra], self.missing_label)
        else:
            extra = np.empty(0, dtype=np.intp)
        n_initial = getattr(self, "_n_initial", rows.shape[0]) + extra.shape[0]
        return np.concatenate([rows, extra]).astype(np.intp), y_known, n_initial

    # -- step-wise use ----------------------------------------------------
    def query(self, X_pool, batch_size=None, *, candidates=None):
        """Indices of the pool samples to label next.

        Parameters
        ----------
        X_pool : array-like, dask array, numpy.memmap or zarr array of shape \
                (n_pool, n_features)
            Unlabeled candidates, or all your data with ``candidates``. An
            out-of-core pool is scored block by block and never loaded
            whole (see :meth:`fit`); CoreSet and BADGE keep one shard per
            block; a strategy that needs the whole pool in memory (e.g.
            ``DensityWeighted``) raises a ValueError for a dask or zarr
            array and reads a memmap in place.
        batch_size : int or None, default=None
            Number of samples; ``None`` uses the learner's ``batch_size``.
        candidates : array-like of int or None, default=None
            Rows of ``X_pool`` to choose from, e.g. those not yet labeled:
            ``query(X, candidates=unlabeled)`` picks what
            ``unlabeled[query(X[unlabeled])]`` picks without copying the
            rows out of ``X`` (for an out-of-core ``X``, without reading
            anything but the blocks being scored). ``None``: every row.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool`` (rows of ``X_pool`` also with
            ``candidates``), most preferred first.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from skactive import ActiveLearner
        >>> X, y = load_iris(return_X_y=True)
        >>> al = ActiveLearner(batch_size=3, random_state=0)
        >>> al = al.teach(X[[0, 50, 100]], y[[0, 50, 100]], indices=[0, 50, 100])
        >>> unlabeled = np.setdiff1d(np.arange(len(X)), al.labeled_indices_)
        >>> idx = al.query(X, candidates=unlabeled)
        >>> bool(np.isin(idx, unlabeled).all())
        True
        """
        check_is_fitted(self)
        k = self.batch_size if batch_size is None else batch_size
        _out_of_core_pool(X_pool, self.strategy_, "X_pool")  # a clear error
        if candidates is None:
            return self.strategy_.query(X_pool, batch_size=k)
        n_rows = (X_pool.shape[0] if hasattr(X_pool, "shape")
                  else _num_samples(X_pool))
        candidates = check_indices(candidates, "candidates", n=n_rows,
                                   what="row indices of X_pool")
        if candidates.shape[0] == 0:
            raise ValueError(
                "candidates is empty: there is nothing left to query. Pass "
                "at least one row of X_pool."
            )
        return np.asarray(
            self.strategy_._query_candidates(X_pool, candidates, batch_size=k),
            dtype=np.intp)

    def _taught_indices(self, indices, n_new, labeled):
        """Row ids of taught samples: ``indices`` checked, or fresh ones."""
        if indices is None:
            # As if appended to the data: after X's rows and every id so far.
            start = max(getattr(self, "_n_rows", 0),
                        int(labeled.max()) + 1 if labeled.shape[0] else 0)
            return np.arange(start, start + n_new, dtype=np.intp)
        idx = np.asarray(indices)
        if idx.ndim != 1 or idx.dtype.kind not in "iu" or idx.shape[0] != n_new:
            raise ValueError(
                f"indices must be a 1-d array of {n_new} integers, the row "
                f"position of each taught sample in your data; got shape "
                f"{idx.shape} and dtype {idx.dtype}."
            )
        if idx.min() < 0:
            raise ValueError(
                f"indices has negative entries {idx[idx < 0].tolist()}; row "
                "positions are >= 0."
            )
        values, counts = np.unique(idx, return_counts=True)
        if (counts > 1).any():
            raise ValueError(
                f"indices repeats rows {values[counts > 1].tolist()}; teach each "
                "row once."
            )
        again = np.intersect1d(idx, labeled)
        if again.shape[0]:
            raise ValueError(
                f"Rows {again.tolist()} are already labeled (see "
                "labeled_indices_); a label cannot be taught twice: that would "
                "be a correction, which this version does not support. Leave "
                "those rows out."
            )
        return idx.astype(np.intp)

    def teach(self, X_new, y_new, *, indices=None):
        """Add labeled samples and refit the strategy and classifier.

        The new labels are appended to everything taught before. Inputs are
        validated before anything changes, and the learner's state is only
        replaced once the refit succeeded, so an error never loses a label.
        On an unfitted learner ``teach`` starts from the given samples.

        Parameters
        ----------
        X_new : array-like of shape (n_new, n_features)
            The labeled samples. A dask array, :class:`numpy.memmap` or zarr
            array (e.g. ``X[idx]`` of an out-of-core pool) is read into
            memory: the labeled set is kept in memory.
        y_new : array-like of shape (n_new,)
            Their labels.
        indices : array-like of int of shape (n_new,) or None, default=None
            Position of each sample in your data: the row of the ``X`` given
            to ``fit``, or of the pool you query, e.g. ``query(X)``'s output
            when ``X_new = X[idx]``. They join ``labeled_indices_``; a row
            already there cannot be taught again. ``None`` numbers the
            samples as if appended to the data: after the rows of ``fit``'s
            ``X`` and after every index seen so far.

        Returns
        -------
        self : object
            The learner, refitted.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from skactive import ActiveLearner
        >>> X, y = load_iris(return_X_y=True)
        >>> al = ActiveLearner(batch_size=2, random_state=0)
        >>> al = al.teach(X[[0, 50, 100]], y[[0, 50, 100]], indices=[0, 50, 100])
        >>> pool = np.setdiff1d(np.arange(len(X)), al.labeled_indices_)
        >>> idx = pool[al.query(X[pool])]
        >>> al = al.teach(X[idx], y[idx], indices=idx)
        >>> al.labeled_indices_[:3].tolist()
        [0, 50, 100]
        >>> len(al.labeled_indices_) == len(al.y_labeled_) == 5
        True
        """
        fitted = hasattr(self, "estimator_")
        # Labels kept from an interrupted fit, possibly without a model yet.
        held = hasattr(self, "X_labeled_")
        if is_out_of_core(X_new):
            # The taught rows join the in-memory labeled set: read them once.
            X_new = (np.asarray(X_new.compute()) if hasattr(X_new, "compute")
                     else take_rows(X_new, np.arange(X_new.shape[0])))
        X_new, y_new = self._validate_X_y(
            X_new, y_new, self.strategy_ if fitted else self._strategy_param(),
            reset=not held, ensure_min_samples=1)
        if _is_missing(y_new, self.missing_label).any():
            raise ValueError(
                f"y_new contains missing_label={self.missing_label!r}; teach "
                "only real labels."
            )
        _check_labels(y_new, self.missing_label, "y_new")
        labeled = self.labeled_indices_ if held else np.empty(0, dtype=np.intp)
        new_ids = self._taught_indices(indices, y_new.shape[0], labeled)
        if held:
            old, new = _label_kind(self.y_labeled_), _label_kind(y_new)
            if {old, new} == {"number", "string"}:
                raise ValueError(
                    f"y_new has {new} labels but the learner was taught {old} "
                    "labels; teach labels of the same type."
                )
            X_all = vstack_rows(self.X_labeled_, X_new)
            y_all = np.concatenate([self.y_labeled_, y_new])
            history = list(self.history_)
        else:
            self._validate_params()
            X_all, y_all = X_new, y_new
            history = []
        if fitted:
            strategy = clone(self.strategy_)
        else:
            strategy = self._make_strategy(check_random_state(self.random_state))
        t0 = time.perf_counter()
        strategy.fit(self._strategy_input(X_all), y_all)
        history.append(self._round_entry(len(history), y_all.shape[0], strategy,
                                         time.perf_counter() - t0))
        # Commit only after the refit succeeded.
        self.strategy_ = strategy
        self.estimator_ = strategy.estimator_
        self.classes_ = self.estimator_.classes_
        self.X_labeled_, self.y_labeled_ = X_all, y_all
        self.labeled_indices_ = np.concatenate([labeled, new_ids])
        self.history_ = history
        if not held:
            self.n_iter_ = 0
            self._n_initial = int(y_all.shape[0])
        return self

    # -- delegation -------------------------------------------------------
    def _blockwise(self, method, X):
        """``method`` of the final classifier over an out-of-core ``X``."""
        check_is_fitted(self)
        check_out_of_core(X, "X", n_features=self.n_features_in_)
        return apply_blockwise(partial(_checked_call, self, method), X)

    def _checked_input(self, X):
        """``X`` validated, as the final classifier was fitted on it."""
        check_is_fitted(self)
        X = self._validate_X(X, self.strategy_, reset=False)
        return _input_for(self.estimator_, X)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the classifier trained on the acquired labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A dask array, :class:`numpy.memmap` or zarr array is predicted
            block by block: a dask array gives a (lazy) dask array, the
            others a NumPy array, and none is loaded whole.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        if _lazy_2d(X):
            return self._blockwise("predict", X)
        X = self._checked_input(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the classifier trained on the acquired labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        if _lazy_2d(X):
            return self._blockwise("predict_proba", X)
        X = self._checked_input(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the final classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        if _lazy_2d(X):
            return self._blockwise("predict_log_proba", X)
        X = self._checked_input(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the final classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        if _lazy_2d(X):
            return self._blockwise("decision_function", X)
        X = self._checked_input(X)
        return self.estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """Accuracy of the classifier trained on the acquired labels.

        This is what ``cross_val_score`` and ``GridSearchCV`` optimise: the
        quality of the model a strategy buys with the budget.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``predict(X)`` against ``y``.
        """
        if _lazy_2d(X):
            # The predictions are gathered; the samples stay out of core.
            y_pred = np.asarray(self._blockwise("predict", X))
            return float(accuracy_score(np.asarray(y), y_pred,
                                        sample_weight=sample_weight))
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # The classifier sees only the acquired labels, not the whole training set.
        tags.classifier_tags.poor_score = True
        return tags
