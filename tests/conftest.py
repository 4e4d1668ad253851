"""Shared test helpers: a classifier with hand-set probabilities and small data."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def _single_threaded_blas():
    """Tests fit thousands of tiny models: multi-threaded BLAS only contends."""
    with threadpool_limits(limits=1):
        yield


class FixedProbaClassifier(ClassifierMixin, BaseEstimator):
    """Classifier whose probabilities are a fixed table.

    Row ``i`` of ``proba`` is returned for every sample whose first feature is
    ``i``, so a test controls the probabilities of each pool sample exactly.
    """

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y):
        X = np.asarray(X)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        rows = np.asarray(X)[:, 0].astype(int)
        return np.asarray(self.proba, dtype=float)[rows]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def id_rows(n, n_features=2):
    """Pool whose first column is the row id (for FixedProbaClassifier)."""
    X = np.zeros((n, n_features))
    X[:, 0] = np.arange(n)
    return X


@pytest.fixture(scope="session")
def blobs3():
    """Three-class Gaussian blobs in 2-D: (X_labeled, y_labeled, X_pool)."""
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    y = np.repeat(np.arange(3), 30)
    X = centers[y] + rng.normal(scale=1.0, size=(90, 2))
    perm = rng.permutation(90)
    X, y = X[perm], y[perm]
    lab = np.concatenate([np.flatnonzero(y == c)[:4] for c in range(3)])
    pool = np.setdiff1d(np.arange(90), lab)
    return X[lab], y[lab], X[pool]
