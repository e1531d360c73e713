"""The flow method's prices of every rule (`stages.Prices`), and those of the rules that ask for
money: commitments and minimum coverage, arcs with a least in the flow (`flow_leasts`).

Why. explain prices a commitment or a coverage least one-sided, as the LP does from its dual
face (`lp.LpPrices.commitment_values`, `least_ranges`); on the flow they are shortest paths and max
flows in the residual graph of the solve's own stage-1 flow, as every other rule's
(`flow_prices`), exact and with no LP. Checked against exact finite differences of the whole-fen
optimum (the rational reference) and against the LP (tests/test_flow_leasts.py, the commitment
and coverage tests that run on every method).
"""

from __future__ import annotations

import numpy as np

from subsidy.allocate.flow_network import Network, stage1_flow
from subsidy.allocate.flow_prices import PriceRangeError, priced_graph, TightPaths, marginal_values, price_ranges, unit_weight_network
from subsidy.allocate.rules import Rules


class FlowPrices:
    """The flow method's one way to price a rule (`stages.Prices`): the residual graph of the
    solve's own stage-1 flow, on the solve's own network."""

    def __init__(self, rules: Rules, net: Network, flow: np.ndarray):
        self.rules, self.net, self.flow = rules, net, flow

    def commitment_values(self, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        try:
            return commitment_values(self.rules, self.net, unit_weights, flow=None if unit_weights else self.flow)
        except PriceRangeError:
            from subsidy.allocate.lp import LpPrices

            return LpPrices(self.rules).commitment_values(unit_weights)

    def least_ranges(self, rows: list[int], unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        try:
            return least_ranges(self.rules, self.net, np.asarray(rows, dtype=np.int64), unit_weights,
                                flow=None if unit_weights else self.flow)
        except PriceRangeError:
            from subsidy.allocate.lp import LpPrices

            return LpPrices(self.rules).least_ranges(rows, unit_weights)

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        try:
            return marginal_values(self.rules, self.net, bounds, unit_weights, flow=None if unit_weights else self.flow)
        except PriceRangeError:  # lengths beyond float64's exact integers: the LP's dual face
            from subsidy.allocate.lp import LpPrices

            return LpPrices(self.rules).marginal_values(bounds, unit_weights)

    def price_ranges(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        try:
            return price_ranges(self.rules, self.net, bounds, unit_weights, flow=None if unit_weights else self.flow)
        except PriceRangeError:
            from subsidy.allocate.lp import LpPrices

            return LpPrices(self.rules).price_ranges(bounds, unit_weights)


def commitment_values(rules: Rules, net: Network, unit_weights: bool = False,
                      flow: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `rules.commit_arcs` (commitments, then minimum coverage): (more, less), the
    stage-1 objective saved by one unit more of the row (its least and its most, whichever it
    has, raised by one) and added by one unit less; −inf / inf where that leaves no allocation,
    NaN less for a most of 0 (the LP's `commitment_values`, exactly). Arguments as `marginal_values`.

    Each row is one arc a = u → v with a least l and perhaps a most U (`flow_leasts`), f' the flow
    above l, π the distances to t, red = c + π(v) − π(u), d_π the reduced residual distances:
    - one unit more: forced through a when the least binds (f' = 0): V rises by red + d_π(v → u)
      (no path: no allocation); else, when the most binds (f = U), a unit of new room saves
      max(0, −red − d_π(v → u)) as for any bound; else nothing.
    - one unit less: forced off a when the most binds: V rises by −red + d_π(u → v); else, when
      the least binds, the unit that may now stay away saves max(0, red − d_π(u → v)); else nothing.
    """
    n_rows = len(rules.commit_arcs)
    if not n_rows or not len(rules.arc_source):
        return np.zeros(n_rows), np.zeros(n_rows)
    if unit_weights:
        net = unit_weight_network(net)
        flow = None
    if flow is None:
        flow = stage1_flow(net)
    pi, graph = priced_graph(net, flow, 2 + len(rules.scenario.funds))
    a = net.commit_arc
    u, v = net.tail[a], net.head[a]
    red = net.cost[a] + pi[v] - pi[u]
    low, high = rules.commit_lower, rules.commit_upper  # minimum coverage: no most of its own (−1)
    least_binds = (low > 0) & (flow[a] == 0)
    most_binds = (high >= 0) & (flow[a] == net.cap[a])
    d_vu = graph.distances(v, u, key=u, reverse_key=True)
    d_uv = graph.distances(u, v, key=u, reverse_key=False)
    up = np.zeros(n_rows)  # V(row + 1) − V(row), cost units
    room = (high >= 0) | (net.cap[a] > flow[a])  # a least raised alone needs room on its arc
    up[least_binds] = np.where(room & (d_vu >= 0), red + d_vu, np.inf)[least_binds]
    opt = most_binds & ~least_binds & (d_vu >= 0)
    up[opt] = np.minimum(0, red + d_vu)[opt]
    down = np.zeros(n_rows)  # V(row − 1) − V(row)
    down[most_binds] = np.where(d_uv >= 0, -red + d_uv, np.inf)[most_binds]
    opt = least_binds & ~most_binds & (d_uv >= 0)
    down[opt] = np.minimum(0, -red + d_uv)[opt]
    scale = net.weight_scale
    return -up / scale + 0.0, np.where(high != 0, down / scale, np.nan) + 0.0


def least_ranges(rules: Rules, net: Network, rows: np.ndarray, unit_weights: bool = False,
                 flow: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(increase, decrease) in whole fen for rows of `rules.commit_arcs` that are a least alone
    (minimum coverage's): how far the least may rise with every fen still saving its `more` of
    `commitment_values`, and fall with every fen still costing its `less` (0 where the price is
    infinite; a least never rises without end: its line's need stops it). As `price_ranges`:
    - rising, the least binding: each fen goes through its arc and back v → u along the cheapest
      paths, for a max flow over them, and no further than the arc's room;
    - rising, the least not binding: free up to the flow f' above it, then as far as zero-cost
      paths v → u other than the arc's own way back carry more (the price stays 0);
    - falling: a price of 0 holds down to 0 (the optimum is convex and never worse for a lower
      least); a negative one (money held away from heavier lines) along the cheapest u → v paths,
      for a max flow over them, down to 0 at most."""
    rows = np.asarray(rows, dtype=np.int64)
    increase = np.zeros(len(rows), dtype=np.int64)
    decrease = np.zeros(len(rows), dtype=np.int64)
    if not len(rows) or not len(rules.arc_source):
        return increase, decrease
    if unit_weights:
        net = unit_weight_network(net)
        flow = None
    if flow is None:
        flow = stage1_flow(net)
    more, less = commitment_values(rules, net, flow=flow)
    more, less = more[rows], less[rows]
    graph = TightPaths(rules, net, flow)
    a = net.commit_arc[rows]
    u, v = net.tail[a], net.head[a]
    red = net.cost[a] + graph.pi[v] - graph.pi[u]
    f, room, low = flow[a], net.cap[a] - flow[a], rules.commit_lower[rows]
    scale = net.weight_scale
    binding = f == 0
    i = np.flatnonzero(binding & np.isfinite(more))
    cheapest = np.rint(-more[i] * scale).astype(np.int64) - red[i]  # V rises by red + d_π(v → u)
    increase[i] = np.minimum(room[i], graph.pushable(v[i], u[i], cheapest))
    i = np.flatnonzero(~binding)
    increase[i] = f[i]
    if len(i):
        _, d = priced_graph(net, flow, graph.n_global)
        d_vu = d.distances(v[i], u[i], key=u[i], reverse_key=True)
        free = np.flatnonzero((d_vu >= 0) & (red[i] + d_vu == 0) & (room[i] > 0))
        if len(free):
            k = i[free]
            increase[k] += np.minimum(room[k], graph.pushable(v[k], u[k], np.zeros(len(k), dtype=np.int64),
                                                              without=graph.backward_of[a[k]]))
    decrease[:] = low
    i = np.flatnonzero(binding & np.isfinite(less) & (less < 0))
    cheapest = np.rint(less[i] * scale).astype(np.int64) + red[i]  # V falls by red − d_π(u → v)
    decrease[i] = np.minimum(low[i], graph.pushable(u[i], v[i], cheapest))
    decrease[np.isinf(less)] = 0
    return increase // net.unit, decrease // net.unit
