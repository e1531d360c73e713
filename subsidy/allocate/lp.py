"""The LP backend: the allocation program built once with PuLP from the `Rules` arrays.

Variables x[arc] ≥ 0, one per arc of the rules (own funds under `free` are arcs from the
own-funds source). One row per bound, in the rules' order, under a positional name (`c0`, `c1`,
...; the readable names are `Rules.bound_names()`); rows are affine expressions made from lists,
not per-term sums. PuLP stays the modelling layer because it gives users every solver plug-in;
`lp_solvers` picks HiGHS (default) or CBC.

Stages as `stages.run_stages` calls them: each sets an objective and solves; each hold is one
more row with the spec's relative slack (`stages.hold_slack`). Stage 2 adds the largest gap
share as a variable and one row per enterprise: funded_e + share · need_e ≥ need_e.

Shadow prices (`LpPrices`): the least and the largest dual on the optimal face of the stage-1
dual, which are the right and left derivatives (a solver's own dual at a degenerate optimum is
any point between them). funds.csv takes the right derivative up to `EXACT_PRICES_MAX_ARCS`,
the solver's dual beyond (the method note says so).
"""

from __future__ import annotations


import numpy as np
import pulp

from subsidy.allocate.lp_solvers import make_solver, objective_value, solver_version
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import SolveError, hold_slack, share_hold

EXACT_PRICES_MAX_ARCS = 5_000
"""Above this the LP path keeps the solver's duals for funds.csv: the dual-face solves would cost
more than the solve itself (2,000 enterprises: +19 s). The flow method gives exact prices at any size."""
LP_NOTE = "linear program (PuLP)"


def fairness_scale(need: dict[int, float]) -> float:
    """Stage 2 minimises the share times the largest need, so that a unit more funding lowers
    the objective by up to 1, not by 1/need (1e-9 for 10^9 万元): that was below the solvers'
    dual tolerance (1e-7) and let CBC stop 1,000 万元 short of the fair optimum."""
    return max(1.0, max(need.values(), default=1.0))


def run(problem: pulp.LpProblem, engine: pulp.LpSolver, stage: str) -> None:
    """Solve, or a SolveError naming the stage and the solver's status."""
    status = problem.solve(engine)
    model = getattr(problem, "solverModel", None)
    # PuLP maps HiGHS time/iteration limits to "Optimal"; ask HiGHS itself.
    model_status = model.modelStatusToString(model.getModelStatus()) if model is not None and hasattr(model, "getModelStatus") else None
    if status != pulp.LpStatusOptimal or model_status not in (None, "Optimal"):
        detail = model_status or pulp.LpStatus.get(status, str(status))
        raise SolveError(f"{stage}: the solver did not reach an optimum ({detail})")


class PulpBackend:
    """The LP of the rules on one PuLP model; see the module docstring."""

    method = "pulp"

    def __init__(self, rules: Rules, solver: str = "highs", note: str = LP_NOTE):
        self.rules = rules
        self.solver = solver
        self._note = note
        n = len(rules.arc_source)
        self.problem = pulp.LpProblem("allocation", pulp.LpMinimize)
        self.x = [self.problem.add_variable(f"x{i}", lowBound=0) for i in range(n)]
        self.engine = make_solver(solver, n)
        self.rows: list[pulp.LpConstraint] = []
        for arcs, bound in zip(rules.bound_members(), rules.bound_exact()):
            self._add(pulp.LpAffineExpression([(self.x[a], 1.0) for a in arcs]) <= bound)
        self.n_bounds = len(self.rows)
        weights = rules.arc_weights()
        self.weighted_gap = pulp.LpAffineExpression([(v, -w) for v, w in zip(self.x, weights)], constant=rules.weighted_gap_at_zero())
        self.total_funded = pulp.LpAffineExpression([(v, 1.0) for v in self.x])
        self.share: pulp.LpVariable | None = None
        self.need = rules.enterprise_need_floats()

    def _add(self, constraint: pulp.LpConstraint) -> None:
        self.problem.addConstraint(constraint, name=f"c{len(self.rows)}")
        self.rows.append(constraint)

    @property
    def units_per_fen(self) -> None:
        return None

    @property
    def exact_prices(self) -> bool:
        """Whether funds.csv gets right derivatives (the dual face) or the solver's duals."""
        return len(self.x) <= EXACT_PRICES_MAX_ARCS

    @property
    def note(self) -> str:
        if self.exact_prices:
            return self._note
        return self._note + "; shadow prices are the solver's duals (a subgradient where the optimum is degenerate; --method flow gives the right derivative)"

    @property
    def solver_version(self) -> str:
        return solver_version(self.solver)

    @property
    def empty(self) -> bool:
        return not self.x

    # --- the stages -------------------------------------------------------------------------------
    def minimise_weighted_gap(self) -> float:
        if self.empty:  # nothing can be paid: every stage's optimum is the all-zero allocation
            return float(pulp.value(self.weighted_gap.constant))
        self.problem.setObjective(self.weighted_gap)
        run(self.problem, self.engine, "stage 1 (weighted gap)")
        # Kept now: every later stage's solve overwrites the rows' duals.
        rows = self.rows[: self.n_bounds]
        self.duals = np.array([float(c.pi or 0.0) for c in rows])
        self.slacks = np.array([float(c.slack or 0.0) for c in rows])
        return objective_value(self.problem, self.engine)

    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        if self.empty:
            return np.zeros(self.n_bounds), np.full(self.n_bounds, np.nan)  # nothing binds
        return self.duals, self.slacks

    def hold_weighted_gap(self, value: float) -> None:
        if not self.empty:
            self._add(self.weighted_gap <= value + hold_slack(value))

    def minimise_largest_gap_share(self) -> float:
        if self.empty:
            return 1.0
        self.share = self.problem.add_variable("max_gap_share", lowBound=0, upBound=1)
        by_enterprise = self.rules.arcs_by_enterprise()
        for e, need in sorted(self.need.items()):
            # Σ_c gap[e,c] ≤ share · Σ_c r[e,c]  ⇔  funded_e + share · need_e ≥ need_e
            terms = [(self.x[a], 1.0) for a in by_enterprise.get(e, [])] + [(self.share, need)]
            self._add(pulp.LpAffineExpression(terms) >= need)
        scale = fairness_scale(self.need)
        self.problem.setObjective(pulp.LpAffineExpression([(self.share, scale)]))
        run(self.problem, self.engine, "stage 2 (largest gap share)")
        # CBC's objective line has 8 decimals, too few for a share of 1e-5: read the variable
        # (from every solver but HiGHS, whose objective is exact enough).
        return objective_value(self.problem, self.engine) / scale if self.solver == "highs" else float(self.share.varValue)

    def hold_largest_gap_share(self, value: float) -> None:
        if not self.empty:
            self._add(pulp.LpAffineExpression([(self.share, 1.0)]) <= value + share_hold(value))

    def maximise_funded(self) -> float:
        if self.empty:
            return 0.0
        self.problem.setObjective(-self.total_funded)
        run(self.problem, self.engine, "stage 3 (spend what can still be spent)")
        return -objective_value(self.problem, self.engine)

    def hold_funded(self, value: float) -> None:
        if not self.empty:
            self._add(self.total_funded >= value - hold_slack(value))

    def tie_break(self) -> np.ndarray:
        if self.empty:
            return np.zeros(0)
        costs = self.rules.tie_break_costs()
        self.problem.setObjective(pulp.LpAffineExpression(list(zip(self.x, costs))))
        run(self.problem, self.engine, "stage 3 (tie-break by fund order)")
        return np.array([max(0.0, float(v.varValue or 0.0)) for v in self.x])

    # --- prices -------------------------------------------------------------------------------------
    def prices(self) -> "LpPrices":
        return LpPrices(self.rules, self.solver)

    def fund_prices(self) -> np.ndarray:
        """Right derivatives from the dual face up to EXACT_PRICES_MAX_ARCS arcs, else the
        solver's stage-1 budget duals (negated)."""
        nf = len(self.rules.scenario.funds)
        if self.exact_prices:
            more, _ = self.prices().marginal_values(np.arange(nf), right_only=True)
            return more
        duals, _ = self.stage1_duals()
        return -duals[:nf] + 0.0


def _clean(value: float) -> float:
    # Marginal values are sums of category weights; the solver's tolerance on the hold row adds
    # at most 1e-7 / bound to them, far below the 1e-5 kept here.
    return round(value, 5) + 0.0


class LpPrices:
    """Exact one-sided marginal values from the dual's optimal face (one LP per bound and side).

    Every stage-1 rule has the form Σ_{a∈r} x_a ≤ B_r, and stage 1 maximises Σ w_a x_a (less
    weighted gap). Its dual is min Σ_r B_r u_r s.t. Σ_{r∋a} u_r ≥ w_a, u ≥ 0; the gap saved by
    one more unit of B_i is the smallest u_i over the dual's optimal solutions, and the gap added
    by one unit less is the largest.
    """

    def __init__(self, rules: Rules, solver: str = "highs"):
        self.rules = rules
        self.solver = solver

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False, right_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        rules = self.rules
        asked = np.asarray(bounds, dtype=np.int64).tolist()
        more = np.zeros(len(asked))
        less = np.full(len(asked), np.nan)
        if not len(rules.arc_source):
            return more, np.zeros(len(asked))  # nothing can move: no bound is worth anything
        exact = rules.bound_exact()
        owner, member, _ = rules.membership()
        covering: list[list[int]] = [[] for _ in range(len(rules.arc_source))]
        for r, a in zip(owner.tolist(), member.tolist()):
            covering[a].append(r)
        weights = [1.0] * len(covering) if unit_weights else rules.arc_weights()
        paying = [i for i, w in enumerate(weights) if w > 0]
        # A rule over arcs that save nothing (weight 0) is in no row of the dual: its price is 0
        # both ways, and it gets no variable (a variable in no row made CBC's solution file
        # leave it out, and PuLP failed reading it back: KeyError 'u0').
        in_dual = sorted({r for i in paying for r in covering[i]})
        dual = pulp.LpProblem("dual", pulp.LpMinimize)
        u = {r: dual.add_variable(f"u{r}", lowBound=0) for r in in_dual}
        for i in paying:
            dual.addConstraint(pulp.lpSum(u[r] for r in covering[i]) >= weights[i], name=f"arc{i}")
        total = pulp.lpSum(exact[r] * u[r] for r in in_dual)
        engine = make_solver(self.solver)
        if u:
            dual.setObjective(total + 0)
            _solve_dual(dual, engine)
            best = pulp.value(total) or 0.0
            # Held with the same relative slack as the primal stages: an exact hold on a large sum
            # is beyond the solver's tolerance and reads as infeasible.
            dual.addConstraint(total <= best + max(1e-9 * abs(best), 1e-7), name="hold")
        for k, r in enumerate(asked):
            if r not in u:
                more[k], less[k] = 0.0, (0.0 if exact[r] > 0 and not right_only else np.nan)
                continue
            dual.setObjective(u[r] + 0)
            _solve_dual(dual, engine)
            more[k] = _clean(float(u[r].varValue or 0.0))
            if exact[r] > 0 and not right_only:
                dual.setObjective(-u[r])
                _solve_dual(dual, engine)
                less[k] = _clean(float(u[r].varValue or 0.0))
        return more, less


def _solve_dual(problem: pulp.LpProblem, engine: pulp.LpSolver) -> None:
    status = problem.solve(engine)
    if status != pulp.LpStatusOptimal:
        raise SolveError(f"shadow prices: the solver did not reach an optimum ({pulp.LpStatus.get(status, status)})")
