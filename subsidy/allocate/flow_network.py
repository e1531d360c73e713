"""The allocation's rules as one flow network in exact integers (arrays for OR-Tools).

    s ─budget─▶ fund ─cap_enterprise─▶ (fund,enterprise) ─cap_share─▶ line ─need, cost −w─▶ enterprise ─▶ t
                fund ─distribution─▶ region ─▶ (fund,enterprise) or line, for a fund split by factors
                fund ─distribution_pool─▶ pool ─▶ each region of the fund   (share < 1: the rest tops up any region)
    s ─own_funds─▶ own[e] ──────────────────────────────────────────────▶ line
    s ─▶ t   (money left unspent)

Amounts are whole fen and every bound is floored to whole fen, as `verify` reads them (a share
cap of 0.8 × 0.05 is 0.04, an enterprise cap of 1.5 × 0.333 is 0.49): an allocation is written in
fen, so the best allocation in fen is what stage 1 must find, and with integer capacities the
network's optimum is integral. (Until issue 16 the flow ran in 1/Q fen on the exact bounds and
rounding to fen then lost up to a fen per line: 6 of 210 corpus scenarios ended 0.01-0.025 above
the whole-fen optimum.) Weights become integers × D = 10^k. When k would exceed 6, or the
integers could overflow int64, `NotANetwork` says so and `method="auto"` takes the LP instead. Built once per solve; the stages (`flow`), the prices (`flow_prices`) and
close-gap (`flow_close_gap`) all run on it, and the first two on its stage-1 optimum (`stage1_flow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from subsidy.allocate.flow_algorithms import FlowError, Residual, max_flow, min_cost_flow
from subsidy.allocate.flow_leasts import with_leasts
from subsidy.allocate.rules import Rules

MAX_DECIMAL_PLACES = 6
"""Finest weight the flow handles exactly: 10^-6 of a weight unit."""
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
    unit: int  # flow units per fen: 1 (bounds floored to whole fen); the algorithms keep the unit general
    weight_scale: int
    line_cost_total: int  # Σ over all lines with r > 0 of (w·D)·r in units: the weighted gap at zero funding
    # Commitments and minimum coverage (`flow_leasts`): per arc the least already sent (cap is
    # the room above it), and per row of rules.commit_arcs its arc; None without such rules.
    lower: np.ndarray | None = None
    commit_arc: np.ndarray | None = None

    S, T = 0, 1

    def balance(self) -> np.ndarray:
        """Each node's supply: s gives `supply`, t takes it, and every least moves its amount
        from its arc's tail to its head (sent before anything is solved)."""
        balance = np.zeros(self.n, dtype=np.int64)
        balance[self.S] += self.supply
        balance[self.T] -= self.supply
        if self.lower is not None:
            np.subtract.at(balance, self.tail, self.lower)
            np.add.at(balance, self.head, self.lower)
        return balance


def build_network(rules: Rules) -> Network:
    """The stage-1 network of the module docstring, as arrays: the bounds' arcs (budgets, own
    funds, enterprise caps, lines), then one arc per arc of the rules, enterprise → t, and s → t."""
    scenario = rules.scenario
    if len(rules.match_fund):  # two arc families with different coefficients in one row (allocate.mip)
        raise NotANetwork("配套 rule: not a network; solved as whole-fen MIP "
                          f"({len(rules.match_fund)} match row(s), funds[].match)")
    lines = rules.lines
    q = 1  # flow units per fen: bounds are floored to whole fen (module docstring)
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
    region_node = n + np.arange(len(rules.dist_fund))  # the factor method: fund → region → its enterprises
    n += len(region_node)
    pool_node = n + np.arange(len(rules.pool_fund))  # share < 1: fund → pool → each of its regions
    n += len(pool_node)
    pooled = np.flatnonzero(rules.dist_pool >= 0)

    # Arcs of the bounds, in this order: budgets, own funds, enterprise caps, lines.
    fund_node = 2 + np.arange(nf)
    # The node each public arc (and each capped pair) hangs from: its fund, or its region of the fund.
    parent = fund_node[np.minimum(rules.arc_source, max(nf - 1, 0))] if nf else np.zeros(len(rules.arc_source), dtype=np.int64)
    in_region = rules.arc_dist >= 0
    parent[in_region] = region_node[rules.arc_dist[in_region]]
    pair_parent = fund_node[rules.cap_fund].copy()
    capped_in_region = np.flatnonzero((rules.arc_cap >= 0) & in_region)
    pair_parent[rules.arc_cap[capped_in_region]] = parent[capped_in_region]
    cap_units = rules.cap_fen * q
    need_cost = -wint[lines.category[rules.need_line]]
    tail = np.concatenate([np.zeros(nf + len(own_node), dtype=np.int64), pair_parent, line_node[rules.need_line]])
    head = np.concatenate([fund_node, own_node, cap_node, ent_node[lines.enterprise[rules.need_line]]])
    cap = np.concatenate([rules.budget_fen * q, own_fen * q, cap_units, lines.residual[rules.need_line] * q])
    cost = np.concatenate([np.zeros(nf + len(own_node) + len(cap_node), dtype=np.int64), need_cost])
    supply = sum(cap[: nf + len(own_node)].tolist())
    infinite = supply + 1

    # One arc per arc of the rules: from its fund, its capped pair or its own-funds node, to its line.
    x_tail = np.full(len(rules.arc_source), -1, dtype=np.int64)
    public = rules.arc_source < nf
    x_tail[public] = parent[public]
    capped, own = rules.arc_cap >= 0, rules.arc_own >= 0
    x_tail[capped] = cap_node[rules.arc_cap[capped]]
    x_tail[own] = own_node[rules.arc_own[own]]
    x_head = line_node[rules.arc_line]
    x_cap = np.full(len(rules.arc_source), infinite, dtype=np.int64)
    x_cap[rules.share_arc] = rules.share_cap(q)
    first_x = len(cap)
    first_e = first_x + len(x_cap)
    bypass = first_e + len(ent_open)
    tail = np.concatenate([tail, x_tail, ent_node[ent_open], [Network.S], fund_node[rules.dist_fund],
                           fund_node[rules.pool_fund], pool_node[rules.dist_pool[pooled]]])
    head = np.concatenate([head, x_head, np.full(len(ent_open), Network.T), [Network.T], region_node, pool_node, region_node[pooled]])
    cap = np.concatenate([cap, x_cap, np.full(len(ent_open) + 1, infinite, dtype=np.int64), rules.dist_fen * q,
                          rules.pool_fen * q, np.full(len(pooled), infinite, dtype=np.int64)])
    cost = np.concatenate([cost, np.zeros(len(x_cap) + len(ent_open) + 1 + len(region_node) + len(pool_node) + len(pooled), dtype=np.int64)])

    # The network arc of each bound, bounds numbered as in rules.bounds; a share cap bounds the x arc.
    kind, pos = rules.bound_order
    first_of_kind = {0: 0, 2: nf, 1: nf + len(own_node), 4: nf + len(own_node) + len(cap_node)}
    bound_arc = np.empty(len(kind), dtype=np.int64)
    for k, start in first_of_kind.items():
        on = kind == k
        bound_arc[on] = start + pos[on]
    on = kind == 3
    bound_arc[on] = first_x + rules.share_arc[pos[on]]
    on = kind == 5  # the factor method's region amounts: arcs fund → region, after s → t
    bound_arc[on] = bypass + 1 + pos[on]
    on = kind == 6  # the pools: arcs fund → pool, after the regions'
    bound_arc[on] = bypass + 1 + len(region_node) + pos[on]

    max_cost = int(np.abs(wint).max()) if len(wint) else 0
    if max_cost * (n + 1) >= COST_LIMIT:
        raise NotANetwork("weights × network size exceed the integer range of the flow solver")
    open_idx = np.flatnonzero(open_line)
    line_cost_total = sum(w * r for w, r in zip(wint[lines.category[open_idx]].tolist(), lines.residual[open_idx].tolist())) * q
    return with_leasts(rules, Network(
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
    ))


# ---------------------------------------------------------------------------------------------
# Stage 1: greedy over weight levels


def stage1_flow(net: Network) -> np.ndarray:
    """An optimal stage-1 flow by max flows, highest weight first.

    Costs sit only on the line arcs, and with one source the vectors of what lines can receive
    form a polymatroid (Megiddo 1974): a linear objective with non-negative weights is maximised
    greedily, by filling the lines of the highest weight as far as possible, then, without taking
    anything from them (augmenting paths never run back through a line's own arc), the next
    weight, and so on. Each level is one max flow on the residual network; weight-0 lines change
    nothing and are left to stage 3. Measured: 7-14× faster than one min-cost flow (`flow` docstring).

    With leasts (commitments, minimum coverage: `flow_leasts`) the argument fails (a least forces
    money to one place whatever the weights, and the supplies are no longer at s alone): one
    min-cost flow, whose infeasibility means no allocation keeps every rule.
    """
    if net.lower is not None:
        if np.any(net.cap < 0):
            raise FlowError("stage 1 (weighted gap): no allocation keeps every rule (infeasible: a least above its arc's room)")
        try:
            return min_cost_flow(net.n, net.tail, net.head, net.cap, net.cost, net.balance())
        except FlowError as exc:
            raise FlowError(f"stage 1 (weighted gap): no allocation keeps every rule ({exc})") from None
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
        res = Residual(net.tail, net.head, net.cap, flow, inner)
        tail = np.concatenate([res.tail, net.tail[level]])
        head = np.concatenate([res.head, np.full(len(level), sink)])
        cap = np.concatenate([res.cap, net.cap[level] - flow[level]])
        _, pushed, _ = max_flow(net.n + 1, tail, head, cap, Network.S, sink)
        flow = res.pushed_onto(flow, pushed)
        flow[level] += pushed[len(res.tail):]
    inflow = np.zeros(net.n, dtype=np.int64)
    np.add.at(inflow, net.head[net.line_arc], flow[net.line_arc])
    flow[net.enterprise_arc] = inflow[net.tail[net.enterprise_arc]]
    out_of_s = np.flatnonzero((net.tail == Network.S) & internal)
    flow[net.bypass] = net.supply - int(flow[out_of_s].sum())
    return flow
