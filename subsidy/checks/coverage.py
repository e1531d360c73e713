"""Minimum coverage the data alone show impossible, in words, before anything is solved.

`policy.minimum_coverage` asks for money (own funds + public money ≥ share × cost on each line of
a category), so it can contradict the rules that limit money. Where the figures alone show it,
`diagnose` reports an error naming the rule and the amounts, `validate` prints it and `solve`
stops with exit 2:
- a line no fund may pay (category, scope) and no own funds under `free` may reach;
- a line whose payers' budgets, caps for the enterprise and share caps add up to less than it asks;
- leasts that add up beyond every budget and every free enterprise's own funds together.
What only the optimisation can show (lines that each fit but not together through shared budgets
and caps) ends the solve with exit 3, naming the smallest set of rules in conflict and the least
extra budget per fund that would make it possible (`allocate.conflicts`).

Independent of `allocate.rules`: eligibility, caps and needs are read off the schema and the
own-funds waterfall, as the verifier reads them.
"""

from __future__ import annotations

from decimal import Decimal

from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen
from subsidy.scenario.labels import Phrases
from subsidy.scenario.asks import coverage_ratio
from subsidy.scenario.model import Scenario

COVERAGE = Phrases({
    "asks": {"en": "{rule} asks {least} from the funds ({share} × cost {cost} − own funds applied {applied})",
             "zh": "保底规则 {rule} 要求财政资金安排 {least}（{share} × 费用 {cost} − 已用自有资金 {applied}）"},
    "nobody": {"en": "{asks}, but no fund may pay {cat!r} at {ent} (categories and scopes) and no own funds are placed by the allocation",
               "zh": "{asks}，但没有任何资金可支付 {ent} 的 {cat}（费用类别或适用范围），也没有由模型安排的自有资金"},
    "beyond": {"en": "{asks}, beyond what may reach the line: {parts} (budget, cap for the enterprise and share cap each) = {reach}",
               "zh": "{asks}，超过可用于该项费用的全部资金：{parts}（各按预算、单企业上限和比例上限）= {reach}"},
    "own": {"en": "own funds", "zh": "自有资金"},
    "total": {"en": "minimum coverage asks {total} from the funds in all, beyond every budget and the own funds the allocation places together: {supply}",
              "zh": "保底规则合计要求财政资金安排 {total}，超过全部预算与由模型安排的自有资金之和：{supply}"},
})


def coverage_conflicts(scenario: Scenario, lines: CostLines) -> list[tuple[str, str, str]]:
    """(code, message, message in Chinese) for each contradiction the data show; [] without
    minimum coverage."""
    coverage = scenario.policy.minimum_coverage
    if not coverage:
        return []
    ents = {e.id: e for e in scenario.enterprises}
    admitted = [dict(zip(ents, fund.admits_each(scenario.enterprises))) for fund in scenario.funds]  # scope, once per fund
    out: list[tuple[str, str]] = []
    total = 0

    def money(fen: int) -> str:
        return f"{from_fen(fen)} {scenario.unit}"

    for i in range(len(lines)):
        cat = lines.categories[int(lines.category[i])]
        share = scenario.policy.minimum_coverage.get(cat)
        ratio = None if share is None else coverage_ratio(share)
        if ratio is None:
            continue
        p, q = ratio
        cost, applied, residual = int(lines.cost[i]), int(lines.applied[i]), int(lines.residual[i])
        least = -(-p * cost // q) - applied
        if least <= 0:
            continue
        total += least
        e = int(lines.enterprise[i])
        ent = ents[lines.enterprises[e]]
        rule = f"coverage[{ent.id},{cat}]"
        reach, parts = 0, []
        for k, fund in enumerate(scenario.funds):
            if cat not in fund.categories or not admitted[k][ent.id]:
                continue
            room = min(to_fen(fund.budget), residual)
            cap = fund.enterprise_cap(ent)
            if cap is not None:
                room = min(room, floor_fen(cap))
            share = fund.caps.share_of_need
            if share is not None:
                room = min(room, floor_fen(Decimal(repr(share)) * residual / 100))
            reach += room
            parts.append((fund.id, room))
        if bool(lines.free[e]):
            reach += int(lines.available[e])
            parts.append((None, int(lines.available[e])))

        def said(key: str, lang: str) -> str:
            words = dict(rule=rule, least=money(least), share=f"{coverage[cat]:g}", cost=money(cost), applied=money(applied))
            named = ", ".join(f"{fid or COVERAGE('own', lang)} {money(fen)}" for fid, fen in parts)
            return COVERAGE(key, lang, asks=COVERAGE("asks", lang, **words), cat=cat, ent=ent.id, parts=named, reach=money(reach))

        if not parts:
            out.append((f"coverage_conflict[{rule}]", said("nobody", "en"), said("nobody", "zh")))
        elif reach < least:
            out.append((f"coverage_conflict[{rule}]", said("beyond", "en"), said("beyond", "zh")))
    if total:
        supply = sum(to_fen(f.budget) for f in scenario.funds) + int(lines.available[lines.free].sum())
        if total > supply:
            out.append(("coverage_conflict[total]", *(COVERAGE("total", lang, total=money(total), supply=money(supply)) for lang in ("en", "zh"))))
    return out
