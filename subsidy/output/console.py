"""Plain-text tables for the terminal, aligned for Chinese characters (two columns wide)."""

from __future__ import annotations

from decimal import Decimal

from subsidy.scenario.labels import Lang, Phrases, column, table
from subsidy.allocate.result import Result
from subsidy.allocate.waterfall import from_fen


text = Phrases({
    "title": {"en": "{name}: solved ({solver}), amounts in {unit}", "zh": "{name}：已求解（{solver}），金额单位 {unit}"},
    "stages": {"en": "Stage 1 weighted gap {wg:,.2f}   Stage 2 largest gap share {share:.2%}",
               "zh": "第一阶段 加权缺口 {wg:,.2f}   第二阶段 最大缺口比例 {share:.2%}"},
    "enterprises": {"en": "Enterprises", "zh": "企业"},
    "funds": {"en": "Funds", "zh": "资金"},
    "total": {"en": "Total", "zh": "合计"},
    "binding": {"en": "Rules that bind (stage 1):", "zh": "起约束作用的规则（第一阶段）："},
    "hint": {"en": "Why each gap remains and what one more 万元 is worth: subsidy explain {path}",
             "zh": "各项缺口的原因及每增加1万元的作用：subsidy explain {path}"},
    "none_binding": {"en": "No rule binds: every payable need is met.", "zh": "没有起约束作用的规则：所有可支付的需求均已满足。"},
    "largest": {"en": "Enterprises (the {shown} with the largest gaps of {count:,}; all in gaps.csv with --out, or --rows 0)",
                "zh": "企业（共 {count:,} 家，列出缺口最大的 {shown} 家；全部见 --out 的 gaps.csv，或用 --rows 0）"},
    "more_rules": {"en": "  … and {more:,} more (subsidy explain lists every rule)", "zh": "  ……另有 {more:,} 条（subsidy explain 列出全部规则）"},
})

ROWS = 25
"""Enterprises and binding rules the terminal shows by default: a national scenario has
hundreds of thousands, which belong in the files, not on a screen."""


def render_result(result: Result, lang: Lang = "en", path: str | None = None, rows: int = ROWS) -> str:
    """The summary a clerk reads after `subsidy solve`: per enterprise, per fund, what binds.

    With more than `rows` enterprises (0: no limit) only those with the largest gaps are listed,
    and only the first `rows` binding rules; the totals are always of all of them."""
    lines = [text("title", lang, name=result.scenario.name, solver=result.solver_version, unit=result.scenario.unit),
             text("stages", lang, wg=result.weighted_gap, share=result.max_gap_share), ""]
    ent = result.table("enterprises")
    keys = ["enterprise", "name", "need", "own_funds", "residual_need", "funded", "gap", "gap_share"]
    count = len(ent)
    shown = list(range(count))
    heading = text("enterprises", lang)
    if rows and count > rows:
        gap = ent.columns["gap"]
        shown = sorted(sorted(shown, key=lambda i: -int(gap[i]))[:rows])  # largest gaps, in id order
        heading = text("largest", lang, shown=rows, count=count)

    def cell(k: str, i: int):
        value = ent.columns[k][i]
        return from_fen(int(value)) if k in ent.money else value

    body = [[cell(k, i) for k in keys] for i in shown]
    body.append([text("total", lang), "", *(result.total("enterprises", k) for k in keys[2:7]), ""])
    lines += [heading, table([column(k, lang) for k in keys], body, numeric_from=2), ""]
    funds = result.funds
    fkeys = ["fund", "budget", "used", "left", "shadow_price"]
    names = {f.id: f.name for f in result.scenario.funds}
    frows = [[r.fund, names[r.fund], r.budget, r.used, r.left, f"{r.shadow_price:.4g}"] for r in funds.itertuples(index=False)]
    frows.append([text("total", lang), "", *(sum(funds[k], Decimal(0)) for k in fkeys[1:4]), ""])
    lines += [text("funds", lang), table([column(k, lang) for k in ["fund", "name", *fkeys[1:]]], frows, numeric_from=2), ""]
    binding = result.binding_rules()
    lines.append(text("binding", lang) if binding else text("none_binding", lang))
    lines += [f"  {name}" for name in (binding[:rows] if rows else binding)]
    if rows and len(binding) > rows:
        lines.append(text("more_rules", lang, more=len(binding) - rows))
    if path is not None and result.summary["total_gap"] > 0:
        lines += ["", text("hint", lang, path=path)]
    return "\n".join(lines)
