"""One HiGHS model across a solve's stages: a PuLP plug-in that hands the program over once and
then only its changes (linopy's "model reuse as a diff", for the whole-fen MIP of `mip`).

Why. PuLP's own HiGHS plug-in builds a new highspy model on every `solve`: one `addCol` and
one `addRow` per variable and row from Python, then a solve from scratch. The 配套 MIP
(`mip.MipBackend`) solves one program a dozen times (each stage's LP relaxation, its repair,
the holds): at 10,000 enterprises (77,834 arcs, 5,830 match rows) each hand-over cost about
2-3 s. Here the model is built once from arrays, kept on the problem (`problem.solverModel`,
where `lp.run` reads HiGHS's status), and each later `solve` sends only what moved since the
last: the objective (one call), the column bounds and integrality that differ, the rows' bounds
that differ (`changeRHS`, a sense changed) and rows added since. Each solve still starts from
scratch (`_Held.run` says why); a repair's MIP with 77,692 of 77,834 arcs fixed then takes
0.3-2 s, against 2.4-3.9 s handed over whole by PuLP.

What it assumes: a row's terms are not edited after it was handed over (no code here does;
PuLP's `changeRHS` and a new sense are seen). What it checks: rows removed or replaced, or a
change of sense, rebuild the model from scratch. The Python side of a hand-over reads every
variable's bounds and every row's constant and sense (at 10,000 enterprises about 0.1 s) and
writes the values and duals back.

The same program solved here and by PuLP's plug-in gives the same optimum value (both are
HiGHS's optimum to its tolerances); the vertex may differ where the optimum is not unique,
which `mip` never relies on: every stage's answer is checked in whole fen and held by its
value, and the tie-break's costs make its optimum unique.
"""

from __future__ import annotations

import itertools
import math
import operator

import numpy as np
import pulp

from subsidy.allocate.lp_solvers import IPM_FROM_ARCS, silence_highs_banner

INF = math.inf


class HighsAcrossStages(pulp.LpSolver):
    """HiGHS on one model held by the problem across solves (module docstring). `mip`: integer
    variables stay integer (else the LP relaxation); `options`: HiGHS options for this solve."""

    name = "HiGHS"

    def __init__(self, mip: bool, **options):
        super().__init__(mip=mip, msg=False)
        self.options = {"output_flag": False, "threads": 1, "random_seed": 0, **options}

    def available(self) -> bool:
        return True

    def solve_fixed(self, lp: pulp.LpProblem, fixed: list[pulp.LpVariable], at: np.ndarray) -> int:
        """`lp` with `fixed` at `at`, the rest solved as its own small program (`_Held.solve_fixed`);
        `lp` must have been solved here since its last change."""
        held = lp.held_highs
        held._integrality(self.mip)
        return held.solve_fixed(fixed, np.asarray(at, dtype=float), self.options)

    def actualSolve(self, lp: pulp.LpProblem, **kwargs) -> int:
        held = getattr(lp, "held_highs", None)
        if held is None or not held.sync(lp, self.mip):
            held = lp.held_highs = _Held(lp, self.mip)
        lp.solverModel = held.highs
        held.run(self.options, self.mip)
        status, solution_status = held.read(lp)
        lp.assignStatus(status, solution_status)
        return status


LE, GE = pulp.LpConstraintLE, pulp.LpConstraintGE
FIXED_ROOM = 1e-6
"""How far a row of fixed columns alone may pass its bound (`_Held.solve_fixed`): whole fen
times integer coefficients sum exactly in doubles below 2^53, so only the holds' ½ and a
solver's bound matter; far below both."""


def _bounds(variables) -> tuple[np.ndarray, np.ndarray]:
    n = len(variables)
    lower = np.fromiter((-INF if v.lowBound is None else v.lowBound for v in variables), dtype=float, count=n)
    upper = np.fromiter((INF if v.upBound is None else v.upBound for v in variables), dtype=float, count=n)
    return lower, upper


def _row_bounds(rows) -> tuple[np.ndarray, np.ndarray]:
    """PuLP keeps a row as Σ a·x + constant (sense) 0: its bounds are −constant on the sense's side."""
    n = len(rows)
    rhs = -np.fromiter((c.constant for c in rows), dtype=float, count=n)
    sense = np.fromiter((c.sense for c in rows), dtype=np.int8, count=n)
    return np.where(sense == LE, -INF, rhs), np.where(sense == GE, INF, rhs)


class _Held:
    """The highspy model of one PuLP problem and what was last handed to it."""

    def __init__(self, lp: pulp.LpProblem, mip: bool):
        import highspy

        silence_highs_banner()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.variables: list[pulp.LpVariable] = []
        self.column: dict[int, int] = {}  # id(variable) → column
        self.rows: list[pulp.LpConstraint] = []
        self.lower = self.upper = self.row_lower = self.row_upper = np.zeros(0)
        self.integer = np.zeros(0, dtype=bool)
        self.pending: list[pulp.LpVariable] = []  # variables met in this hand-over, columns to add
        # the matrix as handed over, entry by entry (`solve_fixed`, `rows_of`)
        self.entry_row, self.entry_col, self.entry_value = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        self.sense = lp.sense
        self._hand_over(lp, mip)

    def sync(self, lp: pulp.LpProblem, mip: bool) -> bool:
        """Hand over what changed since the last solve; False where the model must be built anew."""
        constraints = lp._constraints
        n = len(self.rows)
        if lp.sense != self.sense or len(constraints) < n:
            return False
        if not all(map(operator.is_, itertools.islice(constraints.values(), n), self.rows)):
            return False
        lower, upper = _bounds(self.variables)
        moved = np.flatnonzero((lower != self.lower) | (upper != self.upper))
        if len(moved):
            self.highs.changeColsBounds(len(moved), moved.astype(np.int32), lower[moved], upper[moved])
            self.lower, self.upper = lower, upper
        row_lower, row_upper = _row_bounds(self.rows)
        moved = np.flatnonzero((row_lower != self.row_lower) | (row_upper != self.row_upper))
        if len(moved):
            self.highs.changeRowsBounds(len(moved), moved.astype(np.int32), row_lower[moved], row_upper[moved])
            self.row_lower, self.row_upper = row_lower, row_upper
        self._hand_over(lp, mip)
        return True

    def _hand_over(self, lp: pulp.LpProblem, mip: bool) -> None:
        """Columns for variables not seen yet, the rows added since the last solve, the costs
        (negated for a maximisation: HiGHS minimises, and its duals are then the minimisation's,
        as PuLP's own plug-in reports them) and the integrality this solve asks for."""
        added = list(itertools.islice(lp._constraints.values(), len(self.rows), None))
        column = self.column
        objective = lp.objective
        at = [column.get(id(v)) for v in objective.keys()]
        if None in at:
            at = [self._new_column(v) if k is None else k for v, k in zip(objective.keys(), at)]
        for c in added:
            for v in c.keys():
                if id(v) not in self.column:
                    self._new_column(v)
        if self.pending:
            self._add_columns()
        if added:
            starts, index, value = [], [], []
            for c in added:
                starts.append(len(index))
                index += [column[id(v)] for v in c.keys()]
                value += c.values()
            lower, upper = _row_bounds(added)
            self.highs.addRows(len(added), lower, upper, len(index), np.array(starts, np.int32), np.array(index, np.int32),
                               np.array(value, float))
            counts = np.diff(np.append(starts, len(index)))
            self.entry_row = np.concatenate([self.entry_row, np.repeat(np.arange(len(self.rows), len(self.rows) + len(added)), counts)])
            self.entry_col = np.concatenate([self.entry_col, np.array(index, dtype=np.int64)])
            self.entry_value = np.concatenate([self.entry_value, np.array(value, dtype=float)])
            self.rows += added
            self.row_lower, self.row_upper = np.concatenate([self.row_lower, lower]), np.concatenate([self.row_upper, upper])
        cost = np.zeros(len(self.variables))
        if at:
            cost[at] = np.fromiter(objective.values(), dtype=float, count=len(at))
        if lp.sense == pulp.LpMaximize:
            cost = -cost
        self.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self.cost = cost
        self._integrality(mip)

    def _new_column(self, v: pulp.LpVariable) -> int:
        k = len(self.variables) + len(self.pending)
        self.column[id(v)] = k
        self.pending.append(v)
        return k

    def _add_columns(self) -> None:
        new, self.pending = self.pending, []
        lower, upper = _bounds(new)
        n = len(new)
        self.highs.addCols(n, np.zeros(n), lower, upper, 0, np.array([], np.int32), np.array([], np.int32), np.array([], float))
        self.variables += new
        self.lower, self.upper = np.concatenate([self.lower, lower]), np.concatenate([self.upper, upper])
        self.integer = np.concatenate([self.integer, np.zeros(n, dtype=bool)])

    def _integrality(self, mip: bool) -> None:
        import highspy

        want = np.fromiter((mip and v.cat == pulp.LpInteger for v in self.variables), dtype=bool, count=len(self.variables))
        moved = np.flatnonzero(want != self.integer)
        if len(moved):
            kinds = [highspy.HighsVarType.kInteger if w else highspy.HighsVarType.kContinuous for w in want[moved].tolist()]
            self.highs.changeColsIntegrality(len(moved), moved.astype(np.int32), np.array(kinds))
            self.integer = want

    def rows_of(self, variables) -> list[pulp.LpConstraint]:
        """The rows with a term in any of `variables` (all handed over), from the matrix as
        handed over: a scan of every row's terms in Python took 0.7 s at 143,000 rows."""
        columns = [self.column[id(v)] for v in variables]
        return [self.rows[i] for i in np.unique(self.entry_row[np.isin(self.entry_col, columns)]).tolist()]

    def solve_fixed(self, fixed: list[pulp.LpVariable], at: np.ndarray, options: dict) -> int:
        """The held program with the variables `fixed` at the values `at` (and every column whose
        bounds meet), as the small MIP of the rest: its columns, and only the rows that touch
        them, their bounds moved by what the fixed columns put in. Rows of fixed columns alone
        are checked in numbers (whole fen and integer coefficients: exact in doubles). The
        values go onto the PuLP variables; the PuLP status is returned. At 10,000 enterprises a
        repair with 77,692 of 77,834 arcs fixed took 0.5-2.4 s on the whole model, presolve and
        the hand-over of bounds included."""
        import highspy

        value = np.where(self.lower == self.upper, self.lower, 0.0)
        is_fixed = self.lower == self.upper
        columns = np.array([self.column[id(v)] for v in fixed], dtype=np.int64)
        value[columns], is_fixed[columns] = at, True
        put = np.bincount(self.entry_row, weights=self.entry_value * value[self.entry_col], minlength=len(self.rows))
        free_entry = ~is_fixed[self.entry_col]
        touched = np.zeros(len(self.rows), dtype=bool)
        touched[self.entry_row[free_entry]] = True
        alone = ~touched
        if ((put[alone] < self.row_lower[alone] - FIXED_ROOM) | (put[alone] > self.row_upper[alone] + FIXED_ROOM)).any():
            return pulp.LpStatusInfeasible
        free, rows = np.flatnonzero(~is_fixed), np.flatnonzero(touched)
        column_at = np.full(len(self.variables), -1, dtype=np.int64)
        column_at[free] = np.arange(len(free))
        row_at = np.full(len(self.rows), -1, dtype=np.int64)
        row_at[rows] = np.arange(len(rows))
        order = np.flatnonzero(free_entry)
        order = order[np.argsort(self.entry_row[order], kind="stable")]
        starts = np.searchsorted(row_at[self.entry_row[order]], np.arange(len(rows)))
        h = highspy.Highs()
        for option, v in {**options, "solver": "choose"}.items():
            h.setOptionValue(option, v)
        h.addCols(len(free), self.cost[free], self.lower[free], self.upper[free], 0, np.array([], np.int32), np.array([], np.int32), np.array([], float))
        h.addRows(len(rows), self.row_lower[rows] - put[rows], self.row_upper[rows] - put[rows], len(order), starts.astype(np.int32),
                  column_at[self.entry_col[order]].astype(np.int32), self.entry_value[order])
        whole = np.flatnonzero(self.integer[free])
        if len(whole):
            h.changeColsIntegrality(len(whole), whole.astype(np.int32), np.full(len(whole), highspy.HighsVarType.kInteger))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return pulp.LpStatusInfeasible if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible else pulp.LpStatusNotSolved
        value[free] = h.getSolution().col_value
        for v, x in zip(self.variables, value.tolist()):
            v.varValue = x
        return pulp.LpStatusOptimal

    # --- solving -----------------------------------------------------------------------------------
    def run(self, options: dict, mip: bool) -> None:
        """Every LP from scratch (presolve; the interior point from `IPM_FROM_ARCS` columns), not
        from the last basis: at 10,000 enterprises a stage's relaxation started from the last
        stage's basis (new objective, new rows, no presolve) took 14-53 s of simplex against
        0.5-7.5 s anew; so did an LP re-solved after columns were priced in (`mip.OverPaidArcs`).
        What is kept is the hand-over: the model itself."""
        h = self.highs
        for option, value in options.items():
            h.setOptionValue(option, value)
        h.clearSolver()
        h.setOptionValue("solver", "ipm" if not mip and h.getNumCol() >= IPM_FROM_ARCS else "choose")
        h.run()

    def read(self, lp: pulp.LpProblem) -> tuple[int, int]:
        """Values and duals onto the PuLP variables and rows, and PuLP's status (as its plug-in maps them)."""
        import highspy

        h = self.highs
        status = h.getModelStatus()
        solution = h.getSolution()
        values = list(solution.col_value)
        # a MIP has no duals: 0, as PuLP's plug-in reads them from a model that never had any
        reduced = list(solution.col_dual) if solution.dual_valid else [0.0] * len(values)
        row_duals = list(solution.row_dual) if solution.dual_valid else [0.0] * len(self.rows)
        for v, x, d in zip(self.variables, values, reduced):
            v.varValue, v.dj = x, d
        activity = np.array(solution.row_value, dtype=float)
        # PuLP's slack: room to the row's bound (LE: upper − activity; else activity − lower)
        slack = np.where(self.row_lower == -INF, self.row_upper - activity, activity - self.row_lower)
        for c, room, y in zip(self.rows, slack.tolist(), row_duals):
            c.slack, c.pi = room, y
        S = highspy.HighsModelStatus
        if status == S.kOptimal:
            return pulp.LpStatusOptimal, pulp.LpSolutionOptimal
        if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            return pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible
        if status == S.kUnbounded:
            return pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded
        return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound
