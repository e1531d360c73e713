"""Flow algorithms on plain arrays (arc i: tail[i] → head[i], 0 ≤ flow ≤ cap[i], cost[i]).

OR-Tools does the heavy lifting (`SimpleMinCostFlow`, `SimpleMaxFlow`, both exact on int64);
this module adds what its Python bindings lack: node potentials from the residual graph
(Bellman-Ford), compact node numbering, and `Reducer`, which shrinks a network before a
min-cost solve without changing its optimum.
"""

from __future__ import annotations

import numpy as np

from subsidy.allocate.stages import SolveError


class FlowError(SolveError):
    """The flow solver failed on a network that should be feasible (a bug, not bad input)."""


def _compact(n: int, tail: np.ndarray, head: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Renumber the nodes that arcs touch (or `keep` marks) as 0..m-1: solvers walk every node.
    A few arcs among many nodes (the price ranges' small max flows) are renumbered by sorting
    them, without a pass over every node."""
    if 16 * len(tail) < n:
        nodes = np.unique(np.concatenate([tail, head, np.flatnonzero(keep)]))
        return np.searchsorted(nodes, tail), np.searchsorted(nodes, head), nodes
    used = keep.copy()
    used[tail] = True
    used[head] = True
    ids = np.cumsum(used) - 1
    return ids[tail], ids[head], np.flatnonzero(used)


def min_cost_flow(n: int, tail, head, cap, cost, supplies: np.ndarray) -> np.ndarray:
    """Flows of a min-cost flow meeting `supplies` (per node) exactly."""
    from ortools.graph.python import min_cost_flow as mcf

    if len(tail) == 0:
        if np.any(supplies):
            raise FlowError("supplies left with no arc to carry them")
        return np.zeros(0, dtype=np.int64)
    t, h, nodes = _compact(n, tail, head, supplies != 0)
    solver = mcf.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(t, h, cap, cost)
    solver.set_nodes_supplies(np.arange(len(nodes), dtype=np.int64), supplies[nodes])
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise FlowError(f"min-cost flow did not reach an optimum ({status.name})")
    return np.asarray(solver.flows(arcs), dtype=np.int64)


def max_flow(n: int, tail, head, cap, source: int, sink: int, cut: bool = False):
    """(value, arc flows, source side of a min cut as a node mask or None)."""
    from ortools.graph.python import max_flow as mf

    if len(tail) == 0:
        side = np.zeros(n, dtype=bool)
        side[source] = True
        return 0, np.zeros(0, dtype=np.int64), (side if cut else None)
    keep = np.zeros(n, dtype=bool)
    keep[[source, sink]] = True
    t, h, nodes = _compact(n, tail, head, keep)
    solver = mf.SimpleMaxFlow()
    arcs = solver.add_arcs_with_capacity(t, h, cap)
    status = solver.solve(int(np.searchsorted(nodes, source)), int(np.searchsorted(nodes, sink)))
    if status != solver.OPTIMAL:
        raise FlowError(f"max flow did not reach an optimum ({status.name})")
    side = None
    if cut:
        side = np.zeros(n, dtype=bool)
        side[nodes[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)]] = True
    return solver.optimal_flow(), np.asarray(solver.flows(arcs), dtype=np.int64), side


class Residual:
    """The residual graph of a flow on some of a network's arcs: first every arc with room, in
    its direction (capacity cap − flow), then every arc carrying more than its lower bound,
    reversed (capacity flow − low). `fwd` and `bwd` are the network arcs behind them, so that a
    flow found on the residual arcs goes back with `pushed_onto`."""

    def __init__(self, tail, head, cap, flow, arcs: np.ndarray | None = None, low=0, back: np.ndarray | None = None):
        arcs = np.arange(len(tail)) if arcs is None else arcs
        back = arcs if back is None else back
        low_back = low[back] if isinstance(low, np.ndarray) else low
        self.fwd = arcs[flow[arcs] < cap[arcs]]
        self.bwd = back[flow[back] > low_back]
        low_bwd = low[self.bwd] if isinstance(low, np.ndarray) else low
        self.tail = np.concatenate([tail[self.fwd], head[self.bwd]])
        self.head = np.concatenate([head[self.fwd], tail[self.bwd]])
        self.cap = np.concatenate([cap[self.fwd] - flow[self.fwd], flow[self.bwd] - low_bwd])

    def cost(self, cost: np.ndarray) -> np.ndarray:
        """The residual arcs' costs: the arc's forwards, minus it backwards."""
        return np.concatenate([cost[self.fwd], -cost[self.bwd]])

    def pushed_onto(self, flow: np.ndarray, pushed: np.ndarray) -> np.ndarray:
        """`flow` changed by `pushed` on the residual arcs (the first len(tail) entries of it)."""
        k, m = len(self.fwd), len(self.bwd)
        flow = flow.copy()
        flow[self.fwd] += pushed[:k]
        flow[self.bwd] -= pushed[k : k + m]
        return flow


def residual_distances(n: int, sink: int, tail, head, cap, cost, flow) -> np.ndarray:
    """Cheapest cost from every node to `sink` in the residual graph (Bellman-Ford, vectorised).

    At an optimal flow there is no negative cycle, and a shortest path visits each fund at most
    once, so this converges in a few dozen sweeps. Nodes that cannot reach the sink get a value
    large enough that every residual arc still has a non-negative reduced cost.
    """
    res = Residual(tail, head, cap, flow)
    r_tail, r_head, r_cost = res.tail, res.head, res.cost(cost)
    order = np.argsort(r_tail, kind="stable")
    r_tail, r_head, r_cost = r_tail[order], r_head[order], r_cost[order]
    starts = np.flatnonzero(np.r_[True, r_tail[1:] != r_tail[:-1]]) if len(r_tail) else np.zeros(0, dtype=np.int64)
    owners = r_tail[starts]
    big = np.int64(2**62)
    dist = np.full(n, big, dtype=np.int64)
    dist[sink] = 0
    for _ in range(n + 1):
        if not len(starts):
            break
        reach = dist[r_head]
        candidate = np.where(reach < big, r_cost + reach, big)
        best = np.minimum.reduceat(candidate, starts)
        improved = best < dist[owners]
        if not improved.any():
            break
        dist[owners[improved]] = best[improved]
    else:  # pragma: no cover - would mean a negative cycle, i.e. a non-optimal flow
        raise FlowError("residual graph has a negative cycle")
    finite = dist < big
    if not finite.all():
        ceiling = int(np.abs(dist[finite]).max(initial=0)) + int(np.abs(cost).max(initial=0)) + 1
        dist[~finite] = ceiling
    return dist



def leaf_round(n: int, tail, head, cap, arcs: np.ndarray, balance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One round of leaf elimination over `arcs`: a node with a single one of them decides its
    flow (the node's balance must leave or arrive by it). Returns (decided arcs, their flows)."""
    leaf = (np.bincount(tail[arcs], minlength=n) + np.bincount(head[arcs], minlength=n)) == 1
    at_tail = leaf[tail[arcs]]
    at_head = leaf[head[arcs]] & ~at_tail
    decided = np.concatenate([arcs[at_tail], arcs[at_head]])
    values = np.concatenate([balance[tail[arcs[at_tail]]], -balance[head[arcs[at_head]]]])
    if np.any(values < 0) or np.any(values > cap[decided]):
        raise FlowError("no feasible flow: a node's balance does not fit its only arc")
    return decided, values


class Reducer:
    """An arc list [0, cap] with costs and node balances, shrunk without changing its optimum:
    a node with one arc decides that arc (leaf); a node with two arcs ties one arc's flow to the
    other's, so the two become one arc between their far ends (series, or two in / two out).

        small = Reducer(n, tail, head, cap, cost, balance); small.reduce()
        alive = np.flatnonzero(small.alive)     # solve on small.tail/head/cap/cost[alive], small.balance
        flows = small.expand(solved)            # flows of the original arcs
    """

    def __init__(self, n, tail, head, cap, cost, balance):
        self.n = n
        self.tail, self.head = tail.copy(), head.copy()
        self.cap, self.cost = cap.copy(), cost.copy()
        self.balance = balance.copy()
        self.alive = np.ones(len(tail), dtype=bool)
        self.value = np.zeros(len(tail), dtype=np.int64)  # decided flows (slots of dead arcs)
        self.rounds = []

    def _degrees(self, idx):
        return np.bincount(self.tail[idx], minlength=self.n) + np.bincount(self.head[idx], minlength=self.n)

    def _fix(self, arcs, values):
        self.alive[arcs] = False
        self.value[arcs] = values
        np.subtract.at(self.balance, self.tail[arcs], values)
        np.add.at(self.balance, self.head[arcs], values)

    def prune(self):
        """Decide loops (empty unless running them full pays) and leaves, until none is left."""
        changed = False
        while True:
            idx = np.flatnonzero(self.alive)
            loops = idx[self.tail[idx] == self.head[idx]]
            if len(loops):
                self._fix(loops, np.where(self.cost[loops] < 0, self.cap[loops], 0))
                changed = True
                continue
            arcs, values = leaf_round(self.n, self.tail, self.head, self.cap, idx, self.balance)
            if not len(arcs):
                return changed
            self._fix(arcs, values)
            changed = True

    def contract(self):
        """Fold every node with exactly two arcs (an independent set of them per call): its
        conservation ties x2 = s2·(b − s1·x1), so one arc between the far ends, carrying x1, does."""
        idx = np.flatnonzero(self.alive)
        deg = self._degrees(idx)
        cand = deg == 2
        t, h = self.tail[idx], self.head[idx]
        clash = cand[t] & cand[h]
        cand[h[clash]] = False  # no two chosen nodes share an arc
        at_t = idx[cand[t]]
        at_h = idx[cand[h]]
        # two incident arcs per chosen node: (arc, sign) with sign +1 when the node is the tail
        arcs = np.concatenate([at_t, at_h])
        node = np.concatenate([self.tail[at_t], self.head[at_h]])
        sign = np.concatenate([np.ones(len(at_t), np.int64), -np.ones(len(at_h), np.int64)])
        if not len(arcs):
            return False
        order = np.lexsort((arcs, node))
        arcs, node, sign = arcs[order], node[order], sign[order]
        a1, a2 = arcs[0::2], arcs[1::2]
        s1, s2 = sign[0::2], sign[1::2]
        v = node[0::2]
        b = self.balance[v]
        c1, c2 = self.cap[a1], self.cap[a2]
        # x2 = s2·(b − s1·x1); bounds on x1 from both arcs
        lo2 = np.where(s1 < 0, np.where(s2 > 0, -b, -b - c2), np.where(s2 > 0, b - c2, b))
        hi2 = np.where(s1 < 0, np.where(s2 > 0, c2 - b, -b), np.where(s2 > 0, b, b + c2))
        lo = np.maximum(0, lo2)
        hi = np.minimum(c1, hi2)
        if np.any(hi < lo):
            raise FlowError("no feasible flow: two arcs of a node cannot carry its balance")
        u1 = np.where(s1 > 0, self.head[a1], self.tail[a1])
        u2 = np.where(s2 > 0, self.head[a2], self.tail[a2])
        new_tail = np.where(s1 < 0, u1, u2)
        new_head = np.where(s1 < 0, u2, u1)
        cost = self.cost[a1] - s1 * s2 * self.cost[a2]
        # far end u2 gets b_v; the new arc carries x1 − lo with lo moved along it
        np.add.at(self.balance, u2, b)
        self.balance[v] = 0
        np.subtract.at(self.balance, new_tail, lo)
        np.add.at(self.balance, new_head, lo)
        self.rounds.append((a1, a2, s1, s2, b, lo))
        self.tail[a1], self.head[a1] = new_tail, new_head
        self.cap[a1], self.cost[a1] = hi - lo, cost
        self.alive[a2] = False
        return True

    def reduce(self):
        """Prune and contract until neither finds anything more."""
        while True:
            p = self.prune()
            c = self.contract()
            if not (p or c):
                return

    def expand(self, flows_alive):
        """Flows of the original arcs from those of the arcs still alive, undoing the folds."""
        value = self.value.copy()
        value[np.flatnonzero(self.alive)] = flows_alive
        for a1, a2, s1, s2, b, lo in reversed(self.rounds):
            x1 = value[a1] + lo
            value[a1] = x1
            value[a2] = s2 * (b - s1 * x1)
        return value
