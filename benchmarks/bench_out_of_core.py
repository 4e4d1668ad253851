"""Out-of-core pools: margin sampling on a memmap and a dask pool.

1. ``test_out_of_core_query``: ``UncertaintySampling(LogisticRegression(),
   measure="margin", refit=False).query(X_pool, 10)`` on a 16-feature
   float64 pool of 10^5, 10^6 and 10^7 rows (times
   ``SKACTIVE_BENCH_SCALE``) held three ways: in memory (the reference,
   interleaved), as a :class:`numpy.memmap` (``np.load(mmap_mode="r")``)
   and as a dask array over that memmap (row chunks of 2^17 rows, 16 MiB;
   dask's threaded scheduler). Reports seconds and the tracemalloc peak per
   query, whether the picks are those of the pool in memory, and the
   scaling exponent in the pool size fitted over the sizes run so far
   (log-log least squares of the median times). Target: exponent <= 1.05.
   The memory check always asserts: an out-of-core query's peak stays
   within two blocks of working memory (128 MiB) whatever the pool's size
   (one block per thread and the per-block top-k, nothing O(n)).
2. ``test_out_of_core_loop``: ``ActiveLearner(UncertaintySampling(margin),
   batch_size=10, budget=20).fit`` on the largest pool, in memory against
   the memmap: the whole loop (validation, labeled-row gathering, two
   queries) and its peak.

The file is written once per session to a temporary folder and is in the
page cache when queried: the memmap times are those of a warm cache, not of
a disk. tracemalloc counts what the process allocates, not the file pages
the memmap maps (those are the page cache's, shared and reclaimable).
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from _common import (
    lazy_vs_memory_fields,
    linear_pool,
    query_lazy_vs_memory,
    scaled,
    scaling_exponent,
)
from skactive import ActiveLearner, UncertaintySampling
from skactive.utils._out_of_core import MAX_BLOCK_MIB

da = pytest.importorskip("dask.array")

N_FEATURES = 16
N_LABELED = 100
BATCH = 10
DASK_CHUNK_ROWS = 2**17
EXPONENT_TARGET = 1.05
SIZES = sorted({scaled(100_000), scaled(1_000_000), scaled(10_000_000)})
KINDS = ("memmap", "dask")

_TIMES = {}  # kind -> {n: median seconds}
_PEAKS = {}  # kind -> {n: peak bytes}


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """The largest pool on disk (written block by block) and in memory."""
    path = tmp_path_factory.mktemp("out_of_core") / "pool.npy"
    X_mm, X_mem, w, labeled, y_labeled, lr = linear_pool(
        path, max(SIZES), N_FEATURES, N_LABELED)
    strategy = UncertaintySampling(lr, measure="margin", refit=False,
                                   random_state=0).fit(X_mem[labeled], y_labeled)
    y = (X_mem @ w > 0).astype(int)
    return X_mem, X_mm, y, strategy


def _as(kind, X_mm, n):
    if kind == "memmap":
        return X_mm[:n]
    return da.from_array(X_mm[:n], chunks=(DASK_CHUNK_ROWS, -1))


@pytest.mark.parametrize("n_pool", SIZES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.benchmark(group="out-of-core-query")
def test_out_of_core_query(pool, kind, n_pool, paired, measure_peak, report):
    X_mem, X_mm, _, strategy = pool
    X_in = X_mem[:n_pool]
    X_lazy = _as(kind, X_mm, n_pool)
    res, same, peak, peak_mem = query_lazy_vs_memory(
        strategy, X_lazy, X_in, BATCH, paired, measure_peak)
    _TIMES.setdefault(kind, {})[n_pool] = res.median()
    _TIMES.setdefault("in_memory", {})[n_pool] = res.median("in_memory")
    peaks = _PEAKS.setdefault(kind, {})
    peaks[n_pool] = peak
    exponent = scaling_exponent(_TIMES[kind])
    report(
        "out-of-core-query",
        f"margin {kind} n={n_pool:,} d={N_FEATURES} b={BATCH}",
        {
            **lazy_vs_memory_fields(res, same, peak, peak_mem, X_in),
            "exponent": exponent,
            "in_memory_exp": scaling_exponent(_TIMES["in_memory"]),
        },
        target=("exponent", EXPONENT_TARGET) if exponent is not None else None,
    )
    assert same
    # One block's working memory (a memmap's blocks stay within 64 MiB, a
    # dask array's are its chunks, two at a time on two threads), whatever
    # the pool's size.
    assert peak <= 2 * MAX_BLOCK_MIB * 2**20, peaks


@pytest.mark.benchmark(group="out-of-core-loop")
def test_out_of_core_loop(pool, paired, measure_peak, report):
    X_mem, X_mm, y, strategy = pool

    def learner():
        return ActiveLearner(
            UncertaintySampling(LogisticRegression(), measure="margin"),
            batch_size=BATCH, budget=2 * BATCH, initial_size=10, random_state=0)

    def lazy_fit():
        return learner().fit(X_mm, y).labeled_indices_

    def memory_fit():
        return learner().fit(X_mem, y).labeled_indices_

    res = paired(lazy_fit, {"in_memory": memory_fit}, rounds=2, warmup_rounds=0)
    peak = measure_peak(lazy_fit)
    peak_mem = measure_peak(memory_fit)
    n = X_mem.shape[0]
    same = np.array_equal(res.result, res.ref_results["in_memory"])
    report(
        "out-of-core-loop",
        f"ActiveLearner margin memmap n={n:,} d={N_FEATURES} 2 rounds of {BATCH}",
        lazy_vs_memory_fields(res, same, peak, peak_mem, X_mem),
    )
    assert same
    # The loop's bookkeeping (initial draw, pool indices and mask) is a few
    # bytes per row; the pool (128 B/row here) is never copied.
    assert peak < X_mem.nbytes / 2, peak
