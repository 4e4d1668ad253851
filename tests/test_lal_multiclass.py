"""LAL beyond the paper: multi-class features and clouds, trajectories, the
out-of-distribution guard and boosted compact regressors."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from skactive.datasets import make_multiclass_clouds
from skactive.policies import (
    LAL_MULTICLASS_FEATURE_NAMES,
    CompactForestRegressor,
    LALMonteCarlo,
    LALStrategy,
    lal_features,
)
from skactive.policies._artefacts import load_artefact, save_artefact


class _Tree:
    """A stand-in decision tree with fixed class probabilities."""

    def __init__(self, proba, depth):
        self.proba = np.asarray(proba, dtype=float)
        self.tree_ = type("T", (), {"max_depth": depth})()

    def predict_proba(self, X, check_input=True):
        return np.tile(self.proba, (X.shape[0], 1))


class _Forest(BaseEstimator):
    """Two trees, three classes, known importances and bootstrap samples."""

    bootstrap = True
    n_outputs_ = 1

    def __init__(self):
        self.classes_ = np.array([0, 1, 2])
        self.estimators_ = [_Tree([0.6, 0.3, 0.1], 3), _Tree([0.2, 0.6, 0.2], 5)]
        # Tree 0 leaves out rows 2, 3; tree 1 leaves out rows 0, 1.
        self.estimators_samples_ = [np.array([0, 1]), np.array([2, 3])]
        self.feature_importances_ = np.array([0.5, 0.25, 0.25])

    def fit(self, X, y):  # never called; makes it an estimator
        return self

    def __sklearn_is_fitted__(self):
        return True


def test_multiclass_features_match_hand_computation():
    X_lab = np.zeros((4, 3))
    y_lab = np.array([1, 1, 1, 0])  # share of class 1: 3/4
    F = lal_features(_Forest(), X_lab, y_lab, np.zeros((2, 3)), features="multiclass")
    assert F.shape == (2, len(LAL_MULTICLASS_FEATURE_NAMES))
    # Forest mean [0.4, 0.45, 0.15]: predicted class 1.
    p = np.array([0.4, 0.45, 0.15])
    expected = [
        0.45,                                   # proba_top
        0.15,                                   # std over trees of 0.3, 0.6
        0.05,                                   # margin 0.45 - 0.40
        -(p * np.log(p)).sum() / np.log(3),     # entropy / log C
        3 * 0.75,                               # C x labeled share of class 1
        # OOB: rows 2, 3 voted by tree 0 (class 0), rows 0, 1 by tree 1
        # (class 1); labels 1, 1, 1, 0 -> right on rows 0, 1 and 3.
        0.75,
        np.std([0.5, 0.25, 0.25]) / (1 / 3),    # importance CoV
        0.15,                                   # forest std: mean of column 1
        4.0,                                    # mean depth of 3 and 5
        4 / 3,                                  # labeled per class
        3.0,                                    # classes
    ]
    np.testing.assert_allclose(F[0], expected, atol=1e-12)
    np.testing.assert_allclose(F[1], F[0])


def test_multiclass_features_are_binary_meaningful_too():
    # Two classes: top-class probability is max(p, 1 - p), the margin
    # |2p - 1|, the normalised entropy that of p.
    rng = np.random.RandomState(0)
    X = rng.rand(40, 2)
    y = (X[:, 0] > 0.5).astype(int)
    forest = RandomForestClassifier(20, random_state=0).fit(X, y)
    pool = rng.rand(30, 2)
    F = lal_features(forest, X, y, pool, features="multiclass")
    p0 = forest.predict_proba(pool)[:, 0]
    np.testing.assert_allclose(F[:, 0], np.maximum(p0, 1 - p0))
    np.testing.assert_allclose(F[:, 2], np.abs(2 * p0 - 1), atol=1e-12)
    assert np.all((F[:, 3] >= 0) & (F[:, 3] <= 1))
    assert np.all(F[:, 10] == 2)


def test_features_option_is_validated():
    forest = RandomForestClassifier(5, random_state=0).fit([[0], [1]], [0, 1])
    with pytest.raises(ValueError, match="features must be one of"):
        lal_features(forest, [[0], [1]], [0, 1], [[0.5]], features="ovr")


def test_multiclass_clouds():
    X, y, Xt, yt = make_multiclass_clouds(
        300, n_classes=5, n_features=7, concentration=0.3, random_state=0,
        return_test=True)
    assert X.shape == (300, 7) and Xt.shape == (3000, 7)
    assert set(y.tolist()) == set(yt.tolist()) == set(range(5))
    assert np.bincount(y).min() >= 2
    # Same class shares in train and test (up to rounding).
    np.testing.assert_allclose(np.bincount(yt) / 3000, np.bincount(y) / 300, atol=2e-3)
    again = make_multiclass_clouds(300, n_classes=5, n_features=7,
                                   concentration=0.3, random_state=0)
    np.testing.assert_array_equal(again[0], X)
    # Low concentration gives imbalance, high gives near balance.
    skew = [np.bincount(make_multiclass_clouds(400, n_classes=4, concentration=c,
                                               random_state=s)[1]).max()
            for c in (0.2, 50.0) for s in range(5)]
    assert np.mean(skew[:5]) > np.mean(skew[5:]) + 50


@pytest.mark.parametrize("kwargs, match", [
    ({"n_classes": 1}, "n_classes must be"),
    ({"n_samples": 5, "n_classes": 3}, "n_samples must be"),
    ({"spread": 0}, "spread must be a positive"),
    ({"concentration": -1.0}, "concentration must be a positive"),
])
def test_multiclass_clouds_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_multiclass_clouds(**kwargs)


def test_builder_on_multiclass_clouds():
    mc = LALMonteCarlo("independent", features="multiclass", n_classes=(2, 4),
                       n_features=(2, 16), n_repetitions=3, n_candidates=2,
                       n_samples=100, tau_range=(2, 6),
                       regressor=RandomForestRegressor(5), random_state=0)
    mc.fit_synthetic()
    assert mc.states_.shape == (5 * 3 * 2, 11)
    k = mc.states_[:, 10]
    # At most tau classes per labeled set of size tau, and a range drawn.
    assert np.all(k <= mc.n_labeled_) and set(k) == {2.0, 3.0, 4.0}
    np.testing.assert_allclose(mc.states_[:, 9] * k, mc.n_labeled_)
    s = LALStrategy(RandomForestClassifier(10), regressor=mc, random_state=0)
    X, y = make_multiclass_clouds(120, n_classes=3, random_state=1)
    s.fit(X[:9], y[:9])
    assert s.features_ == "multiclass" and s.query(X[9:], 4).shape == (4,)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_classes": (3, 2)}, "n_classes must be"),
    ({"n_features": 0}, "n_features must be"),
    ({"n_classes": (2, 5), "mode": "iterative"}, "tau_min >= 5"),
    ({"n_trajectories": 2}, "n_trajectories must be"),
])
def test_builder_range_bad_input(kwargs, match):
    params = dict(features="multiclass", n_repetitions=3, n_candidates=2,
                  n_samples=60, tau_range=(2, 4), random_state=0)
    with pytest.raises(ValueError, match=match):
        LALMonteCarlo(**{**params, **kwargs}).fit_synthetic()


def test_more_trajectories_than_scored_sets():
    mc = LALMonteCarlo("iterative", n_repetitions=3, n_trajectories=7,
                       n_candidates=2, n_samples=80, tau_range=(2, 6),
                       regressor=RandomForestRegressor(5), random_state=0)
    mc.fit_synthetic()
    # q x m rows per size, but all trajectories grown to tau_max.
    assert mc.states_.shape == (5 * 3 * 2, 8)
    assert np.all(np.bincount(mc.n_labeled_.astype(int))[2:] == 6)
    assert mc.trajectories_.shape == (7, 6)
    same = LALMonteCarlo("iterative", n_repetitions=3, n_trajectories=7,
                         n_candidates=2, n_samples=80, tau_range=(2, 6),
                         regressor=RandomForestRegressor(5), random_state=0,
                         n_jobs=2).fit_synthetic()
    np.testing.assert_array_equal(same.states_, mc.states_)


def _small_mc(tau_max=6):
    return LALMonteCarlo("independent", n_repetitions=3, n_candidates=2,
                         n_samples=200, tau_range=(2, tau_max),
                         regressor=RandomForestRegressor(5),
                         random_state=0).fit_synthetic()


def test_state_far_outside_training_warns_once_naming_the_feature():
    mc = _small_mc()
    rng = np.random.RandomState(0)
    X = rng.rand(200, 2)
    y = (X[:, 0] > 0.5).astype(int)
    s = LALStrategy(RandomForestClassifier(10), regressor=mc, random_state=0)
    s.fit(X[:4], y[:4])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s.query(X[4:], 1)  # 4 labels: inside the training sizes 2 .. 6
    assert not [w for w in caught if "n_labeled" in str(w.message)]
    s.fit(X[:60], y[:60])
    with pytest.warns(UserWarning, match="'n_labeled' = 60 lies far outside"):
        s.query(X[60:], 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s.query(X[60:], 1)
    assert not [w for w in caught if "n_labeled" in str(w.message)]


def test_shipped_headers_carry_feature_ranges():
    from skactive.policies import load_lal_regressor

    for name in ("iterative", "independent", "multiclass"):
        _, meta = load_lal_regressor(name, return_metadata=True)
        ranges = np.asarray(meta["feature_ranges"])
        assert ranges.shape == (len(meta["feature_names"]), 2)
        assert np.all(ranges[:, 0] <= ranges[:, 1])


def test_auto_picks_the_multiclass_regressor_and_paper_warns():
    X, y = make_multiclass_clouds(200, n_classes=4, random_state=0)
    lab = np.r_[[np.flatnonzero(y == c)[0] for c in range(4)], np.arange(10, 16)]
    pool = np.setdiff1d(np.arange(200), lab)
    s = LALStrategy(RandomForestClassifier(10), random_state=0).fit(X[lab], y[lab])
    assert s.features_ == "multiclass"
    assert s.pool_features(X[pool]).shape == (pool.size, 11)
    q = s.query(X[pool], 3)
    again = pickle.loads(pickle.dumps(s))
    assert again.regressor_ is not None
    np.testing.assert_array_equal(again.query(X[pool], 3), q)
    with pytest.warns(UserWarning, match="learned on two-class problems"):
        LALStrategy(RandomForestClassifier(10), regressor="iterative").fit(
            X[lab], y[lab])
    binary = LALStrategy(RandomForestClassifier(10)).fit(X[lab], (y[lab] > 1) * 1)
    assert binary.features_ == "paper" and binary._shipped == "iterative"


def test_compact_boosting_reproduces_hist_gradient_boosting(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(500, 4)
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.randn(500)
    hgb = HistGradientBoostingRegressor(max_iter=30, max_leaf_nodes=7,
                                        early_stopping=False, random_state=0)
    hgb.fit(X, y)
    compact = CompactForestRegressor.from_boosting(hgb)
    X32 = X.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(compact.predict(X32), hgb.predict(X32), atol=1e-12)
    save_artefact(tmp_path / "b.npz", compact, kind="x")
    loaded, _ = load_artefact(tmp_path / "b.npz", kind="x")
    assert loaded.aggregate == "sum"
    np.testing.assert_allclose(loaded.predict(X32), hgb.predict(X32), atol=1e-6)
    with pytest.raises(TypeError, match="HistGradientBoostingRegressor"):
        CompactForestRegressor.from_boosting(RandomForestRegressor(3).fit(X, y))
