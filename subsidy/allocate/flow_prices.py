"""Exact one-sided marginal values of the stage-1 rules, from the flow network (no LP).

Why. `explain.marginal_values` finds them on the dual LP's optimal face: four LP solves per rule,
over 17 minutes on scenarios/generated/national-2000.yaml. Stage 1 is a min-cost flow, so the same
numbers are shortest-path lengths in the residual graph of one optimal flow.

Theory. Let f be an optimal stage-1 flow, G_f its residual graph, and a = u → v the arc of a bound
(capacity B, cost c). V(B) is the optimal cost as a function of B (convex, piecewise linear with
integer breakpoints: capacities and flows are integers). With d(x → y) the cheapest x → y path in G_f:

    V(B+1) − V(B) = min(0, c + d(v → u))                 one more unit: the best new cycle through a
    V(B−1) − V(B) = −c + d(u → v)   if f_a = B, else 0   one unit less: the cheapest way to reroute it

(both exact per unit: every residual capacity is a whole unit or more). The supply at s is the sum
of budgets and own funds, so a larger budget must also be able to bring more money: G_f gets an
arc t → s of cost 0 (money not spent goes back to s), which closes no negative cycle. Stage 1
*minimises* Σ −w·D·x in units of 1/(100·Q) of the scenario unit (Q flow units per fen, D the weight
scale), so per scenario unit of the bound:

    more = −(V(B+1) − V(B)) / D          less = (V(B−1) − V(B)) / D      (None/NaN where B = 0)

the weighted gap saved by one more unit and added by one unit less, which is what the dual-face LP
returns (min and max of u_i over the dual's optimal face). For plain (unit) weights every line arc
gets cost −1, including weight-0 categories, as `explain` does with `{a: 1.0}`; its optimal flow is
one max flow.

Shortest paths. With π = distances to t (`netflow.residual_distances`), reduced costs
c_π(x, y) = c + π(y) − π(x) are ≥ 0 on G_f, d(x → y) = d_π(x → y) − π(y) + π(x), and so

    more = max(0, −c_π(a) − d_π(v → u)) / D          less = (−c_π(a) + d_π(u → v)) / D.

Dijkstra (scipy.sparse.csgraph, float64 on integer lengths: exact while every label stays below
2^53, which is checked) runs only from a handful of nodes. The *global* nodes are s, t and the
funds; every other node belongs to one enterprise (its lines, its own-funds node, its capped
(fund, enterprise) nodes), and any arc leaves an enterprise only to a global node. So

    d(x → y) = min( d_local(x → y),  min_g d(x → g) + d(g → y) )     over global g,

with d(x → g) and d(g → y) from one reverse and one forward Dijkstra per global node, and
d_local inside x's enterprise. Only a share cap under an enterprise cap (arc (f,e) → line) has both
ends local; those local searches run from many sources at once (`min_only`), one source per
enterprise per round, so there are at most as many rounds as funds.

Checked (tests/test_flow_prices.py) against exact integer finite differences of the flow
(V(B±1) re-solved; V is linear between integers, so one unit gives each one-sided derivative) on
every rule explain asks about, and against `explain.marginal_values` (the LP's dual face, which
stays the reference): equal to its 5 decimals on the shipped scenarios and options. On generated
ones the LP is sometimes off, always on the side its hold relaxes (its `more`, a minimum over
"total ≤ best + max(1e-9·best, 1e-7)", lower; its `less` higher), mostly by 1e-5..4e-4, once by
0.04 (generated 120/14, cap_enterprise[central_reward,e000002]: LP 0.95902, exact 1; presumably
the hold admits duals that a near-tie between two rules' bounds makes almost optimal). The finite
differences confirm the flow's numbers there.

Ranges (`price_ranges`). Each price holds over a range of the bound (a sensitivity report's
allowable increase and decrease): V is linear between its breakpoints, and the rate `more` lasts
exactly as long as flow can still go v → u along residual paths of the cheapest length, i.e. for
the value of a max flow over the arcs on such paths (with reduced costs, those where
d_π(v → x) + c_π(x, y) + d_π(y → u) = d_π(v → u)); after it every path is dearer and the next unit
saves less. `less` likewise along u → v, after the bound's unused room (which costs nothing), for
at most the flow on a. Arcs that carry "supply + 1" for want of a rule are unlimited there (the
supply grows with a budget). Most cheapest paths have reduced length 0 (an arc strictly inside
its bounds has reduced cost 0): those need no search, only a max flow over the arcs of length 0;
longer ones take a Dijkstra from each end. Checked against the integer flow re-solved at each end
of every range and one fen beyond (tests/test_price_ranges.py).

The max flows over the arcs of length 0 run on a small part of the graph where that provably
gives the whole graph's value (`TightPaths._flat_max_flows`): the global arcs and the pair's
enterprise components give a lower bound, cuts of the whole graph built from the part's cuts an
upper bound, and where they meet the value is exact; otherwise the part takes in the components
through which more could go (up to GROWTH_ROUNDS rounds), and only then is the whole graph solved.
Measured on national-2000 (5,245 priced rules, weighted and plain: 7,747 + 6,893 max flows): one
OR-Tools model of the whole graph re-solved per pair took 13.1 + 13.2 s of CPU (2-6 ms a pair);
on the parts 4.8-5.9 + 4.5-6.0 s (23,272 + 20,526 small max flows of about 0.1 ms, and 29 + 68
pairs on the whole graph), the same 2 × 5,245 ranges to the fen. `subsidy explain` on
national-2000 as a whole process, median of 3 runs, each against the other in turn on the shared
machine (load ~9 on 2 cores): CPU 41.3 s before, 24.6 s after (ratio 0.58); wall 234 s and 149 s.

Measured (national-2000: 13,563 nodes, 26,228 arcs, ~5,000 rules asked: 5 budgets, ~1,500
cap_enterprise, ~100 own_funds, ~3,400 cap_share): build_rules + build_network + stage1_flow
0.1-0.25 s, then weighted more and less 0.12-0.13 s, plain (with its own max flow) 0.07 s:
about 0.5 s for everything explain asks (the LP dual-face method: > 17 minutes). Every one of
the 20,991 bounds, weighted: 0.08 s. Importing scipy.sparse.csgraph: about 0.3 s once.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from subsidy.allocate.flow_network import Network, stage1_flow
from subsidy.allocate.flow_algorithms import Residual, max_flow, residual_distances
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import UNBOUNDED

EXACT_LIMIT = 2**53
"""Dijkstra runs in float64: lengths stay exact integers while every label is below this."""


class PriceRangeError(ArithmeticError):
    """Path lengths could pass 2^53, where float64 Dijkstra is no longer exact (use the LP)."""


def unit_weight_network(net: Network) -> Network:
    """The same network with every line costing −1 (the plain gap; weight-0 categories included)."""
    cost = net.cost.copy()
    cost[net.line_arc] = -1
    return dataclasses.replace(net, cost=cost, weight_scale=1)


def marginal_values(rules: Rules, net: Network, bounds: np.ndarray | None = None, unit_weights: bool = False,
                    flow: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(more, less) per bound in `bounds` (indices as in rules.bound_names()/rules.bounds; all
    bounds when None), per unit of the scenario unit, as float arrays aligned with `bounds`.

    more: the stage-1 objective (the weighted gap, or the plain gap when `unit_weights`) saved by
    one more unit of the bound, the right derivative; less: what one unit less adds, the left
    derivative; NaN where the bound is 0 (explain's None). `flow`: an optimal stage-1 flow of
    `net` (weighted) if the caller has one; ignored for unit weights, whose optimum differs.
    Exact: integers in flow units divided by the weight scale once, at the end.
    """
    bounds = np.arange(len(net.bound_arc)) if bounds is None else np.asarray(bounds, dtype=np.int64)
    if not len(rules.arc_source):  # as the LP method: no arc, nothing is worth anything
        return np.zeros(len(bounds)), np.zeros(len(bounds))
    if unit_weights:
        net = unit_weight_network(net)
        flow = None
    if flow is None:
        flow = stage1_flow(net)
    n_global = 2 + len(rules.scenario.funds)  # s, t and the fund nodes (see flow.build_network)
    gain, loss = _marginal_units(net, flow, net.bound_arc[bounds], n_global)
    scale = net.weight_scale
    more = gain / scale
    less = np.where(loss == NO_ALLOCATION, np.inf, np.where(loss < 0, np.nan, loss / scale))
    return more + 0.0, less + 0.0


def priced_graph(net: Network, flow: np.ndarray, n_global: int) -> tuple[np.ndarray, "_Residual"]:
    """Distances to t (π) and the residual graph of `flow` with reduced lengths (all ≥ 0), plus
    t → s (cost 0: unspent money may come back)."""
    n = net.n
    pi = residual_distances(n, Network.T, net.tail, net.head, net.cap, net.cost, flow)
    res = Residual(net.tail, net.head, net.cap, flow)
    r_tail = np.concatenate([res.tail, [Network.T]])
    r_head = np.concatenate([res.head, [Network.S]])
    r_cost = np.concatenate([res.cost(net.cost), [0]])
    reduced = r_cost + pi[r_head] - pi[r_tail]
    if len(reduced) and reduced.min() < 0:
        raise AssertionError("potentials are not optimal for this flow (negative reduced cost)")
    top = int(reduced.max(initial=0))
    if top * n >= EXACT_LIMIT:
        raise PriceRangeError(f"residual path lengths up to {top} × {n} nodes exceed 2^53")
    return pi, _Residual(n, r_tail, r_head, reduced, n_global=n_global)


NO_ALLOCATION = np.iinfo(np.int64).max
"""`_marginal_units`' loss where one unit less leaves no allocation (a budget a least needs)."""


def _marginal_units(net: Network, flow: np.ndarray, arcs: np.ndarray, n_global: int) -> tuple[np.ndarray, np.ndarray]:
    """Per network arc in `arcs`: (−(V(B+1) − V(B)), V(B−1) − V(B)) in integer cost units per flow
    unit; the second is −1 where the capacity is 0 (no left derivative), NO_ALLOCATION where a
    least (`flow_leasts`) leaves no way around the arc."""
    pi, graph = priced_graph(net, flow, n_global)
    u, v = net.tail[arcs], net.head[arcs]
    red_a = net.cost[arcs] + pi[v] - pi[u]  # reduced cost of the bound's own (forward) arc
    saturated = flow[arcs] >= net.cap[arcs]
    zero = net.cap[arcs] == 0
    want_more = red_a < 0  # otherwise d_π ≥ 0 makes the gain 0
    want_less = saturated & ~zero

    gain = np.zeros(len(arcs), dtype=np.int64)
    loss = np.zeros(len(arcs), dtype=np.int64)
    if want_more.any():
        i = np.flatnonzero(want_more)
        d = graph.distances(v[i], u[i], key=u[i], reverse_key=True)
        gain[i] = np.where(d < 0, 0, np.maximum(0, -red_a[i] - np.maximum(d, 0)))
    if want_less.any():
        i = np.flatnonzero(want_less)
        d = graph.distances(u[i], v[i], key=u[i], reverse_key=False)
        if np.any(d < 0) and net.lower is None:
            raise AssertionError("a saturated arc with flow has no residual way around it")
        loss[i] = np.where(d < 0, NO_ALLOCATION, -red_a[i] + d)
    loss[zero] = -1
    return gain, loss


class _Residual:
    """Shortest paths in a graph with non-negative integer lengths, between many node pairs, where
    nodes 0 .. n_global−1 are the only ones that join different components of the rest."""

    def __init__(self, n: int, tail: np.ndarray, head: np.ndarray, length: np.ndarray, n_global: int):
        import scipy.sparse as sp

        self.n, self.n_global = n, n_global
        # Parallel arcs: keep the shortest (a sparse matrix would add them up).
        order = np.lexsort((length, head, tail))
        tail, head, length = tail[order], head[order], length[order]
        first = np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])] if len(tail) else np.zeros(0, dtype=bool)
        tail, head, length = tail[first], head[first], length[first].astype(np.float64)
        self.fwd = sp.csr_matrix((length, (tail, head)), shape=(n, n))
        self.rev = sp.csr_matrix((length, (head, tail)), shape=(n, n))
        local = (tail >= n_global) & (head >= n_global)
        self.local_fwd = sp.csr_matrix((length[local], (tail[local], head[local])), shape=(n, n))
        self.local_rev = sp.csr_matrix((length[local], (head[local], tail[local])), shape=(n, n))
        self._global = None
        self._component = None

    @staticmethod
    def _exact(d: np.ndarray) -> np.ndarray:
        """Float distances as int64, −1 where unreachable."""
        finite = np.isfinite(d)
        if np.any(d[finite] >= EXACT_LIMIT):
            raise PriceRangeError("a shortest path length reached 2^53")
        out = np.full(d.shape, -1, dtype=np.int64)
        out[finite] = d[finite].astype(np.int64)
        return out

    def global_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """(F, R): F[g, y] = d(g → y), R[g, x] = d(x → g) for every global g (−1: no path)."""
        if self._global is None:
            from scipy.sparse.csgraph import dijkstra

            g = np.arange(self.n_global)
            self._global = (self._exact(dijkstra(self.fwd, directed=True, indices=g)),
                            self._exact(dijkstra(self.rev, directed=True, indices=g)))
        return self._global

    def component(self) -> np.ndarray:
        if self._component is None:
            from scipy.sparse.csgraph import connected_components

            _, self._component = connected_components(self.local_fwd, directed=True, connection="weak")
        return self._component

    def distances(self, x: np.ndarray, y: np.ndarray, key: np.ndarray, reverse_key: bool) -> np.ndarray:
        """d(x_i → y_i) per pair (−1: no path). `key` is the endpoint local searches start from:
        x (forward) or, with reverse_key, y (backward); pairs sharing it share one search."""
        F, R = self.global_tables()
        ng = self.n_global
        out = np.full(len(x), -1, dtype=np.int64)
        gx, gy = x < ng, y < ng
        out[gx] = F[x[gx], y[gx]]
        only_y = gy & ~gx
        out[only_y] = R[y[only_y], x[only_y]]
        both = np.flatnonzero(~gx & ~gy)
        if not len(both):
            return out
        # Through some global node: min over g of d(x → g) + d(g → y).
        via_x, via_y = R[:, x[both]], F[:, y[both]]
        through = np.where((via_x >= 0) & (via_y >= 0), via_x + via_y, np.iinfo(np.int64).max)
        best = through.min(axis=0)
        # Inside the enterprise: searches from the keys, one per component per round.
        local = self._local(x[both], y[both], key[both], reverse_key)
        best = np.where(local >= 0, np.minimum(best, local), best)
        out[both] = np.where(best == np.iinfo(np.int64).max, -1, best)
        return out

    def _local(self, x, y, key, reverse_key: bool) -> np.ndarray:
        from scipy.sparse.csgraph import dijkstra

        comp = self.component()
        keys = np.unique(key)
        # Round of each key: its rank among the keys of its component.
        order = np.lexsort((keys, comp[keys]))
        keys = keys[order]
        c = comp[keys]
        start = np.r_[True, c[1:] != c[:-1]]
        group_start = np.maximum.accumulate(np.where(start, np.arange(len(keys)), 0))
        round_of = np.arange(len(keys)) - group_start
        graph = self.local_rev if reverse_key else self.local_fwd
        target = x if reverse_key else y
        out = np.full(len(x), -1, dtype=np.int64)
        key_pos = np.searchsorted(keys[np.argsort(keys)], key)
        key_round = round_of[np.argsort(keys)][key_pos]
        for r in range(int(round_of.max(initial=-1)) + 1):
            sources = keys[round_of == r]
            dist = self._exact(dijkstra(graph, directed=True, indices=sources, min_only=True))
            mine = key_round == r
            # A round's sources lie in different components, and min_only gives the nearest of
            # them: only a target in its own key's component counts (an amount's arc, with no
            # room either way, can leave its two ends in different components).
            same = comp[target[mine]] == comp[key[mine]]
            out[mine] = np.where(same, dist[target[mine]], -1)
        return out


# --- the range in which a price holds -------------------------------------------------------------
def price_ranges(rules: Rules, net: Network, bounds: np.ndarray | None = None, unit_weights: bool = False,
                 flow: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(increase, decrease) per bound in `bounds`, in whole fen: how far the bound may rise with
    every fen still saving `more`, and fall with every fen still costing `less` (the allowable
    increase and decrease of a sensitivity report). UNBOUNDED where `more` is 0. Arguments as
    `marginal_values`.

    Exact, by max flows: one more unit of the bound a = u → v saves |c + d(v → u)| along the
    cheapest v → u path of the residual graph (t → s closing the cycle), and that rate holds
    exactly as long as flow can still go from v to u at that cost, i.e. for the value of a max
    flow v → u over the residual arcs on shortest v → u paths (reduced cost tight w.r.t. the
    distances from v); the next unit must take a dearer path, which saves less. One unit less
    reroutes along u → v the same way (after the bound's slack, which costs nothing), for at most
    the flow on a.
    """
    bounds = np.arange(len(net.bound_arc)) if bounds is None else np.asarray(bounds, dtype=np.int64)
    arcs = net.bound_arc[bounds]
    if not len(rules.arc_source):  # nothing can move: every price is 0, up and down all the way
        return np.full(len(bounds), UNBOUNDED, dtype=np.int64), net.cap[arcs] // net.unit
    if unit_weights:
        net = unit_weight_network(net)
        flow = None
    if flow is None:
        flow = stage1_flow(net)
    gain, loss = _marginal_units(net, flow, arcs, 2 + len(rules.scenario.funds))
    graph = TightPaths(rules, net, flow)
    u, v = net.tail[arcs], net.head[arcs]
    increase = np.full(len(arcs), UNBOUNDED, dtype=np.int64)
    red_a = net.cost[arcs] + graph.pi[v] - graph.pi[u]
    rising = np.flatnonzero(gain > 0)  # then the arc is full: its forward arc is not residual
    # The cheapest v → u path is known from the price: gain = −red_a − d_π(v → u).
    increase[rising] = graph.pushable(v[rising], u[rising], (-red_a - gain)[rising])
    slack = net.cap[arcs] - flow[arcs]
    decrease = slack.copy()
    # Below the flow on a: rerouted along u → v. A full arc costs `less` per unit that way; an arc
    # with room (reduced cost 0, so `less` is 0) keeps costing 0 only along paths of length 0
    # other than its own forward room, which the max flow then leaves out.
    falling = np.flatnonzero((flow[arcs] > 0) & (loss != NO_ALLOCATION))  # an infinite less holds over no range
    room = slack[falling] > 0
    cheapest = np.where(room, 0, loss[falling] + red_a[falling])  # loss = −red_a + d_π(u → v) on a full arc
    rerouted = graph.pushable(u[falling], v[falling], cheapest, without=np.where(room, graph.forward_of[arcs[falling]], -1))
    decrease[falling] += np.minimum(rerouted, flow[arcs[falling]])
    return np.where(increase < 0, UNBOUNDED, increase // net.unit), decrease // net.unit  # flow units → fen


GROWTH, GROWTH_ROUNDS = 16, 4
"""`TightPaths._flat_max_flows`: a pair's part takes in up to GROWTH more components a round,
for up to GROWTH_ROUNDS rounds, before the whole graph is solved."""


def _contracted(tail: np.ndarray, head: np.ndarray, cap: np.ndarray, end: int, n_global: int):
    """The arcs with every global node merged into node `end` (loops dropped)."""
    t, h = np.where(tail < n_global, end, tail), np.where(head < n_global, end, head)
    keep = t != h
    return t[keep], h[keep], cap[keep]


class TightPaths:
    """The residual graph of an optimal flow (with t → s), reduced costs w.r.t. the distances to t
    (all ≥ 0), for max flows along the cheapest paths between pairs of nodes."""

    def __init__(self, rules: Rules, net: Network, flow: np.ndarray):
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        self.n = net.n
        self.n_global = 2 + len(rules.scenario.funds)  # s, t and the fund nodes (see flow.build_network)
        self.pi = residual_distances(net.n, Network.T, net.tail, net.head, net.cap, net.cost, flow)
        res = Residual(net.tail, net.head, net.cap, flow)
        # Arcs without a rule of their own carry "supply + 1", which is no limit once the supply
        # grows with the bound: their forward room is unlimited here.
        unlimited = np.zeros(len(net.cap), dtype=bool)
        unlimited[net.x_arc] = True
        unlimited[net.x_arc[rules.share_arc]] = False
        unlimited[net.enterprise_arc] = True
        unlimited[net.bypass] = True
        if net.commit_arc is not None:  # a commitment without a most (`flow_leasts`)
            n_commit = len(rules.scenario.commitments)
            unlimited[net.commit_arc[:n_commit][rules.commit_upper[:n_commit] < 0]] = True
        plenty = int(net.cap[net.line_arc].sum()) + int(net.supply) + 1  # more than any cycle can carry
        room = res.cap.copy()
        room[: len(res.fwd)][unlimited[res.fwd]] = plenty
        self.tail = np.concatenate([res.tail, [Network.T]])
        self.head = np.concatenate([res.head, [Network.S]])
        self.cap = np.concatenate([room, [plenty]])
        self.length = np.concatenate([res.cost(net.cost), [0]]) + self.pi[self.head] - self.pi[self.tail]
        self.forward_of = np.full(len(net.cap), -1, dtype=np.int64)  # residual index of each arc's forward room
        self.forward_of[res.fwd] = np.arange(len(res.fwd))
        self.backward_of = np.full(len(net.cap), -1, dtype=np.int64)  # and of its way back
        self.backward_of[res.bwd] = len(res.fwd) + np.arange(len(res.bwd))
        # Parallel arcs: the shortest counts for distances (a sparse matrix would add them up).
        t, h, length = self.tail, self.head, self.length
        order = np.lexsort((length, h, t))
        first = order[np.r_[True, (t[order][1:] != t[order][:-1]) | (h[order][1:] != h[order][:-1])]] if len(t) else order
        lengths = length[first].astype(np.float64)
        self.fwd = sp.csr_matrix((lengths, (t[first], h[first])), shape=(self.n, self.n))
        self.rev = sp.csr_matrix((lengths, (h[first], t[first])), shape=(self.n, self.n))
        # The enterprises' components: joined by arcs between non-global nodes only.
        local = (self.tail >= self.n_global) & (self.head >= self.n_global)
        self.component = connected_components(sp.csr_matrix((np.ones(int(local.sum())), (self.tail[local], self.head[local])),
                                                            shape=(self.n, self.n)), directed=True, connection="weak")[1]

    def pushable(self, sources: np.ndarray, sinks: np.ndarray, cheapest: np.ndarray,
                 without: np.ndarray | None = None) -> np.ndarray:
        """Per pair: the max flow source → sink along residual paths of reduced length `cheapest`
        (the pair's shortest, or 0 where only paths of length 0 count: 0 if there are none),
        leaving out residual arc `without` (an index into the residual arcs, `forward_of` or
        `backward_of` of a network arc; −1: none).

        Length 0 (most pairs: reduced costs are 0 on every arc strictly inside its bounds) needs
        no search: the paths are those of the subgraph of arcs of length 0, one max flow each.
        Longer ones: arcs with d(source → x) + length + d(y → sink) = cheapest, by Dijkstra from
        the sources and to the sinks, in batches (≤ 2^22 labels at a time)."""
        from scipy.sparse.csgraph import dijkstra

        out = np.zeros(len(sources), dtype=np.int64)
        flat = np.flatnonzero(cheapest == 0)
        if len(flat):
            out[flat] = self._flat_max_flows(sources[flat], sinks[flat], without[flat] if without is not None else None)
        longer = np.flatnonzero(cheapest > 0)
        batch = max(1, (1 << 22) // max(1, self.n))
        for lo in range(0, len(longer), batch):
            part = longer[lo: lo + batch]
            dist_from = _Residual._exact(dijkstra(self.fwd, directed=True, indices=sources[part]))
            dist_to = _Residual._exact(dijkstra(self.rev, directed=True, indices=sinks[part]))
            for j, k in enumerate(part.tolist()):
                a, b = dist_from[j, self.tail], dist_to[j, self.head]
                on_path = (a >= 0) & (b >= 0) & (a + self.length + b == cheapest[k])
                out[k] = self._max_flow(on_path, int(sources[k]), int(sinks[k]), without[k] if without is not None else -1)
        return out

    def _flat_max_flows(self, sources: np.ndarray, sinks: np.ndarray, without: np.ndarray | None) -> np.ndarray:
        """Max flows over the arcs of length 0, most of them on a small part of the graph that
        provably gives the whole graph's value.

        Every node but the global ones (s, t, the funds) belongs to one enterprise's component,
        and an arc leaves a component only to a global node. For a pair with an end in a
        component, the max flow over the global arcs and its ends' components (the part) is a
        lower bound. Upper bounds are cuts of the whole graph: the part's min cut with every
        other component put wholly on one side (the arcs from source-side global nodes into it
        or from it to sink-side ones, whichever is less), and the part's cuts with every global
        node on the source side (then no other component costs anything) or on the sink side.
        Where the least of them equals the lower bound, that is the max flow; otherwise (and for
        a pair of global nodes: the budgets) one OR-Tools model of the whole graph is re-solved.
        Measured in the module docstring."""
        from ortools.graph.python import max_flow as mf

        zero = np.flatnonzero((self.length == 0) & (self.cap > 0))
        tail, head, cap = self.tail[zero], self.head[zero], self.cap[zero]
        ng = self.n_global
        comp = np.full(self.n, -1, dtype=np.int64)  # the enterprise component of each non-global node
        comp[ng:] = self.component[ng:]
        arc_comp = np.maximum(comp[tail], comp[head])  # −1: an arc between global nodes
        order = np.argsort(arc_comp, kind="stable")
        starts = np.searchsorted(arc_comp[order], np.arange(-1, int(comp.max(initial=-1)) + 2))
        into = np.zeros((len(starts) - 2, ng), dtype=np.int64)  # capacity from each global node into a component
        out_of = np.zeros((len(starts) - 2, ng), dtype=np.int64)  # and from the component to each global node
        g_in, g_out = (tail < ng) & (head >= ng), (tail >= ng) & (head < ng)
        np.add.at(into, (comp[head[g_in]], tail[g_in]), cap[g_in])
        np.add.at(out_of, (comp[tail[g_out]], head[g_out]), cap[g_out])
        arc_of = np.full(len(self.tail), -1, dtype=np.int64)
        arc_of[zero] = np.arange(len(zero))
        whole = None  # the whole graph's model, built at the first pair that needs it
        out = np.zeros(len(sources), dtype=np.int64)
        for k, (source, sink) in enumerate(zip(sources.tolist(), sinks.tolist())):
            forward = int(without[k]) if without is not None and without[k] >= 0 else -1
            dropped = int(arc_of[forward]) if forward >= 0 else -1
            if source >= ng or sink >= ng:
                inside = sorted({int(comp[source]), int(comp[sink])} - {-1})
                bound = None
                for _ in range(GROWTH_ROUNDS):
                    part = np.concatenate([order[starts[0]:starts[1]]] + [order[starts[c + 1]:starts[c + 2]] for c in inside])
                    part = part[part != dropped]
                    t, h, c = tail[part], head[part], cap[part]
                    value, _, side = max_flow(self.n, t, h, c, source, sink, cut=True)
                    side[source] = True  # OR-Tools leaves out a source that no arc of the part touches
                    cost = np.minimum(into[:, side[:ng]].sum(axis=1), out_of[:, ~side[:ng]].sum(axis=1))
                    cost[inside] = 0
                    if bound is None:  # the part's cuts with every global node on one end's side
                        bound = min(max_flow(self.n, *_contracted(t, h, c, end, ng), source, sink)[0]
                                    for end, local in ((source, sink >= ng), (sink, source >= ng)) if local)
                    if value in (bound, value + int(cost.sum())):
                        break
                    # the components through which the most could still go join the part
                    inside = sorted(set(inside) | set(np.argsort(-cost, kind="stable")[:GROWTH].tolist()) - set(np.flatnonzero(cost == 0).tolist()))
                else:
                    value = None
                if value is not None:
                    out[k] = value
                    continue
            if whole is None:
                whole = mf.SimpleMaxFlow()
                whole.add_arcs_with_capacity(tail, head, cap)
            if dropped >= 0:
                whole.set_arc_capacity(dropped, 0)
            if whole.solve(source, sink) != whole.OPTIMAL:
                raise AssertionError("max flow over the residual arcs of length 0 did not reach an optimum")
            out[k] = whole.optimal_flow()
            if dropped >= 0:
                whole.set_arc_capacity(dropped, int(cap[dropped]))
        return out

    def _max_flow(self, arcs: np.ndarray, source: int, sink: int, without: int) -> int:
        """Max flow source → sink over the residual arcs `arcs` (a mask), without residual arc `without`."""
        if without >= 0 and arcs[without]:
            arcs = arcs.copy()
            arcs[without] = False
        if not arcs.any():
            return 0
        return int(max_flow(self.n, self.tail[arcs], self.head[arcs], self.cap[arcs], source, sink)[0])
