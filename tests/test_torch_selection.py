"""Torch shards of the greedy selection rules against the numpy kernels.

:class:`TorchKCenterShard` and :class:`TorchKMeansPPShard` must pick exactly
what :func:`kcenter_greedy` / :func:`kmeanspp_factored` pick for the same
random draws (CPU tensors here; the same code runs on a GPU). Tie cases use
small integer coordinates, so every distance is exact in both libraries and
the ties really are ties.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skactive.utils._kernels import (  # noqa: E402
    KCenterShard,
    KMeansPPShard,
    LocalShards,
    kcenter_greedy,
    kcenter_greedy_sharded,
    kmeanspp_factored,
    kmeanspp_sharded,
)
from skactive.utils._torch_kernels import (  # noqa: E402
    TorchKCenterShard,
    TorchKMeansPPShard,
    as_torch,
    torch_device_of,
)

SEEDS = [0, 1, 2, 3]


def _kcenter_torch(E, C, k, seed, mask=None, n_shards=1, chunk_size=None):
    """Greedy k-center over ``n_shards`` torch shards of ``E`` (row splits)."""
    T = torch.as_tensor(E)
    bounds = np.linspace(0, E.shape[0], n_shards + 1).astype(int)
    shards = [TorchKCenterShard(T[lo:hi], lo, None if mask is None else mask[lo:hi])
              for lo, hi in zip(bounds[:-1], bounds[1:])]
    cand = None if mask is None else np.flatnonzero(mask)
    return kcenter_greedy_sharded(LocalShards(shards), C, k,
                                  rng=np.random.default_rng(seed),
                                  candidates=cand, chunk_size=chunk_size)


def _kmeanspp_torch(a, h, k, seed, first="max_norm", mask=None, n_shards=1):
    A, H = torch.as_tensor(a), torch.as_tensor(h)
    bounds = np.linspace(0, a.shape[0], n_shards + 1).astype(int)
    shards = [TorchKMeansPPShard(A[lo:hi], H[lo:hi], lo,
                                 None if mask is None else mask[lo:hi])
              for lo, hi in zip(bounds[:-1], bounds[1:])]
    cand = None if mask is None else np.flatnonzero(mask)
    return kmeanspp_sharded(LocalShards(shards), k, np.random.default_rng(seed),
                            first=first, candidates=cand)


def _factors(n=200, c=4, d=6, seed=0):
    rng = np.random.default_rng(seed)
    h = np.maximum(rng.standard_normal((n, d)) + 0.5, 0.0)
    logits = h @ rng.standard_normal((d, c))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    a = p.copy()
    a[np.arange(n), p.argmax(axis=1)] -= 1.0
    return a, h


# -- k-center ---------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_centers", [0, 7])
def test_kcenter_float64_matches_numpy(seed, n_centers):
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((300, 8))
    C = rng.standard_normal((n_centers, 8))
    expected = kcenter_greedy(E, C, 25, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(_kcenter_torch(E, C, 25, seed), expected)
    # Small distance blocks (several row and centre chunks) change nothing.
    np.testing.assert_array_equal(_kcenter_torch(E, C, 25, seed, chunk_size=16),
                                  expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_kcenter_offset_pool_is_centred_like_numpy(seed):
    # Mean far from the origin compared with the spread: both centre it.
    rng = np.random.default_rng(seed)
    E = 1e4 + rng.standard_normal((250, 5))
    C = 1e4 + rng.standard_normal((4, 5))
    shard = TorchKCenterShard(torch.as_tensor(E), 0)
    colsum, x2sum, n = shard.stats()
    ref = KCenterShard(E, 0).stats()
    np.testing.assert_allclose(colsum, ref[0], rtol=1e-12)
    assert x2sum == pytest.approx(ref[1], rel=1e-12) and n == ref[2] == 250
    for centers in (C, C[:0]):
        np.testing.assert_array_equal(
            _kcenter_torch(E, centers, 20, seed),
            kcenter_greedy(E, centers, 20, rng=np.random.default_rng(seed)))


@pytest.mark.parametrize("seed", SEEDS)
def test_kcenter_ties_match_numpy(seed):
    # Integer points, each present three times: every step is a tie, broken
    # by the same draw in row order.
    rng = np.random.default_rng(seed)
    base = rng.integers(-4, 5, size=(12, 3)).astype(np.float64)
    E = np.concatenate([base, base, base])[rng.permutation(36)]
    C = base[:2]
    for centers in (C, C[:0]):
        expected = kcenter_greedy(E, centers, 15, rng=np.random.default_rng(seed))
        np.testing.assert_array_equal(_kcenter_torch(E, centers, 15, seed),
                                      expected)
        np.testing.assert_array_equal(
            _kcenter_torch(E, centers, 15, seed, n_shards=3), expected)
    assert np.unique(expected).shape[0] == 15


def test_kcenter_float32_agrees_on_gaussian_data():
    rng = np.random.default_rng(5)
    E = rng.standard_normal((400, 16)).astype(np.float32)
    C = rng.standard_normal((10, 16)).astype(np.float32)
    picked = _kcenter_torch(E, C, 30, 0)
    np.testing.assert_array_equal(picked, kcenter_greedy(E, C, 30,
                                                         rng=np.random.default_rng(0)))
    shard = TorchKCenterShard(torch.as_tensor(E), 0)
    shard.prepare(None, C)
    assert shard.E.dtype == torch.float32 and shard.mind.dtype == torch.float32


def test_kcenter_half_precision_accumulates_in_float32():
    E = torch.as_tensor(np.arange(12.0).reshape(6, 2)).half()
    shard = TorchKCenterShard(E, 0)
    assert shard.E.dtype == torch.float32
    picked = kcenter_greedy_sharded(LocalShards([shard]), np.zeros((1, 2)), 3)
    np.testing.assert_array_equal(picked, kcenter_greedy(
        np.arange(12.0).reshape(6, 2), np.zeros((1, 2)), 3))


@pytest.mark.parametrize("seed", SEEDS)
def test_kcenter_shards_pick_as_one(seed):
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((301, 6))
    C = rng.standard_normal((3, 6))
    for centers in (C, C[:0]):
        one = _kcenter_torch(E, centers, 20, seed)
        np.testing.assert_array_equal(_kcenter_torch(E, centers, 20, seed,
                                                     n_shards=3), one)


def test_empty_shards_are_skipped():
    a, h = _factors(n=40, seed=2)
    E = torch.as_tensor(h)
    kc = LocalShards([TorchKCenterShard(E[:15], 0), TorchKCenterShard(E[15:15], 15),
                      TorchKCenterShard(E[15:], 15)])
    np.testing.assert_array_equal(
        kcenter_greedy_sharded(kc, h[:2], 10, rng=np.random.default_rng(0)),
        kcenter_greedy(h, h[:2], 10, rng=np.random.default_rng(0)))
    A = torch.as_tensor(a)
    km = LocalShards([TorchKMeansPPShard(A[:15], E[:15], 0),
                      TorchKMeansPPShard(A[15:15], E[15:15], 15),
                      TorchKMeansPPShard(A[15:], E[15:], 15)])
    np.testing.assert_array_equal(
        kmeanspp_sharded(km, 10, np.random.default_rng(0)),
        kmeanspp_factored(a, h, 10, np.random.default_rng(0)))


@pytest.mark.parametrize("seed", SEEDS)
def test_kcenter_mask_matches_numpy_shards(seed):
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((240, 5))
    # Masked rows are the farthest ones: they would be picked first.
    E[:40] *= 10.0
    mask = np.ones(240, dtype=bool)
    mask[:40] = False
    mask[rng.choice(np.arange(40, 240), 30, replace=False)] = False
    C = rng.standard_normal((2, 5))
    for centers in (C, C[:0]):
        bounds = [0, 70, 150, 240]
        ref = LocalShards([KCenterShard(E[lo:hi], lo, mask[lo:hi])
                           for lo, hi in zip(bounds[:-1], bounds[1:])])
        expected = kcenter_greedy_sharded(ref, centers, 40,
                                          rng=np.random.default_rng(seed),
                                          candidates=np.flatnonzero(mask))
        for n_shards in (1, 3):
            picked = _kcenter_torch(E, centers, 40, seed, mask=mask,
                                    n_shards=n_shards)
            np.testing.assert_array_equal(picked, expected)
            assert mask[picked].all()


def test_kcenter_stats_with_mask():
    rng = np.random.default_rng(0)
    E = rng.standard_normal((50, 4))
    mask = rng.random(50) < 0.6
    got = TorchKCenterShard(torch.as_tensor(E), 0, torch.as_tensor(mask)).stats()
    ref = KCenterShard(E, 0, mask).stats()
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    assert got[1] == pytest.approx(ref[1], rel=1e-12) and got[2] == ref[2]


def test_kcenter_vectors_stay_tensors():
    E = torch.as_tensor(np.random.default_rng(0).standard_normal((20, 3)))
    shard = TorchKCenterShard(E, 5)
    best, n_tied, row, vec, sq = shard.prepare(None, np.zeros((1, 3)))
    assert isinstance(best, float) and isinstance(n_tied, int)
    assert isinstance(row, int) and 5 <= row < 25 and isinstance(sq, float)
    assert isinstance(vec, torch.Tensor) and vec.device == E.device
    torch.testing.assert_close(vec, E[row - 5])
    # Centres given as a tensor are used as they are.
    top = TorchKCenterShard(E, 5).prepare(None, torch.zeros(1, 3, dtype=E.dtype))
    assert top[:3] == (best, n_tied, row)


# -- k-means++ ----------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("first", ["max_norm", "random"])
def test_kmeanspp_matches_numpy(seed, first):
    a, h = _factors(seed=seed)
    expected = kmeanspp_factored(a, h, 30, np.random.default_rng(seed), first=first)
    np.testing.assert_array_equal(_kmeanspp_torch(a, h, 30, seed, first), expected)
    # float32 factors are promoted to float64, like the numpy shard does.
    a32, h32 = a.astype(np.float32), h.astype(np.float32)
    np.testing.assert_array_equal(
        _kmeanspp_torch(a32, h32, 30, seed, first),
        kmeanspp_factored(a32, h32, 30, np.random.default_rng(seed), first=first))


@pytest.mark.parametrize("first", ["max_norm", "random"])
def test_kmeanspp_sharded_matches_numpy_shards(first):
    a, h = _factors(n=180, seed=7)
    mask = np.random.default_rng(7).random(180) < 0.7
    bounds = [0, 50, 120, 180]
    ref = LocalShards([KMeansPPShard(a[lo:hi], h[lo:hi], lo, mask[lo:hi])
                       for lo, hi in zip(bounds[:-1], bounds[1:])])
    expected = kmeanspp_sharded(ref, 25, np.random.default_rng(1), first=first,
                                candidates=np.flatnonzero(mask))
    assert mask[expected].all()
    for n_shards in (1, 3):
        np.testing.assert_array_equal(
            _kmeanspp_torch(a, h, 25, 1, first, mask=mask, n_shards=n_shards),
            expected)


@pytest.mark.parametrize("first", ["max_norm", "random"])
def test_kmeanspp_masked_max_norm_is_not_picked(first):
    a, h = _factors(n=60, seed=3)
    h[0] *= 100.0  # the largest gradient norm by far
    mask = np.ones(60, dtype=bool)
    mask[0] = False
    picked = _kmeanspp_torch(a, h, 20, 0, first, mask=mask)
    assert 0 not in picked and np.unique(picked).shape[0] == 20


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("first", ["max_norm", "random"])
def test_kmeanspp_degenerate_mass_falls_back_to_uniform(seed, first):
    # Three distinct points, each repeated: after three picks every
    # remaining point coincides with a centre, the D² mass is 0 and the
    # picks are uniform draws among the rows left.
    base_a = np.array([[0.5, -0.5], [-0.25, 0.25], [0.75, -0.75]])
    base_h = np.array([[1.0, 2.0], [2.0, 0.0], [1.0, 1.0]])
    idx = np.random.default_rng(seed).permutation(np.repeat(np.arange(3), 4))
    a, h = base_a[idx], base_h[idx]
    expected = kmeanspp_factored(a, h, 9, np.random.default_rng(seed), first=first)
    picked = _kmeanspp_torch(a, h, 9, seed, first)
    np.testing.assert_array_equal(picked, expected)
    np.testing.assert_array_equal(_kmeanspp_torch(a, h, 9, seed, first, n_shards=3),
                                  expected)
    assert np.unique(picked).shape[0] == 9
    # All rows the same: the mass is 0 from the second pick on.
    same = kmeanspp_factored(np.ones((8, 2)), np.ones((8, 3)), 5,
                             np.random.default_rng(seed), first=first)
    np.testing.assert_array_equal(
        _kmeanspp_torch(np.ones((8, 2)), np.ones((8, 3)), 5, seed, first), same)


def test_kmeanspp_pick_round_off_fallback():
    shard = TorchKMeansPPShard(torch.ones(4, 1, dtype=torch.float64),
                               torch.arange(4.0, dtype=torch.float64)[:, None], 10)
    mass = shard.update(torch.ones(1, dtype=torch.float64),
                        torch.zeros(1, dtype=torch.float64), 0.0, 10)
    assert mass == pytest.approx(0 + 1 + 4 + 9)
    assert shard.pick(0.5)[0] == 11
    # A target at (or past) the top of the cdf: the last row with mass.
    assert shard.pick(mass)[0] == 13
    assert shard.pick(mass * 2)[0] == 13


# -- helpers ----------------------------------------------------------------
def test_torch_device_of_and_as_torch():
    assert torch_device_of(np.zeros(2)) is None
    assert torch_device_of([1.0]) is None
    t = torch.zeros(3)
    assert torch_device_of(t) == torch.device("cpu")
    assert as_torch(t) is t
    x = as_torch(np.arange(3), dtype=torch.float64)
    assert x.dtype == torch.float64 and x.tolist() == [0.0, 1.0, 2.0]


# -- NetClassifier hooks on the device ----------------------------------------
@pytest.fixture(scope="module")
def mlp():
    pytest.importorskip("skorch")
    from skactive.nets import make_mlp

    rng = np.random.RandomState(0)
    y = np.arange(40) % 3
    X = (3.0 * rng.randn(3, 4)[y] + rng.randn(40, 4)).astype(np.float32)
    # batch_size 16: the tensors are concatenated from several batches.
    net = make_mlp((8,), max_epochs=2, batch_size=16, random_state=0)
    return net.fit(X, y), X


def test_net_embed_as_tensor(mlp):
    net, X = mlp
    E = net.embed(X, as_tensor=True)
    assert isinstance(E, torch.Tensor) and not E.requires_grad
    assert E.device == torch.device(net.device)
    np.testing.assert_array_equal(E.numpy(), net.embed(X))
    assert isinstance(net.embed(X), np.ndarray)


def test_net_gradient_embedding_factors_as_tensor(mlp):
    net, X = mlp
    a, h = net.gradient_embedding_factors(X, as_tensor=True)
    a_np, h_np = net.gradient_embedding_factors(X)
    assert isinstance(a, torch.Tensor) and isinstance(h, torch.Tensor)
    assert isinstance(a_np, np.ndarray) and isinstance(h_np, np.ndarray)
    np.testing.assert_array_equal(a.numpy(), a_np)
    np.testing.assert_array_equal(h.numpy(), h_np)
    # The tensors feed the torch shards directly.
    picked = kmeanspp_sharded(LocalShards([TorchKMeansPPShard(a, h, 0)]), 5,
                              np.random.default_rng(0))
    np.testing.assert_array_equal(
        picked, kmeanspp_factored(a_np, h_np, 5, np.random.default_rng(0)))


# -- CoreSet and BADGE take the torch path ------------------------------------
def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


@pytest.mark.parametrize("cls", ["CoreSet", "BADGE"])
def test_strategy_device_cpu_picks_as_numpy(cls):
    import skactive

    X, y = _digits()
    S = getattr(skactive, cls)
    ref = S(random_state=0).fit(X[:40], y[:40]).query(X[40:], batch_size=15)
    s = S(device="cpu", random_state=0).fit(X[:40], y[:40])
    np.testing.assert_array_equal(s.query(X[40:], batch_size=15), ref)
    # Out of core: one torch shard per block, the same picks.
    da = pytest.importorskip("dask.array")
    np.testing.assert_array_equal(
        s.query(da.from_array(X[40:], chunks=(97, 64)), batch_size=15), ref)


def test_coreset_callable_embedding_tensor_stays_in_torch(monkeypatch):
    from skactive import CoreSet
    from skactive.strategies import _coreset

    X, y = _digits()
    built = []
    monkeypatch.setattr(_coreset, "TorchKCenterShard", lambda *a: built.append(
        TorchKCenterShard(*a)) or built[-1])
    # A random projection: no two distances tie (digits' pixels do, and
    # the two libraries may round a tie either way).
    W = np.random.RandomState(0).randn(64, 12)
    s = CoreSet(embedding=lambda Z: torch.as_tensor(Z @ W), random_state=0)
    s.fit(X[:40], y[:40])
    assert isinstance(s.X_labeled_embedding_, np.ndarray)
    ref = CoreSet(embedding=lambda Z: Z @ W, random_state=0).fit(X[:40], y[:40])
    np.testing.assert_array_equal(s.query(X[40:], 10), ref.query(X[40:], 10))
    assert len(built) == 1


def test_net_strategies_ask_for_device_tensors(mlp, monkeypatch):
    from skactive import BADGE, CoreSet

    net, X = mlp
    y = np.arange(40) % 3
    asked = []
    for name in ("embed", "gradient_embedding_factors"):
        method = getattr(type(net), name)

        def spy(self, X, as_tensor=False, _method=method):
            asked.append(as_tensor)
            return _method(self, X, as_tensor=as_tensor)

        monkeypatch.setattr(type(net), name, spy)
    for cls in (CoreSet, BADGE):
        asked.clear()
        ref = cls(net, refit=False, random_state=0).fit(X[:10], y[:10])
        picks = ref.query(X[10:], 6)
        assert not any(asked)  # a CPU net: the NumPy rule
        s = cls(net, refit=False, device="cpu", random_state=0).fit(X[:10], y[:10])
        asked.clear()
        np.testing.assert_array_equal(s.query(X[10:], 6), picks)
        assert asked and all(asked)


def test_a_cuda_network_selects_on_its_device():
    # No GPU here: the choice of path is checked, not run.
    from skactive import CoreSet

    class FakeNet:
        device = "cuda:1"

        def embed(self, X):  # pragma: no cover - not called
            raise AssertionError

    s = CoreSet()
    s.estimator_ = FakeNet()
    assert s._selection_device() == torch.device("cuda:1")
    s.estimator_ = object()
    assert s._selection_device() is None
    s.device = "cpu"
    assert s._selection_device() == torch.device("cpu")


@pytest.mark.parametrize("cls", ["CoreSet", "BADGE"])
def test_bad_device_is_named(cls):
    import skactive

    X, y = _digits()
    with pytest.raises(ValueError, match="device must be None or a torch device"):
        getattr(skactive, cls)(device="gpu-please").fit(X[:40], y[:40])


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a CUDA-less host")
def test_cuda_device_without_cuda_fails_in_fit():
    from skactive import CoreSet

    X, y = _digits()
    with pytest.raises(ValueError, match="0 CUDA device"):
        CoreSet(device="cuda").fit(X[:40], y[:40])
