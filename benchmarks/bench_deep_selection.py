"""Selection benchmarks of the deep strategies: CoreSet and BADGE on embeddings.

What the deep heuristics cost once the network has produced its pool
representation (10^5 pool rows, 128-d penultimate embeddings from ReLU
activations, float32 as :class:`skactive.nets.NetClassifier` returns them):

1. ``test_coreset_embedding_vs_numpy`` (group ``deep-coreset``):
   :func:`skactive.utils.kcenter_greedy` (the kernel behind ``CoreSet(net)``)
   on a 10^5 x 128 float32 embedding with 100 labeled centres, batch 100,
   against ``naive``, the straightforward numpy loop
   (``scipy.spatial.distance.cdist`` to the labeled set, then per pick
   ``np.linalg.norm(X - X[i], axis=1)`` and ``np.minimum``). Reports time,
   ratio, tracemalloc peaks and whether the picks agree.

2. ``test_badge_factored_vs_materialised`` (group ``deep-badge``):
   :func:`skactive.utils.kmeanspp_factored` (the kernel behind
   ``BADGE(net)``) on the factors ``a`` (10^5 x 10, ``p - onehot(argmax p)``)
   and ``h`` (10^5 x 128), batch 100, against ``materialised``: the
   N x (C*D) = 10^5 x 1280 float64 gradient embedding built explicitly and
   k-means++ seeding run on it (first seed the largest norm, then D^2
   sampling with one GEMV per pick), fed the *same* random draws. The picks
   must be identical; the summary gives time and tracemalloc peak ratios.

3. ``test_*_torch`` (groups ``deep-coreset-torch`` / ``deep-badge-torch``):
   the same two comparisons on torch tensors, run on every device named in
   ``SKACTIVE_BENCH_TORCH_DEVICES`` (default ``cuda``) and skipped where it is
   not available, so the suite reports GPU figures on a machine with one.
   The skactive side is what CoreSet / BADGE run on a device: the package's
   torch shards (:class:`skactive.utils._torch_kernels.TorchKCenterShard`,
   :class:`~skactive.utils._torch_kernels.TorchKMeansPPShard`) under the
   greedy drivers (:func:`skactive.utils._kernels.kcenter_greedy_sharded`,
   :func:`~skactive.utils._kernels.kmeanspp_sharded`), fed the float32
   tensors a net returns (``embed(X, as_tensor=True)``); the baselines are
   the naive loop and the materialised gradient embedding written in torch.
   Memory is ``torch.cuda.max_memory_allocated`` there (not reported for
   torch on CPU, whose allocations tracemalloc does not see).

The machine (CPU model) is printed in the summary header and stored in every
benchmark's ``extra_info``; torch cases also name their device.
"""

import os

import numpy as np
import pytest

from _common import kcenter_naive, scaled
from skactive.utils import kcenter_greedy, kmeanspp_factored
from skactive.utils._kernels import (
    LocalShards,
    kcenter_greedy_sharded,
    kmeanspp_sharded,
)

N_DIMS = 128
N_CLASSES = 10
N_CENTERS = 100
BATCH = 100
CORESET_TARGET = 1.5  # skactive / naive numpy loop
BADGE_TARGET = 1.0  # factored / materialised: must not be slower
BADGE_MEMORY_FACTOR = 4.0  # materialised peak / factored peak, asserted
TORCH_DEVICES = [
    d.strip()
    for d in os.environ.get("SKACTIVE_BENCH_TORCH_DEVICES", "cuda").split(",")
    if d.strip()
]


# --------------------------------------------------------------------------
# data: what a trained CNN hands the strategies
# --------------------------------------------------------------------------
def make_embeddings(n_pool, seed=0):
    """Clustered ReLU embeddings and BADGE factors, like a trained net's.

    ``h``: ReLU of 10 Gaussian clusters in 128-d (non-negative, with a mean
    offset, as penultimate activations are); ``a = p - onehot(argmax p)``
    from a softmax of a random linear head on ``h``. Both float32, as
    ``NetClassifier.embed`` / ``gradient_embedding_factors`` return them. The
    first ``N_CENTERS`` rows are the labeled centres, the rest the pool.
    """
    rng = np.random.default_rng(seed)
    n = n_pool + N_CENTERS
    means = rng.standard_normal((N_CLASSES, N_DIMS)) * 1.5
    label = rng.integers(N_CLASSES, size=n)
    h = np.maximum(means[label] + rng.standard_normal((n, N_DIMS)), 0.0)
    W = rng.standard_normal((N_DIMS, N_CLASSES)) / np.sqrt(N_DIMS)
    logits = h @ W
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    a = p.copy()
    a[np.arange(n), p.argmax(axis=1)] -= 1.0
    h = h.astype(np.float32)
    a = a.astype(np.float32)
    return {
        "H_pool": h[N_CENTERS:], "H_centers": h[:N_CENTERS],
        "a_pool": a[N_CENTERS:], "h_pool": h[N_CENTERS:],
    }


@pytest.fixture(scope="module")
def embeddings():
    return make_embeddings(scaled(100_000))


# --------------------------------------------------------------------------
# reference implementations (numpy)
# --------------------------------------------------------------------------
def badge_materialised(a, h, k, rng):
    """k-means++ seeding on the explicit N x (C*D) float64 gradient embedding.

    The same rule and the same random draws as ``kmeanspp_factored`` with
    ``first="max_norm"`` (largest ``||g||`` first, then D^2 sampling by
    inverse cdf), but distances come from ``G`` itself:
    ``||g||^2 + ||g_i||^2 - 2 G g_i``, one GEMV over N x C*D per pick.
    """
    a = np.asarray(a, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    n = a.shape[0]
    G = (a[:, :, None] * h[:, None, :]).reshape(n, -1)
    g2 = np.einsum("ij,ij->i", G, G)
    i = int(np.argmax(g2))
    tied = np.flatnonzero(g2 == g2[i])
    if tied.shape[0] > 1:  # the same tie-break draw as skactive
        i = int(tied[rng.integers(tied.shape[0])])
    selected = np.empty(k, dtype=np.intp)
    selected[0] = i
    chosen = np.zeros(n, dtype=bool)
    chosen[i] = True
    mind = np.maximum(g2 + g2[i] - 2.0 * (G @ G[i]), 0.0)
    mind[i] = 0.0
    for t in range(1, k):
        total = mind.sum()
        if not np.isfinite(total) or total <= 0.0:
            i = int(rng.choice(np.flatnonzero(~chosen)))
        else:
            cdf = np.cumsum(mind)
            i = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
            i = min(i, n - 1)
            if chosen[i]:
                i = int(np.flatnonzero(mind > 0)[-1])
        selected[t] = i
        chosen[i] = True
        d = g2 + g2[i] - 2.0 * (G @ G[i])
        np.minimum(mind, np.maximum(d, 0.0), out=mind)
        mind[i] = 0.0
    return selected


# --------------------------------------------------------------------------
# numpy / CPU benchmarks (the skactive kernels)
# --------------------------------------------------------------------------
@pytest.mark.benchmark(group="deep-coreset")
def test_coreset_embedding_vs_numpy(embeddings, paired, measure_peak, report, machine):
    X, C = embeddings["H_pool"], embeddings["H_centers"]

    def ours():
        return kcenter_greedy(X, C, BATCH)

    res = paired(ours, {"naive": lambda: kcenter_naive(X, C, BATCH)},
                 rounds=3, warmup_rounds=0)
    picked = res.result
    assert picked.shape == (BATCH,) and np.unique(picked).shape[0] == BATCH
    agree = float(np.mean(picked == res.ref_results["naive"]))
    peak = measure_peak(ours)
    peak_naive = measure_peak(lambda: kcenter_naive(X, C, BATCH))
    report(
        "deep-coreset",
        f"cpu float32 n={X.shape[0]:,} d={X.shape[1]} L={C.shape[0]} b={BATCH}",
        {
            "skactive_ms": 1e3 * res.median(),
            "naive_ms": 1e3 * res.median("naive"),
            "ratio": res.ratio("naive"),
            "ratio_min": res.ratio("naive", "min"),
            "skactive_MiB": peak / 2**20,
            "naive_MiB": peak_naive / 2**20,
            "mem_ratio": peak / peak_naive,
            "same_picks": agree,
        },
        target=("ratio", CORESET_TARGET),
    )


@pytest.mark.benchmark(group="deep-badge")
def test_badge_factored_vs_materialised(embeddings, paired, measure_peak, report,
                                        machine):
    a, h = embeddings["a_pool"], embeddings["h_pool"]

    def ours():
        return kmeanspp_factored(a, h, BATCH, np.random.default_rng(0))

    def materialised():
        return badge_materialised(a, h, BATCH, np.random.default_rng(0))

    res = paired(ours, {"materialised": materialised}, rounds=3, warmup_rounds=0)
    picked = res.result
    assert picked.shape == (BATCH,) and np.unique(picked).shape[0] == BATCH
    # Same rule, same draws: the factorisation must not change a single pick.
    np.testing.assert_array_equal(picked, res.ref_results["materialised"])
    peak = measure_peak(ours)
    peak_mat = measure_peak(materialised)
    n, c, d = a.shape[0], a.shape[1], h.shape[1]
    report(
        "deep-badge",
        f"cpu float32 in n={n:,} C={c} D={d} b={BATCH}",
        {
            "skactive_ms": 1e3 * res.median(),
            "materialised_ms": 1e3 * res.median("materialised"),
            "ratio": res.ratio("materialised"),
            "ratio_min": res.ratio("materialised", "min"),
            "skactive_MiB": peak / 2**20,
            "materialised_MiB": peak_mat / 2**20,
            "mem_ratio": peak / peak_mat,
            "G_MiB": 8.0 * n * c * d / 2**20,
            "same_picks": True,
        },
        target=("ratio", BADGE_TARGET),
    )
    # Deterministic: the factored kernel needs about n*(C + D) floats, the
    # materialised one n*C*D.
    assert peak * BADGE_MEMORY_FACTOR < peak_mat, (peak, peak_mat)


# --------------------------------------------------------------------------
# torch: skactive's device shards against torch baselines, for a GPU
# (skipped without one)
# --------------------------------------------------------------------------
def _torch_device(name):
    torch = pytest.importorskip("torch")
    if name.startswith("cuda") and not torch.cuda.is_available():
        pytest.skip("no CUDA device (torch.cuda.is_available() is False)")
    if name.startswith("mps") and not torch.backends.mps.is_available():
        pytest.skip("no MPS device")
    return torch, torch.device(name)


def _device_name(torch, device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"{device.type} (torch {torch.__version__})"


def _sync(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _device_peak_mib(torch, device, fn):
    """Peak extra MiB of ``fn()`` from the CUDA allocator; None elsewhere
    (torch's CPU allocations are invisible to tracemalloc)."""
    if device.type != "cuda":
        return None
    _sync(torch, device)
    torch.cuda.empty_cache()
    base = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    out = fn()
    _sync(torch, device)
    peak = torch.cuda.max_memory_allocated(device) - base
    del out
    return peak / 2**20


def kcenter_greedy_torch(X, C, k):
    """CoreSet's selection on a device: one torch shard under skactive's driver.

    ``C`` (the labeled set, small) is a host array: the driver takes the
    centres with ``np.asarray``.
    """
    from skactive.utils._torch_kernels import TorchKCenterShard

    shards = LocalShards([TorchKCenterShard(X, 0)])
    return kcenter_greedy_sharded(shards, C, k)


def kcenter_naive_torch(X, C, k):
    """The textbook loop in torch: full cdist, then ``||X - x_i||`` per pick."""
    import torch

    mind = torch.cdist(X, C).amin(dim=1)
    selected = []
    for _ in range(k):
        i = int(torch.argmax(mind))
        selected.append(i)
        mind = torch.minimum(mind, torch.linalg.norm(X - X[i], dim=1))
    return np.asarray(selected, dtype=np.intp)


def _kmeanspp_torch(sq_dist_to, g2, k, rng):
    """D^2 seeding on the device; ``rng`` (numpy) draws the same numbers as
    skactive so the factored and materialised versions pick alike."""
    import torch

    n = g2.shape[0]
    i = int(torch.argmax(g2))
    selected = [i]
    mind = sq_dist_to(i).clamp_min_(0.0)
    mind[i] = 0.0
    for _ in range(1, k):
        cdf = torch.cumsum(mind, dim=0)
        u = torch.as_tensor(rng.random(), dtype=cdf.dtype, device=cdf.device)
        i = min(int(torch.searchsorted(cdf, u * cdf[-1], right=True)), n - 1)
        selected.append(i)
        torch.minimum(mind, sq_dist_to(i).clamp_min_(0.0), out=mind)
        mind[i] = 0.0
    return np.asarray(selected, dtype=np.intp)


def badge_factored_torch(a, h, k, rng):
    """BADGE's selection on a device: one torch shard under skactive's driver
    (the shard takes the factors to float64 itself)."""
    from skactive.utils._torch_kernels import TorchKMeansPPShard

    return kmeanspp_sharded(LocalShards([TorchKMeansPPShard(a, h, 0)]), k, rng)


def badge_materialised_torch(a, h, k, rng):
    """BADGE seeding on the explicit N x (C*D) gradient embedding."""
    G = (a[:, :, None] * h[:, None, :]).reshape(a.shape[0], -1)
    g2 = (G * G).sum(dim=1)
    return _kmeanspp_torch(lambda i: g2 + g2[i] - 2.0 * (G @ G[i]), g2, k, rng)


@pytest.mark.parametrize("device_name", TORCH_DEVICES)
@pytest.mark.benchmark(group="deep-coreset-torch")
def test_coreset_embedding_torch(embeddings, device_name, paired, report):
    torch, device = _torch_device(device_name)
    X = torch.as_tensor(embeddings["H_pool"], device=device)
    C = torch.as_tensor(embeddings["H_centers"], device=device)
    C_host = embeddings["H_centers"]

    def timed(fn, centers):
        def run():
            out = fn(X, centers, BATCH)
            _sync(torch, device)
            return out
        return run

    ours = timed(kcenter_greedy_torch, C_host)
    naive = timed(kcenter_naive_torch, C)
    res = paired(ours, {"naive": naive}, rounds=3, warmup_rounds=1)
    picked = res.result
    assert np.unique(picked).shape[0] == BATCH
    report(
        "deep-coreset-torch",
        f"{device_name} float32 n={X.shape[0]:,} d={X.shape[1]} L={C.shape[0]} "
        f"b={BATCH}",
        {
            "device": _device_name(torch, device),
            "greedy_ms": 1e3 * res.median(),
            "naive_ms": 1e3 * res.median("naive"),
            "ratio": res.ratio("naive"),
            "greedy_MiB": _device_peak_mib(torch, device, ours),
            "naive_MiB": _device_peak_mib(torch, device, naive),
            "same_picks": float(np.mean(picked == res.ref_results["naive"])),
            "same_as_numpy": float(np.mean(
                picked == kcenter_greedy(embeddings["H_pool"],
                                         embeddings["H_centers"], BATCH))),
        },
    )


@pytest.mark.parametrize("device_name", TORCH_DEVICES)
@pytest.mark.benchmark(group="deep-badge-torch")
def test_badge_torch(embeddings, device_name, paired, report):
    torch, device = _torch_device(device_name)
    # The net's float32 factors: skactive's shard converts them to float64
    # (inside the timing); the baseline gets float64 copies up front, like
    # the numpy kernel, so the picks match.
    a32 = torch.as_tensor(embeddings["a_pool"], device=device)
    h32 = torch.as_tensor(embeddings["h_pool"], device=device)
    a, h = a32.double(), h32.double()

    def timed(fn, a, h):
        def run():
            out = fn(a, h, BATCH, np.random.default_rng(0))
            _sync(torch, device)
            return out
        return run

    ours = timed(badge_factored_torch, a32, h32)
    mat = timed(badge_materialised_torch, a, h)
    res = paired(ours, {"materialised": mat}, rounds=3, warmup_rounds=1)
    picked = res.result
    np.testing.assert_array_equal(picked, res.ref_results["materialised"])
    n, c, d = a.shape[0], a.shape[1], h.shape[1]
    report(
        "deep-badge-torch",
        f"{device_name} float64 n={n:,} C={c} D={d} b={BATCH}",
        {
            "device": _device_name(torch, device),
            "factored_ms": 1e3 * res.median(),
            "materialised_ms": 1e3 * res.median("materialised"),
            "ratio": res.ratio("materialised"),
            "factored_MiB": _device_peak_mib(torch, device, ours),
            "materialised_MiB": _device_peak_mib(torch, device, mat),
            "same_picks": True,
            "same_as_numpy": bool(np.array_equal(picked, kmeanspp_factored(
                embeddings["a_pool"], embeddings["h_pool"], BATCH,
                np.random.default_rng(0)))),
        },
    )
