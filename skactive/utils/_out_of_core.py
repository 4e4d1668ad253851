"""Pools that stay out of memory: dask arrays, memory maps, zarr arrays.

An out-of-core pool is read block by block (scoring) or row by row (the
labeled set); it is never loaded whole. What a lazy array is:

* a :class:`dask.array.Array` (blocks: its row chunks; any scheduler,
  ``dask.distributed`` included);
* a :class:`numpy.memmap` (``np.load(path, mmap_mode="r")``);
* a ``zarr`` array, read by row slices (whole chunks).
"""

import numbers

import numpy as np
from sklearn import get_config

__all__ = ["is_out_of_core", "check_out_of_core", "take_rows", "row_blocks"]


#: Most working memory (MiB) of one block of a memmap or zarr pool.
MAX_BLOCK_MIB = 64


def _root_module(X):
    return type(X).__module__.split(".")[0]


def _is_dask(X):
    return _root_module(X) == "dask" and hasattr(X, "map_blocks")


def is_out_of_core(X):
    """Whether ``X`` is a lazy array that skactive reads block by block.

    Parameters
    ----------
    X : object

    Returns
    -------
    lazy : bool
        True for a dask array, a :class:`numpy.memmap` and a zarr array.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import is_out_of_core
    >>> is_out_of_core(np.zeros((3, 2)))
    False
    """
    if isinstance(X, np.memmap):
        return True
    root = _root_module(X)
    if root == "dask":
        return hasattr(X, "map_blocks")
    return root == "zarr" and hasattr(X, "shape") and hasattr(X, "dtype")


def describe(X):
    """A short name of ``X``'s kind for messages, e.g. ``'dask array'``."""
    if isinstance(X, np.memmap):
        return "numpy.memmap"
    return {"dask": "dask array", "zarr": "zarr array"}.get(
        _root_module(X), type(X).__name__)


def check_out_of_core(X, name="X", *, ensure_min_samples=1, n_features=None):
    """Check an out-of-core array's shape and dtype without reading it.

    The values (NaN, inf) are checked where they are read: block by block
    when the pool is scored, row by row when labeled rows are gathered.

    Parameters
    ----------
    X : dask array, numpy.memmap or zarr array
    name : str, default="X"
        Name in the messages.
    ensure_min_samples : int, default=1
        Fewest rows accepted.
    n_features : int or None, default=None
        Required number of columns (those seen in ``fit``).

    Returns
    -------
    n_samples, n_features : int
    """
    kind = describe(X)
    shape = tuple(X.shape)
    if any(not isinstance(s, numbers.Integral) and np.isnan(s) for s in shape):
        raise ValueError(
            f"{name} is a {kind} with unknown chunk sizes (shape {shape}); "
            f"call {name}.compute_chunk_sizes() first, so rows can be "
            "located without reading them."
        )
    if len(shape) != 2:
        raise ValueError(
            f"Expected a 2D array, got a {len(shape)}-d {kind} of shape {shape} "
            f"as {name}: an out-of-core pool holds one row of numeric features "
            "per sample."
        )
    dtype = np.dtype(X.dtype)
    if dtype.kind not in "biuf":
        raise ValueError(
            f"{name} is a {kind} of dtype {dtype}, but an out-of-core pool "
            "must hold numbers (bool, int or float): it is read block by "
            "block and never converted as a whole."
        )
    n, d = int(shape[0]), int(shape[1])
    if n < ensure_min_samples:
        raise ValueError(
            f"Found array with {n} sample(s) (shape={shape}) while a minimum "
            f"of {ensure_min_samples} is required."
        )
    if d == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum "
            "of 1 is required."
        )
    if n_features is not None and d != n_features:
        raise ValueError(
            f"{name} has {d} features, but the model is expecting "
            f"{n_features} features as input."
        )
    return n, d


def take_rows(X, rows):
    """``X[rows]`` as an in-memory array, reading only those rows.

    Parameters
    ----------
    X : array-like, dask array, numpy.memmap or zarr array
    rows : array-like of int
        Row positions, in the order wanted (need not be sorted).

    Returns
    -------
    X_rows : ndarray of shape (len(rows), n_features)
        For a dask array only the chunks holding ``rows`` are computed.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import take_rows
    >>> take_rows(np.arange(6).reshape(3, 2), [2, 0]).tolist()
    [[4, 5], [0, 1]]
    """
    rows = np.asarray(rows, dtype=np.intp).reshape(-1)
    if isinstance(X, np.ndarray):
        # A memmap's fancy indexing copies the rows out of the file.
        return np.asarray(X[rows])
    if not is_out_of_core(X):
        return np.asarray(X)[rows]
    if rows.shape[0] == 0:
        return np.empty((0,) + tuple(X.shape[1:]), dtype=X.dtype)
    # Lazy arrays are read in increasing row order (dask and zarr then read
    # each chunk once), then put back in the order asked.
    sorted_rows = np.unique(rows)
    if _is_dask(X):
        part = np.asarray(X[sorted_rows].compute())
    else:  # zarr: orthogonal indexing reads the rows' chunks
        part = np.asarray(X.oindex[sorted_rows])
    return part[np.searchsorted(sorted_rows, rows)]


def row_blocks(X, row_bytes):
    """Row ranges ``(start, stop)`` covering ``X`` block by block.

    A dask array's blocks are its row chunks; other lazy arrays are cut
    into blocks of ``row_bytes`` per row within scikit-learn's
    ``working_memory``, at most 64 MiB (large enough that the per-block
    overhead vanishes, small enough that memory does not grow with the
    pool), whole chunks of a zarr array at a time.

    Parameters
    ----------
    X : dask array, numpy.memmap or zarr array
    row_bytes : int
        Working bytes per row.

    Returns
    -------
    blocks : list of (int, int)
    """
    n = int(X.shape[0])
    if _is_dask(X):
        stops = np.cumsum(X.chunks[0])
        starts = stops - np.asarray(X.chunks[0])
        return [(int(a), int(b)) for a, b in zip(starts, stops) if b > a]
    budget = min(get_config()["working_memory"], MAX_BLOCK_MIB) * 2**20
    rows = max(1, min(n, int(budget // max(int(row_bytes), 1))))
    chunks = getattr(X, "chunks", None)
    if not isinstance(X, np.ndarray) and chunks:
        step = int(chunks[0])
        rows = max(rows // step, 1) * step
    return [(start, min(start + rows, n)) for start in range(0, n, rows)]


def read_block(X, start, stop):
    """Rows ``start:stop`` of a lazy array (not dask) as a NumPy array.

    A memmap's rows stay a view of the file: nothing is copied.
    """
    if isinstance(X, np.ndarray):
        return X[start:stop]
    return np.asarray(X[start:stop])


def _apply_block(fn, block):
    return fn(np.asarray(block))


def apply_blockwise(fn, X):
    """``fn(X)`` computed block by block over the lazy array ``X``.

    Parameters
    ----------
    fn : callable
        Maps rows to rows of output, e.g. a fitted estimator's bound
        ``predict`` or ``predict_proba``; it validates each block itself.
        Picklable, for a distributed scheduler.
    X : dask array, numpy.memmap or zarr array of shape (n, d)

    Returns
    -------
    out : ndarray, or dask array when ``X`` is one
        A dask array stays lazy (as ``dask_ml.wrappers.ParallelPostFit``
        does): ``fn`` is one node of its graph, shipped once to a
        distributed scheduler, and each block is one task. Other arrays
        are computed block by block into one NumPy array.
    """
    # A row of zeros tells the output's trailing shape and dtype without
    # computing any of X (whose blocks may be costly to produce).
    probe = np.asarray(fn(np.zeros((1,) + tuple(X.shape[1:]), dtype=X.dtype)))
    tail, dtype = probe.shape[1:], probe.dtype
    if _is_dask(X):
        import dask
        import dask.array as da

        X = X.rechunk({1: -1})
        node = dask.delayed(fn, traverse=False)
        apply = dask.delayed(_apply_block, pure=True)
        parts = [
            da.from_delayed(apply(node, block), (size,) + tail, dtype=dtype)
            for block, size in zip(X.to_delayed().ravel(), X.chunks[0])
        ]
        return da.concatenate(parts) if len(parts) > 1 else parts[0]
    out = np.empty((int(X.shape[0]),) + tail, dtype=dtype)
    row_bytes = 8 * (int(X.shape[1]) + int(np.prod(tail, dtype=int)) + 1)
    for start, stop in row_blocks(X, row_bytes):
        out[start:stop] = fn(read_block(X, start, stop))
    return out


def compute_blockwise(fn, X):
    """:func:`apply_blockwise` computed into one NumPy array, dask or not."""
    out = apply_blockwise(fn, X)
    return np.asarray(out.compute() if _is_dask(out) else out)
