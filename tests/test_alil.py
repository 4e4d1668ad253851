"""ALIL: expert, state, listwise policy, DAgger pieces, strategy and persistence."""

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skactive import ActiveLearner
from skactive.datasets import load_sentiment
from skactive.nets import SequenceVectorizer, make_mlp, make_text_cnn
from skactive.policies import (
    BASIS_FREE_COLUMNS,
    ALILExpert,
    ALILState,
    ALILStrategy,
    DAgger,
    IALEState,
    PolicyMLP,
    beta_schedule,
    load_alil_policy,
    neg_log_loss_aligned,
    save_alil_policy,
    save_iale_policy,
)
from skactive.policies._policy_net import _listwise_loss
from skactive.utils import embed


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(150, 4) + [2, 0, 0, 0], rng.randn(150, 4) - [2, 0, 0, 0]])
    y = np.repeat([0, 1], 150)
    perm = rng.permutation(300)
    return X[perm], y[perm]


@pytest.fixture(scope="module")
def fitted_mlp(blobs):
    X, y = blobs
    return make_mlp((8,), max_epochs=5, random_state=0).fit(X[:30], y[:30])


# -- expert -------------------------------------------------------------------
def _brute_scores(model, X_lab, y_lab, X_cand, y_cand, X_val, y_val, scorer):
    out = []
    for i in range(X_cand.shape[0]):
        m = clone(model).fit(np.vstack([X_lab, X_cand[i:i + 1]]),
                             np.append(y_lab, y_cand[i]))
        out.append(scorer(m, X_val, y_val))
    return np.array(out)


def test_expert_picks_the_loss_minimising_candidate(blobs):
    X, y = blobs
    lab, cand, val = np.arange(6), np.arange(6, 16), np.arange(100, 300)
    model = LogisticRegression().fit(X[lab], y[lab])
    target, info = ALILExpert().label(model, X[lab], y[lab], X[cand], y[cand],
                                      X[val], y[val], batch_size=1, random_state=0)
    brute = _brute_scores(model, X[lab], y[lab], X[cand], y[cand], X[val], y[val],
                          neg_log_loss_aligned)
    np.testing.assert_allclose(info["scores"], brute)
    assert target.sum() == 1 and np.argmax(target) == np.argmax(brute)
    # Batch mode: the two best roll-outs.
    target, _ = ALILExpert().label(model, X[lab], y[lab], X[cand], y[cand],
                                   X[val], y[val], batch_size=2, random_state=0)
    assert set(np.flatnonzero(target)) == set(np.argsort(-brute)[:2])


def test_expert_prefers_the_informative_candidate():
    # The evaluation split lies near x = 1 (class 1), where the labeled set
    # leaves the model unsure; only the candidate there informs it.
    X_lab = np.array([[-1.0], [3.0], [2.5]])
    y_lab = np.array([0, 1, 1])
    X_cand = np.array([[5.0], [1.0], [-5.0], [6.0]])
    y_cand = np.array([1, 1, 0, 1])
    X_val = 1.0 + np.linspace(-0.1, 0.1, 20)[:, None]
    y_val = np.ones(20, dtype=int)
    model = LogisticRegression(C=100).fit(X_lab, y_lab)
    target, info = ALILExpert().label(model, X_lab, y_lab, X_cand, y_cand, X_val,
                                      y_val, batch_size=1, random_state=0)
    assert np.flatnonzero(target).tolist() == [1]
    assert np.argmax(info["scores"]) == 1


def test_expert_accuracy_ties_are_broken_by_the_seed(blobs):
    X, y = blobs
    lab, cand, val = np.arange(40), np.arange(40, 48), np.arange(100, 300)
    model = LogisticRegression().fit(X[lab], y[lab])
    picks = set()
    for seed in range(12):
        target, info = ALILExpert("accuracy").label(
            model, X[lab], y[lab], X[cand], y[cand], X[val], y[val], 1, seed)
        best = np.flatnonzero(info["scores"] == info["scores"].max())
        assert np.flatnonzero(target)[0] in best
        picks.add(int(np.flatnonzero(target)[0]))
    assert len(picks) > 1  # not "the first on ties" as in the released code


def test_expert_starts_every_rollout_from_the_seeded_initialisation(blobs):
    X, y = blobs
    net = make_mlp((8,), max_epochs=3, random_state=7).fit(X[:10], y[:10])
    kw = dict(batch_size=1, random_state=0)
    a = ALILExpert().label(net, X[:10], y[:10], X[10:14], y[10:14], X[200:], y[200:], **kw)
    b = ALILExpert(n_jobs=2).label(net, X[:10], y[:10], X[10:14], y[10:14], X[200:],
                                   y[200:], **kw)
    np.testing.assert_allclose(a[1]["scores"], b[1]["scores"], rtol=1e-6)


def test_neg_log_loss_aligned_handles_unseen_classes():
    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    score = neg_log_loss_aligned(model, np.array([[0.0], [1.0]]), np.array([0, 2]))
    assert np.isfinite(score) and score < math.log(1e-15) / 2 + 1


def test_expert_rejects_bad_scoring(blobs):
    X, y = blobs
    model = LogisticRegression().fit(X[:10], y[:10])
    with pytest.raises(TypeError, match="scoring must be"):
        ALILExpert(scoring=3).label(model, X[:10], y[:10], X[10:15], y[10:15],
                                    X[20:], y[20:], 1, 0)
    with pytest.raises(ValueError, match="exceeds the 5 candidates"):
        ALILExpert().label(model, X[:10], y[:10], X[10:15], y[10:15], X[20:],
                           y[20:], 6, 0)


# -- state --------------------------------------------------------------------
@pytest.mark.parametrize("state, width", [("paper", 3 * 8 + 4 + 6),
                                          ("basis_free", 8),
                                          ("code", 2 * 8 + 4)])
def test_state_layout_and_width(blobs, fitted_mlp, state, width):
    X, y = blobs
    enc = ALILState(state)
    layout = enc.layout(2, 8)
    assert layout[-1][2] == width == enc.n_features(2, 8)
    assert all(a < b for _, a, b in layout)
    assert [a for _, a, _ in layout[1:]] == [b for _, _, b in layout[:-1]]
    S = enc.transform(fitted_mlp, X[:30], y[:30], X[30:37])
    assert S.shape == (7, width) and S.dtype == np.float32
    if state != "code":
        assert [n for n, _, _ in layout[-6:]] == list(BASIS_FREE_COLUMNS)


def test_state_blocks_match_their_definitions(blobs, fitted_mlp):
    X, y = blobs
    lab, cand = np.arange(30), np.arange(30, 40)
    enc = ALILState("paper", normalize=False)
    S = enc.transform(fitted_mlp, X[lab], y[lab], X[cand])
    blocks = {n: S[:, a:b] for n, a, b in enc.layout(2, 8)}
    E_lab = embed(fitted_mlp, X[lab])
    h = embed(fitted_mlp, X[cand])
    p = fitted_mlp.predict_proba(X[cand])
    mu, cm = E_lab.mean(0), h.mean(0)
    np.testing.assert_allclose(blocks["labeled_mean_embedding"], np.tile(mu, (10, 1)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(blocks["embedding"], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(blocks["candidate_mean_embedding"][0], cm, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(blocks["predicted_distribution"], p, rtol=1e-5)
    np.testing.assert_allclose(blocks["labeled_class_distribution"][0],
                               np.bincount(y[lab]) / 30)
    cos = h @ mu / (np.linalg.norm(h, axis=1) * np.linalg.norm(mu))
    np.testing.assert_allclose(blocks["cos_labeled_mean"][:, 0], cos, rtol=1e-4)
    d = np.sqrt(((h[:, None] - E_lab[None]) ** 2).sum(-1)).min(1)
    np.testing.assert_allclose(blocks["nearest_labeled_distance"][:, 0], d,
                               rtol=1e-4, atol=1e-5)
    ent = -(p * np.log(p)).sum(1) / np.log(2)
    np.testing.assert_allclose(blocks["entropy"][:, 0], ent, rtol=1e-4)
    np.testing.assert_allclose(blocks["margin"][:, 0], np.abs(p[:, 0] - p[:, 1]),
                               rtol=1e-4, atol=1e-6)
    code = ALILState("code", normalize=False)
    Sc = code.transform(fitted_mlp, X[lab], y[lab], X[cand])
    cb = {n: Sc[:, a:b] for n, a, b in code.layout(2, 8)}
    np.testing.assert_allclose(cb["first_labeled_embedding"][0], E_lab[0], rtol=1e-5,
                               atol=1e-6)
    free = ALILState("basis_free", normalize=False)
    Sf = free.transform(fitted_mlp, X[lab], y[lab], X[cand])
    np.testing.assert_allclose(Sf[:, 0], p.max(1), rtol=1e-5)
    np.testing.assert_allclose(Sf[:, 1], (np.bincount(y[lab]) / 30)[p.argmax(1)])
    np.testing.assert_allclose(Sf[:, 2:], S[:, -6:], rtol=1e-5, atol=1e-6)


def test_basis_free_columns_do_not_depend_on_the_basis(blobs, fitted_mlp):
    # Rotating the embedding space (another network's basis) leaves them be.
    X, y = blobs
    Q, _ = np.linalg.qr(np.random.RandomState(1).randn(8, 8))

    class Rotated(BaseEstimator):
        classes_ = fitted_mlp.classes_

        def embed(self, Z):
            return embed(fitted_mlp, Z) @ Q

        def predict_proba(self, Z):
            return fitted_mlp.predict_proba(Z)

    enc = ALILState("basis_free")
    a = enc.transform(fitted_mlp, X[:30], y[:30], X[30:40])
    b = enc.transform(Rotated(), X[:30], y[:30], X[30:40])
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_normalisation_makes_states_scale_free(blobs, fitted_mlp):
    X, y = blobs

    class Scaled(BaseEstimator):
        classes_ = fitted_mlp.classes_

        def embed(self, Z):
            return 50.0 * embed(fitted_mlp, Z)

        def predict_proba(self, Z):
            return fitted_mlp.predict_proba(Z)

    a = ALILState().transform(fitted_mlp, X[:30], y[:30], X[30:40])
    b = ALILState().transform(Scaled(), X[:30], y[:30], X[30:40])
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_state_rejects_unknown_state():
    with pytest.raises(ValueError, match="state must be one of"):
        ALILState("full").layout(2, 8)


# -- listwise policy ------------------------------------------------------------
def test_listwise_loss_matches_its_formula():
    rng = np.random.RandomState(0)
    z = rng.randn(12)
    groups = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3])
    target = np.array([0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1], dtype=float)
    nll, valid = _listwise_loss(torch, torch.tensor(z), torch.tensor(target),
                                torch.tensor(groups), 4)
    expected = 0.0
    for g in range(4):
        zg, tg = z[groups == g], target[groups == g]
        if tg.sum() == 0:
            continue  # a step without a pick is left out
        logp = zg - np.log(np.exp(zg).sum())
        expected -= (logp * tg).sum() / tg.sum()
    assert valid == 3
    np.testing.assert_allclose(nll.item(), expected, rtol=1e-10)


def _ranking_task(n_steps, k, seed):
    rng = np.random.RandomState(seed)
    S = rng.randn(n_steps * k, 5)
    g = np.repeat(np.arange(n_steps), k)
    a = np.zeros(n_steps * k, dtype=int)
    a[np.arange(n_steps) * k + S[:, 2].reshape(n_steps, k).argmax(1)] = 1
    return S, a, g


def test_softmax_policy_learns_the_experts_preference_on_held_out_steps():
    S, a, g = _ranking_task(400, 5, 0)
    policy = PolicyMLP((16, 16), loss="softmax", max_epochs=30, batch_size=16,
                       random_state=0).fit(S, a, groups=g)
    S2, a2, _ = _ranking_task(200, 5, 1)
    pick = policy.decision_function(S2).reshape(200, 5).argmax(1)
    assert (pick == a2.reshape(200, 5).argmax(1)).mean() > 0.85
    assert policy.loss_curve_[-1] < policy.loss_curve_[0]


def test_softmax_policy_is_invariant_to_row_order_and_group_labels():
    S, a, g = _ranking_task(60, 5, 0)
    perm = np.random.RandomState(3).permutation(S.shape[0])
    kw = dict(loss="softmax", max_epochs=3, batch_size=8, random_state=0)
    p1 = PolicyMLP((8,), **kw).fit(S, a, groups=g)
    p2 = PolicyMLP((8,), **kw).fit(S[perm], a[perm], groups=(g * 7 + 3)[perm])
    # A softmax does not see the output bias (Adam moves it on rounding
    # noise), so the scores agree up to a constant.
    d = p1.decision_function(S) - p2.decision_function(S)
    assert np.ptp(d) < 1e-4


def test_linear_softmax_policy_and_errors():
    S, a, g = _ranking_task(50, 5, 0)
    policy = PolicyMLP((), loss="softmax", max_epochs=2, random_state=0)
    assert len(policy.fit(S, a, groups=g).coefs_) == 1
    with pytest.raises(ValueError, match="needs groups"):
        PolicyMLP(loss="softmax").fit(S, a)
    with pytest.raises(ValueError, match="groups has shape"):
        PolicyMLP(loss="softmax").fit(S, a, groups=g[:-1])
    with pytest.raises(ValueError, match="loss must be"):
        PolicyMLP(loss="hinge").fit(S, a)


# -- DAgger pieces ---------------------------------------------------------------
@pytest.mark.parametrize("name, formula", [
    ("alil_linear", lambda tau: max(0.5, 1 - 0.01 * tau)),
    ("alil_exponential", lambda tau: 0.9 ** tau),
    ("alil_inverse_sigmoid", lambda tau: 5 / (5 + math.exp(tau / 5))),
])
def test_alil_beta_schedules_match_the_paper(name, formula):
    for episode in (0, 1, 9, 49, 99, 150):
        assert beta_schedule(name, episode, 100) == pytest.approx(formula(episode + 1))
    assert beta_schedule(0.5, 7, 100) == 0.5


class _Identity(BaseEstimator):
    """States are the candidates' features."""

    def transform(self, estimator, X_labeled, y_labeled, X_candidates):
        return np.asarray(X_candidates, dtype=np.float32)


class _ArgmaxExpert(BaseEstimator):
    """Picks the candidates with the largest first feature."""

    def label(self, estimator, X_labeled, y_labeled, X_candidates, y_candidates,
              X_val, y_val, batch_size, random_state=None):
        target = np.zeros(X_candidates.shape[0])
        target[np.argsort(-X_candidates[:, 0])[:batch_size]] = 1.0
        return target, {}


class _Contrarian(BaseEstimator):
    """A policy that always prefers the smallest first feature."""

    def fit(self, X, y, groups=None):
        self.groups_seen_ = groups
        return self

    def decision_function(self, X):
        return -np.asarray(X)[:, 0]


@pytest.mark.parametrize("record", ["expert", "executed"])
def test_dagger_records_the_experts_action_when_the_policy_acts(blobs, record):
    X, y = blobs
    d = DAgger(_Contrarian(), _ArgmaxExpert(), _Identity(), LogisticRegression(),
               n_episodes=3, beta=0.0, record=record, budget=12, batch_size=1,
               n_candidates=5, initial_size=2, validation_size=50,
               random_state=0).fit(X, y)
    assert d.history_["policy_steps"][1:] == [10, 10]
    for step in np.unique(d.pair_steps_):
        rows = d.pair_steps_ == step
        f0 = d.states_[rows, 0]
        episode = d.pair_episodes_[rows][0]
        acted = np.argmin(f0) if episode > 0 else np.argmax(f0)
        want = np.argmax(f0) if record == "expert" else acted
        assert np.flatnonzero(d.actions_[rows]).tolist() == [want]
    # The listwise groups reach the policy: one per step.
    assert np.array_equal(d.policy_.groups_seen_, d.pair_steps_)
    assert np.unique(d.pair_steps_).shape[0] == 30


def test_dagger_is_generic_and_needs_an_expert_and_an_encoder(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="DAgger needs a expert"):
        DAgger(state_encoder=_Identity()).fit(X, y)
    with pytest.raises(TypeError, match="DAgger needs a state_encoder"):
        DAgger(expert=_ArgmaxExpert()).fit(X, y)
    import skactive.policies._dagger as dagger_module

    source = open(dagger_module.__file__).read()
    assert "_iale" not in source and "_alil" not in source


def test_dagger_with_alil_expert_learns_a_policy(blobs):
    X, y = blobs
    d = DAgger(PolicyMLP((16, 16), loss="softmax", max_epochs=10, random_state=0),
               ALILExpert(), ALILState(), make_mlp((8,), max_epochs=5),
               n_episodes=2, budget=10, batch_size=1, n_candidates=5,
               initial_size=2, validation_size=60, random_state=0).fit(X, y)
    assert d.states_.shape == (2 * 8 * 5, ALILState().n_features(2, 8))
    assert d.actions_.reshape(-1, 5).sum(1).tolist() == [1] * 16
    assert d.policy_.loss == "softmax"


# -- strategy -------------------------------------------------------------------
@pytest.fixture(scope="module")
def alil_policy():
    S, a, g = _ranking_task(100, 5, 0)
    S = np.random.RandomState(0).randn(500, ALILState().n_features(2, 8))
    return PolicyMLP((8,), loss="softmax", max_epochs=3, random_state=0).fit(
        S, a, groups=g)


def test_strategy_scores_the_whole_pool_or_a_subset(blobs, alil_policy):
    X, y = blobs
    net = make_mlp((8,), max_epochs=5, random_state=0)
    s = ALILStrategy(net, policy=alil_policy, random_state=0).fit(X[:20], y[:20])
    scores = s.score_samples(X[20:])
    top = s.query(X[20:], batch_size=4)
    assert set(top) == set(np.argsort(-scores)[:4])
    sub = ALILStrategy(net, policy=alil_policy, n_candidates=5,
                       random_state=0).fit(X[:20], y[:20])
    q = [sub.query(X[20:], batch_size=1)[0] for _ in range(1)]
    assert 0 <= q[0] < 280
    # The subset is a random sample: its pick is usually not the pool's best.
    picks = {ALILStrategy(net, policy=alil_policy, n_candidates=5, random_state=r)
             .fit(X[:20], y[:20]).query(X[20:], 1)[0] for r in range(8)}
    assert len(picks) > 1
    with pytest.raises(ValueError, match="smaller than batch_size"):
        sub.query(X[20:], batch_size=6)


def test_strategy_chunks_give_the_same_scores(blobs, alil_policy):
    X, y = blobs
    net = make_mlp((8,), max_epochs=5, random_state=0)
    a = ALILStrategy(net, policy=alil_policy, random_state=0).fit(X[:20], y[:20])
    b = clone(a).set_params(chunk_size=7).fit(X[:20], y[:20])
    # float32 network outputs: chunks may round differently near zero.
    np.testing.assert_allclose(a.score_samples(X[20:]), b.score_samples(X[20:]),
                               rtol=1e-5, atol=1e-6)


def test_strategy_in_learner_gridsearch_and_pickle(blobs, alil_policy):
    X, y = blobs
    net = make_mlp((8,), max_epochs=3, random_state=0)
    s = ALILStrategy(net, policy=alil_policy, random_state=0)
    learner = ActiveLearner(s, batch_size=2, budget=6, initial_size=4,
                            random_state=0).fit(X[:200], y[:200])
    assert learner.history_[-1]["n_labeled"] == 10
    assert clone(s).policy is alil_policy
    grid = GridSearchCV(ActiveLearner(s, batch_size=2, budget=4, initial_size=4,
                                      random_state=0),
                        {"strategy__n_candidates": ["all", 10]}, cv=2)
    grid.fit(X[:120], y[:120])
    assert set(grid.cv_results_["param_strategy__n_candidates"]) == {"all", 10}
    fitted = clone(s).fit(X[:20], y[:20])
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(fitted.query(X[20:], 5), again.query(X[20:], 5))


def test_strategy_errors(blobs, alil_policy):
    X, y = blobs
    with pytest.raises(ValueError, match="reads 34-wide states but this task gives"):
        ALILStrategy(make_mlp((16,), max_epochs=1), policy=alil_policy).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="n_candidates must be 'all'"):
        ALILStrategy(make_mlp((8,), max_epochs=1), policy=alil_policy,
                     n_candidates="some").fit(X[:20], y[:20])
    with pytest.raises(TypeError, match="policy must be"):
        ALILStrategy(make_mlp((8,), max_epochs=1), policy=3).fit(X[:20], y[:20])
    with pytest.raises(TypeError, match="state_encoder must be an ALILState"):
        ALILStrategy(make_mlp((8,), max_epochs=1), policy=alil_policy,
                     state_encoder=IALEState()).fit(X[:20], y[:20])


def test_basis_free_policy_serves_any_width_and_class_count(blobs):
    X, y = blobs
    y3 = np.where(X[:, 1] > 0.5, 2, y)
    S, a, g = _ranking_task(60, 5, 0)
    S = np.random.RandomState(0).randn(300, ALILState("basis_free").n_features(2, 1))
    policy = PolicyMLP((8,), loss="softmax", max_epochs=2, random_state=0).fit(
        S, a, groups=g)
    for width, labels in ((8, y), (32, y), (8, y3)):
        s = ALILStrategy(make_mlp((width,), max_epochs=2, random_state=0), policy=policy,
                         state_encoder=ALILState("basis_free")).fit(X[:20], labels[:20])
        assert s.query(X[20:], 2).shape == (2,)


# -- persistence ------------------------------------------------------------------
def test_save_load_gives_identical_scores(tmp_path, blobs, alil_policy):
    X, y = blobs
    path = tmp_path / "alil.npz"
    save_alil_policy(path, alil_policy, ALILState("paper"), metadata={"note": "test"})
    policy, enc, header = load_alil_policy(path, return_metadata=True)
    assert header["note"] == "test" and enc.state == "paper"
    np.testing.assert_allclose(policy.decision_function(X[:, :1].repeat(34, 1)),
                               alil_policy.decision_function(X[:, :1].repeat(34, 1)),
                               rtol=1e-6)
    net = make_mlp((8,), max_epochs=3, random_state=0)
    a = ALILStrategy(net, policy=alil_policy, random_state=0).fit(X[:20], y[:20])
    b = ALILStrategy(net, policy=str(path), random_state=0).fit(X[:20], y[:20])
    np.testing.assert_allclose(a.score_samples(X[20:]), b.score_samples(X[20:]),
                               rtol=1e-6)


def test_out_of_range_state_warns_naming_the_feature(tmp_path, blobs):
    import warnings

    X, y = blobs
    enc = ALILState("basis_free")
    S, a, g = _ranking_task(60, 5, 0)
    S = np.random.RandomState(0).uniform(0, 1, (300, enc.n_features(2, 1)))
    policy = PolicyMLP((8,), loss="softmax", max_epochs=2, random_state=0).fit(
        S, a, groups=g)
    narrow = S.copy()
    narrow[:, 0] = np.linspace(5.0, 5.1, S.shape[0])  # never seen below 5
    path = tmp_path / "narrow.npz"
    save_alil_policy(path, policy, enc, training_states=narrow)
    net = make_mlp((8,), max_epochs=2, random_state=0)
    s = ALILStrategy(net, policy=path, random_state=0).fit(X[:20], y[:20])
    assert s.feature_ranges_[0].shape == (S.shape[1],)
    name = enc.layout(2, 8)[0][0]
    with pytest.warns(UserWarning, match=f"ALIL state feature '{name}'"):
        s.query(X[20:], 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per feature
        s.query(X[20:], 2)
    with pytest.raises(ValueError, match="training_states are 3 wide"):
        save_alil_policy(path, policy, enc, training_states=S[:, :3])


def test_load_refuses_other_artefacts(tmp_path):
    S = np.random.RandomState(0).randn(40, 25)
    iale = PolicyMLP((4,), max_epochs=1, random_state=0).fit(S, np.arange(40) % 4 == 0)
    save_iale_policy(tmp_path / "iale.npz", iale, IALEState("reduced"))
    with pytest.raises(ValueError, match="alil-policy"):
        load_alil_policy(tmp_path / "iale.npz")
    with pytest.raises(ValueError, match="neither a shipped policy"):
        load_alil_policy("no-such-policy")
    with pytest.raises(TypeError, match="stores a PolicyMLP and an ALILState"):
        save_alil_policy(tmp_path / "x.npz", iale, IALEState())


def test_shipped_policy_runs_on_text_offline():
    policy, enc, header = load_alil_policy(return_metadata=True)
    assert policy.loss == "softmax" and enc.state == "paper"
    assert policy.n_features_in_ == enc.n_features(2, 50)
    assert "command" in header and header["n_pairs"] > 0
    docs, y = load_sentiment("tweets", return_X_y=True)
    vec = SequenceVectorizer(max_features=3000, max_len=30)
    X = vec.fit_transform(docs[:600])
    net = make_text_cnn(vec.vocabulary_size_, embedding_dim=16, max_epochs=3,
                        random_state=0)
    learner = ActiveLearner(ALILStrategy(net, random_state=0), batch_size=1,
                            budget=3, initial_size=2, random_state=0)
    learner.fit(X[:400], y[:400])
    assert learner.history_[-1]["n_labeled"] == 5


def test_dagger_policy_learns_a_known_expert_preference_on_held_out_steps():
    # The expert prefers the candidate with the largest first feature; the
    # listwise policy trained by DAgger must agree on steps it never saw.
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    y = (X[:, 1] > 0).astype(int)
    d = DAgger(PolicyMLP((16, 16), loss="softmax", max_epochs=30, random_state=0),
               _ArgmaxExpert(), _Identity(), LogisticRegression(), n_episodes=4,
               beta=0.5, budget=40, batch_size=1, n_candidates=5, initial_size=2,
               validation_size=50, random_state=0).fit(X, y)
    S = rng.randn(200 * 5, 3).astype(np.float32)
    pick = d.predict_scores(S).reshape(200, 5).argmax(1)
    assert (pick == S[:, 0].reshape(200, 5).argmax(1)).mean() > 0.9
    assert d.history_["agreement"][-1] > 0.8
