"""The allocation's rules as plain data: who may pay what, and every upper bound, in exact amounts.

Every backend reads this one description (`flow` makes a network of it, `lp` a PuLP model,
`highs_reuse` a held HiGHS model), and so do the rounding, the tables and `explain`. Nothing here
imports a solver, so the fast path starts quickly.

Arcs come in a fixed order (funds as listed, enterprises by id, categories by name; then own funds
under the `free` rule) and bounds in the order the spec lists them; the LP's row order follows it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np

from subsidy.scenario.asks import coverage_ratio
from subsidy.scenario.model import Scenario, ScopeGroups
from subsidy.allocate.commitment_arcs import commitment_arcs
from subsidy.allocate.match_rows import match_fields
from subsidy.allocate.distribution import pool_fen, region_amounts, region_key
from subsidy.allocate.waterfall import INT64_SAFE, CostLines, floor_fen, to_fen

OWN = "(own funds)"
"""The source name own funds take under the `free` rule."""

_RULE_NAME = re.compile(r"^(\w+)\[(.*)\]$")


def parse_rule(name: str) -> tuple[str, list[str]]:
    """A rule's readable name back to its kind and arguments, the inverse of `Rules.bound_names`:
    'cap_enterprise[central_reward,wenquan]' → ('cap_enterprise', ['central_reward', 'wenquan'])."""
    match = _RULE_NAME.match(name)
    if not match:
        return name, []
    return match.group(1), match.group(2).split(",")


@dataclass(frozen=True, slots=True)
class Arc:
    """One way money may flow: from `source` (a fund id, or OWN) to cost line (enterprise, category)."""

    source: str
    enterprise: str
    category: str


@dataclass(eq=False)
class Rules:
    """Residual needs after own funds, the arcs money may take, and the upper bounds on them.

    Held as arrays (linopy-style): arc i runs from `sources[arc_source[i]]` to cost line
    `arc_line[i]` of `lines`; each kind of bound is a few index arrays, and `membership()` is
    all bounds as one sparse matrix. `arcs` (Arc objects) and `bound_names()` are for words and
    small scenarios: at 100,000 enterprises they are millions of objects.
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
    # The rules that ask for money, each a least and/or a most in whole fen (0 and -1 where not
    # given) on a set of arcs: first commitment[f,e(,c)], decisions already taken, in the
    # scenario's order (one arc, or a fund's arcs to one enterprise); then coverage[e,c], minimum
    # coverage (policy.minimum_coverage), a least on all the arcs of one line (`coverage_line`).
    # Not in `membership`: a least is a lower bound (the LP's rows `lp.commitment_rows`, the
    # flow's arcs with a least `flow_leasts`).
    commit_arcs: list[np.ndarray] = field(default_factory=list)
    commit_lower: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    commit_upper: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # distribution[f,region]: the factor method's region amounts (`distribution`), after the
    # needs in the rules' order: each row's fund, region name and amount in fen; per arc its row or -1.
    dist_fund: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    dist_region: list[str] = field(default_factory=list)
    dist_fen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    arc_dist: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # distribution_pool[f]: the part of a split fund's budget not tied to a region (share < 1),
    # last in the rules' order: per pool its fund and amount in fen; per distribution row its pool
    # or -1. It has no arcs of its own: the LP gives each region of the fund a variable z_r ≥ 0
    # (`pool_columns`) in the rows Σ_{a∈r} x_a − z_r ≤ A_r and Σ_r z_r ≤ U.
    pool_fund: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pool_fen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    dist_pool: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    coverage_line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    eligibility: "Eligibility | None" = None  # what build_rules was handed (draws of `subsidy risk`)
    # match[f,e] (配套, funds[].match; built by `match_rows.match_fields`, which says why): den·Σ
    # x(matching funds' arcs to e) ≥ num·Σ x(f's arcs to e); with any, the stages are MIPs (`mip`)
    match_fund: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    match_enterprise: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    match_paid: list[np.ndarray] = field(default_factory=list)  # this fund's arcs to e
    match_by: list[np.ndarray] = field(default_factory=list)  # the matching funds' arcs to e
    match_ratio: dict[int, tuple[int, int]] = field(default_factory=dict)  # fund index → (num, den)

    KINDS = ("budget", "cap_enterprise", "own_funds", "cap_share", "need", "distribution", "distribution_pool")

    def commitment_names(self) -> list[str]:
        """The name of each row of `commit_arcs`: `commitment[fund,enterprise,category]` (or
        `[fund,enterprise]`) of each commitment, then `coverage[enterprise,category]`."""
        ents, cats = self.lines.names(self.coverage_line)
        return [c.rule for c in self.scenario.commitments] + [f"coverage[{e},{c}]" for e, c in zip(ents, cats)]

    def match_names(self) -> list[str]:
        """The name of each match row: `match[fund,enterprise]`."""
        return [f"match[{self.sources[f]},{self.lines.enterprises[e]}]" for f, e in zip(self.match_fund.tolist(), self.match_enterprise.tolist())]

    def match_rows(self) -> list[tuple[list[int], int, list[int], int]]:
        """Each match row as (matching arcs, den, this fund's arcs, num): den·Σ x[by] − num·Σ x[paid] ≥ 0."""
        return [(by.tolist(), self.match_ratio[f][1], paid.tolist(), self.match_ratio[f][0])
                for f, by, paid in zip(self.match_fund.tolist(), self.match_by, self.match_paid)]

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
        kind = np.concatenate([np.zeros(nf, dtype=np.int64), pair_kind[order], np.full(len(self.share_arc), 3), np.full(len(self.need_line), 4),
                               np.full(len(self.dist_fund), 5), np.full(len(self.pool_fund), 6)])
        pos = np.concatenate([np.arange(nf), pair_pos[order], np.arange(len(self.share_arc)), np.arange(len(self.need_line)),
                              np.arange(len(self.dist_fund)), np.arange(len(self.pool_fund))])
        return kind.astype(np.int64), pos.astype(np.int64)

    def bound_names(self, which: np.ndarray | None = None) -> list[str]:
        """Every bound's readable name in the rules' order (or only those of the bounds `which`)."""
        srcs, ents, cats = self.sources, self.lines.enterprises, self.lines.categories
        lines = self.lines

        def line_of(i: int) -> str:
            return f"{ents[lines.enterprise[i]]},{cats[lines.category[i]]}"

        def name(k: int, p: int) -> str:
            if k == 0:
                return f"budget[{srcs[p]}]"
            if k == 1:
                return f"cap_enterprise[{srcs[self.cap_fund[p]]},{ents[self.cap_enterprise[p]]}]"
            if k == 2:
                return f"own_funds[{ents[self.own_enterprise[p]]}]"
            if k == 3:
                a = self.share_arc[p]
                return f"cap_share[{srcs[self.arc_source[a]]},{line_of(self.arc_line[a])}]"
            if k == 4:
                return f"need[{line_of(self.need_line[p])}]"
            if k == 5:
                return f"distribution[{srcs[self.dist_fund[p]]},{self.dist_region[p]}]"
            return f"distribution_pool[{srcs[self.pool_fund[p]]}]"

        kind, pos = self.bound_order
        if which is not None:
            kind, pos = kind[which], pos[which]
        return [name(k, p) for k, p in zip(kind.tolist(), pos.tolist())]

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
        in_region = self.arc_dist >= 0
        owners.append(which[5][self.arc_dist[in_region]])
        members.append(arcs[in_region])
        owner, member = np.concatenate(owners), np.concatenate(members)
        order = np.lexsort((member, owner))
        limits = np.empty(len(kind), dtype=np.int64)
        limits[which[0]] = self.budget_fen
        limits[which[1]] = self.cap_fen
        limits[which[2]] = self.lines.unused[self.own_enterprise]
        limits[which[3]] = self.share_cap()
        limits[which[4]] = self.lines.residual[self.need_line]
        limits[which[5]] = self.dist_fen
        limits[which[6]] = self.pool_fen
        return owner[order], member[order], limits

    @cached_property
    def pool_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """(distribution bound, pool bound) of each pool variable z_r, one per region of a fund
        with a pool, in the rules' order (bounds numbered as in `membership`): z_r is −1 in the
        first row and +1 in the second."""
        kind, _ = self.bound_order
        dist_bound, pool_bound = np.flatnonzero(kind == 5), np.flatnonzero(kind == 6)
        rows = np.flatnonzero(self.dist_pool >= 0) if len(self.dist_pool) else np.zeros(0, dtype=np.int64)
        return dist_bound[rows], pool_bound[self.dist_pool[rows]]

    def pool_take(self, amounts: np.ndarray) -> np.ndarray:
        """Per pool variable, what its region takes from the pool under `amounts` (per arc):
        max(0, paid_r − A_r), the least that keeps the region's row (the same type as amounts)."""
        dist_bound, _ = self.pool_columns
        if not len(dist_bound):
            return np.zeros(0, dtype=np.asarray(amounts).dtype)
        owner, member, limits = self.membership()
        paid = np.zeros(len(limits), dtype=np.asarray(amounts).dtype)
        np.add.at(paid, owner, np.asarray(amounts)[member])
        return np.maximum(paid[dist_bound] - limits[dist_bound], 0)

    def limits_with_pool(self, amounts: np.ndarray) -> np.ndarray:
        """`membership`'s limits with each pooled region's raised by what it takes from the pool
        under `amounts` (a vertex, so whole fen up to a solver's noise): the rules as arc-only
        rows around this allocation, for rounding (Σ of the takes is within the pool)."""
        limits = self.membership()[2].copy()
        dist_bound, _ = self.pool_columns
        if len(dist_bound):
            limits[dist_bound] += np.rint(self.pool_take(np.asarray(amounts, dtype=np.float64))).astype(np.int64)
        return limits

    def rule_use(self, amounts: np.ndarray) -> np.ndarray:
        """Per bound, its row's value under `amounts` (per arc) with each region's pool variable
        at `pool_take`: Σ x over the arcs, less z_r on a pooled region's row, Σ z_r on the pool's."""
        owner, member, limits = self.membership()
        amounts = np.asarray(amounts)
        used = np.zeros(len(limits), dtype=amounts.dtype)
        np.add.at(used, owner, amounts[member])
        dist_bound, pool_bound = self.pool_columns
        if len(dist_bound):
            take = self.pool_take(amounts)
            np.subtract.at(used, dist_bound, take)
            np.add.at(used, pool_bound, take)
        return used

    @property
    def has_need(self) -> bool:
        """Whether any cost line is left to pay once own funds are applied."""
        return bool(self.lines.residual.any())

    def enterprise_need_fen(self) -> dict[int, int]:
        """Σ_c r[e,c] in fen, for the enterprises (by index) with some residual need (the LP's
        fairness rows)."""
        need: dict[int, int] = {}
        for e, r in zip(self.lines.enterprise.tolist(), self.lines.residual.tolist()):
            if r > 0:
                need[e] = need.get(e, 0) + r
        return need

    def arc_weights(self) -> list[float]:
        """Each arc's category weight: what a unit on it saves in stage 1."""
        weights = self.weights
        cats = self.lines.categories
        return [weights[cats[c]] for c in self.lines.category[self.arc_line].tolist()]

    def weighted_need_fen(self) -> float:
        """Σ w·r over the lines, in fen: the weighted gap of paying nothing (the LP's stage-1
        objective is this less Σ w·x)."""
        weights = self.weights
        cats = self.lines.categories
        return float(sum(weights[cats[c]] * r for c, r in zip(self.lines.category.tolist(), self.lines.residual.tolist()) if r > 0))

    def tie_break_costs(self) -> list[float]:
        """Stage 3's cost of one unit on each arc (`tie_break_weight`), in arc order."""
        ranks = fund_ranks(self.scenario)
        srcs = self.sources
        ents, cats = self.lines.names(self.arc_line)
        return [ranks[srcs[s]] + 1 + 0.5 * jitter_of(srcs[s], e, c) for s, e, c in zip(self.arc_source.tolist(), ents, cats)]

    def arc_jitter(self, arcs: np.ndarray) -> np.ndarray:
        """`jitter_of` of each of the arcs `arcs`: looked up in the eligibility's table when the
        rules were built with one (a sha256 per arc is most of a 1,000-enterprise tie-break)."""
        if self.eligibility is not None:
            return self.eligibility.jitter[self.arc_source[arcs], self.arc_line[arcs]]
        srcs = self.sources
        ents, cats = self.lines.names(self.arc_line[arcs])
        return np.array([jitter_of(srcs[s], e, c) for s, e, c in zip(self.arc_source[arcs].tolist(), ents, cats)], dtype=np.float64)

    def bound_members(self) -> list[list[int]]:
        """Each bound's arcs (indexes, ascending), in the rules' order: the LP's rows."""
        owner, member, limits = self.membership()
        starts = np.searchsorted(owner, np.arange(len(limits) + 1)).tolist()
        member = member.tolist()
        return [member[starts[b]:starts[b + 1]] for b in range(len(limits))]

    def arcs_by_enterprise(self) -> dict[int, list[int]]:
        """Enterprise index → its arcs (indexes, ascending): the LP's fairness rows."""
        owner = self.arc_enterprise
        order = np.argsort(owner, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(owner[order])) + 1) if len(order) else []
        return {int(owner[g[0]]): g.tolist() for g in groups}

    def upper_bounds(self) -> dict[str, tuple[list[Arc], int]]:
        """Readable name → (its arcs, its limit in whole fen): the rules one by one, as objects
        (the LP fallback of close-gap, tests; small scenarios)."""
        limits, arcs = self.membership()[2].tolist(), self.arcs
        return {name: ([arcs[a] for a in mine], limits[b])
                for b, (name, mine) in enumerate(zip(self.bound_names(), self.bound_members()))}

    @cached_property
    def arcs(self) -> list[Arc]:
        """The arcs as objects, in order (words, tests, small scenarios)."""
        ents, cats, srcs = self.lines.enterprises, self.lines.categories, self.sources
        le, lc = self.lines.enterprise, self.lines.category
        return [Arc(srcs[s], ents[e], cats[c]) for s, e, c in
                zip(self.arc_source.tolist(), le[self.arc_line].tolist(), lc[self.arc_line].tolist())]

    @property
    def weights(self) -> dict[str, float]:
        return {c: cat.weight for c, cat in self.scenario.category_table.items()}


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
    """Own funds rank before every public fund: an enterprise spends its own money first. Funds
    with a 配套 match rank after the others (each group in the order listed): the matched money
    is what is left over, so the flow's answer keeps the match rows more often (`match_first`)."""
    order = [f for f in scenario.funds if f.match is None] + [f for f in scenario.funds if f.match is not None]
    ranks = {fund.id: i + 1 for i, fund in enumerate(order)}
    ranks[OWN] = 0
    return ranks


@dataclass(eq=False)
class Eligibility:
    """What the rules take from the scenario that no amount changes: per fund, the enterprises
    its scope admits and its cap on each (None: uncapped), by index into `lines.enterprises`,
    and the tie-break's jitter of every arc there may be (sources × lines; NaN where none may
    be). `subsidy risk` solves a thousand draws of one scenario: reading scopes, caps and sha256
    again in each was a third of a draw. Built once by `eligibility_of`, handed to `build_rules`."""

    admitted: list[np.ndarray]  # per fund: bool per enterprise
    caps: list[list[Decimal | None]]  # per fund: per enterprise
    cap_floor: list[np.ndarray]  # per fund: each cap in whole fen rounded down, at most INT64_SAFE (-1: none)
    jitter: np.ndarray


def eligibility_of(scenario: Scenario, lines: CostLines) -> Eligibility:
    """The scopes, caps and jitters of `scenario` on the lines `lines` (or any redrawing of them:
    the same enterprises and categories, other amounts)."""
    by_id = {e.id: e for e in scenario.enterprises}
    enterprises = [by_id[eid] for eid in lines.enterprises]
    groups = ScopeGroups.of(enterprises)
    admitted = [np.array(fund.admits_each(enterprises, groups), dtype=bool) for fund in scenario.funds]
    caps = [fund.enterprise_caps(enterprises) for fund in scenario.funds]
    cap_floor = [np.array([-1 if c is None else min(floor_fen(c), INT64_SAFE) for c in mine], dtype=np.int64) for mine in caps]
    sources = [f.id for f in scenario.funds] + [OWN]
    jitter = np.full((len(sources), len(lines)), np.nan)
    for f, ok in enumerate(admitted + [lines.free]):
        mine = np.flatnonzero(ok[lines.enterprise])
        ents, cats = lines.names(mine)
        jitter[f, mine] = [jitter_of(sources[f], e, c) for e, c in zip(ents, cats)]
    return Eligibility(admitted, caps, cap_floor, jitter)


def build_rules(scenario: Scenario, lines: CostLines, eligibility: Eligibility | None = None) -> Rules:
    """The spec's arcs and bounds, as arrays, on the cost lines once own funds are applied;
    scopes and caps from `eligibility` when given (made by `eligibility_of` for these lines)."""
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
    cap_floor: list[np.ndarray] = []
    n_arcs = 0
    groups = ScopeGroups.of(enterprises) if eligibility is None else None
    for f, fund in enumerate(scenario.funds):
        payable = np.zeros(len(lines.categories), dtype=bool)
        payable[[cat_index[c] for c in fund.categories if c in cat_index]] = True
        ok = np.array(fund.admits_each(enterprises, groups), dtype=bool) if eligibility is None else eligibility.admitted[f]
        mine = np.flatnonzero(open_line & payable[lines.category] & ok[lines.enterprise])
        arc_source.append(np.full(len(mine), f, dtype=np.int64))
        arc_line.append(mine)
        paid = np.unique(lines.enterprise[mine])
        if eligibility is None:
            caps = fund.enterprise_caps([enterprises[e] for e in paid.tolist()])
        else:
            caps = [eligibility.caps[f][e] for e in paid.tolist()]
            cap_floor.append(eligibility.cap_floor[f][paid[eligibility.cap_floor[f][paid] >= 0]])
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
    commit_arcs = commitment_arcs(scenario, lines, sources, np.concatenate(arc_source), arcs_line)
    dist_fund, dist_region, dist_fen, arc_dist = _distribution_rows(scenario, lines, np.concatenate(arc_source), arcs_line)
    pool_fund = np.array([f for f, fund in enumerate(scenario.funds) if fund.distribution is not None and pool_fen(fund) > 0], dtype=np.int64)
    coverage_line, coverage_least = coverage_leasts(scenario, lines)
    commit_arcs += _line_arcs(arcs_line, coverage_line)
    match = match_fields(scenario, lines, np.concatenate(arc_source), arcs_line)
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
        cap_fen=_cap_fen(cap_exact, np.concatenate(cap_ent) if cap_ent else np.zeros(0, dtype=np.int64), lines,
                         None if eligibility is None else np.concatenate(cap_floor) if cap_floor else np.zeros(0, dtype=np.int64)),
        share_arc=np.concatenate(share_arc) if share_arc else np.zeros(0, dtype=np.int64),
        share_ratio=share_ratio,
        need_line=need_line,
        commit_arcs=commit_arcs,
        commit_lower=np.array([to_fen(c.lower) if c.lower is not None else 0 for c in scenario.commitments]
                              + coverage_least.tolist(), dtype=np.int64),
        commit_upper=np.array([to_fen(c.upper) if c.upper is not None else -1 for c in scenario.commitments]
                              + [-1] * len(coverage_line), dtype=np.int64),
        coverage_line=coverage_line,
        dist_fund=dist_fund,
        dist_region=dist_region,
        dist_fen=dist_fen,
        arc_dist=arc_dist,
        pool_fund=pool_fund,
        pool_fen=np.array([pool_fen(scenario.funds[f]) for f in pool_fund.tolist()], dtype=np.int64),
        dist_pool=np.array([np.searchsorted(pool_fund, f) if f in pool_fund else -1 for f in dist_fund.tolist()], dtype=np.int64),
        eligibility=eligibility,
        **match,
    )


def _distribution_rows(scenario: Scenario, lines: CostLines, arc_source: np.ndarray,
                       arc_line: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """The factor method's rows, funds as listed and regions by name: (fund index, region name,
    amount in fen) per row, and per arc its row (-1 for arcs of funds without a distribution).
    A region whose enterprises have no open line keeps its row (with no arcs): it is a rule
    the fund's money keeps, whatever the needs."""
    arc_dist = np.full(len(arc_source), -1, dtype=np.int64)
    funds, names, fen = [], [], []
    by_id = {e.id: e for e in scenario.enterprises}
    for f, fund in enumerate(scenario.funds):
        if fund.distribution is None:
            continue
        row_of = {}
        for region in region_amounts(scenario, fund):
            row_of[region.region] = len(names)
            funds.append(f)
            names.append(region.region)
            fen.append(region.amount_fen)
        ent_row = np.array([row_of.get(region_key(by_id[e], fund), -1) for e in lines.enterprises], dtype=np.int64)
        mine = arc_source == f
        arc_dist[mine] = ent_row[lines.enterprise[arc_line[mine]]]
    return np.array(funds, dtype=np.int64), names, np.array(fen, dtype=np.int64), arc_dist


def coverage_leasts(scenario: Scenario, lines: CostLines) -> tuple[np.ndarray, np.ndarray]:
    """(line, least) of each line minimum coverage asks money for, in line order: the funds and
    own funds placed by the allocation must bring it to ⌈p·cost / q⌉ fen with the own funds the
    waterfall applied, p/q the category's share as written; lines already there get no row."""
    coverage = scenario.policy.minimum_coverage
    if not coverage:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    out_line, out_least = [], []
    for k, cat in enumerate(lines.categories):
        share = scenario.policy.minimum_coverage.get(cat)
        ratio = None if share is None else coverage_ratio(share)
        if ratio is None:
            continue
        p, q = ratio
        mine = np.flatnonzero(lines.category == k)
        least = [-(-p * c // q) - a for c, a in zip(lines.cost[mine].tolist(), lines.applied[mine].tolist())]
        on = [i for i, v in enumerate(least) if v > 0]
        out_line += mine[on].tolist()
        out_least += [least[i] for i in on]
    order = np.argsort(out_line, kind="stable")
    return np.array(out_line, dtype=np.int64)[order], np.array(out_least, dtype=np.int64)[order]


def _line_arcs(arc_line: np.ndarray, wanted: np.ndarray) -> list[np.ndarray]:
    """The arcs (ascending) of each of the lines `wanted`."""
    if not len(wanted):
        return []
    order = np.argsort(arc_line, kind="stable")
    sorted_lines = arc_line[order]
    lo = np.searchsorted(sorted_lines, wanted, side="left")
    hi = np.searchsorted(sorted_lines, wanted, side="right")
    return [np.sort(order[a:b]) for a, b in zip(lo.tolist(), hi.tolist())]


def _cap_fen(caps: list[Decimal], enterprise: np.ndarray, lines: CostLines, floors: np.ndarray | None = None) -> np.ndarray:
    """Each enterprise cap in whole fen (rounded down), and no more than one fen above all the
    enterprise's residual need: a cap above that can never bind, and per_capacity × capacity
    (up to 10^20) would not fit an int64 in fen. `floors`: the caps in fen already, at most
    INT64_SAFE (above any need, so the least is the same)."""
    need = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(need, lines.enterprise, lines.residual)
    if floors is not None:
        return np.minimum(floors, need[enterprise] + 1)
    room = (need[enterprise] + 1).tolist()
    return np.array([min(floor_fen(c), r) for c, r in zip(caps, room)], dtype=np.int64)
