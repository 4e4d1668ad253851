"""Base classes and shared validation for query strategies.

A query strategy is a scikit-learn estimator: ``fit(X_labeled, y_labeled)``
learns what the strategy needs (usually a clone of the wrapped classifier),
``query(X_pool, batch_size)`` returns distinct pool indices ordered by
preference and, where a per-sample utility exists, ``score_samples(X_pool)``
returns it (higher means query first).
"""

import numbers

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from .utils import check_batch_size, query_rng, seed_random_states, top_k

__all__ = ["QueryStrategy", "ScoreQueryMixin", "default_estimator"]


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

    def __init__(self, estimator=None, *, refit=True, random_state=None):
        self.estimator = estimator
        self.refit = refit
        self.random_state = random_state

    # -- validation -----------------------------------------------------
    def _validate_X(self, X, reset):
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=self._accept_sparse,
            ensure_min_samples=1,
        )

    def _validate_fit_data(self, X, y):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=self._accept_sparse,
            ensure_min_samples=1,
            y_numeric=False,
        )
        check_classification_targets(y)
        return X, y

    def _validate_pool(self, X_pool):
        check_is_fitted(self)
        if X_pool is None or _num_samples(X_pool) == 0:
            raise ValueError(
                "X_pool is empty: there is nothing left to query. "
                "Pass at least one unlabeled sample."
            )
        return self._validate_X(X_pool, reset=False)

    def _get_estimator(self):
        return default_estimator() if self.estimator is None else self.estimator

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
            Labeled samples.
        y : array-like of shape (n_labeled,)
            Their labels; at least two classes.

        Returns
        -------
        self : object
            The fitted strategy.
        """
        X, y = self._validate_fit_data(X, y)
        self.classes_ = check_labeled_classes(y, type(self).__name__)
        if not isinstance(self.refit, (bool, np.bool_)):
            raise TypeError(f"refit must be a bool, got {self.refit!r}.")
        estimator = self._get_estimator()
        self._check_estimator_methods(estimator)
        seed_source = check_random_state(self.random_state)
        self._query_seed = int(seed_source.randint(np.iinfo(np.int32).max))
        if self.refit:
            estimator = clone(estimator)
            if self.random_state is not None:
                # A seeded strategy seeds the classifier it trains too.
                seed_random_states(estimator, seed_source)
            self.estimator_ = estimator.fit(X, y)
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
            Unlabeled candidates.
        batch_size : int, default=1
            Number of samples to select, at most ``n_pool``.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool``, most preferred first.
        """
        X_pool = self._validate_pool(X_pool)
        batch_size = check_batch_size(batch_size, X_pool.shape[0])
        rng = query_rng(self._query_seed, X_pool.shape[0])
        # The pool was checked for NaN/inf above; the classifier's own
        # validation need not scan it again.
        with config_context(assume_finite=True):
            indices = self._query(X_pool, batch_size, rng)
        return np.asarray(indices, dtype=np.intp)

    def _query(self, X_pool, batch_size, rng):
        raise NotImplementedError  # pragma: no cover - abstract

    def _query_candidates(self, X, candidates, batch_size):
        """``candidates[query(X[candidates])]``: what the loop calls each round.

        Strategies that can score rows of ``X`` in place override this to
        avoid copying the pool out of ``X`` every round; the result must be
        the same as the copying default.
        """
        return candidates[self.query(X[candidates], batch_size=batch_size)]

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


class ScoreQueryMixin:
    """Mixin for strategies that rank the pool by a per-sample utility.

    Subclasses implement ``_score(X_pool)``; ``query`` takes its top
    ``batch_size`` with seeded tie-breaking and ``score_samples`` exposes it.

    A :mod:`dask.array` pool is scored block by block (``map_blocks`` over
    row chunks), so only one block of features is in memory at a time and
    only the score vector is gathered. Strategies whose score depends on the
    whole pool set ``_blockwise_scores = False`` and materialise the pool.
    """

    _blockwise_scores = True

    def _score_dask(self, X_pool):
        check_is_fitted(self)
        X_pool = X_pool.rechunk({1: -1})

        def score_block(block):
            block = self._validate_X(block, reset=False)
            with config_context(assume_finite=True):
                return _as_numpy(self._score(block))

        return X_pool.map_blocks(score_block, drop_axis=1, dtype=float).compute()

    def score_samples(self, X_pool):
        """Utility of each pool sample; higher means query first.

        Parameters
        ----------
        X_pool : array-like or dask array of shape (n_pool, n_features)

        Returns
        -------
        scores : ndarray of shape (n_pool,)
        """
        if _is_dask_array(X_pool) and self._blockwise_scores:
            return self._score_dask(X_pool)
        return _as_numpy(self._checked_score(X_pool))

    def _checked_score(self, X_pool):
        X_pool = self._validate_pool(X_pool)
        # Checked for NaN/inf once here; the classifier need not rescan.
        with config_context(assume_finite=True):
            return self._score(X_pool)

    def query(self, X_pool, batch_size=1):
        """Select the ``batch_size`` pool samples of highest utility.

        Parameters
        ----------
        X_pool : array-like or dask array of shape (n_pool, n_features)
            Unlabeled candidates.
        batch_size : int, default=1
            Number of samples to select, at most ``n_pool``.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool``, most preferred first.
        """
        if _is_dask_array(X_pool) and self._blockwise_scores:
            check_is_fitted(self)
            n_pool = int(X_pool.shape[0])
            batch_size = check_batch_size(batch_size, n_pool)
            scores = self._score_dask(X_pool)
            return self._select(scores, batch_size, query_rng(self._query_seed, n_pool))
        return super().query(X_pool, batch_size=batch_size)

    def _query_candidates(self, X, candidates, batch_size):
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
