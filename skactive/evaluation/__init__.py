"""Evaluation of active learning: learning curves, AUBC, deficiency, plots.

The learning curve is the unit of evidence: :func:`active_learning_curve`
runs strategies paired over repeats and returns an
:class:`ActiveLearningCurveResult` with the curves and their summaries,
which plots with :func:`plot_learning_curves` and serialises to JSON.

What a strategy acquires is described by the distribution of its labeled
set's labels (or input bins) over time, against a reference such as the test
set's (Zhou et al. 2021, Sec. 6.4): :func:`acquisition_distribution`,
:func:`learner_distribution`, :func:`distribution_distance` and
:func:`plot_acquisition_distribution`.
"""

from ._curves import ActiveLearningCurveResult, active_learning_curve
from ._distribution import (
    DistributionOverTime,
    acquisition_distribution,
    category_proportions,
    distribution_distance,
    learner_distribution,
    plot_acquisition_distribution,
)
from ._metrics import aubc, deficiency, relative_aubc, xi_quality
from ._plot import plot_learning_curves

__all__ = [
    "ActiveLearningCurveResult",
    "DistributionOverTime",
    "acquisition_distribution",
    "active_learning_curve",
    "aubc",
    "category_proportions",
    "deficiency",
    "distribution_distance",
    "learner_distribution",
    "plot_acquisition_distribution",
    "plot_learning_curves",
    "relative_aubc",
    "xi_quality",
]
