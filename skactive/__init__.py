"""skactive: scikit-learn compatible pool-based active learning.

Query strategies are estimators with ``fit`` / ``query`` that wrap any
classifier; :class:`ActiveLearner` runs the loop as a meta-estimator.
"""

from ._version import __version__
from .base import QueryStrategy
from .evaluation import active_learning_curve, plot_learning_curves
from .labeling import LabelingSession
from .learner import ActiveLearner
from .oracle import OptimalOrderSearch, ReplayOrder
from .policies import ALILStrategy, DAgger, IALEStrategy, LALMonteCarlo, LALStrategy
from .stopping import (
    ClassificationChange,
    LabelBudget,
    MaxUncertainty,
    OverallUncertainty,
    StabilizingPredictions,
    StoppingCriterion,
    StoppingState,
)
from .strategies import (
    BADGE,
    BatchBALD,
    CoreSet,
    DeepEnsemble,
    DensityWeighted,
    DiversitySampling,
    ExpectedErrorReduction,
    IDMR,
    MCDropout,
    PowerBALD,
    QueryByCommittee,
    RandomSampling,
    UncertaintySampling,
)

__all__ = [
    "ALILStrategy",
    "ActiveLearner",
    "BADGE",
    "BatchBALD",
    "ClassificationChange",
    "CoreSet",
    "DAgger",
    "DeepEnsemble",
    "DensityWeighted",
    "DiversitySampling",
    "ExpectedErrorReduction",
    "IALEStrategy",
    "IDMR",
    "LALMonteCarlo",
    "LALStrategy",
    "LabelingSession",
    "LabelBudget",
    "MCDropout",
    "MaxUncertainty",
    "OptimalOrderSearch",
    "OverallUncertainty",
    "PowerBALD",
    "QueryByCommittee",
    "QueryStrategy",
    "RandomSampling",
    "ReplayOrder",
    "StabilizingPredictions",
    "StoppingCriterion",
    "StoppingState",
    "UncertaintySampling",
    "__version__",
    "active_learning_curve",
    "plot_learning_curves",
]
