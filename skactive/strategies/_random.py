"""Random sampling: the baseline every strategy is measured against."""

from ..base import QueryStrategy

__all__ = ["RandomSampling"]


class RandomSampling(QueryStrategy):
    """Query pool samples uniformly at random, without replacement.

    The wrapped classifier is still fitted, so an
    :class:`~skactive.ActiveLearner` driven by random sampling predicts with
    a model trained on the acquired labels.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier trained on the labeled set; ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    UncertaintySampling : Query where the classifier is least certain.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import RandomSampling
    >>> X = np.arange(20, dtype=float).reshape(10, 2)
    >>> y = np.array([0, 1] * 5)
    >>> s = RandomSampling(random_state=0).fit(X[:4], y[:4])
    >>> idx = s.query(X[4:], batch_size=3)
    >>> idx.shape, len(set(idx.tolist()))
    ((3,), 3)
    """

    # X is only handed to the classifier: raw documents pass through.
    _needs_features = False
    _predicts_pool = False
    # Only the pool's size is used: an out-of-core pool is never read.
    _reads_pool = False

    def _query(self, X_pool, batch_size, rng):
        return rng.choice(X_pool.shape[0], size=batch_size, replace=False)
