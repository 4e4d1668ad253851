"""Query by committee: disagreement among several classifiers."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..base import (
    QueryStrategy,
    ScoreQueryMixin,
    _check_has_method,
    _check_n_jobs,
    _check_option,
    _check_positive_int,
    _reads_raw_text,
)
from ..utils import chunk_rows, iter_chunks, seed_random_states

__all__ = ["QueryByCommittee", "committee_scores"]

_MEASURES = ("vote_entropy", "kl_divergence", "variation_ratio")


def committee_scores(member_proba, measure="vote_entropy"):
    """Disagreement of a committee for each sample; higher = more disagreement.

    Parameters
    ----------
    member_proba : ndarray of shape (n_members, n_samples, n_classes)
        Each member's class probabilities, columns aligned to the same classes.
    measure : {"vote_entropy", "kl_divergence", "variation_ratio"}
        ``vote_entropy``: entropy of the members' hard-vote distribution
        (Dagan & Engelson); ``kl_divergence``: mean KL divergence of each
        member from the consensus (McCallum & Nigam); ``variation_ratio``:
        one minus the share of the modal vote.

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import committee_scores
    >>> P = np.array([[[0.9, 0.1], [0.9, 0.1]],
    ...               [[0.8, 0.2], [0.1, 0.9]]])   # 2 members, 2 samples
    >>> committee_scores(P, "variation_ratio")
    array([0. , 0.5])
    """
    _check_option(measure, "measure", _MEASURES)
    P = np.asarray(member_proba, dtype=float)
    n_members, n_samples, n_classes = P.shape
    if measure == "kl_divergence":
        consensus = P.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = P * (np.log(P) - np.log(consensus)[None])
        terms[P <= 0] = 0.0
        return terms.sum(axis=2).mean(axis=0)
    votes = P.argmax(axis=2)  # (n_members, n_samples)
    counts = np.zeros((n_samples, n_classes))
    np.add.at(counts, (np.tile(np.arange(n_samples), n_members), votes.ravel()), 1.0)
    share = counts / n_members
    if measure == "variation_ratio":
        return 1.0 - share.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = share * np.log(share)
    plogp[share <= 0] = 0.0
    return -plogp.sum(axis=1)


def _fit_member(member, X, y, rows):
    """Fit one committee member on the labeled set, or on its ``rows``.

    The member gets the whole ``X, y`` and its bootstrap rows, so that a
    parallel backend ships the labeled set once per fit, not once per member.
    """
    if rows is not None:
        X, y = X[rows], y[rows]
    return member.fit(X, y)


def _stratified_bootstrap(y, rng):
    """Bootstrap indices drawn within each class, so every member sees every class."""
    parts = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        parts.append(rng.choice(idx, size=idx.shape[0], replace=True))
    return np.concatenate(parts)


class QueryByCommittee(ScoreQueryMixin, QueryStrategy):
    """Query the samples on which a committee of classifiers disagrees most.

    The committee is either an explicit list of classifiers (``committee``),
    each trained on the whole labeled set, or ``n_members`` bootstrap
    replicas of ``estimator`` (query by bagging, Abe & Mamitsuka 1998). The
    bootstrap is stratified by class so every member sees every labeled class.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier whose predictions the learner uses, and the model that
        is bagged when ``committee`` is None. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    committee : list of classifiers or None, default=None
        Explicit committee members (unfitted; each is cloned and trained on
        the labeled set).
    n_members : int, default=5
        Committee size for bagging; ignored when ``committee`` is given.
    measure : {"vote_entropy", "kl_divergence", "variation_ratio"}, \
            default="vote_entropy"
        Disagreement measure, see :func:`committee_scores`. The soft
        ``kl_divergence`` needs members with ``predict_proba``.
    chunk_size : int or None, default=None
        Pool rows scored at a time.
    n_jobs : int or None, default=None
        Members trained in parallel through :class:`joblib.Parallel`; under
        ``joblib.parallel_config(backend="dask")`` they train on the
        cluster. The bootstraps and seeds are drawn before any member is
        trained, so the committee does not depend on ``n_jobs``.
    refit : bool, default=True
        If False, ``estimator`` is used as already fitted (the committee is
        always trained).
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstrap and tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        ``estimator`` fitted on the whole labeled set.
    committee_ : list of classifiers
        The fitted members.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] H. S. Seung, M. Opper, H. Sompolinsky, "Query by committee", COLT 1992.
    .. [2] A. McCallum, K. Nigam, "Employing EM and pool-based active learning
       for text classification", ICML 1998.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skactive import QueryByCommittee
    >>> X, y = load_iris(return_X_y=True)
    >>> s = QueryByCommittee(DecisionTreeClassifier(random_state=0),
    ...                      n_members=4, random_state=0)
    >>> s.fit(X[::10], y[::10]).query(X, batch_size=3).shape
    (3,)
    """

    # Only the members read X: raw documents pass through to a Pipeline.
    _needs_features = False

    def _input_estimator(self):
        # Every member gets X too: raw documents need them all to read text.
        estimator = self._get_estimator()
        if self.committee is not None and _reads_raw_text(estimator):
            for member in self.committee:
                if not _reads_raw_text(member):
                    return member
        return estimator

    def __init__(
        self,
        estimator=None,
        *,
        committee=None,
        n_members=5,
        measure="vote_entropy",
        chunk_size=None,
        n_jobs=None,
        refit=True,
        random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.committee = committee
        self.n_members = n_members
        self.measure = measure
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs

    def _check_estimator_methods(self, estimator):
        _check_option(self.measure, "measure", _MEASURES)
        members = [estimator] if self.committee is None else list(self.committee)
        if self.committee is not None and len(members) < 2:
            raise ValueError(
                f"committee needs at least two members, got {len(members)}."
            )
        method = "predict_proba" if self.measure == "kl_divergence" else "predict"
        for member in members:
            _check_has_method(member, method, "QueryByCommittee")

    def _fit(self, X, y):
        rng = check_random_state(self.random_state)
        # Every bootstrap and seed is drawn here, before any member trains.
        if self.committee is None:
            n_members = _check_positive_int(self.n_members, "n_members", minimum=2)
            jobs = []
            for _ in range(n_members):
                idx = _stratified_bootstrap(y, rng)
                # As in BaggingClassifier: every member gets its own seeds.
                member = seed_random_states(
                    clone(self._get_estimator()), rng, only_unset=False
                )
                jobs.append((member, idx))
        else:
            jobs = [(seed_random_states(clone(m), rng), None)
                    for m in self.committee]
        self.committee_ = Parallel(n_jobs=_check_n_jobs(self.n_jobs, type(self).__name__))(
            delayed(_fit_member)(member, X, y, idx) for member, idx in jobs
        )

    def _member_output(self, member, X):
        """Per-member probabilities aligned to ``classes_`` (one-hot for votes)."""
        n_classes = len(self.classes_)
        cols = np.searchsorted(self.classes_, member.classes_)
        out = np.zeros((X.shape[0], n_classes))
        if self.measure == "kl_divergence":
            out[:, cols] = member.predict_proba(X)
        else:
            pred = np.searchsorted(self.classes_, member.predict(X))
            out[np.arange(X.shape[0]), pred] = 1.0
        return out

    def _score(self, X_pool):
        n = X_pool.shape[0]
        n_members = len(self.committee_)
        rows = chunk_rows(8 * n_members * (len(self.classes_) + 1), n, self.chunk_size)
        scores = np.empty(n)
        for sl in iter_chunks(n, rows):
            P = np.stack([self._member_output(m, X_pool[sl]) for m in self.committee_])
            scores[sl] = committee_scores(P, self.measure)
        return scores
