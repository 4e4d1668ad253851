"""skorch classifiers with the hooks deep active learning strategies need."""

import contextlib
import copy
import inspect
import numbers

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from sklearn.utils import check_random_state
from torch import nn

__all__ = ["ConsistentDropout", "NetClassifier", "resolve_device"]


def resolve_device(device):
    """``"auto"`` → ``"cuda"`` when a GPU is visible, else ``"cpu"``; others unchanged.

    Parameters
    ----------
    device : str, torch.device or None

    Returns
    -------
    device : str, torch.device or None

    Examples
    --------
    >>> from skactive.nets import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    >>> resolve_device("auto") in ("cpu", "cuda")
    True
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _seed_of(random_state):
    """An int seed from ``random_state``, or None to leave torch's RNG alone."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def _torch_seed(seed):
    """Seed torch inside the block and restore the global RNG state after it."""
    if seed is None:
        yield
        return
    cuda = torch.cuda.is_available()
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class ConsistentDropout(nn.Dropout):
    """Dropout that can stay on at inference with *consistent* masks.

    In training mode it is ordinary dropout. In evaluation mode it is the
    identity, unless a Monte-Carlo sample is active
    (:meth:`NetClassifier.predict_proba_mc`): then one mask per MC sample,
    drawn from that sample's seed and shared by every row, is applied. Every
    pool sample thus sees the same K sub-networks, which is what
    BatchBALD's joint entropies need ("consistent MC dropout"), and the
    result does not depend on how the pool is batched.

    Parameters
    ----------
    p : float, default=0.5
        Drop probability.

    Examples
    --------
    >>> import torch
    >>> from skactive.nets import ConsistentDropout
    >>> drop = ConsistentDropout(0.5).eval()
    >>> x = torch.ones(2, 4)
    >>> torch.equal(drop(x), x)
    True
    >>> drop.mc_seed = 3
    >>> out = drop(x)
    >>> torch.equal(out[0], out[1])   # the same mask for every row
    True
    """

    def __init__(self, p=0.5):
        super().__init__(p=p)
        self.mc_seed = None

    def forward(self, x):
        if self.training or self.mc_seed is None or self.p == 0:
            return super().forward(x)
        if self.p >= 1:
            return torch.zeros_like(x)
        gen = torch.Generator(device=x.device).manual_seed(int(self.mc_seed))
        keep = torch.empty((1,) + tuple(x.shape[1:]), device=x.device, dtype=x.dtype)
        keep.bernoulli_(1.0 - self.p, generator=gen)
        return x * keep / (1.0 - self.p)


def _collector(as_tensor):
    """How the hooks keep each batch's output and join them: on the device
    (``torch.cat``), or copied to the host batch by batch (``np.concatenate``)
    so device memory holds one batch at a time."""
    if as_tensor:
        return (lambda t: t), torch.cat
    return (lambda t: t.cpu().numpy()), np.concatenate


class _EvenBatchSampler(torch.utils.data.Sampler):
    """Index batches of (almost) equal size: ``ceil(n / batch_size)`` of them.

    The permutation comes from torch's RNG, which ``fit`` seeds.
    """

    def __init__(self, n, batch_size, shuffle=True):
        self.n = int(n)
        full = batch_size in (-1, None)
        self.batch_size = self.n if full else max(int(batch_size), 1)
        self.shuffle = shuffle

    def __len__(self):
        return -(-self.n // self.batch_size) if self.n else 0

    def __iter__(self):
        order = torch.randperm(self.n) if self.shuffle else torch.arange(self.n)
        for part in torch.tensor_split(order, len(self)):
            yield part.tolist()


class NetClassifier(NeuralNetClassifier):
    """A skorch ``NeuralNetClassifier`` for active learning.

    On top of skorch it adds what query strategies ask a network for:

    * :meth:`embed`: the penultimate representation (``module_.features``);
    * :meth:`gradient_embedding_factors` / :meth:`gradient_embedding`:
      BADGE's last-layer gradient under the proxy label, in closed form;
    * :meth:`predict_proba_mc`: Monte-Carlo dropout predictions with
      consistent masks.

    It also encodes arbitrary class labels (``classes_`` are the original
    labels and ``predict`` returns them), casts float64 input to float32 batch
    by batch, infers ``n_features`` / ``n_classes`` module arguments from the
    data when the module takes them, seeds weight initialisation and
    shuffling from ``random_state`` without touching torch's global RNG, and
    picks the GPU with ``device="auto"``.

    The module must provide ``features(x)`` (the penultimate activations)
    and a final linear layer ``head``, with ``forward(x) ==
    head(dropout(features(x)))``; the modules in :mod:`skactive.nets` do.

    Parameters
    ----------
    module : torch.nn.Module class or instance
        The network; constructor arguments go as ``module__<name>``.
    criterion : loss class, default=torch.nn.CrossEntropyLoss
        The module returns logits; ``predict_proba`` applies the softmax.
    optimizer : optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    max_epochs : int, default=50
    batch_size : int, default=64
        Largest training mini-batch; ``n`` labeled samples are split into
        ``ceil(n / batch_size)`` shuffled batches of (almost) equal size.
    train_split : callable or None, default=None
        No internal validation split: the labeled sets of active learning
        are small.
    device : {"auto", "cpu", "cuda", ...}, default="auto"
        ``"auto"`` is resolved to ``"cuda"`` or ``"cpu"`` when the net is
        initialised; ``get_params`` then reports the resolved device.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and mini-batch shuffling in ``fit``.
    verbose : int, default=0
    **kwargs
        Any other skorch parameter (``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ``callbacks``...).

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.nets import MLPModule, NetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 4).astype(np.float32)
    >>> y = np.where(X[:, 0] > 0, "pos", "neg")
    >>> net = NetClassifier(MLPModule, module__hidden_sizes=(16,), max_epochs=20,
    ...                     random_state=0).fit(X, y)
    >>> net.classes_.tolist(), net.embed(X).shape, net.predict_proba_mc(X, 5).shape
    (['neg', 'pos'], (60, 16), (60, 5, 2))
    """

    def __init__(
        self,
        module,
        *args,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=50,
        batch_size=64,
        train_split=None,
        device="auto",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            module,
            *args,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.random_state = random_state

    # -- set-up -------------------------------------------------------------
    def _get_param_names(self):
        # skorch's bookkeeping set is rebuilt by __init__; as a parameter its
        # unordered repr made estimator ids differ between processes. The
        # label encoding and data shape set by fit are fitted state: a clone
        # must not inherit them (skorch takes every name not ending in "_").
        excluded = ("_params_to_validate", "_classes", "_data_shape", "_mc_seed")
        return [k for k in super()._get_param_names() if k not in excluded]

    def initialize(self):
        self.device = resolve_device(self.device)
        return super().initialize()

    def __setstate__(self, state):
        # An unfitted net still has device="auto", which skorch cannot map
        # tensors to: load on the resolved device, keep the parameter as given.
        requested = state.get("device")
        if isinstance(requested, str) and requested == "auto":
            state = dict(state, device=resolve_device(requested))
            super().__setstate__(state)
            self.device = requested
        else:
            super().__setstate__(state)

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if isinstance(self.module, type):
            accepted = inspect.signature(self.module).parameters
            for name, value in getattr(self, "_data_shape", {}).items():
                if name in accepted and name not in kwargs:
                    kwargs[name] = value
        if isinstance(self.module, nn.Module):
            # An instance would otherwise be trained in place and reused:
            # copy it and re-initialise its weights (under fit's seed).
            module = copy.deepcopy(self.module)
            for m in module.modules():
                if hasattr(m, "reset_parameters"):
                    m.reset_parameters()
            self.module_ = module
        else:
            self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def get_iterator(self, dataset, training=False):
        """Mini-batches; training batches are shuffled and evenly sized.

        With the small labeled sets of active learning a ragged last batch
        (2 samples after 64, 64) makes noisy steps whose effect shows in the
        learning curve; ``n`` samples are instead split into
        ``ceil(n / batch_size)`` batches of (almost) equal size. Shuffling is
        on unless ``iterator_train__shuffle`` says otherwise, and is seeded by
        ``random_state`` in ``fit``.
        """
        if not training:
            return super().get_iterator(dataset, training=False)
        kwargs = self.get_params_for("iterator_train")
        if "sampler" in kwargs or "batch_sampler" in kwargs:
            return super().get_iterator(dataset, training=True)
        batch_size = kwargs.pop("batch_size", self.batch_size)
        shuffle = kwargs.pop("shuffle", True)
        kwargs.pop("drop_last", None)
        sampler = _EvenBatchSampler(len(dataset), batch_size, shuffle)
        return self.iterator_train(dataset, batch_sampler=sampler, **kwargs)

    def infer(self, x, **fit_params):
        x = to_tensor(x, device=self.device)
        if isinstance(x, torch.Tensor) and x.dtype == torch.float64:
            x = x.float()
        return self.module_(x, **fit_params)

    # -- fitting and prediction ---------------------------------------------
    def _init_labels(self, X, y, classes=None):
        """Fix the label encoding and the data shape a new network is built for."""
        if self.classes is not None:
            classes = self.classes
        classes = np.unique(np.asarray(y) if classes is None else np.asarray(classes))
        self._classes = classes
        self._data_shape = {
            "n_features": int(np.prod(np.shape(X)[1:])) if np.ndim(X) > 1 else 1,
            "n_classes": int(classes.shape[0]),
        }
        # One base seed per network for its MC-dropout masks, so repeated
        # calls give the same draws even with a RandomState random_state.
        seed = _seed_of(self.random_state)
        self._mc_seed = 0 if seed is None else seed % (2**31)

    def _encode(self, y):
        y = np.asarray(y)
        unknown = ~np.isin(y, self._classes)
        if unknown.any():
            raise ValueError(
                f"y has labels {np.unique(y[unknown]).tolist()} the network was not "
                f"built for (classes {self._classes.tolist()}). Pass every class "
                "with classes=[...] to size the output layer up front."
            )
        return np.searchsorted(self._classes, y).astype(np.int64)

    def fit(self, X, y=None, **fit_params):
        """Train the network (from scratch unless ``warm_start``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (float features, or int64 token indices for text nets).
        y : array-like of shape (n_samples,)
            Class labels of any type; ``classes`` (if set) must contain them.
        **fit_params : dict
            Passed to skorch's ``partial_fit``.

        Returns
        -------
        self : object
        """
        if not (self.warm_start and getattr(self, "initialized_", False)):
            self._init_labels(X, y)
            with _torch_seed(_seed_of(self.random_state)):
                self.initialize()
        return self.partial_fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs, building the network if needed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels of any type.
        classes : array-like or None, default=None
            All labels the network must know, on the first call (overridden
            by the ``classes`` parameter); default: the labels in ``y``.
        **fit_params : dict
            Passed to skorch's ``partial_fit``.

        Returns
        -------
        self : object
        """
        with _torch_seed(_seed_of(self.random_state)):
            built = getattr(self, "initialized_", False) and hasattr(self, "_classes")
            if not built:
                self._init_labels(X, y, classes)
                self.initialize()
            return super().partial_fit(X, self._encode(y), **fit_params)

    @property
    def classes_(self):
        if not hasattr(self, "_classes"):
            raise AttributeError(
                "NetClassifier has no attribute 'classes_' before fit."
            )
        return self._classes

    def predict(self, X):
        """Class labels of the most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    # -- hooks for strategies ---------------------------------------------
    def _batches(self, X):
        """Input batches on the net's device, one at a time."""
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        for batch in self.get_iterator(dataset, training=False):
            Xi, _ = unpack_data(batch)
            x = to_tensor(Xi, device=self.device)
            yield x.float() if x.dtype == torch.float64 else x

    def _features(self):
        if not hasattr(self.module_, "features") or not hasattr(self.module_, "head"):
            raise TypeError(
                f"{type(self.module_).__name__} must define features(x) and a final "
                "linear layer `head` for embeddings and gradient embeddings."
            )
        return self.module_.features

    def embed(self, X, as_tensor=False):
        """Penultimate representation (``module_.features``), dropout off.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        as_tensor : bool, default=False
            Return a torch tensor on the net's device instead of a numpy
            array: the batches are concatenated there and never copied to
            the host (for selection kernels that run on the device).

        Returns
        -------
        embedding : ndarray or torch.Tensor of shape (n_samples, n_dims)
        """
        features = self._features()
        self.module_.eval()
        keep, cat = _collector(as_tensor)
        with torch.no_grad():
            out = [keep(features(x)) for x in self._batches(X)]
        return cat(out)

    def gradient_embedding_factors(self, X, as_tensor=False):
        """Rank-1 factors ``(a, h)`` of BADGE's gradient embedding.

        The gradient of the cross-entropy under the proxy label
        ``y_hat = argmax p`` with respect to the weights of ``module_.head``
        is ``a ⊗ h`` with ``a = p - onehot(y_hat)`` and ``h`` the head's input
        (:meth:`embed`). Only ``n·(C + D)`` numbers are returned.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        as_tensor : bool, default=False
            Return torch tensors on the net's device instead of numpy
            arrays, concatenated there without a copy to the host.

        Returns
        -------
        a : ndarray or torch.Tensor of shape (n_samples, n_classes)
        h : ndarray or torch.Tensor of shape (n_samples, n_dims)
        """
        features = self._features()
        self.module_.eval()
        keep, cat = _collector(as_tensor)
        A, H = [], []
        with torch.no_grad():
            for x in self._batches(X):
                h = features(x)
                p = torch.softmax(self.module_.head(h), dim=1)
                p[torch.arange(p.shape[0]), p.argmax(dim=1)] -= 1.0
                A.append(keep(p))
                H.append(keep(h))
        return cat(A), cat(H)

    def gradient_embedding(self, X):
        """BADGE's gradient embedding ``(p - onehot(y_hat)) ⊗ h``, materialised.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        g : ndarray of shape (n_samples, n_classes * n_dims)
            Row ``i`` is the flattened gradient of the loss under the proxy
            label with respect to the head's weight matrix. Use
            :meth:`gradient_embedding_factors` for large pools.
        """
        a, h = self.gradient_embedding_factors(X)
        return (a[:, :, None] * h[:, None, :]).reshape(a.shape[0], -1)

    def _dropout_layers(self):
        """``(consistent, plain)`` dropout layers of the module, in eval mode.

        Called once per batch of :meth:`iter_proba_mc`, not once per MC
        sample: walking the module and switching it to eval mode cost as
        much as a small CNN's forward pass.
        """
        # _DropoutNd: nn.Dropout, and also Dropout1d/2d/3d and AlphaDropout.
        drops = [m for m in self.module_.modules()
                 if isinstance(m, nn.modules.dropout._DropoutNd)]
        self.module_.eval()
        return ([m for m in drops if isinstance(m, ConsistentDropout)],
                [m for m in drops if not isinstance(m, ConsistentDropout)])

    @contextlib.contextmanager
    def _mc_sample(self, seed, batch=0, layers=None):
        # layers: _dropout_layers() of this batch (the module in eval mode).
        consistent, plain = self._dropout_layers() if layers is None else layers
        for i, m in enumerate(consistent):
            m.mc_seed = seed * 1009 + i
        for m in plain:  # foreign dropout layers: per-element masks
            m.train()
        # Foreign layers draw from torch's global RNG: seed it per MC sample
        # and batch (reproducible masks) and restore it afterwards.
        fork = _torch_seed((seed * 1000003 + batch) % 2**63 if plain else None)
        try:
            with fork:
                yield
        finally:
            for m in consistent:
                m.mc_seed = None
            for m in plain:
                m.eval()

    def iter_proba_mc(self, X, n_samples=20, random_state=None):
        """Yield MC-dropout probabilities batch by batch, as tensors on the device.

        Parameters
        ----------
        X : array-like of shape (n_samples_X, ...)
        n_samples : int, default=20
            Stochastic forward passes per sample.
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks; ``None`` uses a seed the network drew
            from its ``random_state`` when it was built, so the same call
            gives the same probabilities.

        Yields
        ------
        proba : torch.Tensor of shape (batch, n_samples, n_classes)
        """
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) \
                or n_samples < 1:
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        if random_state is None:
            base = getattr(self, "_mc_seed", 0)
        else:
            base = _seed_of(random_state) % (2**31)
        seeds = np.random.SeedSequence(base).generate_state(n_samples).tolist()
        for b, x in enumerate(self._batches(X)):
            # no_grad only around the computation: the caller keeps autograd
            # while the generator is paused (and may train the module then:
            # the layers and eval mode are set again for every batch).
            with torch.no_grad():
                layers = self._dropout_layers()
                out = []
                for s in seeds:
                    with self._mc_sample(s, b, layers):
                        out.append(torch.softmax(self.module_(x), dim=1))
                proba = torch.stack(out, dim=1)
            yield proba

    def predict_proba_mc(self, X, n_samples=20, random_state=None):
        """Monte-Carlo dropout class probabilities (dropout on at inference).

        Only dropout layers are switched on (batch normalisation stays in
        inference mode). :class:`ConsistentDropout` layers use one mask per MC sample
        shared by all rows (consistent MC dropout); other dropout layers
        (``nn.Dropout``, ``nn.Dropout2d``...) draw per-element masks from a
        seeded generator, so the draws do not depend on torch's global RNG.

        Parameters
        ----------
        X : array-like of shape (n_samples_X, ...)
        n_samples : int, default=20
            Stochastic forward passes.
        random_state : int, RandomState instance or None, default=None
            Seeds the masks; see :meth:`iter_proba_mc`.

        Returns
        -------
        proba : ndarray of shape (n_samples_X, n_samples, n_classes)
        """
        return np.concatenate(
            [p.cpu().numpy() for p in self.iter_proba_mc(X, n_samples, random_state)]
        )
