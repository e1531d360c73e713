"""The allocation linear program, built with PuLP.

Variables x[f,e,c] ≥ 0 exist only where fund f may pay category c of enterprise e and something
is left to pay; own[e,c] exists only for enterprises under the `free` own-funds rule. Every
constraint is registered under the readable name of the spec (`budget[central_reward]`,
`need[wenquan,bank_debt]`, ...) so a user can be told which rule binds; PuLP's own names are
sanitised copies and are not shown to anyone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

import pulp

from .model import Scenario
from .waterfall import OwnFundsSplit, apply_own_funds

OWN = "(own funds)"
"""The source name own funds take in the LP under the `free` rule."""


@dataclass(frozen=True)
class Arc:
    """One way money may flow: from `source` (a fund id, or OWN) to cost line (enterprise, category)."""

    source: str
    enterprise: str
    category: str


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

    def add_upper(self, name: str, arcs: list[Arc], bound: Decimal) -> None:
        """Σ x over `arcs` ≤ bound; the bound is also kept in whole fen (rounded down) so the
        rounded allocation can be held to the same rule."""
        expr = pulp.LpAffineExpression([(self.x[a], 1.0) for a in arcs])
        self.add(name, expr <= float(bound))
        self.upper_bounds[name] = (arcs, int((bound * 100).to_integral_value(rounding=ROUND_FLOOR)))


def tie_break_weight(arc: Arc, fund_rank: int) -> float:
    """Stage-3 cost of one unit on an arc: fund rank first, then a fixed pseudo-random part.

    The pseudo-random part comes from the ids only (sha256), so the chosen allocation does not
    depend on the order of enterprises in the file, and it makes ties between cost lines
    vanish so that the optimum is a single point.
    """
    digest = hashlib.sha256(f"{arc.source}|{arc.enterprise}|{arc.category}".encode()).digest()
    jitter = int.from_bytes(digest[:6], "big") / 2**48  # [0, 1)
    return fund_rank + 1 + 0.5 * jitter


def eligible_arcs(scenario: Scenario, residual: dict[tuple[str, str], float]) -> list[Arc]:
    """Arcs in a fixed order: funds as listed, enterprises by id, categories by name."""
    enterprises = sorted(scenario.enterprises, key=lambda e: e.id)
    arcs: list[Arc] = []
    for fund in scenario.funds:
        payable = set(fund.categories)
        for ent in enterprises:
            if not fund.scope.admits(ent):
                continue
            for cat in sorted(ent.costs):
                if cat in payable and residual.get((ent.id, cat), 0) > 0:
                    arcs.append(Arc(fund.id, ent.id, cat))
    for ent in enterprises:
        if ent.own_funds_rule == "free" and ent.own_funds_total > 0:
            for cat in sorted(ent.costs):
                if residual.get((ent.id, cat), 0) > 0:
                    arcs.append(Arc(OWN, ent.id, cat))
    return arcs


def build(scenario: Scenario) -> AllocationLP:
    """Build the constraints of the spec; objectives are set stage by stage in `solve`."""
    categories = scenario.category_table
    splits = {e.id: apply_own_funds(e, categories) for e in scenario.enterprises}
    residual = {
        (eid, cat): fen / 100
        for eid, split in sorted(splits.items())
        for cat, fen in split.residual.items()
        if fen > 0
    }
    arcs = eligible_arcs(scenario, residual)
    problem = pulp.LpProblem("allocation", pulp.LpMinimize)
    x = {arc: problem.add_variable(f"x{i}", lowBound=0) for i, arc in enumerate(arcs)}
    lp = AllocationLP(scenario, splits, residual, arcs, problem, x)

    by_source: dict[str, list[Arc]] = {}
    by_line: dict[tuple[str, str], list[Arc]] = {}
    by_source_enterprise: dict[tuple[str, str], list[Arc]] = {}
    for arc in arcs:
        by_source.setdefault(arc.source, []).append(arc)
        by_line.setdefault((arc.enterprise, arc.category), []).append(arc)
        by_source_enterprise.setdefault((arc.source, arc.enterprise), []).append(arc)

    enterprises = {e.id: e for e in scenario.enterprises}
    funds = {f.id: f for f in scenario.funds}
    for fund in scenario.funds:
        lp.add_upper(f"budget[{fund.id}]", by_source.get(fund.id, []), fund.budget)
    for (src, eid), arcs_fe in by_source_enterprise.items():
        if src == OWN:
            lp.add_upper(f"own_funds[{eid}]", arcs_fe, Decimal(splits[eid].unused) / 100)
            continue
        cap = funds[src].enterprise_cap(enterprises[eid])
        if cap is not None:
            lp.add_upper(f"cap_enterprise[{src},{eid}]", arcs_fe, cap)
    for fund in scenario.funds:
        share = fund.caps.share_of_need
        if share is not None and share < 1:
            for arc in by_source.get(fund.id, []):
                r_fen = splits[arc.enterprise].residual[arc.category]
                bound = Decimal(repr(share)) * r_fen / 100
                lp.add_upper(f"cap_share[{fund.id},{arc.enterprise},{arc.category}]", [arc], bound)
    for (eid, cat), arcs_l in by_line.items():
        lp.add_upper(f"need[{eid},{cat}]", arcs_l, Decimal(splits[eid].residual[cat]) / 100)

    weights = {c: cat.weight for c, cat in categories.items()}
    constant = sum(weights[c] * r for (_, c), r in residual.items())
    lp.weighted_gap = pulp.LpAffineExpression([(x[a], -weights[a.category]) for a in arcs], constant=constant)
    lp.total_funded = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs])
    for (eid, _), r in residual.items():
        lp.enterprise_need[eid] = lp.enterprise_need.get(eid, 0.0) + r
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


def fund_ranks(scenario: Scenario) -> dict[str, int]:
    """Own funds rank before every public fund: an enterprise spends its own money first."""
    ranks = {fund.id: i + 1 for i, fund in enumerate(scenario.funds)}
    ranks[OWN] = 0
    return ranks

