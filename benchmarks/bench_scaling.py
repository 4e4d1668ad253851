"""Margin, CoreSet and BADGE from 10^4 to 10^7 pool rows: seconds, memory, exponent.

``test_scaling_query``: one query (batch 10) of each strategy on a
16-feature float64 pool of 10^4, 10^5, 10^6 and 10^7 rows (times
``SKACTIVE_BENCH_SCALE``), held as a :class:`numpy.memmap` (the file written
once per session, then in the page cache) and, interleaved as the
reference, in memory. The classifier is a ``LogisticRegression`` fitted on
100 labeled rows and used as it is (``refit=False``): the query is what is
timed. The strategies:

* ``margin``: ``UncertaintySampling(measure="margin")``, scored block by
  block (a per-row score);
* ``coreset``: ``CoreSet(embedding="input")``, greedy k-center over the
  memmap's blocks, one shard each (views of the file);
* ``badge``: ``BADGE``, k-means++ seeding on the gradient factors, one
  shard per block.

Reported per case: seconds per query on the memmap and in memory, the
tracemalloc peak (what the query allocates; the memmap's pages are the
page cache's), bytes per pool row, whether the picks equal those of the pool
in memory, and the scaling exponent of the query time in the pool size
(log-log least squares over the sizes run so far). For CoreSet the time of
one greedy step is also reported, ``(t(batch=41) - t(batch=1)) / 40``, with
its exponent over all sizes and over the pools of 10^6 rows and more (a
step is a pass over the pool: smaller pools run from the CPU's caches,
which bends the curve at the small end). Targets (the issue's goal):
exponent <= 1.05 for margin's query and for a CoreSet step over 10^6 rows
and more; the full CoreSet and BADGE queries are reported.

Memory always asserts: margin stays within two blocks of working memory
whatever the pool's size; CoreSet and BADGE hold a few float64 vectors per
row (CoreSet: the running minimum and squared norms, 16 B/row; BADGE: the
``C``-class factor ``a``, the squared norms, the running minimum and its
cumulative sum, ``(C + 3)·8`` B/row) and never a copy of the pool.
"""

import time

import numpy as np
import pytest

from _common import (
    lazy_vs_memory_fields,
    linear_pool,
    query_lazy_vs_memory,
    scaled,
    scaling_exponent,
)
from skactive import BADGE, CoreSet, UncertaintySampling
from skactive.utils._out_of_core import MAX_BLOCK_MIB

N_FEATURES = 16
N_LABELED = 100
BATCH = 10
STEPS = 40  # greedy steps timed for the per-step cost
#: Pools this large no longer fit in the CPU's caches: the exponent over
#: them is that of memory-bound steps (smaller pools run from cache).
MEMORY_BOUND_ROWS = 1_000_000
EXPONENT_TARGET = 1.05
SIZES = sorted({scaled(10_000), scaled(100_000), scaled(1_000_000),
                scaled(10_000_000)})
BLOCK_BYTES = MAX_BLOCK_MIB * 2**20

_TIMES = {}  # (strategy, kind) -> {n: median seconds}


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    """The largest pool on disk and in memory, and the fitted strategies."""
    path = tmp_path_factory.mktemp("scaling") / "pool.npy"
    X_mm, X_mem, _, labeled, y_lab, lr = linear_pool(
        path, max(SIZES), N_FEATURES, N_LABELED)
    X_lab = X_mem[labeled]
    strategies = {
        "margin": UncertaintySampling(lr, measure="margin", refit=False),
        "coreset": CoreSet(lr, embedding="input", refit=False),
        "badge": BADGE(lr, refit=False),
    }
    for s in strategies.values():
        s.set_params(random_state=0).fit(X_lab, y_lab)
    return X_mem, X_mm, strategies


def _step_seconds(strategy, X, rounds):
    """Median seconds of one CoreSet greedy step.

    ``(t(batch=1 + STEPS) - t(batch=1)) / STEPS``: the difference leaves the
    steps alone (the distances to the labeled set, the statistics and the
    shards' set-up are in both).
    """
    steps = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        strategy.query(X, batch_size=1)
        t1 = time.perf_counter()
        strategy.query(X, batch_size=1 + STEPS)
        t2 = time.perf_counter()
        steps.append(max((t2 - t1) - (t1 - t0), 0.0) / STEPS)
    return float(np.median(steps))


@pytest.mark.parametrize("n_pool", SIZES)
@pytest.mark.parametrize("name", ["margin", "coreset", "badge"])
@pytest.mark.benchmark(group="scaling")
def test_scaling_query(pool, name, n_pool, paired, measure_peak, report):
    X_mem, X_mm, strategies = pool
    strategy = strategies[name]
    X_in, X_lazy = X_mem[:n_pool], X_mm[:n_pool]
    res, same, peak, peak_mem = query_lazy_vs_memory(
        strategy, X_lazy, X_in, BATCH, paired, measure_peak)
    times = _TIMES.setdefault((name, "memmap"), {})
    times[n_pool] = res.median()
    _TIMES.setdefault((name, "in_memory"), {})[n_pool] = res.median("in_memory")
    fields = {
        **lazy_vs_memory_fields(res, same, peak, peak_mem, X_in),
        "exponent": scaling_exponent(times),
    }
    target_field = "exponent"
    if name == "coreset":
        steps = _TIMES.setdefault(("coreset", "step"), {})
        steps[n_pool] = _step_seconds(strategy, X_lazy, 3)
        fields["step_s"] = steps[n_pool]
        fields["step_exponent"] = scaling_exponent(steps)
        fields["step_exp_1e6+"] = scaling_exponent(steps, MEMORY_BOUND_ROWS)
        # The target is the memory-bound range: a step is one pass over the
        # pool, and below 10^6 rows that pass runs from the CPU's caches.
        target_field = "step_exp_1e6+"
    target = None
    if name in ("margin", "coreset") and fields[target_field] is not None:
        target = (target_field, EXPONENT_TARGET)
    report("scaling", f"{name} memmap n={n_pool:,} d={N_FEATURES} b={BATCH}",
           fields, target=target)
    assert same
    if name == "margin":
        assert peak <= 2 * BLOCK_BYTES, peak
    elif name == "coreset":
        assert peak <= 16 * n_pool + 2 * BLOCK_BYTES, peak
    else:
        n_classes = len(strategy.classes_)
        assert peak <= (n_classes + 3) * 8 * n_pool + 2 * BLOCK_BYTES, peak


# --------------------------------------------------------------------------
# on a GPU (skipped without CUDA)
# --------------------------------------------------------------------------
GPU_ROWS, GPU_DIMS, GPU_BATCH, GPU_LABELED = scaled(1_000_000), 512, 1000, 100
GPU_TARGET_S = 10.0


@pytest.mark.benchmark(group="scaling-gpu")
def test_coreset_on_gpu(report):
    """``CoreSet(device=...)``: 10^6 x 512 float32 embeddings on the GPU, batch 1000.

    The embedding lives on the device (a callable that gathers rows of a
    device tensor, as a network's ``embed(as_tensor=True)`` gives it); the
    query's seconds include the distances to 100 labeled centres and the
    1000 greedy steps. Target: under 10 s on one GPU. The picks of the first
    20 steps are checked against the NumPy rule on the same data.
    """
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device (torch.cuda.is_available() is False)")
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(0)
    E = torch.randn(GPU_ROWS, GPU_DIMS, device=device, generator=gen)

    def embedding(X):
        rows = torch.as_tensor(np.asarray(X)[:, 0], device=device).long()
        return E[rows]

    rows = np.arange(GPU_ROWS, dtype=np.float64)[:, None]
    X_lab, X_pool = rows[:GPU_LABELED], rows[GPU_LABELED:]
    y_lab = np.arange(GPU_LABELED) % 2
    s = CoreSet(embedding=embedding, random_state=0).fit(X_lab, y_lab)
    s.query(X_pool[:10_000], batch_size=10)  # warm-up: kernels, allocator
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    picks = s.query(X_pool, batch_size=GPU_BATCH)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    ref = CoreSet(embedding=lambda X: E.cpu().numpy()[np.asarray(X)[:, 0].astype(int)],
                  random_state=0).fit(X_lab, y_lab)
    same = np.array_equal(ref.query(X_pool, batch_size=20), picks[:20])
    report("scaling-gpu", f"coreset cuda n={GPU_ROWS:,} d={GPU_DIMS} b={GPU_BATCH}",
           {"seconds": seconds, "device": torch.cuda.get_device_name(device),
            "peak_MiB": torch.cuda.max_memory_allocated(device) / 2**20,
            "same_first_20": same},
           target=("seconds", GPU_TARGET_S))
    assert len(set(picks.tolist())) == GPU_BATCH
