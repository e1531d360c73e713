"""The sweeps' reused HiGHS model (`allocate.highs_reuse`) on the corpus points where it failed.

The points: the first fund's budget at ¼, ½, ¾ and all of its value (floored to the fen), on
the invariant tests' "normal" corpus scenarios (`rational_lp.scenario`, amounts up to about
10^9 fen), one of them with its first enterprise entered a second time under another id.
With HiGHS' default primal feasibility tolerance (1e-7) the held model declared the tie-break
"Infeasible" at seed 12's ¾ point and at the ½ point of seeds 12 and 34 with the duplicated
enterprise, where a model built afresh solves it. Every point's answer is checked against the
exact whole-fen optimum of the rational reference and against the flow.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pandas as pd
import rational_lp

from subsidy.allocate.highs_reuse import HighsModels
from subsidy.analysis.sweep import parse_vary, sweep
from subsidy.pipeline import solve
from subsidy.scenario.load import scenario_from_data
from subsidy.scenario.paths import with_value

HIGHS_DEFAULT_TOLERANCE = 1e-7


def corpus_scenario(seed: int, duplicate: bool = False) -> dict:
    """A "normal" corpus scenario; with `duplicate`, its first enterprise twice (id e0_dup: the failure depends on the
    names, which order the rows)."""
    data = rational_lp.scenario(seed, "normal")
    if duplicate:
        twin = copy.deepcopy(data["enterprises"][0])
        twin["id"] += "_dup"
        data["enterprises"].append(twin)
        for fund in data["funds"]:
            if "scope" in fund:
                fund["scope"]["enterprises"].append(twin["id"])
    return data


def budget_points(data: dict) -> list:
    """The first fund's budget at ¼, ½, ¾ and 4/4, each floored to the fen, as scenarios."""
    fund = data["funds"][0]
    budget = Decimal(str(fund["budget"]))
    values = [(budget * k / 4).quantize(Decimal("0.01"), "ROUND_FLOOR") for k in (1, 2, 3, 4)]
    return [(value, with_value(copy.deepcopy(data), f"funds.{fund['id']}.budget", value)) for value in values]


FAILED_WARM = [(12, False), (12, True), (34, True)]
"""(seed, duplicated enterprise) whose sweep failed on the held model at HiGHS' default tolerance."""


def test_a_failed_warm_start_is_solved_again_from_scratch_and_later_points_are_clean():
    """Seed 12's ¾ point (f0 = 6,005,023.48 × ¾ = 4,503,767.61): the tie-break started from the
    ½ point's basis ends "Infeasible" with one row 2.4e-7 fen off (2^-22, one rounding step of a
    double near 10^9), over the 1e-7 tolerance. The model is reset (its basis dropped) and the
    stage solved again from scratch, so this point and the next give the exact optimum."""
    for seed, duplicate in FAILED_WARM:
        data = corpus_scenario(seed, duplicate)
        models = HighsModels({"primal_feasibility_tolerance": HIGHS_DEFAULT_TOLERANCE})
        for value, point in budget_points(data):
            best = rational_lp.whole_step_weighted_gap(point)  # the exact whole-fen optimum
            scenario = scenario_from_data(point)
            reused = solve(scenario, method="pulp", models=models, tables=False)
            flow = solve(scenario, method="flow", tables=False)
            assert reused.weighted_gap == flow.weighted_gap == round(float(best), 6), (seed, duplicate, value)
        assert models.resets >= 1, (seed, duplicate)  # the reset did happen on this sweep
        assert models.builds == 1  # reset in place: no model was thrown away


SEEDS = (9, 12, 26)
HELD_MODEL_FAILS = {"time_limit": 0.0}
"""A held model that cannot finish a solve (HiGHS stops at once, "Time limit reached", warm or
from scratch): stands for a point the reused model cannot solve, whatever the numerical cause."""


def test_a_point_the_held_model_cannot_solve_is_solved_by_pulp_and_says_so():
    """Seeds 9, 12 and 26, four budget points each: every point PuLP solves in the held model's
    place has the flow's weighted gap (the exact whole-fen optimum) and the flow's allocation fen
    by fen (one tie-break rule: fund order), and its method note names the fallback."""
    for seed in SEEDS:
        models = HighsModels(HELD_MODEL_FAILS)
        for value, point in budget_points(corpus_scenario(seed)):
            scenario = scenario_from_data(point)
            best = rational_lp.whole_step_weighted_gap(point)
            reused = solve(scenario, method="pulp", models=models, tables=False)
            flow = solve(scenario, method="flow", tables=False)
            assert "Time limit reached" in reused.allocation.fallback, (seed, value)
            assert "the reused HiGHS model failed" in reused.method_note and "solved by PuLP" in reused.method_note
            assert reused.weighted_gap == flow.weighted_gap == round(float(best), 6), (seed, value)
            assert reused.allocation.fen.tolist() == flow.allocation.fen.tolist(), (seed, value)
            assert flow.allocation.fallback is None


def test_sweep_table_and_csv_name_the_fallback_in_both_languages(tmp_path, monkeypatch):
    """`subsidy sweep --method pulp` on seed 26 over the four budget points with held models that
    fail: exit 0 (PuLP solves every point, never exit 3), each row's column fallback says so in
    the scenario's language, the closing line counts them, and the figures are the flow's."""
    from run_cli import run

    import yaml

    monkeypatch.setattr(HighsModels, "OPTIONS", {**HighsModels.OPTIONS, **HELD_MODEL_FAILS})
    data = corpus_scenario(26)
    points = budget_points(data)
    path = tmp_path / "seed26.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    vary = "funds.f0.budget=" + ",".join(str(v) for v, _ in points)
    for lang, said, counted in (("en", "solved by PuLP: the reused HiGHS model failed (stage 2 (largest gap share)",
                                 "4 solved by PuLP where the reused HiGHS model failed"),
                                ("zh", "改由 PuLP 求解：复用的 HiGHS 模型求解失败（stage 2 (largest gap share)",
                                 "4 个因复用的 HiGHS 模型求解失败改由 PuLP 求解")):
        out = tmp_path / f"sweep-{lang}.csv"
        done = run("sweep", path, "--vary", vary, "--method", "pulp", "--workers", "1", "--out", out, "--lang", lang)
        assert done.code == 0, done.stderr
        assert counted in done.stdout
        table = pd.read_csv(out, encoding="utf-8-sig")
        assert len(table) == 4 and all(f.startswith(said) for f in table["fallback"])
        for row, (_, point) in zip(table.to_dict("records"), points):
            flow = solve(scenario_from_data(point), method="flow", tables=False)
            assert row["weighted_gap"] == round(flow.weighted_gap, 6) and Decimal(str(row["total_gap"])) == flow.total("gaps", "gap")
        printed = run("sweep", path, "--vary", vary, "--method", "pulp", "--workers", "1", "--lang", lang)
        assert printed.code == 0 and printed.stdout.count(said[:12]) == 4


def test_a_sweep_without_failures_has_no_fallback_column():
    """The held model solving every point (seed 26 at HiGHS' defaults): no column fallback, none counted."""
    data = corpus_scenario(26)
    table = sweep(data, [parse_vary("funds.f0.budget=" + ",".join(str(v) for v, _ in budget_points(data)))],
                  workers=1, method="pulp")
    assert "fallback" not in table and table.attrs["fallbacks"] == 0 and table.attrs["model_builds"] == 1
