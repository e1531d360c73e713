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


def sweep_on_held_model(data: dict, models: HighsModels) -> None:
    """Each budget point solved on `models` equals the flow's and the exact whole-fen optimum."""
    for value, point in budget_points(data):
        best = rational_lp.whole_step_weighted_gap(point)  # the exact whole-fen optimum
        scenario = scenario_from_data(point)
        reused = solve(scenario, method="pulp", models=models, tables=False)
        flow = solve(scenario, method="flow", tables=False)
        assert reused.weighted_gap == flow.weighted_gap == round(float(best), 6), (data["name"], value)
        assert reused.allocation.fallback is None  # the held model itself solved it


def test_a_failed_warm_start_is_solved_again_from_scratch_and_later_points_are_clean():
    """Seed 62 with e0 twice, at HiGHS' default tolerance 1e-7: at one budget point the
    tie-break started from the previous point's basis ends "Infeasible" with a row off by less
    than 1e-6 fen (rounding steps of doubles near 10^9). The model is reset (its basis dropped)
    and the stage solved again from scratch, so that point and the next give the exact optimum."""
    models = HighsModels({"primal_feasibility_tolerance": HIGHS_DEFAULT_TOLERANCE})
    sweep_on_held_model(corpus_scenario(62, duplicate=True), models)
    assert models.resets >= 1  # the reset did happen on this sweep
    assert models.builds == 1  # reset in place: no model was thrown away


FAILED_WARM = [(12, False), (12, True), (34, True), (62, True), (9, False), (26, False)]
"""(seed, e0 twice): 12, 12 twice, 34 twice failed on the held model before its tolerance
followed the program's magnitude and the fairness rows were freed outside stage 2; 62 twice
still fails at 1e-7 (above); 9 and 26, the seeds of the report (13-reuse)."""


def test_the_held_model_solves_every_point_without_a_reset():
    """The numerical cause fixed (highs_reuse's docstring): each sweep runs on one held model,
    never reset, and every point is the exact whole-fen optimum."""
    for seed, duplicate in FAILED_WARM:
        models = HighsModels()
        sweep_on_held_model(corpus_scenario(seed, duplicate), models)
        assert (models.resets, models.builds) == (0, 1), (seed, duplicate)


SEEDS = (9, 12, 26)
HELD_MODEL_FAILS = {"simplex_iteration_limit": 0, "presolve": "off"}
"""A held model that cannot finish a solve (HiGHS stops before its first step, "Iteration limit
reached", warm or from scratch): stands for a point the reused model cannot solve, whatever the
numerical cause."""


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
            assert "stage 1 (weighted gap)" in reused.allocation.fallback and "Iteration limit" in reused.allocation.fallback, (seed, value)
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
    for lang, said, counted in (("en", "solved by PuLP: the reused HiGHS model failed (stage 1 (weighted gap)",
                                 "4 solved by PuLP where the reused HiGHS model failed"),
                                ("zh", "改由 PuLP 求解：复用的 HiGHS 模型求解失败（stage 1 (weighted gap)",
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
