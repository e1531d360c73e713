"""Charts of a solved scenario, as one self-contained HTML page and as PNG files for documents.

Drawn with matplotlib. In the HTML page every chart is an inline SVG whose text stays text
(`svg.fonttype: none`), so the reader's browser sets the Chinese with its own fonts, and the page
needs no network: no script, stylesheet or font is fetched. PNGs are drawn by Agg, which needs a
font with Chinese glyphs: a system one (Noto Sans CJK, WenQuanYi, SimHei, Microsoft YaHei, …) or
the one the optional extra `subsidy[cjk]` installs (Noto Sans SC Regular); without any, PNG labels fall back to English
and ids, and `png_files` says so in a note on each chart.

Past LARGEST (30) enterprises a chart shows the largest gaps and sums by province and by industry:
national-2000.yaml's page measured 0.12 MB with its tallest SVG 972 pt (one bar per enterprise:
60,544 pt).
"""

from __future__ import annotations

import functools
import html
import io
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal

from subsidy.allocate.result import Result

OWN = "#70AD47"
FUNDED = "#4472C4"
GAP = "#E06666"
LEFT = "#D9D9D9"

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC",
    "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans CJK JP",
)
NO_CJK_NOTE = ("No font with Chinese glyphs was found, so this PNG uses English labels and ids. "
               "Install one (Debian: fonts-noto-cjk) or `pip install 'subsidy[cjk]'` for Chinese.")

# Labels of the chart parts: (Chinese, English).
TEXT = {
    "own": ("自有资金", "own funds"), "funded": ("已安排资金", "funded"), "gap": ("资金缺口", "gap"),
    "used": ("已使用", "used"), "left": ("结余", "left"), "need": ("需求", "need"),
    "enterprises": ("各企业资金需求、自有资金、已安排资金与缺口", "Need, own funds, funded and gap per enterprise"),
    "funds": ("资金使用情况", "Fund use"), "categories": ("按费用类别的资金缺口", "Gap by cost category"),
    "comparison": ("方案对比", "Scenarios side by side"), "unit": ("单位", "unit"),
    "largest": ("缺口最大的 {n} 家企业（共 {count:,} 家）", "The {n} enterprises with the largest gaps (of {count:,})"),
    "regions": ("按地区（省）汇总的资金需求、自有资金、已安排资金与缺口", "Need, own funds, funded and gap by region (province)"),
    "industries": ("按行业汇总的资金需求、自有资金、已安排资金与缺口", "Need, own funds, funded and gap by industry"),
}
CHARTS = ("enterprises", "funds", "categories")
LARGEST = 30
"""Bars a chart draws at most: beyond it the enterprise chart shows the largest gaps, and the
aggregates by region and by industry are added (2,000 bars made an SVG 60,544 pt tall)."""
GROUP_CHARTS = ("regions", "industries")


def charts_of(d: "ChartData") -> tuple[str, ...]:
    """The charts of one scenario: with many enterprises, also the aggregates by region and industry."""
    return CHARTS + GROUP_CHARTS if len(d.enterprises) > LARGEST else CHARTS


def _t(key: str, cjk: bool, sep: str = " ", **values) -> str:
    zh, en = (text.format(**values) for text in TEXT[key])
    return f"{zh}{sep}{en}" if cjk else en


@functools.cache
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs that matplotlib can use, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FAMILIES if f in names), None)
    return found or _packaged_font(font_manager)


def _packaged_font(font_manager) -> str | None:
    """Noto Sans SC Regular from the optional `pylopdf-fonts-zh-cn` package (extra `subsidy[cjk]`).

    A static Regular face on purpose: the variable Noto Sans CJK the extra used to install opens in
    matplotlib at its default instance, Thin (weight 100), so PNG text came out thin and every
    run printed "findfont: Failed to find font weight normal … now using 100"."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    font_manager.fontManager.addfont(str(pylopdf_fonts_zh_cn.sans_path()))
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FAMILIES if f in names), None)


@dataclass
class ChartData:
    """The figures a chart shows, in the scenario unit (floats only from here on: drawing)."""

    title: str
    unit: str
    enterprises: list[tuple[str, str, float, float, float, float]]  # id, name, need, own, funded, gap
    funds: list[tuple[str, str, float, float]]  # id, name, used, left
    categories: list[tuple[str, str, str, float]]  # key, zh, en, gap
    groups: dict[str, list[str]]  # "regions"/"industries" → per enterprise (as listed) its group

    @classmethod
    def of(cls, result: Result, title: str | None = None) -> "ChartData":
        table = result.scenario.category_table
        ents = [(r.enterprise, r.name, float(r.need), float(r.own_funds), float(r.funded), float(r.gap))
                for r in result.exact("enterprises").itertuples(index=False)]
        names = {f.id: f.name for f in result.scenario.funds}
        funds = [(r.fund, names[r.fund], float(r.used), float(r.left)) for r in result.exact("funds").itertuples(index=False)]
        by_cat: dict[str, Decimal] = {}
        for r in result.exact("gaps").itertuples(index=False):
            by_cat[r.category] = by_cat.get(r.category, Decimal(0)) + r.gap
        cats = [(k, table[k].label_zh or k, table[k].label_en or k, float(v)) for k, v in sorted(by_cat.items(), key=lambda kv: -kv[1])]
        by_id = {e.id: e for e in result.scenario.enterprises}
        listed = [by_id[e[0]] for e in ents]
        groups = {"regions": [e.region.split("/")[0] or "—" for e in listed], "industries": [e.industry or "—" for e in listed]}
        return cls(title or result.scenario.name, result.scenario.unit, ents, funds, cats, groups)


def _figure(rows: int):
    from matplotlib.figure import Figure

    return Figure(figsize=(8.5, max(2.2, 0.9 + 0.42 * rows)), layout="constrained")


UNITS_EN = {"万元": "10,000 yuan", "元": "yuan", "亿元": "100 million yuan", "千元": "1,000 yuan"}


def _unit(unit: str, cjk: bool) -> str:
    if cjk or unit.isascii():
        return unit
    return UNITS_EN.get(unit, "the scenario's unit")


def _style(ax, unit: str, cjk: bool) -> None:
    ax.set_xlabel(f"{_t('unit', cjk)}: {_unit(unit, cjk)}")
    ax.grid(axis="x", color="#E0E0E0")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.invert_yaxis()


def _finish(fig, ax, title: str, unit: str, cjk: bool, legend: bool = True, **values):
    ax.set_title(_t(title, cjk, "\n", **values))
    if legend:
        fig.legend(loc="outside upper right", ncols=3, fontsize=8, frameon=False)
    _style(ax, unit, cjk)
    return fig


def _annotate(ax, ends: list[float], texts: list[str], margin: float) -> None:
    """Write each bar's figure just past its end, and leave room on the right for it."""
    for i, (end, text) in enumerate(zip(ends, texts)):
        ax.annotate(text, (end, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlim(0, max(ends, default=1) * margin or 1)


def _need_bars(title: str, labels: list[str], parts: list[tuple[float, float, float]], notes: list[str], unit: str, cjk: bool, **values):
    """Stacked bars own funds + funded + gap (= need), one per label, a note past each bar."""
    fig = _figure(len(labels))
    ax = fig.add_subplot()
    own, funded, gap = ([p[k] for p in parts] for k in range(3))
    ax.barh(labels, own, color=OWN, label=_t("own", cjk))
    ax.barh(labels, funded, left=own, color=FUNDED, label=_t("funded", cjk))
    ax.barh(labels, gap, left=[a + b for a, b in zip(own, funded)], color=GAP, label=_t("gap", cjk))
    _annotate(ax, [sum(p) for p in parts], notes, 1.3)
    return _finish(fig, ax, title, unit, cjk, **values)


def enterprise_chart(d: ChartData, cjk: bool):
    """Stacked bars per enterprise: own funds + funded + gap = need; beyond LARGEST enterprises,
    those with the largest gaps (largest first)."""
    ents, title, values = d.enterprises, "enterprises", {}
    if len(ents) > LARGEST:
        ents = sorted(ents, key=lambda e: -e[5])[:LARGEST]
        title, values = "largest", {"n": LARGEST, "count": len(d.enterprises)}
    return _need_bars(title, [name if cjk else eid for eid, name, *_ in ents],
                      [(own, funded, gap) for *_, own, funded, gap in ents],
                      [f"{_t('need', cjk)} {e[2]:,.2f}" for e in ents], d.unit, cjk, **values)


def group_chart(d: ChartData, cjk: bool, by: str):
    """Stacked bars per region (province) or industry: the sums of its enterprises, largest gaps
    first, at most LARGEST groups."""
    sums: dict[str, list[float]] = {}
    for group, e in zip(d.groups[by], d.enterprises):
        acc = sums.setdefault(group, [0.0, 0.0, 0.0, 0.0])
        for k, v in enumerate(e[2:6]):
            acc[k] += v
    rows = sorted(sums.items(), key=lambda kv: -kv[1][3])[:LARGEST]
    return _need_bars(by, [g for g, _ in rows], [tuple(v[1:4]) for _, v in rows],
                      [f"{_t('need', cjk)} {v[0]:,.2f}" for _, v in rows], d.unit, cjk)


def comparison_chart(data: list[ChartData], cjk: bool):
    """One stacked bar per scenario: own funds + funded + gap, totals over its enterprises."""
    parts = [tuple(sum(e[k] for e in d.enterprises) for k in (3, 4, 5)) for d in data]
    return _need_bars("comparison", [d.title for d in data], parts,
                      [f"{_t('gap', cjk)} {p[2]:,.2f}" for p in parts], data[0].unit if data else "", cjk)


def fund_chart(d: ChartData, cjk: bool):
    """Stacked bars per fund: used + left = budget."""
    fig = _figure(len(d.funds))
    ax = fig.add_subplot()
    labels = [name if cjk else fid for fid, name, *_ in d.funds]
    used = [f[2] for f in d.funds]
    ax.barh(labels, used, color=FUNDED, label=_t("used", cjk))
    ax.barh(labels, [f[3] for f in d.funds], left=used, color=LEFT, label=_t("left", cjk))
    return _finish(fig, ax, "funds", d.unit, cjk)


def category_chart(d: ChartData, cjk: bool):
    """Bars of the gap left in each cost category, largest first."""
    fig = _figure(len(d.categories))
    ax = fig.add_subplot()
    values = [c[3] for c in d.categories]
    ax.barh([f"{zh} {key}" if cjk else en for key, zh, en, _ in d.categories], values, color=GAP)
    _annotate(ax, values, [f"{v:,.2f}" for v in values], 1.2)
    return _finish(fig, ax, "categories", d.unit, cjk, legend=False)


DRAW = {"enterprises": enterprise_chart, "funds": fund_chart, "categories": category_chart,
        "regions": lambda d, cjk: group_chart(d, cjk, "regions"), "industries": lambda d, cjk: group_chart(d, cjk, "industries")}


# Same bytes every run, and no links in the page (matplotlib's RDF block names web vocabularies).
_NO_METADATA = {"svg": {"Date": None, "Creator": None, "Format": None, "Type": None}, "png": {"Software": None}}


def _render(draw, fmt: str, salt: str, font: str | None, note: str | None = None) -> bytes:
    """Draw (`draw()` makes the figure) and save in one rc context: text takes its font when made."""
    import matplotlib

    rc = {"svg.fonttype": "none", "svg.hashsalt": salt, "font.size": 9,
          "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}
    buf = io.BytesIO()
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        # Without a CJK font the SVG's text is still right (the browser sets it); only
        # matplotlib's own measuring lacks the glyphs.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig = draw()
        if note:
            fig.supxlabel(note, fontsize=6, color="#808080", wrap=True)
        fig.savefig(buf, format=fmt, dpi=150, metadata=_NO_METADATA[fmt])
    return buf.getvalue()


def _svg(draw, name: str) -> str:
    """The figure as an SVG element to inline: no XML prolog, and ids prefixed with `name`, since
    matplotlib names groups alike in every figure (figure_1, axes_1) and ids must be unique in a page."""
    text = _render(draw, "svg", name, cjk_font()).decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{name}-{m[1]}"', text)
    return re.sub(r'(url\(#|href="#)([^)"]+)', lambda m: f"{m[1]}{name}-{m[2]}", text)


def png_files(results: list[Result], labels: list[str]) -> dict[str, bytes]:
    """Each chart as PNG bytes, by file name; Chinese labels where a CJK font is available."""
    font = cjk_font()
    note = None if font else NO_CJK_NOTE
    data = [ChartData.of(r, title if len(results) > 1 else None) for r, title in zip(results, titles(results, labels))]
    files: dict[str, bytes] = {}
    for d, label in zip(data, labels):
        prefix = f"{_safe(label)}-" if len(results) > 1 else ""
        for key in charts_of(d):
            files[f"{prefix}{key}.png"] = _render(lambda: DRAW[key](d, font is not None), "png", key, font, note)
    if len(results) > 1:
        files["comparison.png"] = _render(lambda: comparison_chart(data, font is not None), "png", "comparison", font, note)
    return files


def titles(results: list[Result], labels: list[str]) -> list[str]:
    """How a comparison names each scenario: by its name, with the file's label where two share one."""
    names = [r.scenario.name for r in results]
    return [n if names.count(n) == 1 else f"{n} ({label})" for n, label in zip(names, labels)]


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name) or "scenario"


_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", SimHei, sans-serif;
       margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 0; }
.side-by-side { display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr)); gap: 1.5em; }
section.scenario { border-top: 3px solid #4472C4; padding-top: .5em; }
figure { margin: 1em 0; } figure svg { width: 100%; height: auto; }
figure[data-chart=comparison] svg { max-width: 1000px; }
svg text { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", SimHei, sans-serif !important; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .2em .5em; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.gap { color: #9C0006; font-weight: bold; } .note { color: #666; font-size: .85em; }
"""


def _summary_table(result: Result) -> str:
    s = result.summary
    rows = [("资金需求 need", s["total_need"]), ("自有资金 own funds", s["total_own_funds"]),
            ("已安排资金 funded", s["total_funded"]), ("资金缺口 gap", s["total_gap"])]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td class='n{' gap' if 'gap' in k and v > 0 else ''}'>{v:,.2f}</td></tr>" for k, v in rows)
    share = f"<tr><th>最大缺口比例 largest gap share</th><td class='n'>{s['max_gap_share']:.2%}</td></tr>"
    return f"<table class='summary'>{cells}{share}</table>"


def _section(result: Result, label: str, index: int) -> str:
    d = ChartData.of(result)
    figures = []
    for key in charts_of(d):
        svg = _svg(lambda: DRAW[key](d, True), f"{key}-{index}")
        figures.append(f"<figure data-chart='{key}'>{svg}<figcaption class='note'>{html.escape(_t(key, True))}</figcaption></figure>")
    return (f"<section class='scenario' data-scenario='{html.escape(label)}'><h2>{html.escape(result.scenario.name)}</h2>"
            f"<p class='note'>{html.escape(label)} · {html.escape(result.scenario.unit)} · {html.escape(result.solver_version)}</p>"
            f"{_summary_table(result)}{''.join(figures)}</section>")


def html_report(results: list[Result], labels: list[str]) -> str:
    """One HTML page, no external resources: each scenario's charts; several side by side."""
    title = " | ".join(r.scenario.name for r in results)
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    if len(results) > 1:
        data = [ChartData.of(r, title) for r, title in zip(results, titles(results, labels))]
        parts.append(f"<figure data-chart='comparison'>{_svg(lambda: comparison_chart(data, True), 'comparison')}</figure>")
    parts.append(f"<div class='side-by-side' style='--n: {len(results)}'>")
    parts += [_section(r, label, i) for i, (r, label) in enumerate(zip(results, labels))]
    parts.append("</div><p class='note'>金额单位见各方案 / amounts in each scenario's unit. "
                 "Generated by subsidy.</p></body></html>\n")
    return "".join(parts)
