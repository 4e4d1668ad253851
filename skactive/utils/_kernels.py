"""Selection kernels shared by the diversity strategies.

Both kernels keep one running vector of length ``n_pool`` and never build a
pool × pool or batch × pool matrix: each greedy step is a matrix-vector
product over the pool, so it is bound by memory bandwidth.
"""

import numpy as np

from ._embedding import chunk_rows, iter_chunks

__all__ = ["min_sq_distances", "kcenter_greedy", "kmeanspp_factored",
           "KCenterShard", "KMeansPPShard", "LocalShards",
           "kcenter_greedy_sharded", "kmeanspp_sharded"]


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


def _offset_shift(colsum, x2sum, n):
    """The shift that centres a pool when its mean dominates its spread.

    ``‖x‖² − 2x·y + ‖y‖²`` cancels catastrophically when the norms are large
    compared with the distances (raw pixels, unscaled features), badly so in
    float32. Distances do not change under a common shift, so the pool is
    centred only when its mean is farther from the origin than the points
    are, on average, from their mean. Takes the sums of the rows and of
    their squared norms (float64), so shards can report them separately.

    Returns
    -------
    mu : ndarray of shape (d,) or None
        The pool mean, or None when no shift is needed.
    """
    mu = np.asarray(colsum, dtype=np.float64) / max(n, 1)
    mu2 = float(mu @ mu)
    spread = float(x2sum) / max(n, 1) - mu2
    return mu if mu2 > max(spread, 0.0) else None


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
    if m == 0 or n == 0:
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



# -- shards ---------------------------------------------------------------
# A shard holds rows ``offset:offset + n`` of the pool's representation and
# their running minimum distance to the centres. The greedy rules below talk
# to shards only through the methods of these classes, so the same driver
# runs one in-memory shard, the blocks of a memory-mapped pool, or shards
# held by dask actors on the workers of a cluster: each greedy step is one
# call per shard (an all-reduce of the maximum, or of the D² mass).

def _as_float(E):
    E = np.asarray(E)
    return E if E.dtype in (np.float32, np.float64) else E.astype(np.float64)


def _local_mask(mask, n):
    if mask is None:
        return None
    mask = np.asarray(mask, dtype=bool)
    return None if mask.all() else mask


class KCenterShard:
    """Rows of a pool for greedy k-center: embedding, norms, running minimum.

    Parameters
    ----------
    E : ndarray of shape (n, d)
        The rows' representation (a view of a memory map is kept as is,
        unless the pool needs centring).
    offset : int
        Pool row of ``E[0]``.
    mask : ndarray of bool of shape (n,) or None
        Rows that are candidates; the others are never picked.
    """

    def __init__(self, E, offset, mask=None):
        self.E = _as_float(E)
        self.offset = int(offset)
        self.mask = _local_mask(mask, self.E.shape[0])

    def stats(self):
        """Sum of the candidate rows, of their squared norms, their count."""
        E = self.E if self.mask is None else self.E[self.mask]
        return (E.sum(axis=0, dtype=np.float64),
                float(_sq_norms(E).sum(dtype=np.float64)), E.shape[0])

    def prepare(self, shift, centers, chunk_size=None):
        """Centre by ``shift`` (or not), then distances to ``centers``."""
        if shift is not None:
            self.E = self.E - shift.astype(self.E.dtype)
            centers = centers - shift
        centers = np.asarray(centers).astype(self.E.dtype, copy=False)
        self.x2 = _sq_norms(self.E)
        self.mind = _min_sq_distances(self.E, centers, self.x2, chunk_size)
        if self.mask is not None:
            self.mind[~self.mask] = -np.inf
        return self.top()

    def _row(self, i):
        return self.offset + i, self.E[i].copy(), float(self.x2[i])

    def top(self):
        """``(best, n_tied, row, vector, sq_norm)`` of the farthest row."""
        if self.E.shape[0] == 0:
            return -np.inf, 0, -1, None, 0.0
        i = int(np.argmax(self.mind))
        best = float(self.mind[i])
        n_tied = int(np.count_nonzero(self.mind == self.mind[i]))
        return (best, n_tied) + self._row(i)

    def tied(self, best, j):
        """The ``j``-th row (in row order) whose distance equals ``best``."""
        return self._row(int(np.flatnonzero(self.mind == best)[j]))

    def row(self, row):
        return self._row(row - self.offset)

    def update(self, vec, sq_norm, chosen):
        """Take the new centre ``vec`` into account; pool row ``chosen`` is it."""
        d = self.E @ vec
        d *= -2.0
        d += self.x2
        d += sq_norm
        np.minimum(self.mind, d, out=self.mind)
        i = chosen - self.offset
        if 0 <= i < self.E.shape[0]:
            # Chosen points must never be picked again, whatever the round-off.
            self.mind[i] = -1.0
        return self.top()


class KMeansPPShard:
    """Rows of a pool for BADGE's k-means++ seeding on ``a ⊗ h`` factors.

    Parameters
    ----------
    a : ndarray of shape (n, C)
    h : ndarray of shape (n, D)
    offset : int
        Pool row of the first row.
    mask : ndarray of bool of shape (n,) or None
        Rows that are candidates; the others carry no mass.
    """

    def __init__(self, a, h, offset, mask=None):
        # float64: the factored expansion cancels when ‖h‖ is large (raw
        # pixels), and shifting h to fix that would change the embedding.
        self.a = np.asarray(a, dtype=np.float64)
        self.h = np.asarray(h, dtype=np.float64)
        self.offset = int(offset)
        self.mask = _local_mask(mask, self.a.shape[0])
        self.g2 = _sq_norms(self.a) * _sq_norms(self.h)
        self.mind = np.full(self.a.shape[0], np.inf)
        if self.mask is not None:
            self.mind[~self.mask] = 0.0
        self._cdf = None

    def size(self):
        """Number of candidate rows."""
        return int(self.a.shape[0] if self.mask is None else self.mask.sum())

    def _row(self, i):
        return self.offset + i, self.a[i].copy(), self.h[i].copy(), float(self.g2[i])

    def top(self):
        """``(best, n_tied, row, a, h, g2)`` of the largest gradient norm."""
        g2 = self.g2 if self.mask is None else np.where(self.mask, self.g2, -np.inf)
        if g2.shape[0] == 0:
            return -np.inf, 0, -1, None, None, 0.0
        i = int(np.argmax(g2))
        n_tied = int(np.count_nonzero(g2 == g2[i]))
        return (float(g2[i]), n_tied) + self._row(i)

    def tied(self, best, j):
        g2 = self.g2 if self.mask is None else np.where(self.mask, self.g2, -np.inf)
        return self._row(int(np.flatnonzero(g2 == best)[j]))

    def row(self, row):
        return self._row(row - self.offset)

    def update(self, a, h, g2, chosen):
        """Take the new centre into account; return the shard's D² mass."""
        d = self.g2 + g2 - 2.0 * (self.a @ a) * (self.h @ h)
        np.minimum(self.mind, np.maximum(d, 0.0), out=self.mind)
        i = chosen - self.offset
        if 0 <= i < self.a.shape[0]:
            # A centre has zero mass, so it is never sampled again.
            self.mind[i] = 0.0
        self._cdf = np.cumsum(self.mind)
        return float(self._cdf[-1]) if self._cdf.shape[0] else 0.0

    def pick(self, target):
        """The row where the cumulative D² mass first exceeds ``target``."""
        cdf = self._cdf
        i = int(np.searchsorted(cdf, target, side="right"))
        if i >= cdf.shape[0] or self.mind[i] <= 0.0:
            # Round-off at the top of the cdf.
            i = int(np.flatnonzero(self.mind > 0)[-1])
        return self._row(i)


class LocalShards:
    """Shards in this process, in row order (the reference shard set)."""

    def __init__(self, shards):
        self.shards = list(shards)
        self.offsets = np.array([s.offset for s in self.shards])

    def map(self, method, *args):
        """``[getattr(shard, method)(*args) for shard in shards]``."""
        return [getattr(s, method)(*args) for s in self.shards]

    def call(self, index, method, *args):
        return getattr(self.shards[index], method)(*args)

    def owner(self, row):
        """Index of the shard holding pool row ``row``."""
        return int(np.searchsorted(self.offsets, row, side="right")) - 1

    def close(self):
        self.shards = []


def _pick_tied(shards, tops, rng, n_head):
    """The best row over all shards, ties broken by ``rng`` in row order.

    ``tops`` are the shards' :meth:`top` results; ``n_head`` is the number
    of leading fields (best, n_tied) before the row and its vectors.
    """
    best = max(t[0] for t in tops)
    counts = [t[1] if t[0] == best else 0 for t in tops]
    total = sum(counts)
    j = 0 if rng is None or total <= 1 else int(rng.integers(total))
    for s, c in enumerate(counts):
        if j < c:
            return tops[s][n_head:] if j == 0 else shards.call(s, "tied", best, j)
        j -= c
    raise RuntimeError("no candidate left to pick")  # pragma: no cover


def _nth_free(m, candidates, chosen_positions):
    """Pool row of the ``m``-th candidate not yet chosen (positions sorted)."""
    for p in chosen_positions:
        if p <= m:
            m += 1
    return int(m if candidates is None else candidates[m])


def kcenter_greedy_sharded(shards, centers, k, rng=None, candidates=None,
                           chunk_size=None):
    """Greedy k-center over a shard set; pool rows in selection order.

    ``candidates`` (sorted pool rows, or None for every row) are the rows
    the shards' masks leave in; the first pick without centres is a
    uniform draw among them.
    """
    stats = shards.map("stats")
    n_pool = sum(s[2] for s in stats)
    shift = _offset_shift(sum(s[0] for s in stats), sum(s[1] for s in stats),
                          n_pool)
    tops = shards.map("prepare", shift, np.asarray(centers), chunk_size)
    selected = np.empty(k, dtype=np.intp)
    start = 0
    if np.asarray(centers).shape[0] == 0:
        rng = np.random.default_rng() if rng is None else rng
        first = _nth_free(int(rng.integers(n_pool)), candidates, ())
        selected[0] = first
        _, vec, sq = shards.call(shards.owner(first), "row", first)
        tops = shards.map("update", vec, sq, first)
        start = 1
    for t in range(start, k):
        row, vec, sq = _pick_tied(shards, tops, rng, 2)
        selected[t] = row
        if t + 1 < k:
            tops = shards.map("update", vec, sq, row)
    return selected


def kmeanspp_sharded(shards, k, rng, first="max_norm", candidates=None):
    """BADGE's k-means++ seeding over a shard set; pool rows in selection order.

    ``candidates`` as in :func:`kcenter_greedy_sharded`. The D² draw is
    one uniform number per pick: the shard whose cumulative mass holds it
    picks the row, so the picks do not depend on how the pool is sharded
    (up to the rounding of the partial sums).
    """
    n_pool = sum(shards.map("size"))
    selected = np.empty(k, dtype=np.intp)
    if first == "max_norm":
        row, a, h, g2 = _pick_tied(shards, shards.map("top"), rng, 2)
    else:
        row = _nth_free(int(rng.integers(n_pool)), candidates, ())
        _, a, h, g2 = shards.call(shards.owner(row), "row", row)
    selected[0] = row
    positions = [row if candidates is None
                 else int(np.searchsorted(candidates, row))]
    for t in range(1, k):
        masses = np.asarray(shards.map("update", a, h, g2, row))
        total = float(masses.sum()) if masses.shape[0] > 1 else float(masses[0])
        if not np.isfinite(total) or total <= 0.0:
            # All remaining points coincide with a centre: pick uniformly.
            row = _nth_free(int(rng.integers(n_pool - t)), candidates,
                            sorted(positions))
            _, a, h, g2 = shards.call(shards.owner(row), "row", row)
        else:
            target = rng.random() * total
            cum = np.cumsum(masses)
            s = int(np.searchsorted(cum, target, side="right"))
            if s >= cum.shape[0]:  # round-off: the last shard with mass
                s = int(np.flatnonzero(masses > 0)[-1])
            local = target - (cum[s - 1] if s else 0.0)
            row, a, h, g2 = shards.call(s, "pick", local)
        selected[t] = row
        positions.append(row if candidates is None
                         else int(np.searchsorted(candidates, row)))
    return selected


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
    shards = LocalShards([KCenterShard(X, 0)])
    return kcenter_greedy_sharded(shards, X_centers, k, rng=rng,
                                  chunk_size=chunk_size)


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

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import kmeanspp_factored
    >>> a = np.array([[0.9, -0.9], [0.1, -0.1], [0.5, -0.5]])
    >>> h = np.array([[1.0], [1.0], [-1.0]])
    >>> kmeanspp_factored(a, h, 2, np.random.default_rng(0)).tolist()
    [0, 2]
    """
    shards = LocalShards([KMeansPPShard(a, h, 0)])
    return kmeanspp_sharded(shards, k, rng, first=first)
