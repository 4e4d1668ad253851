"""Expected error reduction (Roy & McCallum 2001)."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from ..base import QueryStrategy, _check_n_jobs, _check_option, _check_positive_int
from ..utils import seed_random_states, top_k
from ._uncertainty import uncertainty_scores

__all__ = ["ExpectedErrorReduction"]


def _expected_loss(estimator, X_lab, y_lab, x, classes, p_x, X_eval, loss, seed):
    """Expected pool loss after adding ``x`` with each possible label."""
    total = 0.0
    X_new = np.vstack([X_lab, x[None, :]])
    for c, p_c in zip(classes, p_x):
        if p_c <= 0:
            continue
        # The same seed for every refit: candidates are compared under common
        # random numbers, not under a randomised classifier's noise.
        model = seed_random_states(clone(estimator), seed)
        model = model.fit(X_new, np.append(y_lab, c))
        proba = model.predict_proba(X_eval)
        if loss == "zero_one":
            risk = uncertainty_scores(proba, "least_confidence").sum()
        else:
            risk = uncertainty_scores(proba, "entropy").sum()
        total += p_c * risk
    return total


class ExpectedErrorReduction(QueryStrategy):
    """Query the samples whose label is expected to reduce the pool error most.

    For each candidate ``x`` and each class ``c`` the classifier is retrained
    on the labeled set plus ``(x, c)``; its expected loss on the pool
    (``zero_one``: ``sum 1 - max p``; ``log_loss``: the summed entropy,
    Roy & McCallum's log-loss estimate) is averaged over ``c`` with weights
    ``p(c | x)``. The cost is ``n_candidates × n_classes`` refits per query,
    so candidates and evaluation samples are random subsamples of the pool,
    and refits run in parallel with joblib.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba``. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    loss : {"log_loss", "zero_one"}, default="log_loss"
        Loss whose expectation is minimised.
    n_candidates : int, default=100
        Pool samples evaluated per query (a seeded random subsample; raised
        to ``batch_size`` if smaller). The batch is the top ``batch_size``
        candidates.
    n_eval : int or None, default=1000
        Pool samples the loss is estimated on; ``None`` uses the whole pool.
    n_jobs : int or None, default=None
        Parallel refits through :class:`joblib.Parallel`, one task per
        candidate. Under ``joblib.parallel_config(backend="dask")`` they
        run on the cluster; every task gets the same labeled-set and
        evaluation arrays, which joblib's dask backend scatters once per
        query. The refits' seed is drawn before they are dispatched, so the
        picks do not depend on ``n_jobs``.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples and tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    X_labeled_ : ndarray of shape (n_labeled, n_features)
        The labeled set (needed for the refits).
    y_labeled_ : ndarray of shape (n_labeled,)
        Its labels.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] N. Roy, A. McCallum, "Toward Optimal Active Learning through
       Sampling Estimation of Error Reduction", ICML 2001.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ExpectedErrorReduction
    >>> X, y = load_iris(return_X_y=True)
    >>> s = ExpectedErrorReduction(n_candidates=10, random_state=0)
    >>> s.fit(X[::15], y[::15]).query(X, batch_size=2).shape
    (2,)
    """

    _required_methods = ("predict_proba",)

    def __init__(self, estimator=None, *, loss="log_loss", n_candidates=100,
                 n_eval=1000, n_jobs=None, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.loss = loss
        self.n_candidates = n_candidates
        self.n_eval = n_eval
        self.n_jobs = n_jobs

    def _fit(self, X, y):
        _check_option(self.loss, "loss", ("log_loss", "zero_one"))
        _check_positive_int(self.n_candidates, "n_candidates")
        if self.n_eval is not None:
            _check_positive_int(self.n_eval, "n_eval")
        if hasattr(X, "toarray"):
            X = X.toarray()
        self.X_labeled_ = np.asarray(X)
        self.y_labeled_ = np.asarray(y)

    def _query(self, X_pool, batch_size, rng):
        n = X_pool.shape[0]
        n_cand = min(n, max(self.n_candidates, batch_size))
        cand = rng.choice(n, size=n_cand, replace=False) if n_cand < n else np.arange(n)
        if self.n_eval is None or self.n_eval >= n:
            X_eval = X_pool
        else:
            X_eval = X_pool[rng.choice(n, size=self.n_eval, replace=False)]
        # Only the candidates are densified (to append them to the labeled set).
        X_cand = X_pool[cand]
        proba = self.estimator_.predict_proba(X_cand)
        if hasattr(X_cand, "toarray"):
            X_cand = X_cand.toarray()
        seed = int(rng.integers(np.iinfo(np.int32).max))
        losses = Parallel(n_jobs=_check_n_jobs(self.n_jobs, type(self).__name__))(
            delayed(_expected_loss)(
                self._get_estimator(), self.X_labeled_, self.y_labeled_, X_cand[j],
                self.estimator_.classes_, proba[j], X_eval, self.loss, seed,
            )
            for j in range(n_cand)
        )
        return cand[top_k(-np.asarray(losses, dtype=float), batch_size, rng)]
