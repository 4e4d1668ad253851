"""Top-k selection with seeded tie-breaking and batch-size validation."""

import numbers

import numpy as np

__all__ = ["top_k", "check_batch_size", "check_indices", "query_rng",
           "stratified_indices"]


def query_rng(seed, n_pool):
    """Return the generator a strategy uses for one query.

    Mixing the pool size into the seed makes repeated queries on the same
    fitted strategy and pool identical (``query`` is a pure function of the
    fitted state), while rounds of an active learning loop, whose pools shrink,
    get different streams.

    Parameters
    ----------
    seed : int
        Seed drawn from the strategy's ``random_state`` in ``fit``.
    n_pool : int
        Number of samples in the pool being queried.

    Returns
    -------
    rng : numpy.random.Generator
    """
    return np.random.default_rng([int(seed), int(n_pool)])


def check_batch_size(batch_size, n_pool, name="batch_size"):
    """Validate ``batch_size`` against the pool size.

    Parameters
    ----------
    batch_size : int
        Requested number of samples.
    n_pool : int
        Number of samples available in the pool.
    name : str, default="batch_size"
        Parameter name used in error messages.

    Returns
    -------
    batch_size : int

    Raises
    ------
    TypeError
        If ``batch_size`` is not an integer.
    ValueError
        If the pool is empty, ``batch_size < 1`` or ``batch_size > n_pool``.
    """
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(
        batch_size, numbers.Integral
    ):
        raise TypeError(
            f"{name} must be a positive integer, got {batch_size!r} "
            f"of type {type(batch_size).__name__}."
        )
    if n_pool == 0:
        raise ValueError(
            "The pool X_pool is empty: there is nothing left to query. "
            "Pass at least one unlabeled sample."
        )
    if batch_size < 1:
        raise ValueError(f"{name} must be >= 1, got {batch_size}.")
    if batch_size > n_pool:
        raise ValueError(
            f"{name}={batch_size} is larger than the pool, which has only "
            f"{n_pool} samples; use {name} <= {n_pool}."
        )
    return int(batch_size)


def check_indices(indices, name, *, n=None, size=None, what="row indices"):
    """Validate an array of distinct sample indices (an order, a labeled set).

    Parameters
    ----------
    indices : array-like of int
        The indices.
    name : str
        Parameter name used in error messages.
    n : int or None, default=None
        Number of rows indexed: every index must be below it.
    size : int or None, default=None
        Required number of indices.
    what : str, default="row indices"
        What the indices point to, for error messages.

    Returns
    -------
    indices : ndarray of intp

    Raises
    ------
    ValueError
        If ``indices`` is not a 1-D integer array (of ``size`` entries), has
        negative, out-of-range or repeated entries.

    Examples
    --------
    >>> from skactive.utils import check_indices
    >>> check_indices([3, 0, 2], "order", n=4).tolist()
    [3, 0, 2]
    """
    idx = np.asarray(indices)
    if (idx.ndim != 1 or idx.dtype.kind not in "iu"
            or (size is not None and idx.shape[0] != size)):
        count = "" if size is None else f"{size} "
        raise ValueError(
            f"{name} must be a 1-D array of {count}integer {what}, got shape "
            f"{idx.shape} and dtype {idx.dtype}."
        )
    if idx.shape[0] and idx.min() < 0:
        raise ValueError(f"{name} has negative indices; use {what} >= 0.")
    if n is not None and idx.shape[0] and idx.max() >= n:
        raise ValueError(f"{name} has indices outside [0, {n}): there are {n} rows.")
    if np.unique(idx).shape[0] != idx.shape[0]:
        raise ValueError(f"{name} has repeated indices; each row is labeled once.")
    return idx.astype(np.intp)


def top_k(scores, k, rng):
    """Indices of the ``k`` largest scores, best first, ties broken at random.

    Selection is O(n) through :func:`numpy.argpartition`; only the ``k``
    selected scores are sorted, and random keys are drawn only for the tied
    values at the selection boundary and inside the selected set.

    Parameters
    ----------
    scores : ndarray or torch.Tensor of shape (n_samples,)
        Utilities, higher is better. NaN is treated as the lowest utility.
        A tensor is selected on its own device; only the ``k`` indices are
        copied back.
    k : int
        Number of indices to return, ``1 <= k <= n_samples``.
    rng : numpy.random.Generator
        Source of the tie-breaking randomness.

    Returns
    -------
    indices : ndarray of shape (k,)
        Distinct indices into ``scores``, ordered by decreasing score.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import top_k
    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3, np.random.default_rng(0))
    array([..., ..., 2])
    """
    if type(scores).__module__.startswith("torch"):
        return _top_k_torch(scores, k, rng)
    scores = _selection_scores(scores)
    return _top_k_of(scores, k, rng, scores.shape[0])


def _selection_scores(scores):
    """Scores as ``top_k`` compares them: bool and int as float64, NaN as -inf."""
    scores = np.asarray(scores)
    if scores.dtype.kind in "biu":
        # Negating bool raises and negating unsigned wraps around (-0 < -1).
        scores = scores.astype(np.float64)
    if scores.dtype.kind == "f" and np.isnan(scores).any():
        scores = np.where(np.isnan(scores), -np.inf, scores)
    return scores


def _top_candidates(scores, k):
    """Positions of the scores that can be in a top ``k``, in order.

    Those at least the ``k``-th largest, every tie included. Of any set of
    scores holding these, the same rule keeps a superset of the top ``k`` of
    the whole set, with all the scores tied at its boundary: pruning blocks
    of a pool with it, then merging, loses nothing :func:`top_k` looks at.
    """
    n = scores.shape[0]
    if n <= k:
        return np.arange(n)
    kth = np.partition(scores, n - k)[n - k]
    return np.flatnonzero(scores >= kth)


def _top_k_of(scores, k, rng, n):
    """:func:`top_k` of a pool of ``n`` scores, given the candidates only.

    ``scores`` (as :func:`_selection_scores` makes them) holds, in pool
    order, at least every score of the pool that :func:`_top_candidates`
    keeps (all of them when ``scores.shape[0] == n``). The draws from
    ``rng`` and the result, positions into ``scores``, are those of
    ``top_k`` on the whole pool.
    """
    if k == 1:
        # argmax is far cheaper than argpartition; ties still go to the rng.
        tied = np.flatnonzero(scores == scores[np.argmax(scores)])
        return tied[rng.integers(tied.shape[0])][None] if tied.shape[0] > 1 else tied
    if k >= n:
        selected = np.arange(scores.shape[0])
    else:
        m = scores.shape[0]
        part = np.argpartition(scores, m - k)[m - k :]
        kth = scores[part].min()
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)
        need = k - above.shape[0]
        if need < tied.shape[0]:
            tied = rng.choice(tied, size=need, replace=False)
        selected = np.concatenate([above, tied])
    sel_scores = scores[selected]
    # lexsort sorts by the last key first: score descending, then random key.
    order = np.lexsort((rng.random(selected.shape[0]), -sel_scores))
    return selected[order]


def _top_k_torch(scores, k, rng):
    """:func:`top_k` on a torch tensor, on its device; only ``k`` indices leave it."""
    import torch

    scores = scores.detach().double()
    scores = torch.nan_to_num(scores, nan=-float("inf"))
    gen = torch.Generator(device=scores.device).manual_seed(
        int(rng.integers(np.iinfo(np.int32).max))
    )
    n = scores.shape[0]
    if k >= n:
        selected = torch.arange(n, device=scores.device)
    else:
        kth = torch.topk(scores, k).values[-1]
        above = torch.nonzero(scores > kth).squeeze(1)
        tied = torch.nonzero(scores == kth).squeeze(1)
        need = k - above.shape[0]
        if need < tied.shape[0]:
            perm = torch.randperm(tied.shape[0], generator=gen, device=scores.device)
            tied = tied[perm[:need]]
        selected = torch.cat([above, tied])
    # Random order first, then a stable sort by score: ties end up shuffled.
    shuffle = torch.randperm(selected.shape[0], generator=gen, device=scores.device)
    selected = selected[shuffle]
    order = torch.sort(-scores[selected], stable=True).indices
    return selected[order].cpu().numpy().astype(np.intp)


def stratified_indices(y, size, rng, candidates=None):
    """``size`` indices with one sample of each class first, then random ones.

    The initial labeled set of a cold start: every class is represented when
    ``size`` allows (otherwise ``size`` random classes get one sample each),
    and the rest is filled uniformly at random.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels.
    size : int
        Number of indices, at most the number of candidates.
    rng : numpy.random.RandomState or numpy.random.Generator
    candidates : ndarray of int or None, default=None
        Indices to draw from; ``None`` means all of ``y``.

    Returns
    -------
    indices : ndarray of shape (size,)

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import stratified_indices
    >>> y = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    >>> idx = stratified_indices(y, 4, np.random.RandomState(0))
    >>> sorted(set(y[idx][:3].tolist()))
    [0, 1, 2]
    """
    # Every row by default, without an index array per row (10^7-row pools).
    y_candidates = y if candidates is None else y[candidates]
    classes = np.unique(y_candidates)
    if classes.shape[0] > size:
        classes = rng.permutation(classes)[:size]
    if candidates is None:
        first = np.array([rng.choice(np.flatnonzero(y == c)) for c in classes],
                         dtype=np.intp)
        keep = np.ones(y.shape[0], dtype=bool)
        keep[first] = False
        rest = np.flatnonzero(keep)
    else:
        first = np.array([rng.choice(candidates[y_candidates == c])
                          for c in classes], dtype=np.intp)
        rest = _setdiff(candidates, first)
    return np.concatenate([first, rng.permutation(rest)[: size - first.shape[0]]])


def _setdiff(a, b):
    """``np.setdiff1d(a, b)``: the sorted distinct values of ``a`` not in ``b``.

    Increasing ``a`` (row indices, as the loop's are) is filtered in O(n):
    ``np.setdiff1d`` sorts it again, which takes seconds at 10^7 rows.
    """
    a = np.asarray(a)
    if a.ndim == 1 and (a[1:] > a[:-1]).all():
        return a[np.isin(a, b, invert=True)]
    return np.setdiff1d(a, b)
