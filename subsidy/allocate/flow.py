"""The fast path: all three stages as network flows in integers, with OR-Tools.

Stage 1 of the spec is a min-cost flow. Nodes: source s, one node per fund, one per (fund,
enterprise) that has an enterprise cap, one per cost line, one per enterprise, sink t; plus one own-
funds node per enterprise under the `free` rule (own funds are one more source, restricted to that
enterprise, so that rule is still a flow):

    s ─budget─▶ fund ─cap_enterprise─▶ (fund,enterprise) ─cap_share─▶ line ─need, cost −w─▶ enterprise ─▶ t
    s ─own_funds─▶ own[e] ──────────────────────────────────────────────▶ line
    s ─▶ t   (money left unspent)

Exact, not rounded. Amounts are whole multiples of 1/Q fen, Q = 10^k the smallest power of ten that
makes every bound an integer (Q = 1 when all caps are whole fen; share_of_need 0.8 makes it 10): so
the capacities are the spec's bounds exactly, and a share cap of 0.8 × 533.45 is 4267.6 fen, not
4267. Weights become integers the same way (× D = 10^k). When k would exceed 6, or the integers
could overflow int64, `NotANetwork` says so and `solve(method="auto")` takes the LP instead.

Library: OR-Tools' `SimpleMinCostFlow` and `SimpleMaxFlow` (C++, exact on int64, wheels for every
platform we run on, vectorised Python bindings, actively maintained by Google). Measured on this LP it
was 10-100× faster than HiGHS; networkx's network simplex is pure Python and slower than HiGHS.

Stage 1 by max flows. Costs sit only on line arcs and there is one source, so the amounts lines
can receive form a polymatroid and the greedy rule is optimal: fill the highest-weight lines as far
as possible, then the next weight without taking from the first, and so on (`stage1_flow`) — one
max flow per distinct weight, 3-8× faster than one min-cost flow solve.

Potentials and the optimal face. Shortest-path distances to t in the residual graph of that flow
(Bellman-Ford, vectorised) are optimal node potentials. They give the duals (a fund's shadow price is
minus the cost of the cheapest residual path from its node: what one more unit of budget saves, the
right derivative; the LP's dual is some subgradient, equal to it wherever the dual is unique), and by
complementary slackness they fix every arc whose reduced cost is not zero (positive: empty, negative:
full). Every stage-1 optimum is a flow on the remaining free arcs, so stages 2 and 3 run there.
Nodes left with one free arc decide it (`Face.pruned`).

Stage 2 (the smallest largest gap share t) asks for a flow on the face giving each enterprise at
least (1−t)·need. Newton's method on cuts: check feasibility at t with a max flow; if infeasible,
the min cut gives the exact t at which that cut stops being violated, a strictly larger lower bound;
repeat (usually 0-5 steps). Bounds are rounded down at a fine scale (K·Q units per fen, K ≤ 2^24),
so a failed check always proves a violated cut; t is exact up to < 1 unit of 1/(K·Q) fen per
enterprise. The LP differs only by its holds: it may give up 1e-9 of stage 1 (relatively) for
fairness, so its t can be lower by about 1e-9 · weighted gap / need of the worst enterprise.

Stage 3 follows the LP path's documented rule: spend what can still be spent (max flow), then
minimise Σ tie_break_weight·x with the weights as integers: fund rank exact, the sha256 jitter kept
to 2^-16 instead of 2^-48 (`JITTER_BITS`). Enterprises are held to floor((1−t)·need) in units of
1/Q fen. The min-cost flow runs on a network shrunk by `netflow.Reducer` (leaves and two-arc
nodes folded away). The allocation is then rounded to whole fen by the same `reconcile_to_fen` as
the LP's (not needed when Q = 1). Where the LP and the flow differ, it is by at most a fen per line:
the LP's holds let it sit a fraction of a fen off the exact optimum, and rounding can then tip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from subsidy.allocate.flow_algorithms import FlowError, Reducer, leaf_round, max_flow, min_cost_flow, residual_distances
from subsidy.allocate.rules import Arc, ArcAmounts, Rules, bound_values, build_rules, fund_ranks, jitter_of

MAX_DECIMAL_PLACES = 6
"""Finest bound or weight the flow handles exactly: 10^-6 fen, 10^-6 of a weight unit."""
COST_LIMIT = 2**55
"""max |unit cost| × (nodes + 1) must stay below this for OR-Tools' cost scaling in int64."""
FLOW_LIMIT = 2**60
"""Total money in flow units must stay below this (int64 flows, sums of capacities)."""
JITTER_BITS = 16
"""Bits of the tie-break jitter kept in integer costs. OR-Tools' cost scaling runs one phase per
factor 5 of the cost range: 24 bits cost 8 s at 100k enterprises, 16 bits 6 s. Two allocations
whose tie-break costs differ by less than 2^-17 per 万元 count as tied (the LP's own tolerance
is 1e-7)."""


class NotANetwork(Exception):
    """The scenario's rules cannot be solved exactly as an integer flow; the message says why."""


@dataclass
class FlowSolution:
    """What the flow path found; mirrors `solve.Solution` (amounts in the scenario unit)."""

    rules: Rules
    units: np.ndarray  # flow on each arc of the rules, in 1/unit_per_fen fen
    fen: ArcAmounts | None  # whole fen directly when Q == 1 (no rounding needed)
    weighted_gap: float
    max_gap_share: float
    total_funded: float
    duals: Mapping[str, float] = field(default_factory=dict)
    slacks: Mapping[str, float] = field(default_factory=dict)
    shadow_prices: dict[str, float] = field(default_factory=dict)  # fund → weighted gap saved per extra unit of budget
    unit_per_fen: int = 1
    newton_steps: int = 0

    @property
    def values(self) -> dict[Arc, float]:
        """Amounts in the scenario unit, by arc (as `solve.Solution.values`)."""
        return dict(zip(self.rules.arcs, self.amounts()))

    def amounts(self) -> list[float]:
        """The same amounts as a list aligned with rules.arcs (what reconcile_to_fen reads)."""
        return (self.units / (100 * self.unit_per_fen)).tolist()


# ---------------------------------------------------------------------------------------------
# Exact integer scales


def _places(value: Decimal) -> int:
    """Decimal places needed to write `value` exactly (0 for integers)."""
    if value == value.to_integral_value():
        return 0
    return max(0, -value.normalize().as_tuple().exponent)


def weight_scale(weights: dict[str, float]) -> int:
    """D = 10^k making every weight an integer; weights are read as the decimals a person wrote."""
    places = max((_places(Decimal(repr(w))) for w in weights.values()), default=0)
    if places > MAX_DECIMAL_PLACES:
        worst = max(weights, key=lambda c: _places(Decimal(repr(weights[c]))))
        raise NotANetwork(f"weight of {worst!r} ({weights[worst]!r}) has more than {MAX_DECIMAL_PLACES} decimals; "
                          "an integer flow cannot carry it exactly")
    return 10**places


def unit_scale(rules: Rules) -> int:
    """Q = 10^k flow units per fen, so that every bound is a whole number of units.

    A share cap is share × r with r in whole fen, so the share's decimals suffice; an enterprise
    cap (per_capacity × capacity, or per_enterprise) is looked at one by one.
    """
    places = 0
    for fund in rules.scenario.funds:
        share = fund.caps.share_of_need
        if share is not None and share < 1:
            places = max(places, _places(Decimal(repr(share))))
    for cap in set(rules.cap_exact):
        places = max(places, _places(cap * 100))
    if places > MAX_DECIMAL_PLACES:
        raise NotANetwork(f"a cap is not a whole multiple of 10^-{MAX_DECIMAL_PLACES} fen "
                          "(share_of_need or per_capacity × capacity with many decimals)")
    return 10**places


# ---------------------------------------------------------------------------------------------
# The network


@dataclass
class Network:
    """Arrays of one flow network; arc i goes tail[i] → head[i] with capacity cap[i], cost cost[i]."""

    n: int
    tail: np.ndarray
    head: np.ndarray
    cap: np.ndarray
    cost: np.ndarray
    supply: int  # at s (node 0); t (node 1) takes the same amount
    x_arc: np.ndarray  # network arc of rules.arcs[i]
    bound_arc: np.ndarray  # network arc of rules.bounds[i]
    line_arc: np.ndarray  # arcs line → enterprise (the need bounds), cost −w·D
    enterprise_arc: np.ndarray  # network arc enterprise → t, per enterprise in `enterprises`
    enterprises: list[str]
    need: np.ndarray  # Σ_c r[e,c] in units, per enterprise in `enterprises`
    bypass: int  # arc s → t
    unit: int  # flow units per fen
    weight_scale: int
    line_cost_total: int  # Σ over all lines with r > 0 of (w·D)·r in units: the weighted gap at zero funding

    S, T = 0, 1


def build_network(rules: Rules) -> Network:
    """The stage-1 network of the module docstring, as arrays: the bounds' arcs (budgets, own
    funds, enterprise caps, lines), then one arc per arc of the rules, enterprise → t, and s → t."""
    scenario = rules.scenario
    lines = rules.lines
    q = unit_scale(rules)
    weights = rules.weights
    open_line = lines.residual > 0
    d_scale = weight_scale({lines.categories[k]: weights[lines.categories[k]] for k in np.unique(lines.category[open_line]).tolist()})
    wint = np.array([int(Decimal(repr(weights[c])) * d_scale) for c in lines.categories], dtype=np.int64)
    residual = lines.residual.tolist()
    # Every capacity is at most the money in (budgets, own funds) or a need; stage 2 multiplies
    # them by up to 2^24 more. Refuse before anything overflows int64 (sums in Python integers).
    own_fen = lines.unused[rules.own_enterprise]
    money = (sum(rules.budget_fen.tolist()) + sum(own_fen.tolist())) * q
    need_total = sum(residual) * q
    if 4 * (money + need_total + 1) >= FLOW_LIMIT:
        raise NotANetwork("total money and needs in flow units exceed the integer range of the flow solver")

    # Nodes: s, t, funds, enterprises with a need, own-funds nodes, capped (fund, enterprise), lines.
    nf = len(scenario.funds)
    ent_need = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(ent_need, lines.enterprise, lines.residual)
    ent_open = np.flatnonzero(ent_need > 0)
    ent_node = np.full(len(lines.enterprises), -1, dtype=np.int64)
    ent_node[ent_open] = 2 + nf + np.arange(len(ent_open))
    n = 2 + nf + len(ent_open)
    own_node = n + np.arange(len(rules.own_enterprise))
    n += len(own_node)
    cap_node = n + np.arange(len(rules.cap_fund))
    n += len(cap_node)
    line_node = np.full(len(lines), -1, dtype=np.int64)
    line_node[rules.need_line] = n + np.arange(len(rules.need_line))
    n += len(rules.need_line)

    # Arcs of the bounds, in this order: budgets, own funds, enterprise caps, lines.
    fund_node = 2 + np.arange(nf)
    cap_units = [int(c * 100 * q) for c in rules.cap_exact]
    need_cost = -wint[lines.category[rules.need_line]]
    tail = np.concatenate([np.zeros(nf + len(own_node), dtype=np.int64), fund_node[rules.cap_fund], line_node[rules.need_line]])
    head = np.concatenate([fund_node, own_node, cap_node, ent_node[lines.enterprise[rules.need_line]]])
    cap = np.concatenate([rules.budget_fen * q, own_fen * q, np.array(cap_units, dtype=np.int64), lines.residual[rules.need_line] * q])
    cost = np.concatenate([np.zeros(nf + len(own_node) + len(cap_node), dtype=np.int64), need_cost])
    supply = sum(cap[: nf + len(own_node)].tolist())
    infinite = supply + 1

    # One arc per arc of the rules: from its fund, its capped pair or its own-funds node, to its line.
    x_tail = np.full(len(rules.arc_source), -1, dtype=np.int64)
    public = rules.arc_source < nf
    x_tail[public] = fund_node[rules.arc_source[public]]
    capped, own = rules.arc_cap >= 0, rules.arc_own >= 0
    x_tail[capped] = cap_node[rules.arc_cap[capped]]
    x_tail[own] = own_node[rules.arc_own[own]]
    x_head = line_node[rules.arc_line]
    x_cap = np.full(len(rules.arc_source), infinite, dtype=np.int64)
    x_cap[rules.share_arc] = rules.share_cap(q)
    first_x = len(cap)
    first_e = first_x + len(x_cap)
    bypass = first_e + len(ent_open)
    tail = np.concatenate([tail, x_tail, ent_node[ent_open], [Network.S]])
    head = np.concatenate([head, x_head, np.full(len(ent_open), Network.T), [Network.T]])
    cap = np.concatenate([cap, x_cap, np.full(len(ent_open) + 1, infinite, dtype=np.int64)])
    cost = np.concatenate([cost, np.zeros(len(x_cap) + len(ent_open) + 1, dtype=np.int64)])

    # The network arc of each bound, bounds numbered as in rules.bounds; a share cap bounds the x arc.
    kind, pos = rules.bound_order
    first_of_kind = {0: 0, 2: nf, 1: nf + len(own_node), 4: nf + len(own_node) + len(cap_node)}
    bound_arc = np.empty(len(kind), dtype=np.int64)
    for k, start in first_of_kind.items():
        on = kind == k
        bound_arc[on] = start + pos[on]
    on = kind == 3
    bound_arc[on] = first_x + rules.share_arc[pos[on]]

    max_cost = int(np.abs(wint).max()) if len(wint) else 0
    if max_cost * (n + 1) >= COST_LIMIT:
        raise NotANetwork("weights × network size exceed the integer range of the flow solver")
    open_idx = np.flatnonzero(open_line)
    line_cost_total = sum(w * r for w, r in zip(wint[lines.category[open_idx]].tolist(), lines.residual[open_idx].tolist())) * q
    return Network(
        n=n,
        tail=tail.astype(np.int64),
        head=head.astype(np.int64),
        cap=cap.astype(np.int64),
        cost=cost.astype(np.int64),
        supply=supply,
        x_arc=np.arange(first_x, first_x + len(x_cap), dtype=np.int64),
        bound_arc=bound_arc,
        line_arc=first_of_kind[4] + np.arange(len(rules.need_line), dtype=np.int64),
        enterprise_arc=np.arange(first_e, first_e + len(ent_open), dtype=np.int64),
        enterprises=[lines.enterprises[e] for e in ent_open.tolist()],
        need=ent_need[ent_open] * q,
        bypass=bypass,
        unit=q,
        weight_scale=d_scale,
        line_cost_total=line_cost_total,
    )


# ---------------------------------------------------------------------------------------------
# Stage 1: greedy over weight levels


def stage1_flow(net: Network) -> np.ndarray:
    """An optimal stage-1 flow by max flows, highest weight first.

    Costs sit only on the line arcs, and with one source the vectors of what lines can receive
    form a polymatroid (Megiddo 1974): a linear objective with non-negative weights is maximised
    greedily, by filling the lines of the highest weight as far as possible, then, without taking
    anything from them (augmenting paths never run back through a line's own arc), the next
    weight, and so on. Each level is one max flow on the residual network; weight-0 lines change
    nothing and are left to stage 3. This is 3-5× faster than a min-cost flow solve.
    """
    flow = np.zeros(len(net.cap), dtype=np.int64)
    internal = np.ones(len(net.cap), dtype=bool)
    internal[net.line_arc] = False
    internal[net.enterprise_arc] = False
    internal[net.bypass] = False
    inner = np.flatnonzero(internal)
    sink = net.n
    weights = -net.cost[net.line_arc]
    for w in sorted({int(w) for w in weights if w > 0}, reverse=True):
        level = net.line_arc[weights == w]
        fwd = inner[flow[inner] < net.cap[inner]]
        bwd = inner[flow[inner] > 0]
        tail = np.concatenate([net.tail[fwd], net.head[bwd], net.tail[level]])
        head = np.concatenate([net.head[fwd], net.tail[bwd], np.full(len(level), sink)])
        cap = np.concatenate([net.cap[fwd] - flow[fwd], flow[bwd], net.cap[level] - flow[level]])
        _, pushed, _ = max_flow(net.n + 1, tail, head, cap, Network.S, sink)
        k, m = len(fwd), len(bwd)
        flow[fwd] += pushed[:k]
        flow[bwd] -= pushed[k : k + m]
        flow[level] += pushed[k + m :]
    inflow = np.zeros(net.n, dtype=np.int64)
    np.add.at(inflow, net.head[net.line_arc], flow[net.line_arc])
    flow[net.enterprise_arc] = inflow[net.tail[net.enterprise_arc]]
    out_of_s = np.flatnonzero((net.tail == Network.S) & internal)
    flow[net.bypass] = net.supply - int(flow[out_of_s].sum())
    return flow


# ---------------------------------------------------------------------------------------------
# The optimal face, and what is left to decide on it


@dataclass
class Face:
    """Arcs still to decide (`free`), the flow of all others, and each node's net supply that
    the free arcs must carry away."""

    free: np.ndarray
    flow: np.ndarray
    balance: np.ndarray

    @classmethod
    def optimal(cls, net: Network, reduced: np.ndarray) -> "Face":
        """Complementary slackness: reduced cost > 0 → empty, < 0 → full, 0 → free."""
        free = reduced == 0
        flow = np.where(reduced < 0, net.cap, 0)
        balance = np.zeros(net.n, dtype=np.int64)
        balance[Network.S] += net.supply
        balance[Network.T] -= net.supply
        return cls(free, np.where(free, 0, flow), balance).fix(net, np.flatnonzero(~free), flow[~free])

    def fix(self, net: Network, arcs: np.ndarray, values: np.ndarray) -> "Face":
        """The same face with `arcs` set to `values` (taken out of the free set)."""
        free, flow, balance = self.free.copy(), self.flow.copy(), self.balance.copy()
        free[arcs] = False
        flow[arcs] = values
        np.subtract.at(balance, net.tail[arcs], values)
        np.add.at(balance, net.head[arcs], values)
        return Face(free, flow, balance)

    def shift(self, net: Network, nodes: np.ndarray, amounts: np.ndarray, to: int) -> "Face":
        """Move `amounts` of supply from `nodes` to node `to` (a lower bound on arcs node → to)."""
        balance = self.balance.copy()
        np.subtract.at(balance, nodes, amounts)
        balance[to] += int(amounts.sum())
        return Face(self.free, self.flow, balance)

    def pruned(self, net: Network) -> "Face":
        """Leaf elimination: a node with a single free arc decides that arc's flow (it must carry
        the node's balance); repeat. Exact, and it removes a third of the face or more."""
        face = self
        while True:
            arcs, values = leaf_round(net.n, net.tail, net.head, net.cap, np.flatnonzero(face.free), face.balance)
            if not len(arcs):
                return face
            face = face.fix(net, arcs, values)


def _feasible(net: Network, face: Face, lower: np.ndarray, scale: int, cut: bool = False):
    """Is there a flow on the face's free arcs giving enterprise e ≥ lower[e] (units × scale)?

    Balances and lower bounds become a super source/sink; a max flow decides.
    Returns (ok, flows on the free arcs (÷ scale only when scale == 1), cut side or None).
    """
    free = np.flatnonzero(face.free)
    b = face.balance * scale
    e_tail = net.tail[net.enterprise_arc]
    np.subtract.at(b, e_tail, lower)
    b[Network.T] += int(lower.sum())
    src, snk = net.n, net.n + 1
    pos = np.flatnonzero(b > 0)
    neg = np.flatnonzero(b < 0)
    tail = np.concatenate([net.tail[free], np.full(len(pos), src), neg])
    head = np.concatenate([net.head[free], pos, np.full(len(neg), snk)])
    caps = np.concatenate([net.cap[free] * scale, b[pos], -b[neg]])
    value, flows, side = max_flow(net.n + 2, tail, head, caps, src, snk, cut=cut)
    return value == int(b[pos].sum()), flows[: len(free)], (side[: net.n] if cut else None)


def _cut_share(net: Network, face: Face, side: np.ndarray, open_enterprise: np.ndarray) -> Fraction | None:
    """The gap share at which the cut `side` stops being violated (exact), from Hoffman's
    condition: supply inside + (1−t)·need forced in over enterprise arcs ≤ what free arcs can
    carry out."""
    free = np.flatnonzero(face.free)
    t_in = side[net.tail[free]]
    h_in = side[net.head[free]]
    can_leave = int(net.cap[free[t_in & ~h_in]].sum())
    supply_inside = int(face.balance[side].sum())
    e_entering = ~side[net.tail[net.enterprise_arc]] & side[Network.T] & open_enterprise
    need_inside = int(net.need[e_entering].sum())
    if need_inside == 0:
        return None
    return 1 - Fraction(can_leave - supply_inside, need_inside)


def _lower_bounds(need: np.ndarray, share: Fraction, scale: int, open_enterprise: np.ndarray) -> np.ndarray:
    """floor((1 − share)·need·scale) per open enterprise, exactly (Python integers), else 0."""
    funded = 1 - share
    num, den = funded.numerator * scale, funded.denominator
    return np.array([nd * num // den if o else 0 for nd, o in zip(need.tolist(), open_enterprise.tolist())], dtype=np.int64)


def largest_gap_share(net: Network, face: Face, max_steps: int = 200) -> tuple[Fraction, np.ndarray, int]:
    """Stage 2 by Newton's method on cuts, on a pruned face.

    Returns the share, lower bounds per enterprise in units that are feasible on the face (for
    stage 3 to hold), and the number of max-flow solves.
    """
    e_arcs = net.enterprise_arc
    open_e = face.free[e_arcs] & (net.need > 0)
    none = np.zeros(len(net.need), dtype=np.int64)
    # Enterprises whose inflow the face already decides give a lower bound directly.
    share = Fraction(0)
    decided = np.flatnonzero(~open_e & (net.need > 0))
    if len(decided):
        need, received = net.need[decided], face.flow[e_arcs][decided]
        approx = (need - received) / need
        # Exact only for the few within float noise of the largest.
        for i in np.flatnonzero(approx >= approx.max() - 1e-9).tolist():
            share = max(share, Fraction(int(need[i] - received[i]), int(need[i])))
    if share >= 1 or not open_e.any():
        return min(share, Fraction(1)), none, 0
    # Fine units for the checks, as fine as int64 allows for the money and needs in play.
    scale = 1 << (min(2**24, max(1, FLOW_LIMIT // (4 * (net.supply + int(net.need.sum()) + 1)))).bit_length() - 1)
    steps = 0
    while steps < max_steps:
        steps += 1
        lower = _lower_bounds(net.need, share, scale, open_e)
        ok, _, side = _feasible(net, face, lower, scale, cut=True)
        if ok:
            # A flow at scale K with these bounds, divided by K, is a fractional flow on the
            # face with integer capacities; so the integer bounds below are feasible too.
            return share, lower // scale, steps
        nxt = _cut_share(net, face, side, open_e)
        if nxt is None or nxt <= share:
            # Only rounding (< 2 units of 1/(K·Q) fen per enterprise) keeps the check from
            # passing: `share` is the optimum to that precision. Loosen the bounds until a
            # whole-unit check passes, so that stage 3 has a feasible set.
            base, slack = lower // scale, 1
            while True:
                steps += 1
                loose = np.maximum(base - slack, 0)
                if _feasible(net, face, loose, 1)[0]:
                    return share, loose, steps
                slack *= 2
        share = min(nxt, Fraction(1))
    raise FlowError("stage 2 did not converge")


# ---------------------------------------------------------------------------------------------
# Stage 3


def _spend_more(net: Network, face: Face, flow: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """From a feasible flow, push money that went unspent (s → t directly) through to lines:
    a max flow in the residual network, bounded by what went unspent."""
    free = np.flatnonzero(face.free)
    free = free[free != net.bypass]
    low = np.zeros(len(net.cap), dtype=np.int64)
    low[net.enterprise_arc] = lower
    fwd = free[flow[free] < net.cap[free]]
    bwd = free[flow[free] > low[free]]
    start = net.n
    tail = np.concatenate([net.tail[fwd], net.head[bwd], [start]])
    head = np.concatenate([net.head[fwd], net.tail[bwd], [Network.S]])
    cap = np.concatenate([net.cap[fwd] - flow[fwd], flow[bwd] - low[bwd], [flow[net.bypass]]])
    value, pushed, _ = max_flow(net.n + 1, tail, head, cap, start, Network.T)
    flow = flow.copy()
    flow[fwd] += pushed[: len(fwd)]
    flow[bwd] -= pushed[len(fwd) : len(fwd) + len(bwd)]
    flow[net.bypass] -= value
    return flow


def stage3(net: Network, face: Face, lower: np.ndarray, rules: Rules) -> np.ndarray:
    """Spend what can still be spent, then the tie-break by fund order (integer weights)."""
    e_arcs = net.enterprise_arc
    ok, y, _ = _feasible(net, face, lower, 1)
    if not ok:
        raise FlowError("stage 3 found no allocation holding stages 1 and 2")
    flow = face.flow.copy()
    free = np.flatnonzero(face.free)
    flow[free] = y
    flow[e_arcs] += np.where(face.free[e_arcs], lower, 0)
    if face.free[net.bypass]:
        flow = _spend_more(net, face, flow, lower)
    # Hold what was spent (s → t fixed) and the stage-2 bounds (as supplies), prune again.
    held = face.shift(net, net.tail[e_arcs], lower, Network.T)
    if held.free[net.bypass]:
        held = held.fix(net, np.array([net.bypass]), np.array([flow[net.bypass]]))
    held = held.pruned(net)

    ranks = fund_ranks(rules.scenario)
    n_ranks = max(ranks.values()) + 2
    bits = JITTER_BITS
    while bits > 8 and (n_ranks << (bits + 1)) * (net.n + 1) >= COST_LIMIT:
        bits -= 1
    cost = np.zeros(len(net.cap), dtype=np.int64)
    open_x = np.flatnonzero(held.free[net.x_arc])
    # tie_break_weight = rank + 1 + 0.5·jitter  →  (rank + 1)·2^(b+1) + floor(jitter·2^b)
    sources = rules.sources
    src = rules.arc_source[open_x].tolist()
    ents, cats = rules.lines.names(rules.arc_line[open_x])
    cost[net.x_arc[open_x]] = [
        ((ranks[sources[f]] + 1) << (bits + 1)) + int(jitter_of(sources[f], e, c) * (1 << bits))
        for f, e, c in zip(src, ents, cats)
    ]
    free = np.flatnonzero(held.free)
    # Series and two-arc nodes are folded away first: a third fewer arcs, and OR-Tools' cost
    # scaling is superlinear in size (100k enterprises: 17 s on the face, 5 s reduced).
    small = Reducer(net.n, net.tail[free], net.head[free], net.cap[free], cost[free], held.balance)
    small.reduce()
    alive = np.flatnonzero(small.alive)
    solved = min_cost_flow(net.n, small.tail[alive], small.head[alive], small.cap[alive], small.cost[alive], small.balance)
    final = held.flow.copy()
    final[free] = small.expand(solved)
    final[e_arcs] += lower  # the lower bounds were moved into supplies
    return final


# ---------------------------------------------------------------------------------------------
# Entry point


def solve_flow(scenario, rules: Rules | None = None) -> FlowSolution:
    """All stages as flows. Raises NotANetwork when the integer flow cannot be exact."""
    rules = rules or build_rules(scenario)
    net = build_network(rules)
    q, d_scale = net.unit, net.weight_scale
    per_unit = 100 * q  # flow units per scenario unit

    flow1 = stage1_flow(net)
    line_cost = -net.cost[net.line_arc]
    line_flow = flow1[net.line_arc]
    saved = sum(int(c) * int(line_flow[line_cost == c].sum()) for c in np.unique(line_cost))  # exact: Python ints
    weighted_gap = Fraction(net.line_cost_total - saved, d_scale * per_unit)

    dist = residual_distances(net.n, Network.T, net.tail, net.head, net.cap, net.cost, flow1)
    reduced = net.cost + dist[net.head] - dist[net.tail]
    dual = np.minimum(reduced[net.bound_arc], 0) / d_scale
    duals = bound_values(rules, dual)
    slacks = bound_values(rules, (net.cap - flow1)[net.bound_arc] / per_unit)
    # Budgets are the first bounds: a fund's shadow price is minus its budget's dual.
    prices = {f.id: -float(dual[i]) + 0.0 for i, f in enumerate(scenario.funds)}

    face = Face.optimal(net, reduced).pruned(net)
    steps = 0
    if scenario.policy.fairness and len(net.need):
        share, lower, steps = largest_gap_share(net, face)
    else:
        share, lower = None, np.zeros(len(net.need), dtype=np.int64)
    final = stage3(net, face, lower, rules)

    x = final[net.x_arc]
    if share is None:
        received = final[net.enterprise_arc]
        share = max((Fraction(int(nd - r), int(nd)) for nd, r in zip(net.need, received) if nd > 0), default=Fraction(0))
    return FlowSolution(
        rules=rules,
        units=x,
        fen=ArcAmounts(rules, x) if q == 1 else None,
        weighted_gap=float(weighted_gap),
        max_gap_share=float(share),
        total_funded=int(x.sum()) / per_unit,
        duals=duals,
        slacks=slacks,
        shadow_prices=prices,
        unit_per_fen=q,
        newton_steps=steps,
    )
