"""Re-solving the allocation program for a family of scenarios without rebuilding the solver model.

A sweep solves the same scenario hundreds of times with one number changed. When the change
only moves right-hand sides (a budget, a cap, own funds), a category weight (the objective) or a
need (the fairness row's coefficient), the program keeps its structure: the same arcs, the same
named rows. `ReusedModel` then keeps one highspy model and only changes row bounds, costs and
coefficients between solves, so HiGHS starts from the previous basis. A change that alters the
structure (eligibility, a cap appearing or vanishing, a need falling to zero) is detected by
comparing arcs and row names, and the model is rebuilt.

Both paths run the stages of `solve.solve_lp` on the same program (`lp.build`, `lp.add_fairness`)
with the same holds, and end in the same reconciliation (`solve.result_of`): the result is the
one `subsidy solve` gives for that scenario.
"""

from __future__ import annotations

import math

import numpy as np
import pulp

from subsidy.allocate.lp import AllocationLP, add_fairness, build, fund_ranks, tie_break_weight
from subsidy.scenario.model import Scenario
from subsidy.allocate.result import Result
from subsidy.pipeline import (Solution, SolveError, StageValues, _hold, _largest_share, _silence_highs_banner, fairness_scale, result_of,
                    share_hold, solve)

INF = math.inf
HOLDS = ("hold[weighted_gap]", "hold[max_gap_share]", "hold[total_funded]")


def _row(constraint: pulp.LpConstraint, column: dict[str, int]) -> tuple[list[int], list[float], float, float]:
    """Column indices, coefficients and (lower, upper) bounds of one PuLP constraint."""
    items = sorted((column[var.name], coef) for var, coef in constraint.items())
    rhs = -constraint.constant
    if constraint.sense == pulp.LpConstraintLE:
        bounds = (-INF, rhs)
    elif constraint.sense == pulp.LpConstraintGE:
        bounds = (rhs, INF)
    else:
        bounds = (rhs, rhs)
    return [i for i, _ in items], [c for _, c in items], *bounds


class ReusedModel:
    """highspy models reused across scenarios of the same structure (see module docstring).

    Keeps the last few structures, so that a sweep alternating between two (a share cap of 1,
    which drops the cap rows, and one below 1) reuses a model for each.
    """

    KEEP = 8

    def __init__(self) -> None:
        self.held: dict[tuple, tuple] = {}  # signature → (highs, row coefficients); most recent last
        self.highs = None
        self.builds = 0
        self.reuses = 0

    # --- program → highspy ----------------------------------------------------------------------
    def _program(self, lp: AllocationLP) -> tuple[list[str], list[tuple[list[int], list[float], float, float]]]:
        """Row names and rows: the program's named constraints, then the three (free) holds."""
        column = {var.name: i for i, var in enumerate(self._columns(lp))}
        names = list(lp.constraints)
        rows = [_row(c, column) for c in lp.constraints.values()]
        arcs = range(len(lp.arcs))
        weights = lp.weighted_gap
        rows.append((list(arcs), [weights.get(lp.x[a], 0.0) for a in lp.arcs], -INF, INF))
        share = [column[lp.max_gap_share.name]] if lp.max_gap_share is not None else []
        rows.append((share, [1.0] * len(share), -INF, INF))
        rows.append((list(arcs), [1.0] * len(lp.arcs), -INF, INF))
        return names + list(HOLDS), rows

    @staticmethod
    def _columns(lp: AllocationLP) -> list[pulp.LpVariable]:
        return [lp.x[a] for a in lp.arcs] + ([lp.max_gap_share] if lp.max_gap_share is not None else [])

    def _load(self, lp: AllocationLP, rows) -> tuple:
        import highspy

        _silence_highs_banner()
        h = highspy.Highs()
        for option, value in (("output_flag", False), ("threads", 1), ("random_seed", 0)):
            h.setOptionValue(option, value)
        cols = self._columns(lp)
        lower = np.array([v.lowBound if v.lowBound is not None else -INF for v in cols], dtype=float)
        upper = np.array([v.upBound if v.upBound is not None else INF for v in cols], dtype=float)
        h.addCols(len(cols), np.zeros(len(cols)), lower, upper, 0, np.array([], np.int32), np.array([], np.int32), np.array([], float))
        starts, index, value = [], [], []
        for idx, coefs, _, _ in rows:
            starts.append(len(index))
            index += idx
            value += coefs
        h.addRows(len(rows), np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float), len(index),
                  np.array(starts, np.int32), np.array(index, np.int32), np.array(value, float))
        return h, [list(r[1]) for r in rows]

    @staticmethod
    def _update(h, coefs: list[list[float]], rows) -> None:
        """Move row bounds to the new scenario's; change only the coefficients that differ."""
        for i, (idx, new, _, _) in enumerate(rows):
            if new != coefs[i]:
                for col, a, b in zip(idx, new, coefs[i]):
                    if a != b:
                        h.changeCoeff(i, col, a)
                coefs[i] = list(new)
        n = len(rows)
        h.changeRowsBounds(n, np.arange(n, dtype=np.int32), np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float))

    def solve(self, scenario: Scenario, scenario_sha256: str | None = None) -> Result:
        """The result `solve.solve(scenario)` gives, reusing a model when the structure allows."""
        lp = build(scenario)
        if not lp.arcs:
            return solve(scenario, "highs", scenario_sha256, method="pulp")
        fairness = scenario.policy.fairness and bool(lp.enterprise_need)
        if fairness:
            add_fairness(lp)
        names, rows = self._program(lp)
        signature = (tuple(lp.arcs), tuple(names), fairness)
        held = self.held.pop(signature, None)
        if held is not None:
            self._update(*held, rows)
            self.reuses += 1
        else:
            held = self._load(lp, rows)
            self.builds += 1
            if len(self.held) >= self.KEEP:
                self.held.pop(next(iter(self.held)))
        self.held[signature] = held
        self.highs = held[0]
        return result_of(scenario, self._stages(lp, names, rows, fairness), scenario_sha256, check_tables=False)

    # --- stages -----------------------------------------------------------------------------------
    def _run(self, costs: np.ndarray, stage: str) -> np.ndarray:
        h = self.highs
        n = len(costs)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if status != "Optimal":
            raise SolveError(f"{stage}: the solver did not reach an optimum ({status})")
        return np.array(h.getSolution().col_value)

    def _hold(self, row: int, lower: float, upper: float) -> None:
        self.highs.changeRowBounds(row, lower, upper)

    def _stages(self, lp: AllocationLP, names: list[str], rows, fairness: bool) -> Solution:
        """Stages 1-3 exactly as `solve.solve_lp` runs them, on the held model."""
        n_x = len(lp.arcs)
        n = n_x + (1 if fairness else 0)
        hold_wg, hold_share, hold_funded = (names.index(h) for h in HOLDS)
        wg_row = rows[hold_wg]
        constant = float(lp.weighted_gap.constant)
        zeros = np.zeros(n)

        stage1 = zeros.copy()
        stage1[:n_x] = wg_row[1]
        x = self._run(stage1, "stage 1 (weighted gap)")
        weighted_gap = constant + float(np.dot(stage1[:n_x], x[:n_x]))
        solution = self.highs.getSolution()
        duals, slacks = {}, {}
        for i, name in enumerate(names[: len(lp.constraints)]):
            if name.startswith("gap_share["):
                continue  # not yet in the program at stage 1 in `solve_lp`
            duals[name] = float(solution.row_dual[i])
            lower, upper = rows[i][2], rows[i][3]
            activity = float(solution.row_value[i])
            slacks[name] = (upper - activity) if upper < INF else (activity - lower)

        self._hold(hold_wg, -INF, weighted_gap + _hold(weighted_gap) - constant)
        if fairness:
            stage2 = zeros.copy()
            stage2[n_x] = fairness_scale(lp)
            x = self._run(stage2, "stage 2 (largest gap share)")
            max_share = float(x[n_x])
            self._hold(hold_share, -INF, max_share + share_hold(max_share))
        else:
            max_share = math.nan

        stage3 = zeros.copy()
        stage3[:n_x] = -1.0
        x = self._run(stage3, "stage 3 (spend what can still be spent)")
        funded = float(np.sum(x[:n_x]))
        self._hold(hold_funded, funded - _hold(funded), INF)

        ranks = fund_ranks(lp.scenario)
        tie = zeros.copy()
        tie[:n_x] = [tie_break_weight(a, ranks[a.source]) for a in lp.arcs]
        x = self._run(tie, "stage 3 (tie-break by fund order)")
        values = {arc: max(0.0, float(v)) for arc, v in zip(lp.arcs, x[:n_x])}
        for row in (hold_wg, hold_share, hold_funded):
            self._hold(row, -INF, INF)
        if math.isnan(max_share):
            max_share = _largest_share(lp, values)
        return Solution(lp, "highs", values, StageValues(weighted_gap, max_share, funded), duals, slacks)

