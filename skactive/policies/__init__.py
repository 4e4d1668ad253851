"""Learned query strategies and the meta-fitters that learn them.

:class:`LALStrategy` scores candidates with a regressor learned by
:class:`LALMonteCarlo` (Konyushkova et al., 2017); the regressors learned on
synthetic data ship with the package (:func:`load_lal_regressor`).
:class:`DAgger` learns a query policy by imitating an expert; with
:class:`IALEExpert` (the best of an ensemble of heuristics) and
:class:`IALEState` it is IALE (Löffler & Mutschler), applied by
:class:`IALEStrategy` with the policy shipped with the package
(:func:`load_iale_policy`). With :class:`ALILExpert` (one-step roll-outs)
and :class:`ALILState` it is ALIL (Liu et al., 2018), applied by
:class:`ALILStrategy` with the policy shipped with the package
(:func:`load_alil_policy`).
"""

from ._alil import (
    BASIS_FREE_COLUMNS,
    ALILExpert,
    ALILState,
    ALILStrategy,
    load_alil_policy,
    neg_log_loss_aligned,
    save_alil_policy,
)
from ._artefacts import CompactForestRegressor
from ._dagger import DAgger, beta_schedule, policy_scores
from ._iale import (
    IALEExpert,
    IALEStrategy,
    default_iale_experts,
    load_iale_policy,
    save_iale_policy,
)
from ._iale_state import IALE_INVARIANT_FEATURE_NAMES, IALEState
from ._lal import LALStrategy, load_lal_regressor
from ._lal_features import LAL_FEATURE_NAMES, LAL_MULTICLASS_FEATURE_NAMES, lal_features
from ._lal_simulation import LALMonteCarlo
from ._policy_net import PolicyMLP

__all__ = [
    "ALILExpert",
    "ALILState",
    "ALILStrategy",
    "BASIS_FREE_COLUMNS",
    "CompactForestRegressor",
    "DAgger",
    "IALEExpert",
    "IALEState",
    "IALE_INVARIANT_FEATURE_NAMES",
    "IALEStrategy",
    "LAL_FEATURE_NAMES",
    "LAL_MULTICLASS_FEATURE_NAMES",
    "LALMonteCarlo",
    "LALStrategy",
    "PolicyMLP",
    "beta_schedule",
    "default_iale_experts",
    "lal_features",
    "load_alil_policy",
    "load_iale_policy",
    "load_lal_regressor",
    "neg_log_loss_aligned",
    "policy_scores",
    "save_alil_policy",
    "save_iale_policy",
]
