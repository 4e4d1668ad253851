"""Similarity-based strategies: diversity sampling and information density."""

import numbers

import numpy as np

from ..base import QueryStrategy, ScoreQueryMixin, _check_option, _check_positive_int
from ..utils import chunk_rows, embed, iter_chunks, query_rng
from ._uncertainty import UncertaintySampling

__all__ = ["DiversitySampling", "DensityWeighted", "similarity_to_set"]

_METRICS = ("cosine", "jaccard", "rbf")


def _as_dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)


def similarity_to_set(X, Y, metric="cosine", aggregate="mean", gamma=None,
                      chunk_size=None):
    """Aggregate similarity of each row of ``X`` to the rows of ``Y``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (m, d)
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        ``cosine``: ``(1 + cos)/2`` (mapped to [0, 1]); ``jaccard``: Jaccard
        coefficient of the non-zero patterns (unigram presence for text, as
        in the ALIL paper's diversity baseline); ``rbf``:
        ``exp(-gamma ‖x - y‖²)``.
    aggregate : {"mean", "max"}, default="mean"
        Average over ``Y`` (ranks as the sum does) or the nearest row's
        similarity.
    gamma : float or None, default=None
        RBF width; ``None`` means ``1 / n_features``.
    chunk_size : int or None
        Rows of ``X`` per block. The mean cosine similarity needs no block:
        it is ``x̂ · mean(ŷ)``, one matrix-vector product.

    Returns
    -------
    sim : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import similarity_to_set
    >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    >>> B = np.array([[1, 1, 1, 0]])
    >>> similarity_to_set(A, B, metric="jaccard")
    array([0.66666667, 0.25      ])
    """
    _check_option(metric, "metric", _METRICS)
    _check_option(aggregate, "aggregate", ("mean", "max"))
    X, Y = _as_dense(X), _as_dense(Y)
    n, m = X.shape[0], Y.shape[0]
    if m == 0:
        return np.zeros(n)
    if metric == "cosine":
        Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        Yn = Y / np.maximum(np.linalg.norm(Y, axis=1, keepdims=True), 1e-12)
        if aggregate == "mean":
            return 0.5 * (1.0 + Xn @ Yn.mean(axis=0))
    elif metric == "jaccard":
        Xb, Yb = (X != 0).astype(float), (Y != 0).astype(float)
        x_cnt, y_cnt = Xb.sum(axis=1), Yb.sum(axis=1)
    else:
        gamma = 1.0 / X.shape[1] if gamma is None else float(gamma)
        x2, y2 = np.einsum("ij,ij->i", X, X), np.einsum("ij,ij->i", Y, Y)
    out = np.empty(n)
    for sl in iter_chunks(n, chunk_rows(8 * m, n, chunk_size)):
        if metric == "cosine":
            S = 0.5 * (1.0 + Xn[sl] @ Yn.T)
        elif metric == "jaccard":
            inter = Xb[sl] @ Yb.T
            union = x_cnt[sl, None] + y_cnt[None, :] - inter
            S = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        else:
            d2 = np.maximum(x2[sl, None] + y2[None, :] - 2.0 * (X[sl] @ Y.T), 0.0)
            S = np.exp(-gamma * d2)
        out[sl] = S.mean(axis=1) if aggregate == "mean" else S.max(axis=1)
    return out


def _check_gamma(gamma):
    if gamma is not None and (not isinstance(gamma, numbers.Real) or gamma <= 0):
        raise ValueError(f"gamma must be a positive float or None, got {gamma!r}.")


class DiversitySampling(ScoreQueryMixin, QueryStrategy):
    """Query the samples least similar to the labeled set.

    The utility is minus the aggregate similarity to the labeled samples,
    so the query is ``argmin_x sum_{x' in L} sim(x, x')``. With
    ``metric="jaccard"`` on binary or token-count features this is the
    diversity baseline of Liu et al. (2018). The labeled set grows inside a
    batch: each pick is added to the reference set before the next one, so a
    batch does not collapse onto one far-away region.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier trained on the labeled set (predictions and, with
        ``embedding="auto"``, the representation). ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        Similarity, see :func:`similarity_to_set`.
    aggregate : {"mean", "max"}, default="mean"
        ``"mean"`` ranks as ALIL's sum; ``"max"`` is the nearest neighbour.
    embedding : {"input", "auto"}, default="input"
        Features to compare: the raw input or :func:`skactive.utils.embed`.
    gamma : float or None, default=None
        Width of the ``rbf`` similarity.
    chunk_size : int or None, default=None
        Pool rows per block.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    X_labeled_embedding_ : ndarray of shape (n_labeled, n_dims)
        The labeled set in the compared space.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] M. Liu, W. Buntine, G. Haffari, "Learning How to Actively Learn:
       A Deep Imitation Learning Approach", ACL 2018 (diversity baseline).

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import DiversitySampling
    >>> X_lab = np.array([[1, 1, 0, 0], [1, 0, 1, 0]]); y_lab = np.array([0, 1])
    >>> X_pool = np.array([[1, 1, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]])
    >>> s = DiversitySampling(metric="jaccard").fit(X_lab, y_lab)
    >>> s.query(X_pool, batch_size=1)
    array([1])
    """

    def __init__(self, estimator=None, *, metric="cosine", aggregate="mean",
                 embedding="input", gamma=None, chunk_size=None, refit=True,
                 random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.metric = metric
        self.aggregate = aggregate
        self.embedding = embedding
        self.gamma = gamma
        self.chunk_size = chunk_size

    def _embed(self, X):
        _check_option(self.embedding, "embedding", ("input", "auto"))
        return embed(self.estimator_ if self.embedding == "auto" else None, X)

    def _fit(self, X, y):
        _check_option(self.metric, "metric", _METRICS)
        _check_option(self.aggregate, "aggregate", ("mean", "max"))
        _check_gamma(self.gamma)
        self.X_labeled_embedding_ = self._embed(X)

    def _similarity(self, E, ref):
        return similarity_to_set(E, ref, self.metric, self.aggregate, self.gamma,
                                 self.chunk_size)

    def _score(self, X_pool):
        return -self._similarity(self._embed(X_pool), self.X_labeled_embedding_)

    def _query(self, X_pool, batch_size, rng):
        E = self._embed(X_pool)
        ref = self.X_labeled_embedding_
        m = ref.shape[0]
        sim = self._similarity(E, ref)
        chosen = np.empty(batch_size, dtype=np.intp)
        mask = np.zeros(E.shape[0], dtype=bool)
        for t in range(batch_size):
            scores = np.where(mask, -np.inf, -sim)
            best = np.flatnonzero(scores == scores.max())
            i = int(best[0] if best.shape[0] == 1 else rng.choice(best))
            chosen[t], mask[i] = i, True
            # Incremental update of the aggregate with the new reference row.
            s_new = self._similarity(E, E[i : i + 1])
            if self.aggregate == "mean":
                sim = (sim * m + s_new) / (m + 1)
            else:
                sim = np.maximum(sim, s_new)
            m += 1
        return chosen


class DensityWeighted(UncertaintySampling):
    """Information density: uncertainty weighted by representativeness.

    The utility is ``u(x) · density(x)^beta`` (Settles & Craven 2008), where
    ``u`` is an uncertainty measure of the classifier and ``density`` the
    mean similarity of ``x`` to the pool, so outliers that are uncertain only
    because they are far from everything rank lower. ``margin`` is shifted
    to ``1 - (p_(1) - p_(2))`` so the product stays non-negative.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba``. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure.
    beta : float, default=1.0
        Weight of the density term; 0 gives plain uncertainty sampling.
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        Similarity. The mean cosine similarity costs one pass over the pool;
        ``jaccard`` and ``rbf`` compare against at most ``max_reference``
        pool samples, in chunks.
    gamma : float or None, default=None
        Width of the ``rbf`` similarity.
    max_reference : int, default=2000
        Pool samples the density is measured against (a seeded subsample
        when the pool is larger) for the quadratic metrics.
    chunk_size : int or None, default=None
        Pool rows per block.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking and the reference subsample.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    The density is relative to the pool passed to ``query`` /
    ``score_samples``, so scores of a subset of the pool differ from the
    scores of the same samples inside the whole pool.

    References
    ----------
    .. [1] B. Settles, M. Craven, "An Analysis of Active Learning Strategies
       for Sequence Labeling Tasks", EMNLP 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import DensityWeighted
    >>> X_lab, y_lab = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([0, 1])
    >>> X_pool = np.array([[0.0, 1.0], [0.0, 1.1], [0.05, -5.0]])
    >>> s = DensityWeighted(metric="rbf", gamma=1.0).fit(X_lab, y_lab)
    >>> int(s.query(X_pool)[0]) in (0, 1)
    True
    """

    # The density is relative to the whole pool: no block-wise dask scoring.
    _blockwise_scores = False

    def __init__(self, estimator=None, *, measure="entropy", beta=1.0,
                 metric="cosine", gamma=None, max_reference=2000, chunk_size=None,
                 refit=True, random_state=None):
        QueryStrategy.__init__(self, estimator, refit=refit, random_state=random_state)
        self.measure = measure
        self.chunk_size = chunk_size
        self.beta = beta
        self.metric = metric
        self.gamma = gamma
        self.max_reference = max_reference

    def _resolve_response_method(self, estimator):
        _check_option(
            self.measure, "measure", ("entropy", "least_confidence", "margin")
        )
        return "predict_proba"

    def _fit(self, X, y):
        _check_option(self.metric, "metric", _METRICS)
        _check_gamma(self.gamma)
        if not isinstance(self.beta, numbers.Real) or self.beta < 0:
            raise ValueError(f"beta must be a non-negative float, got {self.beta!r}.")
        _check_positive_int(self.max_reference, "max_reference")

    def _score(self, X_pool):
        util = super()._score(X_pool)
        if self.measure == "margin":
            util = 1.0 + util
        E = _as_dense(X_pool)
        ref = E
        if self.metric != "cosine" and E.shape[0] > self.max_reference:
            rng = query_rng(self._query_seed, E.shape[0])
            ref = E[rng.choice(E.shape[0], self.max_reference, replace=False)]
        density = similarity_to_set(E, ref, self.metric, "mean", self.gamma,
                                    self.chunk_size)
        return util * np.power(np.maximum(density, 0.0), self.beta)
