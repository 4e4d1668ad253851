"""Every parallel loop on a dask.distributed cluster, unchanged.

A two-worker ``LocalCluster`` (processes on loopback) runs each loop under
``joblib.parallel_config(backend="dask")``; the result must equal the
``n_jobs=1`` run for the same seeds, and no task may carry the data: the
large arrays go to the cluster once per ``Parallel`` call (joblib's dask
backend scatters a large top-level argument once), never pickled into
every task.
"""

import contextlib
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skactive import (
    BADGE,
    ActiveLearner,
    CoreSet,
    DeepEnsemble,
    ExpectedErrorReduction,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.evaluation import active_learning_curve
from skactive.oracle import OptimalOrderSearch
from skactive.policies import (
    ALILExpert,
    DAgger,
    IALEExpert,
    IALEState,
    LALMonteCarlo,
)

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
from dask.sizeof import sizeof  # noqa: E402  (after the skip)
from joblib import parallel_config  # noqa: E402

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


class _Meter:
    """What the client sends: pickled bytes per task, bytes scattered."""

    def __init__(self):
        self.task_bytes = []
        self.scattered = []  # joblib's automatic scatters, one per argument

    @property
    def max_task_bytes(self):
        return max(self.task_bytes)


@pytest.fixture
def meter(client, monkeypatch):
    """Records every task submitted and every array scattered by joblib."""
    m = _Meter()
    submit, scatter = client.submit, client.scatter

    def metered_submit(func, *args, **kwargs):
        m.task_bytes.append(len(cloudpickle.dumps((func, args, kwargs))))
        return submit(func, *args, **kwargs)

    def metered_scatter(data, *args, **kwargs):
        if kwargs.get("asynchronous"):  # joblib's per-call scatter
            m.scattered.append(sizeof(data))
        return scatter(data, *args, **kwargs)

    monkeypatch.setattr(client, "submit", metered_submit)
    monkeypatch.setattr(client, "scatter", metered_scatter)
    return m


@contextlib.contextmanager
def on_cluster(client, **kwargs):
    with parallel_config(backend="dask", **kwargs):
        yield


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(300, n_features=20, n_informative=5,
                               n_classes=3, n_clusters_per_class=1,
                               random_state=0)
    return X, y


def _assert_no_task_carries(meter, *arrays):
    """Tasks were sent, none holds a copy of the arrays, each went once."""
    assert meter.task_bytes, "nothing ran on the cluster"
    smallest = min(a.nbytes for a in arrays)
    assert meter.max_task_bytes < smallest / 2, (meter.max_task_bytes, smallest)


# -- active_learning_curve ----------------------------------------------------
def test_learning_curves_on_cluster_equal_serial(client, meter, data):
    X, y = data
    strategies = {"random": RandomSampling(),
                  "margin": UncertaintySampling(measure="margin"),
                  "qbc": QueryByCommittee(DecisionTreeClassifier(), n_members=3)}
    kw = dict(batch_size=5, budget=10, initial_size=6, n_repeats=3)
    serial = active_learning_curve(strategies, X, y, n_jobs=1, **kw)
    with on_cluster(client):
        cluster = active_learning_curve(strategies, X, y, **kw)
    np.testing.assert_array_equal(cluster.n_labeled, serial.n_labeled)
    np.testing.assert_array_equal(cluster.seeds, serial.seeds)
    for name in strategies:
        np.testing.assert_array_equal(cluster.scores[name], serial.scores[name])
        np.testing.assert_array_equal(cluster.full_score[name],
                                      serial.full_score[name])
        np.testing.assert_array_equal(cluster.labeled_indices[name],
                                      serial.labeled_indices[name])
    # X and y went once for all repeats (not one split per repeat).
    _assert_no_task_carries(meter, X)
    assert sum(meter.scattered) <= X.nbytes + y.nbytes


def test_learning_curves_with_a_fixed_test_set_on_cluster(client, meter, data):
    X, y = data
    kw = dict(batch_size=5, budget=5, initial_size=6, n_repeats=2)
    args = ([RandomSampling(), UncertaintySampling()], X[:200], y[:200],
            X[200:], y[200:])
    serial = active_learning_curve(*args, n_jobs=1, **kw)
    with on_cluster(client):
        cluster = active_learning_curve(*args, **kw)
    for name in serial.strategies:
        np.testing.assert_array_equal(cluster.scores[name], serial.scores[name])
    _assert_no_task_carries(meter, X[:200], X[200:])


# -- LAL Monte-Carlo ----------------------------------------------------------
@pytest.mark.parametrize("mode", ["independent", "iterative"])
def test_lal_monte_carlo_on_cluster_equals_serial(client, meter, data, mode):
    X, y = data
    mc = LALMonteCarlo(mode, estimator=RandomForestClassifier(n_estimators=5),
                       regressor=RandomForestRegressor(n_estimators=5),
                       n_repetitions=3, n_candidates=2, tau_range=(3, 5),
                       random_state=0)
    serial = mc.set_params(n_jobs=1).fit(X, y)
    states, deltas = serial.states_, serial.deltas_
    trajectories = getattr(serial, "trajectories_", None)
    with on_cluster(client):
        cluster = mc.set_params(n_jobs=None).fit(X, y)
    np.testing.assert_array_equal(cluster.states_, states)
    np.testing.assert_array_equal(cluster.deltas_, deltas)
    if trajectories is not None:
        np.testing.assert_array_equal(cluster.trajectories_, trajectories)
    _assert_no_task_carries(meter, X)


# -- DAgger experts -----------------------------------------------------------
def test_iale_and_alil_experts_on_cluster_equal_serial(client, meter, data):
    X, y = data
    lab, cand, val = np.arange(30), np.arange(30, 60), np.arange(100, 300)
    model = LogisticRegression().fit(X[lab], y[lab])
    args = (model, X[lab], y[lab], X[cand], y[cand], X[val], y[val])
    experts = {"entropy": UncertaintySampling(), "random": RandomSampling(),
               "margin": UncertaintySampling(measure="margin")}
    for expert in (IALEExpert(experts), ALILExpert()):
        serial = expert.set_params(n_jobs=1).label(*args, 3, random_state=0)
        with on_cluster(client):
            cluster = expert.set_params(n_jobs=None).label(*args, 3,
                                                           random_state=0)
        np.testing.assert_array_equal(cluster[0], serial[0])
        scores = cluster[1]["scores"]
        if isinstance(scores, dict):
            assert scores == serial[1]["scores"]
        else:
            np.testing.assert_array_equal(scores, serial[1]["scores"])
    _assert_no_task_carries(meter, X[val])


def test_dagger_with_expert_on_cluster_equals_serial(client, meter, data):
    pytest.importorskip("torch")
    from skactive.policies import PolicyMLP

    X, y = data
    expert = IALEExpert({"entropy": UncertaintySampling(),
                         "random": RandomSampling()})
    dagger = DAgger(PolicyMLP((8,), max_epochs=3), expert,
                    IALEState("invariant"), LogisticRegression(),
                    n_episodes=2, budget=16, batch_size=4, n_candidates=15,
                    validation_size=150, random_state=0)
    serial = dagger.fit(X, y)
    states, actions = serial.states_, serial.actions_
    winners = serial.history_["winners"]
    with on_cluster(client):
        cluster = dagger.fit(X, y)
    np.testing.assert_array_equal(cluster.states_, states)
    np.testing.assert_array_equal(cluster.actions_, actions)
    assert cluster.history_["winners"] == winners
    assert len(meter.task_bytes) >= 4  # every step's roll-outs ran there


# -- OptimalOrderSearch ---------------------------------------------------------
def _search(**kw):
    return OptimalOrderSearch(LogisticRegression(max_iter=200), batch_size=3,
                              n_batches=3, n_steps=12, greedy_steps=4,
                              gamma=1.0, n_chains=2, random_state=0, **kw)


def test_optimal_order_search_on_cluster_equals_serial(client, meter, data):
    X, y = data
    fit = (X[:150], y[:150], X[150:], y[150:])
    serial = _search(n_jobs=1).fit(*fit)
    with on_cluster(client):
        cluster = _search().fit(*fit)
    np.testing.assert_array_equal(cluster.order_, serial.order_)
    np.testing.assert_array_equal(cluster.curve_, serial.curve_)
    assert cluster.quality_ == serial.quality_
    for key in ("proposal_quality", "quality", "accepted"):
        np.testing.assert_array_equal(cluster.history_[key], serial.history_[key])
    # Data once per step, not once per task (it was a tuple in every task).
    _assert_no_task_carries(meter, X[:150], X[150:])


def test_optimal_order_search_uses_arrays_scattered_by_the_user(client, meter,
                                                                data):
    X, y = data
    X_pool, y_pool, X_val, y_val = X[:150].copy(), y[:150].copy(), \
        X[150:].copy(), y[150:].copy()
    serial = _search(n_jobs=1).fit(X_pool, y_pool, X_val, y_val)
    with on_cluster(client, scatter=[X_pool, y_pool, X_val, y_val]):
        cluster = _search().fit(X_pool, y_pool, X_val, y_val)
    np.testing.assert_array_equal(cluster.order_, serial.order_)
    assert meter.scattered == []  # nothing sent again at any step
    _assert_no_task_carries(meter, X_pool, X_val)


# -- strategies -----------------------------------------------------------------
@pytest.mark.parametrize("strategy", [
    QueryByCommittee(DecisionTreeClassifier(), n_members=4, random_state=0),
    QueryByCommittee(committee=[LogisticRegression(), DecisionTreeClassifier()],
                     random_state=0),
    DeepEnsemble(LogisticRegression(), n_members=3, measure="bald",
                 random_state=0),
    ExpectedErrorReduction(n_candidates=8, n_eval=100, random_state=0),
], ids=["qbc-bagging", "qbc-committee", "deep-ensemble", "eer"])
def test_strategy_on_cluster_equals_serial(client, meter, data, strategy):
    X, y = data
    lab = np.arange(120)
    serial = strategy.set_params(n_jobs=1).fit(X[lab], y[lab])
    picks = serial.query(X[120:], batch_size=4)
    members = getattr(serial, "committee_", getattr(serial, "members_", None))
    with on_cluster(client):
        cluster = strategy.set_params(n_jobs=None).fit(X[lab], y[lab])
        np.testing.assert_array_equal(cluster.query(X[120:], batch_size=4), picks)
    if members is not None:
        fitted = getattr(cluster, "committee_", getattr(cluster, "members_", None))
        for a, b in zip(fitted, members):
            np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    _assert_no_task_carries(meter, X[lab])


def test_deep_ensemble_of_networks_on_cluster(client, meter, data):
    pytest.importorskip("torch")
    from skactive.nets import make_mlp

    X, y = data
    X = X.astype(np.float32)
    s = DeepEnsemble(make_mlp((8,), max_epochs=3), n_members=3, random_state=0)
    serial = s.set_params(n_jobs=1).fit(X[:80], y[:80])
    proba = [m.predict_proba(X) for m in serial.members_]
    with on_cluster(client):
        cluster = s.set_params(n_jobs=None).fit(X[:80], y[:80])
    for m, p in zip(cluster.members_, proba):
        np.testing.assert_allclose(m.predict_proba(X), p, rtol=1e-5, atol=1e-6)
    assert len(meter.task_bytes) >= 1


# -- CoreSet and BADGE on a dask array: shards held by actors -----------------
@pytest.mark.parametrize("strategy", [
    CoreSet(random_state=0), CoreSet(embedding="input", random_state=0),
    BADGE(random_state=0), BADGE(first="random", random_state=0),
], ids=["coreset", "coreset-input", "badge", "badge-first-random"])
def test_greedy_selection_on_worker_shards_equals_in_memory(client, meter, data,
                                                           monkeypatch, strategy):
    from skactive.utils import _shards

    X, y = data
    built = []
    actor_shards = _shards.ActorShards
    monkeypatch.setattr(_shards, "ActorShards", lambda *a, **k: built.append(
        actor_shards(*a, **k)) or built[-1])
    s = strategy.fit(X[:20], y[:20])
    pool = da.from_array(X, chunks=(70, 20))
    for batch_size in (3, 25):
        ref = s.query(X, batch_size=batch_size)
        np.testing.assert_array_equal(s.query(pool, batch_size=batch_size), ref)
    # One actor per worker holds its blocks' shards; a greedy step is one
    # message to each, not a task: what is submitted does not grow with
    # the batch (two queries, at most two workers each).
    assert len(built) == 2 and all(1 <= len(b.offsets) and b.hosts == []
                                  for b in built)
    assert len(meter.task_bytes) <= 4
    deadline = time.monotonic() + 10
    while _live_actors(client):
        assert time.monotonic() < deadline, "the actors were not released"
        time.sleep(0.05)


def _live_actors(client):
    return sum(client.run(lambda dask_worker: len(dask_worker.state.actors)).values())


def test_a_failed_shard_build_releases_every_actor(client, data):
    X, y = data
    bad = X.copy()
    bad[250, 3] = np.nan  # in the last block: the other worker builds fine
    s = CoreSet(random_state=0).fit(X[:20], y[:20])
    for _ in range(2):
        with pytest.raises(ValueError, match="NaN"):
            s.query(da.from_array(bad, chunks=(70, 20)), batch_size=3)
    deadline = time.monotonic() + 10
    while _live_actors(client):
        assert time.monotonic() < deadline, "actors outlived the error"
        time.sleep(0.05)


def test_active_learner_with_coreset_on_a_cluster_pool(client, data):
    X, y = data
    params = dict(batch_size=5, budget=35, random_state=0)
    ref = ActiveLearner(CoreSet(), **params).fit(X, y)
    al = ActiveLearner(CoreSet(), **params).fit(da.from_array(X, chunks=(64, 20)), y)
    np.testing.assert_array_equal(al.labeled_indices_, ref.labeled_indices_)


def test_iale_roll_outs_ship_a_large_model_once(client, meter, data):
    # dask's sizeof sees a fitted forest as a small Python object: passed
    # as it is, its trees would be pickled into every roll-out task.
    X, y = data
    lab, cand, val = np.arange(60), np.arange(60, 100), np.arange(100, 300)
    model = RandomForestClassifier(n_estimators=60, random_state=0).fit(X[lab], y[lab])
    model_bytes = len(cloudpickle.dumps(model))
    assert model_bytes > 100_000
    experts = {"entropy": UncertaintySampling(), "random": RandomSampling(),
               "margin": UncertaintySampling(measure="margin")}
    args = (model, X[lab], y[lab], X[cand], y[cand], X[val], y[val], 4)
    serial = IALEExpert(experts, n_jobs=1).label(*args, random_state=0)
    with on_cluster(client):
        cluster = IALEExpert(experts).label(*args, random_state=0)
    np.testing.assert_array_equal(cluster[0], serial[0])
    assert cluster[1]["scores"] == serial[1]["scores"]
    assert meter.max_task_bytes < model_bytes / 4, (meter.task_bytes, model_bytes)
