"""IALE: imitating active learner ensembles (Löffler & Mutschler).

A policy MLP is trained with :class:`DAgger` to imitate, at every step, the
best of a set of heuristic experts (the one whose proposal most improves a
classifier on a labeled validation split), from a state that describes the
classifier's representation, uncertainty and gradients. The trained policy
transfers to other data sets and architectures.
"""

import os

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import check_scoring
from sklearn.utils.validation import check_is_fitted

from ..base import QueryStrategy, _check_option, _check_positive_int, _clone_keeping
from ..strategies._bayesian import _default_net
from ..utils import (
    chunk_rows,
    embed,
    iter_chunks,
    min_sq_distances,
    predict_proba_chunked,
    top_k,
    vstack_rows,
)
from ._artefacts import pretrained_path, read_artefact, write_artefact
from ._dagger import DAgger, policy_scores
from ._policy_net import PolicyMLP

__all__ = [
    "IALEExpert",
    "IALEState",
    "IALEStrategy",
    "default_iale_experts",
    "load_iale_policy",
    "save_iale_policy",
]

_STATES = ("full", "reduced")
_KIND = "iale-policy"
#: Shipped policies: name -> file in skactive/policies/pretrained.
_PRETRAINED = {"digits-cnn": "iale_digits_cnn.npz"}


# -- state ------------------------------------------------------------------
class IALEState(BaseEstimator):
    """The state IALE's policy sees, one row per candidate.

    ``state="full"`` is the paper's Eq. 1 in the order of the authors' code,
    for ``C`` classes and a ``D``-dimensional embedding (``2D + 3C + CD``
    columns, 1566 for MNIST's 10 classes and 128 dimensions):

    1. ``labeled_mean_embedding`` (D): mean embedding of the labeled set;
    2. ``embedding`` (D): the candidate's embedding ``h``;
    3. ``labeled_class_distribution`` (C): label frequencies in the labeled
       set;
    4. ``labeled_predicted_distribution`` (C): frequencies of the model's
       predictions on the labeled set;
    5. ``gradient_embedding`` (C·D): block ``c`` is ``(1[c = ŷ] - p_c) h``,
       BADGE's last-layer gradient under the proxy label ``ŷ = argmax p``
       (the code's sign convention);
    6. ``predicted_class`` (C): one-hot of ``ŷ``.

    ``state="reduced"`` drops every block whose width depends on the number
    of classes, so a policy transfers between tasks with different class
    counts (the paper's "arbitrary class count" state). It keeps the
    gradient as its proxy-class block and its length (``3D + 1`` columns):

    1. ``labeled_mean_embedding`` (D);
    2. ``embedding`` (D);
    3. ``proxy_gradient`` (D): ``(1 - p_ŷ) h``, block ``ŷ`` of the gradient;
    4. ``gradient_norm`` (1): ``||onehot(ŷ) - p||``, which times ``||h||`` is
       the norm of the whole gradient.

    ``nearest_labeled=True`` appends one column to either state,
    ``nearest_labeled_distance``: the distance from the candidate's
    embedding to the nearest labeled embedding (CoreSet's score). The
    paper's state holds the labeled set only through its mean, so a policy
    cannot tell a candidate that duplicates a labeled sample from one in an
    uncovered region; this column lets it learn the diversity side of the
    CoreSet and BADGE experts.

    Parameters
    ----------
    state : {"full", "reduced"}, default="full"
    normalize : bool, default=True
        Divide the embedding-valued blocks (both embeddings and the gradient
        blocks) by the mean embedding norm of the labeled set. Different
        networks produce embeddings of very different scales; a policy
        trained on one then sees inputs of the scale it was trained on. The
        authors' code does not normalise (``normalize=False``).
    nearest_labeled : bool, default=False
        Append the nearest-labeled distance (in the normalised embedding
        space when ``normalize=True``). Not in the paper. The labeled
        summary then keeps the labeled embeddings (``n_labeled × D``), and
        encoding computes candidate-to-labeled distances in chunks.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive.nets import make_mlp
    >>> from skactive.policies import IALEState
    >>> X, y = load_digits(return_X_y=True)
    >>> net = make_mlp(max_epochs=5, random_state=0).fit(X[:50] / 16, y[:50])
    >>> IALEState("full").transform(net, X[:50] / 16, y[:50], X[50:53] / 16).shape
    (3, 1566)
    >>> IALEState("reduced").n_features(n_classes=10, n_dims=128)
    385
    >>> IALEState("reduced", nearest_labeled=True).layout(10, 128)[-1]
    ('nearest_labeled_distance', 385, 386)
    """

    def __init__(self, state="full", normalize=True, nearest_labeled=False):
        self.state = state
        self.normalize = normalize
        self.nearest_labeled = nearest_labeled

    def layout(self, n_classes, n_dims):
        """Blocks of a state row: ``[(name, start, stop), ...]``.

        Parameters
        ----------
        n_classes : int
        n_dims : int
            Embedding dimension.

        Returns
        -------
        layout : list of (str, int, int)
        """
        _check_option(self.state, "state", _STATES)
        C, D = int(n_classes), int(n_dims)
        if self.state == "full":
            widths = [("labeled_mean_embedding", D), ("embedding", D),
                      ("labeled_class_distribution", C),
                      ("labeled_predicted_distribution", C),
                      ("gradient_embedding", C * D), ("predicted_class", C)]
        else:
            widths = [("labeled_mean_embedding", D), ("embedding", D),
                      ("proxy_gradient", D), ("gradient_norm", 1)]
        if self.nearest_labeled:
            widths.append(("nearest_labeled_distance", 1))
        out, start = [], 0
        for name, w in widths:
            out.append((name, start, start + w))
            start += w
        return out

    def n_features(self, n_classes, n_dims):
        """Width of a state row for ``n_classes`` classes and ``n_dims`` embeddings."""
        return self.layout(n_classes, n_dims)[-1][2]

    def summarize_labeled(self, estimator, X_labeled, y_labeled):
        """The labeled-set part of the state (computed once per fit).

        Parameters
        ----------
        estimator : fitted classifier
        X_labeled : array-like of shape (n_labeled, n_features)
        y_labeled : array-like of shape (n_labeled,)

        Returns
        -------
        summary : dict
        """
        _check_option(self.state, "state", _STATES)
        classes = np.asarray(estimator.classes_)
        E = np.asarray(embed(estimator, X_labeled), dtype=np.float64)
        scale = float(np.linalg.norm(E, axis=1).mean()) if self.normalize else 1.0
        scale = scale if scale > 0 else 1.0
        C = classes.shape[0]
        y_idx = np.searchsorted(classes, np.asarray(y_labeled))
        y_idx = np.clip(y_idx, 0, C - 1)
        pred = predict_proba_chunked(estimator, X_labeled).argmax(axis=1)
        E = E / scale
        summary = {
            "n_classes": C,
            "scale": scale,
            "mean_embedding": E.mean(axis=0),
            "class_distribution": np.bincount(y_idx, minlength=C) / y_idx.shape[0],
            "predicted_distribution": np.bincount(pred, minlength=C) / pred.shape[0],
        }
        if self.nearest_labeled:
            summary["embeddings"] = E
        return summary

    def encode(self, estimator, summary, X_candidates, chunk_size=None):
        """State rows for candidates, given :meth:`summarize_labeled`'s summary.

        Parameters
        ----------
        estimator : fitted classifier
        summary : dict
        X_candidates : array-like of shape (n_candidates, n_features)
        chunk_size : int or None, default=None
            Candidates encoded at a time (the full state is ``C·D`` wide).

        Returns
        -------
        states : ndarray of shape (n_candidates, n_state_features), float32
        """
        C = summary["n_classes"]
        mu = summary["mean_embedding"]
        D = mu.shape[0]
        layout = self.layout(C, D)
        width = layout[-1][2]
        n = X_candidates.shape[0]
        out = np.empty((n, width), dtype=np.float32)
        rows = chunk_rows(4 * width, n, chunk_size)
        blocks = {name: slice(a, b) for name, a, b in layout}
        for sl in iter_chunks(n, rows):
            Xc = X_candidates[sl]
            h = np.asarray(embed(estimator, Xc), dtype=np.float64) / summary["scale"]
            if h.shape[1] != D:
                raise ValueError(
                    f"Candidates embed in {h.shape[1]} dimensions, the labeled "
                    f"set in {D}."
                )
            p = predict_proba_chunked(estimator, Xc)
            y_hat = p.argmax(axis=1)
            resid = -p
            resid[np.arange(p.shape[0]), y_hat] += 1.0  # onehot(y_hat) - p
            block = out[sl]
            block[:, blocks["labeled_mean_embedding"]] = mu
            block[:, blocks["embedding"]] = h
            if self.state == "full":
                block[:, blocks["labeled_class_distribution"]] = \
                    summary["class_distribution"]
                block[:, blocks["labeled_predicted_distribution"]] = \
                    summary["predicted_distribution"]
                block[:, blocks["gradient_embedding"]] = \
                    (resid[:, :, None] * h[:, None, :]).reshape(h.shape[0], -1)
                block[:, blocks["predicted_class"]] = np.eye(C)[y_hat]
            else:
                own = resid[np.arange(p.shape[0]), y_hat]
                block[:, blocks["proxy_gradient"]] = own[:, None] * h
                block[:, blocks["gradient_norm"]] = \
                    np.linalg.norm(resid, axis=1)[:, None]
            if self.nearest_labeled:
                block[:, blocks["nearest_labeled_distance"]] = np.sqrt(
                    min_sq_distances(h, summary["embeddings"]))[:, None]
        return out

    def transform(self, estimator, X_labeled, y_labeled, X_candidates):
        """States of candidates (the :class:`DAgger` encoder protocol).

        Parameters
        ----------
        estimator : fitted classifier
        X_labeled : array-like of shape (n_labeled, n_features)
        y_labeled : array-like of shape (n_labeled,)
        X_candidates : array-like of shape (n_candidates, n_features)

        Returns
        -------
        states : ndarray of shape (n_candidates, n_state_features), float32
        """
        summary = self.summarize_labeled(estimator, X_labeled, y_labeled)
        return self.encode(estimator, summary, X_candidates)


# -- expert -----------------------------------------------------------------
def default_iale_experts(n_mc_samples=20, n_members=5):
    """The paper's six experts, each with its default settings.

    MC-dropout and the deep ensemble use the variation ratio (the code's
    score), uncertainty sampling entropy and least confidence, then CoreSet
    and BADGE.

    Parameters
    ----------
    n_mc_samples : int, default=20
        MC-dropout passes.
    n_members : int, default=5
        Ensemble size, the current model included.

    Returns
    -------
    experts : dict of str to QueryStrategy

    Examples
    --------
    >>> from skactive.policies import default_iale_experts
    >>> list(default_iale_experts())
    ['mc_dropout', 'ensemble', 'entropy', 'least_confidence', 'coreset', 'badge']
    """
    from ..strategies import (
        BADGE,
        CoreSet,
        DeepEnsemble,
        MCDropout,
        UncertaintySampling,
    )

    return {
        "mc_dropout": MCDropout(measure="variation_ratio", n_samples=n_mc_samples),
        "ensemble": DeepEnsemble(n_members=n_members),
        "entropy": UncertaintySampling(measure="entropy"),
        "least_confidence": UncertaintySampling(measure="least_confidence"),
        "coreset": CoreSet(),
        "badge": BADGE(),
    }


def _rollout(name, strategy, estimator, X_lab, y_lab, X_cand, y_cand, X_val, y_val,
             k, seed, scoring):
    strategy = clone(strategy).set_params(estimator=estimator, refit=False,
                                          random_state=seed)
    pick = strategy.fit(X_lab, y_lab).query(X_cand, batch_size=k)
    # clone() keeps the classifier's seed: every proposal is scored by a
    # model trained from the same initialisation (the code's init_weights).
    model = clone(estimator).fit(vstack_rows(X_lab, X_cand[pick]),
                                 np.concatenate([y_lab, y_cand[pick]]))
    return name, pick, float(scoring(model, X_val, y_val))


class IALEExpert(BaseEstimator):
    """The best of a set of heuristic strategies, judged on a validation split.

    Each strategy proposes ``batch_size`` of the candidates using the current
    classifier; the classifier is retrained from its initialisation on the
    labeled set plus each proposal and scored on the labeled validation
    split; the best proposal (first on ties) is the action. This is the
    :class:`DAgger` expert protocol.

    Parameters
    ----------
    strategies : dict, list of (str, QueryStrategy) or None, default=None
        The experts by name; ``None`` means :func:`default_iale_experts`. Each is
        used with the current classifier (``refit=False``).
    scoring : str, callable or None, default=None
        Validation score; ``None`` is the classifier's ``score`` (accuracy).
    n_jobs : int or None, default=None
        The roll-outs of one step run in parallel with joblib.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import RandomSampling, UncertaintySampling
    >>> from skactive.policies import IALEExpert
    >>> X, y = load_iris(return_X_y=True)
    >>> lab, cand = np.arange(0, 150, 15), np.arange(1, 150, 5)
    >>> val = np.arange(2, 150, 3)
    >>> model = LogisticRegression().fit(X[lab], y[lab])
    >>> expert = IALEExpert({"entropy": UncertaintySampling(),
    ...                      "random": RandomSampling()})
    >>> target, info = expert.label(model, X[lab], y[lab], X[cand], y[cand],
    ...                             X[val], y[val], batch_size=3, random_state=0)
    >>> int(target.sum()), sorted(info["scores"])
    (3, ['entropy', 'random'])
    """

    def __init__(self, strategies=None, *, scoring=None, n_jobs=None):
        self.strategies = strategies
        self.scoring = scoring
        self.n_jobs = n_jobs

    def _strategies(self):
        strategies = default_iale_experts() if self.strategies is None \
            else self.strategies
        items = list(strategies.items()) if isinstance(strategies, dict) \
            else list(strategies)
        if not items or not all(
                isinstance(it, tuple) and len(it) == 2 and hasattr(it[1], "query")
                for it in items):
            raise TypeError(
                "strategies must be a non-empty dict (or list of pairs) mapping "
                "names to query strategies."
            )
        return items

    def label(self, estimator, X_labeled, y_labeled, X_candidates, y_candidates,
              X_val, y_val, batch_size, random_state=None):
        """The best expert's proposal as a binary target over the candidates.

        Parameters
        ----------
        estimator : fitted classifier
            The current model.
        X_labeled, y_labeled : labeled set
        X_candidates, y_candidates : the candidate subset and its labels
        X_val, y_val : labeled validation split
        batch_size : int
        random_state : int or None, default=None
            Seed shared by the strategies (tie-breaking, sampling).

        Returns
        -------
        target : ndarray of shape (n_candidates,)
            1.0 for the winning proposal, else 0.0.
        info : dict
            ``winner`` (name), ``scores`` (validation score of every
            expert's proposal) and ``proposals`` (their indices).
        """
        items = self._strategies()
        scoring = check_scoring(estimator, scoring=self.scoring)
        y_labeled, y_candidates = np.asarray(y_labeled), np.asarray(y_candidates)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_rollout)(name, s, estimator, X_labeled, y_labeled, X_candidates,
                              y_candidates, X_val, y_val, batch_size, random_state,
                              scoring)
            for name, s in items
        )
        scores = {name: score for name, _, score in results}
        best = int(np.argmax([score for _, _, score in results]))
        target = np.zeros(X_candidates.shape[0])
        target[results[best][1]] = 1.0
        return target, {"winner": results[best][0], "scores": scores,
                        "proposals": {name: pick for name, pick, _ in results}}


# -- persistence --------------------------------------------------------------
def save_iale_policy(path, policy, state_encoder, *, metadata=None):
    """Save a fitted :class:`PolicyMLP` with the state it reads.

    Parameters
    ----------
    path : str or path-like
        Target ``.npz`` file.
    policy : PolicyMLP
        Fitted policy (e.g. ``DAgger.policy_``).
    state_encoder : IALEState
        The encoder the policy was trained on.
    metadata : dict or None, default=None
        JSON-serialisable provenance (command, settings, timings).
    """
    check_is_fitted(policy)
    if not isinstance(policy, PolicyMLP) or not isinstance(state_encoder, IALEState):
        raise TypeError(
            "save_iale_policy stores a PolicyMLP and an IALEState, got "
            f"{type(policy).__name__} and {type(state_encoder).__name__}."
        )
    header = dict(metadata or {})
    header.update(policy_params=policy._header_params(), state=state_encoder.state,
                  normalize=bool(state_encoder.normalize),
                  nearest_labeled=bool(state_encoder.nearest_labeled))
    write_artefact(path, policy._arrays(), kind=_KIND,
                   n_features_in=policy.n_features_in_, metadata=header)


def load_iale_policy(source="digits-cnn", *, return_metadata=False):
    """Load an IALE policy: a shipped one by name, or a saved file.

    Parameters
    ----------
    source : str or path-like, default="digits-cnn"
        ``"digits-cnn"``: the policy shipped with skactive, trained on
        ``load_digits`` with the image CNN by ``scripts/train_iale.py``
        (reduced state with the nearest-labeled distance, so it works for
        any number of classes; its header records the command, settings and
        run time). Otherwise a file
        written by :func:`save_iale_policy`.
    return_metadata : bool, default=False
        Also return the header.

    Returns
    -------
    policy : PolicyMLP
    state_encoder : IALEState
    metadata : dict
        Only with ``return_metadata=True``.

    Examples
    --------
    >>> from skactive.policies import load_iale_policy
    >>> policy, state = load_iale_policy("digits-cnn")
    >>> state.state, state.nearest_labeled, policy.n_features_in_
    ('reduced', True, 386)
    """
    if isinstance(source, str) and source in _PRETRAINED:
        arrays, header = read_artefact(pretrained_path(_PRETRAINED[source]), kind=_KIND)
    elif isinstance(source, (str, os.PathLike)) and os.path.exists(source):
        arrays, header = read_artefact(os.fspath(source), kind=_KIND)
    else:
        raise ValueError(
            f"policy {source!r} is neither a shipped policy "
            f"({sorted(_PRETRAINED)}) nor an existing file."
        )
    policy = PolicyMLP._from_header(arrays, header)
    # Files written before the option existed hold the paper's state.
    encoder = IALEState(state=header["state"], normalize=header["normalize"],
                        nearest_labeled=header.get("nearest_labeled", False))
    return (policy, encoder, header) if return_metadata else (policy, encoder)


# -- strategy -----------------------------------------------------------------
class IALEStrategy(QueryStrategy):
    """Query with an imitation-learned IALE policy.

    At each query a random subset of ``n_candidates`` pool samples is encoded
    into states (:class:`IALEState`), the policy scores them and the
    ``batch_size`` best are queried. The policy is learned once on a source
    task (:class:`DAgger` with :class:`IALEExpert`) and applied without
    retraining; the one shipped with skactive was learned on ``load_digits``
    with the image CNN.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier; it needs ``predict_proba`` and an embedding (the
        networks of :mod:`skactive.nets`; a policy is tied to the embedding
        width it was trained with, 128 for the shipped one). ``None`` means
        :func:`skactive.nets.make_mlp`.
    policy : str, path-like, PolicyMLP or DAgger, default="digits-cnn"
        A shipped policy's name or a file from :func:`save_iale_policy`; a
        fitted :class:`PolicyMLP`; or a fitted :class:`DAgger` (its
        ``policy_`` and ``state_encoder_``). Fitted policies are kept by
        ``clone``.
    state_encoder : IALEState or None, default=None
        The state the policy reads; ``None`` takes it from the file or the
        DAgger, or, for a bare PolicyMLP, the full or reduced state (without,
        then with the nearest-labeled distance) whose width matches the
        policy.
    n_candidates : int or "auto", default="auto"
        Pool subset scored per query; ``"auto"`` is ``10 * batch_size``, the
        paper's ratio (100 candidates for batches of 10), at least 100. The
        whole pool is scored when it is smaller.
    refit : bool, default=True
        If False, use the already fitted ``estimator``.
    random_state : int, RandomState instance or None, default=None
        Seeds the candidate subsets and tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
    policy_ : PolicyMLP
    state_encoder_ : IALEState
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    .. [1] C. Löffler, C. Mutschler, "IALE: Imitating active learner
       ensembles", JMLR 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive.nets import make_mlp
    >>> from skactive.policies import IALEStrategy
    >>> X, y = load_digits(return_X_y=True)
    >>> s = IALEStrategy(make_mlp(max_epochs=10), random_state=0)
    >>> s.fit(X[:40] / 16, y[:40]).query(X[40:] / 16, batch_size=5).shape
    (5,)
    """

    _required_methods = ("predict_proba",)
    _accept_sparse = False

    def __init__(self, estimator=None, *, policy="digits-cnn", state_encoder=None,
                 n_candidates="auto", refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.policy = policy
        self.state_encoder = state_encoder
        self.n_candidates = n_candidates

    def _get_estimator(self):
        return _default_net() if self.estimator is None else self.estimator

    def _resolve_policy(self):
        policy, encoder = self.policy, self.state_encoder
        if isinstance(policy, (str, os.PathLike)):
            loaded, file_encoder = load_iale_policy(policy)
            return loaded, encoder if encoder is not None else file_encoder
        if isinstance(policy, DAgger):
            check_is_fitted(policy, "policy_")
            return policy.policy_, encoder if encoder is not None \
                else policy.state_encoder_
        if hasattr(policy, "decision_function") or hasattr(policy, "predict_proba"):
            check_is_fitted(policy)
            return policy, encoder
        raise TypeError(
            "policy must be a shipped policy name, a saved policy file, a fitted "
            f"PolicyMLP or a fitted DAgger; got {type(policy).__name__}."
        )

    def _fit(self, X, y):
        if self.n_candidates != "auto":  # fail at fit, not at the first query
            _check_positive_int(self.n_candidates, "n_candidates")
        policy, encoder = self._resolve_policy()
        width = policy.n_features_in_
        # The labeled summary is needed anyway; its mean embedding gives D.
        # Without an encoder the candidates below are IALEState(s) with the
        # default normalize=True; the nearest-labeled probe's summary holds
        # for all of them.
        probe = IALEState(nearest_labeled=True) if encoder is None else encoder
        summary = probe.summarize_labeled(self.estimator_, X, y)
        D = summary["mean_embedding"].shape[0]
        C = len(self.classes_)
        if encoder is None:
            matches = [IALEState(s, nearest_labeled=near)
                       for near in (False, True) for s in _STATES
                       if IALEState(s, nearest_labeled=near).n_features(C, D) == width]
            if not matches:
                raise ValueError(
                    f"The policy reads {width}-wide states, which is neither the "
                    f"full nor the reduced state (with or without the "
                    f"nearest-labeled distance) for {C} classes and {D}-dimensional "
                    "embeddings. Pass state_encoder, or use a classifier with the "
                    "embedding width the policy was trained with."
                )
            encoder = matches[0]
            if not encoder.nearest_labeled:
                del summary["embeddings"]
        need = encoder.n_features(C, D)
        if need != width:
            hint = (" The full state depends on the number of classes; use a "
                    "policy trained on the reduced state (the shipped "
                    "'digits-cnn' one)." if encoder.state == "full" else "")
            raise ValueError(
                f"The policy reads {width}-wide states but this task gives "
                f"{need} ({encoder.state} state, {C} classes, {D}-dimensional "
                f"embeddings).{hint} Policies need the embedding width they "
                "were trained with."
            )
        self.policy_, self.state_encoder_, self.summary_ = policy, encoder, summary

    def _n_candidates(self, batch_size, n_pool):
        m = self.n_candidates
        if m == "auto":
            m = max(10 * batch_size, 100)
        else:
            m = _check_positive_int(m, "n_candidates")
            if m < batch_size:
                raise ValueError(
                    f"n_candidates={m} is smaller than batch_size={batch_size}."
                )
        return min(m, n_pool)

    def score_samples(self, X_pool):
        """Policy scores (logits) of every row of ``X_pool``, no subsampling.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)

        Returns
        -------
        scores : ndarray of shape (n_pool,)
        """
        X_pool = self._validate_pool(X_pool)
        states = self.state_encoder_.encode(self.estimator_, self.summary_, X_pool)
        return policy_scores(self.policy_, states)

    def _query(self, X_pool, batch_size, rng):
        n = X_pool.shape[0]
        m = self._n_candidates(batch_size, n)
        cand = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
        states = self.state_encoder_.encode(self.estimator_, self.summary_,
                                            X_pool[cand])
        return cand[top_k(policy_scores(self.policy_, states), batch_size, rng)]

    def __sklearn_clone__(self):
        # The policy (a name, a file or a fitted policy) is learned data and
        # is never fitted by the strategy: kept as it is.
        return _clone_keeping(self, "policy", lambda policy: True)
