"""The result as a workbook a finance bureau can file: `subsidy solve … --xlsx result.xlsx`.

Each filed table has a title (the scenario's name and the table's), the 编制单位 / 单位 / 日期
line, a frozen header, and a print setup (A4 landscape, fit to the page width, header rows
repeated on every page, page numbers in the footer):

    汇总        the totals, each a reference to the table it comes from
    资金分配表  enterprise × fund, what each fund pays each enterprise
    缺口表      enterprise × cost category, the gap left
    资金使用表  per fund: budget, used, left, share used
    企业情况表  per enterprise: need, own funds, need after own funds, funded, gap, gap share
    分配明细    the long table (fund, enterprise, category, amount), headers on row 1 as in
                allocations.csv, so `subsidy verify` and other readers find its columns
    说明        the rules in plain words, every assumption and every figure's source
    技术说明    what the filed tables leave out on purpose: method, solver, stage values,
                shadow prices

In Chinese every word of the filed tables is Chinese, in English every word is English (the
scenario's own names stay as written). Every total and every derived cell is a formula, so a
clerk who edits a figure sees the totals follow, and each formula is written with the value it
computes (XlsxWriter stores it beside the formula), so pandas, file previews and phone viewers
that never recalculate show the numbers too. Those values come from the exact integer amounts
in fen: a total is the sum of its rows to the fen. openpyxl, which cannot store a formula's
value, stays the reader of workbooks.

Measured on scenarios/generated/national-2000.yaml (2,000 enterprises, shared 2-core machine):
`solve -q --out` 16.3 s, `solve -q --xlsx` 17.8 s and 0.75 MB (the openpyxl writer this replaced:
26.7 s, without the stored values).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np

from subsidy.allocate.result import Result
from subsidy.output.phrases import WORKBOOK as W
from subsidy.output.result_xlsx_notes import notes, technical
from subsidy.scenario.labels import Lang, column, width

MONEY = "#,##0.00"
SHARE = "0.0%"
TITLE_ROWS = 3
"""Rows above a filed table's header: the title, the 编制单位 / 单位 / 日期 line, a blank row."""


def _col(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _cell(i: int, j: int) -> str:
    return f"{_col(j)}{i + 1}"


def _amount(fen: int) -> float:
    """Whole fen as the number a cell holds: the nearest double to the 2-decimal amount."""
    return fen / 100


@dataclass
class Look:
    """The workbook's formats, made once."""

    title: object
    line: object
    line_right: object
    header: object
    text: object
    money: object
    share: object
    total_text: object
    total_money: object
    total_share: object
    wrap: object
    gap: object

    @classmethod
    def of(cls, wb) -> "Look":
        border = {"border": 1, "valign": "vcenter"}
        total = {**border, "bold": True, "bg_color": "#F2F2F2"}
        return cls(
            title=wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            line=wb.add_format({"font_size": 10}),
            line_right=wb.add_format({"font_size": 10, "align": "right"}),
            header=wb.add_format({**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}),
            text=wb.add_format(border),
            money=wb.add_format({**border, "num_format": MONEY}),
            share=wb.add_format({**border, "num_format": SHARE}),
            total_text=wb.add_format({**total, "align": "center"}),
            total_money=wb.add_format({**total, "num_format": MONEY}),
            total_share=wb.add_format({**total, "num_format": SHARE}),
            wrap=wb.add_format({**border, "text_wrap": True, "valign": "top"}),
            gap=wb.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#F8CBAD"}),
        )


class Sheet:
    """One sheet being written: its worksheet, the formats, and the widths its text needs."""

    def __init__(self, wb, look: Look, name: str, lang: Lang):
        self.ws = wb.add_worksheet(name)
        self.look, self.name, self.lang = look, name, lang
        self.widths: dict[int, int] = {}
        self.heading_width = 0  # what the title and the 编制单位/日期 line need across the table

    def ref(self, i: int, j: int) -> str:
        return f"'{self.name}'!{_cell(i, j)}"

    def put(self, i: int, j: int, value, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(i, j, None, fmt)
            return
        self.ws.write(i, j, value, fmt)
        text = f"{value:,.2f}" if isinstance(value, float) else str(value)
        self.widths[j] = max(self.widths.get(j, 0), width(text))

    def formula(self, i: int, j: int, formula: str, value: float, fmt) -> None:
        """A formula and the value it computes, stored together."""
        self.ws.write_formula(i, j, formula, fmt, value)
        self.widths[j] = max(self.widths.get(j, 0), width(f"{value:,.2f}"))

    def heading(self, title: str, lines: tuple[str, str], columns: int) -> None:
        """The title and the 编制单位 / 单位 + 日期 line above a table `columns` wide."""
        last = max(columns - 1, 2)
        # The title is set larger than the body (×1.5), and both halves of the line below sit side by side.
        self.heading_width = max(int(width(title) * 1.5) + 2, width(lines[0]) + width(lines[1]) + 6)
        self.ws.merge_range(0, 0, 0, last, title, self.look.title)
        self.ws.set_row(0, 30)
        split = max(1, last // 2)
        self.ws.merge_range(1, 0, 1, split, lines[0], self.look.line)
        if split + 1 < last:
            self.ws.merge_range(1, split + 1, 1, last, lines[1], self.look.line_right)
        else:
            self.ws.write(1, last, lines[1], self.look.line_right)

    def headers(self, row: int, names: list[str]) -> None:
        for j, name in enumerate(names):
            self.put(row, j, name, self.look.header)

    def finish(self, header_row: int, frozen_cols: int, columns: int, lang: Lang, wrap: dict[int, int] | None = None) -> None:
        """Widths, frozen header, and the print setup of a filed table."""
        widths = [(wrap or {}).get(j) or min(50, max(8, self.widths.get(j, 0) + 2)) for j in range(columns)]
        # A narrow table (汇总: three columns) would cut its own title on paper: widen it evenly.
        short = self.heading_width - sum(widths)
        for j, w in enumerate(widths):
            self.ws.set_column(j, j, w + (-(-short // columns) if short > 0 else 0))
        self.ws.freeze_panes(header_row + 1, frozen_cols)
        ws = self.ws
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)  # as wide as the page, as many pages long as it takes
        ws.repeat_rows(header_row)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        ws.set_footer(W("footer", lang))


def _lines(result: Result, lang: Lang, issuer: str | None, today: dt.date) -> tuple[str, str]:
    """编制单位 (left blank to fill in by hand unless given), then 单位 and 日期."""
    unit = result.scenario.unit
    if lang == "en" and not unit.isascii():
        from subsidy.output.charts import UNITS_EN

        unit = f"{unit} ({UNITS_EN.get(unit, unit)})" if unit in UNITS_EN else unit
    right = f"{W('unit', lang, unit=unit)}    {W('date', lang, date=today)}"
    return W("issuer", lang, who=issuer or ""), right


def result_workbook(result: Result, lang: Lang = "zh", issuer: str | None = None, today: dt.date | None = None) -> bytes:
    """The workbook as bytes (written by the caller, atomically). `issuer` fills 编制单位;
    `today` is the date line (default: today). The same inputs on the same day give the same bytes."""
    import xlsxwriter

    today = today or dt.date.today()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    created = dt.datetime(today.year, today.month, today.day)
    wb.set_properties({"title": result.scenario.name, "created": created, "author": issuer or ""})
    look = Look.of(wb)
    lines = _lines(result, lang, issuer, today)
    summary = Sheet(wb, look, W("summary", lang), lang)
    totals: dict[str, tuple[str, int]] = {}
    _by_fund(Sheet(wb, look, W("by_fund", lang), lang), result, lang, lines)
    _gaps(Sheet(wb, look, W("gaps", lang), lang), result, lang, lines)
    totals.update(_fund_use(Sheet(wb, look, W("fund_use", lang), lang), result, lang, lines))
    totals.update(_enterprises(Sheet(wb, look, W("enterprises", lang), lang), result, lang, lines))
    if any(f.distribution is not None for f in result.scenario.funds):
        _distribution(Sheet(wb, look, W("distribution", lang), lang), result, lang, lines)
    _allocations(Sheet(wb, look, W("allocations", lang), lang), result, lang)
    notes(Sheet(wb, look, W("notes", lang), lang), result, lang, lines, TITLE_ROWS)
    technical(Sheet(wb, look, W("technical", lang), lang), result, lang)
    _summary(summary, result, lang, lines, totals)
    wb.close()
    return buf.getvalue()


def _enterprise_rows(result: Result):
    """Per enterprise with a cost line, in the scenario's order: (id, name)."""
    table = result.table("enterprises")
    return list(zip(table.columns["enterprise"], table.columns["name"]))


def _grid(rows: list[str], cols: list[str], row_keys, col_keys, fen) -> np.ndarray:
    """A matrix of fen summed by (row key, column key); -1 where no row exists."""
    ri = {k: i for i, k in enumerate(rows)}
    ci = {k: j for j, k in enumerate(cols)}
    grid = np.full((len(rows), len(cols)), -1, dtype=np.int64)
    r = np.array([ri[k] for k in row_keys], dtype=np.int64)
    c = np.array([ci[k] for k in col_keys], dtype=np.int64)
    if len(r):
        seen = np.zeros_like(grid, dtype=bool)
        seen[r, c] = True
        grid[seen] = 0
        np.add.at(grid, (r, c), np.asarray(fen, dtype=np.int64))
    return grid


def _matrix(sheet: Sheet, title: str, lines, heads: list[str], ents, grid: np.ndarray, zero_blank: bool) -> None:
    """序号 | 企业名称 | 企业代码 | one column per head | 合计, a total row under it. A cell with
    no line behind it (-1 in `grid`) is left blank (when `zero_blank`) rather than 0."""
    look, lang = sheet.look, sheet.lang
    k = len(heads)
    columns = 3 + k + 1
    sheet.heading(title, lines, columns)
    h = TITLE_ROWS
    sheet.headers(h, [W("no", lang), W("ent_name", lang), W("ent_id", lang), *heads, W("total", lang)])
    values = np.where(grid < 0, 0, grid)
    first, last = h + 1, h + len(ents)
    for n, (eid, name) in enumerate(ents):
        i = h + 1 + n
        sheet.put(i, 0, n + 1, look.text)
        sheet.put(i, 1, name, look.text)
        sheet.put(i, 2, eid, look.text)
        for j in range(k):
            fen = int(grid[n, j])
            sheet.put(i, 3 + j, None if (fen < 0 and zero_blank) else _amount(max(fen, 0)), look.money)
        sheet.formula(i, 3 + k, f"=SUM({_cell(i, 3)}:{_cell(i, 2 + k)})", _amount(int(values[n].sum())), look.money)
    t = last + 1
    sheet.ws.merge_range(t, 0, t, 2, W("total", lang), look.total_text)
    for j in range(k + 1):
        col = 3 + j
        fen = int(values[:, j].sum()) if j < k else int(values.sum())
        sheet.formula(t, col, f"=SUM({_cell(first, col)}:{_cell(last, col)})" if ents else "=0", _amount(fen), look.total_money)
    sheet.finish(h, 3, columns, lang)


def _by_fund(sheet: Sheet, result: Result, lang: Lang, lines) -> None:
    funds = result.scenario.funds
    ents = _enterprise_rows(result)
    alloc = result.table("allocations").columns
    grid = _grid([e for e, _ in ents], [f.id for f in funds], alloc["enterprise"], alloc["fund"], alloc["amount"])
    heads = [f.name if lang == "zh" else f.id for f in funds]
    _matrix(sheet, W("title", lang, name=result.scenario.name, table=W("by_fund", lang)), lines, heads, ents, grid, zero_blank=False)


def _gaps(sheet: Sheet, result: Result, lang: Lang, lines) -> None:
    table = result.scenario.category_table
    gaps = result.table("gaps").columns
    present = set(gaps["category"])
    cats = [c for c in table if c in present] + sorted(present - set(table))
    ents = _enterprise_rows(result)
    grid = _grid([e for e, _ in ents], cats, gaps["enterprise"], gaps["category"], gaps["gap"])

    def label(c: str) -> str:
        cat = table.get(c)
        return (cat.label_zh if lang == "zh" else cat.label_en) or c if cat else c

    _matrix(sheet, W("title", lang, name=result.scenario.name, table=W("gaps", lang)), lines, [label(c) for c in cats], ents, grid, zero_blank=True)


def _fund_use(sheet: Sheet, result: Result, lang: Lang, lines) -> dict[str, tuple[str, int]]:
    look = sheet.look
    funds = result.scenario.funds
    table = result.table("funds").columns
    budget, used = table["budget"].tolist(), table["used"].tolist()
    sheet.heading(W("title", lang, name=result.scenario.name, table=W("fund_use", lang)), lines, 8)
    h = TITLE_ROWS
    sheet.headers(h, [W(k, lang) for k in ("no", "fund_name", "fund_id", "level", "budget", "used", "left", "used_share")])
    first = h + 1
    for n, f in enumerate(funds):
        i = h + 1 + n
        for j, value in enumerate((n + 1, f.name, f.id, W(f.level, lang))):
            sheet.put(i, j, value, look.text)
        sheet.put(i, 4, _amount(budget[n]), look.money)
        sheet.put(i, 5, _amount(used[n]), look.money)
        sheet.formula(i, 6, f"={_cell(i, 4)}-{_cell(i, 5)}", _amount(budget[n] - used[n]), look.money)
        sheet.formula(i, 7, f"=IF({_cell(i, 4)}>0,{_cell(i, 5)}/{_cell(i, 4)},0)", used[n] / budget[n] if budget[n] else 0.0, look.share)
    last = h + len(funds)
    t = last + 1
    sheet.ws.merge_range(t, 0, t, 3, W("total", lang), look.total_text)
    sums = {4: sum(budget), 5: sum(used), 6: sum(budget) - sum(used)}
    for col, fen in sums.items():
        sheet.formula(t, col, f"=SUM({_cell(first, col)}:{_cell(last, col)})", _amount(fen), look.total_money)
    sheet.formula(t, 7, f"=IF({_cell(t, 4)}>0,{_cell(t, 5)}/{_cell(t, 4)},0)", sums[5] / sums[4] if sums[4] else 0.0, look.total_share)
    sheet.finish(h, 3, 8, lang)
    return {"total_budget": (sheet.ref(t, 4), sums[4]), "total_left": (sheet.ref(t, 6), sums[6])}


def _distribution(sheet: Sheet, result: Result, lang: Lang, lines) -> None:
    """因素法分配表: distribution.csv's rows (funds split by the factor method, region by region),
    结余 as a formula."""
    look = sheet.look
    t = result.distribution_table().columns
    names = {f.id: f.name for f in result.scenario.funds}
    heads = ("no", "fund_name", "region", "capacity_weighted", "workers", "difficulty", "factor_share", "region_amount", "used", "left")
    sheet.heading(W("title", lang, name=result.scenario.name, table=W("distribution", lang)), lines, len(heads))
    h = TITLE_ROWS
    sheet.headers(h, [W(k, lang) for k in heads])
    for n, fund in enumerate(t["fund"]):
        i = h + 1 + n
        pool = t["share"][n] == ""  # the part not split by region (share < 1): no factors of its own
        for j, value in enumerate((n + 1, names[fund], W("pool_region", lang) if pool else t["region"][n]) + ((None,) * 4 if pool else (
                float(t["capacity"][n]), t["workers"][n], float(t["difficulty"][n]), float(t["share"][n])))):
            sheet.put(i, j, value, look.share if j == 6 else look.text)
        amount, used = int(t["amount"][n]), int(t["used"][n])
        sheet.put(i, 7, _amount(amount), look.money)
        sheet.put(i, 8, _amount(used), look.money)
        sheet.formula(i, 9, f"={_cell(i, 7)}-{_cell(i, 8)}", _amount(amount - used), look.money)
    sheet.finish(h, 3, len(heads), lang)


ENTERPRISE_MONEY = ("need", "own_funds", "residual_need", "funded", "gap")


def _enterprises(sheet: Sheet, result: Result, lang: Lang, lines) -> dict[str, tuple[str, int]]:
    look = sheet.look
    table = result.table("enterprises").columns
    by_id = {e.id: e for e in result.scenario.enterprises}
    keys = ["no", "ent_name", "ent_id", "region", "industry", *ENTERPRISE_MONEY, "gap_share"]
    sheet.heading(W("title", lang, name=result.scenario.name, table=W("enterprises", lang)), lines, len(keys))
    h = TITLE_ROWS
    sheet.headers(h, [W(k, lang) for k in keys])
    money = {k: table[k].tolist() for k in ENTERPRISE_MONEY}
    ids = table["enterprise"]
    first, last = h + 1, h + len(ids)
    shares: list[float] = []
    gap_col, residual_col = 5 + ENTERPRISE_MONEY.index("gap"), 5 + ENTERPRISE_MONEY.index("residual_need")
    for n, eid in enumerate(ids):
        i = h + 1 + n
        e = by_id[eid]
        for j, value in enumerate((n + 1, e.name, eid, e.region, e.industry)):
            sheet.put(i, j, value, look.text)
        for j, k in enumerate(ENTERPRISE_MONEY, start=5):
            sheet.put(i, j, _amount(money[k][n]), look.money)
        residual, gap = money["residual_need"][n], money["gap"][n]
        share = _amount(gap) / _amount(residual) if residual > 0 else 0.0  # as the spreadsheet divides
        shares.append(share)
        sheet.formula(i, 10, f"=IF({_cell(i, residual_col)}>0,{_cell(i, gap_col)}/{_cell(i, residual_col)},0)", share, look.share)
    t = last + 1
    sheet.ws.merge_range(t, 0, t, 4, W("total", lang), look.total_text)
    out = {}
    for j, k in enumerate(ENTERPRISE_MONEY, start=5):
        fen = sum(money[k])
        sheet.formula(t, j, f"=SUM({_cell(first, j)}:{_cell(last, j)})" if ids else "=0", _amount(fen), look.total_money)
        out[f"total_{k}"] = (sheet.ref(t, j), fen)
    total_residual, total_gap = sum(money["residual_need"]), sum(money["gap"])
    sheet.formula(t, 10, f"=IF({_cell(t, residual_col)}>0,{_cell(t, gap_col)}/{_cell(t, residual_col)},0)",
                  _amount(total_gap) / _amount(total_residual) if total_residual > 0 else 0.0, look.total_share)
    out["max_share"] = (f"=MAX({sheet.ref(first, 10)}:{_cell(last, 10)})" if ids else "=0", max(shares, default=0.0))
    if ids:
        sheet.ws.conditional_format(first, gap_col, last, gap_col, {"type": "cell", "criteria": ">", "value": 0, "format": look.gap})
    sheet.finish(h, 3, len(keys), lang)
    return out


def _allocations(sheet: Sheet, result: Result, lang: Lang) -> None:
    """The long table, headers on row 1 as allocations.csv has them (with the names and the unit),
    so that readers of that file (labels.column_key) read this sheet too."""
    look = sheet.look
    sc = result.scenario
    cols = result.table("allocations").columns
    funds = {f.id: f.name for f in sc.funds}
    ents = {e.id: e.name for e in sc.enterprises}
    cats = {k: (c.label_zh if lang == "zh" else c.label_en) or k for k, c in sc.category_table.items()}
    unit = f"（{sc.unit}）" if lang == "zh" else f" ({sc.unit})"
    keys = ["fund", "fund_name", "enterprise", "enterprise_name", "category", "category_label", "amount"]
    sheet.headers(0, [column(k, lang) + (unit if k == "amount" else "") for k in keys])
    fen = cols["amount"].tolist()
    for n, (f, e, c) in enumerate(zip(cols["fund"], cols["enterprise"], cols["category"])):
        i = n + 1
        for j, value in enumerate((f, funds.get(f, f), e, ents.get(e, e), c, cats.get(c, c))):
            sheet.put(i, j, value, look.text)
        sheet.put(i, 6, _amount(fen[n]), look.money)
    t = len(fen) + 1
    sheet.put(t, 0, W("total", lang), look.total_text)
    sheet.formula(t, 6, f"=SUM(G2:G{t})" if fen else "=0", _amount(sum(fen)), look.total_money)
    sheet.ws.autofilter(0, 0, max(t - 1, 1), 6)
    sheet.finish(0, 0, 7, lang)


def _summary(sheet: Sheet, result: Result, lang: Lang, lines, totals: dict[str, tuple[str, int]]) -> None:
    look = sheet.look
    sheet.heading(W("title", lang, name=result.scenario.name, table=W("summary_title", lang)), lines, 3)
    h = TITLE_ROWS
    sheet.headers(h, [W("item", lang), W("value", lang), W("unit_head", lang)])
    unit = result.scenario.unit
    i = h + 1
    sheet.put(i, 0, W("enterprise_count", lang), look.text)
    sheet.put(i, 1, len(result.table("enterprises")), look.text)
    sheet.put(i, 2, "", look.text)
    for key in ("total_need", "total_own_funds", "total_residual_need", "total_funded", "total_gap", "total_budget", "total_left"):
        i += 1
        ref, fen = totals[key]
        sheet.put(i, 0, W("total_residual" if key == "total_residual_need" else key, lang), look.text)
        sheet.formula(i, 1, f"={ref}", _amount(fen), look.money)
        sheet.put(i, 2, unit, look.text)
    i += 1
    formula, share = totals["max_share"]
    sheet.put(i, 0, W("max_share", lang), look.text)
    sheet.formula(i, 1, formula, share, look.share)
    sheet.put(i, 2, "", look.text)
    sheet.finish(h, 0, 3, lang)
