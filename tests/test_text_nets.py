"""Text networks: SequenceVectorizer, TextCNNModule, LSTMModule and factories."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skactive import ActiveLearner, UncertaintySampling  # noqa: E402
from skactive.nets._text import (  # noqa: E402
    LSTMModule,
    SequenceVectorizer,
    TextCNNModule,
    make_lstm,
    make_text_cnn,
)

POS = ["good", "great", "excellent", "fine", "superb"]
NEG = ["bad", "awful", "terrible", "poor", "boring"]
FILLER = ["the", "movie", "plot", "actor", "was", "a", "film", "story", "and", "it",
          "very", "quite", "this", "of", "scene", "music"]


def make_corpus(n, seed):
    """Two-class documents: filler words plus one or two sentiment words."""
    rng = np.random.RandomState(seed)
    docs, y = [], rng.randint(2, size=n)
    for label in y:
        words = list(rng.choice(FILLER, size=rng.randint(3, 12)))
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(len(words) + 1),
                         rng.choice(POS if label else NEG))
        docs.append(" ".join(words))
    return docs, y


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(200, seed=0)


# -- SequenceVectorizer -------------------------------------------------------
def test_vectorizer_vocabulary_order_is_by_count_then_alphabetical():
    docs = ["b a c c", "d b c", "a"]  # c: 3, a: 2, b: 2, d: 1
    vec = SequenceVectorizer().fit(docs)
    assert vec.vocabulary_ == {"c": 2, "a": 3, "b": 4, "d": 5}
    assert vec.vocabulary_size_ == 6
    # independent of document order
    assert SequenceVectorizer().fit(docs[::-1]).vocabulary_ == vec.vocabulary_


def test_vectorizer_transform_oov_padding_truncation():
    vec = SequenceVectorizer(max_len=4).fit(["x y z", "x y", "x"])
    X = vec.transform(["x", "y unknown x", "z z z z z z", ""])
    assert X.dtype == np.int64 and X.shape == (4, 4)
    np.testing.assert_array_equal(
        X, [[2, 0, 0, 0], [3, 1, 2, 0], [4, 4, 4, 4], [0, 0, 0, 0]]
    )
    # truncation keeps the first tokens
    np.testing.assert_array_equal(vec.transform(["y x z x y"]), [[3, 2, 4, 2]])
    np.testing.assert_array_equal(vec.fit_transform(["x y z", "x y", "x"]),
                                  vec.transform(["x y z", "x y", "x"]))


def test_vectorizer_lowercase_and_token_pattern():
    vec = SequenceVectorizer(max_len=3).fit(["Good GOOD good"])
    assert vec.vocabulary_ == {"good": 2}
    vec = SequenceVectorizer(lowercase=False, max_len=3).fit(["Good GOOD good"])
    assert set(vec.vocabulary_) == {"Good", "GOOD", "good"}
    vec = SequenceVectorizer(token_pattern=r"[^,]+", max_len=3).fit(["a b,c"])
    assert vec.vocabulary_ == {"a b": 2, "c": 3}


def test_vectorizer_max_features_and_min_df(corpus):
    docs, _ = corpus
    full = SequenceVectorizer(max_features=None).fit(docs)
    n_tokens = len(set(FILLER) | set(POS) | set(NEG))
    assert full.vocabulary_size_ == n_tokens + 2
    for k in (1, 5, 10, 100):
        vec = SequenceVectorizer(max_features=k).fit(docs)
        assert vec.vocabulary_size_ <= k + 2
        assert vec.vocabulary_size_ == min(k, n_tokens) + 2
        # the k most frequent tokens of the full vocabulary, in the same order
        assert list(vec.vocabulary_) == list(full.vocabulary_)[:k]
        assert max(vec.vocabulary_.values()) == vec.vocabulary_size_ - 1
    docs = ["a b", "a c", "a b", "d"]
    assert set(SequenceVectorizer(min_df=2).fit(docs).vocabulary_) == {"a", "b"}
    assert set(SequenceVectorizer(min_df=0.7).fit(docs).vocabulary_) == {"a"}
    assert SequenceVectorizer(min_df=2).fit(docs).transform(["d a"])[0, :2].tolist() \
        == [1, 2]


def test_vectorizer_params_and_clone():
    vec = SequenceVectorizer(max_features=7, max_len=3, min_df=2)
    assert clone(vec).get_params() == vec.get_params()
    assert vec.get_params()["token_pattern"] == r"(?u)\b\w+\b"


def test_vectorizer_errors():
    vec = SequenceVectorizer()
    with pytest.raises(TypeError, match="single string"):
        vec.fit("a single document")
    with pytest.raises(NotFittedError):
        vec.transform(["a"])
    with pytest.raises(TypeError, match="iterable"):
        vec.fit(42)
    with pytest.raises(TypeError, match="document 1"):
        vec.fit(["a", 3])
    with pytest.raises(ValueError, match="Empty vocabulary"):
        vec.fit(["", "!!"])
    with pytest.raises(ValueError, match="Empty vocabulary"):
        SequenceVectorizer(min_df=3).fit(["a", "b"])
    vec.fit(["a b"])
    with pytest.raises(TypeError, match="single string"):
        vec.transform("a b")
    for params in ({"max_len": 0}, {"max_features": 0}, {"min_df": 0},
                   {"min_df": 1.5}, {"max_len": 2.5}):
        with pytest.raises(ValueError, match=next(iter(params))):
            SequenceVectorizer(**params).fit(["a b"])


def test_pipeline_text_cnn_fits_synthetic_corpus(corpus):
    docs, y = corpus
    model = make_pipeline(
        SequenceVectorizer(max_features=50, max_len=16),
        make_text_cnn(vocab_size=52, embedding_dim=16, n_filters=16, max_epochs=15,
                      lr=0.01, random_state=0),
    )
    model.fit(docs, y)
    assert model.score(docs, y) >= 0.95
    test_docs, test_y = make_corpus(100, seed=1)
    assert model.score(test_docs, test_y) >= 0.9
    assert model.predict(["a good film", "a bad film"]).tolist() == [1, 0]


# -- modules --------------------------------------------------------------
MODULES = {
    "cnn": lambda **kw: TextCNNModule(30, 3, embedding_dim=8, n_filters=12, **kw),
    "lstm": lambda **kw: LSTMModule(30, 3, embedding_dim=8, hidden_size=6, **kw),
}
N_DIMS = {"cnn": 12, "lstm": 12}


def _tokens(seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randint(1, 30, size=(5, 7))
    for i, n in enumerate([7, 4, 1, 0, 3]):  # right-padded, one empty document
        x[i, n:] = 0
    return torch.as_tensor(x)


@pytest.mark.parametrize("name", MODULES)
def test_module_shapes_and_padding_invariance(name):
    torch.manual_seed(0)
    m = MODULES[name]().eval()
    x = _tokens()
    with torch.no_grad():
        h, out = m.features(x), m(x)
        assert h.shape == (5, N_DIMS[name]) and out.shape == (5, 3)
        assert torch.isfinite(h).all() and torch.isfinite(out).all()
        torch.testing.assert_close(out, m.head(h))
        padded = torch.cat([x, torch.zeros(5, 6, dtype=x.dtype)], dim=1)
        torch.testing.assert_close(m.features(padded), h)
        torch.testing.assert_close(m(padded), out)
        # rows do not depend on the rest of the batch
        torch.testing.assert_close(m.features(x[2:3]), h[2:3])
        # float input (as validated arrays may come) is cast to indices
        torch.testing.assert_close(m(x.double()), out)


def test_text_cnn_empty_document_and_padding_row():
    torch.manual_seed(0)
    m = MODULES["cnn"]().eval()
    x = _tokens()
    with torch.no_grad():
        assert torch.equal(m.features(x)[3], torch.zeros(12))
        before = m.features(x)
        m.embedding.weight[0] = 5.0  # even a non-zero padding row is masked
        torch.testing.assert_close(m.features(x), before)


@pytest.mark.parametrize("name", MODULES)
def test_module_rejects_out_of_vocabulary_index(name):
    with pytest.raises(ValueError, match="vocab_size=30"):
        MODULES[name]()(torch.tensor([[3, 30, 0]]))


def test_lstm_unidirectional_and_hidden_size():
    m = LSTMModule(30, 2, embedding_dim=8, hidden_size=5, bidirectional=False)
    assert m.features(_tokens()).shape == (5, 5)
    m = LSTMModule(30, 2, embedding_dim=8, hidden_size=5)
    assert m.features(_tokens()).shape == (5, 10)


# -- NetClassifier hooks ------------------------------------------------------
FACTORIES = {
    "cnn": lambda **kw: make_text_cnn(vocab_size=30, embedding_dim=16, n_filters=16,
                                      **kw),
    "lstm": lambda **kw: make_lstm(vocab_size=30, embedding_dim=16, hidden_size=8,
                                   **kw),
}


@pytest.fixture(scope="module")
def token_data(corpus):
    docs, y = corpus
    vec = SequenceVectorizer(max_features=28, max_len=16)
    return vec.fit_transform(docs), y


@pytest.fixture(scope="module", params=list(FACTORIES))
def fitted(request, token_data):
    X, y = token_data
    net = FACTORIES[request.param](max_epochs=3, lr=0.01, random_state=0).fit(X, y)
    return request.param, net, X


def test_net_embed_shape(fitted):
    name, net, X = fitted
    assert net.embed(X[:10]).shape == (10, 16)
    assert net.predict_proba(X[:10]).shape == (10, 2)


def test_net_gradient_embedding_matches_autograd(fitted):
    _, net, X = fitted
    a, h = net.gradient_embedding_factors(X[:4])
    g = net.gradient_embedding(X[:4])
    module = net.module_.eval()
    for i in range(4):
        x = torch.as_tensor(X[i:i + 1])
        logits = module(x)
        loss = torch.nn.functional.cross_entropy(logits, logits.argmax(dim=1))
        (grad,) = torch.autograd.grad(loss, module.head.weight)
        np.testing.assert_allclose(np.outer(a[i], h[i]), grad.numpy(),
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(g[i], grad.numpy().ravel(), rtol=1e-4, atol=1e-6)


def test_net_predict_proba_mc(fitted):
    _, net, X = fitted
    p1 = net.predict_proba_mc(X[:20], n_samples=6, random_state=3)
    p2 = net.predict_proba_mc(X[:20], n_samples=6, random_state=3)
    assert p1.shape == (20, 6, 2)
    np.testing.assert_array_equal(p1, p2)
    assert p1.std(axis=1).max() > 1e-3
    np.testing.assert_allclose(p1.sum(axis=2), 1.0, rtol=1e-5)


@pytest.mark.parametrize("name", FACTORIES)
def test_net_mc_without_dropout_is_predict_proba(name, token_data):
    X, y = token_data
    net = FACTORIES[name](dropout=0.0, max_epochs=1, random_state=0).fit(X[:40], y[:40])
    p = net.predict_proba(X[:10])
    mc = net.predict_proba_mc(X[:10], n_samples=3)
    np.testing.assert_allclose(mc, np.repeat(p[:, None], 3, axis=1), rtol=1e-5,
                               atol=1e-7)


def test_factories_params():
    net = make_text_cnn(vocab_size=12, n_filters=7, max_epochs=2)
    params = net.get_params()
    assert params["module"] is TextCNNModule
    assert params["module__vocab_size"] == 12 and params["module__n_filters"] == 7
    net = make_lstm(vocab_size=12, bidirectional=False)
    assert net.get_params()["module"] is LSTMModule
    assert net.get_params()["module__bidirectional"] is False


# -- the active learning loop -------------------------------------------------
def test_active_learner_on_token_matrix(corpus):
    docs, y = corpus
    vec = SequenceVectorizer(max_features=50, max_len=16)
    X = vec.fit_transform(docs)
    net = make_text_cnn(vocab_size=vec.vocabulary_size_, embedding_dim=16,
                        n_filters=16, max_epochs=20, batch_size=8, lr=0.01,
                        random_state=0)
    al = ActiveLearner(UncertaintySampling(net), batch_size=10, budget=30,
                       initial_size=10, random_state=0)
    al.fit(X, y)
    assert al.n_iter_ == 3 and len(al.labeled_indices_) == 40
    assert al.X_labeled_.dtype == np.int64
    test_docs, test_y = make_corpus(100, seed=1)
    assert al.score(vec.transform(test_docs), test_y) > 0.75


# -- fixed word vectors ---------------------------------------------------------
def test_ppmi_word_vectors_are_reproducible_and_skip_padding_and_oov():
    from skactive.nets import ppmi_word_vectors

    docs = ["good fun day", "great fun night", "bad mess day", "awful mess night",
            "good great fun", "bad awful mess"] * 4
    vec = SequenceVectorizer(max_len=5)
    X = vec.fit_transform(docs)
    W = ppmi_word_vectors(X, vec.vocabulary_size_, n_components=3, window=2)
    np.testing.assert_array_equal(W, ppmi_word_vectors(X, vec.vocabulary_size_,
                                                       n_components=3, window=2))
    assert W.shape == (vec.vocabulary_size_, 3) and W.dtype == np.float32
    np.testing.assert_array_equal(W[:2], 0.0)
    np.testing.assert_allclose(np.linalg.norm(W[2:], axis=1), 1.0, rtol=1e-5)
    v = vec.vocabulary_
    assert W[v["good"]] @ W[v["great"]] > W[v["good"]] @ W[v["awful"]]
    with pytest.raises(ValueError, match="non-negative token indices"):
        ppmi_word_vectors(X.astype(float))
    with pytest.raises(ValueError, match="must be below vocab_size"):
        ppmi_word_vectors(X, n_components=50)


@pytest.mark.parametrize("factory", ["cnn", "lstm"])
def test_frozen_word_vectors_stay_fixed_during_training(factory):
    from skactive.nets import make_lstm

    rng = np.random.RandomState(0)
    W = rng.randn(30, 6).astype(np.float32)
    X = rng.randint(2, 30, size=(40, 5))
    y = np.arange(40) % 2
    make = make_text_cnn if factory == "cnn" else make_lstm
    net = make(30, embedding_weights=W, freeze_embedding=True, max_epochs=3,
               random_state=0).fit(X, y)
    emb = net.module_.embedding
    assert emb.embedding_dim == 6 and not emb.weight.requires_grad
    np.testing.assert_allclose(emb.weight.detach().numpy()[1:], W[1:])
    np.testing.assert_array_equal(emb.weight.detach().numpy()[0], 0.0)  # padding
    trainable = make(30, embedding_weights=W, max_epochs=3, lr=0.1,
                     random_state=0).fit(X, y)
    assert not np.allclose(trainable.module_.embedding.weight.detach().numpy()[2:], W[2:])
    with pytest.raises(ValueError, match="embedding_weights must have shape"):
        make(31, embedding_weights=W, max_epochs=1).fit(X, y)
