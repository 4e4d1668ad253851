"""Bayesian deep active learning: MC dropout, BALD, BatchBALD, PowerBALD, ensembles.

The strategies ask the network for Monte-Carlo dropout probabilities batch
by batch (``iter_proba_mc`` of :class:`skactive.nets.NetClassifier`) and
reduce each batch to scores on the network's device, so the pool's
``n × K × C`` probabilities are never held at once and only the scores (or
the selected indices) leave the device.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from ..base import (
    QueryStrategy,
    ScoreQueryMixin,
    _check_n_jobs,
    _check_option,
    _check_positive_int,
)
from ..utils import chunk_rows, iter_chunks, seed_random_states, top_k

__all__ = ["BatchBALD", "DeepEnsemble", "MCDropout", "PowerBALD", "mc_scores"]

_MEASURES = ("bald", "variation_ratio", "entropy")


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised without torch only
        raise ImportError(
            "This strategy needs torch: pip install -c constraints.txt "
            "'skactive[deep]'."
        ) from exc
    return torch


def _is_tensor(x):
    return type(x).__module__.startswith("torch")


def mc_scores(proba, measure="bald"):
    """Uncertainty from stochastic predictions; higher = query first.

    Parameters
    ----------
    proba : ndarray or torch.Tensor of shape (n_samples, n_draws, n_classes)
        Class probabilities of each sample under each MC-dropout pass or
        ensemble member.
    measure : {"bald", "variation_ratio", "entropy"}, default="bald"
        ``bald``: the mutual information between the label and the weights,
        ``H[mean_k p_k] - mean_k H[p_k]`` (Houlsby et al. 2011);
        ``variation_ratio``: one minus the share of the modal vote over the
        draws (Gal et al. 2017, IALE's MC-dropout and ensemble experts);
        ``entropy``: the entropy of the mean prediction.

    Returns
    -------
    scores : ndarray or torch.Tensor of shape (n_samples,)
        Same type (and device) as ``proba``.

    Notes
    -----
    The scores are computed a block of rows at a time: beyond ``proba`` and
    the scores, an array takes about 1 MiB of working memory (a tensor
    16 MiB) whatever the number of samples, instead of copies of the whole
    ``(n_samples, n_draws, n_classes)`` input.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import mc_scores
    >>> agree = [[0.5, 0.5], [0.5, 0.5]]      # unsure, but the draws agree
    >>> disagree = [[1.0, 0.0], [0.0, 1.0]]   # each draw sure, draws disagree
    >>> mc_scores(np.array([agree, disagree]), "bald").round(3)
    array([0.   , 0.693])
    >>> mc_scores(np.array([agree, disagree]), "entropy").round(3)
    array([0.693, 0.693])
    """
    _check_option(measure, "measure", _MEASURES)
    if _is_tensor(proba):
        return _mc_scores_torch(proba, measure)
    P = np.asarray(proba)
    if P.dtype.kind != "f" or P.dtype.itemsize < 4:
        P = P.astype(float)
    n, K, C = P.shape
    # Rows at a time, so the temporaries (a float64 copy, a mask and the
    # p log p terms: 17 bytes an entry) stay within _MC_BLOCK_BYTES instead
    # of a few copies of the whole (n, K, C) array; every row's arithmetic
    # is the same as on the whole array, so are the scores.
    rows = max(1, _MC_BLOCK_BYTES // (17 * max(K, 1) * max(C, 1)))
    scores = np.empty(n)
    for start in range(0, n, rows):
        block = P[start:start + rows]
        if measure == "variation_ratio":
            scores[start:start + rows] = _variation_ratio_block(block)
            continue
        block = np.asarray(block, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = block.mean(axis=1)
            entropy = -np.where(mean > 0, mean * np.log(mean), 0.0).sum(axis=-1)
        if measure == "entropy":
            scores[start:start + rows] = entropy
            continue
        expected = -_plogp(block).sum(axis=-1).mean(axis=1)
        np.maximum(entropy - expected, 0.0, out=scores[start:start + rows])
    return scores


#: Bytes of temporaries per block of rows in mc_scores (numpy): about
#: 1 MiB, so a block's passes run in cache and the peak does not grow with
#: the pool.
_MC_BLOCK_BYTES = 2**20
#: The same for tensors; larger, as every block costs a few kernel launches.
_MC_BLOCK_BYTES_TORCH = 2**24


def _plogp(block):
    """``p log p`` of every entry of a float64 array (``0 log 0 = 0``).

    Computed in place in one buffer; ``np.where(p > 0, p * np.log(p), 0)``,
    which gives the same numbers, holds three.
    """
    mask = block > 0
    terms = np.zeros_like(block)
    np.log(block, out=terms, where=mask)
    return np.multiply(block, terms, out=terms, where=mask)


def _variation_ratio_block(block):
    """One minus the modal vote's share of the draws, per row of (rows, K, C)."""
    rows, K, C = block.shape
    votes = block.argmax(axis=-1)  # argmax needs no float64 copy
    votes += (np.arange(rows) * C)[:, None]
    counts = np.bincount(votes.ravel(), minlength=rows * C).reshape(rows, C)
    return 1.0 - counts.max(axis=-1) / K


def _mc_scores_torch(P, measure):
    """:func:`mc_scores` of a tensor, on its device, block of rows by block."""
    torch = _torch()
    n, K, C = P.shape
    rows = max(1, _MC_BLOCK_BYTES_TORCH // (2 * P.element_size() * max(K, 1) * max(C, 1)))
    if n <= rows:
        return _mc_scores_torch_block(torch, P, measure)
    return torch.cat([_mc_scores_torch_block(torch, P[start:start + rows], measure)
                      for start in range(0, n, rows)])


def _mc_scores_torch_block(torch, P, measure):
    if measure == "variation_ratio":
        votes = P.argmax(dim=-1)
        counts = torch.zeros(P.shape[0], P.shape[2], device=P.device, dtype=P.dtype)
        counts.scatter_add_(1, votes, torch.ones_like(votes, dtype=P.dtype))
        return 1.0 - counts.amax(dim=-1) / P.shape[1]
    mean = P.mean(dim=1)
    entropy = -torch.special.xlogy(mean, mean).sum(dim=-1)
    if measure == "entropy":
        return entropy
    expected = -torch.special.xlogy(P, P).sum(dim=-1).mean(dim=1)
    return (entropy - expected).clamp_min(0.0)


def _default_net():
    from ..nets import make_mlp

    return make_mlp()


def _final_step(estimator):
    """The network at the end of a Pipeline (or the estimator itself)."""
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def _check_mc_estimator(estimator, owner):
    net = _final_step(estimator)
    if not hasattr(net, "predict_proba_mc"):
        raise TypeError(
            f"{owner} needs a network with `predict_proba_mc` (e.g. "
            "skactive.nets.make_mlp()), possibly at the end of a Pipeline, but "
            f"estimator={type(net).__name__} has none."
        )


def _warn_inconsistent_dropout(estimator, owner):
    """Plain dropout layers draw per-row masks: BatchBALD's joint needs shared ones."""
    module = getattr(_final_step(estimator), "module_", None)
    if module is None:
        return
    from ..nets import ConsistentDropout

    torch = _torch()
    plain = [type(m).__name__ for m in module.modules()
             if isinstance(m, torch.nn.modules.dropout._DropoutNd)
             and not isinstance(m, ConsistentDropout)]
    if plain:
        warnings.warn(
            f"{owner}: the network has dropout layers that are not "
            f"ConsistentDropout ({sorted(set(plain))}); their MC masks differ per "
            "row, so samples are not scored under the same weight draws. Use "
            "skactive.nets.ConsistentDropout for MC dropout.",
            UserWarning,
        )


def _mc_batches(estimator, X, n_samples, seed):
    """MC probabilities of ``X`` as tensors, one batch at a time."""
    if isinstance(estimator, Pipeline):
        X = estimator[:-1].transform(X) if len(estimator) > 1 else X
        estimator = estimator[-1]
    if hasattr(estimator, "iter_proba_mc"):
        yield from estimator.iter_proba_mc(X, n_samples=n_samples, random_state=seed)
    else:
        P = estimator.predict_proba_mc(X, n_samples=n_samples, random_state=seed)
        yield _torch().as_tensor(np.asarray(P))


def _check_n_samples(n_samples, name="n_samples"):
    return _check_positive_int(n_samples, name)


def _pool_mc_scores(estimator, X, n_samples, seed, measure):
    """Scores of the whole pool, reduced batch by batch on the net's device."""
    parts = [mc_scores(P, measure) for P in _mc_batches(estimator, X, n_samples, seed)]
    return _torch().cat(parts)


class MCDropout(ScoreQueryMixin, QueryStrategy):
    """Monte-Carlo dropout uncertainty: BALD, variation ratio, entropy.

    The network predicts each pool sample ``n_samples`` times with dropout
    on; the utility is computed from these draws (:func:`mc_scores`). The
    masks are seeded per fit (consistent across the pool with
    :class:`~skactive.nets.ConsistentDropout` layers), so ``query`` is a pure
    function of the fitted state.

    Parameters
    ----------
    estimator : NetClassifier or None, default=None
        A network with ``iter_proba_mc`` / ``predict_proba_mc`` (any
        :mod:`skactive.nets` classifier). ``None`` means
        :func:`skactive.nets.make_mlp`.
    measure : {"bald", "variation_ratio", "entropy"}, default="bald"
        See :func:`mc_scores`.
    n_samples : int, default=20
        Stochastic forward passes per sample (IALE and Gal et al. use 20).
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks and tie-breaking.

    Attributes
    ----------
    estimator_ : NetClassifier
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] Y. Gal, R. Islam, Z. Ghahramani, "Deep Bayesian Active Learning
       with Image Data", ICML 2017.
    .. [2] N. Houlsby, F. Huszár, Z. Ghahramani, M. Lengyel, "Bayesian Active
       Learning for Classification and Preference Learning", 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive import MCDropout
    >>> from skactive.nets import make_mlp
    >>> X, y = load_digits(return_X_y=True)
    >>> s = MCDropout(make_mlp(max_epochs=20, random_state=0), measure="bald",
    ...               random_state=0).fit(X[:100] / 16, y[:100])
    >>> s.query(X[100:] / 16, batch_size=5).shape
    (5,)
    """

    _accept_sparse = False  # networks take dense batches
    # Each MC draw sets the shared network's dropout masks and seeds, so
    # blocks of a pool cannot be scored concurrently (a dask scheduler's
    # threads would mix draws), and scores are tensors whose ties top_k
    # breaks on the device. A memmap pool is read in place; a dask pool is
    # computed first.
    _blockwise_scores = False

    def __init__(self, estimator=None, *, measure="bald", n_samples=20, refit=True,
                 random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.measure = measure
        self.n_samples = n_samples

    def _get_estimator(self):
        return _default_net() if self.estimator is None else self.estimator

    def _check_estimator_methods(self, estimator):
        _check_option(self.measure, "measure", _MEASURES)
        _check_n_samples(self.n_samples)
        _check_mc_estimator(estimator, type(self).__name__)

    def _fit(self, X, y):
        _warn_inconsistent_dropout(self.estimator_, type(self).__name__)

    def _score(self, X_pool):
        return _pool_mc_scores(self.estimator_, X_pool, self.n_samples,
                               self._query_seed, self.measure)


class PowerBALD(MCDropout):
    """Stochastic batch acquisition: sample the batch with weights ``score^beta``.

    Instead of the top ``batch_size`` scores, the batch is a draw without
    replacement with probabilities proportional to ``score ** beta``
    (Gumbel top-k on ``beta · log score``). Kirsch et al. (2023) show this
    matches BatchBALD and BADGE at the cost of BALD. Large ``beta`` tends to
    top-k.

    Parameters
    ----------
    estimator : NetClassifier or None, default=None
        A network with MC dropout; ``None`` means
        :func:`skactive.nets.make_mlp`.
    measure : {"bald", "variation_ratio", "entropy"}, default="bald"
        The score that is powered.
    beta : float, default=1.0
        Inverse temperature (≥ 0); 0 is random sampling.
    n_samples : int, default=20
        MC-dropout passes.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the masks and the draw.

    Attributes
    ----------
    estimator_ : NetClassifier
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] A. Kirsch, S. Farquhar, P. Atighehchian, A. Jesson,
       F. Branchaud-Charron, Y. Gal, "Stochastic Batch Acquisition: A Simple
       Baseline for Deep Active Learning", TMLR 2023.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive import PowerBALD
    >>> from skactive.nets import make_mlp
    >>> X, y = load_digits(return_X_y=True)
    >>> s = PowerBALD(make_mlp(max_epochs=20, random_state=0),
    ...               random_state=0).fit(X[:100] / 16, y[:100])
    >>> len(set(s.query(X[100:] / 16, batch_size=10).tolist()))
    10
    """

    def __init__(self, estimator=None, *, measure="bald", beta=1.0, n_samples=20,
                 refit=True, random_state=None):
        super().__init__(estimator, measure=measure, n_samples=n_samples, refit=refit,
                         random_state=random_state)
        self.beta = beta

    def _check_estimator_methods(self, estimator):
        # Checked before the network is trained, not after.
        if not isinstance(self.beta, numbers.Real) or self.beta < 0:
            raise ValueError(f"beta must be a non-negative float, got {self.beta!r}.")
        super()._check_estimator_methods(estimator)

    def _select(self, scores, batch_size, rng):
        scores = scores.detach().cpu().numpy() if _is_tensor(scores) else scores
        with np.errstate(divide="ignore"):
            keys = self.beta * np.log(np.maximum(scores, 1e-12))
        return top_k(keys + rng.gumbel(size=keys.shape[0]), batch_size, rng)


def _batchbald_greedy(P, batch_size, n_configurations, generator, chunk_bytes=2**26):
    """Greedy BatchBALD on MC probabilities ``P`` of shape (n, K, C) (a tensor).

    Joint entropies of the selected labels are exact while the number of
    label configurations ``C^t`` is at most ``n_configurations``; beyond
    that ``n_configurations`` configurations are sampled from the joint and
    the entropy is an importance-weighted estimate, as in Kirsch et al.'s
    reference implementation.
    """
    torch = _torch()
    P = P.double()
    n, K, C = P.shape
    cond = -torch.special.xlogy(P, P).sum(dim=-1).mean(dim=1)
    joint = torch.ones(K, 1, dtype=P.dtype, device=P.device)
    weights = None  # None: exact enumeration; else 1 / q(configuration)
    chosen, cond_sum = [], 0.0
    available = torch.ones(n, dtype=torch.bool, device=P.device)
    for _ in range(batch_size):
        S = joint.shape[1]
        H = torch.empty(n, dtype=P.dtype, device=P.device)
        rows = max(1, int(chunk_bytes // (8 * S * C * 2)))
        for start in range(0, n, rows):
            # (S, K) @ (rows, K, C) -> (rows, S, C): one batched GEMM.
            E = torch.matmul(joint.t(), P[start:start + rows]) / K
            terms = torch.special.xlogy(E, E)
            if weights is not None:
                terms = terms * weights[None, :, None] / S
            H[start:start + rows] = -terms.sum(dim=(1, 2))
        gain = H - cond - cond_sum
        gain[~available] = -float("inf")
        i = int(torch.argmax(gain))
        chosen.append(i)
        available[i] = False
        cond_sum = cond_sum + cond[i]
        if weights is None and S * C <= n_configurations:
            joint = (joint[:, :, None] * P[i][:, None, :]).reshape(K, S * C)
        else:
            # Sample configurations of the chosen labels from their joint:
            # a weight draw k uniformly, then each label from p(y | w_k).
            k_draw = torch.randint(K, (n_configurations,), generator=generator,
                                   device=P.device)
            joint = torch.ones(K, n_configurations, dtype=P.dtype, device=P.device)
            for j in chosen:
                y_j = torch.multinomial(P[j][k_draw], 1, generator=generator).squeeze(1)
                joint = joint * P[j][:, y_j]
            weights = 1.0 / joint.mean(dim=0).clamp_min(1e-300)
    return np.asarray(chosen, dtype=np.intp)


class _KeptRows:
    """MC probabilities of the pool rows that may be among the top ``n_keep``.

    Rows are added batch by batch with their scores; whenever more than
    ``2 * n_keep`` are held, those below the ``n_keep``-th best score are
    dropped (they cannot be in the top ``n_keep`` of the whole pool, whose
    ``n_keep``-th score is at least as high). Rows tied at that score are all
    kept up to ``2 * n_keep``; beyond it some are dropped and
    :meth:`take` recomputes any of them that turns out to be selected.
    """

    def __init__(self, n_keep):
        self.n_keep = n_keep
        self.rows, self.keys, self.probas = [], [], []
        self.n_held = 0
        self.threshold = -np.inf

    def add(self, start, keys, P):
        torch = _torch()
        rows = np.arange(start, start + keys.shape[0])
        if self.threshold > -np.inf:
            keep = np.flatnonzero(keys >= self.threshold)
            if keep.shape[0] < keys.shape[0]:
                rows, keys = rows[keep], keys[keep]
                P = P[torch.as_tensor(keep, device=P.device)]
        self.rows.append(rows)
        self.keys.append(keys)
        self.probas.append(P)
        self.n_held += rows.shape[0]
        if self.n_held > 2 * self.n_keep:
            self._prune()

    def _prune(self):
        torch = _torch()
        rows, keys = np.concatenate(self.rows), np.concatenate(self.keys)
        P = torch.cat(self.probas)
        n, cap = keys.shape[0], 2 * self.n_keep
        kth = np.partition(keys, n - self.n_keep)[n - self.n_keep]
        keep = np.flatnonzero(keys >= kth)
        if keep.shape[0] > cap:
            # Too many ties at kth to hold: keep the rows above it and the
            # first tied ones; take() recomputes a dropped one if needed.
            above = np.flatnonzero(keys > kth)
            tied = np.flatnonzero(keys == kth)[:cap - above.shape[0]]
            keep = np.sort(np.concatenate([above, tied]))
        self.rows, self.keys = [rows[keep]], [keys[keep]]
        self.probas = [P[torch.as_tensor(keep, device=P.device)]]
        self.n_held = keep.shape[0]
        self.threshold = kth

    def take(self, selected, compute):
        """Probabilities of pool rows ``selected`` (in that order).

        ``compute(rows)`` gives those of rows no longer held (only possible
        after a prune dropped tied rows).
        """
        torch = _torch()
        rows = np.concatenate(self.rows)
        P = torch.cat(self.probas)
        pos = np.full(int(rows.max()) + 1 if rows.shape[0] else 0, -1, dtype=np.intp)
        pos[rows] = np.arange(rows.shape[0])
        at = np.full(selected.shape[0], -1, dtype=np.intp)
        inside = selected < pos.shape[0]
        at[inside] = pos[selected[inside]]
        missing = np.flatnonzero(at < 0)
        if missing.shape[0] == 0:
            return P[torch.as_tensor(at, device=P.device)]
        out = torch.empty((selected.shape[0],) + tuple(P.shape[1:]), dtype=P.dtype,
                          device=P.device)
        held = np.flatnonzero(at >= 0)
        if held.shape[0]:
            out[torch.as_tensor(held, device=P.device)] = \
                P[torch.as_tensor(at[held], device=P.device)]
        out[torch.as_tensor(missing, device=P.device)] = \
            compute(selected[missing]).to(device=P.device, dtype=P.dtype)
        return out


def _selection_keys(scores):
    """The scores as :func:`~skactive.utils.top_k` compares them (NaN lowest)."""
    return np.where(np.isnan(scores), -np.inf, scores)


def _bald_keeping_top(estimator, X, n_samples, seed, n_keep):
    """BALD of every pool row from one MC pass, and the MC probabilities of
    the rows that can be among the ``n_keep`` highest (:class:`_KeptRows`).

    Returns ``(scores, kept)``: ``scores`` a NumPy array, the same numbers as
    ``_pool_mc_scores(..., "bald")``.
    """
    parts = []
    kept = _KeptRows(n_keep)
    start = 0
    for P in _mc_batches(estimator, X, n_samples, seed):
        scores = mc_scores(P, "bald").cpu().numpy()
        parts.append(scores)
        kept.add(start, _selection_keys(scores), P)
        start += scores.shape[0]
    return np.concatenate(parts), kept


class BatchBALD(QueryStrategy):
    """BatchBALD (Kirsch et al. 2019): greedy joint mutual information of a batch.

    Each greedy step adds the candidate that maximises
    ``I(y_1, ..., y_t, y; w)``, the mutual information between the batch's
    labels and the weights, estimated from consistent MC-dropout draws.
    Unlike top-k BALD it does not fill a batch with near-duplicates. To stay
    tractable the pool is first cut to the ``max_candidates`` samples of
    highest BALD (one streaming pass, whose MC probabilities of the
    candidates the greedy steps reuse: one pass through the network per
    query), and joint entropies over more than ``n_configurations`` label
    configurations are estimated by sampling. With the package's networks
    (``ConsistentDropout``) the draws of a row do not depend on its batch,
    so this equals a second pass over the candidates; plain ``nn.Dropout``
    draws masks per batch position (a warning says so), and the candidates'
    probabilities are then those that ranked them.

    Parameters
    ----------
    estimator : NetClassifier or None, default=None
        A network with MC dropout; ``None`` means
        :func:`skactive.nets.make_mlp`.
    n_samples : int, default=20
        MC-dropout passes (the weight samples ``K``).
    max_candidates : int, default=1000
        Pool samples kept by the BALD pre-filter (raised to ``batch_size``).
    n_configurations : int, default=1000
        Label configurations enumerated exactly or sampled per step. The cost
        of a step is ``max_candidates · K · n_configurations · C``.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds the masks and the configuration sampling.

    Attributes
    ----------
    estimator_ : NetClassifier
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] A. Kirsch, J. van Amersfoort, Y. Gal, "BatchBALD: Efficient and
       Diverse Batch Acquisition for Deep Bayesian Active Learning",
       NeurIPS 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive import BatchBALD
    >>> from skactive.nets import make_mlp
    >>> X, y = load_digits(return_X_y=True)
    >>> s = BatchBALD(make_mlp(max_epochs=20, random_state=0), max_candidates=200,
    ...               random_state=0).fit(X[:100] / 16, y[:100])
    >>> s.query(X[100:] / 16, batch_size=4).shape
    (4,)
    """

    _accept_sparse = False  # networks take dense batches

    def __init__(self, estimator=None, *, n_samples=20, max_candidates=1000,
                 n_configurations=1000, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.n_samples = n_samples
        self.max_candidates = max_candidates
        self.n_configurations = n_configurations

    def _get_estimator(self):
        return _default_net() if self.estimator is None else self.estimator

    def _check_estimator_methods(self, estimator):
        _check_n_samples(self.n_samples)
        _check_positive_int(self.max_candidates, "max_candidates")
        _check_positive_int(self.n_configurations, "n_configurations")
        _check_mc_estimator(estimator, type(self).__name__)

    def _fit(self, X, y):
        _warn_inconsistent_dropout(self.estimator_, type(self).__name__)

    def _query(self, X_pool, batch_size, rng):
        torch = _torch()
        n_cand = min(X_pool.shape[0], max(self.max_candidates, batch_size))
        # One MC pass: the pre-filter's probabilities of the rows that can be
        # candidates are kept, not computed again for the candidates.
        bald, kept = _bald_keeping_top(self.estimator_, X_pool, self.n_samples,
                                       self._query_seed, n_cand)
        cand = top_k(bald, n_cand, rng)
        P = kept.take(cand, lambda rows: torch.cat(list(_mc_batches(
            self.estimator_, X_pool[rows], self.n_samples, self._query_seed))))
        gen = torch.Generator(device=P.device).manual_seed(int(rng.integers(2**31 - 1)))
        picks = _batchbald_greedy(P, batch_size, self.n_configurations, gen)
        return cand[picks]


class DeepEnsemble(ScoreQueryMixin, QueryStrategy):
    """Disagreement of an ensemble of independently initialised networks.

    The ensemble is the current model (``estimator_``) plus
    ``n_members - 1`` clones trained on the labeled set from different
    random initialisations (Beluch et al. 2018; IALE's ensemble expert). Its
    members' probabilities are scored like MC-dropout draws
    (:func:`mc_scores`). Any classifier with ``predict_proba`` and a
    ``random_state`` works; with networks, the seeds give the different
    initialisations.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The member model; ``None`` means :func:`skactive.nets.make_mlp`.
    n_members : int, default=5
        Ensemble size, the current model included.
    measure : {"variation_ratio", "bald", "entropy"}, default="variation_ratio"
        See :func:`mc_scores`; IALE uses the variation ratio.
    chunk_size : int or None, default=None
        Pool rows scored at a time.
    n_jobs : int or None, default=None
        The ``n_members - 1`` clones train in parallel through
        :class:`joblib.Parallel`; under ``joblib.parallel_config(backend=
        "dask")`` they train on the cluster. Their seeds are drawn before any
        of them trains, so the ensemble does not depend on ``n_jobs``.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as the current model.
    random_state : int, RandomState instance or None, default=None
        Seeds the members' initialisations and tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        The current model.
    members_ : list of classifiers
        The fitted ensemble, ``estimator_`` first.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] W. H. Beluch, T. Genewein, A. Nürnberger, J. M. Köhler, "The
       power of ensembles for active learning in image classification",
       CVPR 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive import DeepEnsemble
    >>> from skactive.nets import make_mlp
    >>> X, y = load_digits(return_X_y=True)
    >>> s = DeepEnsemble(make_mlp(max_epochs=10), n_members=3,
    ...                  random_state=0).fit(X[:100] / 16, y[:100])
    >>> len(s.members_), s.query(X[100:] / 16, batch_size=3).shape
    (3, (3,))
    """

    _required_methods = ("predict_proba",)
    _accept_sparse = False  # networks take dense batches

    def __init__(self, estimator=None, *, n_members=5, measure="variation_ratio",
                 chunk_size=None, n_jobs=None, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.n_members = n_members
        self.measure = measure
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs

    def _get_estimator(self):
        return _default_net() if self.estimator is None else self.estimator

    def _check_estimator_methods(self, estimator):
        # Checked before the networks are trained, not after.
        _check_option(self.measure, "measure", _MEASURES)
        _check_positive_int(self.n_members, "n_members", minimum=2)
        super()._check_estimator_methods(estimator)

    def _fit(self, X, y):
        # Imported here: this module's other strategies do not use joblib.
        from joblib import Parallel, delayed

        from ._committee import _fit_member

        n_members = int(self.n_members)
        # Not check_random_state(self.random_state): with an int that stream
        # is the one fit drew the query seed and estimator_'s seed from, so
        # member 2 would repeat estimator_'s initialisation.
        rng = check_random_state(self._query_seed)
        # Every member gets its own seeds (a different initialisation), all
        # drawn before any member trains.
        clones = [seed_random_states(clone(self._get_estimator()), rng,
                                     only_unset=False)
                  for _ in range(n_members - 1)]
        self.members_ = [self.estimator_] + Parallel(n_jobs=_check_n_jobs(self.n_jobs, type(self).__name__))(
            delayed(_fit_member)(member, X, y, None) for member in clones
        )

    def _score(self, X_pool):
        n = X_pool.shape[0]
        n_classes = len(self.classes_)
        rows = chunk_rows(8 * len(self.members_) * n_classes, n, self.chunk_size)
        scores = np.empty(n)
        for sl in iter_chunks(n, rows):
            P = np.stack([m.predict_proba(X_pool[sl]) for m in self.members_], axis=1)
            scores[sl] = mc_scores(P, self.measure)
        return scores
