"""Similarity-based strategies: diversity sampling and information density."""

import numbers
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils.extmath import row_norms

from ..base import QueryStrategy, ScoreQueryMixin, _check_option, _check_positive_int
from ..utils import chunk_rows, embed, iter_chunks, query_rng
from ._uncertainty import UncertaintySampling

__all__ = ["DiversitySampling", "DensityWeighted", "similarity_to_set"]

_METRICS = ("cosine", "jaccard", "rbf")
#: Metrics defined on token sets (they do not depend on the vocabulary width).
_TOKEN_METRICS = ("cosine", "jaccard")


# -- prepared operands ---------------------------------------------------------
# A pool is prepared once per query (normalised rows for cosine, binarised rows
# and their counts for jaccard, squared norms for rbf); every similarity is then
# a product with the prepared matrix, sparse or dense, so a pick inside a batch
# costs one matrix-vector product. scipy.sparse input stays sparse throughout.


class _Prepared:
    """One operand of a similarity, ready for products.

    ``A`` is the prepared matrix (CSR or C-ordered ndarray), ``aux`` the
    per-row counts (jaccard) or squared norms (rbf), ``gamma`` the resolved
    RBF width.
    """

    __slots__ = ("metric", "A", "aux", "gamma")

    def __init__(self, metric, A, aux=None, gamma=None):
        self.metric, self.A, self.aux, self.gamma = metric, A, aux, gamma

    @property
    def n(self):
        return self.A.shape[0]

    def take(self, idx):
        """The prepared rows ``idx`` (no re-preparation)."""
        aux = None if self.aux is None else self.aux[idx]
        return _Prepared(self.metric, self.A[idx], aux, self.gamma)

    def row(self, i):
        """Row ``i`` of ``A`` as a dense 1-D vector."""
        if sp.issparse(self.A):
            return self.A[i : i + 1].toarray().ravel()
        return self.A[i]


def _to_csr(X):
    """Float CSR copy of a sparse matrix with summed duplicate entries."""
    X = sp.csr_matrix(X, copy=True)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    X.sum_duplicates()
    return X


def _to_dense(X):
    X = np.asarray(X)
    return X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)


def _prepare(X, metric, gamma=None):
    """Prepare ``X`` (ndarray or scipy.sparse) for ``metric``.

    Dense float32 stays float32 for ``cosine`` (unit rows, products of
    magnitude <= 1) and binarised rows are float32 for ``jaccard`` (their
    products are integer counts, exact below 2**24); ``rbf`` works in
    float64 because ``|x|² + |y|² - 2 x·y`` cancels.
    """
    sparse = sp.issparse(X)
    X = _to_csr(X) if sparse else _to_dense(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array, got shape {X.shape}.")
    if metric == "cosine":
        if sparse:
            inv = 1.0 / np.maximum(np.sqrt(row_norms(X, squared=True)), 1e-12)
            X.data *= np.repeat(inv, np.diff(X.indptr)).astype(X.dtype, copy=False)
            return _Prepared(metric, X)
        norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
        inv = (1.0 / np.maximum(norms, 1e-12)).astype(X.dtype)
        return _Prepared(metric, np.ascontiguousarray(X * inv[:, None]))
    if metric == "jaccard":
        dtype = np.float32 if X.shape[1] < 2**24 else np.float64
        if sparse:
            X.eliminate_zeros()
            B = sp.csr_matrix(
                (np.ones(X.nnz, dtype=dtype), X.indices, X.indptr), shape=X.shape
            )
            cnt = np.diff(B.indptr).astype(np.float64)
        else:
            B = (X != 0).astype(dtype)
            cnt = np.count_nonzero(X, axis=1).astype(np.float64)
        return _Prepared(metric, B, cnt)
    gamma = 1.0 / X.shape[1] if gamma is None else float(gamma)
    if sparse:
        X = X.astype(np.float64, copy=False)
    else:
        X = np.ascontiguousarray(X, dtype=np.float64)
    return _Prepared(metric, X, row_norms(X, squared=True), gamma)


# -- token-index sequences ------------------------------------------------------
# A row of a token-index matrix (SequenceVectorizer's output: right-padded ids,
# 0 padding, 1 out-of-vocabulary) is compared as the SET of its ids: a binary
# CSR row over the vocabulary, built for all rows at once by sorting each row
# and keeping the first of every run of equal ids.


def _check_token_id(value, name):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 0:
        raise ValueError(
            f"{name} must be a non-negative integer or None, got {value!r}."
        )
    return int(value)


def _check_tokens(X, name="X"):
    """``X`` as a dense 2-D integer array of non-negative token ids."""
    if sp.issparse(X):
        raise ValueError(
            f"input='tokens' needs a dense integer array of token ids (as "
            f"SequenceVectorizer makes), but {name} is a scipy.sparse matrix. "
            "A bag-of-words matrix is compared with input='features'."
        )
    X = np.asarray(X)
    if X.dtype.kind not in "iu":
        raise ValueError(
            f"input='tokens' needs an integer array of token ids, but {name} "
            f"has dtype {X.dtype}. Pass the int64 matrix of SequenceVectorizer "
            "(or X.astype(np.int64)), or use input='features'."
        )
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array, got shape {X.shape}.")
    if X.size and X.min() < 0:
        raise ValueError(
            f"Token ids must be >= 0, but {name} holds {int(X.min())}."
        )
    return X


def _token_width(*arrays):
    """Vocabulary width shared by token matrices: their largest id + 1."""
    return 1 + max((int(A.max()) for A in arrays if A.size), default=0)


def _token_sets(X, width, ignore=(0, 1)):
    """Binary CSR ``(n, width)`` matrix of the id sets of the rows of ``X``.

    Ids in ``ignore`` (``None`` entries skipped) are no tokens; a repeated id
    counts once. Vectorised: one sort along the rows, no loop over rows.
    """
    n = X.shape[0]
    S = np.sort(X, axis=1)
    keep = np.ones(S.shape, dtype=bool)
    keep[:, 1:] = S[:, 1:] != S[:, :-1]
    for idx in ignore:
        if idx is not None:
            keep &= S != idx
    counts = np.count_nonzero(keep, axis=1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    # Row-major boolean indexing: ids grouped by row, sorted within a row.
    indices = S[keep].astype(np.int64, copy=False)
    dtype = np.float32 if X.shape[1] < 2**24 else np.float64
    B = sp.csr_matrix(
        (np.ones(indices.shape[0], dtype=dtype), indices, indptr), shape=(n, width)
    )
    B.has_sorted_indices = True
    return B, counts.astype(np.float64)


def _prepare_tokens(X, metric, width, ignore):
    """Prepare a checked token matrix: its id sets, as binary CSR rows."""
    B, cnt = _token_sets(X, width, ignore)
    if metric == "jaccard":
        return _Prepared(metric, B, cnt)
    return _prepare(B.astype(np.float64), metric)


def _check_token_metric(metric):
    if metric not in _TOKEN_METRICS:
        raise ValueError(
            f"input='tokens' supports metric in {list(_TOKEN_METRICS)} (Jaccard, "
            f"or cosine, i.e. Ochiai, of the token sets), got {metric!r}."
        )


def _cross(A, B):
    """``A @ B.T`` as a dense float64 array (operands sparse or dense)."""
    C = A @ B.T
    if sp.issparse(C):
        return C.astype(np.float64, copy=False).toarray()
    return np.asarray(C, dtype=np.float64)


def _jaccard(inter, union, out=None):
    # J(empty, empty) = 1 (scipy's convention): union == 0 only for two
    # empty rows, which are identical; inter == 0 there.
    both_empty = union == 0
    out = np.divide(inter, union, out=out, where=~both_empty)
    out[both_empty] = 1.0
    return out


def _block(P, R, sl):
    """Similarities of the prepared rows ``sl`` of ``P`` to all of ``R``.

    Works in place on the one ``(rows, m)`` product block.
    """
    S = _cross(P.A[sl], R.A)
    if P.metric == "cosine":
        S += 1.0
        S *= 0.5
        return S
    if P.metric == "jaccard":
        union = np.add.outer(P.aux[sl], R.aux)
        union -= S
        return _jaccard(S, union, out=S)
    S *= -2.0
    S += P.aux[sl, None]
    S += R.aux[None, :]
    np.maximum(S, 0.0, out=S)
    S *= -P.gamma
    return np.exp(S, out=S)


def _similarity(P, R, aggregate, chunk_size=None):
    """Aggregate similarity of each row of ``P`` to the rows of ``R``."""
    n, m = P.n, R.n
    if m == 0:
        return np.zeros(n)
    if P.metric == "cosine" and aggregate == "mean":
        # mean_j x̂·ŷ_j = x̂·mean(ŷ): one matrix-vector product.
        v = np.asarray(R.A.mean(axis=0), dtype=np.float64).ravel()
        dots = P.A @ v.astype(P.A.dtype, copy=False)
        return 0.5 * (1.0 + np.asarray(dots, dtype=np.float64))
    out = np.empty(n)
    # The product (sparse, then dense) and the jaccard union: about four
    # (rows, m) float64 arrays per block.
    for sl in iter_chunks(n, chunk_rows(32 * m, n, chunk_size)):
        S = _block(P, R, sl)
        out[sl] = S.mean(axis=1) if aggregate == "mean" else S.max(axis=1)
    return out


def _similarity_to_row(P, i):
    """Similarity of every row of ``P`` to its own row ``i``."""
    dots = np.asarray(P.A @ P.row(i), dtype=np.float64)
    if P.metric == "cosine":
        return 0.5 * (1.0 + dots)
    if P.metric == "jaccard":
        return _jaccard(dots, P.aux + P.aux[i] - dots)
    return np.exp(-P.gamma * np.maximum(P.aux + P.aux[i] - 2.0 * dots, 0.0))


def similarity_to_set(X, Y, metric="cosine", aggregate="mean", gamma=None,
                      chunk_size=None, *, input="features", padding_idx=0,
                      oov_idx=1):
    """Aggregate similarity of each row of ``X`` to the rows of ``Y``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n, d)
    Y : {ndarray, sparse matrix} of shape (m, d)
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        ``cosine``: ``(1 + cos)/2`` (mapped to [0, 1]); ``jaccard``: Jaccard
        coefficient of the non-zero patterns (unigram presence for text, as
        in the ALIL paper's diversity baseline); ``rbf``:
        ``exp(-gamma ‖x - y‖²)``. See Notes for all-zero rows.
    aggregate : {"mean", "max"}, default="mean"
        Average over ``Y`` (ranks as the sum does) or the nearest row's
        similarity.
    gamma : float or None, default=None
        RBF width; ``None`` means ``1 / n_features``.
    chunk_size : int or None
        Rows of ``X`` per block. The mean cosine similarity needs no block:
        it is ``x̂ · mean(ŷ)``, one matrix-vector product.
    input : {"features", "tokens"}, default="features"
        What a row is. ``"features"``: a feature vector (``jaccard`` compares
        its non-zero columns, e.g. the words of a bag-of-words row).
        ``"tokens"``: a sequence of token ids (the dense integer matrix of
        :class:`skactive.nets.SequenceVectorizer`), compared as the *set* of
        its ids other than ``padding_idx`` and ``oov_idx``: order and
        repetitions do not matter, and ``X`` and ``Y`` may have different
        lengths and vocabularies (ids are the columns of one shared
        vocabulary). Token sets support ``metric="jaccard"`` and
        ``"cosine"`` (``(1 + |A ∩ B| / sqrt(|A| |B|)) / 2``).
    padding_idx : int or None, default=0
        With ``input="tokens"``: the padding id, not a token. ``None``: no
        padding id.
    oov_idx : int or None, default=1
        With ``input="tokens"``: the out-of-vocabulary id, not a token either
        (every unknown word shares it, so counting it would make unrelated
        documents similar; ALIL's tokenizer had no such id). ``None``: no
        OOV id, every id but ``padding_idx`` is a token (e.g. a Keras
        ``Tokenizer`` without ``oov_token``, whose word ids start at 1).

    Returns
    -------
    sim : ndarray of shape (n,)

    Notes
    -----
    All-zero rows: with ``cosine`` a zero-norm row has similarity 0.5 to
    every row (the value of two orthogonal rows). With ``jaccard`` two empty
    rows have similarity 1, as in :func:`scipy.spatial.distance.jaccard`
    (distance 0), and an empty row has similarity 0 to a non-empty one. With
    ``input="tokens"`` a row of only padding / OOV ids is an empty set.

    scipy.sparse input stays sparse: only one block of ``chunk_size`` rows
    of the ``(n, m)`` similarity matrix is dense at a time. Token sets are
    binary CSR matrices over the vocabulary, built without a Python loop
    over rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import similarity_to_set
    >>> A = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    >>> B = np.array([[1, 1, 1, 0]])
    >>> similarity_to_set(A, B, metric="jaccard")
    array([0.66666667, 0.25      ])

    Token-id sequences (``0`` padding, ``1`` OOV): ``{5, 7}`` against
    ``{5, 9}`` is ``1/3``, whatever the order, repetitions and padding.

    >>> docs = np.array([[7, 5, 5, 1, 0], [2, 3, 0, 0, 0]])
    >>> ref = np.array([[9, 5, 0, 0, 0]])
    >>> similarity_to_set(docs, ref, metric="jaccard", input="tokens")
    array([0.33333333, 0.        ])
    """
    _check_option(metric, "metric", _METRICS)
    _check_option(aggregate, "aggregate", ("mean", "max"))
    _check_option(input, "input", ("features", "tokens"))
    if input == "tokens":
        _check_token_metric(metric)
        ignore = (_check_token_id(padding_idx, "padding_idx"),
                  _check_token_id(oov_idx, "oov_idx"))
        X, Y = _check_tokens(X, "X"), _check_tokens(Y, "Y")
        width = _token_width(X, Y)
        P = _prepare_tokens(X, metric, width, ignore)
        R = _prepare_tokens(Y, metric, width, ignore)
        return _similarity(P, R, aggregate, chunk_size)
    P = _prepare(X, metric, gamma)
    R = _prepare(Y, metric, P.gamma)
    return _similarity(P, R, aggregate, chunk_size)


def _check_gamma(gamma):
    if gamma is not None and (not isinstance(gamma, numbers.Real) or gamma <= 0):
        raise ValueError(f"gamma must be a positive float or None, got {gamma!r}.")


def _reads_token_ids(estimator):
    """Whether ``estimator`` is a torch network that looks its input up in an
    embedding table (``TextCNNModule``, ``LSTMModule``): its input is then a
    matrix of token ids."""
    torch = sys.modules.get("torch")
    module = getattr(estimator, "module_", None)
    if torch is None or not isinstance(module, torch.nn.Module):
        return False
    lookups = (torch.nn.Embedding, torch.nn.EmbeddingBag)
    return any(isinstance(m, lookups) for m in module.modules())


def _is_token_matrix(X):
    return (not sp.issparse(X) and X.ndim == 2 and X.dtype.kind in "iu"
            and (X.size == 0 or X.min() >= 0))


class DiversitySampling(ScoreQueryMixin, QueryStrategy):
    """Query the samples least similar to the labeled set.

    The utility is minus the aggregate similarity to the labeled samples,
    so the query is ``argmin_x sum_{x' in L} sim(x, x')``. With
    ``metric="jaccard"`` on the unigram sets of the documents this is the
    diversity baseline of Liu et al. (2018): on bag-of-words features
    (``input="features"``) or on the token-id sequences of
    :class:`skactive.nets.SequenceVectorizer` (``input="tokens"``). The
    labeled set grows inside a batch: each pick is added to the reference set
    before the next one, so a batch does not collapse onto one far-away
    region.

    The pool is prepared once per query (unit rows, binarised rows or squared
    norms), so each pick inside a batch costs one matrix-vector product over
    the pool. scipy.sparse input stays sparse (CSR) when the input features
    are compared; token sets are binary CSR rows over the vocabulary.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier trained on the labeled set (predictions and, with
        ``embedding="auto"``, the representation). ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        Similarity, see :func:`similarity_to_set` (including its convention
        for all-zero rows: empty rows are jaccard-similar to each other, so a
        batch does not fill up with empty documents).
    aggregate : {"mean", "max"}, default="mean"
        ``"mean"`` ranks as ALIL's sum; ``"max"`` is the nearest neighbour.
    embedding : {"input", "auto"}, default="input"
        Features to compare: the raw input or :func:`skactive.utils.embed`.
        Token sets are always those of the raw input: ``input="tokens"``
        needs ``embedding="input"``.
    input : {"auto", "features", "tokens"}, default="auto"
        What a row of ``X`` is.

        - ``"features"``: a feature vector; ``jaccard`` compares its
          non-zero columns (the words of a bag-of-words row).
        - ``"tokens"``: a sequence of token ids, e.g. the int64, right-padded
          matrix of :class:`skactive.nets.SequenceVectorizer`; the row is
          compared as the *set* of its ids other than ``padding_idx`` and
          ``oov_idx``, so order, repetitions and padding do not matter.
          ``X`` must be a dense integer array with ids ``>= 0``;
          ``metric`` must be ``"jaccard"`` or ``"cosine"``.
        - ``"auto"``: ``"tokens"`` when the fitted classifier itself reads
          ``X`` as token ids, i.e. all of: ``metric="jaccard"``,
          ``embedding="input"``, ``X`` is a dense integer array with
          values ``>= 0``, and ``estimator`` is a torch network that looks
          its input up in an embedding table (``torch.nn.Embedding``, as
          :func:`skactive.nets.make_text_cnn` and
          :func:`skactive.nets.make_lstm` do). ``"features"`` otherwise:
          a dense integer matrix alone is ambiguous (binary indicators,
          counts), and sparse count matrices are bag-of-words features.
          Pass ``input="tokens"`` to compare token sets with any other
          classifier.
    padding_idx : int or None, default=0
        Token mode: the padding id, not a token. ``None``: no padding id.
    oov_idx : int or None, default=1
        Token mode: the out-of-vocabulary id, not a token either: every
        unknown word shares it, so counting it would make unrelated
        documents similar (ALIL's tokenizer had no OOV id). ``None``: every
        id but ``padding_idx`` is a token (a Keras ``Tokenizer`` without
        ``oov_token``, whose word ids start at 1).
    gamma : float or None, default=None
        Width of the ``rbf`` similarity.
    chunk_size : int or None, default=None
        Pool rows per block.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    input_ : {"features", "tokens"}
        How rows are compared (``input`` with ``"auto"`` resolved in
        ``fit``).
    X_labeled_embedding_ : {ndarray, sparse matrix} of shape (n_labeled, n_dims)
        The labeled set in the compared space (CSR when the input is sparse
        and the input features are compared; the labeled token-id matrix in
        token mode).
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit`` (the sequence length in token
        mode: pool rows must have it too).

    References
    ----------
    .. [1] M. Liu, W. Buntine, G. Haffari, "Learning How to Actively Learn:
       A Deep Imitation Learning Approach", ACL 2018 (diversity baseline).

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import DiversitySampling
    >>> X_lab = np.array([[1, 1, 0, 0], [1, 0, 1, 0]]); y_lab = np.array([0, 1])
    >>> X_pool = np.array([[1, 1, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]])
    >>> s = DiversitySampling(metric="jaccard").fit(X_lab, y_lab)
    >>> s.query(X_pool, batch_size=1)
    array([1])

    Token-id sequences (``0`` padding, ``1`` OOV), as ALIL's baseline
    compares them: the labeled documents are ``{2, 3}`` and ``{2, 4}``; pool
    document 1, ``{5, 6}``, shares none of their tokens although its length
    is theirs, then document 2, ``{4}``, is the least similar.

    >>> X_lab = np.array([[2, 3, 0, 0], [2, 4, 0, 0]])
    >>> X_pool = np.array([[3, 2, 2, 0], [5, 6, 0, 0], [4, 1, 1, 0]])
    >>> s = DiversitySampling(metric="jaccard", input="tokens").fit(X_lab, y_lab)
    >>> s.query(X_pool, batch_size=2)
    array([1, 2])
    >>> -s.score_samples(X_pool).round(3)  # mean Jaccard to the labeled set
    array([0.667, 0.   , 0.25 ])
    """

    def __init__(self, estimator=None, *, metric="cosine", aggregate="mean",
                 embedding="input", input="auto", padding_idx=0, oov_idx=1,
                 gamma=None, chunk_size=None, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.metric = metric
        self.aggregate = aggregate
        self.embedding = embedding
        self.input = input
        self.padding_idx = padding_idx
        self.oov_idx = oov_idx
        self.gamma = gamma
        self.chunk_size = chunk_size

    def _token_ignore(self):
        return (_check_token_id(self.padding_idx, "padding_idx"),
                _check_token_id(self.oov_idx, "oov_idx"))

    def _resolve_input(self, X):
        _check_option(self.input, "input", ("auto", "features", "tokens"))
        if self.input != "auto":
            return self.input
        tokens = (self.metric == "jaccard" and self.embedding == "input"
                  and _is_token_matrix(X) and _reads_token_ids(self.estimator_))
        return "tokens" if tokens else "features"

    def _embed(self, X):
        _check_option(self.embedding, "embedding", ("input", "auto"))
        if self.input_ == "tokens":
            return _check_tokens(X)
        est = self.estimator_ if self.embedding == "auto" else None
        if (sp.issparse(X) and not hasattr(est, "embed")
                and not isinstance(est, Pipeline)):
            # The input features themselves (embed's last rule), kept sparse.
            return sp.csr_matrix(X)
        return embed(est, X)

    def _fit(self, X, y):
        _check_option(self.metric, "metric", _METRICS)
        _check_option(self.aggregate, "aggregate", ("mean", "max"))
        _check_option(self.embedding, "embedding", ("input", "auto"))
        _check_gamma(self.gamma)
        self._token_ignore()
        self.input_ = self._resolve_input(X)
        if self.input_ == "tokens":
            _check_token_metric(self.metric)
            if self.embedding != "input":
                raise ValueError(
                    "input='tokens' compares the token sets of X itself, not "
                    "an embedding: use embedding='input' (or input='features' "
                    "to compare the network's embeddings)."
                )
        self.X_labeled_embedding_ = self._embed(X)

    def _prepared_similarity(self, X_pool):
        """The prepared pool and its aggregate similarity to the labeled set."""
        if self.input_ == "tokens":
            X_pool, L = _check_tokens(X_pool, "X_pool"), self.X_labeled_embedding_
            # One vocabulary for both: a pool id above every labeled one
            # widens it.
            width, ignore = _token_width(X_pool, L), self._token_ignore()
            P = _prepare_tokens(X_pool, self.metric, width, ignore)
            R = _prepare_tokens(L, self.metric, width, ignore)
        else:
            P = _prepare(self._embed(X_pool), self.metric, self.gamma)
            R = _prepare(self.X_labeled_embedding_, self.metric, P.gamma)
        return P, _similarity(P, R, self.aggregate, self.chunk_size)

    def _score(self, X_pool):
        return -self._prepared_similarity(X_pool)[1]

    def _query_candidates(self, X, candidates, batch_size):
        # The batch is greedy (each pick joins the reference set), not the
        # top of the static scores that ScoreQueryMixin's in-place shortcut
        # would take: query the candidate rows.
        return QueryStrategy._query_candidates(self, X, candidates, batch_size)

    def _query(self, X_pool, batch_size, rng):
        # The pool is prepared once; each pick then costs one matrix-vector
        # product of the prepared pool with the picked row.
        P, sim = self._prepared_similarity(X_pool)
        m = self.X_labeled_embedding_.shape[0]
        chosen = np.empty(batch_size, dtype=np.intp)
        mask = np.zeros(P.n, dtype=bool)
        for t in range(batch_size):
            scores = np.where(mask, -np.inf, -sim)
            best = np.flatnonzero(scores == scores.max())
            i = int(best[0] if best.shape[0] == 1 else rng.choice(best))
            chosen[t], mask[i] = i, True
            if t == batch_size - 1:
                break
            # Incremental update of the aggregate with the new reference row.
            s_new = _similarity_to_row(P, i)
            if self.aggregate == "mean":
                sim = (sim * m + s_new) / (m + 1)
            else:
                sim = np.maximum(sim, s_new)
            m += 1
        return chosen


class DensityWeighted(UncertaintySampling):
    """Information density: uncertainty weighted by representativeness.

    The utility is ``u(x) · density(x)^beta`` (Settles & Craven 2008), where
    ``u`` is an uncertainty measure of the classifier and ``density`` the
    mean similarity of ``x`` to the pool, so outliers that are uncertain only
    because they are far from everything rank lower. ``margin`` is shifted
    to ``1 - (p_(1) - p_(2))`` so the product stays non-negative.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba``. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure.
    beta : float, default=1.0
        Weight of the density term; 0 gives plain uncertainty sampling.
    metric : {"cosine", "jaccard", "rbf"}, default="cosine"
        Similarity. The mean cosine similarity costs one pass over the pool;
        ``jaccard`` and ``rbf`` compare against at most ``max_reference``
        pool samples, in chunks. scipy.sparse pools stay sparse.
    gamma : float or None, default=None
        Width of the ``rbf`` similarity.
    max_reference : int, default=2000
        Pool samples the density is measured against (a seeded subsample
        when the pool is larger) for the quadratic metrics.
    chunk_size : int or None, default=None
        Pool rows per block.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking and the reference subsample.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    The density is relative to the pool passed to ``query`` /
    ``score_samples``, so scores of a subset of the pool differ from the
    scores of the same samples inside the whole pool.

    References
    ----------
    .. [1] B. Settles, M. Craven, "An Analysis of Active Learning Strategies
       for Sequence Labeling Tasks", EMNLP 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import DensityWeighted
    >>> X_lab, y_lab = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([0, 1])
    >>> X_pool = np.array([[0.0, 1.0], [0.0, 1.1], [0.05, -5.0]])
    >>> s = DensityWeighted(metric="rbf", gamma=1.0).fit(X_lab, y_lab)
    >>> int(s.query(X_pool)[0]) in (0, 1)
    True
    """

    # The density is relative to the whole pool: no block-wise dask scoring.
    _blockwise_scores = False
    # The density compares feature vectors (UncertaintySampling's does not).
    _needs_features = True

    def __init__(self, estimator=None, *, measure="entropy", beta=1.0,
                 metric="cosine", gamma=None, max_reference=2000, chunk_size=None,
                 refit=True, random_state=None):
        QueryStrategy.__init__(self, estimator, refit=refit, random_state=random_state)
        self.measure = measure
        self.chunk_size = chunk_size
        self.beta = beta
        self.metric = metric
        self.gamma = gamma
        self.max_reference = max_reference

    def _resolve_response_method(self, estimator):
        _check_option(
            self.measure, "measure", ("entropy", "least_confidence", "margin")
        )
        return "predict_proba"

    def _fit(self, X, y):
        _check_option(self.metric, "metric", _METRICS)
        _check_gamma(self.gamma)
        if not isinstance(self.beta, numbers.Real) or self.beta < 0:
            raise ValueError(f"beta must be a non-negative float, got {self.beta!r}.")
        _check_positive_int(self.max_reference, "max_reference")

    def _score(self, X_pool):
        util = super()._score(X_pool)
        if self.measure == "margin":
            util = 1.0 + util
        P = _prepare(X_pool, self.metric, self.gamma)
        ref = P
        if self.metric != "cosine" and P.n > self.max_reference:
            rng = query_rng(self._query_seed, P.n)
            ref = P.take(rng.choice(P.n, self.max_reference, replace=False))
        density = _similarity(P, ref, "mean", self.chunk_size)
        return util * np.power(np.maximum(density, 0.0), self.beta)
