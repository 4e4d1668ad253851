"""Settings shared by the benchmark modules (read from the environment).

SKACTIVE_BENCH_THREADS : int, default 1
    BLAS/OpenMP threads for the whole session (threadpoolctl).
SKACTIVE_BENCH_SCALE : float, default 1.0
    Multiplies every pool size (e.g. 0.05 for a quick smoke run).
SKACTIVE_BENCH_STRICT : {0, 1}, default 0
    With 1, a timing ratio above its target fails the benchmark.
"""

import os
import platform

import numpy as np
from scipy.spatial.distance import cdist

THREADS = int(os.environ.get("SKACTIVE_BENCH_THREADS", "1"))
SCALE = float(os.environ.get("SKACTIVE_BENCH_SCALE", "1.0"))
STRICT = os.environ.get("SKACTIVE_BENCH_STRICT", "0").lower() not in ("", "0", "false")


def scaled(n):
    """Pool size ``n`` times ``SKACTIVE_BENCH_SCALE`` (at least 1000 rows)."""
    return max(1000, int(round(n * SCALE)))


def cpu_model():
    """The CPU model name from /proc/cpuinfo (or platform's guess)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def kcenter_naive(X, C, k):
    """The textbook numpy loop (an N x L cdist, then one N x D temporary per pick)."""
    mind = cdist(X, C).min(axis=1)
    selected = np.empty(k, dtype=np.intp)
    for t in range(k):
        i = int(np.argmax(mind))
        selected[t] = i
        mind = np.minimum(mind, np.linalg.norm(X - X[i], axis=1))
    return selected


def scaling_exponent(times, smallest=0):
    """Slope of log(time) against log(n) over the sizes ``>= smallest``.

    ``times`` maps pool sizes to seconds; None with fewer than two sizes.
    """
    sizes = sorted(n for n in times if n >= smallest)
    if len(sizes) < 2:
        return None
    slope, _ = np.polyfit(np.log(sizes), np.log([times[n] for n in sizes]), 1)
    return float(slope)


def write_memmap_pool(path, n, n_features, rng):
    """A standard-normal float64 pool of ``n`` rows saved to ``path`` block by
    block (never whole in memory); returns it opened as a read-only memmap."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64,
                                    shape=(n, n_features))
    for start in range(0, n, 1 << 20):
        stop = min(start + (1 << 20), n)
        out[start:stop] = rng.standard_normal((stop - start, n_features))
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


def query_lazy_vs_memory(strategy, X_lazy, X_in, batch, paired, measure_peak):
    """One query on an out-of-core pool against the same pool in memory.

    Times both, interleaved (``paired``; 3 rounds above 2·10^6 rows, else
    5), and measures each one's tracemalloc peak. Returns ``(res, same,
    peak_lazy, peak_memory)``: the :class:`PairedTimes`, whether the picks
    agree, and the peaks in bytes.
    """
    def lazy_query():
        return strategy.query(X_lazy, batch_size=batch)

    def memory_query():
        return strategy.query(X_in, batch_size=batch)

    rounds = 3 if X_in.shape[0] > 2_000_000 else 5
    res = paired(lazy_query, {"in_memory": memory_query}, rounds=rounds,
                 warmup_rounds=1)
    same = np.array_equal(res.result, res.ref_results["in_memory"])
    return res, same, measure_peak(lazy_query), measure_peak(memory_query)


def linear_pool(path, n, n_features, n_labeled, seed=0):
    """A memmap pool with labeled rows and a logistic regression fitted on them.

    The pool is :func:`write_memmap_pool`'s; labels follow a random linear
    rule ``X @ w > 0`` (the first two labeled rows forced to classes 0 and
    1). Returns ``(X_mm, X_mem, w, labeled, y_labeled, lr)``.
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    X_mm = write_memmap_pool(path, n, n_features, rng)
    X_mem = np.load(path)
    w = rng.standard_normal(n_features)
    labeled = rng.choice(n, n_labeled, replace=False)
    y_labeled = (X_mem[labeled] @ w > 0).astype(int)
    y_labeled[:2] = [0, 1]
    lr = LogisticRegression(max_iter=1000).fit(X_mem[labeled], y_labeled)
    return X_mm, X_mem, w, labeled, y_labeled, lr


def lazy_vs_memory_fields(res, same, peak, peak_mem, pool):
    """The report columns shared by the out-of-core benchmarks.

    ``res`` times the out-of-core call against ``"in_memory"``; ``peak`` and
    ``peak_mem`` are their tracemalloc peaks (bytes); ``pool`` is the pool
    in memory (its size and row count).
    """
    return {
        "seconds": res.median(),
        "in_memory_s": res.median("in_memory"),
        "ratio": res.ratio("in_memory"),
        "peak_MiB": peak / 2**20,
        "in_memory_MiB": peak_mem / 2**20,
        "pool_MiB": pool.nbytes / 2**20,
        "peak_B/row": peak / pool.shape[0],
        "same_picks": same,
    }
