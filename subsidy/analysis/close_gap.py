"""What closes the gap: the least extra budget, per fund and in total, that brings the gap down.

The total gap (summary.json's total_gap) splits into three parts that behave differently:
- no fund may pay: lines whose category no fund lists, or whose enterprise no fund listing the
  category admits (scope). No budget closes these; the categories are listed.
- held by caps: what stays open even if every budget were unlimited, because per-enterprise,
  per-capacity or share-of-need caps stop the funds. Only changing a cap closes it; the caps
  that hold money back are listed with what one more unit of each would close.
- closable: the rest. The least extra budget that closes it (or brings the total gap down to a
  `target`) is found by one linear program (PuLP):

    minimise  Σ_f extra[f]
    budget[f]:      Σ x[f,·,·] ≤ budget_f + extra[f]
    cap_…, need[…]: the allocation program's rules, unchanged (caps stay)
    commitment[…]:  decisions already taken, unchanged (the flows carry them as leasts too)
    coverage[…]:    minimum coverage, each line's least, unchanged (the same)
    match[…]:       配套, unchanged; with any, x and extra are whole fen (MIPs, as the solve's
                    stages: `allocate.mip`) and the caps' closes_per_unit comes from the relaxation
    target_gap:     Σ r[e,c] − Σ x ≥ …  i.e.  total gap ≤ target

  then, holding that minimum, the same program puts the extra into funds in the order listed
  (the first fund first), as the allocation's own tie-break does. Per fund it also reports the
  least extra if only that fund grew.

Those are the linear programs (`method="pulp"`, and the CBC solver). By default the same
quantities come exactly from integer max flows on the solve's rules made a network
(`allocate.flow_close_gap`), 20-30× faster on 2,000 enterprises; only rules the integer flow
cannot carry take the LPs. The caps' "closes_per_unit" is then the right derivative (0 or 1)
rather than the LP's dual.

Bounds are the allocation's in whole fen (rounded down, as the reconciled allocation keeps
them) and the programs are written in fen, so the data are integers and the network structure of
the program makes its optimum whole fen too: the solver's values are read to the nearest fen, and
the total extra is held at that whole number while the funds' order splits it. (They were written
in the scenario unit, held with a relative slack of 1e-9 and rounded up: at 4×10^7 万元 the
solver's noise made 4 of 51 "if only this fund grew" figures 0.01 too high, against the flow's.) With the extra added, `subsidy
solve` reaches the target: the allocation funds as much as the money and the caps allow.
The answer in words is output's (`output.analysis_text.gap_closure_text`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pulp

import numpy as np

from subsidy.allocate.distribution import distributions
from subsidy.allocate.lp_solvers import make_mip_solver, make_solver
from subsidy.allocate.result import Result
from subsidy.allocate.rules import OWN, Arc, Rules
from subsidy.allocate.stages import SolveError
from subsidy.allocate.waterfall import from_fen, to_fen
from subsidy.pipeline import solve
from subsidy.scenario.model import MAX_AMOUNT, Scenario


class AllocationLP:
    """The solve's rules as close-gap's programs read them: arcs, and each bound's arcs and
    whole-fen limit by readable name."""

    def __init__(self, rules: Rules):
        self.arcs = rules.arcs
        self.upper_bounds = rules.upper_bounds()
        # distribution[f,r] → (fund, the region's exact share): its amount grows with the fund's budget
        # (× `share`, the part split by region); distribution_pool[f] → (fund, 1 − share), and the
        # pooled regions by fund: each region's row gets its z_r, the pool's row their sum (lp_pool)
        split = {f.id: Fraction(f.distribution.share) for f in rules.scenario.funds if f.distribution is not None}
        self.region_shares = {f"distribution[{r.fund},{r.region}]": (r.fund, split[r.fund] * r.share)
                              for regions in distributions(rules.scenario).values() for r in regions}
        self.pools = {f"distribution_pool[{rules.sources[f]}]": (rules.sources[f], 1 - split[rules.sources[f]]) for f in rules.pool_fund.tolist()}
        self.pooled = {rules.sources[f]: [n for n in self.region_shares if n.startswith(f"distribution[{rules.sources[f]},")]
                       for f in rules.pool_fund.tolist()}
        # (name, arcs, least, most) of each commitment, in fen (most -1: none); hard rules here too
        self.commitments = [(name, [self.arcs[a] for a in arcs.tolist()], low, high) for name, arcs, low, high in
                            zip(rules.commitment_names(), rules.commit_arcs, rules.commit_lower.tolist(), rules.commit_upper.tolist())]
        # 配套: (name, matching arcs, den, this fund's arcs, num); with any, the programs are whole-fen MIPs
        self.matches = [(name, [self.arcs[a] for a in by], den, [self.arcs[a] for a in paid], num)
                        for name, (by, den, paid, num) in zip(rules.match_names(), rules.match_rows())]


class _Program:
    """A PuLP program whose constraints keep readable names (`Rules.bound_names`)."""

    def __init__(self, name: str, arcs: list[Arc], whole: bool = False):
        self.problem = pulp.LpProblem(name, pulp.LpMinimize)
        self.whole = whole  # 配套: amounts (and extras) in whole fen, a MIP (allocate.mip)
        cat = pulp.LpInteger if whole else pulp.LpContinuous
        self.x = {arc: self.problem.add_variable(f"x{i}", lowBound=0, cat=cat) for i, arc in enumerate(arcs)}
        self.extra: dict[str, pulp.LpVariable] = {}
        self.pool_z: dict[str, pulp.LpVariable] = {}  # the factor method's pool: per region's rule name
        self.constraints: dict[str, pulp.LpConstraint] = {}

    def add(self, name: str, constraint: pulp.LpConstraint) -> None:
        self.problem.addConstraint(constraint, name=f"c{len(self.constraints)}")
        self.constraints[name] = constraint

    def funded(self) -> pulp.LpAffineExpression:
        return pulp.lpSum(self.x.values())

    def run(self, solver: str, what: str) -> bool:
        """Solve; False when infeasible, SolveError on any other failure."""
        status = self.problem.solve(make_mip_solver(solver) if self.whole else make_solver(solver))
        # CBC reports an LP its presolve finds infeasible as "Undefined".
        if status == pulp.LpStatusInfeasible or (solver == "cbc" and status == pulp.LpStatusUndefined):
            return False
        if status != pulp.LpStatusOptimal:
            raise SolveError(f"{what}: the solver did not reach an optimum ({pulp.LpStatus.get(status, status)})")
        return True


def _rules(lp: AllocationLP, prog: _Program, growable: set[str] | None) -> None:
    """The allocation's rules in fen-exact bounds; budgets of `growable` funds get extra[f];
    `growable=None` drops the budgets altogether (unlimited money)."""
    for name, (arcs, bound) in lp.upper_bounds.items():
        expr = pulp.lpSum(prog.x[a] for a in arcs)
        if name.startswith("budget["):
            fund = name[len("budget["):-1]
            if growable is None:
                continue
            if fund in growable:
                prog.extra[fund] = prog.problem.add_variable(f"extra{len(prog.extra)}", lowBound=0)
                expr = expr - prog.extra[fund]
        elif name in lp.region_shares or name in lp.pools:  # the factor method: a region (or the pool) gets its share of any extra budget
            fund, share = lp.region_shares.get(name) or lp.pools[name]
            if growable is None:
                continue
            if fund in lp.pooled:  # z_r in its region's row, Σ z_r in the pool's
                z = {r: prog.pool_z.setdefault(r, prog.problem.add_variable(f"z{len(prog.pool_z)}", lowBound=0)) for r in lp.pooled[fund]}
                expr = expr - z[name] if name in z else expr + pulp.lpSum(z.values())
            if fund in growable:
                extra = prog.extra.get(fund)
                if extra is None:
                    extra = prog.extra[fund] = prog.problem.add_variable(f"extra{len(prog.extra)}", lowBound=0)
                expr = expr - float(share) * extra
        prog.add(name, expr <= bound)
    for name, arcs, low, high in lp.commitments:
        expr = pulp.lpSum(prog.x[a] for a in arcs)
        if low > 0:
            prog.add(name + ">=", expr >= low)
        if high >= 0:
            prog.add(name, expr <= high)
    for name, by, den, paid, num in lp.matches:
        prog.add(name, pulp.LpAffineExpression([(prog.x[a], float(den)) for a in by] + [(prog.x[a], -float(num)) for a in paid]) >= 0)
    if prog.whole:
        for v in prog.extra.values():
            v.cat = pulp.LpInteger


@dataclass
class GapClosure:
    """The answer of `close_gap`; amounts in the scenario unit, exact to the fen."""

    scenario: Scenario
    result: Result                 # the scenario as it is
    target: Decimal                # the total gap asked for
    floor: Decimal                 # the smallest total gap any budget can reach (no fund may pay + held by caps)
    reachable: bool                # target ≥ floor
    total_extra: Decimal | None    # least extra budget in total (None when not reachable)
    funds: pd.DataFrame            # fund, name, may_grow, budget, extra, new_budget, extra_alone
    enterprises: pd.DataFrame      # enterprise, name, gap_now, unpayable, cap_held, closable, gap_after
    unpayable: pd.DataFrame        # enterprise, category, amount, reason (category_not_payable | no_eligible_fund)
    caps: pd.DataFrame             # rule, bound, closes_per_unit: caps that hold money back at unlimited budgets
    after: Result | None           # `solve` with the extra budget added


def _public_lines(lp: AllocationLP) -> set[tuple[str, str]]:
    return {(a.enterprise, a.category) for a in lp.arcs if a.source != OWN}


def _unlimited(lp: AllocationLP, solver: str) -> tuple[dict[Arc, float], dict[str, float]]:
    """The most every cost line can get with unlimited budgets (caps stay): arc values and the
    caps' duals. Among those allocations, own funds (under `free`) go first to lines no fund
    may pay, so that what stays open there is what really cannot close."""
    prog = _Program("unlimited", lp.arcs)
    _rules(lp, prog, growable=None)
    if not lp.arcs:
        return {}, {}
    prog.problem.setObjective(-prog.funded())
    prog.run(solver, "close-gap (unlimited budgets)")
    duals = {name: float(c.pi or 0.0) for name, c in prog.constraints.items()}
    if lp.matches:  # the caps' duals above are the relaxation's; the amounts are the whole-fen MIP's
        prog = _Program("unlimited", lp.arcs, whole=True)
        _rules(lp, prog, growable=None)
        prog.problem.setObjective(-prog.funded())
        prog.run(solver, "close-gap (unlimited budgets, whole fen)")
    most = pulp.value(prog.funded())
    public = _public_lines(lp)
    own_elsewhere = [prog.x[a] for a in lp.arcs if a.source == OWN and (a.enterprise, a.category) not in public]
    if own_elsewhere:
        prog.add("hold[funded]", prog.funded() >= round(most))  # a vertex: whole fen
        prog.problem.setObjective(-pulp.lpSum(own_elsewhere))
        prog.run(solver, "close-gap (own funds to lines no fund may pay)")
    return {a: max(0.0, float(v.varValue or 0.0)) for a, v in prog.x.items()}, duals


def _least_extra(lp: AllocationLP, growable: list[str], need_funded_fen: int, solver: str, order: list[str]) -> dict[str, int] | None:
    """Least extra budget (fen, per growable fund) so that Σ x ≥ need_funded; None if impossible."""
    prog = _Program("close_gap", lp.arcs, whole=bool(lp.matches))
    _rules(lp, prog, growable=set(growable))
    prog.add("target_gap", prog.funded() >= need_funded_fen)
    total = pulp.lpSum(prog.extra.values())
    prog.problem.setObjective(total + 0)
    if not prog.run(solver, "close-gap (least extra budget)"):
        return None
    # A vertex is whole fen unless a region takes a fractional share of an extra (factor method):
    # then the least is held with a hair of slack and the extras rounded up, as before.
    whole = not lp.region_shares
    least = round(pulp.value(total) or 0.0) if whole else (pulp.value(total) or 0.0) * (1 + 1e-9) + 1e-4
    if len(prog.extra) > 1:
        prog.add("hold[total_extra]", total <= least)
        rank = {f: i + 1 for i, f in enumerate(order)}
        prog.problem.setObjective(pulp.lpSum(rank[f] * v for f, v in prog.extra.items()))
        prog.run(solver, "close-gap (extra to funds in the order listed)")
    return {f: max(0, round(v.varValue or 0.0) if whole else math.ceil(round(v.varValue or 0.0, 6))) for f, v in prog.extra.items()}


METHODS = ("auto", "flow", "pulp")


@dataclass
class _Reach:
    """What unlimited budgets give (fen), and the least-extra oracle, from either method."""

    public: set[tuple[str, str]]             # lines some fund may pay
    total_fen: int                           # Σ funded at unlimited budgets
    reach_fen: dict[str, int]                # per enterprise
    reach_nonpublic_fen: dict[str, int]      # per enterprise, on lines no fund may pay
    caps: list[tuple[str, int, float]]       # (rule, bound in fen, closes_per_unit) of caps that hold money back
    least: Callable[[list[str], int], dict[str, int] | None]


def _reach_lp(rules: Rules, solver: str) -> _Reach:
    """The linear programs (`_unlimited`, `_least_extra`)."""
    lp = AllocationLP(rules)
    known = [f.id for f in rules.scenario.funds]
    most, cap_duals = _unlimited(lp, solver)
    public = _public_lines(lp)
    reach: dict[str, float] = {}
    reach_nonpublic: dict[str, float] = {}
    for arc, v in most.items():
        reach[arc.enterprise] = reach.get(arc.enterprise, 0.0) + v
        if (arc.enterprise, arc.category) not in public:
            reach_nonpublic[arc.enterprise] = reach_nonpublic.get(arc.enterprise, 0.0) + v
    caps = [(name, lp.upper_bounds[name][1], round(-d, 9) + 0.0)
            for name, d in cap_duals.items() if name.startswith(("cap_enterprise[", "cap_share[")) and -d > 1e-9]
    return _Reach(public, round(sum(most.values())),
                  {e: round(v) for e, v in reach.items()}, {e: round(v) for e, v in reach_nonpublic.items()},
                  caps, lambda growable, need: _least_extra(lp, growable, need, solver, known))


def _reach_flow(rules: Rules, net) -> _Reach:
    """Integer flows on the solve's network (`closegap_flow`): the same amounts, exact."""
    from subsidy.allocate.flow_close_gap import GapFlows

    flows = GapFlows(rules, net)
    most = flows.most_fundable()
    ents, cats = rules.lines.enterprises, rules.lines.categories
    own = rules.arc_source == rules.own_source
    public_line = np.zeros(len(rules.lines), dtype=bool)
    public_line[rules.arc_line[~own]] = True
    public = {(ents[e], cats[c]) for e, c in zip(rules.lines.enterprise[public_line].tolist(), rules.lines.category[public_line].tolist())}
    arc_ent = rules.arc_enterprise
    reach = np.zeros(len(ents), dtype=np.int64)
    np.add.at(reach, arc_ent, most.x_fen)
    elsewhere = ~public_line[rules.arc_line]
    reach_np = np.zeros(len(ents), dtype=np.int64)
    np.add.at(reach_np, arc_ent[elsewhere], most.x_fen[elsewhere])
    on = np.unique(arc_ent).tolist()
    kind, _ = rules.bound_order
    is_cap = np.isin(kind, [rules.KINDS.index("cap_enterprise"), rules.KINDS.index("cap_share")])
    held = np.flatnonzero(is_cap & (most.closes > 0))
    caps = []
    if len(held):
        names = rules.bound_names()
        caps = [(names[b], int(flows.cap[net.bound_arc[b]]), float(most.closes[b])) for b in held.tolist()]
    index = {f.id: i for i, f in enumerate(rules.scenario.funds)}
    known = [f.id for f in rules.scenario.funds]

    def least(growable: list[str], need: int) -> dict[str, int] | None:
        extra = flows.least_extra([index[f] for f in growable], need)
        return None if extra is None else {known[i]: v for i, v in sorted(extra.items())}

    return _Reach(public, most.total_fen, {ents[e]: int(reach[e]) for e in on},
                  {ents[e]: int(reach_np[e]) for e in on}, caps, least)


def close_gap(scenario: Scenario, target: Decimal | None = None, funds: list[str] | None = None,
              solver: str = "highs", result: Result | None = None, method: str = "auto") -> GapClosure:
    """The least extra budget bringing the total gap to `target` (default: all that budget can close).

    `funds` limits which funds may grow (default: all). Raises ValueError for an unknown fund.
    `method`: "flow" (integer network flows, `closegap_flow`; SolveError when the rules do not
    fit), "pulp" (linear programs) or "auto": the flow when the rules fit it and the solver is the
    default one, as `solve` chooses.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    result = result or solve(scenario, solver)
    known = [f.id for f in scenario.funds]
    growable = list(funds) if funds else known
    unknown = [f for f in growable if f not in known]
    if unknown:
        raise ValueError(f"unknown fund {', '.join(map(repr, unknown))}; funds: {', '.join(known)}")
    rules = result.rules  # the solve's own rules: its waterfall, arcs and bounds
    reach = None
    split = [f.id for f in scenario.funds if f.distribution is not None]
    if split and method == "flow":
        raise SolveError(f"the flow method cannot grow a budget split by the factor method ({', '.join(split)}): "
                         "its regions' amounts grow with it in fixed shares; use --method pulp")
    if method == "flow" or (method == "auto" and solver == "highs" and not split):
        from subsidy.allocate.flow_network import NotANetwork, build_network

        try:
            reach = _reach_flow(rules, build_network(rules))
        except NotANetwork as exc:
            if method == "flow":
                raise SolveError(f"the flow method cannot solve this close-gap exactly: {exc}") from None
    if reach is None:
        reach = _reach_lp(rules, solver)
    residual = {(eid, c): r for eid, split in rules.lines.splits().items() for c, r in split.residual.items() if r > 0}  # fen
    total_residual = sum(residual.values())
    public = reach.public
    floor_fen = total_residual - reach.total_fen

    gap_now_fen = to_fen(result.total("gaps", "gap"))
    target_fen = floor_fen if target is None else to_fen(target)
    reachable = target_fen >= floor_fen
    extra: dict[str, int] | None = None
    alone: dict[str, int | None] = {}
    after = None
    if reachable:
        need_funded = total_residual - min(target_fen, gap_now_fen)
        extra = reach.least(growable, need_funded)
        for f in growable:
            alone[f] = reach.least([f], need_funded)
            alone[f] = alone[f][f] if alone[f] is not None else None
        budgets = {f.id: f.budget for f in scenario.funds}
        # Solved again with the extra, unless a budget would leave the range the tool promises.
        if extra is not None and all(budgets[f] + from_fen(e) <= MAX_AMOUNT for f, e in extra.items()):
            # More budget adds no error to the diagnosis: the base's findings were the caller's to see.
            after = solve(_with_budgets(scenario, extra), solver, on_findings=lambda found: None)

    fund_rows = []
    for fund in scenario.funds:
        e = (extra or {}).get(fund.id, 0) if extra is not None else None
        fund_rows.append((fund.id, fund.name, fund.id in growable, fund.budget,
                          from_fen(e) if e is not None else None,
                          fund.budget + from_fen(e) if e is not None else None,
                          from_fen(alone[fund.id]) if alone.get(fund.id) is not None else None))
    funds_table = pd.DataFrame(fund_rows, columns=["fund", "name", "may_grow", "budget", "extra", "new_budget", "extra_alone"])

    unpay_rows = []
    for ent in sorted(scenario.enterprises, key=lambda e: e.id):
        for cat in sorted(ent.costs):
            r = residual.get((ent.id, cat), 0)
            if r and (ent.id, cat) not in public:
                payers = [f.id for f in scenario.funds if cat in f.categories]
                unpay_rows.append((ent.id, cat, from_fen(r), "no_eligible_fund" if payers else "category_not_payable"))
    unpayable = pd.DataFrame(unpay_rows, columns=["enterprise", "category", "amount", "reason"])

    ent_rows = []
    gaps_now = result.exact("enterprises").set_index("enterprise")["gap"]
    gaps_after = after.exact("enterprises").set_index("enterprise")["gap"] if after is not None else None
    r_ent: dict[str, int] = {}
    r_ent_nonpublic: dict[str, int] = {}
    for (eid, c), r in residual.items():
        r_ent[eid] = r_ent.get(eid, 0) + r
        if (eid, c) not in public:
            r_ent_nonpublic[eid] = r_ent_nonpublic.get(eid, 0) + r
    for ent in sorted(scenario.enterprises, key=lambda e: e.id):
        floor_e = r_ent.get(ent.id, 0) - reach.reach_fen.get(ent.id, 0)
        unpay_e = r_ent_nonpublic.get(ent.id, 0) - reach.reach_nonpublic_fen.get(ent.id, 0)
        now = gaps_now[ent.id]
        ent_rows.append((ent.id, ent.name, now, from_fen(unpay_e), from_fen(floor_e - unpay_e), now - from_fen(floor_e),
                         gaps_after[ent.id] if gaps_after is not None else None))
    enterprises = pd.DataFrame(ent_rows, columns=["enterprise", "name", "gap_now", "unpayable", "cap_held", "closable", "gap_after"])

    cap_rows = [(name, from_fen(bound), closes) for name, bound, closes in reach.caps]
    caps = pd.DataFrame(cap_rows, columns=["rule", "bound", "closes_per_unit"])
    return GapClosure(scenario, result, from_fen(target_fen), from_fen(floor_fen), reachable,
                      from_fen(sum(extra.values())) if extra is not None else None,
                      funds_table, enterprises, unpayable, caps, after)


def _with_budgets(scenario: Scenario, extra_fen: dict[str, int]) -> Scenario:
    """The scenario with each fund's extra added to its budget (validated again)."""
    from subsidy.scenario.load import scenario_from_data
    from subsidy.scenario.paths import with_value
    from subsidy.analysis.sweep import scenario_data

    data = scenario_data(scenario)
    budgets = {f.id: f.budget for f in scenario.funds}
    for fund, fen in extra_fen.items():
        if fen:
            data = with_value(data, f"funds.{fund}.budget", budgets[fund] + from_fen(fen))
    return scenario_from_data(data, "<close-gap>")

