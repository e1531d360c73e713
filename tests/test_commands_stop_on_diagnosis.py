"""Every command that solves stops where `subsidy solve` stops: on an error of the diagnosis
(a commitment beyond its fund's budget, no enterprises, ...), exit 2 with solve's own words and
nothing written. Before, explain, close-gap, compare and report solved on and exited 3 with the
solver's wording (stage 1 infeasible), or 0 on a scenario with no enterprises; sweep exited 3 with
the library's English sentence, and risk failed in stage 1."""

from __future__ import annotations

import pytest

from run_cli import run
from conftest import SCENARIOS
from test_workbook import COVERAGE_CONFLICT

# xianan-2025.yaml gives the central reward a budget of 300 万元; a commitment of at least 400 of
# it to 温泉 is beyond it (400 > 300): the diagnosis's error, before any solving.
BEYOND_EN = "commitment[central_reward,wenquan] commits 400.00 万元, beyond budget[central_reward]: 300.00 万元"
BEYOND_ZH = "commitment[central_reward,wenquan] 已定 400.00 万元，超出 budget[central_reward]：300.00 万元"


def _overlay(tmp_path, base: str, extra: str = "", name: str = "beyond.yaml", at_least: int = 400):
    path = tmp_path / name
    path.write_text(f"base: {SCENARIOS / base}\n{extra}commitments:\n"
                    f"  - {{fund: central_reward, enterprise: wenquan, at_least: {at_least}}}\n", encoding="utf-8")
    return path


def _commands(path, out):
    """Each command that solves, writing into `out` where it writes anything."""
    return {
        "explain": ["explain", path, "--out", out],
        "close-gap": ["close-gap", path],
        "compare": ["compare", SCENARIOS / "xianan-2025.yaml", path, "--out", out],
        "report": ["report", path, "--html", out / "report.html"],
    }


@pytest.mark.parametrize("command", ["explain", "close-gap", "compare", "report"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_analysis_stops_on_a_commitment_beyond_its_budget_as_solve_does(tmp_path, command, lang):
    sentence = {"en": BEYOND_EN, "zh": BEYOND_ZH}[lang]
    path = _overlay(tmp_path, "xianan-2025.yaml")
    out = tmp_path / "out"
    solved = run("solve", path, "--out", out, "--lang", lang)
    level = "error" if lang == "en" else "错误"
    assert solved.code == 2 and solved.stderr.splitlines() == [f"{level}: {path}: {sentence}"]
    done = run(*_commands(path, out)[command], "--lang", lang)
    assert (done.code, done.stdout, done.stderr) == (2, "", solved.stderr)  # solve's words, to the letter
    assert not out.exists()


def test_an_analysis_of_a_scenario_without_enterprises_stops_instead_of_printing_nothing(tmp_path):
    # Was exit 0 with empty tables: no enterprise is an error of the diagnosis, as for solve.
    path = tmp_path / "empty.yaml"
    path.write_text("name: empty\nfunds: [{id: a, name: A, budget: 10, categories: [resettlement]}]\nenterprises: []\n", encoding="utf-8")
    for command in ("solve", "explain", "close-gap"):
        done = run(command, path, "--lang", "en")
        assert done.code == 2, command
        assert done.stderr.splitlines() == [f"error: {path}: the scenario has no enterprises: there is nothing to allocate "
                                            "(list them under `enterprises:`)"], command


def test_programmes_compared_or_reported_stop_on_the_diagnosis(tmp_path):
    # xianan-2025-2027.yaml: the central reward arrives 200 + 100 = 300 万元 over 2025-2026, so
    # at least 400 to 温泉 is beyond it over the years, as for one year.
    path = _overlay(tmp_path, "xianan-2025-2027.yaml")
    out = tmp_path / "out"
    for args in (["compare", SCENARIOS / "xianan-2025-2027.yaml", path, "--out", out], ["report", path, "--html", out / "r.html"],
                 ["solve", path, "--out", out]):
        done = run(*args, "--lang", "en")
        assert (done.code, done.stderr.splitlines()) == (2, [f"error: {path}: {BEYOND_EN}"]), args[0]
    assert not out.exists()


def test_a_sweep_stops_on_the_first_grid_point_in_error_whichever_worker_finishes_first(tmp_path):
    # A commitment of at least 100 万元 fits the central reward's 300 (and its per-capacity cap of
    # 120 for 温泉). Swept to 300, 200, 90, 50: 90 and 50 are below 100; the first in grid order,
    # 90, is named, though each point is its own chunk on a pool of two workers.
    path = _overlay(tmp_path, "xianan-2025.yaml", at_least=100)
    out = tmp_path / "sweep.csv"
    done = run("sweep", path, "--vary", "funds.central_reward.budget=300,200,90,50", "--workers", "2", "--out", out, "--lang", "en")
    assert done.code == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: {path}: --vary funds.central_reward.budget=90: commitment[central_reward,wenquan] "
                                        "commits 100.00 万元, beyond budget[central_reward]: 90.00 万元"]
    assert not out.exists()


def test_risk_stops_on_the_diagnosis_of_the_expected_values(tmp_path):
    # The provincial budget as a range (expected 150) gives risk something to draw; the central
    # commitment of 400 is beyond 300 whatever is drawn: exit 2 before any draw, not exit 3.
    path = _overlay(tmp_path, "xianan-2025.yaml", extra='funds:\n  - {id: hubei_provincial, budget: "100~150~160"}\n')
    out = tmp_path / "risk"
    done = run("risk", path, "--seed", "1", "--draws", "3", "--workers", "1", "--out", out, "--lang", "zh")
    assert (done.code, done.stdout, done.stderr.splitlines()) == (2, "", [f"错误: {path}: {BEYOND_ZH}"])
    assert not out.exists()


# Minimum coverage of both 甲厂's and 乙厂's resettlement (75 each, 150 in all) from fund a's 100:
# each line fits alone, so the diagnosis passes it, and only stage 1 finds the conflict (exit 3).
CONFLICT = COVERAGE_CONFLICT


@pytest.mark.parametrize("command", ["explain", "close-gap", "report"])
def test_a_conflict_only_the_solve_finds_reads_in_an_analysis_as_in_solve(tmp_path, command):
    # solve names the smallest conflicting set and the least extra budget: 150 − 100 = 50 more of
    # a. The analyses printed the solver's status line instead; now solve's sentences, exit 3.
    path = tmp_path / "conflict.yaml"
    path.write_text(CONFLICT, encoding="utf-8")
    solved = run("solve", path, "--lang", "en")
    assert solved.code == 3
    assert "the least extra budget that would make them possible: a +50.00 (50.00 万元 in all)" in solved.stderr
    args = {"explain": ["explain", path], "close-gap": ["close-gap", path], "report": ["report", path, "--html", tmp_path / "r.html"]}
    done = run(*args[command], "--lang", "en")
    assert (done.code, done.stdout, done.stderr) == (3, "", solved.stderr)
    assert not (tmp_path / "r.html").exists()


def test_strict_stops_programmes_compared_or_reported_on_a_warning_of_the_diagnosis(tmp_path):
    # An enterprise without cost lines is a warning of the diagnosis; --strict makes it an error.
    # solve --strict stopped on it; compare and report of programmes solved on (exit 0).
    path = tmp_path / "idle.yaml"
    path.write_text(f"base: {SCENARIOS / 'xianan-2025-2027.yaml'}\n"
                    "enterprises:\n  - {id: idle_works, name: 空厂, region: 湖北/咸宁/咸安, industry: carbide}\n", encoding="utf-8")
    out = tmp_path / "out"
    solved = run("solve", path, "--strict", "--lang", "en")
    assert solved.code == 2 and f"{path}: enterprise idle_works has no cost lines: it can receive nothing" in solved.stderr
    for args in (["compare", SCENARIOS / "xianan-2025-2027.yaml", path, "--out", out], ["report", path, "--html", out / "r.html"]):
        done = run(*args, "--strict", "--lang", "en")
        assert (done.code, done.stdout, done.stderr) == (2, "", solved.stderr), args[0]
    assert not out.exists()
