"""Own funds pay an enterprise's own costs before any public fund does.

Done in integer fen so that own funds applied + residual need == cost, exactly, on every line.
Also the scenario's amounts in fen (`to_fen`, `from_fen`): every table is built from fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from subsidy.scenario.model import Scenario

FEN_PER_UNIT = 100


def to_fen(amount: Decimal) -> int:
    """Exact: amounts are validated to at most 2 decimals."""
    return int(amount * FEN_PER_UNIT)


def floor_fen(amount: Decimal) -> int:
    """A bound as whole fen, rounded down: a rule allows no part of a fen (amounts are ≥ 0, so
    truncation is the floor)."""
    return int(amount * FEN_PER_UNIT)


def from_fen(fen: int) -> Decimal:
    """Exactly two places: Decimal(12345).scaleb(-2) is Decimal('123.45'), as the division by 100
    quantized to 0.01 was, at half the cost (it runs for every cell of the tables)."""
    return Decimal(fen).scaleb(-2)


@dataclass(frozen=True)
class OwnFundsSplit:
    """Per cost line, in fen: what the enterprise's own money paid and what is left for funds."""

    applied: dict[str, int]
    residual: dict[str, int]
    unused: int  # own funds left over once every line is paid (fen)


# ---------------------------------------------------------------------------------------------
# Every enterprise at once, as arrays

INT64_SAFE = 2**62
"""Products of two fen amounts are computed in int64 only below this; above, in Python integers."""


@dataclass(frozen=True, eq=False)
class CostLines:
    """Every cost line of a scenario as columns, enterprises by id and then categories by name:
    the order of the gaps table. Amounts in whole fen (int64; one line is at most 10^14 fen).

    The waterfall for all enterprises in a few numpy passes (at 100,000 enterprises a
    per-enterprise version spent seconds in dict and Decimal work); tests hold it against a plain
    per-enterprise reference (`tests/waterfall_reference.py`).
    """

    enterprises: list[str]  # ids, sorted
    categories: list[str]  # category names in use, sorted
    enterprise: np.ndarray  # per line: index into `enterprises`
    category: np.ndarray  # per line: index into `categories`
    cost: np.ndarray
    applied: np.ndarray  # own funds applied before any fund (0 under `free`)
    residual: np.ndarray  # cost − applied: what funds may pay
    available: np.ndarray  # per enterprise: own funds in fen
    unused: np.ndarray  # per enterprise: own funds left once the waterfall is done
    free: np.ndarray  # per enterprise: bool, own funds are a source in the allocation instead

    def __len__(self) -> int:
        return len(self.cost)

    @property
    def starts(self) -> np.ndarray:
        """Each enterprise's first line (lines of one enterprise are contiguous); len + 1 entries."""
        return np.searchsorted(self.enterprise, np.arange(len(self.enterprises) + 1))

    def names(self, line: np.ndarray | None = None) -> tuple[list[str], list[str]]:
        """Enterprise id and category of each of the lines `line` (all lines when None)."""
        ents = self.enterprise if line is None else self.enterprise[line]
        cats = self.category if line is None else self.category[line]
        return [self.enterprises[e] for e in ents.tolist()], [self.categories[c] for c in cats.tolist()]

    def locate(self, enterprises: list[str], categories: list[str]) -> np.ndarray:
        """The line of each (enterprise id, category) pair, -1 where the scenario has no such line."""
        ent_of = {e: i for i, e in enumerate(self.enterprises)}
        cat_of = {c: i for i, c in enumerate(self.categories)}
        e = np.array([ent_of.get(x, -1) for x in enterprises], dtype=np.int64)
        c = np.array([cat_of.get(x, -1) for x in categories], dtype=np.int64)
        width = len(self.categories) + 1
        key = self.enterprise * width + self.category  # sorted: lines go by enterprise, then name
        want = e * width + c
        line = np.full(len(want), -1, dtype=np.int64)
        if len(key):
            hit = np.minimum(np.searchsorted(key, want), len(key) - 1)
            found = (e >= 0) & (c >= 0) & (key[hit] == want)
            line[found] = hit[found]
        return line

    def splits(self) -> dict[str, OwnFundsSplit]:
        """The same figures per enterprise, as dicts (the verifier words its findings from these)."""
        names = [self.categories[k] for k in self.category.tolist()]
        applied, residual, unused = self.applied.tolist(), self.residual.tolist(), self.unused.tolist()
        starts = self.starts.tolist()
        return {
            eid: OwnFundsSplit(
                applied=dict(zip(names[starts[i]:starts[i + 1]], applied[starts[i]:starts[i + 1]])),
                residual=dict(zip(names[starts[i]:starts[i + 1]], residual[starts[i]:starts[i + 1]])),
                unused=unused[i],
            )
            for i, eid in enumerate(self.enterprises)
        }


def cost_lines(scenario: Scenario) -> CostLines:
    """Own funds applied to every enterprise: statutory classes in order, or pro rata over all
    lines, or nothing under `free` (then own funds are a source in the allocation). The one
    waterfall: computed once per solve and handed on (rules, diagnosis, tables, verifier); its
    arrays are read-only so that no one can change it on the way."""
    lines = _cost_lines(scenario)
    for value in vars(lines).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return lines


def _cost_lines(scenario: Scenario) -> CostLines:
    table = scenario.category_table
    enterprises = sorted(scenario.enterprises, key=lambda e: e.id)
    categories = sorted({c for e in enterprises for c in e.costs})
    cat_index = {c: k for k, c in enumerate(categories)}
    ent_of: list[int] = []
    cat_of: list[int] = []
    cost: list[int] = []
    for i, ent in enumerate(enterprises):
        items = sorted(ent.costs.items())
        ent_of += [i] * len(items)
        cat_of += [cat_index[c] for c, _ in items]
        cost += [int(a * FEN_PER_UNIT) for _, a in items]
    enterprise = np.array(ent_of, dtype=np.int64)
    category = np.array(cat_of, dtype=np.int64)
    costs = np.array(cost, dtype=np.int64)
    available = np.array([to_fen(e.own_funds_total) for e in enterprises], dtype=np.int64)
    rule = np.array([("statutory", "proportional", "free").index(e.own_funds_rule) for e in enterprises], dtype=np.int64)
    free = rule == 2
    klass = np.array([table[c].own_funds_class for c in categories], dtype=np.int64)
    applied = own_funds_applied(enterprise, category, costs, available, rule, klass)
    spent = np.zeros(len(enterprises), dtype=np.int64)
    np.add.at(spent, enterprise, applied)
    return CostLines([e.id for e in enterprises], categories, enterprise, category, costs, applied,
                     costs - applied, available, available - spent, free)


def own_funds_applied(enterprise, category, cost, available, rule, klass) -> np.ndarray:
    """Own funds applied per line (the waterfall below), in int64; also each year of a programme
    over several years (`allocate.timing`), on what is due and still unpaid, and each draw of
    `subsidy risk` (`redrawn`)."""
    applied = _waterfall(enterprise, category, cost, available, rule, klass)
    if applied is None:  # products beyond int64: the same steps on Python integers
        big = _waterfall(enterprise, category, cost.astype(object), available.astype(object), rule, klass, exact=True)
        applied = np.array(big.tolist(), dtype=np.int64)
    return applied


def _waterfall(enterprise, category, cost, available, rule, klass, exact: bool = False) -> np.ndarray | None:
    """Applied own funds per line. Lines fall into groups (enterprise, class), one class per
    enterprise under `proportional`; groups are paid in order until the money runs out, and the
    one group it runs out in is shared by largest remainder, ties by category name."""
    applied = np.zeros(len(cost), dtype=object if exact else np.int64)
    paying = np.flatnonzero(rule[enterprise] != 2)
    if not len(paying):
        return applied
    if not exact and float(cost[paying].sum()) >= INT64_SAFE:
        return None  # a running sum could leave int64
    ent, cat, cst = enterprise[paying], category[paying], cost[paying]
    cls = np.where(rule[ent] == 0, klass[cat], 0)
    order = np.lexsort((cat, cls, ent))  # by enterprise, then class, then name
    ent, cat, cst, cls, where = ent[order], cat[order], cst[order], cls[order], paying[order]
    new_group = np.ones(len(ent), dtype=bool)
    new_group[1:] = (ent[1:] != ent[:-1]) | (cls[1:] != cls[:-1])
    first = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    need = np.add.reduceat(cst, first)
    if not exact and float(need.max()) * float(cst.max()) >= INT64_SAFE:
        return None  # a product pay × cost could leave int64
    g_ent = ent[first]
    # Money before each group: the enterprise's own funds less what its earlier groups need.
    before = np.cumsum(need) - need
    g_start = np.ones(len(first), dtype=bool)
    g_start[1:] = g_ent[1:] != g_ent[:-1]
    base = np.maximum.accumulate(np.where(g_start, before, 0))  # `before` at the enterprise's first group
    pay = np.clip(available[g_ent] - (before - base), 0, need)
    full = pay[group] == need[group]
    result = np.where(full, cst, 0)
    idx = np.flatnonzero(~full & (pay[group] > 0))  # lines of the group the money runs out in
    if len(idx):
        g = group[idx]
        product = pay[g] * cst[idx]
        share, rem = (product // need[g], product % need[g]) if exact else np.divmod(product, need[g])
        given = np.zeros(len(first), dtype=object if exact else np.int64)
        np.add.at(given, g, share)
        short = (pay - given)[g]
        # The fen left over go one each to the largest remainders, ties by name.
        if exact:  # numpy does not sort Python integers: the same order by a Python sort
            keys = list(zip(g.tolist(), (-rem).tolist(), cat[idx].tolist()))
            ranked = np.array(sorted(range(len(idx)), key=keys.__getitem__), dtype=np.int64)
        else:
            ranked = np.lexsort((cat[idx], -rem, g))
        place = np.arange(len(idx)) - np.searchsorted(g[ranked], g[ranked])
        bump = np.zeros(len(idx), dtype=np.int64)
        bump[ranked] = place < short[ranked]
        result[idx] = share + bump
    applied[where] = result
    return applied


def redrawn(scenario: Scenario, lines: CostLines, cost: np.ndarray, available: np.ndarray) -> CostLines:
    """The same cost lines with other amounts (costs per line, own funds per enterprise, in fen),
    own funds applied again by the one waterfall: a draw of `subsidy risk`. The lines, their order
    and each enterprise's rule stay those of `lines` (made from `scenario`)."""
    return redrawn_each(scenario, lines, cost[None, :], available[None, :])[0]


def redrawn_each(scenario: Scenario, lines: CostLines, cost: np.ndarray, available: np.ndarray) -> list[CostLines]:
    """`redrawn` for many draws at once (cost: draws × lines, available: draws × enterprises): one
    pass of the waterfall over every draw's lines side by side, draw d's enterprise i as enterprise
    d·E + i (each enterprise's waterfall is its own, so this is each draw's waterfall exactly)."""
    table = scenario.category_table
    rule_of = {e.id: ("statutory", "proportional", "free").index(e.own_funds_rule) for e in scenario.enterprises}
    rule = np.array([rule_of[e] for e in lines.enterprises], dtype=np.int64)
    klass = np.array([table[c].own_funds_class for c in lines.categories], dtype=np.int64)
    draws, n_ent = len(cost), len(lines.enterprises)
    enterprise = (lines.enterprise[None, :] + n_ent * np.arange(draws)[:, None]).ravel()
    applied = own_funds_applied(enterprise, np.tile(lines.category, draws), cost.ravel(), available.ravel(),
                                np.tile(rule, draws), klass).reshape(cost.shape)
    spent = np.zeros(draws * n_ent, dtype=np.int64)
    np.add.at(spent, enterprise, applied.ravel())
    unused = available - spent.reshape(draws, n_ent)
    return [CostLines(lines.enterprises, lines.categories, lines.enterprise, lines.category, cost[d], applied[d],
                      cost[d] - applied[d], available[d], unused[d], lines.free) for d in range(draws)]
