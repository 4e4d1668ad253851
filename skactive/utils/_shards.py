"""Shard sets over an out-of-core pool, for the greedy selection rules.

CoreSet's k-center greedy and BADGE's k-means++ seeding are sequential: each
pick needs the running minimum distance of every pool row to the centres
chosen so far. On an out-of-core pool the rows are split into shards (the
blocks of the pool), each holding its rows' representation and running
minimum (:class:`~skactive.utils._kernels.KCenterShard`,
:class:`~skactive.utils._kernels.KMeansPPShard`); a greedy step is one call
per shard, whose answers the driver reduces (the maximum, or the D² mass).

* A dask array on a ``dask.distributed`` client: the blocks are persisted on
  the workers and each worker's shards live in one dask actor there
  (:class:`ActorShards`). A step is one direct message per worker, no task
  graph, so thousands of greedy steps do not queue thousands of graphs on
  the scheduler; the representation never leaves the workers.
* Any other lazy array (a dask array on a local scheduler, a memory map, a
  zarr array): the shards are built block by block in this process
  (:class:`~skactive.utils._kernels.LocalShards`). A memory map's rows stay
  views of the file where the representation is the input itself.
"""

import numpy as np

from ._kernels import LocalShards
from ._out_of_core import _is_dask, read_block, row_blocks

__all__ = ["lazy_shards", "ActorShards", "distributed_client"]


def distributed_client(X):
    """The ``distributed.Client`` that computes the dask array ``X``, or None."""
    if not _is_dask(X):
        return None
    try:
        from dask.base import get_scheduler
        from distributed import Client
    except ImportError:  # pragma: no cover - dask without distributed
        return None
    owner = getattr(get_scheduler(collections=[X]), "__self__", None)
    return owner if isinstance(owner, Client) else None


def lazy_shards(X, make_shard, mask=None):
    """The shard set over the lazy pool ``X``.

    Parameters
    ----------
    X : dask array, numpy.memmap or zarr array of shape (n, d)
    make_shard : callable
        ``make_shard(block, offset, mask)`` builds the shard of rows
        ``offset:offset + len(block)`` (``mask``: which of them are
        candidates, or None). Pickled once per worker on a cluster.
    mask : ndarray of bool of shape (n,) or None
        Candidate rows of ``X``; None: all.

    Returns
    -------
    shards : LocalShards or ActorShards
        Call its ``close()`` when done (releases the actors).
    """
    client = distributed_client(X)
    if client is not None:
        return ActorShards(client, X, make_shard, mask)
    if _is_dask(X):
        X = X.rechunk({1: -1})
        stops = np.cumsum(X.chunks[0])
        blocks = [(int(stop - size), int(stop), i)
                  for i, (size, stop) in enumerate(zip(X.chunks[0], stops)) if size]
        read = lambda start, stop, i: np.asarray(X.blocks[i].compute())  # noqa: E731
    else:
        blocks = [(start, stop, None) for start, stop in
                  row_blocks(X, 8 * int(X.shape[1]))]
        read = lambda start, stop, i: read_block(X, start, stop)  # noqa: E731
    return LocalShards([
        make_shard(read(start, stop, i), start,
                   None if mask is None else mask[start:stop])
        for start, stop, i in blocks
    ])


class _ShardHost:
    """The shards of one worker's blocks; lives on that worker as a dask actor."""

    def __init__(self, make_shard, indices, offsets, blocks, masks):
        self.shards = {
            int(i): make_shard(np.asarray(block), int(offset), mask)
            for i, offset, block, mask in zip(indices, offsets, blocks, masks)
        }

    def map(self, method, *args):
        return [(i, getattr(s, method)(*args)) for i, s in self.shards.items()]

    def call(self, index, method, *args):
        return getattr(self.shards[index], method)(*args)


class ActorShards:
    """Shards held by dask actors on the workers of a ``distributed`` cluster.

    The pool's row blocks are persisted where the scheduler puts them and
    each worker builds the shards of the blocks it holds (its
    ``make_shard``, shipped once), so the representation is computed and
    kept on the workers. :meth:`map` sends one message to each worker's
    actor and gathers the shards' answers in row order.

    Parameters
    ----------
    client : distributed.Client
    X : dask array of shape (n, d)
    make_shard : callable
        As for :func:`lazy_shards`.
    mask : ndarray of bool of shape (n,) or None
    """

    def __init__(self, client, X, make_shard, mask=None):
        from distributed import futures_of, wait

        X = X.rechunk({1: -1}).persist()
        futures = sorted(futures_of(X), key=lambda f: f.key[1])
        wait(futures)
        sizes = X.chunks[0]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
        who = client.who_has(futures)
        groups = {}
        for i, fut in enumerate(futures):
            if sizes[i]:
                groups.setdefault(who[fut.key][0], []).append(i)
        self._host_of = {}
        hosts = []
        for worker, indices in groups.items():
            hosts.append(client.submit(
                _ShardHost, make_shard, indices, [offsets[i] for i in indices],
                [futures[i] for i in indices],
                [None if mask is None else mask[offsets[i]:offsets[i] + sizes[i]]
                 for i in indices],
                workers=[worker], allow_other_workers=False, actor=True,
                pure=False,
            ))
        self._futures = hosts
        try:
            self.hosts = [h.result() for h in hosts]
        except BaseException:
            # One worker failed to build its shards (e.g. NaN in a block):
            # the others' actors must not outlive the error.
            client.cancel(hosts)
            raise
        for host, indices in zip(self.hosts, groups.values()):
            for i in indices:
                self._host_of[i] = host
        self._order = sorted(self._host_of)
        self.offsets = np.array([offsets[i] for i in self._order])
        self._pool, self._client = X, client

    def map(self, method, *args):
        """Every shard's ``method(*args)``, in row order (one message per worker)."""
        calls = [host.map(method, *args) for host in self.hosts]
        answers = dict(pair for call in calls for pair in call.result())
        return [answers[i] for i in self._order]

    def call(self, index, method, *args):
        """``method(*args)`` of the ``index``-th shard (in row order)."""
        i = self._order[index]
        return self._host_of[i].call(i, method, *args).result()

    def owner(self, row):
        """Index of the shard holding pool row ``row``."""
        return int(np.searchsorted(self.offsets, row, side="right")) - 1

    def close(self):
        """Release the actors (and their shards) and the persisted blocks."""
        if self._futures:
            # The actors are ours alone; the blocks may be the user's
            # persisted data, so they are only let go, never cancelled.
            self._client.cancel(self._futures)
        self.hosts, self._host_of, self._futures, self._pool = [], {}, [], None
