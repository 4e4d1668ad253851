"""The policy network of imitation-learned active learning (IALE, ALIL).

One network for both: IALE trains it pointwise (class-weighted binary
cross-entropy on "the expert picked this candidate"), ALIL listwise (a
softmax over the candidates of one step, the log-likelihood of the expert's
pick; Liu et al. 2018, Sec. 3).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from tqdm.auto import tqdm

from ..base import _check_positive_int

__all__ = ["PolicyMLP"]


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a deep extra
        raise ImportError(
            "PolicyMLP needs PyTorch: pip install 'skactive[deep]'."
        ) from exc
    return torch


def _build(torch, n_in, hidden_sizes):
    layers, width = [], n_in
    for h in hidden_sizes:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, 1))
    return torch.nn.Sequential(*layers)


def _listwise_loss(torch, logits, target, groups, n_groups):
    """Mean over groups of ``logsumexp(z_group) - mean(z_picked)``.

    The negative log-likelihood of the expert's pick under a softmax over
    the candidates of its step; with several picks (batch mode) the target
    is uniform over them. Groups without a pick carry no information and
    are left out.
    """
    gmax = torch.full((n_groups,), -torch.inf, dtype=logits.dtype, device=logits.device)
    gmax = gmax.scatter_reduce(0, groups, logits.detach(), reduce="amax")
    expz = torch.exp(logits - gmax[groups])
    lse = torch.log(torch.zeros_like(gmax).index_add(0, groups, expz)) + gmax
    n_pos = torch.zeros_like(gmax).index_add(0, groups, target)
    pos_sum = torch.zeros_like(gmax).index_add(0, groups, logits * target)
    valid = n_pos > 0
    nll = lse[valid] - pos_sum[valid] / n_pos[valid]
    return nll.sum(), int(valid.sum())


class PolicyMLP(ClassifierMixin, BaseEstimator):
    """MLP that scores how desirable labeling a candidate is.

    The policy of IALE (Löffler & Mutschler) and ALIL (Liu et al. 2018):
    dense ReLU layers and one output per candidate, trained with Adam on
    (state, action) pairs, where the action is 1 for candidates the expert
    picked. ``loss="bce"`` (IALE) is class-weighted binary cross-entropy,
    each candidate on its own; ``loss="softmax"`` (ALIL) is listwise: the
    candidates of one step (``groups`` in :meth:`fit`) share a softmax and
    the loss is the negative log-likelihood of the expert's pick,
    ``-log(exp s(a) / sum_x exp s(x))``. ``hidden_sizes=()`` is a linear
    scorer (ALIL's released code). It is a scikit-learn binary classifier:
    ``decision_function`` gives the logit used to rank candidates and
    ``predict_proba[:, 1]`` the sigmoid desirability. Each ``fit`` trains a
    freshly initialised network, as DAgger retrains the policy on the
    aggregated data after every episode.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(128, 128)
        Hidden layer widths; with the output layer these are the paper's
        three dense layers of which the first two have 128 units.
    max_epochs : int, default=30
        Passes over the training pairs.
    lr : float, default=1e-3
        Adam learning rate (betas 0.9, 0.999, no weight decay).
    batch_size : int, default=64
        Mini-batch size: pairs (``"bce"``) or step groups (``"softmax"``).
    loss : {"bce", "softmax"}, default="bce"
        Pointwise binary cross-entropy or the listwise softmax over step
        groups (which :meth:`fit` then needs).
    class_weight : "balanced", dict or None, default="balanced"
        ``"balanced"`` weights each pair by the frequency of the other class
        (the original code's weights: positives are rare, about
        ``batch_size / n_candidates``). The loss is the weighted mean over a
        mini-batch (the original summed it; with Adam only the effective step
        size differs). Ignored by ``loss="softmax"``, where each step has
        its own normaliser.
    device : {"auto", "cpu", "cuda", ...}, default="auto"
        ``"auto"`` uses the GPU when there is one. The fitted network is kept
        on the CPU, so a fitted policy pickles and loads anywhere.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and shuffling (torch's global RNG is untouched).
    verbose : bool, default=False
        Progress bar over epochs.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two action labels (``[0, 1]`` in DAgger).
    n_features_in_ : int
        State width.
    coefs_, intercepts_ : list of ndarray
        Weights and biases of the dense layers (float32), output layer last.
    loss_curve_ : list of float
        Weighted training loss per epoch.
    loss_ : float
        Loss of the last epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.policies import PolicyMLP
    >>> rng = np.random.RandomState(0)
    >>> S = rng.randn(400, 5)
    >>> a = (S[:, 0] > 1.0).astype(int)  # rare positives, like expert picks
    >>> policy = PolicyMLP(hidden_sizes=(16, 16), max_epochs=20,
    ...                    random_state=0).fit(S, a)
    >>> from sklearn.metrics import balanced_accuracy_score
    >>> policy.predict_proba(S[:2]).shape
    (2, 2)
    >>> balanced_accuracy_score(a, policy.predict(S)) > 0.9
    True
    """

    def __init__(self, hidden_sizes=(128, 128), *, max_epochs=30, lr=1e-3,
                 batch_size=64, loss="bce", class_weight="balanced", device="auto",
                 random_state=None, verbose=False):
        self.hidden_sizes = hidden_sizes
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.loss = loss
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        sizes = self.hidden_sizes
        if not isinstance(sizes, (tuple, list)) or not all(
                isinstance(h, numbers.Integral) and not isinstance(h, bool) and h > 0
                for h in sizes):
            raise ValueError(
                "hidden_sizes must be a tuple of positive integers, got "
                f"{sizes!r}."
            )
        _check_positive_int(self.max_epochs, "max_epochs")
        _check_positive_int(self.batch_size, "batch_size")
        if not isinstance(self.lr, numbers.Real) or not self.lr > 0:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}.")
        if self.loss not in ("bce", "softmax"):
            raise ValueError(f"loss must be 'bce' or 'softmax', got {self.loss!r}.")
        if not (self.class_weight in ("balanced", None)
                or isinstance(self.class_weight, dict)):
            raise ValueError(
                "class_weight must be 'balanced', None or a dict {label: weight}, "
                f"got {self.class_weight!r}."
            )

    def fit(self, X, y, groups=None):
        """Train a freshly initialised network on (state, action) pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_state_features)
            States.
        y : array-like of shape (n_pairs,)
            Actions, two classes (1 / the larger label: "label it").
        groups : array-like of shape (n_pairs,) or None, default=None
            Step of each pair (any hashable labels): the candidates that
            competed for the same pick. Needed by ``loss="softmax"``;
            ignored by ``"bce"``.

        Returns
        -------
        self : PolicyMLP
        """
        torch = _torch()
        from ..nets import resolve_device

        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        if type_of_target(y, input_name="y") != "binary":
            raise ValueError(
                "Only binary classification is supported. PolicyMLP is a binary "
                "policy (label / do not label); y has "
                f"{np.unique(y).shape[0]} classes."
            )
        self.classes_, target = np.unique(y, return_inverse=True)
        if self.classes_.shape[0] != 2:
            raise ValueError("PolicyMLP needs both actions in y; got one class.")
        target = target.astype(np.float32)
        listwise = self.loss == "softmax"
        if listwise:
            if groups is None:
                raise ValueError(
                    "loss='softmax' needs groups: the step of each pair (DAgger "
                    "passes them), so candidates of a step share a softmax."
                )
            groups = np.asarray(groups)
            if groups.shape != (X.shape[0],):
                raise ValueError(
                    f"groups has shape {groups.shape}; expected ({X.shape[0]},)."
                )
            # Rows sorted by step, so a mini-batch of steps is a slice.
            _, gid = np.unique(groups, return_inverse=True)
            order = np.argsort(gid, kind="stable")
            X, target, gid = X[order], target[order], gid[order]
            starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
            bounds = np.r_[starts, gid.shape[0]]
        rng = check_random_state(self.random_state)
        init_seed, shuffle_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        device = resolve_device(self.device)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(init_seed))
            module = _build(torch, X.shape[1], tuple(self.hidden_sizes))
        module.to(device)

        if self.class_weight == "balanced":
            pos = target.mean()
            weights = np.where(target == 1, 1.0 - pos, pos).astype(np.float32)
        elif isinstance(self.class_weight, dict):
            per_class = np.array([self.class_weight.get(c, 1.0) for c in self.classes_],
                                 dtype=np.float32)
            weights = per_class[target.astype(int)]
        else:
            weights = np.ones_like(target)
        Xt = torch.as_tensor(X, device=device)
        yt = torch.as_tensor(target, device=device)
        wt = torch.as_tensor(weights, device=device)
        optimizer = torch.optim.Adam(module.parameters(), lr=float(self.lr))
        generator = torch.Generator().manual_seed(int(shuffle_seed))
        n, bs = X.shape[0], int(self.batch_size)
        self.loss_curve_ = []
        module.train()
        if listwise:
            self._fit_listwise(torch, module, optimizer, generator, Xt, yt, bounds, bs)
        for _ in tqdm(range(0 if listwise else int(self.max_epochs)),
                      desc="PolicyMLP epochs", disable=not self.verbose):
            order = torch.randperm(n, generator=generator).to(device)
            total = 0.0
            for start in range(0, n, bs):
                idx = order[start:start + bs]
                logits = module(Xt[idx]).squeeze(1)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, yt[idx], weight=wt[idx], reduction="sum"
                ) / idx.shape[0]
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * idx.shape[0]
            self.loss_curve_.append(total / n)
        self.loss_ = self.loss_curve_[-1]
        linear = [m for m in module if isinstance(m, torch.nn.Linear)]
        self.coefs_ = [m.weight.detach().cpu().numpy().T.copy() for m in linear]
        self.intercepts_ = [m.bias.detach().cpu().numpy().copy() for m in linear]
        return self

    def _fit_listwise(self, torch, module, optimizer, generator, Xt, yt, bounds, bs):
        n_groups = bounds.shape[0] - 1
        lengths = np.diff(bounds)
        device = Xt.device
        for _ in tqdm(range(int(self.max_epochs)), desc="PolicyMLP epochs",
                      disable=not self.verbose):
            perm = torch.randperm(n_groups, generator=generator).numpy()
            total, count = 0.0, 0
            for start in range(0, n_groups, bs):
                steps = perm[start:start + bs]
                # Row indices of the chosen steps, without a loop over rows.
                rep = np.repeat(bounds[steps], lengths[steps])
                offs = np.arange(rep.shape[0]) - np.repeat(
                    np.cumsum(lengths[steps]) - lengths[steps], lengths[steps])
                idx = torch.as_tensor(rep + offs, device=device)
                local = torch.as_tensor(np.repeat(np.arange(steps.shape[0]),
                                                  lengths[steps]), device=device)
                logits = module(Xt[idx]).squeeze(1)
                nll, valid = _listwise_loss(torch, logits, yt[idx], local,
                                            steps.shape[0])
                if valid == 0:
                    continue
                loss = nll / valid
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += nll.item()
                count += valid
            self.loss_curve_.append(total / max(count, 1))

    def decision_function(self, X):
        """Logit of the desirability; rank candidates by it.

        The forward pass is plain NumPy on the stored weights: policies are
        small, and scoring needs no torch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_state_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        h = X
        for W, b in zip(self.coefs_[:-1], self.intercepts_[:-1]):
            h = np.maximum(h @ W + b, 0.0)
        return (h @ self.coefs_[-1] + self.intercepts_[-1])[:, 0].astype(np.float64)

    def predict_proba(self, X):
        """Probability of "do not label" and "label" (the sigmoid output).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_state_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # sigmoid without overflow
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """Action with the larger probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_state_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    # -- artefacts ----------------------------------------------------------
    def _arrays(self):
        arrays = {}
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            arrays[f"coef_{i}"] = W
            arrays[f"intercept_{i}"] = b
        arrays["classes"] = np.asarray(self.classes_)
        return arrays

    def _header_params(self):
        """Constructor parameters as JSON, for an artefact's header."""
        params = self.get_params()
        params["hidden_sizes"] = list(params["hidden_sizes"])
        params["random_state"] = None
        return params

    @classmethod
    def _from_header(cls, arrays, header):
        """A policy from an artefact's arrays and header, width checked."""
        params = dict(header["policy_params"])
        params["hidden_sizes"] = tuple(params["hidden_sizes"])
        policy = cls._from_arrays(arrays, params)
        if policy.n_features_in_ != header["n_features_in"]:
            raise ValueError("The policy's weights do not match the header's width.")
        return policy

    @classmethod
    def _from_arrays(cls, arrays, params):
        policy = cls(**params)
        n_layers = sum(k.startswith("coef_") for k in arrays)
        policy.coefs_ = [arrays[f"coef_{i}"].astype(np.float32)
                         for i in range(n_layers)]
        policy.intercepts_ = [arrays[f"intercept_{i}"].astype(np.float32)
                              for i in range(n_layers)]
        policy.classes_ = arrays["classes"]
        policy.n_features_in_ = policy.coefs_[0].shape[0]
        return policy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.non_deterministic = False
        return tags
