"""Base classes and shared validation for query strategies.

A query strategy is a scikit-learn estimator: ``fit(X_labeled, y_labeled)``
learns what the strategy needs (usually a clone of the wrapped classifier),
``query(X_pool, batch_size)`` returns distinct pool indices ordered by
preference and, where a per-sample utility exists, ``score_samples(X_pool)``
returns it (higher means query first).
"""

import numbers
import warnings
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from .utils import (
    check_batch_size,
    check_out_of_core,
    is_out_of_core,
    query_rng,
    row_blocks,
    seed_random_states,
    top_k,
)
from .utils._out_of_core import _is_dask, compute_blockwise, describe, read_block
from .utils._selection import _selection_scores, _top_candidates, _top_k_of

__all__ = [
    "QueryStrategy",
    "ScoreQueryMixin",
    "check_classification_labels",
    "default_estimator",
]


def default_estimator():
    """The classifier a strategy wraps when ``estimator=None``.

    Returns
    -------
    estimator : LogisticRegression
        ``LogisticRegression(max_iter=1000)``: fast, probabilistic and
        well-calibrated enough for uncertainty-based strategies.
    """
    return LogisticRegression(max_iter=1000)


def _check_has_method(estimator, method, owner, hint=""):
    if not hasattr(estimator, method):
        raise TypeError(
            f"{owner} needs a classifier with `{method}`, but "
            f"estimator={type(estimator).__name__} has none.{hint}"
        )


def _check_classifier(estimator, owner):
    """Raise a TypeError naming ``estimator`` when it is not a classifier.

    Estimators without scikit-learn tags (duck-typed models) and those that
    declare no estimator type are trusted: only a declared regressor,
    clusterer, ... is refused, before it fails deep inside a strategy.
    """
    try:
        kind = get_tags(estimator).estimator_type
    except (AttributeError, TypeError):
        return
    if kind is None or is_classifier(estimator):
        return
    name = type(estimator).__name__
    if isinstance(estimator, Pipeline):
        name = f"Pipeline ending in {type(estimator._final_estimator).__name__}"
    raise TypeError(
        f"{owner} needs a classifier, but estimator={name} is a {kind}: active "
        "learning here queries class labels and ranks samples by the "
        "classifier's predictions. Use a classifier, e.g. LogisticRegression() "
        "(for a Pipeline, end it with one)."
    )


def _first_step(estimator):
    """The model that reads ``X``: a Pipeline's first step, nested ones too."""
    while isinstance(estimator, Pipeline) and len(estimator.steps):
        estimator = estimator.steps[0][1]
    return estimator


def _reads_raw_text(estimator):
    """Whether ``estimator`` (or a Pipeline's first step) reads raw documents.

    That is what scikit-learn's text vectorizers declare with their tags
    (``input_tags.string`` without ``two_d_array``), so
    ``make_pipeline(TfidfVectorizer(), LogisticRegression())`` qualifies.
    """
    estimator = _first_step(estimator)
    if estimator is None or isinstance(estimator, str):
        return False
    try:
        tags = get_tags(estimator).input_tags
    except (AttributeError, TypeError):
        return False
    return bool(tags.string and not tags.two_d_array)


def _looks_like_documents(X):
    """A list or 1-d array of strings: raw documents rather than features."""
    if hasattr(X, "shape") and getattr(X, "ndim", 2) != 1:
        return False
    if isinstance(X, (str, bytes)) or sp.issparse(X):
        return False
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError):
        return False
    return (arr.ndim == 1 and arr.shape[0] > 0
            and (arr.dtype.kind in "US"
                 or (arr.dtype.kind == "O" and isinstance(arr[0], (str, bytes)))))


def _raw_text_error(X, owner, estimator, raw_ok, exc):
    """A ValueError saying what to do with text given as ``X``, or None."""
    if not _looks_like_documents(X):
        if "could not convert string" in str(exc):
            return ValueError(
                f"{owner} needs numeric features, but X holds strings ({exc}). "
                "Encode categorical columns (e.g. OneHotEncoder) and vectorize "
                "text columns before active learning; raw documents (a 1-d "
                "list of str) can be passed to UncertaintySampling, "
                "QueryByCommittee or RandomSampling whose estimator is a "
                "Pipeline starting with a text vectorizer, e.g. "
                "make_pipeline(TfidfVectorizer(), LogisticRegression())."
            )
        return None
    name = type(estimator).__name__
    if _reads_raw_text(estimator) and not raw_ok:
        return ValueError(
            f"X is a 1-d array of str (raw documents), but {owner} computes on "
            "numeric feature vectors (distances, densities or gradients), so "
            f"it cannot pass them through to estimator={name}. Vectorize the "
            "documents first (X = TfidfVectorizer().fit_transform(docs)) and "
            "use the classifier alone as the estimator, or use a strategy that "
            "only needs the classifier's predictions: UncertaintySampling, "
            "QueryByCommittee or RandomSampling."
        )
    return ValueError(
        f"X is a 1-d array of str (raw documents), but estimator={name} needs "
        "numeric features. Put a vectorizer in front of the classifier, e.g. "
        "make_pipeline(TfidfVectorizer(), LogisticRegression()): "
        "UncertaintySampling, QueryByCommittee and RandomSampling then pass "
        "the documents to it as they are."
    )


def _validate_input(obj, X, y="no_validation", *, estimator, raw_ok, owner=None,
                    reset=True, **kwargs):
    """``validate_data`` for a strategy or learner, with raw-text support.

    Raw documents are kept as a 1-d array when ``raw_ok`` (the caller only
    hands ``X`` to ``estimator``) and ``estimator`` reads raw text; otherwise
    ``X`` must be numeric, and text gets an error that says what to do,
    naming ``owner`` (default: ``obj``'s class) as the one that needs it.
    """
    raw = raw_ok and _reads_raw_text(estimator)
    if raw:
        # The vectorizer validates the documents; features are not numbers.
        kwargs.update(ensure_2d=False, dtype=None)
    try:
        return validate_data(obj, X, y, reset=reset, **kwargs)
    except ValueError as exc:
        owner = type(obj).__name__ if owner is None else owner
        error = None if raw else _raw_text_error(X, owner, estimator, raw_ok, exc)
        if error is None:
            raise
        raise error from exc


def _selects_columns_by_name(estimator):
    """Whether a ColumnTransformer in ``estimator`` picks columns by name or dtype."""
    from sklearn.compose import ColumnTransformer

    if isinstance(estimator, Pipeline):
        return any(_selects_columns_by_name(step) for _, step in estimator.steps)
    if isinstance(estimator, ColumnTransformer):
        for _, transformer, columns in estimator.transformers:
            if (isinstance(columns, str) or callable(columns) or (
                    not hasattr(columns, "dtype") and isinstance(columns, list)
                    and any(isinstance(c, str) for c in columns))
                    or getattr(columns, "dtype", None) is not None
                    and columns.dtype.kind in "OUS"):
                return True
            if _selects_columns_by_name(transformer):
                return True
    return False


def _check_no_column_names_needed(estimator, owner):
    """Refuse at fit what would fail at the first query.

    A strategy scores the pool as the NumPy array validation made of it, so
    a ColumnTransformer that selects columns by name (or by dtype, through
    ``make_column_selector``) cannot run there.
    """
    if _selects_columns_by_name(estimator):
        raise ValueError(
            f"{owner} scores the pool as a NumPy array, but estimator selects "
            "DataFrame columns by name or dtype (a ColumnTransformer). Select "
            "them by position instead, e.g. make_column_transformer("
            "(StandardScaler(), [0, 2])), or use RandomSampling."
        )


def _takes_dataframes(estimator):
    """Whether ``estimator`` is fitted on DataFrames when the user gave one.

    scikit-learn estimators record the column names; skorch networks read a
    DataFrame as a dict of columns (one module input each), so they keep
    getting arrays.
    """
    estimator = _first_step(estimator)
    return not any(cls.__module__.split(".")[0] == "skorch"
                   for cls in type(estimator).__mro__)


def _with_feature_names(X, feature_names):
    """``X`` as a DataFrame with columns ``feature_names``, if there are any.

    Validation turns a DataFrame into an array; the wrapped classifier is
    given the column names back, so it is fitted as the user would fit it
    (``feature_names_in_``) and accepts the user's DataFrames afterwards.
    """
    if feature_names is None or getattr(X, "ndim", 2) != 2:
        return X
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - names come from a DataFrame
        return X
    if isinstance(X, pd.DataFrame):
        return X
    if sp.issparse(X):
        return pd.DataFrame.sparse.from_spmatrix(X, columns=feature_names)
    return pd.DataFrame(X, columns=feature_names, copy=False)


def _input_for(estimator, X):
    """``X`` as ``estimator`` takes it: with its column names, or as an array.

    A classifier fitted with column names gets them on an array too (no
    feature-name warning); a skorch network, which reads a DataFrame as a
    dict of inputs, gets a DataFrame as an array.
    """
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        return _with_feature_names(X, names)
    if hasattr(X, "iloc") and not _takes_dataframes(estimator):
        return X.to_numpy()
    return X


def _object_labels_error(y, name):
    kinds = sorted({type(v).__name__ for v in np.asarray(y, dtype=object).ravel()})
    # scikit-learn's prefix, which its estimator checks look for.
    prefix = "Unknown label type: unknown. "
    if len(kinds) == 1:
        return ValueError(
            f"{prefix}{name} is an object array of {kinds[0]} values; convert "
            f"it to numbers or strings, e.g. {name}.astype(int) or "
            f"{name}.astype(str)."
        )
    return ValueError(
        f"{prefix}{name} mixes label types {kinds}; every label must be a number or "
        "every label a string. None or NaN is not a class: drop those "
        "samples, or let ActiveLearner treat them as unlabeled with "
        "missing_label=np.nan."
    )


def check_classification_labels(y, name="y", *, full_target=False):
    """Check that ``y`` holds class labels, with errors that name the fix.

    :func:`sklearn.utils.multiclass.check_classification_targets` with
    clearer messages for what reaches it by mistake: regression targets
    and labels of mixed types such as ``None`` among strings.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    name : str, default="y"
        Name of ``y`` in the messages.
    full_target : bool, default=False
        Whether ``y`` labels a whole data set. Float labels that are whole
        numbers with more distinct values than half the samples (over 20)
        are then refused as a regression target, where scikit-learn only
        warns. A labeled subset is not judged so: one sample per class is
        what a stratified initial set holds.

    Raises
    ------
    ValueError
        If ``y`` is a regression target or mixes label types.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.base import check_classification_labels
    >>> check_classification_labels(np.array(["cat", "dog"]))
    >>> check_classification_labels(np.array([0.5, 1.7, 2.2]))
    Traceback (most recent call last):
    ...
    ValueError: Unknown label type: continuous. y holds real values...
    """
    try:
        y_type = type_of_target(y, input_name=name)
    except TypeError as exc:
        # np.unique sorts the labels; values of different types do not sort.
        raise _object_labels_error(y, name) from exc
    if y_type == "unknown" and np.asarray(y).dtype.kind == "O":
        # Objects that are not all strings, e.g. ints among strings.
        raise _object_labels_error(y, name)
    if y_type.startswith("continuous"):
        raise ValueError(
            f"Unknown label type: {y_type}. {name} holds real values that are "
            "not whole numbers, i.e. a regression target, but active learning "
            "here needs class labels. Bin the target into classes (e.g. "
            "np.digitize) or, if the values are class ids stored as floats, "
            "cast them: y.astype(int)."
        )
    y_arr = np.asarray(y)
    n = y_arr.shape[0] if y_arr.ndim else 0
    if (full_target and y_type == "multiclass" and y_arr.dtype.kind == "f"
            and n > 20 and np.unique(y_arr).shape[0] > round(0.5 * n)):
        # scikit-learn only warns here; float labels this spread out are
        # almost always a regression target.
        raise ValueError(
            f"{name} holds floats with {np.unique(y_arr).shape[0]} distinct "
            f"values in {n} samples: it looks like a regression target, but "
            "active learning here needs class labels. If these are class ids, "
            "cast them to int (y.astype(int)); otherwise bin the target into "
            "classes (e.g. np.digitize)."
        )
    check_classification_targets(y)


def check_labeled_classes(y, owner="The strategy"):
    """Raise a clear error when fewer than two classes are labeled.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels of the labeled set.
    owner : str
        Who is complaining, for the message.

    Returns
    -------
    classes : ndarray
        The distinct labels.
    """
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{owner} needs at least two labeled classes, but y has a single "
            f"class {classes.tolist()}. Label at least one sample of another "
            "class (with a fully labeled y, ActiveLearner(initial='stratified') "
            "does this)."
        )
    return classes


class QueryStrategy(BaseEstimator):
    """Base class for pool-based query strategies.

    Subclasses implement ``_fit(X, y)`` (optional: extra state beyond the
    fitted classifier) and ``_query(X, batch_size, rng)``. The base class does
    the validation, the classifier fitting and the seeding.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier to wrap. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    refit : bool, default=True
        If False, ``estimator`` must already be fitted and is used as it is
        (``estimator_`` is then ``estimator`` itself, not a clone); ``fit``
        only records what the strategy needs from the labeled set. This lets
        a loop that has just trained a model query with it without training
        it again.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking and any sampling inside ``query``. With an int,
        ``query`` on the same pool is a pure function of the fitted state.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    """

    #: Methods the wrapped classifier must provide.
    _required_methods = ()
    #: Sparse formats accepted (False: dense only).
    _accept_sparse = ("csr", "csc")
    #: Whether the strategy computes on the features itself (distances,
    #: densities, ...). Strategies that only hand ``X`` to the classifier set
    #: it to False: they then pass raw documents through to a classifier
    #: that reads them, e.g. ``make_pipeline(TfidfVectorizer(), ...)``.
    _needs_features = True
    #: Whether the strategy calls the classifier on the pool (on the NumPy
    #: array validation made of it).
    _predicts_pool = True
    #: Whether ``_query`` reads the pool's rows; False when it needs only
    #: their number (random sampling), so an out-of-core pool is never read.
    _reads_pool = True

    def __init__(self, estimator=None, *, refit=True, random_state=None):
        self.estimator = estimator
        self.refit = refit
        self.random_state = random_state

    # -- validation -----------------------------------------------------
    def _validate_X(self, X, reset):
        return _validate_input(
            self,
            X,
            estimator=self._input_estimator(),
            raw_ok=not self._needs_features,
            reset=reset,
            accept_sparse=self._accept_sparse,
            ensure_min_samples=1,
        )

    def _validate_fit_data(self, X, y):
        X, y = _validate_input(
            self,
            X,
            y,
            estimator=self._input_estimator(),
            raw_ok=not self._needs_features,
            accept_sparse=self._accept_sparse,
            ensure_min_samples=1,
            y_numeric=False,
        )
        check_classification_labels(y)
        return X, y

    def _out_of_core_query(self):
        """How ``query`` takes an out-of-core pool (dask array, memmap, zarr).

        Returns
        -------
        mode : {"size", "blockwise"} or None
            ``"size"``: only the pool's number of rows is used;
            ``"blockwise"``: the pool is scored block by block and the batch
            taken from the merged per-block top-k (:class:`ScoreQueryMixin`);
            None: the strategy needs the whole pool in memory.
        """
        return None if self._reads_pool else "size"

    def _check_lazy_pool(self, X_pool, reads=True):
        """Rows of an out-of-core pool, its shape checked without reading it."""
        check_is_fitted(self)
        n_pool, _ = check_out_of_core(
            X_pool, "X_pool", ensure_min_samples=0,
            n_features=getattr(self, "n_features_in_", None))
        if n_pool == 0:
            raise ValueError(
                "X_pool is empty: there is nothing left to query. "
                "Pass at least one unlabeled sample."
            )
        if reads and getattr(self, "feature_names_in_", None) is not None:
            warnings.warn(
                f"{_NO_NAMES}, but {type(self).__name__} was fitted with "
                f"feature names: X_pool is a {describe(X_pool)}, whose columns "
                "are taken in the order of fit's DataFrame.", UserWarning,
                stacklevel=3)
        return n_pool

    def _query_pool_size(self, n_pool, batch_size):
        """``query`` of a strategy that needs the pool's size only."""
        batch_size = check_batch_size(batch_size, n_pool)
        rng = query_rng(self._query_seed, n_pool)
        # A (n_pool, 0) array holds no data: _query reads its length only.
        indices = self._query(np.empty((n_pool, 0)), batch_size, rng)
        return np.asarray(indices, dtype=np.intp)

    def _validate_pool(self, X_pool):
        check_is_fitted(self)
        if X_pool is None or _num_samples(X_pool) == 0:
            raise ValueError(
                "X_pool is empty: there is nothing left to query. "
                "Pass at least one unlabeled sample."
            )
        return self._validate_X(X_pool, reset=False)

    @contextmanager
    def _validated_input(self, assume_finite=True):
        """Context for the strategy's own work on input it has validated.

        ``validate_data`` has checked the input for NaN/inf and its feature
        names against those seen in ``fit``: the classifier need not scan it
        again, nor warn that the NumPy array the strategy computes on lacks
        the DataFrame column names it was fitted with.
        """
        with config_context(assume_finite=assume_finite):
            if getattr(self, "feature_names_in_", None) is None:
                yield
                return
            # Only this message is filtered (catch_warnings is process-wide
            # before Python 3.14, so other threads may briefly share it).
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", message="X does not have valid feature names",
                    category=UserWarning)
                yield

    def _get_estimator(self):
        return default_estimator() if self.estimator is None else self.estimator

    def _input_estimator(self):
        """The classifier whose input decides how ``X`` is validated.

        Raw documents pass through only if it reads them; strategies that
        hand ``X`` to other models too return the first that does not.
        """
        return self._get_estimator()

    def _check_estimator_methods(self, estimator):
        for method in self._required_methods:
            _check_has_method(
                estimator,
                method,
                type(self).__name__,
                " Use a probabilistic classifier, e.g. SVC(probability=True) "
                "or CalibratedClassifierCV(estimator)."
                if method == "predict_proba"
                else "",
            )

    # -- fitting ------------------------------------------------------------
    def fit(self, X, y):
        """Fit the strategy on the labeled set.

        Parameters
        ----------
        X : array-like of shape (n_labeled, n_features)
            Labeled samples. With a DataFrame, the classifier is fitted on a
            DataFrame with the same columns (its ``feature_names_in_``).
            Strategies that only need the classifier's predictions also take
            raw documents (a list of str) when the classifier reads them,
            e.g. ``make_pipeline(TfidfVectorizer(), LogisticRegression())``.
        y : array-like of shape (n_labeled,)
            Their labels; at least two classes.

        Returns
        -------
        self : object
            The fitted strategy.
        """
        estimator = self._get_estimator()
        # Before the data checks: a regressor otherwise fails on a missing
        # classes_ or predict_proba far from the cause.
        _check_classifier(estimator, type(self).__name__)
        X, y = self._validate_fit_data(X, y)
        if self._predicts_pool and getattr(self, "feature_names_in_", None) is not None:
            _check_no_column_names_needed(estimator, type(self).__name__)
        self.classes_ = check_labeled_classes(y, type(self).__name__)
        if not isinstance(self.refit, (bool, np.bool_)):
            raise TypeError(f"refit must be a bool, got {self.refit!r}.")
        self._check_estimator_methods(estimator)
        seed_source = check_random_state(self.random_state)
        self._query_seed = int(seed_source.randint(np.iinfo(np.int32).max))
        if self.refit:
            estimator = clone(estimator)
            if self.random_state is not None:
                # A seeded strategy seeds the classifier it trains too.
                seed_random_states(estimator, seed_source)
            X_est = X
            if _takes_dataframes(estimator):
                X_est = _with_feature_names(
                    X, getattr(self, "feature_names_in_", None))
            self.estimator_ = estimator.fit(X_est, y)
        else:
            try:
                check_is_fitted(estimator)
            except NotFittedError as exc:
                raise ValueError(
                    "refit=False needs an already fitted estimator; fit it "
                    "first or use refit=True. Note that clone() (used by "
                    "GridSearchCV and ActiveLearner) discards the fitted state; "
                    "sklearn.frozen.FrozenEstimator keeps it."
                ) from exc
            self.estimator_ = estimator
        # Only the feature-name warning is silenced: _fit hooks may train
        # models on data of their own, which keeps its finiteness checks.
        with self._validated_input(assume_finite=False):
            self._fit(X, y)
        return self

    def _fit(self, X, y):
        """Hook for strategy-specific state; called after the classifier fit."""

    # -- querying -----------------------------------------------------------
    def query(self, X_pool, batch_size=1):
        """Select samples of the pool to label next.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            Unlabeled candidates. Strategies that need only the pool's size
            (:class:`~skactive.RandomSampling`) never read an out-of-core
            pool (a dask array, :class:`numpy.memmap` or zarr array);
            those that need the whole pool in memory load it.
        batch_size : int, default=1
            Number of samples to select, at most ``n_pool``.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool``, most preferred first.
        """
        if self._out_of_core_query() == "size" and _lazy_pool(X_pool):
            return self._query_pool_size(
                self._check_lazy_pool(X_pool, reads=False), batch_size)
        X_pool = self._validate_pool(X_pool)
        batch_size = check_batch_size(batch_size, X_pool.shape[0])
        rng = query_rng(self._query_seed, X_pool.shape[0])
        with self._validated_input():
            indices = self._query(X_pool, batch_size, rng)
        return np.asarray(indices, dtype=np.intp)

    def _query(self, X_pool, batch_size, rng):
        raise NotImplementedError  # pragma: no cover - abstract

    def _query_candidates(self, X, candidates, batch_size):
        """``candidates[query(X[candidates])]``: what the loop calls each round.

        Strategies that can score rows of ``X`` in place override this to
        avoid copying the pool out of ``X`` every round; the result must be
        the same as the copying default. ``X`` may be a DataFrame: its rows
        are taken by position.
        """
        if self._out_of_core_query() == "size" and _lazy_pool(X):
            self._check_lazy_pool(X, reads=False)
            return candidates[self._query_pool_size(candidates.shape[0], batch_size)]
        X_pool = _safe_indexing(X, candidates)
        return candidates[self.query(X_pool, batch_size=batch_size)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = bool(self._accept_sparse)
        return tags


def _as_numpy(scores):
    """Scores as a NumPy array (strategies may compute them as torch tensors)."""
    if hasattr(scores, "detach"):
        return scores.detach().cpu().numpy()
    return np.asarray(scores)


def _is_dask_array(X):
    return type(X).__module__.startswith("dask.") and hasattr(X, "map_blocks")


def _lazy_pool(X):
    """Whether ``X`` is a 2-d out-of-core array (dask, memmap, zarr)."""
    return is_out_of_core(X) and len(getattr(X, "shape", ())) == 2


_NO_NAMES = "X does not have valid feature names"


def _validate_block(strategy, block):
    """A block of an out-of-core pool, checked as ``query`` checks a pool.

    Lazy arrays have no column names: a strategy fitted on a DataFrame says
    so once per query (:meth:`QueryStrategy._check_lazy_pool`), not once
    per block, nor on every worker of a cluster.
    """
    if getattr(strategy, "feature_names_in_", None) is None:
        # Nothing to silence: no catch_warnings, which is process-wide
        # before Python 3.14 and blocks run on several threads.
        return strategy._validate_X(block, reset=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NO_NAMES, category=UserWarning)
        return strategy._validate_X(block, reset=False)


def _score_rows(strategy, block, start, mask, k):
    """Scores of the rows of one block of the pool, as ``(rows, scores)``.

    ``block`` holds rows ``start:start + len(block)`` of the pool; ``mask``
    (or None: all) marks those that are candidates. With ``k``, only the
    candidates that can be in a top ``k`` are kept (every tie included) and
    the scores are those :func:`~skactive.utils.top_k` compares; without,
    every candidate's raw score is returned. ``rows`` are increasing.
    """
    if block.shape[0] == 0:  # a filtered dask array's empty chunk
        return np.empty(0, dtype=np.intp), np.empty(0)
    if mask is None:
        local = None
    else:
        local = np.flatnonzero(mask)
        if local.shape[0] == 0:
            return np.empty(0, dtype=np.intp), np.empty(0)
        if 2 * local.shape[0] < block.shape[0]:
            # Few candidates here: score their rows only.
            block, mask = block[local], None
    block = _validate_block(strategy, block)
    with strategy._validated_input():
        scores = _as_numpy(strategy._score(block))
    if mask is not None:
        scores = scores[local]
    rows = start + (np.arange(scores.shape[0], dtype=np.intp) if local is None
                    else local)
    if k is None:
        return rows, scores
    scores = _selection_scores(scores)
    keep = _top_candidates(scores, k)
    return rows[keep], scores[keep]


def _merge_rows(parts, k):
    """Concatenate ``(rows, scores)`` of consecutive blocks; prune to a top ``k``."""
    parts = [p for p in parts if p[0].shape[0]] or parts[:1]
    if len(parts) == 1:
        return parts[0]
    rows = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    if k is not None:
        keep = _top_candidates(scores, k)
        rows, scores = rows[keep], scores[keep]
    return rows, scores


#: Blocks (then partial results) merged per node of the tree reduction.
_SPLIT_EVERY = 8


class ScoreQueryMixin:
    """Mixin for strategies that rank the pool by a per-sample utility.

    Subclasses implement ``_score(X_pool)``; ``query`` takes its top
    ``batch_size`` with seeded tie-breaking and ``score_samples`` exposes it.

    An out-of-core pool (a :mod:`dask.array` array, a :class:`numpy.memmap`,
    a zarr array) is scored block by block: a dask array's row chunks (on
    whatever scheduler is active, ``dask.distributed`` included), other
    arrays in blocks of scikit-learn's ``working_memory``. Each block keeps
    only its rows that can be in the batch (those scoring at least its
    ``batch_size``-th best, every tie included) and a tree reduction merges
    them, so only one block of features and ``O(batch_size)`` scores per
    block are in memory. The batch, its seeded tie-breaking included, is the
    one the same pool in memory gives for the same scores; a classifier may
    round a row's score differently in its last bit in another block (BLAS
    kernels treat a block's tail rows apart), which can only swap two
    candidates whose scores agree to rounding. Strategies whose score
    depends on the whole pool set ``_blockwise_scores = False`` and
    materialise the pool.
    """

    _blockwise_scores = True

    def _out_of_core_query(self):
        # query is the top of per-row scores only if neither _query (a
        # greedy batch) nor _query_candidates is the strategy's own.
        cls = type(self)
        if (self._blockwise_scores and cls._query is ScoreQueryMixin._query
                and cls._query_candidates is ScoreQueryMixin._query_candidates):
            return "blockwise"
        return super()._out_of_core_query()

    def _score_dask(self, X_pool):
        check_is_fitted(self)

        def score_block(block):
            if block.shape[0] == 0:
                return np.empty(0)
            block = _validate_block(self, block)
            with self._validated_input():
                return _as_numpy(self._score(block))

        return compute_blockwise(score_block, X_pool)

    def _blockwise(self, X, mask, k):
        """``(rows, scores)`` of the candidate rows (``mask``; None: all) of ``X``.

        Blocks of ``X`` are scored one at a time (in parallel on a dask
        scheduler) and merged by a tree reduction; with ``k`` each block and
        each merge keeps only what can be in a top ``k`` (ties included).
        """
        if _is_dask(X):
            return self._blockwise_dask(X, mask, k)
        row_bytes = 8 * (int(X.shape[1]) + 2 * len(self.classes_) + 2)
        found = None
        for start, stop in row_blocks(X, row_bytes):
            part = _score_rows(self, read_block(X, start, stop), start,
                               None if mask is None else mask[start:stop], k)
            found = part if found is None else _merge_rows([found, part], k)
        return found

    def _blockwise_dask(self, X, mask, k):
        import dask

        X = X.rechunk({1: -1})
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(int)
        # One graph node holds the fitted strategy: a distributed scheduler
        # ships it once, not once per block.
        strategy = dask.delayed(self, traverse=False)
        score = dask.delayed(_score_rows)
        parts = [
            score(strategy, block, int(start), None if mask is None
                  else mask[start:start + size], k)
            for block, start, size in zip(X.to_delayed().ravel(), starts,
                                          X.chunks[0])
        ]
        merge = dask.delayed(_merge_rows)
        while len(parts) > 1:
            parts = [merge(parts[i:i + _SPLIT_EVERY], k)
                     for i in range(0, len(parts), _SPLIT_EVERY)]
        return parts[0].compute()

    def _query_out_of_core(self, X, batch_size, candidates=None):
        """The batch from an out-of-core ``X`` (``X[candidates]``), as rows of ``X``."""
        n_rows = self._check_lazy_pool(X)
        n_pool = n_rows if candidates is None else candidates.shape[0]
        batch_size = check_batch_size(batch_size, n_pool)
        rng = query_rng(self._query_seed, n_pool)
        mask = None
        if candidates is not None:
            mask = np.zeros(n_rows, dtype=bool)
            mask[candidates] = True
        top_only = type(self)._select is ScoreQueryMixin._select
        rows, scores = self._blockwise(X, mask, batch_size if top_only else None)
        if candidates is not None and not (candidates[1:] > candidates[:-1]).all():
            # Selection runs in the candidates' order, as on X[candidates]
            # (rows come back in increasing order, which the loop's are).
            order = np.argsort(candidates, kind="stable")
            pos = order[np.searchsorted(candidates[order], rows)]
            by_pos = np.argsort(pos, kind="stable")
            rows, scores = rows[by_pos], scores[by_pos]
        if top_only:
            picked = _top_k_of(scores, batch_size, rng, n_pool)
        else:
            # A batch from every score (e.g. stochastic sampling): all
            # n_pool scores come back, not only the block tops.
            picked = self._select(scores, batch_size, rng)
        return np.asarray(rows[np.asarray(picked)], dtype=np.intp)

    def score_samples(self, X_pool):
        """Utility of each pool sample; higher means query first.

        Parameters
        ----------
        X_pool : array-like, dask array, numpy.memmap or zarr array of shape \
                (n_pool, n_features)
            Pool samples. An out-of-core pool is scored block by block;
            only the scores are gathered.

        Returns
        -------
        scores : ndarray of shape (n_pool,)
        """
        if _is_dask_array(X_pool) and self._blockwise_scores:
            return self._score_dask(X_pool)
        if _lazy_pool(X_pool) and self._blockwise_scores:
            self._check_lazy_pool(X_pool)
            return self._blockwise(X_pool, None, None)[1]
        return _as_numpy(self._checked_score(X_pool))

    def _checked_score(self, X_pool):
        X_pool = self._validate_pool(X_pool)
        with self._validated_input():
            return self._score(X_pool)

    def query(self, X_pool, batch_size=1):
        """Select the ``batch_size`` pool samples of highest utility.

        Parameters
        ----------
        X_pool : array-like, dask array, numpy.memmap or zarr array of shape \
                (n_pool, n_features)
            Unlabeled candidates. An out-of-core pool is scored block by
            block (a dask array's row chunks, other arrays within
            scikit-learn's ``working_memory``) and never loaded whole; the
            batch is the one the same pool in memory gives.
        batch_size : int, default=1
            Number of samples to select, at most ``n_pool``.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool``, most preferred first.
        """
        if _lazy_pool(X_pool) and self._out_of_core_query() == "blockwise":
            return self._query_out_of_core(X_pool, batch_size)
        return super().query(X_pool, batch_size=batch_size)

    def _query_candidates(self, X, candidates, batch_size):
        if _lazy_pool(X) and self._out_of_core_query() == "blockwise":
            return self._query_out_of_core(X, batch_size, candidates)
        # Scoring all of X (a few labeled rows more) is cheaper than copying
        # the candidate rows out of it, as long as they are most of X.
        if (
            not self._blockwise_scores
            or _is_dask_array(X)
            or 2 * candidates.shape[0] < _num_samples(X)
        ):
            return super()._query_candidates(X, candidates, batch_size)
        batch_size = check_batch_size(batch_size, candidates.shape[0])
        scores = self._checked_score(X)[candidates]
        rng = query_rng(self._query_seed, candidates.shape[0])
        return candidates[self._select(scores, batch_size, rng)]

    def _query(self, X_pool, batch_size, rng):
        return self._select(self._score(X_pool), batch_size, rng)

    def _select(self, scores, batch_size, rng):
        """The batch from the utilities: the top ``batch_size`` by default."""
        return top_k(scores, batch_size, rng)


def _check_positive_int(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _check_n_jobs(n_jobs, owner):
    """joblib's ``n_jobs``: None or a non-zero integer (-1: every core)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(
            f"{owner}(n_jobs={n_jobs!r}): n_jobs must be None or an integer "
            "(-1 for every core or worker)."
        )
    if n_jobs == 0:
        raise ValueError(
            f"{owner}(n_jobs=0): n_jobs must not be 0; use None or 1 for one "
            "process, -1 for every core or worker."
        )
    return int(n_jobs)


def _check_option(value, name, options):
    if value not in options:
        raise ValueError(
            f"{name} must be one of {sorted(options)}, got {value!r}."
        )
    return value


def _clone_keeping(estimator, name, keep):
    """``clone(estimator)``, except that parameter ``name`` is passed through
    unchanged when ``keep(value)`` is true.

    Learned strategies hold learned data (a fitted regressor or policy) as a
    parameter; ``clone`` would return it unfitted, so every scikit-learn
    meta-tool would silently get an unusable copy (the semantics of
    ``sklearn.frozen.FrozenEstimator``). Every other parameter is cloned.
    """
    params = estimator.get_params(deep=False)
    value = params.pop(name)
    params = {k: clone(v, safe=False) for k, v in params.items()}
    if not keep(value):
        value = clone(value, safe=False)
    return type(estimator)(**{name: value}, **params)
