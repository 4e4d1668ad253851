"""Query strategies: classic heuristics for any scikit-learn classifier."""

from ._badge import BADGE
from ._bayesian import BatchBALD, DeepEnsemble, MCDropout, PowerBALD, mc_scores
from ._committee import QueryByCommittee, committee_scores
from ._coreset import CoreSet
from ._diversity import DensityWeighted, DiversitySampling, similarity_to_set
from ._eer import ExpectedErrorReduction
from ._idmr import IDMR, KMeansBinner, LengthBinner
from ._random import RandomSampling
from ._uncertainty import UncertaintySampling, uncertainty_scores

__all__ = [
    "BADGE",
    "BatchBALD",
    "CoreSet",
    "DeepEnsemble",
    "DensityWeighted",
    "DiversitySampling",
    "ExpectedErrorReduction",
    "IDMR",
    "KMeansBinner",
    "LengthBinner",
    "MCDropout",
    "PowerBALD",
    "QueryByCommittee",
    "RandomSampling",
    "UncertaintySampling",
    "committee_scores",
    "mc_scores",
    "similarity_to_set",
    "uncertainty_scores",
]
