"""Plain-text tables for the terminal, aligned for Chinese characters (two columns wide)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from .labels import Lang, Phrases, column
from .report import Result


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def money(value) -> str:
    """An amount as a clerk reads it: thousands separated, two decimals; "—" when absent."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{value:,.2f}"


def table(headers: list[str], rows: list[list], numeric_from: int = 1) -> str:
    cells = [headers] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - width(text))
            parts.append(pad + text if i >= numeric_from else text + pad)
        out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


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
})


def render_result(result: Result, lang: Lang = "en", path: str | None = None) -> str:
    """The summary a clerk reads after `subsidy solve`: per enterprise, per fund, what binds."""
    lines = [text("title", lang, name=result.scenario.name, solver=result.solver_version, unit=result.scenario.unit),
             text("stages", lang, wg=result.weighted_gap, share=result.max_gap_share), ""]
    ent = result.enterprises
    keys = ["enterprise", "name", "need", "own_funds", "residual_need", "funded", "gap", "gap_share"]
    rows = [list(r) for r in ent[keys].itertuples(index=False)]
    rows.append([text("total", lang), "", *(sum(ent[k], Decimal(0)) for k in keys[2:7]), ""])
    lines += [text("enterprises", lang), table([column(k, lang) for k in keys], rows, numeric_from=2), ""]
    funds = result.funds
    fkeys = ["fund", "budget", "used", "left", "shadow_price"]
    names = {f.id: f.name for f in result.scenario.funds}
    frows = [[r.fund, names[r.fund], r.budget, r.used, r.left, f"{r.shadow_price:.4g}"] for r in funds.itertuples(index=False)]
    frows.append([text("total", lang), "", *(sum(funds[k], Decimal(0)) for k in fkeys[1:4]), ""])
    lines += [text("funds", lang), table([column(k, lang) for k in ["fund", "name", *fkeys[1:]]], frows, numeric_from=2), ""]
    binding = binding_rules(result)
    lines.append(text("binding", lang) if binding else text("none_binding", lang))
    lines += [f"  {name}" for name in binding]
    if path is not None and result.summary["total_gap"] > 0:
        lines += ["", text("hint", lang, path=path)]
    return "\n".join(lines)


def binding_rules(result: Result, tolerance: float = 1e-7) -> list[str]:
    """Upper-bound rules with no slack at the stage-1 optimum, in the order they were built."""
    return [name for name, slack in result.slacks.items()
            if abs(slack) <= tolerance and not name.startswith(("hold[", "gap_share["))]
