"""
Scaling out: a pool on disk and a study on a cluster
=====================================================

Two ways to outgrow one process, and what skactive does about each:

* **the pool does not fit in memory.** Pass it as a :class:`numpy.memmap`
  (or a dask or zarr array). Margin sampling scores it block by block;
  :class:`~skactive.CoreSet` keeps one *shard* per block (the rows' running
  distance to the centres) and makes each greedy pick one reduction over
  the shards. The picks are those of the same pool in memory;
* **the study takes too long.** Every parallel loop goes through joblib,
  so ``joblib.parallel_config(backend="dask")`` with a
  ``distributed.Client`` puts :func:`~skactive.active_learning_curve`'s
  repeats on a cluster, unchanged, with the same results as ``n_jobs=1``.
  On the cluster, CoreSet's shards of a dask array live on the workers, in
  one dask actor each.

The cluster here is a ``LocalCluster`` of two workers on this machine
(threads, so that the example also runs inside the documentation build; a
real one uses ``processes=True`` or a scheduler's address). See
:doc:`/scaling` for measurements up to 10⁷ rows.

Running time: about 15 s on 2 CPU cores (documentation build: a 200,000-row
pool, 4 repeats); about 1 min with ``SKACTIVE_GALLERY_FULL=1`` (2 million
rows, 10 repeats).
"""

# %%
# A pool on disk
# --------------
# 20 features, written to a ``.npy`` file and opened with
# ``mmap_mode="r"``: nothing is read until a query needs it.
import os
import tempfile
import time
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from skactive import CoreSet, RandomSampling, UncertaintySampling
from skactive.evaluation import active_learning_curve, plot_learning_curves

FULL = os.environ.get("SKACTIVE_GALLERY_FULL") == "1"
N_POOL, N_REPEATS = (2_000_000, 10) if FULL else (200_000, 4)

rng = np.random.default_rng(0)
path = os.path.join(tempfile.mkdtemp(), "pool.npy")
np.save(path, rng.standard_normal((N_POOL, 20)))
X_disk = np.load(path, mmap_mode="r")
X_memory = np.load(path)

labeled = rng.choice(N_POOL, 50, replace=False)
y_labeled = (X_memory[labeled, 0] + X_memory[labeled, 1] > 0).astype(int)


def peak_and_seconds(fn):
    """What ``fn()`` allocates at its peak (MiB), its time and its result."""
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak, seconds, out


print(f"pool: {N_POOL:,} rows, {X_memory.nbytes / 2**20:.0f} MiB on disk")
for name, strategy in [
    ("margin", UncertaintySampling(LogisticRegression(), measure="margin")),
    ("CoreSet", CoreSet(embedding="input")),
]:
    strategy.set_params(random_state=0).fit(X_memory[labeled], y_labeled)
    peak_d, sec_d, picks_d = peak_and_seconds(lambda: strategy.query(X_disk, 20))
    peak_m, sec_m, picks_m = peak_and_seconds(lambda: strategy.query(X_memory, 20))
    print(f"{name:>8}: memmap {sec_d:.2f} s, peak {peak_d:6.1f} MiB | "
          f"in memory {sec_m:.2f} s, peak {peak_m:6.1f} MiB | "
          f"same picks: {np.array_equal(picks_d, picks_m)}")

# %%
# Margin's working memory is one block whatever the pool's size. CoreSet
# keeps 16 bytes per row (the running minimum distance and the squared
# norms): the memory map's rows are read in place, never copied, and the
# in-memory query needs the same.
#
# A study on a cluster
# --------------------
# The same call as on one machine, inside ``parallel_config``: the repeats
# run on the workers, ``X`` and ``y`` travel to them once.
import joblib  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

X, y = load_digits(return_X_y=True)
X = X / 16.0
clf = LogisticRegression(max_iter=1000)
strategies = {
    "random": RandomSampling(clf),
    "margin": UncertaintySampling(clf, measure="margin"),
    "CoreSet": CoreSet(clf),
}
kwargs = dict(batch_size=10, budget=100, initial_size=10,
              n_repeats=N_REPEATS, random_state=0)

t0 = time.perf_counter()
serial = active_learning_curve(strategies, X, y, n_jobs=1, **kwargs)
serial_s = time.perf_counter() - t0

with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    with joblib.parallel_config(backend="dask"):
        t0 = time.perf_counter()
        on_cluster = active_learning_curve(strategies, X, y, **kwargs)
        cluster_s = time.perf_counter() - t0

    # CoreSet on a dask array that the cluster computes: its blocks' shards
    # live on the workers, one actor each; a pick is one message per worker.
    import dask.array as da

    s = CoreSet(clf, random_state=0).fit(X[:30], y[:30])
    picks_cluster = s.query(da.from_array(X[30:], chunks=(300, 64)), 15)
    picks_memory = s.query(X[30:], 15)

same = all(np.array_equal(on_cluster.scores[k], serial.scores[k]) for k in strategies)
print(f"{N_REPEATS} repeats x 3 strategies: serial {serial_s:.1f} s, "
      f"2-worker cluster {cluster_s:.1f} s; identical curves: {same}")
print(f"CoreSet on the workers' shards picks as in memory: "
      f"{np.array_equal(picks_cluster, picks_memory)}")

# %%
plot_learning_curves(on_cluster, title=f"digits, {N_REPEATS} repeats on a cluster")
plt.show()

# %%
# The curves are those of ``n_jobs=1`` to the last bit: every repeat's seed
# is drawn before the work is sent out. Two thread workers on a 2-core
# machine are no faster than serial, and can be slower: the repeats share
# the cores and Python's interpreter lock, and every task goes through the
# scheduler. Worker processes on machines of their own scale with their
# number, as the repeats are independent (``benchmarks/cluster_curves.py``
# measures the speed-up).
