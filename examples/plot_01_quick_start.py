"""
Quick start: an active learning loop and its learning curve
===========================================================

Active learning starts from a handful of labels and lets a *query strategy*
choose which samples an annotator labels next. This example shows the two
things you do first with skactive:

* run one loop with :class:`~skactive.ActiveLearner` (margin uncertainty
  sampling with a logistic regression on the bundled digits), where the fully
  labeled ``y`` plays the annotator, and read its learning curve from
  ``history_``;
* compare strategies the way a paper would, with
  :func:`~skactive.active_learning_curve` (repeated, paired runs against
  random sampling) and :func:`~skactive.plot_learning_curves`.

Running time: about 5 s on 2 CPU cores (documentation build, 3 repeats);
about 15 s with ``SKACTIVE_GALLERY_FULL=1`` (10 repeats).
"""

# %%
# The data and the size switch
# ----------------------------
# :func:`~skactive.datasets.load_dataset` returns a stratified train/test
# split of a data set bundled with scikit-learn (nothing is downloaded); the
# digits' pixels are scaled to [0, 1]. The training part is the *pool* the
# strategy queries from, the test part scores each round's model.
#
# Every example in this gallery reads ``SKACTIVE_GALLERY_FULL``: unset, it
# runs small so the documentation builds fast; ``SKACTIVE_GALLERY_FULL=1``
# runs it at the size the text discusses.
import os

import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression

from skactive import (
    ActiveLearner,
    RandomSampling,
    UncertaintySampling,
    active_learning_curve,
    plot_learning_curves,
)
from skactive.datasets import load_dataset

FULL = os.environ.get("SKACTIVE_GALLERY_FULL") == "1"
N_REPEATS = 10 if FULL else 3

data = load_dataset("digits", random_state=0)
X_pool, y_pool, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
print(f"pool {X_pool.shape}, test {X_test.shape}, {data.n_classes} classes")

# %%
# One loop
# --------
# The learner draws 10 initial labels (one per class), then asks the strategy
# for 10 samples per round until 100 more labels are spent. With a fully
# labeled ``y`` a label is revealed only when its sample is queried, which
# simulates the annotator; ``eval_set`` is scored after every round.
clf = LogisticRegression(max_iter=1000)
learner = ActiveLearner(
    UncertaintySampling(clf, measure="margin"),
    batch_size=10, budget=100, initial_size=10,
    eval_set=(X_test, y_test), random_state=0,
)
learner.fit(X_pool, y_pool)
for h in learner.history_:
    print(f"{h['n_labeled']:3d} labels: test accuracy {h['score']:.3f}")

# %%
# The learner is a scikit-learn classifier: ``predict`` and ``score`` use the
# model trained on the 110 labels it bought, out of 1257 in the pool.
full_model = LogisticRegression(max_iter=1000).fit(X_pool, y_pool)
print(f"active learner, 110 labels: {learner.score(X_test, y_test):.3f}")
print(f"all {len(y_pool)} labels:       {full_model.score(X_test, y_test):.3f}")

# %%
# Against random sampling
# -----------------------
# One run says little: the curve depends on the initial set. The learning
# curve of :func:`~skactive.active_learning_curve` repeats the loop with
# different initial sets; within a repeat every strategy starts from the same
# one (a paired comparison). The summary gives the area under the budget
# curve (AUBC, the mean accuracy over the budget) and its gain over random.
strategies = {
    "random": RandomSampling(clf),
    "entropy": UncertaintySampling(clf, measure="entropy"),
    "margin": UncertaintySampling(clf, measure="margin"),
}
result = active_learning_curve(
    strategies, X_pool, y_pool, X_test, y_test,
    batch_size=10, budget=150, initial_size=10, n_repeats=N_REPEATS, random_state=0,
)
for row in result.summary():
    print(f"{row['strategy']:>8}: AUBC {row['aubc_mean']:.3f} ± {row['aubc_std']:.3f}"
          f"  ({row['aubc_vs_random']:+.1%} vs random),"
          f" accuracy at 160 labels {row['final_score']:.3f}")

# %%
ax = plot_learning_curves(result,
                          title=f"digits, logistic regression, {N_REPEATS} repeats")
ax.axhline(full_model.score(X_test, y_test), color="grey", ls=":", label="all labels")
ax.legend(loc="lower right")
plt.show()

# %%
# Margin sampling reaches random sampling's final accuracy with about half
# the labels and is ahead of it at every budget after the first round.
# Entropy, the other textbook measure, stays below random sampling until
# about 130 labels: on ten classes it prefers samples where many classes
# are plausible at once, which teach the model less about any one boundary
# (the next example shows where each measure looks). The band is one
# standard deviation over repeats; the dotted line is the model trained on
# all 1257 pool labels.
#
# Next: :ref:`where each uncertainty measure looks
# <sphx_glr_auto_examples_plot_02_uncertainty_measures.py>`, or run the same
# kind of comparison from the shell with ``skactive compare``.
