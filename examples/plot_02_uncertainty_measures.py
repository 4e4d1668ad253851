"""
Uncertainty sampling: entropy, least confidence and margin
==========================================================

:class:`~skactive.UncertaintySampling` queries the samples the current
classifier is least sure about. *How* it measures doubt matters once there
are more than two classes (for two classes the three measures rank every
sample the same way). This example shows

* where each measure looks: its utility over a 2-D, three-class problem and
  the batch it picks (``score_samples`` and ``query`` of a fitted strategy);
* what that buys: learning curves of the three measures against random
  sampling on five Gaussian classes in 10 dimensions;
* that classifiers without ``predict_proba`` work too: margin sampling on a
  :class:`~sklearn.svm.LinearSVC` reads its ``decision_function``.

Running time: about 5 s on 2 CPU cores (documentation build, 3 repeats);
about 15 s with ``SKACTIVE_GALLERY_FULL=1`` (20 repeats).
"""

# %%
# Where each measure looks
# ------------------------
# Three Gaussian blobs; the classifier has seen two labeled samples per
# class (squares). For ``C`` class probabilities ``p`` the measures are the
# entropy ``-sum p log p``, the least confidence ``1 - max p``, and the
# margin: minus the gap between the two largest probabilities.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from skactive import (
    RandomSampling,
    UncertaintySampling,
    active_learning_curve,
    plot_learning_curves,
)
from skactive.datasets import make_multiclass_clouds

FULL = os.environ.get("SKACTIVE_GALLERY_FULL") == "1"
N_REPEATS = 20 if FULL else 3

X, y = make_blobs(600, centers=[(-2, 0), (2, 0), (0, 3)], cluster_std=1.2,
                  random_state=0)
rng = np.random.RandomState(0)
labeled = np.concatenate([rng.choice(np.flatnonzero(y == c), 2, replace=False)
                          for c in range(3)])
pool = np.setdiff1d(np.arange(len(y)), labeled)

xx, yy = np.meshgrid(np.linspace(X[:, 0].min(), X[:, 0].max(), 200),
                     np.linspace(X[:, 1].min(), X[:, 1].max(), 200))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True,
                         layout="constrained")
for ax, measure in zip(axes, ["entropy", "least_confidence", "margin"]):
    strategy = UncertaintySampling(LogisticRegression(), measure=measure)
    strategy.fit(X[labeled], y[labeled])
    utility = strategy.score_samples(grid).reshape(xx.shape)
    picked = pool[strategy.query(X[pool], batch_size=15)]
    ax.contourf(xx, yy, utility, levels=20, cmap="Greys", alpha=0.8)
    ax.scatter(*X[pool].T, c=y[pool], s=6, cmap="viridis", vmin=0, vmax=2)
    ax.scatter(*X[labeled].T, c=y[labeled], s=80, cmap="viridis", vmin=0, vmax=2,
               edgecolor="k", marker="s", label="labeled")
    ax.scatter(*X[picked].T, s=60, facecolor="none", edgecolor="red", lw=1.5,
               label="queried")
    ax.set_title(measure)
axes[0].legend(loc="lower left")
fig.suptitle("Utility (darker: queried first) and the 15 samples each measure queries")
plt.show()

# %%
# Entropy is highest where all three classes are equally likely, so it
# favours the point where the three boundaries meet. Margin only looks at the
# top two classes: every stretch of every pairwise boundary is equally
# uncertain to it, so its batch is spread along the boundaries. Least
# confidence lies in between. With two classes the three maps would have the
# same contours.
#
# What this buys
# --------------
# Five Gaussian classes in 10 dimensions (1000 pool samples, 2000 test
# samples), logistic regression, 10 initial labels, batches of 10 up to 160
# labels. ``svm margin`` is margin sampling with a linear SVM, which has no
# ``predict_proba``: the strategy falls back to the gap between the two
# largest ``decision_function`` scores (its curve is the SVM's accuracy, the
# others' the logistic regression's).
X, y, X_test, y_test = make_multiclass_clouds(
    1000, n_classes=5, n_features=10, random_state=0, return_test=True, n_test=2000)
clf = LogisticRegression(max_iter=1000)
strategies = {
    "random": RandomSampling(clf),
    "entropy": UncertaintySampling(clf, measure="entropy"),
    "least_confidence": UncertaintySampling(clf, measure="least_confidence"),
    "margin": UncertaintySampling(clf, measure="margin"),
    "svm margin": UncertaintySampling(LinearSVC(), measure="margin"),
}
result = active_learning_curve(
    strategies, X, y, X_test, y_test, batch_size=10, budget=150, initial_size=10,
    n_repeats=N_REPEATS, random_state=0,
)
for row in result.summary():
    print(f"{row['strategy']:>16}: AUBC {row['aubc_mean']:.3f} "
          f"({row['aubc_vs_random']:+.1%} vs random), "
          f"accuracy at 160 labels {row['final_score']:.3f}")

# %%
ax = plot_learning_curves(result,
                          title=f"5 Gaussian classes in 10-D, {N_REPEATS} repeats")
plt.show()

# %%
# Margin sampling leads throughout, and the SVM's margin does nearly as well.
# Entropy spends its labels where many of the five classes are plausible at
# once, like the junction in the first figure, which teaches the model
# little about any single boundary; it falls below random sampling. Least
# confidence ends level with random. On a new multi-class problem margin is
# a good default, but run the comparison: which measure wins depends on the
# data and the classifier.
