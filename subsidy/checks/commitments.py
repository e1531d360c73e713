"""Commitments the data alone show impossible, in words, before anything is solved.

A commitment (a decision already taken: `commitments:` in the scenario) is the one rule that asks
for money rather than limiting it, so it can contradict the others. Where the figures alone show
it (a least beyond its fund's budget, its fund's cap for the enterprise, the line's residual need,
or money the fund may not pay at all; leasts that add up beyond one of those; a least above its
own most) `diagnose` reports an error naming the rules and the amounts, `validate` prints it and
`solve` stops with exit 2. What only the optimisation can show (commitments that each fit but
not together through shared lines) ends the solve with exit 3 instead.

Independent of `allocate.rules`: eligibility, caps and needs are read off the schema and the
own-funds waterfall, as the verifier reads them.

The figures are tested as arrays over all commitments at once, and only what is found wrong is
worded, one commitment or group at a time: after an approval the workbench's what-if carries the
approved allocation as commitments (4,546 at 1,000 enterprises) and checks them on every call.
A loop asking each commitment its fund's scope, cap and line room took 93 ms of CPU of that
what-if, as arrays 38 ms (load 4.5 on 2 cores; bench/whatif_approved.py, bench/SERVE.md). `tests/commitments_reference.py`
keeps the plain loop, and the tests hold the two to the same words on random commitments.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from subsidy.allocate.waterfall import INT64_SAFE, CostLines, floor_fen, from_fen, to_fen
from subsidy.scenario.labels import Phrases
from subsidy.scenario.model import Commitment, Scenario

CONFLICTS = Phrases({
    "least_above_most": {"en": "{rule}: at_least {low} is above at_most {high}", "zh": "{rule}：至少 {low} 高于至多 {high}"},
    "out_of_scope": {"en": "{rule} commits {low}, but fund {fund}'s scope does not admit enterprise {ent}",
                     "zh": "{rule} 已定 {low}，但资金 {fund} 的范围不包括企业 {ent}"},
    "not_payable": {"en": "{rule} commits {low}, but fund {fund} may not pay {cat} (it pays {paid})",
                    "zh": "{rule} 已定 {low}，但资金 {fund} 不能支付 {cat}（它可支付：{paid}）"},
    "beyond": {"en": "{rule} commits {low}, beyond {name}: {limit}", "zh": "{rule} 已定 {low}，超出 {name}：{limit}"},
    "needs_of": {"en": "the residual needs fund {fund} may pay at {ent}", "zh": "资金 {fund} 在 {ent} 可支付的剩余需求"},
    "within_share": {"en": "{what} within cap_share ({share} of each line)", "zh": "{what}（按 cap_share，每项的 {share}）"},
    "add_up": {"en": "commitments {rules} add up to {total}, beyond {name}: {limit}",
               "zh": "已定事项 {rules} 合计 {total}，超出 {name}：{limit}"},
    "held_within": {"en": "commitments {rules} ask at least {total} together (one on an enterprise's total or on all years holds "
                          "those on its categories or years), beyond {name}: {limit}",
                    "zh": "已定事项 {rules} 合计至少 {total}（企业总额或不分年度的已定事项包含其下各类别、各年度的已定事项），超出 {name}：{limit}"},
    "add_up_most": {"en": "commitments {rules} add up to {total}, beyond {rule}: at most {limit}",
                    "zh": "已定事项 {rules} 合计 {total}，超出 {rule}：至多 {limit}"},
    "nothing": {"en": "nothing", "zh": "无"},
})


def _both(key: str, **values) -> tuple[str, str]:
    """A CONFLICTS sentence in English and Chinese; a value given as (en, zh) is said in each."""
    return tuple(CONFLICTS(key, lang, **{k: v[i] if isinstance(v, tuple) else v for k, v in values.items()})
                 for i, lang in enumerate(("en", "zh")))


def _asked_together(pairs: list[tuple[Commitment, int]]) -> int:
    """The least fen a set of commitments (each with its least) asks together. One on a fund's
    total to an enterprise holds those on its categories, and one without a year those on its
    years: such leasts are not added (a category's 40 within the enterprise's 70 asks 70, not
    110) but the larger of the two readings taken, per fund and enterprise; categories, years,
    funds and enterprises apart are added. Never more than any allocation keeping them all must
    pay, and never more than the plain sum: so only groups whose plain sum is over their limit
    need it (a few, in words)."""
    levels: dict[tuple, dict] = {}
    for c, low in pairs:
        years = levels.setdefault((c.fund, c.enterprise), {}).setdefault(c.category, {})
        years[c.year] = max(years.get(c.year, 0), low)

    def over_years(years: dict) -> int:
        return max(years.get(None, 0), sum(v for y, v in years.items() if y is not None))

    return sum(max(over_years(cats.get(None, {})), sum(over_years(v) for k, v in cats.items() if k is not None))
               for cats in levels.values())


def commitment_conflicts(scenario: Scenario, lines: CostLines) -> list[tuple[str, str, str]]:
    """(code, message, message in Chinese) for each contradiction the data show; [] when there are
    no commitments. In the order the commitments are written: first each one alone, then the
    groups (a fund's budget, a line's need, a fund's cap for an enterprise) in the order their
    first member is written, then the mosts on a fund's total below the leasts of its lines."""
    if not scenario.commitments:
        return []
    figures = _Figures(scenario, lines)
    out: list[tuple[str, str, str]] = []
    for k in np.flatnonzero(figures.wrong_alone()).tolist():
        out.extend(figures.words_alone(scenario.commitments[k]))
    out.extend(figures.words_of_groups())
    return out


class _Figures:
    """Each commitment's figures in fen as arrays (index = its place in `scenario.commitments`),
    and the words for the few found wrong."""

    def __init__(self, scenario: Scenario, lines: CostLines):
        self.scenario, self.lines = scenario, lines
        cs = scenario.commitments
        n = len(cs)
        self.funds = {f.id: f for f in scenario.funds}
        self.ents = {e.id: e for e in scenario.enterprises}
        fund_of = {f: i for i, f in enumerate(self.funds)}
        ent_of = {e: i for i, e in enumerate(self.ents)}
        fund_cats = {f.id: set(f.categories) for f in scenario.funds}
        cat_of: dict[str, int] = {}
        rows = []  # one pass over the commitments: (fund, enterprise, least, most, category, payable)
        for c in cs:
            if c.amount is not None:  # both bounds, converted once
                least = most = to_fen(c.amount)
            else:
                least = to_fen(c.at_least) if c.at_least is not None else 0
                most = to_fen(c.at_most) if c.at_most is not None else -1  # -1: no most
            category = c.category
            rows.append((fund_of[c.fund], ent_of[c.enterprise], least, most,
                         -1 if category is None else cat_of.setdefault(category, len(cat_of)),
                         category is None or category in fund_cats[c.fund]))
        self.fund, self.ent, self.least, self.most, self.cat = (np.array(col, dtype=np.int64) for col in list(zip(*rows))[:5])
        self.payable = np.array([row[5] for row in rows], dtype=bool)
        self.of_line = self.cat >= 0
        self.n_cats = max(len(cat_of), 1)
        self.budget = np.array([to_fen(f.budget) for f in scenario.funds], dtype=np.int64)[self.fund]
        # the line of each (enterprise, category) commitment, -1 for none; each enterprise's lines
        line = lines.locate([c.enterprise for c in cs], [c.category or "" for c in cs])
        self.need = np.where(line >= 0, lines.residual[np.maximum(line, 0)], 0)
        ent_in_lines = {e: i for i, e in enumerate(lines.enterprises)}
        ent_line = np.array([ent_in_lines.get(e, -1) for e in self.ents], dtype=np.int64)[self.ent]
        starts = lines.starts
        self.admitted = np.zeros(n, dtype=bool)
        self.cap = np.full(n, -1, dtype=np.int64)  # the fund's cap for the enterprise, -1 for none
        self.room = np.zeros(n, dtype=np.int64)  # what the fund may pay the committed lines at most
        for f in np.unique(self.fund).tolist():
            fund = scenario.funds[f]
            mine = np.flatnonzero(self.fund == f)
            # scope and cap once per enterprise this fund is committed to
            used, where = np.unique(self.ent[mine], return_inverse=True)
            ents = [scenario.enterprises[e] for e in used.tolist()]
            self.admitted[mine] = np.array(fund.admits_each(ents), dtype=bool)[where]
            fen: dict[Decimal, int] = {}
            caps = [-1 if cap is None else fen.setdefault(cap, floor_fen(cap)) for cap in fund.enterprise_caps(ents)]
            self.cap[mine] = np.array(caps, dtype=np.int64)[where]
            # the room of every line it may pay, summed per enterprise for a commitment without a category
            paid = np.isin(lines.category, [i for i, k in enumerate(lines.categories) if k in fund_cats[fund.id]])
            room = np.where(paid, share_room(fund.caps.share_of_need, lines.residual), 0)
            total = np.concatenate(([0], np.cumsum(room)))
            per_ent = total[starts[1:]] - total[starts[:-1]]
            line_mine, ent_mine = line[mine], ent_line[mine]
            self.room[mine] = np.where(self.of_line[mine], np.where(line_mine >= 0, room[np.maximum(line_mine, 0)], 0),
                                       np.where(ent_mine >= 0, per_ent[np.maximum(ent_mine, 0)], 0))

    def wrong_alone(self) -> np.ndarray:
        """The commitments wrong by themselves: a least above its most, or a positive least its
        fund may not pay (scope, category) or that is beyond its budget, its cap or its lines' room."""
        low = self.least
        beyond = (low > self.budget) | ((self.cap >= 0) & (low > self.cap)) | (low > self.room)
        return ((self.most >= 0) & (low > self.most)) | ((low > 0) & (~self.admitted | ~self.payable | beyond))

    def money(self, fen: int) -> str:
        return f"{from_fen(fen)} {self.scenario.unit}"

    def residual(self, eid: str) -> dict[str, int]:
        """The enterprise's residual need per category, for the words."""
        lines = self.lines
        i = lines.enterprises.index(eid) if eid in lines.enterprises else None
        span = range(int(lines.starts[i]), int(lines.starts[i + 1])) if i is not None else range(0)
        return {lines.categories[int(lines.category[k])]: int(lines.residual[k]) for k in span}

    def words_alone(self, c: Commitment) -> list[tuple[str, str, str]]:
        """The findings of one commitment wrong by itself, in words."""
        money, out = self.money, []
        low = to_fen(c.lower) if c.lower is not None else 0
        fund, ent = self.funds[c.fund], self.ents[c.enterprise]
        if c.upper is not None and low > to_fen(c.upper):
            out.append((f"commitment_conflict[{c.rule}]", *_both("least_above_most", rule=c.rule, low=money(low), high=money(to_fen(c.upper)))))
        if low == 0:
            return out
        why = None
        if not fund.scope.admits(ent):
            why = _both("out_of_scope", rule=c.rule, low=money(low), fund=fund.id, ent=ent.id)
        elif c.category is not None and c.category not in fund.categories:
            paid = (", ".join(fund.categories),) * 2 if fund.categories else _both("nothing")
            why = _both("not_payable", rule=c.rule, low=money(low), fund=fund.id, cat=repr(c.category), paid=paid)
        if why:
            out.append((f"commitment_conflict[{c.rule}]", *why))
            return out
        needs = self.residual(ent.id)
        cats = [c.category] if c.category is not None else [k for k in fund.categories if k in needs]
        room = sum(int(share_room(fund.caps.share_of_need, np.array([needs.get(k, 0)], dtype=np.int64))[0]) for k in cats)
        limits = [(f"budget[{fund.id}]", to_fen(fund.budget))]
        cap = fund.enterprise_cap(ent)
        if cap is not None:
            limits.append((f"cap_enterprise[{fund.id},{ent.id}]", floor_fen(cap)))
        limits.append((None, room))  # the lines' room: named below, only when it is exceeded
        for name, limit in limits:
            if low > limit:
                if name is None:
                    name = (f"need[{ent.id},{c.category}]",) * 2 if c.category is not None else _both("needs_of", fund=fund.id, ent=ent.id)
                    if fund.caps.share_of_need is not None and fund.caps.share_of_need < 1:
                        name = _both("within_share", what=name, share=f"{fund.caps.share_of_need:g}")
                out.append((f"commitment_conflict[{c.rule}]", *_both("beyond", rule=c.rule, low=money(low), name=name, limit=money(limit))))
                break
        return out

    def words_of_groups(self) -> list[tuple[str, str, str]]:
        """Leasts that fit one by one but not together: one fund's budget, one line's need, one
        fund's cap for one enterprise (groups of two or more); then a most on a fund's total to
        an enterprise below the leasts of its lines."""
        cs, money = self.scenario.commitments, self.money
        positive = np.flatnonzero(self.least > 0)
        n_ents = len(self.ents)
        keyed = positive[self.of_line[positive]]
        kinds = (  # (kind, the commitments grouped, their key, the limit of each)
            ("budget", positive, self.fund[positive], self.budget[positive]),
            ("need", keyed, self.ent[keyed] * self.n_cats + self.cat[keyed], self.need[keyed]),
            ("cap", keyed, self.fund[keyed] * n_ents + self.ent[keyed], self.cap[keyed]),
        )
        found = []  # (first member, kind's place, kind, members)
        cap_total: dict[int, tuple[int, np.ndarray]] = {}
        for place, (kind, members, key, limit) in enumerate(kinds):
            if not len(members):
                continue
            keys, first, group, count = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
            total = np.zeros(len(keys), dtype=np.int64)
            np.add.at(total, group, self.least[members])
            if kind == "cap":
                cap_total = {int(k): (int(t), g) for g, (k, t) in enumerate(zip(keys.tolist(), total.tolist()))}
                self.cap_groups = (members, group)
            over = (count >= 2) & (total > limit[first]) & ((limit[first] >= 0) if kind == "cap" else True)
            for g in np.flatnonzero(over).tolist():
                found.append((int(members[first[g]]), place, kind, members[group == g]))
        out = []
        for _, _, kind, members in sorted(found, key=lambda x: x[:2]):
            c = cs[int(members[0])]
            if kind == "budget":
                name, limit = f"budget[{c.fund}]", int(self.budget[members[0]])
            elif kind == "need":
                name, limit = f"need[{c.enterprise},{c.category}]", int(self.need[members[0]])
            else:
                name, limit = f"cap_enterprise[{c.fund},{c.enterprise}]", int(self.cap[members[0]])
            added = int(self.least[members].sum())
            total = _asked_together([(cs[k], int(self.least[k])) for k in members.tolist()])
            if total <= limit:
                continue  # over only when nested commitments are added: they are not
            rules = ", ".join(f"{cs[k].rule} {money(int(self.least[k]))}" for k in members.tolist())
            said = "add_up" if total == added else "held_within"
            out.append((f"commitment_conflict[{name}]", *_both(said, rules=rules, total=money(total), name=name, limit=money(limit))))
        # a most on a fund's total to an enterprise, below its lines' leasts
        whole = np.flatnonzero(~self.of_line & (self.most >= 0))
        for k in whole.tolist():
            hit = cap_total.get(int(self.fund[k] * n_ents + self.ent[k]))
            if hit is None or hit[0] <= self.most[k]:
                continue
            members, group = self.cap_groups
            mine = members[group == hit[1]]
            together = _asked_together([(cs[j], int(self.least[j])) for j in mine.tolist()])
            if together <= self.most[k]:
                continue
            hit = (together, hit[1])
            c = cs[k]
            rules = ", ".join(f"{cs[j].rule} {money(int(self.least[j]))}" for j in mine.tolist())
            out.append((f"commitment_conflict[{c.rule}]", *_both("add_up_most", rules=rules, total=money(hit[0]), rule=c.rule, limit=money(int(self.most[k])))))
        return out


def share_room(share: float | None, need: np.ndarray) -> np.ndarray:
    """What a fund with `cap_share` (share_of_need) may pay lines of residual need `need` (fen):
    min(need, ⌊share × need⌋), the share read as the decimal it is written as (0.7 is 7/10). In
    int64 where share's numerator × need stays below INT64_SAFE, in Decimal beyond."""
    if share is None:
        return need
    exact = Decimal(repr(share))
    p, q = exact.as_integer_ratio()
    room = np.asarray(need, dtype=np.int64).copy()
    safe = room < INT64_SAFE // max(p, 1)
    room[safe] = np.minimum(room[safe], room[safe] * p // q)
    for k in np.flatnonzero(~safe).tolist():
        room[k] = min(int(room[k]), floor_fen(exact * int(room[k]) / 100))
    return room
