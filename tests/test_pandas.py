"""DataFrames in, column names kept: no spurious feature-name warnings."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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
from skactive.evaluation import active_learning_curve

pd = pytest.importorskip("pandas")

COLUMNS = ["age", "income", "height", "weight", "score"]

STRATEGIES = [
    UncertaintySampling(),
    RandomSampling(),
    QueryByCommittee(n_members=3),
    CoreSet(),
    CoreSet(make_pipeline(StandardScaler(), LogisticRegression())),
    BADGE(),
    DensityWeighted(),
    DiversitySampling(),
    ExpectedErrorReduction(n_candidates=5, n_eval=20),
]


@pytest.fixture(scope="module")
def frame():
    X, y = make_classification(150, 5, n_informative=3, n_classes=3,
                               random_state=0)
    return pd.DataFrame(X, columns=COLUMNS), y


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _names(estimator):
    return list(estimator.feature_names_in_)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: repr(s)[:40])
def test_learner_keeps_column_names(frame, strategy, no_warnings):
    df, y = frame
    al = ActiveLearner(strategy, batch_size=5, budget=10, random_state=0)
    al.fit(df, y)
    assert _names(al) == COLUMNS
    assert _names(al.strategy_) == COLUMNS
    assert _names(al.estimator_) == COLUMNS
    assert al.query(df).shape == (5,)
    assert al.predict(df).shape == (150,)
    al.predict_proba(df.iloc[:3])
    al.teach(df.iloc[[0, 1]], y[[0, 1]])
    assert _names(al.estimator_) == COLUMNS
    al.query(df.iloc[50:])


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: repr(s)[:40])
def test_strategy_keeps_column_names(frame, strategy, no_warnings):
    df, y = frame
    s = strategy.set_params(random_state=0).fit(df.iloc[:30], y[:30])
    assert _names(s) == COLUMNS
    assert _names(s.estimator_) == COLUMNS
    assert s.query(df.iloc[30:], batch_size=3).shape == (3,)
    if hasattr(s, "score_samples"):
        assert s.score_samples(df.iloc[30:]).shape == (120,)


def test_teach_from_scratch_with_a_dataframe(frame, no_warnings):
    df, y = frame
    al = ActiveLearner(UncertaintySampling(), batch_size=4, random_state=0)
    al.teach(df.iloc[:30], y[:30])
    assert _names(al.estimator_) == COLUMNS
    idx = al.query(df.iloc[30:])
    al.teach(df.iloc[30 + idx], y[30 + idx])
    assert al.predict(df).shape == (150,)


def test_dataframe_gives_the_numpy_result(frame):
    df, y = frame
    kwargs = dict(batch_size=5, budget=15, random_state=0)
    a = ActiveLearner(UncertaintySampling(), **kwargs).fit(df, y)
    b = ActiveLearner(UncertaintySampling(), **kwargs).fit(df.to_numpy(), y)
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)
    np.testing.assert_array_equal(a.predict(df), b.predict(df.to_numpy()))
    assert not hasattr(b.estimator_, "feature_names_in_")


def test_dataframe_rows_are_taken_by_position(frame, no_warnings):
    # A shuffled, non-default index must not change which rows are used.
    df, y = frame
    shuffled = df.set_index(np.random.RandomState(0).permutation(150) + 1000)
    kwargs = dict(batch_size=5, budget=15, random_state=0)
    a = ActiveLearner(UncertaintySampling(), **kwargs).fit(df, y)
    b = ActiveLearner(UncertaintySampling(), **kwargs).fit(shuffled, y)
    np.testing.assert_array_equal(a.labeled_indices_, b.labeled_indices_)


def test_numpy_after_a_dataframe_warns_once_like_sklearn(frame):
    # The mismatch is the user's: sklearn warns, and so do we, once.
    df, y = frame
    al = ActiveLearner(UncertaintySampling(), batch_size=5, budget=10,
                       random_state=0).fit(df, y)
    for method in (al.query, al.predict):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            method(df.to_numpy())
        messages = [str(w.message) for w in record]
        assert len(messages) == 1, messages
        assert "does not have valid feature names" in messages[0]


def test_curve_on_a_dataframe_warns_nothing(frame, no_warnings):
    df, y = frame
    strategies = [RandomSampling(), UncertaintySampling(), CoreSet()]
    result = active_learning_curve(strategies, df, y, batch_size=5, budget=10,
                                   initial_size=5, n_repeats=2)
    reference = active_learning_curve(strategies, df.to_numpy(), y,
                                      batch_size=5, budget=10, initial_size=5,
                                      n_repeats=2)
    for name in result.strategies:
        np.testing.assert_allclose(result.scores[name], reference.scores[name])


def test_curve_with_a_dataframe_test_set_warns_nothing(frame, no_warnings):
    df, y = frame
    result = active_learning_curve(
        [RandomSampling(), QueryByCommittee(n_members=3)], df.iloc[:100],
        y[:100], df.iloc[100:], y[100:], batch_size=5, budget=10,
        initial_size=5, n_repeats=2)
    assert result.scores["RandomSampling"].shape == (2, 3)


def test_idmr_on_a_dataframe_warns_nothing(frame, no_warnings):
    from skactive import IDMR

    df, y = frame
    al = ActiveLearner(IDMR(random_state=0), batch_size=5, budget=10,
                       random_state=0).fit(df, y)
    al.query(df)
    al.predict(df)


def test_networks_keep_getting_arrays(frame):
    # skorch reads a DataFrame as a dict of columns: networks get arrays.
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skactive import MCDropout
    from skactive.nets import make_mlp

    df, y = frame
    df = df.astype(np.float32)
    for strategy in (UncertaintySampling(make_mlp((8,), max_epochs=2)),
                     MCDropout(make_mlp((8,), max_epochs=2), n_samples=3)):
        al = ActiveLearner(strategy, batch_size=5, budget=10,
                           random_state=0).fit(df, y)
        assert _names(al) == COLUMNS
        assert al.query(df).shape == (5,)
        assert al.predict(df).shape == (150,)


def test_array_eval_set_after_a_dataframe_warns_nothing(frame, no_warnings):
    """An array test set beside a DataFrame pool gets the column names."""
    df, y = frame
    learner = ActiveLearner(UncertaintySampling(), batch_size=5, budget=10,
                            initial_size=5, random_state=0,
                            eval_set=(df.to_numpy()[100:], y[100:])).fit(
                                df.iloc[:100], y[:100])
    assert all(h["score"] is not None for h in learner.history_)
    result = active_learning_curve(
        [RandomSampling()], df.iloc[:100], y[:100], df.to_numpy()[100:], y[100:],
        batch_size=5, budget=10, initial_size=5, n_repeats=1)
    assert result.scores["RandomSampling"].shape == (1, 3)


def test_pandas_na_marks_missing_labels(frame):
    df, y = frame
    labels = pd.Series(y.astype(str), dtype="string")
    partial = labels.mask(np.arange(len(y)) % 5 != 0)  # pd.NA where unlabeled
    learner = ActiveLearner(
        UncertaintySampling(), batch_size=5, budget=10, missing_label=np.nan,
        oracle=lambda idx: labels.to_numpy()[idx], random_state=0).fit(df, partial)
    assert learner.y_labeled_.shape == (40,)
    assert set(learner.y_labeled_) <= {"0", "1", "2"}


def test_network_curve_on_a_dataframe_matches_the_array():
    """The reference fit and the eval set give a network arrays, as the loop does."""
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skactive import MCDropout
    from skactive.nets import make_mlp

    X, y = make_classification(120, 5, n_informative=3, n_classes=3, random_state=0)
    X = X.astype(np.float32)
    df = pd.DataFrame(X, columns=COLUMNS)
    net = make_mlp((16,), max_epochs=3, random_state=0)
    kwargs = dict(batch_size=5, budget=10, initial_size=5, n_repeats=1)
    on_frame = active_learning_curve([MCDropout(net)], df, y, **kwargs)
    on_array = active_learning_curve([MCDropout(net)], X, y, **kwargs)
    np.testing.assert_array_equal(on_frame.scores["MCDropout"],
                                  on_array.scores["MCDropout"])
    np.testing.assert_array_equal(on_frame.full_score["MCDropout"],
                                  on_array.full_score["MCDropout"])
