"""The LP backend for sweeps: one HiGHS model per program structure, re-solved point after point.

A sweep solves the same scenario hundreds of times with one number changed. When the change only
moves right-hand sides (a budget, a cap, own funds), a category weight (the objective) or a need
(the fairness row's coefficient), the program keeps its structure: the same arcs, the same rows.
`HighsModels` then keeps one highspy model per structure and `ReusedHighs` only changes row
bounds, costs and the coefficients that moved, so HiGHS starts from the previous basis. A change
of structure (eligibility, a cap appearing or vanishing, a need falling to zero) is seen in the
arcs and row names, and a model is built for it.

The model is built straight from the `Rules` arrays (no PuLP), with the rows and columns of
`lp.PulpBackend`'s program in the same order: the bounds (whole fen), the fairness rows, the
enterprises' whole-fen floors and the spending hold, the last two left free until their stage.
The stages and their holds are the same (stage 1's optimal face, `lp.stage1_face`; the floors,
`lp.enterprise_floors`; spending in whole fen); so is the answer. Column bounds carry the face
and the share's fixing, and are reset with the row bounds for the next point.

When a solve ends other than optimal, the held model drops its basis (`clearSolver`) and the
stage is solved again from scratch, presolve included, as a model built afresh would; a model
that fails even so is forgotten (`HighsModels.drop`), and `pipeline.allocate` has PuLP solve that
point (`fallback`; the sweep's table says so on its row). Before, a warm start that failed left
its state to the next point.

Why warm starts failed (the corpus of tests/rational_lp.py, first fund's budget at ¼ ½ ¾ 1):
- "normal" seed 12, ¾ point: the tie-break, started from the ½ point's basis without presolve,
  stopped at iteration 0 with one row off by 2.38e-7 fen ("Pr: 1(2.38419e-07)") and called it
  Infeasible. 2.38e-7 is 2^-22, one rounding step of a double between 2^30 and 2^31: the fairness
  rows' needs there were 1.58e9-1.87e9 fen, so their residual cannot be computed closer than that,
  and HiGHS' primal feasibility tolerance is an absolute 1e-7 (its log: "excessively large ratio
  (2e+16) between max variable or constraint bound (2e+09) and primal feasibility tolerance").
  A model built afresh passed because presolve removed those rows (23 rows → 4) before solving.
- "wide" points (up to 10^12 fen): "After unscaling ... max primal infeasibility 10" fen: the
  fairness row's coefficient is the need (10^12) on the share, and 10 fen is 1e-11 of it.
- Measured on 1,680 points (normal, wide and dense, 70 seeds each, each also with its first
  enterprise twice), failed warm starts: 23 as it was; 20 with simplex_scale_strategy 4; 14 with
  the tolerance 1e-6; 0 with user_bound_scale -11, but one point then failed from scratch too;
  5 with the tolerance at `TOLERANCE_ULPS` rounding steps of the program's largest number
  (`feasibility_tolerance`), none of them normal; 5 with that and the fairness rows freed outside
  stage 2, where the share is fixed at 1 and they only say Σx ≥ 0 (the 10 fen above gone).
  The 5 left are wide (10^12 fen) with no primal or dual infeasibility: HiGHS turns "Optimal"
  into "Unknown" because the primal-dual objective error is 1.3e-5 to 2e-5, over its relative
  1e-7. The reset solves them; the optimality tolerance stays, as it guards each stage's optimum.
  Every point of the 1,680 equals the flow's weighted gap, with or without these changes.
"""

from __future__ import annotations

import math

import numpy as np

from subsidy.allocate.lp import (LP_NOTE, LpPrices, PulpBackend, enterprise_floors, fairness_scale, is_optimal_dual,
                                 optimal_duals, stage1_face)
from subsidy.allocate.lp_solvers import silence_highs_banner, solver_version
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import SolveError

INF = math.inf
FALLBACK_NOTE = "the reused HiGHS model failed ({failure}); this point was solved by PuLP with HiGHS"


def program(rules: Rules, fairness: bool) -> tuple[list[str], list[tuple[list[int], list[float], float, float]]]:
    """Row names and rows (columns, coefficients, lower, upper): the bounds in whole fen, the
    fairness rows (one per enterprise with a need, the share being the last column) and the
    enterprises' floors (free until stage 2 is held), the spending hold (free until stage 3)."""
    names = rules.bound_names()
    rows = [(arcs, [1.0] * len(arcs), -INF, float(limit)) for arcs, limit in zip(rules.bound_members(), rules.membership()[2].tolist())]
    n_x = len(rules.arc_source)
    if fairness:
        by_enterprise = rules.arcs_by_enterprise()
        ents = rules.lines.enterprises
        needs = sorted(rules.enterprise_need_fen().items())
        for e, need in needs:
            cols = by_enterprise.get(e, [])
            names.append(f"gap_share[{ents[e]}]")
            rows.append((cols + [n_x], [1.0] * len(cols) + [float(need)], float(need), INF))
        for e, _ in needs:
            cols = by_enterprise.get(e, [])
            names.append(f"floor[{ents[e]}]")
            rows.append((cols, [1.0] * len(cols), -INF, INF))
    rows.append((list(range(n_x)), [1.0] * n_x, -INF, INF))
    return names + ["hold[total_funded]"], rows


TOLERANCE_ULPS = 16
"""How many rounding steps of a double at the program's largest number the primal feasibility
tolerance allows (module docstring: why)."""


def feasibility_tolerance(rows) -> float:
    """HiGHS' own 1e-7, or TOLERANCE_ULPS rounding steps of the largest finite row bound or
    coefficient where that is coarser (from 2^30 fen, about 10^9: 16 × 2.4e-7 = 3.8e-6 fen; at
    10^12 fen, 2e-3 fen: still far below the half fen the whole-fen amounts are rounded by)."""
    largest = max((abs(v) for idx, coefs, lower, upper in rows for v in (*coefs, lower, upper) if abs(v) < INF), default=1.0)
    return max(1e-7, TOLERANCE_ULPS * float(np.spacing(largest)))


class HighsModels:
    """highspy models kept across the points of a sweep, by program structure (the last few, so
    that a sweep alternating between two structures reuses a model for each)."""

    KEEP = 8
    OPTIONS = {"output_flag": False, "threads": 1, "random_seed": 0}
    """HiGHS options of every held model (`options` adds to them)."""

    def __init__(self, options: dict | None = None) -> None:
        self.options = {**self.OPTIONS, **(options or {})}
        self.held: dict[tuple, tuple] = {}  # signature → (highs, row coefficients); most recent last
        self.builds = 0
        self.reuses = 0
        self.resets = 0  # solves that ended other than optimal and were started again from scratch

    def model_for(self, rules: Rules, fairness: bool):
        """(highs, names, rows) for the rules, built or reused with bounds and coefficients updated."""
        names, rows = program(rules, fairness)
        signature = (tuple(rules.arcs), tuple(names), fairness)
        held = self.held.pop(signature, None)
        if held is not None:
            _update(*held, rows)
            _reset_columns(held[0], len(rules.arc_source), fairness)
            self.reuses += 1
        else:
            held = _load(len(rules.arc_source) + (1 if fairness else 0), fairness, rows, self.options)
            self.builds += 1
            if len(self.held) >= self.KEEP:
                self.held.pop(next(iter(self.held)))
        if "primal_feasibility_tolerance" not in self.options:
            held[0].setOptionValue("primal_feasibility_tolerance", feasibility_tolerance(rows))
        self.held[signature] = held
        return held[0], names, rows

    def drop(self, highs) -> None:
        """Forget a model that failed even from scratch: the next point with its structure builds
        a new one from the arrays instead of inheriting whatever state the failure left."""
        for signature, held in list(self.held.items()):
            if held[0] is highs:
                del self.held[signature]


def _load(n_cols: int, fairness: bool, rows, options: dict) -> tuple:
    import highspy

    silence_highs_banner()
    h = highspy.Highs()
    for option, value in options.items():
        h.setOptionValue(option, value)
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    if fairness:
        upper[-1] = 1.0
    h.addCols(n_cols, np.zeros(n_cols), lower, upper, 0, np.array([], np.int32), np.array([], np.int32), np.array([], float))
    starts, index, value = [], [], []
    for idx, coefs, _, _ in rows:
        starts.append(len(index))
        index += idx
        value += coefs
    h.addRows(len(rows), np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float), len(index),
              np.array(starts, np.int32), np.array(index, np.int32), np.array(value, float))
    return h, [list(r[1]) for r in rows]


def _reset_columns(h, n_x: int, fairness: bool) -> None:
    """Every amount back to [0, ∞), the share to [0, 1]: the last point's face and fixing gone."""
    n = n_x + (1 if fairness else 0)
    upper = np.full(n, INF)
    if fairness:
        upper[-1] = 1.0
    h.changeColsBounds(n, np.arange(n, dtype=np.int32), np.zeros(n), upper)


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


class ReusedHighs:
    """The LP's stages on a held HiGHS model (`HighsModels`), as `lp.PulpBackend` runs them."""

    method = "pulp"
    solver = "highs"
    units_per_fen = None

    def __init__(self, rules: Rules, models: HighsModels, note: str = LP_NOTE):
        self.rules = rules
        self.note = note
        self.fairness = rules.scenario.policy.fairness and rules.has_need
        self.models = models
        self.highs, self.names, self.rows = models.model_for(rules, self.fairness)
        self.n_x = len(rules.arc_source)
        self.n_cols = self.n_x + (1 if self.fairness else 0)
        self.n_bounds = len(rules.bound_order[0])
        self.floor_rows = self.n_bounds + len(rules.enterprise_need_fen()) if self.fairness else None
        self.funded_row = len(self.names) - 1
        self.weights = np.array(rules.arc_weights(), dtype=float)
        if self.fairness:
            # The share stays at 1 (its rows silent) except in stage 2: with it free, a stage-1
            # basis could hold the share and leave amounts off whole fen. Its rows are freed too
            # (module docstring: with the share at 1 they only say Σx ≥ 0, yet their coefficient,
            # the need, is what left a warm start 10 fen off at 10^12 fen).
            self.highs.changeColBounds(self.n_x, 1.0, 1.0)
            self._share_rows(on=False)

    @property
    def solver_version(self) -> str:
        return solver_version("highs")

    def fallback(self, failure: SolveError) -> PulpBackend:
        """The PuLP backend for this point, after the held model failed even from scratch
        (`_run`): its own program built for this point alone; its note says why."""
        return PulpBackend(self.rules, "highs", f"{self.note}; {FALLBACK_NOTE.format(failure=failure)}")

    def _run(self, costs: np.ndarray, stage: str) -> np.ndarray:
        h = self.highs
        n = len(costs)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        if status != "Optimal":
            # The previous basis (and the solution it carries) is where a warm start went wrong;
            # drop it and solve this stage again from scratch (presolve included), as a model
            # built fresh would. Without this, a failed point left its basis to the next point.
            self.models.resets += 1
            h.clearSolver()
            h.run()
            status = h.modelStatusToString(h.getModelStatus())
        if status != "Optimal":
            self.models.drop(h)
            raise SolveError(f"{stage}: the solver did not reach an optimum ({status})")
        return np.array(h.getSolution().col_value)

    def minimise_weighted_gap(self) -> float:
        costs = np.zeros(self.n_cols)
        costs[: self.n_x] = -self.weights
        x = self._run(costs, "stage 1 (weighted gap)")
        n_bounds = self.n_bounds
        solution = self.highs.getSolution()
        self.duals = np.array(solution.row_dual[:n_bounds], dtype=float)
        activity = np.array(solution.row_value[:n_bounds], dtype=float)
        upper = np.array([r[3] for r in self.rows[:n_bounds]], dtype=float)
        self.slacks = (upper - activity) / 100
        self.optimum = np.rint(x[: self.n_x]).astype(np.int64)  # a vertex: whole fen
        if not is_optimal_dual(self.rules, self.duals, self.optimum):
            self.duals, _ = optimal_duals(self.rules, self.optimum, "highs")  # no commitments here (pipeline)
        return (self.rules.weighted_need_fen() + float(np.dot(costs[: self.n_x], x[: self.n_x]))) / 100

    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        return self.duals, self.slacks

    def hold_weighted_gap(self, value: float) -> None:
        empty_arcs, full_rules, _ = stage1_face(self.rules, self.duals)
        h = self.highs
        if len(empty_arcs):
            h.changeColsBounds(len(empty_arcs), empty_arcs.astype(np.int32), np.zeros(len(empty_arcs)), np.zeros(len(empty_arcs)))
        for r in full_rules.tolist():
            h.changeRowBounds(r, self.rows[r][3], self.rows[r][3])

    def _share_rows(self, on: bool) -> None:
        """The fairness rows Σx + need·share ≥ need: in force for stage 2 only."""
        first, count = self.n_bounds, len(self.rules.enterprise_need_fen())
        lower = np.array([r[2] for r in self.rows[first:first + count]], float) if on else np.full(count, -INF)
        self.highs.changeRowsBounds(count, np.arange(first, first + count, dtype=np.int32), lower, np.full(count, INF))

    def minimise_largest_gap_share(self) -> float:
        costs = np.zeros(self.n_cols)
        costs[self.n_x] = fairness_scale(self.rules.enterprise_need_fen())
        self.highs.changeColBounds(self.n_x, 0.0, 1.0)
        self._share_rows(on=True)
        x = self._run(costs, "stage 2 (largest gap share)")
        self.stage2 = x[: self.n_x]
        return float(x[self.n_x])

    def hold_largest_gap_share(self, value: float) -> None:
        floors = sorted(enterprise_floors(self.rules, self.stage2, value).items())
        for k, (_, floor) in enumerate(floors):
            self.highs.changeRowBounds(self.floor_rows + k, float(floor), INF)
        self.highs.changeColBounds(self.n_x, 1.0, 1.0)  # the floors hold stage 2 from here
        self._share_rows(on=False)

    def maximise_funded(self) -> float:
        costs = np.zeros(self.n_cols)
        costs[: self.n_x] = -1.0
        x = self._run(costs, "stage 3 (spend what can still be spent)")
        self.funded = round(float(np.sum(x[: self.n_x])))  # a vertex: whole fen
        return self.funded / 100

    def hold_funded(self, value: float) -> None:
        self.highs.changeRowBounds(self.funded_row, float(self.funded), INF)

    def tie_break(self) -> np.ndarray:
        """Amounts per arc in fen (floats: whole fen up to the solver's noise)."""
        costs = np.zeros(self.n_cols)
        costs[: self.n_x] = self.rules.tie_break_costs()
        x = self._run(costs, "stage 3 (tie-break by fund order)")
        return np.maximum(0.0, x[: self.n_x])

    def fund_prices(self) -> np.ndarray:
        return -self.duals[: len(self.rules.scenario.funds)] + 0.0

    def prices(self) -> LpPrices:
        return LpPrices(self.rules, "highs")
