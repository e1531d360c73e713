"""Plain-words diagnosis of rule sets that are odd or impossible, before and after solving.

A scenario can be valid field by field and still make no sense as a whole: no enterprises, no
funds, nothing left to pay, a fund that can pay nobody. Rather than a traceback or a silent empty
table, each such case gets one sentence a clerk can act on. Errors stop the solve (exit 2);
warnings are printed by `solve` and `validate` and listed in summary.json under `warnings`.

Every rule but commitments is an upper bound on money paid, so without commitments the all-zero
allocation satisfies them all and the LP is never infeasible by construction. Commitments ask for
money: what the data alone show impossible is an error here (`checks.commitments`, exit 2);
`explain_failure` covers what remains: commitments that contradict each other only through the
optimisation, or a solver that stops short, explained together with the scale of the amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Literal

from subsidy.allocate.distribution import distribution_errors
from subsidy.checks.commitments import commitment_conflicts
from subsidy.checks.coverage import coverage_conflicts
from subsidy.checks.matching import match_conflicts
from subsidy.scenario.labels import Lang, Phrases
from subsidy.scenario.model import Enterprise, Fund, Scenario, ScopeGroups
from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    code: str  # stable name, e.g. 'fund_pays_nothing[county]'
    message: str
    message_zh: str = ""  # the same sentence in Chinese

    def __str__(self) -> str:
        return self.message

    def said(self, lang: Lang) -> str:
        return self.message_zh if lang == "zh" and self.message_zh else self.message


# Every sentence of the diagnosis, in English and Chinese (a Finding carries both; the command
# prints the one its language asks for).
DIAGNOSIS = Phrases({
    # explain_failure: why a solve stopped (exit 3)
    "fail_infeasible": {"en": "{detail}: the rules contradict each other, so no allocation can keep them all. Look for a rule "
                              "that demands money (a minimum to cover) that budgets, caps or needs cannot supply.",
                        "zh": "{detail}：各项规则相互矛盾，没有任何分配能同时满足。请检查要求拨付资金的规则（如必须覆盖的最低金额），"
                              "看预算、上限或需求是否无法满足。"},
    "fail_unbounded": {"en": "{detail}: the model has no limit on some amount; this is a bug in the model, please report it.",
                       "zh": "{detail}：模型中某个金额没有上限；这是模型的缺陷，请报告。"},
    "fail_stopped": {"en": "{detail}: the solver stopped without a proven optimum.", "zh": "{detail}：求解器未得到经证明的最优解即已停止。"},
    "fail_range": {"en": "amounts range from {low} to {high} {unit}, eleven or more orders of magnitude: check for a mistyped "
                         "unit (元 vs 万元), or try --solver cbc",
                   "zh": "金额从 {low} 到 {high} {unit}，相差十一个数量级以上：请检查单位是否填错（元与万元），或改用 --solver cbc"},
    "budget_zero": {"en": "its budget is 0", "zh": "其预算为 0"},
    "no_categories": {"en": "it lists no categories it may pay", "zh": "未列出可支付的费用类别"},
    "none_in_scope": {"en": "no enterprise is within its scope ({parts})", "zh": "没有企业在其适用范围内（{parts}）"},
    "regions": {"en": "regions", "zh": "地区"},
    "industries": {"en": "industries", "zh": "行业"},
    "enterprises": {"en": "enterprises", "zh": "企业"},
    "no_lines": {"en": "none of the {n} enterprise(s) in its scope has a cost in its categories ({categories})",
                 "zh": "其范围内的 {n} 家企业都没有属于其费用类别（{categories}）的费用"},
    "all_paid": {"en": "every cost line it may pay is already paid by the enterprises' own funds or is 0",
                 "zh": "其可支付的每条费用都已由企业自有资金支付或为 0"},
    "per_enterprise_zero": {"en": "per_enterprise is 0", "zh": "每户上限（per_enterprise）为 0"},
    "per_capacity_zero": {"en": "per_capacity × capacity is 0 for every eligible enterprise, by a rate of 0 or no capacity given",
                          "zh": "对每家符合条件的企业，单位产能标准 × 产能均为 0（标准为 0 或未填产能）"},
    "per_worker_zero": {"en": "per_worker × workers is 0 for every eligible enterprise, by a rate of 0 or no workers given",
                        "zh": "对每家符合条件的企业，每人标准 × 职工人数均为 0（标准为 0 或未填人数）"},
    "share_zero": {"en": "share_of_need is 0", "zh": "需求比例上限（share_of_need）为 0"},
    "caps_allow_nothing": {"en": "its caps allow nothing{reasons}", "zh": "其上限不允许支付任何金额{reasons}"},
    "in_brackets": {"en": " ({text})", "zh": "（{text}）"},
    "sep": {"en": "; ", "zh": "；"},
    "no_enterprises": {"en": "the scenario has no enterprises: there is nothing to allocate (list them under `enterprises:`)",
                       "zh": "方案中没有企业：没有可分配的对象（请在 `enterprises:` 下列出企业）"},
    "no_funds": {"en": "the scenario has no funds: nothing can be paid, every residual need stays a gap",
                 "zh": "方案中没有资金：无法支付，全部剩余需求都是缺口"},
    "no_need": {"en": "the total residual need is 0: every cost is 0 or already paid by own funds, so nothing is allocated",
                "zh": "剩余需求合计为 0：每项费用都为 0 或已由自有资金支付，因此不分配任何资金"},
    "no_costs": {"en": "enterprise {ent} has no cost lines: it can receive nothing", "zh": "企业 {ent} 没有费用：得不到任何资金"},
    "pays_nothing": {"en": "fund {fund} can pay nothing: {reason}", "zh": "资金 {fund} 无法支付任何金额：{reason}"},
    "capacity_cap_zero": {"en": "fund {fund} can pay enterprise {ent} nothing: it caps {industry!r} per unit of capacity but the enterprise's capacity is {state}",
                          "zh": "资金 {fund} 对企业 {ent} 无法支付：它按产能对“{industry}”设上限，而该企业的产能{state}"},
    "workers_cap_zero": {"en": "fund {fund} can pay enterprise {ent} nothing: it caps per worker ({rate} per worker) but the enterprise's workers are {state}",
                         "zh": "资金 {fund} 对企业 {ent} 无法支付：它按职工人数设上限（每人 {rate}），而该企业的职工人数{state}"},
    "factor_weights": {"en": "fund {fund}: the factor method's weights add up to {total}, not 1; each counts as its part of {total}",
                       "zh": "资金 {fund}：因素法各因素权重之和为 {total}，不是 1；各权重按其占 {total} 的比例计算"},
    "region_too_short": {"en": "fund {fund} splits its budget by regions of level {level}, but enterprise {ent}'s region '{region}' has fewer parts: it counts in the region '{region}' as written",
                         "zh": "资金 {fund} 按第 {level} 级地区分配预算，而企业 {ent} 的地区“{region}”层级不足：按所填地区“{region}”单独计算"},
    "missing": {"en": "missing", "zh": "未填写"},
    "zero": {"en": "0", "zh": "为 0"},
})


def _finding(level: str, code: str, sentence: Callable[[Lang], str]) -> Finding:
    return Finding(level, code, sentence("en"), sentence("zh"))


def _why_fund_pays_nothing(fund: Fund, admitted: Iterable[Enterprise],
                           residual: Callable[[Enterprise], dict[str, int]]) -> Callable[[Lang], str] | None:
    """The most specific reason the fund can pay no fen to anyone (a sentence in either
    language), or None if it can pay."""
    if to_fen(fund.budget) == 0:
        return lambda lang: DIAGNOSIS("budget_zero", lang)
    if not fund.categories:
        return lambda lang: DIAGNOSIS("no_categories", lang)
    # One pass, stopping at the first enterprise the fund can pay a fen: the lists the messages
    # below describe are only complete (and only needed) when it can pay nobody.
    share = fund.caps.share_of_need
    categories = set(fund.categories)
    in_scope = with_lines = 0
    any_open = False
    for ent in admitted:
        in_scope += 1
        if not set(ent.costs) & categories:
            continue
        with_lines += 1
        left = residual(ent)
        lines = [left[c] for c in fund.categories if left.get(c, 0) > 0]
        if not lines:
            continue
        any_open = True
        if share is not None:
            lines = [floor_fen(Decimal(repr(share)) * r / 100) for r in lines]
        cap = fund.enterprise_cap(ent)
        if (sum(lines) if cap is None else min(sum(lines), floor_fen(cap))) > 0:
            return None
    if not in_scope:
        scope = [(k, v) for k, v in (("regions", fund.scope.regions), ("industries", fund.scope.industries),
                                     ("enterprises", fund.scope.enterprises)) if v]
        return lambda lang: DIAGNOSIS("none_in_scope", lang, parts=DIAGNOSIS("sep", lang).join(
            f"{DIAGNOSIS(k, lang)} {', '.join(v)}" for k, v in scope))
    if not with_lines:
        return lambda lang: DIAGNOSIS("no_lines", lang, n=in_scope, categories=", ".join(fund.categories))
    if not any_open:
        return lambda lang: DIAGNOSIS("all_paid", lang)
    reasons = []
    if fund.caps.per_enterprise is not None and to_fen(fund.caps.per_enterprise) == 0:
        reasons.append("per_enterprise_zero")
    if fund.caps.per_capacity:
        reasons.append("per_capacity_zero")
    if fund.caps.per_worker is not None:
        reasons.append("per_worker_zero")
    if share is not None and share == 0:
        reasons.append("share_zero")
    return lambda lang: DIAGNOSIS("caps_allow_nothing", lang, reasons=DIAGNOSIS(
        "in_brackets", lang, text=DIAGNOSIS("sep", lang).join(DIAGNOSIS(r, lang) for r in reasons)) if reasons else "")


def diagnose(scenario: Scenario, lines: CostLines) -> list[Finding]:
    """Everything odd about the rule set as a whole, errors first; `lines` are the scenario's
    cost lines once own funds are applied (the pipeline's own-funds step)."""
    found: list[Finding] = []
    if not scenario.enterprises:
        found.append(_finding("error", "no_enterprises", lambda lang: DIAGNOSIS("no_enterprises", lang)))
        return found
    found += [Finding("error", code, message, zh) for code, message, zh in commitment_conflicts(scenario, lines)]
    found += [Finding("error", "distribution", str(exc), exc.message_zh) for exc in distribution_errors(scenario)]
    for fund in scenario.funds:
        if fund.distribution is not None and fund.distribution.weight_total != 1:
            found.append(_finding("warning", f"factor_weights[{fund.id}]", lambda lang, f=fund: DIAGNOSIS(
                "factor_weights", lang, fund=f.id, total=f.distribution.weight_total)))
        depth = fund.distribution.depth if fund.distribution is not None else None
        if depth is not None:
            short = [e for e, ok in zip(scenario.enterprises, fund.admits_each(scenario.enterprises))
                     if ok and len([p for p in e.region.split("/") if p]) < depth]
            for e in short:
                found.append(_finding("warning", f"region_too_short[{fund.id},{e.id}]", lambda lang, f=fund, e=e: DIAGNOSIS(
                    "region_too_short", lang, fund=f.id, ent=e.id, region=e.region, level=depth)))
    found += [Finding("error", code, message, zh) for code, message, zh in coverage_conflicts(scenario, lines)]
    found += [Finding("error", code, message, zh) for code, message, zh in match_conflicts(scenario, lines)]
    if not scenario.funds:
        found.append(_finding("warning", "no_funds", lambda lang: DIAGNOSIS("no_funds", lang)))
    need = bool(lines.residual.any())
    if not need:
        found.append(_finding("warning", "no_need", lambda lang: DIAGNOSIS("no_need", lang)))
    for ent in scenario.enterprises:
        if not ent.costs:
            found.append(_finding("warning", f"no_costs[{ent.id}]", lambda lang: DIAGNOSIS("no_costs", lang, ent=ent.id)))
    index = {e: i for i, e in enumerate(lines.enterprises)}
    starts = lines.starts.tolist()

    def residual(ent: Enterprise) -> dict[str, int]:
        """Per category, what own funds leave of the enterprise's lines (fen)."""
        i = index[ent.id]
        span = slice(starts[i], starts[i + 1])
        return dict(zip((lines.categories[c] for c in lines.category[span].tolist()), lines.residual[span].tolist()))

    enterprises = scenario.enterprises
    groups = ScopeGroups.of(enterprises)
    no_capacity = [k for k, e in enumerate(enterprises) if e.capacity is None or e.capacity.amount == 0]
    for fund in scenario.funds:
        admits = fund.admits_each(enterprises, groups)
        admitted = (e for e, ok in zip(enterprises, admits) if ok)
        reason = _why_fund_pays_nothing(fund, admitted, residual) if need else None
        if reason:
            found.append(_finding("warning", f"fund_pays_nothing[{fund.id}]",
                                  lambda lang: DIAGNOSIS("pays_nothing", lang, fund=fund.id, reason=reason(lang))))
            continue
        for ent in (enterprises[k] for k in no_capacity if admits[k]):
            if ent.industry in fund.caps.per_capacity and set(ent.costs) & set(fund.categories):
                found.append(_finding("warning", f"capacity_cap_zero[{fund.id},{ent.id}]", lambda lang: DIAGNOSIS(
                    "capacity_cap_zero", lang, fund=fund.id, ent=ent.id, industry=ent.industry,
                    state=DIAGNOSIS("missing" if ent.capacity is None else "zero", lang))))
        if fund.caps.per_worker is not None:
            for ent in (e for e, ok in zip(enterprises, admits) if ok and not e.workers and set(e.costs) & set(fund.categories)):
                found.append(_finding("warning", f"workers_cap_zero[{fund.id},{ent.id}]", lambda lang: DIAGNOSIS(
                    "workers_cap_zero", lang, fund=fund.id, ent=ent.id, rate=fund.caps.per_worker,
                    state=DIAGNOSIS("missing" if ent.workers is None else "zero", lang))))
    return found


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "warning"]


def amount_range(scenario: Scenario) -> tuple[Decimal, Decimal] | None:
    """Smallest and largest non-zero amount in the scenario (costs, own funds, budgets, caps)."""
    amounts = [a for e in scenario.enterprises for a in (*e.costs.values(), *e.own_funds.values())]
    amounts += [f.budget for f in scenario.funds] + [f.caps.per_enterprise for f in scenario.funds if f.caps.per_enterprise is not None]
    amounts = [a for a in amounts if a > 0]
    return (min(amounts), max(amounts)) if amounts else None


def explain_failure(scenario: Scenario, detail: str, lang: Lang = "en") -> list[str]:
    """Why a solve failed, in plain words in `lang`, from the solver's status text (SolveError's message)."""
    low = detail.lower()
    key = "fail_infeasible" if "infeasible" in low else "fail_unbounded" if "unbounded" in low else "fail_stopped"
    lines = [DIAGNOSIS(key, lang, detail=detail)]
    span = amount_range(scenario)
    if span and span[1] / span[0] > Decimal(10) ** 10:
        lines.append(DIAGNOSIS("fail_range", lang, low=from_fen(to_fen(span[0])), high=from_fen(to_fen(span[1])), unit=scenario.unit))
    return lines
