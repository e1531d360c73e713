"""Explaining a solved scenario: which rules bind, what one more 万元 is worth, why gaps remain.

A rule *binds* when the final allocation (the one in allocations.csv, in whole fen) leaves it no
room, or when its shadow price is positive. Shadow prices come from the stage-1 program:
- weighted: the weighted gap (the stage-1 objective) saved per extra unit of the rule's bound;
  this is funds.csv's shadow_price;
- unweighted: the gap, in the scenario unit, closed per extra unit if every unit of gap counted
  the same (the dual of the same program minimising the plain total gap). It is 1 when more
  money there can reach some unpaid line and 0 when it cannot.
Both are marginal values: they hold for small changes; a larger change can meet another rule.

Every line with a gap gets a reason: no fund lists its category at all; funds list it but none
admits the enterprise (scope); the funds that may pay it are used up; or a cap stops them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .labels import Lang, Phrases, column
from .lp import OWN, AllocationLP, build
from .model import Scenario
from .report import Result
from .solve import _run, make_solver, solve
from .waterfall import from_fen

RULE_KINDS = ("budget", "cap_enterprise", "cap_share", "own_funds")
_NAME = re.compile(r"^(\w+)\[(.*)\]$")


def parse_rule(name: str) -> tuple[str, list[str]]:
    """'cap_enterprise[central_reward,wenquan]' → ('cap_enterprise', ['central_reward', 'wenquan'])."""
    match = _NAME.match(name)
    if not match:
        return name, []
    return match.group(1), match.group(2).split(",")


def _price(dual: float) -> float:
    """A dual as a shadow price: positive = gap saved per extra unit; solver noise removed."""
    return round(-dual, 9) + 0.0


def unweighted_duals(lp: AllocationLP, solver: str = "highs") -> dict[str, float]:
    """Duals of the program minimising the plain total gap (all weights 1), by rule name."""
    if not lp.arcs:
        return {name: 0.0 for name in lp.constraints}
    lp.problem.setObjective(-lp.total_funded)
    _run(lp, make_solver(solver), "unweighted gap")
    return {name: float(c.pi or 0.0) for name, c in lp.constraints.items()}


def rule_use(lp: AllocationLP, allocation_fen: dict) -> dict[str, tuple[int, int]]:
    """Each upper-bound rule's (bound, used) in fen under the final allocation."""
    return {name: (bound, sum(allocation_fen.get(a, 0) for a in arcs)) for name, (arcs, bound) in lp.upper_bounds.items()}


@dataclass
class Explanation:
    """The why of one result: `rules` (every rule, binding or not) and `gaps` (every line with a gap)."""

    scenario: Scenario
    result: Result
    rules: pd.DataFrame
    gaps: pd.DataFrame

    @property
    def binding(self) -> pd.DataFrame:
        return self.rules[self.rules["binding"]]

    def sentences(self, lang: Lang = "en") -> list[str]:
        return _sentences(self, lang)

    def render(self, lang: Lang = "en") -> str:
        return _render(self, lang)


def explain(scenario: Scenario, solver: str = "highs", result: Result | None = None) -> Explanation:
    """Solve (unless `result` is given) and explain the result."""
    result = result or solve(scenario, solver)
    lp = build(scenario)
    use = rule_use(lp, result.allocation_fen)
    plain = unweighted_duals(build(scenario), solver)
    rows = []
    for name, (bound, used) in use.items():
        kind, args = parse_rule(name)
        if kind not in RULE_KINDS:
            continue
        weighted = _price(result.duals.get(name, 0.0))
        unweighted = _price(plain.get(name, 0.0))
        fund = args[0] if kind != "own_funds" else OWN
        enterprise = args[1] if kind in ("cap_enterprise", "cap_share") else (args[0] if kind == "own_funds" else "")
        category = args[2] if kind == "cap_share" else ""
        rows.append((name, kind, fund, enterprise, category, from_fen(bound), from_fen(used), from_fen(bound - used),
                     used >= bound or weighted > 1e-9, weighted, unweighted))
    rules = pd.DataFrame(rows, columns=["rule", "kind", "fund", "enterprise", "category", "bound", "used", "left",
                                        "binding", "shadow_weighted", "shadow_unweighted"])
    return Explanation(scenario, result, rules, _gap_reasons(scenario, result, lp, rules))


# --- why each gap ---------------------------------------------------------------------------------
def _gap_reasons(scenario: Scenario, result: Result, lp: AllocationLP, rules: pd.DataFrame) -> pd.DataFrame:
    binding = {r.rule: r for r in rules.itertuples(index=False) if r.binding}
    enterprises = {e.id: e for e in scenario.enterprises}
    rows = []
    for line in result.gaps.itertuples(index=False):
        if line.gap <= 0:
            continue
        ent = enterprises[line.enterprise]
        payers = [f for f in scenario.funds if line.category in f.categories]
        eligible = [f for f in payers if f.scope.admits(ent)]
        blockers: list[tuple[str, str, str]] = []  # (fund, kind, rule)
        if not payers:
            reason = "category_not_payable"
        elif not eligible:
            reason = "no_eligible_fund"
        else:
            for fund in eligible:
                for kind, rule in (("cap_share", f"cap_share[{fund.id},{ent.id},{line.category}]"),
                                   ("cap_enterprise", f"cap_enterprise[{fund.id},{ent.id}]"),
                                   ("budget", f"budget[{fund.id}]")):
                    if rule in binding:
                        blockers.append((fund.id, kind, rule))
                        break
                else:
                    blockers.append((fund.id, "unexplained", ""))
            kinds = {k for _, k, _ in blockers}
            reason = "+".join(code for code, hit in (("funds_exhausted", "budget" in kinds),
                                                     ("cap_binds", bool(kinds & {"cap_share", "cap_enterprise"})),
                                                     ("unexplained", "unexplained" in kinds)) if hit)
        own = f"own_funds[{ent.id}]" if ent.own_funds_rule == "free" else None
        if own and own in binding:
            blockers.append((OWN, "own_funds", own))
        rows.append((ent.id, ent.name, line.category, line.gap, reason,
                     [f.id for f in payers], [f.id for f in eligible], blockers))
    return pd.DataFrame(rows, columns=["enterprise", "name", "category", "gap", "reason", "payers", "eligible", "blockers"])


# --- sentences ------------------------------------------------------------------------------------
T = Phrases({
    "headline": {
        "en": "{name}: total gap {gap} {unit} of {residual} {unit} residual need ({share:.1%}); weighted gap {wg:,.2f}; largest gap share {ms:.1%}.",
        "zh": "{name}：资金缺口合计 {gap} {unit}，占剩余需求 {residual} {unit} 的 {share:.1%}；加权缺口 {wg:,.2f}；最大缺口比例 {ms:.1%}。",
    },
    "budget_used": {
        "en": "{fund} budget ({bound}) is fully used; one more {unit} would reduce the weighted gap by {pw} and the gap by {pu} {unit}.",
        "zh": "{fund}预算 {bound} {unit}已全部使用；每增加 1 {unit}，加权缺口减少 {pw}，资金缺口减少 {pu} {unit}。",
    },
    "budget_left": {
        "en": "{fund} budget has {left} of {bound} left: no line it may pay is still open, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其可支付的费用已无缺口，增加该资金不能减少缺口。",
    },
    "cap_enterprise": {
        "en": "cap_enterprise[{fund}, {enterprise}] binds at {bound}: one more {unit} of this cap would reduce the weighted gap by {pw} and the gap by {pu} {unit}.",
        "zh": "{fund}对{enterprise}的单企业上限 {bound} {unit}起约束作用：上限每提高 1 {unit}，加权缺口减少 {pw}，资金缺口减少 {pu} {unit}。",
    },
    "cap_share": {
        "en": "cap_share[{fund}, {enterprise}, {category}] binds at {bound} (its share of the line's need): one more {unit} would reduce the weighted gap by {pw} and the gap by {pu} {unit}.",
        "zh": "{fund}对{enterprise}{category}的比例上限 {bound} {unit}起约束作用：每提高 1 {unit}，加权缺口减少 {pw}，资金缺口减少 {pu} {unit}。",
    },
    "own_funds": {
        "en": "{enterprise}'s own funds ({bound}) are fully used.",
        "zh": "{enterprise}的自有资金 {bound} {unit}已全部使用。",
    },
    "no_gap": {"en": "No enterprise has a gap.", "zh": "所有企业均无资金缺口。"},
    "enterprise_gap": {
        "en": "{enterprise} has a gap of {gap} {unit} ({share:.1%} of its residual need): {lines}.",
        "zh": "{enterprise}资金缺口 {gap} {unit}（占其剩余需求 {share:.1%}）：{lines}。",
    },
    "line": {"en": "{category} {gap}, {why}", "zh": "{category} {gap} {unit}，{why}"},
    "category_not_payable": {"en": "no fund may pay this category", "zh": "没有任何资金可支付此类费用"},
    "no_eligible_fund": {"en": "the funds that pay it ({funds}) do not cover this enterprise", "zh": "可支付此类费用的资金（{funds}）不覆盖该企业"},
    "blocked": {"en": "because {blockers}", "zh": "原因：{blockers}"},
    "by_budget": {"en": "{fund} is used up", "zh": "{fund}已用完"},
    "by_cap_enterprise": {"en": "{fund}'s cap for this enterprise binds", "zh": "{fund}的单企业上限已满"},
    "by_cap_share": {"en": "{fund}'s share cap binds", "zh": "{fund}的比例上限已满"},
    "by_own_funds": {"en": "its own funds are used up", "zh": "自有资金已用完"},
    "by_unexplained": {"en": "{fund} could pay more but the allocation did not use it (please report this)", "zh": "{fund}尚可支付但未安排（请报告此问题）"},
    "rules_title": {"en": "Rules: budgets, and caps that bind", "zh": "规则：预算及起约束作用的上限"},
    "gaps_title": {"en": "Why each gap remains", "zh": "各项缺口的原因"},
    "sep": {"en": "; ", "zh": "；"},
    "and": {"en": ", ", "zh": "、"},
})

REASON_ZH = {"category_not_payable": "无资金可支付该类别", "no_eligible_fund": "无适用资金", "funds_exhausted": "资金已用完",
             "cap_binds": "上限约束", "unexplained": "未能解释"}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _num(value: float) -> str:
    return f"{value:,.4g}"


class _Names:
    """Ids in English sentences, the scenario's own (Chinese) names in Chinese ones."""

    def __init__(self, scenario: Scenario, lang: Lang):
        self.lang = lang
        self.funds = {f.id: f.name for f in scenario.funds}
        self.enterprises = {e.id: e.name for e in scenario.enterprises}
        self.categories = {c: cat.label_zh or c for c, cat in scenario.category_table.items()}

    def fund(self, fid: str) -> str:
        return self.funds.get(fid, fid) if self.lang == "zh" else fid

    def enterprise(self, eid: str) -> str:
        if self.lang == "zh":
            return self.enterprises.get(eid, eid)
        return f"{eid} ({self.enterprises[eid]})" if eid in self.enterprises else eid

    def category(self, cat: str) -> str:
        return self.categories.get(cat, cat) if self.lang == "zh" else cat


def _sentences(ex: Explanation, lang: Lang) -> list[str]:
    s, r = ex.scenario, ex.result
    names = _Names(s, lang)
    unit = s.unit
    residual = sum(r.enterprises["residual_need"], Decimal(0))
    gap = r.total("gaps", "gap")
    out = [T("headline", lang, name=s.name, gap=_money(gap), residual=_money(residual), unit=unit,
             share=float(gap / residual) if residual else 0.0, wg=r.weighted_gap, ms=r.max_gap_share)]
    for rule in ex.rules.itertuples(index=False):
        values = dict(fund=names.fund(rule.fund), bound=_money(rule.bound), left=_money(rule.left), unit=unit,
                      pw=_num(rule.shadow_weighted), pu=_num(rule.shadow_unweighted),
                      enterprise=names.enterprise(rule.enterprise) if rule.enterprise else "",
                      category=names.category(rule.category) if rule.category else "")
        if rule.kind == "budget":
            out.append(T("budget_used" if rule.binding else "budget_left", lang, **values))
        elif rule.binding:
            out.append(T(rule.kind, lang, **values))
    totals = r.enterprises.set_index("enterprise")
    if ex.gaps.empty:
        out.append(T("no_gap", lang))
    for eid, lines in ex.gaps.groupby("enterprise", sort=False):
        parts = []
        for line in lines.itertuples(index=False):
            if line.reason in ("category_not_payable", "no_eligible_fund"):
                why = T(line.reason, lang, funds=T("and", lang).join(names.fund(f) for f in line.payers))
            else:
                why = T("blocked", lang, blockers=T("and", lang).join(
                    T(f"by_{kind}", lang, fund=names.fund(fund)) for fund, kind, _ in line.blockers))
            parts.append(T("line", lang, category=names.category(line.category), gap=_money(line.gap), unit=unit, why=why))
        row = totals.loc[eid]
        out.append(T("enterprise_gap", lang, enterprise=names.enterprise(eid), gap=_money(row["gap"]), unit=unit,
                     share=float(row["gap_share"]), lines=T("sep", lang).join(parts)))
    return out


def _render(ex: Explanation, lang: Lang) -> str:
    from .console import table

    lines = ex.sentences(lang)
    shown = ex.rules[(ex.rules["kind"] == "budget") | ex.rules["binding"]]
    keys = ["rule", "bound", "used", "left", "shadow_weighted", "shadow_unweighted"]
    rows = [[r.rule, r.bound, r.used, r.left, _num(r.shadow_weighted), _num(r.shadow_unweighted)] for r in shown.itertuples(index=False)]
    lines += ["", T("rules_title", lang), table([column(k, lang) for k in keys], rows)]
    if not ex.gaps.empty:
        names = _Names(ex.scenario, lang)
        gkeys = ["enterprise", "category", "reason", "gap"]
        grows = [[g.enterprise, names.category(g.category),
                  g.reason if lang == "en" else "、".join(REASON_ZH[c] for c in g.reason.split("+")), g.gap]
                 for g in ex.gaps.itertuples(index=False)]
        lines += ["", T("gaps_title", lang), table([column(k, lang) for k in gkeys], grows, numeric_from=3)]
    return "\n".join(lines)
