"""IALE's fixed-width state, multi-task DAgger and the out-of-range guard."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import scale

pytest.importorskip("torch")

from skactive import UncertaintySampling  # noqa: E402
from skactive.nets import make_image_cnn, make_mlp  # noqa: E402
from skactive.policies import (  # noqa: E402
    IALE_INVARIANT_FEATURE_NAMES,
    DAgger,
    IALEExpert,
    IALEState,
    IALEStrategy,
    PolicyMLP,
    load_iale_policy,
    save_iale_policy,
)

NAMES = IALE_INVARIANT_FEATURE_NAMES
COL = {name: j for j, name in enumerate(NAMES)}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


class _Fixed(ClassifierMixin, BaseEstimator):
    """Embedding = the first two inputs, probabilities = the last three."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def embed(self, X):
        return np.asarray(X)[:, :2]

    def predict_proba(self, X):
        return np.asarray(X)[:, 2:]


def test_invariant_state_on_a_hand_computed_case():
    # Labeled: embeddings (2, 0) and (0, 2) (mean norm 2), classes 0 and 0.
    X_lab = np.array([[2.0, 0, 1, 0, 0], [0, 2.0, 1, 0, 0]])
    y_lab = np.array([0, 0])
    model = _Fixed().fit(X_lab, np.array([0, 1, 2]))
    X_cand = np.array([[4.0, 0, 0.5, 0.3, 0.2],   # h/scale = (2, 0)
                       [0.0, 0, 1.0, 0.0, 0.0],   # h = 0, confident
                       [2.0, 2, 0.2, 0.4, 0.4]])  # h/scale = (1, 1)
    S = IALEState("invariant").transform(model, X_lab, y_lab, X_cand)
    assert S.shape == (3, len(NAMES))
    p = X_cand[:, 2:]
    ent = -(p * np.log(np.where(p > 0, p, 1))).sum(1) / np.log(3)
    resid = -p.copy()
    resid[np.arange(3), p.argmax(1)] += 1
    g = np.linalg.norm(resid, axis=1)
    expected = {
        "max_probability": [0.5, 1.0, 0.4],
        "margin": [0.2, 1.0, 0.0],
        "normalized_entropy": ent,
        "gradient_norm": g,
        "embedding_norm": [2.0, 0.0, np.sqrt(2)],
        "badge_norm": g * [2.0, 0.0, np.sqrt(2)],
        # labeled embeddings / 2 = (1, 0), (0, 1); mean (0.5, 0.5)
        "nearest_labeled_distance": [1.0, 1.0, 1.0],
        "labeled_mean_cosine": [np.sqrt(0.5), 0.0, 1.0],
        # C x labeled share of the predicted class: 3 * 1 for class 0, 0 else
        "predicted_class_share": [3.0, 3.0, 0.0],
        "rank_entropy": [0.5, 0.0, 1.0],
        "rank_small_margin": [0.5, 0.0, 1.0],
        "rank_nearest_labeled": [0.5, 0.5, 0.5],
    }
    for name, value in expected.items():
        np.testing.assert_allclose(S[:, COL[name]], value, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(S[:, COL["rank_badge_norm"]],
                               (np.argsort(np.argsort(g * [2, 0, np.sqrt(2)]))) / 2)


@pytest.mark.parametrize("width", [32, 128, 512])
def test_invariant_state_width_does_not_depend_on_the_embedding(digits, width):
    X, y = digits
    net = make_mlp((width,), max_epochs=3, random_state=0).fit(X[:60], y[:60])
    enc = IALEState("invariant")
    S = enc.transform(net, X[:60], y[:60], X[100:140])
    assert S.shape == (40, 13) == (40, enc.n_features(10, width))
    assert np.isfinite(S).all()


def test_invariant_state_for_any_classifier_and_class_count():
    X, y = load_iris(return_X_y=True)
    for model, y_ in ((LogisticRegression(max_iter=500), y),
                      (LogisticRegression(max_iter=500), (y > 0).astype(int))):
        model.fit(X[::3], y_[::3])
        S = IALEState("invariant").transform(model, X[::3], y_[::3], X[1::3])
        assert S.shape == (50, 13) and np.isfinite(S).all()
        rank = S[:, [COL[n] for n in NAMES if n.startswith("rank_")]]
        assert rank.min() >= 0 and rank.max() <= 1


def test_invariant_state_is_chunked_without_changing_it(digits):
    X, y = digits
    net = make_mlp((16,), max_epochs=3, random_state=0).fit(X[:60], y[:60])
    enc = IALEState("invariant")
    summary = enc.summarize_labeled(net, X[:60], y[:60])
    whole = enc.encode(net, summary, X[100:150])
    np.testing.assert_allclose(enc.encode(net, summary, X[100:150], chunk_size=7),
                               whole, atol=1e-6)


@pytest.fixture(scope="module")
def invariant_policy():
    rng = np.random.RandomState(0)
    S = rng.uniform(0, 1, size=(400, 13)).astype(np.float32)
    a = (S[:, COL["normalized_entropy"]] > 0.8).astype(int)
    return PolicyMLP((8,), max_epochs=5, random_state=0).fit(S, a), S


@pytest.mark.parametrize("hidden", [(64,), (32, 256)])
def test_one_invariant_policy_serves_every_network_width(tmp_path, digits,
                                                         invariant_policy, hidden):
    X, y = digits
    policy, S = invariant_policy
    path = tmp_path / "inv.npz"
    save_iale_policy(path, policy, IALEState("invariant"), training_states=S)
    s = IALEStrategy(make_mlp(hidden, max_epochs=3, random_state=0), policy=path,
                     random_state=0).fit(X[:50], y[:50])
    q = s.query(X[50:400], batch_size=5)
    assert q.shape == (5,) and np.unique(q).shape == (5,)
    assert s.state_encoder_.state == "invariant"
    assert s.feature_ranges_[0].shape == (13,)
    # Same queries after a pickle round trip.
    again = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(again.query(X[50:400], batch_size=5),
                                  s.query(X[50:400], batch_size=5))


def test_invariant_policy_with_a_scikit_learn_classifier(tmp_path, invariant_policy):
    X, y = load_wine(return_X_y=True)
    X = scale(X)
    policy, S = invariant_policy
    s = IALEStrategy(LogisticRegression(max_iter=500), policy=policy,
                     random_state=0).fit(X[::4], y[::4])
    assert s.state_encoder_.state == "invariant"  # matched by width
    assert s.query(X, batch_size=3).shape == (3,)


def test_bare_policy_infers_the_invariant_state_and_keeps_embeddings(
        digits, invariant_policy):
    X, y = digits
    s = IALEStrategy(make_mlp((16,), max_epochs=2, random_state=0),
                     policy=invariant_policy[0], random_state=0).fit(X[:40], y[:40])
    assert "embeddings" in s.summary_
    assert s.feature_ranges_ is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ranges, no guard
        s.score_samples(X[40:90])


def test_out_of_range_state_warns_naming_the_feature(tmp_path, digits,
                                                     invariant_policy):
    X, y = digits
    policy, S = invariant_policy
    narrow = S.copy()
    narrow[:, COL["embedding_norm"]] = np.linspace(50.0, 51.0, S.shape[0])
    path = tmp_path / "narrow.npz"
    save_iale_policy(path, policy, IALEState("invariant"), training_states=narrow)
    s = IALEStrategy(make_mlp((16,), max_epochs=2, random_state=0), policy=path,
                     random_state=0).fit(X[:40], y[:40])
    with pytest.warns(UserWarning, match="'embedding_norm'.*far outside"):
        s.query(X[40:300], batch_size=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per feature
        s.query(X[40:300], batch_size=5)
    # Rank columns and states inside the range stay silent.
    path2 = tmp_path / "wide.npz"
    wide = np.vstack([S, S * 0 - 5, S * 0 + 5])
    save_iale_policy(path2, policy, IALEState("invariant"), training_states=wide)
    s2 = IALEStrategy(make_mlp((16,), max_epochs=2, random_state=0), policy=path2,
                      random_state=0).fit(X[:40], y[:40])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2.query(X[40:300], batch_size=5)


def test_save_rejects_training_states_of_another_width(tmp_path, invariant_policy):
    policy, S = invariant_policy
    with pytest.raises(ValueError, match="training_states are 12 wide"):
        save_iale_policy(tmp_path / "x.npz", policy, IALEState("invariant"),
                         training_states=S[:, :12])


def test_reduced_policy_with_another_width_points_to_the_invariant_one(digits):
    X, y = digits
    policy, state = load_iale_policy("digits-cnn")
    s = IALEStrategy(make_mlp((64,), max_epochs=2, random_state=0), policy="digits-cnn")
    with pytest.raises(ValueError, match="IALEState\\('invariant'\\)"):
        s.fit(X[:40], y[:40])


# -- DAgger on several tasks ---------------------------------------------------
def _tasks():
    Xi, yi = load_iris(return_X_y=True)
    Xw, yw = load_wine(return_X_y=True)
    return [(scale(Xi), yi), (scale(Xw), yw, LogisticRegression(C=0.5))]


def _dagger(encoder, n_episodes=3):
    return DAgger(PolicyMLP((8,), max_epochs=3, random_state=0),
                  IALEExpert({"entropy": UncertaintySampling()}), encoder,
                  LogisticRegression(), n_episodes=n_episodes, budget=14,
                  batch_size=2, n_candidates=10, validation_size=30, random_state=0)


def test_fit_tasks_takes_turns_and_aggregates_every_task():
    d = _dagger(IALEState("invariant")).fit_tasks(_tasks())
    assert d.history_["task"] == [0, 1, 0]
    assert d.states_.shape[1] == 13
    # iris: 6 initial -> 14 in 4 steps; wine: 6 -> 14 in 4 steps; 10 rows each
    assert d.states_.shape[0] == 3 * 4 * 10
    assert np.isin(np.unique(d.pair_episodes_), [0, 1, 2]).all()
    # fit() is one task: the same as fit_tasks with that task alone.
    X, y = _tasks()[0]
    a = _dagger(IALEState("invariant"), 2).fit(X, y)
    b = _dagger(IALEState("invariant"), 2).fit_tasks([(X, y)])
    np.testing.assert_array_equal(a.states_, b.states_)
    assert a.history_["task"] == [0, 0]


def test_fit_tasks_needs_one_state_width():
    with pytest.raises(ValueError, match="IALEState\\('invariant'\\)"):
        _dagger(IALEState("reduced")).fit_tasks(_tasks())


@pytest.mark.parametrize("tasks", [[], (np.zeros((4, 2)), [0, 1, 0, 1]), [[1, 2]],
                                   [(np.zeros((4, 2)),)]])
def test_fit_tasks_rejects_bad_tasks(tasks):
    with pytest.raises(TypeError, match="tasks"):
        _dagger(IALEState("invariant")).fit_tasks(tasks)


def test_image_cnn_and_mlp_share_one_invariant_state(digits):
    X, y = digits
    enc = IALEState("invariant")
    cnn = make_image_cnn(max_epochs=1, random_state=0).fit(X[:40], y[:40])
    mlp = make_mlp((48,), max_epochs=1, random_state=0).fit(X[:40], y[:40])
    assert enc.transform(cnn, X[:40], y[:40], X[50:60]).shape == \
        enc.transform(mlp, X[:40], y[:40], X[50:60]).shape == (10, 13)


def test_shipped_policy_prefers_uncertain_and_uncovered_candidates():
    # What the experts it imitates agree on: an uncertain candidate before a
    # confident one, one far from every labeled sample before a near one.
    from skactive.policies import policy_scores

    policy, _ = load_iale_policy()
    base = dict(zip(NAMES, [0.5, 0.3, 0.8, 0.6, 1.0, 0.6, 0.6, 0.6, 1.0,
                            0.5, 0.5, 0.5, 0.5]))

    def state(**kw):
        return [{**base, **kw}[n] for n in NAMES]

    uncertain = state(max_probability=0.35, margin=0.02, normalized_entropy=0.98,
                      gradient_norm=0.8, badge_norm=0.8, rank_entropy=1.0,
                      rank_small_margin=1.0, rank_badge_norm=1.0)
    confident = state(max_probability=0.95, margin=0.9, normalized_entropy=0.15,
                      gradient_norm=0.07, badge_norm=0.07, rank_entropy=0.0,
                      rank_small_margin=0.0, rank_badge_norm=0.0)
    far = state(nearest_labeled_distance=1.2, rank_nearest_labeled=1.0)
    near = state(nearest_labeled_distance=0.1, rank_nearest_labeled=0.0)
    s = policy_scores(policy, np.array([uncertain, confident, far, near],
                                       dtype=np.float32))
    assert s[0] > s[1] and s[2] > s[3]


def test_batch_diversity_takes_the_best_of_each_cluster(invariant_policy):
    # Two tight clusters; the policy scores cluster A higher throughout. Plain
    # top-k fills the batch from A, batch_diversity takes the best of each.
    from skactive.policies import policy_scores

    rng = np.random.RandomState(0)
    A = rng.normal(0, 0.01, (30, 2)) + [5, 5]
    B = rng.normal(0, 0.01, (30, 2)) - [5, 5]
    X_pool = np.vstack([A, B])
    X_lab = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]])
    y_lab = np.array([0, 1, 0, 1])
    policy, _ = invariant_policy
    base = IALEStrategy(LogisticRegression(), policy=policy, n_candidates=60,
                        batch_diversity=None, random_state=0).fit(X_lab, y_lab)
    scores = policy_scores(policy, base.state_encoder_.encode(
        base.estimator_, base.summary_, X_pool))
    plain = base.query(X_pool, batch_size=2)
    div = clone_strategy(base, batch_diversity=30).fit(X_lab, y_lab).query(
        X_pool, batch_size=2)
    assert sorted(div // 30) == [0, 1]  # one from each cluster
    for c in (0, 1):
        members = np.arange(30) + 30 * c
        assert div[div // 30 == c][0] == members[np.argmax(scores[members])]
    # batch_diversity=1 is plain top-k.
    one = clone_strategy(base, batch_diversity=1).fit(X_lab, y_lab)
    np.testing.assert_array_equal(np.sort(one.query(X_pool, batch_size=2)),
                                  np.sort(plain))
    for bad in (0.5, "x", True):
        with pytest.raises(ValueError, match="batch_diversity"):
            clone_strategy(base, batch_diversity=bad).fit(X_lab, y_lab)


def clone_strategy(strategy, **params):
    from sklearn.base import clone

    return clone(strategy).set_params(**params)
