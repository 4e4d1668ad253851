"""Deep active learning: skorch nets, their hooks and the Bayesian heuristics.

Tiny networks and constructed MC-dropout tables keep the file fast; every
check has an answer known from the definition (autograd, brute-force joint
entropies, hand-computed scores).
"""

import copy
import itertools
import math
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import BaseEstimator, ClassifierMixin, clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402
from torch import nn  # noqa: E402

from skactive import (  # noqa: E402
    BADGE,
    ActiveLearner,
    BatchBALD,
    CoreSet,
    DeepEnsemble,
    MCDropout,
    PowerBALD,
)
from skactive.nets import (  # noqa: E402
    ConsistentDropout,
    NetClassifier,
    make_image_cnn,
    make_mlp,
    make_sequence_cnn,
    resolve_device,
)
from skactive.strategies import mc_scores  # noqa: E402
from skactive.strategies._bayesian import _batchbald_greedy  # noqa: E402
from skactive.utils import embed, gradient_embedding_factors, top_k  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """Tiny nets gain nothing from threads; pin them for speed and determinism."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# -- data and helpers -------------------------------------------------------
def _blobs(n=60, n_features=4, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % n_classes
    centers = 3.0 * rng.randn(n_classes, n_features)
    X = (centers[y] + rng.randn(n, n_features)).astype(np.float32)
    return X, y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


@pytest.fixture(scope="module")
def mlp():
    """A fitted 3-class MLP (the fixture is shared: tests must not modify it)."""
    X, y = _blobs()
    return make_mlp((16,), max_epochs=20, random_state=0).fit(X, y), X, y


def _dropouts(net):
    return [m for m in net.module_.modules() if isinstance(m, ConsistentDropout)]


class BatchNormModule(nn.Module):
    """A custom module with batch normalisation before a consistent dropout."""

    def __init__(self, n_features, n_classes, hidden=16):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.BatchNorm1d(hidden), nn.ReLU()
        )
        self.dropout = ConsistentDropout(0.5)
        self.head = nn.Linear(hidden, n_classes)

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


class ForeignDropoutModule(nn.Module):
    """A module with plain torch dropout layers (no ConsistentDropout)."""

    def __init__(self, n_features, n_classes, kind="dropout"):
        super().__init__()
        self.lin = nn.Linear(n_features, 16)
        if kind == "dropout":
            self.drop = nn.Dropout(0.5)
        else:  # channel dropout on a (batch, 16, 1) view
            self.drop = nn.Dropout1d(0.5)
        self.head = nn.Linear(16, n_classes)

    def features(self, x):
        h = torch.relu(self.lin(x))
        return self.drop(h[:, :, None])[:, :, 0]

    def forward(self, x):
        return self.head(self.features(x))


class PlainModule(nn.Module):
    """No ``features`` / ``head``: fine for predictions, not for embeddings."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.lin = nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.lin(x)


class MCTableClassifier(ClassifierMixin, BaseEstimator):
    """Stub with a fixed MC table: row ``X[i, 0]`` of ``table`` (n, K, C)."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        X = np.asarray(X)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        return self

    def _rows(self, X):
        check_is_fitted(self)
        return np.asarray(self.table, dtype=float)[np.asarray(X)[:, 0].astype(int)]

    def predict_proba(self, X):
        return self._rows(X).mean(axis=1)

    def predict_proba_mc(self, X, n_samples=20, random_state=None):
        return self._rows(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _id_pool(n):
    X = np.zeros((n, 2))
    X[:, 0] = np.arange(n)
    return X


def _fit_stub(strategy, table):
    """Fit ``strategy`` (wrapping the stub) on two labeled rows; return the pool."""
    n, _, C = np.shape(table)
    X_lab = _id_pool(2)
    strategy.set_params(estimator=MCTableClassifier(np.asarray(table)))
    strategy.fit(X_lab, np.array([0, 1]))
    return _id_pool(n)


def _bald(P):
    """BALD by its definition, term by term in plain Python."""
    P = np.asarray(P, dtype=float)
    out = []
    for draws in P:
        mean = draws.mean(axis=0)
        h = -sum(p * math.log(p) for p in mean if p > 0)
        cond = np.mean([-sum(p * math.log(p) for p in d if p > 0) for d in draws])
        out.append(h - cond)
    return np.array(out)


# A (n=4, K=6, C=3) table where each measure has a different winner.
_ROW_ENTROPY = [[1 / 3, 1 / 3, 1 / 3]] * 6
_ROW_BALD = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] * 3
_ROW_VR = [[0.45, 0.35, 0.2]] * 2 + [[0.35, 0.45, 0.2]] * 2 + [[0.3, 0.3, 0.4]] * 2
_ROW_SURE = [[0.9, 0.05, 0.05]] * 6
_MEASURE_TABLE = np.array([_ROW_SURE, _ROW_BALD, _ROW_VR, _ROW_ENTROPY])


# -- hooks ------------------------------------------------------------------
def test_mlp_embed_is_penultimate_layer(mlp):
    net, X, _ = mlp
    E = net.embed(X)
    assert E.shape == (X.shape[0], 16)
    with torch.no_grad():
        expected = net.module_.features(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(E, expected, rtol=1e-6, atol=1e-6)
    # Dispatch used by CoreSet / BADGE goes to the net's own hooks.
    np.testing.assert_array_equal(embed(net, X), E)


@pytest.mark.parametrize("side", [8, 28])
def test_image_cnn_embed_infers_square_input(side):
    rng = np.random.RandomState(0)
    X = rng.rand(12, side * side).astype(np.float32)
    y = np.arange(12) % 3
    net = make_image_cnn(max_epochs=1, n_filters=4, hidden=24, random_state=0)
    net.fit(X, y)
    assert net.module_.input_shape == (1, side, side)
    assert net.embed(X[:5]).shape == (5, 24)
    assert net.predict_proba(X).shape == (12, 3)


def test_image_cnn_default_embedding_is_128(digits):
    X, y = digits
    net = make_image_cnn(max_epochs=1, random_state=0).fit(X[:30], y[:30])
    assert net.embed(X[:4]).shape == (4, 128)
    # IALE's 28x28 architecture: 32 * 14 * 14 inputs to the dense layer.
    module = make_image_cnn().set_params(module__n_features=784).initialize().module_
    assert module.dense[0].in_features == 32 * 14 * 14


def test_image_cnn_explicit_input_shape():
    X = np.random.RandomState(0).rand(10, 2 * 6 * 4).astype(np.float32)
    net = make_image_cnn((2, 6, 4), max_epochs=1, n_filters=4, hidden=8,
                         random_state=0).fit(X, np.arange(10) % 2)
    assert net.embed(X).shape == (10, 8)


def test_sequence_cnn_embed_shape():
    X = np.random.RandomState(0).randn(16, 40).astype(np.float32)
    y = np.arange(16) % 2
    net = make_sequence_cnn(max_epochs=1, n_filters=4, hidden=12, random_state=0)
    assert net.fit(X, y).embed(X).shape == (16, 12)
    two = make_sequence_cnn(2, max_epochs=1, n_filters=4, hidden=6, random_state=0)
    assert two.fit(X, y).embed(X[:3]).shape == (3, 6)


def _autograd_head_gradient(net, x):
    net.module_.eval()
    net.module_.zero_grad()
    logits = net.module_(torch.as_tensor(x[None]))
    loss = nn.CrossEntropyLoss()(logits, logits.argmax(dim=1))
    (grad,) = torch.autograd.grad(loss, net.module_.head.weight)
    return grad.reshape(-1).numpy()


def test_gradient_embedding_equals_autograd(mlp):
    net, X, _ = mlp
    G = net.gradient_embedding(X[:8])
    assert G.shape == (8, 3 * 16)
    for i in range(8):
        np.testing.assert_allclose(G[i], _autograd_head_gradient(net, X[i]),
                                   atol=1e-5)


def test_gradient_embedding_equals_autograd_cnn(digits):
    X, y = digits
    net = make_image_cnn(max_epochs=2, n_filters=4, hidden=16,
                         random_state=0).fit(X[:40], y[:40])
    G = net.gradient_embedding(X[40:45])
    assert G.shape == (5, 10 * 16)
    for i in range(5):
        np.testing.assert_allclose(G[i], _autograd_head_gradient(net, X[40 + i]),
                                   atol=1e-5)


def test_gradient_embedding_factors_product(mlp):
    net, X, _ = mlp
    a, h = net.gradient_embedding_factors(X)
    assert a.shape == (X.shape[0], 3) and h.shape == (X.shape[0], 16)
    G = net.gradient_embedding(X)
    np.testing.assert_allclose(np.einsum("nc,nd->ncd", a, h).reshape(len(X), -1), G,
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h, net.embed(X), rtol=1e-6, atol=1e-7)
    # a = p - onehot(argmax p): rows sum to 0, the argmax entry is p_max - 1.
    p = net.predict_proba(X)
    np.testing.assert_allclose(a.sum(axis=1), 0.0, atol=1e-6)
    np.testing.assert_allclose(a[np.arange(len(X)), p.argmax(1)], p.max(1) - 1,
                               atol=1e-6)
    a2, h2 = gradient_embedding_factors(net, X)
    np.testing.assert_array_equal(a2, a)
    np.testing.assert_array_equal(h2, h)


def test_embed_needs_features_and_head():
    X, y = _blobs()
    net = NetClassifier(PlainModule, max_epochs=2, random_state=0).fit(X, y)
    assert net.predict(X).shape == (60,)
    for hook in (net.embed, net.gradient_embedding, net.gradient_embedding_factors):
        with pytest.raises(TypeError, match="features"):
            hook(X)


# -- MC dropout ---------------------------------------------------------------
def test_predict_proba_mc_varies_with_dropout(mlp):
    net, X, _ = mlp
    P = net.predict_proba_mc(X, n_samples=6)
    assert P.shape == (60, 6, 3)
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-5)
    # Different masks per draw: the draws of a sample differ.
    assert (np.ptp(P, axis=1).max(axis=1) > 1e-4).mean() > 0.9


def test_predict_proba_mc_without_dropout_is_predict_proba():
    X, y = _blobs()
    net = make_mlp((16, 8), dropout=0.0, max_epochs=5, random_state=0).fit(X, y)
    P = net.predict_proba_mc(X, n_samples=4)
    for k in range(1, 4):
        np.testing.assert_array_equal(P[:, k], P[:, 0])
    np.testing.assert_allclose(P[:, 0], net.predict_proba(X), rtol=1e-6, atol=1e-7)


def test_cnn_without_dropout_draws_agree(digits):
    X, y = digits
    net = make_image_cnn(max_epochs=1, n_filters=4, hidden=16, dropout=0.0,
                         dropout_conv=0.0, random_state=0).fit(X[:30], y[:30])
    P = net.predict_proba_mc(X[30:40], n_samples=3)
    np.testing.assert_array_equal(P[:, 1], P[:, 0])
    np.testing.assert_array_equal(P[:, 2], P[:, 0])
    np.testing.assert_allclose(P[:, 0], net.predict_proba(X[30:40]), atol=1e-6)
    with_drop = make_image_cnn(max_epochs=1, n_filters=4, hidden=16,
                               random_state=0).fit(X[:30], y[:30])
    assert np.ptp(with_drop.predict_proba_mc(X[30:40], 3), axis=1).max() > 1e-4


def test_predict_proba_mc_is_seeded(mlp):
    net, X, _ = mlp
    a = net.predict_proba_mc(X, n_samples=5, random_state=3)
    b = net.predict_proba_mc(X, n_samples=5, random_state=3)
    np.testing.assert_array_equal(a, b)
    c = net.predict_proba_mc(X, n_samples=5, random_state=4)
    assert not np.allclose(a, c)
    # None falls back to the net's random_state.
    np.testing.assert_array_equal(net.predict_proba_mc(X, 5),
                                  net.predict_proba_mc(X, 5, random_state=0))
    # The global torch RNG plays no part.
    torch.manual_seed(99)
    np.testing.assert_array_equal(net.predict_proba_mc(X, 5, random_state=3), a)


def test_predict_proba_mc_does_not_depend_on_batching(mlp):
    net, X, _ = mlp
    net = copy.deepcopy(net)
    full = net.predict_proba_mc(X, n_samples=5, random_state=1)
    net.set_params(batch_size=7)
    batched = net.predict_proba_mc(X, n_samples=5, random_state=1)
    alone = net.predict_proba_mc(X[17:18], n_samples=5, random_state=1)
    np.testing.assert_allclose(batched, full, atol=1e-6)
    np.testing.assert_allclose(alone[0], full[17], atol=1e-6)
    # Consistent masks: one sub-network per draw, so the per-draw argmax of
    # two identical rows always agrees.
    twins = net.predict_proba_mc(np.repeat(X[:1], 4, axis=0), 5, random_state=1)
    np.testing.assert_allclose(twins, np.repeat(full[:1], 4, axis=0), atol=1e-6)


def test_mc_restores_eval_mode_and_seeds(mlp):
    net, X, _ = mlp
    net = copy.deepcopy(net)
    drops = _dropouts(net)
    assert drops
    net.predict_proba_mc(X, n_samples=3)
    assert not net.module_.training
    assert all(not m.training for m in net.module_.modules())
    assert all(m.mc_seed is None for m in drops)
    # A generator abandoned half way leaves no MC state behind either.
    gen = net.set_params(batch_size=16).iter_proba_mc(X, n_samples=2)
    first = next(gen)
    assert isinstance(first, torch.Tensor) and first.shape == (16, 2, 3)
    assert all(m.mc_seed is None for m in drops)
    gen.close()
    assert all(m.mc_seed is None for m in drops) and not net.module_.training
    np.testing.assert_allclose(net.predict_proba(X).sum(1), 1.0, atol=1e-6)


def test_batchnorm_stays_in_eval_mode_during_mc():
    X, y = _blobs()
    net = NetClassifier(BatchNormModule, max_epochs=5, random_state=0).fit(X, y)
    bn = net.module_.body[1]
    seen = []
    bn.register_forward_hook(lambda m, i, o: seen.append(m.training))
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    tracked = int(bn.num_batches_tracked)
    P = net.predict_proba_mc(X, n_samples=4)
    assert seen and not any(seen)
    assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
    assert int(bn.num_batches_tracked) == tracked
    assert np.ptp(P, axis=1).max() > 1e-4  # the dropout is on
    # Eval-mode batch norm: a row alone gets the same draws as in the pool.
    np.testing.assert_allclose(net.predict_proba_mc(X[5:6], 4)[0], P[5], atol=1e-6)


@pytest.mark.parametrize("kind", ["dropout", "dropout1d"])
def test_foreign_dropout_layers_are_switched_on(kind):
    X, y = _blobs()
    net = NetClassifier(ForeignDropoutModule, module__kind=kind, max_epochs=3,
                        random_state=0).fit(X, y)
    P = net.predict_proba_mc(X, n_samples=4)
    assert np.ptp(P, axis=1).max() > 1e-4
    # Seeded like consistent dropout: the global RNG's state plays no part.
    torch.manual_seed(5)
    np.testing.assert_array_equal(P, net.predict_proba_mc(X, n_samples=4))
    assert not np.allclose(P, net.predict_proba_mc(X, 4, random_state=1))
    assert all(not m.training for m in net.module_.modules())
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize("n_samples", [0, -1, 2.5, True])
def test_predict_proba_mc_rejects_bad_n_samples(mlp, n_samples):
    net, X, _ = mlp
    with pytest.raises((ValueError, TypeError), match="n_samples"):
        net.predict_proba_mc(X, n_samples=n_samples)


def test_consistent_dropout_masks():
    drop = ConsistentDropout(0.5).eval()
    x = torch.ones(6, 20)
    assert torch.equal(drop(x), x)
    drop.mc_seed = 11
    out = drop(x)
    assert torch.equal(out, out[:1].expand_as(out))
    assert set(out.unique().tolist()) <= {0.0, 2.0}
    assert torch.equal(drop(x[:2]), out[:2])
    drop.mc_seed = 12
    assert not torch.equal(drop(x), out)
    drop.train()
    torch.manual_seed(0)
    train_out = drop(x)
    assert not torch.equal(train_out, train_out[:1].expand_as(train_out))


# -- NetClassifier as a scikit-learn estimator --------------------------------
def test_string_labels_round_trip():
    X, y = _blobs()
    labels = np.array(["cat", "dog", "emu"])[y]
    net = make_mlp((16,), max_epochs=20, lr=1e-2, random_state=0).fit(X, labels)
    assert net.classes_.tolist() == ["cat", "dog", "emu"]
    pred = net.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= {"cat", "dog", "emu"}
    assert net.score(X, labels) > 0.8
    np.testing.assert_array_equal(pred, net.classes_[net.predict_proba(X).argmax(1)])


def test_classes_before_fit_is_an_attribute_error():
    assert not hasattr(make_mlp(), "classes_")


def test_clone_and_refit_is_reproducible(mlp):
    net, X, y = mlp
    again = clone(net)
    assert not hasattr(again, "classes_")
    assert set(again.get_params()) == set(make_mlp().get_params())
    again.fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
    other = clone(net).set_params(random_state=1).fit(X, y)
    assert not np.allclose(other.predict_proba(X), net.predict_proba(X))


def test_pickle_round_trip(mlp):
    net, X, _ = mlp
    loaded = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict_proba_mc(X, 4, random_state=2),
                                  net.predict_proba_mc(X, 4, random_state=2))
    np.testing.assert_array_equal(loaded.classes_, net.classes_)


def test_in_pipeline():
    X, y = _blobs()
    X = 100.0 + 50.0 * X.astype(np.float64)  # badly scaled float64
    pipe = make_pipeline(StandardScaler(), make_mlp((16,), max_epochs=20, lr=1e-2,
                                                    random_state=0))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.8
    assert embed(pipe, X).shape == (60, 16)


def test_in_grid_search():
    X, y = _blobs()
    search = GridSearchCV(make_mlp((8,), max_epochs=5, random_state=0),
                          {"module__hidden_sizes": [(8,), (16,)]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["module__hidden_sizes"] in [(8,), (16,)]
    width = search.best_params_["module__hidden_sizes"][0]
    assert search.best_estimator_.embed(X).shape == (60, width)


def test_device_auto_resolves(mlp):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"
    net, _, _ = mlp
    assert make_mlp().device == "auto"
    assert net.device == expected


def test_seeded_fit_leaves_global_rng_alone():
    X, y = _blobs()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    make_mlp((16,), max_epochs=3, random_state=0).fit(X, y)
    assert torch.equal(state, torch.get_rng_state())


def test_image_cnn_needs_square_input_or_shape():
    X = np.random.RandomState(0).rand(10, 50).astype(np.float32)
    with pytest.raises(ValueError, match="input_shape"):
        make_image_cnn(max_epochs=1).fit(X, np.arange(10) % 2)


# -- mc_scores ------------------------------------------------------------------
def test_mc_scores_hand_computed():
    P = np.array([
        [[0.5, 0.5]] * 4,                             # unsure, agreeing
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]],  # sure, disagreeing
        [[0.8, 0.2], [0.2, 0.8], [0.8, 0.2], [0.2, 0.8]],
    ])
    h82 = -(0.8 * math.log(0.8) + 0.2 * math.log(0.2))
    h31 = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    expected = {
        "entropy": [math.log(2), h31, math.log(2)],
        "bald": [0.0, h31, math.log(2) - h82],
        "variation_ratio": [0.0, 0.25, 0.5],
    }
    for measure, values in expected.items():
        np.testing.assert_allclose(mc_scores(P, measure), values, atol=1e-12)
        out = mc_scores(torch.as_tensor(P), measure)
        assert isinstance(out, torch.Tensor)
        np.testing.assert_allclose(out.numpy(), values, atol=1e-12)
        out32 = mc_scores(torch.as_tensor(P, dtype=torch.float32), measure)
        np.testing.assert_allclose(out32.numpy(), values, atol=1e-6)


def test_mc_scores_numpy_and_torch_agree():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=(30, 7))
    for measure in ("bald", "variation_ratio", "entropy"):
        np.testing.assert_allclose(mc_scores(torch.as_tensor(P), measure).numpy(),
                                   mc_scores(P, measure), atol=1e-12)
    np.testing.assert_allclose(mc_scores(P, "bald"), _bald(P), atol=1e-12)
    assert (mc_scores(P, "bald") >= 0).all()


def test_mc_scores_rejects_unknown_measure():
    with pytest.raises(ValueError, match="measure"):
        mc_scores(np.ones((2, 3, 2)) / 2, "margin")


# -- strategies on constructed MC tables ----------------------------------------
@pytest.mark.parametrize("measure, winner", [
    ("bald", 1), ("variation_ratio", 2), ("entropy", 3),
])
def test_mcdropout_picks_the_measure_argmax(measure, winner):
    scores = mc_scores(_MEASURE_TABLE, measure)
    assert np.argmax(scores) == winner and np.sort(scores)[-2] < scores[winner]
    strategy = MCDropout(measure=measure, n_samples=6, random_state=0)
    pool = _fit_stub(strategy, _MEASURE_TABLE)
    assert strategy.query(pool, batch_size=1).tolist() == [winner]
    np.testing.assert_allclose(strategy.score_samples(pool), scores, atol=1e-12)
    ranked = strategy.query(pool, batch_size=4)
    np.testing.assert_array_equal(ranked, np.argsort(-scores, kind="stable"))


def _random_table(n=30, K=8, C=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(C, 0.3), size=(n, K))


def test_powerbald_large_beta_is_top_k_bald():
    table = _random_table()
    bald = mc_scores(table, "bald")
    power = PowerBALD(beta=1e6, n_samples=8, random_state=0)
    pool = _fit_stub(power, table)
    np.testing.assert_array_equal(power.query(pool, batch_size=5),
                                  np.argsort(-bald)[:5])


def test_powerbald_beta_zero_is_random():
    table = _random_table()
    batches = set()
    for seed in range(6):
        power = PowerBALD(beta=0.0, n_samples=8, random_state=seed)
        pool = _fit_stub(power, table)
        picks = power.query(pool, batch_size=5)
        assert len(set(picks.tolist())) == 5
        batches.add(tuple(sorted(picks.tolist())))
    assert len(batches) >= 5
    with pytest.raises(ValueError, match="beta"):
        _fit_stub(PowerBALD(beta=-1.0), table)


def test_powerbald_favours_high_scores():
    table = _random_table(n=40)
    bald = mc_scores(table, "bald")
    top = set(np.argsort(-bald)[:10].tolist())
    hits = 0
    for seed in range(10):
        power = PowerBALD(beta=8.0, n_samples=8, random_state=seed)
        hits += len(top & set(power.query(_fit_stub(power, table), 5).tolist()))
    assert hits > 0.6 * 50  # far above the 25% of a uniform draw


def test_batchbald_batch_of_one_is_argmax_bald():
    table = _random_table(seed=1)
    strategy = BatchBALD(n_samples=8, random_state=0)
    pool = _fit_stub(strategy, table)
    assert strategy.query(pool, 1).tolist() == [int(np.argmax(_bald(table)))]


def _bits(K, bit, sure=0.98):
    """Draws that predict class ``(k >> bit) & 1`` under weight sample k."""
    rows = []
    for k in range(K):
        c = (k >> bit) & 1
        rows.append([sure, 1 - sure] if c == 0 else [1 - sure, sure])
    return rows


def test_batchbald_avoids_duplicates_where_top_k_does_not():
    K = 8
    filler = [[0.7, 0.3]] * K
    # Rows 0 and 1 are the same top-BALD label; row 2 has slightly lower BALD
    # but carries independent information about the weights.
    table = np.array([_bits(K, 0), _bits(K, 0), _bits(K, 1, sure=0.97)]
                     + [filler] * 5)
    bald = _bald(table)
    assert bald[0] == bald[1] > bald[2] > bald[3:].max()
    top = MCDropout(measure="bald", n_samples=K, random_state=0)
    assert set(top.query(_fit_stub(top, table), 2).tolist()) == {0, 1}
    bb = BatchBALD(n_samples=K, random_state=0)
    picks = bb.query(_fit_stub(bb, table), 2).tolist()
    assert picks[0] in (0, 1) and picks[1] == 2


def _joint_mi(P, idx):
    """I(y_idx; w) by enumerating every label configuration of ``idx``."""
    n, K, C = P.shape
    H = 0.0
    for config in itertools.product(range(C), repeat=len(idx)):
        p = np.mean([np.prod([P[i, k, c] for i, c in zip(idx, config)])
                     for k in range(K)])
        H -= p * math.log(p) if p > 0 else 0.0
    cond = sum(-np.sum(P[i] * np.log(P[i])) / K for i in idx)
    return H - cond


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchbald_greedy_matches_brute_force(seed):
    P = _random_table(n=7, K=5, C=3, seed=seed)
    gen = torch.Generator().manual_seed(0)
    picks = _batchbald_greedy(torch.as_tensor(P), 3, 1000, gen).tolist()
    assert len(set(picks)) == 3
    chosen = []
    for pick in picks:
        gains = {j: _joint_mi(P, chosen + [j]) for j in range(7) if j not in chosen}
        best = max(gains.values())
        assert gains[pick] == pytest.approx(best, abs=1e-9)
        chosen.append(pick)
    assert picks[0] == int(np.argmax(_bald(P)))


@pytest.mark.parametrize("n_configurations", [1, 2, 3])
def test_batchbald_sampled_regime(n_configurations):
    K = 8
    filler = [[0.75, 0.25]] * K
    # Three independent bits, each present twice: the right batch of three
    # takes one row of each pair, whatever configurations are sampled.
    table = np.array([_bits(K, 0), _bits(K, 0), _bits(K, 1, 0.97),
                      _bits(K, 1, 0.97), _bits(K, 2, 0.96), _bits(K, 2, 0.96)]
                     + [filler] * 4)
    bb = BatchBALD(n_samples=K, n_configurations=n_configurations, random_state=0)
    picks = bb.query(_fit_stub(bb, table), 3).tolist()
    assert sorted(p // 2 for p in picks) == [0, 1, 2]
    # Harder random tables: still a batch of distinct indices.
    table = _random_table(n=20, K=6, C=4, seed=3)
    bb = BatchBALD(n_samples=6, n_configurations=n_configurations, random_state=0)
    picks = bb.query(_fit_stub(bb, table), 6)
    assert len(set(picks.tolist())) == 6 and picks.min() >= 0 and picks.max() < 20


def test_batchbald_candidate_prefilter():
    table = _random_table(n=40, K=6, C=3, seed=4)
    bald = _bald(table)
    bb = BatchBALD(n_samples=6, max_candidates=5, random_state=0)
    picks = bb.query(_fit_stub(bb, table), 3)
    assert set(picks.tolist()) <= set(np.argsort(-bald)[:5].tolist())
    # max_candidates is raised to the batch size.
    assert len(set(bb.query(_fit_stub(bb, table), 8).tolist())) == 8


class MCBatchTableClassifier(MCTableClassifier):
    """The table stub, streamed ``batch`` rows at a time like a network; it
    counts the rows it is asked for."""

    def __init__(self, table=None, batch=7):
        super().__init__(table)
        self.batch = batch

    def iter_proba_mc(self, X, n_samples=20, random_state=None):
        rows = torch.as_tensor(self._rows(X))
        self.rows_seen_ = getattr(self, "rows_seen_", 0) + rows.shape[0]
        yield from torch.split(rows, self.batch)


def _batchbald_two_passes(strategy, X_pool, batch_size):
    """BatchBALD's query as it was: the BALD pre-filter pass, then a second
    MC pass over the candidates (issue 18 keeps the first pass's instead)."""
    from skactive.strategies._bayesian import _mc_batches, _pool_mc_scores
    from skactive.utils import query_rng

    s = strategy
    rng = query_rng(s._query_seed, X_pool.shape[0])
    bald = _pool_mc_scores(s.estimator_, X_pool, s.n_samples, s._query_seed, "bald")
    n_cand = min(X_pool.shape[0], max(s.max_candidates, batch_size))
    cand = top_k(bald.cpu().numpy(), n_cand, rng)
    P = torch.cat(list(_mc_batches(s.estimator_, X_pool[cand], s.n_samples,
                                   s._query_seed)))
    gen = torch.Generator().manual_seed(int(rng.integers(2**31 - 1)))
    return cand[_batchbald_greedy(P, batch_size, s.n_configurations, gen)]


@pytest.mark.parametrize("max_candidates, batch, stream", [
    (5, 3, 7), (5, 5, 1), (12, 4, 40), (200, 4, 7), (1, 1, 3),
])
@pytest.mark.parametrize("seed", [0, 1])
def test_batchbald_one_mc_pass_same_picks(max_candidates, batch, stream, seed):
    # The candidates' probabilities come from the pre-filter's pass: the
    # pool goes through the network once, and the picks are those of the
    # two-pass query (the stub's draws do not depend on the batching).
    table = _random_table(n=60, K=6, C=3, seed=seed)
    bb = BatchBALD(n_samples=6, max_candidates=max_candidates, random_state=seed)
    pool = _fit_stub(bb, table)
    bb.estimator_ = MCBatchTableClassifier(table, batch=stream).fit(pool[:2], [0, 1])
    picks = bb.query(pool, batch)
    assert bb.estimator_.rows_seen_ == 60
    np.testing.assert_array_equal(picks, _batchbald_two_passes(bb, pool, batch))


def test_batchbald_one_mc_pass_with_many_ties():
    # Ties at the pre-filter's boundary beyond what is held (twice
    # max_candidates): the dropped tied rows that top_k then selects are
    # computed again; the picks stay those of the two-pass query.
    K = 6
    rng = np.random.default_rng(5)
    tie = rng.dirichlet(np.ones(3), size=K)
    high = _random_table(n=20, K=K, C=3, seed=6)
    high = high[np.argsort(-_bald(high))[:5]]  # 5 rows above the tie
    table = np.concatenate([np.repeat(tie[None], 55, axis=0), high])
    table = table[rng.permutation(60)]
    bald = _bald(table)
    assert np.sum(bald == np.sort(bald)[-8]) == 55  # the 8th best: a 55-fold tie
    bb = BatchBALD(n_samples=K, max_candidates=8, random_state=0)
    pool = _fit_stub(bb, table)
    bb.estimator_ = MCBatchTableClassifier(table, batch=5).fit(pool[:2], [0, 1])
    picks = bb.query(pool, 4)
    assert 60 < bb.estimator_.rows_seen_ < 60 + 8
    np.testing.assert_array_equal(picks, _batchbald_two_passes(bb, pool, 4))


def test_batchbald_one_mc_pass_network(mlp):
    # A real network: one pass through iter_proba_mc per query, same picks.
    net, X, y = mlp
    net = copy.deepcopy(net).set_params(batch_size=8)
    calls = []
    iter_proba_mc = net.iter_proba_mc

    def counting(X_, *args, **kwargs):
        calls.append(len(X_))
        return iter_proba_mc(X_, *args, **kwargs)

    bb = BatchBALD(net, n_samples=5, max_candidates=12, refit=False,
                   random_state=0).fit(X[:10], y[:10])
    net.iter_proba_mc = counting
    picks = bb.query(X, 4)
    assert calls == [len(X)]
    np.testing.assert_array_equal(picks, _batchbald_two_passes(bb, X, 4))


def test_iter_proba_mc_resets_eval_mode_every_batch(mlp):
    # The dropout layers are looked up and the module put in eval mode once
    # per batch (not per draw): a caller that trains between batches still
    # gets MC draws of the eval-mode network.
    net, X, _ = mlp
    net = copy.deepcopy(net).set_params(batch_size=16)
    full = net.predict_proba_mc(X, 4, random_state=2)
    gen = net.iter_proba_mc(X, 4, random_state=2)
    first = next(gen)
    net.module_.train()
    second = next(gen)
    gen.close()
    np.testing.assert_allclose(first.numpy(), full[:16], atol=1e-6)
    np.testing.assert_allclose(second.numpy(), full[16:32], atol=1e-6)


def test_mc_scores_blockwise_same_numbers():
    # mc_scores works a block of rows at a time (bounded memory); the scores
    # are the whole-array formulas' numbers, for float32 and float64 input.
    from skactive.strategies import _bayesian

    P = _random_table(n=3000, K=7, C=5, seed=8)
    P[::9, :, 2] = 0.0
    P /= P.sum(axis=-1, keepdims=True)
    for dtype in (np.float64, np.float32):
        Q = P.astype(dtype)
        Pf = Q.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = Pf.mean(axis=1)
            entropy = -np.where(mean > 0, mean * np.log(mean), 0.0).sum(axis=-1)
            expected = -np.where(Pf > 0, Pf * np.log(Pf), 0.0).sum(axis=-1).mean(axis=1)
        votes = Pf.argmax(axis=-1)
        counts = np.stack([(votes == c).sum(axis=1) for c in range(5)], axis=1)
        reference = {"bald": np.maximum(entropy - expected, 0.0), "entropy": entropy,
                     "variation_ratio": 1.0 - counts.max(axis=-1) / 7}
        for measure, ref in reference.items():
            np.testing.assert_array_equal(mc_scores(Q, measure), ref)
        old = _bayesian._MC_BLOCK_BYTES
        try:
            _bayesian._MC_BLOCK_BYTES = 17 * 7 * 5 * 13  # blocks of 13 rows
            for measure, ref in reference.items():
                np.testing.assert_array_equal(mc_scores(Q, measure), ref)
        finally:
            _bayesian._MC_BLOCK_BYTES = old
    T = torch.as_tensor(P)
    whole = {m: _bayesian._mc_scores_torch_block(torch, T, m) for m in reference}
    old = _bayesian._MC_BLOCK_BYTES_TORCH
    try:
        _bayesian._MC_BLOCK_BYTES_TORCH = 2 * 8 * 7 * 5 * 13
        for measure, ref in whole.items():
            assert torch.equal(mc_scores(T, measure), ref)
    finally:
        _bayesian._MC_BLOCK_BYTES_TORCH = old


def test_deep_ensemble_members_differ():
    X, y = _blobs()
    ens = DeepEnsemble(make_mlp((16,), max_epochs=5), n_members=3,
                       measure="bald", random_state=0).fit(X, y)
    assert len(ens.members_) == 3 and ens.members_[0] is ens.estimator_
    probas = [m.predict_proba(X) for m in ens.members_]
    seeds = [m.random_state for m in ens.members_[1:]]
    assert len(set(seeds)) == 2
    for i, j in itertools.combinations(range(3), 2):
        assert not np.allclose(probas[i], probas[j])
    P = np.stack(probas, axis=1)
    np.testing.assert_allclose(ens.score_samples(X), mc_scores(P, "bald"),
                               atol=1e-9)
    picks = ens.query(X, 4)
    np.testing.assert_array_equal(np.sort(picks),
                                  np.sort(np.argsort(-mc_scores(P, "bald"))[:4]))


# -- top_k on tensors -------------------------------------------------------------
def test_top_k_torch_matches_numpy():
    rng = np.random.default_rng(0)
    scores = rng.random(50)
    for k in (1, 5, 50):
        a = top_k(scores, k, np.random.default_rng(1))
        b = top_k(torch.as_tensor(scores), k, np.random.default_rng(1))
        np.testing.assert_array_equal(a, b)  # no ties: same order, best first
        assert isinstance(b, np.ndarray)
    nan = scores.copy()
    nan[[3, 7]] = np.nan
    assert not {3, 7} & set(top_k(torch.as_tensor(nan), 48, rng)[:48 - 2].tolist())


def test_top_k_torch_breaks_ties_with_the_rng():
    scores = torch.tensor([0.1, 0.9, 0.5, 0.9, 0.5, 0.5, 0.5])
    seen = set()
    for seed in range(20):
        picks = top_k(scores, 3, np.random.default_rng(seed)).tolist()
        assert set(picks[:2]) == {1, 3} and picks[2] in {2, 4, 5, 6}
        np_picks = top_k(scores.numpy(), 3, np.random.default_rng(seed)).tolist()
        assert set(np_picks[:2]) == {1, 3} and np_picks[2] in {2, 4, 5, 6}
        seen.add(tuple(picks))
        assert picks == top_k(scores, 3, np.random.default_rng(seed)).tolist()
    assert len({p[2] for p in seen}) >= 3
    assert len({p[:2] for p in seen}) == 2  # the tied best pair is shuffled too


# -- end to end on digits -----------------------------------------------------------
@pytest.fixture(scope="module")
def digits_loop_data(digits):
    X, y = digits
    return X[:600], y[:600], X[1000:1400], y[1000:1400]


def _check_history(learner):
    hist = learner.history_
    assert [h["n_labeled"] for h in hist] == [20, 30, 40, 50]
    assert [len(h["queried"]) for h in hist] == [10, 10, 10, 0]
    assert len(learner.labeled_indices_) == 50
    assert len(set(learner.labeled_indices_.tolist())) == 50


def _cnn():
    return make_image_cnn(max_epochs=60, n_filters=16, lr=3e-3, random_state=0)


def test_end_to_end_mcdropout_cnn(digits_loop_data):
    X, y, X_test, y_test = digits_loop_data
    al = ActiveLearner(MCDropout(_cnn(), measure="bald", n_samples=10),
                       batch_size=10, budget=30, initial_size=20, random_state=0)
    al.fit(X, y)
    _check_history(al)
    assert isinstance(al.estimator_, NetClassifier)
    assert al.score(X_test, y_test) > 0.5  # chance is 0.1


@pytest.mark.parametrize("strategy", ["coreset", "badge"])
def test_end_to_end_embedding_strategies_cnn(digits_loop_data, strategy):
    X, y, X_test, y_test = digits_loop_data
    net = _cnn().set_params(module__n_filters=8, module__hidden=128)
    s = CoreSet(net) if strategy == "coreset" else BADGE(net)
    al = ActiveLearner(s, batch_size=10, budget=30, initial_size=20,
                       random_state=0).fit(X, y)
    _check_history(al)
    if strategy == "coreset":
        # The final strategy is fitted on all 50 labels, in the net's space.
        assert al.strategy_.X_labeled_embedding_.shape == (50, 128)
    assert al.score(X_test, y_test) > 0.5


# -- fitted strategies: pickling and reproducibility ---------------------------------
@pytest.mark.parametrize("make", [
    lambda net: MCDropout(net, measure="variation_ratio", n_samples=5,
                          random_state=0),
    lambda net: BatchBALD(net, n_samples=5, max_candidates=30, random_state=0),
    lambda net: PowerBALD(net, n_samples=5, random_state=0),
], ids=["mcdropout", "batchbald", "powerbald"])
def test_fitted_strategy_pickle_round_trip(digits, make):
    X, y = digits
    strategy = make(make_mlp((16,), max_epochs=10)).fit(X[:60], y[:60])
    pool = X[60:300]
    first = strategy.query(pool, 5)
    np.testing.assert_array_equal(strategy.query(pool, 5), first)
    loaded = pickle.loads(pickle.dumps(strategy))
    np.testing.assert_array_equal(loaded.query(pool, 5), first)


@pytest.mark.parametrize("make", [
    lambda: MCDropout(make_mlp((16,), max_epochs=10), n_samples=5),
    lambda: BatchBALD(make_mlp((16,), max_epochs=10), n_samples=5,
                      max_candidates=40),
], ids=["mcdropout", "batchbald"])
def test_same_random_state_same_query_sequence(digits, make):
    X, y = digits
    runs = [
        ActiveLearner(make(), batch_size=5, budget=10, initial_size=20,
                      random_state=7).fit(X[:200], y[:200]).labeled_indices_
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])


# -- errors ----------------------------------------------------------------------------
def test_mcdropout_needs_predict_proba_mc():
    X, y = _blobs()
    for strategy in (MCDropout(LogisticRegression()), BatchBALD(LogisticRegression()),
                     PowerBALD(LogisticRegression())):
        with pytest.raises(TypeError, match="predict_proba_mc"):
            strategy.fit(X, y)


def test_invalid_measure_and_n_samples():
    X, y = _id_pool(2), np.array([0, 1])
    stub = MCTableClassifier(_MEASURE_TABLE)
    with pytest.raises(ValueError, match="measure"):
        MCDropout(stub, measure="margin").fit(X, y)
    with pytest.raises(ValueError, match="measure"):
        DeepEnsemble(LogisticRegression(), measure="margin").fit(X, y)
    for bad in (0, -3):
        with pytest.raises(ValueError, match="n_samples"):
            MCDropout(stub, n_samples=bad).fit(X, y)
        with pytest.raises(ValueError, match="n_samples"):
            BatchBALD(stub, n_samples=bad).fit(X, y)
    with pytest.raises(TypeError, match="n_samples"):
        MCDropout(stub, n_samples=2.5).fit(X, y)
    with pytest.raises(ValueError, match="n_configurations"):
        BatchBALD(stub, n_configurations=0).fit(X, y)


# -- regressions from the deep-code review --------------------------------------
def _toy(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4).astype(np.float32)
    return X, np.where(X[:, 0] > 0, "a", "b")


def test_partial_fit_encodes_labels_and_builds_the_net():
    X, y = _toy()
    net = make_mlp((8,), max_epochs=2, random_state=0)
    net.partial_fit(X, y)
    net.partial_fit(X, y)
    assert list(net.classes_) == ["a", "b"]
    assert set(net.predict(X)) <= {"a", "b"}
    with pytest.raises(ValueError, match="not built for"):
        net.partial_fit(X[:2], np.array(["a", "z"]))


def test_classes_parameter_sizes_the_output_layer():
    X, y = _toy()
    net = make_mlp((8,), max_epochs=2, random_state=0, classes=["a", "b", "c"])
    net.fit(X, y)
    assert net.predict_proba(X).shape == (60, 3)
    assert list(net.classes_) == ["a", "b", "c"]


def test_module_instance_is_copied_and_reinitialised():
    from skactive.nets import MLPModule, NetClassifier

    X, y = _toy()
    inst = MLPModule(4, 2, (8,))
    a = NetClassifier(inst, max_epochs=1, random_state=0).fit(X, y)
    b = NetClassifier(inst, max_epochs=1, random_state=1).fit(X, y)
    c = NetClassifier(inst, max_epochs=1, random_state=0).fit(X, y)
    assert a.module_ is not inst
    assert not np.allclose(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_allclose(a.predict_proba(X), c.predict_proba(X))


def test_iter_proba_mc_keeps_autograd_while_paused():
    X, y = _toy()
    net = make_mlp((8,), max_epochs=1, random_state=0).fit(X, y)
    gen = net.iter_proba_mc(X, 3)
    next(gen)
    assert torch.is_grad_enabled()


@pytest.mark.parametrize("n, batch_size", [(257, 16), (82, 10), (130, 64), (10, 64)])
def test_training_batches_are_even(n, batch_size):
    from skactive.nets._base import _EvenBatchSampler

    sizes = [len(b) for b in _EvenBatchSampler(n, batch_size)]
    assert sum(sizes) == n and max(sizes) <= batch_size
    assert max(sizes) - min(sizes) <= 1


def test_user_sampler_is_respected():
    X, y = _toy()
    sampler = torch.utils.data.SequentialSampler(range(60))
    make_mlp((8,), max_epochs=1, iterator_train__sampler=sampler).fit(X, y)


def test_mc_draws_repeat_with_a_randomstate_seed():
    X, y = _toy()
    net = make_mlp((8,), max_epochs=2, random_state=np.random.RandomState(0)).fit(X, y)
    first = net.predict_proba_mc(X, 4)
    np.testing.assert_array_equal(first, net.predict_proba_mc(X, 4))
    big = make_mlp((8,), max_epochs=1, random_state=2**62).fit(X, y)
    assert big.predict_proba_mc(X, 2).shape == (60, 2, 2)


def test_consistent_dropout_p1_gives_zeros():
    from skactive.nets import ConsistentDropout

    drop = ConsistentDropout(1.0).eval()
    drop.mc_seed = 0
    assert torch.equal(drop(torch.ones(2, 3)), torch.zeros(2, 3))


def test_mc_strategies_accept_a_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skactive import BatchBALD, MCDropout

    X, y = _toy(120)
    net = make_mlp((8,), max_epochs=2, random_state=0)
    pipe = make_pipeline(StandardScaler(), net)
    for strategy in (MCDropout(pipe, random_state=0),
                     BatchBALD(pipe, max_candidates=30, random_state=0)):
        assert strategy.fit(X[:40], y[:40]).query(X[40:], 3).shape == (3,)


def test_plain_dropout_warns_in_mc_strategies():
    from torch import nn

    from skactive import MCDropout
    from skactive.nets import NetClassifier

    class Plain(nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(n_features, 8), nn.ReLU())
            self.drop = nn.Dropout(0.5)
            self.head = nn.Linear(8, n_classes)

        def features(self, x):
            return self.body(x)

        def forward(self, x):
            return self.head(self.drop(self.features(x)))

    X, y = _toy()
    with pytest.warns(UserWarning, match="ConsistentDropout"):
        MCDropout(NetClassifier(Plain, max_epochs=1, random_state=0)).fit(X, y)


def test_invalid_parameters_fail_before_training():
    from skactive import DeepEnsemble, PowerBALD

    X, y = _toy()
    with pytest.raises(ValueError, match="beta"):
        PowerBALD(make_mlp((8,), max_epochs=200), beta=-1).fit(X, y)
    with pytest.raises(ValueError, match="measure"):
        DeepEnsemble(make_mlp((8,), max_epochs=200), measure="vote").fit(X, y)
