"""The commitments' contradictions found one commitment at a time: the reference the array version
(subsidy.checks.commitments.commitment_conflicts) is held against.

This is the check as it was first written (issue 13): a loop asking each commitment its fund's
scope, its fund's cap for the enterprise and its lines' room, then the groups in a dict. Slow
(85 ms for the 4,546 approved lines of a 1,000-enterprise what-if), obvious, and independent of
the arrays; it shares only the sentences (`_both`).
"""

from __future__ import annotations

from decimal import Decimal

from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen
from subsidy.checks.commitments import _both
from subsidy.scenario.model import Commitment, Scenario


def reference_conflicts(scenario: Scenario, lines: CostLines) -> list[tuple[str, str]]:
    """(code, message, message in Chinese) for each contradiction the data show, asked of each
    commitment in turn; [] when there are no commitments."""
    if not scenario.commitments:
        return []
    funds = {f.id: f for f in scenario.funds}
    ents = {e.id: e for e in scenario.enterprises}
    index = {e: i for i, e in enumerate(lines.enterprises)}
    starts = lines.starts.tolist()
    out: list[tuple[str, str, str]] = []

    def money(fen: int) -> str:
        return f"{from_fen(fen)} {scenario.unit}"

    residuals: dict[str, dict[str, int]] = {}  # per enterprise, once: an approved allocation is thousands of commitments

    def residual(eid: str) -> dict[str, int]:
        if eid not in residuals:
            i = index.get(eid)
            span = range(starts[i], starts[i + 1]) if i is not None else range(0)
            residuals[eid] = {lines.categories[int(lines.category[k])]: int(lines.residual[k]) for k in span}
        return residuals[eid]

    def line_room(c: Commitment, cat: str, need: int) -> int:
        share = funds[c.fund].caps.share_of_need
        return need if share is None else min(need, floor_fen(Decimal(repr(share)) * need / 100))

    least = {id(c): to_fen(c.lower) if c.lower is not None else 0 for c in scenario.commitments}
    for c in scenario.commitments:
        low = least[id(c)]
        fund, ent = funds[c.fund], ents[c.enterprise]
        if c.upper is not None and low > to_fen(c.upper):
            out.append((f"commitment_conflict[{c.rule}]", *_both("least_above_most", rule=c.rule, low=money(low), high=money(to_fen(c.upper)))))
        if low == 0:
            continue
        why = None
        if not fund.scope.admits(ent):
            why = _both("out_of_scope", rule=c.rule, low=money(low), fund=fund.id, ent=ent.id)
        elif c.category is not None and c.category not in fund.categories:
            paid = (", ".join(fund.categories),) * 2 if fund.categories else _both("nothing")
            why = _both("not_payable", rule=c.rule, low=money(low), fund=fund.id, cat=repr(c.category), paid=paid)
        if why:
            out.append((f"commitment_conflict[{c.rule}]", *why))
            continue
        needs = residual(ent.id)
        cats = [c.category] if c.category is not None else [k for k in fund.categories if k in needs]
        room = sum(line_room(c, k, needs.get(k, 0)) for k in cats)
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
    # Leasts that fit one by one but not together: one fund's budget, one line's need, one
    # fund's cap for one enterprise.
    groups: dict[tuple, list[Commitment]] = {}
    for c in scenario.commitments:
        if least[id(c)] > 0:
            groups.setdefault(("budget", c.fund), []).append(c)
            if c.category is not None:
                groups.setdefault(("need", c.enterprise, c.category), []).append(c)
                groups.setdefault(("cap", c.fund, c.enterprise), []).append(c)
    for key, mine in groups.items():
        if len(mine) < 2:
            continue
        total = _together(mine, least)
        if key[0] == "budget":
            name, limit = f"budget[{key[1]}]", to_fen(funds[key[1]].budget)
        elif key[0] == "need":
            name, limit = f"need[{key[1]},{key[2]}]", residual(key[1]).get(key[2], 0)
        else:
            cap = funds[key[1]].enterprise_cap(ents[key[2]])
            if cap is None:
                continue
            name, limit = f"cap_enterprise[{key[1]},{key[2]}]", floor_fen(cap)
        if total > limit:
            rules = ", ".join(f"{c.rule} {money(least[id(c)])}" for c in mine)
            said = "add_up" if total == sum(least[id(c)] for c in mine) else "held_within"
            out.append((f"commitment_conflict[{name}]", *_both(said, rules=rules, total=money(total), name=name, limit=money(limit))))
    for c in scenario.commitments:  # a most on a fund's total to an enterprise, below its lines' leasts
        mine = groups.get(("cap", c.fund, c.enterprise), [])
        if c.category is None and c.upper is not None and mine and _together(mine, least) > to_fen(c.upper):
            total = _together(mine, least)
            rules = ", ".join(f"{k.rule} {money(least[id(k)])}" for k in mine)
            out.append((f"commitment_conflict[{c.rule}]", *_both("add_up_most", rules=rules, total=money(total), rule=c.rule, limit=money(to_fen(c.upper)))))
    return out


def _together(mine: list[Commitment], least: dict[int, int]) -> int:
    """The leasts of `mine` together, a commitment within another (a category's within the
    enterprise's total from the same fund, a year's within all years) not added to it: per fund
    and enterprise the larger of the two readings."""
    levels: dict[tuple, dict] = {}
    for c in mine:
        years = levels.setdefault((c.fund, c.enterprise), {}).setdefault(c.category, {})
        years[c.year] = max(years.get(c.year, 0), least[id(c)])

    def over_years(years: dict) -> int:
        return max(years.get(None, 0), sum(v for y, v in years.items() if y is not None))

    return sum(max(over_years(cats.get(None, {})), sum(over_years(v) for k, v in cats.items() if k is not None))
               for cats in levels.values())
