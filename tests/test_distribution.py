"""Distribution of the acquired labeled set over time (Zhou et al. 2021, Sec. 6.4)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearner, RandomSampling, UncertaintySampling
from skactive.evaluation import (
    DistributionOverTime,
    acquisition_distribution,
    category_proportions,
    distribution_distance,
    learner_distribution,
    plot_acquisition_distribution,
)

# Acquisition order of a made-up run; steps after 2, 5 and 8 labels.
VALUES = [2, 0, 0, 1, 2, 2, 1, 0]
STEPS = [2, 5, 8]
COUNTS = [[1, 0, 1], [2, 1, 2], [3, 2, 3]]


# -- acquisition_distribution ---------------------------------------------------
def test_hand_computed_counts_and_proportions():
    dist = acquisition_distribution(VALUES, STEPS)
    assert isinstance(dist, DistributionOverTime)
    np.testing.assert_array_equal(dist.categories, [0, 1, 2])
    np.testing.assert_array_equal(dist.n_labeled, STEPS)
    np.testing.assert_array_equal(dist.counts, COUNTS)
    np.testing.assert_allclose(
        dist.proportions,
        [[0.5, 0.0, 0.5], [0.4, 0.2, 0.4], [0.375, 0.25, 0.375]],
    )
    np.testing.assert_allclose(dist.proportions.sum(axis=1), 1.0)
    assert repr(dist) == "DistributionOverTime(n_steps=3, categories=[0, 1, 2])"


def test_prefix_may_stop_before_the_end():
    dist = acquisition_distribution(VALUES, [1, 3])
    np.testing.assert_array_equal(dist.counts, [[0, 0, 1], [2, 0, 1]])


def test_given_categories_keep_their_order_and_add_zero_columns():
    dist = acquisition_distribution(VALUES, STEPS, categories=[2, 1, 7, 0])
    np.testing.assert_array_equal(dist.categories, [2, 1, 7, 0])
    expected = np.array(COUNTS)[:, [2, 1, 0]]
    np.testing.assert_array_equal(dist.counts[:, [0, 1, 3]], expected)
    np.testing.assert_array_equal(dist.counts[:, 2], 0)
    np.testing.assert_array_equal(dist.proportions[:, 2], 0.0)


def test_string_categories():
    dist = acquisition_distribution(["dog", "cat", "cat", "dog"], [2, 4],
                                    categories=["cat", "dog", "bird"])
    np.testing.assert_array_equal(dist.counts, [[1, 1, 0], [2, 2, 0]])


def test_every_prefix_by_default_matches_a_naive_count():
    rng = np.random.default_rng(0)
    values = rng.integers(0, 5, size=60)
    dist = acquisition_distribution(values, categories=np.arange(6))
    np.testing.assert_array_equal(dist.n_labeled, np.arange(1, 61))
    naive = np.array([np.bincount(values[:k], minlength=6) for k in range(1, 61)])
    np.testing.assert_array_equal(dist.counts, naive)


def test_category_proportions():
    np.testing.assert_allclose(
        category_proportions([1, 1, 0, 1], categories=[0, 1, 2]), [0.25, 0.75, 0]
    )
    np.testing.assert_allclose(category_proportions(["b", "a"]), [0.5, 0.5])


@pytest.mark.parametrize(
    "values, n_labeled, categories, exc, match",
    [
        (VALUES, [2, 5, 9], None, ValueError, "exceeds len"),
        (VALUES, [5, 2], None, ValueError, "strictly increasing"),
        (VALUES, [2, 2], None, ValueError, "strictly increasing"),
        (VALUES, [0, 2], None, ValueError, ">= 1"),
        (VALUES, [], None, ValueError, "non-empty"),
        (VALUES, [1.5, 3], None, TypeError, "integers"),
        (VALUES, 5, None, TypeError, "n_labeled"),
        (VALUES, STEPS, [0, 1], ValueError, r"not in categories, e.g. \[2\]"),
        (VALUES, STEPS, ["a", "b"], ValueError, "not in categories"),
        (VALUES, STEPS, [0, 1, 1, 2], ValueError, "duplicates"),
        (VALUES, STEPS, [], ValueError, "categories is empty"),
        ([[0, 1], [1, 0]], [1], None, ValueError, "1-D"),
        ([0.0, np.nan, 1.0], [1], None, ValueError, "NaN"),
        ("abc", [1], None, TypeError, "values"),
        ([], None, None, ValueError, "empty"),
    ],
)
def test_acquisition_distribution_errors(values, n_labeled, categories, exc, match):
    with pytest.raises(exc, match=match):
        acquisition_distribution(values, n_labeled, categories=categories)


def test_result_checks_consistency():
    with pytest.raises(ValueError, match="shape"):
        DistributionOverTime([[1, 1]], [0, 1, 2], [2])
    with pytest.raises(ValueError, match="n_labeled"):
        DistributionOverTime([[1, 1]], [0, 1], [3])


# -- distribution_distance -------------------------------------------------------
@pytest.mark.parametrize("metric", ["tv", "l1", "kl", "max_deficit"])
def test_identical_distributions_are_at_distance_zero(metric):
    dist = acquisition_distribution(VALUES, STEPS)
    d = distribution_distance(dist, dist.proportions, metric=metric)
    assert d.shape == (3,)
    np.testing.assert_allclose(d, 0.0, atol=1e-12)
    # Counts and proportions of the same distribution are the same reference.
    assert distribution_distance([1, 3], [2, 6], metric=metric) == pytest.approx(
        0.0, abs=1e-12
    )


def test_known_distances():
    p, q = [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]
    assert distribution_distance(p, q) == pytest.approx(0.5)
    assert distribution_distance(p, q, metric="l1") == pytest.approx(1.0)
    assert distribution_distance(p, q, metric="max_deficit") == pytest.approx(0.5)
    assert distribution_distance(p, q, metric="kl") == pytest.approx(np.log(2),
                                                                     rel=1e-4)
    # Per step against one reference (given as counts).
    dist = acquisition_distribution(VALUES, STEPS)
    np.testing.assert_allclose(dist.distance([1, 1, 1]),
                               [1 / 3, 2 / 15, 1 / 12], rtol=1e-12)


def test_kl_is_finite_when_the_reference_misses_a_category():
    d = distribution_distance([0.5, 0.5], [1.0, 0.0], metric="kl")
    assert np.isfinite(d) and d > 1.0
    rough = distribution_distance([0.5, 0.5], [1.0, 0.0], metric="kl",
                                  smoothing=0.1)
    assert 0 < rough < d


def test_two_dimensional_reference_is_per_step():
    dist = acquisition_distribution(VALUES, STEPS)
    other = acquisition_distribution([0, 0, 2, 1, 1, 2, 2, 0], STEPS)
    d = distribution_distance(dist, other.proportions)
    expected = 0.5 * np.abs(dist.proportions - other.proportions).sum(axis=1)
    np.testing.assert_allclose(d, expected)
    np.testing.assert_allclose(distribution_distance(dist, other), d)
    with pytest.raises(ValueError, match="same categories"):
        distribution_distance(dist, acquisition_distribution(VALUES, STEPS,
                                                             categories=[2, 1, 0]))


@pytest.mark.parametrize(
    "proportions, reference, kwargs, exc, match",
    [
        ([0.5, 0.5], [1 / 3] * 3, {}, ValueError, "3 categories"),
        ([0.5, 0.5], [0.5, 0.5], dict(metric="js"), ValueError, "metric"),
        ([0.5, 0.5], [0.0, 0.0], {}, ValueError, "summing to 0"),
        ([0.5, 0.5], [-0.5, 1.5], {}, ValueError, "non-negative"),
        ([0.5, np.nan], [0.5, 0.5], {}, ValueError, "finite"),
        ([0.5, 0.5], [[0.5, 0.5]], {}, ValueError, "2-D"),
        ([[0.5, 0.5]] * 3, [[0.5, 0.5]] * 2, {}, ValueError, "2 steps"),
        ([0.5, 0.5], [0.5, 0.5], dict(smoothing=0), ValueError, "smoothing"),
        ("ab", [0.5, 0.5], {}, TypeError, "proportions"),
    ],
)
def test_distance_errors(proportions, reference, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        distribution_distance(proportions, reference, **kwargs)


# -- from a real run ---------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_runs():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    lr = LogisticRegression(max_iter=300)
    runs = {}
    for name, strategy in {
        "random": RandomSampling(lr),
        "entropy": UncertaintySampling(lr, measure="entropy"),
    }.items():
        runs[name] = ActiveLearner(strategy, batch_size=10, budget=40,
                                   initial_size=10, random_state=0).fit(X, y)
    return X, y, runs


def test_learner_distribution_matches_the_history(digits_runs):
    X, y, runs = digits_runs
    classes = np.unique(y)
    for learner in runs.values():
        dist = learner_distribution(learner, categories=classes)
        steps = [h["n_labeled"] for h in learner.history_]
        np.testing.assert_array_equal(dist.n_labeled, steps)
        assert dist.counts.shape == (len(learner.history_), 10)
        np.testing.assert_array_equal(
            dist.counts[-1], np.bincount(learner.y_labeled_, minlength=10)
        )
        np.testing.assert_array_equal(
            dist.counts[0], np.bincount(y[learner.labeled_indices_[:10]],
                                        minlength=10)
        )
        tv = dist.distance(category_proportions(y, categories=classes))
        assert tv.shape == (5,) and np.all((tv >= 0) & (tv <= 1))


def test_learner_distribution_of_input_bins(digits_runs):
    X, y, runs = digits_runs
    # Bins of the ink amount, a simple input characteristic like sentence length.
    bins = np.digitize(X.sum(axis=1), np.quantile(X.sum(axis=1), [0.25, 0.5, 0.75]))
    learner = runs["entropy"]
    dist = learner_distribution(learner, bins, categories=[0, 1, 2, 3])
    np.testing.assert_array_equal(
        dist.counts[-1], np.bincount(bins[learner.labeled_indices_], minlength=4)
    )
    with pytest.raises(ValueError, match="one bin per row"):
        learner_distribution(learner, bins[:5])


def test_learner_distribution_errors(digits_runs):
    X, y, runs = digits_runs
    with pytest.raises(TypeError, match="fitted skactive ActiveLearner"):
        learner_distribution(ActiveLearner())
    taught = ActiveLearner(RandomSampling(LogisticRegression(max_iter=300)),
                           batch_size=10, budget=10, initial_size=10,
                           random_state=0).fit(X, y)
    taught.teach(X[:3], y[:3])
    # Labels still work: y_labeled_ holds the taught samples too.
    dist = learner_distribution(taught)
    assert dist.n_labeled[-1] == 23 and dist.counts[-1].sum() == 23
    with pytest.raises(ValueError, match="taught without indices"):
        learner_distribution(taught, np.zeros(len(y), dtype=int))
    # Taught with their rows, the samples are read in the bins.
    with_rows = ActiveLearner(RandomSampling(LogisticRegression(max_iter=300)),
                              batch_size=10, budget=10, initial_size=10,
                              random_state=0).fit(X, y)
    free = np.setdiff1d(np.arange(len(y)), with_rows.labeled_indices_)[:3]
    with_rows.teach(X[free], y[free], indices=free)
    bins = np.arange(len(y)) % 2
    dist = learner_distribution(with_rows, bins)
    assert dist.counts[-1].sum() == 23
    np.testing.assert_array_equal(
        dist.counts[-1], np.bincount(bins[with_rows.labeled_indices_]))


# -- plotting -------------------------------------------------------------------------
@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_one_panel_per_strategy(digits_runs, plt):
    X, y, runs = digits_runs
    classes = np.unique(y)
    dists = {name: learner_distribution(al, categories=classes)
             for name, al in runs.items()}
    ref = category_proportions(y, categories=classes)
    fig = plot_acquisition_distribution(dists, reference=ref, title="digits")
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["random", "entropy"]
    assert fig._suptitle.get_text() == "digits"
    for ax in fig.axes:
        # 5 steps x 10 classes bars, plus the 10-part reference bar.
        assert len(ax.patches) == 5 * 10 + 10
        assert len([line for line in ax.lines if line.get_linestyle() == "--"]) == 9
        assert ax.get_ylim() == (0, 1)
    # Same colour for a class in every panel.
    first, second = fig.axes
    assert first.patches[3].get_facecolor() == second.patches[3].get_facecolor()
    legend = fig.axes[-1].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == [str(c) for c in classes[::-1]]
    plt.close(fig)


def test_plot_on_given_axes_with_names(plt):
    dists = {
        "a": acquisition_distribution([0, 1, 1], [1, 3], categories=[0, 1]),
        "b": acquisition_distribution([1, 1, 0], [1, 3], categories=[0, 1]),
    }
    fig, axes = plt.subplots(2, 1)
    assert plot_acquisition_distribution(
        dists, category_names=["neg", "pos"], axes=axes) is fig
    texts = [t.get_text() for t in axes[-1].get_legend().get_texts()]
    assert texts == ["pos", "neg"]
    assert len(axes[0].patches) == 4  # no reference bar
    single = plot_acquisition_distribution(dists["a"])
    assert len(single.axes) == 1
    plt.close("all")


def test_plot_errors(plt):
    a = acquisition_distribution([0, 1], [1, 2], categories=[0, 1])
    b = acquisition_distribution([0, 1], [1, 2], categories=[0, 1, 2])
    with pytest.raises(ValueError, match="same categories"):
        plot_acquisition_distribution({"a": a, "b": b})
    with pytest.raises(ValueError, match="reference has 3"):
        plot_acquisition_distribution({"a": a}, reference=[1, 1, 1])
    with pytest.raises(ValueError, match="category_names"):
        plot_acquisition_distribution({"a": a}, category_names=["x"])
    with pytest.raises(ValueError, match="one axes per strategy"):
        _, axes = plt.subplots(1, 3)
        plot_acquisition_distribution({"a": a}, axes=axes)
    with pytest.raises(TypeError, match="DistributionOverTime"):
        plot_acquisition_distribution({"a": [0.5, 0.5]})
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_acquisition_distribution({})


def test_plot_without_matplotlib(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    dist = acquisition_distribution([0, 1], [1, 2])
    with pytest.raises(ImportError, match=r"pip install skactive\[plot\]"):
        plot_acquisition_distribution({"a": dist})
