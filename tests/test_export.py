"""The output contract: four files, UTF-8 with BOM, sums exact to the fen, all or nothing."""

import csv
import io
import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import subsidy.output.result_csv as export
from cli import app
from conftest import SCENARIOS, make_scenario
from subsidy.scenario.load import load_scenario
from subsidy.pipeline import solve

runner = CliRunner()


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def fen(text):
    d = Decimal(text)
    assert d == d.quantize(Decimal("0.01")) and len(text.split(".")[-1]) == 2, text
    return int(d * 100)


@pytest.fixture(scope="module")
def linzi_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    res = runner.invoke(app, ["solve", str(SCENARIOS / "linzi-portfolio.yaml"), "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    return out


def test_writes_exactly_the_contract_files(linzi_out):
    assert sorted(p.name for p in linzi_out.iterdir()) == sorted(export.CONTRACT_FILES)
    assert list(read_csv(linzi_out / "allocations.csv")[0]) == ["fund", "enterprise", "category", "amount"]
    assert list(read_csv(linzi_out / "gaps.csv")[0]) == ["enterprise", "category", "need", "own_funds", "funded", "gap"]
    assert list(read_csv(linzi_out / "funds.csv")[0]) == ["fund", "budget", "used", "left", "shadow_price"]
    summary = json.loads((linzi_out / "summary.json").read_text(encoding="utf-8"))
    for key in ["status", "objective_weighted_gap", "max_gap_share", "total_need", "total_own_funds",
                "total_funded", "total_gap", "solver", "scenario_sha256"]:
        assert key in summary
    assert summary["status"] == "optimal" and (summary["method"], summary["solver"]) == ("flow", "ortools")
    assert len(summary["scenario_sha256"]) == 64


def test_tables_reconcile_to_the_fen(linzi_out):
    allocations = read_csv(linzi_out / "allocations.csv")
    gaps = read_csv(linzi_out / "gaps.csv")
    funds = read_csv(linzi_out / "funds.csv")
    summary = json.loads((linzi_out / "summary.json").read_text(encoding="utf-8"))
    assert all(fen(r["amount"]) > 0 for r in allocations)
    # Per fund: Σ rounded allocations == rounded used; used + left == budget.
    for f in funds:
        rows = [fen(r["amount"]) for r in allocations if r["fund"] == f["fund"]]
        assert sum(rows) == fen(f["used"])
        assert fen(f["used"]) + fen(f["left"]) == fen(f["budget"])
    # Per cost line: need − own funds − funded == gap, and funded == Σ allocations to it.
    for g in gaps:
        assert fen(g["need"]) - fen(g["own_funds"]) - fen(g["funded"]) == fen(g["gap"])
        paid = [fen(r["amount"]) for r in allocations if (r["enterprise"], r["category"]) == (g["enterprise"], g["category"])]
        assert sum(paid) == fen(g["funded"])
    # Totals in summary.json are the column sums.
    for key, column in [("total_need", "need"), ("total_own_funds", "own_funds"), ("total_funded", "funded"), ("total_gap", "gap")]:
        assert round(summary[key] * 100) == sum(fen(g[column]) for g in gaps)
    assert sum(fen(f["used"]) for f in funds) == round(summary["total_funded"] * 100)


def test_chinese_headers(tmp_path):
    out = tmp_path / "zh"
    res = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--out", str(out), "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert list(read_csv(out / "gaps.csv")[0]) == ["企业", "企业名称", "费用类别", "类别名称", "资金需求（万元）",
                                                   "自有资金（万元）", "已安排资金（万元）", "资金缺口（万元）"]
    assert "资金缺口" in res.output  # the printed summary follows --lang too


def test_two_runs_are_byte_identical(tmp_path):
    for name in ("a", "b"):
        assert runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--out", str(tmp_path / name), "-q"]).exit_code == 0
    for f in export.CONTRACT_FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_failure_while_writing_leaves_a_new_dir_uncreated(tmp_path, monkeypatch):
    result = solve(load_scenario(SCENARIOS / "xianan-2025.yaml"))
    files = export.render_contract(result)
    files["summary.json"] = None  # writing this one fails half-way through
    out = tmp_path / "out"
    with pytest.raises(TypeError):
        export.write_files_atomically(out, files)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind


def test_failure_while_writing_leaves_an_existing_dir_unchanged(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "gaps.csv").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    files = export.render_contract(solve(load_scenario(SCENARIOS / "xianan-2025.yaml")))
    files["summary.json"] = None
    with pytest.raises(TypeError):
        export.write_files_atomically(out, files)
    assert sorted(p.name for p in out.iterdir()) == ["gaps.csv", "notes.txt"]
    assert (out / "gaps.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_reports_an_unwritable_target_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--out", str(blocker / "sub"), "-q"])
    assert res.exit_code == 4
    assert res.output.strip().splitlines()[-1].startswith("错误 / error: ")  # a write failure's message is in neither language of the scenario: both words
    assert blocker.read_text(encoding="utf-8") == "x"


def test_shadow_prices_in_funds_csv_are_stage_one_duals():
    # One fund of 50 against resettlement 80 (weight 3): a unit more saves 3 of weighted gap.
    s = make_scenario([{"costs": {"resettlement": 80}}], [{"id": "f", "budget": 50, "categories": ["resettlement"]}])
    rows = list(csv.DictReader(io.StringIO(export.csv_bytes(solve(s).table("funds")).decode("utf-8-sig"))))
    assert rows == [{"fund": "f", "budget": "50.00", "used": "50.00", "left": "0.00", "shadow_price": "3.0"}]


def test_new_output_dir_gets_ordinary_permissions(tmp_path):
    import os

    out = tmp_path / "out"
    export.write_files_atomically(out, {"a.csv": b"x"})
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask


def test_fen_text_writes_what_decimal_writes():
    """Cells formatted from integer fen equal Decimal's own two-place formatting, signs included."""
    import numpy as np

    from subsidy.output.result_csv import fen_text

    values = [0, 1, 5, 99, 100, 101, 12345, 10**14, -1, -99, -100, -12345]
    assert fen_text(np.array(values, dtype=np.int64)) == [f"{Decimal(v).scaleb(-2):.2f}" for v in values]
    assert fen_text(np.array([0, 7, 250], dtype=np.int64)) == ["0.00", "0.07", "2.50"]
