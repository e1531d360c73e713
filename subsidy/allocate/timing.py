"""A programme over several years (`years:`) as one network, solved by the flow method.

What the issue asks, and how the network says it:

- money paid in year y comes from what has arrived by y: one node per fund and year, fed by that
  year's tranche from s, with a carry-over arc to the next year (none under `carry_over: false`,
  so what a fund does not spend in its year lapses: it stays on s → t);
- a payment in year y covers what is due in y or before: one node per cost line and year, fed by
  the funds' payments of that year; a "late" arc runs from year y to y − 1 (money paid late
  settles older arrears), never forward (nothing is paid ahead of its due year); each line-year
  node hands on at most what falls due for public money that year to the enterprise's node,
  which takes at most the enterprise's need to t (stage 2's gap shares are read there);
- own funds go through the statutory order as they arrive (`year_lines`): each year the own money
  arrived and not yet spent meets what is due and not yet paid by own money, through the one
  waterfall (`waterfall.own_funds_applied`). Own money never waits on public money, so the public
  share of each line by year is fixed before any fund is allocated: with every fund carrying
  over and all own funds arriving in the last year the final need, hence the final weighted gap,
  is the one-year model's on the totals (tested);
- a line's arrears in year t are what is due by t less what own funds and funds have paid by t.

Stages (`stages.run_stages`): 1 the weighted gap at the end (the greedy max flows by weight of
`flow_network.stage1_flow`); the timing stage holds its optimal face and minimises the weighted
arrears summed over the years, Σ_t Σ_l w_l·arrears_l(t) = const − Σ_payments w_l·(years left
counting y)·x, a min-cost flow on the face; its own optimal face is held (potentials by
Bellman-Ford from a root joined to every node); then fairness and the tie-break by fund order
exactly as the one-year flow (`flow.FlowBackend`, whose code runs here). Every step is an
integer flow, so the allocation is in whole fen and optimal in each stage. The LP
(`timing_lp.YearsLp`) solves the same program on the same payments (`YearPayments` reads both).

Not carried by the flow: per-enterprise, per-capacity and per-worker caps and `share_of_need`,
which bound a fund's total to an enterprise over all years (a side constraint across the
fund-year nodes: no longer a network); the LP carries them as integer programs
(`timing_lp.YearsMip`), and commitments (lower bounds) too. Refused at validation
(`scenario.years.year_problems`): own funds under the `free` rule. Minimum coverage (a lower
bound) goes to the LP as commitments do.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

import numpy as np

from subsidy.allocate.flow import Face, FlowBackend
from subsidy.allocate.flow_algorithms import Reducer, min_cost_flow, residual_distances
from subsidy.allocate.flow_network import JITTER_BITS, Network, weight_scale
from subsidy.allocate.rules import fund_ranks, jitter_of
from subsidy.allocate.stages import SolveError
from subsidy.allocate.waterfall import CostLines, cost_lines, own_funds_applied, to_fen
from subsidy.scenario.model import Scenario, ScopeGroups
from subsidy.scenario.years import schedule


def is_programme(scenario: Scenario) -> bool:
    """Whether the scenario runs over several years (one year is exactly the one-year model)."""
    return bool(scenario.years) and len(scenario.years) > 1


def has_fund_caps(scenario) -> bool:
    """Whether a fund caps what it pays one enterprise (or one line, `share_of_need` < 1)."""
    return any(f.caps.per_enterprise is not None or f.caps.per_capacity or f.caps.per_worker is not None
               or (f.caps.share_of_need is not None and f.caps.share_of_need < 1) for f in scenario.funds)


def beyond_the_network(scenario: Scenario) -> str | None:
    """Why a programme's rules are not a network (then the LP's stages are integer programs,
    `timing_lp.YearsMip`), or None: fund caps and commitments without a year each bound a fund's
    payments over all the years, across its fund-year nodes."""
    if has_fund_caps(scenario):
        return "fund caps over all years are not a network"
    if any(c.year is None for c in scenario.commitments):
        return "commitments over all years (no year) are not a network"
    return None


@dataclass(eq=False)
class YearLines:
    """Every cost line by year, in fen (lines in `CostLines` order; columns the scenario's years)."""

    scenario: Scenario
    years: list[int]
    lines: CostLines  # the totals (the one-year view): ids, categories, weights' order
    due: np.ndarray  # [line, year] falling due that year
    own: np.ndarray  # [line, year] own funds applied that year
    payable: np.ndarray  # [line, year] the public share falling due that year (Σ over years = need)
    own_arrived: np.ndarray  # [enterprise, year] own funds arriving that year
    tranche: np.ndarray  # [fund, year] money arriving that year
    carry: np.ndarray  # [fund] bool: unspent money stays for later years
    weights: dict[str, float]
    # Settled payments (`settle`): made in the first year, fixed; no new payment in the first
    # `closed` years. `payable` and `tranche` are then what is left after them.
    prior_fund: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    prior_line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    prior_fen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    closed: int = 0
    tranche_settled: np.ndarray | int = 0  # [fund, year] drawn by the settled payments (taken out of `tranche`)

    @property
    def need(self) -> np.ndarray:
        """Per line: what public money may pay in all (cost less all own funds applied)."""
        return self.payable.sum(axis=1)

    def as_totals(self) -> CostLines:
        """The programme as one year's `CostLines`, on its own terms: own funds applied as they
        arrived, summed over the years, and the public need over the years (what the diagnosis
        checks commitments and coverage against; the one-year waterfall on the totals can apply
        own funds to other lines than their arrival did)."""
        applied = self.own.sum(axis=1)
        unused = self.lines.available.copy()
        np.subtract.at(unused, self.lines.enterprise, applied)
        return replace(self.lines, applied=applied, residual=self.need, unused=unused)

    @property
    def has_need(self) -> bool:
        return bool(self.payable.any())

    def arrears(self, paid: np.ndarray) -> np.ndarray:
        """[line, year] due by the year less own funds and `paid` ([line, year] public payments) by then."""
        return np.cumsum(self.due - self.own - paid, axis=1)


def year_lines(scenario: Scenario) -> YearLines:
    """Dues, own funds as they arrive (the statutory order each year) and the public share by year."""
    years = list(scenario.years)
    lines = cost_lines(scenario)  # totals; every line's own-funds rule, order and names
    table = scenario.category_table
    by_id = {e.id: e for e in scenario.enterprises}
    ents = [by_id[i] for i in lines.enterprises]
    due = np.zeros((len(lines), len(years)), dtype=np.int64)
    due[:, 0] = lines.cost  # a plain amount is due in the first year; lines written by year below
    column = {y: k for k, y in enumerate(years)}
    starts = lines.starts.tolist()
    arrived = np.zeros((len(ents), len(years)), dtype=np.int64)
    for k, ent in enumerate(ents):
        timed = ent.costs_due
        if timed:
            first = starts[k]
            names = [lines.categories[c] for c in lines.category[first:starts[k + 1]].tolist()]
            for i, cat in enumerate(names):
                if cat in timed:
                    due[first + i] = 0
                    for y, a in timed[cat].items():
                        due[first + i, column[y]] = to_fen(a)
        arriving = ent.own_funds_arrive
        for src, total in ent.own_funds.items():
            if src in arriving:
                for y, a in arriving[src].items():
                    arrived[k, column[y]] += to_fen(a)
            else:
                arrived[k, 0] += to_fen(total)
    rule = np.array([("statutory", "proportional", "free").index(e.own_funds_rule) for e in ents], dtype=np.int64)
    klass = np.array([table[c].own_funds_class for c in lines.categories], dtype=np.int64)
    own = np.zeros_like(due)
    covered = np.zeros(len(lines), dtype=np.int64)
    spent = np.zeros(len(ents), dtype=np.int64)
    for k in range(len(years)):
        outstanding = due[:, : k + 1].sum(axis=1) - covered
        money = arrived[:, : k + 1].sum(axis=1) - spent
        own[:, k] = own_funds_applied(lines.enterprise, lines.category, outstanding, money, rule, klass)
        covered += own[:, k]
        np.add.at(spent, lines.enterprise, own[:, k])
    # The public share due by t: what is due and not paid by own money by t, and never more than
    # what stays unpaid by own money later (money own funds settle later is not for the funds).
    open_by = np.cumsum(due - own, axis=1)
    public_by = np.minimum.accumulate(open_by[:, ::-1], axis=1)[:, ::-1]
    payable = np.diff(public_by, axis=1, prepend=0)
    tranche = np.array([[to_fen(a) for a in schedule(f.budget, f.tranches, years).values()] for f in scenario.funds],
                       dtype=np.int64).reshape(len(scenario.funds), len(years))
    carry = np.array([f.carry_over for f in scenario.funds], dtype=bool)
    weights = {c: float(table[c].weight) for c in lines.categories}
    return YearLines(scenario, years, lines, due, own, payable, arrived, tranche, carry, weights)


@dataclass(eq=False)
class YearNetwork(Network):
    """The network of the module docstring; x arcs are (fund, line, year) payments."""

    x_fund: np.ndarray = None  # type: ignore[assignment]
    x_line: np.ndarray = None  # type: ignore[assignment]
    x_year: np.ndarray = None  # type: ignore[assignment]
    timing_cost: np.ndarray = None  # type: ignore[assignment]  # per arc: −w·(years from the payment's to the last, inclusive)
    line_weight: np.ndarray = None  # type: ignore[assignment]  # per cost line: its weight × weight_scale


def year_network(yl: YearLines) -> YearNetwork:
    scenario, lines = yl.scenario, yl.lines
    n_f, n_y, n_l, n_e = len(scenario.funds), len(yl.years), len(lines), len(lines.enterprises)
    need = yl.need
    scale = weight_scale({c: w for c, w in yl.weights.items()})
    wint = np.array([int(Decimal(repr(yl.weights[c])) * scale) for c in lines.categories], dtype=np.int64)[lines.category]
    f_node = 2 + np.arange(n_f * n_y).reshape(n_f, n_y)
    p_node = 2 + n_f * n_y + np.arange(n_l * n_y).reshape(n_l, n_y)
    e_node = 2 + n_f * n_y + n_l * n_y + np.arange(n_e)
    tails, heads, caps, costs, timing = [], [], [], [], []

    def add(t, h, c, cost=0, time=0) -> np.ndarray:
        t, h = np.atleast_1d(t), np.atleast_1d(h)
        start = sum(len(x) for x in tails)
        tails.append(t), heads.append(h), caps.append(np.broadcast_to(c, t.shape).astype(np.int64))
        costs.append(np.broadcast_to(cost, t.shape).astype(np.int64)), timing.append(np.broadcast_to(time, t.shape).astype(np.int64))
        return np.arange(start, start + len(t))

    bound_arc = add(np.zeros(n_f * n_y, dtype=np.int64), f_node.ravel(), yl.tranche.ravel())
    carrying = np.flatnonzero(yl.carry)
    if n_y > 1 and len(carrying):
        add(f_node[carrying, :-1].ravel(), f_node[carrying, 1:].ravel(), np.repeat(yl.tranche[carrying].sum(axis=1), n_y - 1))
    # Payments: fund f may pay line l (scope, categories) in any year from the first with a public share due.
    groups = ScopeGroups.of([e for e in scenario.enterprises])
    admitted = {}
    for f, fund in enumerate(scenario.funds):
        ok = dict(zip((e.id for e in scenario.enterprises), fund.admits_each(scenario.enterprises, groups)))
        cats = set(fund.categories)
        admitted[f] = np.array([ok[lines.enterprises[e]] and lines.categories[c] in cats
                                for e, c in zip(lines.enterprise.tolist(), lines.category.tolist())], dtype=bool)
    first_due = np.maximum(np.where(need > 0, np.argmax(yl.payable > 0, axis=1), n_y), yl.closed)
    xf, xl, xy = [], [], []
    for f in range(n_f):
        for line in np.flatnonzero(admitted[f] & (need > 0)).tolist():
            for k in range(int(first_due[line]), n_y):
                xf.append(f), xl.append(line), xy.append(k)
    xf, xl, xy = (np.array(v, dtype=np.int64) for v in (xf, xl, xy))
    x_arc = add(f_node[xf, xy], p_node[xl, xy], need[xl], 0, -wint[xl] * (n_y - xy))
    late = np.flatnonzero(need > 0)
    if n_y > 1 and len(late):
        add(p_node[late, 1:].ravel(), p_node[late, :-1].ravel(), np.repeat(need[late], n_y - 1))
    due_l, due_y = np.nonzero(yl.payable)
    line_arc = add(p_node[due_l, due_y], e_node[lines.enterprise[due_l]], yl.payable[due_l, due_y], -wint[due_l])
    e_need = np.zeros(n_e, dtype=np.int64)
    np.add.at(e_need, lines.enterprise, need)
    enterprise_arc = add(e_node, np.ones(n_e, dtype=np.int64), e_need)
    supply = int(yl.tranche.sum())
    bypass = int(add(0, 1, supply)[0])
    cat = np.concatenate
    return YearNetwork(n=2 + n_f * n_y + n_l * n_y + n_e, tail=cat(tails), head=cat(heads), cap=cat(caps), cost=cat(costs),
                       supply=supply, x_arc=x_arc, bound_arc=bound_arc, line_arc=line_arc, enterprise_arc=enterprise_arc,
                       enterprises=list(lines.enterprises), need=e_need, bypass=bypass, unit=1, weight_scale=scale,
                       line_cost_total=int((wint * need).sum()), x_fund=xf, x_line=xl, x_year=xy, timing_cost=cat(timing),
                       line_weight=wint)


def optimal_face(net: Network, face: Face, cost: np.ndarray, flow: np.ndarray) -> Face:
    """The optimal face of a min-cost flow `flow` on `face`'s free arcs: potentials from a root
    every node reaches at cost 0 (Bellman-Ford), then complementary slackness fixes each free arc
    whose reduced cost is not zero (positive: empty; negative: full)."""
    free = np.flatnonzero(face.free)
    root, nodes = net.n, np.arange(net.n)
    tail = np.concatenate([net.tail[free], nodes])
    head = np.concatenate([net.head[free], np.full(net.n, root)])
    cap = np.concatenate([net.cap[free], np.ones(net.n, dtype=np.int64)])
    potential = residual_distances(net.n + 1, root, tail, head, cap, np.concatenate([cost[free], np.zeros(net.n, dtype=np.int64)]),
                                   np.concatenate([flow[free], np.zeros(net.n, dtype=np.int64)]))
    reduced = cost[free] + potential[net.head[free]] - potential[net.tail[free]]
    empty, full = free[reduced > 0], free[reduced < 0]
    return face.fix(net, np.concatenate([empty, full]), np.concatenate([np.zeros(len(empty), dtype=np.int64), net.cap[full]]))


class YearPayments:
    """What a programme's backend reads off its payments (x arcs of `net`, the year network, in
    fen): the flow (`YearsFlow`) and the LP (`timing_lp.YearsLp`) alike; `timing_result` reads them."""

    yl: YearLines
    net: YearNetwork

    def paid(self, x: np.ndarray) -> np.ndarray:
        """[line, year] public payments of the x amounts `x` (fen)."""
        yl, net = self.yl, self.net
        out = np.zeros(yl.payable.shape, dtype=np.int64)
        np.add.at(out, (net.x_line, net.x_year), x)
        np.add.at(out[:, 0], yl.prior_line, yl.prior_fen)  # settled payments (first year)
        return out

    def weighted_arrears(self, x: np.ndarray) -> Fraction:
        """Σ over years and lines of w·arrears, in the scenario unit, exactly."""
        net = self.net
        per_line = self.yl.arrears(self.paid(x)).sum(axis=1)
        total = sum(map(operator.mul, net.line_weight.tolist(), per_line.tolist()))  # Python integers: exact
        return Fraction(total, net.weight_scale * 100)


class YearsFlow(YearPayments, FlowBackend):
    """`FlowBackend`'s stages on the network of several years, with the timing stage after stage 1."""

    def __init__(self, yl: YearLines):
        super().__init__(yl, year_network(yl))  # type: ignore[arg-type]  # run_stages reads .scenario, .has_need
        self.yl = yl

    @property
    def note(self) -> str:
        return f"min-cost flow over the years {self.rules.years[0]}-{self.rules.years[-1]} in whole fen (exact)"

    def minimise_weighted_arrears(self) -> float:
        net, face = self.net, self.face
        free = np.flatnonzero(face.free)
        flow = face.flow.copy()
        # Series and two-arc nodes folded away first, as the tie-break does (`flow.FlowBackend.tie_break`).
        small = Reducer(net.n, net.tail[free], net.head[free], net.cap[free], net.timing_cost[free], face.balance)
        small.reduce()
        alive = np.flatnonzero(small.alive)
        flow[free] = small.expand(min_cost_flow(net.n, small.tail[alive], small.head[alive], small.cap[alive], small.cost[alive], small.balance))
        self.flow_timing = flow
        return float(self.weighted_arrears(flow[net.x_arc]))

    def hold_weighted_arrears(self, value: float) -> None:
        self.face = optimal_face(self.net, self.face, self.net.timing_cost, self.flow_timing).pruned(self.net)

    def fund_prices(self) -> np.ndarray:
        """Per fund: the weighted gap one more unit arriving in the first year saves."""
        dual, _ = self.stage1_duals()
        return -dual.reshape(len(self.rules.scenario.funds), len(self.rules.years))[:, 0] + 0.0

    def prices(self):
        raise SolveError("explain does not price a programme over several years yet")

    def tie_break_costs(self, held: Face) -> np.ndarray:
        """`year_tie_break_costs` on the payments still to decide (jitter_of is a sha256 each)."""
        net = self.net
        cost = np.zeros(len(net.cap), dtype=np.int64)
        open_x = np.flatnonzero(held.free[net.x_arc])
        cost[net.x_arc[open_x]] = year_tie_break_costs(self.rules, net, open_x)
        return cost


def year_tie_break_costs(yl: YearLines, net: YearNetwork, which: np.ndarray) -> np.ndarray:
    """The tie-break's integer cost of the payments `which` (indexes into the x arcs): fund order
    as the one-year tie-break (rank, then a fixed jitter by fund, enterprise, category); among a
    fund's equal payments the earlier year. The flow and the LP (`timing_lp`) both use it."""
    ranks = fund_ranks(yl.scenario)
    ids = [f.id for f in yl.scenario.funds]
    n_y = len(yl.years)
    pair, inverse = np.unique(net.x_fund[which] * len(yl.lines) + net.x_line[which], return_inverse=True)  # a pair's years share it
    ents, cats = yl.lines.names(pair % len(yl.lines))
    base = np.array([((ranks[ids[f]] + 1) << (JITTER_BITS + 1)) + int(jitter_of(ids[f], e, c) * (1 << JITTER_BITS))
                     for f, e, c in zip((pair // len(yl.lines)).tolist(), ents, cats)], dtype=np.int64)
    return base[inverse] * (n_y + 1) + net.x_year[which]
