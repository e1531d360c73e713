"""The filed workbook (`solve --xlsx`): every formula carries the value it computes, those values
equal the CSV exports and summary.json to the fen, and every filed table prints (A4 landscape,
one page wide, header rows repeated, page numbers)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from conftest import IN_CI, SCENARIOS
from openpyxl.utils import range_boundaries
from typer.testing import CliRunner

from cli import app

runner = CliRunner()

FILED_ZH = ["汇总", "资金分配表", "缺口表", "资金使用表", "企业情况表", "说明"]
SHEETS_ZH = ["汇总", "资金分配表", "缺口表", "资金使用表", "企业情况表", "分配明细", "说明", "技术说明"]
HEADER_ROW = 4  # title, 编制单位 / 单位 / 日期, a blank row, then the header


def _value(wb, sheet: str, ref: str):
    """A cell's value, computing formulas from the cells they name: written independently of the
    writer, for the only forms it uses: =SUM(range), =MAX(range), =A1-B1, =IF(A1>0,B1/A1,0) and
    ='Sheet'!A1. Money comes back as Decimal (exact sums), shares as float."""
    value = wb[sheet][ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(value or 0) if not isinstance(value, str) else value
    body = value[1:]
    if m := re.fullmatch(r"(SUM|MAX)\(('?(.+?)'?!)?([A-Z]+\d+):([A-Z]+\d+)\)", body):
        target = m[3] or sheet
        c0, r0, c1, r1 = range_boundaries(f"{m[4]}:{m[5]}")
        cells = [_value(wb, target, wb[target].cell(row=r, column=c).coordinate)
                 for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        cells = [c for c in cells if not isinstance(c, str)]
        return sum(cells, Decimal(0)) if m[1] == "SUM" else max(cells)
    if m := re.fullmatch(r"([A-Z]+\d+)-([A-Z]+\d+)", body):
        return _value(wb, sheet, m[1]) - _value(wb, sheet, m[2])
    if m := re.fullmatch(r"IF\(([A-Z]+\d+)>0,([A-Z]+\d+)/([A-Z]+\d+),0\)", body):
        assert m[1] == m[3]
        below = _value(wb, sheet, m[1])
        return float(_value(wb, sheet, m[2]) / below) if below > 0 else 0.0
    if m := re.fullmatch(r"'?(.+?)'?!([A-Z]+\d+)", body):
        return _value(wb, m[1], m[2])
    if body == "0":
        return Decimal(0)
    raise AssertionError(f"unexpected formula {value!r} in {sheet}!{ref}")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def fen(text) -> int:
    return int(Decimal(str(text)) * 100)


def row_of(ws, label: str) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == label:
            return cell.row
    raise AssertionError(f"no row {label!r} on {ws.title}")


def header(ws, row: int = HEADER_ROW) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


@pytest.fixture(scope="module", params=["xianan-2025", "linzi-portfolio"])
def solved(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    # The CSV contract (English by default) and the workbook (Chinese: the scenario's names are).
    args = ["--out", str(out / "csv"), "--xlsx", str(out / "result.xlsx"), "--issuer", "某某区财政局", "-q"]
    result = runner.invoke(app, ["solve", str(SCENARIOS / f"{request.param}.yaml"), *args])
    assert result.exit_code == 0, result.output
    return (openpyxl.load_workbook(out / "result.xlsx"), openpyxl.load_workbook(out / "result.xlsx", data_only=True),
            out / "csv")


def test_every_formula_has_its_value_stored_and_it_is_what_the_formula_computes(solved):
    formulas, values, _ = solved
    count = 0
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                count += 1
                stored = values[ws.title][cell.coordinate].value
                assert isinstance(stored, (int, float)), f"{ws.title}!{cell.coordinate} {cell.value} has no value"
                computed = _value(formulas, ws.title, cell.coordinate)
                if isinstance(computed, Decimal):  # money: the stored double is the 2-decimal sum
                    assert Decimal(repr(float(stored))).quantize(Decimal("0.01")) == computed.quantize(Decimal("0.01"))
                    assert abs(Decimal(repr(float(stored))) - computed) < Decimal("1e-6"), (ws.title, cell.coordinate)
                else:
                    assert stored == pytest.approx(computed, rel=1e-12, abs=1e-15), (ws.title, cell.coordinate)
    assert count > 20


def test_totals_equal_the_csv_files_and_summary_json(solved):
    formulas, values, csv_dir = solved
    gaps, alloc, funds = (read_csv(csv_dir / f"{n}.csv") for n in ("gaps", "allocations", "funds"))
    summary = json.loads((csv_dir / "summary.json").read_text(encoding="utf-8"))

    # 缺口表: per enterprise the sum of its lines' gaps; the total the sum of gaps.csv.
    ws = values["缺口表"]
    cols, total = header(ws), row_of(ws, "合计")
    for i in range(HEADER_ROW + 1, total):
        eid = ws.cell(row=i, column=cols["企业代码"]).value
        assert fen(ws.cell(row=i, column=cols["合计"]).value) == sum(fen(g["gap"]) for g in gaps if g["enterprise"] == eid), eid
    assert fen(ws.cell(row=total, column=cols["合计"]).value) == sum(fen(g["gap"]) for g in gaps) == fen(summary["total_gap"])

    # 资金分配表: each fund's column total is what allocations.csv gives that fund.
    ws = values["资金分配表"]
    cols, total = header(ws), row_of(ws, "合计")
    names = {f["fund"]: f for f in funds}
    scenario_funds = [c for c in cols if c not in ("序号", "企业名称", "企业代码", "合计")]
    assert len(scenario_funds) == len(names)
    for fund_id, fund_name in zip(names, scenario_funds):
        expected = sum(fen(a["amount"]) for a in alloc if a["fund"] == fund_id)
        assert fen(ws.cell(row=total, column=cols[fund_name]).value) == expected == fen(names[fund_id]["used"]), fund_id
    assert fen(ws.cell(row=total, column=cols["合计"]).value) == fen(summary["total_funded"])

    # 资金使用表: budget, used, left against funds.csv.
    ws = values["资金使用表"]
    cols, total = header(ws), row_of(ws, "合计")
    for head, key in (("预算", "budget"), ("已使用", "used"), ("结余", "left")):
        assert fen(ws.cell(row=total, column=cols[head]).value) == sum(fen(f[key]) for f in funds), key

    # 汇总 refers to those totals.
    ws = values["汇总"]
    for label, key in (("资金需求合计", "total_need"), ("自有资金合计", "total_own_funds"),
                       ("已安排资金合计", "total_funded"), ("资金缺口合计", "total_gap")):
        assert fen(ws.cell(row=row_of(ws, label), column=2).value) == fen(summary[key]), label
    # The largest gap share of an enterprise is the stage-2 value, to the rounding of the fen.
    assert ws.cell(row=row_of(ws, "单户最大缺口比例"), column=2).value == pytest.approx(summary["max_gap_share"], abs=1e-4)


def test_every_filed_table_prints(solved):
    formulas, _, _ = solved
    assert formulas.sheetnames == SHEETS_ZH
    for name in SHEETS_ZH:
        ws = formulas[name]
        setup = ws.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 9, name  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0, name  # one page wide
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, name
        filed = name in FILED_ZH
        assert ws.print_title_rows == (f"${HEADER_ROW}:${HEADER_ROW}" if filed else "$1:$1"), name
        assert ws.freeze_panes.endswith(str(HEADER_ROW + 1) if filed else "2"), name


def test_title_issuer_unit_and_date_lines(solved):
    formulas, _, _ = solved
    for name in FILED_ZH:
        ws = formulas[name]
        table = "资金安排汇总表" if name == "汇总" else name
        assert ws["A1"].value.endswith(f"淘汰落后产能 {table}") or ws["A1"].value.endswith(f"淘汰落后产能组合 {table}"), ws["A1"].value
        line = " ".join(str(c.value) for c in ws[2] if c.value)
        assert "编制单位：某某区财政局" in line and "单位：万元" in line and re.search(r"日期：\d{4}年\d{1,2}月\d{1,2}日", line), name


def test_chinese_tables_hold_no_jargon_and_no_english_headers(solved):
    formulas, _, _ = solved
    for name in FILED_ZH:
        ws = formulas[name]
        heads = [c.value for c in ws[HEADER_ROW] if c.value]
        assert all(re.search("[\u4e00-\u9fff]", h) for h in heads), (name, heads)
        text = " ".join(str(c.value) for row in ws.iter_rows(max_row=min(ws.max_row, 40)) for c in row
                        if c.value is not None and c.column_letter in "ABCD")
        for word in ("加权", "影子价格", "optimal", "OR-Tools", "HiGHS", "flow"):
            assert word not in text, (name, word)
    technical = " ".join(str(c.value) for row in formulas["技术说明"].iter_rows() for c in row)
    assert "影子价格" in technical and "加权缺口" in technical


def test_the_long_table_reads_like_allocations_csv(solved):
    from subsidy.scenario.labels import column_key

    formulas, values, csv_dir = solved
    ws = values["分配明细"]
    keys = [column_key(c.value) for c in ws[1]]
    assert keys == ["fund", "fund_name", "enterprise", "enterprise_name", "category", "category_label", "amount"]
    assert ws["G1"].value == "金额（万元）"
    alloc = read_csv(csv_dir / "allocations.csv")
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=len(alloc) + 1)]
    assert [(r[0], r[2], r[4], fen(r[6])) for r in rows] == [(a["fund"], a["enterprise"], a["category"], fen(a["amount"])) for a in alloc]
    assert ws.cell(row=len(alloc) + 2, column=1).value == "合计"


def test_english_workbook_is_english(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "linzi-portfolio.yaml"), "--xlsx", str(tmp_path / "r.xlsx"), "--lang", "en", "-q"])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["Summary", "Allocation by fund", "Gaps by category", "Fund use", "Enterprises",
                             "Allocations", "Notes", "Technical details"]
    for name in ("Summary", "Allocation by fund", "Gaps by category", "Fund use", "Enterprises", "Notes"):
        heads = [c.value for c in wb[name][HEADER_ROW] if c.value]
        assert not any(re.search("[\u4e00-\u9fff]", h) for h in heads), (name, heads)
        assert "Unit: 万元 (10,000 yuan)" in " ".join(str(c.value) for c in wb[name][2] if c.value)


def test_notes_state_the_rules_and_every_assumption_with_its_source(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "chuxiong-2025.yaml"), "--xlsx", str(tmp_path / "r.xlsx"), "-q"])
    assert out.exit_code == 0, out.output
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["说明"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assumed = [r for r in rows if r[1] == "测算假设"]
    assert assumed and assumed[0][2] == "rate_resettlement" and "1.1751 万元/人" in assumed[0][3] and assumed[0][4]
    funds = [r for r in rows if r[1] == "资金"]
    assert funds and all(r[3].startswith("预算 ") and "可支付" in r[3] for r in funds)
    assert any("《企业破产法》" in (r[3] or "") for r in rows)


def test_same_day_same_bytes():
    from subsidy.output.result_xlsx import result_workbook
    from subsidy.pipeline import solve
    from subsidy.scenario.load import load_scenario

    result = solve(load_scenario(SCENARIOS / "xianan-2025.yaml"))
    day = dt.date(2026, 3, 1)
    assert result_workbook(result, "zh", today=day) == result_workbook(result, "zh", today=day)


# Two resettlement lines of 75 each must be fully covered (minimum coverage 1.0), and only fund a
# (budget 100) pays resettlement: 75 + 75 = 150 > 100. Each line fits a alone, and the leasts (150)
# fit the budgets in all (a 100 + b 100, b paying bank debt only), so the diagnosis finds nothing
# and only the solve shows the conflict: exit 3.
COVERAGE_CONFLICT = """\
name: two lines, one fund
enterprises:
  - {id: e1, name: 甲厂, region: 湖北/咸宁, industry: cement, costs: {resettlement: 75, bank_debt: 10}}
  - {id: e2, name: 乙厂, region: 湖北/咸宁, industry: cement, costs: {resettlement: 75, bank_debt: 10}}
funds:
  - {id: a, name: 甲资金, budget: 100, categories: [resettlement]}
  - {id: b, name: 乙资金, budget: 100, categories: [bank_debt]}
policy: {minimum_coverage: {resettlement: 1.0}}
"""


def test_nothing_written_when_the_solve_fails(tmp_path):
    # A real failure, not a stand-in for pipeline.solve: a stand-in was picked up for good by the
    # modules the failure path imports for the first time (output.analysis_text imports
    # analysis.explain, which binds `solve` by name), so a later explain in the same process
    # (tests/test_clerk_slips.py) raised this test's "Infeasible".
    scenario = tmp_path / "conflict.yaml"
    scenario.write_text(COVERAGE_CONFLICT, encoding="utf-8")
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")

    out = runner.invoke(app, ["solve", str(scenario), "--xlsx", str(target), "-q", "--lang", "en"])
    assert out.exit_code == 3, out.output
    assert "coverage[e1,resettlement], coverage[e2,resettlement], budget[a]" in out.output
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conflict.yaml", "r.xlsx"]  # no temp file left behind


def test_unwritable_target_exits_4(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--xlsx", str(tmp_path / "no" / "r.xlsx"), "-q"])
    assert out.exit_code == 4 and "could not write" in out.output


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # LibreOffice's own extras
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None and not IN_CI,
                    reason="LibreOffice is not installed; the formulas are checked by the evaluator above")
def test_libreoffice_recalculates_the_same_totals(tmp_path):
    """LibreOffice recomputes every formula on load: its 缺口表 total is the CSV's total gap."""
    args = ["--out", str(tmp_path / "csv"), "--xlsx", str(tmp_path / "r.xlsx"), "-q"]
    assert runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), *args]).exit_code == 0
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "calc"), str(tmp_path / "r.xlsx")], check=True, timeout=120, capture_output=True)
    ws = openpyxl.load_workbook(tmp_path / "calc" / "r.xlsx", data_only=True)["缺口表"]
    total, cols = row_of(ws, "合计"), header(ws)
    gaps_csv = read_csv(tmp_path / "csv" / "gaps.csv")
    assert fen(round(ws.cell(row=total, column=cols["合计"]).value, 2)) == sum(fen(g["gap"]) for g in gaps_csv)
