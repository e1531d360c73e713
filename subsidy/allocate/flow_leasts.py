"""The rules that ask for money (commitments, minimum coverage) as lower bounds on arcs of the flow.

Why. A commitment (`commitments:`, a decision already taken) bounds what one fund pays one
enterprise, in one category or in all; minimum coverage (`policy.minimum_coverage`) bounds what
one cost line receives from below. Both are bounds on single arcs of the flow network, so the
program stays a network with integer data, its optimum whole fen, and the flow method exact
(until issue 13 they sent `method=auto` to the LP: 7-10 s for the workbench's what-if after an
approval, whose 4,546 approved lines come back as commitments).

The arcs. Each commitment gets an arc of its own in series with the money it bounds (one more
node; several commitments on the same money make a chain, one arc each, so each keeps its own
price):

    fund ─[least, most]─▶ c ─▶ (fund, enterprise) or the fund's lines to the enterprise   no category
    tail of x ─[least, most]─▶ c ─x─▶ line                                                 a category

Commitments on a fund's total are inserted first (above the fund's cap for the enterprise, if
any), then those on one category (below it), so each sits where its set of arcs starts. Minimum
coverage's least sits on the line's own arc (line → enterprise, capacity the residual need).

The transformation (Ahuja, Magnanti & Orlin 1993, §6.7): flow l is sent on each arc with a least
l before anything is solved: the arc keeps capacity u − l, its tail's supply falls by l and its
head's rises by l. Every stage then runs on that network of flows from 0 (`Network.balance`);
`FlowBackend` adds the leasts back to the line arcs (the weighted gap) and nowhere else is
needed: x arcs never carry one. Stage 1 is then one min-cost flow with these supplies
(`flow_network.stage1_flow`; its greedy max flows by weight level assume one source and no lower
bound: a least that forces money into one place breaks the polymatroid argument). A least no
allocation can keep makes the min-cost flow infeasible, and `pipeline.conflict_of` names the
smallest set in conflict with the least extra budget (`allocate.conflicts`, on the LP: one way to
compute it, for the diagnosis only).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from subsidy.allocate.rules import Rules


def with_leasts(rules: Rules, net):
    """`net` with one arc per commitment (module docstring) and minimum coverage's leasts on line
    arcs: `lower` per arc, `cap` the room above it, `commit_arc` per row of `rules.commit_arcs`."""
    if not len(rules.commit_arcs):
        return net
    scenario = rules.scenario
    n_commit = len(scenario.commitments)
    nf = len(scenario.funds)
    cap_arc_start = nf + len(rules.own_enterprise)  # build_network: budgets, own funds, then enterprise caps
    tail, head = net.tail.copy(), net.head.copy()
    lower = np.zeros(len(net.cap), dtype=np.int64)
    new_tail, new_head, new_cap, new_lower = [], [], [], []
    commit_arc = np.full(len(rules.commit_arcs), -1, dtype=np.int64)
    n = net.n
    infinite = net.supply + 1
    fund_of = {f.id: i for i, f in enumerate(scenario.funds)}
    # A fund's total first (it sits above the cap for the enterprise), then single categories.
    order = sorted(range(n_commit), key=lambda k: (scenario.commitments[k].category is not None, k))
    for k in order:
        arcs = rules.commit_arcs[k]
        low, high = int(rules.commit_lower[k]), int(rules.commit_upper[k])
        if not len(arcs):
            top = 2 + fund_of[scenario.commitments[k].fund]  # no arc: the least (if any) cannot be kept
        elif scenario.commitments[k].category is None and rules.arc_cap[arcs[0]] >= 0:
            a = cap_arc_start + int(rules.arc_cap[arcs[0]])
            top, tail[a] = int(tail[a]), n
        else:
            xa = net.x_arc[arcs]
            top = int(tail[xa[0]])  # every arc of a fund's total hangs from the same node
            tail[xa] = n
        commit_arc[k] = len(net.cap) + len(new_tail)
        new_tail.append(top)
        new_head.append(n)
        new_cap.append(high if high >= 0 else infinite)
        new_lower.append(low)
        n += 1
    if len(rules.coverage_line):
        position = np.full(len(rules.lines), -1, dtype=np.int64)
        position[rules.need_line] = np.arange(len(rules.need_line))
        at = position[rules.coverage_line]
        reached = np.flatnonzero(at >= 0)
        line_arcs = net.line_arc[at[reached]]
        lower[line_arcs] = rules.commit_lower[n_commit:][reached]
        commit_arc[n_commit + reached] = line_arcs
        for j in np.flatnonzero(at < 0).tolist():
            # A line no arc reaches (no payer): its least on an arc between two nodes of its own,
            # with no room, which no flow can keep: stage 1 is infeasible and the diagnosis names it.
            commit_arc[n_commit + j] = len(net.cap) + len(new_tail)
            new_tail.append(n)
            new_head.append(n + 1)
            new_cap.append(int(rules.commit_lower[n_commit + j]))
            new_lower.append(int(rules.commit_lower[n_commit + j]))
            n += 2
    lower = np.concatenate([lower, np.array(new_lower, dtype=np.int64)])
    cap = np.concatenate([net.cap, np.array(new_cap, dtype=np.int64)]) - lower  # < 0: a least above its arc's room
    return dataclasses.replace(
        net, n=n,
        tail=np.concatenate([tail, np.array(new_tail, dtype=np.int64)]),
        head=np.concatenate([head, np.array(new_head, dtype=np.int64)]),
        cap=cap, cost=np.concatenate([net.cost, np.zeros(len(new_tail), dtype=np.int64)]),
        lower=lower, commit_arc=commit_arc)
