"""The library API as the README shows it: load any format, solve, read the DataFrames, make a variant."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from typer.testing import CliRunner

import subsidy
from cli import app
from conftest import SCENARIOS
from subsidy.scenario.convert import write_scenario


@pytest.fixture(scope="module")
def xianan():
    return subsidy.solve(subsidy.load(SCENARIOS / "xianan-2025.yaml"))


def test_load_any_format_and_solve_to_dataframes(tmp_path):
    scenario = subsidy.load(SCENARIOS / "xianan-2025.yaml")
    for suffix in (".json", ".xlsx"):
        write_scenario(scenario, tmp_path / f"s{suffix}")
        assert subsidy.load(tmp_path / f"s{suffix}") == scenario
    result = subsidy.solve(subsidy.load(tmp_path / "s.xlsx"))
    assert list(result.allocations.columns) == ["fund", "enterprise", "category", "amount", "amount_fen"]
    assert list(result.gaps.columns) == ["enterprise", "category", "need", "own_funds", "funded", "gap",
                                         "need_fen", "own_funds_fen", "funded_fen", "gap_fen"]
    assert list(result.funds.columns) == ["fund", "budget", "used", "left", "shadow_price", "budget_fen", "used_fen", "left_fen"]
    # The exact columns agree with each other to the fen.
    gaps = result.gaps
    assert (gaps["need_fen"] - gaps["own_funds_fen"] - gaps["funded_fen"] == gaps["gap_fen"]).all()
    assert result.allocations.amount_fen.sum() == result.funds.used_fen.sum() == gaps.funded_fen.sum()
    # Wenquan: need 993.6 (seed), own funds 640 (seed).
    wenquan = result.enterprises.set_index("enterprise").loc["wenquan"]
    assert wenquan["need"] == 993.6 and wenquan["need_fen"] == 99360 and wenquan["own_funds"] == 640.0


def test_amounts_are_numbers_equal_to_what_the_files_hold(xianan, tmp_path):
    gaps = xianan.gaps
    for column in ("need", "own_funds", "funded", "gap"):
        assert gaps[column].dtype == np.float64 and gaps[f"{column}_fen"].dtype == np.int64
        # Each float is the nearest double to the 2-decimal text in gaps.csv: fen / 100.
        assert list(gaps[column]) == [f / 100 for f in gaps[f"{column}_fen"]]
    assert gaps.describe().loc["count", "gap"] == len(gaps)      # numeric, not text
    # 10 % more on every gap: 310.60 × 1.1 = 341.66 (was a TypeError on Decimal columns).
    assert round((gaps.gap * 1.1).sum(), 2) == 341.66
    assert runner.invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "--out", str(tmp_path / "o"), "-q"]).exit_code == 0
    with open(tmp_path / "o" / "gaps.csv", encoding="utf-8-sig") as fh:
        written = [line.split(",")[-1].strip() for line in fh.readlines()[1:]]
    assert [f"{g:.2f}" for g in gaps.gap] == written


def test_the_gap_sums_to_summary_json(tmp_path):
    for name in ("xianan-2025", "linzi-portfolio", "chuxiong-2025"):
        out = tmp_path / name
        assert runner.invoke(app, ["solve", str(SCENARIOS / f"{name}.yaml"), "--out", str(out), "-q"]).exit_code == 0
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        result = subsidy.solve(subsidy.load(SCENARIOS / f"{name}.yaml"))
        assert round(result.gaps.gap.sum(), 2) == summary["total_gap"], name
        assert result.gaps.gap_fen.sum() == round(summary["total_gap"] * 100), name
    assert summary["total_gap"] > 0


def test_short_repr_and_a_notebook_view(xianan):
    # 310.60 of 1,500.60 万元: the xianan seed's gap (165 + 145.6) of its need (507 + 993.6).
    assert repr(xianan) == "<Result '咸安区 2025 淘汰落后产能': 2 enterprises, 3 funds; gap 310.60 of need 1,500.60 万元; flow>"
    page = xianan._repr_html_()
    assert "310.60" in page and "wenquan" in page and len(page) < 5000


def test_with_changes_makes_a_validated_variant():
    scenario = subsidy.load(SCENARIOS / "xianan-2025.yaml")
    more = subsidy.with_changes(scenario, {"funds": [{"id": "xianan_district", "budget": 200}]}, name="more district money")
    assert more.name == "more district money" and scenario.name != more.name
    assert next(f for f in more.funds if f.id == "xianan_district").budget == Decimal("200")
    # 100 万元 more for the district fund closes 100 of the 310.60 gap: 310.60 − 100 = 210.60, every
    # extra 万元 finding an open line the fund may pay within its 50 % share cap.
    assert subsidy.solve(more).gaps.gap_fen.sum() == 21060
    with pytest.raises(subsidy.ScenarioError, match=r"funds\[2\] \(xianan_district\)\.budget: must be ≥ 0"):
        subsidy.with_changes(scenario, {"funds": [{"id": "xianan_district", "budget": -1}]})
    removed = subsidy.with_changes(scenario, {"funds": [{"id": "xianan_district", "remove": True}]})
    assert [f.id for f in removed.funds] == ["central_reward", "hubei_provincial"]


runner = CliRunner()


def test_an_error_of_the_diagnosis_stops_the_library_solve_by_name():
    # The central reward has 300 万元 (xianan-2025.yaml) and a commitment gives 温泉 at least 400 of
    # it: 400 > 300, which the diagnosis finds before solving (subsidy solve: exit 2). Without
    # on_findings the library solved on and failed obscurely in stage 1 (RulesConflict); now it
    # raises DiagnosisError, a SolveError that names the finding in both languages.
    scenario = subsidy.load(SCENARIOS / "xianan-2025.yaml")
    beyond = subsidy.with_changes(scenario, {"commitments": [{"fund": "central_reward", "enterprise": "wenquan", "at_least": 400}]})
    with pytest.raises(subsidy.DiagnosisError) as info:
        subsidy.solve(beyond)
    assert isinstance(info.value, subsidy.SolveError)
    assert [f.code for f in info.value.findings] == ["commitment_conflict[commitment[central_reward,wenquan]]"]
    assert str(info.value) == ("the diagnosis found 1 error(s) before solving: "
                               "commitment[central_reward,wenquan] commits 400.00 万元, beyond budget[central_reward]: 300.00 万元")
    assert info.value.said("zh") == ["commitment[central_reward,wenquan] 已定 400.00 万元，超出 budget[central_reward]：300.00 万元"]
    # A caller that sees the diagnosis itself decides: one that lets it pass gets the solve's own
    # failure (the CLI's commands never do: they stop on its errors with exit 2, test_analysis_cli).
    seen = []
    with pytest.raises(subsidy.SolveError) as solved_on:
        subsidy.solve(beyond, on_findings=seen.append)
    assert not isinstance(solved_on.value, subsidy.DiagnosisError)
    assert [f.code for f in seen[0] if f.level == "error"] == ["commitment_conflict[commitment[central_reward,wenquan]]"]
    # A programme too: its central reward arrives 200 + 100 = 300 over 2025-2026.
    from subsidy.pipeline import solve_programme

    programme = subsidy.with_changes(subsidy.load(SCENARIOS / "xianan-2025-2027.yaml"),
                                     {"commitments": [{"fund": "central_reward", "enterprise": "wenquan", "at_least": 400}]})
    with pytest.raises(subsidy.DiagnosisError, match=r"400\.00 万元, beyond budget\[central_reward\]: 300\.00 万元"):
        solve_programme(programme)
