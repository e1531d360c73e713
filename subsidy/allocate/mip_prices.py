"""Prices from the relaxation: what a rule is worth when 配套 matching makes the stages MIPs.

A MIP has no duals, and its optimum moves by whole fen in steps that follow the match ratios
(central 100 wanted, matching 1 fen, ratio 0.3: central gets 3 fen, with 2 fen of matching it
gets 6, not 6.67). So `explain`, funds.csv and the stage-1 duals price rules on the LP
relaxation of stage 1: the same rows (bounds, commitments, minimum coverage, match rows), x
continuous. Its marginal values are those of the relaxation, exact for it, and differ from the
whole-fen optimum's own steps by less than a fen's worth per match row; output and README say
"prices from the relaxation".

The factor method's pool (`lp_pool`) is one more column per pooled region, of weight 0.
Every row is written Σ_a A_ia·x_a ≤ b_i (a least negated; a match row −den·Σ matching +
num·Σ this fund ≤ 0). The dual is min b·u, Aᵀu ≥ w, u ≥ 0; the right derivative in b_i is the
least u_i over the dual's optimal face and the left one the largest (as `lp.LpPrices`), the face
cut out by complementary slackness with the relaxation's optimum (a vertex, to the solver's
tolerance: `SLACK`). A match row's price is per unit of co-funding waived (its rhs raised by
den, i.e. den·u), and per unit more co-funding required (den × the largest u).

(The lead's brief asked for "the LP relaxation with the integer solution's face fixed": fixing
the arcs the whole-fen optimum leaves at 0 would price a fund whose arcs carry nothing, a budget
of 0 say, at 0 whatever more of it would save; the plain relaxation does not.)
"""

from __future__ import annotations

import numpy as np
import pulp

from subsidy.allocate.highs_across_stages import HighsAcrossStages
from subsidy.allocate.lp import commitment_owners, commitment_rows, run
from subsidy.allocate.lp_solvers import make_solver
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import UNBOUNDED, SolveError

SLACK = 1e-6
"""A row of the relaxation with more room than this (fen), or an arc carrying more, counts as
such when the dual's face is cut out; the solver's own feasibility tolerance is 1e-7."""


class Relaxation:
    """Stage 1's LP relaxation as rows Σ A·x ≤ b: the bounds (rules' order), the commitment rows
    (`lp.commitment_rows`), then the match rows."""

    def __init__(self, rules: Rules, solver: str, unit_weights: bool = False, optimum: tuple[np.ndarray, np.ndarray] | None = None):
        self.rules, self.solver = rules, solver
        self.weights = [1.0] * len(rules.arc_source) if unit_weights else rules.arc_weights()
        self.n_bounds = len(rules.membership()[2])
        self.weights = list(self.weights) + [0.0] * len(rules.pool_columns[0])
        self._rows: list[tuple[list[tuple[int, float]], float]] | None = None
        # HiGHS: one model per program across its solves (the face's extremes change only the objective)
        self.engine = HighsAcrossStages(mip=False) if solver == "highs" else make_solver(solver, len(self.weights))
        if optimum is None:
            self.x, self.saved = self._optimum()
        else:  # an optimum of this same LP solved already (`mip`'s stage-1 relaxation): any serves the face
            self.x, self.solver_duals = np.asarray(optimum[0], dtype=float), np.asarray(optimum[1], dtype=float)
            self.saved = float(np.dot(self.weights, self.x))
        self._face = None

    @property
    def rows(self) -> list[tuple[list[tuple[int, float]], float]]:
        """The rows (terms, rhs), built when a program or the face first needs them: the stage-1
        duals and a price of 0 need none (at 10,000 enterprises 0.7 s of Python)."""
        if self._rows is None:
            rules = self.rules
            rows = [([(a, 1.0) for a in arcs], float(limit)) for arcs, limit in zip(rules.bound_members(), rules.membership()[2].tolist())]
            # the factor method's pool (lp_pool): one more column z_r per pooled region, weight 0,
            # −1 in its region's row and +1 in the pool's
            region, pool = rules.pool_columns
            n_arcs = len(rules.arc_source)
            for j, (r, p) in enumerate(zip(region.tolist(), pool.tolist())):
                rows[r][0].append((n_arcs + j, -1.0))
                rows[p][0].append((n_arcs + j, 1.0))
            for arcs, sense, fen in commitment_rows(rules):
                rows.append(([(a, float(sense)) for a in arcs], float(sense * fen)))
            for by, den, paid, num in rules.match_rows():
                rows.append(([(a, -float(den)) for a in by] + [(a, float(num)) for a in paid], 0.0))
            self._rows = rows
        return self._rows

    @property
    def face(self):
        """The dual's optimal face (`_dual_face`), built when an extreme is first asked for: the
        stage-1 duals and a price of 0 need none (`extremes`)."""
        return self._face_and_u()[0]

    @property
    def u(self) -> dict:
        """The face's variable per row (rows without terms have none)."""
        return self._face_and_u()[1]

    def _face_and_u(self):
        if self._face is None:
            self._face = self._dual_face()
        return self._face

    def _program(self, name: str, sense=pulp.LpMaximize, moved: int | None = None, sign: int = 0, cap: float | None = None):
        """The relaxation as a PuLP program, row `moved`'s rhs shifted by sign·Δ (0 ≤ Δ ≤ cap) if given."""
        program = pulp.LpProblem(name, sense)
        x = [program.add_variable(f"x{i}", lowBound=0) for i in range(len(self.weights))]
        delta = None
        if moved is not None:
            delta = program.add_variable("delta", lowBound=0, upBound=cap)
        self.made = []  # the rows' constraints, in order (their duals)
        for i, (terms, rhs) in enumerate(self.rows):
            extra = [(delta, -float(sign))] if i == moved else []
            self.made.append(pulp.LpAffineExpression([(x[a], c) for a, c in terms] + extra) <= rhs)
            program.addConstraint(self.made[-1], name=f"r{i}")
        return program, x, delta

    def _optimum(self) -> tuple[np.ndarray, float]:
        program, x, _ = self._program("relaxation")
        program.setObjective(pulp.LpAffineExpression([(v, w) for v, w in zip(x, self.weights)]) + 0)
        run(program, self.engine, "stage 1 (prices from the relaxation)")
        values = np.array([float(v.varValue or 0.0) for v in x])
        # the solver's own duals of the bounds (≥ 0 for ≤ rows of a maximisation): the stage-1
        # duals reported per rule, one LP for all (`duals`). HiGHS through PuLP reports them ≤ 0
        # here (its maximisation is a minimisation of −Σ w·x), so their magnitude (taking only
        # the part ≥ 0 gave every rule a dual of 0)
        self.solver_duals = np.abs([float(c.pi or 0.0) for c in self.made[: self.n_bounds]])
        return values, float(np.dot(self.weights, values))

    def _dual_face(self):
        """The dual's optimal face: u ≥ 0 per row, Aᵀu ≥ w (= where the optimum pays the arc),
        u_i = 0 where the optimum leaves row i room."""
        face = pulp.LpProblem("dual", pulp.LpMinimize)
        column: list[list[tuple[int, float]]] = [[] for _ in self.weights]
        for i, (terms, _) in enumerate(self.rows):
            for a, c in terms:
                column[a].append((i, c))
        u = {}
        for i, (terms, rhs) in enumerate(self.rows):
            if terms:
                room = rhs - sum(c * self.x[a] for a, c in terms)
                u[i] = face.add_variable(f"u{i}", lowBound=0, upBound=0 if room > SLACK * max(1.0, abs(rhs)) else None)
        for a, w in enumerate(self.weights):
            row = pulp.LpAffineExpression([(u[i], c) for i, c in column[a]])
            face.addConstraint(row == w if self.x[a] > SLACK else row >= w, name=f"arc{a}")
        return face, u

    def extremes(self, terms: list[tuple[int, float]], with_less: bool) -> tuple[float, float]:
        """(least, largest) of Σ coef·u_i over the face; ∓inf where unbounded, NaN largest where not asked.

        A least over bounds' rows with coefficients ≥ 0 that the solver's own optimal dual (a
        point of the face) gives 0 is 0 without a solve: u ≥ 0 on the face. At 10,000 enterprises
        that is funds.csv's every price of the bench's matched scenario, which cost 13.6 s of
        face LPs."""
        if not with_less and all(0 <= i < self.n_bounds and c >= 0 and self.solver_duals[i] == 0 for i, c in terms):
            return 0.0, np.nan
        u = self.u
        expr = pulp.LpAffineExpression([(u[i], c) for i, c in terms if i in u])
        if not len(expr):
            return 0.0, (0.0 if with_less else np.nan)
        return self._extreme(expr, 1.0), (self._extreme(expr, -1.0) if with_less else np.nan)

    def _extreme(self, expr, sign: float) -> float:
        face = self.face
        face.setObjective(sign * expr + 0)
        if face.solve(self.engine) == pulp.LpStatusUnbounded:
            return -sign * np.inf
        if face.status != pulp.LpStatusOptimal:
            raise SolveError(f"prices from the relaxation: the solver did not reach an optimum ({pulp.LpStatus.get(face.status)})")
        return round(float(pulp.value(expr) or 0.0), 5) + 0.0

    def duals(self) -> np.ndarray:
        """The bounds' duals as `Backend.stage1_duals` gives them (≤ 0): the solver's, of the
        relaxation (a point of the face; `extremes` gives each side exactly, per rule asked)."""
        return -np.maximum(self.solver_duals, 0.0) + 0.0

    def range_of(self, row: int, sign: int, gain: float, cap: float | None = None) -> int:
        """max Δ ≤ cap (whole fen, rounded down) with row's rhs moved by sign·Δ still saving saved + gain·Δ."""
        program, x, delta = self._program("price_range", moved=row, sign=sign, cap=cap)
        program.addConstraint(pulp.LpAffineExpression([(v, w) for v, w in zip(x, self.weights)] + [(delta, -gain)])
                              >= self.saved - SLACK, name="keeps_the_price")
        program.setObjective(delta + 0)
        status = program.solve(self.engine)
        if status == pulp.LpStatusUnbounded:
            return UNBOUNDED
        if status != pulp.LpStatusOptimal:
            raise SolveError(f"prices from the relaxation: the solver did not reach an optimum ({pulp.LpStatus.get(status)})")
        return int(np.floor(float(delta.varValue or 0.0) + 1e-4))  # the solver's noise, far below a fen


class RelaxationPrices:
    """`stages.Prices` on the relaxation (module docstring); also the match rows' values."""

    def __init__(self, rules: Rules, solver: str = "highs", optimum: tuple[np.ndarray, np.ndarray] | None = None):
        self.rules, self.solver = rules, solver
        self.optimum = optimum  # (x with the pool's z, the bounds' duals ≥ 0) of the weighted relaxation, if solved already
        self._made: dict[bool, Relaxation] = {}

    def relaxation(self, unit_weights: bool = False) -> Relaxation:
        if unit_weights not in self._made:
            given = None if unit_weights else self.optimum
            self._made[unit_weights] = Relaxation(self.rules, self.solver, unit_weights, given)
        return self._made[unit_weights]

    def _rows_values(self, groups: list[list[tuple[int, float]]], with_less: list[bool], unit_weights: bool):
        more, less = np.zeros(len(groups)), np.full(len(groups), np.nan)
        if not len(self.rules.arc_source):
            return more, np.where(with_less, 0.0, np.nan)
        relaxed = self.relaxation(unit_weights)
        for k, (terms, asked) in enumerate(zip(groups, with_less)):
            more[k], less[k] = relaxed.extremes(terms, asked)
        return more, less

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False, right_only: bool = False):
        asked = np.asarray(bounds, dtype=np.int64).tolist()
        limits = self.rules.membership()[2]
        return self._rows_values([[(r, 1.0)] for r in asked], [bool(limits[r] > 0) and not right_only for r in asked], unit_weights)

    def price_ranges(self, bounds: np.ndarray, unit_weights: bool = False):
        asked = np.asarray(bounds, dtype=np.int64)
        limits = self.rules.membership()[2]
        if not len(self.rules.arc_source):
            return np.full(len(asked), UNBOUNDED, dtype=np.int64), limits[asked].astype(np.int64)
        more, less = self.marginal_values(asked, unit_weights)
        relaxed = self.relaxation(unit_weights)
        increase = np.full(len(asked), UNBOUNDED, dtype=np.int64)
        decrease = np.zeros(len(asked), dtype=np.int64)
        for k, r in enumerate(asked.tolist()):
            if more[k] > 0:
                increase[k] = relaxed.range_of(r, +1, float(more[k]))
            if limits[r] > 0 and np.isfinite(less[k]):
                decrease[k] = relaxed.range_of(r, -1, -float(less[k]), float(limits[r]))
        return increase, decrease

    def commitment_values(self, unit_weights: bool = False):
        """Per commitment (and coverage row): as `lp.LpPrices.commitment_values`, on the relaxation."""
        rules = self.rules
        n = len(rules.commit_arcs)
        start = len(rules.bound_order[0])
        rows = commitment_rows(rules)
        owners = commitment_owners(rules)
        groups = [[(start + j, 1.0) for j, o in enumerate(owners) if o == k] for k in range(n)]
        # a row's rhs is sense·fen: one unit more of the commitment moves it by sense, so Σ sense·u
        groups = [[(i, float(rows[i - start][1])) for i, _ in g] for g in groups]
        return self._rows_values(groups, [bool(rules.commit_upper[k] != 0) for k in range(n)], unit_weights)

    def least_ranges(self, rows: list[int], unit_weights: bool = False):
        """(increase, decrease) in whole fen of the leasts `rows` (minimum coverage), on the relaxation."""
        rules = self.rules
        increase = np.zeros(len(rows), dtype=np.int64)
        decrease = np.zeros(len(rows), dtype=np.int64)
        if not rows or not len(rules.arc_source):
            return increase, decrease
        more, less = self.commitment_values(unit_weights)
        relaxed = self.relaxation(unit_weights)
        owners = commitment_owners(rules)
        start = len(rules.bound_order[0])
        for i, k in enumerate(rows):
            row = start + owners.index(k)  # a least alone: one row, rhs −least; a higher least is −Δ on it
            if np.isfinite(more[k]):
                increase[i] = relaxed.range_of(row, -1, float(more[k]))
            if np.isfinite(less[k]):
                decrease[i] = relaxed.range_of(row, +1, -float(less[k]), float(rules.commit_lower[k]))
        return increase, decrease

    def match_values(self, unit_weights: bool = False):
        """Per match row: (more, less), the weighted gap one unit of co-funding waived saves, and
        one unit more required adds (den × the row's least and largest u)."""
        relaxed = self.relaxation(unit_weights) if len(self.rules.arc_source) else None
        n = len(self.rules.match_fund)
        if relaxed is None:
            return np.zeros(n), np.zeros(n)
        first = relaxed.n_bounds + len(commitment_rows(self.rules))  # the match rows come after the commitments'
        dens = [den for _, den, _, _ in self.rules.match_rows()]
        return self._rows_values([[(first + k, float(den))] for k, den in enumerate(dens)], [True] * n, unit_weights)
