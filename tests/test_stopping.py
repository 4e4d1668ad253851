"""Behaviour of the stopping criteria."""

import pickle
import warnings
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skactive.stopping import (
    ClassificationChange,
    LabelBudget,
    MaxUncertainty,
    OverallUncertainty,
    StabilizingPredictions,
    StoppingCriterion,
    StoppingState,
    normalized_uncertainty,
)

MEASURES = ["entropy", "least_confidence", "margin"]
POOL_CRITERIA = [
    StabilizingPredictions(stop_set_size=5, window=1, random_state=0),
    MaxUncertainty(),
    OverallUncertainty(),
    ClassificationChange(),
]


class CutClassifier(ClassifierMixin, BaseEstimator):
    """Predicts 1 where the first feature exceeds ``cut`` (fit ignores y)."""

    def __init__(self, cut=0.0, flip=False):
        self.cut = cut
        self.flip = flip

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        out = (np.asarray(X)[:, 0] > self.cut).astype(int)
        return 1 - out if self.flip else out


def _line(n=21):
    x = np.linspace(-3, 3, n)
    return x[:, None], (x > 0).astype(int)


def _state(estimator, X, labeled, round_=0, n_queried=0, y=None):
    labeled = np.asarray(labeled, dtype=np.intp)
    unlabeled = np.setdiff1d(np.arange(X.shape[0]), labeled)
    y_lab = np.zeros(len(labeled), dtype=int) if y is None else y[labeled]
    return StoppingState(round=round_, estimator=estimator, X=X, labeled=labeled,
                         unlabeled=unlabeled, y_labeled=y_lab,
                         n_queried=n_queried)


@pytest.fixture(scope="module")
def rounds():
    """Twelve states of a growing random labeled set, with fitted models."""
    X, y = make_classification(n_samples=150, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, random_state=0)
    order = np.random.RandomState(0).permutation(len(y))
    states = []
    for r in range(12):
        lab = order[:15 + 5 * r]
        clf = LogisticRegression().fit(X[lab], y[lab])
        states.append(_state(clf, X, lab, round_=r, n_queried=5 * r, y=y))
    return states


# ----------------------------------------------------------------------------
# StabilizingPredictions
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("window", [1, 3])
def test_sp_stops_exactly_after_window_plus_one_identical_models(window):
    X, y = _line()
    state = _state(CutClassifier().fit(X), X, [0, 20])
    sp = StabilizingPredictions(window=window, random_state=0)
    decisions = [sp.update(replace(state, round=r)) for r in range(window + 2)]
    assert decisions == [False] * window + [True, True]
    assert sp.kappas_ == [1.0] * (window + 1)
    assert "stabilized" in sp.reason_


def test_sp_does_not_stop_when_predictions_keep_flipping():
    X, y = _line()
    models = [CutClassifier(flip=False).fit(X), CutClassifier(flip=True).fit(X)]
    sp = StabilizingPredictions(window=2, threshold=0.5, random_state=0)
    for r in range(8):
        assert not sp.update(_state(models[r % 2], X, [0, 20], round_=r))
        assert sp.reason_ is None
    assert len(sp.kappas_) == 7
    assert max(sp.kappas_) < -0.9  # every row flips: perfect disagreement


def test_sp_kappa_of_constant_equal_predictions_is_one_not_nan():
    X, y = _line()
    const = DummyClassifier(strategy="constant", constant=1).fit(X, y)
    sp = StabilizingPredictions(window=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not sp.update(_state(const, X, [0, 20]))
        assert sp.update(_state(const, X, [0, 20], round_=1))
    assert sp.kappas_ == [1.0]
    # Two different constants disagree everywhere: kappa 0, no stop.
    other = DummyClassifier(strategy="constant", constant=0).fit(X, y)
    assert not sp.update(_state(other, X, [0, 20], round_=2))
    assert sp.kappas_[-1] == 0.0


def test_sp_kappa_window_mean_and_threshold():
    X, y = _line()
    # A cut moving by one grid point changes one of the 19 stop-set rows.
    sp = StabilizingPredictions(window=2, threshold=0.99, random_state=0)
    cuts = [0.0, 0.31, 0.31, 0.31]
    decisions = [sp.update(_state(CutClassifier(cut=c).fit(X), X, [0, 20],
                                  round_=r))
                 for r, c in enumerate(cuts)]
    assert sp.kappas_[0] < 0.99
    assert sp.kappas_[1:] == [1.0, 1.0]
    assert decisions == [False, False, False, True]


def test_sp_stop_set_drawn_once_and_fixed(rounds):
    sp = StabilizingPredictions(stop_set_size=30, random_state=0)
    sp.update(rounds[0])
    stop_set = sp.stop_set_.copy()
    assert len(stop_set) == 30
    assert np.isin(stop_set, rounds[0].unlabeled).all()
    assert np.all(np.diff(stop_set) > 0)
    for state in rounds[1:]:
        sp.update(state)
        np.testing.assert_array_equal(sp.stop_set_, stop_set)
    # Some stop-set rows got labeled in the meantime; the set did not change.
    assert not np.isin(stop_set, rounds[-1].unlabeled).all()
    # The draw is reproducible and capped by the pool.
    again = StabilizingPredictions(stop_set_size=30, random_state=0)
    again.update(rounds[0])
    np.testing.assert_array_equal(again.stop_set_, stop_set)
    big = StabilizingPredictions(stop_set_size=10_000, random_state=0)
    big.update(rounds[0])
    np.testing.assert_array_equal(big.stop_set_, np.sort(rounds[0].unlabeled))


def test_sp_works_on_dataframe_and_sparse_input(rounds):
    pd = pytest.importorskip("pandas")

    def run(convert):
        sp = StabilizingPredictions(stop_set_size=50, window=2, threshold=0.9,
                                    random_state=0)
        out = []
        for state in rounds:
            X = convert(state.X)
            clf = LogisticRegression().fit(
                X[state.labeled] if not hasattr(X, "iloc") else X.iloc[state.labeled],
                state.y_labeled)
            out.append(sp.update(replace(state, X=X, estimator=clf)))
        return out, sp.kappas_

    columns = [f"f{i}" for i in range(rounds[0].X.shape[1])]
    with warnings.catch_warnings():
        # A column-name mismatch would warn; rows must keep their names.
        warnings.simplefilter("error", UserWarning)
        frame = run(lambda X: pd.DataFrame(X, columns=columns))
    array = run(lambda X: X)
    sparse = run(scipy.sparse.csr_matrix)
    assert frame[0] == array[0] == sparse[0]
    np.testing.assert_allclose(frame[1], array[1])
    np.testing.assert_allclose(sparse[1], array[1])


# ----------------------------------------------------------------------------
# Uncertainty criteria
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("n_classes", [2, 10])
def test_normalized_uncertainty_lies_in_unit_interval(measure, n_classes):
    rng = np.random.RandomState(0)
    proba = rng.dirichlet(np.full(n_classes, 0.5), size=500)
    scores = normalized_uncertainty(proba, measure)
    assert scores.shape == (500,)
    assert np.all((scores >= 0) & (scores <= 1))
    uniform = np.full((1, n_classes), 1.0 / n_classes)
    one_hot = np.eye(n_classes)[:1]
    np.testing.assert_allclose(normalized_uncertainty(uniform, measure), 1.0)
    np.testing.assert_allclose(normalized_uncertainty(one_hot, measure), 0.0)


def test_normalized_uncertainty_one_class_is_nan():
    assert np.isnan(normalized_uncertainty(np.ones((3, 1)))).all()


@pytest.mark.parametrize("measure", MEASURES)
def test_max_uncertainty_confident_pool_vs_boundary_point(measure):
    X, y = _line(7)  # -3 .. 3, the middle row sits at 0
    labeled = [0, 1, 5, 6]  # symmetric: the boundary is at x = 0
    clf = LogisticRegression(C=1e4).fit(X[labeled], [0, 0, 1, 1])
    criterion = MaxUncertainty(threshold=0.1, measure=measure)
    on_boundary = _state(clf, X, labeled)
    assert not criterion.update(on_boundary)
    assert criterion.values_[0] == pytest.approx(1.0, abs=1e-3)
    assert criterion.reason_ is None
    far = replace(on_boundary, unlabeled=np.array([0, 6]))
    assert criterion.update(far)
    assert criterion.values_[1] < 0.1
    assert "confident" in criterion.reason_


def test_max_uncertainty_is_the_pool_maximum_in_10_classes():
    X, y = make_classification(n_samples=300, n_features=12, n_informative=10,
                               n_classes=10, n_clusters_per_class=1,
                               random_state=0)
    clf = LogisticRegression(max_iter=500).fit(X[:100], y[:100])
    state = _state(clf, X, np.arange(100), y=y)
    expected = normalized_uncertainty(clf.predict_proba(X[100:]), "entropy")
    mx, mean = MaxUncertainty(), OverallUncertainty()
    mx.update(state)
    mean.update(state)
    assert 0 <= mx.values_[0] <= 1
    assert mx.values_[0] == pytest.approx(expected.max())
    assert mean.values_[0] == pytest.approx(expected.mean())


def test_overall_uncertainty_stops_below_threshold(rounds):
    state = rounds[3]
    proba = state.estimator.predict_proba(state.X[state.unlabeled])
    mean = normalized_uncertainty(proba, "margin").mean()
    below = OverallUncertainty(threshold=mean + 1e-6, measure="margin")
    above = OverallUncertainty(threshold=mean - 1e-6, measure="margin")
    assert below.update(state)
    assert not above.update(state)
    assert below.values_ == pytest.approx([mean])
    assert "mean normalised margin" in below.reason_


@pytest.mark.parametrize("criterion", [MaxUncertainty(), OverallUncertainty()])
def test_uncertainty_criteria_need_predict_proba(criterion):
    X, y = _line()
    svc = LinearSVC().fit(X, y)
    with pytest.raises(TypeError, match=type(criterion).__name__) as info:
        criterion.update(_state(svc, X, [0, 20]))
    assert "predict_proba" in str(info.value)
    assert "CalibratedClassifierCV" in str(info.value)


@pytest.mark.parametrize("cls", [MaxUncertainty, OverallUncertainty])
def test_uncertainty_criteria_do_not_stop_on_a_one_class_model(cls):
    X, y = _line()
    const = DummyClassifier(strategy="constant", constant=1).fit(X[[0]], [1])
    criterion = cls(threshold=1.0)
    assert not criterion.update(_state(const, X, [0]))
    assert np.isnan(criterion.values_[0])


# ----------------------------------------------------------------------------
# ClassificationChange
# ----------------------------------------------------------------------------


def test_classification_change_counts_rows_unlabeled_in_both_rounds():
    X, y = _line()  # x = -3, -2.7, ..., 3: rows 11..14 have 0 < x <= 1.2
    first = _state(CutClassifier(cut=0.0).fit(X), X, [0, 20])
    moved = CutClassifier(cut=1.25).fit(X)
    # Rows 11..14 flip; when they were labeled in between, nothing changed.
    cc = ClassificationChange()
    assert not cc.update(first)
    assert cc.update(_state(moved, X, [0, 20, 11, 12, 13, 14], round_=1))
    assert cc.changes_ == [0.0]
    assert "changed" in cc.reason_
    # Left in the pool they count: 4 of the 19 rows changed.
    cc = ClassificationChange()
    cc.update(first)
    assert not cc.update(_state(moved, X, [0, 20], round_=1))
    assert cc.changes_ == [pytest.approx(4 / 19)]
    # Half of them labeled: 2 of the 17 shared rows changed.
    cc = ClassificationChange()
    cc.update(first)
    cc.update(_state(moved, X, [0, 20, 11, 12], round_=1))
    assert cc.changes_ == [pytest.approx(2 / 17)]


def test_classification_change_ignores_rows_new_to_the_pool():
    X, y = _line()
    cc = ClassificationChange()
    first = _state(CutClassifier(cut=0.0).fit(X), X, [0, 11, 12, 20])
    cc.update(first)
    # Rows 11, 12 return to the pool and flip; they were not in the last pool.
    assert cc.update(_state(CutClassifier(cut=1.25).fit(X), X, [0, 13, 14, 20],
                            round_=1))
    assert cc.changes_ == [0.0]


def test_classification_change_window_and_threshold():
    X, y = _line()
    cuts = [0.0, 0.0, 0.31, 0.31, 0.31]  # one row of 19 flips at round 2
    cc = ClassificationChange(threshold=0.0, window=2)
    decisions = [cc.update(_state(CutClassifier(cut=c).fit(X), X, [0, 20],
                                  round_=r))
                 for r, c in enumerate(cuts)]
    assert cc.changes_ == [0.0, pytest.approx(1 / 19), 0.0, 0.0]
    assert decisions == [False, False, False, False, True]
    tolerant = ClassificationChange(threshold=0.1, window=2)
    decisions = [tolerant.update(_state(CutClassifier(cut=c).fit(X), X, [0, 20],
                                        round_=r))
                 for r, c in enumerate(cuts)]
    assert decisions == [False, False, True, True, True]


def test_classification_change_keeps_only_the_last_round(rounds):
    cc = ClassificationChange()
    for state in rounds[:4]:
        cc.update(state)
    np.testing.assert_array_equal(cc.last_pool_, rounds[3].unlabeled)
    assert cc.last_predictions_.shape == rounds[3].unlabeled.shape
    arrays = [v for v in vars(cc).values() if isinstance(v, np.ndarray)]
    assert sum(a.size for a in arrays) == 2 * len(rounds[3].unlabeled)


# ----------------------------------------------------------------------------
# LabelBudget
# ----------------------------------------------------------------------------


def test_label_budget_counts_queried_or_labeled():
    X = np.zeros((20, 1))
    state = _state(None, X, np.arange(8), n_queried=3)  # 5 initial + 3 bought
    assert not LabelBudget(4).update(state)
    budget = LabelBudget(3)
    assert budget.update(state)
    assert budget.reason_ == "3 labels were queried, reaching max_labels=3."
    assert LabelBudget(8, count="labeled").update(state)
    labeled = LabelBudget(9, count="labeled")
    assert not labeled.update(state)
    assert labeled.reason_ is None


# ----------------------------------------------------------------------------
# Shared behaviour
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", POOL_CRITERIA,
                         ids=lambda c: type(c).__name__)
def test_empty_pool_stops(criterion, rounds):
    criterion = clone(criterion)
    state = rounds[0]
    empty = replace(state, unlabeled=np.empty(0, dtype=np.intp))
    assert criterion.update(empty)
    assert "pool is empty" in criterion.reason_.lower()
    # Also once the criterion has seen rounds.
    criterion = clone(criterion)
    criterion.update(state)
    assert criterion.update(replace(empty, round=1))
    assert "pool is empty" in criterion.reason_.lower()


@pytest.mark.parametrize("criterion, exc, match", [
    (StabilizingPredictions(stop_set_size=0), ValueError, "stop_set_size"),
    (StabilizingPredictions(stop_set_size=2.5), TypeError, "stop_set_size"),
    (StabilizingPredictions(threshold=1.5), ValueError, r"threshold.*\[-1, 1\]"),
    (StabilizingPredictions(threshold="high"), TypeError, "threshold"),
    (StabilizingPredictions(window=0), ValueError, "window must be >= 1"),
    (StabilizingPredictions(window=True), TypeError, "window"),
    (MaxUncertainty(threshold=-0.1), ValueError, r"threshold.*\[0, 1\]"),
    (MaxUncertainty(threshold=np.nan), ValueError, "threshold"),
    (MaxUncertainty(measure="gini"), ValueError, "measure must be one of"),
    (OverallUncertainty(threshold=2), ValueError, "threshold"),
    (OverallUncertainty(measure="entropy "), ValueError, "measure"),
    (ClassificationChange(threshold=1.1), ValueError, "threshold"),
    (ClassificationChange(window=-1), ValueError, "window"),
    (LabelBudget(0), ValueError, "max_labels must be >= 1"),
    (LabelBudget(None), TypeError, "max_labels"),
    (LabelBudget(5, count="all"), ValueError, "count must be one of"),
])
def test_parameter_errors_name_the_parameter(criterion, exc, match, rounds):
    with pytest.raises(exc, match=match) as info:
        criterion.update(rounds[0])
    assert type(criterion).__name__ in str(info.value)


ALL_CRITERIA = [
    StabilizingPredictions(stop_set_size=60, window=2, threshold=0.97,
                           random_state=0),
    MaxUncertainty(threshold=0.9),
    OverallUncertainty(threshold=0.3, measure="least_confidence"),
    ClassificationChange(threshold=0.03, window=2),
    LabelBudget(40),
]


@pytest.mark.parametrize("criterion", ALL_CRITERIA,
                         ids=lambda c: type(c).__name__)
def test_pickle_mid_sequence_gives_same_decisions(criterion, rounds):
    criterion = clone(criterion)
    for state in rounds[:4]:
        criterion.update(state)
    restored = pickle.loads(pickle.dumps(criterion))
    a = [criterion.update(s) for s in rounds[4:]]
    b = [restored.update(s) for s in rounds[4:]]
    assert a == b
    assert criterion.reason_ == restored.reason_
    for name in ("kappas_", "values_", "changes_"):
        if hasattr(criterion, name):
            np.testing.assert_allclose(getattr(criterion, name),
                                       getattr(restored, name))


def test_sequences_over_the_rounds_eventually_stop(rounds):
    """Every criterion in ALL_CRITERIA says stop at some round (sanity)."""
    for criterion in ALL_CRITERIA:
        criterion = clone(criterion)
        assert any(criterion.update(s) for s in rounds), type(criterion).__name__
        assert isinstance(criterion.reason_, str) and criterion.reason_.endswith(".")


@pytest.mark.parametrize("criterion", ALL_CRITERIA,
                         ids=lambda c: type(c).__name__)
def test_clone_and_get_params(criterion, rounds):
    assert isinstance(criterion, StoppingCriterion)
    params = criterion.get_params()
    copy = clone(criterion)
    assert copy.get_params() == params
    used = clone(criterion)
    used.update(rounds[0])
    fresh = clone(used)
    assert not hasattr(fresh, "reason_")
    assert fresh.get_params() == params
    assert repr(fresh) == repr(criterion)


@pytest.mark.parametrize("criterion", ALL_CRITERIA[:4],
                         ids=lambda c: type(c).__name__)
def test_chunked_pool_work_gives_the_same_results(criterion, rounds):
    big, small = clone(criterion), clone(criterion)
    a = [big.update(s) for s in rounds]
    with config_context(working_memory=0.0002):  # about 200 bytes per chunk
        b = [small.update(s) for s in rounds]
    assert a == b
    for name in ("kappas_", "values_", "changes_"):
        if hasattr(big, name):
            np.testing.assert_allclose(getattr(big, name), getattr(small, name))


def test_update_before_any_round_does_not_need_state_attributes():
    # A criterion that was never updated has no fitted attributes.
    for criterion in ALL_CRITERIA:
        assert not hasattr(clone(criterion), "reason_")


# ----------------------------------------------------------------------------
# ActiveLearner(stopping=...)
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_learner_stops_on_stabilizing_predictions(cancer):
    from skactive import ActiveLearner, UncertaintySampling

    X, y = cancer
    criterion = StabilizingPredictions(stop_set_size=200, window=3,
                                       threshold=0.99, random_state=0)
    al = ActiveLearner(UncertaintySampling(LogisticRegression()), batch_size=5,
                       budget=300, initial_size=10, stopping=criterion,
                       random_state=0).fit(X, y)
    fitted = al.stopping_[0]
    assert len(al.labeled_indices_) < 10 + 300
    assert al.stop_reason_ == fitted.reason_
    assert "stabilized" in al.stop_reason_
    assert len(fitted.kappas_) >= 3
    # The learner worked on a clone: the given criterion is untouched.
    assert not hasattr(criterion, "kappas_")


def test_learner_stops_at_the_first_criterion_that_says_so(cancer):
    from skactive import ActiveLearner, RandomSampling

    X, y = cancer
    al = ActiveLearner(RandomSampling(), batch_size=4, budget=100, initial_size=10,
                       stopping=[StabilizingPredictions(threshold=1.0, window=50,
                                                        random_state=0),
                                 LabelBudget(12)],
                       random_state=0).fit(X, y)
    assert al.stop_reason_ == "12 labels were queried, reaching max_labels=12."
    assert len(al.labeled_indices_) == 10 + 12
    assert len(al.stopping_[0].kappas_) == 3


def test_learner_with_dataframe_and_uncertainty_criteria(cancer):
    pd = pytest.importorskip("pandas")
    from skactive import ActiveLearner, UncertaintySampling

    X, y = cancer
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    al = ActiveLearner(UncertaintySampling(LogisticRegression()), batch_size=10,
                       budget=200, initial_size=10,
                       stopping=[MaxUncertainty(threshold=0.5),
                                 ClassificationChange(threshold=0.01, window=2)],
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no feature-name warnings
        al.fit(frame, y)
    assert al.stop_reason_ in {c.reason_ for c in al.stopping_}
    assert len(al.labeled_indices_) < 10 + 200
