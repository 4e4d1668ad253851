"""DAgger, the IALE state, expert and strategy, and the policy network."""

import pickle

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_digits, make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

pytest.importorskip("torch")

from skactive import ActiveLearner, RandomSampling, UncertaintySampling  # noqa: E402
from skactive.nets import make_mlp  # noqa: E402
from skactive.policies import (  # noqa: E402
    DAgger,
    IALEExpert,
    IALEState,
    IALEStrategy,
    PolicyMLP,
    beta_schedule,
    default_iale_experts,
    load_iale_policy,
    policy_scores,
    save_iale_policy,
)
from skactive.policies._artefacts import read_artefact, write_artefact  # noqa: E402
from skactive.utils import embed  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


@pytest.fixture(scope="module")
def small_net(digits):
    X, y = digits
    return make_mlp((16,), max_epochs=5, random_state=0).fit(X[:60], y[:60])


# -- state ------------------------------------------------------------------
def test_full_state_layout_and_content(digits, small_net):
    X, y = digits
    X_lab, y_lab, X_cand = X[:60], y[:60], X[100:107]
    enc = IALEState("full", normalize=False)
    S = enc.transform(small_net, X_lab, y_lab, X_cand)
    C, D = 10, 16
    assert S.shape == (7, 2 * D + 3 * C + C * D) == (7, enc.n_features(C, D))
    blocks = {name: S[:, a:b] for name, a, b in enc.layout(C, D)}
    assert [n for n, _, _ in enc.layout(C, D)] == [
        "labeled_mean_embedding", "embedding", "labeled_class_distribution",
        "labeled_predicted_distribution", "gradient_embedding", "predicted_class"]
    E_lab, h = small_net.embed(X_lab), small_net.embed(X_cand)
    p = small_net.predict_proba(X_cand)
    y_hat = p.argmax(1)
    np.testing.assert_allclose(blocks["labeled_mean_embedding"],
                               np.tile(E_lab.mean(0), (7, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(blocks["embedding"], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(blocks["labeled_class_distribution"][0],
                               np.bincount(y_lab, minlength=C) / 60)
    pred_lab = small_net.predict_proba(X_lab).argmax(1)
    np.testing.assert_allclose(blocks["labeled_predicted_distribution"][0],
                               np.bincount(pred_lab, minlength=C) / 60)
    onehot = np.eye(C)[y_hat]
    grad = ((onehot - p)[:, :, None] * h[:, None, :]).reshape(7, -1)
    np.testing.assert_allclose(blocks["gradient_embedding"], grad, rtol=1e-4,
                               atol=1e-6)
    # The gradient is BADGE's, up to the sign convention.
    np.testing.assert_allclose(blocks["gradient_embedding"],
                               -small_net.gradient_embedding(X_cand), rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_array_equal(blocks["predicted_class"], onehot)


def test_reduced_state_has_no_class_sized_blocks(digits, small_net):
    X, y = digits
    enc = IALEState("reduced", normalize=False)
    S = enc.transform(small_net, X[:60], y[:60], X[100:105])
    D = 16
    assert S.shape == (5, 3 * D + 1)
    assert enc.n_features(2, D) == enc.n_features(26, D) == 3 * D + 1
    blocks = {name: S[:, a:b] for name, a, b in enc.layout(10, D)}
    h, p = small_net.embed(X[100:105]), small_net.predict_proba(X[100:105])
    own = 1 - p.max(1)
    np.testing.assert_allclose(blocks["proxy_gradient"], own[:, None] * h,
                               rtol=1e-4, atol=1e-6)
    resid = np.eye(10)[p.argmax(1)] - p
    np.testing.assert_allclose(blocks["gradient_norm"][:, 0],
                               np.linalg.norm(resid, axis=1), rtol=1e-5)


def test_nearest_labeled_distance_is_coresets_score(digits, small_net):
    X, y = digits
    X_lab, X_cand = X[:60], np.vstack([X[100:105], X[:2]])  # two labeled rows
    for state in ("full", "reduced"):
        plain = IALEState(state, normalize=False)
        enc = IALEState(state, normalize=False, nearest_labeled=True)
        assert enc.n_features(10, 16) == plain.n_features(10, 16) + 1
        assert enc.layout(10, 16)[:-1] == plain.layout(10, 16)
        S = enc.transform(small_net, X_lab, y[:60], X_cand)
        np.testing.assert_array_equal(
            S[:, :-1], plain.transform(small_net, X_lab, y[:60], X_cand))
        E_lab, h = small_net.embed(X_lab), small_net.embed(X_cand)
        brute = np.sqrt(((h[:, None, :] - E_lab[None]) ** 2).sum(-1)).min(1)
        np.testing.assert_allclose(S[:, -1], brute, rtol=1e-4, atol=1e-4)
        assert np.all(S[-2:, -1] < 1e-3)  # a labeled sample is covered
    # Normalised: a distance in units of the labeled embedding norm.
    scale = np.linalg.norm(small_net.embed(X_lab), axis=1).mean()
    raw = IALEState("reduced", normalize=False, nearest_labeled=True).transform(
        small_net, X_lab, y[:60], X_cand)[:, -1]
    scaled = IALEState("reduced", nearest_labeled=True).transform(
        small_net, X_lab, y[:60], X_cand)[:, -1]
    np.testing.assert_allclose(scaled * scale, raw, rtol=1e-4, atol=1e-4)


def test_normalisation_divides_embedding_blocks_by_labeled_norm(digits, small_net):
    X, y = digits
    raw = IALEState("full", normalize=False).transform(small_net, X[:60], y[:60],
                                                       X[100:104])
    scaled = IALEState("full").transform(small_net, X[:60], y[:60], X[100:104])
    scale = np.linalg.norm(small_net.embed(X[:60]), axis=1).mean()
    for name, a, b in IALEState("full").layout(10, 16):
        factor = scale if "embedding" in name else 1.0
        np.testing.assert_allclose(scaled[:, a:b] * factor, raw[:, a:b],
                                   rtol=1e-4, atol=1e-6)


def test_state_chunking_gives_the_same_rows(digits, small_net):
    X, y = digits
    enc = IALEState("full")
    summary = enc.summarize_labeled(small_net, X[:60], y[:60])
    whole = enc.encode(small_net, summary, X[100:150])
    # Equal up to float32 rounding: torch's kernels depend on the batch size.
    np.testing.assert_allclose(
        whole, enc.encode(small_net, summary, X[100:150], chunk_size=7),
        rtol=1e-5, atol=1e-6)


def test_state_rejects_unknown_kind(digits, small_net):
    with pytest.raises(ValueError, match="state must be one of"):
        IALEState("tiny").n_features(10, 16)


# -- policy -------------------------------------------------------------------
def test_policy_mlp_is_balanced_and_deterministic():
    rng = np.random.RandomState(0)
    S = rng.randn(600, 6)
    a = (S[:, 0] + 0.3 * S[:, 1] > 1.3).astype(int)  # about 10% positives
    p1 = PolicyMLP((32, 32), max_epochs=30, random_state=1).fit(S, a)
    p2 = PolicyMLP((32, 32), max_epochs=30, random_state=1).fit(S, a)
    np.testing.assert_array_equal(p1.decision_function(S), p2.decision_function(S))
    # Class weights keep the rare positives from being ignored.
    recall = (p1.predict(S)[a == 1] == 1).mean()
    assert recall > 0.8
    assert len(p1.loss_curve_) == 30 and p1.loss_curve_[-1] < p1.loss_curve_[0]
    assert [W.shape for W in p1.coefs_] == [(6, 32), (32, 32), (32, 1)]


def test_policy_mlp_default_architecture_matches_the_paper():
    S = np.random.RandomState(0).randn(50, 1566)
    a = np.r_[np.ones(5), np.zeros(45)]
    policy = PolicyMLP(max_epochs=1, random_state=0).fit(S, a)
    n_params = sum(W.size for W in policy.coefs_) + sum(
        b.size for b in policy.intercepts_)
    assert n_params == 217_217  # the authors' shipped policy_99.pth


def test_policy_mlp_errors():
    S, a = np.zeros((10, 2)), np.r_[np.zeros(5), np.ones(3), 2 * np.ones(2)]
    with pytest.raises(ValueError, match="Only binary classification"):
        PolicyMLP().fit(S, a)
    with pytest.raises(ValueError, match="hidden_sizes"):
        PolicyMLP(hidden_sizes=(0,)).fit(S, a[:10] > 0)
    with pytest.raises(ValueError, match="class_weight"):
        PolicyMLP(class_weight="inverse").fit(S, a > 0)


# -- beta schedules -------------------------------------------------------------
def test_beta_schedules():
    assert beta_schedule(0.3, 5, 10) == 0.3
    assert beta_schedule("exponential", 6, 10) == pytest.approx(0.9 ** 6)
    lin = [beta_schedule("linear", e, 11) for e in range(11)]
    assert lin[0] == 1.0 and lin[-1] == 0.0 and np.all(np.diff(lin) < 0)
    inv = [beta_schedule("inverse_sigmoid", e, 50) for e in range(50)]
    assert np.all(np.diff(inv) < 0) and 0 < inv[-1] < inv[0] < 1
    assert beta_schedule(lambda e, n: 1 / (e + 1), 3, 10) == 0.25
    with pytest.raises(ValueError, match=r"beta must be one of"):
        beta_schedule("cosine", 0, 10)
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]"):
        beta_schedule(1.5, 0, 10)
    with pytest.raises(TypeError, match="beta must be"):
        beta_schedule(None, 0, 10)


# -- DAgger with a transparent expert ---------------------------------------------
class RawState(BaseEstimator):
    """State = the candidate's features (the policy can read the expert's rule)."""

    def transform(self, estimator, X_labeled, y_labeled, X_candidates):
        return np.asarray(X_candidates, dtype=np.float32)


class FirstFeatureExpert(BaseEstimator):
    """Labels the candidates with the largest first feature; counts its calls."""

    def label(self, estimator, X_labeled, y_labeled, X_candidates, y_candidates,
              X_val, y_val, batch_size, random_state=None):
        target = np.zeros(X_candidates.shape[0])
        target[np.argsort(-X_candidates[:, 0], kind="stable")[:batch_size]] = 1.0
        return target, {"winner": "first_feature"}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(400, centers=3, n_features=4, random_state=0)
    return X, y


def _dagger(beta, policy=None, **kw):
    params = dict(n_episodes=3, beta=beta, budget=26, batch_size=4,
                  n_candidates=20, validation_size=60, random_state=0)
    params.update(kw)
    return DAgger(policy or PolicyMLP((8,), max_epochs=10), FirstFeatureExpert(),
                  RawState(), LogisticRegression(), **params)


def _expert_target(states, batch_size, n_candidates):
    target = []
    for block in states.reshape(-1, n_candidates, states.shape[1]):
        t = np.zeros(n_candidates, dtype=int)
        t[np.argsort(-block[:, 0], kind="stable")[:batch_size]] = 1
        target.append(t)
    return np.concatenate(target)


def test_dagger_records_the_expert_action_when_the_policy_acts(blobs):
    X, y = blobs
    d = _dagger(beta=0.0).fit(X, y)
    n_steps = (26 - 6) // 4
    # beta=0: the expert drives only the first episode (there is no policy yet).
    assert d.history_["expert_steps"] == [n_steps, 0, 0]
    assert d.history_["policy_steps"] == [0, n_steps, n_steps]
    assert d.states_.shape == (3 * n_steps * 20, 4)
    # Every recorded action is the expert's, also in the policy's episodes.
    np.testing.assert_array_equal(d.actions_, _expert_target(d.states_, 4, 20))
    assert np.isnan(d.history_["agreement"][0])
    assert 0.0 <= d.history_["agreement"][1] <= 1.0
    np.testing.assert_array_equal(d.pair_episodes_,
                                  np.repeat([0, 1, 2], n_steps * 20))
    assert d.history_["winners"][1] == {"first_feature": n_steps}
    assert d.history_["n_pairs"] == [n_steps * 20 * (e + 1) for e in range(3)]


def test_dagger_with_beta_one_is_behaviour_cloning(blobs):
    X, y = blobs
    d1 = _dagger(beta=1.0).fit(X, y)
    d2 = _dagger(beta=1.0, policy=PolicyMLP((4,), max_epochs=1)).fit(X, y)
    assert d1.history_["policy_steps"] == [0, 0, 0]
    # The visited states do not depend on the policy: only the expert acts.
    np.testing.assert_array_equal(d1.states_, d2.states_)
    np.testing.assert_array_equal(d1.actions_, d2.actions_)
    assert d1.history_["aubc"] == d2.history_["aubc"]


def test_dagger_policy_changes_the_visited_states(blobs):
    X, y = blobs
    d1 = _dagger(beta=0.0).fit(X, y)
    d2 = _dagger(beta=0.0, policy=PolicyMLP((4,), max_epochs=1)).fit(X, y)
    n_first = d1.history_["n_pairs"][0]
    np.testing.assert_array_equal(d1.states_[:n_first], d2.states_[:n_first])
    assert not np.array_equal(d1.states_[n_first:], d2.states_[n_first:])


def test_dagger_step_coin_mixes_within_episodes(blobs):
    X, y = blobs
    d = _dagger(beta=0.5, coin="step", n_episodes=4, budget=46).fit(X, y)
    mixed = [e > 0 and p > 0 for e, p in zip(d.history_["expert_steps"][1:],
                                             d.history_["policy_steps"][1:])]
    assert any(mixed)


def test_dagger_is_seeded(blobs):
    X, y = blobs
    a, b = _dagger(beta=0.5).fit(X, y), _dagger(beta=0.5).fit(X, y)
    np.testing.assert_array_equal(a.states_, b.states_)
    np.testing.assert_array_equal(a.policy_.decision_function(a.states_),
                                  b.policy_.decision_function(b.states_))


def test_dagger_clone_and_pickle(blobs):
    X, y = blobs
    d = _dagger(beta=0.5)
    assert clone(d).get_params()["n_candidates"] == 20
    fitted = d.fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_scores(X[:5]),
                                  fitted.predict_scores(X[:5]))


@pytest.mark.parametrize("params, match", [
    (dict(n_candidates=4), "n_candidates=4 must exceed batch_size"),
    (dict(budget=5), "budget=5 must exceed"),
    (dict(coin="batch"), "coin must be one of"),
    (dict(validation_size=390), "source data has 400 samples"),
    (dict(beta="cosine"), "beta must be one of"),
])
def test_dagger_parameter_errors(blobs, params, match):
    X, y = blobs
    with pytest.raises(ValueError, match=match):
        _dagger(**{"beta": 0.5, **params}).fit(X, y)


def test_dagger_rejects_objects_without_the_protocol(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="expert must provide label"):
        DAgger(expert=LogisticRegression(), state_encoder=IALEState()).fit(X, y)


# -- IALE expert -----------------------------------------------------------------
def test_iale_expert_picks_the_best_proposal(blobs):
    X, y = blobs
    lab, cand, val = np.arange(0, 30), np.arange(30, 90), np.arange(200, 400)
    model = LogisticRegression().fit(X[lab], y[lab])
    expert = IALEExpert({"margin": UncertaintySampling(measure="margin"),
                         "random": RandomSampling()})
    target, info = expert.label(model, X[lab], y[lab], X[cand], y[cand], X[val],
                                y[val], batch_size=5, random_state=0)
    assert info["winner"] == max(info["scores"], key=info["scores"].get)
    assert target.sum() == 5
    np.testing.assert_array_equal(np.flatnonzero(target),
                                  np.sort(info["proposals"][info["winner"]]))
    # Each score is the validation accuracy of the model retrained on L + proposal.
    pick = info["proposals"]["random"]
    retrained = LogisticRegression().fit(np.r_[X[lab], X[cand][pick]],
                                         np.r_[y[lab], y[cand][pick]])
    assert info["scores"]["random"] == retrained.score(X[val], y[val])


def test_iale_expert_parallel_matches_sequential(blobs):
    X, y = blobs
    lab, cand, val = np.arange(0, 30), np.arange(30, 90), np.arange(200, 400)
    model = LogisticRegression().fit(X[lab], y[lab])
    strategies = {"entropy": UncertaintySampling(), "random": RandomSampling()}
    seq = IALEExpert(strategies).label(model, X[lab], y[lab], X[cand], y[cand],
                                       X[val], y[val], 5, random_state=3)
    par = IALEExpert(strategies, n_jobs=2).label(model, X[lab], y[lab], X[cand],
                                                 y[cand], X[val], y[val], 5,
                                                 random_state=3)
    np.testing.assert_array_equal(seq[0], par[0])
    assert seq[1]["scores"] == par[1]["scores"]


def test_default_experts_are_the_papers_six():
    experts = default_iale_experts()
    assert list(experts) == ["mc_dropout", "ensemble", "entropy",
                             "least_confidence", "coreset", "badge"]
    assert experts["mc_dropout"].measure == "variation_ratio"
    assert experts["ensemble"].n_members == 5


def test_iale_expert_with_deep_experts_on_a_net(digits):
    X, y = digits
    net = make_mlp((16,), max_epochs=3, random_state=0)
    lab, cand, val = np.arange(40), np.arange(40, 80), np.arange(1000, 1200)
    model = clone(net).fit(X[lab], y[lab])
    expert = IALEExpert(default_iale_experts(n_mc_samples=3, n_members=2))
    target, info = expert.label(model, X[lab], y[lab], X[cand], y[cand], X[val],
                                y[val], 4, random_state=0)
    assert target.sum() == 4 and len(info["scores"]) == 6


# -- learning to imitate ---------------------------------------------------------------
class ZeroScore:
    """Every proposal ties, so the first expert (margin) always wins."""

    def __call__(self, estimator, X, y):
        return 0.0


def test_policy_learns_to_agree_with_an_always_best_expert():
    X, y = make_blobs(1500, centers=[[-2, 0], [2, 0], [0, 3]], cluster_std=1.5,
                      random_state=1)
    expert = IALEExpert({"margin": UncertaintySampling(measure="margin"),
                         "random": RandomSampling()}, scoring=ZeroScore())
    encoder = IALEState("reduced")
    d = DAgger(PolicyMLP((32, 32), max_epochs=30), expert, encoder,
               LogisticRegression(), n_episodes=6, beta=0.5, budget=40,
               batch_size=5, n_candidates=50, validation_size=50,
               random_state=0).fit(X[:1000], y[:1000])
    assert set(d.history_["winners"][0]) == {"margin"}
    # Held-out states: new labeled sets and candidates from unseen data.
    rng = np.random.RandomState(7)
    overlaps = []
    for _ in range(20):
        lab = rng.choice(np.arange(1000, 1500), 20, replace=False)
        if np.unique(y[lab]).shape[0] < 3:
            continue
        cand = rng.choice(np.setdiff1d(np.arange(1000, 1500), lab), 50,
                          replace=False)
        model = LogisticRegression().fit(X[lab], y[lab])
        S = encoder.transform(model, X[lab], y[lab], X[cand])
        mine = np.argsort(-policy_scores(d.policy_, S))[:5]
        margin = UncertaintySampling(model, measure="margin", refit=False,
                                     random_state=0).fit(X[lab], y[lab])
        theirs = margin.query(X[cand], batch_size=5)
        overlaps.append(np.intersect1d(mine, theirs).shape[0] / 5)
    # Chance overlap is 5 / 50 = 0.1.
    assert np.mean(overlaps) > 0.5


# -- persistence ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_policy():
    rng = np.random.RandomState(0)
    S = rng.randn(300, 3 * 16 + 1).astype(np.float32)
    a = (S[:, -1] > 1.0).astype(int)
    return PolicyMLP((8, 8), max_epochs=3, random_state=0).fit(S, a)


def test_save_load_round_trip_gives_identical_scores(tmp_path, digits, tiny_policy):
    X, y = digits
    path = tmp_path / "policy.npz"
    save_iale_policy(path, tiny_policy, IALEState("reduced"),
                     metadata={"command": "test"})
    policy, encoder, header = load_iale_policy(path, return_metadata=True)
    assert header["command"] == "test" and header["state"] == "reduced"
    assert encoder.get_params() == IALEState("reduced").get_params()
    assert policy.get_params()["hidden_sizes"] == (8, 8)
    S = np.random.RandomState(1).randn(20, 49)
    np.testing.assert_array_equal(policy.decision_function(S),
                                  tiny_policy.decision_function(S))
    net = make_mlp((16,), max_epochs=3, random_state=0)
    a = IALEStrategy(net, policy=tiny_policy, state_encoder=IALEState("reduced"),
                     random_state=0).fit(X[:50], y[:50])
    b = IALEStrategy(net, policy=str(path), random_state=0).fit(X[:50], y[:50])
    np.testing.assert_array_equal(a.score_samples(X[50:300]),
                                  b.score_samples(X[50:300]))
    np.testing.assert_array_equal(a.query(X[50:300], 5), b.query(X[50:300], 5))


def test_save_load_keeps_the_nearest_labeled_state(tmp_path, digits):
    X, y = digits
    enc = IALEState("reduced", nearest_labeled=True)
    S = np.random.RandomState(0).randn(200, enc.n_features(10, 16)).astype(np.float32)
    policy = PolicyMLP((8,), max_epochs=2, random_state=0).fit(S, S[:, -1] > 0.5)
    path = tmp_path / "nn.npz"
    save_iale_policy(path, policy, enc)
    loaded, encoder = load_iale_policy(path)
    assert encoder.get_params() == enc.get_params()
    net = make_mlp((16,), max_epochs=3, random_state=0)
    a = IALEStrategy(net, policy=policy, state_encoder=enc, random_state=0)
    b = IALEStrategy(net, policy=str(path), random_state=0)
    np.testing.assert_array_equal(a.fit(X[:50], y[:50]).score_samples(X[50:200]),
                                  b.fit(X[:50], y[:50]).score_samples(X[50:200]))


def test_load_checks_kind_version_and_shape(tmp_path, tiny_policy):
    path = tmp_path / "p.npz"
    save_iale_policy(path, tiny_policy, IALEState("reduced"))
    arrays, header = read_artefact(path, kind="iale-policy")
    bad = tmp_path / "v99.npz"
    write_artefact(bad, arrays, kind="iale-policy", n_features_in=49,
                   metadata={**header, "format_version": 99})
    # write_artefact stamps the current version: patch it in the header.
    data = dict(np.load(bad))
    data["header"] = np.array(str(data["header"]).replace(
        '"format_version": 1', '"format_version": 99'))
    np.savez(bad, **data)
    with pytest.raises(ValueError, match="format version 99"):
        load_iale_policy(bad)
    with pytest.raises(ValueError, match="not 'lal-regressor'"):
        read_artefact(path, kind="lal-regressor")
    wrong = tmp_path / "wrong.npz"
    write_artefact(wrong, arrays, kind="iale-policy", n_features_in=50,
                   metadata=header)
    with pytest.raises(ValueError, match="do not match the header"):
        load_iale_policy(wrong)
    with pytest.raises(ValueError, match="neither a shipped policy"):
        load_iale_policy("no-such-policy")


def test_save_rejects_other_objects(tmp_path, tiny_policy):
    with pytest.raises(TypeError, match="PolicyMLP and an IALEState"):
        save_iale_policy(tmp_path / "x.npz", LogisticRegression().fit(
            [[0], [1]], [0, 1]), IALEState())


# -- strategy ---------------------------------------------------------------------
def test_shipped_policy_works_offline(digits):
    X, y = digits
    policy, encoder, header = load_iale_policy("digits-cnn", return_metadata=True)
    assert header["state"] == "reduced" and header["nearest_labeled"]
    assert policy.n_features_in_ == 3 * 128 + 2 == encoder.n_features(10, 128)
    assert "train_iale.py" in header["command"]
    s = IALEStrategy(make_mlp(max_epochs=5, random_state=0), policy="digits-cnn",
                     random_state=0)
    idx = s.fit(X[:40], y[:40]).query(X[40:], batch_size=10)
    assert idx.shape == (10,) and np.unique(idx).shape == (10,)
    # Any number of classes: the shipped policy reads the reduced state.
    binary = y < 2
    s.fit(X[binary][:20], y[binary][:20]).query(X[binary][20:], 3)


def test_default_shipped_policy_serves_any_network_width_and_classifier(digits):
    X, y = digits
    policy, encoder, header = load_iale_policy(return_metadata=True)
    assert encoder.state == "invariant" and policy.n_features_in_ == 13
    assert "train_iale.py" in header["command"]
    assert "make_classification" in header["source"]  # more than one source
    lo, hi = (np.asarray(r) for r in header["feature_ranges"])
    assert lo.shape == hi.shape == (13,) and (lo <= hi).all()
    binary = y < 2
    for model in (make_mlp((64,), max_epochs=3, random_state=0),
                  make_mlp((32, 512), max_epochs=3, random_state=0),
                  LogisticRegression(max_iter=300)):
        s = IALEStrategy(model, random_state=0).fit(X[:40], y[:40])
        assert s.state_encoder_.state == "invariant"
        idx = s.query(X[40:], batch_size=10)
        assert np.unique(idx).shape == (10,)
        s.fit(X[binary][:20], y[binary][:20]).query(X[binary][20:], 3)


def test_strategy_queries_top_scored_candidates(digits, tiny_policy):
    X, y = digits
    net = make_mlp((16,), max_epochs=3, random_state=0)
    s = IALEStrategy(net, policy=tiny_policy, n_candidates=400,
                     batch_diversity=None, random_state=0).fit(X[:50], y[:50])
    assert s.state_encoder_.state == "reduced"  # inferred from the width
    pool = X[50:450]  # exactly n_candidates: the whole pool is scored
    idx = s.query(pool, 6)
    np.testing.assert_array_equal(np.sort(idx),
                                  np.sort(np.argsort(-s.score_samples(pool))[:6]))
    # With a subset, only candidates of the subset are scored.
    s.set_params(n_candidates=60)
    assert s.query(X[50:1050], 6).shape == (6,)


def test_strategy_infers_the_nearest_labeled_state_from_the_width(digits,
                                                                   tiny_policy):
    X, y = digits
    net = make_mlp((16,), max_epochs=3, random_state=0)
    plain = IALEStrategy(net, policy=tiny_policy).fit(X[:50], y[:50])
    assert not plain.state_encoder_.nearest_labeled
    assert "embeddings" not in plain.summary_  # kept only when it is read
    S = np.random.RandomState(0).randn(200, 3 * 16 + 2).astype(np.float32)
    wide = PolicyMLP((8,), max_epochs=2, random_state=0).fit(S, S[:, -1] > 0.5)
    s = IALEStrategy(net, policy=wide, random_state=0).fit(X[:50], y[:50])
    assert s.state_encoder_.get_params() == IALEState(
        "reduced", nearest_labeled=True).get_params()
    assert s.query(X[50:300], 5).shape == (5,)


def test_strategy_pickle_clone_and_learner(digits, tiny_policy):
    X, y = digits
    net = make_mlp((16,), max_epochs=3, random_state=0)
    s = IALEStrategy(net, policy=tiny_policy, random_state=0).fit(X[:50], y[:50])
    again = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(again.query(X[50:], 5), s.query(X[50:], 5))
    assert clone(s).policy is tiny_policy  # a fitted policy survives clone
    learner = ActiveLearner(clone(s), batch_size=5, budget=10, initial_size=20,
                            random_state=0).fit(X[:300], y[:300])
    assert learner.labeled_indices_.shape == (30,)


def test_strategy_with_a_fitted_dagger(blobs):
    X, y = blobs
    d = DAgger(PolicyMLP((8,), max_epochs=5),
               IALEExpert({"margin": UncertaintySampling(measure="margin"),
                           "random": RandomSampling()}),
               IALEState("full"), LogisticRegression(), n_episodes=2, budget=20,
               batch_size=2, n_candidates=10, validation_size=40,
               random_state=0).fit(X, y)
    s = IALEStrategy(LogisticRegression(), policy=d, random_state=0)
    s.fit(X[:30], y[:30])
    assert s.state_encoder_ is d.state_encoder_
    assert s.query(X[30:], 3).shape == (3,)
    grid = GridSearchCV(
        ActiveLearner(IALEStrategy(LogisticRegression(), policy=d, random_state=0),
                      batch_size=2, budget=4, initial_size=6, random_state=0),
        {"strategy__n_candidates": [10, 50]}, cv=2).fit(X, y)
    assert grid.best_params_["strategy__n_candidates"] in (10, 50)


def test_strategy_width_mismatch_is_explained(digits):
    X, y = digits
    full = PolicyMLP((4,), max_epochs=1, random_state=0).fit(
        np.random.RandomState(0).randn(20, 2 * 16 + 3 * 10 + 160),
        np.r_[np.ones(2), np.zeros(18)])
    s = IALEStrategy(make_mlp((16,), max_epochs=2, random_state=0), policy=full,
                     state_encoder=IALEState("full"))
    s.fit(X[:50], y[:50])  # ten classes: matches
    binary = y < 2
    with pytest.raises(ValueError, match="number of classes"):
        s.fit(X[binary][:20], y[binary][:20])
    with pytest.raises(ValueError, match="embedding width"):
        IALEStrategy(make_mlp((8,), max_epochs=2), policy=full).fit(X[:50], y[:50])
    with pytest.raises(TypeError, match="policy must be"):
        IALEStrategy(make_mlp((8,), max_epochs=2), policy=3).fit(X[:50], y[:50])
    with pytest.raises(TypeError, match="n_candidates must be an integer"):
        IALEStrategy(make_mlp((16,), max_epochs=2), policy=full,
                     n_candidates="all").fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="n_candidates=2 is smaller"):
        IALEStrategy(make_mlp((16,), max_epochs=2), policy=full,
                     n_candidates=2).fit(X[:50], y[:50]).query(X[50:], 5)


def test_embed_of_a_plain_estimator_is_its_input():
    # IALEState works with any classifier: its "embedding" is then the input.
    X, y = make_blobs(60, centers=2, n_features=3, random_state=0)
    model = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(embed(model, X), X)
    S = IALEState("reduced", normalize=False).transform(model, X, y, X[:4])
    np.testing.assert_allclose(S[:, 3:6], X[:4], rtol=1e-6)


def test_dagger_with_the_iale_expert_and_state(digits):
    X, y = digits
    net = make_mlp((16,), max_epochs=2, random_state=0)
    d = DAgger(expert=IALEExpert(), state_encoder=IALEState(), estimator=net,
               n_episodes=1, budget=30, batch_size=5, n_candidates=30,
               validation_size=100, random_state=0)
    d.fit(X[:600], y[:600])
    assert isinstance(d.policy_, PolicyMLP)  # the generic default policy
    assert isinstance(d.state_encoder_, IALEState)
    assert d.states_.shape == (2 * 30, IALEState().n_features(10, 16))
    assert set(d.history_["winners"][0]) <= set(default_iale_experts())
    assert d.actions_.reshape(2, 30).sum(axis=1).tolist() == [5, 5]

def test_unscaled_tabular_inputs_warn_and_scaled_ones_do_not():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = X.astype(np.float32)
    lab = np.r_[np.flatnonzero(y == 0)[:10], np.flatnonzero(y == 1)[:10]]
    net = make_mlp(max_epochs=2, random_state=0)  # the shipped policy's width
    with pytest.warns(UserWarning, match="inputs look unscaled .column 23"):
        IALEStrategy(net, random_state=0).fit(X[lab], y[lab])
    Xs = StandardScaler().fit_transform(X).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        IALEStrategy(net, random_state=0).fit(Xs[lab], y[lab])
        # The fix the warning suggests: a scaling pipeline, which it trusts.
        from sklearn.pipeline import make_pipeline

        pipe = make_pipeline(StandardScaler(), net)
        s = IALEStrategy(pipe, random_state=0).fit(X[lab], y[lab])
        assert s.query(X, batch_size=3).shape == (3,)
    assert not [w for w in caught if "unscaled" in str(w.message)]
