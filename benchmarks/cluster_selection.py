"""CoreSet and BADGE on a dask pool held by the workers of a cluster.

Re-runnable evidence script (not a timed test; pytest does not collect it).
A pool of ``--rows`` x 16 standard-normal float64 features is written to a
``.npy`` file and opened as a dask array over its memory map (row chunks of
``--chunk-rows``). On a ``distributed.LocalCluster`` of ``--workers``
worker processes (loopback, one thread each) the script queries

* ``CoreSet(embedding="input")`` and ``BADGE`` (a ``LogisticRegression``
  fitted on 100 labeled rows, ``refit=False``), batch ``--batch`` and batch
  1, so that ``(t(batch) - t(1)) / (batch - 1)`` is the cost of one greedy
  step: one message to each worker's actor and one reduction;

and compares the picks with the same query on the local shards of the
memory map (this process, no cluster) and with the pool in memory. It
prints seconds per query, per step, the driver's tracemalloc peak and
whether the picks agree. The script fails if they do not.

Usage (from the repository root)::

    python benchmarks/cluster_selection.py                      # 10^6 rows
    python benchmarks/cluster_selection.py --rows 10000000      # 10^7 rows
"""

import argparse
import os
import platform
import sys
import tempfile
import time
import tracemalloc


def _parse(argv=None):
    p = argparse.ArgumentParser(
        description="CoreSet/BADGE on worker shards vs local shards vs memory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--chunk-rows", type=int, default=1 << 18)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batch", type=int, default=21)
    return p.parse_args(argv)


def _load_rows(path, start, stop):
    import numpy as np

    return np.array(np.load(path, mmap_mode="r")[start:stop])


def _dask_pool(path, n, chunk_rows):
    """A dask array whose chunks the workers read from the file themselves
    (``da.from_array`` on a memory map would put its data in the graph)."""
    import dask
    import dask.array as da
    import numpy as np

    load = dask.delayed(_load_rows, pure=True)
    return da.concatenate([
        da.from_delayed(load(path, start, min(start + chunk_rows, n)),
                        (min(start + chunk_rows, n) - start, 16), dtype=np.float64)
        for start in range(0, n, chunk_rows)
    ])


def _timed(fn, peak=False):
    if peak:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    mib = None
    if peak:
        mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, seconds, mib


def main(argv=None):
    args = _parse(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import dask.array as da
    import numpy as np
    from distributed import Client, LocalCluster
    from sklearn.linear_model import LogisticRegression

    from skactive import BADGE, CoreSet

    from _common import write_memmap_pool

    rng = np.random.default_rng(0)
    X_mm = write_memmap_pool(os.path.join(tempfile.mkdtemp(), "pool.npy"),
                             args.rows, 16, rng)
    labeled = rng.choice(args.rows, 100, replace=False)
    X_lab = np.asarray(X_mm[np.sort(labeled)])
    y_lab = (X_lab[:, 0] + 0.5 * X_lab[:, 1] > 0).astype(int)
    lr = LogisticRegression(max_iter=1000).fit(X_lab, y_lab)
    strategies = {
        "CoreSet": CoreSet(lr, embedding="input", refit=False, random_state=0),
        "BADGE": BADGE(lr, refit=False, random_state=0),
    }
    for s in strategies.values():
        s.fit(X_lab, y_lab)

    print(f"# {' '.join([os.path.basename(sys.argv[0])] + (argv or sys.argv[1:]))}")
    print(f"# {platform.node()} {os.cpu_count()} CPUs; pool {args.rows:,} x 16 "
          f"float64 ({args.rows * 128 / 2**20:,.0f} MiB), chunks of "
          f"{args.chunk_rows:,} rows, {args.workers} worker processes")
    rows = []
    with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                      processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        X_dask = _dask_pool(X_mm.filename, args.rows, args.chunk_rows)
        for name, s in strategies.items():
            local, t_local, _ = _timed(lambda: s.query(X_mm, args.batch))
            s.query(X_dask, 1)  # warm-up: workers import, actors start
            one, t_one, _ = _timed(lambda: s.query(X_dask, 1))
            picks, t_batch, peak = _timed(lambda: s.query(X_dask, args.batch),
                                          peak=True)
            same = bool(np.array_equal(picks, local))
            rows.append((name, t_local, t_batch, t_one,
                         (t_batch - t_one) / (args.batch - 1), peak, same))
    print(f"{'strategy':<8} {'local s':>8} {'cluster s':>9} {'batch-1 s':>9} "
          f"{'step ms':>8} {'driver MiB':>10} same picks")
    for name, tl, tb, t1, step, peak, same in rows:
        print(f"{name:<8} {tl:8.2f} {tb:9.2f} {t1:9.2f} {1000 * step:8.1f} "
              f"{peak:10.1f} {same}")
    if not all(r[-1] for r in rows):
        sys.exit("picks on the cluster differ from the local shards")


if __name__ == "__main__":
    main()
