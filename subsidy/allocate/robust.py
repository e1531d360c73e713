"""The robust plan of `subsidy risk --plan robust`: public money decided before the facts are known.

Sample average approximation: given the residual need of every cost line in each of S draws (own
funds as they fell, through the waterfall), choose one allocation x — every rule of the scenario
at its expected values (budgets, caps, share caps, needs, commitments: the same `Rules` the solve
obeys) — in the solve's stages, each holding the one before (`stages.run_stages`' order):

1. minimise the weighted gap averaged over the draws:
       min  Σ_l w_l · (1/S) Σ_s g[s,l]    s.t. g[s,l] + Σ_{a into l} x_a ≥ r[s,l],  g ≥ 0
2. (policy.fairness) minimise the largest *expected* gap share t: for each enterprise with an
   expected residual need N_e = Σ_{l of e} (1/S) Σ_s r[s,l] > 0,
       (1/S) Σ_s Σ_{l of e} g[s,l] ≤ t · N_e
   (the one-year stage 2 with expected gaps and needs; with every range collapsed to a point it
   is that stage exactly);
3. spend what can still be spent (max Σ x);
   then the tie-break by fund order (`Rules.tie_break_costs`, the LP's): one allocation.

Each draw's gap variables share the one first-stage x. A line whose residual need is the same in
every draw gets one gap variable, not S (most lines, when few amounts are ranges); lines of
weight 0 get theirs only for stage 2. One HiGHS model (one thread, fixed seed: the same answer
every run) re-solved stage by stage, each optimum held by a row with a slack of 1e-9 relative
plus 1e-6 (the solver's own tolerance is 1e-7), in fen; the answer becomes whole fen as the
solve's LP answer does (`rounding.fen_of_floats`: floors kept within every rule, each source's
fen handed back up to its rounded total, then `keep_commitments`), all in integers.
Own funds under `free` are arcs of x as a fund's are: the LP takes them at their expected
amount, while the draws measure them as they fall (`risk.plan_gaps` cuts them to what the
enterprise has). So among equally good LP optima the measured expected gap can differ, and the
tie-break's own-money-first (the solve's rule) can measure a little worse: on a generated
200-enterprise scenario with a third of the plants under `free` and their asset sales ranges,
200 draws, expected weighted gap 67,550.83 against 67,447.89 for the stage-1 optimum HiGHS
happened to stop at before these stages existed (the same LP objective, 62,768.56). The later
stages cost about as much again as stage 1 (two warm re-solves and the tie-break).

Unlike the solve's LP this program is not a network (a line's gap is convex in x, not linear),
so its optimum need not be whole fen: the plan is within a fen per arc of it.
"""

from __future__ import annotations

import math

import numpy as np

from subsidy.allocate.lp_solvers import silence_highs_banner
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import SolveError

INF = math.inf
HOLD_RELATIVE, HOLD_ABSOLUTE = 1e-9, 1e-6
"""A stage's optimum is held to within this (relative, plus absolute, in fen × weight)."""


def robust_allocation(rules: Rules, residual: np.ndarray) -> np.ndarray:
    """Whole fen per arc of `rules` minimising the mean weighted gap over the draws' residual
    needs `residual` (draws × lines of `rules.lines`, fen), then the largest expected gap share,
    then spending what can be spent, then the tie-break (module docstring)."""
    import highspy

    if len(rules.match_fund):
        raise SolveError("--plan robust does not take 配套 matching yet (a match row is no row of its LP): remove it, or use the plan on expected values")
    if len(rules.pool_fund):
        raise SolveError("--plan robust does not take the factor method's share below 1 yet (the pool not tied to a region): "
                         "use the plan on expected values")
    from subsidy.allocate.lp import commitment_rows
    from subsidy.allocate.rounding import fen_of_floats, keep_commitments

    fairness = bool(rules.scenario.policy.fairness)
    n_x = len(rules.arc_source)
    draws = len(residual)
    weights = rules.weights
    weight = np.array([weights[c] for c in rules.lines.categories], dtype=np.float64)[rules.lines.category]
    owner, member, limits = rules.membership()
    order = np.argsort(rules.arc_line, kind="stable")
    line_starts = np.searchsorted(rules.arc_line[order], np.arange(len(rules.lines) + 1))
    varies = (residual != residual[0]).any(axis=0)

    starts: list[int] = []
    index: list[np.ndarray] = []
    lower: list[float] = []
    g_cost: list[float] = []
    g_mean: list[float] = []  # a gap variable's part of its line's mean gap: 1/S, or 1 when the need never varies
    g_enterprise: list[int] = []
    nnz = 0
    modelled = (weight > 0) | fairness
    enterprise_of = rules.lines.enterprise.tolist()
    for line in np.flatnonzero(modelled & (residual.max(axis=0) > 0)).tolist():
        arcs = order[line_starts[line]:line_starts[line + 1]]
        needs = residual[:, line] if varies[line] else residual[:1, line]
        for need in needs.tolist():
            starts.append(nnz)
            index.append(np.append(arcs, n_x + len(g_cost)))
            nnz += len(arcs) + 1
            lower.append(float(need))
            g_cost.append(float(weight[line]) / len(needs))
            g_mean.append(1.0 / len(needs))
            g_enterprise.append(enterprise_of[line])
    n_g = len(g_cost)

    silence_highs_banner()
    h = highspy.Highs()
    for option, value in (("output_flag", False), ("threads", 1), ("random_seed", 0)):
        h.setOptionValue(option, value)
    cost = np.concatenate([np.zeros(n_x), np.array(g_cost, dtype=np.float64)])
    h.addCols(n_x + n_g, cost, np.zeros(n_x + n_g), np.full(n_x + n_g, INF), 0, np.array([], np.int32), np.array([], np.int32), np.array([], float))
    # The rules, one row per bound (its arcs ≤ its limit in whole fen).
    bound_starts = np.searchsorted(owner, np.arange(len(limits) + 1))
    h.addRows(len(limits), np.full(len(limits), -INF), limits.astype(np.float64), len(member),
              bound_starts[:-1].astype(np.int32), member.astype(np.int32), np.ones(len(member)))
    for arcs, sense, fen in commitment_rows(rules):  # a least Σ x ≥ fen, a most Σ x ≤ fen
        h.addRow(float(fen) if sense < 0 else -INF, INF if sense < 0 else float(fen), len(arcs), np.array(arcs, np.int32), np.ones(len(arcs)))
    if n_g:
        cols = np.concatenate(index).astype(np.int32)
        h.addRows(n_g, np.array(lower), np.full(n_g, INF), len(cols), np.array(starts, np.int32), cols, np.ones(len(cols)))

    def solve(stage: str) -> float:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolveError(f"the robust plan's LP ({stage}) ended {h.modelStatusToString(h.getModelStatus())}, draws={draws}")
        return h.getInfo().objective_function_value

    def hold(columns: np.ndarray, coefficients: np.ndarray, optimum: float) -> None:
        """Σ coefficient·column ≤ optimum (and its slack), for the stages after."""
        h.addRow(-INF, optimum + HOLD_RELATIVE * abs(optimum) + HOLD_ABSOLUTE, len(columns), columns.astype(np.int32), coefficients)

    def objective(costs: np.ndarray) -> None:
        h.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)

    g_cols = np.arange(n_x, n_x + n_g)
    weighted = np.array(g_cost) > 0
    hold(g_cols[weighted], np.array(g_cost)[weighted], solve("stage 1"))
    mean_need = np.zeros(len(rules.lines.enterprises))
    np.add.at(mean_need, rules.lines.enterprise, residual.mean(axis=0))
    fair = np.flatnonzero(mean_need > 0) if fairness else np.zeros(0, dtype=np.int64)
    width = n_x + n_g
    if len(fair):
        t = width  # the largest expected gap share
        width += 1
        h.addCol(1.0, 0.0, INF, 0, np.array([], np.int32), np.array([], float))
        by_enterprise = np.array(g_enterprise, dtype=np.int64)
        for e in fair.tolist():
            mine = g_cols[by_enterprise == e]
            h.addRow(-INF, 0.0, len(mine) + 1, np.append(mine, t).astype(np.int32),
                     np.append(np.array(g_mean)[by_enterprise == e], -mean_need[e]))
        objective(np.concatenate([np.zeros(n_x + n_g), [1.0]]))
        hold(np.array([t]), np.array([1.0]), solve("stage 2"))
    objective(np.concatenate([np.full(n_x, -1.0), np.zeros(width - n_x)]))
    hold(np.arange(n_x), np.full(n_x, -1.0), solve("stage 3"))
    objective(np.concatenate([np.array(rules.tie_break_costs(), dtype=np.float64), np.zeros(width - n_x)]))
    solve("tie-break")
    return keep_commitments(rules, fen_of_floats(rules, h.getSolution().col_value[:n_x]))
