"""Uncertainty sampling: entropy, least confidence and margin."""

import numpy as np
from sklearn import get_config
from sklearn.utils import assert_all_finite

from ..base import QueryStrategy, ScoreQueryMixin, _check_option
from ..utils import chunk_rows, iter_chunks

__all__ = ["UncertaintySampling", "uncertainty_scores"]

_MEASURES = ("entropy", "least_confidence", "margin")

# Up to this many classes the top-two values of each row are found by an
# element-wise pass per column, which is several times faster than
# ``np.partition`` / ``max`` along a short axis (numpy pays per row there).
_MAX_COLUMNWISE = 64
# Rows per block of that pass, as bytes of the block: small enough that the
# block stays in cache while every column of it is read.
_COLUMNWISE_BLOCK_BYTES = 2**19


def _top_two(block, top1, top2):
    """Largest (and second largest, unless ``top2`` is None) value per row.

    Writes into ``top1`` / ``top2``; the values are those of ``np.max`` and
    ``np.partition`` exactly (maximum and minimum round nothing).
    """
    c0, c1 = block[:, 0], block[:, 1]
    np.maximum(c0, c1, out=top1)
    if top2 is None:
        for c in range(2, block.shape[1]):
            np.maximum(top1, block[:, c], out=top1)
        return
    np.minimum(c0, c1, out=top2)
    low = np.empty_like(top1)
    for c in range(2, block.shape[1]):
        col = block[:, c]
        # The new second is the larger of the old second and min(old first, col).
        np.minimum(top1, col, out=low)
        np.maximum(top2, low, out=top2)
        np.maximum(top1, col, out=top1)


def _columnwise_top(proba, second):
    """``(top1, top2)`` per row of a float64 matrix with 2..64 columns."""
    n, n_classes = proba.shape
    top1 = np.empty(n)
    top2 = np.empty(n) if second else None
    rows = max(256, _COLUMNWISE_BLOCK_BYTES // (8 * n_classes))
    for start in range(0, n, rows):
        sl = slice(start, start + rows)
        _top_two(proba[sl], top1[sl], None if top2 is None else top2[sl])
    return top1, top2


def uncertainty_scores(proba, measure="entropy"):
    """Uncertainty of each row of a probability matrix; higher = less certain.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        ``entropy``: ``-sum_c p_c log p_c``; ``least_confidence``:
        ``1 - max_c p_c``; ``margin``: ``-(p_(1) - p_(2))``, minus the gap
        between the two most probable classes (scikit-activeml's and modAL's
        definitions).

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import uncertainty_scores
    >>> p = np.array([[0.9, 0.1], [0.5, 0.5]])
    >>> uncertainty_scores(p, "margin")
    array([-0.8, -0. ])
    >>> uncertainty_scores(p, "least_confidence")
    array([0.1, 0.5])
    """
    _check_option(measure, "measure", _MEASURES)
    proba = np.asarray(proba, dtype=float)
    # Reductions along a short axis are slow in numpy (it pays per row):
    # two-class problems combine the columns element-wise, and up to
    # _MAX_COLUMNWISE classes a pass per column finds the top two values.
    binary = proba.shape[1] == 2
    columnwise = 2 < proba.shape[1] <= _MAX_COLUMNWISE
    if measure == "least_confidence":
        if binary:
            return 1.0 - np.maximum(proba[:, 0], proba[:, 1])
        if columnwise:
            top1, _ = _columnwise_top(proba, second=False)
            return np.subtract(1.0, top1, out=top1)
        return 1.0 - proba.max(axis=1)
    if measure == "margin":
        if proba.shape[1] == 1:
            return np.zeros(proba.shape[0])
        if binary:
            return -np.abs(proba[:, 0] - proba[:, 1])
        if columnwise:
            top1, top2 = _columnwise_top(proba, second=True)
            return np.subtract(top2, top1, out=top2)
        top2 = np.partition(proba, -2, axis=1)[:, -2:]
        return top2[:, 0] - top2[:, 1]
    logp = np.log(proba, out=np.zeros_like(proba), where=proba > 0)  # 0 log 0 = 0
    return -np.einsum("ij,ij->i", proba, logp)


def _decision_uncertainty(decision, measure):
    """Uncertainty from ``decision_function`` values (no probabilities)."""
    decision = np.asarray(decision, dtype=float)
    if decision.ndim == 1:
        # Binary: the distance to the decision boundary is the margin.
        return -np.abs(decision)
    columnwise = 2 <= decision.shape[1] <= _MAX_COLUMNWISE
    if measure == "least_confidence":
        if columnwise:
            top1, _ = _columnwise_top(decision, second=False)
            return np.negative(top1, out=top1)
        return -decision.max(axis=1)
    if columnwise:
        top1, top2 = _columnwise_top(decision, second=True)
        return np.subtract(top2, top1, out=top2)
    top2 = np.partition(decision, -2, axis=1)[:, -2:]
    return top2[:, 0] - top2[:, 1]


class UncertaintySampling(ScoreQueryMixin, QueryStrategy):
    """Query the samples the classifier is least certain about.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Classifier with ``predict_proba`` (or ``decision_function``, see
        ``response_method``). ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    measure : {"entropy", "least_confidence", "margin"}, default="entropy"
        Uncertainty measure, see :func:`uncertainty_scores`.
    response_method : {"auto", "predict_proba", "decision_function"}, \
            default="auto"
        Which classifier output to score. ``"auto"`` uses ``predict_proba``
        when the classifier has it and ``decision_function`` otherwise. With
        ``decision_function`` the margin is the distance to the boundary
        (binary) or the gap between the two largest scores (multi-class);
        ``least_confidence`` is minus the largest score; ``entropy`` needs
        probabilities.
    chunk_size : int or None, default=None
        Pool rows scored per ``predict_proba`` call; ``None`` derives it from
        scikit-learn's ``working_memory``.
    refit : bool, default=True
        If False, use the already fitted ``estimator`` as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds tie-breaking.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    QueryByCommittee : Disagreement of several classifiers.
    DensityWeighted : Uncertainty weighted by representativeness.

    References
    ----------
    .. [1] B. Settles, "Active Learning Literature Survey", 2009, section 3.1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import UncertaintySampling
    >>> X_lab, y_lab = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> X_pool = np.array([[-3.0], [0.1], [3.0], [-0.5]])
    >>> s = UncertaintySampling(LogisticRegression(), measure="margin")
    >>> s = s.fit(X_lab, y_lab)
    >>> s.query(X_pool, batch_size=2)
    array([1, 3])
    """

    # Only the classifier reads X: raw documents pass through to a Pipeline.
    _needs_features = False

    def __init__(
        self,
        estimator=None,
        *,
        measure="entropy",
        response_method="auto",
        chunk_size=None,
        refit=True,
        random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.measure = measure
        self.response_method = response_method
        self.chunk_size = chunk_size

    def _resolve_response_method(self, estimator):
        _check_option(self.measure, "measure", _MEASURES)
        method = _check_option(
            self.response_method,
            "response_method",
            ("auto", "predict_proba", "decision_function"),
        )
        if method == "auto":
            # entropy needs probabilities: resolve to predict_proba so a
            # classifier without it gets the TypeError naming the classifier.
            if hasattr(estimator, "predict_proba") or self.measure == "entropy":
                method = "predict_proba"
            elif hasattr(estimator, "decision_function"):
                method = "decision_function"
            else:
                method = "predict_proba"
        if method == "decision_function" and self.measure == "entropy":
            raise ValueError(
                "measure='entropy' needs probabilities, but the classifier is "
                "scored with decision_function. Use a classifier with "
                "predict_proba, or measure='margin' / 'least_confidence'."
            )
        return method

    def _check_estimator_methods(self, estimator):
        method = self._resolve_response_method(estimator)
        if not hasattr(estimator, method):
            hint = (
                " Use a probabilistic classifier, e.g. SVC(probability=True) "
                "or CalibratedClassifierCV(estimator), or "
                "response_method='decision_function' with measure='margin'."
            )
            raise TypeError(
                f"UncertaintySampling needs a classifier with `{method}`, but "
                f"estimator={type(estimator).__name__} has none.{hint}"
            )
        self._response_method = method

    def _validate_X(self, X, reset):
        # The pool of a query is most often a plain float matrix. For it,
        # validate_data's work is to check the finiteness and the number of
        # features, and to hand the same array back; doing just that here
        # saves its generic dispatch (dataframe detection, array namespaces,
        # feature names), a tenth of a margin query on a 10^4 x 50 pool.
        # Anything else (lists, DataFrames, memmaps, other dtypes, a wrong
        # width, a strategy fitted on named features) takes the full path,
        # with its conversions, warnings and error messages.
        if (
            not reset
            and type(X) is np.ndarray
            and X.ndim == 2
            and (X.dtype == np.float64 or X.dtype == np.float32)
            and X.shape[0] > 0
            and X.shape[1] == getattr(self, "n_features_in_", -1)
            and getattr(self, "feature_names_in_", None) is None
        ):
            # validate_data's test (one sum), without its array-API
            # dispatch; sklearn's own check gives the error message.
            with np.errstate(over="ignore"):
                finite = get_config()["assume_finite"] or np.isfinite(X.sum())
            if not finite:
                assert_all_finite(X, input_name="X",
                                  estimator_name=type(self).__name__)
            return X
        return super()._validate_X(X, reset)

    def _score(self, X_pool):
        est = self.estimator_
        method = self._response_method
        n = X_pool.shape[0]
        n_out = len(self.classes_)
        width = X_pool.shape[1] if X_pool.ndim == 2 else 1  # 1-d: documents
        rows = chunk_rows(8 * (n_out + width), n, self.chunk_size)
        if rows >= n:
            return self._score_block(getattr(est, method)(X_pool), method)
        scores = np.empty(n)
        for sl in iter_chunks(n, rows):
            scores[sl] = self._score_block(getattr(est, method)(X_pool[sl]), method)
        return scores

    def _score_block(self, out, method):
        if method == "predict_proba":
            return uncertainty_scores(out, self.measure)
        return _decision_uncertainty(out, self.measure)
