"""Sweeps: grid parsing, field paths, and every point equal to its own `subsidy solve`."""

from __future__ import annotations

import sys
from decimal import Decimal

import pandas as pd
import pytest

from conftest import optional_module

from subsidy.scenario.load import load_scenario
from subsidy.scenario.paths import PathError, flatten, get_value, with_value
from subsidy.pipeline import solve
from subsidy.analysis.sweep import SweepError, Vary, grid, parse_vary, point_scenario, scenario_data, sweep, to_the_fen
from subsidy.output.sweep_table import write_table
from subsidy.allocate.highs_reuse import HighsModels

D = Decimal


def test_parse_vary():
    assert parse_vary("funds.a.budget=0:100:50") == Vary("funds.a.budget", (D(0), D(50), D(100)))
    assert parse_vary("funds.a.budget=0:10:3").values == (D(0), D(3), D(6), D(9))  # stop not on a step: left out
    assert parse_vary("funds.a.caps.share_of_need=0.5, 0.8,1").values == (D("0.5"), D("0.8"), D(1))
    assert parse_vary("policy.fairness=true,false").values == (True, False)
    for bad, message in [("funds.a.budget", "FIELD=START:STOP:STEP"), ("funds.a.budget=0:10", "START:STOP:STEP"),
                         ("funds.a.budget=0:10:0", "STEP must be > 0"), ("funds.a.budget=5:1:1", "STOP must be ≥ START"),
                         ("funds.a.budget=x:1:1", "'x' is not a number"), ("funds..budget=1", "not a field path")]:
        with pytest.raises(SweepError, match=message):
            parse_vary(bad)


def test_grid_first_varies_slowest():
    assert grid([Vary("a", (1, 2)), Vary("b", ("x", "y"))]) == [(1, "x"), (1, "y"), (2, "x"), (2, "y")]
    with pytest.raises(SweepError, match="varied twice"):
        grid([Vary("a", (1,)), Vary("a", (2,))])


def test_paths():
    data = {"funds": [{"id": "c", "budget": 1, "caps": {}}], "enterprises": [{"id": "w", "own_funds": {}}]}
    assert get_value(with_value(data, "funds.c.caps.share_of_need", 0.5), "funds.c.caps.share_of_need") == 0.5
    assert with_value(data, "enterprises.w.own_funds.asset_sales", 7)["enterprises"][0]["own_funds"] == {"asset_sales": 7}
    assert with_value(data, "categories.bank_debt.weight", 2)["categories"] == {"bank_debt": {"weight": 2}}
    assert data["funds"][0]["caps"] == {}  # a copy: the base is untouched
    with pytest.raises(PathError, match="no entry 'x' in funds"):
        with_value(data, "funds.x.budget", 1)
    with pytest.raises(PathError, match="is a value"):
        with_value(data, "funds.c.budget.more", 1)
    assert flatten({"funds": [{"id": "c", "budget": 1, "categories": ["x"]}], "policy": {"fairness": True}}) == {
        "funds.c.budget": 1, "funds.c.categories": ("x",), "policy.fairness": True}


@pytest.mark.parametrize("varies", [
    ["funds.central_reward.budget=0:600:150", "funds.xianan_district.caps.share_of_need=0.3,0.5,1"],
    ["enterprises.wenquan.own_funds.asset_sales=0,500,640,1000", "categories.bank_debt.weight=0,1,2.5"],
    ["funds.hubei_provincial.caps.per_enterprise=50:250:100", "policy.fairness=true,false"],
])
@pytest.mark.parametrize("method", ["auto", "pulp"])
def test_every_point_equals_its_own_solve(scenarios_dir, varies, method):
    """auto: each point as `subsidy solve` gives it (flows); pulp: as the LP gives it (a reused model)."""
    scenario = load_scenario(scenarios_dir / "xianan-2025.yaml")
    parsed = [parse_vary(v) for v in varies]
    table = sweep(scenario, parsed, workers=1, method=method)
    paths = [v.path for v in parsed]
    assert len(table) == len(grid(parsed)) == table.attrs["points"]
    assert table.attrs["flows"] == (len(table) if method == "auto" else 0)
    for row in table.to_dict("records"):
        values = tuple(row[p] for p in paths)
        result = solve(point_scenario(scenario_data(scenario), paths, values), method=method)
        assert result.method == ("flow" if method == "auto" else "pulp")
        assert row["weighted_gap"] == round(result.weighted_gap, 6), values
        assert row["max_gap_share"] == round(result.max_gap_share, 9), values
        assert row["total_gap"] == result.total("gaps", "gap") and row["total_funded"] == result.total("gaps", "funded"), values
        for fund in result.funds.itertuples(index=False):
            assert row[f"used[{fund.fund}]"] == fund.used, (values, fund.fund)


def test_model_is_reused_where_only_numbers_change(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "xianan-2025.yaml")
    budgets = sweep(scenario, [parse_vary("funds.central_reward.budget=0:500:50")], workers=1, method="pulp")
    assert budgets.attrs["points"] == 11 and budgets.attrs["model_builds"] == 1
    # A share of 1 drops the district's share rows: two structures, each built once.
    shares = sweep(scenario, [parse_vary("funds.xianan_district.caps.share_of_need=0.5,1,0.6,1,0.7")], workers=1, method="pulp")
    assert shares.attrs["model_builds"] == 2


def test_reused_model_matches_cold_solves_across_structures(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "linzi-portfolio.yaml")
    data = scenario_data(scenario)
    model = HighsModels()
    for path, value in [("funds.central_reward.budget", D(1000)), ("funds.central_reward.budget", D(2600)),
                        ("funds.zibo_municipal.caps.share_of_need", D(1)), ("funds.zibo_municipal.caps.share_of_need", D("0.3")),
                        ("funds.central_reward.budget", D(4000))]:
        s = point_scenario(data, [path], [value])
        warm, cold = solve(s, method="pulp", models=model), solve(s, method="pulp")
        assert warm.allocation.by_arc() == cold.allocation.by_arc() and warm.summary == cold.summary, (path, value)
    assert model.builds == 2 and model.reuses == 3


def test_invalid_values_fail_before_solving(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "xianan-2025.yaml")
    with pytest.raises(SweepError, match=r"--vary funds.xianan_district.caps.share_of_need=1.5: .*must be at most 1, got 1.5"):
        sweep(scenario, [parse_vary("funds.xianan_district.caps.share_of_need=0.5,1.5")], workers=1)
    with pytest.raises(SweepError, match="no entry 'nope' in funds"):
        sweep(scenario, [parse_vary("funds.nope.budget=1")], workers=1)
    with pytest.raises(SweepError, match="at most 2 decimals"):
        sweep(scenario, [parse_vary("funds.central_reward.budget=0.001")], workers=1)


def test_process_pool_gives_the_same_table(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "chuxiong-2025.yaml")
    varies = [parse_vary("funds.central_reward.budget=0:400:50"), parse_vary("funds.work_fund.budget=0,15,30")]
    seen = []
    pooled = sweep(scenario, varies, workers=2, progress=seen.append)
    assert sum(seen) == 27
    pd.testing.assert_frame_equal(pooled, sweep(scenario, varies, workers=1))


def test_dask_engine_gives_the_same_table(scenarios_dir):
    distributed = optional_module("distributed", "dask")
    scenario = load_scenario(scenarios_dir / "chuxiong-2025.yaml")
    varies = [parse_vary("funds.central_reward.budget=0:400:100")]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        on_cluster = sweep(scenario, varies, workers=2, engine="dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_cluster, sweep(scenario, varies, workers=1))


def test_write_csv_and_parquet(tmp_path, scenarios_dir):
    scenario = load_scenario(scenarios_dir / "xianan-2025.yaml")
    table = sweep(scenario, [parse_vary("funds.xianan_district.caps.share_of_need=0.125,0.5")], workers=1)
    csv = write_table(table, tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].startswith("funds.xianan_district.caps.share_of_need,weighted_gap,max_gap_share,")
    assert csv[1].startswith("0.125,")  # varied values keep their decimals
    assert "used[central_reward]" in csv[0]
    optional_module("pyarrow", "parquet")
    back = pd.read_parquet(write_table(table, tmp_path / "s.parquet"))
    assert list(back["total_gap"]) == list(table["total_gap"])
    with pytest.raises(SweepError, match=r"write .csv or .parquet"):
        write_table(table, tmp_path / "s.xlsx")


def test_parquet_without_pyarrow_is_one_clear_error(tmp_path, scenarios_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    table = pd.DataFrame({"a": [1]})
    with pytest.raises(SweepError, match=r"pip install 'subsidy\[parquet\]'"):
        write_table(table, tmp_path / "s.parquet")
    assert not (tmp_path / "s.parquet").exists()


def test_points_the_flow_cannot_carry_go_to_the_reused_lp(scenarios_dir):
    """A weight of 7 decimals is beyond the integer flow: under auto those points are solved by
    the LP, one model built and reused, and equal the LP's own solves; --method flow refuses."""
    from subsidy.pipeline import NotAFlow

    data = scenario_data(load_scenario(scenarios_dir / "xianan-2025.yaml"))
    data["categories"] = {"bank_debt": {"weight": 0.1234567}}
    varies = [parse_vary("funds.central_reward.budget=100:300:100")]
    table = sweep(data, varies, workers=1)
    assert table.attrs["flows"] == 0 and table.attrs["model_builds"] <= 1 and len(table) == 3
    for row in table.to_dict("records"):
        lp = solve(point_scenario(data, ["funds.central_reward.budget"], [row["funds.central_reward.budget"]]), method="pulp")
        assert row["weighted_gap"] == round(lp.weighted_gap, 6) and row["total_gap"] == lp.total("gaps", "gap")
    with pytest.raises(NotAFlow):
        sweep(data, varies, workers=1, method="flow")


# --- a range over an amount, rounded to the fen ---------------------------------------------------
def test_quarters_of_a_budget_that_are_no_whole_fen_are_rounded_half_up(scenarios_dir):
    # 0:B:B/4 with B = 100.01: the exact points 0, 25.0025, 50.005, 75.0075, 100.01 are no
    # amounts (at most 2 decimals). Half up to the fen: 25.0025 → 25.00 (the third decimal 2 < 5),
    # 50.005 → 50.01 (exactly half: up), 75.0075 → 75.01, 100.01 as it is: in order, distinct, B last.
    data = scenario_data(load_scenario(scenarios_dir / "xianan-2025.yaml"))
    budget = to_the_fen(data, [parse_vary("funds.central_reward.budget=0:100.01:25.0025")])[0]
    assert budget.values == (D("0.00"), D("25.00"), D("50.01"), D("75.01"), D("100.01")) and budget.rounded
    # A quarter written short (25.003): the fifth point 100.012 reaches B to the fen, so it is
    # B, exactly; before rounding it was past STOP and left out.
    short = to_the_fen(data, [parse_vary("funds.central_reward.budget=0:100.01:25.003")])[0]
    assert short.values == (D("0.00"), D("25.00"), D("50.01"), D("75.01"), D("100.01"))
    # Not amounts, or already whole fen: as given (a share keeps its thousandths).
    share, whole = to_the_fen(data, [parse_vary("funds.xianan_district.caps.share_of_need=0:1:0.125"),
                                     parse_vary("funds.central_reward.budget=0:300:100")])
    assert share.values[:3] == (D(0), D("0.125"), D("0.250")) and not share.rounded
    assert whole.values == (D(0), D(100), D(200), D(300)) and not whole.rounded
    with pytest.raises(SweepError, match="STEP must be at least 0.01"):  # points would repeat
        to_the_fen(data, [parse_vary("funds.central_reward.budget=0:0.02:0.005")])


def test_a_sweep_over_quarters_of_100_01_solves_each_fen_point_and_says_so_once(scenarios_dir, tmp_path):
    from run_cli import run

    out = tmp_path / "quarters.csv"
    done = run("sweep", scenarios_dir / "xianan-2025.yaml", "--vary", "funds.central_reward.budget=0:100.01:25.0025",
               "--out", out, "--workers", "1", "--lang", "en")
    assert done.code == 0, done.stderr  # was exit 2: "budget: must have at most 2 decimals, got 25.0025"
    assert done.stderr.splitlines() == ["note: funds.central_reward.budget is an amount, kept in whole fen (0.01): the points "
                                        "of 0:100.01:25.0025 are rounded half up to the fen: 0.00, 25.00, 50.01, 75.01, 100.01"]
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    # Central money up to 100.01 all goes to 温泉's weight-3 lines (within its 120 cap), so each
    # 万元 closes 3 of the weighted gap: 744.60 − 3 × budget (50.01: 744.60 − 150.03 = 594.57).
    assert list(table["funds.central_reward.budget"]) == ["0.00", "25.00", "50.01", "75.01", "100.01"]
    assert list(table["used[central_reward]"]) == ["0.00", "25.00", "50.01", "75.01", "100.01"]
    assert [round(float(w), 2) for w in table["weighted_gap"]] == [744.60, 669.60, 594.57, 519.57, 444.57]
    zh = run("sweep", scenarios_dir / "xianan-2025.yaml", "--vary", "funds.central_reward.budget=0:100.01:25.0025",
             "--vary", "funds.xianan_district.caps.share_of_need=0.5,1", "--workers", "1")
    assert zh.code == 0 and zh.stderr.splitlines() == [
        "注意：funds.central_reward.budget 为金额，以分（0.01）为单位：0:100.01:25.0025 的各点已四舍五入到分：0.00, 25.00, 50.01, 75.01, 100.01"]
