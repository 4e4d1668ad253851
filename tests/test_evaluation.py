"""Tests of skactive.evaluation: metrics, curves, serialisation and plots."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skactive import (
    CoreSet,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.evaluation import (
    ActiveLearningCurveResult,
    active_learning_curve,
    aubc,
    deficiency,
    plot_learning_curves,
    relative_aubc,
    xi_quality,
)

SETTINGS = dict(batch_size=5, budget=15, initial_size=6, n_repeats=2)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _strategies():
    lr = LogisticRegression(max_iter=200)
    return {
        "random": RandomSampling(lr),
        "margin": UncertaintySampling(lr, measure="margin"),
        "coreset": CoreSet(lr),
    }


@pytest.fixture(scope="module")
def result(iris):
    X, y = iris
    return active_learning_curve(_strategies(), X, y, random_state=0, **SETTINGS)


# -- xi_quality ---------------------------------------------------------------
def test_xi_quality_is_the_mean_over_acquisition_steps():
    assert xi_quality([0.1, 0.5, 0.7, 0.9]) == pytest.approx(0.7)
    # The warm-start point does not count and may be missing.
    assert xi_quality([np.nan, 0.5, 0.7, 0.9]) == pytest.approx(0.7)
    np.testing.assert_allclose(xi_quality([[0.0, 1.0, 1.0], [0.3, 0.2, 0.4]]),
                               [1.0, 0.3])
    # The right Riemann sum is above the trapezoid AUBC of a rising curve.
    assert xi_quality([0.0, 0.5, 1.0]) > aubc([0.0, 0.5, 1.0])


@pytest.mark.parametrize("bad, err", [
    ("abc", TypeError), ([0.4], ValueError), ([[[0.1, 0.2]]], ValueError),
    ([0.1, np.inf], ValueError),
])
def test_xi_quality_rejects_bad_curves(bad, err):
    with pytest.raises(err, match="scores"):
        xi_quality(bad)


# -- aubc -----------------------------------------------------------------------
def test_aubc_constant_curve_is_the_constant():
    assert aubc([0.42] * 7) == pytest.approx(0.42)
    assert aubc([0.42] * 7, n_labeled=[1, 2, 5, 6, 9, 20, 21]) == pytest.approx(0.42)


def test_aubc_linear_curve_is_one_half():
    assert aubc(np.linspace(0, 1, 11)) == pytest.approx(0.5)
    # Linear in n_labeled, with uneven steps: still exactly 1/2.
    n = np.array([10, 15, 30, 31, 60])
    assert aubc((n - 10) / 50, n_labeled=n) == pytest.approx(0.5)


def test_aubc_hand_computed():
    # Trapezoids on x = 0, 1/3, 2/3, 1: (0.5+0.6)/2/3 + (0.6+0.9)/2/3 + (0.9+0.9)/2/3
    expected = (1.1 + 1.5 + 1.8) / 6
    assert aubc([0.5, 0.6, 0.9, 0.9]) == pytest.approx(expected)
    # Uneven steps weight the intervals: x = 0, 0.25, 1.
    assert aubc([0.0, 0.5, 1.0], n_labeled=[10, 20, 50]) == pytest.approx(
        0.25 * 0.25 + 0.75 * 0.75
    )
    assert isinstance(aubc([0.1, 0.2]), float)
    assert aubc([0.3]) == pytest.approx(0.3)


def test_aubc_2d_is_per_row():
    curves = np.array([[0.2, 0.2, 0.2], [0.0, 0.5, 1.0], [1.0, 1.0, 0.0]])
    np.testing.assert_allclose(aubc(curves), [0.2, 0.5, 0.75])
    np.testing.assert_allclose(
        aubc(curves, n_labeled=[0, 1, 2]), [0.2, 0.5, 0.75]
    )


@pytest.mark.parametrize(
    "scores, n_labeled, match",
    [
        ([], None, "empty"),
        (np.zeros((2, 2, 2)), None, "1-D"),
        ([0.1, np.nan], None, "NaN"),
        ([0.1, 0.2], [1, 2, 3], "n_labeled"),
        ([0.1, 0.2, 0.3], [1, 3, 2], "strictly increasing"),
    ],
)
def test_aubc_errors(scores, n_labeled, match):
    with pytest.raises(ValueError, match=match):
        aubc(scores, n_labeled=n_labeled)


def test_aubc_type_error():
    with pytest.raises(TypeError, match="scores"):
        aubc("abc")


# -- relative aubc and deficiency -------------------------------------------------
def test_relative_aubc_values():
    assert relative_aubc(0.9, 0.75) == pytest.approx(0.2)
    assert relative_aubc(0.6, 0.8) == pytest.approx(-0.25)
    np.testing.assert_allclose(relative_aubc([0.5, 1.0], [0.5, 0.8]), [0.0, 0.25])
    with pytest.raises(ValueError, match="aubc_random"):
        relative_aubc(0.5, 0.0)


def test_deficiency_values():
    # sum(1 - s) = 0.4 + 0.2 + 0.1 = 0.7 ; sum(1 - r) = 0.4 + 0.3 + 0.2 = 0.9
    assert deficiency([0.6, 0.8, 0.9], [0.6, 0.7, 0.8], 1.0) == pytest.approx(7 / 9)
    assert deficiency([0.6, 0.7, 0.8], [0.6, 0.7, 0.8], 1.0) == pytest.approx(1.0)
    # Worse than random -> > 1.
    assert deficiency([0.5, 0.6, 0.7], [0.6, 0.7, 0.8], 1.0) > 1
    # Per row with per-row full scores.
    out = deficiency([[0.6, 0.8], [0.5, 0.5]], [[0.6, 0.6], [0.5, 0.7]], [1.0, 0.9])
    np.testing.assert_allclose(out, [0.6 / 0.8, 0.8 / 0.6])
    # Random already at the full score: undefined.
    assert np.isnan(deficiency([0.9, 1.0], [1.0, 1.0], 1.0))


def test_deficiency_errors():
    with pytest.raises(ValueError, match="same shape"):
        deficiency([0.1, 0.2], [0.1, 0.2, 0.3], 1.0)
    with pytest.raises(ValueError, match="full_score"):
        deficiency([[0.1, 0.2]], [[0.1, 0.2]], [1.0, 1.0])
    with pytest.raises(ValueError, match="full_score"):
        deficiency([0.1, 0.2], [0.1, 0.2], [1.0, 1.0])


# -- active_learning_curve ------------------------------------------------------
def test_curve_shapes_and_summaries(result):
    n_steps = SETTINGS["budget"] // SETTINGS["batch_size"] + 1
    np.testing.assert_array_equal(result.n_labeled, [6, 11, 16, 21])
    assert result.strategies == ["random", "margin", "coreset"]
    assert result.reference == "random"
    for name in result.strategies:
        assert result.scores[name].shape == (2, n_steps)
        assert result.aubc[name].shape == (2,)
        np.testing.assert_allclose(
            result.aubc[name], aubc(result.scores[name], result.n_labeled)
        )
        np.testing.assert_array_equal(result.final_score[name],
                                      result.scores[name][:, -1])
        assert result.full_score[name].shape == (2,)
        assert np.all(result.query_time[name] >= 0)
        assert result.labeled_indices[name].shape == (2, 21)
    assert result.relative_aubc["random"] == pytest.approx(0.0)
    assert result.deficiency["random"] == pytest.approx(1.0)
    expected = np.mean(result.aubc["margin"]) / np.mean(result.aubc["random"]) - 1
    assert result.relative_aubc["margin"] == pytest.approx(expected)
    rows = result.summary()
    assert [r["strategy"] for r in rows] == result.strategies
    assert set(rows[0]) >= {"strategy", "aubc_mean", "aubc_std", "aubc_vs_random",
                            "deficiency", "final_score", "sec_per_query"}
    assert rows[1]["aubc_mean"] == pytest.approx(np.mean(result.aubc["margin"]))
    assert "ActiveLearningCurveResult" in repr(result)


def test_curve_is_paired(result):
    """Every strategy starts a repeat from the same initial set; repeats differ."""
    init = SETTINGS["initial_size"]
    first = result.labeled_indices["random"][:, :init]
    for name in result.strategies:
        np.testing.assert_array_equal(result.labeled_indices[name][:, :init], first)
        # The same initial model, hence the same first point.
        np.testing.assert_allclose(result.scores[name][:, 0],
                                   result.scores["random"][:, 0])
    assert not np.array_equal(first[0], first[1])
    # Labeled indices are distinct within each run.
    for name in result.strategies:
        for row in result.labeled_indices[name]:
            assert len(set(row.tolist())) == row.shape[0]


def _comparable(res):
    data = res.to_dict()
    for key in ("query_time", "fit_time"):  # wall-clock, not reproducible
        data.pop(key)
    data.pop("summary")
    return data


def test_curve_is_deterministic(iris, result):
    X, y = iris
    again = active_learning_curve(_strategies(), X, y, random_state=0, **SETTINGS)
    assert _comparable(again) == _comparable(result)
    other = active_learning_curve(_strategies(), X, y, random_state=1, **SETTINGS)
    assert _comparable(other) != _comparable(result)


def test_n_jobs_gives_the_same_result(iris, result):
    X, y = iris
    parallel = active_learning_curve(_strategies(), X, y, random_state=0, n_jobs=2,
                                     **SETTINGS)
    assert _comparable(parallel) == _comparable(result)


def test_fixed_test_set_and_list_names(iris):
    X, y = iris
    strategies = [
        RandomSampling(),
        UncertaintySampling(measure="entropy"),
        UncertaintySampling(measure="margin"),
    ]
    res = active_learning_curve(strategies, X[::2], y[::2], X[1::2], y[1::2],
                                batch_size=10, budget=10, initial_size=5,
                                n_repeats=1, random_state=0)
    assert res.strategies == [
        "RandomSampling",
        "UncertaintySampling(measure='entropy')",
        "UncertaintySampling(measure='margin')",
    ]
    assert res.reference == "RandomSampling"
    np.testing.assert_array_equal(res.n_labeled, [5, 15])
    assert res.params["fixed_test_set"] is True


def test_no_random_baseline(iris):
    X, y = iris
    res = active_learning_curve(UncertaintySampling(), X, y, batch_size=10,
                                budget=10, initial_size=5, n_repeats=1)
    assert res.reference is None
    assert res.relative_aubc is None and res.deficiency is None
    assert res.summary()[0]["aubc_vs_random"] is None
    restored = ActiveLearningCurveResult.from_json(res.to_json())
    assert restored.relative_aubc is None


@pytest.mark.parametrize("labels", [np.array([-1, 1]), np.array(["no", "yes"])])
def test_labels_minus_one_and_strings_are_classes(iris, labels):
    """y is fully labeled: -1 is a class here, not a missing label."""
    X, y = iris
    y2 = labels[(y > 0).astype(int)]
    res = active_learning_curve([RandomSampling(), UncertaintySampling()], X, y2,
                                batch_size=10, budget=20, initial_size=4,
                                n_repeats=1)
    assert res.scores["UncertaintySampling"].shape == (1, 3)


def test_json_is_strict_and_keeps_nan():
    """NaN (an undefined deficiency) is written as null and read back."""
    res = ActiveLearningCurveResult(
        n_labeled=[2, 4], scores={"random": [[1.0, 1.0]], "other": [[0.5, 1.0]]},
        full_score={"random": [1.0], "other": [1.0]},
        query_time={"random": [0.0], "other": [0.0]},
        fit_time={"random": [0.0], "other": [0.0]},
        labeled_indices={"random": [[0, 1, 2, 3]], "other": [[0, 1, 3, 2]]},
        reference="random",
    )
    assert np.isnan(res.deficiency["other"])
    text = res.to_json()
    assert "NaN" not in text
    assert json.loads(text)["summary"][1]["deficiency"] is None
    restored = ActiveLearningCurveResult.from_json(text)
    assert np.isnan(restored.deficiency["other"])
    assert restored.to_json() == text


def test_duplicate_strategies_get_distinct_names(iris):
    X, y = iris
    res = active_learning_curve(
        [QueryByCommittee(n_members=2), QueryByCommittee(n_members=2)], X, y,
        batch_size=10, budget=10, initial_size=5, n_repeats=1,
    )
    assert res.strategies == ["QueryByCommittee#1", "QueryByCommittee#2"]


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(strategies={}), ValueError, "strategies is empty"),
        (dict(strategies=[LogisticRegression()]), TypeError, "QueryStrategy"),
        (dict(strategies="random"), TypeError, "strategies"),
        (dict(strategies={1: RandomSampling()}), TypeError, "keys"),
        (dict(n_repeats=0), ValueError, "n_repeats"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(test_size=1.5), ValueError, "test_size"),
        (dict(X_test=np.zeros((2, 4))), ValueError, "X_test and y_test"),
    ],
)
def test_curve_errors(iris, kwargs, exc, match):
    X, y = iris
    args = dict(strategies=[RandomSampling()], budget=10, n_repeats=1)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        active_learning_curve(args.pop("strategies"), X, y, **args)


def test_verbose_progress_bar(iris, capsys):
    X, y = iris
    active_learning_curve([RandomSampling()], X, y, batch_size=10, budget=10,
                          initial_size=5, n_repeats=1, verbose=True)
    assert "strategy runs" in capsys.readouterr().err


def test_progress_bar_counts_strategy_runs_only(iris, capsys):
    # 2 strategies x 3 repeats: 6 runs; the full-data reference fits (one
    # per repeat and classifier) are not counted.
    X, y = iris
    active_learning_curve([RandomSampling(), UncertaintySampling()], X, y,
                          batch_size=10, budget=10, initial_size=5, n_repeats=3,
                          verbose=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "9/9" not in err


# -- serialisation -----------------------------------------------------------------
def test_json_round_trip(result, tmp_path):
    text = result.to_json()
    assert isinstance(text, str)
    data = json.loads(text)
    assert data["strategies"] == result.strategies
    restored = ActiveLearningCurveResult.from_json(text)
    assert restored.to_dict() == result.to_dict()
    np.testing.assert_array_equal(restored.n_labeled, result.n_labeled)
    for name in result.strategies:
        np.testing.assert_array_equal(restored.scores[name], result.scores[name])
        np.testing.assert_array_equal(restored.aubc[name], result.aubc[name])
        np.testing.assert_array_equal(restored.query_time[name],
                                      result.query_time[name])
        assert restored.deficiency[name] == result.deficiency[name]
    assert restored.summary() == result.summary()

    path = tmp_path / "curves.json"
    assert result.to_json(path) is None
    for source in (path, str(path)):
        assert ActiveLearningCurveResult.from_json(source).to_dict() == result.to_dict()


def test_from_json_rejects_other_data():
    with pytest.raises(ValueError, match="format"):
        ActiveLearningCurveResult.from_json('{"a": 1}')
    with pytest.raises(TypeError, match="path_or_str"):
        ActiveLearningCurveResult.from_json(3)


# -- plotting -------------------------------------------------------------------------
def test_plot_returns_axes(result):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    ax = plot_learning_curves(result, title="iris")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "iris"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and labels[0].startswith("random (AUBC")
    assert len(ax.lines) == 3 and len(ax.collections) == 3  # curves and bands
    _, ax2 = plt.subplots()
    assert result.plot(ax=ax2) is ax2
    plt.close("all")


def test_plot_without_matplotlib(result, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skactive\[plot\]"):
        plot_learning_curves(result)


def test_plot_type_error():
    with pytest.raises(TypeError, match="result"):
        plot_learning_curves([0.1, 0.2])


def test_full_score_uses_the_strategys_own_default_classifier():
    # Deep strategies default to a network, not LogisticRegression: the
    # full-data reference behind deficiency must be that classifier.
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from skactive import RandomSampling, active_learning_curve

    class TreeByDefault(RandomSampling):
        def _get_estimator(self):
            if self.estimator is None:
                return DecisionTreeClassifier(max_depth=1, random_state=0)
            return self.estimator

    X, y = load_iris(return_X_y=True)
    res = active_learning_curve({"tree": TreeByDefault()}, X[::2], y[::2],
                                X[1::2], y[1::2], batch_size=5, budget=10,
                                initial_size=3, n_repeats=1, random_state=0)
    stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X[::2], y[::2])
    np.testing.assert_allclose(np.ravel(res.full_score["tree"]),
                               stump.score(X[1::2], y[1::2]))


# -- cache_dir: resuming an interrupted run --------------------------------------
CACHE_SETTINGS = dict(batch_size=5, budget=10, initial_size=6, n_repeats=2,
                      random_state=0)


def _cache_strategies():
    lr = LogisticRegression(max_iter=200)
    return [RandomSampling(lr), UncertaintySampling(lr)]


@pytest.fixture
def counted_runs(monkeypatch):
    """Counts the strategy runs computed; ``fail_at`` interrupts the n-th."""
    from skactive.evaluation import _curves

    state = {"calls": 0, "fail_at": None, "error": KeyboardInterrupt}
    run = _curves._run_strategy

    def counting(*args, **kwargs):
        state["calls"] += 1
        if state["calls"] == state["fail_at"]:
            raise state["error"]()
        return run(*args, **kwargs)

    monkeypatch.setattr(_curves, "_run_strategy", counting)
    return state


def _assert_same_result(a, b):
    assert a.strategies == b.strategies
    np.testing.assert_array_equal(a.n_labeled, b.n_labeled)
    for name in a.strategies:
        np.testing.assert_array_equal(a.scores[name], b.scores[name])
        np.testing.assert_array_equal(a.full_score[name], b.full_score[name])
        np.testing.assert_array_equal(a.labeled_indices[name],
                                      b.labeled_indices[name])
    assert a.summary()[1]["deficiency"] == b.summary()[1]["deficiency"]


def test_interrupted_curve_resumes_from_the_cache(iris, tmp_path, counted_runs):
    X, y = iris
    reference = active_learning_curve(_cache_strategies(), X, y, **CACHE_SETTINGS)
    counted_runs.update(calls=0, fail_at=3)
    with pytest.warns(UserWarning, match=(
            "2 of 4 strategy runs finished and are cached in .*same arguments "
            "and cache_dir to resume")):
        with pytest.raises(KeyboardInterrupt):
            active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                                  **CACHE_SETTINGS)
    counted_runs.update(calls=0, fail_at=None)
    resumed = active_learning_curve(_cache_strategies(), X, y,
                                    cache_dir=tmp_path, **CACHE_SETTINGS)
    assert counted_runs["calls"] == 2  # only the runs that had not finished
    _assert_same_result(resumed, reference)
    # Everything cached now: nothing is recomputed, and no temp file is left.
    counted_runs["calls"] = 0
    again = active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                                  **CACHE_SETTINGS)
    assert counted_runs["calls"] == 0
    _assert_same_result(again, reference)
    assert not list(tmp_path.rglob("*.tmp"))


def test_failed_curve_keeps_finished_runs(iris, tmp_path, counted_runs):
    X, y = iris
    counted_runs.update(fail_at=2, error=RuntimeError)
    with pytest.warns(UserWarning, match="1 of 4 strategy runs finished"):
        with pytest.raises(RuntimeError):
            active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                                  **CACHE_SETTINGS)
    counted_runs.update(calls=0, fail_at=None)
    active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                          **CACHE_SETTINGS)
    assert counted_runs["calls"] == 3


def test_interrupt_without_cache_says_how_to_keep_runs(iris, counted_runs):
    X, y = iris
    counted_runs["fail_at"] = 4
    with pytest.warns(UserWarning, match="after 3 of 4 strategy runs.*cache_dir="):
        with pytest.raises(KeyboardInterrupt):
            active_learning_curve(_cache_strategies(), X, y, **CACHE_SETTINGS)


def test_cache_reruns_what_changed_and_reuses_repeats(iris, tmp_path, counted_runs):
    X, y = iris
    active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                          **CACHE_SETTINGS)
    assert counted_runs["calls"] == 4
    # More repeats: the first two are the same runs (same seeds).
    counted_runs["calls"] = 0
    more = dict(CACHE_SETTINGS, n_repeats=3)
    three = active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                                  **more)
    assert counted_runs["calls"] == 2
    _assert_same_result(three, active_learning_curve(_cache_strategies(), X, y,
                                                     **more))
    # Another budget, other data or another strategy parameter: new runs.
    for kwargs, X_, strategies in [
        (dict(CACHE_SETTINGS, budget=15), X, _cache_strategies()),
        (CACHE_SETTINGS, X + 1.0, _cache_strategies()),
        (CACHE_SETTINGS, X, [RandomSampling(LogisticRegression(C=0.5)),
                             UncertaintySampling(LogisticRegression())]),
    ]:
        counted_runs["calls"] = 0
        active_learning_curve(strategies, X_, y, cache_dir=tmp_path, **kwargs)
        assert counted_runs["calls"] == 4


def test_cache_with_parallel_jobs(iris, tmp_path):
    X, y = iris
    parallel = active_learning_curve(_cache_strategies(), X, y, n_jobs=2,
                                     cache_dir=tmp_path, **CACHE_SETTINGS)
    assert len(list(tmp_path.rglob("*.pkl"))) == 4 + 2  # runs + reference fits
    loaded = active_learning_curve(_cache_strategies(), X, y, cache_dir=tmp_path,
                                   **CACHE_SETTINGS)
    _assert_same_result(loaded, parallel)


def test_cache_needs_hashable_parameters(iris, tmp_path):
    from skactive import IDMR

    X, y = iris
    with pytest.raises(TypeError, match="module level"):
        active_learning_curve([IDMR(binner=lambda X: (X[:, 0] > 0).astype(int))],
                              X, y, cache_dir=tmp_path, **CACHE_SETTINGS)


# -- what deficiency means, where it is shown -------------------------------------
def test_deficiency_is_defined_where_it_is_shown():
    for doc in (ActiveLearningCurveResult.__doc__,
                ActiveLearningCurveResult.summary.__doc__):
        assert "Below 1" in doc and "lower is better" in doc
        assert "negative" in doc and "full-data score" in doc
    assert "negative exactly when" in deficiency.__doc__


def test_json_defines_every_summary_number(iris):
    """A reader of the JSON sees what each summary number means, deficiency included."""
    from skactive.evaluation._curves import SUMMARY_DEFINITIONS

    X, y = iris
    result = active_learning_curve(
        {"random": RandomSampling(), "margin": UncertaintySampling(measure="margin")},
        X, y, batch_size=5, budget=10, initial_size=6, n_repeats=1)
    data = json.loads(result.to_json())
    assert set(data["summary_definitions"]) == set(data["summary"][0]) - {"strategy"}
    assert "negative" in data["summary_definitions"]["deficiency"]
    assert data["summary_definitions"] == SUMMARY_DEFINITIONS
    # Still read back.
    ActiveLearningCurveResult.from_json(result.to_json())


def test_fully_cached_parallel_curve_starts_no_workers(iris, tmp_path, recwarn):
    """A rerun that finds every run cached warns nothing (no workers to cancel)."""
    X, y = iris
    kwargs = dict(batch_size=5, budget=10, initial_size=6, n_repeats=2, n_jobs=2,
                  cache_dir=tmp_path)
    first = active_learning_curve(_cache_strategies(), X, y, **kwargs)
    recwarn.clear()
    again = active_learning_curve(_cache_strategies(), X, y, **kwargs)
    assert not [str(w.message) for w in recwarn]
    _assert_same_result(again, first)
