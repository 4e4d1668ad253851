"""The optimal-order oracle: kernel, acceptance, caching, parallelism, replay."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skactive import ActiveLearner, RandomSampling
from skactive.evaluation import xi_quality
from skactive.oracle import (
    OptimalOrderSearch,
    ReplayOrder,
    acceptance_probability,
    propose_order,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return {
        "X_init": X[:20], "y_init": y[:20],
        "X_pool": X[20:140], "y_pool": y[20:140],
        "X_val": X[1000:1200], "y_val": y[1000:1200],
        "X_test": X[1200:], "y_test": y[1200:],
    }


def _search(**params):
    defaults = dict(estimator=LogisticRegression(max_iter=300), batch_size=4,
                    n_batches=4, n_steps=30, greedy_steps=10, gamma=1.0,
                    random_state=0)
    defaults.update(params)
    return OptimalOrderSearch(**defaults)


def _fit(search, d):
    return search.fit(d["X_pool"], d["y_pool"], d["X_val"], d["y_val"],
                      d["X_init"], d["y_init"])


# -- the proposal kernel -------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    batch_size=st.integers(1, 6),
    n_batches=st.integers(1, 6),
    extra=st.integers(0, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_kernel_never_proposes_an_invalid_order(batch_size, n_batches, extra, seed):
    n_acq = batch_size * n_batches
    n_pool = n_acq + extra
    if n_batches == 1 and extra == 0:
        with pytest.raises(ValueError, match="nothing to search"):
            propose_order(np.arange(n_pool), batch_size, n_batches,
                          np.random.default_rng(seed))
        return
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_pool)
    new = propose_order(order, batch_size, n_batches, rng)
    # Still a permutation of the pool, one transposition away.
    assert sorted(new.tolist()) == list(range(n_pool))
    changed = np.flatnonzero(new != order)
    assert changed.shape[0] == 2
    i, j = changed
    assert new[i] == order[j] and new[j] == order[i]
    assert i < n_acq  # at least one acquired position moves
    if j < n_acq:
        assert i // batch_size != j // batch_size  # never within one batch
    # The acquired set changes by at most one sample.
    assert len(set(new[:n_acq].tolist()) ^ set(order[:n_acq].tolist())) in (0, 2)


def test_kernel_moves_are_equally_likely():
    rng = np.random.default_rng(0)
    order = np.arange(40)
    swaps = 0
    n = 4000
    for _ in range(n):
        new = propose_order(order, 5, 4, rng)
        swaps += int(np.flatnonzero(new != order).max() < 20)
    assert abs(swaps / n - 0.5) < 0.03


def test_kernel_does_not_modify_its_input():
    order = np.arange(12)
    propose_order(order, 3, 2, np.random.default_rng(1))
    np.testing.assert_array_equal(order, np.arange(12))


# -- acceptance ---------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(delta=st.floats(-1, 1), step=st.integers(1, 50_000),
       gamma=st.floats(1e-4, 10))
def test_acceptance_matches_its_formula(delta, step, gamma):
    p = acceptance_probability(delta, step, gamma)
    with pytest.raises(ValueError, match="finite"):
        acceptance_probability(float("nan"), step, gamma)
    x = gamma * step * delta
    assert p == pytest.approx(1.0 if x >= 0 else math.exp(x))
    if delta >= 0:
        assert p == 1.0


def test_cold_search_accepts_exactly_the_non_worse_proposals(digits):
    # At an enormous inverse temperature exp(γtΔq) is 0 for any loss and 1
    # otherwise, so the coin decides nothing.
    s = _fit(_search(gamma=1e12, n_steps=40, greedy_steps=0), digits)
    h = s.history_
    prev = np.r_[s.initial_quality_, h["quality"][0, :-1]]
    accepted = h["accepted"][0]
    np.testing.assert_array_equal(accepted, h["proposal_quality"][0] >= prev)
    np.testing.assert_allclose(h["inverse_temperature"][0], 1e12 * np.arange(1, 41))


def test_hot_search_accepts_everything(digits):
    s = _fit(_search(gamma=1e-12, n_steps=25, greedy_steps=0), digits)
    assert s.history_["accepted"].all()
    assert s.history_["acceptance_rate"][0] == 1.0
    np.testing.assert_array_equal(s.history_["quality"],
                                  s.history_["proposal_quality"])


# -- the search ---------------------------------------------------------------
def test_greedy_only_search_never_decreases(digits):
    s = _fit(_search(n_steps=0, greedy_steps=40), digits)
    q = np.r_[s.initial_quality_, s.history_["quality"][0]]
    assert np.all(np.diff(q) >= 0)
    accepted = s.history_["accepted"][0]
    assert np.all(s.history_["proposal_quality"][0][accepted] > q[:-1][accepted])
    assert s.quality_ == q[-1] >= s.initial_quality_
    assert s.history_["greedy_improvements"][0] == accepted.sum() > 0


def test_result_is_consistent(digits):
    s = _fit(_search(), digits)
    assert s.order_.shape == (16,)
    assert np.unique(s.order_).shape == (16,)
    assert s.quality_ == pytest.approx(xi_quality(s.curve_))
    assert s.quality_ == pytest.approx(np.nanmax(s.history_["best_quality"]))
    np.testing.assert_array_equal(s.n_labeled_, [20, 24, 28, 32, 36])
    # The curve is a real re-evaluation of the order, not a stale value.
    np.testing.assert_array_equal(s.curve(digits["X_val"], digits["y_val"]),
                                  s.curve_)
    assert s.quality_ >= s.initial_quality_


def test_prefix_cache_gives_the_same_qualities_as_full_reevaluation(digits):
    cached = _fit(_search(), digits)
    naive = _fit(_search(cache_size=0), digits)
    for key in ("proposal_quality", "quality", "accepted"):
        np.testing.assert_array_equal(cached.history_[key], naive.history_[key])
    np.testing.assert_array_equal(cached.order_, naive.order_)
    assert naive.n_fits_ == 4 * naive.n_evaluations_
    assert cached.n_fits_ < 0.85 * naive.n_fits_
    assert naive.cache_hits_ == 0 < cached.cache_hits_
    # A cache too small to hold a curve still gives exact values.
    tiny = _fit(_search(cache_size=2), digits)
    np.testing.assert_array_equal(tiny.history_["quality"],
                                  cached.history_["quality"])


def test_result_does_not_depend_on_n_jobs(digits):
    params = dict(n_steps=12, greedy_steps=4, n_chains=2)
    one = _fit(_search(n_jobs=1, **params), digits)
    two = _fit(_search(n_jobs=2, **params), digits)
    np.testing.assert_array_equal(one.order_, two.order_)
    for key in ("proposal_quality", "quality", "accepted"):
        np.testing.assert_array_equal(one.history_[key], two.history_[key])


def test_chains_start_from_different_orders(digits):
    s = _fit(_search(n_chains=3, n_steps=5, greedy_steps=0), digits)
    assert s.history_["quality"].shape == (3, 5)
    first = s.history_["proposal_quality"][:, 0]
    assert np.unique(first).shape[0] > 1
    assert s.quality_ == np.nanmax(s.history_["best_quality"])


def test_training_randomness_is_fixed_by_the_search_seed(digits):
    tree = DecisionTreeClassifier(max_features=2)  # random without a seed
    a = _fit(_search(estimator=tree, n_steps=10, greedy_steps=0), digits)
    b = _fit(_search(estimator=tree, n_steps=10, greedy_steps=0), digits)
    np.testing.assert_array_equal(a.history_["quality"], b.history_["quality"])
    assert isinstance(a.estimator_.random_state, int)
    assert tree.random_state is None  # the user's estimator is untouched


def test_score_is_the_test_quality_of_the_order(digits):
    s = _fit(_search(), digits)
    curve = s.curve(digits["X_test"], digits["y_test"])
    assert curve.shape == (5,)
    assert s.score(digits["X_test"], digits["y_test"]) == pytest.approx(
        curve[1:].mean())
    other = np.arange(16)
    assert s.score(digits["X_test"], digits["y_test"], order=other) == (
        pytest.approx(s.curve(digits["X_test"], digits["y_test"], other)[1:].mean())
    )


def test_without_warm_start_single_class_prefixes_are_scored(digits):
    y_pool = np.r_[np.zeros(6, int), digits["y_pool"][6:]]
    s = OptimalOrderSearch(LogisticRegression(max_iter=300), batch_size=3,
                           n_batches=3, n_steps=10, greedy_steps=0, random_state=0)
    s.fit(digits["X_pool"], y_pool, digits["X_val"], digits["y_val"])
    assert np.isnan(s.curve_[0])
    assert np.all(np.isfinite(s.curve_[1:]))
    np.testing.assert_array_equal(s.n_labeled_, [0, 3, 6, 9])


def test_probability_scorers_survive_single_class_prefixes():
    X, y = load_digits(n_class=2, return_X_y=True)
    X = X / 16.0
    y_pool = np.r_[np.zeros(4, int), y[4:60]]
    for scoring in ("roc_auc", "neg_log_loss"):
        s = OptimalOrderSearch(LogisticRegression(max_iter=300), batch_size=1,
                               n_batches=3, n_steps=4, greedy_steps=0,
                               scoring=scoring, random_state=0)
        s.fit(X[:60], y_pool, X[100:200], y[100:200])
        assert np.all(np.isfinite(s.curve_[1:]))
        np.testing.assert_array_equal(s.classes_, [0, 1])


def test_curve_uses_the_fitted_shape(digits):
    s = _fit(_search(n_steps=3, greedy_steps=0), digits)
    expected = s.curve(digits["X_test"], digits["y_test"])
    s.set_params(batch_size=2, n_batches=7)
    np.testing.assert_array_equal(s.curve(digits["X_test"], digits["y_test"]),
                                  expected)
    with pytest.raises(ValueError, match="X has 3 features but the pool has 64"):
        s.curve(digits["X_test"][:, :3], digits["y_test"])


def test_order_lists_each_batch_in_ascending_index(digits):
    s = _fit(_search(), digits)
    batches = s.order_.reshape(4, 4)
    np.testing.assert_array_equal(batches, np.sort(batches, axis=1))


def test_pickle_round_trip(digits):
    s = _fit(_search(n_steps=10, greedy_steps=0), digits)
    s2 = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(s2.order_, s.order_)
    assert s2.score(digits["X_test"], digits["y_test"]) == s.score(
        digits["X_test"], digits["y_test"])


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(batch_size=0), "batch_size must be >= 1"),
        (dict(n_batches=50), "exceed the pool"),
        (dict(gamma=0.0), "gamma must be finite and > 0"),
        (dict(gamma="hot"), "gamma must be a real number"),
        (dict(n_steps=-1), "n_steps must be >= 0"),
        (dict(cache_size=1.5), "cache_size must be an integer"),
    ],
)
def test_bad_parameters(digits, params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        _fit(_search(**params), digits)


def test_bad_data(digits):
    d = digits
    with pytest.raises(ValueError, match="both X_init and y_init"):
        _search().fit(d["X_pool"], d["y_pool"], d["X_val"], d["y_val"], d["X_init"])
    with pytest.raises(ValueError, match="X_val has 3 features"):
        _search().fit(d["X_pool"], d["y_pool"], d["X_val"][:, :3], d["y_val"])
    with pytest.raises(ValueError, match="nothing to search"):
        _search(batch_size=10, n_batches=1).fit(d["X_pool"][:10], d["y_pool"][:10],
                                                d["X_val"], d["y_val"])
    s = _fit(_search(n_steps=2, greedy_steps=0), d)
    with pytest.raises(ValueError, match="16 integer pool indices"):
        s.curve(d["X_test"], d["y_test"], order=np.arange(5))
    with pytest.raises(ValueError, match="repeated"):
        s.curve(d["X_test"], d["y_test"], order=np.zeros(16, int))


# -- replay ---------------------------------------------------------------------
def _replay_learner(s, d, eval_set):
    n0 = d["X_init"].shape[0]
    return ActiveLearner(
        ReplayOrder(s.order_ + n0, s.estimator_), batch_size=s.batch_size,
        budget=s.batch_size * s.n_batches, initial=np.arange(n0),
        eval_set=eval_set,
    ).fit(np.vstack([d["X_init"], d["X_pool"]]), np.r_[d["y_init"], d["y_pool"]])


def test_replay_in_active_learner_reproduces_the_search_curves(digits):
    d = digits
    s = _fit(_search(), d)
    al = _replay_learner(s, d, (d["X_val"], d["y_val"]))
    np.testing.assert_array_equal([h["score"] for h in al.history_], s.curve_)
    np.testing.assert_array_equal(al.labeled_indices_[20:] - 20, s.order_)
    al = _replay_learner(s, d, (d["X_test"], d["y_test"]))
    np.testing.assert_array_equal([h["score"] for h in al.history_],
                                  s.curve(d["X_test"], d["y_test"]))


def test_replay_matches_the_search_for_row_order_sensitive_learners(digits):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import SGDClassifier

    d = digits
    for est in (RandomForestClassifier(n_estimators=5),
                SGDClassifier(max_iter=20, tol=None)):
        s = _fit(_search(estimator=est, n_steps=6, greedy_steps=2), d)
        al = _replay_learner(s, d, (d["X_val"], d["y_val"]))
        np.testing.assert_array_equal([h["score"] for h in al.history_], s.curve_)


def test_heuristic_orders_score_through_the_search(digits):
    d = digits
    s = _fit(_search(n_steps=5, greedy_steps=0), d)
    al = ActiveLearner(RandomSampling(s.estimator_, random_state=0), batch_size=4,
                       budget=16, initial=np.arange(20),
                       eval_set=(d["X_test"], d["y_test"]))
    al.fit(np.vstack([d["X_init"], d["X_pool"]]), np.r_[d["y_init"], d["y_pool"]])
    curve = s.curve(d["X_test"], d["y_test"], order=al.labeled_indices_[20:] - 20)
    np.testing.assert_allclose(curve, [h["score"] for h in al.history_])


def test_replay_skips_replayed_rows_and_stops_at_the_end():
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0, 1] * 6)
    s = ReplayOrder([7, 2, 3, 9]).fit(X[:2], y[:2])
    np.testing.assert_array_equal(s._query_candidates(X, np.arange(2, 12), 2),
                                  [7, 2])
    # 7 and 2 were replayed: the next round continues after them.
    rest = np.setdiff1d(np.arange(2, 12), [7, 2])
    np.testing.assert_array_equal(s._query_candidates(X, rest, 2), [3, 9])
    with pytest.raises(ValueError, match="2 samples left in the pool"):
        s._query_candidates(X, rest, 3)


def test_replay_rejects_orders_that_do_not_fit_the_loop():
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0, 1] * 6)
    s = ReplayOrder([5, 1, 20]).fit(X[:2], y[:2])
    with pytest.raises(ValueError, match="row index 20 but X has 12 rows"):
        s._query_candidates(X, np.arange(2, 12), 1)
    # Row 1 is in the initial set but comes after an unlabeled row: the
    # order was not shifted by the warm start.
    s = ReplayOrder([5, 1, 8]).fit(X[:2], y[:2])
    with pytest.raises(ValueError, match="labeled out of order"):
        s._query_candidates(X, np.arange(2, 12), 1)
    with pytest.raises(ValueError, match="only queries inside that loop"):
        s.query(X, batch_size=1)


@pytest.mark.parametrize("order, match", [
    ([1, 1], "repeated"), ([[1, 2]], "1-D"), ([-1, 2], "negative"),
    ([0.5, 1.0], "integer"),
])
def test_replay_rejects_bad_orders(order, match):
    X = np.arange(20, dtype=float).reshape(10, 2)
    with pytest.raises(ValueError, match=match):
        ReplayOrder(order).fit(X, [0, 1] * 5)


def test_replay_pickles_with_the_same_queries():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array([0, 1] * 10)
    s = ReplayOrder(np.arange(19, 5, -1), random_state=0).fit(X[:4], y[:4])
    s2 = pickle.loads(pickle.dumps(s))
    cand = np.arange(4, 20)
    np.testing.assert_array_equal(s._query_candidates(X, cand, 5),
                                  s2._query_candidates(X, cand, 5))


def test_network_training_randomness_is_fixed_by_the_search_seed(digits):
    pytest.importorskip("torch")
    from skactive.nets import make_mlp

    net = make_mlp(hidden_sizes=(16,), max_epochs=3, device="cpu")
    d = {k: (v.astype(np.float32) if k.startswith("X") else v)
         for k, v in digits.items()}
    params = dict(estimator=net, batch_size=4, n_batches=2, n_steps=3,
                  greedy_steps=0)
    a = _fit(_search(random_state=0, **params), d)
    b = _fit(_search(random_state=0, **params), d)
    c = _fit(_search(random_state=1, **params), d)
    np.testing.assert_array_equal(a.history_["proposal_quality"],
                                  b.history_["proposal_quality"])
    assert a.estimator_.random_state == b.estimator_.random_state
    assert a.estimator_.random_state != c.estimator_.random_state
    assert net.random_state is None
