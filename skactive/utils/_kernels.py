"""Selection kernels shared by the diversity strategies.

Both kernels keep one running vector of length ``n_pool`` and never build a
pool × pool or batch × pool matrix: each greedy step is a matrix-vector
product over the pool, so it is bound by memory bandwidth.
"""

import numpy as np

from ._embedding import chunk_rows, iter_chunks

__all__ = ["min_sq_distances", "kcenter_greedy", "kmeanspp_factored"]


# Temporary distance blocks are kept cache-sized: a block built from the
# 1 GiB working_memory budget would dominate peak memory and run its
# element-wise passes from main memory.
_BLOCK_BYTES = 4 * 2**20


def _sq_norms(X):
    return np.einsum("ij,ij->i", X, X)


def _argmax_tie(values, rng):
    """Index of the maximum, ties broken by ``rng`` (first index without one)."""
    i = int(np.argmax(values))
    if rng is None:
        return i
    tied = np.flatnonzero(values == values[i])
    return i if tied.shape[0] == 1 else int(tied[rng.integers(tied.shape[0])])


def _center_if_offset(X, Y, x2):
    """Shift ``X`` and ``Y`` by the pool mean when it dominates the spread.

    ``‖x‖² − 2x·y + ‖y‖²`` cancels catastrophically when the norms are large
    compared with the distances (raw pixels, unscaled features), badly so in
    float32. Distances do not change under a common shift, so the pool is
    centred (one copy) only when its mean is farther from the origin than
    the points are, on average, from their mean.
    """
    mu = X.mean(axis=0)
    mu2 = float(mu @ mu)
    spread = float(x2.mean()) - mu2
    if mu2 <= max(spread, 0.0):
        return X, Y, x2
    X = X - mu
    return X, Y - mu.astype(Y.dtype, copy=False), _sq_norms(X)


def min_sq_distances(X, Y, chunk_size=None):
    """Squared Euclidean distance from each row of ``X`` to its nearest row of ``Y``.

    Computed in row chunks of ``X`` (and of ``Y`` when it is large), so the
    temporary block stays within scikit-learn's ``working_memory``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    Y : ndarray of shape (m, d)
    chunk_size : int or None
        Rows of ``X`` per chunk.

    Returns
    -------
    d2 : ndarray of shape (n,)
        Clipped at zero against round-off.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import min_sq_distances
    >>> min_sq_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 1.0]]))
    array([ 1., 18.])
    """
    return _min_sq_distances(X, Y, _sq_norms(X), chunk_size)


def _min_sq_distances(X, Y, x2, chunk_size):
    n, m = X.shape[0], Y.shape[0]
    out = np.full(n, np.inf, dtype=np.result_type(X.dtype, Y.dtype, np.float32))
    if m == 0:
        return out
    y2 = _sq_norms(Y)
    itemsize = out.dtype.itemsize
    y_rows = min(m, 4096)
    if chunk_size is None:
        x_rows = max(1, min(n, _BLOCK_BYTES // (itemsize * y_rows)))
    else:
        x_rows = chunk_rows(itemsize * y_rows, n, chunk_size)
    for ys in iter_chunks(m, y_rows):
        Yc, y2c = Y[ys], y2[ys]
        for xs in iter_chunks(n, x_rows):
            block = X[xs] @ Yc.T
            block *= -2.0
            block += x2[xs, None]
            block += y2c[None, :]
            np.minimum(out[xs], block.min(axis=1), out=out[xs])
    np.maximum(out, 0.0, out=out)
    return out


def kcenter_greedy(X, X_centers, k, rng=None, chunk_size=None):
    """Greedy k-center selection (Sener & Savarese's CoreSet).

    Each step adds the pool point farthest from its nearest centre and
    updates the running minimum distance with one matrix-vector product.
    Data whose mean dominates its spread is centred first, so float32
    embeddings keep their precision.

    Parameters
    ----------
    X : ndarray of shape (n_pool, d)
        Pool representation.
    X_centers : ndarray of shape (n_centers, d)
        Existing centres (the labeled set); may be empty.
    k : int
        Number of points to select.
    rng : numpy.random.Generator, optional
        Picks the first point when there are no centres and breaks ties
        between equally far points; without it the first index wins.
    chunk_size : int or None
        Rows per chunk for the initial distance computation.

    Returns
    -------
    indices : ndarray of shape (k,)
        Distinct pool indices in selection order.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import kcenter_greedy
    >>> X = np.array([[0.0], [1.0], [5.0], [10.0]])
    >>> kcenter_greedy(X, np.array([[0.0]]), 2)
    array([3, 2])
    """
    n = X.shape[0]
    x2 = _sq_norms(X)
    X, X_centers, x2 = _center_if_offset(X, X_centers, x2)
    mind = _min_sq_distances(X, X_centers, x2, chunk_size)
    selected = np.empty(k, dtype=np.intp)
    start = 0
    if X_centers.shape[0] == 0:
        rng = np.random.default_rng() if rng is None else rng
        first = int(rng.integers(n))
        selected[0] = first
        mind = np.maximum(x2 - 2.0 * (X @ X[first]) + x2[first], 0.0)
        mind[first] = -1.0
        start = 1
    for t in range(start, k):
        i = _argmax_tie(mind, rng)
        selected[t] = i
        d = X @ X[i]
        d *= -2.0
        d += x2
        d += x2[i]
        np.minimum(mind, d, out=mind)
        # Chosen points must never be picked again, whatever the round-off.
        mind[i] = -1.0
    return selected


def kmeanspp_factored(a, h, k, rng, first="max_norm"):
    """k-means++ seeding on rank-1 embeddings ``g_i = a_i ⊗ h_i`` (BADGE).

    Uses ``‖g_i − g_j‖² = ‖a_i‖²‖h_i‖² + ‖a_j‖²‖h_j‖² − 2 (a_i·a_j)(h_i·h_j)``,
    so memory is ``n·(C + D)`` instead of ``n·C·D``.

    Parameters
    ----------
    a : ndarray of shape (n, C)
    h : ndarray of shape (n, D)
    k : int
        Number of seeds.
    rng : numpy.random.Generator
    first : {"max_norm", "random"}, default="max_norm"
        The first seed: the largest gradient norm (as BADGE's code; ties
        broken by ``rng``) or a uniform draw.

    Returns
    -------
    indices : ndarray of shape (k,)
        Distinct indices in selection order.
    """
    # float64: the factored expansion cancels when ‖h‖ is large (raw pixels),
    # and shifting h to fix that would change the gradient embedding.
    a = np.asarray(a, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    n = a.shape[0]
    a2 = _sq_norms(a)
    h2 = _sq_norms(h)
    g2 = a2 * h2
    selected = np.empty(k, dtype=np.intp)
    if first == "max_norm":
        i = _argmax_tie(g2, rng)
    else:
        i = int(rng.integers(n))
    selected[0] = i
    chosen = np.zeros(n, dtype=bool)
    chosen[i] = True
    mind = np.maximum(g2 + g2[i] - 2.0 * (a @ a[i]) * (h @ h[i]), 0.0)
    mind[i] = 0.0
    for t in range(1, k):
        total = mind.sum()
        if not np.isfinite(total) or total <= 0.0:
            # All remaining points coincide with a centre: pick uniformly.
            i = int(rng.choice(np.flatnonzero(~chosen)))
        else:
            cdf = np.cumsum(mind)
            i = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
            i = min(i, n - 1)
            if chosen[i]:  # round-off at the top of the cdf
                i = int(np.flatnonzero(mind > 0)[-1])
        selected[t] = i
        chosen[i] = True
        d = g2 + g2[i] - 2.0 * (a @ a[i]) * (h @ h[i])
        np.minimum(mind, np.maximum(d, 0.0), out=mind)
        # A centre has zero mass, so it is never sampled again.
        mind[i] = 0.0
    return selected
