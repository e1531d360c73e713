"""The allocation's rules as plain data: who may pay what, and every upper bound, in exact amounts.

Both solvers read this one description: `lp.build` turns it into a PuLP model, `flow.solve_flow`
into a min-cost-flow network. Nothing here imports a solver, so the fast path starts quickly.

Arcs come in a fixed order (funds as listed, enterprises by id, categories by name; then own funds
under the `free` rule) and bounds in the order the spec lists them; the LP's row order follows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from .model import Scenario
from .waterfall import OwnFundsSplit, apply_own_funds, floor_fen, to_fen

OWN = "(own funds)"
"""The source name own funds take under the `free` rule."""


@dataclass(frozen=True, slots=True)
class Arc:
    """One way money may flow: from `source` (a fund id, or OWN) to cost line (enterprise, category)."""

    source: str
    enterprise: str
    category: str


class Bound(NamedTuple):
    """Σ x over `arcs` ≤ `exact` (scenario unit); `fen` is the same bound in whole fen, rounded down.

    `kind` is budget | own_funds | cap_enterprise | cap_share | need, and `key` what it is about:
    a fund id, an enterprise id, (fund, enterprise), an Arc, or (enterprise, category).
    """

    name: str
    kind: str
    key: object
    arcs: list[Arc]
    exact: Decimal
    fen: int


@dataclass
class Rules:
    """Residual needs after own funds, the arcs money may take, and the upper bounds on them."""

    scenario: Scenario
    splits: dict[str, OwnFundsSplit]
    residual: dict[tuple[str, str], float]  # r[e,c] > 0 only, in the scenario unit
    arcs: list[Arc]
    bounds: list[Bound] = field(default_factory=list)
    enterprise_need: dict[str, float] = field(default_factory=dict)  # Σ_c r[e,c]

    @property
    def upper_bounds(self) -> dict[str, tuple[list[Arc], int]]:
        """name → (arcs, bound in fen rounded down): what the rounded allocation must keep."""
        return {b.name: (b.arcs, b.fen) for b in self.bounds}

    @property
    def weights(self) -> dict[str, float]:
        return {c: cat.weight for c, cat in self.scenario.category_table.items()}


def tie_break_weight(arc: Arc, fund_rank: int) -> float:
    """Stage-3 cost of one unit on an arc: fund rank first, then a fixed pseudo-random part.

    The pseudo-random part comes from the ids only (sha256), so the chosen allocation does not
    depend on the order of enterprises in the file, and it makes ties between cost lines
    vanish so that the optimum is a single point.
    """
    return fund_rank + 1 + 0.5 * tie_break_jitter(arc)


def tie_break_jitter(arc: Arc) -> float:
    """The pseudo-random part of `tie_break_weight`, in [0, 1): 48 bits of sha256 of the ids."""
    digest = hashlib.sha256(f"{arc.source}|{arc.enterprise}|{arc.category}".encode()).digest()
    return int.from_bytes(digest[:6], "big") / 2**48


def fund_ranks(scenario: Scenario) -> dict[str, int]:
    """Own funds rank before every public fund: an enterprise spends its own money first."""
    ranks = {fund.id: i + 1 for i, fund in enumerate(scenario.funds)}
    ranks[OWN] = 0
    return ranks


def eligible_arcs(scenario: Scenario, residual: dict[tuple[str, str], float]) -> list[Arc]:
    """Arcs in a fixed order: funds as listed, enterprises by id, categories by name."""
    enterprises = sorted(scenario.enterprises, key=lambda e: e.id)
    # Each enterprise's lines with something left to pay, sorted once (not once per fund).
    open_lines = [(ent, [c for c in sorted(ent.costs) if residual.get((ent.id, c), 0) > 0]) for ent in enterprises]
    arcs: list[Arc] = []
    for fund in scenario.funds:
        payable = set(fund.categories)
        admits = fund.scope.admits
        for ent, cats in open_lines:
            if cats and admits(ent):
                arcs.extend([Arc(fund.id, ent.id, cat) for cat in cats if cat in payable])
    for ent, cats in open_lines:
        if ent.own_funds_rule == "free" and ent.own_funds_total > 0:
            arcs.extend([Arc(OWN, ent.id, cat) for cat in cats])
    return arcs


def build_rules(scenario: Scenario) -> Rules:
    """Own funds first (waterfall in fen), then the spec's arcs and bounds."""
    categories = scenario.category_table
    splits = {e.id: apply_own_funds(e, categories) for e in scenario.enterprises}
    residual = {
        (eid, cat): fen / 100
        for eid, split in sorted(splits.items())
        for cat, fen in split.residual.items()
        if fen > 0
    }
    arcs = eligible_arcs(scenario, residual)
    rules = Rules(scenario, splits, residual, arcs)
    bounds = rules.bounds

    # Arcs come grouped by source, then enterprise (see eligible_arcs), so groupby suffices.
    by_source = {src: list(group) for src, group in groupby(arcs, key=attrgetter("source"))}
    by_source_enterprise = [(key, list(group)) for key, group in groupby(arcs, key=attrgetter("source", "enterprise"))]
    by_line: dict[tuple[str, str], list[Arc]] = {}
    for arc in arcs:
        key = (arc.enterprise, arc.category)
        line = by_line.get(key)
        if line is None:
            by_line[key] = [arc]
        else:
            line.append(arc)

    enterprises = {e.id: e for e in scenario.enterprises}
    funds = {f.id: f for f in scenario.funds}
    for fund in scenario.funds:
        bounds.append(Bound(f"budget[{fund.id}]", "budget", fund.id, by_source.get(fund.id, []), fund.budget, to_fen(fund.budget)))
    for (src, eid), arcs_fe in by_source_enterprise:
        if src == OWN:
            unused = splits[eid].unused
            bounds.append(Bound(f"own_funds[{eid}]", "own_funds", eid, arcs_fe, Decimal(unused).scaleb(-2), unused))
            continue
        cap = funds[src].enterprise_cap(enterprises[eid])
        if cap is not None:
            bounds.append(Bound(f"cap_enterprise[{src},{eid}]", "cap_enterprise", (src, eid), arcs_fe, cap, floor_fen(cap)))
    for fund in scenario.funds:
        share = fund.caps.share_of_need
        if share is not None and share < 1:
            share_dec = Decimal(repr(share))
            for arc in by_source.get(fund.id, []):
                r_fen = splits[arc.enterprise].residual[arc.category]
                exact_fen = share_dec * r_fen
                bounds.append(Bound(f"cap_share[{fund.id},{arc.enterprise},{arc.category}]", "cap_share", arc, [arc],
                                    exact_fen.scaleb(-2), int(exact_fen)))
    for (eid, cat), arcs_l in by_line.items():
        r_fen = splits[eid].residual[cat]
        bounds.append(Bound(f"need[{eid},{cat}]", "need", (eid, cat), arcs_l, Decimal(r_fen).scaleb(-2), r_fen))

    for (eid, _), r in residual.items():
        rules.enterprise_need[eid] = rules.enterprise_need.get(eid, 0.0) + r
    return rules
