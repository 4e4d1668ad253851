"""Send a large object to parallel tasks once, whatever the joblib backend."""

import pickle

import numpy as np

__all__ = ["pack", "unpack"]


def pack(obj):
    """``obj`` pickled into a uint8 array, to pass to every task of a ``Parallel`` call.

    joblib's dask backend scatters a top-level task argument once per call
    when ``dask.sizeof`` finds it larger than 1 kB. A fitted network or
    forest looks tiny to ``sizeof`` (it counts the Python object, not its
    weights), so it would be pickled into every task; its pickle as an
    array is measured right, scattered once (dask) or memory-mapped once
    (loky, above 1 MB).

    Parameters
    ----------
    obj : object
        Anything :mod:`pickle` can serialise (or ``cloudpickle``, when it
        is installed, for what pickle cannot, e.g. a lambda).

    Returns
    -------
    packed : ndarray of dtype uint8

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.utils._parallel import pack, unpack
    >>> unpack(pack(LogisticRegression(C=3.0))).C
    3.0
    """
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        import cloudpickle  # joblib's process backends need it for these too

        data = cloudpickle.dumps(obj)
    return np.frombuffer(data, dtype=np.uint8)


def unpack(packed):
    """The object :func:`pack` stored (a fresh copy on every call)."""
    # cloudpickle writes plain pickles: pickle.loads reads both.
    return pickle.loads(np.ascontiguousarray(packed).tobytes())
