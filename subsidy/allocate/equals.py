"""Equal treatment of equals: enterprises the rules cannot tell apart get the same allocation.

Why: stage 3's tie-break picks one allocation among the optimal ones by fund order and a
pseudo-random part keyed on the ids (`rules.tie_break_weight`), so two enterprises with the same
data could be paid from different funds: in Linzi, 东风 and 宏鲁 (identical inputs) got 316.01 and
316.00 万元 from entirely different fund mixes. A jitter of the data instead of the ids cannot fix
it: equal costs leave the solver free to pay one of the two from the cheaper fund.

*Equals* are enterprises every rule treats alike: the same cost lines left after own funds
(category and residual, in fen), the same funds allowed to pay each of them, the same cap from
each fund (in whole fen, as solved), the same own funds left under the `free` rule, and no
commitment naming either, and the same region and industry (a fund's distribution by region
bounds enterprises by where they are). Same data apart from id, name and source implies all of it.

After rounding, each class of k equals keeps its total S on every (source, category) and shares
it out: every member gets ⌊S/k⌋ or ⌈S/k⌉ on each, so equals differ by at most one fen fund by fund
and line by line; each member's sum per source (its caps, its own funds), per line (its need)
and in all stays between the floor and the ceiling of the class average. Members are served in
id order, each share a feasible integer circulation with those floors and ceilings as bounds
(the average itself is a fractional one, so an integral one exists; one small min-cost flow).

Why every stage stays exact: budgets and the weighted gap see only the class's totals per
(source, category), which do not change, and so do stage 3's funded total and the fund-order part
of the tie-break; a member's caps, need and own funds hold because the class average keeps them
and the limits are whole fen; every member's total is at least ⌊T/k⌋, which is at least what
the least-paid member had, so stage 2's largest gap share cannot grow. Only the jitter's choice
among equals is undone. Measured: national-2000 has no class of equals, and finding that takes
0.1 s; Linzi's one class of two is shared out in about 1 ms.
"""

from __future__ import annotations

import numpy as np

from subsidy.allocate.flow_algorithms import min_cost_flow
from subsidy.allocate.match_rows import broken_matches
from subsidy.allocate.rules import Rules


def equal_treatment(rules: Rules, fen: np.ndarray) -> np.ndarray:
    """`fen` with each class of equals given even shares of its totals (module docstring)."""
    classes = classes_of_equals(rules)
    if not classes:
        return fen
    fen = fen.copy()
    n_cat = len(rules.lines.categories)
    matched = len(rules.match_fund) > 0
    for arcs in classes:  # k × positions, members in id order, positions in (source, category) order
        key = rules.arc_source[arcs[0]] * n_cat + rules.lines.category[rules.arc_line[arcs[0]]]
        row, col = key // n_cat, key % n_cat
        before = fen[arcs].copy()
        remaining = fen[arcs].sum(axis=0)
        for t in range(len(arcs)):
            left = len(arcs) - t
            share = remaining if left == 1 else one_share(remaining, left, row, col)
            fen[arcs[t]] = share
            remaining = remaining - share
        if matched and broken_matches(rules.match_rows(), fen):
            # 配套: even shares of each fund's total can break a member's match row by a fen
            # (central 7 and matching 3 at 0.3 as 4/3 and 1/2): the rule wins, the class keeps its split.
            fen[arcs] = before
    return fen


def classes_of_equals(rules: Rules) -> list[np.ndarray]:
    """Each class of two or more equals with any arc, as its members' arcs: a k × P array (member
    in id order, position in (source, category) order), aligned position by position."""
    lines = rules.lines
    n_ent, n_cat = len(lines.enterprises), len(lines.categories)
    ent = rules.arc_enterprise
    key = rules.arc_source * n_cat + lines.category[rules.arc_line]
    order = np.lexsort((key, ent))
    starts = np.searchsorted(ent[order], np.arange(n_ent + 1))
    n_arcs = np.diff(starts)
    need = np.zeros(n_ent, dtype=np.int64)
    np.add.at(need, lines.enterprise, lines.residual)
    committed = {c.enterprise for c in rules.scenario.commitments}
    rough: dict[tuple[int, int], list[int]] = {}
    for e in np.flatnonzero(n_arcs > 0).tolist():
        if lines.enterprises[e] not in committed:
            rough.setdefault((int(need[e]), int(n_arcs[e])), []).append(e)
    candidates = [e for group in rough.values() if len(group) > 1 for e in group]
    if not candidates:
        return []
    line_starts = lines.starts
    cap_order = np.lexsort((rules.cap_fund, rules.cap_enterprise))
    cap_starts = np.searchsorted(rules.cap_enterprise[cap_order], np.arange(n_ent + 1))
    own = set(rules.own_enterprise.tolist())
    located = {x.id: (x.region, x.industry) for x in rules.scenario.enterprises}
    exact: dict[tuple, list[int]] = {}
    for e in sorted(candidates):
        mine = slice(line_starts[e], line_starts[e + 1])
        open_ = lines.residual[mine] > 0
        caps = cap_order[cap_starts[e]:cap_starts[e + 1]]
        signature = (key[order[starts[e]:starts[e + 1]]].tobytes(),
                     lines.category[mine][open_].tobytes(), lines.residual[mine][open_].tobytes(),
                     rules.cap_fund[caps].tobytes(), rules.cap_fen[caps].tobytes(),
                     int(lines.unused[e]) if e in own else None,
                     located[lines.enterprises[e]])  # region and industry: rules by region (distribution) see them
        exact.setdefault(signature, []).append(e)
    return [np.stack([order[starts[e]:starts[e + 1]] for e in members])
            for members in exact.values() if len(members) > 1]


def one_share(total: np.ndarray, parts: int, row: np.ndarray, col: np.ndarray) -> np.ndarray:
    """One of `parts` even shares of `total` (whole fen per position): each position gets ⌊t/parts⌋
    or ⌈t/parts⌉, and so does each row's sum (a source), each column's (a line) and the whole's:
    a feasible integer circulation src → row → column → sink → src with those bounds."""
    rows, row_of = np.unique(row, return_inverse=True)
    cols, col_of = np.unique(col, return_inverse=True)
    n_row, n_col = len(rows), len(cols)
    src, sink = n_row + n_col, n_row + n_col + 1
    row_total = np.zeros(n_row, dtype=np.int64)
    np.add.at(row_total, row_of, total)
    col_total = np.zeros(n_col, dtype=np.int64)
    np.add.at(col_total, col_of, total)
    amount = np.concatenate([row_total, total, col_total, [total.sum()]]).astype(np.int64)
    tail = np.concatenate([np.full(n_row, src), row_of, n_row + np.arange(n_col), [sink]]).astype(np.int64)
    head = np.concatenate([np.arange(n_row), n_row + col_of, np.full(n_col, sink), [src]]).astype(np.int64)
    low, high = amount // parts, -(-amount // parts)
    supplies = np.zeros(n_row + n_col + 2, dtype=np.int64)
    np.add.at(supplies, head, low)   # the floor is forced through each arc: its head has it to pass on,
    np.subtract.at(supplies, tail, low)  # its tail has to find it
    flow = min_cost_flow(len(supplies), tail, head, high - low, np.zeros(len(tail), dtype=np.int64), supplies)
    return low[n_row:n_row + len(total)] + flow[n_row:n_row + len(total)]
