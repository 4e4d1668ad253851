"""Learned query strategies and the meta-fitters that learn them.

:class:`LALStrategy` scores candidates with a regressor learned by
:class:`LALMonteCarlo` (Konyushkova et al., 2017); the regressors learned on
synthetic data ship with the package (:func:`load_lal_regressor`).
"""

from ._artefacts import CompactForestRegressor
from ._lal import (
    LAL_FEATURE_NAMES,
    LALMonteCarlo,
    LALStrategy,
    lal_features,
    load_lal_regressor,
)

__all__ = [
    "CompactForestRegressor",
    "LAL_FEATURE_NAMES",
    "LALMonteCarlo",
    "LALStrategy",
    "lal_features",
    "load_lal_regressor",
]
