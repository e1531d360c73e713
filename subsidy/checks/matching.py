"""配套 matching the data alone show impossible with the commitments, in words, before solving.

Matching alone never makes a scenario impossible: paying nothing keeps every match, and an
enterprise only this fund may pay (the matching funds' scope, categories or caps leave it out)
simply gets nothing from it: a binding rule, not a conflict. A conflict is when commitments force
this fund's payment to an enterprise above what the matching funds can afford there: a least L
of fund f to enterprise e asks the matching funds for ⌈ratio × L⌉, and each matching fund g can
bring at most min(its budget, its cap for e, the residual needs it may pay at e, within its share
cap; a commitment's most of g to e). `diagnose` reports it, `validate` prints it and `solve`
stops with exit 2. What only the optimisation shows (the matching funds' budgets shared with
other commitments, say) ends the solve with exit 3 and the smallest conflicting set
(`allocate.conflicts`).

Independent of `allocate.rules`: eligibility, caps and needs are read off the schema and the
own-funds waterfall, as the verifier reads them.
"""

from __future__ import annotations

from decimal import Decimal

from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen
from subsidy.scenario.labels import Phrases
from subsidy.scenario.model import Scenario

MATCHING = Phrases({
    "beyond": {"en": "match[{fund},{ent}]: commitments make {fund} pay {ent} at least {low}, so {ratio} × that asks {asks} "
                     "of {funds}, but they can pay {ent} at most {reach} ({parts}: budget, cap for the enterprise, the lines "
                     "they may pay and commitments' mosts each)",
               "zh": "配套规则 match[{fund},{ent}]：已定事项要求 {fund} 向 {ent} 至少支付 {low}，按配套比例 {ratio} 需 {funds} "
                     "配套 {asks}，但其对 {ent} 最多可支付 {reach}（{parts}：各按预算、单企业上限、可支付的费用及已定事项上限）"},
})


def match_conflicts(scenario: Scenario, lines: CostLines) -> list[tuple[str, str, str]]:
    """(code, message, message in Chinese) for each match the commitments make impossible."""
    matched = [f for f in scenario.funds if f.match is not None]
    if not matched or not scenario.commitments:
        return []
    funds = {f.id: f for f in scenario.funds}
    ents = {e.id: e for e in scenario.enterprises}
    index = {e: i for i, e in enumerate(lines.enterprises)}
    starts = lines.starts.tolist()
    out = []

    def money(fen: int) -> str:
        return f"{from_fen(fen)} {scenario.unit}"

    def reach(gid: str, eid: str) -> int:
        g, ent = funds[gid], ents[eid]
        if not g.scope.admits(ent) or eid not in index:
            return 0
        i = index[eid]
        share = g.caps.share_of_need
        room = 0
        for k in range(starts[i], starts[i + 1]):
            if lines.categories[int(lines.category[k])] in g.categories:
                need = int(lines.residual[k])
                room += need if share is None else min(need, floor_fen(Decimal(repr(share)) * need / 100))
        limits = [to_fen(g.budget), room]
        cap = g.enterprise_cap(ent)
        if cap is not None:
            limits.append(floor_fen(cap))
        limits += [to_fen(c.upper) for c in scenario.commitments if c.fund == gid and c.enterprise == eid and c.upper is not None and c.category is None]
        return min(limits)

    for fund in matched:
        num, den = Decimal(str(fund.match.ratio)).as_integer_ratio()
        for eid in sorted({c.enterprise for c in scenario.commitments if c.fund == fund.id}):
            mine = [c for c in scenario.commitments if c.fund == fund.id and c.enterprise == eid and c.lower is not None]
            low = max(sum(to_fen(c.lower) for c in mine if c.category is not None),
                      max((to_fen(c.lower) for c in mine if c.category is None), default=0))
            if low == 0:
                continue
            parts = {g: reach(g, eid) for g in fund.match.funds}
            total = sum(parts.values())
            if den * total < num * low:
                asks = -(-num * low // den)
                text = ", ".join(f"{g} {money(v)}" for g, v in parts.items())
                values = dict(fund=fund.id, ent=eid, low=money(low), ratio=str(fund.match.ratio), asks=money(asks),
                              funds=", ".join(fund.match.funds), reach=money(total), parts=text)
                out.append((f"match_conflict[{fund.id},{eid}]", MATCHING("beyond", "en", **values), MATCHING("beyond", "zh", **values)))
    return out
