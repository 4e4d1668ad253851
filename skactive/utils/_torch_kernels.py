"""Torch shards for the greedy selection rules (CoreSet, BADGE) on a device.

:class:`TorchKCenterShard` and :class:`TorchKMeansPPShard` follow the shard
protocol of :mod:`skactive.utils._kernels` with the same arithmetic as
:class:`~skactive.utils._kernels.KCenterShard` and
:class:`~skactive.utils._kernels.KMeansPPShard`, but hold the pool as torch
tensors that stay on their device (a GPU's memory holds the network's
embedding already). So :func:`~skactive.utils._kernels.kcenter_greedy_sharded`
and :func:`~skactive.utils._kernels.kmeanspp_sharded` run unchanged on them:
per greedy step only scalars cross to the host (the best value, its tie count
and row, a squared norm; the D² mass); the vectors the shards hand the driver
are device tensors, passed back into ``update``.

torch is imported inside the functions, so this module imports without it
(:func:`torch_device_of` never imports it).
"""

import sys

import numpy as np

from ._embedding import chunk_rows

__all__ = ["TorchKCenterShard", "TorchKMeansPPShard", "as_torch",
           "torch_device_of"]


# The numpy kernels keep distance blocks cache-sized (4 MiB). On an
# accelerator each block costs kernel launches instead, so blocks are larger
# there; still bounded, never pool x pool.
_CPU_BLOCK_BYTES = 4 * 2**20
_DEVICE_BLOCK_BYTES = 64 * 2**20
# Centres per block, as in the numpy kernel.
_CENTER_ROWS = 4096


def torch_device_of(obj):
    """The :class:`torch.device` of a tensor, None for anything else.

    Does not import torch: an object can only be a tensor once torch has
    been imported.

    Parameters
    ----------
    obj : object

    Returns
    -------
    device : torch.device or None

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils._torch_kernels import torch_device_of
    >>> torch_device_of(np.zeros(3)) is None
    True
    """
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(obj, torch.Tensor):
        return None
    return obj.device


def as_torch(x, device=None, dtype=None):
    """``x`` as a tensor on ``device`` with ``dtype``; no copy when it is one.

    Parameters
    ----------
    x : torch.Tensor, ndarray or array-like
    device : torch.device, str or None
        None keeps a tensor's device (the CPU for anything else).
    dtype : torch.dtype or None
        None keeps the dtype.

    Returns
    -------
    tensor : torch.Tensor
    """
    import torch

    if isinstance(x, torch.Tensor):
        return x.to(device=x.device if device is None else device,
                    dtype=x.dtype if dtype is None else dtype)
    return torch.as_tensor(np.asarray(x), dtype=dtype, device=device)


def _float_dtype(dtype):
    """float32/float64 kept; lower-precision floats accumulate in float32;
    integers in float64, like the numpy shard."""
    import torch

    if dtype in (torch.float32, torch.float64):
        return dtype
    return torch.float32 if dtype.is_floating_point else torch.float64


def _chunks(n, rows):
    """Slices covering ``range(n)``, ``rows`` at a time (none when ``n`` is 0)."""
    return (slice(i, min(i + rows, n)) for i in range(0, n, max(int(rows), 1)))


def _block_bytes(device):
    return _CPU_BLOCK_BYTES if device.type == "cpu" else _DEVICE_BLOCK_BYTES


def _sq_norms(X, device):
    """Row squared norms in row chunks (no n x d temporary)."""
    import torch

    out = torch.empty(X.shape[0], dtype=X.dtype, device=X.device)
    rows = max(1, _block_bytes(device) // max(X.element_size() * X.shape[1], 1))
    for sl in _chunks(X.shape[0], rows):
        Xc = X[sl]
        torch.sum(Xc * Xc, dim=1, out=out[sl])
    return out


def _local_mask(mask, n, device):
    """The candidate mask as a bool tensor on ``device``; None when all are."""
    import torch

    if mask is None:
        return None
    mask = as_torch(mask, device=device, dtype=torch.bool).reshape(n)
    return None if bool(mask.all()) else mask


def _host(*scalars):
    """Several 0-d device tensors as Python floats, in one transfer."""
    import torch

    return torch.stack([s.to(torch.float64) for s in scalars]).tolist()


class TorchKCenterShard:
    """Rows of a pool for greedy k-center, held as tensors on their device.

    The torch counterpart of :class:`~skactive.utils._kernels.KCenterShard`
    (same protocol, same arithmetic).

    Parameters
    ----------
    E : torch.Tensor of shape (n, d)
        The rows' representation; stays on its device. float32 and float64
        are kept; half and bfloat16 become float32 (the running distances
        accumulate there), integers float64.
    offset : int
        Pool row of ``E[0]``.
    mask : ndarray or torch.Tensor of bool of shape (n,), or None
        Rows that are candidates; the others are never picked.
    """

    def __init__(self, E, offset, mask=None):
        E = as_torch(E)
        self.E = E.to(_float_dtype(E.dtype))
        self.device = self.E.device
        self.offset = int(offset)
        self.mask = _local_mask(mask, self.E.shape[0], self.device)

    def stats(self):
        """Sum of the candidate rows, of their squared norms, their count.

        Returns
        -------
        colsum : ndarray of shape (d,), float64
        x2sum : float
        count : int
        """
        import torch

        n, d = self.E.shape
        colsum = torch.zeros(d, dtype=torch.float64, device=self.device)
        x2sum = torch.zeros((), dtype=torch.float64, device=self.device)
        rows = max(1, _block_bytes(self.device) // (8 * max(d, 1)))
        for sl in _chunks(n, rows):
            Ec = self.E[sl].to(torch.float64)
            x2 = (Ec * Ec).sum(dim=1)
            if self.mask is not None:
                # Zeroed instead of boolean indexing (no sync); torch.where
                # rather than weights, so a non-finite masked row adds nothing.
                keep = self.mask[sl]
                Ec = torch.where(keep[:, None], Ec, 0.0)
                x2 = torch.where(keep, x2, 0.0)
            colsum += Ec.sum(dim=0)
            x2sum += x2.sum()
        count = n if self.mask is None else int(self.mask.sum())
        return colsum.cpu().numpy(), float(x2sum), count

    def prepare(self, shift, centers, chunk_size=None):
        """Centre by ``shift`` (or not), then distances to ``centers``.

        Parameters
        ----------
        shift : ndarray of shape (d,) or None
            The common shift (float64) from the pool's statistics.
        centers : ndarray or torch.Tensor of shape (m, d)
            The existing centres; may have no rows.
        chunk_size : int or None
            Rows of the pool per distance block; None keeps each block
            within a few MiB (more on an accelerator).

        Returns
        -------
        top : tuple
            :meth:`top`.
        """
        import torch

        dtype = self.E.dtype
        if isinstance(centers, torch.Tensor):
            centers = centers.to(device=self.device, dtype=torch.float64)
        else:
            centers = torch.as_tensor(np.asarray(centers, dtype=np.float64),
                                      device=self.device)
        centers = centers.reshape(-1, self.E.shape[1])
        if shift is not None:
            # As the numpy shard: the pool shifted in its dtype, the centres
            # in float64 before the cast.
            shift = torch.as_tensor(np.asarray(shift, dtype=np.float64),
                                    device=self.device)
            self.E = self.E - shift.to(dtype)
            centers = centers - shift
        centers = centers.to(dtype)
        self.x2 = _sq_norms(self.E, self.device)
        self.mind = self._min_sq_distances(centers, chunk_size)
        if self.mask is not None:
            self.mind[~self.mask] = -float("inf")
        return self.top()

    def _min_sq_distances(self, Y, chunk_size):
        """``‖x‖² − 2x·y + ‖y‖²`` minimised over ``Y`` in blocks, clamped at 0."""
        import torch

        X, x2 = self.E, self.x2
        n, m = X.shape[0], Y.shape[0]
        out = torch.full((n,), float("inf"), dtype=X.dtype, device=self.device)
        if m == 0:
            return out
        y2 = _sq_norms(Y, self.device)
        y_rows = min(m, _CENTER_ROWS)
        row_bytes = X.element_size() * y_rows
        if chunk_size is None:
            x_rows = max(1, min(n, _block_bytes(self.device) // row_bytes))
        else:
            x_rows = chunk_rows(row_bytes, n, chunk_size)
        for ys in _chunks(m, y_rows):
            Yc, y2c = Y[ys], y2[ys]
            for xs in _chunks(n, x_rows):
                block = X[xs] @ Yc.T
                block.mul_(-2.0)
                block.add_(x2[xs, None])
                block.add_(y2c[None, :])
                torch.minimum(out[xs], block.amin(dim=1), out=out[xs])
        return out.clamp_min_(0.0)

    def _top_of(self, values):
        """``(best, n_tied, i, sq_norm)`` over ``values`` in one host sync."""
        import torch

        i = torch.argmax(values)
        best = values[i]
        n_tied = torch.count_nonzero(values == best)
        best, n_tied, i, sq = _host(best, n_tied, i, self.x2[i])
        return best, int(n_tied), int(i), sq

    def _row(self, i, sq=None):
        sq = float(self.x2[i]) if sq is None else sq
        return self.offset + i, self.E[i].clone(), sq

    def top(self):
        """``(best, n_tied, row, vector, sq_norm)`` of the farthest row.

        ``vector`` is a tensor on the shard's device.
        """
        if self.E.shape[0] == 0:
            return -np.inf, 0, -1, None, 0.0
        best, n_tied, i, sq = self._top_of(self.mind)
        return (best, n_tied) + self._row(i, sq)

    def tied(self, best, j):
        """The ``j``-th row (in row order) whose distance equals ``best``."""
        import torch

        return self._row(int(torch.nonzero(self.mind == best)[j, 0]))

    def row(self, row):
        """``(row, vector, sq_norm)`` of pool row ``row`` (held here)."""
        return self._row(row - self.offset)

    def update(self, vec, sq_norm, chosen):
        """Take the new centre ``vec`` into account; pool row ``chosen`` is it."""
        import torch

        vec = as_torch(vec, device=self.device, dtype=self.E.dtype)
        d = self.E @ vec
        d.mul_(-2.0)
        d.add_(self.x2)
        d.add_(float(sq_norm))
        torch.minimum(self.mind, d, out=self.mind)
        i = int(chosen) - self.offset
        if 0 <= i < self.E.shape[0]:
            # Chosen points must never be picked again, whatever the round-off.
            self.mind[i] = -1.0
        return self.top()


class TorchKMeansPPShard:
    """Rows of a pool for BADGE's k-means++ seeding, as tensors on their device.

    The torch counterpart of :class:`~skactive.utils._kernels.KMeansPPShard`
    (same protocol, same arithmetic, float64 like it).

    Parameters
    ----------
    a : torch.Tensor of shape (n, C)
    h : torch.Tensor of shape (n, D)
        On the same device as ``a`` (moved there otherwise).
    offset : int
        Pool row of the first row.
    mask : ndarray or torch.Tensor of bool of shape (n,), or None
        Rows that are candidates; the others carry no mass.
    """

    def __init__(self, a, h, offset, mask=None):
        import torch

        # float64: the factored expansion cancels when ‖h‖ is large (raw
        # pixels), and shifting h to fix that would change the embedding.
        self.a = as_torch(a, dtype=torch.float64)
        self.device = self.a.device
        self.h = as_torch(h, device=self.device, dtype=torch.float64)
        self.offset = int(offset)
        n = self.a.shape[0]
        self.mask = _local_mask(mask, n, self.device)
        self.g2 = (_sq_norms(self.a, self.device)
                   * _sq_norms(self.h, self.device))
        self.mind = torch.full((n,), float("inf"), dtype=torch.float64,
                               device=self.device)
        if self.mask is None:
            self._g2_cand = self.g2
            self._size = n
        else:
            self.mind[~self.mask] = 0.0
            self._g2_cand = torch.where(self.mask, self.g2,
                                        torch.full_like(self.g2, -float("inf")))
            self._size = int(self.mask.sum())
        self._cdf = None

    def size(self):
        """Number of candidate rows."""
        return self._size

    def _row(self, i, g2=None):
        g2 = float(self.g2[i]) if g2 is None else g2
        return self.offset + i, self.a[i].clone(), self.h[i].clone(), g2

    def top(self):
        """``(best, n_tied, row, a, h, g2)`` of the largest gradient norm."""
        import torch

        values = self._g2_cand
        if values.shape[0] == 0:
            return -np.inf, 0, -1, None, None, 0.0
        i = torch.argmax(values)
        best = values[i]
        n_tied = torch.count_nonzero(values == best)
        best, n_tied, i, g2 = _host(best, n_tied, i, self.g2[i])
        return (best, int(n_tied)) + self._row(int(i), g2)

    def tied(self, best, j):
        """The ``j``-th row (in row order) whose gradient norm equals ``best``."""
        import torch

        return self._row(int(torch.nonzero(self._g2_cand == best)[j, 0]))

    def row(self, row):
        """``(row, a, h, g2)`` of pool row ``row`` (held here)."""
        return self._row(row - self.offset)

    def update(self, a, h, g2, chosen):
        """Take the new centre into account; return the shard's D² mass."""
        import torch

        a = as_torch(a, device=self.device, dtype=torch.float64)
        h = as_torch(h, device=self.device, dtype=torch.float64)
        # The numpy shard's order of operations, so both round alike.
        d = self.g2 + float(g2) - 2.0 * (self.a @ a) * (self.h @ h)
        torch.minimum(self.mind, d.clamp_min_(0.0), out=self.mind)
        i = int(chosen) - self.offset
        if 0 <= i < self.a.shape[0]:
            # A centre has zero mass, so it is never sampled again.
            self.mind[i] = 0.0
        self._cdf = torch.cumsum(self.mind, dim=0)
        return float(self._cdf[-1]) if self._cdf.shape[0] else 0.0

    def pick(self, target):
        """The row where the cumulative D² mass first exceeds ``target``."""
        import torch

        cdf, n = self._cdf, self._cdf.shape[0]
        t = torch.tensor([float(target)], dtype=cdf.dtype, device=self.device)
        i = torch.searchsorted(cdf, t, right=True)[0]
        j = i.clamp(max=n - 1)
        i, mass, g2 = _host(i, self.mind[j], self.g2[j])
        i = int(i)
        if i >= n or mass <= 0.0:
            # Round-off at the top of the cdf.
            i = int(torch.nonzero(self.mind > 0)[-1, 0])
            return self._row(i)
        return self._row(i, g2)
