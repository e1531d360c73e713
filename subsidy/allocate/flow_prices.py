"""What a rule's bound is worth, from the flow's own products (placeholder: being replaced)."""

from __future__ import annotations

import numpy as np


class FlowPrices:
    def __init__(self, rules, net, flow1, potentials):
        self.rules, self.net, self.flow1, self.potentials = rules, net, flow1, potentials

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        from subsidy.allocate.lp import LpPrices

        return LpPrices(self.rules).marginal_values(bounds, unit_weights)
