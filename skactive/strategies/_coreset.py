"""CoreSet: greedy k-center selection in an embedding space."""

import numpy as np
from sklearn.pipeline import Pipeline

from ..base import (
    QueryStrategy,
    _check_has_method,
    _check_option,
    _check_positive_int,
    _lazy_pool,
    _validate_block,
)
from ..utils import chunk_rows, embed, iter_chunks, take_rows
from ..utils._kernels import KCenterShard, LocalShards, kcenter_greedy_sharded
from ..utils._out_of_core import compute_blockwise
from ..utils._selection import check_batch_size, query_rng
from ..utils._shards import lazy_shards
from ..utils._torch_kernels import (
    TorchKCenterShard,
    as_torch,
    torch_device_of,
)

__all__ = ["CoreSet"]


def _check_prefilter(estimator, prefilter, prefilter_by, owner):
    """Validate the two-stage parameters shared by CoreSet and BADGE."""
    if prefilter is not None:
        _check_positive_int(prefilter, "prefilter")
    _check_option(prefilter_by, "prefilter_by", ("random", "uncertainty"))
    if prefilter is not None and prefilter_by == "uncertainty":
        _check_has_method(
            estimator, "predict_proba", f"{owner}(prefilter_by='uncertainty')",
            " Use prefilter_by='random' or a probabilistic classifier.",
        )


def _pool_margins(estimator, X, chunk_size=None):
    """``p_(1) − p_(2)`` of ``predict_proba`` over the pool, block by block.

    Only one block of probabilities is held at a time, so the memory is
    ``n_pool`` floats plus one block whatever the pool's size.
    """
    n = X.shape[0]
    n_classes = len(getattr(estimator, "classes_", [0, 1]))
    rows = chunk_rows(8 * (n_classes + X.shape[1]), n, chunk_size)
    out = np.empty(n)
    for sl in iter_chunks(n, rows):
        p = np.asarray(estimator.predict_proba(X[sl]), dtype=float)
        if p.shape[1] < 2:
            out[sl] = 1.0
            continue
        top2 = np.partition(p, p.shape[1] - 2, axis=1)[:, -2:]
        out[sl] = top2[:, 1] - top2[:, 0]
    return out


def _prefilter_candidates(n_pool, margins, batch_size, prefilter, prefilter_by, rng):
    """Pool positions (sorted) of the first stage, or None for the exact rule.

    ``margins()`` gives the pool's margins when ``prefilter_by`` asks for
    them. ``None`` when ``prefilter`` is None or keeps the whole pool, so
    that case draws nothing from ``rng`` and is the exact selection bit for
    bit.
    """
    if prefilter is None or prefilter >= n_pool:
        return None
    if prefilter < batch_size:
        raise ValueError(
            f"prefilter={prefilter} is smaller than batch_size={batch_size}: "
            f"the exact stage cannot pick {batch_size} samples out of "
            f"{prefilter} candidates. Use prefilter >= batch_size, or None."
        )
    if prefilter_by == "random":
        candidates = rng.choice(n_pool, size=prefilter, replace=False)
    else:
        candidates = np.argpartition(margins(), prefilter - 1)[:prefilter]
    return np.sort(candidates).astype(np.intp, copy=False)


class _ShardedSelectionMixin:
    """Greedy batch selection on a pool in memory or out of core (CoreSet, BADGE).

    Subclasses build a shard of pool rows (``_make_shard``) and run their
    greedy rule over a shard set (``_select_sharded``). A pool in memory
    is one shard; an out-of-core pool (dask array, memory map, zarr array)
    is one shard per block, held by dask actors on the workers when a
    ``distributed`` client computes the dask array. The picks are those of
    the same pool in memory, up to the rounding of sums over blocks.
    """

    def _out_of_core_query(self):
        return "sharded"

    def _selection_device(self):
        """The torch device the greedy rule runs on, or None for NumPy.

        ``device`` when set; otherwise a network's CUDA device (its
        embedding is then requested as a tensor and never leaves it).
        """
        if self.device is not None:
            return _torch_device(self.device)
        net = self.estimator_
        if isinstance(net, Pipeline):
            net = net._final_estimator
        device = getattr(net, "device", None)
        if hasattr(net, "embed") and str(device).startswith("cuda"):
            return _torch_device(device)
        return None

    def _make_shard(self, X, offset, mask):
        raise NotImplementedError  # pragma: no cover - abstract

    def _select_sharded(self, shards, batch_size, rng, candidates):
        raise NotImplementedError  # pragma: no cover - abstract

    def _make_lazy_shard(self, block, offset, mask):
        """A shard of a block read from an out-of-core pool, its values checked."""
        block = _validate_block(self, block)
        with self._validated_input():
            return self._make_shard(block, offset, mask)

    def _query(self, X_pool, batch_size, rng):
        picked = _prefilter_candidates(
            X_pool.shape[0],
            lambda: _pool_margins(self.estimator_, X_pool,
                                  getattr(self, "chunk_size", None)),
            batch_size, self.prefilter, self.prefilter_by, rng,
        )
        if picked is not None:
            X_pool = X_pool[picked]
        selected = self._select_in_memory(X_pool, batch_size, rng)
        return selected if picked is None else picked[selected]

    def _select_in_memory(self, X, batch_size, rng):
        """The greedy rule on validated rows in memory: one shard."""
        shards = LocalShards([self._make_shard(X, 0, None)])
        return self._select_sharded(shards, batch_size, rng, None)

    def query(self, X_pool, batch_size=1):
        """Select a batch of the pool.

        Parameters
        ----------
        X_pool : array-like, dask array, numpy.memmap or zarr array of shape \
                (n_pool, n_features)
            Unlabeled candidates. An out-of-core pool is not loaded as one
            array: its blocks become shards that each keep their rows'
            representation (the embedding, or BADGE's gradient factors) and
            running minimum distance, on the workers for a dask array on a
            ``distributed`` cluster, and each greedy step is one reduction
            over them.
        batch_size : int, default=1
            Number of samples to select, at most ``n_pool``.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Distinct indices into ``X_pool``, in selection order.
        """
        if _lazy_pool(X_pool):
            return self._query_lazy(X_pool, None, batch_size)
        return super().query(X_pool, batch_size=batch_size)

    def _query_candidates(self, X, candidates, batch_size):
        if _lazy_pool(X):
            return self._query_lazy(X, candidates, batch_size)
        return super()._query_candidates(X, candidates, batch_size)

    def _query_lazy(self, X, candidates, batch_size):
        """The batch from rows ``candidates`` (None: all) of an out-of-core ``X``."""
        n_rows = self._check_lazy_pool(X)
        mask = None
        if candidates is not None:
            candidates = np.asarray(candidates, dtype=np.intp)
            if not (candidates[1:] > candidates[:-1]).all():
                # Draws, ties and the D² order follow the candidates' order,
                # which shards (in row order) cannot: read those rows. The
                # loop's candidates are increasing.
                return candidates[self.query(take_rows(X, candidates), batch_size)]
            mask = np.zeros(n_rows, dtype=bool)
            mask[candidates] = True
        n_pool = n_rows if candidates is None else candidates.shape[0]
        batch_size = check_batch_size(batch_size, n_pool)
        rng = query_rng(self._query_seed, n_pool)
        picked = _prefilter_candidates(
            n_pool, lambda: self._lazy_margins(X, candidates), batch_size,
            self.prefilter, self.prefilter_by, rng,
        )
        if picked is not None:
            rows = picked if candidates is None else candidates[picked]
            X_sub = self._validate_X(take_rows(X, rows), reset=False)
            with self._validated_input():
                return rows[self._select_in_memory(X_sub, batch_size, rng)]
        shards = lazy_shards(X, self._make_lazy_shard, mask)
        try:
            with self._validated_input():
                selected = self._select_sharded(shards, batch_size, rng, candidates)
        finally:
            shards.close()
        return np.asarray(selected, dtype=np.intp)

    def _lazy_margins(self, X, candidates):
        """Margins of the rows ``candidates`` (None: all) of a lazy pool."""

        def margins(block):
            if block.shape[0] == 0:  # a filtered dask array's empty chunk
                return np.empty(0)
            block = _validate_block(self, block)
            with self._validated_input():
                return _pool_margins(self.estimator_, block)

        out = compute_blockwise(margins, X)
        return out if candidates is None else out[candidates]


def _resolve_embedding(embedding, estimator, X, as_tensor=False):
    if callable(embedding):
        E = embedding(X)
        if torch_device_of(E) is not None:
            return E
        return np.asarray(E, dtype=float)
    _check_option(embedding, "embedding", ("auto", "input"))
    if embedding == "input":
        return embed(None, X)
    return embed(estimator, X, as_tensor=as_tensor)


def _torch_device(device):
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            f"device={device!r} runs the selection in torch, which is not "
            "installed: pip install torch, or leave device=None (NumPy)."
        ) from exc
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be None or a torch device such as 'cpu', 'cuda' or "
            f"'cuda:1', got {device!r}."
        ) from exc


def _check_device(device):
    if device is None:
        return
    dev = _torch_device(device)  # a clear error first where torch is missing
    import torch

    if dev.type == "cuda" and (
            not torch.cuda.is_available()
            or (dev.index or 0) >= torch.cuda.device_count()):
        raise ValueError(
            f"device={device!r}, but torch sees "
            f"{torch.cuda.device_count() if torch.cuda.is_available() else 0} "
            "CUDA device(s) here. Use device=None (NumPy, or the network's "
            "own device) or 'cpu'."
        )


class CoreSet(_ShardedSelectionMixin, QueryStrategy):
    """Greedy k-center selection (Sener & Savarese 2018).

    Each pick is the pool sample farthest from its nearest labeled or
    already picked sample. The implementation keeps one running
    minimum-distance vector over the pool: the initial distances to the
    labeled set are computed in chunks, each pick costs one matrix-vector
    product, and no pool × pool (or batch × pool) matrix is ever built.

    An out-of-core pool (a dask array, :class:`numpy.memmap` or zarr array)
    is not loaded as one array and gives the same picks as in memory (up to
    the rounding of sums over blocks): each block becomes a shard holding
    its rows' embedding and running minimum, and each pick is one reduction
    over the shards. For a dask array computed by a ``dask.distributed``
    client the shards live on the workers, in one dask actor per worker,
    so the embedding is computed and kept where the blocks are and a pick
    is one message per worker. A memory-mapped float32 or float64 pool with
    ``embedding="input"`` is read in place (the shards hold views of the
    file) unless its mean dominates its spread, which centres a copy; other
    dtypes are held as float64 copies, block by block, and so is any other
    embedding (as the classifier computes it). Unsorted ``candidates`` (not
    what :class:`~skactive.ActiveLearner` passes) read their rows into
    memory, so that draws and ties follow their order as in memory.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier trained on the labeled set (used for predictions and, with
        ``embedding="auto"``, for the representation). ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    embedding : {"auto", "input"} or callable, default="auto"
        The space distances are measured in. ``"auto"`` asks
        :func:`skactive.utils.embed` (a network's penultimate layer, a
        pipeline's transformed features, otherwise the input features);
        ``"input"`` uses the raw features; a callable maps ``X`` to an
        ``(n_samples, n_dims)`` array.
    chunk_size : int or None, default=None
        Pool rows per chunk for the initial distance computation.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    prefilter : int or None, default=None
        Two-stage approximation for very large pools: keep only
        ``prefilter`` candidates (``M′``) of the pool, then run the exact
        greedy rule on them. The labeled centres still count against every
        candidate, the embedding is computed for the candidates only (a
        callable ``embedding`` must map rows independently), and
        the returned indices refer to the full pool. ``None``, or a value
        ``>= n_pool``, is the exact selection (bit for bit). Must be
        ``>= batch_size``. Cost: ``O(M′·(n_labeled + batch_size)·d)``
        instead of ``O(n_pool·(n_labeled + batch_size)·d)``.
    prefilter_by : {"random", "uncertainty"}, default="random"
        How the ``prefilter`` candidates are chosen: a uniform draw without
        replacement from the query's seeded generator (the same
        ``random_state`` gives the same candidates), or the ``prefilter``
        samples of smallest margin ``p_(1) − p_(2)`` of the classifier's
        ``predict_proba``, computed block by block over the pool (needs a
        probabilistic classifier).

        Quality loss. Let ``r`` be the coverage radius over the full pool
        (max over the pool of the distance to the nearest labeled or
        selected sample), ``r*`` the optimal one and ``ε`` the largest
        distance from a pool sample to its nearest candidate or labeled
        sample. Greedy on the candidates is a 2-approximation there, and
        the optimal centres moved to their nearest candidates cover the
        candidates within ``r* + ε``, so the prefiltered radius is at most
        ``2·r* + 3·ε`` (exact greedy: ``2·r*``); ``ε`` shrinks as ``M′``
        grows. Measured (``benchmarks/prefilter_quality.py``, Gaussian
        blobs, 10^5 pool, 20 labeled; batch 100 in 16 dimensions and batch
        500 in 64 dimensions; ``M′`` from 2,000 to 20,000, i.e.
        ``M′ >= 4·batch_size``): the random prefilter's radius was at worst
        1.10× the exact one (the tests hold it to 1.35× on a small case),
        at about 60× less query time for ``M′ = 2,000``. ``"uncertainty"``
        concentrates the candidates near the decision boundary and leaves
        the rest of the pool farther from any centre: at worst 1.27×
        measured, worst at the smallest ``M′``; prefer ``"random"`` when
        coverage is the aim.
    device : None, str or torch.device, default=None
        Where the greedy rule runs. ``None``: in torch on a network's CUDA
        device when the classifier is one (its embedding is computed there
        and never copied to the host; each pick syncs a few scalars), or
        on a callable ``embedding``'s torch tensor where it lives;
        otherwise in NumPy. A device (``"cuda"``, ``"cuda:1"``, ``"cpu"``)
        runs it in torch there. The picks are those of the NumPy rule, up
        to float rounding.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``prefilter="random"`` draw and breaks ties; the greedy
        rule itself is deterministic.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    X_labeled_embedding_ : ndarray of shape (n_labeled, n_dims)
        Embedding of the labeled set (the initial centres).
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] O. Sener, S. Savarese, "Active Learning for Convolutional Neural
       Networks: A Core-Set Approach", ICLR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import CoreSet
    >>> X_lab, y_lab = np.array([[0.0], [1.0]]), np.array([0, 1])
    >>> X_pool = np.array([[0.5], [4.0], [9.0], [1.2]])
    >>> CoreSet().fit(X_lab, y_lab).query(X_pool, batch_size=2)
    array([2, 1])
    """

    def __init__(
        self, estimator=None, *, embedding="auto", chunk_size=None, refit=True,
        prefilter=None, prefilter_by="random", device=None, random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.embedding = embedding
        self.chunk_size = chunk_size
        self.prefilter = prefilter
        self.prefilter_by = prefilter_by
        self.device = device

    def _fit(self, X, y):
        _check_prefilter(
            self.estimator_, self.prefilter, self.prefilter_by, "CoreSet"
        )
        _check_device(self.device)
        E = _resolve_embedding(self.embedding, self.estimator_, X)
        if torch_device_of(E) is not None:  # a callable's tensor
            E = E.detach().cpu().numpy()
        self.X_labeled_embedding_ = E

    def _make_shard(self, X, offset, mask):
        device = self._selection_device()
        E = _resolve_embedding(self.embedding, self.estimator_, X,
                               as_tensor=device is not None)
        if device is None:
            device = torch_device_of(E)  # a callable's tensor stays in torch
        if device is None:
            return KCenterShard(E, offset, mask)
        return TorchKCenterShard(as_torch(E, device), offset, mask)

    def _select_sharded(self, shards, batch_size, rng, candidates):
        return kcenter_greedy_sharded(
            shards, self.X_labeled_embedding_, batch_size, rng=rng,
            candidates=candidates, chunk_size=self.chunk_size,
        )
