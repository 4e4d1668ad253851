"""Behaviour of the ActiveLearner meta-estimator."""

import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skactive import (
    ActiveLearner,
    CoreSet,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4,
                               n_classes=3, random_state=0)
    return X, y


class SpyStrategy(UncertaintySampling):
    """Records every labeled set it is fitted on (kept on the class)."""

    seen = []

    def _fit(self, X, y):
        SpyStrategy.seen.append((X.copy(), y.copy()))


def test_loop_acquires_exactly_the_budget(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), batch_size=10, budget=25,
                       initial_size=6, random_state=0).fit(X, y)
    sizes = [len(h["queried"]) for h in al.history_]
    assert sizes == [10, 10, 5, 0]
    assert [h["n_labeled"] for h in al.history_] == [6, 16, 26, 31]
    assert al.n_iter_ == 3
    assert len(al.labeled_indices_) == 31
    assert len(np.unique(al.labeled_indices_)) == 31
    np.testing.assert_array_equal(al.y_labeled_, y[al.labeled_indices_])
    np.testing.assert_array_equal(al.X_labeled_, X[al.labeled_indices_])


def test_simulated_oracle_reveals_only_queried_labels(data):
    X, y = data
    SpyStrategy.seen.clear()
    al = ActiveLearner(SpyStrategy(), batch_size=5, budget=10, initial_size=6,
                       random_state=0).fit(X, y)
    assert len(SpyStrategy.seen) == 3
    X_last, y_last = SpyStrategy.seen[-1]
    # The strategy only ever saw rows that were acquired, with their labels.
    np.testing.assert_array_equal(X_last, X[al.labeled_indices_])
    np.testing.assert_array_equal(y_last, y[al.labeled_indices_])
    for X_seen, _ in SpyStrategy.seen:
        assert X_seen.shape[0] <= 16


def test_oracle_labels_missing_samples(data):
    X, y_true = data
    y = np.full_like(y_true, -1)
    start = np.concatenate([np.flatnonzero(y_true == c)[:2] for c in range(3)])
    y[start] = y_true[start]
    calls = []

    def oracle(idx):
        calls.append(np.asarray(idx).copy())
        return y_true[idx]

    al = ActiveLearner(UncertaintySampling(), batch_size=4, budget=12, oracle=oracle,
                       random_state=0).fit(X, y)
    asked = np.concatenate(calls)
    assert asked.shape == (12,)
    assert not np.isin(asked, start).any()
    np.testing.assert_array_equal(np.sort(al.labeled_indices_[:6]), np.sort(start))
    np.testing.assert_array_equal(al.y_labeled_, y_true[al.labeled_indices_])


def test_nan_missing_label_with_float_targets(data):
    X, y_true = data
    y = np.full(y_true.shape, np.nan)
    start = np.concatenate([np.flatnonzero(y_true == c)[:2] for c in range(3)])
    y[start] = y_true[start]
    al = ActiveLearner(UncertaintySampling(), batch_size=5, budget=5,
                       missing_label=np.nan, oracle=lambda i: y_true[i].astype(float),
                       random_state=0).fit(X, y)
    assert len(al.labeled_indices_) == 11


def test_same_seed_same_sequence_and_different_seed_differs(data):
    X, y = data

    def make(rs):
        return ActiveLearner(RandomSampling(), batch_size=5, budget=20,
                             random_state=rs).fit(X, y)

    a, b, c = make(1), make(1), make(2)
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)
    assert not np.array_equal(a.labeled_indices_, c.labeled_indices_)


def test_given_initial_set_is_used_as_is(data):
    X, y = data
    init = np.array([7, 3, 150, 299, 42])
    al = ActiveLearner(RandomSampling(), batch_size=5, budget=10, initial=init,
                       initial_size=50, random_state=0).fit(X, y)
    np.testing.assert_array_equal(al.labeled_indices_[:5], init)
    assert al.labeled_indices_.shape == (15,)
    assert al.history_[0]["n_labeled"] == 5


def test_stratified_initial_set_covers_every_class(data):
    X, y = data
    for seed in range(5):
        al = ActiveLearner(budget=0, initial_size=3, random_state=seed).fit(X, y)
        assert set(y[al.labeled_indices_]) == {0, 1, 2}


def test_eval_set_records_learning_curve(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), batch_size=20, budget=60,
                       eval_set=(X[200:], y[200:]), random_state=0)
    al.fit(X[:200], y[:200])
    scores = [h["score"] for h in al.history_]
    assert len(scores) == 4 and all(0.0 <= s <= 1.0 for s in scores)
    assert scores[-1] == pytest.approx(al.score(X[200:], y[200:]))
    al2 = clone(al).set_params(scoring="balanced_accuracy").fit(X[:200], y[:200])
    expected = balanced_accuracy_score(y[200:], al2.predict(X[200:]))
    assert al2.history_[-1]["score"] == pytest.approx(expected)


def test_uncertainty_beats_random_where_it_must():
    # A noise-free linear boundary through a wide domain: most random samples
    # are far from the boundary and say little, while uncertainty sampling
    # homes in on it. Uncertainty must win on every seed.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(3000, 2))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0.25).astype(int)
    for seed in range(3):
        acc = {}
        for name, strat in [("unc", UncertaintySampling(LogisticRegression(C=1e4),
                                                        measure="margin")),
                            ("rand", RandomSampling(LogisticRegression(C=1e4)))]:
            al = ActiveLearner(strat, batch_size=2, budget=20, initial_size=4,
                               random_state=seed).fit(X[:2000], y[:2000])
            acc[name] = al.score(X[2000:], y[2000:])
        assert acc["unc"] > acc["rand"], acc
        assert acc["unc"] > 0.98


def test_pipeline_gridsearch_and_cross_val(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), ActiveLearner(
        UncertaintySampling(LogisticRegression()), batch_size=10, budget=30,
        random_state=0))
    pipe.fit(X, y)
    assert pipe.predict(X[:5]).shape == (5,)
    assert pipe.predict_proba(X[:5]).shape == (5, 3)

    grid = GridSearchCV(
        ActiveLearner(UncertaintySampling(LogisticRegression()), batch_size=10,
                      budget=20, random_state=0),
        {"strategy__measure": ["entropy", "margin"],
         "strategy__estimator__C": [0.1, 1.0]},
        cv=3,
    ).fit(X, y)
    assert set(grid.best_params_) == {"strategy__measure", "strategy__estimator__C"}
    best = grid.best_params_["strategy__measure"]
    assert grid.best_estimator_.strategy_.measure == best

    scores = cross_val_score(ActiveLearner(QueryByCommittee(n_members=3), batch_size=10,
                                           budget=20, random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.4)


def test_query_and_teach_stepwise(data):
    X, y = data
    init = np.concatenate([np.flatnonzero(y == c)[:3] for c in range(3)])
    al = ActiveLearner(UncertaintySampling(), batch_size=5, random_state=0)
    al.teach(X[init], y[init])
    pool = np.setdiff1d(np.arange(len(X)), init)
    idx = al.query(X[pool])
    assert idx.shape == (5,)
    al.teach(X[pool[idx]], y[pool[idx]])
    assert al.X_labeled_.shape == (14, X.shape[1])
    assert al.history_[-1]["n_labeled"] == 14
    assert al.query(X[pool], batch_size=3).shape == (3,)


def test_teach_error_keeps_labels(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), budget=10, random_state=0).fit(X, y)
    X_before, y_before = al.X_labeled_.copy(), al.y_labeled_.copy()
    pred_before = al.predict(X)
    with pytest.raises(ValueError, match="features"):
        al.teach(X[:2, :3], y[:2])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        al.teach(X[:3], y[:2])
    with pytest.raises(ValueError, match="missing_label"):
        al.teach(X[:2], np.array([-1, 0]))
    bad = X[:2].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        al.teach(bad, y[:2])
    np.testing.assert_array_equal(al.X_labeled_, X_before)
    np.testing.assert_array_equal(al.y_labeled_, y_before)
    np.testing.assert_array_equal(al.predict(X), pred_before)
    al.teach(X[:2], y[:2])
    assert al.X_labeled_.shape[0] == X_before.shape[0] + 2


def test_teach_refit_failure_keeps_labels():
    X, y = load_iris(return_X_y=True)
    al = ActiveLearner(UncertaintySampling(), random_state=0)
    al.teach(X[[0, 50, 100]], y[[0, 50, 100]])

    class Boom(LogisticRegression):
        def fit(self, X, y):
            raise RuntimeError("boom")

    al.strategy_.set_params(estimator=Boom())
    with pytest.raises(RuntimeError, match="boom"):
        al.teach(X[[1]], y[[1]])
    assert al.X_labeled_.shape[0] == 3


def test_pickle_round_trip_gives_same_queries_and_predictions(data):
    X, y = data
    al = ActiveLearner(CoreSet(), batch_size=5, budget=10, random_state=0).fit(X, y)
    al2 = pickle.loads(pickle.dumps(al))
    np.testing.assert_array_equal(al.query(X), al2.query(X))
    np.testing.assert_array_equal(al.predict(X), al2.predict(X))


def test_decision_function_classifier_with_margin(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(LinearSVC(), measure="margin"),
                       batch_size=5, budget=10, random_state=0).fit(X, y)
    assert al.decision_function(X[:4]).shape == (4, 3)
    assert not hasattr(al, "predict_proba")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"budget": 10_000}, r"budget=10000 is larger than the pool, which has 290"),
        ({"initial_size": 300}, r"initial_size=300 leaves no pool"),
        ({"batch_size": 0}, r"batch_size must be >= 1"),
        ({"initial": "kmeans"}, r"initial must be one of"),
        ({"initial": [0, 0, 1]}, r"initial has repeated indices"),
        ({"initial": [5, 300]}, r"initial has indices outside \[0, 300\)"),
        ({"initial": np.arange(300)}, r"initial labels all 300 rows"),
        ({"initial": [0.5, 1.5]}, r"integer row indices"),
        ({"initial": 3}, r"integer row indices"),
        ({"eval_set": "test"}, r"eval_set must be a tuple"),
    ],
)
def test_parameter_errors(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        ActiveLearner(**params).fit(X, y)


def test_batch_larger_than_pool_is_fine_within_budget(data):
    X, y = data
    al = ActiveLearner(batch_size=500, budget=100, random_state=0).fit(X, y)
    assert [len(h["queried"]) for h in al.history_] == [100, 0]


def test_input_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="2D array"):
        ActiveLearner().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ActiveLearner().fit(X, y[:-1])
    Xn = X.copy()
    Xn[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ActiveLearner().fit(Xn, y)
    y_missing = y.copy()
    y_missing[10:] = -1
    with pytest.raises(ValueError, match="no oracle is given"):
        ActiveLearner().fit(X, y_missing)
    with pytest.raises(ValueError, match="one label per index"):
        ActiveLearner(oracle=lambda idx: np.zeros(1)).fit(X, y_missing)
    with pytest.raises(TypeError, match="strategy must be a skactive QueryStrategy"):
        ActiveLearner(strategy=LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match="oracle must be a callable"):
        ActiveLearner(oracle="human").fit(X, y_missing)
    with pytest.raises(TypeError, match="predict_proba"):
        ActiveLearner(UncertaintySampling(LinearSVC(), response_method="predict_proba"),
                      budget=5).fit(X, y)


def test_single_labeled_class_is_a_clear_error(data):
    X, y = data
    y_missing = np.full_like(y, -1)
    y_missing[np.flatnonzero(y == 0)[:3]] = 0
    with pytest.raises(ValueError, match="at least two labeled classes"):
        ActiveLearner(oracle=lambda i: y[i]).fit(X, y_missing)


def test_learner_seeds_unseeded_strategy(data):
    X, y = data
    al = ActiveLearner(QueryByCommittee(n_members=3), budget=10, random_state=5)
    al.fit(X, y)
    assert al.strategy_.random_state is not None
    assert al.strategy is not al.strategy_
    assert al.strategy.random_state is None


def test_verbose_progress_bar(data, capsys):
    X, y = data
    ActiveLearner(batch_size=10, budget=20, verbose=True, random_state=0).fit(X, y)
    assert "active learning" in capsys.readouterr().err


# -- regressions from review ---------------------------------------------------
def test_oracle_string_labels_are_not_truncated():
    X = np.arange(40, dtype=float).reshape(20, 2)
    truth = np.array(["cat", "dog", "horse", "mouse"] * 5)
    y = np.array(["cat", "dog"] + ["?"] * 18)  # dtype <U3: "horse" would not fit
    al = ActiveLearner(RandomSampling(), batch_size=6, budget=18, missing_label="?",
                       oracle=lambda i: truth[i], random_state=0).fit(X, y)
    assert set(al.classes_) == {"cat", "dog", "horse", "mouse"}
    np.testing.assert_array_equal(al.y_labeled_, truth[al.labeled_indices_])


@pytest.mark.parametrize("missing", [np.nan, np.float32("nan")])
def test_object_labels_with_nan_missing(data, missing):
    X, y_true = data
    names = np.array(["a", "b", "c"], dtype=object)[y_true]
    y = names.copy()
    y[6:] = np.nan
    y[:6] = names[[np.flatnonzero(y_true == c)[0] for c in (0, 1, 2, 0, 1, 2)]]
    X = X.copy()
    X[:6] = X[[np.flatnonzero(y_true == c)[0] for c in (0, 1, 2, 0, 1, 2)]]
    al = ActiveLearner(batch_size=5, budget=10, missing_label=missing,
                       oracle=lambda i: names[i], random_state=0).fit(X, y)
    assert set(al.classes_) == {"a", "b", "c"}
    assert len(al.labeled_indices_) == 16


def test_missing_label_type_is_validated(data):
    X, y = data
    with pytest.raises(TypeError, match="missing_label must be None, a number"):
        ActiveLearner(missing_label=[-1]).fit(X, y)


def test_real_minus_one_class_hint(data):
    X, y = data
    y = np.where(y == 0, -1, y)
    with pytest.raises(ValueError, match="missing_label=None"):
        ActiveLearner().fit(X, y)
    ActiveLearner(missing_label=None, budget=5, random_state=0).fit(X, y)


def test_teach_sparse(data):
    import scipy.sparse as sp

    X, y = data
    Xs = sp.csr_matrix(np.abs(X))
    al = ActiveLearner(UncertaintySampling(), budget=10, random_state=0).fit(Xs, y)
    al.teach(Xs[:3], y[:3])
    assert sp.issparse(al.X_labeled_) and al.X_labeled_.shape[0] == 23
    al.teach(np.abs(X[3:5]), y[3:5])
    assert al.X_labeled_.shape[0] == 25


def test_teach_rejects_other_label_type(data):
    X, y = data
    al = ActiveLearner(budget=10, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="same type"):
        al.teach(X[:2], np.array(["a", "b"]))
    assert al.y_labeled_.dtype.kind in "iu"


def test_refit_false_is_rejected_with_frozen_estimator_hint(data):
    from sklearn.frozen import FrozenEstimator

    X, y = data
    lr = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="FrozenEstimator"):
        ActiveLearner(UncertaintySampling(lr, refit=False), budget=5).fit(X, y)
    al = ActiveLearner(UncertaintySampling(FrozenEstimator(lr)), budget=5,
                       random_state=0).fit(X, y)
    np.testing.assert_array_equal(al.estimator_.predict(X), lr.predict(X))


def test_explicit_committee_is_reproducible(data):
    from sklearn.ensemble import RandomForestClassifier

    X, y = data
    qbc = QueryByCommittee(committee=[RandomForestClassifier(n_estimators=5),
                                      RandomForestClassifier(n_estimators=5)])
    a = ActiveLearner(qbc, batch_size=5, budget=15, random_state=0).fit(X, y)
    b = ActiveLearner(qbc, batch_size=5, budget=15, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)
    assert qbc.committee[0].random_state is None  # the user's objects untouched


def test_loop_does_not_depend_on_pool_copying(data):
    # The learner scores rows of X in place; the queries must be those of the
    # strategy on the copied pool.
    X, y = data
    for strategy in [UncertaintySampling(), QueryByCommittee(n_members=3), CoreSet()]:
        s = clone(strategy).set_params(random_state=0).fit(X[:30], y[:30])
        cand = np.arange(30, len(X))
        np.testing.assert_array_equal(s._query_candidates(X, cand, 7),
                                      cand[s.query(X[cand], 7)])


# -- labeled_indices_ and teach(indices=) ----------------------------------------
def _assert_aligned(al, X, y):
    """labeled_indices_ lists, in order, the rows of X_labeled_ / y_labeled_."""
    assert al.labeled_indices_.shape == al.y_labeled_.shape
    np.testing.assert_array_equal(al.X_labeled_, X[al.labeled_indices_])
    np.testing.assert_array_equal(al.y_labeled_, y[al.labeled_indices_])


def test_teach_with_indices_extends_labeled_indices(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), batch_size=5, budget=10,
                       random_state=0).fit(X, y)
    n_fit = al.labeled_indices_.shape[0]
    pool = np.setdiff1d(np.arange(len(X)), al.labeled_indices_)
    rows = pool[al.query(X[pool])]
    al.teach(X[rows], y[rows], indices=rows)
    np.testing.assert_array_equal(al.labeled_indices_[n_fit:], rows)
    _assert_aligned(al, X, y)


def test_stepwise_loop_from_scratch_lists_the_taught_rows(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), batch_size=4, random_state=0)
    start = np.concatenate([np.flatnonzero(y == c)[:2] for c in range(3)])
    al.teach(X[start], y[start], indices=start)
    for _ in range(3):
        pool = np.setdiff1d(np.arange(len(X)), al.labeled_indices_)
        rows = pool[al.query(X[pool])]
        al.teach(X[rows], y[rows], indices=rows)
    assert al.labeled_indices_.shape == (18,)
    _assert_aligned(al, X, y)


def test_teach_without_indices_appends_fresh_ids(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), batch_size=5, budget=10,
                       random_state=0).fit(X[:200], y[:200])
    # After the 200 rows of fit's X, as if appended to the data.
    al.teach(X[200:202], y[200:202])
    np.testing.assert_array_equal(al.labeled_indices_[-2:], [200, 201])
    al.teach(X[[250]], y[[250]], indices=[250])
    al.teach(X[[260]], y[[260]])
    np.testing.assert_array_equal(al.labeled_indices_[-2:], [250, 251])
    assert al.labeled_indices_.shape == al.y_labeled_.shape
    # From scratch: 0, 1, ...
    fresh = ActiveLearner(UncertaintySampling()).teach(X[:9], y[:9])
    np.testing.assert_array_equal(fresh.labeled_indices_, np.arange(9))


@pytest.mark.parametrize("indices, match", [
    ([1, 2, 3], "1-d array of 2 integers"),
    ([[1], [2]], "1-d array of 2 integers"),
    ([1.0, 2.0], "1-d array of 2 integers"),
    ([-1, 290], r"negative entries \[-1\]"),
    ([290, 290], r"repeats rows \[290\]"),
    (["a", "b"], "1-d array of 2 integers"),
])
def test_teach_rejects_bad_indices(data, indices, match):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), budget=10, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=match):
        al.teach(X[:2], y[:2], indices=indices)


def test_teach_refuses_relabeling_and_keeps_state(data):
    X, y = data
    al = ActiveLearner(UncertaintySampling(), budget=10, random_state=0).fit(X, y)
    before = (al.labeled_indices_.copy(), al.X_labeled_.copy(),
              al.y_labeled_.copy(), al.predict(X))
    taken = np.sort(al.labeled_indices_[[0, 3]])
    free = np.setdiff1d(np.arange(len(X)), al.labeled_indices_)[0]
    rows = np.array([taken[1], free, taken[0]])
    msg = (re.escape(f"Rows {taken.tolist()} are already labeled")
           + ".*cannot be taught twice.*correction")
    with pytest.raises(ValueError, match=msg):
        al.teach(X[rows], y[rows], indices=rows)
    with pytest.raises(ValueError, match=rf"repeats rows \[{free}\]"):
        al.teach(X[[free, free]], y[[free, free]], indices=[free, free])
    after = (al.labeled_indices_, al.X_labeled_, al.y_labeled_, al.predict(X))
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, a)
