"""Learning Active Learning from data (Konyushkova, Sznitman and Fua, 2017).

A random-forest regressor predicts, from features of the classifier's
learning state and of a candidate, how much labeling the candidate reduces
the test error. :class:`LALMonteCarlo` builds the regression data by
Monte-Carlo simulation (independent or iterative) and fits the regressor;
:class:`LALStrategy` queries the candidates with the largest predicted
reduction.
"""

import functools
import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..base import (
    QueryStrategy,
    ScoreQueryMixin,
    _check_option,
    _check_positive_int,
    _clone_keeping,
)
from ..datasets import make_gaussian_clouds
from ..utils import chunk_rows, iter_chunks, top_k
from ._artefacts import load_artefact, pretrained_path

__all__ = [
    "LAL_FEATURE_NAMES",
    "LALMonteCarlo",
    "LALStrategy",
    "lal_features",
    "load_lal_regressor",
]

#: Column names of :func:`lal_features`, in order.
LAL_FEATURE_NAMES = (
    "proba_class0",
    "proba_std_trees",
    "share_class1",
    "oob_accuracy",
    "importance_std",
    "forest_std",
    "mean_tree_depth",
    "n_labeled",
)

_PRETRAINED = {
    "iterative": "lal_iterative.npz",
    "independent": "lal_independent.npz",
}


# -- features ---------------------------------------------------------------
def _check_forest(forest, owner="LAL"):
    check_is_fitted(forest)
    trees = getattr(forest, "estimators_", None)
    if (
        not isinstance(trees, (list, tuple))
        or not trees
        or not all(hasattr(t, "tree_") and hasattr(t, "predict_proba") for t in trees)
        or not hasattr(forest, "classes_")
    ):
        raise TypeError(
            f"{owner} needs a random-forest classifier (an ensemble of "
            "decision trees with `estimators_`, e.g. "
            f"RandomForestClassifier(n_estimators=50)), got {type(forest).__name__}."
        )
    if not getattr(forest, "bootstrap", False):
        raise ValueError(
            f"{owner} uses the forest's out-of-bag accuracy, which needs "
            "bootstrap=True; the forest has bootstrap=False."
        )
    if getattr(forest, "n_outputs_", 1) != 1:
        raise ValueError(f"{owner} needs a single-output classifier.")
    return trees


def _forest_input(X):
    # Trees compare float32 features; convert once, not once per tree.
    given = X
    X = check_array(X, dtype=np.float32, accept_sparse="csr")
    if hasattr(X, "tocsr") and (
        X.indices.dtype != np.intc or X.indptr.dtype != np.intc
        or not X.has_sorted_indices
    ):
        # The trees' unchecked path needs sorted int32 indices; never
        # modify the caller's matrix in place.
        X = X.copy() if X is given else X
        X.sort_indices()
        X.indices = X.indices.astype(np.intc)
        X.indptr = X.indptr.astype(np.intc)
    return X


def _tree_moments(trees, X, n_classes):
    """Sum and sum of squares over trees of each tree's class probabilities."""
    total = np.zeros((X.shape[0], n_classes))
    squares = np.zeros((X.shape[0], n_classes))
    for tree in trees:
        p = tree.predict_proba(X, check_input=False)
        total += p
        p *= p
        squares += p
    return total, squares


def _oob_accuracy(forest, trees, X, y):
    """Out-of-bag accuracy, as ``RandomForestClassifier.oob_score_``.

    Computed from ``estimators_samples_`` so the classifier need not be
    trained with ``oob_score=True``. As in scikit-learn, a sample no tree
    left out gets an all-zero vote and counts as predicting ``classes_[0]``.
    """
    n = X.shape[0]
    votes = np.zeros((n, len(forest.classes_)))
    for tree, drawn in zip(trees, forest.estimators_samples_):
        if drawn.size and drawn.max() >= n:
            raise ValueError(
                "The forest was fitted on more samples than the labeled set "
                "passed to fit; with refit=False pass exactly the data the "
                "forest was trained on."
            )
        left_out = np.ones(n, dtype=bool)
        left_out[drawn] = False
        if left_out.any():
            votes[left_out] += tree.predict_proba(X[left_out], check_input=False)
    predicted = forest.classes_.take(np.argmax(votes, axis=1))
    return float(np.mean(predicted == y))


class _LALState:
    """The candidate-independent part of the features (f3, f4, f5, f7, f8)."""

    def __init__(self, forest, X_labeled, y_labeled):
        trees = _check_forest(forest)
        classes = forest.classes_
        X_labeled = _forest_input(X_labeled)
        y_labeled = np.asarray(y_labeled)
        self.trees = trees
        self.n_classes = len(classes)
        self.class_share = np.array([np.mean(y_labeled == c) for c in classes])
        self.oob = _oob_accuracy(forest, trees, X_labeled, y_labeled)
        importances = np.asarray(forest.feature_importances_)
        self.importance_std = float(np.std(importances / importances.shape[0]))
        self.depth = float(np.mean([t.tree_.max_depth for t in trees]))
        self.n_labeled = float(X_labeled.shape[0])

    def pool_features(self, X_pool, chunk_size=None):
        """The eight features of every pool row."""
        X_pool = _forest_input(X_pool)
        n, n_trees, c = X_pool.shape[0], len(self.trees), self.n_classes
        feats = np.empty((n, len(LAL_FEATURE_NAMES)))
        rows = chunk_rows(8 * (4 * c + X_pool.shape[1]), n, chunk_size)
        for sl in iter_chunks(n, rows):
            total, squares = _tree_moments(self.trees, X_pool[sl], c)
            if c == 2:
                # The paper's binary features: class 0 against class 1.
                target = np.zeros(total.shape[0], dtype=np.intp)
            else:
                # One-vs-rest on each candidate's predicted class.
                target = np.argmax(total, axis=1)
            idx = np.arange(total.shape[0])
            mean = total[idx, target] / n_trees
            var = squares[idx, target] / n_trees - mean * mean
            feats[sl, 0] = mean
            feats[sl, 1] = np.sqrt(np.maximum(var, 0.0))
            feats[sl, 2] = 1.0 - self.class_share[target]
        feats[:, 3] = self.oob
        feats[:, 4] = self.importance_std
        # Forest variance: the spread of the trees averaged over the pool.
        feats[:, 5] = feats[:, 1].mean()
        feats[:, 6] = self.depth
        feats[:, 7] = self.n_labeled
        return feats


def lal_features(forest, X_labeled, y_labeled, X_pool, *, chunk_size=None):
    """The eight LAL learning-state features of each pool sample.

    Columns (:data:`LAL_FEATURE_NAMES`), as in the authors' code:

    0. ``proba_class0``: mean over the trees of each tree's probability of
       ``classes_[0]`` (equal to the forest's ``predict_proba[:, 0]``);
    1. ``proba_std_trees``: standard deviation (ddof=0) over the trees of
       that probability;
    2. ``share_class1``: fraction of the labeled set in ``classes_[1]``;
    3. ``oob_accuracy``: the forest's out-of-bag accuracy on the labeled set;
    4. ``importance_std``: ``std(feature_importances_ / n_features)``;
    5. ``forest_std``: column 1 averaged over the pool;
    6. ``mean_tree_depth``: mean ``max_depth`` of the trees;
    7. ``n_labeled``: size of the labeled set (not normalised).

    Columns 0 and 1 vary per candidate, the rest describe the classifier's
    state. With more than two classes the binary view is one-vs-rest on each
    candidate's predicted class ``c``: column 0 is the probability of ``c``,
    column 1 its spread over the trees, column 2 the labeled share of the
    other classes. For two classes this is exactly the paper's definition
    with ``classes_[0]`` as class 0.

    Parameters
    ----------
    forest : fitted RandomForestClassifier
        Any fitted bootstrap ensemble of scikit-learn decision trees
        (``estimators_``, ``estimators_samples_``, ``feature_importances_``).
    X_labeled : array-like of shape (n_labeled, n_features)
        The data the forest was trained on (for the out-of-bag accuracy).
    y_labeled : array-like of shape (n_labeled,)
        Its labels.
    X_pool : array-like or sparse matrix of shape (n_pool, n_features)
        Candidates; column 5 averages over all of them.
    chunk_size : int or None, default=None
        Pool rows per pass over the trees; ``None`` derives it from
        scikit-learn's ``working_memory``.

    Returns
    -------
    features : ndarray of shape (n_pool, 8)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skactive.policies import lal_features
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> forest = RandomForestClassifier(10, random_state=0).fit(X, y)
    >>> F = lal_features(forest, X, y, np.array([[0.2], [2.8]]))
    >>> F.shape
    (2, 8)
    >>> F[:, 0]  # P(class 0) from the trees' votes: high left, low right
    array([0.9, 0.1])
    >>> F[0, [2, 7]]  # half the labels are class 1; 4 labeled samples
    array([0.5, 4. ])
    """
    return _LALState(forest, X_labeled, y_labeled).pool_features(
        X_pool, chunk_size=chunk_size
    )


def _predict_unique(regressor, features, n_varying=3):
    """``regressor.predict(features)``, each distinct row predicted once.

    Within one pool only the candidate columns (the first ``n_varying``)
    vary, and with fully grown trees they take few distinct values (the
    per-tree probabilities are mostly 0 or 1), so a pool of 10^5 rows often
    needs a few hundred regressor evaluations. Rows from different learning
    states need ``n_varying=8``.
    """
    key = np.ascontiguousarray(features[:, :n_varying])
    key = key.view(np.dtype((np.void, 8 * n_varying)))[:, 0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return np.asarray(regressor.predict(features[first]), dtype=float)[
        inverse.ravel()
    ]


# -- pretrained -------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _load_pretrained(name):
    return load_artefact(
        pretrained_path(_PRETRAINED[name]),
        kind="lal-regressor",
        n_features_in=len(LAL_FEATURE_NAMES),
    )


def load_lal_regressor(name="iterative", *, return_metadata=False):
    """The LAL regressor shipped with skactive.

    Both were learned on the synthetic Gaussian clouds of the paper by
    ``scripts/train_lal.py`` (its header records the exact command and
    settings) and are stored as :class:`CompactForestRegressor` arrays, so
    they load offline in well under a second and do not depend on the
    installed scikit-learn's tree internals.

    Parameters
    ----------
    name : {"iterative", "independent"}, default="iterative"
        LAL-iterative (labeled sets grown by the previously learned
        regressors) or LAL-independent (random labeled sets).
    return_metadata : bool, default=False
        Also return the artefact header (command, settings, sizes, scores).

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


def _resolve_regressor(regressor):
    if isinstance(regressor, str):
        if regressor not in _PRETRAINED:
            raise ValueError(
                "regressor must be 'iterative', 'independent', a fitted "
                f"regressor or a fitted LALMonteCarlo, got {regressor!r}."
            )
        return load_lal_regressor(regressor)
    if isinstance(regressor, LALMonteCarlo):
        check_is_fitted(regressor, "regressor_")
        return regressor.regressor_
    if not hasattr(regressor, "predict"):
        raise TypeError(
            "regressor must be 'iterative', 'independent', a fitted "
            "regressor with `predict` or a fitted LALMonteCarlo, got "
            f"{type(regressor).__name__}."
        )
    if not _is_fitted_regressor(regressor):
        raise ValueError(
            f"regressor {type(regressor).__name__} is not fitted; pass a "
            "fitted regressor (e.g. LALMonteCarlo(...).fit_synthetic()) or "
            "'iterative' / 'independent'."
        )
    n_in = getattr(regressor, "n_features_in_", len(LAL_FEATURE_NAMES))
    if n_in != len(LAL_FEATURE_NAMES):
        raise ValueError(
            f"regressor expects {n_in} features, but LAL states have "
            f"{len(LAL_FEATURE_NAMES)} (see LAL_FEATURE_NAMES)."
        )
    return regressor


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


def _default_classifier():
    return RandomForestClassifier(n_estimators=50)


# -- strategy ---------------------------------------------------------------
class LALStrategy(ScoreQueryMixin, QueryStrategy):
    """Query the samples with the largest predicted error reduction (LAL).

    A regressor learned by :class:`LALMonteCarlo` maps the eight learning
    state features of :func:`lal_features` (random-forest classifier state
    and the candidate's tree votes) to the expected reduction of the test
    error from labeling the candidate; the strategy queries its argmax.

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
    regressor : {"iterative", "independent"}, regressor or LALMonteCarlo, \
            default="iterative"
        ``"iterative"`` / ``"independent"``: the regressors shipped with
        skactive (:func:`load_lal_regressor`), learned on synthetic 2-D data
        (the paper's LAL-iterative-2D and LAL-independent-2D). Otherwise a
        fitted regressor taking the eight features, or a fitted
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
        regressor="iterative",
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
        self.regressor_ = _resolve_regressor(self.regressor)

    def _score(self, X_pool):
        features = self._state.pool_features(X_pool, chunk_size=self.chunk_size)
        return _predict_unique(self.regressor_, features)

    def pool_features(self, X_pool):
        """The LAL features of the pool in the fitted state.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)

        Returns
        -------
        features : ndarray of shape (n_pool, 8)
            Columns :data:`LAL_FEATURE_NAMES`.
        """
        X_pool = self._validate_pool(X_pool)
        return self._state.pool_features(X_pool, chunk_size=self.chunk_size)

    def __sklearn_clone__(self):
        # A fitted regressor is learned data, like a shipped one: kept.
        return _clone_keeping(self, "regressor", _is_fitted_regressor)

    def __getstate__(self):
        state = dict(super().__getstate__())
        # The shipped regressor is reloaded by name instead of pickled.
        if isinstance(self.regressor, str) and "regressor_" in state:
            state["regressor_"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self.regressor, str) and state.get("regressor_", 0) is None:
            self.regressor_ = load_lal_regressor(self.regressor)


# -- Monte-Carlo data generation ------------------------------------------------
def _zero_one_loss(forest, X_test, y_test):
    return float(np.mean(forest.predict(X_test) != y_test))


def _fit_forest(estimator, X, y, seed):
    forest = clone(estimator)
    forest.set_params(random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return forest.fit(X, y)


def _initial_set(y, classes, n_extra, rng):
    """One random sample of each class, then ``n_extra`` random others."""
    first = np.array([rng.choice(np.flatnonzero(y == c)) for c in classes])
    rest = np.setdiff1d(np.arange(y.shape[0]), first)
    return np.r_[first, rng.choice(rest, n_extra, replace=False)].astype(np.intp)


def _monte_carlo_step(data, labeled, estimator, n_candidates, seed, keep_pool,
                      forest_variance="pool"):
    """DATAMONTECARLO for one labeled set: features and error reductions.

    Returns the features of ``n_candidates`` random unlabeled samples, the
    reduction of the test error when each is added, and (``keep_pool``) the
    unlabeled indices with their features, for the iterative selection.
    """
    X, y, X_test, y_test = data
    rng = np.random.RandomState(seed)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_candidates + 1)
    forest = _fit_forest(estimator, X[labeled], y[labeled], seeds[0])
    unlabeled = np.setdiff1d(np.arange(X.shape[0]), labeled)
    # Column 5 over all unlabeled samples, as at query time (the original
    # averaged over the sampled candidates only).
    pool = _LALState(forest, X[labeled], y[labeled]).pool_features(X[unlabeled])
    loss = _zero_one_loss(forest, X_test, y_test)
    picks = rng.choice(unlabeled.shape[0], n_candidates, replace=False)
    deltas = np.empty(n_candidates)
    for i, pick in enumerate(picks):
        grown = np.r_[labeled, unlabeled[pick]]
        model = _fit_forest(estimator, X[grown], y[grown], seeds[i + 1])
        deltas[i] = loss - _zero_one_loss(model, X_test, y_test)
    rows = pool[picks]
    if forest_variance == "candidates":
        # The authors' generator: column 5 over the sampled candidates only.
        rows[:, 5] = rows[:, 1].mean()
    return rows, deltas, (unlabeled, pool) if keep_pool else None


class _SyntheticSource:
    """Fresh Gaussian-cloud train/test sets (the paper's cold-start data)."""

    def __init__(self, n_samples, n_features, n_test):
        self.args = dict(n_samples=n_samples, n_features=n_features, n_test=n_test)
        self.classes = np.array([0, 1])

    def draw(self, seed):
        return make_gaussian_clouds(
            self.args["n_samples"],
            n_features=self.args["n_features"],
            n_test=self.args["n_test"],
            random_state=seed,
            return_test=True,
        )


class _SplitSource:
    """Random stratified train/test splits of the user's labeled data."""

    def __init__(self, X, y, test_size):
        self.X, self.y, self.test_size = X, y, test_size
        self.classes = np.unique(y)

    def split(self, seed):
        return train_test_split(
            np.arange(self.y.shape[0]),
            test_size=self.test_size,
            stratify=self.y,
            random_state=seed,
        )

    def draw(self, seed):
        train, test = self.split(seed)
        return self.X[train], self.y[train], self.X[test], self.y[test]


def _mc_unit(source, seed_data, seed_step, labeled, tau, estimator, n_candidates,
             keep_pool, forest_variance):
    data = source.draw(seed_data)
    if labeled is None:
        # Independent: a fresh random labeled set of size tau.
        rng = np.random.RandomState(seed_step)
        labeled = _initial_set(data[1], source.classes, tau - len(source.classes), rng)
        seed_step = rng.randint(np.iinfo(np.int32).max)
    return _monte_carlo_step(data, labeled, estimator, n_candidates, seed_step,
                             keep_pool, forest_variance)


class LALMonteCarlo(BaseEstimator):
    """Learn a LAL regressor by Monte-Carlo simulation (Konyushkova et al.).

    For each labeled-set size ``tau`` in ``tau_range`` and each of
    ``n_repetitions`` repetitions (DATAMONTECARLO):

    1. draw a train/test pair (a fresh Gaussian-cloud problem with
       :meth:`fit_synthetic`, a random stratified split of the given data
       with :meth:`fit`);
    2. form a labeled set of ``tau`` samples: one of each class, then
       random samples (``mode="independent"``, BUILDLALINDEPENDENT) or
       samples chosen one by one by the regressors learned for the smaller
       sizes (``mode="iterative"``, BUILDLALITERATIVE);
    3. fit the forest, record the :func:`lal_features` of ``n_candidates``
       random unlabeled samples and, for each, the reduction of the test
       zero-one loss when the forest is retrained with it.

    A regressor fitted on all rows is the learned strategy; pass the fitted
    object (or its ``regressor_``) to :class:`LALStrategy`.

    Parameters
    ----------
    mode : {"iterative", "independent"}, default="iterative"
        How labeled sets are grown, see above.
    estimator : RandomForestClassifier or None, default=None
        The classifier whose learning states are simulated; ``None`` means
        ``RandomForestClassifier(n_estimators=50)``. Its ``random_state`` is
        set per fit from ``random_state``.
    regressor : regressor or None, default=None
        Fitted on all rows to give ``regressor_``. ``None`` means
        ``RandomForestRegressor(n_estimators=100, max_features=6,
        min_samples_leaf=0.01)``: leaves of 1 % of the rows. The paper's
        2000 fully grown trees memorise the Monte-Carlo units and predict new
        learning states worse than the mean; large leaves won the grouped
        cross-validation of ``scripts/train_lal.py`` (see the user guide).
    step_regressor : regressor or None, default=None
        ``mode="iterative"`` only: the regressor fitted on the rows of each
        ``tau`` to choose the next labeled sample. ``None`` means a clone of
        ``regressor``.
    n_repetitions : int, default=500
        Repetitions per ``tau`` (the paper's Q).
    n_candidates : int, default=10
        Candidates evaluated per labeled set (the paper's M).
    tau_range : tuple of two ints, default=(2, 49)
        Smallest and largest labeled-set size, inclusive (the paper's
        ``tau_min, tau_max``). The smallest must be at least the number of
        classes.
    n_samples : int, default=400
        :meth:`fit_synthetic`: training points per problem.
    n_features : int, default=2
        :meth:`fit_synthetic`: dimension of the clouds.
    n_test : int or None, default=None
        :meth:`fit_synthetic`: test points per problem; ``None`` means
        ``10 * n_samples`` as in the paper.
    test_size : float or int, default=0.5
        :meth:`fit`: share (or number) of the given samples held out as the
        test set of each repetition.
    forest_variance : {"pool", "candidates"}, default="pool"
        What the forest-variance feature (column 5) averages over in the
        simulated rows: all unlabeled samples, as at query time, or only the
        ``n_candidates`` sampled ones, as the authors' generator did (a
        train/test mismatch kept for replication studies).
    n_jobs : int or None, default=None
        Joblib workers over repetitions (and for the regressor fits when
        they take ``n_jobs``).
    random_state : int, RandomState instance or None, default=None
        Seeds the problems, the labeled sets, the forests and the regressors.
        Results do not depend on ``n_jobs``.
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    regressor_ : regressor
        Fitted on ``(states_, deltas_)``.
    states_ : ndarray of shape (n_rows, 8)
        The learning states (Ξ), columns :data:`LAL_FEATURE_NAMES`.
    deltas_ : ndarray of shape (n_rows,)
        The error reductions (Δ).
    step_regressors_ : list of regressors
        ``mode="iterative"``: the regressor of each ``tau`` but the last.
    trajectories_ : ndarray of shape (n_repetitions, tau_max)
        ``mode="iterative"``: the order in which each repetition's labeled
        set was grown (indices into that repetition's training set; with
        :meth:`fit`, indices into ``X``).

    See Also
    --------
    LALStrategy : Uses the fitted regressor.

    Notes
    -----
    Departures from the authors' code, each deliberate:

    * the forest variance feature averages over all unlabeled samples, as
      at query time (the code averaged over the ``n_candidates`` sampled);
    * the per-``tau`` regressors see all eight features (the code dropped
      ``n_labeled``, which is constant within one ``tau`` and so never
      used by a tree anyway);
    * ``mode="iterative"`` grows one labeled set per repetition through
      all ``tau`` (the code re-simulated every set from two samples for
      each ``tau``, which costs ``O(tau_max^2)`` forest fits instead of
      ``O(tau_max)``; every set has the same distribution);
    * ties in the iterative selection are broken at random, not by index.

    Examples
    --------
    >>> from skactive.policies import LALMonteCarlo
    >>> mc = LALMonteCarlo("independent", n_repetitions=4, n_candidates=3,
    ...                    tau_range=(2, 4), random_state=0)
    >>> mc = mc.fit_synthetic()
    >>> mc.states_.shape, mc.deltas_.shape  # 3 sizes x 4 repetitions x 3
    ((36, 8), (36,))
    """

    def __init__(
        self,
        mode="iterative",
        *,
        estimator=None,
        regressor=None,
        step_regressor=None,
        n_repetitions=500,
        n_candidates=10,
        tau_range=(2, 49),
        n_samples=400,
        n_features=2,
        n_test=None,
        test_size=0.5,
        forest_variance="pool",
        n_jobs=None,
        random_state=None,
        verbose=False,
    ):
        self.mode = mode
        self.estimator = estimator
        self.regressor = regressor
        self.step_regressor = step_regressor
        self.n_repetitions = n_repetitions
        self.n_candidates = n_candidates
        self.tau_range = tau_range
        self.n_samples = n_samples
        self.n_features = n_features
        self.n_test = n_test
        self.test_size = test_size
        self.forest_variance = forest_variance
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit_synthetic(self):
        """Learn from fresh Gaussian-cloud problems (the paper's 2-D data).

        Returns
        -------
        self : object
        """
        n_samples = _check_positive_int(self.n_samples, "n_samples", 2)
        n_features = _check_positive_int(self.n_features, "n_features")
        n_test = (
            None if self.n_test is None
            else _check_positive_int(self.n_test, "n_test")
        )
        self.n_features_in_ = n_features
        return self._run(_SyntheticSource(n_samples, n_features, n_test),
                         n_train=n_samples)

    def fit(self, X, y):
        """Learn from the labeled data of a task (the paper's warm start).

        Each repetition splits ``(X, y)`` into a training pool and a test set
        (``test_size``) at random, stratified by class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, counts = np.unique(y, return_counts=True)
        if classes.shape[0] < 2 or counts.min() < 2:
            raise ValueError(
                "LALMonteCarlo.fit needs at least two classes with at least "
                "two samples each, so that every train/test split holds each "
                "class."
            )
        source = _SplitSource(X, y, self.test_size)
        n_train = y.shape[0] - _n_test_samples(self.test_size, y.shape[0])
        return self._run(source, n_train=n_train)

    # -- the simulation ---------------------------------------------------
    def _check_params(self, n_classes, n_train):
        _check_option(self.mode, "mode", ("iterative", "independent"))
        _check_option(self.forest_variance, "forest_variance",
                      ("pool", "candidates"))
        q = _check_positive_int(self.n_repetitions, "n_repetitions")
        m = _check_positive_int(self.n_candidates, "n_candidates")
        tr = self.tau_range
        if (
            not isinstance(tr, (tuple, list))
            or len(tr) != 2
            or not all(isinstance(t, numbers.Integral) for t in tr)
            or tr[0] > tr[1]
        ):
            raise ValueError(
                f"tau_range must be a pair (tau_min, tau_max) of ints with "
                f"tau_min <= tau_max, got {tr!r}."
            )
        if tr[0] < n_classes:
            raise ValueError(
                f"tau_range starts at {tr[0]}, but every labeled set holds one "
                f"sample of each of the {n_classes} classes; use tau_min >= "
                f"{n_classes}."
            )
        if tr[1] + m > n_train:
            raise ValueError(
                f"tau_max + n_candidates = {tr[1] + m} exceeds the {n_train} "
                "training samples of a repetition; lower them or give more data."
            )
        return q, m, np.arange(tr[0], tr[1] + 1)

    def _regressors(self):
        base = (
            RandomForestRegressor(n_estimators=100, max_features=6,
                                  min_samples_leaf=0.01)
            if self.regressor is None else self.regressor
        )
        step = base if self.step_regressor is None else self.step_regressor
        return base, step

    def _fit_regressor(self, template, X, y, rng):
        reg = clone(template)
        params = reg.get_params()
        if "random_state" in params and params["random_state"] is None:
            reg.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
        if "n_jobs" in params and params["n_jobs"] is None and self.n_jobs is not None:
            reg.set_params(n_jobs=self.n_jobs)
        return reg.fit(X, y)

    def _run(self, source, n_train):
        q, m, taus = self._check_params(len(source.classes), n_train)
        estimator = _default_classifier() if self.estimator is None else self.estimator
        if not hasattr(estimator, "fit") or not hasattr(estimator, "predict_proba"):
            raise TypeError(
                "estimator must be a random-forest classifier, got "
                f"{type(estimator).__name__}."
            )
        rng = check_random_state(self.random_state)
        base, step = self._regressors()
        imax = np.iinfo(np.int32).max
        parallel = Parallel(n_jobs=self.n_jobs, return_as="generator")
        bar = tqdm(total=q * len(taus), desc=f"LAL Monte-Carlo ({self.mode})",
                   disable=not self.verbose)
        states, deltas, sizes = [], [], []
        try:
            if self.mode == "independent":
                seeds = rng.randint(imax, size=(len(taus), q, 2))
                units = [
                    delayed(_mc_unit)(source, s[0], s[1], None, tau, estimator, m,
                                      False, self.forest_variance)
                    for tau, row in zip(taus, seeds) for s in row
                ]
                unit_taus = np.repeat(taus, q)
                for tau, (F, d, _) in zip(unit_taus, parallel(units)):
                    states.append(F)
                    deltas.append(d)
                    sizes.append(np.full(d.shape[0], tau))
                    bar.update()
            else:
                self._run_iterative(source, estimator, step, q, m, taus, rng,
                                    parallel, bar, states, deltas, sizes)
        finally:
            bar.close()
        self.states_ = np.concatenate(states)
        self.deltas_ = np.concatenate(deltas)
        self.n_labeled_ = np.concatenate(sizes)
        self.regressor_ = self._fit_regressor(base, self.states_, self.deltas_, rng)
        return self

    def _run_iterative(self, source, estimator, step, q, m, taus, rng, parallel,
                       bar, states, deltas, sizes):
        imax = np.iinfo(np.int32).max
        data_seeds = rng.randint(imax, size=q)
        start_seeds = rng.randint(imax, size=q)
        step_seeds = rng.randint(imax, size=(len(taus), q))
        # Every repetition starts from one random sample of each class plus
        # random ones up to tau_min, as the independent sets do.
        starts = []
        for seed, start_seed in zip(data_seeds, start_seeds):
            y_train = source.draw(seed)[1]
            starts.append(_initial_set(
                y_train, source.classes, taus[0] - len(source.classes),
                np.random.RandomState(start_seed)))
        labeled = starts
        self.step_regressors_ = []
        last = len(taus) - 1
        for t, tau in enumerate(taus):
            keep = t < last
            results = list(parallel(
                delayed(_mc_unit)(source, data_seeds[j], step_seeds[t, j],
                                  labeled[j], tau, estimator, m, keep,
                                  self.forest_variance)
                for j in range(q)
            ))
            bar.update(q)
            F = np.concatenate([r[0] for r in results])
            d = np.concatenate([r[1] for r in results])
            states.append(F)
            deltas.append(d)
            sizes.append(np.full(d.shape[0], tau))
            if not keep:
                break
            # BUILDLALITERATIVE: the regressor of this size picks the next
            # sample of every repetition.
            g = self._fit_regressor(step, F, d, rng)
            self.step_regressors_.append(g)
            # One regressor call for all repetitions' pools.
            pools = [r[2][1] for r in results]
            bounds = np.cumsum([0] + [p.shape[0] for p in pools])
            all_scores = _predict_unique(g, np.concatenate(pools), n_varying=8)
            grown = []
            for j, (_, _, (unlabeled, _)) in enumerate(results):
                scores = all_scores[bounds[j]:bounds[j + 1]]
                pick = top_k(scores, 1, np.random.default_rng(rng.randint(imax)))[0]
                grown.append(np.r_[labeled[j], unlabeled[pick]])
            labeled = grown
        self.trajectories_ = np.array(labeled)
        if isinstance(source, _SplitSource):
            # Indices into X rather than into each repetition's split.
            self.trajectories_ = np.array([
                source.split(data_seeds[j])[0][lab]
                for j, lab in enumerate(labeled)
            ])


def _n_test_samples(test_size, n):
    if isinstance(test_size, numbers.Integral):
        return int(test_size)
    return int(np.ceil(float(test_size) * n))
