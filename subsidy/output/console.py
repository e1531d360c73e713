"""Plain-text tables for the terminal, aligned for Chinese characters (two columns wide)."""

from __future__ import annotations

from decimal import Decimal

from subsidy.output.phrases import SOLVE, Names
from subsidy.scenario.labels import Lang, column, table
from subsidy.allocate.result import Result
from subsidy.allocate.waterfall import from_fen


ROWS = 25
"""Enterprises and binding rules the terminal shows by default: a national scenario has
hundreds of thousands, which belong in the files, not on a screen."""


def render_result(result: Result, lang: Lang = "en", path: str | None = None, rows: int = ROWS) -> str:
    """The summary a clerk reads after `subsidy solve`: per enterprise, per fund, what binds.

    With more than `rows` enterprises (0: no limit) only those with the largest gaps are listed,
    and only the first `rows` binding rules; the totals are always of all of them."""
    lines = [SOLVE("title", lang, name=result.scenario.name, solver=result.solver_version, unit=result.scenario.unit),
             SOLVE("stages", lang, wg=result.weighted_gap, share=result.max_gap_share), ""]
    ent = result.table("enterprises")
    keys = ["enterprise", "name", "need", "own_funds", "residual_need", "funded", "gap", "gap_share"]
    count = len(ent)
    shown = list(range(count))
    heading = SOLVE("enterprises", lang)
    if rows and count > rows:
        gap = ent.columns["gap"]
        shown = sorted(sorted(shown, key=lambda i: -int(gap[i]))[:rows])  # largest gaps, in id order
        heading = SOLVE("largest", lang, shown=rows, count=count)

    def cell(k: str, i: int):
        value = ent.columns[k][i]
        return from_fen(int(value)) if k in ent.money else value

    body = [[cell(k, i) for k in keys] for i in shown]
    body.append([SOLVE("total", lang), "", *(result.total("enterprises", k) for k in keys[2:7]), ""])
    lines += [heading, table([column(k, lang) for k in keys], body, numeric_from=2), ""]
    funds = result.exact("funds")
    fkeys = ["fund", "budget", "used", "left", "shadow_price"]
    names = {f.id: f.name for f in result.scenario.funds}
    frows = [[r.fund, names[r.fund], r.budget, r.used, r.left, f"{r.shadow_price:.4g}"] for r in funds.itertuples(index=False)]
    frows.append([SOLVE("total", lang), "", *(sum(funds[k], Decimal(0)) for k in fkeys[1:4]), ""])
    lines += [SOLVE("funds", lang), table([column(k, lang) for k in ["fund", "name", *fkeys[1:]]], frows, numeric_from=2), ""]
    binding = result.binding_rules()
    lines.append(SOLVE("binding", lang) if binding else SOLVE("none_binding", lang))
    # In Chinese each rule in words first (中央财政…预算), its id after it for explain and the files.
    words = Names(result.scenario, lang).rule_id
    lines += [f"  {words(name)}（{name}）" if lang == "zh" and words(name) != name else f"  {name}"
              for name in (binding[:rows] if rows else binding)]
    if rows and len(binding) > rows:
        lines.append(SOLVE("more_rules", lang, more=len(binding) - rows))
    if path is not None and result.summary["total_gap"] > 0:
        lines += ["", SOLVE("hint", lang, path=path)]
    return "\n".join(lines)
