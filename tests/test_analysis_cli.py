"""The analysis commands on the shipped scenarios, as a clerk runs them."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("name", ["xianan-2025.yaml", "chuxiong-2025.yaml", "linzi-portfolio.yaml",
                                  "options/xianan-more-central.yaml"])
def test_explain_and_close_gap_on_shipped_scenarios(scenarios_dir, name):
    for command in ("explain", "close-gap"):
        for lang in ("en", "zh"):
            result = run(command, scenarios_dir / name, "--lang", lang)
            assert result.exit_code == 0, result.output
            assert ("资金缺口" if lang == "zh" else "total gap") in result.output


def test_explain_output(scenarios_dir):
    out = run("explain", scenarios_dir / "xianan-2025.yaml", "--lang", "en").output  # Chinese by default: its names are
    assert "central_reward budget (300.00) is fully used" in out
    assert "cap_enterprise[central_reward, wenquan (咸安区温泉电石总厂)] binds at 120.00" in out
    assert "operating_loss 150.00, no fund may pay this category" in out


def test_close_gap_output_and_errors(scenarios_dir):
    path = scenarios_dir / "xianan-2025.yaml"
    out = run("close-gap", path, "--lang", "en").output
    assert "Least extra budget: 160.60 万元 in total" in out and "No fund may pay these categories at all: operating_loss 150.00" in out
    assert "Goal: total gap at most 200.00 万元." in run("close-gap", path, "--target", "200", "--lang", "en").output
    assert "xianan_district +160.60" in run("close-gap", path, "--fund", "xianan_district", "--lang", "en").output
    bad = run("close-gap", path, "--target", "1.234")
    assert bad.exit_code == 2 and "error: --target: must have at most 2 decimals" in bad.output
    bad = run("close-gap", path, "--fund", "nope")
    assert bad.exit_code == 2 and "unknown fund 'nope'" in bad.output


def test_compare(scenarios_dir, tmp_path):
    options = scenarios_dir / "options"
    result = run("compare", scenarios_dir / "xianan-2025.yaml", options / "xianan-more-central.yaml",
                 options / "xianan-xianning-fund.yaml", "--out", tmp_path / "cmp", "--lang", "en")
    assert result.exit_code == 0, result.output
    # Options are named by their scenarios' names (the files' names differ from them).
    base, more, xianning = "咸安区 2025 淘汰落后产能", "咸安区 2025 淘汰落后产能（方案：中央奖励资金增加 100 万元）", \
        "咸安区 2025 淘汰落后产能（方案：咸宁市配套 80 万元）"
    assert f"{more} against {base}" in result.output and "xianan-more-central" not in result.output
    table = pd.read_csv(tmp_path / "cmp" / "enterprises.csv", encoding="utf-8-sig")
    assert set(table["scenario"]) == {base, more, xianning}
    assert list(table.columns[:5]) == ["scenario", "enterprise", "name", "present", "need"]  # English: the keys
    assert run("compare", scenarios_dir / "xianan-2025.yaml").exit_code == 2


def test_sweep(scenarios_dir, tmp_path):
    path = scenarios_dir / "xianan-2025.yaml"
    out = tmp_path / "s.csv"
    result = run("sweep", path, "--vary", "funds.central_reward.budget=0:300:100", "--vary", "categories.bank_debt.weight=1,2",
                 "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "8 points" in result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 8 and table["total_gap"].iloc[-1] == 310.60
    printed = run("sweep", path, "--vary", "funds.central_reward.budget=0,300")
    assert printed.exit_code == 0 and "310.60" in printed.output
    bad = run("sweep", path, "--vary", "funds.nope.budget=1")
    assert bad.exit_code == 2 and "error: --vary funds.nope.budget: no entry 'nope' in funds" in bad.output
    assert run("sweep", path, "--vary", "funds.central_reward.budget=1", "--out", tmp_path / "s.txt").exit_code == 2
