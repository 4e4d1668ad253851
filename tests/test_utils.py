"""Selection kernels and helpers: top_k, k-center, factored k-means++, embeddings."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive.utils import (
    check_batch_size,
    embed,
    gradient_embedding_factors,
    kcenter_greedy,
    kmeanspp_factored,
    min_sq_distances,
    query_rng,
    top_k,
)


# -- top_k ----------------------------------------------------------------
def test_top_k_returns_k_distinct_indices_ordered_by_score():
    scores = np.array([0.3, 0.9, 0.1, 0.7, 0.5])
    idx = top_k(scores, 3, np.random.default_rng(0))
    assert idx.tolist() == [1, 3, 4]
    full = top_k(scores, 5, np.random.default_rng(0))
    assert full.tolist() == [1, 3, 4, 0, 2]


def test_top_k_ties_same_seed_identical_different_seeds_differ():
    scores = np.zeros(50)
    scores[:3] = 1.0  # three clear winners, then a 47-way tie for the rest
    picks = [tuple(top_k(scores, 8, np.random.default_rng(s))) for s in range(10)]
    for p in picks:
        assert set(p[:3]) == {0, 1, 2}
        assert len(set(p)) == 8
    again = [tuple(top_k(scores, 8, np.random.default_rng(s))) for s in range(10)]
    assert picks == again
    assert len(set(picks)) > 1
    # Within the selected winners the order of equal scores is random too.
    assert len({p[:3] for p in picks}) > 1


def test_top_k_nan_ranked_last():
    scores = np.array([np.nan, 0.2, np.nan, -5.0, 0.1])
    idx = top_k(scores, 3, np.random.default_rng(0))
    assert idx.tolist() == [1, 4, 3]
    full = top_k(scores, 5, np.random.default_rng(0))
    assert full[:3].tolist() == [1, 4, 3]
    assert set(full[3:].tolist()) == {0, 2}


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, bool])
def test_top_k_integer_and_bool_scores(dtype):
    scores = np.array([0, 1, 0, 1, 1], dtype=dtype)
    idx = top_k(scores, 4, np.random.default_rng(0))
    assert set(idx[:3].tolist()) == {1, 3, 4}
    assert idx[3] in (0, 2)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    values=st.lists(
        st.sampled_from([0.0, 0.5, 1.0, 2.0, np.nan]), min_size=1, max_size=40
    ),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_top_k_property_valid_top_k_set(values, data, seed):
    scores = np.array(values)
    n = scores.shape[0]
    k = data.draw(st.integers(1, n))
    idx = top_k(scores, k, np.random.default_rng(seed))
    assert idx.shape == (k,)
    assert len(set(idx.tolist())) == k
    assert ((idx >= 0) & (idx < n)).all()
    key = np.where(np.isnan(scores), -np.inf, scores)
    unselected = np.setdiff1d(np.arange(n), idx)
    if unselected.size:
        assert key[idx].min() >= key[unselected].max()
    # Ordered best first.
    assert (key[idx][1:] <= key[idx][:-1]).all()
    # Same seed, same answer.
    assert np.array_equal(idx, top_k(scores, k, np.random.default_rng(seed)))


def test_query_rng_depends_on_seed_and_pool_size():
    a = query_rng(3, 100).random(4)
    assert np.array_equal(a, query_rng(3, 100).random(4))
    assert not np.array_equal(a, query_rng(3, 99).random(4))
    assert not np.array_equal(a, query_rng(4, 100).random(4))


# -- check_batch_size -----------------------------------------------------
def test_check_batch_size_messages():
    assert check_batch_size(np.int64(3), 5) == 3
    with pytest.raises(ValueError, match=r"batch_size=7.*only 5 samples"):
        check_batch_size(7, 5)
    with pytest.raises(ValueError, match="empty"):
        check_batch_size(1, 0)
    with pytest.raises(ValueError, match=">= 1"):
        check_batch_size(0, 5)
    for bad in (2.0, "2", True, None):
        with pytest.raises(TypeError, match="batch_size must be a positive integer"):
            check_batch_size(bad, 5)


# -- min_sq_distances -----------------------------------------------------
@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_min_sq_distances_matches_cdist(chunk_size):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(11, 4))
    expected = (cdist(X, Y, "sqeuclidean")).min(axis=1)
    got = min_sq_distances(X, Y, chunk_size=chunk_size)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert (got >= 0).all()
    assert np.isinf(min_sq_distances(X, Y[:0])).all()


def test_min_sq_distances_chunks_large_reference_set():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(9000, 3))
    expected = cdist(X, Y, "sqeuclidean").min(axis=1)
    with config_context(working_memory=1):  # forces chunks of Y as well
        got = min_sq_distances(X, Y)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


# -- kcenter_greedy -------------------------------------------------------
def _kcenter_brute(X, centers, k, first=None):
    D = cdist(X, X, "sqeuclidean")
    if centers.shape[0]:
        mind = cdist(X, centers, "sqeuclidean").min(axis=1)
        chosen = []
    else:
        chosen = [first]
        mind = D[first].copy()
    while len(chosen) < k:
        masked = mind.copy()
        masked[chosen] = -1
        i = int(np.argmax(masked))
        chosen.append(i)
        mind = np.minimum(mind, D[i])
    return np.array(chosen)


def test_kcenter_greedy_constructed_case():
    X = np.array([[0.5], [4.0], [9.0], [1.2], [-2.5]])
    # Farthest from {0, 1} is 9; then 4 (3 from 1) beats -2.5 (2.5 from 0).
    assert kcenter_greedy(X, np.array([[0.0], [1.0]]), 3).tolist() == [2, 1, 4]


@pytest.mark.parametrize("seed", range(5))
def test_kcenter_greedy_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    X, C = rng.normal(size=(60, 3)), rng.normal(size=(5, 3))
    got = kcenter_greedy(X, C, 15, chunk_size=7)
    assert np.array_equal(got, _kcenter_brute(X, C, 15))


def test_kcenter_greedy_without_centres_uses_rng_for_first():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    got = kcenter_greedy(X, X[:0], 10, rng=np.random.default_rng(5))
    first = int(np.random.default_rng(5).integers(40))
    assert got[0] == first
    assert np.array_equal(got, _kcenter_brute(X, X[:0], 10, first=first))


def test_kcenter_greedy_distinct_with_duplicates():
    X = np.zeros((6, 2))
    X[0] = [5.0, 5.0]
    got = kcenter_greedy(X, np.zeros((1, 2)), 6)
    assert got[0] == 0
    assert sorted(got.tolist()) == list(range(6))


# -- kmeanspp_factored ----------------------------------------------------
def _kmeanspp_brute(G, k, rng, first="max_norm"):
    """k-means++ seeding on the explicit embedding matrix, same RNG draws."""
    n = G.shape[0]
    D = cdist(G, G, "sqeuclidean")
    if first == "max_norm":
        i = int(np.argmax((G**2).sum(axis=1)))
    else:
        i = int(rng.integers(n))
    chosen = [i]
    mind = D[i].copy()
    mind[i] = 0.0
    while len(chosen) < k:
        total = mind.sum()
        if total <= 0:
            i = int(rng.choice(np.setdiff1d(np.arange(n), chosen)))
        else:
            cdf = np.cumsum(mind)
            i = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
        chosen.append(i)
        mind = np.minimum(mind, D[i])
        mind[chosen] = 0.0
    return np.array(chosen)


@pytest.mark.parametrize("first", ["max_norm", "random"])
@pytest.mark.parametrize("seed", range(4))
def test_kmeanspp_factored_matches_materialised_embedding(seed, first):
    rng = np.random.default_rng(seed)
    n, C, D = 40, 4, 5
    p = rng.dirichlet(np.ones(C), size=n)
    a = p.copy()
    a[np.arange(n), p.argmax(axis=1)] -= 1.0
    h = rng.normal(size=(n, D))
    G = (a[:, :, None] * h[:, None, :]).reshape(n, C * D)
    # Factored distances equal the materialised ones.
    a2, h2 = (a**2).sum(1), (h**2).sum(1)
    Dfac = (a2 * h2)[:, None] + (a2 * h2)[None, :] - 2.0 * (a @ a.T) * (h @ h.T)
    np.testing.assert_allclose(Dfac, cdist(G, G, "sqeuclidean"), atol=1e-10)
    got = kmeanspp_factored(a, h, 12, np.random.default_rng(100 + seed), first=first)
    want = _kmeanspp_brute(G, 12, np.random.default_rng(100 + seed), first=first)
    assert np.array_equal(got, want)
    assert len(set(got.tolist())) == 12


def test_kmeanspp_factored_first_is_max_norm_and_handles_duplicates():
    a = np.array([[0.5, -0.5]] * 5 + [[0.9, -0.9]])
    h = np.ones((6, 2))
    got = kmeanspp_factored(a, h, 6, np.random.default_rng(0))
    assert got[0] == 5
    # Points 0..4 coincide: after the first of them, the rest are uniform draws.
    assert sorted(got.tolist()) == list(range(6))


# -- embed / gradient_embedding_factors ----------------------------------
def test_embed_dispatch():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=3.0, scale=2.0, size=(20, 3))
    y = (X[:, 0] > 3).astype(int)
    lr = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(embed(lr, X), X)
    np.testing.assert_array_equal(embed(None, X), X)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(embed(pipe, X), StandardScaler().fit_transform(X))

    class WithEmbed(LogisticRegression):
        def embed(self, X):
            return np.asarray(X)[:, :1] * 2

    np.testing.assert_array_equal(embed(WithEmbed(), X), X[:, :1] * 2)


def test_gradient_embedding_factors_is_logistic_gradient():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = rng.integers(0, 3, size=30)
    lr = LogisticRegression().fit(X, y)
    a, h = gradient_embedding_factors(lr, X)
    p = lr.predict_proba(X)
    onehot = np.eye(3)[p.argmax(axis=1)]
    np.testing.assert_allclose(a, p - onehot)
    np.testing.assert_array_equal(h, X)
    # Norm of the cross-entropy gradient w.r.t. coef_ under the proxy label.
    G = np.einsum("nc,nd->ncd", p - onehot, X)
    np.testing.assert_allclose(
        (G**2).sum(axis=(1, 2)), (a**2).sum(1) * (h**2).sum(1), rtol=1e-12
    )


# -- regressions from review ---------------------------------------------------
def test_kcenter_float32_with_offset_matches_float64():
    from scipy.spatial.distance import cdist

    from skactive.utils import kcenter_greedy

    rng = np.random.RandomState(0)
    X = 1000 + 0.05 * rng.rand(3000, 16)
    C = X[:5]
    i64 = kcenter_greedy(X, C, 5)
    i32 = kcenter_greedy(X.astype(np.float32), C.astype(np.float32), 5)
    np.testing.assert_array_equal(i32, i64)
    assert i64[0] == cdist(X, C).min(axis=1).argmax()


def test_badge_first_pick_ties_follow_the_seed():
    from skactive.utils import kmeanspp_factored

    a = np.zeros((50, 3))  # every prediction confident: all norms tie at 0
    h = np.random.RandomState(0).rand(50, 4)
    firsts = {int(kmeanspp_factored(a, h, 2, np.random.default_rng(s))[0])
              for s in range(10)}
    assert len(firsts) > 1
    same = [kmeanspp_factored(a, h, 3, np.random.default_rng(1)) for _ in range(2)]
    np.testing.assert_array_equal(*same)


def test_badge_distances_exact_on_large_float32_pixels():
    from skactive.utils import kmeanspp_factored

    rng = np.random.RandomState(0)
    h = rng.randint(200, 256, size=(400, 64)).astype(np.float32)
    a = rng.dirichlet(np.ones(5), size=400).astype(np.float32)
    a[np.arange(400), a.argmax(1)] -= 1
    picks32 = kmeanspp_factored(a, h, 10, np.random.default_rng(0))
    picks64 = kmeanspp_factored(a.astype(float), h.astype(float), 10,
                                np.random.default_rng(0))
    np.testing.assert_array_equal(picks32, picks64)


def test_seed_random_states_reaches_nested_and_listed_estimators():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline

    from skactive import QueryByCommittee
    from skactive.utils import seed_random_states

    q = QueryByCommittee(
        make_pipeline(RandomForestClassifier()),
        committee=[RandomForestClassifier(), RandomForestClassifier(random_state=3)])
    seed_random_states(q, 0)
    assert isinstance(q.estimator.steps[0][1].random_state, int)
    assert isinstance(q.committee[0].random_state, int)
    assert q.committee[1].random_state == 3
    seed_random_states(q, 0, only_unset=False)
    assert q.committee[1].random_state != 3


def test_eer_with_random_forest_is_a_pure_query():
    from sklearn.ensemble import RandomForestClassifier

    from skactive import ExpectedErrorReduction

    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    y = (X[:, 0] > 0).astype(int)
    s = ExpectedErrorReduction(RandomForestClassifier(n_estimators=5), n_candidates=8,
                               n_eval=40, random_state=0).fit(X[:10], y[:10])
    first = s.query(X[10:], batch_size=3)
    for _ in range(2):
        np.testing.assert_array_equal(s.query(X[10:], batch_size=3), first)
