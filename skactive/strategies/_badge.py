"""BADGE: diverse, uncertain batches from gradient embeddings."""

from ..base import QueryStrategy, _check_option
from ..utils import gradient_embedding_factors
from ..utils._kernels import KMeansPPShard, kmeanspp_sharded
from ..utils._torch_kernels import TorchKMeansPPShard, as_torch
from ._coreset import _check_device, _check_prefilter, _ShardedSelectionMixin

__all__ = ["BADGE"]


class BADGE(_ShardedSelectionMixin, QueryStrategy):
    """Batch Active learning by Diverse Gradient Embeddings (Ash et al. 2020).

    Each pool sample is represented by the gradient of the cross-entropy loss
    under its predicted (proxy) label with respect to the last layer,
    ``g = (p - onehot(argmax p)) ⊗ h``; the batch is chosen by k-means++
    seeding on these vectors, so it is both uncertain (large ``‖g‖``) and
    diverse. Distances use the rank-1 identity
    ``‖g_i − g_j‖² = ‖a_i‖²‖h_i‖² + ‖a_j‖²‖h_j‖² − 2(a_i·a_j)(h_i·h_j)``:
    memory is ``n·(C + D)``, never ``n·C·D``.

    An out-of-core pool (a dask array, :class:`numpy.memmap` or zarr array)
    is not loaded as one array: each block becomes a shard holding its
    rows' factors in float64 (``C + D`` values a row; the input features
    themselves, a view, for a linear model on a float64 memmap) and D²
    masses, and each pick is one reduction over
    the shards (on the workers, in one dask actor each, for a dask array on
    a ``dask.distributed`` client). The one uniform draw per pick lands in
    the shard whose cumulative mass holds it, so the picks are those of the
    pool in memory up to the rounding of the per-shard sums.

    For a plain scikit-learn classifier ``h`` is the input (or a pipeline's
    transformed features; see :func:`skactive.utils.embed`), which makes
    ``g`` the exact gradient for a linear model such as
    :class:`~sklearn.linear_model.LogisticRegression`. A network that
    provides ``gradient_embedding_factors`` supplies its own.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba``. ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    first : {"max_norm", "random"}, default="max_norm"
        First seed: the largest gradient norm (BADGE's code) or uniform.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    prefilter : int or None, default=None
        Two-stage approximation for very large pools: keep only
        ``prefilter`` candidates (``M′``) of the pool, then run the exact
        k-means++ seeding on their gradient embeddings. The embeddings are
        computed for the candidates only and the returned indices refer to
        the full pool. ``None``, or a value ``>= n_pool``, is the exact
        selection (bit for bit). Must be ``>= batch_size``.
    prefilter_by : {"random", "uncertainty"}, default="random"
        How the ``prefilter`` candidates are chosen: a uniform draw without
        replacement from the query's seeded generator (the same
        ``random_state`` gives the same candidates), or the ``prefilter``
        samples of smallest margin ``p_(1) − p_(2)``, computed block by
        block over the pool.

        Quality loss. k-means++ seeding has no deterministic guarantee
        (``O(log k)`` in expectation), so the bound is measured: the
        k-means++ cost over the full pool (sum of the squared distances of
        the gradient embeddings to the nearest selected one) with the
        random prefilter was at worst 1.04× the exact seeding's
        (``benchmarks/prefilter_quality.py``, Gaussian blobs, 10^5 pool,
        batch 100 and 500, ``M′`` from 2,000 to 20,000; the tests hold it
        to 1.25× on a small case). ``"uncertainty"`` is *not* a good
        prefilter for this cost: BADGE's gradient norm already weights
        uncertainty, and dropping the confident samples of large embedding
        norm left the cost 2× to 25× the exact one (worse for smaller
        ``M′``). Prefer ``"random"``.
    device : None, str or torch.device, default=None
        Where the k-means++ seeding runs. ``None``: in torch on a network's
        CUDA device when the classifier is one (its gradient factors are
        computed there and never copied to the host), otherwise in NumPy.
        A device (``"cuda"``, ``"cpu"``...) runs it in torch there, in
        float64 as the NumPy rule. The picks are those of the NumPy rule,
        up to float rounding.
    random_state : int, RandomState instance or None, default=None
        Seeds the D² sampling and the ``prefilter="random"`` draw.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] J. T. Ash, C. Zhang, A. Krishnamurthy, J. Langford, A. Agarwal,
       "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower
       Bounds", ICLR 2020.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive import BADGE
    >>> X, y = load_digits(return_X_y=True)
    >>> s = BADGE(random_state=0).fit(X[:50] / 16, y[:50])
    >>> idx = s.query(X[50:] / 16, batch_size=10)
    >>> len(set(idx.tolist()))
    10
    """

    _required_methods = ("predict_proba",)

    def __init__(
        self, estimator=None, *, first="max_norm", refit=True, prefilter=None,
        prefilter_by="random", device=None, random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.first = first
        self.prefilter = prefilter
        self.prefilter_by = prefilter_by
        self.device = device

    def _fit(self, X, y):
        _check_option(self.first, "first", ("max_norm", "random"))
        _check_prefilter(self.estimator_, self.prefilter, self.prefilter_by, "BADGE")
        _check_device(self.device)

    def _make_shard(self, X, offset, mask):
        device = self._selection_device()
        a, h = gradient_embedding_factors(self.estimator_, X,
                                          as_tensor=device is not None)
        if device is None:
            return KMeansPPShard(a, h, offset, mask)
        return TorchKMeansPPShard(as_torch(a, device), as_torch(h, device),
                                  offset, mask)

    def _select_sharded(self, shards, batch_size, rng, candidates):
        return kmeanspp_sharded(shards, batch_size, rng, first=self.first,
                                candidates=candidates)
