"""The optimal-order oracle: what active learning could reach.

:class:`OptimalOrderSearch` searches the labeling order of highest
ξ-quality by simulated annealing (Zhou et al. 2021); :class:`ReplayOrder`
replays an order as a query strategy in :class:`~skactive.ActiveLearner`.
"""

from ._annealing import OptimalOrderSearch, acceptance_probability, propose_order
from ._replay import ReplayOrder

__all__ = [
    "OptimalOrderSearch",
    "ReplayOrder",
    "acceptance_probability",
    "propose_order",
]
