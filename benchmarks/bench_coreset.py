"""CoreSet (greedy k-center) query benchmarks.

1. ``test_coreset_vs_numpy``: skactive ``CoreSet(embedding="input",
   refit=False).query`` on a 10^5 x 128 pool (float32 and float64) with 100
   labelled centres and batch 100, against

   * ``naive`` (the ratio the target applies to): the straightforward numpy
     loop, ``scipy.spatial.distance.cdist`` to the labelled set, then per pick
     ``np.linalg.norm(X - X[i], axis=1)`` and ``np.minimum``;
   * ``gemv`` (context only): the same greedy loop written the fast way in
     plain numpy, in the pool's own dtype: one GEMM for the initial distances,
     then ``sq - 2 X @ x_i + sq_i`` per pick. This is the practical floor.

2. ``test_coreset_peak_memory``: tracemalloc peak of the skactive query at
   pool sizes 2.5e4, 5e4 and 1e5. The peak must grow linearly in the pool
   (peak / n constant within 25%) and stay far below a dense n x n matrix.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from _common import kcenter_naive, scaled
from skactive import CoreSet

N_FEATURES = 128
N_CENTERS = 100
BATCH = 100
NAIVE_TARGET = 1.5  # skactive / naive numpy loop
DTYPES = {"float32": np.float32, "float64": np.float64}


def _make_problem(n_pool, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_pool, N_FEATURES)).astype(dtype, copy=False)
    C = rng.standard_normal((N_CENTERS, N_FEATURES)).astype(dtype, copy=False)
    y_c = np.arange(N_CENTERS) % 2
    lr = LogisticRegression(max_iter=1000).fit(C, y_c)
    strategy = CoreSet(lr, embedding="input", refit=False).fit(C, y_c)
    return X, C, strategy


def kcenter_gemv(X, C, k):
    """The same greedy rule with one GEMM + one GEMV per pick, in X's dtype."""
    sq = np.einsum("ij,ij->i", X, X)
    block = X @ C.T
    block *= -2
    block += np.einsum("ij,ij->i", C, C)[None, :]
    mind = block.min(axis=1)
    mind += sq
    del block
    selected = np.empty(k, dtype=np.intp)
    for t in range(k):
        i = int(np.argmax(mind))
        selected[t] = i
        d = X @ X[i]
        d *= -2
        d += sq
        d += sq[i]
        np.minimum(mind, d, out=mind)
        mind[i] = -1
    return selected


@pytest.fixture(scope="module", params=list(DTYPES))
def coreset_problem(request):
    return request.param, _make_problem(scaled(100_000), DTYPES[request.param])


@pytest.mark.benchmark(group="coreset-vs-numpy")
def test_coreset_vs_numpy(coreset_problem, paired, measure_peak, report):
    dtype_name, (X, C, strategy) = coreset_problem

    def ours():
        return strategy.query(X, batch_size=BATCH)

    res = paired(
        ours,
        {
            "naive": lambda: kcenter_naive(X, C, BATCH),
            "gemv": lambda: kcenter_gemv(X, C, BATCH),
        },
        rounds=3,
        warmup_rounds=0,
    )
    picked = res.result
    assert picked.shape == (BATCH,) and np.unique(picked).shape[0] == BATCH
    agree_naive = float(np.mean(picked == res.ref_results["naive"]))
    agree_gemv = float(np.mean(picked == res.ref_results["gemv"]))
    peak = measure_peak(ours)
    peak_naive = measure_peak(lambda: kcenter_naive(X, C, BATCH))
    report(
        "coreset-vs-numpy",
        f"{dtype_name} n={X.shape[0]:,} d={X.shape[1]} L={C.shape[0]} b={BATCH}",
        {
            "skactive_ms": 1e3 * res.median(),
            "naive_ms": 1e3 * res.median("naive"),
            "ratio": res.ratio("naive"),
            "ratio_min": res.ratio("naive", "min"),
            "gemv_floor_ms": 1e3 * res.median("gemv"),
            "ratio_vs_gemv": res.ratio("gemv"),
            "skactive_MiB": peak / 2**20,
            "naive_MiB": peak_naive / 2**20,
            "same_picks": agree_naive == 1.0 and agree_gemv == 1.0,
        },
        target=("ratio", NAIVE_TARGET),
    )


# --------------------------------------------------------------------------
# peak memory must be (at most) linear in the pool
# --------------------------------------------------------------------------
MEMORY_SIZES = sorted({scaled(25_000), scaled(50_000), scaled(100_000)})
_PEAKS = {}  # dtype -> {n: peak bytes}


@pytest.fixture(scope="module", params=list(DTYPES))
def memory_problem(request):
    dtype = DTYPES[request.param]
    return request.param, _make_problem(max(MEMORY_SIZES), dtype, seed=1)


@pytest.mark.parametrize("n_pool", MEMORY_SIZES)
@pytest.mark.benchmark(group="coreset-memory")
def test_coreset_peak_memory(memory_problem, n_pool, paired, measure_peak, report):
    dtype_name, (X_full, _, strategy) = memory_problem
    X = X_full[:n_pool]

    def ours():
        return strategy.query(X, batch_size=BATCH)

    res = paired(ours, {}, rounds=3, warmup_rounds=1)
    peak = measure_peak(ours)
    peaks = _PEAKS.setdefault(dtype_name, {})
    peaks[n_pool] = peak

    dense = 8.0 * n_pool * n_pool
    sizes = sorted(peaks)
    # Growth no faster than linear: between any two sizes seen so far the peak
    # grows at most as fast as the pool (25% slack for allocator noise). A
    # fixed-size block (the cache-sized distance tile) makes it sub-linear.
    growth = max(
        (peaks[b] / peaks[a]) / (b / a) for a, b in zip(sizes, sizes[1:])
    ) if len(sizes) > 1 else 1.0
    # Marginal bytes per extra pool row: the O(n) state (running minimum,
    # squared norms), independent of n.
    marginal = (
        (peaks[sizes[-1]] - peaks[sizes[0]]) / (sizes[-1] - sizes[0])
        if len(sizes) > 1 else float("nan")
    )
    report(
        "coreset-memory",
        f"{dtype_name} n={n_pool:,} d={X.shape[1]} L={N_CENTERS} b={BATCH}",
        {
            "skactive_ms": 1e3 * res.median(),
            "us_per_row": 1e6 * res.median() / n_pool,
            "peak_MiB": peak / 2**20,
            "peak_B/row": peak / n_pool,
            "peak/(n^2*8)": peak / dense,
            "growth_vs_linear": growth,
            "marginal_B/row": marginal,
        },
    )
    assert growth <= 1.25, peaks
    # Far below a pool x pool matrix (only meaningful once n >> L + d).
    if n_pool >= 20_000:
        assert peak < dense / 50, (peak, dense)
