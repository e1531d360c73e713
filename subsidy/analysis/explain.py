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

import pandas as pd

import pulp

from subsidy.scenario.labels import Lang, Phrases, column
from subsidy.allocate.lp import OWN, AllocationLP, Arc, build
from subsidy.output.console import money, table
from subsidy.scenario.model import Scenario
from subsidy.allocate.result import Result
from subsidy.pipeline import make_solver, solve
from subsidy.allocate.waterfall import from_fen

RULE_KINDS = ("budget", "cap_enterprise", "cap_share", "own_funds")
_NAME = re.compile(r"^(\w+)\[(.*)\]$")


def parse_rule(name: str) -> tuple[str, list[str]]:
    """'cap_enterprise[central_reward,wenquan]' → ('cap_enterprise', ['central_reward', 'wenquan'])."""
    match = _NAME.match(name)
    if not match:
        return name, []
    return match.group(1), match.group(2).split(",")


@dataclass(frozen=True)
class Marginal:
    """What one unit of a rule's bound is worth, in gap (weighted or plain) per unit.

    `more`: gap saved by one more unit (the right derivative); `less`: gap added by one unit
    less (the left derivative; None for a bound of 0). They differ where the optimum is
    degenerate, e.g. a fund whose budget and caps are exhausted together: more budget alone
    helps nothing, less budget hurts.
    """

    more: float
    less: float | None


def _clean(value: float) -> float:
    # Marginal values are sums of category weights; the solver's tolerance on the hold row adds
    # at most 1e-7 / bound to them, far below the 1e-5 kept here.
    return round(value, 5) + 0.0


def marginal_values(lp: AllocationLP, weights: dict[Arc, float], rules: list[str], solver: str = "highs",
                    right_only: bool = False) -> dict[str, Marginal]:
    """Exact one-sided marginal values of `rules`, from the dual's optimal face.

    Every stage-1 rule has the form Σ_{a∈r} x_a ≤ B_r, and stage 1 maximises Σ w_a x_a (less
    weighted gap). Its dual is min Σ_r B_r u_r s.t. Σ_{r∋a} u_r ≥ w_a, u ≥ 0; the gap saved by
    one more unit of B_i is the smallest u_i over the dual's optimal solutions, and the gap added
    by one unit less is the largest. A solver's single dual is any point in between; asking for
    both ends makes the answer a property of the scenario, not of the solver's path.
    """
    if not lp.arcs:
        return {name: Marginal(0.0, 0.0) for name in rules}
    rows = {name: ([a for a in arcs], -float(lp.constraints[name].constant)) for name, (arcs, _) in lp.upper_bounds.items()}
    dual = pulp.LpProblem("dual", pulp.LpMinimize)
    u = {name: dual.add_variable(f"u{i}", lowBound=0) for i, name in enumerate(rows)}
    covering: dict[Arc, list[str]] = {a: [] for a in lp.arcs}
    for name, (arcs, _) in rows.items():
        for a in arcs:
            covering[a].append(name)
    for i, arc in enumerate(lp.arcs):
        if weights[arc] > 0:
            dual.addConstraint(pulp.lpSum(u[r] for r in covering[arc]) >= weights[arc], name=f"arc{i}")
    total = pulp.lpSum(bound * u[name] for name, (_, bound) in rows.items())
    dual.setObjective(total + 0)
    engine = make_solver(solver)
    _solve_dual(dual, engine)
    best = pulp.value(total) or 0.0
    # Held with the same relative slack as the primal stages: an exact hold on a large sum is
    # beyond the solver's tolerance and reads as infeasible.
    dual.addConstraint(total <= best + max(1e-9 * abs(best), 1e-7), name="hold")
    out = {}
    for name in rules:
        dual.setObjective(u[name] + 0)
        _solve_dual(dual, engine)
        more = _clean(float(u[name].varValue or 0.0))
        less = None
        if rows[name][1] > 0 and not right_only:
            dual.setObjective(-u[name])
            _solve_dual(dual, engine)
            less = _clean(float(u[name].varValue or 0.0))
        out[name] = Marginal(more, less)
    return out


def _solve_dual(problem: pulp.LpProblem, engine: pulp.LpSolver) -> None:
    from subsidy.pipeline import SolveError

    status = problem.solve(engine)
    if status != pulp.LpStatusOptimal:
        raise SolveError(f"shadow prices: the solver did not reach an optimum ({pulp.LpStatus.get(status, status)})")


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
    named = [(name, *parse_rule(name)) for name in use]
    # Prices for every budget and every rule the allocation leaves no room in (a rule with room
    # in an optimal allocation is worth nothing either way).
    asked = [name for name, kind, _ in named if kind in RULE_KINDS and (kind == "budget" or use[name][1] >= use[name][0])]
    table = scenario.category_table
    weighted = marginal_values(lp, {a: table[a.category].weight for a in lp.arcs}, asked, solver)
    plain = marginal_values(lp, {a: 1.0 for a in lp.arcs}, asked, solver)
    zero = Marginal(0.0, 0.0)
    rows = []
    for name, kind, args in named:
        if kind not in RULE_KINDS:
            continue
        bound, used = use[name]
        w, p = weighted.get(name, zero), plain.get(name, zero)
        fund = args[0] if kind != "own_funds" else OWN
        enterprise = args[1] if kind in ("cap_enterprise", "cap_share") else (args[0] if kind == "own_funds" else "")
        category = args[2] if kind == "cap_share" else ""
        rows.append((name, kind, fund, enterprise, category, from_fen(bound), from_fen(used), from_fen(bound - used),
                     used >= bound or bool(w.less) or bool(p.less), w.more, p.more, w.less, p.less))
    rules = pd.DataFrame(rows, columns=["rule", "kind", "fund", "enterprise", "category", "bound", "used", "left", "binding",
                                        "shadow_weighted", "shadow_unweighted", "less_weighted", "less_unweighted"])
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
