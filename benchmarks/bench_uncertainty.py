"""Uncertainty-sampling query benchmarks.

1. ``test_uncertainty_vs_numpy_floor``: skactive
   ``UncertaintySampling(LogisticRegression(), refit=False).query`` on a
   10^6 x 50 float64 pool against the bare-numpy floor
   (``lr.predict_proba`` + the score + ``np.argpartition``). Target: ratio
   skactive / floor <= 1.5. ``proba_only_ms`` (``lr.predict_proba`` alone) is
   timed too, so the overhead above the model call can be read off.
2. ``test_uncertainty_vs_skactiveml``: the same query (entropy) against
   scikit-activeml's ``UncertaintySampling(method="entropy")`` with
   ``fit_clf=False`` on a 10^5 x 50 pool. Reports the speed-up
   skactiveml / skactive and the tracemalloc peak of each: scikit-activeml
   builds a ``(batch_size, n_pool)`` utilities matrix, skactive must stay
   O(n_pool) whatever the batch size.

The classifier is fitted once per module (not timed); ``refit=False`` makes
the strategy's ``fit`` only record state, so only ``query`` is measured.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from _common import scaled
from skactive import UncertaintySampling

N_FEATURES = 50
N_LABELED = 100
FLOOR_TARGET = 1.5


def _make_problem(n_pool, seed):
    """Standard-normal pool, labels from a linear rule, 100 labelled rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_pool, N_FEATURES))
    w = rng.standard_normal(N_FEATURES)
    labeled = rng.choice(n_pool, N_LABELED, replace=False)
    y_labeled = (X[labeled] @ w > 0).astype(int)
    if np.unique(y_labeled).shape[0] < 2:  # pragma: no cover - vanishingly rare
        y_labeled[0] = 1 - y_labeled[0]
    return X, w, labeled, y_labeled


# --------------------------------------------------------------------------
# 1. skactive vs the bare-numpy floor
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_pool():
    X, _, labeled, y_labeled = _make_problem(scaled(1_000_000), seed=0)
    lr = LogisticRegression(max_iter=1000).fit(X[labeled], y_labeled)
    return X, labeled, y_labeled, lr


def _floor_scores(proba, measure):
    """The cheapest straightforward numpy version of each measure.

    Higher means query first. Binary problems use the two columns directly,
    because numpy reductions along a length-2 axis (``proba.max(axis=1)``,
    ``.sum(axis=1)``) are ~10x slower than an element-wise ufunc on the
    columns.
    """
    binary = proba.shape[1] == 2
    if measure == "entropy":
        logp = np.log(proba, out=np.zeros_like(proba), where=proba > 0)
        return -np.einsum("ij,ij->i", proba, logp)  # 0 log 0 == 0
    if measure == "least_confidence":
        if binary:
            return 1.0 - np.maximum(proba[:, 0], proba[:, 1])
        return 1.0 - proba.max(axis=1)
    if binary:  # margin
        return -np.abs(proba[:, 0] - proba[:, 1])
    top2 = np.partition(proba, -2, axis=1)[:, -2:]
    return top2[:, 0] - top2[:, 1]


def numpy_floor(lr, X_pool, measure, batch_size):
    proba = lr.predict_proba(X_pool)
    scores = _floor_scores(proba, measure)
    n = scores.shape[0]
    return np.argpartition(scores, n - batch_size)[n - batch_size :]


@pytest.mark.parametrize("batch_size", [1, 10, 1000])
@pytest.mark.parametrize("measure", ["entropy", "margin", "least_confidence"])
@pytest.mark.benchmark(group="uncertainty-vs-floor")
def test_uncertainty_vs_numpy_floor(big_pool, measure, batch_size, paired, report):
    X, labeled, y_labeled, lr = big_pool
    strategy = UncertaintySampling(
        lr, measure=measure, refit=False, random_state=0
    ).fit(X[labeled], y_labeled)

    res = paired(
        lambda: strategy.query(X, batch_size=batch_size),
        {
            "floor": lambda: numpy_floor(lr, X, measure, batch_size),
            "proba": lambda: lr.predict_proba(X),
        },
        rounds=7,
        warmup_rounds=1,
    )
    picked = res.result
    assert picked.shape == (batch_size,)
    same = set(picked.tolist()) == set(res.ref_results["floor"].tolist())
    report(
        "uncertainty-vs-floor",
        f"{measure} n={X.shape[0]:,} d={X.shape[1]} b={batch_size}",
        {
            "skactive_ms": 1e3 * res.median(),
            "floor_ms": 1e3 * res.median("floor"),
            "proba_only_ms": 1e3 * res.median("proba"),
            "ratio": res.ratio("floor"),
            "ratio_min": res.ratio("floor", "min"),
            "same_set": same,
        },
        target=("ratio", FLOOR_TARGET),
    )


# --------------------------------------------------------------------------
# 2. skactive vs scikit-activeml
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def skactiveml_problem():
    pytest.importorskip("skactiveml")
    from skactiveml.classifier import SklearnClassifier

    n = scaled(100_000)
    X, _, labeled, y_labeled = _make_problem(n, seed=1)
    y = np.full(n, np.nan)  # scikit-activeml: nan marks unlabelled rows
    y[labeled] = y_labeled
    clf = SklearnClassifier(
        LogisticRegression(max_iter=1000), classes=[0, 1], random_state=0
    ).fit(X, y)
    unlabeled = np.flatnonzero(np.isnan(y))
    X_pool = X[unlabeled]  # skactive takes the unlabelled pool itself
    return X, y, clf, labeled, y_labeled, unlabeled, X_pool


@pytest.mark.parametrize(
    "batch_size, rounds, warmup",
    [(1, 7, 1), (100, 5, 1), (1000, 3, 0)],
    ids=["b1", "b100", "b1000"],
)
@pytest.mark.benchmark(group="uncertainty-vs-skactiveml")
def test_uncertainty_vs_skactiveml(
    skactiveml_problem, batch_size, rounds, warmup, paired, measure_peak, report
):
    from skactiveml.pool import UncertaintySampling as SkmlUncertainty

    X, y, clf, labeled, y_labeled, unlabeled, X_pool = skactiveml_problem
    # The same fitted LogisticRegression serves both libraries.
    strategy = UncertaintySampling(
        clf.estimator_, measure="entropy", refit=False, random_state=0
    ).fit(X[labeled], y_labeled)
    qs = SkmlUncertainty(method="entropy", random_state=0)

    def skml_query():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return qs.query(X=X, y=y, clf=clf, fit_clf=False, batch_size=batch_size)

    def skactive_query():
        return strategy.query(X_pool, batch_size=batch_size)

    res = paired(
        skactive_query,
        {"skactiveml": skml_query},
        rounds=rounds,
        warmup_rounds=warmup,
    )
    ours = unlabeled[res.result]
    theirs = np.asarray(res.ref_results["skactiveml"])
    same = set(ours.tolist()) == set(theirs.tolist())

    peak_ours = measure_peak(skactive_query)
    peak_theirs = measure_peak(skml_query)
    n_pool = X_pool.shape[0]
    # No (batch x pool) matrix: the working memory is O(n_pool) with a
    # constant that does not grow with the batch (about 40 bytes/row today).
    assert peak_ours < 128 * n_pool, peak_ours
    if batch_size >= 100:
        assert peak_ours < batch_size * n_pool * 8 / 10

    speedup = None
    if res.median() and res.median("skactiveml"):
        speedup = res.median("skactiveml") / res.median()
    report(
        "uncertainty-vs-skactiveml",
        f"entropy n={n_pool:,} d={X.shape[1]} b={batch_size}",
        {
            "skactive_ms": 1e3 * res.median(),
            "skactiveml_ms": 1e3 * res.median("skactiveml"),
            "speedup_skml/ska": speedup,
            "skactive_MiB": peak_ours / 2**20,
            "skactiveml_MiB": peak_theirs / 2**20,
            "mem_skml/ska": peak_theirs / max(peak_ours, 1),
            "skactive_B/row": peak_ours / n_pool,
            "same_set": same,
        },
    )


# --------------------------------------------------------------------------
# 3. margin sampling against the fastest peer, pool sizes 10^4 .. 10^6
# --------------------------------------------------------------------------
PEER_TARGET = 1.1  # skactive / fastest peer (issue 18)
MARGIN_BATCH = 10
_MARGIN_CACHE = {}


def _margin_problem(n_pool, n_classes):
    """Pool, labels from a linear rule (argmax of 10 directions for 10
    classes), a LogisticRegression fitted on 100 rows, inside
    scikit-activeml's wrapper when it is installed (its ``estimator_`` then
    serves every library). One problem is held at a time: the 10^6 x 50
    pool alone is 400 MB."""
    key = (n_pool, n_classes)
    if key not in _MARGIN_CACHE:
        _MARGIN_CACHE.clear()
        rng = np.random.default_rng(n_pool + n_classes)
        X = rng.standard_normal((n_pool, N_FEATURES))
        labeled = rng.choice(n_pool, N_LABELED, replace=False)
        if n_classes == 2:
            y_lab = (X[labeled] @ rng.standard_normal(N_FEATURES) > 0).astype(int)
        else:
            W = rng.standard_normal((N_FEATURES, n_classes))
            y_lab = np.argmax(X[labeled] @ W, axis=1)
        lr = LogisticRegression(max_iter=1000)
        try:
            from skactiveml.classifier import SklearnClassifier
        except ImportError:
            skml_clf = None
            lr.fit(X[labeled], y_lab)
        else:
            y = np.full(n_pool, np.nan)  # scikit-activeml: nan marks unlabelled rows
            y[labeled] = y_lab
            skml_clf = SklearnClassifier(lr, classes=list(range(n_classes)),
                                         random_state=0).fit(X, y)
            lr = skml_clf.estimator_
        _MARGIN_CACHE[key] = (X, labeled, y_lab, lr, skml_clf)
    return _MARGIN_CACHE[key]


def _margin_peers(lr, skml_clf, X):
    """The peers' margin queries on the same fitted model: modAL and
    scikit-activeml where installed, and the bare-numpy floor.

    Every call runs after a garbage collection (``paired(gc_each=True)``),
    so each finds the pool equally cold.
    """
    peers = {}
    if skml_clf is not None:
        from skactiveml.pool import UncertaintySampling as SkmlUncertainty

        # A query of the pool alone: every row unlabelled, fit_clf=False.
        y_nan = np.full(X.shape[0], np.nan)
        qs = SkmlUncertainty(method="margin_sampling", random_state=0)

        def skml():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return qs.query(X=X, y=y_nan, clf=skml_clf, fit_clf=False,
                                batch_size=MARGIN_BATCH)

        peers["skactiveml"] = skml
    try:
        from modAL.uncertainty import margin_sampling
    except ImportError:
        pass
    else:
        peers["modAL"] = lambda: margin_sampling(lr, X, n_instances=MARGIN_BATCH)[0]
    peers["floor"] = lambda: numpy_floor(lr, X, "margin", MARGIN_BATCH)
    return peers


@pytest.mark.parametrize("n_classes", [2, 10])
@pytest.mark.parametrize(
    "n_pool, rounds",
    [(10_000, 41), (100_000, 15), (1_000_000, 5)],
    ids=["1e4", "1e5", "1e6"],
)
@pytest.mark.benchmark(group="margin-vs-peers")
def test_margin_vs_peers(n_pool, rounds, n_classes, paired, report):
    """Margin query, skactive against the fastest peer on the same model.

    ``UncertaintySampling(lr, measure="margin", refit=False).query`` against
    modAL's ``margin_sampling`` and scikit-activeml's
    ``UncertaintySampling(method="margin_sampling")`` (those installed), and
    the bare floor (``lr.predict_proba`` + the margin + ``argpartition``,
    no input validation). Target: skactive / fastest peer <= 1.1.
    """
    n_pool = scaled(n_pool)
    X, labeled, y_lab, lr, skml_clf = _margin_problem(n_pool, n_classes)
    strategy = UncertaintySampling(
        lr, measure="margin", refit=False, random_state=0
    ).fit(X[labeled], y_lab)
    peers = _margin_peers(lr, skml_clf, X)
    if "skactiveml" in peers and n_pool > 200_000:
        del peers["skactiveml"]  # tens of seconds a query: the peers' slowest
    res = paired(
        lambda: strategy.query(X, batch_size=MARGIN_BATCH),
        peers,
        rounds=rounds,
        warmup_rounds=1,
        gc_each=True,
    )
    assert res.result.shape == (MARGIN_BATCH,)
    others = [name for name in peers if name != "floor"]
    fastest = min(others, key=res.median) if others else "floor"
    fields = {"skactive_ms": 1e3 * res.median()}
    for name in peers:
        fields[f"{name}_ms"] = 1e3 * res.median(name)
    fields.update({
        "fastest_peer": fastest,
        "ratio": res.ratio(fastest),
        "ratio_min": res.ratio(fastest, "min"),
        "ratio_floor": res.ratio("floor"),
        "same_set_floor": set(res.result.tolist())
        == set(np.asarray(res.ref_results["floor"]).tolist()),
    })
    report(
        "margin-vs-peers",
        f"margin n={n_pool:,} d={N_FEATURES} C={n_classes} b={MARGIN_BATCH}",
        fields,
        target=("ratio", PEER_TARGET),
    )
