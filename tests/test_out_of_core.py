"""Out-of-core pools through the whole loop: dask arrays, memmaps, zarr.

The same seed must give the same picks in memory, on a dask array and on a
memory map, and only the labeled rows may ever be read into memory.
"""

import tracemalloc

import numpy as np
import pytest
from sklearn import config_context
from sklearn.linear_model import LogisticRegression

import skactive.learner as learner_module
from skactive import (
    BADGE,
    ActiveLearner,
    CoreSet,
    DensityWeighted,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.utils import (
    check_out_of_core,
    is_out_of_core,
    row_blocks,
    take_rows,
    top_k,
)
from skactive.utils._selection import _selection_scores, _top_candidates, _top_k_of

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(1500, 6)
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.randn(1500) > 0).astype(int)
    return X, y


@pytest.fixture(scope="module")
def memmap(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "X.npy"
    np.save(path, data[0])
    return np.load(path, mmap_mode="r")


def _dask(X):
    # Uneven row blocks and split columns: rows of one sample span chunks.
    return da.from_array(X, chunks=(220, 4))


def _pools(data, memmap):
    return {"memmap": memmap, "dask": _dask(data[0])}


STRATEGIES = {
    "margin": lambda: UncertaintySampling(LogisticRegression(), measure="margin"),
    "entropy": lambda: UncertaintySampling(measure="entropy"),
    # Vote entropy of 3 members takes a handful of values: ties everywhere,
    # so the seeded tie-breaking must be that of the pool in memory.
    "qbc": lambda: QueryByCommittee(n_members=3, measure="vote_entropy"),
    "random": lambda: RandomSampling(),
}


def _assert_same_run(a, b):
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)
    np.testing.assert_array_equal(a.y_labeled_, b.y_labeled_)
    np.testing.assert_array_equal(a.X_labeled_, b.X_labeled_)
    for ra, rb in zip(a.history_, b.history_, strict=True):
        np.testing.assert_array_equal(ra["queried"], rb["queried"])


# ---------------------------------------------------------------------------
# the same picks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["memmap", "dask"])
@pytest.mark.parametrize("name", list(STRATEGIES))
def test_fit_same_picks_as_in_memory(data, memmap, kind, name):
    X, y = data
    params = dict(batch_size=7, budget=30, initial_size=6, random_state=3)
    ref = ActiveLearner(STRATEGIES[name](), **params).fit(X, y)
    al = ActiveLearner(STRATEGIES[name](), **params).fit(_pools(data, memmap)[kind], y)
    _assert_same_run(al, ref)
    # Indices are rows of the user's X, and the labeled set is in memory.
    assert type(al.X_labeled_) is np.ndarray
    np.testing.assert_array_equal(al.X_labeled_, X[al.labeled_indices_])
    assert al.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(al.predict(X[:50]), ref.predict(X[:50]))


@pytest.mark.parametrize("kind", ["memmap", "dask"])
@pytest.mark.parametrize("name", ["margin", "qbc", "random"])
def test_query_teach_same_picks_as_in_memory(data, memmap, kind, name):
    X, y = data
    lazy = _pools(data, memmap)[kind]
    start = np.array([0, 1, 2, 3, 4, 5])

    def run(X_all, use_candidates):
        al = ActiveLearner(STRATEGIES[name](), batch_size=5, random_state=1)
        al.teach(X_all[start], y[start], indices=start)
        for _ in range(3):
            pool = np.setdiff1d(np.arange(len(y)), al.labeled_indices_)
            if use_candidates:
                idx = al.query(X_all, candidates=pool)
            else:
                idx = pool[al.query(X[pool])]
            al.teach(X_all[idx], y[idx], indices=idx)
        return al

    ref = run(X, use_candidates=False)
    al = run(lazy, use_candidates=True)
    np.testing.assert_array_equal(al.labeled_indices_, ref.labeled_indices_)
    np.testing.assert_array_equal(al.X_labeled_, ref.X_labeled_)
    assert type(al.X_labeled_) is np.ndarray
    # query on the whole pool: indices into it, the same as in memory.
    np.testing.assert_array_equal(al.query(lazy, batch_size=9),
                                  ref.query(X, batch_size=9))


@pytest.mark.parametrize("name", ["margin", "qbc", "random"])
def test_strategy_query_same_picks(data, memmap, name):
    X, y = data
    s = STRATEGIES[name]().set_params(random_state=0).fit(X[:60], y[:60])
    candidates = np.flatnonzero(np.random.RandomState(1).rand(len(y)) < 0.7)
    for batch_size in (1, 2, 40, len(y)):
        expected = s.query(X, batch_size=batch_size)
        for lazy in (memmap, _dask(X)):
            np.testing.assert_array_equal(s.query(lazy, batch_size=batch_size),
                                          expected)
    # Candidates in any order, few or most of the rows.
    for cand in (candidates, candidates[::-1].copy(), candidates[:50]):
        expected = s._query_candidates(X, cand, 8)
        for lazy in (memmap, _dask(X)):
            np.testing.assert_array_equal(s._query_candidates(lazy, cand, 8),
                                          expected)


def test_small_blocks_same_picks(data, memmap):
    """A memmap read in many blocks (working_memory) merges to the same batch."""
    X, y = data
    s = QueryByCommittee(n_members=3, measure="vote_entropy",
                         random_state=0).fit(X[:60], y[:60])
    with config_context(working_memory=0.01):
        assert len(row_blocks(memmap, 8 * (X.shape[1] + 6))) > 10
        for batch_size in (1, 3, 30):
            np.testing.assert_array_equal(s.query(memmap, batch_size=batch_size),
                                          s.query(X, batch_size=batch_size))
        np.testing.assert_allclose(s.score_samples(memmap), s.score_samples(X))


class _Perturbed(UncertaintySampling):
    """A batch drawn from every score (not their top): all scores come back."""

    def _select(self, scores, batch_size, rng):
        return top_k(scores + rng.gumbel(size=scores.shape[0]), batch_size, rng)


def test_custom_select_same_picks(data, memmap):
    X, y = data
    s = _Perturbed(random_state=0).fit(X[:60], y[:60])
    cand = np.arange(100, 1400)
    for lazy in (memmap, _dask(X)):
        np.testing.assert_array_equal(s.query(lazy, batch_size=6),
                                      s.query(X, batch_size=6))
        np.testing.assert_array_equal(s._query_candidates(lazy, cand, 6),
                                      s._query_candidates(X, cand, 6))


def test_block_tops_merge_to_the_top_k():
    """Pruning blocks to their top-k (ties kept) loses nothing top_k looks at."""
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        scores = rng.integers(0, 5, n).astype(float)  # many ties
        if trial % 3 == 0:
            scores[rng.random(n) < 0.2] = np.nan
        k = int(rng.integers(1, n + 1))
        cuts = (np.sort(rng.choice(np.arange(1, n), size=min(n - 1, 3),
                                   replace=False)) if n > 1 else [])
        rows, kept = [], []
        for part in np.split(np.arange(n), cuts):
            s = _selection_scores(scores[part])
            keep = _top_candidates(s, k)
            rows.append(part[keep])
            kept.append(s[keep])
        rows, kept = np.concatenate(rows), np.concatenate(kept)
        keep = _top_candidates(kept, k)  # one merge node
        got = rows[keep][_top_k_of(kept[keep], k, np.random.default_rng(trial), n)]
        expected = top_k(scores, k, np.random.default_rng(trial))
        np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------
# only the labeled rows are read
# ---------------------------------------------------------------------------
def _counting_dask(X, rows_per_chunk):
    """A dask array whose chunks record each time they are computed."""
    loads = []
    n_chunks = -(-X.shape[0] // rows_per_chunk)
    chunks = tuple(min(rows_per_chunk, X.shape[0] - i * rows_per_chunk)
                   for i in range(n_chunks))

    def load(block_id=None):
        i = block_id[0]
        loads.append(i)
        return X[i * rows_per_chunk:(i + 1) * rows_per_chunk]

    Xd = da.map_blocks(load, chunks=(chunks, (X.shape[1],)), dtype=X.dtype)
    return Xd, loads


def test_take_rows_reads_only_their_chunks(data):
    X, _ = data
    Xd, loads = _counting_dask(X, 100)
    rows = np.array([1203, 5, 7, 1210])
    np.testing.assert_array_equal(take_rows(Xd, rows), X[rows])
    assert sorted(loads) == [0, 12]
    np.testing.assert_array_equal(take_rows(X, rows), X[rows])
    assert take_rows(Xd, []).shape == (0, X.shape[1])


def test_fit_reads_only_labeled_rows(data, memmap, monkeypatch):
    """Each labeled row is gathered once; the pool is only scored."""
    X, y = data
    gathered = []

    def spy(X_, rows):
        gathered.append(np.asarray(rows).copy())
        return take_rows(X_, rows)

    monkeypatch.setattr(learner_module, "take_rows", spy)
    Xd, loads = _counting_dask(X, 100)
    # Nothing may turn the whole dask array into a NumPy array.
    monkeypatch.setattr(type(Xd), "__array__", _refuse, raising=False)
    al = ActiveLearner(UncertaintySampling(), batch_size=10, budget=40,
                       random_state=0).fit(Xd, y)
    np.testing.assert_array_equal(np.concatenate(gathered), al.labeled_indices_)
    # Chunks computed: each round scores every chunk once (4 queries), the
    # gathers read only chunks holding labeled rows.
    n_chunks = 15
    touched = sum(np.unique(g // 100).shape[0] for g in gathered)
    assert len(loads) == 4 * n_chunks + touched

    gathered.clear()
    al = ActiveLearner(UncertaintySampling(), batch_size=10, budget=40,
                       random_state=0).fit(memmap, y)
    np.testing.assert_array_equal(np.concatenate(gathered), al.labeled_indices_)


def _refuse(self, *args, **kwargs):
    raise AssertionError("the whole out-of-core pool was materialised")


def test_memmap_peak_memory_is_one_block(tmp_path):
    """Driver memory: one block, the labeled set and a few bytes per row.

    The loop's own bookkeeping (the initial draw, the pool's indices and
    mask) costs about 18 bytes per row whatever the number of features;
    the pool itself (400 bytes per row here) is never copied.
    """
    rng = np.random.RandomState(0)
    X = rng.randn(20_000, 50)  # 8 MB
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "X.npy"
    np.save(path, X)
    Xm = np.load(path, mmap_mode="r")
    al = ActiveLearner(UncertaintySampling(), batch_size=10, budget=20,
                       random_state=0)
    with config_context(working_memory=0.5):  # blocks of ~1000 rows
        tracemalloc.start()
        try:
            al.fit(Xm, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < X.nbytes / 8, peak
    ref = ActiveLearner(UncertaintySampling(), batch_size=10, budget=20,
                        random_state=0).fit(X, y)
    np.testing.assert_array_equal(al.labeled_indices_, ref.labeled_indices_)


def test_warm_start_and_stopping_same_as_in_memory(data, memmap):
    from skactive.stopping import MaxUncertainty

    X, y = data
    params = dict(batch_size=5, budget=20, random_state=0,
                  stopping=MaxUncertainty(threshold=0.05))
    ref = ActiveLearner(UncertaintySampling(), **params).fit(X, y)
    for lazy in (memmap, _dask(X)):
        al = ActiveLearner(UncertaintySampling(), **params).fit(lazy, y)
        _assert_same_run(al, ref)
        assert al.stop_reason_ == ref.stop_reason_
        ref2 = ref.set_params(budget=30, warm_start=True).fit(X, y)
        al.set_params(budget=30, warm_start=True).fit(lazy, y)
        _assert_same_run(al, ref2)
        ref.set_params(budget=20, warm_start=False).fit(X, y)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------
def test_whole_pool_strategies_refuse_a_dask_pool(data):
    X, y = data
    with pytest.raises(ValueError, match="needs the whole pool in memory.*compute"):
        ActiveLearner(DensityWeighted(), budget=5).fit(_dask(X), y)
    al = ActiveLearner(DensityWeighted(), budget=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="needs the whole pool in memory"):
        al.query(_dask(X))


# ---------------------------------------------------------------------------
# CoreSet and BADGE: exact greedy selection shard by shard
# ---------------------------------------------------------------------------
SHARDED = {
    "coreset": lambda: CoreSet(random_state=0),
    "coreset-input": lambda: CoreSet(embedding="input", random_state=0),
    "coreset-callable": lambda: CoreSet(embedding=lambda X: X[:, :3] * 2.0,
                                        random_state=0),
    "badge": lambda: BADGE(random_state=0),
    "badge-first-random": lambda: BADGE(first="random", random_state=0),
    "coreset-prefilter": lambda: CoreSet(prefilter=300, random_state=0),
    "badge-prefilter-uncertainty": lambda: BADGE(
        prefilter=300, prefilter_by="uncertainty", random_state=0),
}


@pytest.fixture(scope="module")
def small_blocks_memmap(data, tmp_path_factory):
    """A memmap read in many blocks (working_memory shrunk in the tests)."""
    path = tmp_path_factory.mktemp("pool") / "X_offset.npy"
    # An offset that dominates the spread: the pool must be centred from
    # statistics summed over the shards.
    np.save(path, (data[0] + 40.0).astype(np.float32))
    return np.load(path, mmap_mode="r")


@pytest.mark.parametrize("name", list(SHARDED))
def test_sharded_selection_same_picks_in_memory_dask_memmap(data, memmap, name):
    X, y = data
    s = SHARDED[name]().fit(X[:20], y[:20])
    ref = s.query(X, batch_size=12)
    assert len(set(ref.tolist())) == 12
    for kind, pool in _pools(data, memmap).items():
        np.testing.assert_array_equal(s.query(pool, batch_size=12), ref, err_msg=kind)
    # The memmap cut into 7 blocks: one shard each.
    with config_context(working_memory=0.01):
        assert len(row_blocks(memmap, 8 * X.shape[1])) == 7
        np.testing.assert_array_equal(s.query(memmap, batch_size=12), ref)


@pytest.mark.parametrize("name", ["coreset", "badge", "coreset-prefilter"])
def test_sharded_selection_through_the_loop(data, memmap, name):
    X, y = data
    params = dict(batch_size=6, budget=40, random_state=0)
    ref = ActiveLearner(SHARDED[name](), **params).fit(X, y)
    for kind, pool in _pools(data, memmap).items():
        al = ActiveLearner(SHARDED[name](), **params).fit(pool, y)
        _assert_same_run(al, ref)


def test_sharded_coreset_centres_an_offset_pool_like_in_memory(data,
                                                               small_blocks_memmap):
    X, y = data
    X32 = np.asarray(small_blocks_memmap)
    s = CoreSet(random_state=0).fit(X32[:20], y[:20])
    ref = s.query(X32[20:], batch_size=15)
    with config_context(working_memory=0.01):
        got = s._query_candidates(small_blocks_memmap, np.arange(20, len(X)), 15)
    np.testing.assert_array_equal(got, ref + 20)


def test_sharded_selection_never_picks_rows_outside_the_candidates(data, memmap):
    X, y = data
    candidates = np.arange(0, len(X), 3)
    for s in (CoreSet(random_state=0), BADGE(first="random", random_state=0)):
        s.fit(X[:20], y[:20])
        ref = candidates[s.query(X[candidates], batch_size=30)]
        for pool in _pools(data, memmap).values():
            got = s._query_candidates(pool, candidates, 30)
            np.testing.assert_array_equal(got, ref)
            assert np.isin(got, candidates).all()


def test_sharded_coreset_without_labeled_centres_and_ties(data):
    # Duplicated rows tie on every distance: the seeded tie-breaking must
    # run over the rows of all shards in row order, as in memory.
    X = np.repeat(np.random.RandomState(1).randn(50, 3), 8, axis=0)
    s = CoreSet(embedding=lambda Z: Z, random_state=3).fit(X[:4], [0, 1, 0, 1])
    s.X_labeled_embedding_ = np.empty((0, 3))
    ref = s.query(X, batch_size=20)
    np.testing.assert_array_equal(s.query(da.from_array(X, chunks=(37, 3)), 20), ref)


def test_sharded_coreset_keeps_a_memmap_pool_out_of_memory(tmp_path):
    # Zero-mean input features: the shards keep views of the file, so the
    # peak is a few running vectors and one distance block, not the pool.
    rng = np.random.RandomState(0)
    path = tmp_path / "big.npy"
    np.save(path, rng.randn(40_000, 64))
    pool = np.load(path, mmap_mode="r")
    s = CoreSet(embedding="input", random_state=0).fit(pool[:30], np.arange(30) % 2)
    tracemalloc.start()
    try:
        s.query(pool, batch_size=20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < pool.nbytes / 2, (peak, pool.nbytes)


def test_sharded_selection_checks_each_block(data, tmp_path):
    X, y = data
    bad = X.copy()
    bad[1234, 2] = np.nan
    path = tmp_path / "nan.npy"
    np.save(path, bad)
    for s in (CoreSet(), BADGE()):
        s.fit(X[:20], y[:20])
        with pytest.raises(ValueError, match="NaN"):
            s.query(np.load(path, mmap_mode="r"), batch_size=3)
        with pytest.raises(ValueError, match="NaN"):
            s.query(da.from_array(bad, chunks=300), batch_size=3)
        with pytest.raises(ValueError, match="features"):
            s.query(da.from_array(X[:, :4], chunks=300), batch_size=3)


def test_whole_pool_strategy_reads_a_memmap_in_place(data, memmap):
    X, y = data
    a = ActiveLearner(DensityWeighted(), batch_size=4, budget=8,
                      random_state=0).fit(memmap, y)
    b = ActiveLearner(DensityWeighted(), batch_size=4, budget=8,
                      random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)


def test_lazy_input_errors(data):
    X, y = data
    al = ActiveLearner(budget=5)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        al.fit(_dask(X)[_dask(X)[:, 0] > 0], y)
    with pytest.raises(ValueError, match="2D"):
        al.fit(da.from_array(X[:, 0], chunks=100), y)
    with pytest.raises(ValueError, match="must hold numbers"):
        al.fit(da.from_array(X.astype(str), chunks=100), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        al.fit(_dask(X), y[:-1])
    al.set_params(random_state=0).fit(_dask(X), y)
    with pytest.raises(ValueError, match="features"):
        al.query(_dask(X[:, :3]))
    with pytest.raises(ValueError, match="larger than the pool"):
        al.query(_dask(X[:5]), batch_size=6)
    with pytest.raises(ValueError, match="candidates has repeated"):
        al.query(_dask(X), candidates=[1, 1])
    # NaN is caught where it is read: the block being scored.
    X_nan = X.copy()
    X_nan[1000, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        al.query(_dask(X_nan))
    with pytest.raises(ValueError, match="NaN"):
        ActiveLearner(budget=5, initial=np.arange(10)).fit(
            _dask(X_nan), np.where(np.arange(len(y)) == 1000, 1, y))


def test_is_out_of_core_and_shape_check(data, memmap):
    X, _ = data
    assert is_out_of_core(memmap) and is_out_of_core(_dask(X))
    assert not is_out_of_core(X) and not is_out_of_core(memmap[:10] + 0)
    assert check_out_of_core(_dask(X)) == X.shape
    with pytest.raises(ValueError, match="expecting 5 features"):
        check_out_of_core(memmap, n_features=5)


def test_zarr_pool(data):
    zarr = pytest.importorskip("zarr")
    X, y = data
    if hasattr(zarr, "create_array"):
        Xz = zarr.create_array(store={}, shape=X.shape, chunks=(128, 6),
                               dtype=X.dtype)
    else:  # pragma: no cover - zarr 2
        Xz = zarr.zeros(X.shape, chunks=(128, 6), dtype=X.dtype)
    Xz[:] = X
    assert is_out_of_core(Xz)
    params = dict(batch_size=7, budget=21, random_state=0)
    al = ActiveLearner(QueryByCommittee(n_members=3), **params).fit(Xz, y)
    ref = ActiveLearner(QueryByCommittee(n_members=3), **params).fit(X, y)
    _assert_same_run(al, ref)
    np.testing.assert_array_equal(take_rows(Xz, [900, 3]), X[[900, 3]])
    assert all((b - a) % 128 == 0 for a, b in row_blocks(Xz, 8 * 8)[:-1])


def test_dask_pool_on_a_local_cluster(data):
    """The blocks are scored on the workers; the picks stay the same."""
    distributed = pytest.importorskip("distributed")
    X, y = data
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        params = dict(batch_size=7, budget=21, random_state=0)
        for name in ("margin", "qbc"):
            ref = ActiveLearner(STRATEGIES[name](), **params).fit(X, y)
            al = ActiveLearner(STRATEGIES[name](), **params).fit(_dask(X), y)
            _assert_same_run(al, ref)
            np.testing.assert_array_equal(al.query(_dask(X)), ref.query(X))
    finally:
        client.close()
        cluster.close()


def test_mc_dropout_pools_are_read_whole_and_pick_as_in_memory(tmp_path):
    """MC draws change the shared network: no concurrent block scoring."""
    pytest.importorskip("torch")
    from skactive import MCDropout
    from skactive.nets import make_mlp

    rng = np.random.RandomState(0)
    X = rng.rand(400, 8).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(int)
    s = MCDropout(make_mlp(max_epochs=5, random_state=0),
                  measure="variation_ratio", n_samples=5,
                  random_state=0).fit(X[:40], y[:40])
    expected = s.query(X, 10)  # variation ratio: many ties at the top
    path = tmp_path / "pool.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r")
    dX = da.from_array(X, chunks=50)
    np.testing.assert_array_equal(s.query(mm, 10), expected)
    np.testing.assert_array_equal(s.query(dX, 10), expected)
    np.testing.assert_array_equal(s.score_samples(dX), s.score_samples(X))
    al = ActiveLearner(s, batch_size=5, budget=10, random_state=0)
    with pytest.raises(ValueError, match="block by block"):
        al.fit(dX, y)
    ref = ActiveLearner(s, batch_size=5, budget=10, random_state=0).fit(X, y)
    np.testing.assert_array_equal(al.fit(mm, y).labeled_indices_,
                                  ref.labeled_indices_)


# ---------------------------------------------------------------------------
# predict, score and eval_set on an out-of-core X
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("scoring", [None, "roc_auc", "neg_log_loss"])
def test_eval_set_out_of_core_scores_as_in_memory(data, memmap, scoring):
    X, y = data
    params = dict(batch_size=5, budget=20, random_state=0, scoring=scoring)
    ref = ActiveLearner(eval_set=(X, y), **params).fit(X, y)
    for pool in _pools(data, memmap).values():
        y_eval = da.from_array(y, chunks=300) if hasattr(pool, "dask") else y
        al = ActiveLearner(eval_set=(pool, y_eval), **params).fit(pool, y)
        assert [h["score"] for h in al.history_] == [h["score"] for h in ref.history_]


def test_predict_out_of_core_block_by_block(data, memmap):
    X, y = data
    al = ActiveLearner(batch_size=5, budget=20, random_state=0).fit(X, y)
    lazy = _dask(X)
    for method in ("predict", "predict_proba", "predict_log_proba",
                   "decision_function"):
        ref = getattr(al, method)(X)
        out = getattr(al, method)(lazy)
        assert isinstance(out, da.Array)  # stays lazy, as ParallelPostFit
        np.testing.assert_allclose(out.compute(), ref)
        got = getattr(al, method)(memmap)
        assert type(got) is np.ndarray
        np.testing.assert_allclose(got, ref)
    assert al.score(memmap, y) == al.score(lazy, y) == al.score(X, y)
    with config_context(working_memory=0.01):
        # Many blocks, none the whole pool.
        np.testing.assert_array_equal(al.predict(memmap), al.predict(X))


def test_predict_out_of_core_checks_each_block(data, tmp_path):
    X, y = data
    al = ActiveLearner(batch_size=5, budget=10, random_state=0).fit(X, y)
    bad = X.copy()
    bad[1400, 1] = np.inf
    np.save(tmp_path / "bad.npy", bad)
    with pytest.raises(ValueError, match="infinity"):
        al.predict(np.load(tmp_path / "bad.npy", mmap_mode="r"))
    with pytest.raises(ValueError, match="infinity"):
        al.predict_proba(da.from_array(bad, chunks=500)).compute()
    with pytest.raises(ValueError, match="features"):
        al.predict(da.from_array(X[:, :3], chunks=500))


def test_sharded_selection_unsorted_candidates_follow_their_order(data, memmap):
    X, y = data
    cand = np.random.RandomState(3).permutation(np.arange(50, 1500))[:600]
    for s in (BADGE(first="random", random_state=0), CoreSet(prefilter=100,
                                                            random_state=0)):
        s.fit(X[:20], y[:20])
        ref = cand[s.query(X[cand], batch_size=5)]
        for pool in _pools(data, memmap).values():
            np.testing.assert_array_equal(s._query_candidates(pool, cand, 5), ref)


def test_zero_row_chunks_of_a_filtered_dask_pool(data):
    X, y = data
    pool = da.from_array(X[:600], chunks=100)
    pool = pool[da.arange(600, chunks=100) >= 200].compute_chunk_sizes()
    assert pool.chunks[0][:2] == (0, 0)
    for s in (CoreSet(prefilter=300, prefilter_by="uncertainty", random_state=0),
              BADGE(random_state=0),
              UncertaintySampling(measure="margin", random_state=0)):
        s.fit(X[:20], y[:20])
        np.testing.assert_array_equal(s.query(pool, batch_size=7),
                                      s.query(X[200:600], batch_size=7))


def test_lazy_eval_set_needs_a_scoring_for_a_custom_score(data, memmap):
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data

    class F1Logistic(LogisticRegression):
        def score(self, X, y, sample_weight=None):
            return f1_score(y, self.predict(X))

    params = dict(batch_size=5, budget=15, random_state=0)
    with pytest.raises(ValueError, match="score method of its own.*scoring="):
        ActiveLearner(RandomSampling(F1Logistic()), eval_set=(memmap, y),
                      **params).fit(X, y)
    # An explicit scorer works, and a Pipeline ending in a plain classifier
    # keeps the default (accuracy), as in memory.
    for estimator, scoring in ((F1Logistic(), "f1"),
                               (make_pipeline(StandardScaler(),
                                              LogisticRegression()), None)):
        ref = ActiveLearner(RandomSampling(estimator), eval_set=(X, y),
                            scoring=scoring, **params).fit(X, y)
        al = ActiveLearner(RandomSampling(estimator), eval_set=(memmap, y),
                           scoring=scoring, **params).fit(X, y)
        assert [h["score"] for h in al.history_] == [h["score"] for h in ref.history_]


def test_lazy_eval_set_with_a_dataframe_pool_selecting_columns(data, memmap):
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    df = pd.DataFrame(X, columns=list("abcdef"))
    clf = make_pipeline(ColumnTransformer([("s", StandardScaler(), ["a", "b"])]),
                        LogisticRegression())
    params = dict(batch_size=5, budget=15, random_state=0)
    ref = ActiveLearner(RandomSampling(clf), eval_set=(X, y), **params).fit(df, y)
    al = ActiveLearner(RandomSampling(clf), eval_set=(memmap, y), **params).fit(df, y)
    assert [h["score"] for h in al.history_] == [h["score"] for h in ref.history_]
    np.testing.assert_array_equal(al.predict(memmap), ref.predict(X))


def test_predict_on_an_empty_lazy_array_is_a_clear_error(data):
    X, y = data
    al = ActiveLearner(batch_size=5, budget=10, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="0 sample"):
        al.predict(da.from_array(X[:0], chunks=10))


@pytest.mark.parametrize("make", [
    lambda: CoreSet(random_state=0),
    lambda: UncertaintySampling(measure="margin", random_state=0),
], ids=["coreset", "margin"])
def test_dataframe_fitted_strategy_warns_once_per_lazy_query(data, memmap, make):
    pd = pytest.importorskip("pandas")
    import warnings

    X, y = data
    s = make().fit(pd.DataFrame(X[:30], columns=list("abcdef")), y[:30])
    for pool in _pools(data, memmap).values():
        with warnings.catch_warnings(record=True) as caught, \
                config_context(working_memory=0.01):
            warnings.simplefilter("always")
            s.query(pool, batch_size=5)
        names = [w for w in caught if "valid feature names" in str(w.message)]
        assert len(names) == 1, [str(w.message) for w in caught]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reads the size only: nothing to say
        RandomSampling().fit(pd.DataFrame(X[:30]), y[:30]).query(memmap, 5)
