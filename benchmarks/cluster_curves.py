"""Learning curves on a dask.distributed cluster against the serial run.

Re-runnable evidence script (not a timed test; pytest does not collect it).
It runs :func:`skactive.evaluation.active_learning_curve` with ``--repeats``
repeats three ways and checks that all give the same result:

* ``serial``: ``n_jobs=1``;
* ``loky``: ``n_jobs=--workers`` on this machine (joblib's default backend);
* ``dask``: a ``distributed.LocalCluster`` of ``--workers`` worker processes
  (``threads_per_worker=1``, loopback) under
  ``joblib.parallel_config(backend="dask")``, with the call unchanged
  (``n_jobs=None`` uses every worker).

The curves, full-data scores, labeled orders and seeds must be equal
(timings aside); the script fails otherwise. Each backend runs ``--rounds``
times, the backends interleaved so that load from other processes on a
shared machine does not fall on one of them only. It prints a table of the
best and median wall times, the speed-up of the best over ``serial``'s
best and, for the dask runs, what the client sent: the number of tasks, the
largest task's pickled size and the bytes scattered (the data should go
once per call, never inside a task). The cluster's start (processes,
imports on the workers) is timed separately and not counted; loky's workers
are started before the first round too.

Data: ``load_digits() / 16`` (1797 x 64) with a stratified 70 / 30 split per
repeat; strategies random, margin and entropy sampling with
``LogisticRegression(max_iter=1000)``; initial 20, batch 10, budget 100.

Usage (from the repository root)::

    python benchmarks/cluster_curves.py                  # 20 repeats, 2 workers
    python benchmarks/cluster_curves.py --repeats 4 --budget 20 --rounds 1  # smoke
"""

import argparse
import contextlib
import os
import platform
import shlex
import statistics
import sys
import time


def _parse(argv=None):
    p = argparse.ArgumentParser(
        description="active_learning_curve on a LocalCluster vs n_jobs=1.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--repeats", type=int, default=20, help="repeats")
    p.add_argument("--workers", type=int, default=2,
                   help="cluster worker processes (and loky jobs)")
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--initial-size", type=int, default=20)
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS/OpenMP threads per process (the dask workers "
                        "always run one)")
    p.add_argument("--rounds", type=int, default=3,
                   help="timed runs per backend, interleaved")
    p.add_argument("--no-loky", action="store_true",
                   help="skip the loky run")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--out", default=None,
                   help="also write the report to this Markdown file")
    return p.parse_args(argv)


def _set_threads(n):
    """Thread counts for this process and (through the environment) the
    loky workers, set before numpy starts its pools."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)


def _same(a, b):
    """Whether two results are equal, timings aside."""
    import numpy as np

    if a.strategies != b.strategies or not np.array_equal(a.n_labeled, b.n_labeled):
        return False
    if not np.array_equal(a.seeds, b.seeds):
        return False
    return all(
        np.array_equal(getattr(a, f)[k], getattr(b, f)[k])
        for k in a.strategies
        for f in ("scores", "full_score", "labeled_indices")
    )


class _Meter:
    """Counts what the client sends: tasks (pickled size) and scatters."""

    def __init__(self, client):
        import cloudpickle
        from dask.sizeof import sizeof

        self.task_bytes, self.scattered = [], []
        submit, scatter = client.submit, client.scatter

        def metered_submit(func, *args, **kwargs):
            self.task_bytes.append(len(cloudpickle.dumps((func, args, kwargs))))
            return submit(func, *args, **kwargs)

        def metered_scatter(data, *args, **kwargs):
            if kwargs.get("asynchronous"):  # joblib's scatter of an argument
                self.scattered.append(sizeof(data))
            return scatter(data, *args, **kwargs)

        client.submit, client.scatter = metered_submit, metered_scatter


def main(argv=None):
    args = _parse(argv)
    _set_threads(args.threads)

    import distributed
    import numpy as np
    from _common import cpu_model  # imports numpy: after _set_threads
    from joblib import Parallel, delayed, parallel_config
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from skactive import RandomSampling, UncertaintySampling
    from skactive.evaluation import active_learning_curve

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    clf = LogisticRegression(max_iter=1000)
    strategies = {
        "random": RandomSampling(clf),
        "margin": UncertaintySampling(clf, measure="margin"),
        "entropy": UncertaintySampling(clf, measure="entropy"),
    }
    kw = dict(batch_size=args.batch_size, budget=args.budget,
              initial_size=args.initial_size, n_repeats=args.repeats,
              random_state=args.random_state)

    def run(**extra):
        t0 = time.perf_counter()
        with threadpool_limits(args.threads):
            result = active_learning_curve(strategies, X, y, **kw, **extra)
        return result, time.perf_counter() - t0

    cmd = [os.path.relpath(__file__)] + (sys.argv[1:] if argv is None
                                         else list(argv))
    load = os.getloadavg()[0]  # other processes share the CPUs
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address=None,
    )
    client = distributed.Client(cluster)
    backends = [("serial", "n_jobs=1", {"n_jobs": 1}, contextlib.nullcontext)]
    if not args.no_loky:
        backends.append(("loky", f"n_jobs={args.workers}",
                         {"n_jobs": args.workers}, contextlib.nullcontext))
    backends.append(("dask", f"LocalCluster({args.workers} workers)", {},
                     lambda: parallel_config(backend="dask")))
    times = {name: [] for name, *_ in backends}
    same = dict.fromkeys(times, True)
    try:
        # Worker imports belong to the start, not to the run; so does the
        # start of loky's reusable workers.
        client.run(lambda: __import__("skactive.evaluation"))
        t_start = time.perf_counter() - t0
        Parallel(n_jobs=args.workers)(delayed(abs)(i) for i in range(args.workers))
        meter = _Meter(client)
        serial = None
        # Rounds interleave the backends, so that a burst of load from other
        # processes does not fall on one of them only.
        for r in range(args.rounds):
            for name, _, extra, context in backends:
                with context():
                    result, t = run(**extra)
                times[name].append(t)
                serial = result if serial is None else serial
                same[name] &= _same(result, serial)
                print(f"round {r + 1}/{args.rounds} {name}: {t:.2f} s",
                      file=sys.stderr, flush=True)
    finally:
        client.close()
        cluster.close()
    n_dask_tasks = len(meter.task_bytes) // args.rounds

    n_runs = args.repeats * (len(strategies) + 1)
    t_serial = min(times["serial"])
    lines = [
        "# active_learning_curve on a dask LocalCluster vs n_jobs=1",
        "",
        f"Command: `python {' '.join(shlex.quote(a) for a in cmd)}`",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}, distributed {distributed.__version__}; "
        f"BLAS threads per process {args.threads}; 1-min load average "
        f"{load:.2f} at the start (other processes on the CPUs make the "
        "speed-ups smaller).",
        f"Work: load_digits / 16, {args.repeats} repeats x {len(strategies)} "
        f"strategies (+ {args.repeats} full-data fits) = {n_runs} jobs; "
        f"initial {args.initial_size}, batch {args.batch_size}, budget "
        f"{args.budget}, LogisticRegression(max_iter=1000). {args.rounds} "
        "rounds, backends interleaved; speed-up from the best round.",
        "",
        "| backend | workers | best s | median s | speed-up vs serial "
        "| same result |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, how, _, _ in backends:
        t = times[name]
        lines.append(
            f"| {name} | {how} | {min(t):.2f} | {statistics.median(t):.2f} | "
            f"{t_serial / min(t):.2f}x | {'yes' if same[name] else 'NO'} |")
    lines += [
        "",
        f"Cluster start (processes + worker imports, not counted): {t_start:.2f} s.",
        f"Dask run: {n_dask_tasks} tasks, largest "
        f"{max(meter.task_bytes) / 1e3:.1f} kB pickled; "
        f"{len(meter.scattered) // args.rounds} arrays scattered per run, "
        f"{sum(meter.scattered) / args.rounds / 1e3:.0f} kB (X is "
        f"{X.nbytes / 1e3:.0f} kB, y {y.nbytes / 1e3:.0f} kB).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    bad = [name for name, ok in same.items() if not ok]
    if bad:
        print(f"FAILED: {bad} differ from the serial result.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
