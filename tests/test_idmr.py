"""IDMR (Zhou et al. 2021, Alg. 2) and its binners."""

import pickle
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import FixedProbaClassifier
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skactive import (
    BADGE,
    IDMR,
    ActiveLearner,
    CoreSet,
    DensityWeighted,
    DiversitySampling,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.strategies import KMeansBinner, LengthBinner, uncertainty_scores
from skactive.strategies import _idmr


def _bin_col(X):
    """Bins from the second feature (the first is FixedProbaClassifier's row id)."""
    return np.asarray(X)[:, 1].astype(int)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


# == The deficit rule =======================================================
def test_picks_from_deficit_bin_then_base_choice_inside():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1.0, 1.0, 1.0], size=14)
    X = np.zeros((14, 2))
    X[:, 0] = np.arange(14)
    X[[6, 8, 9, 11, 13], 1] = 1  # pool rows 4..13: five in bin 0, five in bin 1
    lab, pool = np.arange(4), np.arange(4, 14)
    y_lab = np.array([0, 1, 2, 0])
    # The most uncertain pool sample overall is in bin 0 ...
    proba[4] = [1 / 3, 1 / 3, 1 / 3]
    ent = uncertainty_scores(proba, "entropy")
    base = UncertaintySampling(FixedProbaClassifier(proba))
    assert pool[base.fit(X[lab], y_lab).query(X[pool])[0]] == 4
    # ... but the labeled set is all bin 0 (4 of 4) against a reference share
    # of 9/14: IDMR takes bin 1's most uncertain sample.
    s = IDMR(base, binner=_bin_col).fit(X[lab], y_lab)
    in_bin1 = np.array([6, 8, 9, 11, 13])
    top1 = in_bin1[np.argsort(-ent[in_bin1])]
    assert pool[s.query(X[pool])].tolist() == [top1[0]]
    # Deficits (count * 14 - ref * n): bins 1, 1, 1, then 0 (see the rule).
    in_bin0 = np.array([4, 5, 7, 10, 12])
    top0 = in_bin0[np.argsort(-ent[in_bin0])]
    assert pool[s.query(X[pool], batch_size=4)].tolist() == [*top1[:3], top0[0]]
    dist = s.bin_distribution(X[pool])
    assert dist.reference_counts.tolist() == [9, 5]
    assert dist.labeled.tolist() == [4, 0] and dist.pool.tolist() == [5, 5]


def _naive_allocation(lab_bins, pool_bins, ref_bins, batch_size):
    """Per pick: argmin_b (cur_b - ref_b) over bins with samples left, exactly."""
    k = max(lab_bins.max(), pool_bins.max(), ref_bins.max()) + 1
    ref = [Fraction(int(np.sum(ref_bins == b)), len(ref_bins)) for b in range(k)]
    cur = [int(np.sum(lab_bins == b)) for b in range(k)]
    left = [int(np.sum(pool_bins == b)) for b in range(k)]
    out = []
    for _ in range(batch_size):
        n = sum(cur)
        best = None
        for b in range(k):
            if left[b] == 0:
                continue
            d = Fraction(cur[b], n) - ref[b]
            if best is None or d < best[0]:
                best = (d, b)
        out.append(best[1])
        cur[best[1]] += 1
        left[best[1]] -= 1
    return out


@pytest.mark.parametrize("seed", range(6))
def test_batch_allocation_equals_sequential_rule(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n_lab, n_pool = int(rng.integers(4, 15)), int(rng.integers(10, 60))
    X = rng.normal(size=(n_lab + n_pool, 3))
    # Skewed bin sizes, so bins run out and the fallback is exercised.
    X[:, 2] = rng.choice(k, size=X.shape[0], p=rng.dirichlet(np.ones(k)))
    X_lab, X_pool = X[:n_lab], X[n_lab:]
    y_lab = np.arange(n_lab) % 2

    def binner(Z):
        return Z[:, 2].astype(int)

    s = IDMR(RandomSampling(random_state=seed), binner=binner).fit(X_lab, y_lab)
    for batch_size in (1, 7, n_pool):
        idx = s.query(X_pool, batch_size=batch_size)
        assert len(set(idx.tolist())) == batch_size
        expected = _naive_allocation(binner(X_lab), binner(X_pool), binner(X),
                                     batch_size)
        assert binner(X_pool[idx]).tolist() == expected
        # Inside each bin, the base strategy's own choice in its own order.
        for b in set(expected):
            in_bin = np.flatnonzero(binner(X_pool) == b)
            n_b = expected.count(b)
            ref = in_bin[s.base_strategy_.query(X_pool[in_bin], n_b)]
            assert idx[binner(X_pool[idx]) == b].tolist() == ref.tolist()


def test_exhausted_bin_falls_back_and_whole_pool_batch():
    # In the default reference (labeled + pool) a bin's deficit is positive
    # once its pool samples are used up; with a larger reference it is not:
    # here bin 1 is half of the reference but has two pool samples only.
    X_lab = np.array([[0.0, 0], [0.1, 0], [0.2, 0], [0.3, 0]])
    y_lab = np.array([0, 1, 0, 1])
    X_pool = np.vstack([np.c_[np.linspace(0, 1, 10), np.zeros(10)],
                        [[0.5, 1], [0.7, 1]]])
    reference = np.c_[np.zeros(20), np.repeat([0, 1], 10)]
    s = IDMR(RandomSampling(random_state=0), binner=_bin_col, reference=reference)
    s.fit(X_lab, y_lab)
    idx = s.query(X_pool, batch_size=5)
    assert _bin_col(X_pool[idx]).tolist() == [1, 1, 0, 0, 0]
    full = s.query(X_pool, batch_size=X_pool.shape[0])
    assert sorted(full.tolist()) == list(range(X_pool.shape[0]))
    assert _bin_col(X_pool[full]).tolist() == [1, 1] + [0] * 10
    # The same bins through a fitted binner with predict.
    k = IDMR(RandomSampling(random_state=0),
             binner=KMeans(2, n_init=2, random_state=0),
             reference=reference).fit(X_lab, y_lab)
    assert _bin_col(X_pool[k.query(X_pool, batch_size=5)]).tolist() == [1, 1, 0, 0, 0]


def test_single_bin_is_the_base_strategy(blobs3):
    X_lab, y_lab, X_pool = blobs3
    for base in (UncertaintySampling(LogisticRegression(), measure="margin",
                                     random_state=3),
                 CoreSet(random_state=3), BADGE(random_state=3)):
        s = IDMR(base, binner=lambda X: np.zeros(X.shape[0], dtype=int))
        expected = clone(base).fit(X_lab, y_lab).query(X_pool, batch_size=12)
        assert np.array_equal(s.fit(X_lab, y_lab).query(X_pool, 12), expected)


# == Inside the loop and with scikit-learn's tools ==========================
def _foundation():
    lr = LogisticRegression(max_iter=300)
    return [
        RandomSampling(lr),
        UncertaintySampling(lr, measure="entropy"),
        UncertaintySampling(lr, measure="margin"),
        UncertaintySampling(lr, measure="least_confidence"),
        QueryByCommittee(lr, n_members=3),
        CoreSet(lr),
        BADGE(lr),
        DiversitySampling(lr, metric="cosine"),
        DensityWeighted(lr, metric="cosine"),
    ]


@pytest.mark.parametrize(
    "base", _foundation(),
    ids=[f"{type(s).__name__}-{i}" for i, s in enumerate(_foundation())],
)
def test_every_strategy_inside_active_learner(base, digits):
    X, y = digits
    binner = KMeansBinner(n_bins=4, n_components=10)
    al = ActiveLearner(IDMR(base, binner=binner), batch_size=10, budget=30,
                       initial_size=20, random_state=0).fit(X, y)
    idx = al.labeled_indices_
    assert idx.shape == (50,) and len(set(idx.tolist())) == 50
    np.testing.assert_array_equal(al.y_labeled_, y[idx])
    assert [h["n_labeled"] for h in al.history_] == [20, 30, 40, 50]
    assert al.predict_proba(X[:3]).shape == (3, 10)
    # The default reference is the whole training set: its bins come from one
    # k-means fit, cached across the rounds.
    assert al.strategy_._bin_cache["labels"].shape == (300,)


def test_grid_search_over_nested_binner_params(digits):
    X, y = digits
    al = ActiveLearner(
        IDMR(UncertaintySampling(LogisticRegression(max_iter=300)),
             binner=KMeansBinner(n_components=10), random_state=0),
        batch_size=10, budget=20, initial_size=20, random_state=0,
    )
    grid = GridSearchCV(
        al, {"strategy__binner__n_bins": [2, 4],
             "strategy__base_strategy__measure": ["entropy", "margin"]}, cv=2,
    ).fit(X, y)
    assert grid.best_params_["strategy__binner__n_bins"] in (2, 4)
    assert grid.cv_results_["mean_test_score"].shape == (4,)
    assert grid.best_estimator_.strategy_.base_strategy_.measure in (
        "entropy", "margin")


def test_params_clone_and_refit_property():
    s = IDMR(UncertaintySampling(measure="margin"), binner=KMeansBinner(n_bins=3),
             random_state=1)
    params = s.get_params()
    assert params["binner__n_bins"] == 3
    assert params["base_strategy__measure"] == "margin"
    assert "refit" not in params and s.refit is True
    s.set_params(binner__n_bins=4, base_strategy__measure="entropy")
    c = clone(s)
    assert c.binner.n_bins == 4 and c.base_strategy.measure == "entropy"
    assert c.binner is not s.binner
    assert IDMR().refit is True
    assert IDMR(UncertaintySampling(refit=False)).refit is False


def test_pickle_and_clone_give_identical_queries(digits):
    X, y = digits
    s = IDMR(BADGE(LogisticRegression(max_iter=300)), random_state=0)
    s.fit(X[:40], y[:40])
    first = s.query(X[40:], batch_size=12)
    s2 = pickle.loads(pickle.dumps(s))
    assert np.array_equal(s2.query(X[40:], batch_size=12), first)
    fresh = clone(s).fit(X[:40], y[:40])
    assert np.array_equal(fresh.query(X[40:], batch_size=12), first)
    assert np.array_equal(s.query(X[40:], batch_size=12), first)


def test_random_state_seeds_unset_seeds_only():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.arange(20) % 2
    s = IDMR(QueryByCommittee(LogisticRegression(), n_members=2, random_state=5),
             binner=KMeans(2, n_init=1), random_state=0).fit(X, y)
    assert s.base_strategy_.random_state == 5
    assert isinstance(s.base_strategy_.estimator_.random_state, int)
    assert isinstance(s._binner.random_state, int)
    assert s.base_strategy.estimator.random_state is None  # params untouched
    assert s.binner.random_state is None


def test_refit_false_base_and_estimator_delegation(blobs3):
    X_lab, y_lab, X_pool = blobs3
    lr = LogisticRegression().fit(X_lab[:9], y_lab[:9])
    s = IDMR(UncertaintySampling(lr, refit=False), random_state=0).fit(X_lab, y_lab)
    assert s.estimator_ is lr and s.base_strategy_.estimator_ is lr
    assert s.query(X_pool, 3).shape == (3,)
    with pytest.raises(ValueError, match="refit=True"):
        ActiveLearner(IDMR(UncertaintySampling(lr, refit=False)), budget=10).fit(
            X_pool, np.arange(X_pool.shape[0]) % 3)
    # ActiveLearner offers predict_proba only when the base's classifier has it.
    svc = ActiveLearner(IDMR(UncertaintySampling(LinearSVC(), measure="margin")))
    assert not hasattr(svc, "predict_proba")
    assert hasattr(ActiveLearner(IDMR()), "predict_proba")


# == Bins: canonical order, cache, reference ================================
def test_bins_invariant_to_split_and_row_order(digits):
    X, y = digits
    rng = np.random.default_rng(0)

    def row_bins(lab, pool):
        s = IDMR(binner=KMeansBinner(n_bins=5, n_components=8), random_state=0)
        d = s.fit(X[lab], y[lab]).bin_distribution(X[pool])
        bins = np.empty(X.shape[0], dtype=int)
        bins[lab], bins[pool] = d.labeled_bins, d.pool_bins
        return bins, d.reference_counts

    perm = rng.permutation(300)
    a = row_bins(perm[:30], perm[30:])
    perm = rng.permutation(300)
    b = row_bins(perm[:80], perm[80:])
    c = row_bins(np.arange(20), np.arange(20, 300)[::-1])
    for other in (b, c):
        np.testing.assert_array_equal(a[0], other[0])
        np.testing.assert_array_equal(a[1], other[1])


class _CountingBinner(KMeansBinner):
    fitted_sizes = []

    def fit(self, X, y=None):
        _CountingBinner.fitted_sizes.append(X.shape[0])
        return super().fit(X, y)


def test_cache_reuses_the_fit_and_never_goes_stale(digits):
    X, y = digits
    _CountingBinner.fitted_sizes.clear()
    s = IDMR(binner=_CountingBinner(n_bins=3, n_components=5), random_state=0)
    d1 = s.fit(X[:30], y[:30]).bin_distribution(X[30:])
    q1 = s.query(X[30:], batch_size=5)
    d2 = s.fit(X[:60], y[:60]).bin_distribution(X[60:])  # same union
    assert _CountingBinner.fitted_sizes == [300]
    fresh = IDMR(binner=_CountingBinner(n_bins=3, n_components=5), random_state=0)
    d3 = fresh.fit(X[:60], y[:60]).bin_distribution(X[60:])
    np.testing.assert_array_equal(d2.pool_bins, d3.pool_bins)
    np.testing.assert_array_equal(d1.reference_counts, d3.reference_counts)
    assert np.array_equal(
        q1, clone(fresh).fit(X[:30], y[:30]).query(X[30:], batch_size=5))
    assert _CountingBinner.fitted_sizes == [300] * 3  # one fit per instance
    # Another union, other parameters or another binner object: refit.
    s.bin_distribution(X[60:299])
    s.set_params(binner__n_bins=4)
    s.fit(X[:60], y[:60])
    assert s.bin_distribution(X[60:]).reference.shape == (4,)
    s.set_params(binner=_CountingBinner(n_bins=4, n_components=5))
    s.fit(X[:60], y[:60]).bin_distribution(X[60:])
    assert _CountingBinner.fitted_sizes == [300] * 3 + [299, 300, 300]


def test_canonical_order_sparse_and_dense():
    rng = np.random.default_rng(1)
    A = rng.integers(0, 2, size=(40, 6)).astype(float)  # many duplicate rows
    perm = rng.permutation(40)
    for conv in (np.asarray, sp.csr_matrix, sp.csc_matrix):
        R1, o1 = _idmr._canonical(conv(A))
        R2, o2 = _idmr._canonical(conv(A[perm]))

        def dense(R, o):
            return R[o].toarray() if sp.issparse(R) else R[o]

        np.testing.assert_array_equal(dense(R1, o1), dense(R2, o2))
        assert _idmr._digest(R1, o1, "x") == _idmr._digest(R2, o2, "x")
        assert _idmr._digest(R1, o1, "x") != _idmr._digest(R1, o1, "y")


def test_canonical_order_sparse_resolves_projection_ties(monkeypatch):
    # With all projections tied, distinct rows are ordered by content.
    monkeypatch.setattr(_idmr, "_sparse_projections",
                        lambda R: np.zeros((R.shape[0], 2)))
    rng = np.random.default_rng(2)
    A = rng.integers(0, 3, size=(30, 5)).astype(float)
    perm = rng.permutation(30)
    R1, o1 = _idmr._canonical(sp.csr_matrix(A))
    R2, o2 = _idmr._canonical(sp.csr_matrix(A[perm]))
    np.testing.assert_array_equal(R1[o1].toarray(), R2[o2].toarray())


def test_sparse_pool_end_to_end(digits):
    X, y = digits
    Xs = sp.csr_matrix(X)
    s = IDMR(UncertaintySampling(LogisticRegression(max_iter=300)),
             binner=KMeansBinner(n_bins=3, n_components=10), random_state=0)
    idx = s.fit(Xs[:40], y[:40]).query(Xs[40:], batch_size=15)
    assert len(set(idx.tolist())) == 15
    d_a = s.bin_distribution(Xs[40:])
    perm = np.random.default_rng(0).permutation(300)
    t = clone(s).fit(Xs[perm[:50]], y[perm[:50]])
    d_b = t.bin_distribution(Xs[perm[50:]])
    bins_a = np.concatenate([d_a.labeled_bins, d_a.pool_bins])
    bins_b = np.empty(300, dtype=int)
    bins_b[perm] = np.concatenate([d_b.labeled_bins, d_b.pool_bins])
    np.testing.assert_array_equal(bins_a, bins_b)


def test_explicit_reference(digits):
    X, y = digits
    X_lab, y_lab, X_pool, X_sel = X[:30], y[:30], X[30:200], X[200:]
    s = IDMR(binner=KMeansBinner(n_bins=4, n_components=8), reference=X,
             random_state=0).fit(X_lab, y_lab)
    d = s.bin_distribution(X_pool)
    assert d.reference_counts.sum() == 300
    assert d.labeled.sum() == 30 and d.pool.sum() == 170
    # The labeled and pool rows are in the reference: predict gives their
    # fit labels, so the counts add up.
    np.testing.assert_array_equal(
        d.reference_counts - d.labeled - d.pool,
        s.bin_distribution(X_sel).pool)
    assert len(set(s.query(X_pool, batch_size=20).tolist())) == 20
    with pytest.raises(ValueError, match="reference has 3 features"):
        IDMR(reference=X[:, :3]).fit(X_lab, y_lab)
    with pytest.raises(TypeError, match="predict"):
        IDMR(binner=AgglomerativeClustering(3), reference=X).fit(X_lab, y_lab)
    # Without a reference a fit_predict-only clusterer is fine.
    a = IDMR(binner=AgglomerativeClustering(3)).fit(X_lab, y_lab)
    assert a.bin_distribution(X_pool).reference.shape == (3,)
    # A pipeline ending in a clusterer.
    p = IDMR(binner=make_pipeline(StandardScaler(), KMeans(3, n_init=2)),
             reference=X, random_state=0).fit(X_lab, y_lab)
    assert p.query(X_pool, 5).shape == (5,)


def test_callable_bins_with_arbitrary_labels():
    X = np.c_[np.arange(12.0), np.repeat([-7, 3, 40], 4)]
    y = np.arange(12) % 2
    s = IDMR(RandomSampling(random_state=0), binner=lambda Z: Z[:, 1].astype(int))
    d = s.fit(X[:3], y[:3]).bin_distribution(X[3:])
    assert d.bin_labels.tolist() == [-7, 3, 40]
    assert d.labeled.tolist() == [3, 0, 0] and d.pool.tolist() == [1, 4, 4]
    # Bins 3 and 40 are tied in deficit: the lower id (label 3) goes first.
    assert X[3:][s.query(X[3:], batch_size=2), 1].tolist() == [3, 40]


# == Errors =================================================================
def test_bad_binner_and_base_strategy_errors(blobs3):
    X_lab, y_lab, X_pool = blobs3
    for bad in (5, [1, 2], KMeans):
        with pytest.raises(TypeError, match="binner must be None.*fit_predict"):
            IDMR(binner=bad).fit(X_lab, y_lab)
    with pytest.raises(ValueError, match="binner='kmeans'.*'length'"):
        IDMR(binner="kmeans").fit(X_lab, y_lab)
    with pytest.raises(TypeError, match="base_strategy"):
        IDMR(LogisticRegression()).fit(X_lab, y_lab)
    wrong_shape = IDMR(binner=lambda X: np.zeros((X.shape[0], 2), dtype=int))
    with pytest.raises(ValueError, match="binner <lambda>.*shape"):
        wrong_shape.fit(X_lab, y_lab).query(X_pool)
    floats = IDMR(binner=lambda X: X[:, 0])
    with pytest.raises(ValueError, match="binner <lambda>.*integers"):
        floats.fit(X_lab, y_lab).query(X_pool)
    with pytest.raises(NotFittedError):
        IDMR().query(X_pool)
    s = IDMR(binner=_bin_col).fit(X_lab, y_lab)
    with pytest.raises(ValueError, match="batch_size=79"):
        s.query(X_pool, batch_size=79)
    with pytest.raises(ValueError, match="empty"):
        s.query(np.empty((0, 2)))
    with pytest.raises(ValueError, match="class"):
        IDMR().fit(X_lab, np.zeros_like(y_lab))
    with pytest.raises(ValueError, match="at least 5 samples"):
        two = [np.flatnonzero(y_lab == c)[0] for c in (0, 1)]
        IDMR(random_state=0).fit(X_lab[two], y_lab[two]).query(X_pool[:2])


# == LengthBinner ===========================================================
def _group_proportions(props, max_prop):
    """The original's greedy grouping (idmr.py, intent classification)."""
    groups, cur, idxs = [], [], []
    for i, p in enumerate(props):
        cur.append(p)
        idxs.append(i)
        if sum(cur) >= max_prop:
            del cur[-1], idxs[-1]
            groups.append(idxs)
            cur, idxs = [p], [i]
    groups.append(idxs)
    return groups


def test_length_binner_hand_made_groups():
    docs = ["a", "b", "a b", "c d", "e f", "a b c", "a b c d e", "1 2 3 4 5 6 7 8"]
    b = LengthBinner(threshold=0.3).fit(docs)
    # Lengths 1,1,2,2,2,3,5,8: groups {0,1}, {2}, {3..7}, {8, ...}.
    assert b.edges_.tolist() == [0, 2, 3, 8]
    np.testing.assert_allclose(b.proportions_, [2 / 8, 3 / 8, 2 / 8, 1 / 8])
    assert b.labels_.tolist() == [0, 0, 1, 1, 1, 2, 2, 3]
    assert b.predict(["", "x  y\tz", " ".join("w" * 30)]).tolist() == [0, 2, 3]
    assert LengthBinner(threshold=0.3).fit_predict(np.array(docs)).tolist() == (
        b.labels_.tolist())


@pytest.mark.parametrize("threshold", [0.08, 0.13])
def test_length_binner_matches_original_grouping(threshold):
    rng = np.random.default_rng(0)
    lengths = rng.poisson(9, size=997) + 1
    docs = [" ".join(["w"] * n) for n in lengths]
    b = LengthBinner(threshold=threshold).fit(docs)
    props = np.bincount(lengths) / lengths.shape[0]
    groups = _group_proportions(props, threshold)
    assert b.edges_.tolist() == [min(g) for g in groups]


def test_length_binner_on_padded_token_ids():
    ids = np.array([[5, 3, 0, 0, 0], [2, 0, 0, 0, 0], [4, 4, 4, 1, 0],
                    [7, 1, 0, 0, 0], [9, 9, 9, 9, 9], [3, 0, 0, 0, 0]])
    b = LengthBinner(threshold=0.5).fit(ids)  # lengths 2, 1, 4, 2, 5, 1
    assert b.edges_.tolist() == [0, 2, 4]
    assert b.labels_.tolist() == [1, 0, 2, 1, 2, 0]
    c = LengthBinner(threshold=0.5, padding=-1).fit(np.where(ids == 0, -1, ids))
    assert c.labels_.tolist() == b.labels_.tolist()
    # With the default threshold every length is a group (as in the original,
    # a zero-count length after a full group starts its own). IDMR with
    # binner="length": labeled lengths 1, 1, 1, 2; reference counts of
    # lengths 1, 2, 4, 5: 5, 3, 1, 1. Lengths 4 and 5 tie for the largest
    # deficit (0 - 0.1 * 4), so the lower group, length 4, goes first; then
    # lengths 2 and 5 tie (1 - 0.3 * 5 = 0 - 0.1 * 5) and length 2 goes.
    X_lab = np.array([[2, 0, 0, 0, 0], [3, 0, 0, 0, 0], [4, 0, 0, 0, 0],
                      [5, 6, 0, 0, 0]])
    s = IDMR(RandomSampling(random_state=0), binner="length")
    s.fit(X_lab, [0, 1, 0, 1])
    picked = ids[s.query(ids, batch_size=3)]
    assert (picked != 0).sum(axis=1).tolist() == [4, 2, 5]


def test_length_binner_errors():
    with pytest.raises(ValueError, match="threshold"):
        LengthBinner(threshold=0.0).fit(["a"])
    with pytest.raises(TypeError, match="threshold"):
        LengthBinner(threshold="0.1").fit(["a"])
    with pytest.raises(TypeError, match="single string"):
        LengthBinner().fit("a b c")
    with pytest.raises(TypeError, match="sparse"):
        LengthBinner().fit(sp.csr_matrix(np.eye(3)))
    with pytest.raises(ValueError, match="documents"):
        LengthBinner().fit(np.arange(3.0))
    with pytest.raises(TypeError, match="strings"):
        LengthBinner().fit(["a b", 3])
    with pytest.raises(NotFittedError):
        LengthBinner().predict(["a"])


@parametrize_with_checks([KMeansBinner(n_bins=3, n_components=2, random_state=0)])
def test_kmeans_binner_sklearn_compatible(estimator, check):
    check(estimator)


def test_kmeans_binner():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=10, size=(3, 80))
    X = np.repeat(centers, 30, axis=0) + rng.normal(size=(90, 80))
    b = KMeansBinner(n_bins=3, n_components=5, random_state=0).fit(X)
    assert b.reducer_.n_components_ == 5
    labels = b.labels_
    assert sorted(np.bincount(labels).tolist()) == [30, 30, 30]
    np.testing.assert_array_equal(b.predict(X), labels)
    assert labels.dtype == np.intp and set(labels.tolist()) == {0, 1, 2}
    # Sparse input goes through TruncatedSVD; few features skip the reduction.
    s = KMeansBinner(n_bins=3, n_components=5, random_state=0).fit(
        sp.csr_matrix(X))
    assert type(s.reducer_).__name__ == "TruncatedSVD"
    assert sorted(np.bincount(s.labels_).tolist()) == [30, 30, 30]
    assert KMeansBinner(n_bins=2, n_components=5).fit(X[:, :3]).reducer_ is None
    assert KMeansBinner(n_bins=2, n_components=None).fit(X).reducer_ is None
    with pytest.raises(ValueError, match="n_bins"):
        KMeansBinner(n_bins=0).fit(X)
    with pytest.raises(TypeError, match="n_components"):
        KMeansBinner(n_components=2.5).fit(X)
