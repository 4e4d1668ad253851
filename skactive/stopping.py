"""Stopping criteria: when do more labels stop paying off?

A criterion is a small estimator. After every round the loop (an
:class:`~skactive.ActiveLearner` or a
:class:`~skactive.labeling.LabelingSession`) hands it a
:class:`StoppingState` through ``update(state)``; ``True`` means stop, and
``reason_`` then says why in one sentence. Criteria are cloned at the start of
a loop, so one instance can serve several learners.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import cohen_kappa_score
from sklearn.utils import _safe_indexing, check_random_state

from .base import _check_option, _check_positive_int
from .strategies import uncertainty_scores
from .utils import chunk_rows, iter_chunks

__all__ = [
    "ClassificationChange",
    "LabelBudget",
    "MaxUncertainty",
    "OverallUncertainty",
    "StabilizingPredictions",
    "StoppingCriterion",
    "StoppingState",
    "normalized_uncertainty",
]


@dataclass(frozen=True)
class StoppingState:
    """What a stopping criterion sees after a round.

    Parameters
    ----------
    round : int
        Index of the round whose model was just trained (0 = initial set).
    estimator : classifier
        The classifier trained on the labeled set of this round.
    X : array-like of shape (n_samples, n_features)
        Every row of the data, as the classifier reads it (a DataFrame when
        the learner was fitted on one).
    labeled : ndarray of int
        Rows of ``X`` labeled so far.
    unlabeled : ndarray of int
        Rows of ``X`` still in the pool.
    y_labeled : ndarray
        Labels of ``X[labeled]``.
    n_queried : int
        Labels bought by the loop so far, not counting the initial set.
    budget : int or None
        Labels the loop may buy in all, if bounded.
    """

    round: int
    estimator: object
    X: object
    labeled: np.ndarray
    unlabeled: np.ndarray
    y_labeled: np.ndarray
    n_queried: int
    budget: object = None


def _first_reason(criteria, state):
    """Update every criterion with ``state``; the first one's reason to stop.

    ``None`` when none says stop. All are updated, so each sees every round.
    """
    votes = [bool(c.update(state)) for c in criteria]
    for c, vote in zip(criteria, votes):
        if vote:
            return getattr(c, "reason_", None) or type(c).__name__
    return None


class StoppingCriterion(BaseEstimator):
    """Base class of the stopping criteria.

    Subclasses implement ``update(state) -> bool``: they see every round in
    order, keep what they need between rounds in attributes ending in ``_``,
    and set ``reason_`` (a sentence) when they return True. There is no
    ``reset``: a criterion remembers the rounds it has seen, so a new loop
    starts from ``sklearn.base.clone(criterion)`` (the learner does this at
    the start of ``fit``). Criteria hold only plain data, so they pickle
    between rounds (a labeling session may store them).
    """

    def update(self, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def _validate_params(self):
        """Raise on bad parameters; loops call it before their first round."""


# ----------------------------------------------------------------------------
# Helpers shared by the criteria
# ----------------------------------------------------------------------------

_MEASURES = ("entropy", "least_confidence", "margin")
_EMPTY_POOL = "The pool is empty: no unlabeled rows are left to learn from."


def _param_error(owner, name, value, exc):
    """Re-raise a helper's error with the criterion and parameter named."""
    return type(exc)(f"{owner}({name}={value!r}): {exc}")


def _check_int(owner, value, name, minimum=1):
    try:
        return _check_positive_int(value, name, minimum)
    except (TypeError, ValueError) as exc:
        raise _param_error(owner, name, value, exc) from None


def _check_choice(owner, value, name, options):
    try:
        return _check_option(value, name, options)
    except ValueError as exc:
        raise _param_error(owner, name, value, exc) from None


def _check_real(owner, value, name, low, high, hint=""):
    """A finite real number in ``[low, high]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}({name}={value!r}): {name} must be a real number in "
            f"[{low}, {high}], got {type(value).__name__}.{hint}"
        )
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(
            f"{owner}({name}={value!r}): {name} must lie in [{low}, {high}], "
            f"got {value!r}.{hint}"
        )
    return float(value)


def _as_indices(rows):
    return np.asarray(rows, dtype=np.intp).reshape(-1)


def _row_chunks(X, rows, n_outputs=1):
    """Yield ``X[rows]`` chunk by chunk, within scikit-learn's working memory.

    Rows are taken with ``_safe_indexing``, so arrays, sparse matrices,
    DataFrames and lists (raw documents) all work.
    """
    shape = getattr(X, "shape", None)
    n_features = shape[1] if shape is not None and len(shape) > 1 else 1
    per_chunk = chunk_rows(8 * (int(n_features) + n_outputs), len(rows))
    for sl in iter_chunks(len(rows), per_chunk):
        yield _safe_indexing(X, rows[sl], axis=0)


def _predict_rows(estimator, X, rows):
    """``estimator.predict(X[rows])``, computed chunk by chunk."""
    if len(rows) == 0:
        return np.empty(0)
    n_classes = len(getattr(estimator, "classes_", ()))
    parts = [
        np.asarray(estimator.predict(chunk)).reshape(-1)
        for chunk in _row_chunks(X, rows, n_classes)
    ]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def normalized_uncertainty(proba, measure="entropy"):
    """Uncertainty of each row of a probability matrix, scaled to ``[0, 1]``.

    0 means a one-hot prediction and 1 the uniform distribution over the
    classes, whatever the number of classes, so one threshold serves binary
    and multiclass problems alike:

    - ``"entropy"``: ``H(p) / log(n_classes)``;
    - ``"least_confidence"``: ``(1 - max_c p_c) * n_classes / (n_classes - 1)``;
    - ``"margin"``: ``1 - (p_(1) - p_(2))``, one minus the gap between the two
      most probable classes.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure, as in
        :func:`~skactive.strategies.uncertainty_scores`.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Values in ``[0, 1]``; ``nan`` when ``n_classes < 2`` (a classifier
        that knows one class has no uncertainty to measure).

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.stopping import normalized_uncertainty
    >>> p = np.array([[1.0, 0.0, 0.0], [1/3, 1/3, 1/3], [0.5, 0.5, 0.0]])
    >>> normalized_uncertainty(p, "least_confidence").round(3)
    array([0.  , 1.  , 0.75])
    >>> normalized_uncertainty(p, "margin").round(3)
    array([0., 1., 1.])
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2:
        raise ValueError(
            f"proba must be 2-D (n_samples, n_classes), got shape {proba.shape}."
        )
    n_classes = proba.shape[1]
    if n_classes < 2:
        return np.full(proba.shape[0], np.nan)
    scores = uncertainty_scores(proba, measure)
    if measure == "entropy":
        scores = scores / np.log(n_classes)
    elif measure == "least_confidence":
        scores = scores * (n_classes / (n_classes - 1))
    else:  # margin: uncertainty_scores gives -(p_(1) - p_(2))
        scores = 1.0 + scores
    return np.clip(scores, 0.0, 1.0)


def _check_proba(owner, estimator):
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{owner} needs class probabilities, but the classifier "
            f"{type(estimator).__name__} has no predict_proba. Use a "
            "probabilistic classifier (e.g. SVC(probability=True), or wrap it "
            "in sklearn.calibration.CalibratedClassifierCV), or a criterion "
            "that needs only predict: StabilizingPredictions or "
            "ClassificationChange."
        )


def _pool_uncertainty(estimator, X, rows, measure):
    """Yield the normalised uncertainty of ``X[rows]``, chunk by chunk."""
    n_classes = len(getattr(estimator, "classes_", (0, 1)))
    for chunk in _row_chunks(X, rows, n_classes):
        yield normalized_uncertainty(estimator.predict_proba(chunk), measure)


def _kappa(a, b):
    """Cohen's kappa; identical vectors agree fully (1.0), even when constant.

    ``cohen_kappa_score`` is 0/0 = nan when both vectors hold one and the
    same label (chance agreement is then 1).
    """
    if len(a) == len(b) and np.array_equal(a, b):
        return 1.0
    return float(cohen_kappa_score(a, b))


class _PoolCriterion(StoppingCriterion):
    """Shared handling of the empty pool."""

    def _start(self, state):
        """Validate, then stop at once when the pool is empty."""
        self._validate_params()
        self.reason_ = None
        if len(state.unlabeled) == 0:
            self.reason_ = _EMPTY_POOL
            return True
        return False


# ----------------------------------------------------------------------------
# The criteria
# ----------------------------------------------------------------------------


class StabilizingPredictions(_PoolCriterion):
    """Stop once predictions on a fixed stop set no longer change.

    At its first update the criterion draws a *stop set* of unlabeled rows
    from the pool; it need not be labeled and stays fixed, even when some of
    its rows are labeled later. After every round it predicts the stop set
    and measures the agreement with the previous round's predictions by
    Cohen's kappa. It stops when the mean kappa of the last ``window`` round
    pairs reaches ``threshold`` (so after ``window + 1`` models at the
    earliest). This is the stabilizing-predictions method of Bloodgood &
    Vijay-Shanker (2009), whose defaults (2000 rows, kappa 0.99, window 3)
    are kept.

    Two identical prediction vectors count as full agreement (kappa 1), also
    when both predict one single label, where Cohen's kappa is 0/0.

    Parameters
    ----------
    stop_set_size : int, default=2000
        Rows in the stop set; fewer when the pool at the first update is
        smaller.
    threshold : float, default=0.99
        Mean kappa in ``[-1, 1]`` at which to stop; higher stops later.
    window : int, default=3
        Number of most recent kappas averaged.
    random_state : int, RandomState instance or None, default=None
        Draw of the stop set.

    Attributes
    ----------
    stop_set_ : ndarray of int
        Rows of ``X`` in the stop set, sorted.
    kappas_ : list of float
        Kappa between each round's predictions and the previous round's,
        from the second update on.
    predictions_ : ndarray
        The last round's predictions on the stop set.
    reason_ : str or None
        Why the criterion stopped; ``None`` while it has not.

    References
    ----------
    .. [1] M. Bloodgood and K. Vijay-Shanker, "A method for stopping active
       learning based on stabilizing predictions and the need for
       user-adjustable stopping", CoNLL 2009, pp. 39-47.

    Examples
    --------
    >>> from dataclasses import replace
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.stopping import StabilizingPredictions, StoppingState
    >>> X = np.array([[-3.], [-2.], [-1.], [1.], [2.], [3.]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> labeled, pool = np.array([0, 5]), np.array([1, 2, 3, 4])
    >>> clf = LogisticRegression().fit(X[labeled], y[labeled])
    >>> state = StoppingState(round=0, estimator=clf, X=X, labeled=labeled,
    ...                       unlabeled=pool, y_labeled=y[labeled], n_queried=0)
    >>> sp = StabilizingPredictions(window=1, random_state=0)
    >>> sp.update(state)
    False
    >>> sp.update(replace(state, round=1))  # the same model again
    True
    >>> sp.kappas_
    [1.0]
    >>> sp.reason_
    "Predictions on the 4-row stop set stabilized: Cohen's kappa ..."
    """

    def __init__(self, stop_set_size=2000, threshold=0.99, window=3,
                 random_state=None):
        self.stop_set_size = stop_set_size
        self.threshold = threshold
        self.window = window
        self.random_state = random_state

    def _validate_params(self):
        name = type(self).__name__
        _check_int(name, self.stop_set_size, "stop_set_size")
        _check_real(name, self.threshold, "threshold", -1, 1,
                    " It is a Cohen kappa; the paper uses 0.99.")
        _check_int(name, self.window, "window")

    def update(self, state):
        """See the round's model; ``True`` means stop.

        Parameters
        ----------
        state : StoppingState

        Returns
        -------
        stop : bool
        """
        if self._start(state):
            return True
        if not hasattr(self, "stop_set_"):
            pool = _as_indices(state.unlabeled)
            size = min(self.stop_set_size, len(pool))
            rng = check_random_state(self.random_state)
            self.stop_set_ = np.sort(rng.choice(pool, size=size, replace=False))
            self.kappas_ = []
        predictions = _predict_rows(state.estimator, state.X, self.stop_set_)
        if hasattr(self, "predictions_"):
            self.kappas_.append(_kappa(self.predictions_, predictions))
        self.predictions_ = predictions
        if len(self.kappas_) < self.window:
            return False
        mean = float(np.mean(self.kappas_[-self.window:]))
        if mean >= self.threshold:
            self.reason_ = (
                f"Predictions on the {len(self.stop_set_)}-row stop set "
                f"stabilized: Cohen's kappa between consecutive rounds "
                f"averages {mean:.4f} over the last {self.window} round(s), "
                f">= threshold={self.threshold}."
            )
            return True
        return False


class _UncertaintyCriterion(_PoolCriterion):
    """Shared parameters and loop of the two uncertainty criteria."""

    def __init__(self, threshold=0.1, measure="entropy"):
        self.threshold = threshold
        self.measure = measure

    def _validate_params(self):
        name = type(self).__name__
        _check_real(name, self.threshold, "threshold", 0, 1,
                    " Uncertainties are normalised to [0, 1].")
        _check_choice(name, self.measure, "measure", _MEASURES)

    def update(self, state):
        """See the round's model; ``True`` means stop.

        Parameters
        ----------
        state : StoppingState

        Returns
        -------
        stop : bool
        """
        if not hasattr(self, "values_"):
            self.values_ = []
        if self._start(state):
            return True
        _check_proba(type(self).__name__, state.estimator)
        chunks = _pool_uncertainty(state.estimator, state.X,
                                   _as_indices(state.unlabeled), self.measure)
        value = self._reduce(chunks, len(state.unlabeled))
        self.values_.append(value)
        if value < self.threshold:  # False for nan (fewer than two classes)
            self.reason_ = self._reason(value)
            return True
        return False


class MaxUncertainty(_UncertaintyCriterion):
    """Stop once even the most uncertain pool sample is fairly certain.

    The max-confidence criterion of Zhu, Wang & Hovy (2008): after each round
    the classifier's uncertainty on every unlabeled row is measured, and the
    loop stops when the largest one (the sample uncertainty sampling would
    query next) falls below ``threshold``.

    Uncertainties are normalised to ``[0, 1]`` whatever the number of classes
    (see :func:`normalized_uncertainty`): entropy is divided by
    ``log(n_classes)``, least confidence is scaled by
    ``n_classes / (n_classes - 1)``, and margin is ``1 - (p_(1) - p_(2))``.
    ``n_classes`` is the number of classes the classifier knows
    (``len(classes_)``). A classifier that knows one class only has no
    uncertainty to measure: the round's value is ``nan`` and the criterion
    does not stop.

    Parameters
    ----------
    threshold : float, default=0.1
        Stop when the maximum normalised uncertainty is below this value, in
        ``[0, 1]``.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure.

    Attributes
    ----------
    values_ : list of float
        Maximum normalised uncertainty on the pool, one per round.
    reason_ : str or None
        Why the criterion stopped; ``None`` while it has not.

    References
    ----------
    .. [1] J. Zhu, H. Wang and E. Hovy, "Multi-criteria-based strategy to
       stop active learning for data annotation", COLING 2008, pp. 1129-1136.
    .. [2] J. Zhu, H. Wang, E. Hovy and M. Ma, "Confidence-based stopping
       criteria for active learning for data annotation", ACM TSLP 6(3), 2010.

    Examples
    --------
    >>> from dataclasses import replace
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.stopping import MaxUncertainty, StoppingState
    >>> X = np.array([[-3.], [-2.], [-1.], [0.], [1.], [2.], [3.]])
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1])
    >>> labeled = np.array([0, 1, 5, 6])
    >>> clf = LogisticRegression(C=100).fit(X[labeled], y[labeled])
    >>> state = StoppingState(round=0, estimator=clf, X=X, labeled=labeled,
    ...                       unlabeled=np.array([2, 3, 4]),
    ...                       y_labeled=y[labeled], n_queried=0)
    >>> criterion = MaxUncertainty(threshold=0.1)
    >>> criterion.update(state)  # row 3 (x = 0) sits on the boundary
    False
    >>> far = replace(state, unlabeled=np.array([0, 6]))
    >>> criterion.update(far)  # only far-away rows are left
    True
    >>> [round(v, 2) for v in criterion.values_]
    [1.0, 0.01]
    """

    def __init__(self, threshold=0.1, measure="entropy"):
        super().__init__(threshold=threshold, measure=measure)

    @staticmethod
    def _reduce(chunks, n):
        return float(np.max([np.max(c) for c in chunks]))

    def _reason(self, value):
        return (
            f"The most uncertain pool sample has a normalised {self.measure} "
            f"of {value:.4f} < threshold={self.threshold}: the classifier is "
            "confident on the whole pool."
        )


class OverallUncertainty(_UncertaintyCriterion):
    """Stop once the mean uncertainty over the pool is low.

    The overall-uncertainty criterion of Zhu, Wang & Hovy (2008): after each
    round the classifier's normalised uncertainty is averaged over all
    unlabeled rows, and the loop stops when the mean falls below
    ``threshold``. Normalisation as in :class:`MaxUncertainty` (values in
    ``[0, 1]``, see :func:`normalized_uncertainty`); with one known class the
    value is ``nan`` and the criterion does not stop.

    Parameters
    ----------
    threshold : float, default=0.05
        Stop when the mean normalised uncertainty is below this value, in
        ``[0, 1]``.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure.

    Attributes
    ----------
    values_ : list of float
        Mean normalised uncertainty on the pool, one per round.
    reason_ : str or None
        Why the criterion stopped; ``None`` while it has not.

    References
    ----------
    .. [1] J. Zhu, H. Wang and E. Hovy, "Multi-criteria-based strategy to
       stop active learning for data annotation", COLING 2008, pp. 1129-1136.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.stopping import OverallUncertainty, StoppingState
    >>> X = np.array([[-3.], [-2.], [0.], [2.], [3.]])
    >>> y = np.array([0, 0, 0, 1, 1])
    >>> labeled = np.array([0, 4])
    >>> clf = LogisticRegression(C=100).fit(X[labeled], y[labeled])
    >>> state = StoppingState(round=0, estimator=clf, X=X, labeled=labeled,
    ...                       unlabeled=np.array([1, 2, 3]),
    ...                       y_labeled=y[labeled], n_queried=0)
    >>> criterion = OverallUncertainty(threshold=0.05)
    >>> criterion.update(state)  # x = 0 is a coin flip (entropy 1)
    False
    >>> round(criterion.values_[0], 2)
    0.43
    """

    def __init__(self, threshold=0.05, measure="entropy"):
        super().__init__(threshold=threshold, measure=measure)

    @staticmethod
    def _reduce(chunks, n):
        return float(sum(np.sum(c) for c in chunks) / n)

    def _reason(self, value):
        return (
            f"The mean normalised {self.measure} over the pool is "
            f"{value:.4f} < threshold={self.threshold}."
        )


class ClassificationChange(_PoolCriterion):
    """Stop once the predicted labels on the pool stop changing.

    The classification-change criterion of Zhu, Wang & Hovy (2008): after
    each round the pool is predicted, and the fraction of rows whose label
    changed since the previous round is measured over the rows unlabeled in
    both rounds (rows labeled in between are left out). The loop stops when
    that fraction is at most ``threshold`` in ``window`` consecutive rounds.
    The paper's form is ``threshold=0`` and ``window=1``: stop as soon as no
    pool label changes.

    Only the last round's predictions on its pool are kept.

    Parameters
    ----------
    threshold : float, default=0.0
        Largest fraction of changed labels, in ``[0, 1]``, that counts as
        "no change".
    window : int, default=1
        Consecutive rounds that must stay at or below ``threshold``.

    Attributes
    ----------
    changes_ : list of float
        Fraction of changed labels, from the second update on (``nan`` when
        the two pools share no row).
    last_pool_ : ndarray of int
        The pool of the last round.
    last_predictions_ : ndarray
        The last round's predictions on ``last_pool_``.
    reason_ : str or None
        Why the criterion stopped; ``None`` while it has not.

    References
    ----------
    .. [1] J. Zhu, H. Wang and E. Hovy, "Multi-criteria-based strategy to
       stop active learning for data annotation", COLING 2008, pp. 1129-1136.

    Examples
    --------
    >>> from dataclasses import replace
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.stopping import ClassificationChange, StoppingState
    >>> X = np.array([[-3.], [-2.], [-1.], [1.], [2.], [3.]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> labeled = np.array([0, 5])
    >>> clf = LogisticRegression().fit(X[labeled], y[labeled])
    >>> state = StoppingState(round=0, estimator=clf, X=X, labeled=labeled,
    ...                       unlabeled=np.array([1, 2, 3, 4]),
    ...                       y_labeled=y[labeled], n_queried=0)
    >>> criterion = ClassificationChange()
    >>> criterion.update(state)
    False
    >>> criterion.update(replace(state, round=1, labeled=np.array([0, 1, 5]),
    ...                          unlabeled=np.array([2, 3, 4]), n_queried=1))
    True
    >>> criterion.changes_
    [0.0]
    """

    def __init__(self, threshold=0.0, window=1):
        self.threshold = threshold
        self.window = window

    def _validate_params(self):
        name = type(self).__name__
        _check_real(name, self.threshold, "threshold", 0, 1,
                    " It is a fraction of the pool.")
        _check_int(name, self.window, "window")

    def update(self, state):
        """See the round's model; ``True`` means stop.

        Parameters
        ----------
        state : StoppingState

        Returns
        -------
        stop : bool
        """
        if not hasattr(self, "changes_"):
            self.changes_ = []
        if self._start(state):
            return True
        pool = _as_indices(state.unlabeled)
        predictions = _predict_rows(state.estimator, state.X, pool)
        if hasattr(self, "last_pool_"):
            _, previous, current = np.intersect1d(
                self.last_pool_, pool, assume_unique=True, return_indices=True
            )
            if len(current):
                changed = self.last_predictions_[previous] != predictions[current]
                self.changes_.append(float(np.mean(changed)))
            else:
                self.changes_.append(float("nan"))
        # Only this round's pool predictions are kept (the previous ones go).
        self.last_pool_, self.last_predictions_ = pool, predictions
        recent = self.changes_[-self.window:]
        if len(recent) == self.window and all(c <= self.threshold for c in recent):
            if self.threshold == 0:
                self.reason_ = (
                    "No predicted label on the pool changed in the last "
                    f"{self.window} round(s)."
                )
            else:
                self.reason_ = (
                    f"At most {self.threshold:.2%} of the pool's predicted "
                    f"labels changed in each of the last {self.window} "
                    f"round(s) (last: {recent[-1]:.2%})."
                )
            return True
        return False


class LabelBudget(StoppingCriterion):
    """Stop once a number of labels is reached.

    Parameters
    ----------
    max_labels : int
        Labels at which to stop (>= 1).
    count : {"queried", "labeled"}, default="queried"
        ``"queried"`` counts the labels bought by the loop
        (``state.n_queried``, the initial set excluded); ``"labeled"`` counts
        every labeled row (``len(state.labeled)``, the initial set included).

    Attributes
    ----------
    reason_ : str or None
        Why the criterion stopped; ``None`` while it has not.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.stopping import LabelBudget, StoppingState
    >>> state = StoppingState(round=3, estimator=None, X=np.zeros((10, 1)),
    ...                       labeled=np.arange(6), unlabeled=np.arange(6, 10),
    ...                       y_labeled=np.zeros(6), n_queried=3)
    >>> LabelBudget(3).update(state)
    True
    >>> LabelBudget(8, count="labeled").update(state)
    False
    """

    def __init__(self, max_labels, count="queried"):
        self.max_labels = max_labels
        self.count = count

    def _validate_params(self):
        name = type(self).__name__
        _check_int(name, self.max_labels, "max_labels")
        _check_choice(name, self.count, "count", ("queried", "labeled"))

    def update(self, state):
        """See the round's state; ``True`` means stop.

        Parameters
        ----------
        state : StoppingState

        Returns
        -------
        stop : bool
        """
        self._validate_params()
        self.reason_ = None
        if self.count == "queried":
            n, what = int(state.n_queried), "labels were queried"
        else:
            n, what = len(state.labeled), "rows are labeled"
        if n >= self.max_labels:
            self.reason_ = f"{n} {what}, reaching max_labels={self.max_labels}."
            return True
        return False
