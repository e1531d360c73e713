"""When the rules that ask for money cannot all be kept: the smallest set in conflict, and the
least extra budget per fund that would make them possible.

Every bound limits money, so without a least (a commitment's, or minimum coverage's) the
all-zero allocation keeps every rule; an infeasible stage 1 is always some leasts against some
bounds. What the data alone show is reported before solving (`checks.commitments`,
`checks.coverage`); this module is for the rest, and runs only after stage 1 was found infeasible.

- `conflicting_rules`: an irreducible infeasible subset by a deletion filter: drop one group of
  rows, and if what is left is still infeasible, leave it out for good. Groups first (each least,
  each most, each budget, and per fund its caps for enterprises, its share caps; own funds; needs),
  then the rows of each group kept one by one, so the names at the end are single rules, each
  needed for the conflict. Each test is one LP without objective (about 20 ms on a few hundred arcs).
- `least_extra_budget`: min Σ s_f with every budget row Σ x ≤ B_f + s_f and every other rule
  kept; budget slacks are one more arc per budget row, so the program is still a network and the
  optimum whole fen. None where no budget helps (a cap or a need is in the way).
"""

from __future__ import annotations

import numpy as np
import pulp

from subsidy.allocate.lp import commitment_rows, commitment_owners
from subsidy.allocate.lp_solvers import make_solver
from subsidy.allocate.rules import Rules

REFINE_MAX_ROWS = 400
"""A kept group of more rows than this stays a group in the answer (its rows are not tested one
by one: each is an LP), named by its kind and fund."""


def _rows(rules: Rules) -> tuple[list[tuple[list[int], int, int]], list[str]]:
    """Every row as (arcs, sense, whole fen): the bounds (≤) in the rules' order, then the
    commitment and coverage rows; and the name of each."""
    bounds = [(arcs, 1, limit) for arcs, limit in zip(rules.bound_members(), rules.membership()[2].tolist())]
    names = rules.bound_names()
    extra = commitment_rows(rules)
    owners = commitment_owners(rules)
    side = rules.commitment_names()
    return bounds + extra, names + [side[k] for k in owners]


def _feasible(n_arcs: int, rows: list[tuple[list[int], int, int]], keep: list[int], engine) -> bool:
    problem = pulp.LpProblem("conflict", pulp.LpMinimize)
    x = [problem.add_variable(f"x{i}", lowBound=0) for i in range(n_arcs)]
    for k in keep:
        arcs, sense, fen = rows[k]
        if not arcs:  # 0 ≤ fen always holds; 0 ≥ a positive least never does
            if sense < 0 and fen > 0:
                return False
            continue
        expr = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs])
        problem.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"r{k}")
    problem.setObjective(pulp.LpAffineExpression([]) + 0)
    problem.solve(engine)
    return problem.status == pulp.LpStatusOptimal


def conflicting_rules(rules: Rules, solver: str = "highs") -> list[str] | None:
    """The names of an irreducible set of rules no allocation can keep together (leasts first,
    then the bounds, each in the rules' order), or None when the rules can all be kept."""
    rows, names = _rows(rules)
    n = len(rules.arc_source)
    engine = make_solver(solver)
    everything = list(range(len(rows)))
    if _feasible(n, rows, everything, engine):
        return None
    groups: dict[tuple, list[int]] = {}
    kind, _ = rules.bound_order
    n_bounds = len(kind)
    for k in everything:
        if k >= n_bounds:
            key = ("side", k)
        else:
            name = names[k]
            fund = name[name.index("[") + 1:].split(",")[0].rstrip("]")
            key = (int(kind[k]), fund) if int(kind[k]) in (1, 3) else ((0, k) if int(kind[k]) == 0 else (int(kind[k]),))
        groups.setdefault(key, []).append(k)
    kept = list(groups.values())
    i = 0
    while i < len(kept):  # the deletion filter over groups
        trial = [k for j, g in enumerate(kept) if j != i for k in g]
        if not _feasible(n, rows, trial, engine):
            del kept[i]
        else:
            i += 1
    singles: list[int] = [k for g in kept if len(g) == 1 for k in g]
    big = [g for g in kept if len(g) > 1]
    core = singles + [k for g in big if len(g) > REFINE_MAX_ROWS for k in g]
    for g in (g for g in big if len(g) <= REFINE_MAX_ROWS):
        members = list(g)
        j = 0
        while j < len(members):  # then the rows of each kept group
            trial = core + members[:j] + members[j + 1:] + [k for h in big if h is not g and len(h) <= REFINE_MAX_ROWS for k in h]
            if not _feasible(n, rows, trial, engine):
                del members[j]
            else:
                j += 1
        core += members
    order = sorted(core, key=lambda k: (k < n_bounds, k))  # leasts and mosts first, then bounds
    return [names[k] for k in order]


def least_extra_budget(rules: Rules, solver: str = "highs") -> dict[str, int] | None:
    """Fund id → the least extra budget in whole fen (only funds that need some) that makes every
    rule keepable together, the total extra as small as can be; None when more budget alone cannot."""
    rows, _ = _rows(rules)
    n_funds = len(rules.scenario.funds)
    problem = pulp.LpProblem("extra_budget", pulp.LpMinimize)
    x = [problem.add_variable(f"x{i}", lowBound=0) for i in range(len(rules.arc_source))]
    s = [problem.add_variable(f"s{f}", lowBound=0) for f in range(n_funds)]
    for k, (arcs, sense, fen) in enumerate(rows):
        if not arcs and k >= n_funds:
            if sense < 0 and fen > 0:
                return None  # a least no money may reach: no budget helps
            continue
        terms = [(x[a], 1.0) for a in arcs] + ([(s[k], -1.0)] if k < n_funds else [])
        expr = pulp.LpAffineExpression(terms)
        problem.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"r{k}")
    problem.setObjective(pulp.lpSum(s) + 0)
    problem.solve(make_solver(solver))
    if problem.status != pulp.LpStatusOptimal:
        return None
    extra = np.rint([float(v.varValue or 0.0) for v in s]).astype(np.int64).tolist()
    return {f.id: e for f, e in zip(rules.scenario.funds, extra) if e > 0}
