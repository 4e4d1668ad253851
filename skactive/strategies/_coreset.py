"""CoreSet: greedy k-center selection in an embedding space."""

import numpy as np

from ..base import QueryStrategy, _check_option
from ..utils import embed, kcenter_greedy

__all__ = ["CoreSet"]


def _resolve_embedding(embedding, estimator, X):
    if callable(embedding):
        return np.asarray(embedding(X), dtype=float)
    _check_option(embedding, "embedding", ("auto", "input"))
    if embedding == "input":
        return embed(None, X)
    return embed(estimator, X)


class CoreSet(QueryStrategy):
    """Greedy k-center selection (Sener & Savarese 2018).

    Each pick is the pool sample farthest from its nearest labeled or
    already picked sample. The implementation keeps one running
    minimum-distance vector over the pool: the initial distances to the
    labeled set are computed in chunks, each pick costs one matrix-vector
    product, and no pool × pool (or batch × pool) matrix is ever built.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier trained on the labeled set (used for predictions and, with
        ``embedding="auto"``, for the representation). ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    embedding : {"auto", "input"} or callable, default="auto"
        The space distances are measured in. ``"auto"`` asks
        :func:`skactive.utils.embed` (a network's penultimate layer, a
        pipeline's transformed features, otherwise the input features);
        ``"input"`` uses the raw features; a callable maps ``X`` to an
        ``(n_samples, n_dims)`` array.
    chunk_size : int or None, default=None
        Pool rows per chunk for the initial distance computation.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Not needed by the deterministic greedy rule; kept for the common API.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    X_labeled_embedding_ : ndarray of shape (n_labeled, n_dims)
        Embedding of the labeled set (the initial centres).
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] O. Sener, S. Savarese, "Active Learning for Convolutional Neural
       Networks: A Core-Set Approach", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import CoreSet
    >>> X_lab, y_lab = np.array([[0.0], [1.0]]), np.array([0, 1])
    >>> X_pool = np.array([[0.5], [4.0], [9.0], [1.2]])
    >>> CoreSet().fit(X_lab, y_lab).query(X_pool, batch_size=2)
    array([2, 1])
    """

    def __init__(
        self, estimator=None, *, embedding="auto", chunk_size=None, refit=True,
        random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.embedding = embedding
        self.chunk_size = chunk_size

    def _fit(self, X, y):
        self.X_labeled_embedding_ = _resolve_embedding(
            self.embedding, self.estimator_, X
        )

    def _query(self, X_pool, batch_size, rng):
        E = _resolve_embedding(self.embedding, self.estimator_, X_pool)
        centers = self.X_labeled_embedding_.astype(E.dtype, copy=False)
        return kcenter_greedy(
            E, centers, batch_size, rng=rng, chunk_size=self.chunk_size
        )
