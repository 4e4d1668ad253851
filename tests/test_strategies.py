"""Behaviour of every query strategy on cases where the right answer is known."""

import math
import pickle

import numpy as np
import pytest
from conftest import FixedProbaClassifier, id_rows
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skactive import (
    BADGE,
    CoreSet,
    DensityWeighted,
    DiversitySampling,
    ExpectedErrorReduction,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)
from skactive.strategies import committee_scores, uncertainty_scores


def _entropy(p):
    return -sum(q * math.log(q) for q in p if q > 0)


def _mean_kl(rows):
    """Mean KL divergence of each member's row from the consensus."""
    cons = np.mean(rows, axis=0)
    return np.mean(
        [sum(p * math.log(p / q) for p, q in zip(r, cons) if p > 0) for r in rows]
    )


def _strategies():
    """One configured instance of every strategy (and main variants)."""
    return [
        RandomSampling(random_state=0),
        UncertaintySampling(LogisticRegression(), measure="entropy", random_state=0),
        UncertaintySampling(
            LogisticRegression(), measure="least_confidence", random_state=0
        ),
        UncertaintySampling(LogisticRegression(), measure="margin", random_state=0),
        QueryByCommittee(LogisticRegression(), n_members=3, random_state=0),
        QueryByCommittee(
            LogisticRegression(),
            committee=[LogisticRegression(), DecisionTreeClassifier(random_state=0)],
            measure="kl_divergence",
            random_state=0,
        ),
        CoreSet(LogisticRegression(), random_state=0),
        BADGE(LogisticRegression(), random_state=0),
        DiversitySampling(LogisticRegression(), metric="jaccard", random_state=0),
        DiversitySampling(
            LogisticRegression(), metric="rbf", aggregate="max", random_state=0
        ),
        DensityWeighted(LogisticRegression(), metric="rbf", random_state=0),
        ExpectedErrorReduction(
            LogisticRegression(), n_candidates=4, n_eval=15, random_state=0
        ),
    ]


STRATEGY_IDS = [
    f"{type(s).__name__}-{i}" for i, s in enumerate(_strategies())
]


@pytest.fixture(params=range(len(STRATEGY_IDS)), ids=STRATEGY_IDS)
def strategy(request):
    return _strategies()[request.param]


# == Uncertainty sampling ===================================================
def test_uncertainty_binary_picks_nearest_to_boundary():
    X_lab, y_lab = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    X_pool = np.array([[-3.0], [0.1], [2.4], [-0.5], [1.5], [-0.02], [0.9]])
    for measure in ("entropy", "least_confidence", "margin"):
        s = UncertaintySampling(LogisticRegression(), measure=measure).fit(X_lab, y_lab)
        lr = s.estimator_
        boundary = -lr.intercept_[0] / lr.coef_[0, 0]
        expected = np.argsort(np.abs(X_pool[:, 0] - boundary))
        assert s.query(X_pool, batch_size=7).tolist() == expected.tolist(), measure
        assert s.query(X_pool)[0] == 5


# Rows: confident, lowest max-prob, smallest margin, highest entropy.
PROBA3 = np.array(
    [
        [0.90, 0.05, 0.05],
        [0.40, 0.38, 0.22],
        [0.49, 0.485, 0.025],
        [0.41, 0.295, 0.295],
    ]
)


@pytest.mark.parametrize(
    "measure, expected",
    [("least_confidence", 1), ("margin", 2), ("entropy", 3)],
)
def test_uncertainty_measures_disagree_on_constructed_case(measure, expected):
    s = UncertaintySampling(FixedProbaClassifier(PROBA3), measure=measure)
    s.fit(id_rows(3), np.array([0, 1, 2]))
    X_pool = id_rows(4)
    scores = s.score_samples(X_pool)
    if measure == "least_confidence":
        hand = [1 - max(p) for p in PROBA3]
    elif measure == "margin":
        hand = [-(sorted(p)[-1] - sorted(p)[-2]) for p in PROBA3]
    else:
        hand = [_entropy(p) for p in PROBA3]
    np.testing.assert_allclose(scores, hand, atol=1e-12)
    assert s.query(X_pool)[0] == expected
    assert s.query(X_pool, batch_size=4)[-1] == 0  # the confident one is last


def test_uncertainty_scores_function_hand_values():
    p = np.array([[0.7, 0.2, 0.1], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(uncertainty_scores(p, "least_confidence"), [0.3, 0.0])
    np.testing.assert_allclose(uncertainty_scores(p, "margin"), [-0.5, -1.0])
    np.testing.assert_allclose(
        uncertainty_scores(p, "entropy"), [_entropy(p[0]), 0.0], atol=1e-15
    )
    with pytest.raises(ValueError, match="measure"):
        uncertainty_scores(p, "variance")


def test_uncertainty_decision_function_binary_linearsvc():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    s = UncertaintySampling(LinearSVC(), measure="margin").fit(X[:20], y[:20])
    assert s._response_method == "decision_function"
    d = s.estimator_.decision_function(X[20:])
    np.testing.assert_allclose(s.score_samples(X[20:]), -np.abs(d))
    assert s.query(X[20:], batch_size=5).tolist() == np.argsort(np.abs(d))[:5].tolist()


@pytest.mark.parametrize("measure", ["margin", "least_confidence"])
def test_uncertainty_decision_function_multiclass_linearsvc(blobs3, measure):
    X_lab, y_lab, X_pool = blobs3
    s = UncertaintySampling(LinearSVC(), measure=measure).fit(X_lab, y_lab)
    d = np.sort(s.estimator_.decision_function(X_pool), axis=1)
    expected = d[:, -2] - d[:, -1] if measure == "margin" else -d[:, -1]
    np.testing.assert_allclose(s.score_samples(X_pool), expected)
    assert s.query(X_pool, batch_size=5).tolist() == np.argsort(-expected)[:5].tolist()


def test_uncertainty_explicit_decision_function_on_probabilistic_model(blobs3):
    X_lab, y_lab, X_pool = blobs3
    s = UncertaintySampling(
        LogisticRegression(), measure="margin", response_method="decision_function"
    ).fit(X_lab, y_lab)
    d = np.sort(s.estimator_.decision_function(X_pool), axis=1)
    np.testing.assert_allclose(s.score_samples(X_pool), d[:, -2] - d[:, -1])
    with pytest.raises(ValueError, match="entropy"):
        UncertaintySampling(
            LogisticRegression(), measure="entropy", response_method="decision_function"
        ).fit(X_lab, y_lab)


def test_uncertainty_chunked_scores_equal_unchunked(blobs3):
    X_lab, y_lab, X_pool = blobs3
    full = UncertaintySampling(LogisticRegression()).fit(X_lab, y_lab)
    chunked = UncertaintySampling(LogisticRegression(), chunk_size=7).fit(X_lab, y_lab)
    np.testing.assert_allclose(
        chunked.score_samples(X_pool), full.score_samples(X_pool)
    )


@pytest.mark.parametrize("n_classes", [3, 5, 10, 64, 65])
@pytest.mark.parametrize("measure", ["margin", "least_confidence"])
def test_uncertainty_scores_columnwise_equal_sorted_reference(n_classes, measure):
    # Up to 64 classes the top two values come from a pass per column over
    # blocks of rows, not np.partition: the scores must be the same numbers,
    # ties, certain rows and several blocks included.
    from skactive.strategies._uncertainty import _decision_uncertainty

    rng = np.random.default_rng(n_classes)
    p = rng.dirichlet(np.full(n_classes, 0.3), size=20_000)
    p[::7, :2] = p[::7, :2].mean(axis=1, keepdims=True)  # tied top two
    p[::11] = 0.0
    p[::11, n_classes // 2] = 1.0  # certain rows
    srt = np.sort(p, axis=1)
    if measure == "margin":
        expected = srt[:, -2] - srt[:, -1]
        expected_d = expected
    else:
        expected, expected_d = 1.0 - srt[:, -1], -srt[:, -1]
    np.testing.assert_array_equal(uncertainty_scores(p, measure), expected)
    np.testing.assert_array_equal(_decision_uncertainty(p, measure), expected_d)


def test_uncertainty_plain_pool_checked_like_any_input(blobs3):
    # A float ndarray pool skips validate_data's generic dispatch; the
    # checks (finite values, the number of features) and the picks must be
    # those of the full path, which a list takes.
    X_lab, y_lab, X_pool = blobs3
    s = UncertaintySampling(LogisticRegression(), measure="margin",
                            random_state=0).fit(X_lab, y_lab)
    nan, inf = X_pool.copy(), X_pool.copy()
    nan[3, 1], inf[5, 0] = np.nan, np.inf
    for bad in (nan, inf, X_pool[:, :1], np.hstack([X_pool, X_pool])):
        with pytest.raises(ValueError) as fast:
            s.query(bad)
        with pytest.raises(ValueError) as full:
            s.query(bad.tolist())
        assert str(fast.value) == str(full.value)
    picks = s.query(X_pool, batch_size=7)
    np.testing.assert_array_equal(picks, s.query(X_pool.tolist(), batch_size=7))
    np.testing.assert_array_equal(picks, s.query(np.asfortranarray(X_pool),
                                                 batch_size=7))
    np.testing.assert_array_equal(s.score_samples(X_pool.astype(np.float32)),
                                  s.score_samples(X_pool.astype(np.float32).tolist()))
    # Finite values whose sum overflows pass, as in validate_data.
    huge = np.full_like(X_pool, 1e308)
    assert s._validate_pool(huge) is huge


# == Query by committee =====================================================
def test_committee_scores_hand_values():
    # 3 members, 2 samples, 2 classes.
    P = np.array(
        [
            [[0.8, 0.2], [0.1, 0.9]],
            [[0.6, 0.4], [0.2, 0.8]],
            [[0.3, 0.7], [0.4, 0.6]],
        ]
    )
    ve = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    np.testing.assert_allclose(
        committee_scores(P, "vote_entropy"), [ve, 0.0], atol=1e-15
    )
    np.testing.assert_allclose(committee_scores(P, "variation_ratio"), [1 / 3, 0.0])
    kl = [_mean_kl(P[:, j]) for j in range(2)]
    np.testing.assert_allclose(committee_scores(P, "kl_divergence"), kl)
    # Zero probabilities: members [0.5, 0.5] and [1, 0].
    Z = np.array([[[0.5, 0.5]], [[1.0, 0.0]]])
    kl0 = 0.5 * (
        0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25) + math.log(1 / 0.75)
    )
    np.testing.assert_allclose(committee_scores(Z, "kl_divergence"), [kl0])
    with pytest.raises(ValueError, match="measure"):
        committee_scores(P, "entropy")


# Member probabilities per pool row (3 members x 4 rows x 3 classes):
# row 0 agreement, row 1 votes 0/0/1, row 2 votes 0/1/2, row 3 unanimous hard
# votes but one member far more confident (large KL, zero vote entropy).
COMMITTEE_P = np.array(
    [
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.998, 0.001, 0.001]],
        [[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.1, 0.5, 0.4], [0.34, 0.33, 0.33]],
        [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.4, 0.1, 0.5], [0.34, 0.33, 0.33]],
    ]
)


@pytest.mark.parametrize(
    "measure, expected_first",
    [("vote_entropy", 2), ("variation_ratio", 2), ("kl_divergence", 3)],
)
def test_qbc_hand_made_committee(measure, expected_first):
    committee = [FixedProbaClassifier(P) for P in COMMITTEE_P]
    s = QueryByCommittee(
        FixedProbaClassifier(COMMITTEE_P[0]), committee=committee, measure=measure,
        random_state=0,
    ).fit(id_rows(3), np.array([0, 1, 2]))
    X_pool = id_rows(4)
    scores = s.score_samples(X_pool)
    hand = []
    for j in range(4):
        rows = COMMITTEE_P[:, j]
        votes = np.bincount(rows.argmax(axis=1), minlength=3) / 3
        if measure == "vote_entropy":
            hand.append(_entropy(votes))
        elif measure == "variation_ratio":
            hand.append(1 - votes.max())
        else:
            hand.append(_mean_kl(rows))
    np.testing.assert_allclose(scores, hand, atol=1e-12)
    assert s.query(X_pool)[0] == expected_first
    assert scores[0] == pytest.approx(0.0, abs=1e-12)


class RecordingLR(LogisticRegression):
    """LogisticRegression that remembers the training set it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_X_ = np.asarray(X).copy()
        self.seen_y_ = np.asarray(y).copy()
        return super().fit(X, y, sample_weight=sample_weight)


def test_qbc_bagging_members_see_every_class_on_bootstrap_samples():
    rng = np.random.default_rng(0)
    y = np.array([0] * 8 + [1] * 5 + [2])  # class 2 has a single sample
    X = rng.normal(size=(14, 2)) + y[:, None]
    s = QueryByCommittee(RecordingLR(), n_members=6, random_state=0).fit(X, y)
    assert len(s.committee_) == 6
    row_of = {tuple(r): i for i, r in enumerate(X)}
    any_duplicates = False
    for m in s.committee_:
        np.testing.assert_array_equal(m.classes_, [0, 1, 2])
        idx = np.array([row_of[tuple(r)] for r in m.seen_X_])
        np.testing.assert_array_equal(y[idx], m.seen_y_)
        # Stratified bootstrap: same size and class counts as the labeled set.
        np.testing.assert_array_equal(np.bincount(m.seen_y_), np.bincount(y))
        any_duplicates |= len(set(idx.tolist())) < len(idx)
    assert any_duplicates
    # Members are trained on different resamples.
    resamples = {
        tuple(sorted(row_of[tuple(r)] for r in m.seen_X_)) for m in s.committee_
    }
    assert len(resamples) > 1
    # The learner's own classifier is trained on the full labeled set.
    assert s.estimator_.seen_X_.shape[0] == 14


def test_qbc_invalid_committee_size(blobs3):
    X_lab, y_lab, _ = blobs3
    with pytest.raises(ValueError, match="two members"):
        QueryByCommittee(committee=[LogisticRegression()]).fit(X_lab, y_lab)
    with pytest.raises(ValueError, match="n_members"):
        QueryByCommittee(n_members=1).fit(X_lab, y_lab)


def test_qbc_chunked_scores_equal_unchunked(blobs3):
    X_lab, y_lab, X_pool = blobs3
    kw = dict(n_members=3, measure="kl_divergence", random_state=0)
    full = QueryByCommittee(LogisticRegression(), **kw).fit(X_lab, y_lab)
    chunked = QueryByCommittee(LogisticRegression(), chunk_size=5, **kw)
    chunked.fit(X_lab, y_lab)
    np.testing.assert_allclose(
        chunked.score_samples(X_pool), full.score_samples(X_pool)
    )


# == CoreSet ================================================================
def _kcenter_brute(E, centers, k):
    D = cdist(E, E, "sqeuclidean")
    mind = cdist(E, centers, "sqeuclidean").min(axis=1)
    chosen = []
    for _ in range(k):
        masked = mind.copy()
        masked[chosen] = -1.0
        i = int(np.argmax(masked))
        chosen.append(i)
        mind = np.minimum(mind, D[i])
    return chosen


def test_coreset_farthest_then_farthest_from_that():
    X_lab, y_lab = np.array([[0.0], [1.0]]), np.array([0, 1])
    X_pool = np.array([[0.5], [4.0], [9.0], [1.2], [-2.5]])
    s = CoreSet().fit(X_lab, y_lab)
    # 9 is farthest from {0, 1}; then 4 (3 from 1) beats -2.5 (2.5 from 0).
    assert s.query(X_pool, batch_size=3).tolist() == [2, 1, 4]


def test_coreset_matches_brute_force_k_center():
    rng = np.random.default_rng(3)
    X_lab = rng.normal(size=(6, 3))
    y_lab = np.array([0, 1] * 3)
    X_pool = rng.normal(size=(80, 3))
    idx = CoreSet(chunk_size=9).fit(X_lab, y_lab).query(X_pool, batch_size=12)
    assert idx.tolist() == _kcenter_brute(X_pool, X_lab, 12)


def test_coreset_embedding_options():
    rng = np.random.default_rng(4)
    X_lab = rng.normal(size=(6, 2)) * [1.0, 50.0]
    y_lab = np.array([0, 1] * 3)
    X_pool = rng.normal(size=(40, 2)) * [1.0, 50.0]
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    auto = CoreSet(pipe).fit(X_lab, y_lab)
    scaler = auto.estimator_[0]
    assert auto.query(X_pool, 5).tolist() == _kcenter_brute(
        scaler.transform(X_pool), scaler.transform(X_lab), 5
    )
    raw = CoreSet(pipe, embedding="input").fit(X_lab, y_lab)
    assert raw.query(X_pool, 5).tolist() == _kcenter_brute(X_pool, X_lab, 5)
    first_col = CoreSet(embedding=lambda X: np.asarray(X)[:, :1]).fit(X_lab, y_lab)
    assert first_col.query(X_pool, 5).tolist() == _kcenter_brute(
        X_pool[:, :1], X_lab[:, :1], 5
    )


# == BADGE ==================================================================
def test_badge_first_pick_is_max_gradient_norm_and_batch_distinct(blobs3):
    X_lab, y_lab, X_pool = blobs3
    s = BADGE(LogisticRegression(), random_state=0).fit(X_lab, y_lab)
    idx = s.query(X_pool, batch_size=15)
    p = s.estimator_.predict_proba(X_pool)
    onehot = np.eye(3)[p.argmax(axis=1)]
    norms = np.linalg.norm(np.einsum("nc,nd->ncd", p - onehot, X_pool), axis=(1, 2))
    assert idx[0] == np.argmax(norms)
    assert len(set(idx.tolist())) == 15
    r = BADGE(LogisticRegression(), first="random", random_state=0).fit(X_lab, y_lab)
    assert len(set(r.query(X_pool, batch_size=15).tolist())) == 15


def test_badge_batch_avoids_duplicates():
    X_lab = np.array([[-2.0, 0.0], [-1.0, 0.5], [1.0, -0.5], [2.0, 0.0]])
    y_lab = np.array([0, 0, 1, 1])
    locs = np.array([[0.2, 1.0], [-0.3, -1.0], [0.5, 2.0]])
    X_pool = np.repeat(locs, 5, axis=0)
    for seed in range(5):
        idx = BADGE(LogisticRegression(), random_state=seed).fit(X_lab, y_lab).query(
            X_pool, batch_size=3
        )
        assert sorted(set((idx // 5).tolist())) == [0, 1, 2]


# == Diversity sampling =====================================================
def _binary(sets, d=10):
    X = np.zeros((len(sets), d))
    for i, s in enumerate(sets):
        X[i, sorted(s)] = 1.0
    return X


def test_diversity_jaccard_argmin_summed_similarity_and_batch_update():
    L = [{0, 1, 2}, {3, 4}]
    P = [{5, 6}, {2, 5, 6, 7}, {1, 8, 9}, {0, 1, 2, 3}]

    def jac(a, b):
        return len(a & b) / len(a | b)

    sums = [sum(jac(p, r) for r in L) for p in P]
    s = DiversitySampling(metric="jaccard", random_state=0).fit(_binary(L), [0, 1])
    X_pool = _binary(P)
    np.testing.assert_allclose(s.score_samples(X_pool), -np.array(sums) / len(L))
    assert s.query(X_pool)[0] == int(np.argmin(sums)) == 0
    # Brute-force greedy with the reference set growing inside the batch.
    ref, chosen = list(L), []
    for _ in range(3):
        tot = [sum(jac(p, r) for r in ref) if i not in chosen else np.inf
               for i, p in enumerate(P)]
        chosen.append(int(np.argmin(tot)))
        ref.append(P[chosen[-1]])
    assert chosen == [0, 2, 1]  # a static ranking would give [0, 1, 2]
    assert s.query(X_pool, batch_size=3).tolist() == chosen


@pytest.mark.parametrize("metric", ["cosine", "rbf"])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_diversity_batch_matches_brute_force(metric, aggregate):
    rng = np.random.default_rng(7)
    X_lab, X_pool = rng.normal(size=(5, 3)), rng.normal(size=(40, 3))
    y_lab = np.array([0, 1, 0, 1, 0])

    def sim(A, B):
        if metric == "cosine":
            return 0.5 * (1 + 1 - cdist(A, B, "cosine"))
        return np.exp(-cdist(A, B, "sqeuclidean") / 3)

    ref, chosen = [*X_lab], []
    for _ in range(6):
        S = sim(X_pool, np.array(ref))
        agg = S.mean(axis=1) if aggregate == "mean" else S.max(axis=1)
        agg[chosen] = np.inf
        chosen.append(int(np.argmin(agg)))
        ref.append(X_pool[chosen[-1]])
    s = DiversitySampling(metric=metric, aggregate=aggregate, chunk_size=7)
    assert s.fit(X_lab, y_lab).query(X_pool, batch_size=6).tolist() == chosen


# == Density weighted =======================================================
@pytest.mark.parametrize("measure", ["entropy", "least_confidence", "margin"])
def test_density_weighted_beta_zero_is_uncertainty_sampling(blobs3, measure):
    X_lab, y_lab, X_pool = blobs3
    dw = DensityWeighted(
        LogisticRegression(), measure=measure, beta=0.0, random_state=1
    )
    us = UncertaintySampling(LogisticRegression(), measure=measure, random_state=1)
    dw.fit(X_lab, y_lab)
    us.fit(X_lab, y_lab)
    shift = 1.0 if measure == "margin" else 0.0
    np.testing.assert_allclose(
        dw.score_samples(X_pool), us.score_samples(X_pool) + shift
    )
    assert np.array_equal(dw.query(X_pool, 10), us.query(X_pool, 10))


@pytest.mark.parametrize("metric", ["rbf", "cosine"])
def test_density_weighted_large_beta_prefers_dense_region(metric):
    X_lab, y_lab = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([0, 1])
    # An outlier on the decision boundary and a tight cluster off it.
    X_pool = np.array(
        [[0.0, -6.0], [0.4, 1.0], [0.45, 1.05], [0.5, 0.95], [0.42, 0.98], [0.47, 1.02]]
    )
    plain = DensityWeighted(LogisticRegression(), beta=0.0, metric=metric, gamma=1.0)
    assert plain.fit(X_lab, y_lab).query(X_pool)[0] == 0
    dense = DensityWeighted(LogisticRegression(), beta=5.0, metric=metric, gamma=1.0)
    assert dense.fit(X_lab, y_lab).query(X_pool)[0] != 0


# == Expected error reduction ===============================================
@pytest.mark.parametrize("loss", ["log_loss", "zero_one"])
def test_eer_agrees_with_brute_force(loss):
    rng = np.random.default_rng(0)
    X_lab = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 0.5]])
    y_lab = np.array([0, 0, 1, 1])
    X_pool = rng.normal(size=(8, 2)) * 1.5
    s = ExpectedErrorReduction(
        LogisticRegression(), loss=loss, n_candidates=100, n_eval=None, random_state=0
    ).fit(X_lab, y_lab)
    p_pool = LogisticRegression().fit(X_lab, y_lab).predict_proba(X_pool)
    losses = []
    for i, x in enumerate(X_pool):
        total = 0.0
        for c in (0, 1):
            m = LogisticRegression().fit(np.vstack([X_lab, x]), np.append(y_lab, c))
            q = m.predict_proba(X_pool)
            risk = (1 - q.max(axis=1)).sum() if loss == "zero_one" else sum(
                _entropy(r) for r in q
            )
            total += p_pool[i, c] * risk
        losses.append(total)
    order = np.argsort(losses)
    assert s.query(X_pool)[0] == order[0]
    assert s.query(X_pool, batch_size=3).tolist() == order[:3].tolist()


# == Seeding, repeatability, persistence ====================================
def _loop(s, X, y, lab, rounds=3, batch=3):
    lab = list(lab)
    picks = []
    for _ in range(rounds):
        pool = np.setdiff1d(np.arange(len(y)), lab)
        s.fit(X[lab], y[lab])
        q = pool[s.query(X[pool], batch_size=batch)]
        picks.append(q.tolist())
        lab.extend(q.tolist())
    return picks


@pytest.fixture(scope="module")
def loop_data():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 20)
    X = rng.normal(size=(60, 3)) + np.eye(3)[y] * 2.5
    lab = [0, 1, 20, 21, 40, 41]
    return X, y, lab


def test_same_random_state_same_query_sequence(strategy, loop_data):
    X, y, lab = loop_data
    a = _loop(clone(strategy), X, y, lab)
    b = _loop(clone(strategy), X, y, lab)
    assert a == b


def test_query_is_repeatable_on_fitted_strategy(strategy, blobs3):
    X_lab, y_lab, X_pool = blobs3
    s = strategy.fit(X_lab, y_lab)
    first = s.query(X_pool, batch_size=5)
    assert first.dtype == np.intp
    assert len(set(first.tolist())) == 5
    assert np.array_equal(first, s.query(X_pool, batch_size=5))


def test_pickle_round_trip_gives_identical_queries(strategy, blobs3):
    X_lab, y_lab, X_pool = blobs3
    s = strategy.fit(X_lab, y_lab)
    s2 = pickle.loads(pickle.dumps(s))
    assert np.array_equal(s.query(X_pool, batch_size=5), s2.query(X_pool, batch_size=5))


def test_clone_and_refit_gives_identical_queries(strategy, blobs3):
    X_lab, y_lab, X_pool = blobs3
    a = strategy.fit(X_lab, y_lab).query(X_pool, batch_size=5)
    b = clone(strategy).fit(X_lab, y_lab).query(X_pool, batch_size=5)
    assert np.array_equal(a, b)


def test_different_random_state_breaks_ties_differently():
    X_lab, y_lab = id_rows(2), np.array([0, 1])
    X_pool = id_rows(30)
    tied = np.full((30, 2), 0.5)

    def picks(make):
        return {
            tuple(make(seed).fit(X_lab, y_lab).query(X_pool, 5)) for seed in range(8)
        }

    def tied_us(r):
        return UncertaintySampling(FixedProbaClassifier(tied), random_state=r)

    assert len(picks(lambda r: RandomSampling(random_state=r))) > 1
    assert len(picks(tied_us)) > 1
    assert len(picks(lambda r: BADGE(first="random", random_state=r))) > 1
    assert len(picks(lambda r: tied_us(0))) == 1


# == refit=False ============================================================
def test_refit_false_uses_the_given_fitted_estimator(strategy, blobs3):
    X_lab, y_lab, X_pool = blobs3
    est = LogisticRegression().fit(X_lab[:9], y_lab[:9])  # not the data passed below
    coef, intercept = est.coef_.copy(), est.intercept_.copy()
    s = clone(strategy).set_params(estimator=est, refit=False).fit(X_lab, y_lab)
    assert s.estimator_ is est
    np.testing.assert_array_equal(est.coef_, coef)
    np.testing.assert_array_equal(est.intercept_, intercept)
    s.query(X_pool, batch_size=3)
    np.testing.assert_array_equal(est.coef_, coef)


def test_refit_false_scores_come_from_the_given_estimator(blobs3):
    X_lab, y_lab, X_pool = blobs3
    est = LogisticRegression().fit(X_lab[:9], y_lab[:9])
    s = UncertaintySampling(est, refit=False).fit(X_lab, y_lab)
    np.testing.assert_allclose(
        s.score_samples(X_pool),
        uncertainty_scores(est.predict_proba(X_pool), "entropy"),
    )


def test_refit_false_with_unfitted_estimator_raises(strategy, blobs3):
    X_lab, y_lab, _ = blobs3
    s = clone(strategy).set_params(estimator=LogisticRegression(), refit=False)
    with pytest.raises(ValueError, match="refit=False"):
        s.fit(X_lab, y_lab)


# == Errors =================================================================
def test_query_input_errors(strategy, blobs3):
    X_lab, y_lab, X_pool = blobs3
    s = strategy.fit(X_lab, y_lab)
    pool10 = X_pool[:10]
    with pytest.raises(ValueError, match=r"batch_size=11.*10 samples"):
        s.query(pool10, batch_size=11)
    with pytest.raises(ValueError, match="empty"):
        s.query(np.empty((0, 2)))
    with pytest.raises(ValueError, match=">= 1"):
        s.query(pool10, batch_size=0)
    for bad in (2.0, "3", None):
        with pytest.raises(TypeError, match="batch_size"):
            s.query(pool10, batch_size=bad)
    with pytest.raises(ValueError, match="2D"):
        s.query(pool10[:, 0])
    bad = pool10.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        s.query(bad)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        s.query(bad)
    with pytest.raises(ValueError, match="3 features.*expecting 2 features"):
        s.query(np.hstack([pool10, pool10[:, :1]]))


def test_fit_input_errors(strategy, blobs3):
    X_lab, y_lab, _ = blobs3
    with pytest.raises(ValueError, match="2D"):
        clone(strategy).fit(X_lab[:, 0], y_lab)
    bad = X_lab.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(strategy).fit(bad, y_lab)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clone(strategy).fit(X_lab, y_lab[:-1])
    with pytest.raises(ValueError, match="class"):
        clone(strategy).fit(X_lab, np.zeros_like(y_lab))
    with pytest.raises(ValueError, match="Unknown label type|continuous"):
        clone(strategy).fit(X_lab, y_lab + 0.5)


@pytest.mark.parametrize(
    "make",
    [
        lambda e: BADGE(e),
        lambda e: UncertaintySampling(e, measure="entropy"),
        lambda e: UncertaintySampling(
            e, measure="margin", response_method="predict_proba"
        ),
        lambda e: DensityWeighted(e),
        lambda e: ExpectedErrorReduction(e),
        lambda e: QueryByCommittee(e, measure="kl_divergence"),
    ],
)
def test_classifier_without_predict_proba_raises_type_error(make, blobs3):
    X_lab, y_lab, _ = blobs3
    msg = "LinearSVC.*predict_proba|predict_proba.*LinearSVC"
    with pytest.raises(TypeError, match=msg):
        make(LinearSVC()).fit(X_lab, y_lab)


@pytest.mark.parametrize(
    "make, param",
    [
        (lambda: UncertaintySampling(measure="variance"), "measure"),
        (lambda: UncertaintySampling(response_method="predict"), "response_method"),
        (lambda: QueryByCommittee(measure="entropy"), "measure"),
        (lambda: DiversitySampling(metric="euclidean"), "metric"),
        (lambda: DiversitySampling(aggregate="sum"), "aggregate"),
        (lambda: DiversitySampling(embedding="pca"), "embedding"),
        (lambda: DensityWeighted(metric="euclidean"), "metric"),
        (lambda: DensityWeighted(measure="variance"), "measure"),
        (lambda: DensityWeighted(beta=-1.0), "beta"),
        (lambda: DensityWeighted(metric="rbf", gamma=0.0), "gamma"),
        (lambda: CoreSet(embedding="pca"), "embedding"),
        (lambda: BADGE(first="min_norm"), "first"),
        (lambda: ExpectedErrorReduction(loss="hinge"), "loss"),
    ],
)
def test_invalid_options_name_the_parameter(make, param, blobs3):
    X_lab, y_lab, _ = blobs3
    with pytest.raises(ValueError, match=param):
        make().fit(X_lab, y_lab)


# == Agreement with scikit-activeml =========================================
@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("least_confidence", "least_confident"),
        ("margin", "margin_sampling"),
        ("entropy", "entropy"),
    ],
)
def test_uncertainty_agrees_with_scikit_activeml(ours, theirs):
    pytest.importorskip("skactiveml")
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import UncertaintySampling as SkUS

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    lab = np.arange(100)
    lr = LogisticRegression(max_iter=1000).fit(X[lab], y[lab])
    y_missing = np.full(y.shape[0], np.nan)
    y_missing[lab] = y[lab]
    theirs_idx = SkUS(method=theirs, random_state=0).query(
        X=X, y=y_missing, clf=SklearnClassifier(lr, classes=np.arange(10)),
        fit_clf=False, batch_size=10,
    )
    pool = np.flatnonzero(np.isnan(y_missing))
    s = UncertaintySampling(lr, measure=ours, refit=False, random_state=0)
    s.fit(X[lab], y[lab])
    ours_idx = pool[s.query(X[pool], batch_size=10)]
    assert set(ours_idx.tolist()) == set(np.asarray(theirs_idx).tolist())


# == Diversity: empty rows, sparse input, prepared pool =====================
from skactive.strategies import similarity_to_set  # noqa: E402


def _token_counts(n, d, nnz_per_row, seed, n_empty=0):
    """CSR token-count matrix with ``n_empty`` all-zero rows at the end."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n - n_empty), nnz_per_row)
    cols = rng.integers(0, d, size=rows.shape[0])
    vals = rng.integers(1, 4, size=rows.shape[0]).astype(float)
    # Duplicate (row, col) entries are summed, as in a token count.
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, d))


@pytest.mark.parametrize("sparse", [False, True])
def test_diversity_jaccard_empty_rows_are_similar_to_each_other(sparse):
    import scipy.sparse as sp

    L = _binary([{0, 1}, {3, 4}])
    P = _binary([set(), set(), {4, 5}, {0, 1, 2}])
    X_lab, X_pool = (sp.csr_matrix(L), sp.csr_matrix(P)) if sparse else (L, P)
    s = DiversitySampling(metric="jaccard", random_state=0).fit(X_lab, [0, 1])
    q = s.query(X_pool, batch_size=3).tolist()
    # One empty row, then row 2 (not the second empty row), then row 3.
    assert q[0] in (0, 1) and q[1:] == [2, 3]
    # scipy's convention: J(empty, empty) = 1, J(empty, non-empty) = 0.
    expected = 1.0 - cdist(P.astype(bool), P.astype(bool), "jaccard")
    assert expected[0, 1] == 1.0 and expected[0, 2] == 0.0
    for j in range(P.shape[0]):
        np.testing.assert_allclose(
            similarity_to_set(X_pool, X_pool[j : j + 1], metric="jaccard"),
            expected[:, j],
        )
    # Cosine: a zero-norm row is as similar to everything as orthogonal rows.
    np.testing.assert_allclose(
        similarity_to_set(X_pool, X_pool, metric="cosine", aggregate="max")[:2],
        0.5,
    )


@pytest.mark.parametrize("metric", ["cosine", "jaccard", "rbf"])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_similarity_to_set_sparse_matches_dense(metric, aggregate):
    X = _token_counts(60, 25, 4, seed=0, n_empty=3)
    Y = _token_counts(9, 25, 5, seed=1, n_empty=1)
    kw = dict(metric=metric, aggregate=aggregate, gamma=0.1, chunk_size=7)
    ref = similarity_to_set(X.toarray(), Y.toarray(), **kw)
    assert ref.shape == (60,) and np.all(np.isfinite(ref))
    for A, B in [(X, Y), (X.tocsc(), Y.tocoo()), (X, Y.toarray()),
                 (X.toarray(), Y)]:
        np.testing.assert_allclose(similarity_to_set(A, B, **kw), ref, atol=1e-12)
    # float32 dense input gives the same similarities to float32 accuracy.
    np.testing.assert_allclose(
        similarity_to_set(X.toarray().astype(np.float32), Y.toarray(), **kw),
        ref, atol=1e-6,
    )


@pytest.mark.parametrize("metric", ["cosine", "jaccard", "rbf"])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_diversity_sparse_matches_dense(metric, aggregate):
    import scipy.sparse as sp

    X_lab = _token_counts(6, 40, 6, seed=2)
    y_lab = np.array([0, 1, 0, 1, 0, 1])
    X_pool = _token_counts(80, 40, 6, seed=3, n_empty=2)
    kw = dict(metric=metric, aggregate=aggregate, chunk_size=9, random_state=0)
    dense = DiversitySampling(LogisticRegression(), **kw).fit(X_lab.toarray(), y_lab)
    sparse = DiversitySampling(LogisticRegression(), **kw).fit(X_lab, y_lab)
    assert sp.issparse(sparse.X_labeled_embedding_)
    np.testing.assert_allclose(
        sparse.score_samples(X_pool), dense.score_samples(X_pool.toarray()),
        atol=1e-12,
    )
    assert np.array_equal(
        sparse.query(X_pool, batch_size=8), dense.query(X_pool.toarray(), 8)
    )
    assert np.array_equal(
        sparse.query(X_pool.tocsc(), batch_size=8), dense.query(X_pool.toarray(), 8)
    )


@pytest.mark.parametrize("metric", ["cosine", "jaccard", "rbf"])
def test_density_weighted_sparse_matches_dense(metric):
    X_lab = _token_counts(6, 40, 6, seed=4)
    y_lab = np.array([0, 1, 0, 1, 0, 1])
    X_pool = _token_counts(90, 40, 6, seed=5, n_empty=2)
    # max_reference < n_pool: the seeded reference subsample is used too.
    kw = dict(metric=metric, max_reference=30, chunk_size=11, random_state=0)
    dense = DensityWeighted(LogisticRegression(), **kw).fit(X_lab.toarray(), y_lab)
    sparse = DensityWeighted(LogisticRegression(), **kw).fit(X_lab, y_lab)
    np.testing.assert_allclose(
        sparse.score_samples(X_pool), dense.score_samples(X_pool.toarray()),
        rtol=1e-10,
    )
    assert np.array_equal(sparse.query(X_pool, 5), dense.query(X_pool.toarray(), 5))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("metric", ["cosine", "jaccard", "rbf"])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_diversity_incremental_picks_match_greedy_recomputation(
    sparse, metric, aggregate
):
    import scipy.sparse as sp

    X_lab = _token_counts(5, 30, 5, seed=6)
    y_lab = np.array([0, 1, 0, 1, 0])
    X_pool = _token_counts(50, 30, 5, seed=7, n_empty=2)
    D_lab, D_pool = X_lab.toarray(), X_pool.toarray()
    s = DiversitySampling(metric=metric, aggregate=aggregate, chunk_size=6,
                          random_state=0)
    s.fit(X_lab if sparse else D_lab, y_lab)
    chosen = s.query(X_pool if sparse else D_pool, batch_size=10).tolist()
    assert len(set(chosen)) == 10
    # Each pick minimises the aggregate similarity to the labeled set plus
    # the earlier picks, recomputed from scratch (ties allowed).
    for t, i in enumerate(chosen):
        ref = np.vstack([D_lab, D_pool[chosen[:t]]])
        agg = similarity_to_set(D_pool, sp.csr_matrix(ref), metric, aggregate)
        agg[chosen[:t]] = np.inf
        assert agg[i] <= agg.min() + 1e-12


def test_diversity_sparse_jaccard_query_memory_is_bounded():
    import tracemalloc

    n, d = 20000, 5000
    X_pool = _token_counts(n, d, 20, seed=8)
    X_lab = _token_counts(20, d, 20, seed=9)
    y_lab = np.arange(20) % 2
    div = DiversitySampling(metric="jaccard", random_state=0).fit(X_lab, y_lab)
    dw = DensityWeighted(metric="jaccard", max_reference=500, chunk_size=1000,
                         random_state=0).fit(X_lab, y_lab)
    tracemalloc.start()
    try:
        q = div.query(X_pool, batch_size=10)
        _, peak_div = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        dw.query(X_pool, batch_size=10)
        _, peak_dw = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(set(q.tolist())) == 10
    dense_bytes = n * d * 8
    assert peak_div < dense_bytes / 10
    assert peak_dw < dense_bytes / 10


@pytest.mark.parametrize("n_jobs, err", [(0, ValueError), (1.5, TypeError),
                                         (True, TypeError), ("two", TypeError)])
def test_n_jobs_is_checked_by_name(n_jobs, err):
    from sklearn.tree import DecisionTreeClassifier

    from skactive import ExpectedErrorReduction, QueryByCommittee

    X = np.random.RandomState(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    for strategy in (QueryByCommittee(DecisionTreeClassifier(), n_members=2,
                                      n_jobs=n_jobs),
                     ExpectedErrorReduction(n_candidates=2, n_eval=5,
                                            n_jobs=n_jobs)):
        with pytest.raises(err, match=r"n_jobs"):
            strategy.fit(X, y).query(X, 1)
