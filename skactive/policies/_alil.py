"""ALIL: learning how to actively learn by imitation (Liu, Buntine & Haffari 2018).

A policy network scores each candidate from a state that describes the
candidate (its embedding and predicted distribution), the labeled set and
the candidate set. It is trained with :class:`DAgger` to imitate a one-step
roll-out expert (:class:`ALILExpert`): at each step the expert retrains the
classifier on the labeled set plus each of ``K`` random candidates and picks
the one whose model has the lowest loss on a held-out evaluation split. The
policy is trained listwise (a softmax over the ``K`` candidates of a step)
and then transferred, without retraining, to a target task
(:class:`ALILStrategy`, Algorithm 2: the whole pool is scored).
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
    iter_chunks,
    min_sq_distances,
    predict_proba_chunked,
    top_k,
    vstack_rows,
)
from ._artefacts import (
    _StateRangeGuard,
    header_ranges,
    pretrained_path,
    read_artefact,
    ranges_for_header,
    state_ranges,
    write_artefact,
)
from ._dagger import DAgger, policy_scores
from ._iale_state import (
    _block_layout,
    _BlockState,
    _candidate_embeddings,
    _labeled_embeddings,
)
from ._policy_net import PolicyMLP

__all__ = [
    "ALILExpert",
    "ALILState",
    "ALILStrategy",
    "load_alil_policy",
    "save_alil_policy",
]

_STATES = ("paper", "basis_free", "code")
_KIND = "alil-policy"
#: Shipped policies: name -> file in skactive/policies/pretrained.
_PRETRAINED = {"sentiment-movies": "alil_movies_textcnn.npz"}
#: Columns whose meaning does not depend on the network's basis or width.
BASIS_FREE_COLUMNS = ("cos_labeled_mean", "cos_candidate_mean", "embedding_norm",
                      "nearest_labeled_distance", "entropy", "margin")
_EPS = 1e-12


def _cosine(A, b):
    na = np.linalg.norm(A, axis=1)
    nb = np.linalg.norm(b)
    return (A @ b) / np.maximum(na * nb, _EPS)


# -- state ------------------------------------------------------------------
class ALILState(_BlockState, BaseEstimator):
    """The state ALIL's policy sees, one row per candidate.

    ``state="paper"`` holds the blocks of the paper (Sec. 4.1), for ``C``
    classes and ``D``-dimensional embeddings ``h``, followed by columns that
    do not depend on the network's basis (``3D + 2C + 6`` columns):

    1. ``labeled_mean_embedding`` (D): mean of ``h`` over the labeled set
       (the paper sums; a mean keeps the scale fixed as the budget grows);
    2. ``embedding`` (D): the candidate's ``h(x)``;
    3. ``predicted_distribution`` (C): the classifier's ``p(y | x)``;
    4. ``labeled_class_distribution`` (C): label frequencies of the labeled
       set;
    5. ``candidate_mean_embedding`` (D): mean of ``h`` over the candidate
       set (the paper's random pool; the whole pool when it is scored);
    6. the basis-free columns (:data:`BASIS_FREE_COLUMNS`): cosine of
       ``h(x)`` to the labeled and to the candidate mean, ``||h(x)||``, the
       distance from ``h(x)`` to the nearest labeled embedding, the entropy
       of ``p`` (divided by ``log C``) and its margin (top two
       probabilities' difference).

    Every episode of the training task and every target task starts a
    freshly initialised network, so the raw embedding blocks have no basis
    that is the same from one network to the next; the basis-free columns
    are what lets a policy transfer. ``state="basis_free"`` keeps only
    those plus two class-count-free summaries of the class blocks, the
    probability of the predicted class and the labeled share of that class
    (8 columns for any network and any number of classes). ``state="code"`` is the state of ALIL's released code
    (``2D + 2C``): the *first* labeled document's embedding (the code's
    ``sum`` over a one-element list), the labeled class distribution, the
    candidate's embedding and its predicted distribution; no candidate-set
    block. Use it with ``normalize=False`` to reproduce the code.

    Parameters
    ----------
    state : {"paper", "basis_free", "code"}, default="paper"
    normalize : bool, default=True
        Divide embeddings by the mean embedding norm of the labeled set, so
        networks with embeddings of different scales give states of one
        scale. The paper and the code do not normalise.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skactive.nets import make_mlp
    >>> from skactive.policies import ALILState
    >>> X, y = load_digits(n_class=2, return_X_y=True)
    >>> net = make_mlp((16,), max_epochs=5, random_state=0).fit(X[:20] / 16, y[:20])
    >>> ALILState().transform(net, X[:20] / 16, y[:20], X[20:25] / 16).shape
    (5, 58)
    >>> ALILState("basis_free").n_features(n_classes=10, n_dims=128)
    8
    """

    def __init__(self, state="paper", normalize=True):
        self.state = state
        self.normalize = normalize

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
        basis_free = [(name, 1) for name in BASIS_FREE_COLUMNS]
        if self.state == "paper":
            widths = [("labeled_mean_embedding", D), ("embedding", D),
                      ("predicted_distribution", C),
                      ("labeled_class_distribution", C),
                      ("candidate_mean_embedding", D)] + basis_free
        elif self.state == "basis_free":
            widths = [("predicted_class_probability", 1),
                      ("labeled_share_of_predicted_class", 1)] + basis_free
        else:
            widths = [("first_labeled_embedding", D),
                      ("labeled_class_distribution", C), ("embedding", D),
                      ("predicted_distribution", C)]
        return _block_layout(widths)

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
        C = classes.shape[0]
        E, scale = _labeled_embeddings(estimator, X_labeled, self.normalize)
        y_idx = np.clip(np.searchsorted(classes, np.asarray(y_labeled)), 0, C - 1)
        return {
            "n_classes": C,
            "scale": scale,
            "mean_embedding": E.mean(axis=0),
            "first_embedding": E[0],
            "class_distribution": np.bincount(y_idx, minlength=C) / y_idx.shape[0],
            "embeddings": E,
        }

    def candidate_features(self, estimator, summary, X_candidates, chunk_size=None):
        """Scaled embeddings and predicted distributions of candidates.

        One forward pass in chunks; the states of any subset of these rows
        follow from them (:meth:`encode_features`) without another.

        Parameters
        ----------
        estimator : fitted classifier
        summary : dict
            From :meth:`summarize_labeled`.
        X_candidates : array-like of shape (n_candidates, n_features)
        chunk_size : int or None, default=None

        Returns
        -------
        h : ndarray of shape (n_candidates, D)
        proba : ndarray of shape (n_candidates, C)
        """
        D = summary["mean_embedding"].shape[0]
        n = X_candidates.shape[0]
        rows = chunk_rows(8 * (D + summary["n_classes"]), n, chunk_size)
        hs, ps = [], []
        for sl in iter_chunks(n, rows):
            Xc = X_candidates[sl]
            hs.append(_candidate_embeddings(estimator, Xc, summary["scale"], D))
            ps.append(predict_proba_chunked(estimator, Xc))
        return np.concatenate(hs), np.concatenate(ps)

    def encode_features(self, summary, h, proba, candidate_mean=None):
        """State rows from candidate features.

        Parameters
        ----------
        summary : dict
            From :meth:`summarize_labeled`.
        h, proba : ndarray
            From :meth:`candidate_features`.
        candidate_mean : ndarray of shape (D,) or None, default=None
            Mean embedding of the candidate set; None means the mean of
            ``h``.

        Returns
        -------
        states : ndarray of shape (n_candidates, n_state_features), float32
        """
        C = summary["n_classes"]
        mu = summary["mean_embedding"]
        layout = self.layout(C, mu.shape[0])
        blocks = {name: slice(a, b) for name, a, b in layout}
        out = np.empty((h.shape[0], layout[-1][2]), dtype=np.float32)
        if self.state == "code":
            out[:, blocks["first_labeled_embedding"]] = summary["first_embedding"]
            out[:, blocks["labeled_class_distribution"]] = summary["class_distribution"]
            out[:, blocks["embedding"]] = h
            out[:, blocks["predicted_distribution"]] = proba
            return out
        cmean = h.mean(axis=0) if candidate_mean is None else candidate_mean
        if self.state == "basis_free":
            y_hat = proba.argmax(axis=1)
            out[:, 0] = proba[np.arange(proba.shape[0]), y_hat]
            out[:, 1] = summary["class_distribution"][y_hat]
        else:
            out[:, blocks["predicted_distribution"]] = proba
            out[:, blocks["labeled_class_distribution"]] = \
                summary["class_distribution"]
        if self.state == "paper":
            out[:, blocks["labeled_mean_embedding"]] = mu
            out[:, blocks["embedding"]] = h
            out[:, blocks["candidate_mean_embedding"]] = cmean
        p = np.clip(proba, _EPS, 1.0)
        entropy = -(proba * np.log(p)).sum(axis=1) / np.log(max(C, 2))
        top2 = -np.partition(-proba, 1, axis=1)[:, :2] if C > 1 else \
            np.column_stack([proba[:, 0], np.zeros(proba.shape[0])])
        free = np.column_stack([
            _cosine(h, mu), _cosine(h, cmean), np.linalg.norm(h, axis=1),
            np.sqrt(min_sq_distances(h, summary["embeddings"])), entropy,
            top2[:, 0] - top2[:, 1],
        ])
        out[:, blocks[BASIS_FREE_COLUMNS[0]].start:] = free
        return out

    def encode(self, estimator, summary, X_candidates, candidate_mean=None,
               chunk_size=None):
        """State rows for candidates, given :meth:`summarize_labeled`'s summary.

        Parameters
        ----------
        estimator : fitted classifier
        summary : dict
        X_candidates : array-like of shape (n_candidates, n_features)
        candidate_mean : ndarray of shape (D,) or None, default=None
            Mean embedding of the candidate set; None means the mean over
            ``X_candidates``.
        chunk_size : int or None, default=None

        Returns
        -------
        states : ndarray of shape (n_candidates, n_state_features), float32
        """
        h, proba = self.candidate_features(estimator, summary, X_candidates,
                                           chunk_size)
        return self.encode_features(summary, h, proba, candidate_mean)

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
def neg_log_loss_aligned(estimator, X, y):
    """Negative mean log-loss of ``estimator`` on ``(X, y)``.

    Labels the model never saw get probability zero (clipped to 1e-15)
    instead of an error, so a roll-out model trained on few labels can
    always be scored.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    score : float
        ``-mean(log p(y | x))``; higher is better.
    """
    proba = predict_proba_chunked(estimator, X)
    classes = np.asarray(estimator.classes_)
    y = np.asarray(y)
    idx = np.clip(np.searchsorted(classes, y), 0, classes.shape[0] - 1)
    p = np.where(classes[idx] == y, proba[np.arange(y.shape[0]), idx], 0.0)
    return float(np.mean(np.log(np.clip(p, 1e-15, 1.0))))


def _rollout_score(template, X_lab, y_lab, x_row, y_row, X_val, y_val, scorer):
    # clone() keeps the classifier's seed, so every candidate's model starts
    # from the same initialisation as the loop's next model would.
    model = clone(template).fit(vstack_rows(X_lab, x_row), np.append(y_lab, y_row))
    return float(scorer(model, X_val, y_val))


class ALILExpert(BaseEstimator):
    """ALIL's algorithmic expert: the best one-step roll-out among candidates.

    For each candidate ``x`` (the ``K`` random pool samples :class:`DAgger`
    draws, ``n_candidates=5`` in the paper) a seeded clone of the current
    classifier is trained on the labeled set plus ``(x, y)`` and scored on
    the held-out evaluation split of the source task (Eq. 2). The candidate
    whose model scores best is the action; with ``batch_size > 1`` the
    ``batch_size`` best roll-outs are (a batch-mode extension; the paper
    labels one sample per step). Ties are broken with the seed, not by
    position.

    The ``K`` fits share one unfitted template (cloned once) and the
    scorer; each copies only the labeled rows plus its candidate.

    Every roll-out model is a clone of the current model, which keeps its
    ``random_state``: all candidates start from the same initialisation as
    the model :class:`DAgger` trains next, so the expert's score of a
    candidate is the score the loop would get by labeling it. ALIL's code
    instead retrained every candidate for one epoch from the untrained
    weights while the episode model was warm-started.

    Parameters
    ----------
    scoring : str or callable, default="neg_log_loss"
        ``"neg_log_loss"``: the paper's loss (Eq. 2), computed so that a
        class the model never saw costs ``log(1e-15)`` instead of an error;
        ``"accuracy"``: the released code's validation accuracy (many ties
        on a small split); any scikit-learn scorer name or callable
        ``scorer(estimator, X, y)``.
    n_jobs : int or None, default=None
        The roll-outs of one step run in parallel with joblib; under
        ``joblib.parallel_config(backend="dask")`` on the cluster, with the
        same result. Every roll-out gets the same labeled and validation
        arrays, which joblib's dask backend scatters once per step, and its
        own candidate row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.policies import ALILExpert
    >>> X, y = load_iris(return_X_y=True)
    >>> lab, cand, val = np.arange(0, 150, 25), np.arange(1, 150, 30), np.arange(2, 150, 3)
    >>> model = LogisticRegression().fit(X[lab], y[lab])
    >>> target, info = ALILExpert().label(model, X[lab], y[lab], X[cand], y[cand],
    ...                                   X[val], y[val], batch_size=1, random_state=0)
    >>> int(target.sum()), info["scores"].shape
    (1, (5,))
    """

    def __init__(self, scoring="neg_log_loss", *, n_jobs=None):
        self.scoring = scoring
        self.n_jobs = n_jobs

    def _scorer(self, estimator):
        if self.scoring == "neg_log_loss":
            return neg_log_loss_aligned
        if self.scoring == "accuracy":
            return lambda model, X, y: model.score(X, y)
        if callable(self.scoring) or isinstance(self.scoring, str):
            return check_scoring(estimator, scoring=self.scoring)
        raise TypeError(
            "scoring must be 'neg_log_loss', 'accuracy', a scorer name or a "
            f"callable scorer(estimator, X, y); got {self.scoring!r}."
        )

    def label(self, estimator, X_labeled, y_labeled, X_candidates, y_candidates,
              X_val, y_val, batch_size=1, random_state=None):
        """The best roll-outs as a binary target over the candidates.

        Parameters
        ----------
        estimator : fitted classifier
            The current model; its clones are retrained.
        X_labeled, y_labeled : labeled set
        X_candidates, y_candidates : the candidates and their labels
        X_val, y_val : held-out evaluation split of the source task
        batch_size : int, default=1
            Candidates to pick.
        random_state : int or None, default=None
            Breaks ties between equal scores.

        Returns
        -------
        target : ndarray of shape (n_candidates,)
            1.0 for the picked candidates, else 0.0.
        info : dict
            ``scores``: the roll-out score of every candidate.
        """
        scorer = self._scorer(estimator)
        y_labeled, y_candidates = np.asarray(y_labeled), np.asarray(y_candidates)
        n = X_candidates.shape[0]
        k = _check_positive_int(batch_size, "batch_size")
        if k > n:
            raise ValueError(f"batch_size={k} exceeds the {n} candidates.")
        template = clone(estimator)  # one unfitted copy shared by the K fits
        scores = Parallel(n_jobs=self.n_jobs)(
            delayed(_rollout_score)(template, X_labeled, y_labeled,
                                    X_candidates[i:i + 1], y_candidates[i],
                                    X_val, y_val, scorer)
            for i in range(n)
        )
        scores = np.asarray(scores, dtype=np.float64)
        rng = np.random.default_rng(random_state)
        target = np.zeros(n)
        target[top_k(scores, k, rng)] = 1.0
        return target, {"scores": scores}


# -- persistence --------------------------------------------------------------
def save_alil_policy(path, policy, state_encoder, *, metadata=None,
                     training_states=None):
    """Save a fitted :class:`PolicyMLP` with the ALIL state it reads.

    Parameters
    ----------
    path : str or path-like
        Target ``.npz`` file.
    policy : PolicyMLP
        Fitted policy (e.g. ``DAgger.policy_``).
    state_encoder : ALILState
        The encoder the policy was trained on.
    metadata : dict or None, default=None
        JSON-serialisable provenance (command, settings, timings).
    training_states : array-like of shape (n_pairs, n_state_features) or None
        The states the policy was trained on (``DAgger.states_``); their
        per-column 0.1-99.9 % range is stored, and :class:`ALILStrategy`
        warns when a state lies far outside it.
    """
    check_is_fitted(policy)
    if not isinstance(policy, PolicyMLP) or not isinstance(state_encoder, ALILState):
        raise TypeError(
            "save_alil_policy stores a PolicyMLP and an ALILState, got "
            f"{type(policy).__name__} and {type(state_encoder).__name__}."
        )
    header = dict(metadata or {})
    if training_states is not None:
        header["feature_ranges"] = ranges_for_header(training_states,
                                                     policy.n_features_in_)
    header.update(policy_params=policy._header_params(), state=state_encoder.state,
                  normalize=bool(state_encoder.normalize))
    write_artefact(path, policy._arrays(), kind=_KIND,
                   n_features_in=policy.n_features_in_, metadata=header)


def load_alil_policy(source="sentiment-movies", *, return_metadata=False):
    """Load an ALIL policy: a shipped one by name, or a saved file.

    Parameters
    ----------
    source : str or path-like, default="sentiment-movies"
        ``"sentiment-movies"``: the policy shipped with skactive, trained by
        ``scripts/train_alil.py`` on the movie-review snippets of
        :func:`skactive.datasets.load_sentiment` with the text CNN on fixed
        word vectors (its header records the command, settings and run
        time). Otherwise a file written by :func:`save_alil_policy`.
    return_metadata : bool, default=False
        Also return the header.

    Returns
    -------
    policy : PolicyMLP
    state_encoder : ALILState
    metadata : dict
        Only with ``return_metadata=True``.

    Examples
    --------
    >>> from skactive.policies import load_alil_policy
    >>> policy, state = load_alil_policy("sentiment-movies")
    >>> state.state, policy.loss
    ('paper', 'softmax')
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
    encoder = ALILState(state=header["state"], normalize=header["normalize"])
    return (policy, encoder, header) if return_metadata else (policy, encoder)


# -- strategy -----------------------------------------------------------------
class ALILStrategy(_StateRangeGuard, QueryStrategy):
    """Query with an imitation-learned ALIL policy.

    The policy scores every candidate from its :class:`ALILState` and the
    ``batch_size`` best are queried. By default the whole pool is scored
    (the paper's Algorithm 2, where the candidate-set block is the pool's
    mean embedding); ``n_candidates=K`` scores ``K`` random pool samples,
    as ALIL's released transfer code does (``K = 5``). The policy is learned
    once on a source task (:class:`DAgger` with :class:`ALILExpert`) and
    applied without retraining; the one shipped with skactive was learned on
    movie-review snippets with the text CNN.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The classifier; it needs ``predict_proba`` and an embedding (the
        networks of :mod:`skactive.nets`, e.g. a text CNN on the token
        matrices of :class:`~skactive.nets.SequenceVectorizer`). ``None``
        means :func:`skactive.nets.make_mlp`. With the paper state the
        policy needs the class count and embedding width it was trained with
        (2 and 50 for the shipped one); the ``"basis_free"`` state serves any.
    policy : str, path-like, PolicyMLP or DAgger, default="sentiment-movies"
        A shipped policy's name or a file from :func:`save_alil_policy`; a
        fitted :class:`PolicyMLP` (with ``state_encoder``); or a fitted
        :class:`DAgger` (its ``policy_`` and ``state_encoder_``). Fitted
        policies are kept by ``clone``.
    state_encoder : ALILState or None, default=None
        The state the policy reads; ``None`` takes it from the file or the
        DAgger, or ``ALILState()`` for a bare PolicyMLP.
    n_candidates : "all" or int, default="all"
        Candidates scored per query: the whole pool, or a random subset of
        this size (at least ``batch_size``).
    chunk_size : int or None, default=None
        Pool rows embedded and encoded at a time. The states (``3D + 2C +
        6`` wide) exist one chunk at a time; the pool's embeddings and
        probabilities (``D + C`` numbers a row) are kept for the query,
        since the candidate-set mean needs all of them first.
    refit : bool, default=True
        If False, use the already fitted ``estimator``.
    random_state : int, RandomState instance or None, default=None
        Seeds the candidate subsets and tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
    policy_ : PolicyMLP
    state_encoder_ : ALILState
    feature_ranges_ : tuple of two ndarrays or None
        Low and high 0.1 / 99.9 % quantiles of each state column over the
        policy's training states (a file's header or a DAgger's
        ``states_``); the strategy warns, once per feature, when a
        single-column feature lies far outside. ``None`` when unknown: the
        shipped ``"sentiment-movies"`` file was written before the guard.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    .. [1] M. Liu, W. Buntine, G. Haffari, "Learning How to Actively Learn:
       A Deep Imitation Learning Approach", ACL 2018.

    Examples
    --------
    >>> from skactive.datasets import load_sentiment
    >>> from skactive.nets import SequenceVectorizer, make_text_cnn
    >>> from skactive.policies import ALILStrategy
    >>> docs, y = load_sentiment("tweets", return_X_y=True)
    >>> vec = SequenceVectorizer(max_features=2000, max_len=30)
    >>> X = vec.fit_transform(docs)
    >>> net = make_text_cnn(vec.vocabulary_size_, embedding_dim=16, max_epochs=5,
    ...                     random_state=0)
    >>> s = ALILStrategy(net, random_state=0).fit(X[:20], y[:20])
    >>> s.query(X[20:500], batch_size=3).shape
    (3,)
    """

    _required_methods = ("predict_proba",)
    _accept_sparse = False
    _guard_who = "ALIL"
    _guard_advice = ("Train a policy on a task like this one "
                     "(scripts/train_alil.py) or use a heuristic.")

    def __init__(self, estimator=None, *, policy="sentiment-movies", state_encoder=None,
                 n_candidates="all", chunk_size=None, refit=True, random_state=None):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.policy = policy
        self.state_encoder = state_encoder
        self.n_candidates = n_candidates
        self.chunk_size = chunk_size

    def _get_estimator(self):
        return _default_net() if self.estimator is None else self.estimator

    def _resolve_policy(self):
        policy, encoder = self.policy, self.state_encoder
        if encoder is not None and not isinstance(encoder, ALILState):
            raise TypeError(
                f"state_encoder must be an ALILState, got {type(encoder).__name__}."
            )
        if isinstance(policy, (str, os.PathLike)):
            loaded, file_encoder, header = load_alil_policy(policy,
                                                            return_metadata=True)
            return (loaded, encoder if encoder is not None else file_encoder,
                    header_ranges(header, loaded.n_features_in_))
        if isinstance(policy, DAgger):
            check_is_fitted(policy, "policy_")
            found = encoder if encoder is not None else policy.state_encoder_
            if not isinstance(found, ALILState):
                raise TypeError(
                    "This DAgger was trained with a "
                    f"{type(found).__name__} state; ALILStrategy reads ALILState."
                )
            return policy.policy_, found, state_ranges(policy.states_)
        if hasattr(policy, "decision_function") or hasattr(policy, "predict_proba"):
            check_is_fitted(policy)
            return policy, encoder if encoder is not None else ALILState(), None
        raise TypeError(
            "policy must be a shipped policy name, a saved policy file, a fitted "
            f"PolicyMLP or a fitted DAgger; got {type(policy).__name__}."
        )

    def _check_n_candidates(self):
        m = self.n_candidates
        if isinstance(m, str):
            if m != "all":
                raise ValueError(f"n_candidates must be 'all' or an int, got {m!r}.")
            return None
        return _check_positive_int(m, "n_candidates")

    def _fit(self, X, y):
        self._check_n_candidates()  # fail at fit, not at the first query
        policy, encoder, ranges = self._resolve_policy()
        summary = encoder.summarize_labeled(self.estimator_, X, y)
        C, D = summary["n_classes"], summary["mean_embedding"].shape[0]
        need, width = encoder.n_features(C, D), policy.n_features_in_
        if need != width:
            raise ValueError(
                f"The policy reads {width}-wide states but this task gives {need} "
                f"({encoder.state} state, {C} classes, {D}-dimensional embeddings). "
                "The paper and code states need the class count and embedding "
                "width the policy was trained with; a 'basis_free' policy serves "
                "any."
            )
        self.policy_, self.state_encoder_, self.summary_ = policy, encoder, summary
        self._init_range_guard(encoder.layout(C, D), ranges)

    def _scores(self, X):
        encoder, summary = self.state_encoder_, self.summary_
        h, proba = encoder.candidate_features(self.estimator_, summary, X,
                                              self.chunk_size)
        cmean = h.mean(axis=0)
        width = self.policy_.n_features_in_
        rows = chunk_rows(4 * width, h.shape[0], self.chunk_size)
        scores = []
        for sl in iter_chunks(h.shape[0], rows):
            states = encoder.encode_features(summary, h[sl], proba[sl], cmean)
            self._check_range(states)
            scores.append(policy_scores(self.policy_, states))
        return np.concatenate(scores)

    def score_samples(self, X_pool):
        """Policy scores of every row of ``X_pool`` (the pool is the candidate set).

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)

        Returns
        -------
        scores : ndarray of shape (n_pool,)
        """
        return self._scores(self._validate_pool(X_pool))

    def _query(self, X_pool, batch_size, rng):
        n = X_pool.shape[0]
        m = self._check_n_candidates()
        if m is not None and m < batch_size:
            raise ValueError(f"n_candidates={m} is smaller than batch_size={batch_size}.")
        if m is None or m >= n:
            return top_k(self._scores(X_pool), batch_size, rng)
        cand = np.sort(rng.choice(n, m, replace=False))
        return cand[top_k(self._scores(X_pool[cand]), batch_size, rng)]

    def __sklearn_clone__(self):
        # The policy is learned data that the strategy never fits: kept.
        return _clone_keeping(self, "policy", lambda policy: True)
