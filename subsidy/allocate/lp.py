"""The allocation linear program, built with PuLP.

Variables x[f,e,c] ≥ 0 exist only where fund f may pay category c of enterprise e and something
is left to pay; own[e,c] exists only for enterprises under the `free` own-funds rule. Every
constraint is registered under the readable name of the spec (`budget[central_reward]`,
`need[wenquan,bank_debt]`, ...) so a user can be told which rule binds; PuLP's own names are
sanitised copies and are not shown to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from subsidy.scenario.model import Scenario
from subsidy.allocate.rules import OWN, Arc, Rules, build_rules, fund_ranks, tie_break_weight
from subsidy.allocate.waterfall import OwnFundsSplit

__all__ = ["OWN", "Arc", "AllocationLP", "build", "add_fairness", "fund_ranks", "tie_break_weight"]


@dataclass
class AllocationLP:
    """The program for one scenario, and the data it was built from (amounts in the scenario unit)."""

    scenario: Scenario
    splits: dict[str, OwnFundsSplit]
    residual: dict[tuple[str, str], float]  # r[e,c] > 0 only
    arcs: list[Arc]
    problem: pulp.LpProblem
    x: dict[Arc, pulp.LpVariable]
    constraints: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    upper_bounds: dict[str, tuple[list[Arc], int]] = field(default_factory=dict)  # name → (arcs, bound in fen, rounded down)
    weighted_gap: pulp.LpAffineExpression | None = None
    total_funded: pulp.LpAffineExpression | None = None
    max_gap_share: pulp.LpVariable | None = None
    enterprise_need: dict[str, float] = field(default_factory=dict)  # Σ_c r[e,c]

    def add(self, name: str, constraint: pulp.LpConstraint) -> None:
        """Register a constraint under its readable name (PuLP gets a safe positional one)."""
        self.problem.addConstraint(constraint, name=f"c{len(self.constraints)}")
        self.constraints[name] = constraint


def build(scenario: Scenario, rules: Rules | None = None) -> AllocationLP:
    """Build the constraints of the spec; objectives are set stage by stage in `solve`."""
    rules = rules or build_rules(scenario)
    arcs = rules.arcs
    problem = pulp.LpProblem("allocation", pulp.LpMinimize)
    x = {arc: problem.add_variable(f"x{i}", lowBound=0) for i, arc in enumerate(arcs)}
    lp = AllocationLP(scenario, rules.splits, rules.residual, arcs, problem, x)
    for bound in rules.bounds:
        expr = pulp.LpAffineExpression([(x[a], 1.0) for a in bound.arcs])
        lp.add(bound.name, expr <= float(bound.exact))
    lp.upper_bounds = rules.upper_bounds

    weights = rules.weights
    constant = sum(weights[c] * r for (_, c), r in rules.residual.items())
    lp.weighted_gap = pulp.LpAffineExpression([(x[a], -weights[a.category]) for a in arcs], constant=constant)
    lp.total_funded = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs])
    lp.enterprise_need = dict(rules.enterprise_need)
    return lp


def add_fairness(lp: AllocationLP) -> pulp.LpVariable:
    """Stage 2's variable: the largest gap share, bounded below by each enterprise's share."""
    share = lp.problem.add_variable("max_gap_share", lowBound=0, upBound=1)
    funded_by_enterprise: dict[str, list] = {}
    for arc, var in lp.x.items():
        funded_by_enterprise.setdefault(arc.enterprise, []).append((var, 1.0))
    for eid, need in sorted(lp.enterprise_need.items()):
        terms = funded_by_enterprise.get(eid, []) + [(share, need)]
        # Σ_c gap[e,c] ≤ share · Σ_c r[e,c]  ⇔  funded_e + share · need_e ≥ need_e
        lp.add(f"gap_share[{eid}]", pulp.LpAffineExpression(terms) >= need)
    lp.max_gap_share = share
    return share
