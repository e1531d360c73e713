"""Close-gap by integer network flows: the least extra budget without a linear program.

Why. `closegap` used to answer with PuLP linear programs of its own (one for unlimited budgets,
then two for the funds allowed to grow, and one per fund for "if only this fund grew"): on
`scenarios/generated/national-2000.yaml` that is about ten LP solves and 34-44 s, against
0.5-0.6 s for the allocation itself. The allocation's rules are a network (`flow.build_network`), and every
close-gap quantity is a max-flow quantity on that network, so this module computes them exactly,
in integers, with OR-Tools' max flow (and one min-cost flow).

Units. Everything here is in whole fen: the network's capacities (1/Q fen) are rounded down to
whole fen, exactly as the LP path rounds its bounds ("the allocation's bounds in whole fen,
rounded down, as the reconciled allocation keeps them"). So the answers are the LP's, without
its tolerances, and extras need no rounding (`math.ceil` of whole fen is the identity). Exact
1/Q capacities (share_of_need 0.8 makes caps like 4267.6 fen) would give floors and extras a
fraction of a fen off what the allocation, rounded to whole fen, can keep.

What is computed, and how (s: source, t: sink, no s → t bypass):

- `most_fundable`: budgets unlimited (capacity larger than every need), caps kept: one max flow.
  Then, holding that total, own funds under the `free` rule go first to lines no fund may pay:
  one min-cost flow with cost −1 on those own-funds arcs. Budgets being unlimited, enterprises do
  not compete, so what each enterprise receives (and receives on lines no fund may pay) is the
  same in every such optimum: the per-enterprise columns are exact.
  Per bound, `closes`: the gap one more unit of that bound closes at unlimited budgets, the right
  derivative of the max flow: 1 when the bound's arc is full, its tail is reachable from s and t
  is reachable from its head in the residual graph (the arc lies in every minimum cut), else 0.
  The LP reported its dual instead, which is 0/1 too (max flow is totally unimodular) but may pick
  a cap in *some* minimum cut: where a cap is full together with another bound on the same money
  (two share caps of 0.5 on a line they pay in full, so its need is full too; or an enterprise
  cap and a share cap in series), the LP may call the cap binding although raising it alone
  closes nothing. The flow's caps are always among the LP's (right derivative ≤ any dual).
- `least_extra`: min Σ extra[f] over the funds allowed to grow so that Σ funded ≥ need, then
  among ties the extra goes to funds in the order listed (min Σ rank·extra). With F0 the max flow
  at today's budgets, the least total is exactly need − F0: any flow splits into paths, those
  leaving s by a budget arc form a flow of today's network (≤ F0), and augmenting F0 adds each
  unit on exactly one arc out of s, an extra one. The extra vectors that can be pushed on top of
  F0 form a polymatroid (supplies of a multi-source flow), so the order-of-funds tie-break is the
  greedy: from F0, push as much as possible (up to what is still needed) through the first fund's
  extra arc, then the next fund's, never taking back (no residual arc into s). One max flow per
  fund that grows; F0 is shared by all calls.

Leasts. Commitments and minimum coverage are arcs with a least (`flow_leasts`): the network's
capacities are the room above each least, and the leasts' amounts are supplies and demands at
their arcs' ends (`Network.balance`). A max flow from zero would break them, so each starts from
`_start`: one min-cost flow meeting those supplies, with one more arc t → s of cost −1 (the only
cost), which carries as much as s can send while every least holds; t's inflow is then the total
funded, leasts included (no least sits on an arc into t). Everything after it works on the
residual graph of that flow, which keeps every node's balance: augmenting paths s → t change
only s and t, so the leasts hold throughout and the arguments above stand (F0 is a maximum among
the flows that keep them). A commitment without a most gets `big` at unlimited budgets, as an
arc without a bound of its own. Checked against the LPs to the fen on the shipped commitments and
coverage options and on generated scenarios whose own allocations were committed
(tests/test_closegap_flow.py); until then close-gap took its LPs for such scenarios. Measured
(load 1.3-1.5, `close_gap(..., method=…)` on the solved result, generated scenarios with an amount,
a least, a most and minimum coverage): 1,000 enterprises 0.73 s by the flows against 8.35 s by
the LPs, 2,000 enterprises 1.28 s against 28.3 s, the same answer to the fen.

Measured on national-2000 (2,000 enterprises, 5 funds, 2 cores, `close_gap(load(...))`):
34-44 s with the LPs, 1.1-1.8 s with this module. The flows themselves take 0.16 s (network
0.05 s, unlimited budgets 0.10 s, each least extra under 0.01 s); the rest is solving the
scenario with the extra (0.6 s) and building that scenario (0.6 s, mostly deep copies). On the
seeds, the overlays, targets, fund subsets and generated scenarios of 30-200 enterprises
(tests/test_closegap_flow.py) every amount agrees with the LP to the fen; the caps' values
differ only as described above (found on a generated scenario: two share caps of 0.5 on a line
they pay in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from subsidy.allocate.flow_network import Network
from subsidy.allocate.flow_algorithms import Residual, max_flow, min_cost_flow
from subsidy.allocate.rules import Rules


def fen_capacities(rules: Rules, net: Network) -> tuple[np.ndarray, int]:
    """Every arc's capacity in whole fen (rounded down; with leasts, the room above the least),
    and `big`: more than any flow can carry (Σ needs + 1), which the arcs without a bound of their
    own get (they had budgets + 1): a commitment without a most among them."""
    cap = net.cap // net.unit
    lower = net.lower if net.lower is not None else np.zeros(len(cap), dtype=np.int64)
    big = int((cap + lower)[net.line_arc].sum()) + 1
    unbounded = np.ones(len(rules.arc_source), dtype=bool)
    unbounded[rules.share_arc] = False
    cap[net.x_arc[unbounded]] = big
    cap[net.enterprise_arc] = big
    cap[net.bypass] = 0
    if net.commit_arc is not None:
        n_commit = len(rules.scenario.commitments)
        open_top = net.commit_arc[:n_commit][rules.commit_upper[:n_commit] < 0]
        cap[open_top[open_top >= 0]] = big
    return cap, big


def reachable(n: int, tail: np.ndarray, head: np.ndarray, start: int) -> np.ndarray:
    """Nodes reachable from `start` over the arcs tail → head (breadth first, vectorised)."""
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    while True:
        step = seen[tail] & ~seen[head]
        if not step.any():
            return seen
        seen[head[step]] = True


def _residual(net: Network, cap: np.ndarray, flow: np.ndarray) -> Residual:
    """The residual graph without any arc into s (nothing is sent back to the source)."""
    arcs = np.arange(len(net.tail))
    return Residual(net.tail, net.head, cap, flow, arcs[net.head != Network.S], back=arcs[net.tail != Network.S])


def _augment(net: Network, cap: np.ndarray, flow: np.ndarray, extra_arcs: list[tuple[int, int, int]]) -> tuple[int, np.ndarray, np.ndarray]:
    """Max flow s → t in the residual graph of `flow`, plus arcs (tail, head, capacity) that are
    not in the network. Returns (value, new flow, flows on the added arcs)."""
    res = _residual(net, cap, flow)
    tail, head, rcap = res.tail, res.head, res.cap
    k = len(tail)
    if extra_arcs:
        t_, h_, c_ = (np.array(v, dtype=np.int64) for v in zip(*extra_arcs))
        tail, head, rcap = np.concatenate([tail, t_]), np.concatenate([head, h_]), np.concatenate([rcap, c_])
    value, pushed, _ = max_flow(net.n, tail, head, rcap, Network.S, Network.T)
    return int(value), res.pushed_onto(flow, pushed), pushed[k:]


@dataclass
class Fundable:
    """The most every arc can carry with unlimited budgets (caps kept), in fen."""

    x_fen: np.ndarray  # per arc of the rules
    total_fen: int
    closes: np.ndarray  # per bound of the rules (rules.bounds order): gap closed per extra unit of it, 0 or 1


@dataclass
class GapFlows:
    """Close-gap quantities on one network; today's max flow F0 is computed once and shared."""

    rules: Rules
    net: Network
    cap: np.ndarray = field(init=False)
    big: int = field(init=False)
    _base: tuple[int, np.ndarray] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.cap, self.big = fen_capacities(self.rules, self.net)

    def _start(self, cap: np.ndarray) -> tuple[int, np.ndarray]:
        """A max flow s → t under capacities `cap` that keeps every least (module docstring,
        "Leasts"): without leasts the max flow from zero; with them one min-cost flow meeting the
        leasts' supplies, with an arc t → s of cost −1 (the only cost), so that it carries as much
        as can be. Flows are the room above each least, as the network's."""
        net = self.net
        zero = np.zeros(len(cap), dtype=np.int64)
        if net.lower is None:
            value, flow, _ = _augment(net, cap, zero, [])
            return value, flow
        supplies = net.balance()
        supplies[Network.S] -= net.supply
        supplies[Network.T] += net.supply  # the leasts' part alone: s and t give and take what the flow finds
        keep = np.flatnonzero(cap > 0)
        ceiling = int(cap[net.tail == Network.S].sum()) + 1  # more than s can send
        tail = np.concatenate([net.tail[keep], [Network.T]])
        head = np.concatenate([net.head[keep], [Network.S]])
        cost = np.zeros(len(keep) + 1, dtype=np.int64)
        cost[-1] = -1
        flows = min_cost_flow(net.n, tail, head, np.concatenate([cap[keep], [ceiling]]), cost, supplies)
        flow = zero.copy()
        flow[keep] = flows[:-1]
        return int(flows[-1]), flow

    @property
    def n_funds(self) -> int:
        return len(self.rules.scenario.funds)

    def fund_node(self, f: int) -> int:
        return 2 + f  # build_network: s, t, then one node per fund as listed

    def most_fundable(self) -> Fundable:
        net = self.net
        cap = self.cap.copy()
        cap[: self.n_funds] = self.big  # budget arcs come first
        value, flow = self._start(cap)
        # Right derivatives: full arcs in every minimum cut.
        res = _residual(net, cap, flow)
        tail, head = res.tail, res.head
        from_s = reachable(net.n, tail, head, Network.S)
        to_t = reachable(net.n, head, tail, Network.T)
        b = net.bound_arc
        closes = ((flow[b] == cap[b]) & from_s[net.tail[b]] & to_t[net.head[b]]).astype(np.int64)
        # Own funds first to lines no fund may pay, holding the total.
        own_arcs = self._own_elsewhere()
        if len(own_arcs) and value:
            keep = np.flatnonzero(cap > 0)
            cost = np.zeros(len(cap), dtype=np.int64)
            cost[net.x_arc[own_arcs]] = -1
            supplies = net.balance()  # the leasts' supplies (none without), and the total held
            supplies[Network.S] += value - net.supply
            supplies[Network.T] -= value - net.supply
            flow = np.zeros(len(cap), dtype=np.int64)
            flow[keep] = min_cost_flow(net.n, net.tail[keep], net.head[keep], cap[keep], cost[keep], supplies)
        return Fundable(flow[net.x_arc], int(value), closes)

    def _own_elsewhere(self) -> np.ndarray:
        """Arcs of the rules from own funds to lines no fund may pay."""
        rules = self.rules
        own = rules.arc_source == rules.own_source
        public_line = np.zeros(len(rules.lines), dtype=bool)
        public_line[rules.arc_line[~own]] = True
        return np.flatnonzero(own & ~public_line[rules.arc_line])

    def base(self) -> tuple[int, np.ndarray]:
        """F0: a max flow at today's budgets (value in fen, arc flows)."""
        if self._base is None:
            self._base = self._start(self.cap)
        return self._base

    def least_extra(self, growable: list[int], need_funded_fen: int) -> dict[int, int] | None:
        """Least extra fen per fund index in `growable` so that Σ funded ≥ need (then by fund
        order); None when the funds in `growable` cannot reach it whatever their budgets."""
        value, flow = self.base()
        missing = need_funded_fen - value
        extra = {f: 0 for f in growable}
        for f in sorted(growable):
            if missing <= 0:
                break
            pushed, flow, on = _augment(self.net, self.cap, flow, [(Network.S, self.fund_node(f), missing)])
            extra[f] = int(on[0])
            missing -= pushed
        return extra if missing <= 0 else None


def most_fundable(rules: Rules, net: Network) -> Fundable:
    """See `GapFlows.most_fundable`."""
    return GapFlows(rules, net).most_fundable()


def least_extra(rules: Rules, net: Network, growable: list[int], need_funded_fen: int) -> dict[int, int] | None:
    """See `GapFlows.least_extra` (fund indexes as listed in the scenario; extras in fen)."""
    return GapFlows(rules, net).least_extra(growable, need_funded_fen)
