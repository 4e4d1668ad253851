"""LAL learning-state features (Konyushkova, Sznitman and Fua, 2017).

The eight columns the regressor of :class:`LALStrategy` reads: the
candidate's forest vote and its spread over the trees, and six columns of
the classifier's state, computed in one vectorised pass over the trees and
chunked over the pool.
"""

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.validation import check_array, check_is_fitted

from ..base import _check_option
from ..utils import chunk_rows, iter_chunks

__all__ = ["LAL_FEATURE_NAMES", "LAL_MULTICLASS_FEATURE_NAMES", "lal_features"]

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


#: Column names of ``lal_features(..., features="multiclass")``, in order.
#: The first five vary per candidate; none changes meaning with the number of
#: classes or input dimensions.
LAL_MULTICLASS_FEATURE_NAMES = (
    "proba_top",
    "proba_top_std_trees",
    "margin",
    "entropy",
    "share_predicted",
    "oob_accuracy",
    "importance_cv",
    "forest_std",
    "mean_tree_depth",
    "n_labeled_per_class",
    "n_classes",
)
#: Candidate-varying leading columns of each feature set.
N_VARYING = {"paper": 3, "multiclass": 5}
FEATURE_NAMES = {"paper": LAL_FEATURE_NAMES, "multiclass": LAL_MULTICLASS_FEATURE_NAMES}


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


def _class_vote(p, p_sq, target):
    """Mean and spread over the trees of each row's probability of ``target``.

    ``p`` and ``p_sq`` are the trees' mean probabilities and mean squared
    probabilities; the spread is the standard deviation (ddof 0).
    """
    idx = np.arange(p.shape[0])
    mean = p[idx, target]
    return mean, np.sqrt(np.maximum(p_sq[idx, target] - mean * mean, 0.0))


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
        self.n_features_in = importances.shape[0]
        self.depth = float(np.mean([t.tree_.max_depth for t in trees]))
        self.n_labeled = float(X_labeled.shape[0])

    def pool_features(self, X_pool, chunk_size=None, features="paper"):
        """The features of every pool row (``features``: the column set)."""
        X_pool = _forest_input(X_pool)
        if features == "multiclass":
            return self._multiclass_features(X_pool, chunk_size)
        feats = np.empty((X_pool.shape[0], len(LAL_FEATURE_NAMES)))
        for sl, p, p_sq in self._votes(X_pool, chunk_size, 4):
            if self.n_classes == 2:
                # The paper's binary features: class 0 against class 1.
                target = np.zeros(p.shape[0], dtype=np.intp)
            else:
                # One-vs-rest on each candidate's predicted class.
                target = np.argmax(p, axis=1)
            feats[sl, 0], feats[sl, 1] = _class_vote(p, p_sq, target)
            feats[sl, 2] = 1.0 - self.class_share[target]
        feats[:, 3] = self.oob
        feats[:, 4] = self.importance_std
        # Forest variance: the spread of the trees averaged over the pool.
        feats[:, 5] = feats[:, 1].mean()
        feats[:, 6] = self.depth
        feats[:, 7] = self.n_labeled
        return feats

    def _votes(self, X_pool, chunk_size, arrays_per_class):
        """Chunks of the pool with the trees' mean probabilities and squares.

        ``arrays_per_class`` sizes the chunks: how many float arrays of
        width ``n_classes`` the caller holds per row besides the input.
        """
        n, c = X_pool.shape[0], self.n_classes
        n_trees = len(self.trees)
        rows = chunk_rows(8 * (arrays_per_class * c + X_pool.shape[1]), n, chunk_size)
        for sl in iter_chunks(n, rows):
            total, squares = _tree_moments(self.trees, X_pool[sl], c)
            yield sl, total / n_trees, squares / n_trees

    def _multiclass_features(self, X_pool, chunk_size):
        c = self.n_classes
        feats = np.empty((X_pool.shape[0], len(LAL_MULTICLASS_FEATURE_NAMES)))
        for sl, p, p_sq in self._votes(X_pool, chunk_size, 6):
            order = np.argsort(-p, axis=1, kind="stable")
            top = order[:, 0]
            mean, feats[sl, 1] = _class_vote(p, p_sq, top)
            feats[sl, 0] = mean
            idx = np.arange(p.shape[0])
            feats[sl, 2] = mean - p[idx, order[:, 1]]
            with np.errstate(divide="ignore", invalid="ignore"):
                plogp = np.where(p > 0, p * np.log(p), 0.0)
            feats[sl, 3] = np.maximum(-plogp.sum(axis=1) / np.log(c), 0.0)
            # Relative to a uniform split, so 1 means "as common as any".
            feats[sl, 4] = c * self.class_share[top]
        feats[:, 5] = self.oob
        # std / mean of the importances (mean 1/d): free of the dimension.
        feats[:, 6] = self.importance_std * self.n_features_in ** 2
        feats[:, 7] = feats[:, 1].mean()
        feats[:, 8] = self.depth
        feats[:, 9] = self.n_labeled / c
        feats[:, 10] = c
        return feats


def lal_features(forest, X_labeled, y_labeled, X_pool, *, chunk_size=None,
                 features="paper"):
    """The LAL learning-state features of each pool sample.

    ``features="paper"`` gives the eight columns of the paper, below;
    ``features="multiclass"`` the eleven columns of
    :data:`LAL_MULTICLASS_FEATURE_NAMES`, whose meaning does not depend on
    the number of classes ``C`` or the input dimension ``d``:

    ``proba_top`` (the forest's probability of the candidate's predicted
    class ``ĉ``), ``proba_top_std_trees`` (its spread over the trees),
    ``margin`` (top minus second probability), ``entropy`` (of the
    predicted distribution, over ``log C``), ``share_predicted`` (``C``
    times the labeled share of ``ĉ``: 1 for a uniform split),
    ``oob_accuracy``, ``importance_cv`` (std over mean of the feature
    importances), ``forest_std`` (the second column averaged over the
    pool), ``mean_tree_depth``, ``n_labeled_per_class`` (labeled samples
    over ``C``) and ``n_classes``.

    The paper's columns (:data:`LAL_FEATURE_NAMES`), as in the authors'
    code:

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
    candidate's predicted class ``c`` (which the shipped two-class
    regressors read poorly; use ``features="multiclass"``): column 0 is the
    probability of ``c``,
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
    features : {"paper", "multiclass"}, default="paper"
        The column set.

    Returns
    -------
    features : ndarray of shape (n_pool, 8) or (n_pool, 11)

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
    _check_option(features, "features", tuple(FEATURE_NAMES))
    return _LALState(forest, X_labeled, y_labeled).pool_features(
        X_pool, chunk_size=chunk_size, features=features
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


def _default_classifier():
    return RandomForestClassifier(n_estimators=50)
