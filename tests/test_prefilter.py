"""Two-stage ``prefilter`` approximation of CoreSet and BADGE (issue 18)."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from skactive import BADGE, CoreSet
from skactive.strategies._coreset import _pool_margins, _prefilter_candidates
from skactive.utils import (
    gradient_embedding_factors,
    kcenter_greedy,
    kmeanspp_factored,
    min_sq_distances,
)
from skactive.utils._selection import query_rng

STRATEGIES = [CoreSet, BADGE]


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(n_samples=1220, n_features=4, centers=4,
                      cluster_std=2.0, random_state=0)
    lab = np.r_[[int(np.flatnonzero(y == c)[0]) for c in range(4)],
                np.arange(200, 216)]
    pool = np.setdiff1d(np.arange(len(X)), lab)
    return X[lab], y[lab], X[pool]


def _fit(cls, data, **kw):
    X_lab, y_lab, _ = data
    return cls(random_state=0, **kw).fit(X_lab, y_lab)


def _exact_reference(s, X_pool, k, rng):
    if isinstance(s, CoreSet):
        return kcenter_greedy(X_pool, s.X_labeled_embedding_, k, rng=rng)
    a, h = gradient_embedding_factors(s.estimator_, X_pool)
    return kmeanspp_factored(a, h, k, rng, first=s.first)


@pytest.mark.parametrize("cls", STRATEGIES)
def test_prefilter_none_is_exact(cls, data):
    _, _, X_pool = data
    s = _fit(cls, data)
    assert s.prefilter is None and s.prefilter_by == "random"
    got = s.query(X_pool, batch_size=10)
    ref = _exact_reference(s, X_pool, 10, query_rng(s._query_seed, len(X_pool)))
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("cls", STRATEGIES)
@pytest.mark.parametrize("by", ["random", "uncertainty"])
@pytest.mark.parametrize("extra", [0, 7])
def test_prefilter_at_least_pool_is_exact(cls, by, extra, data):
    _, _, X_pool = data
    exact = _fit(cls, data).query(X_pool, batch_size=10)
    s = _fit(cls, data, prefilter=len(X_pool) + extra, prefilter_by=by)
    np.testing.assert_array_equal(s.query(X_pool, batch_size=10), exact)


@pytest.mark.parametrize("cls", STRATEGIES)
@pytest.mark.parametrize("by", ["random", "uncertainty"])
def test_same_seed_same_picks(cls, by, data):
    _, _, X_pool = data
    a = _fit(cls, data, prefilter=100, prefilter_by=by).query(X_pool, 10)
    b = _fit(cls, data, prefilter=100, prefilter_by=by).query(X_pool, 10)
    np.testing.assert_array_equal(a, b)
    # query is a pure function of the fitted state.
    s = _fit(cls, data, prefilter=100, prefilter_by=by)
    np.testing.assert_array_equal(s.query(X_pool, 10), s.query(X_pool, 10))


@pytest.mark.parametrize("cls", STRATEGIES)
def test_random_prefilter_indices_refer_to_full_pool(cls, data):
    _, _, X_pool = data
    n, m, k = len(X_pool), 150, 12
    s = _fit(cls, data, prefilter=m)
    got = s.query(X_pool, batch_size=k)
    assert got.dtype == np.intp and got.shape == (k,)
    assert len(set(got.tolist())) == k
    assert got.min() >= 0 and got.max() < n
    # The two stages, spelled out: seeded candidates, exact rule on them.
    rng = query_rng(s._query_seed, n)
    cand = np.sort(rng.choice(n, size=m, replace=False))
    ref = cand[_exact_reference(s, X_pool[cand], k, rng)]
    np.testing.assert_array_equal(got, ref)
    # Another seed draws other candidates.
    other = cls(random_state=1, prefilter=m).fit(*data[:2]).query(X_pool, k)
    assert not np.array_equal(np.sort(other), np.sort(got))


@pytest.mark.parametrize("cls", STRATEGIES)
def test_uncertainty_prefilter_keeps_most_uncertain(cls, data):
    _, _, X_pool = data
    m, k = 60, 10
    s = _fit(cls, data, prefilter=m, prefilter_by="uncertainty")
    p = s.estimator_.predict_proba(X_pool)
    top2 = np.sort(p, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    np.testing.assert_allclose(_pool_margins(s.estimator_, X_pool), margin)
    # Block by block gives the same margins.
    np.testing.assert_allclose(
        _pool_margins(s.estimator_, X_pool, chunk_size=7), margin)
    keep = np.sort(np.argsort(margin, kind="stable")[:m])
    cand = _prefilter_candidates(
        len(X_pool), lambda: _pool_margins(s.estimator_, X_pool), k, m,
        "uncertainty", np.random.default_rng(0))
    np.testing.assert_array_equal(cand, keep)
    got = s.query(X_pool, batch_size=k)
    assert set(got.tolist()) <= set(keep.tolist())
    assert len(set(got.tolist())) == k
    rng = query_rng(s._query_seed, len(X_pool))
    np.testing.assert_array_equal(
        got, keep[_exact_reference(s, X_pool[keep], k, rng)])


def test_coreset_labeled_centres_count_against_candidates():
    # Candidates far from the labeled set must win over those next to it.
    X_lab = np.array([[0.0, 0.0], [0.1, 0.0]])
    y_lab = np.array([0, 1])
    X_pool = np.array([[0.0, 0.05], [0.05, 0.0], [10.0, 0.0], [0.0, 9.0]])
    s = CoreSet(prefilter=3, random_state=0).fit(X_lab, y_lab)
    n = len(X_pool)
    rng = query_rng(s._query_seed, n)
    cand = np.sort(rng.choice(n, size=3, replace=False))
    got = s.query(X_pool, batch_size=1)
    far = [i for i in (2, 3) if i in cand]
    expected = max(far, key=lambda i: np.linalg.norm(X_pool[i]))
    assert got.tolist() == [expected]


@pytest.mark.parametrize("cls", STRATEGIES)
@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"prefilter": 0}, ValueError, "prefilter must be >= 1"),
        ({"prefilter": -3}, ValueError, "prefilter must be >= 1"),
        ({"prefilter": 2.5}, TypeError, "prefilter must be an integer"),
        ({"prefilter": True}, TypeError, "prefilter must be an integer"),
        ({"prefilter": "10"}, TypeError, "prefilter must be an integer"),
        ({"prefilter_by": "margin"}, ValueError, "prefilter_by must be one of"),
        ({"prefilter": 10, "prefilter_by": None}, ValueError, "prefilter_by"),
    ],
)
def test_bad_params(cls, params, exc, match, data):
    X_lab, y_lab, _ = data
    with pytest.raises(exc, match=match):
        cls(**params).fit(X_lab, y_lab)


@pytest.mark.parametrize("cls", STRATEGIES)
def test_prefilter_smaller_than_batch(cls, data):
    _, _, X_pool = data
    s = _fit(cls, data, prefilter=5)
    with pytest.raises(ValueError, match="prefilter=5 is smaller than batch_size=6"):
        s.query(X_pool, batch_size=6)
    assert len(s.query(X_pool, batch_size=5)) == 5


def test_uncertainty_needs_predict_proba(data):
    X_lab, y_lab, X_pool = data
    s = CoreSet(LinearSVC(), prefilter=50, prefilter_by="random").fit(X_lab, y_lab)
    assert len(s.query(X_pool, 5)) == 5
    with pytest.raises(TypeError, match="prefilter_by='uncertainty'.*predict_proba"):
        CoreSet(LinearSVC(), prefilter=50, prefilter_by="uncertainty").fit(
            X_lab, y_lab)


def _kmeanspp_cost(a, h, sel):
    g2 = (a * a).sum(1) * (h * h).sum(1)
    d = g2[:, None] + g2[sel][None, :] - 2 * (a @ a[sel].T) * (h @ h[sel].T)
    return np.maximum(d.min(axis=1), 0).sum()


def test_quality_loss_within_documented_bound():
    # Documented: random prefilter with M' >= 20 * batch_size keeps CoreSet's
    # coverage radius within 1.35x and BADGE's k-means++ cost within 1.25x
    # of the exact selection.
    X, y = make_blobs(n_samples=4020, n_features=8, centers=6,
                      cluster_std=2.0, random_state=1)
    lab = np.r_[[int(np.flatnonzero(y == c)[0]) for c in range(6)],
                np.arange(14)]
    lab = np.unique(lab)
    pool = np.setdiff1d(np.arange(len(X)), lab)
    X_lab, y_lab, X_pool = X[lab], y[lab], X[pool]
    k, m = 20, 400
    est = LogisticRegression(max_iter=1000).fit(X_lab, y_lab)

    def radius(idx):
        centers = np.vstack([X_lab, X_pool[idx]])
        return np.sqrt(min_sq_distances(X_pool, centers).max())

    a, h = gradient_embedding_factors(est, X_pool)
    for seed in range(3):
        kw = dict(refit=False, random_state=seed)
        exact = CoreSet(est, **kw).fit(X_lab, y_lab).query(X_pool, k)
        approx = CoreSet(est, prefilter=m, **kw).fit(X_lab, y_lab).query(X_pool, k)
        assert radius(approx) <= 1.35 * radius(exact)
        exact = BADGE(est, **kw).fit(X_lab, y_lab).query(X_pool, k)
        approx = BADGE(est, prefilter=m, **kw).fit(X_lab, y_lab).query(X_pool, k)
        assert _kmeanspp_cost(a, h, approx) <= 1.25 * _kmeanspp_cost(a, h, exact)
