"""The robust plan of `subsidy risk --plan robust`: public money decided before the facts are known.

Sample average approximation: given the residual need of every cost line in each of S draws (own
funds as they fell, through the waterfall), choose one allocation x — every rule of the scenario
at its expected values (budgets, caps, share caps, needs: the same `Rules` the solve obeys) — that
minimises the weighted gap averaged over the draws:

    min  Σ_l w_l · (1/S) Σ_s g[s,l]
    s.t. g[s,l] + Σ_{a into l} x_a ≥ r[s,l],  g ≥ 0,  x within the rules

Each draw's gap variables share the one first-stage x. A line whose residual need is the same in
every draw gets one gap variable, not S (most lines, when few amounts are ranges). One LP on
HiGHS (one thread, fixed seed: the same answer every run), in fen; the answer is taken down to
whole fen and then trimmed, fen by fen, wherever the rounding left a rule over its limit (checked
in integers). Only stage 1: no fairness stage or tie-break among equally good robust plans.
Commitments are not taken (their lower bounds would need a rounding that keeps them).
"""

from __future__ import annotations

import math

import numpy as np

from subsidy.allocate.lp_solvers import silence_highs_banner
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import SolveError

INF = math.inf


def robust_allocation(rules: Rules, residual: np.ndarray) -> np.ndarray:
    """Whole fen per arc of `rules` minimising the mean weighted gap over the draws' residual
    needs `residual` (draws × lines of `rules.lines`, fen)."""
    import highspy

    if rules.commit_arcs:
        raise SolveError("--plan robust does not take commitments or minimum coverage yet: remove them, or use the plan on expected values")
    if len(rules.pool_fund):
        raise SolveError("--plan robust does not take the factor method's share below 1 yet (the pool not tied to a region): "
                         "use the plan on expected values")
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
    nnz = 0
    for line in np.flatnonzero((weight > 0) & (residual.max(axis=0) > 0)).tolist():
        arcs = order[line_starts[line]:line_starts[line + 1]]
        needs = residual[:, line] if varies[line] else residual[:1, line]
        for need in needs.tolist():
            starts.append(nnz)
            index.append(np.append(arcs, n_x + len(g_cost)))
            nnz += len(arcs) + 1
            lower.append(float(need))
            g_cost.append(float(weight[line]) / len(needs))
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
    if n_g:
        cols = np.concatenate(index).astype(np.int32)
        h.addRows(n_g, np.array(lower), np.full(n_g, INF), len(cols), np.array(starts, np.int32), cols, np.ones(len(cols)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolveError(f"the robust plan's LP ended {h.modelStatusToString(h.getModelStatus())}, draws={draws}")
    x = np.array(h.getSolution().col_value[:n_x])
    fen = np.floor(np.maximum(x, 0) + 1e-6).astype(np.int64)
    return _within_limits(fen, owner, member, limits)


def _within_limits(fen: np.ndarray, owner: np.ndarray, member: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Take back, from the largest arcs first, any fen a bound holds beyond its limit (integers)."""
    fen = fen.copy()
    while True:
        used = np.zeros(len(limits), dtype=np.int64)
        np.add.at(used, owner, fen[member])
        over = np.flatnonzero(used > limits)
        if not len(over):
            return fen
        for b in over.tolist():
            excess = int(used[b] - limits[b])
            arcs = member[owner == b]
            for a in arcs[np.argsort(-fen[arcs], kind="stable")].tolist():
                take = min(excess, int(fen[a]))
                fen[a] -= take
                excess -= take
                if not excess:
                    break
