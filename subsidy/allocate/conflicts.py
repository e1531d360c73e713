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
  optimum whole fen. None where no budget helps (a cap or a need is in the way).
- 配套 match rows (`allocate.mip`) are rows too, each its own group; with any, every program
  here is solved in whole fen (a MIP), since the LP's feasibility is not the whole-fen one.
"""

from __future__ import annotations

import numpy as np
import pulp

from subsidy.allocate.lp import commitment_rows, commitment_owners
from subsidy.allocate.lp_pool import pool_terms, pool_variables
from subsidy.allocate.lp_solvers import make_mip_solver, make_solver
from subsidy.allocate.rules import Rules

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
    rule keepable together, the total extra as small as can be; None when more budget alone cannot."""
    rows, _ = _rows(rules)
    n_funds = len(rules.scenario.funds)
    problem = pulp.LpProblem("extra_budget", pulp.LpMinimize)
    x = _variables(problem, rules)
    s = [problem.add_variable(f"s{f}", lowBound=0, cat=pulp.LpInteger if len(rules.match_fund) else pulp.LpContinuous) for f in range(n_funds)]
    pool = pool_terms(rules, pool_variables(problem, rules))  # the factor method's pool (lp_pool)
    for k, (arcs, sense, fen) in enumerate(rows):
        if not arcs and k >= n_funds and k not in pool:
            if sense < 0 and fen > 0:
                return None  # a least no money may reach: no budget helps
            continue
        expr = _expr(x, arcs) + pulp.LpAffineExpression(pool.get(k, []) + ([(s[k], -1.0)] if k < n_funds else []))
        problem.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"r{k}")
    problem.setObjective(pulp.lpSum(s) + 0)
    problem.solve(_engine(rules, solver))
    if problem.status != pulp.LpStatusOptimal:
        return None
    extra = np.rint([float(v.varValue or 0.0) for v in s]).astype(np.int64).tolist()
    return {f.id: e for f, e in zip(rules.scenario.funds, extra) if e > 0}
