"""Learned query strategies and the meta-fitters that learn them.

:class:`LALStrategy` scores candidates with a regressor learned by
:class:`LALMonteCarlo` (Konyushkova et al., 2017); the regressors learned on
synthetic data ship with the package (:func:`load_lal_regressor`).
:class:`DAgger` learns a query policy by imitating an expert; with
:class:`IALEExpert` (the best of an ensemble of heuristics) and
:class:`IALEState` it is IALE (Löffler & Mutschler), applied by
:class:`IALEStrategy` with the policy shipped with the package
(:func:`load_iale_policy`).
"""

from ._artefacts import CompactForestRegressor
from ._dagger import DAgger, beta_schedule, policy_scores
from ._iale import (
    IALEExpert,
    IALEState,
    IALEStrategy,
    default_iale_experts,
    load_iale_policy,
    save_iale_policy,
)
from ._lal import (
    LAL_FEATURE_NAMES,
    LALMonteCarlo,
    LALStrategy,
    lal_features,
    load_lal_regressor,
)
from ._policy_net import PolicyMLP

__all__ = [
    "CompactForestRegressor",
    "DAgger",
    "IALEExpert",
    "IALEState",
    "IALEStrategy",
    "LAL_FEATURE_NAMES",
    "LALMonteCarlo",
    "LALStrategy",
    "PolicyMLP",
    "beta_schedule",
    "default_iale_experts",
    "lal_features",
    "load_iale_policy",
    "load_lal_regressor",
    "policy_scores",
    "save_iale_policy",
]
