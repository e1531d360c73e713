"""Explaining a solved scenario: which rules bind, what one more 万元 is worth, why gaps remain.

A rule *binds* when the final allocation (the one in allocations.csv, in whole fen) leaves it no
room, or when one unit less of it would cost something. Shadow prices are the stage-1 program's
marginal values, for every budget and every binding cap, one-sided and exact:
- shadow_weighted: the weighted gap (the stage-1 objective) saved by one more unit of the bound;
- shadow_unweighted: the plain gap (in the scenario unit) one more unit closes if every unit of
  gap counted the same: 1 when more money there can reach some unpaid line, 0 when it cannot;
- less_weighted / less_unweighted: what one unit less would add.
"More" and "less" differ where the optimum is degenerate (a fund whose budget and caps run out
together: more budget alone helps nothing, less budget hurts). funds.csv's shadow_price is the
solver's dual, one value somewhere between the two. All are marginal: a larger change can meet
another rule.

Every line with a gap gets a reason: no fund lists its category at all; funds list it but none
admits the enterprise (scope); the funds that may pay it are used up; or a cap stops them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from subsidy.allocate.result import Result
from subsidy.allocate.rules import OWN
from subsidy.allocate.waterfall import from_fen
from subsidy.scenario.labels import money, table
from subsidy.pipeline import solve
from subsidy.scenario.labels import Lang, Phrases, column
from subsidy.scenario.model import Scenario

_NAME = re.compile(r"^(\w+)\[(.*)\]$")


def parse_rule(name: str) -> tuple[str, list[str]]:
    """'cap_enterprise[central_reward,wenquan]' → ('cap_enterprise', ['central_reward', 'wenquan'])."""
    match = _NAME.match(name)
    if not match:
        return name, []
    return match.group(1), match.group(2).split(",")


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
    """Explain a solved result (solving the scenario first when no `result` is given).

    Uses the solve's own products: the rules and the whole-fen allocation say which rules are
    used up; the method that solved prices them (`Allocation.prices`: node potentials on the
    flow path, the dual's optimal face on the LP path).
    """
    result = result or solve(scenario, solver)
    allocation = result.allocation
    rules = allocation.rules
    owner, member, limits = rules.membership()
    used = np.zeros(len(limits), dtype=np.int64)
    np.add.at(used, owner, allocation.fen[member])
    kind = rules.bound_order[0]
    priced = np.flatnonzero(kind != KIND_NEED)
    # Prices for every budget and every rule the allocation leaves no room in (a rule with room
    # in an optimal allocation is worth nothing either way).
    asked = priced[(kind[priced] == 0) | (used[priced] >= limits[priced])]
    w_more, w_less = allocation.prices.marginal_values(asked)
    p_more, p_less = allocation.prices.marginal_values(asked, unit_weights=True)
    at = {int(b): k for k, b in enumerate(asked.tolist())}
    rows = []
    for b, name in zip(priced.tolist(), rules.bound_names(priced)):
        kind_name, args = parse_rule(name)
        bound, use = int(limits[b]), int(used[b])
        k = at.get(b)
        wm, pm = (float(w_more[k]), float(p_more[k])) if k is not None else (0.0, 0.0)
        wl, pl = (_less(w_less[k]), _less(p_less[k])) if k is not None else (0.0, 0.0)
        fund = args[0] if kind_name != "own_funds" else OWN
        enterprise = args[1] if kind_name in ("cap_enterprise", "cap_share") else (args[0] if kind_name == "own_funds" else "")
        category = args[2] if kind_name == "cap_share" else ""
        rows.append((name, kind_name, fund, enterprise, category, from_fen(bound), from_fen(use), from_fen(bound - use),
                     use >= bound or bool(wl) or bool(pl), wm, pm, wl, pl))
    table = pd.DataFrame(rows, columns=["rule", "kind", "fund", "enterprise", "category", "bound", "used", "left", "binding",
                                        "shadow_weighted", "shadow_unweighted", "less_weighted", "less_unweighted"])
    return Explanation(scenario, result, table, _gap_reasons(scenario, result, table))


KIND_NEED = 4
"""need[e,c] rules (`Rules.KINDS`): not priced; a line's own bound is its residual need."""


def _less(value: float) -> float | None:
    """A left derivative, None where the bound is 0 (there is no unit less to take)."""
    return None if value != value else float(value)


# --- why each gap ---------------------------------------------------------------------------------
def _gap_reasons(scenario: Scenario, result: Result, rules: pd.DataFrame) -> pd.DataFrame:
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
        "en": "{fund} budget ({bound}) is fully used; {effect}{less}.",
        "zh": "{fund}预算 {bound} {unit}已全部使用；{effect}{less}。",
    },
    "budget_left": {
        "en": "{fund} budget has {left} of {bound} left: no line it may pay is still open, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其可支付的费用已无缺口，增加该资金不能减少缺口。",
    },
    "budget_left_capped": {
        "en": "{fund} budget has {left} of {bound} left: its caps stop it from paying the lines still open, so more money there closes nothing.",
        "zh": "{fund}预算 {bound} {unit}尚余 {left} {unit}：其上限限制了对仍有缺口费用的支付，增加该资金不能减少缺口。",
    },
    "cap_enterprise": {
        "en": "cap_enterprise[{fund}, {enterprise}] binds at {bound}: {effect}{less}.",
        "zh": "{fund}对{enterprise}的单企业上限 {bound} {unit}起约束作用：{effect}{less}。",
    },
    "cap_share": {
        "en": "cap_share[{fund}, {enterprise}, {category}] binds at {bound} (its share of the line's need): {effect}{less}.",
        "zh": "{fund}对{enterprise}{category}的比例上限 {bound} {unit}起约束作用：{effect}{less}。",
    },
    "own_funds": {
        "en": "{enterprise}'s own funds ({bound}) are fully used.",
        "zh": "{enterprise}的自有资金 {bound} {unit}已全部使用。",
    },
    "effect": {"en": "one more {unit} would reduce the weighted gap by {pw} and the gap by {pu} {unit}",
               "zh": "每增加 1 {unit}，加权缺口减少 {pw}，资金缺口减少 {pu} {unit}"},
    "no_effect": {"en": "one more {unit} alone would close nothing", "zh": "仅增加 1 {unit}不能减少缺口"},
    "less": {"en": "; one {unit} less would add {lw} to the weighted gap and {lu} {unit} to the gap",
             "zh": "；每减少 1 {unit}，加权缺口增加 {lw}，资金缺口增加 {lu} {unit}"},
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


_num = money  # prices, like amounts, with two decimals


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
    out = [T("headline", lang, name=s.name, gap=money(gap), residual=money(residual), unit=unit,
             share=float(gap / residual) if residual else 0.0, wg=r.weighted_gap, ms=r.max_gap_share)]
    capped = {fund for line in ex.gaps.itertuples(index=False) for fund, kind, _ in line.blockers if kind.startswith("cap_")}
    for rule in ex.rules.itertuples(index=False):
        less = ""
        if rule.binding and (rule.less_weighted, rule.less_unweighted) != (rule.shadow_weighted, rule.shadow_unweighted) \
                and rule.less_weighted is not None:
            less = T("less", lang, lw=_num(rule.less_weighted), lu=_num(rule.less_unweighted), unit=unit)
        effect = T("effect" if rule.shadow_weighted or rule.shadow_unweighted else "no_effect", lang, unit=unit,
                   pw=_num(rule.shadow_weighted), pu=_num(rule.shadow_unweighted))
        values = dict(fund=names.fund(rule.fund), bound=money(rule.bound), left=money(rule.left), unit=unit, less=less,
                      effect=effect,
                      enterprise=names.enterprise(rule.enterprise) if rule.enterprise else "",
                      category=names.category(rule.category) if rule.category else "")
        if rule.kind == "budget":
            key = "budget_used" if rule.binding else "budget_left_capped" if rule.fund in capped else "budget_left"
            out.append(T(key, lang, **values))
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
            parts.append(T("line", lang, category=names.category(line.category), gap=money(line.gap), unit=unit, why=why))
        row = totals.loc[eid]
        out.append(T("enterprise_gap", lang, enterprise=names.enterprise(eid), gap=money(row["gap"]), unit=unit,
                     share=float(row["gap_share"]), lines=T("sep", lang).join(parts)))
    return out


def _render(ex: Explanation, lang: Lang) -> str:
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
