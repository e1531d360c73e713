"""`subsidy report --html` on a programme over several years: one self-contained page with the
totals, the arrears at the end of each year as stacked bars (the enterprises with the largest
final gaps, the rest summed), and the tables of arrears by enterprise and year and of each fund by
year. Drawn like the one-year report (`charts`: inline SVG whose text stays text, no resource
fetched)."""

from __future__ import annotations

import html

import numpy as np

from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.output.charts import _CSS, GAP, LARGEST, _svg, _t, _unit
from subsidy.output.phrases import PROGRAMME as P
from subsidy.scenario.labels import Lang, column

_PALETTE = ["#E06666", "#F6B26B", "#FFD966", "#93C47D", "#76A5AF", "#6FA8DC", "#8E7CC3", "#C27BA0"]


def _arrears(result: ProgrammeResult) -> np.ndarray:
    yl = result.lines.lines
    per = np.zeros((len(yl.enterprises), len(result.years)), dtype=np.int64)
    np.add.at(per, yl.enterprise, result.arrears)
    return per


def _chart(result: ProgrammeResult, per: np.ndarray, shown: list[int], lang: Lang):
    import matplotlib.pyplot as plt

    names = {e.id: e.name for e in result.scenario.enterprises}
    ents = result.lines.lines.enterprises
    years = [str(y) for y in result.years]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bottom = np.zeros(len(years))
    rest = per.sum(axis=0) - per[shown].sum(axis=0)
    layers = ([(names[ents[i]] if lang == "zh" else ents[i], per[i]) for i in shown]  # ids in English, as the one-year charts
              + ([(P("chart_others", lang), rest)] if rest.any() else []))
    for k, (label, row) in enumerate(layers):
        values = row / 100
        ax.bar(years, values, bottom=bottom, label=label, color=_PALETTE[k % len(_PALETTE)] if k < len(shown) else "#D9D9D9")
        bottom += values
    for x, total in zip(years, bottom):
        ax.annotate(f"{total:,.2f}", (x, total), ha="center", va="bottom", fontsize=8, color=GAP)
    ax.set_title(P("chart_title", lang), fontsize=10)
    ax.set_ylabel(_unit(result.scenario.unit, lang))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def programme_html(result: ProgrammeResult, lang: Lang) -> str:
    """The page in `lang` ("zh"/"en")."""
    s, sc = result.summary, result.scenario
    per = _arrears(result)
    order = sorted(range(len(per)), key=lambda i: (-int(per[i, -1]), -int(per[i].sum()), i))
    shown = sorted(order[: min(len(order), LARGEST)])
    top = [i for i in order[:8] if per[i].any()]
    svg = _svg(lambda: _chart(result, per, sorted(top), lang), "arrears")
    money = lambda v: f"{v:,.2f}"  # noqa: E731
    totals = [(_t("total_need", lang), s["total_due"]), (_t("total_own", lang), s["total_own_funds"]),
              (_t("total_funded", lang), s["total_funded"]), (_t("total_gap", lang), s["total_gap"]),
              (P("weighted_arrears", lang), s["weighted_arrears"]), (P("lapsed", lang), s["lapsed"])]
    summary = "".join(f"<tr><th>{html.escape(k)}</th><td class='n'>{money(v)}</td></tr>" for k, v in totals)
    years = [str(y) for y in result.years]
    names = {e.id: e.name for e in sc.enterprises}
    ents = result.lines.lines.enterprises
    head = "".join(f"<th>{html.escape(h)}</th>" for h in [column("enterprise", lang), column("name", lang), *years])
    body = "".join("<tr>" + f"<td>{html.escape(ents[i])}</td><td>{html.escape(names[ents[i]])}</td>"
                   + "".join(f"<td class='n{' gap' if v else ''}'>{money(v / 100)}</td>" for v in per[i].tolist()) + "</tr>"
                   for i in shown)
    body += (f"<tr><th colspan='2'>{P('total', lang)}</th>" + "".join(f"<td class='n'>{money(v / 100)}</td>" for v in per.sum(axis=0).tolist())
             + "</tr>")
    fy = result.fund_years
    keys = ["arrived", "spent", "carried_over", "lapsed"]
    fhead = "".join(f"<th>{html.escape(column(k, lang))}</th>" for k in ["fund", "fund_name", "year", *keys])
    fbody = "".join(f"<tr><td>{html.escape(f.id)}</td><td>{html.escape(f.name)}</td><td>{y}</td>" + "".join(f"<td class='n'>{money(int(fy[k][i, j]) / 100)}</td>" for k in keys)
                    + "</tr>" for i, f in enumerate(sc.funds) for j, y in enumerate(result.years))
    unit = f"{_t('unit', lang)}{'：' if lang == 'zh' else ': '}{_unit(sc.unit, lang)}"
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(sc.name)}</title><style>{_CSS}</style></head><body><h1>{html.escape(sc.name)}</h1>"
            f"<p class='note'>{html.escape(unit)} · {html.escape(result.solver_version)}</p>"
            f"<table class='summary'>{summary}</table>"
            f"<p class='note'>{html.escape(P('weighted_arrears_note', lang))}</p><figure data-chart='arrears'>{svg}</figure>"
            f"<h2>{html.escape(P('table_title', lang))}</h2><table class='arrears'><tr>{head}</tr>{body}</table>"
            f"<h2>{html.escape(P('funds', lang))}</h2><table class='funds'><tr>{fhead}</tr>{fbody}</table>"
            f"<p class='note'>{_t('footer', lang)}</p></body></html>\n")
