"""The allocation's rules as plain data: who may pay what, and every upper bound, in exact amounts.

Both solvers read this one description: `lp.build` turns it into a PuLP model, `flow.solve_flow`
into a min-cost-flow network. Nothing here imports a solver, so the fast path starts quickly.

Arcs come in a fixed order (funds as listed, enterprises by id, categories by name; then own funds
under the `free` rule) and bounds in the order the spec lists them; the LP's row order follows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

import numpy as np

from subsidy.scenario.model import Scenario, ScopeGroups
from subsidy.allocate.waterfall import CostLines, OwnFundsSplit, cost_lines, floor_fen, to_fen

OWN = "(own funds)"
"""The source name own funds take under the `free` rule."""


@dataclass(frozen=True, slots=True)
class Arc:
    """One way money may flow: from `source` (a fund id, or OWN) to cost line (enterprise, category)."""

    source: str
    enterprise: str
    category: str


class Bound(NamedTuple):
    """Σ x over `arcs` ≤ `exact` (scenario unit); `fen` is the same bound in whole fen, rounded down.

    `kind` is budget | own_funds | cap_enterprise | cap_share | need, and `key` what it is about:
    a fund id, an enterprise id, (fund, enterprise), an Arc, or (enterprise, category).
    """

    name: str
    kind: str
    key: object
    arcs: list[Arc]
    exact: Decimal
    fen: int


@dataclass(eq=False)
class Rules:
    """Residual needs after own funds, the arcs money may take, and the upper bounds on them.

    Held as arrays (linopy-style): arc i runs from `sources[arc_source[i]]` to cost line
    `arc_line[i]` of `lines`; each kind of bound is a few index arrays. The flow method, the
    rounding and the tables read only these. `arcs`, `bounds`, `splits`, `residual` and
    `enterprise_need` are the same rules as Python objects, built on first use (the LP and the
    analyses read those): at 100,000 enterprises they are millions of objects.
    """

    scenario: Scenario
    lines: CostLines
    sources: list[str]  # fund ids as listed, then OWN
    arc_source: np.ndarray
    arc_line: np.ndarray
    budget_fen: np.ndarray  # per fund
    own_enterprise: np.ndarray  # own_funds[e]: enterprise indexes (into lines.enterprises) with own-funds arcs
    cap_fund: np.ndarray  # cap_enterprise[f,e]: fund index, enterprise index, the cap (exact and in fen)
    cap_enterprise: np.ndarray
    cap_exact: list[Decimal]
    cap_fen: np.ndarray
    share_arc: np.ndarray  # cap_share[f,e,c]: the arc, and the fund's share as p/q
    share_ratio: dict[int, tuple[int, int]]  # fund index → (p, q)
    need_line: np.ndarray  # need[e,c]: lines with residual > 0 in the order their first arc comes

    KINDS = ("budget", "cap_enterprise", "own_funds", "cap_share", "need")

    @property
    def own_source(self) -> int:
        return len(self.sources) - 1

    @property
    def arc_enterprise(self) -> np.ndarray:
        return self.lines.enterprise[self.arc_line]

    def share_cap(self, units_per_fen: int = 1) -> np.ndarray:
        """Each share cap, floor(p·r / q) in units of 1/units_per_fen fen (whole fen by default,
        rounded down; exact for the flow's unit), in Python integers: p·r may pass 2^63."""
        r = self.lines.residual[self.arc_line[self.share_arc]]
        src = self.arc_source[self.share_arc]
        out = np.zeros(len(self.share_arc), dtype=np.int64)
        for f, (p, q) in self.share_ratio.items():
            on = src == f
            out[on] = [p * v * units_per_fen // q for v in r[on].tolist()]
        return out

    def _pair_of_arc(self, fund: np.ndarray, enterprise: np.ndarray) -> np.ndarray:
        """Per arc, the position of its (source, enterprise) among the given sorted pairs, or -1."""
        n_ent = len(self.lines.enterprises)
        key = fund * n_ent + enterprise
        out = np.full(len(self.arc_source), -1, dtype=np.int64)
        if len(key):
            arc_key = self.arc_source * n_ent + self.arc_enterprise
            hit = np.minimum(np.searchsorted(key, arc_key), len(key) - 1)
            found = key[hit] == arc_key
            out[found] = hit[found]
        return out

    @cached_property
    def arc_cap(self) -> np.ndarray:
        """Per arc, its cap_enterprise bound (position in cap_fund/cap_enterprise), or -1."""
        return self._pair_of_arc(self.cap_fund, self.cap_enterprise)

    @cached_property
    def arc_own(self) -> np.ndarray:
        """Per arc, its own_funds bound (position in own_enterprise), or -1 (public arcs)."""
        return self._pair_of_arc(np.full(len(self.own_enterprise), self.own_source), self.own_enterprise)

    @cached_property
    def bound_order(self) -> tuple[np.ndarray, np.ndarray]:
        """(kind index into KINDS, position within that kind's arrays) for every bound, in the
        order of `bounds` (the spec's: budgets; per fund and enterprise its cap, own funds last;
        share caps; needs)."""
        nf = self.own_source
        # budget, then the (source, enterprise) group bounds in arc order (funds first, OWN last)
        pair_key = np.concatenate([self.cap_fund, np.full(len(self.own_enterprise), nf)]) * (len(self.lines.enterprises) + 1) \
            + np.concatenate([self.cap_enterprise, self.own_enterprise])
        pair_kind = np.concatenate([np.full(len(self.cap_fund), 1), np.full(len(self.own_enterprise), 2)])
        pair_pos = np.concatenate([np.arange(len(self.cap_fund)), np.arange(len(self.own_enterprise))])
        order = np.argsort(pair_key, kind="stable")
        kind = np.concatenate([np.zeros(nf, dtype=np.int64), pair_kind[order], np.full(len(self.share_arc), 3), np.full(len(self.need_line), 4)])
        pos = np.concatenate([np.arange(nf), pair_pos[order], np.arange(len(self.share_arc)), np.arange(len(self.need_line))])
        return kind.astype(np.int64), pos.astype(np.int64)

    def bound_names(self) -> list[str]:
        """Every bound's readable name, in the order of `bounds`."""
        fund_ids, ents, cats = self.sources, self.lines.enterprises, self.lines.categories
        le, lc = self.lines.enterprise.tolist(), self.lines.category.tolist()
        by_kind = [
            [f"budget[{f}]" for f in fund_ids[:-1]],
            [f"cap_enterprise[{fund_ids[f]},{ents[e]}]" for f, e in zip(self.cap_fund.tolist(), self.cap_enterprise.tolist())],
            [f"own_funds[{ents[e]}]" for e in self.own_enterprise.tolist()],
            [f"cap_share[{fund_ids[self.arc_source[a]]},{ents[le[self.arc_line[a]]]},{cats[lc[self.arc_line[a]]]}]" for a in self.share_arc.tolist()],
            [f"need[{ents[le[i]]},{cats[lc[i]]}]" for i in self.need_line.tolist()],
        ]
        kind, pos = self.bound_order
        return [by_kind[k][p] for k, p in zip(kind.tolist(), pos.tolist())]

    def membership(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(bound, arc) pairs sorted by bound then arc, and each bound's limit in whole fen
        (bounds numbered as in `bounds`): the rules as a sparse matrix, for rounding."""
        kind, _ = self.bound_order
        which = [np.flatnonzero(kind == k) for k in range(len(self.KINDS))]  # by position within the kind
        arcs = np.arange(len(self.arc_source))
        owners, members = [], []
        public = self.arc_source < self.own_source
        owners.append(which[0][self.arc_source[public]])
        members.append(arcs[public])
        for k, group in ((1, self.arc_cap), (2, self.arc_own)):
            found = group >= 0
            owners.append(which[k][group[found]])
            members.append(arcs[found])
        owners.append(which[3])
        members.append(self.share_arc)
        line_bound = np.full(len(self.lines), -1, dtype=np.int64)
        line_bound[self.need_line] = which[4]
        owners.append(line_bound[self.arc_line])
        members.append(arcs)
        owner, member = np.concatenate(owners), np.concatenate(members)
        order = np.lexsort((member, owner))
        limits = np.empty(len(kind), dtype=np.int64)
        limits[which[0]] = self.budget_fen
        limits[which[1]] = self.cap_fen
        limits[which[2]] = self.lines.unused[self.own_enterprise]
        limits[which[3]] = self.share_cap()
        limits[which[4]] = self.lines.residual[self.need_line]
        return owner[order], member[order], limits

    # --- the same rules as Python objects (the LP and the analyses) ------------------------------
    @cached_property
    def arcs(self) -> list[Arc]:
        ents, cats, srcs = self.lines.enterprises, self.lines.categories, self.sources
        le, lc = self.lines.enterprise, self.lines.category
        return [Arc(srcs[s], ents[e], cats[c]) for s, e, c in
                zip(self.arc_source.tolist(), le[self.arc_line].tolist(), lc[self.arc_line].tolist())]

    @cached_property
    def bounds(self) -> list[Bound]:
        """Every upper bound with its arcs, exact value and name (one object each)."""
        arcs = self.arcs
        owner, member, limits = self.membership()
        starts = np.searchsorted(owner, np.arange(len(limits) + 1)).tolist()
        member = member.tolist()
        kind, pos = self.bound_order
        names = self.bound_names()
        ents, cats, srcs = self.lines.enterprises, self.lines.categories, self.sources
        le, lc = self.lines.enterprise.tolist(), self.lines.category.tolist()
        funds = self.scenario.funds
        out = []
        for b, (k, p) in enumerate(zip(kind.tolist(), pos.tolist())):
            mine = [arcs[a] for a in member[starts[b]:starts[b + 1]]]
            fen = int(limits[b])
            if k == 0:
                out.append(Bound(names[b], "budget", srcs[p], mine, funds[p].budget, fen))
            elif k == 1:
                out.append(Bound(names[b], "cap_enterprise", (srcs[int(self.cap_fund[p])], ents[int(self.cap_enterprise[p])]), mine, self.cap_exact[p], fen))
            elif k == 2:
                out.append(Bound(names[b], "own_funds", ents[int(self.own_enterprise[p])], mine, Decimal(fen).scaleb(-2), fen))
            elif k == 3:
                a = int(self.share_arc[p])
                share = self.scenario.funds[int(self.arc_source[a])].caps.share_of_need
                exact = Decimal(repr(share)) * int(self.lines.residual[self.arc_line[a]])
                out.append(Bound(names[b], "cap_share", arcs[a], mine, exact.scaleb(-2), fen))
            else:
                line = int(self.need_line[p])
                out.append(Bound(names[b], "need", (ents[le[line]], cats[lc[line]]), mine, Decimal(fen).scaleb(-2), fen))
        return out

    @property
    def upper_bounds(self) -> dict[str, tuple[list[Arc], int]]:
        """name → (arcs, bound in fen rounded down): what the rounded allocation must keep."""
        return {b.name: (b.arcs, b.fen) for b in self.bounds}

    @cached_property
    def splits(self) -> dict[str, OwnFundsSplit]:
        return self.lines.splits()

    @cached_property
    def residual(self) -> dict[tuple[str, str], float]:
        """r[e,c] > 0 only, in the scenario unit, lines in gaps-table order."""
        ents, cats = self.lines.enterprises, self.lines.categories
        on = np.flatnonzero(self.lines.residual > 0)
        return {(ents[e], cats[c]): r / 100 for e, c, r in zip(self.lines.enterprise[on].tolist(), self.lines.category[on].tolist(), self.lines.residual[on].tolist())}

    @cached_property
    def enterprise_need(self) -> dict[str, float]:
        """Σ_c r[e,c] in the scenario unit, for enterprises with some residual need (by id)."""
        need: dict[str, float] = {}
        for (eid, _), r in self.residual.items():
            need[eid] = need.get(eid, 0.0) + r
        return need

    @property
    def weights(self) -> dict[str, float]:
        return {c: cat.weight for c, cat in self.scenario.category_table.items()}


class Lazy(Mapping):
    """A read-only mapping built on first use. The array paths (flow, rounding, tables, checks)
    never look inside; the object APIs (explain, the console, tests) get a plain dict's view."""

    def __init__(self, build: Callable[[], dict]):
        self._build = build

    @cached_property
    def data(self) -> dict:
        return self._build()

    def __getitem__(self, key):
        return self.data[key]

    def __iter__(self) -> Iterator:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


class ArcAmounts(Lazy):
    """Whole fen on every arc of `rules`, held as an array aligned with the rules' arcs."""

    def __init__(self, rules: Rules, fen: np.ndarray):
        self.rules = rules
        self.fen = np.asarray(fen, dtype=np.int64)
        super().__init__(lambda: dict(zip(rules.arcs, self.fen.tolist())))


def bound_values(rules: Rules, values: np.ndarray) -> Lazy:
    """Per bound, keyed by its readable name (`budget[central]`); names made on first lookup."""
    return Lazy(lambda: dict(zip(rules.bound_names(), values.tolist())))


def tie_break_weight(arc: Arc, fund_rank: int) -> float:
    """Stage-3 cost of one unit on an arc: fund rank first, then a fixed pseudo-random part.

    The pseudo-random part comes from the ids only (sha256), so the chosen allocation does not
    depend on the order of enterprises in the file, and it makes ties between cost lines
    vanish so that the optimum is a single point.
    """
    return fund_rank + 1 + 0.5 * tie_break_jitter(arc)


def tie_break_jitter(arc: Arc) -> float:
    """The pseudo-random part of `tie_break_weight`, in [0, 1): 48 bits of sha256 of the ids."""
    return jitter_of(arc.source, arc.enterprise, arc.category)


def jitter_of(source: str, enterprise: str, category: str) -> float:
    """`tie_break_jitter` of the arc with these ids (without making the Arc)."""
    digest = hashlib.sha256(f"{source}|{enterprise}|{category}".encode()).digest()
    return int.from_bytes(digest[:6], "big") / 2**48


def fund_ranks(scenario: Scenario) -> dict[str, int]:
    """Own funds rank before every public fund: an enterprise spends its own money first."""
    ranks = {fund.id: i + 1 for i, fund in enumerate(scenario.funds)}
    ranks[OWN] = 0
    return ranks


def build_rules(scenario: Scenario) -> Rules:
    """Own funds first (waterfall in fen), then the spec's arcs and bounds, as arrays."""
    lines = cost_lines(scenario)
    by_id = {e.id: e for e in scenario.enterprises}
    enterprises = [by_id[eid] for eid in lines.enterprises]
    cat_index = {c: k for k, c in enumerate(lines.categories)}
    open_line = lines.residual > 0
    sources = [f.id for f in scenario.funds] + [OWN]
    arc_source: list[np.ndarray] = []
    arc_line: list[np.ndarray] = []
    cap_fund: list[np.ndarray] = []
    cap_ent: list[np.ndarray] = []
    cap_exact: list[Decimal] = []
    share_arc: list[np.ndarray] = []
    share_ratio: dict[int, tuple[int, int]] = {}
    n_arcs = 0
    groups = ScopeGroups.of(enterprises)
    for f, fund in enumerate(scenario.funds):
        payable = np.zeros(len(lines.categories), dtype=bool)
        payable[[cat_index[c] for c in fund.categories if c in cat_index]] = True
        ok = np.array(fund.admits_each(enterprises, groups), dtype=bool)
        mine = np.flatnonzero(open_line & payable[lines.category] & ok[lines.enterprise])
        arc_source.append(np.full(len(mine), f, dtype=np.int64))
        arc_line.append(mine)
        paid = np.unique(lines.enterprise[mine])
        caps = fund.enterprise_caps([enterprises[e] for e in paid.tolist()])
        capped = [i for i, c in enumerate(caps) if c is not None]
        cap_fund.append(np.full(len(capped), f, dtype=np.int64))
        cap_ent.append(paid[capped])
        cap_exact += [caps[i] for i in capped]
        share = fund.caps.share_of_need
        if share is not None and share < 1:
            share_ratio[f] = Decimal(repr(share)).as_integer_ratio()
            share_arc.append(np.arange(n_arcs, n_arcs + len(mine), dtype=np.int64))
        n_arcs += len(mine)
    own = np.flatnonzero(open_line & (lines.free & (lines.available > 0))[lines.enterprise])
    arc_source.append(np.full(len(own), len(sources) - 1, dtype=np.int64))
    arc_line.append(own)
    arcs_line = np.concatenate(arc_line)
    first_arc = np.unique(arcs_line, return_index=True)
    need_line = first_arc[0][np.argsort(first_arc[1], kind="stable")]
    return Rules(
        scenario=scenario,
        lines=lines,
        sources=sources,
        arc_source=np.concatenate(arc_source),
        arc_line=arcs_line,
        budget_fen=np.array([to_fen(f.budget) for f in scenario.funds], dtype=np.int64),
        own_enterprise=np.unique(lines.enterprise[own]),
        cap_fund=np.concatenate(cap_fund) if cap_fund else np.zeros(0, dtype=np.int64),
        cap_enterprise=np.concatenate(cap_ent) if cap_ent else np.zeros(0, dtype=np.int64),
        cap_exact=cap_exact,
        cap_fen=np.array([floor_fen(c) for c in cap_exact], dtype=np.int64),
        share_arc=np.concatenate(share_arc) if share_arc else np.zeros(0, dtype=np.int64),
        share_ratio=share_ratio,
        need_line=need_line,
    )
