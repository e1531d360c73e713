"""The result workbook of a programme over several years (`solve --xlsx` with `years:`), filed
like the one-year workbook (`result_xlsx`: titles, 编制单位/单位/日期, frozen headers, A4 print
setup, formulas stored with their values), with the tables a programme needs:

    分年度欠付表   arrears per enterprise at the end of each year, a total row per year
    分年度拨付表   public money paid per enterprise each year, totals by row and column
    分年度资金表   per fund and year: arrived, spent, carried over, lapsed
    分配明细       the long table (fund, year, enterprise, category, amount), as allocations.csv
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np

from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.output.phrases import PROGRAMME as P
from subsidy.output.phrases import WORKBOOK as W
from subsidy.output.result_xlsx import TITLE_ROWS, Look, Sheet, _amount, _cell, _lines, _matrix
from subsidy.scenario.labels import Lang, column


def programme_workbook(result: ProgrammeResult, lang: Lang = "zh", issuer: str | None = None, today: dt.date | None = None) -> bytes:
    """The workbook as bytes (written by the caller, atomically); same inputs, same day, same bytes."""
    import xlsxwriter

    today = today or dt.date.today()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": result.scenario.name, "created": dt.datetime(today.year, today.month, today.day), "author": issuer or ""})
    look = Look.of(wb)
    lines = _lines(result, lang, issuer, today)
    years = [str(y) for y in result.years]
    yl = result.lines.lines
    names = {e.id: e.name for e in result.scenario.enterprises}
    ents = [(e, names[e]) for e in yl.enterprises]
    arrears = np.zeros((len(ents), len(years)), dtype=np.int64)
    np.add.at(arrears, yl.enterprise, result.arrears)
    _arrears(Sheet(wb, look, P("sheet_arrears", lang), lang), result, lang, lines, ents, years, arrears)
    paid = np.zeros_like(arrears)
    np.add.at(paid, yl.enterprise, result.paid)
    title = W("title", lang, name=result.scenario.name, table=P("sheet_paid", lang))
    _matrix(Sheet(wb, look, P("sheet_paid", lang), lang), title, lines, years, ents, paid, zero_blank=False)
    _funds(Sheet(wb, look, P("sheet_funds", lang), lang), result, lang, lines)
    _long(Sheet(wb, look, P("sheet_allocations", lang), lang), result, lang)
    wb.close()
    return buf.getvalue()


def _arrears(sheet: Sheet, result: ProgrammeResult, lang: Lang, lines, ents, years: list[str], arrears: np.ndarray) -> None:
    """序号 | 企业名称 | 企业代码 | one column per year (arrears at its end) | a total row per year
    (arrears are a state at each year's end: no total across years)."""
    look = sheet.look
    columns = 3 + len(years)
    sheet.heading(W("title", lang, name=result.scenario.name, table=P("sheet_arrears", lang)), lines, columns)
    h = TITLE_ROWS
    sheet.headers(h, [W("no", lang), W("ent_name", lang), W("ent_id", lang), *years])
    for n, (eid, name) in enumerate(ents):
        i = h + 1 + n
        for j, value in enumerate((n + 1, name, eid)):
            sheet.put(i, j, value, look.text)
        for k in range(len(years)):
            sheet.put(i, 3 + k, _amount(int(arrears[n, k])), look.money)
    t = h + 1 + len(ents)
    sheet.ws.merge_range(t, 0, t, 2, W("total", lang), look.total_text)
    for k in range(len(years)):
        col = 3 + k
        formula = f"=SUM({_cell(h + 1, col)}:{_cell(t - 1, col)})" if ents else "=0"
        sheet.formula(t, col, formula, _amount(int(arrears[:, k].sum())), look.total_money)
    sheet.finish(h, 3, columns, lang)


def _funds(sheet: Sheet, result: ProgrammeResult, lang: Lang, lines) -> None:
    look = sheet.look
    keys = ["arrived", "spent", "carried_over", "lapsed"]
    columns = 3 + len(keys)
    sheet.heading(W("title", lang, name=result.scenario.name, table=P("sheet_funds", lang)), lines, columns)
    h = TITLE_ROWS
    sheet.headers(h, [P("fund_name", lang), P("fund_id", lang), column("year", lang), *(column(k, lang) for k in keys)])
    fy = result.fund_years
    i = h
    for f, fund in enumerate(result.scenario.funds):
        for k, year in enumerate(result.years):
            i += 1
            for j, value in enumerate((fund.name, fund.id, year)):
                sheet.put(i, j, value, look.text)
            for j, key in enumerate(keys):
                sheet.put(i, 3 + j, _amount(int(fy[key][f, k])), look.money)
    sheet.finish(h, 3, columns, lang)


def _long(sheet: Sheet, result: ProgrammeResult, lang: Lang) -> None:
    """The allocations as allocations.csv has them, each id followed by its name (fund, enterprise,
    category label) as in the one-year workbook's 分配明细, under a one-row header (what `verify`
    reads: labels.column_key knows the name columns) and a total row."""
    look = sheet.look
    sc = result.scenario
    cols = result.table("allocations").columns
    names = {"fund": {f.id: f.name for f in sc.funds}, "enterprise": {e.id: e.name for e in sc.enterprises},
             "category": {k: (c.label_zh if lang == "zh" else c.label_en) or k for k, c in sc.category_table.items()}}
    label = {"fund": "fund_name", "enterprise": "enterprise_name", "category": "category_label"}
    keys = [k for key in cols if key != "amount" for k in ([key, label[key]] if key in label else [key])] + ["amount"]
    unit = f"（{sc.unit}）" if lang == "zh" else f" ({sc.unit})"
    sheet.headers(0, [column(k, lang) + (unit if k == "amount" else "") for k in keys])
    fen = cols["amount"].tolist()
    for n in range(len(fen)):
        row = [v for key in cols if key != "amount" for v in ([cols[key][n], names[key].get(cols[key][n], cols[key][n])]
                                                                if key in names else [cols[key][n]])]
        for j, value in enumerate(row):
            sheet.put(n + 1, j, value, look.text)
        sheet.put(n + 1, len(row), _amount(fen[n]), look.money)
    t, last = len(fen) + 1, len(keys) - 1
    sheet.put(t, 0, P("total", lang), look.total_text)
    sheet.formula(t, last, f"=SUM({_cell(1, last)}:{_cell(t - 1, last)})" if fen else "=0", _amount(sum(fen)), look.total_money)
    sheet.ws.autofilter(0, 0, max(t - 1, 1), last)
    sheet.finish(0, 0, len(keys), lang)
