"""IALE's state encoder (Löffler & Mutschler): what the policy sees per candidate.

The paper's Eq. 1 (``state="full"``), the class-count-free reduction
(``state="reduced"``), both built from the classifier's embedding, predicted
distribution and last-layer gradient, and the fixed-width ``"invariant"``
state (scores, norms and distances whose meaning depends on neither the
embedding width nor the class count), chunked over the candidates.
"""

import numpy as np
from scipy.stats import rankdata
from sklearn.base import BaseEstimator

from ..base import _check_option
from ..utils import (
    chunk_rows,
    embed,
    iter_chunks,
    min_sq_distances,
    predict_proba_chunked,
)

__all__ = ["IALEState", "IALE_INVARIANT_FEATURE_NAMES"]

_STATES = ("full", "reduced", "invariant")

#: Columns of ``IALEState("invariant")``; the ``rank_*`` ones are quantiles
#: among the candidates scored together (0 = least, 1 = most).
IALE_INVARIANT_FEATURE_NAMES = (
    "max_probability",
    "margin",
    "normalized_entropy",
    "gradient_norm",
    "embedding_norm",
    "badge_norm",
    "nearest_labeled_distance",
    "labeled_mean_cosine",
    "predicted_class_share",
    "rank_entropy",
    "rank_small_margin",
    "rank_nearest_labeled",
    "rank_badge_norm",
)
# Columns whose value is comparable across tasks (not ranks): the ones the
# out-of-distribution guard checks.
_RANKED = {"rank_entropy": "normalized_entropy",
           "rank_small_margin": "margin",
           "rank_nearest_labeled": "nearest_labeled_distance",
           "rank_badge_norm": "badge_norm"}


def _quantile_ranks(values):
    """Average-tie ranks scaled to [0, 1] (0.5 for a single row)."""
    n = values.shape[0]
    if n < 2:
        return np.full(n, 0.5)
    return (rankdata(values) - 1.0) / (n - 1.0)


def _block_layout(widths):
    """``(name, start, stop)`` of consecutive blocks of the given widths."""
    out, start = [], 0
    for name, w in widths:
        out.append((name, start, start + w))
        start += w
    return out


def _labeled_embeddings(estimator, X_labeled, normalize):
    """Embeddings of the labeled set over their mean norm (when normalising).

    Networks produce embeddings of very different scales; dividing every
    embedding-valued block by the labeled set's mean norm makes states of
    different networks comparable. Returns the scaled embeddings and the
    scale, which the candidates are divided by too.
    """
    E = np.asarray(embed(estimator, X_labeled), dtype=np.float64)
    scale = float(np.linalg.norm(E, axis=1).mean()) if normalize else 1.0
    scale = scale if scale > 0 else 1.0
    return E / scale, scale


def _candidate_embeddings(estimator, X, scale, n_dims):
    """Scaled embeddings of candidates, checked against the labeled width."""
    h = np.asarray(embed(estimator, X), dtype=np.float64) / scale
    if h.shape[1] != n_dims:
        raise ValueError(
            f"Candidates embed in {h.shape[1]} dimensions, the labeled "
            f"set in {n_dims}."
        )
    return h


class _BlockState:
    """``n_features`` from ``layout``, for state encoders made of blocks."""

    def n_features(self, n_classes, n_dims):
        """Width of a state row for ``n_classes`` classes and ``n_dims`` embeddings."""
        return self.layout(n_classes, n_dims)[-1][2]


class IALEState(_BlockState, BaseEstimator):
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

    ``state="invariant"`` has the same 13 columns
    (:data:`IALE_INVARIANT_FEATURE_NAMES`) for every embedding width and
    class count, so one policy serves every network of
    :mod:`skactive.nets`, any width, and any scikit-learn classifier with
    ``predict_proba`` (whose "embedding" is its input, see
    :func:`skactive.utils.embed`). Not in the paper: it keeps what the
    paper's experts look at rather than the embedding itself,

    1. ``max_probability`` ``p_ŷ``, ``margin`` ``p_(1) - p_(2)`` and
       ``normalized_entropy`` ``H(p) / log C`` (the uncertainty experts);
    2. ``gradient_norm`` ``||onehot(ŷ) - p||``, ``embedding_norm``
       ``||h||`` and their product ``badge_norm``, the norm of BADGE's
       gradient embedding;
    3. ``nearest_labeled_distance`` (CoreSet's score) and
       ``labeled_mean_cosine``, the cosine between ``h`` and the labeled
       mean embedding;
    4. ``predicted_class_share``: ``C`` times the labeled set's share of the
       predicted class (1 when balanced, below 1 for a class short of
       labels);
    5. ``rank_entropy``, ``rank_small_margin``, ``rank_nearest_labeled`` and
       ``rank_badge_norm``: the candidate's quantile among the candidates
       scored together, which no change of scale between tasks moves.

    Embedding-valued columns are in units of the labeled set's mean
    embedding norm (``normalize``). Because of the rank columns, a state
    depends on the candidates encoded together. ``nearest_labeled`` is
    ignored: the distance is always a column.

    ``nearest_labeled=True`` appends one column to the other states,
    ``nearest_labeled_distance``: the distance from the candidate's
    embedding to the nearest labeled embedding (CoreSet's score). The
    paper's state holds the labeled set only through its mean, so a policy
    cannot tell a candidate that duplicates a labeled sample from one in an
    uncovered region; this column lets it learn the diversity side of the
    CoreSet and BADGE experts.

    Parameters
    ----------
    state : {"full", "reduced", "invariant"}, default="full"
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
    >>> [IALEState("invariant").n_features(C, D) for C, D in [(2, 32), (10, 512)]]
    [13, 13]
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
        elif self.state == "reduced":
            widths = [("labeled_mean_embedding", D), ("embedding", D),
                      ("proxy_gradient", D), ("gradient_norm", 1)]
        else:
            return _block_layout([(n, 1) for n in IALE_INVARIANT_FEATURE_NAMES])
        if self.nearest_labeled:
            widths.append(("nearest_labeled_distance", 1))
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
        E, scale = _labeled_embeddings(estimator, X_labeled, self.normalize)
        C = classes.shape[0]
        y_idx = np.searchsorted(classes, np.asarray(y_labeled))
        y_idx = np.clip(y_idx, 0, C - 1)
        pred = predict_proba_chunked(estimator, X_labeled).argmax(axis=1)
        summary = {
            "n_classes": C,
            "scale": scale,
            "mean_embedding": E.mean(axis=0),
            "class_distribution": np.bincount(y_idx, minlength=C) / y_idx.shape[0],
            "predicted_distribution": np.bincount(pred, minlength=C) / pred.shape[0],
        }
        if self.nearest_labeled or self.state == "invariant":
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
        if self.state == "invariant":
            return self._encode_invariant(estimator, summary, X_candidates,
                                          chunk_size)
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
            h = _candidate_embeddings(estimator, Xc, summary["scale"], D)
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

    def _encode_invariant(self, estimator, summary, X, chunk_size):
        C = summary["n_classes"]
        mu = summary["mean_embedding"]
        D = mu.shape[0]
        names = IALE_INVARIANT_FEATURE_NAMES
        col = {name: j for j, name in enumerate(names)}
        n = X.shape[0]
        out = np.empty((n, len(names)), dtype=np.float32)
        mu_norm = float(np.linalg.norm(mu))
        log_c = np.log(C) if C > 1 else 1.0
        share = C * summary["class_distribution"]
        # Chunk by the embedding and probability rows held at once.
        for sl in iter_chunks(n, chunk_rows(8 * (D + 2 * C), n, chunk_size)):
            Xc = X[sl]
            h = _candidate_embeddings(estimator, Xc, summary["scale"], D)
            p = predict_proba_chunked(estimator, Xc)
            m = p.shape[0]
            y_hat = p.argmax(axis=1)
            top2 = -np.partition(-p, 1, axis=1)[:, :2] if C > 1 else \
                np.column_stack([p[:, 0], np.zeros(m)])
            resid = -p
            resid[np.arange(m), y_hat] += 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                ent = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1) / log_c
            g = np.linalg.norm(resid, axis=1)
            h_norm = np.linalg.norm(h, axis=1)
            denom = h_norm * mu_norm
            cos = np.divide(h @ mu, denom, out=np.zeros(m), where=denom > 0)
            block = out[sl]
            block[:, col["max_probability"]] = top2[:, 0]
            block[:, col["margin"]] = top2[:, 0] - top2[:, 1]
            block[:, col["normalized_entropy"]] = ent
            block[:, col["gradient_norm"]] = g
            block[:, col["embedding_norm"]] = h_norm
            block[:, col["badge_norm"]] = g * h_norm
            block[:, col["nearest_labeled_distance"]] = np.sqrt(
                min_sq_distances(h, summary["embeddings"]))
            block[:, col["labeled_mean_cosine"]] = cos
            block[:, col["predicted_class_share"]] = share[y_hat]
        # Ranks need the whole candidate set: a second, O(n log n) pass.
        for rank, source in _RANKED.items():
            values = out[:, col[source]].astype(np.float64)
            out[:, col[rank]] = _quantile_ranks(
                -values if rank == "rank_small_margin" else values)
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
