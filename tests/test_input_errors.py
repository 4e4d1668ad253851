"""A practitioner's first mistakes get messages that name the fix."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from skactive import (
    BADGE,
    ActiveLearner,
    CoreSet,
    DensityWeighted,
    DiversitySampling,
    ExpectedErrorReduction,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.base import check_classification_labels
from skactive.evaluation import active_learning_curve

STRATEGY_CLASSES = [UncertaintySampling, RandomSampling, QueryByCommittee,
                    CoreSet, BADGE, DiversitySampling, DensityWeighted,
                    ExpectedErrorReduction]


@pytest.fixture(scope="module")
def data():
    return make_classification(120, 4, random_state=0)


@pytest.fixture(scope="module")
def docs():
    words = {0: ["good", "great", "fine", "superb"],
             1: ["bad", "awful", "poor", "dull"]}
    rng = np.random.RandomState(0)
    y = np.array([0, 1] * 30)
    texts = [" ".join(rng.choice(words[c], 3)) + " movie" for c in y]
    return texts, y


def text_pipeline():
    return make_pipeline(TfidfVectorizer(), LogisticRegression())


# -- a regressor as the estimator --------------------------------------------------
@pytest.mark.parametrize("cls", STRATEGY_CLASSES, ids=lambda c: c.__name__)
def test_every_strategy_refuses_a_regressor(data, cls):
    X, y = data
    with pytest.raises(TypeError, match="needs a classifier, but estimator=Ridge "
                                        "is a regressor"):
        cls(Ridge()).fit(X, y)


def test_learner_refuses_a_regressor_by_name(data):
    X, y = data
    for strategy in (UncertaintySampling(Ridge()), RandomSampling(SVR())):
        with pytest.raises(TypeError, match="is a regressor.*Use a classifier"):
            ActiveLearner(strategy, budget=10).fit(X, y)
    with pytest.raises(TypeError, match="Pipeline ending in Ridge"):
        ActiveLearner(RandomSampling(make_pipeline(StandardScaler(), Ridge())),
                      budget=10).fit(X, y)


def test_curve_refuses_a_regressor_before_running(data):
    X, y = data
    with pytest.raises(TypeError, match=r"strategies\['RandomSampling'\].*Ridge"):
        active_learning_curve([RandomSampling(Ridge())], X, y, budget=10,
                              n_repeats=1)


def test_classifiers_in_disguise_pass(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    assert UncertaintySampling(pipe).fit(X, y).query(X).shape == (1,)
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    UncertaintySampling(frozen, refit=False).fit(X, y)


def test_a_network_classifier_passes(data):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skactive.nets import make_mlp

    X, y = data
    net = make_mlp((4,), max_epochs=1, random_state=0)
    s = UncertaintySampling(net).fit(X.astype(np.float32), y)
    assert s.query(X.astype(np.float32)).shape == (1,)


# -- raw text ------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", [UncertaintySampling(), RandomSampling(),
                                      QueryByCommittee(n_members=3)],
                         ids=lambda s: type(s).__name__)
def test_raw_documents_pass_through_to_a_text_pipeline(docs, strategy):
    texts, y = docs
    strategy = strategy.set_params(estimator=text_pipeline())
    al = ActiveLearner(strategy, batch_size=4, budget=8, initial_size=4,
                       random_state=0).fit(texts, y)
    assert al.X_labeled_.shape == (12,)
    assert list(al.X_labeled_) == [texts[i] for i in al.labeled_indices_]
    assert al.predict(["good great movie", "awful dull movie"]).tolist() == [0, 1]
    idx = al.query(texts)
    al.teach([texts[i] for i in idx], y[idx], indices=idx)
    assert al.X_labeled_.shape == (16,)
    # A strategy alone, on a plain list.
    s = strategy.fit(texts[:10], y[:10])
    assert s.query(texts[10:], batch_size=3).shape == (3,)


def test_committee_members_must_read_the_documents_too(docs):
    texts, y = docs
    mixed = QueryByCommittee(text_pipeline(), committee=[text_pipeline(),
                                                         LogisticRegression()])
    with pytest.raises(ValueError, match="raw documents.*estimator="
                                         "LogisticRegression needs numeric"):
        ActiveLearner(mixed, batch_size=4, budget=8, initial_size=4,
                      random_state=0).fit(texts, y)
    readers = QueryByCommittee(text_pipeline(), committee=[text_pipeline(),
                                                           text_pipeline()])
    al = ActiveLearner(readers, batch_size=4, budget=8, initial_size=4,
                       random_state=0).fit(texts, y)
    assert al.labeled_indices_.shape == (12,)


def test_raw_documents_in_a_curve(docs):
    texts, y = docs
    result = active_learning_curve(
        [RandomSampling(text_pipeline()), UncertaintySampling(text_pipeline())],
        texts, y, batch_size=4, budget=8, initial_size=4, n_repeats=2)
    assert result.scores["UncertaintySampling"].shape == (2, 3)


@pytest.mark.parametrize("strategy", [CoreSet(), BADGE(), DiversitySampling(),
                                      DensityWeighted()],
                         ids=lambda s: type(s).__name__)
def test_feature_strategies_say_how_to_use_text(docs, strategy):
    texts, y = docs
    strategy = strategy.set_params(estimator=text_pipeline())
    msg = (f"raw documents.*{type(strategy).__name__} computes on numeric feature "
           "vectors.*TfidfVectorizer.*UncertaintySampling")
    with pytest.raises(ValueError, match=msg):
        strategy.fit(texts, y)
    with pytest.raises(ValueError, match=msg):
        ActiveLearner(strategy, budget=4).fit(texts, y)


def test_text_for_a_numeric_classifier_names_the_vectorizer(docs):
    texts, y = docs
    msg = r"raw documents.*LogisticRegression needs numeric.*make_pipeline\(Tfidf"
    with pytest.raises(ValueError, match=msg):
        UncertaintySampling().fit(texts, y)
    with pytest.raises(ValueError, match=msg):
        ActiveLearner(budget=4).fit(texts, y)


def test_string_columns_get_a_hint(data):
    X, y = data
    X_str = X.astype(object)
    X_str[:, 0] = "red"
    with pytest.raises(ValueError, match="holds strings.*OneHotEncoder"):
        UncertaintySampling().fit(X_str, y)


# -- labels ----------------------------------------------------------------------------
def test_none_among_string_labels(data):
    X, _ = data
    y = np.array(["cat", "dog"] * 60, dtype=object)
    y_missing = y.copy()
    y_missing[10:] = None
    for missing_label in (None, -1):
        with pytest.raises(ValueError, match="110 NaN or None labels.*"
                                             r"missing_label=np.nan"):
            ActiveLearner(missing_label=missing_label, budget=5).fit(X, y_missing)
    # As the message says: NaN marks None too, as in pandas.
    al = ActiveLearner(missing_label=np.nan, budget=5, initial_size=4,
                       oracle=lambda idx: y[idx], random_state=0)
    al.fit(X, y_missing)
    assert set(al.y_labeled_) == {"cat", "dog"}
    assert al.y_labeled_.shape == (15,)


def test_mixed_label_types_are_named(data):
    X, _ = data
    y = np.array([1, "b"] * 60, dtype=object)
    with pytest.raises(ValueError, match=r"mixes label types \['int', 'str'\]"):
        UncertaintySampling().fit(X, y)


def test_nan_labels_with_the_default_marker(data):
    X, y = data
    y = y.astype(float)
    y[20:] = np.nan
    with pytest.raises(ValueError, match=r"100 NaN or None labels, but "
                                         r"missing_label=-1.*missing_label=np.nan"):
        ActiveLearner(budget=5, oracle=lambda idx: y[idx]).fit(X, y)
    with pytest.raises(ValueError, match=r"y_new contains 1 NaN"):
        ActiveLearner().teach(X[:3], np.array([0.0, 1.0, np.nan]))


@pytest.mark.parametrize("target", ["continuous", "whole_floats"])
def test_regression_targets_are_refused_not_warned(data, target):
    X, _ = data
    rng = np.random.RandomState(0)
    y = rng.randn(120) if target == "continuous" else rng.randint(0, 500, 120) * 1.0
    msg = "regression target"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=msg):
            ActiveLearner(budget=5, missing_label=None).fit(X, y)
        with pytest.raises(ValueError, match=msg):
            # Before the stratified split, which would fail on its own terms.
            active_learning_curve([RandomSampling()], X, y, budget=5, n_repeats=1)
        if target == "continuous":
            # A labeled subset is only refused when it is not whole numbers:
            # one sample per class is normal there.
            with pytest.raises(ValueError, match=msg):
                UncertaintySampling().fit(X, y)
            with pytest.raises(ValueError, match=msg):
                ActiveLearner().teach(X, y)


def test_one_sample_per_float_class_is_a_labeled_set_not_a_regression(data):
    # A stratified initial set of a 30-class problem with float class ids.
    X, _ = data
    y = np.repeat(np.arange(30.0), 4)
    al = ActiveLearner(budget=5, initial_size=30, missing_label=None,
                       random_state=0).fit(X, y)
    assert al.classes_.shape[0] == 30


def test_whole_float_class_ids_still_work(data):
    X, y = data
    al = ActiveLearner(budget=5, random_state=0).fit(X, y.astype(float))
    assert set(al.classes_) == {0.0, 1.0}


def test_oracle_returning_regression_values(data):
    X, y = data
    y_start = np.where(np.arange(120) < 20, y, -1)
    with pytest.raises(ValueError, match="oracle.*regression target"):
        ActiveLearner(budget=5, oracle=lambda idx: idx + 0.5).fit(X, y_start)


def test_check_classification_labels_keeps_sklearns_prefix():
    # sklearn's estimator checks look for it.
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        check_classification_labels(np.array([0.1, 0.7, 1.3]))


@pytest.mark.parametrize("by", ["name", "dtype"])
def test_column_selection_by_name_is_refused_at_fit(by):
    """A ColumnTransformer selecting by name would fail at the first query."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True, as_frame=True)
    assert isinstance(X, pd.DataFrame)
    columns = (["sepal length (cm)", "petal length (cm)"] if by == "name"
               else make_column_selector(dtype_include="number"))
    clf = make_pipeline(make_column_transformer((StandardScaler(), columns)),
                        LogisticRegression())
    with pytest.raises(ValueError, match="by position instead"):
        ActiveLearner(UncertaintySampling(clf), budget=4, batch_size=2,
                      random_state=0).fit(X, y)
    # By position it works; random sampling never scores the pool.
    by_position = make_pipeline(make_column_transformer((StandardScaler(), [0, 2])),
                                LogisticRegression())
    ActiveLearner(UncertaintySampling(by_position), budget=4, batch_size=2,
                  random_state=0).fit(X, y)
    ActiveLearner(RandomSampling(clf), budget=4, batch_size=2,
                  random_state=0).fit(X, y)
