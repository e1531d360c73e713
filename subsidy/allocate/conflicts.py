"""When the rules that ask for money cannot all be kept: the smallest set in conflict, and the
least extra budget per fund that would make them possible.

Every bound limits money, so without a least (a commitment's, or minimum coverage's) the
all-zero allocation keeps every rule; an infeasible stage 1 is always some leasts against some
bounds. What the data alone show is reported before solving (`checks.commitments`,
`checks.coverage`); this module is for the rest, and runs only after stage 1 was found infeasible.

- `conflicting_rules`: an irreducible infeasible subset by a deletion filter: drop one group of
  rows, and if what is left is still infeasible, leave it out for good. Groups first (each
  commitment, minimum coverage per category, each budget, per fund its caps for enterprises and
  its share caps, own funds, needs), then the rows of each kept group in halves, quarters, … down
  to one (a conflict is a few rules among thousands: most halves go at once), so the names at the
  end are single rules, each needed for the conflict. Each test is one LP without objective
  (about 20 ms on a few hundred arcs; a second or more at 10,000 enterprises, and the search
  runs only when a solve has failed).
- `least_extra_budget`: min Σ s_f with every budget row Σ x ≤ B_f + s_f and every other rule
  kept; budget slacks are one more arc per budget row, so the program is still a network and the
  optimum whole fen. None where no budget helps (a cap or a need is in the way). A fund split by
  the factor method grows through its split: region r's row gets share_r·d·s_f more room, the
  pool's (1 − d)·s_f (d = distribution.share), so more budget helps a region short of its amount
  (before, only the budget row grew and such a conflict read "no extra budget helps"). Those
  coefficients are not a network's, and the rules' amounts are whole fen by largest remainder, so
  the split funds' extras are then settled on the rules' own split of the grown budgets
  (`_whole_fen_split`: each check one feasibility program as above).
- 配套 match rows (`allocate.mip`) are rows too, each its own group; with any, every program
  here is solved in whole fen (a MIP), since the LP's feasibility is not the whole-fen one.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pulp

from subsidy.allocate.lp import commitment_rows, commitment_owners
from subsidy.allocate.lp_pool import pool_terms, pool_variables
from subsidy.allocate.lp_solvers import make_mip_solver, make_solver
from subsidy.allocate.distribution import pool_fen, region_amounts
from subsidy.allocate.rules import Rules
from subsidy.allocate.waterfall import from_fen, to_fen

def _rows(rules: Rules) -> tuple[list[tuple[list[int], int, int]], list[str]]:
    """Every row as (arcs, sense, whole fen): the bounds (≤) in the rules' order, then the
    commitment and coverage rows; and the name of each."""
    bounds = [(arcs, 1, limit) for arcs, limit in zip(rules.bound_members(), rules.membership()[2].tolist())]
    names = rules.bound_names()
    extra = commitment_rows(rules)
    owners = commitment_owners(rules)
    side = rules.commitment_names()
    # 配套: den·Σ matching − num·Σ this fund ≥ 0, arcs with their coefficients
    matches = [([(a, float(den)) for a in by] + [(a, -float(num)) for a in paid], -1, 0) for by, den, paid, num in rules.match_rows()]
    return bounds + extra + matches, names + [side[k] for k in owners] + rules.match_names()


def _expr(x: list, arcs: list) -> pulp.LpAffineExpression:
    """Σ x over a row's arcs, or Σ coef·x over a match row's (arc, coef) pairs."""
    return pulp.LpAffineExpression([(x[a], c) for a, c in arcs] if arcs and isinstance(arcs[0], tuple) else [(x[a], 1.0) for a in arcs])


def _variables(problem: pulp.LpProblem, rules: Rules, name: str = "x") -> list:
    """One amount per arc, whole fen where a match row makes the program a MIP (allocate.mip):
    the LP's feasibility is then not the whole-fen one."""
    whole = pulp.LpInteger if len(rules.match_fund) else pulp.LpContinuous
    return [problem.add_variable(f"{name}{i}", lowBound=0, cat=whole) for i in range(len(rules.arc_source))]


def _engine(rules: Rules, solver: str):
    return make_mip_solver(solver) if len(rules.match_fund) else make_solver(solver)


def _feasible(rules: Rules, rows: list[tuple[list[int], int, int]], keep: list[int], engine) -> bool:
    """Whether the rows `keep` hold together. The factor method's pool variables (`lp_pool`) are
    in every program: a region's row left out frees its variable, the pool's left out frees them all."""
    problem = pulp.LpProblem("conflict", pulp.LpMinimize)
    x = _variables(problem, rules)
    pool = pool_terms(rules, pool_variables(problem, rules))
    for k in keep:
        arcs, sense, fen = rows[k]
        if not arcs and k not in pool:  # 0 ≤ fen always holds; 0 ≥ a positive least never does
            if sense < 0 and fen > 0:
                return False
            continue
        expr = _expr(x, arcs) + pulp.LpAffineExpression(pool.get(k, []))
        problem.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"r{k}")
    problem.setObjective(pulp.LpAffineExpression([]) + 0)
    problem.solve(engine)
    return problem.status == pulp.LpStatusOptimal


def conflicting_rules(rules: Rules, solver: str = "highs") -> list[str] | None:
    """The names of an irreducible set of rules no allocation can keep together (leasts and mosts
    first, then the bounds, each in the rules' order), or None when the rules can all be kept."""
    rows, names = _rows(rules)
    engine = _engine(rules, solver)
    if _feasible(rules, rows, list(range(len(rows))), engine):
        return None
    kind, _ = rules.bound_order
    n_bounds = len(kind)
    n_commit = len(rules.scenario.commitments)
    owners = commitment_owners(rules)
    n_asks = n_bounds + len(owners)
    groups: dict[tuple, list[int]] = {}
    for k in range(len(rows)):
        if k >= n_asks:  # match rows one by one
            key = ("match", k)
        elif k >= n_bounds:  # commitments one by one; minimum coverage by category
            owner = owners[k - n_bounds]
            key = ("commitment", owner) if owner < n_commit else \
                ("coverage", int(rules.lines.category[rules.coverage_line[owner - n_commit]]))
        elif int(kind[k]) in (1, 3):  # caps for enterprises, share caps: by fund
            key = (int(kind[k]), names[k][names[k].index("[") + 1:].split(",")[0])
        else:  # each budget; own funds together; needs together
            key = (0, k) if int(kind[k]) == 0 else (int(kind[k]),)
        groups.setdefault(key, []).append(k)
    kept = _deletion_filter(list(groups.values()), [], lambda trial: not _feasible(rules, rows, trial, engine))
    core: list[int] = []
    for i, group in enumerate(kept):  # then the rules of each kept group, in halves down to one
        others = core + [k for g in kept[i + 1:] for k in g]
        size = max(1, len(group) // 2)
        while True:
            chunks = [group[j:j + size] for j in range(0, len(group), size)]
            group = [k for c in _deletion_filter(chunks, others, lambda trial: not _feasible(rules, rows, trial, engine)) for k in c]
            if size == 1:
                break
            size = max(1, size // 2)
        core += group
    order = sorted(core, key=lambda k: (k < n_bounds, k))  # leasts and mosts first, then bounds
    return [names[k] for k in order]


def _deletion_filter(items: list[list[int]], fixed: list[int], conflicts) -> list[list[int]]:
    """The items (lists of rows) that stay after leaving each out in turn, for good wherever the
    rest (with `fixed`) still conflicts: each one kept is needed for the conflict."""
    kept = list(items)
    i = 0
    while i < len(kept):
        trial = fixed + [k for j, g in enumerate(kept) if j != i for k in g]
        if conflicts(trial):
            del kept[i]
        else:
            i += 1
    return kept


def least_extra_budget(rules: Rules, solver: str = "highs") -> dict[str, int] | None:
    """Fund id → the least extra budget in whole fen (only funds that need some) that makes every
    rule keepable together, the total extra as small as can be, and among equal totals the extra
    to the funds in the order listed (a second program holding the total, as close-gap's); None
    when more budget alone cannot.

    A fund split by the factor method (`distribution`) takes its extra through its split, as the
    rules define it: region r's amount is share_r × ⌊d × budget⌋ and the pool the rest, so each fen
    more of budget is share_r·d more for r and 1 − d more for the pool, in the program (module
    docstring). Those amounts are whole fen by largest remainder, which the program cannot see: its
    extras, rounded up, are then checked on the rules' own split of the grown budget (`_keeps`),
    raised together until they keep every rule and lowered fund by fund (every fund that grows:
    the program's vertex need not be whole fen for the others either), a fen at a time, while
    they still do. Two regions at ½ each, share 1, a region needing 80 of a budget of 100: the
    program says 60; 59.99 also does (15,999 fen split in halves gives the region named first 8,000
    fen), 59.98 does not: the answer is 59.99."""
    rows, _ = _rows(rules)
    n_funds = len(rules.scenario.funds)
    problem = pulp.LpProblem("extra_budget", pulp.LpMinimize)
    x = _variables(problem, rules)
    s = [problem.add_variable(f"s{f}", lowBound=0, cat=pulp.LpInteger if len(rules.match_fund) else pulp.LpContinuous) for f in range(n_funds)]
    pool = pool_terms(rules, pool_variables(problem, rules))  # the factor method's pool (lp_pool)
    through = _split_terms(rules)  # region and pool rows: the part of each extra fen they get
    for k, (arcs, sense, fen) in enumerate(rows):
        grows = [(s[k], -1.0)] if k < n_funds else [(s[f], -part) for f, part in through.get(k, [])]
        if not arcs and not grows and k not in pool:
            if sense < 0 and fen > 0:
                return None  # a least no money may reach: no budget helps
            continue
        expr = _expr(x, arcs) + pulp.LpAffineExpression(pool.get(k, []) + grows)
        problem.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"r{k}")
    problem.setObjective(pulp.lpSum(s) + 0)
    engine = _engine(rules, solver)
    problem.solve(engine)
    if problem.status != pulp.LpStatusOptimal:
        return None
    split = sorted({f for f, _ in (t for ts in through.values() for t in ts)})
    values = [float(v.varValue or 0.0) for v in s]
    if n_funds > 1:  # among equal totals, the extra to the funds in the order listed, as close-gap's
        # held to the fen where the program is a network; with a split, to 10^-7 fen (a wider hold
        # lets the program trade a later fund's fen for a hair of an earlier one's: +0.01 rounded up)
        problem.addConstraint(pulp.lpSum(s) <= (sum(values) + 1e-7 if split else round(sum(values))), name="hold_total")
        problem.setObjective(pulp.lpSum((f + 1) * v for f, v in enumerate(s)) + 0)
        problem.solve(engine)
        if problem.status == pulp.LpStatusOptimal:  # else the first optimum stands
            values = [float(v.varValue or 0.0) for v in s]
    if not split:  # each slack is an arc of the network: the optimum is whole fen
        extra = [int(np.rint(v)) for v in values]
    else:
        extra = _whole_fen_split(rules, [int(np.ceil(v - 1e-6)) for v in values], split, engine)
        if extra is None:
            return None
    return {f.id: e for f, e in zip(rules.scenario.funds, extra) if e > 0}


def _split_terms(rules: Rules) -> dict[int, list[tuple[int, float]]]:
    """Bound (rules' order) → (fund, the part of one extra fen of its budget the row gets): a
    region's share_r × d, the pool's 1 − d (d = distribution.share)."""
    kind, _ = rules.bound_order
    regions, pools = np.flatnonzero(kind == 5).tolist(), np.flatnonzero(kind == 6).tolist()
    funds = rules.scenario.funds
    shares = {(r.fund, r.region): r.share for f in set(rules.dist_fund.tolist()) for r in region_amounts(rules.scenario, funds[f])}
    out: dict[int, list[tuple[int, float]]] = {}
    for b, f, region in zip(regions, rules.dist_fund.tolist(), rules.dist_region):
        out[b] = [(f, float(shares[funds[f].id, region] * Fraction(funds[f].distribution.share)))]
    for b, f in zip(pools, rules.pool_fund.tolist()):
        out[b] = [(f, float(1 - Fraction(funds[f].distribution.share)))]
    return out


def _keeps(rules: Rules, extra: list[int], engine) -> bool:
    """Whether every rule holds together with each budget grown by `extra` (fen per fund) and the
    factor method's regions and pools split from the grown budgets by the rules' own apportioning."""
    funds = rules.scenario.funds
    grown = {f: funds[f].model_copy(update={"budget": from_fen(to_fen(funds[f].budget) + e)}) for f, e in enumerate(extra) if e}
    amounts = {(r.fund, r.region): r.amount_fen for f in set(rules.dist_fund.tolist()) & set(grown)
               for r in region_amounts(rules.scenario, grown[f])}
    dist = np.array([amounts.get((funds[f].id, region), fen) for f, region, fen
                     in zip(rules.dist_fund.tolist(), rules.dist_region, rules.dist_fen.tolist())], dtype=np.int64)
    pools = np.array([pool_fen(grown[f]) if f in grown else fen for f, fen in zip(rules.pool_fund.tolist(), rules.pool_fen.tolist())],
                     dtype=np.int64)
    trial = replace(rules, budget_fen=rules.budget_fen + np.array(extra, dtype=np.int64), dist_fen=dist, pool_fen=pools)
    rows, _ = _rows(trial)
    return _feasible(trial, rows, list(range(len(rows))), engine)


STEPS = 200
"""At most this many checks a fund's extra is lowered by, one fen each: the rounding of region
amounts moves the answer by about a fen of amount per region, i.e. 1/(share_r·d) fen of budget."""
DOUBLINGS = 48
"""At most this many doublings of the step the split funds' extras are raised by (2^48 fen is
beyond any budget the scenario allows): a guard, never reached where the program was feasible."""


def _whole_fen_split(rules: Rules, extra: list[int], split: list[int], engine) -> list[int] | None:
    """The program's extras (rounded up) made whole-fen true on the rules' own split: raised
    together on the split funds that grow (all split funds if none does: 1, 2, 4 … fen, then halved
    back to the least common step that keeps every rule), then each fund that grows lowered a fen
    at a time while every rule still holds, the last listed first (so that, as in the program, the
    extra stays with the funds listed first)."""
    rising = [f for f in split if extra[f] > 0] or split

    def at(step: int) -> list[int]:
        return [e + step if f in rising else e for f, e in enumerate(extra)]

    if not _keeps(rules, extra, engine):
        low, high = 0, 1
        while not _keeps(rules, at(high), engine):
            if high >= 2**DOUBLINGS:
                return None
            low, high = high, high * 2
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (low, mid) if _keeps(rules, at(mid), engine) else (mid, high)
        extra = at(high)
    for f in reversed([f for f, e in enumerate(extra) if e > 0]):
        for _ in range(STEPS):
            fewer = [e - 1 if g == f else e for g, e in enumerate(extra)]
            if extra[f] == 0 or not _keeps(rules, fewer, engine):
                break
            extra = fewer
    return extra
