"""Dispatch to embeddings, gradient embeddings and chunked predictions.

Strategies ask these helpers instead of the estimator, so one CoreSet or BADGE
implementation serves a plain scikit-learn classifier, a ``Pipeline`` and a
network that exposes its own ``embed`` / ``gradient_embedding_factors``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.pipeline import Pipeline
from sklearn.utils import gen_batches

__all__ = [
    "vstack_rows",
    "embed",
    "gradient_embedding_factors",
    "predict_proba_chunked",
    "iter_chunks",
    "chunk_rows",
]


def chunk_rows(row_bytes, n_rows, chunk_size=None):
    """Rows per chunk so one chunk's working array stays within budget.

    Parameters
    ----------
    row_bytes : int
        Bytes of temporary memory needed per row.
    n_rows : int
        Number of rows to process.
    chunk_size : int or None
        Explicit rows per chunk; ``None`` derives it from scikit-learn's
        ``working_memory`` setting (:func:`sklearn.set_config`).

    Returns
    -------
    n : int
    """
    n_rows = max(int(n_rows), 1)
    if chunk_size is not None:
        return max(1, min(int(chunk_size), n_rows))
    budget = get_config()["working_memory"] * 2**20
    return max(1, min(n_rows, int(budget // max(int(row_bytes), 1))))


def iter_chunks(n_rows, rows_per_chunk):
    """Yield slices covering ``range(n_rows)`` in chunks."""
    return gen_batches(n_rows, max(int(rows_per_chunk), 1))


def predict_proba_chunked(estimator, X, chunk_size=None):
    """``estimator.predict_proba(X)`` computed chunk by chunk.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    X : array-like of shape (n_samples, n_features)
    chunk_size : int or None
        Rows per call; ``None`` uses one call when the output fits the
        working-memory budget.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
    """
    n = X.shape[0]
    n_classes = len(getattr(estimator, "classes_", [0, 1]))
    rows = chunk_rows(8 * (n_classes + X.shape[1]), n, chunk_size)
    if rows >= n:
        return estimator.predict_proba(X)
    out = np.empty((n, n_classes))
    for sl in iter_chunks(n, rows):
        out[sl] = estimator.predict_proba(X[sl])
    return out


def _as_float_array(X):
    """Dense floating array; float32 stays float32 (half the bytes per pass)."""
    if hasattr(X, "toarray"):
        X = X.toarray()
    X = np.asarray(X)
    return X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)


def _call_as_tensor(method, X, as_tensor):
    """``method(X)``, asking for a torch tensor where the method offers one."""
    if as_tensor:
        import inspect

        try:
            if "as_tensor" in inspect.signature(method).parameters:
                return method(X, as_tensor=True)
        except (TypeError, ValueError):  # pragma: no cover - no signature
            pass
    return method(X)


def _keep(out, as_tensor):
    if as_tensor and type(out).__module__.split(".")[0] == "torch":
        return out
    return np.asarray(out)


def embed(estimator, X, as_tensor=False):
    """Representation of ``X`` that distance-based strategies work in.

    The dispatch, in order:

    1. an estimator with an ``embed(X)`` method (the networks of
       :mod:`skactive.nets`) returns its penultimate representation;
    2. a :class:`~sklearn.pipeline.Pipeline` returns ``X`` transformed by every
       step but the last (then the last step's ``embed`` if it has one);
    3. any other estimator, or ``None``: the input features themselves.

    Parameters
    ----------
    estimator : estimator or None
        A fitted estimator.
    X : array-like of shape (n_samples, n_features)
    as_tensor : bool, default=False
        Keep a network's embedding as the torch tensor it computes, on its
        device (no copy to the host); other embeddings are NumPy arrays.

    Returns
    -------
    embedding : ndarray or torch.Tensor of shape (n_samples, n_dims)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.utils import embed
    >>> X, y = np.array([[0.0], [2.0], [4.0]]), np.array([0, 1, 1])
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> embed(pipe, X).ravel().round(3)
    array([-1.225,  0.   ,  1.225])
    """
    if estimator is not None and hasattr(estimator, "embed"):
        return _keep(_call_as_tensor(estimator.embed, X, as_tensor), as_tensor)
    if isinstance(estimator, Pipeline):
        Xt = estimator[:-1].transform(X) if len(estimator) > 1 else X
        final = estimator._final_estimator
        if hasattr(final, "embed"):
            return _keep(_call_as_tensor(final.embed, Xt, as_tensor), as_tensor)
        return _as_float_array(Xt)
    return _as_float_array(X)


def gradient_embedding_factors(estimator, X, proba=None, as_tensor=False):
    """Rank-1 factors of BADGE's gradient embedding.

    The gradient of the cross-entropy loss under the proxy label
    ``y_hat = argmax p`` with respect to the last linear layer's weights is
    ``(p - onehot(y_hat)) ⊗ h`` where ``h`` is the layer's input. It is
    returned as the pair ``(a, h)`` so distances can be computed without
    forming the ``n_samples × (n_classes · n_dims)`` matrix.

    An estimator with a ``gradient_embedding_factors(X)`` method supplies its
    own factors; otherwise ``a`` comes from ``predict_proba`` and ``h`` from
    :func:`embed` (for a linear model on the input features this is exactly
    the gradient with respect to its coefficients).

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    X : array-like of shape (n_samples, n_features)
    proba : ndarray of shape (n_samples, n_classes), optional
        Precomputed ``predict_proba(X)``.
    as_tensor : bool, default=False
        Keep a network's factors as the torch tensors it computes, on its
        device; other factors are NumPy arrays.

    Returns
    -------
    a : ndarray or torch.Tensor of shape (n_samples, n_classes)
    h : ndarray or torch.Tensor of shape (n_samples, n_dims)
    """
    if hasattr(estimator, "gradient_embedding_factors"):
        a, h = _call_as_tensor(estimator.gradient_embedding_factors, X, as_tensor)
        return _keep(a, as_tensor), _keep(h, as_tensor)
    if proba is None:
        proba = predict_proba_chunked(estimator, X)
    a = np.array(proba, dtype=float, copy=True)
    a[np.arange(a.shape[0]), a.argmax(axis=1)] -= 1.0
    return a, embed(estimator, X)


def vstack_rows(A, B):
    """Rows of ``A`` then rows of ``B``; CSR when either is sparse.

    Parameters
    ----------
    A, B : ndarray or sparse matrix with the same number of columns
        Or two 1-d arrays (e.g. raw documents), which are concatenated.

    Returns
    -------
    stacked : ndarray or scipy.sparse.csr_matrix
    """
    if sp.issparse(A) or sp.issparse(B):
        return sp.vstack([A, B], format="csr")
    if np.ndim(A) == 1 and np.ndim(B) == 1:
        return np.concatenate([A, B])
    return np.vstack([A, B])
