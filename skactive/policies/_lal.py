"""Learning Active Learning from data (Konyushkova, Sznitman and Fua, 2017).

A random-forest regressor predicts, from features of the classifier's
learning state and of a candidate, how much labeling the candidate reduces
the test error. The features live in :mod:`._lal_features`, the Monte-Carlo
builders of the regression data (:class:`LALMonteCarlo`) in
:mod:`._lal_simulation`; this module loads the shipped regressors and holds
:class:`LALStrategy`, which queries the candidates with the largest
predicted reduction.
"""

import functools
import warnings

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ..base import QueryStrategy, ScoreQueryMixin, _check_option, _clone_keeping
from ._artefacts import load_artefact, pretrained_path, warn_out_of_range
from ._lal_features import (
    FEATURE_NAMES,
    LAL_FEATURE_NAMES,
    LAL_MULTICLASS_FEATURE_NAMES,
    N_VARYING,
    _default_classifier,
    _LALState,
    _predict_unique,
)
from ._lal_simulation import LALMonteCarlo

__all__ = ["LALStrategy", "load_lal_regressor"]

_PRETRAINED = {
    "iterative": "lal_iterative.npz",
    "independent": "lal_independent.npz",
    "multiclass": "lal_multiclass.npz",
}
_NAMES = ("auto",) + tuple(_PRETRAINED)


# -- pretrained -------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _load_pretrained(name):
    arrays_header = load_artefact(pretrained_path(_PRETRAINED[name]),
                                  kind="lal-regressor")
    regressor, header = arrays_header
    features = header.get("features", "paper")
    if regressor.n_features_in_ != len(FEATURE_NAMES[features]):
        raise ValueError(
            f"The shipped LAL regressor {name!r} expects "
            f"{regressor.n_features_in_} inputs, not the "
            f"{len(FEATURE_NAMES[features])} of features={features!r}."
        )
    return regressor, header


def load_lal_regressor(name="iterative", *, return_metadata=False):
    """A LAL regressor shipped with skactive.

    All were learned on synthetic Gaussian clouds by ``scripts/train_lal.py``
    (and chosen by the learning curves of ``scripts/select_lal.py``; the
    header records the exact commands, settings and the selection table) and
    are stored as :class:`CompactForestRegressor` arrays, so they load
    offline in well under a second and do not depend on the installed
    scikit-learn's tree internals.

    Parameters
    ----------
    name : {"iterative", "independent", "multiclass"}, default="iterative"
        LAL-iterative (labeled sets grown by the previously learned
        regressors) or LAL-independent (random labeled sets), both on the
        paper's two-class 2-D clouds and its eight features; or the
        regressor for any number of classes, learned on clouds with 2 to 10
        classes in 2 to 64 dimensions on the features of
        :data:`LAL_MULTICLASS_FEATURE_NAMES`.
    return_metadata : bool, default=False
        Also return the artefact header (command, settings, sizes, scores,
        the training range of every feature).

    Returns
    -------
    regressor : CompactForestRegressor
    metadata : dict
        Only with ``return_metadata=True``.

    Examples
    --------
    >>> from skactive.policies import load_lal_regressor
    >>> reg, meta = load_lal_regressor("iterative", return_metadata=True)
    >>> reg.n_features_in_, meta["mode"]
    (8, 'iterative')
    """
    _check_option(name, "name", tuple(_PRETRAINED))
    regressor, header = _load_pretrained(name)
    return (regressor, dict(header)) if return_metadata else regressor


def _resolve_regressor(regressor, n_classes):
    """``(regressor, features, shipped name or None, header or None)``."""
    if isinstance(regressor, str):
        if regressor not in _NAMES:
            raise ValueError(
                "regressor must be 'auto', 'iterative', 'independent', "
                "'multiclass', a fitted regressor or a fitted LALMonteCarlo, "
                f"got {regressor!r}."
            )
        name = regressor
        if name == "auto":
            name = "iterative" if n_classes <= 2 else "multiclass"
        reg, header = _load_pretrained(name)
        return reg, header.get("features", "paper"), name, header
    if isinstance(regressor, LALMonteCarlo):
        check_is_fitted(regressor, "regressor_")
        return regressor.regressor_, regressor.features, None, None
    if not hasattr(regressor, "predict"):
        raise TypeError(
            "regressor must be 'auto', 'iterative', 'independent', "
            "'multiclass', a fitted regressor with `predict` or a fitted "
            f"LALMonteCarlo, got {type(regressor).__name__}."
        )
    if not _is_fitted_regressor(regressor):
        raise ValueError(
            f"regressor {type(regressor).__name__} is not fitted; pass a "
            "fitted regressor (e.g. LALMonteCarlo(...).fit_synthetic()) or "
            "a shipped one by name ('auto')."
        )
    n_in = getattr(regressor, "n_features_in_", len(LAL_FEATURE_NAMES))
    widths = {len(v): k for k, v in FEATURE_NAMES.items()}
    if n_in not in widths:
        raise ValueError(
            f"regressor expects {n_in} features, but LAL states have "
            f"{len(LAL_FEATURE_NAMES)} (LAL_FEATURE_NAMES) or "
            f"{len(LAL_MULTICLASS_FEATURE_NAMES)} (LAL_MULTICLASS_FEATURE_NAMES)."
        )
    return regressor, widths[n_in], None, None


def _is_fitted_regressor(regressor):
    if isinstance(regressor, LALMonteCarlo):
        return hasattr(regressor, "regressor_")
    if isinstance(regressor, str) or not hasattr(regressor, "predict"):
        return False
    if not hasattr(regressor, "fit"):
        return True  # a frozen predictor such as CompactForestRegressor
    try:
        check_is_fitted(regressor)
    except (NotFittedError, TypeError):
        return False
    return True


# -- strategy ---------------------------------------------------------------
class LALStrategy(ScoreQueryMixin, QueryStrategy):
    """Query the samples with the largest predicted error reduction (LAL).

    A regressor learned by :class:`LALMonteCarlo` maps the eight learning
    state features of :func:`lal_features` (random-forest classifier state
    and the candidate's tree votes) to the expected reduction of the test
    error from labeling the candidate; the strategy queries its argmax.

    The shipped ``"iterative"`` and ``"multiclass"`` regressors, and a
    fitted :class:`LALMonteCarlo`, know the range of every feature they
    were trained on; a state far outside it (more labels than they ever
    saw, more classes) raises a :class:`UserWarning` naming the feature,
    once per feature.

    ``batch_size > 1`` takes the top ``batch_size`` predictions of the one
    fitted state (an extension: the paper queries one sample per round).
    Many candidates share the same tree votes and hence the same prediction;
    ties are broken at random (seeded by ``random_state``).

    Parameters
    ----------
    estimator : RandomForestClassifier or None, default=None
        A bootstrap random forest. ``None`` means
        ``RandomForestClassifier(n_estimators=50)``, the paper's classifier.
        ``oob_score=True`` is not needed: the out-of-bag accuracy is computed
        from the trees' bootstrap samples.
    regressor : {"auto", "iterative", "independent", "multiclass"}, \
            regressor or LALMonteCarlo, default="auto"
        A regressor shipped with skactive (:func:`load_lal_regressor`):
        ``"iterative"`` / ``"independent"``, learned on the paper's
        two-class 2-D clouds (LAL-iterative-2D and LAL-independent-2D);
        ``"multiclass"``, learned on clouds with 2 to 10 classes in 2 to 64
        dimensions on features that mean the same for any class count;
        ``"auto"`` takes ``"iterative"`` for two classes and
        ``"multiclass"`` otherwise. Or a fitted regressor taking the eight
        (paper) or eleven (multi-class) features, or a fitted
        :class:`LALMonteCarlo` (its ``regressor_``; e.g. warm-started on
        labeled data of the task). A fitted regressor is treated as frozen:
        :func:`~sklearn.base.clone` (used by ActiveLearner, GridSearchCV and
        active_learning_curve) keeps it instead of returning an unfitted
        copy.
    chunk_size : int or None, default=None
        Pool rows per pass over the trees; ``None`` derives it from
        scikit-learn's ``working_memory``.
    refit : bool, default=True
        If False, use the already fitted forest as it is (``fit`` must get
        the data it was trained on).
    random_state : int, RandomState instance or None, default=None
        Seeds the forest (when its own ``random_state`` is None) and
        tie-breaking.

    Attributes
    ----------
    estimator_ : RandomForestClassifier
        The fitted forest.
    regressor_ : regressor
        The regressor used to score candidates.
    features_ : {"paper", "multiclass"}
        The feature set it reads (:func:`lal_features`).
    classes_ : ndarray of shape (n_classes,)
        Labels seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    LALMonteCarlo : Learns a regressor for this strategy.
    lal_features : The features the regressor sees.

    References
    ----------
    .. [1] K. Konyushkova, R. Sznitman and P. Fua, "Learning Active Learning
       from Data", NIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skactive.policies import LALStrategy
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(300, 2)
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> lab = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]
    >>> s = LALStrategy(RandomForestClassifier(50), random_state=0)
    >>> s = s.fit(X[lab], y[lab])
    >>> s.query(X, batch_size=3).shape
    (3,)
    """

    _required_methods = ("predict_proba",)
    # Column 5 averages over the whole pool, so the pool is scored at once.
    _blockwise_scores = False

    def __init__(
        self,
        estimator=None,
        *,
        regressor="auto",
        chunk_size=None,
        refit=True,
        random_state=None,
    ):
        super().__init__(estimator, refit=refit, random_state=random_state)
        self.regressor = regressor
        self.chunk_size = chunk_size

    def _get_estimator(self):
        return _default_classifier() if self.estimator is None else self.estimator

    def _fit(self, X, y):
        self._state = _LALState(self.estimator_, X, y)
        n_classes = len(self.estimator_.classes_)
        reg, features, name, header = _resolve_regressor(self.regressor, n_classes)
        self.regressor_, self.features_, self._shipped = reg, features, name
        if name in ("iterative", "independent") and n_classes > 2:
            warnings.warn(
                f"The {name!r} LAL regressor was learned on two-class problems "
                f"with the paper's features, but y has {n_classes} classes; "
                "its one-vs-rest reading lost to random sampling on "
                "multi-class data (digits: -20 % AUBC). Use "
                "regressor='multiclass' (or 'auto').",
                UserWarning, stacklevel=3)
        self._ranges = _training_ranges(self.regressor, header)

    def _score(self, X_pool):
        features = self._state.pool_features(
            X_pool, chunk_size=self.chunk_size, features=self.features_)
        self._check_range(features)
        return _predict_unique(self.regressor_, features,
                               n_varying=N_VARYING[self.features_])

    def _check_range(self, features):
        """Warn, once per feature, when a state lies far outside training."""
        # Only the state columns: the candidate columns are bounded by
        # construction and take their whole range in every pool.
        checked = np.zeros(features.shape[1], dtype=bool)
        checked[N_VARYING[self.features_]:] = True
        warn_out_of_range(
            features, self._ranges, FEATURE_NAMES[self.features_], checked,
            self.__dict__.setdefault("_warned", set()), "LAL",
            "Learn a regressor that covers this state (LALMonteCarlo) or use "
            "a heuristic.")

    def pool_features(self, X_pool):
        """The LAL features of the pool in the fitted state.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)

        Returns
        -------
        features : ndarray of shape (n_pool, 8) or (n_pool, 11)
            Columns :data:`LAL_FEATURE_NAMES` (or
            :data:`LAL_MULTICLASS_FEATURE_NAMES`, see ``features_``).
        """
        X_pool = self._validate_pool(X_pool)
        return self._state.pool_features(X_pool, chunk_size=self.chunk_size,
                                         features=self.features_)

    def __sklearn_clone__(self):
        # A fitted regressor is learned data, like a shipped one: kept.
        return _clone_keeping(self, "regressor", _is_fitted_regressor)

    def __getstate__(self):
        state = dict(super().__getstate__())
        # The shipped regressor is reloaded by name instead of pickled.
        if state.get("_shipped") and "regressor_" in state:
            state["regressor_"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if state.get("_shipped") and state.get("regressor_", 0) is None:
            self.regressor_ = load_lal_regressor(self._shipped)


def _training_ranges(regressor, header):
    """Per-feature ``(low, high)`` the regressor was trained on, or None."""
    if header is not None and "feature_ranges" in header:
        ranges = np.asarray(header["feature_ranges"], dtype=float)
        return ranges[:, 0], ranges[:, 1]
    if isinstance(regressor, LALMonteCarlo):
        return regressor.states_.min(axis=0), regressor.states_.max(axis=0)
    return None
