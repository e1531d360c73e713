"""The verifier's own reading of commitments: what the table pays each committed (fund,
enterprise[, category]) against the commitment's least and most.

Independent of `checks.commitments` and `allocate.commitment_arcs`: the table's rows are summed
per (fund, enterprise, category) and per (fund, enterprise) as integer keys in numpy, and each
commitment looks its sum up. After an approval the workbench's what-if verifies its 4,546
approved lines on every call; a dict loop over the rows and a lookup per commitment took 19 ms
of CPU of it, as arrays 9.5 ms (load 4.5 on 2 cores; bench/SERVE.md keeps the figures).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from subsidy.allocate.waterfall import to_fen
from subsidy.scenario.model import Scenario


def check_commitments(scenario: Scenario, fund: list[str], enterprise: list[str], category: list[str], fen: np.ndarray,
                      flag: Callable, money: Callable[[int], str]) -> None:
    """Flag each commitment the rows pay short of its least (`commit_short`, or
    `commit_short_least` for an `at_least`) or beyond its most (`commit_over`,
    `commit_over_most`), in the order the commitments are written."""
    wanted = scenario.commitments
    if not wanted:
        return
    funds: dict[str, int] = {}
    ents: dict[str, int] = {}
    cats: dict[str | None, int] = {None: 0}  # 0: the commitment or the sum over all categories
    least, most = [], []  # fen; -1 for none (an amount is both, converted once)
    keys = []
    for c in wanted:
        keys.append((funds.setdefault(c.fund, len(funds)), ents.setdefault(c.enterprise, len(ents)),
                     cats.setdefault(c.category, len(cats))))
        if c.amount is not None:
            least.append(to_fen(c.amount)), most.append(least[-1])
        else:
            least.append(to_fen(c.at_least) if c.at_least is not None else -1)
            most.append(to_fen(c.at_most) if c.at_most is not None else -1)
    n_ents, n_cats = len(ents), len(cats) + 1  # + 1: a row's category no commitment names
    other = n_cats - 1
    row_fund = np.array([funds.get(f, -1) for f in fund], dtype=np.int64)
    row_ent = np.array([ents.get(e, -1) for e in enterprise], dtype=np.int64)
    row_cat = np.array([cats.get(k, other) if k is not None else other for k in category], dtype=np.int64)
    mine = (row_fund >= 0) & (row_ent >= 0)  # rows of a committed fund and a committed enterprise
    pair = (row_fund[mine] * n_ents + row_ent[mine]) * n_cats
    amounts = np.asarray(fen, dtype=np.int64)[mine]
    key = np.concatenate([pair + row_cat[mine], pair])  # each row counts for its line and for its pair's total
    sums, where = np.unique(key, return_inverse=True)
    paid = np.zeros(len(sums), dtype=np.int64)
    np.add.at(paid, where.ravel(), np.concatenate([amounts, amounts]))
    asked = np.array([(f * n_ents + e) * n_cats + k for f, e, k in keys], dtype=np.int64)
    at = np.minimum(np.searchsorted(sums, asked), max(len(sums) - 1, 0))
    got = np.where((at < len(sums)) & (sums[at] == asked), paid[at], 0) if len(sums) else np.zeros(len(asked), dtype=np.int64)
    low, high = np.array(least, dtype=np.int64), np.array(most, dtype=np.int64)
    short = (low >= 0) & (got < low)
    over = ~short & (high >= 0) & (got > high)
    for i in np.flatnonzero(short | over).tolist():
        c, g = wanted[i], int(got[i])
        if short[i]:
            flag(c.rule, "commit_short" if c.amount is not None else "commit_short_least", got=money(g), bound=money(int(low[i])), short=money(int(low[i]) - g))
        else:
            flag(c.rule, "commit_over" if c.amount is not None else "commit_over_most", got=money(g), bound=money(int(high[i])), over=money(g - int(high[i])))
