"""Text classification: a token-index vectoriser, a text CNN and a (Bi)LSTM.

:class:`SequenceVectorizer` turns documents into right-padded matrices of
token indices (``0`` padding, ``1`` out-of-vocabulary), the input of
:class:`TextCNNModule` (the classifier of ALIL, Liu et al. 2018) and
:class:`LSTMModule`. Both modules follow the ``features`` / ``head`` split of
:mod:`skactive.nets`, so embeddings, BADGE gradient embeddings and consistent
MC dropout work on text as on images.
"""

import numbers
import re
from collections import Counter
from itertools import chain, repeat

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from ._base import ConsistentDropout, NetClassifier
from ._modules import _same_pad

__all__ = [
    "LSTMModule",
    "SequenceVectorizer",
    "TextCNNModule",
    "make_lstm",
    "make_text_cnn",
    "ppmi_word_vectors",
]

PAD, OOV = 0, 1


def _check_docs(docs):
    """A list of strings from an iterable of strings, with clear errors."""
    if isinstance(docs, (str, bytes)):
        raise TypeError(
            "SequenceVectorizer expects an iterable of documents (e.g. a list of "
            "strings), got a single string. Wrap it in a list: [doc]."
        )
    try:
        docs = list(docs)
    except TypeError:
        raise TypeError(
            "SequenceVectorizer expects an iterable of strings, got "
            f"{type(docs).__name__}."
        ) from None
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise TypeError(
                f"Every document must be a str; document {i} is a "
                f"{type(doc).__name__}."
            )
    return docs


def _check_int(value, name, minimum=1, allow_none=False):
    if allow_none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


class SequenceVectorizer(TransformerMixin, BaseEstimator):
    """Documents to fixed-length, right-padded sequences of token indices.

    The vocabulary keeps the ``max_features`` most frequent tokens of the
    training documents (total counts; ties broken by the tokens' alphabetical
    order, so the result does not depend on document order). Token ``i`` of
    the vocabulary gets index ``i + 2``: index ``0`` is padding and ``1`` the
    out-of-vocabulary token. This is what Keras' ``Tokenizer`` and
    ``pad_sequences`` give the text classifiers of the deep active learning
    literature (ALIL), as a scikit-learn transformer.

    Since ``vocabulary_size_ <= max_features + 2``, a network can be sized
    before fitting, e.g. inside a pipeline:
    ``make_text_cnn(vocab_size=max_features + 2)``.

    Parameters
    ----------
    max_features : int or None, default=20000
        Largest number of tokens kept (the most frequent). None keeps all.
    max_len : int, default=100
        Length of the output sequences: longer documents are truncated
        (their first ``max_len`` tokens are kept), shorter ones right-padded
        with ``0``.
    lowercase : bool, default=True
        Lower-case documents before tokenising.
    token_pattern : str, default=r"(?u)\\b\\w+\\b"
        Regular expression whose matches are the tokens.
    min_df : int or float, default=1
        Tokens found in fewer documents are dropped: an absolute number of
        documents (int) or a proportion of them (float in (0, 1]).

    Attributes
    ----------
    vocabulary_ : dict
        Token to index (``2`` is the most frequent token).
    vocabulary_size_ : int
        ``len(vocabulary_) + 2``: the number of rows an embedding table
        needs. At most ``max_features + 2``.

    See Also
    --------
    TextCNNModule, LSTMModule : Networks that take these sequences.

    Examples
    --------
    >>> from skactive.nets import SequenceVectorizer
    >>> docs = ["a good film", "a bad film", "good good"]
    >>> vec = SequenceVectorizer(max_len=4).fit(docs)
    >>> vec.vocabulary_
    {'good': 2, 'a': 3, 'film': 4, 'bad': 5}
    >>> vec.transform(["Good film", "an awful film that was good"])
    array([[2, 4, 0, 0],
           [1, 1, 4, 1]])
    >>> vec.vocabulary_size_
    6
    """

    def __init__(self, max_features=20000, max_len=100, lowercase=True,
                 token_pattern=r"(?u)\b\w+\b", min_df=1):
        self.max_features = max_features
        self.max_len = max_len
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.min_df = min_df

    def _tokenize(self, docs):
        docs = _check_docs(docs)
        findall = re.compile(self.token_pattern).findall
        if self.lowercase:
            return [findall(doc.lower()) for doc in docs]
        return [findall(doc) for doc in docs]

    def _min_doc_count(self, n_docs):
        min_df = self.min_df
        if isinstance(min_df, numbers.Integral) and not isinstance(min_df, bool):
            _check_int(min_df, "min_df")
            return int(min_df)
        if isinstance(min_df, numbers.Real) and 0.0 < min_df <= 1.0:
            return float(min_df) * n_docs
        raise ValueError(
            "min_df must be an integer >= 1 or a float in (0, 1], got "
            f"{min_df!r}."
        )

    def _fit_tokens(self, tokens):
        _check_int(self.max_features, "max_features", allow_none=True)
        _check_int(self.max_len, "max_len")
        min_count = self._min_doc_count(len(tokens))
        counts = Counter(chain.from_iterable(tokens))
        doc_counts = Counter(chain.from_iterable(map(set, tokens)))
        vocab = [t for t, c in doc_counts.items() if c >= min_count]
        if not vocab:
            raise ValueError(
                "Empty vocabulary: no token matching "
                f"token_pattern={self.token_pattern!r} occurs in at least "
                f"min_df={self.min_df!r} of the {len(tokens)} documents."
            )
        # Most frequent first; ties in alphabetical order.
        vocab.sort()
        vocab.sort(key=counts.__getitem__, reverse=True)
        if self.max_features is not None:
            vocab = vocab[: self.max_features]
        self.vocabulary_ = {t: i + 2 for i, t in enumerate(vocab)}
        self.vocabulary_size_ = len(vocab) + 2
        return self

    def _transform_tokens(self, tokens):
        _check_int(self.max_len, "max_len")
        max_len = int(self.max_len)
        get = self.vocabulary_.get
        ids = [list(map(get, t[:max_len], repeat(OOV))) for t in tokens]
        lengths = np.fromiter(map(len, ids), dtype=np.intp, count=len(ids))
        out = np.zeros((len(ids), max_len), dtype=np.int64)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64,
                           count=int(lengths.sum()))
        out[np.arange(max_len) < lengths[:, None]] = flat  # row-major fill
        return out

    def fit(self, docs, y=None):
        """Learn the vocabulary.

        Parameters
        ----------
        docs : iterable of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        return self._fit_tokens(self._tokenize(docs))

    def transform(self, docs):
        """Documents to token-index sequences.

        Parameters
        ----------
        docs : iterable of str

        Returns
        -------
        X : ndarray of shape (n_docs, max_len), dtype int64
            Token indices, truncated to ``max_len`` and right-padded with 0;
            unknown tokens are 1.
        """
        check_is_fitted(self, "vocabulary_")
        return self._transform_tokens(self._tokenize(docs))

    def fit_transform(self, docs, y=None):
        """Learn the vocabulary and transform ``docs`` (tokenising once).

        Parameters
        ----------
        docs : iterable of str
        y : None
            Ignored.

        Returns
        -------
        X : ndarray of shape (n_docs, max_len), dtype int64
        """
        tokens = self._tokenize(docs)
        return self._fit_tokens(tokens)._transform_tokens(tokens)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _token_mask(x, padding_idx, vocab_size):
    """Long token matrix and a float mask of its non-padding positions."""
    x = x.long()
    if x.dim() == 1:
        x = x[None, :]
    if x.numel() and int(x.max()) >= vocab_size:
        raise ValueError(
            f"Token index {int(x.max())} is out of range for vocab_size={vocab_size}; "
            "size the net with the vectoriser's vocabulary_size_ (at most "
            "max_features + 2)."
        )
    if padding_idx is None:
        return x, torch.ones(x.shape, dtype=torch.float32, device=x.device)
    return x, (x != padding_idx).float()


def _embedding_layer(vocab_size, embedding_dim, padding_idx, weights, freeze):
    """An embedding table, optionally initialised from (frozen) word vectors."""
    if weights is None:
        return nn.Embedding(int(vocab_size), int(embedding_dim), padding_idx=padding_idx)
    W = torch.as_tensor(np.asarray(weights, dtype=np.float32))
    if W.dim() != 2 or W.shape[0] != int(vocab_size):
        raise ValueError(
            f"embedding_weights must have shape (vocab_size={vocab_size}, dim), got "
            f"{tuple(W.shape)}."
        )
    layer = nn.Embedding.from_pretrained(W.clone(), freeze=bool(freeze),
                                         padding_idx=padding_idx)
    if padding_idx is not None:
        with torch.no_grad():
            layer.weight[padding_idx] = 0.0
    return layer


def ppmi_word_vectors(X, vocab_size=None, *, n_components=50, window=4,
                      padding_idx=PAD, oov_idx=OOV, random_state=0):
    """Word vectors from unlabeled token sequences: truncated SVD of the PPMI matrix.

    Counts how often two tokens occur within ``window`` positions of each
    other, turns the counts into positive pointwise mutual information
    (context counts smoothed with the exponent 0.75, Levy et al. 2015) and
    keeps the top ``n_components`` singular directions, scaled by the square
    root of the singular values; each row is L2-normalised. Labels are never
    used, so the vectors may be learned on all the unlabeled text at hand
    (source and target pools), the role off-the-shelf embeddings play in
    the deep active learning literature (ALIL used fixed multiCCA vectors).
    It is vectorised over the corpus: the co-occurrences of one offset are
    one sparse matrix.

    Parameters
    ----------
    X : ndarray of shape (n_docs, max_len), int
        Token indices from :class:`SequenceVectorizer`.
    vocab_size : int or None, default=None
        Rows of the result; None means ``X.max() + 1``.
    n_components : int, default=50
    window : int, default=4
        Largest distance between co-occurring tokens.
    padding_idx, oov_idx : int or None, default=0, 1
        Tokens that are never counted; their rows are zero.
    random_state : int, default=0
        Seeds the SVD's start vector, so the vectors are reproducible.

    Returns
    -------
    vectors : ndarray of shape (vocab_size, n_components), float32

    References
    ----------
    .. [1] O. Levy, Y. Goldberg, I. Dagan, "Improving distributional
       similarity with lessons learned from word embeddings", TACL 2015.

    Examples
    --------
    >>> from skactive.nets import SequenceVectorizer, ppmi_word_vectors
    >>> docs = ["good fun", "great fun", "bad mess", "awful mess", "fun day",
    ...         "mess night"] * 5
    >>> vec = SequenceVectorizer(max_len=4)
    >>> W = ppmi_word_vectors(vec.fit_transform(docs), vec.vocabulary_size_,
    ...                       n_components=3, window=1)
    >>> W.shape
    (10, 3)
    >>> v = vec.vocabulary_   # words of shared contexts get similar vectors
    >>> def sim(a, b):  # + 0.0 turns a rounded -0.0 into 0.0
    ...     return round(float(W[v[a]] @ W[v[b]]), 2) + 0.0
    >>> sim("good", "great"), sim("good", "awful")
    (1.0, 0.0)
    """
    from scipy import sparse
    from scipy.sparse.linalg import svds

    X = np.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.integer) or (X.size and X.min() < 0):
        raise ValueError(
            "X must be a 2-D matrix of non-negative token indices "
            "(SequenceVectorizer's output)."
        )
    V = int(X.max()) + 1 if vocab_size is None else int(vocab_size)
    _check_int(n_components, "n_components")
    _check_int(window, "window")
    if X.size and int(X.max()) >= V:
        raise ValueError(f"Token index {int(X.max())} is out of range for vocab_size={V}.")
    if n_components >= V - 1:
        raise ValueError(f"n_components={n_components} must be below vocab_size - 1 = {V - 1}.")
    skip = np.zeros(V, dtype=bool)
    for idx in (padding_idx, oov_idx):
        if idx is not None and 0 <= idx < V:
            skip[idx] = True
    counts = sparse.csr_matrix((V, V), dtype=np.float64)
    for off in range(1, min(int(window), max(X.shape[1] - 1, 0)) + 1):
        a, b = X[:, :-off].ravel(), X[:, off:].ravel()
        keep = ~(skip[a] | skip[b])
        a, b = a[keep], b[keep]
        counts = counts + sparse.csr_matrix(
            (np.ones(2 * a.shape[0]), (np.r_[a, b], np.r_[b, a])), shape=(V, V))
    counts = counts.tocoo()
    total = counts.data.sum()
    if total == 0:
        raise ValueError("No co-occurring tokens: the corpus is too small for word vectors.")
    row = np.asarray(counts.sum(axis=1)).ravel()
    ctx = row ** 0.75
    pmi = np.log(counts.data * ctx.sum() / (row[counts.row] * ctx[counts.col]))
    pos = pmi > 0
    ppmi = sparse.csr_matrix((pmi[pos], (counts.row[pos], counts.col[pos])),
                             shape=(V, V))
    v0 = np.random.RandomState(random_state).uniform(-1, 1, V)
    U, S, _ = svds(ppmi, k=int(n_components), v0=v0)
    order = np.argsort(-S)
    W = U[:, order] * np.sqrt(S[order])
    # Sign of each direction fixed by its largest entry: SVD signs are arbitrary.
    W *= np.sign(W[np.abs(W).argmax(axis=0), np.arange(W.shape[1])])
    W[skip] = 0.0
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return (W / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class TextCNNModule(nn.Module):
    """The text CNN of ALIL (Liu et al., 2018), after Kim (2014).

    ``embedding → conv1d(n_filters, kernel_size, "same") → ReLU → mean over
    the non-padding positions`` is ``features(x)`` (``n_filters`` numbers per
    document), followed by ``ConsistentDropout → head`` (linear). A document
    without tokens gets zero features. Padding is masked, so appending
    padding changes nothing.

    ALIL's Keras model puts its dropout (0.3) on the word embeddings and
    averages over all positions, padding included; here dropout sits before
    the head, as MC-dropout strategies expect, and padding is not averaged.

    Parameters
    ----------
    vocab_size : int
        Rows of the embedding table (``SequenceVectorizer.vocabulary_size_``,
        or ``max_features + 2``).
    n_classes : int
        Output size (inferred by :class:`NetClassifier` from the labels).
    embedding_dim : int, default=100
    n_filters : int, default=50
        Convolution filters, i.e. the embedding size.
    kernel_size : int, default=3
        Filter width in tokens.
    dropout : float, default=0.5
        Dropout before the head (MC-dropout capable).
    padding_idx : int or None, default=0
        Index of the padding token (its embedding is zero and it is
        excluded from the mean); None treats every position as a token.
    embedding_weights : array-like of shape (vocab_size, dim) or None, default=None
        Initial word vectors (e.g. :func:`ppmi_word_vectors`); their width
        overrides ``embedding_dim``.
    freeze_embedding : bool, default=False
        Keep the word vectors fixed, as ALIL fixed its multiCCA vectors; with
        a few dozen labels a trainable table overfits.

    References
    ----------
    .. [1] Y. Kim, "Convolutional Neural Networks for Sentence
       Classification", EMNLP 2014.
    .. [2] M. Liu, W. Buntine and G. Haffari, "Learning How to Actively
       Learn: A Deep Imitation Learning Approach", ACL 2018.

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import TextCNNModule
    >>> m = TextCNNModule(vocab_size=50, n_classes=2, embedding_dim=8)
    >>> x = torch.tensor([[5, 7, 2, 0, 0], [0, 0, 0, 0, 0]])
    >>> m(x).shape, m.features(x).shape
    (torch.Size([2, 2]), torch.Size([2, 50]))
    >>> bool(m.features(x)[1].eq(0).all())   # empty document
    True
    """

    def __init__(self, vocab_size, n_classes, embedding_dim=100, n_filters=50,
                 kernel_size=3, dropout=0.5, padding_idx=0, embedding_weights=None,
                 freeze_embedding=False):
        super().__init__()
        self.padding_idx = padding_idx
        self.embedding = _embedding_layer(vocab_size, embedding_dim, padding_idx,
                                          embedding_weights, freeze_embedding)
        embedding_dim = self.embedding.embedding_dim
        self.conv = nn.Sequential(
            nn.ConstantPad1d(_same_pad(kernel_size), 0.0),
            nn.Conv1d(int(embedding_dim), int(n_filters), int(kernel_size)),
            nn.ReLU(),
        )
        self.dropout = ConsistentDropout(dropout)
        self.head = nn.Linear(int(n_filters), int(n_classes))

    def features(self, x):
        x, mask = _token_mask(x, self.padding_idx, self.embedding.num_embeddings)
        emb = self.embedding(x) * mask[..., None]  # zero at padding, always
        h = self.conv(emb.transpose(1, 2)) * mask[:, None, :]
        return h.sum(dim=2) / mask.sum(dim=1, keepdim=True).clamp(min=1.0)

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


class LSTMModule(nn.Module):
    """A (bidirectional) LSTM text classifier.

    ``embedding → (Bi)LSTM`` over the packed, unpadded sequences; the final
    hidden states of both directions, concatenated, are ``features(x)``
    (``hidden_size * (2 if bidirectional else 1)`` numbers), followed by
    ``ConsistentDropout → head`` (linear). Sequences must be right-padded
    (as :class:`SequenceVectorizer` makes them): the length of a row is its
    number of non-padding tokens (at least 1, so an empty document reads
    one padding token).

    Parameters
    ----------
    vocab_size : int
        Rows of the embedding table.
    n_classes : int
        Output size (inferred by :class:`NetClassifier` from the labels).
    embedding_dim : int, default=100
    hidden_size : int, default=64
        LSTM units per direction.
    bidirectional : bool, default=True
    dropout : float, default=0.5
        Dropout before the head (MC-dropout capable).
    padding_idx : int or None, default=0
        Index of the padding token; None reads every row to its full length.
    embedding_weights : array-like of shape (vocab_size, dim) or None, default=None
        Initial word vectors; their width overrides ``embedding_dim``.
    freeze_embedding : bool, default=False
        Keep the word vectors fixed.

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import LSTMModule
    >>> m = LSTMModule(vocab_size=50, n_classes=3, embedding_dim=8, hidden_size=16)
    >>> x = torch.tensor([[5, 7, 2, 0], [9, 0, 0, 0]])
    >>> m(x).shape, m.features(x).shape
    (torch.Size([2, 3]), torch.Size([2, 32]))
    """

    def __init__(self, vocab_size, n_classes, embedding_dim=100, hidden_size=64,
                 bidirectional=True, dropout=0.5, padding_idx=0, embedding_weights=None,
                 freeze_embedding=False):
        super().__init__()
        self.padding_idx = padding_idx
        self.embedding = _embedding_layer(vocab_size, embedding_dim, padding_idx,
                                          embedding_weights, freeze_embedding)
        embedding_dim = self.embedding.embedding_dim
        self.lstm = nn.LSTM(int(embedding_dim), int(hidden_size), batch_first=True,
                            bidirectional=bool(bidirectional))
        self.dropout = ConsistentDropout(dropout)
        n_dirs = 2 if bidirectional else 1
        self.head = nn.Linear(int(hidden_size) * n_dirs, int(n_classes))

    def features(self, x):
        x, mask = _token_mask(x, self.padding_idx, self.embedding.num_embeddings)
        lengths = mask.sum(dim=1).long().clamp(min=1).cpu()
        packed = pack_padded_sequence(self.embedding(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n is back in batch order
        if self.lstm.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=1)
        return h_n[-1]

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


def make_text_cnn(vocab_size, *, embedding_dim=100, n_filters=50, kernel_size=3,
                  dropout=0.5, embedding_weights=None, freeze_embedding=False,
                  **net_params):
    """ALIL's text CNN classifier (:class:`TextCNNModule`).

    Parameters
    ----------
    vocab_size : int
        Embedding rows: ``SequenceVectorizer.vocabulary_size_``, or
        ``max_features + 2`` to size the net before the vectoriser is fitted.
    embedding_dim, n_filters, kernel_size, dropout
        Architecture, see :class:`TextCNNModule`.
    embedding_weights, freeze_embedding
        Pretrained word vectors (e.g. :func:`ppmi_word_vectors`) and whether
        to keep them fixed.
    **net_params
        :class:`NetClassifier` parameters (``max_epochs``, ``lr``,
        ``batch_size``, ``random_state``, ``device``...).

    Returns
    -------
    net : NetClassifier
        Takes the int64 token matrices of :class:`SequenceVectorizer`.

    References
    ----------
    .. [1] Y. Kim, "Convolutional Neural Networks for Sentence
       Classification", EMNLP 2014.
    .. [2] M. Liu, W. Buntine and G. Haffari, "Learning How to Actively
       Learn: A Deep Imitation Learning Approach", ACL 2018.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skactive.nets import SequenceVectorizer, make_text_cnn
    >>> docs = ["good fun", "great good film", "bad film", "awful bad"] * 5
    >>> y = [1, 1, 0, 0] * 5
    >>> model = make_pipeline(
    ...     SequenceVectorizer(max_features=100, max_len=5),
    ...     make_text_cnn(vocab_size=102, embedding_dim=16, max_epochs=20, lr=0.01,
    ...                   random_state=0))
    >>> model.fit(docs, y).predict(["good film", "bad film"])
    array([1, 0])
    >>> model[-1].embed(model[0].transform(docs[:3])).shape
    (3, 50)
    """
    return NetClassifier(
        TextCNNModule, module__vocab_size=vocab_size,
        module__embedding_dim=embedding_dim, module__n_filters=n_filters,
        module__kernel_size=kernel_size, module__dropout=dropout,
        module__embedding_weights=embedding_weights,
        module__freeze_embedding=freeze_embedding, **net_params,
    )


def make_lstm(vocab_size, *, embedding_dim=100, hidden_size=64, bidirectional=True,
              dropout=0.5, embedding_weights=None, freeze_embedding=False,
              **net_params):
    """A (bidirectional) LSTM text classifier (:class:`LSTMModule`).

    Parameters
    ----------
    vocab_size : int
        Embedding rows: ``SequenceVectorizer.vocabulary_size_``, or
        ``max_features + 2``.
    embedding_dim, hidden_size, bidirectional, dropout
        Architecture, see :class:`LSTMModule`.
    embedding_weights, freeze_embedding
        Pretrained word vectors and whether to keep them fixed.
    **net_params
        :class:`NetClassifier` parameters.

    Returns
    -------
    net : NetClassifier

    Examples
    --------
    >>> from skactive.nets import SequenceVectorizer, make_lstm
    >>> docs = ["good fun", "great good film", "bad film", "awful bad"] * 5
    >>> X = SequenceVectorizer(max_len=5).fit_transform(docs)
    >>> net = make_lstm(vocab_size=10, embedding_dim=8, hidden_size=8, max_epochs=2,
    ...                 random_state=0).fit(X, [1, 1, 0, 0] * 5)
    >>> net.embed(X[:3]).shape
    (3, 16)
    """
    return NetClassifier(
        LSTMModule, module__vocab_size=vocab_size,
        module__embedding_dim=embedding_dim, module__hidden_size=hidden_size,
        module__bidirectional=bidirectional, module__dropout=dropout,
        module__embedding_weights=embedding_weights,
        module__freeze_embedding=freeze_embedding, **net_params,
    )
