"""The result workbook: its totals are Excel formulas, and what they compute equals the CSV exports."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from conftest import IN_CI
from openpyxl.utils import range_boundaries
from typer.testing import CliRunner

from cli import app
from conftest import SCENARIOS

runner = CliRunner()


def evaluate(wb, sheet: str, ref: str) -> Decimal:
    """The value of a cell, computing the only formulas the workbook uses: =SUM(range) and =Sheet!cell.

    Written independently of the code that writes them, so a wrong range shows here.
    """
    value = wb[sheet][ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value or 0)
    body = value[1:]
    match = re.fullmatch(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", body)
    if match:
        min_col, min_row, max_col, max_row = range_boundaries(f"{match[1]}:{match[2]}")
        return sum((evaluate(wb, sheet, wb[sheet].cell(row=r, column=c).coordinate)
                    for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)), Decimal(0))
    match = re.fullmatch(r"'?(.+?)'?!([A-Z]+\d+)", body)
    assert match, f"unexpected formula {value!r} in {sheet}!{ref}"
    return evaluate(wb, match[1], match[2])


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def column_total(rows, column) -> Decimal:
    return sum((Decimal(r[column]) for r in rows), Decimal(0))


def find_row(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value is not None and str(row[0].value).startswith(label):
            return row[0].row
    raise AssertionError(f"no row {label!r} on {ws.title}")


def headers(ws) -> dict[str, str]:
    """English header word(s) → column letter ('资金需求 need' → 'need')."""
    return {str(c.value).split(" ", 1)[1]: c.column_letter for c in ws[1] if c.value and " " in str(c.value)}


@pytest.fixture(scope="module", params=["xianan-2025", "linzi-portfolio"])
def solved(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    # CSVs with English headers, the workbook with Chinese sheet names: two runs of the same solve.
    for args in (["--out", str(out / "csv")], ["--xlsx", str(out / "result.xlsx"), "--lang", "zh"]):
        result = runner.invoke(app, ["solve", str(SCENARIOS / f"{request.param}.yaml"), *args, "-q"])
        assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out / "result.xlsx"), out / "csv"


def test_sheets_formats_and_frozen_headers(solved):
    wb, _ = solved
    assert wb.sheetnames == ["汇总", "企业", "分配明细", "企业×资金", "资金缺口", "资金使用", "数据来源"]
    gaps = wb["资金缺口"]
    assert gaps.freeze_panes == "A2" and wb["企业×资金"].freeze_panes == "C2"
    cols = headers(gaps)
    assert set(cols) >= {"enterprise", "category", "need", "own funds", "funded", "gap"}
    cell = gaps[f"{cols['need']}2"]
    assert isinstance(cell.value, (int, float)) and cell.number_format == "#,##0.00"
    # Widths fit the longest Chinese name (2 columns per character).
    longest = max(len(str(c.value)) for (c,) in gaps.iter_rows(min_col=2, max_col=2, min_row=2) if c.value)
    assert gaps.column_dimensions["B"].width >= 2 * longest
    rules = [r for rng in gaps.conditional_formatting for r in rng.rules]
    assert {r.type for r in rules} >= {"colorScale", "cellIs"}


def test_gap_and_fund_totals_are_formulas_equal_to_the_csv(solved):
    wb, csv_dir = solved
    gaps_csv = read_csv(csv_dir / "gaps.csv")
    ws = wb["资金缺口"]
    total = find_row(ws, "合计")
    cols = headers(ws)
    for name, column in (("need", "need"), ("own funds", "own_funds"), ("funded", "funded"), ("gap", "gap")):
        formula = ws[f"{cols[name]}{total}"].value
        assert formula == f"=SUM({cols[name]}2:{cols[name]}{total - 1})"
        assert evaluate(wb, ws.title, f"{cols[name]}{total}") == column_total(gaps_csv, column), name
    funds_csv = read_csv(csv_dir / "funds.csv")
    ws = wb["资金使用"]
    total, cols = find_row(ws, "合计"), headers(ws)
    for column in ("budget", "used", "left"):
        assert ws[f"{cols[column]}{total}"].value.startswith("=SUM(")
        assert evaluate(wb, ws.title, f"{cols[column]}{total}") == column_total(funds_csv, column)


def test_allocations_and_matrix_totals_equal_the_csv(solved):
    wb, csv_dir = solved
    alloc = read_csv(csv_dir / "allocations.csv")
    ws = wb["分配明细"]
    total, cols = find_row(ws, "合计"), headers(ws)
    assert evaluate(wb, ws.title, f"{cols['amount']}{total}") == column_total(alloc, "amount")
    assert ws.max_row - 2 == len(alloc)

    m = wb["企业×资金"]
    total = find_row(m, "合计")
    last_col = m.max_column
    funds = [str(m.cell(row=1, column=j).value).rsplit(" ", 1)[1] for j in range(3, last_col)]
    for j, fund in enumerate(funds, start=3):
        expected = sum((Decimal(r["amount"]) for r in alloc if r["fund"] == fund), Decimal(0))
        assert evaluate(wb, m.title, m.cell(row=total, column=j).coordinate) == expected, fund
    for i in range(2, total):
        eid = m.cell(row=i, column=1).value
        expected = sum((Decimal(r["amount"]) for r in alloc if r["enterprise"] == eid), Decimal(0))
        assert evaluate(wb, m.title, m.cell(row=i, column=last_col).coordinate) == expected, eid
    assert evaluate(wb, m.title, m.cell(row=total, column=last_col).coordinate) == column_total(alloc, "amount")


def test_summary_points_at_the_totals(solved):
    wb, csv_dir = solved
    import json

    summary = json.loads((csv_dir / "summary.json").read_text(encoding="utf-8"))
    ws = wb["汇总"]
    for label, key in (("资金需求合计", "total_need"), ("自有资金合计", "total_own_funds"),
                       ("已安排资金合计", "total_funded"), ("资金缺口合计", "total_gap")):
        row = find_row(ws, label)
        assert evaluate(wb, ws.title, f"B{row}") == Decimal(str(summary[key])), label
    assert ws[f"B{find_row(ws, '第二阶段')}"].value == summary["max_gap_share"]


def test_enterprise_sheet_totals_and_sources(solved):
    wb, csv_dir = solved
    gaps_csv = read_csv(csv_dir / "gaps.csv")
    ws = wb["企业"]
    total, cols = find_row(ws, "合计"), headers(ws)
    assert evaluate(wb, ws.title, f"{cols['gap']}{total}") == column_total(gaps_csv, "gap")
    sources = wb["数据来源"]
    kinds = {c.value for (c,) in sources.iter_rows(min_row=2, max_col=1)}
    assert {"企业 enterprise", "费用 cost line", "资金 fund"} <= kinds
    texts = " ".join(str(c.value) for row in sources.iter_rows(min_row=2) for c in row)
    assert "seed" in texts


def test_assumptions_are_listed(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "chuxiong-2025.yaml"), "--xlsx", str(tmp_path / "r.xlsx"), "--lang", "zh", "-q"])
    assert out.exit_code == 0, out.output
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["数据来源"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assumed = [r for r in rows if r[0] == "假设 assumption"]
    assert assumed and assumed[0][1] == "rate_resettlement" and "1.1751 万元/人" in assumed[0][3]


def test_english_sheet_names(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--xlsx", str(tmp_path / "r.xlsx"), "--lang", "en", "-q"])
    assert out.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[:3] == ["Summary", "Enterprises", "Allocations"]


def test_nothing_written_when_the_solve_fails(tmp_path, monkeypatch):
    import importlib

    solve_module = importlib.import_module("subsidy.pipeline")

    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise solve_module.SolveError("stage 1 (weighted gap): the solver did not reach an optimum (Infeasible)")

    monkeypatch.setattr(solve_module, "solve", fail)
    out = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--xlsx", str(target), "-q"])
    assert out.exit_code == 3
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]  # no temp file left behind


def test_unwritable_target_exits_4(tmp_path):
    out = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--xlsx", str(tmp_path / "no" / "r.xlsx"), "-q"])
    assert out.exit_code == 4 and "could not write" in out.output


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # LibreOffice's own extras
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None and not IN_CI,
                    reason="LibreOffice is not installed; the formulas are checked by the evaluator above")
def test_libreoffice_recalculates_the_same_totals(tmp_path):
    for args in (["--out", str(tmp_path / "csv")], ["--xlsx", str(tmp_path / "r.xlsx"), "--lang", "zh"]):
        assert runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), *args, "-q"]).exit_code == 0
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "calc"), str(tmp_path / "r.xlsx")], check=True, timeout=120, capture_output=True)
    ws = openpyxl.load_workbook(tmp_path / "calc" / "r.xlsx", data_only=True)["资金缺口"]
    total, cols = find_row(ws, "合计"), headers(ws)
    gaps_csv = read_csv(tmp_path / "csv" / "gaps.csv")
    assert Decimal(str(round(ws[f"{cols['gap']}{total}"].value, 2))) == column_total(gaps_csv, "gap")
