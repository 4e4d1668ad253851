"""Shared fixtures and the ratio summary of the skactive benchmark suite.

Every benchmark times a skactive call with pytest-benchmark and, interleaved
with it (inside ``benchmark.pedantic``'s untimed ``setup``), one or more
reference implementations. The ratios, memory peaks and the machine are stored
in ``benchmark.extra_info`` (so they land in ``--benchmark-json`` /
``--benchmark-autosave`` files) and printed as tables at the end of the
session by :func:`pytest_terminal_summary`.

Environment variables
---------------------
SKACTIVE_BENCH_THREADS : int, default 1
    BLAS/OpenMP threads for the whole session (threadpoolctl). One thread
    gives the most stable ratios on a shared 2-core machine.
SKACTIVE_BENCH_SCALE : float, default 1.0
    Multiplies every pool size (e.g. 0.05 for a quick smoke run).
SKACTIVE_BENCH_STRICT : {0, 1}, default 0
    With 1, a timing ratio above its target fails the benchmark. Timing on
    shared machines is noisy, so by default a miss is only reported. Memory
    checks are deterministic and always assert.
"""

import gc
import os
import platform
import statistics
import time
import tracemalloc

import numpy as np
import pytest

from _common import SCALE, STRICT, THREADS, cpu_model

# Records collected for the end-of-session summary: one dict per benchmark.
_RECORDS = []


# --------------------------------------------------------------------------
# machine and thread pinning
# --------------------------------------------------------------------------
def _machine_info():
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    import skactive

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        usable = os.cpu_count()
    blas = [
        f"{d.get('internal_api')}:{d.get('num_threads')}"
        for d in threadpool_info()
        if d.get("user_api") == "blas"
    ]
    return {
        "cpu": cpu_model(),
        "cpus_usable": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "skactive": getattr(skactive, "__version__", "?"),
        "blas_threads": ",".join(blas),
        "bench_threads": THREADS,
        "bench_scale": SCALE,
        "loadavg_start": _loadavg(),
    }


def _loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return None


_MACHINE = {}


@pytest.fixture(scope="session", autouse=True)
def _pin_threads():
    """Limit BLAS/OpenMP threads for the whole session."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=THREADS):
        _MACHINE.update(_machine_info())
        yield


@pytest.fixture(scope="session")
def machine(_pin_threads):
    """Description of the machine the suite runs on."""
    return dict(_MACHINE)


# --------------------------------------------------------------------------
# timing and memory helpers
# --------------------------------------------------------------------------
def _summary(times):
    if not times:
        return None, None
    return statistics.median(times), min(times)


class PairedTimes:
    """Result of :func:`paired`: per-round times of the target and references."""

    def __init__(self, result, target_times, ref_times, ref_results):
        self.result = result
        self.target_times = target_times
        self.ref_times = ref_times
        self.ref_results = ref_results

    def median(self, name=None):
        times = self.target_times if name is None else self.ref_times[name]
        return _summary(times)[0]

    def min(self, name=None):
        times = self.target_times if name is None else self.ref_times[name]
        return _summary(times)[1]

    def ratio(self, name, stat="median"):
        """target / reference for ``stat`` in {"median", "min"}."""
        a = getattr(self, stat)()
        b = getattr(self, stat)(name)
        return None if a is None or b is None or b == 0 else a / b


@pytest.fixture
def paired(benchmark):
    """Time ``target`` with pytest-benchmark, interleaved with references.

    ``paired(target, {"name": reference, ...}, rounds=..., warmup_rounds=...)``
    runs, for every round, each reference once (timed with
    ``time.perf_counter`` inside the untimed ``setup`` of
    ``benchmark.pedantic``) and then the target once. Interleaving A/B rounds
    keeps slow drifts of a shared machine from biasing the ratio. Warm-up
    rounds are dropped from both sides.

    With ``gc_each=True`` a garbage collection runs before every call, not
    only before the first reference and the target: a collection walks the
    whole heap and leaves the caches cold, so by default the target (always
    right after one) finds its input out of cache while the second and later
    references find it where the call before left it, a bias against the
    target when the input fits in cache (a 10^4 x 50 pool).
    """

    def run(target, references, *, rounds, warmup_rounds=1, gc_each=False):
        ref_times = {name: [] for name in references}
        ref_results = {}
        target_times = []

        def setup():
            gc.collect()
            for i, (name, ref) in enumerate(references.items()):
                if gc_each and i:
                    gc.collect()
                t0 = time.perf_counter()
                out = ref()
                ref_times[name].append(time.perf_counter() - t0)
                ref_results[name] = out
                del out
            gc.collect()

        def timed_target():
            t0 = time.perf_counter()
            out = target()
            target_times.append(time.perf_counter() - t0)
            return out

        result = benchmark.pedantic(
            timed_target,
            setup=setup,
            rounds=rounds,
            warmup_rounds=warmup_rounds,
            iterations=1,
        )
        drop = warmup_rounds if len(target_times) > warmup_rounds else 0
        target_times = target_times[drop:]
        ref_times = {k: v[drop:] for k, v in ref_times.items()}
        return PairedTimes(result, target_times, ref_times, ref_results)

    return run


def peak_memory(fn):
    """Peak bytes traced by :mod:`tracemalloc` while ``fn()`` runs.

    Only allocations made during the call count (inputs already exist), and
    numpy reports its buffers to tracemalloc, so this is the query's extra
    working memory.
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del out
    gc.collect()
    return peak


@pytest.fixture
def measure_peak():
    return peak_memory


# --------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------
@pytest.fixture
def report(benchmark, machine, request):
    """``report(section, case, fields, target=None)`` stores one result.

    ``fields`` is an ordered mapping of column name to value, shown in the
    summary and copied into ``benchmark.extra_info``. ``target`` is an
    optional ``(field, limit)`` pair: the field must be ``<= limit``; a miss
    is reported (and fails the test with ``SKACTIVE_BENCH_STRICT=1``).
    """

    def record(section, case, fields, target=None):
        fields = dict(fields)
        status = None
        if target is not None:
            key, limit = target
            value = fields.get(key)
            if value is None:
                status = "n/a"
            else:
                status = "ok" if value <= limit else "MISS"
            fields["target"] = f"{key}<={limit:g}"
            fields["status"] = status
        benchmark.extra_info.update(
            {
                k: (float(v) if isinstance(v, np.floating) else v)
                for k, v in fields.items()
            }
        )
        benchmark.extra_info["section"] = section
        benchmark.extra_info["machine"] = machine
        _RECORDS.append({"section": section, "case": case, "fields": fields})
        if STRICT and status == "MISS":
            pytest.fail(f"{section} {case}: {fields['target']} missed ({fields})")

    return record


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "NO"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if v == 0:
            return "0"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:.1f}"
        if abs(v) >= 1:
            return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
        return f"{v:.3g}"
    return str(value)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    if not _RECORDS:
        return
    tr = terminalreporter
    tr.write_sep("=", "skactive benchmark ratios")
    if _MACHINE:
        m = _MACHINE
        tr.write_line(
            f"machine: {m['cpu']} | {m['cpus_usable']} usable CPUs | "
            f"BLAS/OpenMP threads pinned to {m['bench_threads']} | "
            f"numpy {m['numpy']} sklearn {m['sklearn']} | scale {m['bench_scale']} | "
            f"loadavg start {m['loadavg_start']} end {_loadavg()}"
        )
    tr.write_line(
        "times in ms (median over rounds, min in the *_min columns); "
        "memory in MiB (tracemalloc peak of the call itself)"
    )
    sections = []
    for rec in _RECORDS:
        if rec["section"] not in sections:
            sections.append(rec["section"])
    for section in sections:
        recs = [r for r in _RECORDS if r["section"] == section]
        cols = []
        for r in recs:
            for k in r["fields"]:
                if k not in cols:
                    cols.append(k)
        rows = [["case"] + cols]
        for r in recs:
            rows.append([r["case"]] + [_fmt(r["fields"].get(c)) for c in cols])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        tr.write_line("")
        tr.write_line(f"[{section}]")
        for j, row in enumerate(rows):
            tr.write_line("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
            if j == 0:
                tr.write_line("  ".join("-" * w for w in widths))
    misses = [r for r in _RECORDS if r["fields"].get("status") == "MISS"]
    tr.write_line("")
    if misses:
        tr.write_line(
            f"{len(misses)} ratio(s) above target: "
            + ", ".join(f"{r['section']}:{r['case']}" for r in misses)
        )
    else:
        tr.write_line("all ratios with a target are within it")
