"""A query strategy that replays a fixed labeling order."""

import numpy as np

from ..base import QueryStrategy
from sklearn.utils.validation import _num_samples

from ..utils import check_batch_size, check_indices

__all__ = ["ReplayOrder"]


class ReplayOrder(QueryStrategy):
    """Query the samples of a given order, batch after batch.

    Replays an order found by :class:`OptimalOrderSearch` (or any recorded
    acquisition sequence) inside :class:`~skactive.ActiveLearner`, so the
    oracle's learning curve is drawn, scored and compared with the same
    tools as any strategy's. Each round takes the first ``batch_size``
    entries of ``order`` that are still in the pool.

    ``order`` holds row indices of the ``X`` given to
    :meth:`ActiveLearner.fit <skactive.ActiveLearner.fit>`. An order found on
    a pool ``X_pool`` with a warm start ``X_init`` replays on
    ``np.vstack([X_init, X_pool])`` as ``order_ + len(X_init)`` with
    ``initial=np.arange(len(X_init))`` (see the example). The rows of the
    order already labeled must be the order's first ones (those replayed in
    earlier rounds); an order that overlaps the initial set, or points past
    ``X``, is an error rather than a silently different replay.

    Since the order refers to rows of the loop's ``X``, the strategy only
    queries inside :meth:`ActiveLearner.fit <skactive.ActiveLearner.fit>`;
    :meth:`query` on a bare pool, which carries no row identity, raises.

    Parameters
    ----------
    order : array-like of int
        Row indices in acquisition order.
    estimator : classifier or None, default=None
        The classifier trained each round; ``None`` means
        ``LogisticRegression(max_iter=1000)``. Pass the search's
        ``estimator_`` to replay with the training randomness the order was
        found for.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the classifier's unset seeds; the queries do not depend on it.

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
    OptimalOrderSearch : Finds the order of highest ξ-quality.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ActiveLearner
    >>> from skactive.oracle import OptimalOrderSearch, ReplayOrder
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> X_init, y_init, X_pool, y_pool = X[:20], y[:20], X[20:220], y[20:220]
    >>> X_val, y_val = X[1000:1300], y[1000:1300]
    >>> search = OptimalOrderSearch(LogisticRegression(max_iter=500),
    ...                             batch_size=5, n_batches=4, n_steps=30,
    ...                             greedy_steps=0, random_state=0)
    >>> search = search.fit(X_pool, y_pool, X_val, y_val, X_init, y_init)
    >>> al = ActiveLearner(ReplayOrder(search.order_ + 20, search.estimator_),
    ...                    batch_size=5, budget=20, initial=np.arange(20),
    ...                    eval_set=(X_val, y_val))
    >>> al = al.fit(np.vstack([X_init, X_pool]), np.r_[y_init, y_pool])
    >>> curve = [h["score"] for h in al.history_]
    >>> bool(np.allclose(curve, search.curve_))
    True
    """

    def __init__(self, order, estimator=None, *, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.order = order

    def _checked_order(self):
        return check_indices(self.order, "order")

    def _fit(self, X, y):
        self._checked_order()

    def _query(self, X_pool, batch_size, rng):
        raise ValueError(
            "ReplayOrder replays row indices of the X given to ActiveLearner.fit "
            "and only queries inside that loop; a bare pool carries no row "
            "indices. Use ActiveLearner(ReplayOrder(order), ...).fit(X, y)."
        )

    def _query_candidates(self, X, candidates, batch_size):
        batch_size = check_batch_size(batch_size, candidates.shape[0])
        order = self._checked_order()
        n = _num_samples(X)
        if order.shape[0] and order.max() >= n:
            raise ValueError(
                f"order has row index {int(order.max())} but X has {n} rows; the "
                "order must index the X given to ActiveLearner.fit."
            )
        left = np.isin(order, candidates)
        first_left = int(np.argmax(left)) if left.any() else order.shape[0]
        # The labeled rows of the order must be a prefix of it: those that
        # earlier rounds replayed.
        if not left[first_left:].all():
            raise ValueError(
                "Rows of the order were labeled out of order (e.g. the order "
                "overlaps the initial labeled set): did you shift the search's "
                "order_ by len(X_init) and pass initial=np.arange(len(X_init))?"
            )
        remaining = order[first_left:]
        if remaining.shape[0] < batch_size:
            raise ValueError(
                f"The order has {remaining.shape[0]} samples left in the pool but "
                f"batch_size={batch_size} were asked; replay at most "
                f"{order.shape[0]} acquisitions (e.g. budget <= len(order))."
            )
        return remaining[:batch_size]
