"""The LP backend: the allocation program built once with PuLP from the `Rules` arrays.

Variables x[arc] ≥ 0 in fen, one per arc of the rules (own funds under `free` are arcs from the
own-funds source). One row per bound, in the rules' order, under a positional name (`c0`, `c1`,
...; the readable names are `Rules.bound_names()`), with its limit floored to whole fen as
`verify` reads it (`Rules.membership`); rows are affine expressions made from lists, not per-term
sums. PuLP stays the modelling layer because it gives users every solver plug-in; `lp_solvers`
picks HiGHS (default) or CBC.

Exact in whole fen (issue 16). The rows form a network matrix (two laminar families of arc sets:
fund ⊃ fund×enterprise ⊃ arc, and line ⊂ enterprise), so with integer limits every vertex is
integral, and so is every stage's optimum as long as each hold keeps the program a network:

1. minimise the weighted gap; held by its optimal face (`stage1_face`): by complementary
   slackness with the stage-1 duals, an arc whose reduced cost is not 0 stays at 0 and a rule
   whose dual is not 0 stays full, in every stage-1 optimum, and nothing else is needed. (The
   hold used to be the objective row with a relative slack of 1e-9: at 10^9 万元 that is 1 万元
   stages 2 and 3 could give away, and rounding to fen lost up to 0.06 more.)
2. minimise the largest gap share t (one more variable, one row per enterprise:
   funded_e + t · need_e ≥ need_e); held by whole-fen floors funded_e ≥ ⌊(1 − t) · need_e⌋
   (`enterprise_floors`), the share then fixed at 1 so its rows fall silent;
3. spend what can still be spent; held by its optimal face as stage 1 is (from the solver's
   stage-3 duals; where the tie-break on it does not spend that whole number of fen, by the row
   Σ x ≥ funded instead); the tie-break by fund order.

Commitments (issue 13) are rows too, after the bounds: a least Σ x ≥ L, a most Σ x ≤ U (an
amount both), over one arc or a fund's arcs to one enterprise, which are sets of the first laminar
family, so the matrix stays a network with whole-fen bounds on both sides. Minimum coverage
(`coverage[e,c]`) is one more least per line, on the line's arcs: the same set as its need row,
in the second family, so the same holds. A least brings a
dual variable with the other sign (`_reduced_costs`), and the face holds a commitment row whose
value is not 0 at its bound, as a full rule is held full. The factor method's pool (`share` < 1)
adds one variable z_r per region (`lp_pool`): −1 in its region's row, +1 in the pool's, the
column of the network's arc pool → region, so the same holds; every program here carries them.

So the tie-break's vertex is whole fen and rounding only clears the solver's noise. The face
comes from the solver's stage-1 duals when they pass an exact check (`is_optimal_dual`), else
from one more small LP on the dual's optimal face (`dual_face`: a plug-in without duals; CBC's
were once wrong).

Shadow prices (`LpPrices`): the least and the largest dual on the optimal face of the stage-1
dual, which are the right and left derivatives (a solver's own dual at a degenerate optimum is
any point between them). funds.csv takes the right derivative up to `EXACT_PRICES_MAX_ARCS`,
the solver's dual beyond (the method note says so).
"""

from __future__ import annotations

import math

import numpy as np
import pulp

from subsidy.allocate.lp_face import extremes
from subsidy.allocate.lp_pool import pool_reduced_costs, pool_terms, pool_variables
from subsidy.allocate.lp_solvers import make_solver, objective_value, solver_version
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import UNBOUNDED, SolveError

EXACT_PRICES_MAX_ARCS = 5_000
"""Above this the LP path keeps the solver's duals for funds.csv: the dual-face solves would cost
more than the solve itself (2,000 enterprises: +19 s). The flow method gives exact prices at any size."""
LP_NOTE = "linear program (PuLP)"
FACE_TOLERANCE = 1e-7
"""A reduced cost or dual (weight per fen) within this of 0 counts as 0 when stage 1's optimal
face is fixed. Exact ones are sums and differences of category weights (at most 6 decimals, so
at least 1e-6 when not 0); the solvers' dual tolerance is 1e-7, and a noisy 0 taken for 0 only
leaves the face larger, never cuts an optimum off."""


def commitment_rows(rules: Rules) -> list[tuple[list[int], int, int]]:
    """The commitments as rows, in the scenario's order: (arcs, sense, whole fen), sense −1 for
    a least (Σ x ≥ fen) and +1 for a most (Σ x ≤ fen); an amount is both. Their arc sets are one
    arc (a category given) or a fund's arcs to one enterprise (the same set as cap_enterprise),
    so the rows stay in the two laminar families and the program a network: with whole-fen
    bounds on both sides every vertex is still whole fen."""
    rows = []
    for arcs, low, high in zip(rules.commit_arcs, rules.commit_lower.tolist(), rules.commit_upper.tolist()):
        if low > 0:
            rows.append((arcs.tolist(), -1, low))
        if high >= 0:
            rows.append((arcs.tolist(), 1, high))
    return rows


def commitment_owners(rules: Rules) -> list[int]:
    """The commitment (scenario order) each of `commitment_rows` comes from."""
    return [k for k, (low, high) in enumerate(zip(rules.commit_lower.tolist(), rules.commit_upper.tolist()))
            for on in (low > 0, high >= 0) if on]


def _reduced_costs(rules: Rules, row_duals: np.ndarray, commit_values: np.ndarray | None) -> np.ndarray:
    """Per arc, the reduced cost −w_a + Σ_{r∋a} u_r + Σ_{j∋a} sense_j·y_j of stage 1 (minimise
    −Σ w·x), with u_r = −dual ≥ 0 of the bounds and y_j ≥ 0 the commitment rows' values (a
    least's dual, a most's dual negated)."""
    owner, member, _ = rules.membership()
    reduced = -np.asarray(rules.arc_weights(), dtype=float)
    np.subtract.at(reduced, member, np.asarray(row_duals, dtype=float)[owner])
    if commit_values is not None:
        for (arcs, sense, _), y in zip(commitment_rows(rules), np.asarray(commit_values, dtype=float).tolist()):
            reduced[arcs] += sense * y
    return reduced


def stage1_face(rules: Rules, row_duals: np.ndarray, commit_values: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(arcs that stay at 0, rules that stay full, commitment rows that stay at their bound) in
    every stage-1 optimum, by complementary slackness with the stage-1 duals (≤ 0 for the
    bounds' ≤ rows of a minimisation of −Σ w·x; `commit_values` ≥ 0 as in `_reduced_costs`)."""
    reduced = _reduced_costs(rules, row_duals, commit_values)
    tight = np.zeros(0, dtype=np.int64) if commit_values is None else np.flatnonzero(np.asarray(commit_values) > FACE_TOLERANCE)
    return np.flatnonzero(reduced > FACE_TOLERANCE), np.flatnonzero(row_duals < -FACE_TOLERANCE), tight


def enterprise_floors(rules: Rules, amounts: np.ndarray, share: float) -> dict[int, int]:
    """Enterprise index → the whole fen it keeps in stage 3: ⌊(1 − t) · need⌋, and no more than
    the stage-2 solution gives it (which the solver may leave a hair under (1 − t) · need), so that
    the stage-2 solution stays feasible and the program a network."""
    need = rules.enterprise_need_fen()
    funded = np.zeros(len(rules.lines.enterprises))
    np.add.at(funded, rules.arc_enterprise, amounts)
    return {e: max(0, math.floor(min(funded[e], (1 - share) * n) + 1e-6)) for e, n in need.items()}


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
    """The LP of the rules on one PuLP model, in fen; see the module docstring."""

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
        self.limits = rules.membership()[2].tolist()  # whole fen
        self.z = pool_variables(self.problem, rules)  # the factor method's pool (lp_pool)
        self.pool_terms = pool_terms(rules, self.z)
        for b, (arcs, limit) in enumerate(zip(rules.bound_members(), self.limits)):
            self._add(pulp.LpAffineExpression([(self.x[a], 1.0) for a in arcs] + self.pool_terms.get(b, [])) <= limit)
        self.n_bounds = len(self.rows)
        # Commitments: their rows after the bounds, so the bounds' duals keep their positions.
        self.commitment_rows = commitment_rows(rules)
        for arcs, sense, fen in self.commitment_rows:
            expr = pulp.LpAffineExpression([(self.x[a], 1.0) for a in arcs])
            self._add(expr <= fen if sense > 0 else expr >= fen)
        # Stage 1 minimises −Σ w·x (fen); the weighted gap is Σ w·r less that, in the scenario unit.
        self.weighted_need = rules.weighted_need_fen()
        self.weighted_saved = pulp.LpAffineExpression([(v, w) for v, w in zip(self.x, rules.arc_weights())])
        self.total_funded = pulp.LpAffineExpression([(v, 1.0) for v in self.x])
        self.share: pulp.LpVariable | None = None
        self.need = rules.enterprise_need_fen()

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
            if any(sense < 0 and fen > 0 for _, sense, fen in self.commitment_rows):
                raise SolveError("stage 1 (weighted gap): the solver did not reach an optimum (Infeasible: a least on no arc)")
            return self.weighted_need / 100
        self.problem.setObjective(-self.weighted_saved)
        run(self.problem, self.engine, "stage 1 (weighted gap)")
        # Kept now: every later stage's solve overwrites the rows' duals.
        rows = self.rows[: self.n_bounds]
        self.optimum = np.rint([float(v.varValue or 0.0) for v in self.x]).astype(np.int64)  # a vertex: whole fen
        self.duals = np.array([float(c.pi or 0.0) for c in rows])
        self.slacks = np.array([float(c.slack or 0.0) for c in rows]) / 100
        # y ≥ 0 per commitment row: a least's dual (≥ 0), a most's negated (its dual ≤ 0)
        committed = self.rows[self.n_bounds : self.n_bounds + len(self.commitment_rows)]
        self.commit_values = np.array([-sense * float(c.pi or 0.0) for c, (_, sense, _) in zip(committed, self.commitment_rows)])
        if not is_optimal_dual(self.rules, self.duals, self.optimum, self.commit_values):
            # none (some plug-ins), or wrong ones
            self.duals, self.commit_values = optimal_duals(self.rules, self.optimum, self.solver)
        saved = -objective_value(self.problem, self.engine)
        return (self.weighted_need - saved) / 100

    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        if self.empty:
            return np.zeros(self.n_bounds), np.full(self.n_bounds, np.nan)  # nothing binds
        return self.duals, self.slacks

    def hold_weighted_gap(self, value: float) -> None:
        if self.empty:
            return
        empty_arcs, full_rules, tight = stage1_face(self.rules, self.duals, self.commit_values)
        for a in empty_arcs.tolist():
            self.x[a].upBound = 0
        for j in np.flatnonzero(pool_reduced_costs(self.rules, self.duals) > FACE_TOLERANCE).tolist():
            self.z[j].upBound = 0  # a region that takes from the pool in no stage-1 optimum
        members = self.rules.bound_members()
        for r in full_rules.tolist():
            self._add(pulp.LpAffineExpression([(self.x[a], 1.0) for a in members[r]] + self.pool_terms.get(r, [])) >= self.limits[r])
        for j in tight.tolist():  # a commitment row whose value is not 0 stays at its bound
            arcs, sense, fen = self.commitment_rows[j]
            expr = pulp.LpAffineExpression([(self.x[a], 1.0) for a in arcs])
            self._add(expr >= fen if sense > 0 else expr <= fen)

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
        if self.empty:
            return
        amounts = np.array([float(v.varValue or 0.0) for v in self.x])
        by_enterprise = self.rules.arcs_by_enterprise()
        for e, floor in sorted(enterprise_floors(self.rules, amounts, value).items()):
            self._add(pulp.LpAffineExpression([(self.x[a], 1.0) for a in by_enterprise.get(e, [])]) >= floor)
        self.share.lowBound = 1  # the share rows hold whatever is funded: the floors decide now

    def maximise_funded(self) -> float:
        if self.empty:
            return 0.0
        self.problem.setObjective(-self.total_funded)
        run(self.problem, self.engine, "stage 3 (spend what can still be spent)")
        self.funded = round(-objective_value(self.problem, self.engine))  # a vertex: whole fen
        # Stage 3's duals, kept for its hold (their solve is overwritten by the tie-break's).
        self.funded_face = ([v for v in self.x + self.z if (v.dj or 0.0) > FACE_TOLERANCE and v.upBound != 0],
                            [c for c in self.rows if abs(c.pi or 0.0) > FACE_TOLERANCE])
        return self.funded / 100

    def hold_funded(self, value: float) -> None:
        """Held by stage 3's optimal face, as stage 1 is: by complementary slackness an arc with
        a reduced cost stays at 0 and a row with a dual stays at its limit. The row Σ x ≥ funded
        (the fallback in `tie_break`) made CBC declare a feasible hold infeasible before any
        iteration when the total was 10^12 + 1 fen (corpus scenario "wide 38": a fund of 10^10
        and one of 0.01); the face's rows keep the limits of the rules themselves."""
        if self.empty:
            return
        empty_arcs, rows = self.funded_face
        for v in empty_arcs:
            v.upBound = 0
        self.senses = [(c, c.sense) for c in rows]
        for c in rows:
            c.sense = pulp.LpConstraintEQ

    def tie_break(self) -> np.ndarray:
        """Amounts per arc in fen (floats: whole fen up to the solver's noise). On stage 3's face
        (`hold_funded`), checked to spend all stage 3 found in whole fen: the face comes from the
        solver's duals, and if they were off (or that program fails), the hold is the row Σ x ≥
        funded instead."""
        if self.empty:
            return np.zeros(0)
        costs = self.rules.tie_break_costs()
        self.problem.setObjective(pulp.LpAffineExpression(list(zip(self.x, costs))))
        try:
            run(self.problem, self.engine, "stage 3 (tie-break by fund order)")
            amounts = np.array([max(0.0, float(v.varValue or 0.0)) for v in self.x])
            if round(amounts.sum()) == self.funded:
                return amounts
        except SolveError:
            pass
        for v in self.funded_face[0]:
            v.upBound = None
        for c, sense in self.senses:
            c.sense = sense
        self._add(self.total_funded >= self.funded)
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


def dual_face(rules: Rules, weights: list[float], optimum: np.ndarray) -> tuple[pulp.LpProblem, dict[int, pulp.LpVariable], dict[int, pulp.LpVariable]]:
    """The optimal face of the stage-1 dual as a PuLP program without objective, and its
    variables by rule and by commitment row: u ≥ 0 per bound and y ≥ 0 per commitment row with
    Σ_{r∋a} u_r + Σ_{j∋a} sense_j·y_j ≥ w_a (sense −1 a least, +1 a most), cut down by
    complementary slackness with the primal optimum `optimum` (whole fen, a vertex): u_r = 0
    where it leaves rule r room, y_j = 0 where it is off commitment row j's bound, and
    equality where it pays arc a. Every point of it is an optimal dual, and only those.
    An arc gets a row when it saves something (w > 0), is in a commitment row (a least's −y
    can make a row of weight 0 bind) or is paid by `optimum` (then its rules' u sum to w, 0 for a
    weight-0 line: a budget partly spent on operating losses costs nothing to cut, and without
    that row its "one unit less" came out at the heavier lines' weight); a rule over no such arc
    is in no row and gets no variable
    (a variable in no row made CBC's solution file leave it out, and PuLP failed reading it
    back: KeyError 'u0'); its price is 0 both ways."""
    owner, member, limits = rules.membership()
    covering: list[list[int]] = [[] for _ in range(len(rules.arc_source))]
    for r, a in zip(owner.tolist(), member.tolist()):
        covering[a].append(r)
    committing: list[list[int]] = [[] for _ in range(len(rules.arc_source))]
    rows = commitment_rows(rules)
    for j, (arcs, _, _) in enumerate(rows):
        for a in arcs:
            committing[a].append(j)
    in_rows = [i for i, w in enumerate(weights) if w > 0 or committing[i] or optimum[i] > 0]
    used = rules.rule_use(optimum)  # a pooled region's row at the least pool take (lp_pool)
    face = pulp.LpProblem("dual", pulp.LpMinimize)
    region, pool = (b.tolist() for b in rules.pool_columns)
    ruled = {r for i in in_rows for r in covering[i]}
    ruled |= {p for r, p in zip(region, pool) if r in ruled}  # a pool with a priced region (a pool in no row gets no variable)
    u = {r: face.add_variable(f"u{r}", lowBound=0, upBound=0 if used[r] < limits[r] else None) for r in sorted(ruled)}
    y = {j: face.add_variable(f"y{j}", lowBound=0, upBound=0 if int(optimum[arcs].sum()) != fen else None)
         for j, (arcs, _, fen) in enumerate(rows) if arcs}
    for i in in_rows:
        row = pulp.LpAffineExpression([(u[r], 1.0) for r in covering[i]] + [(y[j], float(rows[j][1])) for j in committing[i]])
        face.addConstraint(row == weights[i] if optimum[i] > 0 else row >= weights[i], name=f"arc{i}")
    for j, (take, r, p) in enumerate(zip(rules.pool_take(optimum).tolist(), region, pool)):  # z_r's column: u_pool ≥ u_r
        if r in u:
            row = pulp.LpAffineExpression([(u[p], 1.0), (u[r], -1.0)])
            face.addConstraint(row == 0 if take > 0 else row >= 0, name=f"pool{j}")
    return face, u, y


def is_optimal_dual(rules: Rules, duals: np.ndarray, optimum: np.ndarray, commit_values: np.ndarray | None = None) -> bool:
    """Whether a solver's stage-1 row duals (≤ 0) and commitment rows' values (≥ 0, as in
    `_reduced_costs`) are an optimal dual with the whole-fen primal optimum `optimum`, up to
    FACE_TOLERANCE: dual feasible and complementary. (CBC once returned duals −1 and −3 on two
    budgets where 3 and 3 were right.)"""
    limits = rules.membership()[2]
    reduced = _reduced_costs(rules, duals, commit_values)
    used = rules.rule_use(optimum)
    pooled, take = pool_reduced_costs(rules, duals), rules.pool_take(optimum)
    ok = bool((duals <= FACE_TOLERANCE).all() and (reduced >= -FACE_TOLERANCE).all()
              and (np.abs(duals[used < limits]) <= FACE_TOLERANCE).all()
              and (np.abs(reduced[optimum > 0]) <= FACE_TOLERANCE).all()
              and (pooled >= -FACE_TOLERANCE).all() and (np.abs(pooled[take > 0]) <= FACE_TOLERANCE).all())
    if commit_values is not None:
        for (arcs, _, fen), y in zip(commitment_rows(rules), np.asarray(commit_values, dtype=float).tolist()):
            ok = ok and y >= -FACE_TOLERANCE and (abs(y) <= FACE_TOLERANCE or int(optimum[arcs].sum()) == fen)
    return ok


def optimal_duals(rules: Rules, optimum: np.ndarray, solver: str) -> tuple[np.ndarray, np.ndarray]:
    """Stage-1 row duals (≤ 0, the rules' order) and commitment rows' values (≥ 0) solved for on
    the dual's optimal face: the least in sum, so the same ones every run."""
    face, u, y = dual_face(rules, rules.arc_weights(), optimum)
    duals = np.zeros(len(rules.bound_order[0]))
    values = np.zeros(len(commitment_rows(rules)))
    if not u and not y:  # no arc saves anything: every rule is worth 0
        return duals, values
    face.setObjective(pulp.lpSum(list(u.values()) + list(y.values())) + 0)
    run(face, make_solver(solver), "stage 1 (duals)")
    for r, v in u.items():
        duals[r] = -float(v.varValue or 0.0)
    for j, v in y.items():
        values[j] = float(v.varValue or 0.0)
    return duals, values


class LpPrices:
    """Exact one-sided marginal values from the dual's optimal face (one LP per bound and side).

    Every stage-1 rule has the form Σ_{a∈r} x_a ≤ B_r (B_r in whole fen), and stage 1 maximises
    Σ w_a x_a (less weighted gap). Its dual is min Σ_r B_r u_r s.t. Σ_{r∋a} u_r ≥ w_a, u ≥ 0; the
    gap saved by one more unit of B_i is the smallest u_i over the dual's optimal solutions, and
    the gap added by one unit less is the largest (per fen, and so per unit of the scenario).

    The dual's optimal face is cut out by complementary slackness with one primal optimum x*, a
    vertex and so whole fen: u_r = 0 where x* leaves rule r room, Σ_{r∋a} u_r = w_a where x*_a > 0.
    Both are exact (x* in integers); holding Σ B·u at its optimum instead put coefficients from 1
    to 10^12 in one row, which HiGHS could not solve ("Not Solved") and no tolerance fitted.
    """

    def __init__(self, rules: Rules, solver: str = "highs"):
        self.rules = rules
        self.solver = solver

    def _primal_optimum(self, weights: list[float], limits: np.ndarray, engine: pulp.LpSolver) -> np.ndarray:
        """x* of max Σ w·x over the rules and the commitments, in whole fen."""
        primal = pulp.LpProblem("primal", pulp.LpMinimize)
        x = [primal.add_variable(f"x{i}", lowBound=0) for i in range(len(weights))]
        pool = pool_terms(self.rules, pool_variables(primal, self.rules))
        for i, (arcs, limit) in enumerate(zip(self.rules.bound_members(), limits.tolist())):
            primal.addConstraint(pulp.LpAffineExpression([(x[a], 1.0) for a in arcs] + pool.get(i, [])) <= limit, name=f"c{i}")
        for j, (arcs, sense, fen) in enumerate(commitment_rows(self.rules)):
            expr = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs])
            primal.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"k{j}")
        primal.setObjective(pulp.LpAffineExpression([(v, -w) for v, w in zip(x, weights)]))
        _solve_dual(primal, engine)
        return np.rint([float(v.varValue or 0.0) for v in x]).astype(np.int64)

    def _face(self, unit_weights: bool) -> tuple[pulp.LpProblem, dict, dict, pulp.LpSolver]:
        limits = self.rules.membership()[2]  # whole fen, as the stages solve them
        weights = [1.0] * len(self.rules.arc_source) if unit_weights else self.rules.arc_weights()
        engine = make_solver(self.solver)
        dual, u, y = dual_face(self.rules, weights, self._primal_optimum(weights, limits, engine))
        return dual, u, y, engine

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False, right_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        rules = self.rules
        asked = np.asarray(bounds, dtype=np.int64).tolist()
        more = np.zeros(len(asked))
        less = np.full(len(asked), np.nan)
        if not len(rules.arc_source):
            return more, np.zeros(len(asked))  # nothing can move: no bound is worth anything
        exact = rules.membership()[2].tolist()
        dual, u, _, engine = self._face(unit_weights)
        for k, r in enumerate(asked):
            if r not in u:
                more[k], less[k] = 0.0, (0.0 if exact[r] > 0 and not right_only else np.nan)
                continue
            more[k], less[k] = extremes(dual, engine, [(u[r], 1.0)], exact[r] > 0 and not right_only)
        return more, less

    def commitment_values(self, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per commitment (scenario order): (more, less), the stage-1 objective saved by one unit
        more of it (its amount, least or most raised by one) and added by one unit less (NaN for
        a most of 0; inf where one unit less leaves no allocation, as a least equal to its cap).
        A row's rhs enters the dual objective as sense·rhs·y, so the derivative is Σ sense·y
        over the commitment's rows: negative where a least forces money away from heavier lines."""
        rules = self.rules
        n = len(rules.commit_arcs)
        if not n or not len(rules.arc_source):
            return np.zeros(n), np.zeros(n)
        dual, _, y, engine = self._face(unit_weights)
        rows = commitment_rows(rules)
        more, less = np.zeros(n), np.full(n, np.nan)
        for k in range(n):
            terms = [(y[j], float(rows[j][1])) for j, owner in enumerate(commitment_owners(rules)) if owner == k and j in y]
            with_less = bool(rules.commit_upper[k] != 0)
            if not terms:
                more[k], less[k] = 0.0, (0.0 if with_less else np.nan)
                continue
            more[k], less[k] = extremes(dual, engine, terms, with_less)
        return more, less

    def least_ranges(self, rows: list[int], unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(increase, decrease) in whole fen for rows of `commit_arcs` that are a least alone
        (minimum coverage's): how far the least may rise with every fen still saving its `more`
        of `commitment_values`, and fall with every fen still costing its `less` (UNBOUNDED where
        it rises without end; 0 where the price itself is infinite). One parametric LP per row
        and side, as `price_ranges`: the least moved by Δ, an allocation saving S* + sign·price·Δ."""
        rules = self.rules
        increase = np.zeros(len(rows), dtype=np.int64)
        decrease = np.zeros(len(rows), dtype=np.int64)
        if not rows or not len(rules.arc_source):
            return increase, decrease
        more, less = self.commitment_values(unit_weights)
        weights = [1.0] * len(rules.arc_source) if unit_weights else rules.arc_weights()
        limits = rules.membership()[2]
        engine = make_solver(self.solver)
        saved = float(np.dot(weights, self._primal_optimum(weights, limits, engine)))
        members = rules.bound_members()
        owners = commitment_owners(rules)
        for i, k in enumerate(rows):
            low = int(rules.commit_lower[k])
            for sign, price, out in ((+1, more[k], increase), (-1, less[k], decrease)):
                if not np.isfinite(price):
                    continue
                program = pulp.LpProblem("least_range", pulp.LpMaximize)
                x = [program.add_variable(f"x{a}", lowBound=0) for a in range(len(weights))]
                delta = program.add_variable("delta", lowBound=0, upBound=None if sign > 0 else low)
                pool = pool_terms(rules, pool_variables(program, rules))
                for b, (arcs, limit) in enumerate(zip(members, limits.tolist())):
                    program.addConstraint(pulp.LpAffineExpression([(x[a], 1.0) for a in arcs] + pool.get(b, [])) <= limit, name=f"c{b}")
                for j, (arcs, sense, fen) in enumerate(commitment_rows(rules)):
                    moved = [(delta, -float(sign))] if owners[j] == k else []
                    expr = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs] + moved)
                    program.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"k{j}")
                program.addConstraint(pulp.LpAffineExpression([(v, w) for v, w in zip(x, weights)] + [(delta, -sign * float(price))])
                                      >= saved, name="keeps_the_price")
                program.setObjective(delta + 0)
                status = program.solve(engine)
                if status == pulp.LpStatusUnbounded:
                    out[i] = UNBOUNDED
                    continue
                if status != pulp.LpStatusOptimal:
                    raise SolveError(f"shadow prices: the solver did not reach an optimum ({pulp.LpStatus.get(status, status)})")
                out[i] = int(round(float(delta.varValue or 0.0)))
        return increase, decrease

    def price_ranges(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(increase, decrease) per bound in whole fen: how far the bound may rise with every fen
        still saving `more`, and fall with every fen still costing `less` (UNBOUNDED: more is 0).

        One LP per bound and side (parametric in the bound): the largest Δ with an allocation
        under the bound moved by Δ that saves S* + more·Δ (or S* − less·Δ), S* the stage-1 optimum
        at the bound as it is. The saving is concave in the bound, so the largest such Δ is where
        the price stops holding. The rows form a network, so that point is a whole fen: the
        solver's Δ is rounded to the nearest fen (its tolerance moves Δ by far less than ½ fen
        when S* is within the promised range)."""
        rules = self.rules
        asked = np.asarray(bounds, dtype=np.int64)
        limits = rules.membership()[2]
        if not len(rules.arc_source):
            return np.full(len(asked), UNBOUNDED, dtype=np.int64), limits[asked].astype(np.int64)
        more, less = self.marginal_values(asked, unit_weights)
        weights = [1.0] * len(rules.arc_source) if unit_weights else rules.arc_weights()
        engine = make_solver(self.solver)
        optimum = self._primal_optimum(weights, limits, engine)
        saved = float(np.dot(weights, optimum))
        members = rules.bound_members()
        increase = np.full(len(asked), UNBOUNDED, dtype=np.int64)
        decrease = np.zeros(len(asked), dtype=np.int64)
        commitments = commitment_rows(rules)
        for k, r in enumerate(asked.tolist()):
            if more[k] > 0:
                increase[k] = self._parametric(weights, limits, members, commitments, r, +1, float(more[k]), saved, engine, rules)
            # An infinite "less" (a commitment would break) holds over no range: the decrease stays 0.
            if limits[r] > 0 and np.isfinite(less[k]):
                decrease[k] = self._parametric(weights, limits, members, commitments, r, -1, float(less[k]), saved, engine, rules)
        return increase, decrease

    @staticmethod
    def _parametric(weights, limits, members, commitments, r: int, sign: int, price: float, saved: float, engine, rules: Rules) -> int:
        """max Δ ≥ 0 (≤ the bound when it falls) such that the bound r moved by sign·Δ still
        admits an allocation saving saved + sign·price·Δ, in whole fen."""
        program = pulp.LpProblem("price_range", pulp.LpMaximize)
        x = [program.add_variable(f"x{i}", lowBound=0) for i in range(len(weights))]
        delta = program.add_variable("delta", lowBound=0, upBound=None if sign > 0 else int(limits[r]))
        pool = pool_terms(rules, pool_variables(program, rules))
        for i, (arcs, limit) in enumerate(zip(members, limits.tolist())):
            row = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs] + pool.get(i, []) + ([(delta, -float(sign))] if i == r else []))
            program.addConstraint(row <= limit, name=f"c{i}")
        for j, (arcs, sense, fen) in enumerate(commitments):  # decisions already taken hold while the bound moves
            expr = pulp.LpAffineExpression([(x[a], 1.0) for a in arcs])
            program.addConstraint(expr <= fen if sense > 0 else expr >= fen, name=f"k{j}")
        program.addConstraint(pulp.LpAffineExpression([(v, w) for v, w in zip(x, weights)] + [(delta, -sign * price)])
                              >= saved, name="keeps_the_price")
        program.setObjective(delta + 0)
        _solve_dual(program, engine)
        return int(round(float(delta.varValue or 0.0)))


def _solve_dual(problem: pulp.LpProblem, engine: pulp.LpSolver) -> None:
    """Solve one of the prices' programs, or a SolveError."""
    status = problem.solve(engine)
    if status != pulp.LpStatusOptimal:
        raise SolveError(f"shadow prices: the solver did not reach an optimum ({pulp.LpStatus.get(status, status)})")
