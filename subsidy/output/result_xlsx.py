"""The result as a formatted Excel workbook for the bureau: `subsidy solve … --xlsx result.xlsx`.

Sheets: summary, enterprises, allocations (fund × enterprise × category), a matrix of enterprise ×
fund, gaps (highlighted where money is missing), funds (used and left), and the sources of every
figure. Amounts are numbers in the scenario unit with two decimals; every total is an Excel
formula over the cells above it, so a clerk who edits a figure sees the totals follow, and the
formulas agree with the CSV exports to the fen.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from subsidy.scenario.labels import Lang
from subsidy.allocate.result import Result

MONEY = "#,##0.00"
SHARE = "0.0%"

# Headers: Chinese and English on one line, so either reader finds the column.
HEAD = {
    "fund": ("资金", "fund"), "fund_name": ("资金名称", "fund name"), "level": ("层级", "level"),
    "enterprise": ("企业", "enterprise"), "name": ("企业名称", "name"), "category": ("费用类别", "category"),
    "category_zh": ("类别名称", "category name"), "amount": ("金额", "amount"), "need": ("资金需求", "need"),
    "own_funds": ("自有资金", "own funds"), "residual_need": ("剩余需求", "residual need"),
    "funded": ("已安排资金", "funded"), "gap": ("资金缺口", "gap"), "gap_share": ("缺口比例", "gap share"),
    "budget": ("预算", "budget"), "used": ("已使用", "used"), "left": ("结余", "left"),
    "used_share": ("使用率", "used share"), "shadow_price": ("影子价格", "shadow price"),
    "total": ("合计", "total"), "item": ("项目", "item"), "value": ("数值", "value"),
    "kind": ("类型", "kind"), "id": ("代码", "id"), "subject": ("对象", "about"), "source": ("来源/说明", "source / text"),
    "unit": ("单位", "unit"),
}

SHEETS = {
    "summary": ("汇总", "Summary"), "enterprises": ("企业", "Enterprises"), "allocations": ("分配明细", "Allocations"),
    "matrix": ("企业×资金", "Matrix"), "gaps": ("资金缺口", "Gaps"), "funds": ("资金使用", "Funds"),
    "sources": ("数据来源", "Sources"),
}


def head(key: str) -> str:
    zh, en = HEAD[key]
    return f"{zh} {en}"


@dataclass
class Table:
    """One sheet's table: header keys, rows, which columns are money, which get a total row."""

    keys: list[str]
    rows: list[list]
    money: set[str] = field(default_factory=set)
    totals: set[str] = field(default_factory=set)
    formats: dict[str, str] = field(default_factory=dict)


def _f(value: Decimal) -> float:
    return float(value)


def result_tables(result: Result) -> dict[str, Table]:
    """The workbook's tables, as plain rows (amounts as floats with two decimals)."""
    sc = result.scenario
    cats = sc.category_table
    ent_names = {e.id: e.name for e in sc.enterprises}
    fund_by_id = {f.id: f for f in sc.funds}
    money_cols = {"amount", "need", "own_funds", "residual_need", "funded", "gap", "budget", "used", "left"}

    ent = result.enterprises
    enterprises = Table(["enterprise", "name", "need", "own_funds", "residual_need", "funded", "gap", "gap_share"],
                        [[r.enterprise, r.name, *(_f(getattr(r, k)) for k in ("need", "own_funds", "residual_need", "funded", "gap")), r.gap_share]
                         for r in ent.itertuples(index=False)],
                        money_cols, {"need", "own_funds", "residual_need", "funded", "gap"}, {"gap_share": SHARE})
    allocations = Table(["fund", "fund_name", "enterprise", "name", "category", "category_zh", "amount"],
                        [[r.fund, fund_by_id[r.fund].name, r.enterprise, ent_names[r.enterprise], r.category,
                          cats[r.category].label_zh or r.category, _f(r.amount)] for r in result.allocations.itertuples(index=False)],
                        money_cols, {"amount"})
    gaps = Table(["enterprise", "name", "category", "category_zh", "need", "own_funds", "funded", "gap"],
                 [[r.enterprise, ent_names[r.enterprise], r.category, cats[r.category].label_zh or r.category,
                   *(_f(getattr(r, k)) for k in ("need", "own_funds", "funded", "gap"))] for r in result.gaps.itertuples(index=False)],
                 money_cols, {"need", "own_funds", "funded", "gap"})
    funds = Table(["fund", "fund_name", "level", "budget", "used", "left", "used_share", "shadow_price"],
                  [[r.fund, fund_by_id[r.fund].name, fund_by_id[r.fund].level, _f(r.budget), _f(r.used), _f(r.left),
                    float(r.used / r.budget) if r.budget else 0.0, r.shadow_price] for r in result.funds.itertuples(index=False)],
                  money_cols, {"budget", "used", "left"}, {"used_share": SHARE, "shadow_price": "0.0000"})
    return {"enterprises": enterprises, "allocations": allocations, "gaps": gaps, "funds": funds}


def matrix(result: Result) -> tuple[list[str], list[tuple[str, str, list[float]]]]:
    """Enterprise × fund: the fund ids, and per enterprise (id, name, amount per fund)."""
    funds = [f.id for f in result.scenario.funds]
    cells: dict[tuple[str, str], Decimal] = {}
    for r in result.allocations.itertuples(index=False):
        cells[(r.enterprise, r.fund)] = cells.get((r.enterprise, r.fund), Decimal(0)) + r.amount
    rows = [(r.enterprise, r.name, [_f(cells.get((r.enterprise, f), Decimal(0))) for f in funds])
            for r in result.enterprises.itertuples(index=False)]
    return funds, rows


def sources(result: Result) -> list[list]:
    """Where every figure comes from: enterprises, their cost lines, funds, and the assumptions."""
    sc = result.scenario
    rows: list[list] = []
    for e in sc.enterprises:
        rows.append(["企业 enterprise", e.id, e.name, e.source])
        for cat in e.costs:
            if cat in e.cost_sources:
                rows.append(["费用 cost line", e.id, cat, e.cost_sources[cat]])
    for f in sc.funds:
        rows.append(["资金 fund", f.id, f.name, f.source])
    for a in sc.assumptions:
        value = "" if a.value is None else f"{a.value}{' ' + a.unit if a.unit else ''}"
        rows.append(["假设 assumption", a.id, a.text, f"{value} — {a.source}".strip(" —") if value else a.source])
    return rows


def result_workbook(result: Result, lang: Lang = "zh") -> bytes:
    """The formatted workbook as bytes (written by the caller, atomically)."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from subsidy.scenario.xlsx_style import autosize, style_header

    name = {k: (zh if lang == "zh" else en) for k, (zh, en) in SHEETS.items()}
    wb = Workbook()
    summary_ws = wb.active
    summary_ws.title = name["summary"]
    tables = result_tables(result)
    total_cells: dict[tuple[str, str], str] = {}  # (sheet, key) → 'Sheet'!X9 of its total

    def write_table(key: str, table: Table):
        ws = wb.create_sheet(name[key])
        ws.append([head(k) for k in table.keys])
        for row in table.rows:
            ws.append(row)
        last = len(table.rows) + 1
        for j, k in enumerate(table.keys, start=1):
            fmt = MONEY if k in table.money else table.formats.get(k)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                    cell.number_format = fmt
        if table.totals:
            ws.append([head("total")])
            total_row = last + 1
            for j, k in enumerate(table.keys, start=1):
                if k in table.totals:
                    letter = get_column_letter(j)
                    cell = ws.cell(row=total_row, column=j, value=f"=SUM({letter}2:{letter}{last})" if last >= 2 else 0)
                    cell.number_format = MONEY
                    total_cells[(key, k)] = f"'{ws.title}'!{letter}{total_row}"
            for cell in ws[total_row]:
                cell.font = Font(bold=True)
        style_header(ws)
        autosize(ws)
        return ws, last

    red = PatternFill("solid", fgColor="F8CBAD")
    ws, last = write_table("enterprises", tables["enterprises"])
    if last >= 2:
        ws.conditional_formatting.add(f"G2:G{last}", CellIsRule(operator="greaterThan", formula=["0"], fill=red))
        ws.conditional_formatting.add(f"H2:H{last}", DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="E06666"))
    write_table("allocations", tables["allocations"])
    _write_matrix(wb.create_sheet(name["matrix"]), result)
    ws, last = write_table("gaps", tables["gaps"])
    if last >= 2:
        ws.conditional_formatting.add(f"H2:H{last}", ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF",
                                                                    end_type="max", end_color="E06666"))
        ws.conditional_formatting.add(f"H2:H{last}", CellIsRule(operator="greaterThan", formula=["0"], font=Font(bold=True, color="9C0006")))
    ws, last = write_table("funds", tables["funds"])
    if last >= 2:
        ws.conditional_formatting.add(f"G2:G{last}", DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="5B9BD5"))
    src = wb.create_sheet(name["sources"])
    src.append([head(k) for k in ("kind", "id", "subject", "source")])
    for row in sources(result):
        src.append(row)
    style_header(src)
    autosize(src, maximum=100)

    _write_summary(summary_ws, result, total_cells)
    wb.calculation.fullCalcOnLoad = True  # cached values are not stored: let Excel/WPS compute on open
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_matrix(ws, result: Result) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from subsidy.scenario.xlsx_style import autosize, style_header

    names = {f.id: f.name for f in result.scenario.funds}
    funds, rows = matrix(result)
    ws.append([head("enterprise"), head("name"), *(f"{names[f]} {f}" for f in funds), head("total")])
    for eid, ename, amounts in rows:
        ws.append([eid, ename, *amounts])
    last = len(rows) + 1
    total_col = len(funds) + 3
    end = get_column_letter(total_col - 1)
    for i in range(2, last + 1):
        ws.cell(row=i, column=total_col, value=f"=SUM(C{i}:{end}{i})")
    ws.append([head("total")])
    for j in range(3, total_col + 1):
        letter = get_column_letter(j)
        ws.cell(row=last + 1, column=j, value=f"=SUM({letter}2:{letter}{last})" if last >= 2 else 0)
    for row in ws.iter_rows(min_row=2, max_row=last + 1, min_col=3, max_col=total_col):
        for cell in row:
            cell.number_format = MONEY
    for cell in ws[last + 1]:
        cell.font = Font(bold=True)
    style_header(ws)
    ws.freeze_panes = "C2"
    autosize(ws)


def _write_summary(ws, result: Result, total_cells: dict[tuple[str, str], str]) -> None:
    from openpyxl.styles import Font

    from subsidy.scenario.xlsx_style import autosize, style_header

    s = result.summary
    ws.append([head("item"), head("value"), head("unit")])
    unit = result.scenario.unit
    rows = [
        ("方案 scenario", result.scenario.name, ""),
        ("状态 status", s["status"], ""),
        ("求解器 solver", s["solver_version"], ""),
        ("第一阶段 加权缺口 stage-1 weighted gap", s["objective_weighted_gap"], ""),
        ("第二阶段 最大缺口比例 stage-2 largest gap share", s["max_gap_share"], ""),
        ("资金需求合计 total need", f"={total_cells[('gaps', 'need')]}", unit),
        ("自有资金合计 total own funds", f"={total_cells[('gaps', 'own_funds')]}", unit),
        ("已安排资金合计 total funded", f"={total_cells[('gaps', 'funded')]}", unit),
        ("资金缺口合计 total gap", f"={total_cells[('gaps', 'gap')]}", unit),
        ("资金预算合计 total budget", f"={total_cells[('funds', 'budget')]}", unit),
        ("资金结余合计 total left", f"={total_cells[('funds', 'left')]}", unit),
        ("方案文件 sha256 scenario sha256", s["scenario_sha256"] or "", ""),
    ]
    for label, value, u in rows:
        ws.append([label, value, u])
    for row in ws.iter_rows(min_row=2):
        label, value = row[0], row[1]
        label.font = Font(bold=True)
        if isinstance(value.value, str) and value.value.startswith("="):
            value.number_format = MONEY
        elif "share" in str(label.value):
            value.number_format = "0.00%"
    style_header(ws)
    autosize(ws, minimum={2: 16})
