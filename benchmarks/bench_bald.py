"""BALD scores and BatchBALD queries: memory against baal, one MC pass per query.

1. ``test_bald_scores_vs_baal`` (group ``bald-scores``):
   :func:`skactive.strategies.mc_scores` ``(P, "bald")`` on MC-dropout
   probabilities of 10^5 pool rows, K = 20 draws, C = 10 classes, float32
   (what :class:`skactive.nets.NetClassifier` returns) and float64, against
   baal's ``BALD().compute_score`` (where installed; it takes the
   ``(n, C, K)`` layout, made before timing) and the bare floor (scipy's
   ``xlogy`` formula, the same as baal's without its checks). Reports time
   and the tracemalloc peak of each call; asserts that skactive's peak is at
   most the floor's (and baal's): the scores are computed a block of rows
   at a time, so the peak does not grow with the pool.

2. ``test_batchbald_query_one_pass`` (group ``batchbald-query``): one
   ``BatchBALD(net, refit=False).query`` on the 8x8 digits (1697 pool
   rows) with the image CNN of :func:`skactive.nets.make_image_cnn`,
   against ``two_pass``: the query as it was before (a streaming BALD pass,
   then a second MC-dropout pass over the ``max_candidates`` candidates).
   Reports both times, their ratio, the pool rows sent through the network
   per query and whether the picks agree.

``SKACTIVE_BENCH_SCALE`` scales the pool of (1) (at least 20 000 rows, so
the peaks compare a pool larger than a block) and, below 0.5, makes (2) a
smoke run (5 MC draws, 100 candidates, 5 epochs).
"""

import sys

import numpy as np
import pytest

from _common import SCALE, scaled

torch = pytest.importorskip("torch")

from skactive.strategies import mc_scores  # noqa: E402

N_DRAWS = 20
N_CLASSES = 10


# --------------------------------------------------------------------------
# 1. mc_scores(..., "bald") against baal
# --------------------------------------------------------------------------
def make_mc_proba(n, seed=0, dtype=np.float32):
    """Softmax of random logits, (n, K, C): every draw a distribution."""
    rng = np.random.default_rng(seed)
    logits = 2.0 * rng.standard_normal((n, N_DRAWS, N_CLASSES))
    P = np.exp(logits - logits.max(axis=-1, keepdims=True))
    P /= P.sum(axis=-1, keepdims=True)
    return P.astype(dtype)


def bald_floor(P_nck):
    """BALD from baal's layout (n, C, K), the bare formula."""
    from scipy.special import xlogy

    expected = -xlogy(P_nck, P_nck).sum(axis=1).mean(axis=-1)
    mean = P_nck.mean(axis=-1)
    return -xlogy(mean, mean).sum(axis=1) - expected


def _baal_bald():
    try:
        from baal.active.heuristics import BALD
    except Exception:  # not installed, or a dependency missing
        return None
    return BALD()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.benchmark(group="bald-scores")
def test_bald_scores_vs_baal(dtype, paired, measure_peak, report):
    n = max(20_000, scaled(100_000))
    P = make_mc_proba(n, dtype=np.dtype(dtype))
    P_nck = np.ascontiguousarray(P.transpose(0, 2, 1))  # baal's layout
    refs = {"floor": lambda: bald_floor(P_nck)}
    baal = _baal_bald()
    if baal is not None:
        refs["baal"] = lambda: baal.compute_score(P_nck)

    def ours():
        return mc_scores(P, "bald")

    res = paired(ours, refs, rounds=7, warmup_rounds=1)
    scores = res.result
    np.testing.assert_allclose(scores, res.ref_results["floor"], atol=1e-5)
    peak = measure_peak(ours)
    peaks = {name: measure_peak(fn) for name, fn in refs.items()}
    MiB = 2**20
    fields = {
        "P_MiB": P.nbytes / MiB,
        "skactive_MiB": peak / MiB,
        "floor_MiB": peaks["floor"] / MiB,
        "baal_MiB": peaks["baal"] / MiB if "baal" in peaks else None,
        "mem_ratio": peak / peaks.get("baal", peaks["floor"]),
        "skactive_ms": 1e3 * res.median(),
        "floor_ms": 1e3 * res.median("floor"),
        "baal_ms": 1e3 * res.median("baal") if "baal" in refs else None,
        "ratio": res.ratio("baal" if "baal" in refs else "floor"),
    }
    report(
        "bald-scores",
        f"{dtype} n={n:,} K={N_DRAWS} C={N_CLASSES}",
        fields,
        target=("mem_ratio", 1.0),
    )
    # Deterministic: no strategy above the peers' peak memory.
    assert peak <= min(peaks.values()), (peak, peaks)


# --------------------------------------------------------------------------
# 2. BatchBALD on the digits CNN: one MC-dropout pass per query
# --------------------------------------------------------------------------
SMOKE = SCALE < 0.5


@pytest.fixture(scope="module")
def digits_cnn():
    from sklearn.datasets import load_digits

    from skactive.nets import make_image_cnn

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    net = make_image_cnn(max_epochs=5 if SMOKE else 20, lr=3e-3, batch_size=16,
                         random_state=0).fit(X[:100], y[:100])
    return X[:100], y[:100], X[100:], net


def batchbald_two_pass(strategy, X_pool, batch_size):
    """The BatchBALD query before issue 18: the candidates' MC-dropout
    probabilities computed again after the streaming BALD pre-filter."""
    from skactive.strategies._bayesian import (
        _batchbald_greedy,
        _mc_batches,
        _pool_mc_scores,
    )
    from skactive.utils import query_rng, top_k

    s = strategy
    rng = query_rng(s._query_seed, X_pool.shape[0])
    bald = _pool_mc_scores(s.estimator_, X_pool, s.n_samples, s._query_seed, "bald")
    n_cand = min(X_pool.shape[0], max(s.max_candidates, batch_size))
    cand = top_k(bald.cpu().numpy(), n_cand, rng)
    P = torch.cat(list(_mc_batches(s.estimator_, X_pool[cand], s.n_samples,
                                   s._query_seed)))
    gen = torch.Generator(device=P.device).manual_seed(int(rng.integers(2**31 - 1)))
    return cand[_batchbald_greedy(P, batch_size, s.n_configurations, gen)]


@pytest.mark.benchmark(group="batchbald-query")
def test_batchbald_query_one_pass(digits_cnn, paired, report, monkeypatch):
    from skactive import BatchBALD
    from skactive.strategies import _bayesian

    X_lab, y_lab, X_pool, net = digits_cnn
    n_samples, max_candidates, batch = (5, 100, 5) if SMOKE else (20, 1000, 10)
    strategy = BatchBALD(net, n_samples=n_samples, max_candidates=max_candidates,
                         refit=False, random_state=0).fit(X_lab, y_lab)
    rows = {"n": 0}
    mc_batches = _bayesian._mc_batches

    def counting(estimator, X, *args):
        rows["n"] += X.shape[0]
        return mc_batches(estimator, X, *args)

    monkeypatch.setattr(_bayesian, "_mc_batches", counting)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small CNN: one thread is faster (README)
    try:
        rows["n"] = 0
        strategy.query(X_pool, batch_size=batch)
        rows_ours = rows["n"]
        rows["n"] = 0
        batchbald_two_pass(strategy, X_pool, batch)
        rows_two = rows["n"]
        res = paired(
            lambda: strategy.query(X_pool, batch_size=batch),
            {"two_pass": lambda: batchbald_two_pass(strategy, X_pool, batch)},
            rounds=1 if SMOKE else 3,
            warmup_rounds=0,
        )
    finally:
        torch.set_num_threads(threads)
    assert rows_ours == X_pool.shape[0]  # one MC pass over the pool
    picks, before = res.result, res.ref_results["two_pass"]
    report(
        "batchbald-query",
        f"digits CNN n={X_pool.shape[0]:,} K={n_samples} M={max_candidates} "
        f"b={batch}",
        {
            "skactive_s": res.median(),
            "two_pass_s": res.median("two_pass"),
            "ratio": res.ratio("two_pass"),
            "mc_rows": rows_ours,
            "two_pass_mc_rows": rows_two,
            "same_picks": bool(np.array_equal(picks, before)),
            "torch": torch.__version__.split("+")[0],
            "python": sys.version.split()[0],
        },
        target=("ratio", 1.0),
    )
