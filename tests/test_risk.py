"""Amounts as ranges and `subsidy risk`: the ranges read from every format with located errors,
every other command on the expected values, and the draws checked against hand-worked values."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
import yaml

from conftest import SCENARIOS
from run_cli import run
from subsidy.analysis.risk import enterprise_table, fund_table, risk, triangular_fen
from subsidy.output.risk_table import risk_csvs
from subsidy.pipeline import solve
from subsidy.scenario.convert import scenario_bytes, template
from subsidy.scenario.load import ScenarioError, load_scenario, scenario_from_data


def one_plant(asset_sales, *, cost=1000, budget=100) -> dict:
    """One plant: a bank debt of `cost`, own funds from an asset sale, one fund of `budget` for the debt."""
    return {
        "name": "one plant", "unit": "万元",
        "enterprises": [{"id": "plant", "name": "Plant", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": cost}, "own_funds": {"asset_sales": asset_sales}}],
        "funds": [{"id": "reward", "name": "Reward", "budget": budget, "categories": ["bank_debt"]}],
    }


# --- the format ---------------------------------------------------------------------------------
def test_a_range_is_a_mapping_or_text_and_every_field_holds_its_expected_value():
    data = one_plant({"low": 400, "expected": 640, "high": 700}, cost="900~1000～1,200", budget=" 80 ~ 100 ~ 100 ")
    scenario = scenario_from_data(data)
    assert scenario.enterprises[0].own_funds == {"asset_sales": Decimal(640)}
    assert scenario.enterprises[0].costs == {"bank_debt": Decimal(1000)}
    assert scenario.funds[0].budget == Decimal(100)
    assert [(r.path, r.text) for r in scenario.ranges] == [
        ("enterprises.plant.costs.bank_debt", "900~1000~1200"),
        ("enterprises.plant.own_funds.asset_sales", "400~640~700"),
        ("funds.reward.budget", "80~100~100"),
    ]
    # Solved on the expected values: 1000 − 640 own funds − 100 reward = 260 left.
    assert solve(scenario).total("gaps", "gap") == Decimal("260.00")


@pytest.mark.parametrize("written, english, chinese", [
    ({"low": 700, "expected": 640, "high": 800}, "a range needs low ≤ expected ≤ high, got 700~640~800",
     "区间须满足 低 ≤ 预期 ≤ 高，实际为 700~640~800"),
    ({"low": 400, "high": 700}, "a range needs low, expected and high; expected missing", "缺少 expected"),
    ("400~640", "a range is written low~expected~high (three numbers, e.g. 400~640~700), got '400~640'", "区间写作“低~预期~高”"),
    ("400~六百~700", "range expected: must be a number, got '六百'", "区间的 expected 值"),
    ("400~640.001~700", "range expected: must have at most 2 decimals", "区间的 expected 值"),
])
def test_a_wrong_range_is_named_by_its_line_in_english_and_chinese(tmp_path, written, english, chinese):
    path = tmp_path / "plant.yaml"
    path.write_text("name: one plant\n"
                    "enterprises:\n"
                    "  - id: plant\n"
                    "    name: Plant\n"
                    "    costs: {bank_debt: 1000}\n"
                    "    own_funds:\n"
                    f"      asset_sales: {json.dumps(written, ensure_ascii=False)}\n"  # line 7
                    "    region: 湖北\n    industry: cement\n"  # (else their blanks are named in the same round)
                    "funds: [{id: reward, name: Reward, budget: 100, categories: [bank_debt]}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert problem.line == 7 and problem.where == "enterprises[0] (plant).own_funds.asset_sales"
    assert english in problem.said("en") and chinese in problem.said("zh")


def test_a_workbook_cell_takes_a_range_as_low_tilde_expected_tilde_high(tmp_path):
    path = tmp_path / "in.xlsx"
    path.write_bytes(template("zh"))
    wb = openpyxl.load_workbook(path)
    wb["自有资金"]["C3"] = "400~640~700"  # the example's asset sale, 640
    wb["资金"]["D3"] = "250~300~250"  # high below expected
    wb.save(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert problem.where.startswith("资金!D3") and "low ≤ expected ≤ high, got 250~300~250" in problem.message
    wb["资金"]["D3"] = "250~300~350"
    wb.save(path)
    scenario = load_scenario(path)
    assert [(r.path, r.text) for r in scenario.ranges] == [
        ("enterprises.wenquan.own_funds.asset_sales", "400~640~700"), ("funds.central_reward.budget", "250~300~350")]
    assert scenario.funds[0].budget == Decimal(300)


def test_other_commands_say_once_that_they_use_the_expected_values(tmp_path):
    path = tmp_path / "plant.yaml"
    path.write_text(yaml.safe_dump(one_plant("400~640~700")), encoding="utf-8")
    done = run("solve", path)
    assert done.code == 0 and done.stderr.count("1 amount(s) are given as ranges; this uses their expected values") == 1
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(one_plant(640)), encoding="utf-8")
    assert "ranges" not in run("solve", plain).stderr
    refused = run("risk", plain, "--seed", "1")
    assert refused.code == 2 and "gives no amount as a range" in refused.stderr


# --- the draws ----------------------------------------------------------------------------------
def test_the_triangular_quantile_is_the_closed_form():
    # Tri(400, 640, 700): F(640) = 240/300 = 0.8.
    # u = 0.5 (below 0.8): 400 + √(0.5·300·240) = 400 + √36000 = 589.7367 → 589.74 (in fen: 58974)
    # u = 0.9 (above):     700 − √(0.1·300·60)  = 700 − √1800  = 657.5736 → 657.57
    fen = triangular_fen(np.array([40000] * 4), np.array([64000] * 4), np.array([70000] * 4), np.array([0.0, 0.5, 0.8, 0.9]))
    assert fen.tolist() == [40000, 58974, 64000, 65757]


def test_ranges_collapsed_to_a_point_give_the_deterministic_gap():
    # xianan-2025 with every own-funds source and budget written as a range low = expected = high:
    # every draw is the expected scenario, so every draw's gap is solve's, under the plan and re-optimised.
    data = yaml.safe_load((SCENARIOS / "xianan-2025.yaml").read_text(encoding="utf-8"))
    for ent in data["enterprises"]:
        ent["own_funds"] = {k: f"{v}~{v}~{v}" for k, v in ent.get("own_funds", {}).items()}
    for fund in data["funds"]:
        fund["budget"] = {"low": fund["budget"], "expected": fund["budget"], "high": fund["budget"]}
    scenario = scenario_from_data(data)
    assert scenario.ranges
    solved = solve(scenario).gaps.groupby("enterprise")["gap"].sum()
    r = risk(scenario, 5, seed=3, workers=1)
    table = enterprise_table(r).set_index("enterprise")
    for column in ("gap_at_expected", "expected_gap", "p50_gap", "p90_gap", "p99_gap", "reopt_expected_gap", "reopt_p99_gap"):
        assert [Decimal(str(v)) for v in table[column]] == [Decimal(str(v)).quantize(Decimal("0.01")) for v in solved[table.index]]
    assert (fund_table(r).overdrawn_draws == 0).all()


def test_one_asset_sale_drawn_under_a_fixed_allocation_matches_the_closed_form():
    # One plant: bank debt 1000, asset sale Tri(400, 640, 700), a reward of 100 paid on the debt.
    # At the expected values the reward pays 100 and the gap is 1000 − 640 − 100 = 260. Under that
    # plan a draw X of the sale leaves 900 − X, so the gap's P-quantile is 900 − Q_X(1 − P):
    #   P50: 900 − (400 + √(0.5·300·240)) = 900 − 589.7367 = 310.2633
    #   P90: 900 − (400 + √(0.1·300·240)) = 900 − 484.8528 = 415.1472
    #   mean: 900 − (400 + 640 + 700)/3 = 900 − 580 = 320
    # Sampling error, bounded (DKW): with N = 2000 draws the empirical CDF is within ε = 0.04 of
    # the true one everywhere with probability ≥ 1 − 2·exp(−2·2000·0.04²) = 1 − 0.0033, so each
    # empirical quantile lies between the true quantiles at P ± 0.04 (one fen more for rounding).
    # The mean: sd of X = √(75600/18) = 64.81; 5 standard errors = 5 · 64.81/√2000 = 7.25.
    scenario = scenario_from_data(one_plant({"low": 400, "expected": 640, "high": 700}))
    r = risk(scenario, 2000, seed=20251130, workers=1, reoptimise=False)
    row = enterprise_table(r).iloc[0]
    assert row.gap_at_expected == Decimal("260.00")

    def gap_quantile(p: float) -> float:
        u = 1 - p
        return 900 - (400 + math.sqrt(u * 300 * 240) if u < 0.8 else 700 - math.sqrt((1 - u) * 300 * 60))

    for p, got in ((0.5, row.p50_gap), (0.9, row.p90_gap)):
        assert gap_quantile(p - 0.04) - 0.01 <= float(got) <= gap_quantile(p + 0.04) + 0.01, (p, got)
    assert abs(float(row.expected_gap) - 320) <= 7.25
    # The plan is fixed: the reward pays 100 in every draw, and (a fixed budget) is never overdrawn.
    assert fund_table(r).overdrawn_draws.tolist() == [0]


def test_a_budget_drawn_below_the_plan_is_overdrawn():
    # The reward's budget Tri(50, 100, 100): below 100 with probability 1, so every draw whose
    # budget rounds to below 100.00 overdraws it; the plan spends 100 (the debt needs 360).
    scenario = scenario_from_data(one_plant(640, budget="50~100~100"))
    r = risk(scenario, 200, seed=1, workers=1)
    funds = fund_table(r)
    assert funds.plan_used.tolist() == [Decimal("100.00")]
    assert funds.overdrawn_draws.iloc[0] >= 199  # a draw lands on exactly 100.00 once in ~6·10^5
    # Re-optimised, the reward pays its drawn budget: the gap is 360 − budget, never less than 260.
    table = enterprise_table(r).iloc[0]
    assert table.reopt_p50_gap > Decimal("260.00") and table.p99_gap == Decimal("260.00")


def test_same_seed_same_bytes_with_one_worker_or_two(tmp_path):
    base = SCENARIOS / "xianan-2025.yaml"
    overlay = tmp_path / "risky.yaml"
    overlay.write_text(f"base: {base}\nenterprises:\n  - id: wenquan\n    own_funds: {{asset_sales: 400~640~700}}\n"
                       "funds:\n  - id: central_reward\n    budget: 250~300~320\n", encoding="utf-8")
    scenario = load_scenario(overlay)
    one = risk_csvs(risk(scenario, 40, seed=9, workers=1))
    again = risk_csvs(risk(scenario, 40, seed=9, workers=1))
    two = risk_csvs(risk(scenario, 40, seed=9, workers=2))
    assert one == again == two
    other = risk_csvs(risk(scenario, 40, seed=10, workers=1))
    assert other["risk_draws.csv"] != one["risk_draws.csv"]
    # And through the command: --out writes the same bytes.
    done = run("risk", overlay, "--draws", "40", "--seed", "9", "--workers", "2", "--out", tmp_path / "out")
    assert done.code == 0, done.stderr
    assert {n: (tmp_path / "out" / n).read_bytes() for n in one} == one


def test_ranges_survive_convert_to_every_format(tmp_path):
    shipped = SCENARIOS / "options" / "chuxiong-risk.yaml"
    scenario = load_scenario(shipped)
    # The shipped option: 耀华's asset sale and the central reward the seed leaves blank.
    assert [(r.path, r.text) for r in scenario.ranges] == [
        ("enterprises.yaohua.own_funds.asset_sales", "208.2~312.3~364.35"), ("funds.central_reward.budget", "120~200~280")]
    for suffix in ("yaml", "json", "xlsx"):
        done = run("convert", shipped, tmp_path / f"risk.{suffix}")
        assert done.code == 0, done.stderr
        again = load_scenario(tmp_path / f"risk.{suffix}")
        assert again.ranges == scenario.ranges and again == scenario


def test_the_robust_plan_puts_fixed_money_where_the_need_is_certain(tmp_path):
    # A: resettlement 200, own funds Tri(0, 100, 200), so its residual need r_A = 200 − X is
    # Tri(0, 100, 200) (mean 100). B: resettlement 100, no own funds (need certain). One fund of 100.
    # At the expected values both need 100: the plan splits 50/50 (stage 2 equalises the shares).
    # Under it A's gap is (r_A − 50)⁺ and B's 50: mean weighted gap 3·(E(r_A − 50)⁺ + 50)
    #   = 3·(50 + E(50 − r_A)⁺ + 50) = 3·(100 + ∫₀⁵⁰ (50 − r)·r/10⁴ dr) = 3·(100 + 2.083) = 306.25.
    # Money on A is wasted in draws where r_A falls below it; on B it never is: the robust plan pays
    # B (up to ties among amounts every draw's r_A exceeds), and its gap in each draw is r_A + 100 − 100
    # = r_A, which is also what re-optimising leaves (the fund is spent in full either way):
    # mean weighted gap 3·E r_A = 300 (sd of r_A 40.8; 5 standard errors at 2000 draws: 4.6, ×3 = 13.7).
    scenario = scenario_from_data({
        "name": "two", "enterprises": [
            {"id": "a", "name": "A", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 200}, "own_funds": {"asset_sales": "0~100~200"}},
            {"id": "b", "name": "B", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 100}}],
        "funds": [{"id": "f", "name": "F", "budget": 100, "categories": ["resettlement"]}]})
    r = risk(scenario, 2000, seed=5, workers=1, robust=True)
    assert r.robust.used.tolist() == [10000]  # 100.00 in fen: spent in full
    assert (r.robust.gaps.sum(axis=1) == r.reopt_gaps.sum(axis=1)).all()
    assert r.robust.weighted.tolist() == (3 * r.reopt_gaps.sum(axis=1) / 100).tolist()
    assert abs(r.robust.weighted.mean() - 300) <= 13.7 and abs(r.weighted.mean() - 306.25) <= 13.7
    assert r.robust.weighted.mean() < r.weighted.mean()  # on the same draws: what it minimises
    path = tmp_path / "two.yaml"
    path.write_bytes(scenario_bytes(scenario, ".yaml"))  # the ranges written back
    done = run("risk", path, "--draws", "200", "--seed", "5", "--plan", "robust", "--lang", "en")
    assert done.code == 0 and "robust: the public allocation minimising the expected weighted gap" in done.stdout



def test_own_funds_under_the_free_rule_pay_what_was_planned_while_they_last():
    # Free rule: own funds are placed by the solver, before any fund. Resettlement 100, own funds
    # Tri(0, 50, 50), a fund of 30. At the expected values: own 50 + fund 30, gap 20. In a draw X < 50
    # the plan's 50 of own money is cut to X, so the gap is 100 − 30 − X = 70 − X, which is also what
    # re-optimising leaves (X + 30 paid). A cost drawn on the same line moves both alike.
    data = {"name": "free", "enterprises": [{"id": "p", "name": "P", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "90~100~100"},
                                              "own_funds": {"sale": "0~50~50"}, "own_funds_rule": "free"}],
            "funds": [{"id": "f", "name": "F", "budget": 30, "categories": ["resettlement"]}]}
    r = risk(scenario_from_data(data), 300, seed=2, workers=1)
    assert r.plan_gap.tolist() == [2000]
    assert (r.gaps == r.reopt_gaps).all() and r.gaps.max() > 2000


def test_a_draw_reads_scopes_caps_and_jitters_once_and_solves_as_afresh():
    # A thousand draws of one scenario share its scopes, caps and tie-break jitters
    # (`rules.eligibility_of`, built once per run). On drawn amounts the rules built from it must be
    # the rules `build_rules` makes afresh, field by field, and the solve the same to the fen: a
    # generated scenario with regional scopes, per-enterprise, per-capacity and share caps, own
    # funds under `free` for some plants, and one fund capped per worker.
    from dataclasses import fields

    from subsidy.allocate.rules import build_rules
    from subsidy.allocate.waterfall import redrawn, redrawn_each
    from subsidy.analysis.risk import Setting, draw_uniforms, drawn_scenario
    from subsidy.pipeline import allocate
    from subsidy.scenario.generate import generate

    data = generate(40, funds=4, seed=11)
    data["funds"][-1]["caps"] = {"per_worker": 0.5}
    for ent in data["enterprises"][::4]:
        ent["own_funds_rule"] = "free"
        ent["own_funds"] = {"asset_sales": "10~60~90"}
    for ent in data["enterprises"][1::4]:
        ent["own_funds"] = {"asset_sales": "0~40~300"}
    for fund in data["funds"]:
        fund["budget"] = f"{fund['budget'] * 0.5:.2f}~{fund['budget']}~{fund['budget'] * 1.2:.2f}"
    scenario = scenario_from_data(data)
    setting = Setting.of(scenario)
    assert not all(ok.all() for ok in setting.eligibility.admitted)  # some fund's scope leaves plants out
    u = setting.uncertain
    closed = 0
    value = triangular_fen(u.low, u.mode, u.high, np.stack([draw_uniforms(5, index, len(u.low)) for index in range(6)]))
    costs, availables, budgets = u.amounts(setting.lines, setting.budgets, value)
    for drawn, cost, available, budget in zip(redrawn_each(scenario, setting.lines, costs, availables), costs, availables, budgets):
        # The waterfall run over six draws side by side is each draw's own waterfall.
        alone = redrawn(scenario, setting.lines, cost, available)
        for column in ("cost", "applied", "residual", "available", "unused"):
            assert getattr(drawn, column).tolist() == getattr(alone, column).tolist()
        closed += int((drawn.residual == 0).sum())
        on_draw = drawn_scenario(scenario, budget)
        afresh, shared = build_rules(on_draw, drawn), build_rules(on_draw, drawn, setting.eligibility)
        for f in fields(afresh):
            if f.name in ("scenario", "lines", "eligibility"):
                continue
            a, b = getattr(afresh, f.name), getattr(shared, f.name)
            if isinstance(a, np.ndarray):
                assert a.dtype == b.dtype and a.tolist() == b.tolist(), f.name
            elif f.name == "commit_arcs":
                assert [x.tolist() for x in a] == [x.tolist() for x in b]
            else:
                assert a == b, f.name
        assert shared.arc_jitter(np.arange(len(shared.arc_source))).tolist() == afresh.arc_jitter(np.arange(len(afresh.arc_source))).tolist()
        assert len(shared.cap_fund) and len(shared.share_arc) and (shared.arc_source == shared.own_source).any()
        assert allocate(afresh).fen.tolist() == allocate(shared).fen.tolist()
    assert closed > 0  # some draws pay a line in full from own funds: its arcs drop out of that draw's rules


def test_draws_on_dask_give_the_same_bytes_as_in_this_process():
    # "Draws run in parallel (the sweep's pool or Dask)": a Dask cluster runs the same draws
    # (each seeded from (seed, draw) alone), so the tables are the same bytes.
    from conftest import optional_module

    distributed = optional_module("distributed", "dask")
    scenario = load_scenario(SCENARIOS / "options" / "chuxiong-risk.yaml")
    here = risk_csvs(risk(scenario, 60, seed=4, workers=1))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        on_dask = risk(scenario, 60, seed=4, workers=2, engine="dask", scheduler=cluster.scheduler_address)
    assert risk_csvs(on_dask) == here
    refused = run("risk", SCENARIOS / "options" / "chuxiong-risk.yaml", "--seed", "1", "--draws", "3", "--engine", "nope")
    assert refused.code == 2 and "nope" in refused.stderr


def two_plants_two_funds(budget_central="60~60~60", commitments=None) -> dict:
    """A needs 100 of resettlement, B 300; two funds of 60 and 40 may pay either. Every range is a
    point, so every draw is the expected scenario and the robust plan must be the plan."""
    return {
        "name": "two plants", "enterprises": [
            {"id": "a", "name": "A", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 100}},
            {"id": "b", "name": "B", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 300}}],
        "funds": [{"id": "central", "name": "Central", "budget": budget_central, "categories": ["resettlement"]},
                  {"id": "province", "name": "Province", "budget": 40, "categories": ["resettlement"]}],
        "commitments": commitments or []}


def test_the_robust_plan_is_determined_by_fairness_and_the_tie_break():
    # Every split of the 100 between A and B leaves the same weighted gap, 3·(400 − 100) = 900:
    # stage 1 alone leaves the robust plan undetermined. Stage 2 (the largest expected gap share)
    # equalises (100 − x_A)/100 = (300 − x_B)/300 with x_A + x_B = 100: x_B = 3·x_A, so A gets 25,
    # B 75 (both shares 0.75, gaps 75 and 225); the tie-break by fund order picks which fund pays
    # whom, as the solve's LP (same tie-break costs) does.
    from subsidy.allocate.robust import robust_allocation
    from subsidy.allocate.rules import build_rules
    from subsidy.allocate.waterfall import cost_lines

    scenario = scenario_from_data(two_plants_two_funds())
    lines = cost_lines(scenario)
    rules = build_rules(scenario, lines)
    fen = robust_allocation(rules, np.tile(lines.residual, (7, 1)))
    by_enterprise = np.zeros(2, dtype=np.int64)
    np.add.at(by_enterprise, rules.arc_enterprise, fen)
    assert by_enterprise.tolist() == [2500, 7500]
    assert fen.tolist() == solve(scenario, method="pulp").allocation.fen.tolist()
    r = risk(scenario, 7, seed=1, workers=1, robust=True, reoptimise=False)
    assert r.robust.used.tolist() == [6000, 4000]
    assert r.robust.gaps.tolist() == [[7500, 22500]] * 7 and r.robust.weighted.tolist() == [900.0] * 7


def test_the_robust_plan_keeps_commitments():
    # The province fund has committed 40 to A (an amount): x_A ≥ 40 > 25, so stage 2's best is
    # x_A = 40, x_B = 60 (shares 0.6 and 0.8: t = 0.8 = (300 − 60)/300, no smaller with x_B ≤ 60).
    # The central fund's 60 can then only go to B: central→B 60, province→A 40, the rest 0.
    from subsidy.allocate.robust import robust_allocation
    from subsidy.allocate.rules import build_rules
    from subsidy.allocate.waterfall import cost_lines

    scenario = scenario_from_data(two_plants_two_funds(commitments=[{"fund": "province", "enterprise": "a", "amount": 40}]))
    lines = cost_lines(scenario)
    rules = build_rules(scenario, lines)
    fen = robust_allocation(rules, np.tile(lines.residual, (3, 1)))
    assert dict(zip([(a.source, a.enterprise) for a in rules.arcs], fen.tolist())) == {
        ("central", "a"): 0, ("central", "b"): 6000, ("province", "a"): 4000, ("province", "b"): 0}
    r = risk(scenario, 3, seed=1, workers=1, robust=True, reoptimise=False)
    assert r.robust.gaps.tolist() == [[6000, 24000]] * 3
