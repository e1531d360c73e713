"""A programme over several years (`years:`) as a linear program: `lp.PulpBackend` on the year rows.

The same program as the flow's (`timing`), written as rows on the same payments: one variable per
x arc of the year network (fund f pays line l in year y, `timing.year_network`'s order), and

- per fund and year k, what the fund has paid by k is at most what has arrived by k (a fund that
  carries over; without `carry_over`, what it pays in k is at most that year's tranche): the
  fund-year nodes and their carry-over arcs;
- per line and year k, what public money has paid the line by k is at most its public share due
  by k (nothing is paid ahead of its due year; money paid late settles older arrears): the
  line-year nodes and their "late" arcs, whose flow conditions are exactly these prefix sums.

Both families are laminar (a fund's prefixes of years are nested, so are a line's), so the
matrix is a network matrix and every vertex is whole fen, as in the one-year LP (`lp`, issue 16).
A row whose limit equals the next year's and whose set is smaller is implied by it and left out.
`YearRules` presents these rows as `lp.PulpBackend` reads a `Rules` (arcs, membership, weights,
needs, commitments), so the stages are lp.py's own: stage 1 held by its optimal face from the
stage-1 duals (checked exactly, or solved for on the dual's face), fairness held by whole-fen
floors, stage 3 and the tie-break. `YearsLp` adds the timing stage between stage 1 and
fairness: minimise Σ w_l·(years left counting y)·x, the weighted arrears summed over the years
less a constant (the flow's `timing_cost`), held by its optimal face from the solver's reduced
costs and row duals (complementary slackness, as `PulpBackend.hold_funded` holds stage 3); the
tie-break's costs are the flow's integers (`timing.year_tie_break_costs`). After the tie-break
the whole-fen allocation's weighted gap and weighted arrears are recomputed exactly and must
equal the stages' optima, or the solve fails rather than write a worse plan.

Commitments (`commitment_rows_of`) are lp.py's least/most rows on the payments: with a `year`,
a fund's payments to one enterprise (one line) in that year, a set inside one of the fund's
prefixes and disjoint from the others, so the matrix stays a network; without one, the total
over the years. That total, and the fund caps (`fund_cap_rows`: per enterprise, and
`share_of_need` per line, each over all the years), cross a fund's prefixes of years, so with
them the matrix is not a network and a vertex need not be whole fen: `YearsMip` solves each
stage as an integer program instead, held by its objective as a row in integers. The flow
refuses both; `auto` takes `YearsLp` or `YearsMip` (`pipeline.programme_backend`). Minimum
coverage holds at the end of the programme: a least on all of a line's payments, the set of the
line's last-year row, so it stays a network (`coverage_leasts_over_the_years`).

The timing stage's hold reads the solver's row duals only after checking them
(`optimal_face_of`: reduced costs recomputed from them, dual feasible and complementary with the
whole-fen optimum); CBC's failed that check on 4 of the 9 non-empty random programmes of the
tests, and the hold is then the timing objective as an integer row (exact, though no longer a
network matrix; the final check still holds the optima to the fen).

The result is the flow's `timing_result.ProgrammeResult`, its tables and its verifier check
(`checks.verify_years`, which reads the caps over the years too). Measured (`bench/programme.py`,
1,000 enterprises × 3 years, load 9.5): the LP's stages 4.5 s of CPU (14 s wall) against the
flow's 0.4 s, the same weighted gap and weighted arrears to the fen; with the generated funds'
caps kept, the integer programs 19 s of CPU (64 s wall).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pulp

from subsidy.allocate.lp import FACE_TOLERANCE, PulpBackend, run
from subsidy.allocate.lp_solvers import make_solver
from subsidy.allocate.stages import SolveError
from subsidy.allocate.waterfall import floor_fen, to_fen
from subsidy.scenario.asks import coverage_ratio
from subsidy.allocate.timing import YearLines, YearNetwork, YearPayments, beyond_the_network, year_network, year_tie_break_costs


class YearRules:
    """The year rows of the module docstring, in the shape `lp.PulpBackend` reads (`rules.Rules`).

    Arcs are the year network's payments (`net.x_arc` order). Bounds come fund rows first (by
    fund, then year; `fund_row` says which), then line rows (by line, then year), then the funds'
    caps (`fund_cap_rows`); the commitments and minimum coverage after them, as `Rules` holds them."""

    def __init__(self, yl: YearLines, net: YearNetwork):
        self.scenario = yl.scenario
        self.lines = yl.lines
        self.arc_source = net.x_fund
        self.arc_line = net.x_line
        self.arc_enterprise = yl.lines.enterprise[net.x_line]
        self.need = yl.need
        self.line_weight = np.array([yl.weights[yl.lines.categories[c]] for c in yl.lines.category.tolist()], dtype=float)
        n_y = len(yl.years)
        members: list[np.ndarray] = []
        limits: list[int] = []
        self.fund_row: list[tuple[int, int]] = []  # (fund, last year of the row) per fund row
        arrived = np.cumsum(yl.tranche, axis=1)
        for f in range(len(yl.tranche)):
            mine = np.flatnonzero(net.x_fund == f)
            for k in range(n_y):
                if yl.carry[f]:
                    if k + 1 < n_y and yl.tranche[f, k + 1] == 0:
                        continue  # implied by the next year's row: the same limit on more payments
                    arcs, limit = mine[net.x_year[mine] <= k], int(arrived[f, k])
                else:
                    arcs, limit = mine[net.x_year[mine] == k], int(yl.tranche[f, k])
                if len(arcs):
                    members.append(arcs), limits.append(limit), self.fund_row.append((f, k))
        self.n_fund_rows = len(members)
        payable_by = np.cumsum(yl.payable, axis=1)
        order = np.lexsort((np.arange(len(net.x_line)), net.x_line))
        starts = np.searchsorted(net.x_line[order], np.arange(len(yl.lines) + 1))
        for line in np.flatnonzero(self.need > 0).tolist():
            mine = order[starts[line]:starts[line + 1]]  # ascending arc index within the line
            for k in range(n_y):
                if k + 1 < n_y and yl.payable[line, k + 1] == 0:
                    continue  # implied by the next year's row
                arcs = mine[net.x_year[mine] <= k]
                if len(arcs):
                    members.append(arcs), limits.append(int(payable_by[line, k]))
        self.n_year_rows = len(members)
        cap_members, cap_limits = fund_cap_rows(yl, net)
        members += cap_members
        limits += cap_limits
        self._members = members
        self._limits = np.array(limits, dtype=np.int64)
        self.commit_arcs, self.commit_lower, self.commit_upper = commitment_rows_of(yl, net)
        self._tie = year_tie_break_costs(yl, net, np.arange(len(net.x_fund)))

    @property
    def has_need(self) -> bool:
        return bool((self.need > 0).any())

    @property
    def bound_order(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._limits)
        return np.zeros(n, dtype=np.int64), np.arange(n)

    def membership(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        owner = np.repeat(np.arange(len(self._members)), [len(m) for m in self._members]).astype(np.int64)
        member = np.concatenate(self._members) if self._members else np.zeros(0, dtype=np.int64)
        return owner, member.astype(np.int64), self._limits

    def bound_members(self) -> list[list[int]]:
        return [m.tolist() for m in self._members]

    # The factor method's pool (`rules.Rules.pool_columns`): a programme has no factor method
    # (refused at validation), so no pool variable, and a row's use is its payments' sum.
    pool_columns = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def pool_take(self, amounts: np.ndarray) -> np.ndarray:
        return np.zeros(0, dtype=np.asarray(amounts).dtype)

    def rule_use(self, amounts: np.ndarray) -> np.ndarray:
        owner, member, limits = self.membership()
        used = np.zeros(len(limits), dtype=np.asarray(amounts).dtype)
        np.add.at(used, owner, np.asarray(amounts)[member])
        return used

    def arc_weights(self) -> list[float]:
        return self.line_weight[self.arc_line].tolist()

    def weighted_need_fen(self) -> float:
        return float(np.dot(self.line_weight, self.need))

    def enterprise_need_fen(self) -> dict[int, int]:
        need: dict[int, int] = {}
        for e, r in zip(self.lines.enterprise.tolist(), self.need.tolist()):
            if r > 0:
                need[e] = need.get(e, 0) + r
        return need

    def arcs_by_enterprise(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i, e in enumerate(self.arc_enterprise.tolist()):
            out.setdefault(e, []).append(i)
        return out

    def tie_break_costs(self) -> list[float]:
        return self._tie.astype(float).tolist()


def fund_cap_rows(yl: YearLines, net: YearNetwork) -> tuple[list[np.ndarray], list[int]]:
    """The funds' caps over all the years of the programme, as rows on the payments: per fund and
    enterprise, Σ over its lines and the years ≤ min(per_enterprise, per_capacity × capacity,
    per_worker × workers) in whole fen (rounded down; no more than one fen above the enterprise's
    public need: a cap above can never bind); per fund and line (`share_of_need` = p/q < 1), Σ
    over the years ≤ ⌊p · the line's public need over all years / q⌋. Payments already settled
    (`settle`) count against both. Funds in order, then enterprises (lines) in order."""
    scenario, lines = yl.scenario, yl.lines
    by_id = {e.id: e for e in scenario.enterprises}
    n_f, n_l, n_e = len(scenario.funds), len(lines), len(lines.enterprises)
    settled_line = np.zeros(n_l, dtype=np.int64)  # kept payments, all funds
    np.add.at(settled_line, yl.prior_line, yl.prior_fen)
    settled_pair = np.zeros((n_f, n_e), dtype=np.int64)
    np.add.at(settled_pair, (yl.prior_fund, lines.enterprise[yl.prior_line]), yl.prior_fen)
    settled_fund_line = np.zeros((n_f, n_l), dtype=np.int64)
    np.add.at(settled_fund_line, (yl.prior_fund, yl.prior_line), yl.prior_fen)
    need = yl.need + settled_line  # the line's public need over all the years
    ent_need = np.zeros(n_e, dtype=np.int64)
    np.add.at(ent_need, lines.enterprise, need)
    members: list[np.ndarray] = []
    limits: list[int] = []
    x_ent = lines.enterprise[net.x_line]
    for f, fund in enumerate(scenario.funds):
        mine = np.flatnonzero(net.x_fund == f)
        if not len(mine):
            continue
        paid = np.unique(x_ent[mine]).tolist()
        for e, cap in zip(paid, fund.enterprise_caps([by_id[lines.enterprises[e]] for e in paid])):
            if cap is not None:
                limit = min(floor_fen(cap), int(ent_need[e]) + 1) - int(settled_pair[f, e])
                members.append(mine[x_ent[mine] == e]), limits.append(max(0, limit))
        share = fund.caps.share_of_need
        if share is not None and share < 1:
            p, q = Decimal(repr(share)).as_integer_ratio()
            for line in np.unique(net.x_line[mine]).tolist():
                limit = p * int(need[line]) // q - int(settled_fund_line[f, line])
                members.append(mine[net.x_line[mine] == line]), limits.append(max(0, limit))
    return members, limits


def commitment_rows_of(yl: YearLines, net: YearNetwork) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The commitments as `rules.Rules` holds them (arcs, least, most in whole fen; 0 and -1 where
    not given), on the payments: a fund's to one enterprise (one category, if given) in the
    commitment's `year`, or over all the years when it gives none. Payments already settled
    (`settle`: first year) count towards it. A commitment on no payment is left out when nothing
    is asked of it; when it asks for money no payment can bring, or the settled payments pass
    its most, the programme cannot keep it: a SolveError (infeasible)."""
    scenario, lines = yl.scenario, yl.lines
    fund_of = {f.id: i for i, f in enumerate(scenario.funds)}
    ent_of = {e: i for i, e in enumerate(lines.enterprises)}
    cat_of = {c: k for k, c in enumerate(lines.categories)}
    column = {y: k for k, y in enumerate(yl.years)}
    x_ent, x_cat = lines.enterprise[net.x_line], lines.category[net.x_line]
    kept_ent, kept_cat = lines.enterprise[yl.prior_line], lines.category[yl.prior_line]
    arcs_out, lows, highs = [], [], []
    for c in scenario.commitments:
        f, e = fund_of[c.fund], ent_of.get(c.enterprise, -1)
        mine = (net.x_fund == f) & (x_ent == e)
        kept = (yl.prior_fund == f) & (kept_ent == e)
        if c.category is not None:
            mine &= x_cat == cat_of.get(c.category, -1)
            kept &= kept_cat == cat_of.get(c.category, -1)
        if c.year is not None:
            mine &= net.x_year == column[c.year]
            kept &= column[c.year] == 0  # settled payments are the first year's
        settled = int(yl.prior_fen[kept].sum())
        low = max(0, to_fen(c.lower) - settled) if c.lower is not None else 0
        high = to_fen(c.upper) - settled if c.upper is not None else -1
        arcs = np.flatnonzero(mine)
        if (c.upper is not None and high < 0) or (low > 0 and not len(arcs)):
            raise SolveError(f"{c.rule} cannot be kept: the payments it binds cannot reach its amount (infeasible) / "
                             f"{c.rule} 无法满足：所涉支付达不到其金额")
        if len(arcs):
            arcs_out.append(arcs), lows.append(low), highs.append(high)
    for line, least in zip(*coverage_leasts_over_the_years(yl)):
        arcs = np.flatnonzero(net.x_line == line)
        if not len(arcs):
            e, c = yl.lines.names(np.array([line]))
            raise SolveError(f"coverage[{e[0]},{c[0]}] cannot be kept: no fund may pay the line (infeasible) / "
                             f"coverage[{e[0]},{c[0]}] 无法满足：没有资金可支付该项费用")
        arcs_out.append(arcs), lows.append(least), highs.append(-1)
    return arcs_out, np.array(lows, dtype=np.int64), np.array(highs, dtype=np.int64)


def coverage_leasts_over_the_years(yl: YearLines) -> tuple[list[int], list[int]]:
    """(line, least) per cost line minimum coverage asks public money for, at the end of the
    programme: ⌈p · cost / q⌉ (the line's cost over all the years, p/q the category's share as
    written) less the own funds applied over the years and the payments already settled. The
    row is on all the line's payments, the same set as its last year's row: still a network."""
    coverage = yl.scenario.policy.minimum_coverage
    if not coverage:
        return [], []
    settled = np.zeros(len(yl.lines), dtype=np.int64)
    np.add.at(settled, yl.prior_line, yl.prior_fen)
    cost, own = yl.due.sum(axis=1), yl.own.sum(axis=1)
    out_line, out_least = [], []
    for line, k in enumerate(yl.lines.category.tolist()):
        share = coverage.get(yl.lines.categories[k])
        if share is None:
            continue
        p, q = coverage_ratio(share)
        least = -(-p * int(cost[line]) // q) - int(own[line]) - int(settled[line])
        if least > 0:
            out_line.append(line), out_least.append(least)
    return out_line, out_least


class YearsLp(YearPayments, PulpBackend):
    """`lp.PulpBackend`'s stages on the year rows, with the timing stage after stage 1."""

    def __init__(self, yl: YearLines, solver: str = "highs", note: str | None = None):
        self.yl = yl
        self.net = year_network(yl)
        super().__init__(YearRules(yl, self.net), solver)  # type: ignore[arg-type]  # a Rules in all PulpBackend reads
        self._year_note = note

    @property
    def note(self) -> str:
        years = self.yl.years
        base = f"linear program (PuLP, {self.solver}) over the years {years[0]}-{years[-1]} in whole fen (exact)"
        return f"{self._year_note}; {base}" if self._year_note else base

    def weighted_gap_of(self, x: np.ndarray) -> Fraction:
        """The weighted gap at the end the whole-fen payments `x` leave, exactly (scenario unit)."""
        net = self.net
        left = self.yl.need - _by_line(net.x_line, x, len(self.yl.need))
        return Fraction(sum(w * a for w, a in zip(net.line_weight.tolist(), left.tolist())), net.weight_scale * 100)

    # --- the timing stage ----------------------------------------------------------------------------
    def minimise_weighted_arrears(self) -> float:
        if self.empty:
            self.arrears_optimum = self.weighted_arrears(np.zeros(0, dtype=np.int64))
            return float(self.arrears_optimum)
        years_left = len(self.yl.years) - self.net.x_year  # a fen paid in year y saves w in y and each later year
        cost = -self.rules.line_weight[self.net.x_line] * years_left
        self.problem.setObjective(pulp.LpAffineExpression(list(zip(self.x, cost.tolist()))))
        run(self.problem, self.engine, "timing stage (weighted arrears)")
        x = np.rint([float(v.varValue or 0.0) for v in self.x]).astype(np.int64)  # a vertex: whole fen
        self.arrears_optimum = self.weighted_arrears(x)
        self.arrears_saving = int(np.dot(-self.net.timing_cost[self.net.x_arc], x))
        self.arrears_face = optimal_face_of(self.x, self.rows, cost.tolist(), x)
        return float(self.arrears_optimum)

    def hold_weighted_arrears(self, value: float) -> None:
        """Held by the timing stage's optimal face (complementary slackness with the solver's row
        duals, checked: `optimal_face_of`): a payment with a reduced cost stays at 0, a row with
        a dual stays at its limit, and the program stays a network. Where the duals fail the
        check (CBC's can), by the objective as a row in integers, Σ w·(years left)·x ≥ the
        optimum; `tie_break` checks either way that the optimum was kept."""
        if self.empty:
            return
        if self.arrears_face is None:
            saving = -self.net.timing_cost[self.net.x_arc]
            self._add(pulp.LpAffineExpression([(v, float(c)) for v, c in zip(self.x, saving.tolist()) if c]) >= self.arrears_saving)
            return
        empty_arcs, rows = self.arrears_face
        for v in empty_arcs:
            v.upBound = 0
        for c in rows:
            c.sense = pulp.LpConstraintEQ

    def minimise_weighted_gap(self) -> float:
        value = super().minimise_weighted_gap()
        self.gap_optimum = self.weighted_gap_of(self.optimum) if not self.empty else None
        return value

    def tie_break(self) -> np.ndarray:
        """lp.py's tie-break, rounded to whole fen, then checked: the allocation keeps stage 1's
        weighted gap and the timing stage's weighted arrears exactly (else a SolveError)."""
        amounts = np.rint(super().tie_break()).astype(np.int64)
        if not self.empty:
            if self.weighted_gap_of(amounts) != self.gap_optimum or self.weighted_arrears(amounts) != self.arrears_optimum:
                raise SolveError("the LP over the years lost a stage's optimum while holding it (the solver's duals were off); "
                                 "use --method flow / 跨年度线性规划在保持前一阶段最优值时出错，请改用 --method flow")
        return amounts

    # --- prices --------------------------------------------------------------------------------------
    def fund_prices(self) -> np.ndarray:
        """Per fund: the weighted gap one more unit arriving in the first year saves, from the
        solver's stage-1 duals (every kept row of a fund counts the first year's tranche)."""
        out = np.zeros(len(self.yl.scenario.funds))
        if self.empty:
            return out
        for (f, k), dual in zip(self.rules.fund_row, self.duals[: self.rules.n_fund_rows].tolist()):
            if self.yl.carry[f] or k == 0:
                out[f] -= dual
        return out + 0.0

    def prices(self):
        raise SolveError("explain does not price a programme over several years yet")


def _by_line(line: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, line, np.asarray(x, dtype=np.int64))
    return out


def optimal_face_of(x: list, rows: list, cost: list[float], value: np.ndarray) -> tuple[list, list] | None:
    """(variables that stay at 0, rows that stay at their limit) in every optimum of min Σ cost·x
    over `rows` (x ≥ 0; fixed variables have upBound 0), from the solver's row duals and the
    whole-fen optimum `value`, or None when those duals are not an optimal dual: the reduced costs
    are computed here from the duals (not read from the solver), and must be ≥ 0, 0 where a
    payment is made, with each dual of the right sign and 0 on a row with room."""
    reduced = np.array(cost, dtype=float)
    index = {v.name: j for j, v in enumerate(x)}
    tight = []
    for c in rows:
        pi = float(c.pi or 0.0)
        used = 0.0
        for v, a in c.items():
            j = index.get(v.name)
            if j is not None:
                reduced[j] -= pi * a
                used += a * value[j]
        room = abs(used + c.constant) > 0.5  # whole fen: a tight row is exact
        wrong_sign = (c.sense == pulp.LpConstraintLE and pi > FACE_TOLERANCE) or (c.sense == pulp.LpConstraintGE and pi < -FACE_TOLERANCE)
        if wrong_sign or (room and abs(pi) > FACE_TOLERANCE):
            return None
        if abs(pi) > FACE_TOLERANCE:
            tight.append(c)
    free = np.array([v.upBound != 0 for v in x])
    if (reduced[free] < -FACE_TOLERANCE).any() or (np.abs(reduced[free & (value > 0)]) > FACE_TOLERANCE).any():
        return None
    return [v for v, r, f in zip(x, reduced.tolist(), free.tolist()) if f and r > FACE_TOLERANCE], tight


def whole_fen_solver(name: str, arcs: int) -> pulp.LpSolver:
    """`lp_solvers.make_solver`'s solver, solving integer programs to optimality: HiGHS's branch
    and bound with no relative gap (its default stops 1e-4 short), its simplex (the interior
    point is for large LPs); CBC's default gap is 0 already."""
    engine = make_solver(name, arcs)
    engine.mip = True
    if isinstance(engine, pulp.HiGHS):
        engine.gapRel = 0
        engine.optionsDict.pop("solver", None)
    return engine


class YearsMip(YearsLp):
    """The LP over the years with the funds' caps over all years (`fund_cap_rows`): a cap crosses
    a fund's years, so the matrix is no longer a network and a vertex need not be whole fen.
    Each stage is then an integer program in whole fen, held by its objective as a row in
    integers (the weights × `weight_scale`, as the flow's costs): Σ w·x ≥ stage 1's saving, the
    timing stage's Σ w·(years left)·x ≥ its optimum, fairness by the same whole-fen floors, and
    Σ x ≥ stage 3's total. No duals: funds' prices are not given (NaN)."""

    def __init__(self, yl: YearLines, solver: str = "highs", note: str | None = None):
        super().__init__(yl, solver, note)
        for v in self.x:
            v.cat = pulp.LpInteger
        self.engine = whole_fen_solver(solver, len(self.x))
        self.saving = self.net.line_weight[self.net.x_line]  # integer weight per fen paid
        self.saving_by_year = -self.net.timing_cost[self.net.x_arc]  # integer weight × years left

    @property
    def note(self) -> str:
        note = super().note.replace("linear program", "integer program")
        return note if self._year_note else f"{note}; {beyond_the_network(self.yl.scenario)}"

    def _integer_row(self, coefficients: np.ndarray) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression([(v, float(c)) for v, c in zip(self.x, coefficients.tolist()) if c])

    def _solve(self, coefficients: np.ndarray, stage: str) -> np.ndarray:
        """Maximise Σ coefficients·x in whole fen; the optimum x."""
        self.problem.setObjective(-self._integer_row(coefficients))
        run(self.problem, self.engine, stage)
        return np.rint([float(v.varValue or 0.0) for v in self.x]).astype(np.int64)

    def minimise_weighted_gap(self) -> float:
        if self.empty:
            self.gap_optimum = None
            return self.weighted_need / 100
        self.optimum = self._solve(self.saving, "stage 1 (weighted gap)")
        self.duals, self.slacks = np.zeros(self.n_bounds), np.full(self.n_bounds, np.nan)
        self.gap_optimum = self.weighted_gap_of(self.optimum)
        return float(self.gap_optimum)

    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n_bounds), np.full(self.n_bounds, np.nan)

    def hold_weighted_gap(self, value: float) -> None:
        if not self.empty:
            self._add(self._integer_row(self.saving) >= int(np.dot(self.saving, self.optimum)))

    def minimise_weighted_arrears(self) -> float:
        if self.empty:
            return super().minimise_weighted_arrears()
        x = self._solve(self.saving_by_year, "timing stage (weighted arrears)")
        self.arrears_saving = int(np.dot(self.saving_by_year, x))
        self.arrears_optimum = self.weighted_arrears(x)
        return float(self.arrears_optimum)

    def hold_weighted_arrears(self, value: float) -> None:
        if not self.empty:
            self._add(self._integer_row(self.saving_by_year) >= self.arrears_saving)

    def maximise_funded(self) -> float:
        if self.empty:
            return 0.0
        self.funded = int(self._solve(np.ones(len(self.x), dtype=np.int64), "stage 3 (spend what can still be spent)").sum())
        return self.funded / 100

    def hold_funded(self, value: float) -> None:
        if not self.empty:
            self.funded_face, self.senses = ([], []), []
            self._add(self.total_funded >= self.funded)

    def fund_prices(self) -> np.ndarray:
        return np.full(len(self.yl.scenario.funds), np.nan)
