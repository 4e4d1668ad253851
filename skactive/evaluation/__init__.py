"""Evaluation of active learning: learning curves, AUBC, deficiency, plots.

The learning curve is the unit of evidence: :func:`active_learning_curve`
runs strategies paired over repeats and returns an
:class:`ActiveLearningCurveResult` with the curves and their summaries,
which plots with :func:`plot_learning_curves` and serialises to JSON.
"""

from ._curves import ActiveLearningCurveResult, active_learning_curve
from ._metrics import aubc, deficiency, relative_aubc
from ._plot import plot_learning_curves

__all__ = [
    "ActiveLearningCurveResult",
    "active_learning_curve",
    "aubc",
    "deficiency",
    "plot_learning_curves",
    "relative_aubc",
]
