"""DiversitySampling / similarity_to_set on token-id sequences (ALIL's baseline).

A row of a token-index matrix (``SequenceVectorizer``: right-padded ids, ``0``
padding, ``1`` out-of-vocabulary) is compared as the set of its ids.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearner, DiversitySampling
from skactive.strategies import similarity_to_set

Y2 = np.array([0, 1])


def _sets(X, ignore=(0, 1)):
    return [set(row.tolist()) - {i for i in ignore if i is not None} for row in X]


def _jac(a, b):
    return 1.0 if not (a | b) else len(a & b) / len(a | b)


def _cos(a, b):
    if not a or not b:
        return 0.5
    return 0.5 * (1.0 + len(a & b) / np.sqrt(len(a) * len(b)))


def _brute(X, Y, aggregate="mean", metric="jaccard", ignore=(0, 1)):
    sim = _jac if metric == "jaccard" else _cos
    S = np.array([[sim(a, b) for b in _sets(Y, ignore)] for a in _sets(X, ignore)])
    return S.mean(axis=1) if aggregate == "mean" else S.max(axis=1)


def _random_tokens(rng, n, length, vocab, min_len=0):
    """Right-padded token rows with repeated ids and OOV (1) entries."""
    X = rng.integers(1, vocab, size=(n, length))
    lengths = rng.integers(min_len, length + 1, size=n)
    X[np.arange(length) >= lengths[:, None]] = 0
    return X


# -- the constructed case -------------------------------------------------------
def test_disjoint_document_of_equal_length_is_picked_first():
    X_lab = np.array([[2, 3, 4, 0], [2, 5, 6, 0]])
    X_pool = np.array([
        [2, 3, 5, 0],  # shares tokens with both
        [7, 8, 9, 0],  # shares none, same length as the labeled documents
        [4, 6, 2, 0],
    ])
    s = DiversitySampling(metric="jaccard", input="tokens", random_state=0)
    s.fit(X_lab, Y2)
    assert s.input_ == "tokens"
    assert s.query(X_pool)[0] == 1
    np.testing.assert_allclose(-s.score_samples(X_pool), _brute(X_pool, X_lab))
    assert s.score_samples(X_pool)[1] == 0.0
    # The old position-wise comparison cannot tell the documents apart.
    f = DiversitySampling(metric="jaccard", input="features").fit(X_lab, Y2)
    assert f.input_ == "features"
    np.testing.assert_allclose(f.score_samples(X_pool), -1.0)


def test_padding_does_not_count():
    rng = np.random.default_rng(0)
    X, Y = _random_tokens(rng, 30, 6, 12), _random_tokens(rng, 5, 6, 12, min_len=1)
    ref = similarity_to_set(X, Y, metric="jaccard", input="tokens")
    pad = np.zeros((30, 4), dtype=X.dtype)
    X_long = np.hstack([X, pad])
    np.testing.assert_allclose(
        similarity_to_set(X_long, Y, metric="jaccard", input="tokens"), ref
    )
    s = DiversitySampling(metric="jaccard", input="tokens", random_state=0)
    y = np.arange(5) % 2
    q = s.fit(Y, y).query(X, batch_size=5)
    s_long = clone(s).fit(np.hstack([Y, pad[:5]]), y)
    np.testing.assert_allclose(s_long.score_samples(X_long), s.score_samples(X))
    assert np.array_equal(s_long.query(X_long, batch_size=5), q)
    # With padding_idx=None, 0 is a token like any other.
    other = similarity_to_set(X, Y, metric="jaccard", input="tokens",
                              padding_idx=None)
    np.testing.assert_allclose(other, _brute(X, Y, ignore=(1,)))
    assert not np.allclose(other, ref)


def test_token_order_and_repetitions_do_not_matter():
    rng = np.random.default_rng(1)
    X, Y = _random_tokens(rng, 40, 8, 10), _random_tokens(rng, 6, 8, 10)
    ref = similarity_to_set(X, Y, metric="jaccard", input="tokens")
    perm = np.argsort(rng.random(X.shape), axis=1)
    X_perm = np.take_along_axis(X, perm, axis=1)
    np.testing.assert_allclose(
        similarity_to_set(X_perm, Y, metric="jaccard", input="tokens"), ref
    )
    # Repeated tokens count once.
    a = np.array([[5, 5, 5, 7, 0, 0]])
    b = np.array([[5, 7, 9, 0, 0, 0]])
    np.testing.assert_allclose(
        similarity_to_set(a, b, metric="jaccard", input="tokens"), [2 / 3]
    )
    np.testing.assert_allclose(
        similarity_to_set(a, np.array([[7, 5, 0, 0, 0, 0]]), metric="jaccard",
                          input="tokens"),
        [1.0],
    )


def test_oov_is_not_a_token_by_default():
    a = np.array([[1, 1, 4, 0]])  # one known word, two unknown ones
    b = np.array([[1, 5, 0, 0]])
    assert similarity_to_set(a, b, metric="jaccard", input="tokens")[0] == 0.0
    # oov_idx=None: 1 is a token shared by both.
    np.testing.assert_allclose(
        similarity_to_set(a, b, metric="jaccard", input="tokens", oov_idx=None),
        [1 / 3],
    )
    # A document of only OOV and padding is an empty set: J(empty, empty) = 1.
    e = np.array([[1, 1, 0, 0]])
    assert similarity_to_set(e, e * 0, metric="jaccard", input="tokens")[0] == 1.0
    assert similarity_to_set(e, b, metric="jaccard", input="tokens")[0] == 0.0


@pytest.mark.parametrize("metric", ["jaccard", "cosine"])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
@pytest.mark.parametrize("ignore", [(0, 1), (0, None), (None, None), (3, 1)])
def test_similarity_to_set_matches_python_sets(metric, aggregate, ignore):
    rng = np.random.default_rng(2)
    for trial in range(4):
        X = _random_tokens(rng, 25, 7, 9)
        # Y is shorter and its largest id smaller: one vocabulary for both.
        Y = _random_tokens(rng, 4, 5, 6).astype(np.int32)
        got = similarity_to_set(X, Y, metric=metric, aggregate=aggregate,
                                chunk_size=4, input="tokens",
                                padding_idx=ignore[0], oov_idx=ignore[1])
        np.testing.assert_allclose(got, _brute(X, Y, aggregate, metric, ignore),
                                   atol=1e-12)


@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_diversity_batch_matches_brute_force_greedy(aggregate):
    rng = np.random.default_rng(3)
    X_lab = _random_tokens(rng, 4, 6, 8, min_len=2)
    # Pool ids up to 14, above every labeled id.
    X_pool = _random_tokens(rng, 40, 6, 15)
    y_lab = np.array([0, 1, 0, 1])
    s = DiversitySampling(metric="jaccard", aggregate=aggregate, input="tokens",
                          chunk_size=7, random_state=0).fit(X_lab, y_lab)
    np.testing.assert_allclose(-s.score_samples(X_pool),
                               _brute(X_pool, X_lab, aggregate), atol=1e-12)
    chosen = s.query(X_pool, batch_size=8).tolist()
    assert len(set(chosen)) == 8
    for t, i in enumerate(chosen):
        ref = np.vstack([X_lab, X_pool[chosen[:t]]])
        agg = _brute(X_pool, ref, aggregate)
        agg[chosen[:t]] = np.inf
        assert agg[i] <= agg.min() + 1e-12  # ties allowed
    # The loop's shortcut over rows of X gives the greedy batch too.
    X = np.vstack([X_lab, X_pool])
    cand = np.arange(4, X.shape[0])
    assert s._query_candidates(X, cand, 8).tolist() == [c + 4 for c in chosen]


def test_unsigned_and_int32_ids():
    rng = np.random.default_rng(4)
    X, Y = _random_tokens(rng, 20, 5, 9), _random_tokens(rng, 3, 5, 9)
    ref = similarity_to_set(X, Y, metric="jaccard", input="tokens")
    for dtype in (np.int32, np.uint8, np.uint64):
        np.testing.assert_allclose(
            similarity_to_set(X.astype(dtype), Y.astype(dtype), metric="jaccard",
                              input="tokens"),
            ref,
        )


def test_dask_pool_scores_match():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(5)
    X_lab, X_pool = _random_tokens(rng, 6, 8, 20), _random_tokens(rng, 50, 8, 30)
    s = DiversitySampling(metric="jaccard", input="tokens").fit(X_lab, np.arange(6) % 2)
    np.testing.assert_allclose(
        s.score_samples(da.from_array(X_pool, chunks=(12, 8))),
        s.score_samples(X_pool),
    )


# -- input resolution -------------------------------------------------------------
def test_auto_stays_features_without_a_token_network():
    rng = np.random.default_rng(6)
    X = _random_tokens(rng, 10, 6, 9)
    y = np.arange(10) % 2
    # LogisticRegression does not read ids: a dense int matrix is ambiguous.
    s = DiversitySampling(metric="jaccard").fit(X, y)
    assert s.input_ == "features"
    old = similarity_to_set(X, X[:3], metric="jaccard")
    s = DiversitySampling(metric="jaccard").fit(X[:3], y[:3])
    np.testing.assert_allclose(-s.score_samples(X), old)
    # Sparse counts are bag-of-words features.
    assert DiversitySampling(metric="jaccard").fit(
        sp.csr_matrix(X), y).input_ == "features"
    assert DiversitySampling(metric="cosine").fit(X, y).input_ == "features"


def test_clone_and_get_params_round_trip():
    s = DiversitySampling(metric="jaccard", input="tokens", padding_idx=None,
                          oov_idx=3)
    params = s.get_params()
    assert params["input"] == "tokens" and params["padding_idx"] is None
    assert params["oov_idx"] == 3
    c = clone(s)
    assert c.get_params() == params
    c.set_params(input="features", padding_idx=0, oov_idx=None)
    assert (c.input, c.padding_idx, c.oov_idx) == ("features", 0, None)
    d = DiversitySampling()
    assert (d.input, d.padding_idx, d.oov_idx) == ("auto", 0, 1)


@pytest.mark.parametrize(
    "kwargs, X, match",
    [
        (dict(input="words"), None, "input must be one of"),
        (dict(input="tokens"), np.array([[2.0, 3.0], [4.0, 0.0]]), "integer array"),
        (dict(input="tokens"), sp.csr_matrix([[2, 3], [4, 0]]), "dense integer"),
        (dict(input="tokens"), np.array([[2, -3], [4, 0]]), ">= 0"),
        (dict(input="tokens", padding_idx=-1), None, "padding_idx"),
        (dict(input="tokens", oov_idx=1.5), None, "oov_idx"),
        (dict(input="tokens", metric="rbf"), None, "metric"),
        (dict(input="tokens", embedding="auto"), None, "embedding='input'"),
    ],
)
def test_clear_errors(kwargs, X, match):
    X = np.array([[2, 3], [4, 0]]) if X is None else X
    kwargs.setdefault("metric", "jaccard")
    with pytest.raises(ValueError, match=match):
        DiversitySampling(LogisticRegression(), **kwargs).fit(X, Y2)


def test_clear_errors_at_query_and_in_similarity_to_set():
    s = DiversitySampling(metric="jaccard", input="tokens").fit(
        np.array([[2, 3], [4, 0]]), Y2)
    with pytest.raises(ValueError, match="integer array"):
        s.query(np.array([[2.0, 3.0]]))
    A = np.array([[2, 3]])
    with pytest.raises(ValueError, match="input must be one of"):
        similarity_to_set(A, A, metric="jaccard", input="auto")
    with pytest.raises(ValueError, match="integer array"):
        similarity_to_set(A, A.astype(float), metric="jaccard", input="tokens")
    with pytest.raises(ValueError, match="metric"):
        similarity_to_set(A, A, metric="rbf", input="tokens")


# -- the text pipeline --------------------------------------------------------------
DOCS = [
    "good film great plot", "bad film awful plot", "great actor good story",
    "awful story bad actor", "superb music", "boring scene poor music",
    "the plot of the film", "a story of an actor", "music and scene",
    "excellent superb fine", "terrible boring poor", "film film film",
] * 3


def test_active_learner_with_sequence_vectorizer_and_a_text_network():
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skactive.nets import SequenceVectorizer, make_text_cnn

    y = np.array([1, 0] * (len(DOCS) // 2))
    vec = SequenceVectorizer(max_features=12, max_len=6)
    X = vec.fit_transform(DOCS)
    assert X.dtype == np.int64 and (X == 1).any()  # some words are OOV
    net = make_text_cnn(vocab_size=vec.vocabulary_size_, embedding_dim=4,
                        n_filters=4, max_epochs=1, batch_size=8, random_state=0)
    # "auto": the network reads X as token ids, so token sets are compared.
    al = ActiveLearner(DiversitySampling(net, metric="jaccard", random_state=0),
                       batch_size=3, budget=6, initial_size=4, random_state=0)
    al.fit(X, y)
    assert al.strategy_.input_ == "tokens"
    assert len(al.labeled_indices_) == 10
    # Every round's batch is the greedy set-Jaccard choice from its labeled set.
    lab = al.labeled_indices_[:4].tolist()
    for entry in al.history_[:-1]:
        picked = entry["queried"].tolist()
        pool = np.setdiff1d(np.arange(X.shape[0]), lab)
        for t, i in enumerate(picked):
            agg = _brute(X[pool], X[lab + picked[:t]])
            agg[np.isin(pool, picked[:t])] = np.inf
            assert agg[np.flatnonzero(pool == i)[0]] <= agg.min() + 1e-12
        lab += picked
    # With the embedding, the network's features are compared instead.
    s = DiversitySampling(net, metric="jaccard", embedding="auto").fit(X[:8], y[:8])
    assert s.input_ == "features"
    assert s.X_labeled_embedding_.shape == (8, 4)
    # Any other classifier: ask for token sets explicitly.
    s = DiversitySampling(metric="jaccard", input="tokens").fit(X[:8], y[:8])
    np.testing.assert_allclose(-s.score_samples(X[8:]), _brute(X[8:], X[:8]))
