"""The factor method (因素法, issue 13): a fund's budget split between regions by factors, each
region's amount a hard cap on what the fund pays that region's enterprises.

Worked by hand (万元), the two-region example of README "Distribution":
  central_reward: budget 100.00 = 10,000 fen, resettlement only, level 1,
    factors capacity 0.5, workers 0.3, difficulty 0.2; early exit 2016 → 1.1, 2017 → 1.0.
  hb1 湖北/咸宁 30 万吨 closed 2016 → 33; 100 workers; needs 80.
  hb2 湖北/黄冈 10 万吨, no exit year → 10; 50 workers; needs 30.
  hn1 湖南/岳阳 20 万吨 closed 2017 → 20; 150 workers; needs 30.
  regions: 湖北 difficulty 1.2; 湖南 not given → 1.
  F_capacity: 湖北 43, 湖南 20 (of 63); F_workers: 150, 150 (of 300); F_difficulty: 1.2, 1 (of 2.2).
  share(湖北) = 0.5·43/63 + 0.3·150/300 + 0.2·1.2/2.2 = 43/126 + 3/20 + 6/55
              = (4730 + 2079 + 1512)/13860 = 8321/13860;  share(湖南) = 5539/13860.
  In fen: 湖北 10000·8321/13860 = 6003 + 8420/13860 (0.6075…), 湖南 3996 + 5440/13860 (0.3925…);
  floors 6003 + 3996 = 9999, the one fen left goes to the larger remainder, 湖北: 60.04 and 39.96.
  Solve: 湖南 needs only 30 of its 39.96 (9.96 stays unspent: the method does not move it);
  湖北 needs 110 and gets its 60.04 — the cap binds — split by stage 2 at equal gap shares
  (49.96/110 = 45.42 %): hb1 43.66, hb2 16.38 (whole fen, 60.04 together). Gap 49.96, weighted
  3 × 49.96 = 149.88. One 万元 more for 湖北 would close 1 of gap (3 weighted) for the first 9.96:
  beyond that the budget (100.00, 90.04 used) binds.
"""

from __future__ import annotations

import copy
import csv
import random
from fractions import Fraction

import numpy as np
import pytest

import rational_lp
from conftest import SCENARIOS as SCENARIOS_DIR
from run_cli import run
from subsidy.allocate.distribution import apportion, region_amounts
from subsidy.analysis.close_gap import close_gap
from subsidy.analysis.explain import explain
from subsidy.allocate.stages import SolveError
from subsidy.checks.verify import verify
from subsidy.output.analysis_text import explanation_sentences
from subsidy.checks.verify_distribution import region_caps
from subsidy.analysis.sweep import parse_vary, sweep
from subsidy.pipeline import diagnosis, solve
from subsidy.scenario.load import scenario_from_data

METHODS = {"flow": {"method": "flow"}, "lp-highs": {"method": "pulp"}, "lp-cbc": {"method": "pulp", "solver": "cbc"}}

DATA = {
    "name": "two regions",
    "enterprises": [
        {"id": "hb1", "name": "湖北一厂", "industry": "cement", "region": "湖北/咸宁", "capacity": {"amount": 30}, "workers": 100, "exit_year": 2016,
         "costs": {"resettlement": 80}},
        {"id": "hb2", "name": "湖北二厂", "industry": "cement", "region": "湖北/黄冈", "capacity": {"amount": 10}, "workers": 50, "costs": {"resettlement": 30}},
        {"id": "hn1", "name": "湖南一厂", "industry": "cement", "region": "湖南/岳阳", "capacity": {"amount": 20}, "workers": 150, "exit_year": 2017,
         "costs": {"resettlement": 30}},
    ],
    "funds": [{"id": "central_reward", "name": "中央奖补资金", "budget": 100, "categories": ["resettlement"],
               "distribution": {"level": 1, "factors": {"capacity": 0.5, "workers": 0.3, "difficulty": 0.2},
                                "early_exit_weights": {2016: 1.1, 2017: 1.0, 2018: 0.9}}}],
    "regions": [{"path": "湖北", "difficulty": 1.2}],
}


def test_factor_shares_and_fen_by_hand():
    s = scenario_from_data(DATA)
    hubei, hunan = region_amounts(s, s.funds[0])
    assert (hubei.region, hubei.capacity, hubei.workers, hubei.difficulty) == ("湖北", 43, 150, Fraction(6, 5))
    assert (hunan.region, hunan.capacity, hunan.workers, hunan.difficulty) == ("湖南", 20, 150, 1)
    assert (hubei.share, hunan.share) == (Fraction(8321, 13860), Fraction(5539, 13860))
    assert (hubei.amount_fen, hunan.amount_fen) == (6004, 3996)
    # The verifier's own reading gives the same fen.
    assert region_caps(s, s.funds[0]) == ({"湖北": 6004, "湖南": 3996}, {"hb1": "湖北", "hb2": "湖北", "hn1": "湖南"})


def test_largest_remainder_ties_go_to_the_region_named_first():
    # 100 fen in thirds: 33⅓ each, floors 99, the one fen left to the first of three equal remainders.
    assert apportion(100, [Fraction(1, 3)] * 3) == [34, 33, 33]
    # 7 fen at 1/2, 1/4, 1/4: 3.5, 1.75, 1.75 → floors 3, 1, 1; 2 fen left to 0.75, 0.75 (before 0.5).
    assert apportion(7, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]) == [3, 2, 2]


@pytest.mark.parametrize("method", list(METHODS))
def test_the_region_cap_binds_by_every_method(method):
    r = solve(scenario_from_data(DATA), **METHODS[method])
    funded = {row.enterprise: row.amount_fen for row in r.allocations.itertuples()}
    assert funded == {"hb1": 4366, "hb2": 1638, "hn1": 3000}
    assert r.weighted_gap == pytest.approx(149.88, abs=1e-9)
    assert r.binding_rules() == ["distribution[central_reward,湖北]"]
    table = r.distribution_table()
    assert table.columns["region"] == ["湖北", "湖南"]
    assert table.columns["amount"].tolist() == [6004, 3996] and table.columns["used"].tolist() == [6004, 3000]


@pytest.mark.parametrize("solver", ["highs", "cbc"])  # the flow's residual graph, and the LP's dual face (CBC)
def test_explain_prices_the_region_amount_with_its_range(solver):
    s = scenario_from_data(DATA)
    rules = explain(s, solver).rules.set_index("rule")
    row = rules.loc["distribution[central_reward,湖北]"]
    assert bool(row.binding) and row.shadow_weighted == 3.0 and row.shadow_unweighted == 1.0
    assert str(row.increase_weighted) == "9.96"  # then the budget binds (90.04 of 100.00 used)
    assert rules.loc["distribution[central_reward,湖南]"].shadow_weighted == 0.0
    # The 9.96 left is 湖南's, which it cannot use: said so, not "no line is open" (湖北's are).
    words = explanation_sentences(explain(s, solver), "en")
    assert "central_reward budget has 9.96 of 100.00 left: the factor method's amounts for the regions with open lines are used up" in words[1]
    assert "hb1 (湖北一厂) has a gap of 36.34 万元 (45.4% of its residual need): resettlement 36.34, because what the factor method gives its region of central_reward is used up." in words


def test_the_verifier_rejects_one_fen_over_a_region():
    s = scenario_from_data(DATA)
    frame = solve(s).exact("allocations")
    assert verify(s, frame) == []
    frame.loc[frame.enterprise == "hb1", "amount"] += frame.amount.iloc[0].__class__("0.01")
    broken = [v.rule for v in verify(s, frame)]
    assert broken == ["distribution[central_reward,湖北]"]


def test_distribution_csv_beside_the_contract(tmp_path):
    path = tmp_path / "two.yaml"
    from subsidy.scenario.convert import write_scenario

    write_scenario(scenario_from_data(DATA), path)
    done = run("solve", path, "--out", tmp_path / "out", "--lang", "en")
    assert done.code == 0, done.stderr
    with open(tmp_path / "out" / "distribution.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["region"], r["capacity"], r["workers"], r["difficulty"], r["share"], r["amount"], r["used"]) for r in rows] == [
        ("湖北", "43", "150", "1.2", "0.6003607504", "60.04", "60.04"),  # 8321/13860 = 0.60036075036…
        ("湖南", "20", "150", "1", "0.3996392496", "39.96", "30.00"),
    ]


def test_mixed_capacity_units_stop_before_solving_in_both_languages(tmp_path):
    data = copy.deepcopy(DATA)
    data["enterprises"][1]["capacity"] = {"amount": 100000, "unit": "吨"}
    from subsidy.scenario.convert import write_scenario

    write_scenario(scenario_from_data(data), tmp_path / "mixed.yaml")
    en = run("solve", tmp_path / "mixed.yaml", "--lang", "en")
    zh = run("validate", tmp_path / "mixed.yaml", "--lang", "zh")
    assert en.code == 2 and "more than one unit (万吨, 吨)" in en.stderr
    assert zh.code == 2 and "产能单位不一致（万吨、吨）" in zh.stderr


def test_weights_not_adding_up_to_one_count_as_their_parts_with_a_warning():
    # 1 / 0.6 / 0.4 (sum 2) is 0.5 / 0.3 / 0.2: the same fen as the worked example, and a warning.
    data = copy.deepcopy(DATA)
    data["funds"][0]["distribution"]["factors"] = {"capacity": 1, "workers": 0.6, "difficulty": 0.4}
    s = scenario_from_data(data)
    assert [r.amount_fen for r in region_amounts(s, s.funds[0])] == [6004, 3996]
    assert region_caps(s, s.funds[0])[0] == {"湖北": 6004, "湖南": 3996}
    warned = [f for f in diagnosis(s) if f.code == "factor_weights[central_reward]"]
    assert warned and "add up to 2" in warned[0].message and "权重之和为 2" in warned[0].message_zh
    data["funds"][0]["distribution"]["factors"] = {"capacity": 0, "workers": 0, "difficulty": 0}
    with pytest.raises(Exception, match="at least one factor"):
        scenario_from_data(data)


def test_a_sweep_over_a_factor_weight_and_the_budget():
    # capacity weight 0.5 → 0.9 (of 0.9 + 0.3 + 0.2 = 1.4); budget 100 → 140: the regions' amounts follow.
    table = sweep(scenario_from_data(DATA), [parse_vary("funds.central_reward.distribution.factors.capacity=0.5,0.9"),
                                             parse_vary("funds.central_reward.budget=100,140")], workers=1)
    gaps = {(float(r[0]), float(r[1])): float(r[2]) for r in table[["funds.central_reward.distribution.factors.capacity",
                                                               "funds.central_reward.budget", "total_gap"]].itertuples(index=False)}
    assert gaps[(0.5, 100.0)] == pytest.approx(49.96)
    # 湖北: 9/14·43/63 + 3/14·150/300 + 2/14·1.2/2.2 = 43/98 + 3/28 + 6/77 = (946 + 231 + 168)/2156
    # = 1345/2156. Of 10,000 fen: 6238.40 and 湖南 3761.60 → floors 6238 + 3761, the fen left to 湖南
    # (.60 > .40): 62.38, gap 110 − 62.38 = 47.62 (湖南 needs 30 of 37.62). Of 14,000 fen: 8733.77
    # and 5266.23 → 8733 + 5266, the fen to 湖北 (.77): 87.34, gap 22.66.
    assert gaps[(0.9, 100.0)] == pytest.approx(47.62) and gaps[(0.9, 140.0)] == pytest.approx(22.66)


# --- properties on generated scenarios ---------------------------------------------------------


def _generated(seed: int) -> dict:
    """Three to six enterprises in two or three provinces, two funds, one split by factors."""
    rng = random.Random(f"distribution-{seed}")
    provinces = rng.sample(["湖北", "湖南", "山东", "云南"], rng.randint(2, 3))
    ents = []
    for i in range(rng.randint(3, 6)):
        e = {"id": f"e{i}", "name": f"企业{i}", "industry": "cement", "region": f"{rng.choice(provinces)}/县{i}", "capacity": {"amount": rng.randint(0, 60)},
             "workers": rng.randint(0, 900), "costs": {c: rng.randint(0, 30000) / 100 for c in rng.sample(["resettlement", "bank_debt", "dismantling"], 2)}}
        if rng.random() < 0.6:
            e["exit_year"] = rng.choice([2016, 2017, 2018, 2019, 2020, 2021])
        ents.append(e)
    ents[0]["capacity"]["amount"] = max(1, ents[0]["capacity"]["amount"])
    ents[0]["workers"] = max(1, ents[0]["workers"])
    a = rng.choice([0.5, 0.6, 0.4])
    funds = [{"id": "central", "name": "中央", "budget": rng.randint(100, 60000) / 100, "categories": ["resettlement", "bank_debt"],
              "distribution": {"level": 1, "factors": {"capacity": a, "workers": round(0.8 - a, 1), "difficulty": 0.2},
                               "early_exit_weights": {2016: 1.1, 2017: 1.0, 2018: 0.9, 2019: 0.8, 2020: 0.7}}},
             {"id": "county", "name": "县级", "budget": rng.randint(0, 20000) / 100, "categories": ["resettlement", "dismantling"]}]
    if rng.random() < 0.5:
        funds[0]["caps"] = {"per_enterprise": rng.randint(0, 20000) / 100}
    return {"name": f"generated {seed}", "enterprises": ents, "funds": funds,
            "regions": [{"path": p, "difficulty": rng.choice([0.8, 1, 1.2, 1.5])} for p in provinces if rng.random() < 0.7],
            "policy": {"fairness": rng.random() < 0.7}}


@pytest.mark.parametrize("seed", range(24))
def test_flow_lp_and_the_rational_reference_agree_and_verify_accepts(seed):
    data = _generated(seed)
    s = scenario_from_data(data)
    flow, lp = solve(s, method="flow"), solve(s, method="pulp")  # each verified before it is returned
    best = rational_lp.whole_step_weighted_gap({**data, "funds": [{**f, "caps": {k: str(v) for k, v in f.get("caps", {}).items()},
                                                                    "budget": str(f["budget"])} for f in data["funds"]],
                                                "enterprises": [{**e, "costs": {c: str(v) for c, v in e["costs"].items()}} for e in data["enterprises"]]})
    assert Fraction(str(round(flow.weighted_gap, 6))) == best == Fraction(str(round(lp.weighted_gap, 6)))
    assert flow.max_gap_share == pytest.approx(lp.max_gap_share, abs=1e-12)
    # One fen more on any region the allocation fills is caught, by name.
    used = flow.distribution_table()
    full = [(r, a) for r, a, u in zip(used.columns["region"], used.columns["amount"].tolist(), used.columns["used"].tolist()) if u == a and a > 0]
    frame = flow.exact("allocations")
    for region, _ in full:
        caps, region_of = region_caps(s, s.funds[0])
        row = next(i for i, (f, e, amt) in enumerate(zip(frame.fund, frame.enterprise, frame.amount))
                   if f == "central" and region_of.get(e) == region and amt > 0)
        broken = frame.copy()
        broken.loc[row, "amount"] += frame.amount.iloc[0].__class__("0.01")
        found = [v for v in verify(s, broken) if v.rule == f"distribution[central,{region}]"]
        assert found, region
        # The one fen over, said in both languages (the region's amount +0.01).
        assert "(over by 0.01)" in found[0].said("en") and "（超出 0.01）" in found[0].said("zh")


def test_the_generated_cases_make_region_caps_bind():
    """The property above checks the one-fen rejection only where a region is full: it must be
    so in enough of the cases for the check to mean something."""
    full = 0
    for seed in range(24):
        r = solve(scenario_from_data(_generated(seed)), method="flow")
        t = r.distribution_table()
        full += int(np.any((t.columns["used"] == t.columns["amount"]) & (t.columns["amount"] > 0)))
    assert full >= 8


def test_close_gap_grows_the_regions_with_the_budget():
    # 湖北 needs 110 − 60.04 = 49.96 more; each fen of budget gives it 8321/13860 of a fen:
    # 4996 × 13860/8321 = 8321.6… → 8322 fen = 83.22. Solved again at 183.22 (18,322 fen):
    # 湖北 18322·8321/13860 = 10999.7…, 湖南 7322.3… → floors 10999 + 7322, the fen to 湖北: 110.00.
    closure = close_gap(scenario_from_data(DATA))
    assert str(closure.total_extra) == "83.22"
    assert closure.after is not None and closure.after.total("gaps", "gap") == 0
    with pytest.raises(SolveError, match="factor method"):
        close_gap(scenario_from_data(DATA), method="flow")


def test_the_workbook_carries_the_factor_method_and_locates_a_slip(tmp_path):
    # 因素法 sheet (fund, level, weights), early-exit weights as fund rules, a 地区 sheet, and
    # 退出年份 as the enterprises' last column: the workbook reads back as the same scenario.
    from openpyxl import load_workbook

    from subsidy.scenario.convert import write_scenario
    from subsidy.scenario.load import load_scenario

    s = scenario_from_data(DATA)
    write_scenario(s, tmp_path / "two.xlsx")
    assert load_scenario(tmp_path / "two.xlsx") == s
    wb = load_workbook(tmp_path / "two.xlsx")
    assert [c.value for c in wb["因素法"][3]] == ["central_reward", 1, 0.5, 0.3, 0.2, None]  # share blank: 1
    assert [c.value for c in wb["地区"][3]] == ["湖北", 1.2]
    wb["因素法"]["B3"] = "按省"
    wb.save(tmp_path / "slip.xlsx")
    done = run("validate", tmp_path / "slip.xlsx", "--lang", "en")
    assert done.code == 2 and "因素法!B3" in done.stderr


def test_the_result_workbook_has_a_factor_method_sheet(tmp_path):
    from openpyxl import load_workbook

    from subsidy.output.result_xlsx import result_workbook

    (tmp_path / "r.xlsx").write_bytes(result_workbook(solve(scenario_from_data(DATA)), "zh"))
    ws = load_workbook(tmp_path / "r.xlsx")["因素法分配表"]
    assert [c.value for c in ws[5]][2:9] == ["湖北", 43, 150, 1.2, 0.6003607504, 60.04, 60.04]
    assert [c.value for c in ws[6]][2:] == ["湖南", 20, 150, 1, 0.3996392496, 39.96, 30, "=H6-I6"]  # 结余 9.96 as a formula


def test_a_region_shorter_than_the_level_is_a_warning_and_its_own_region():
    # At level 2 湖北/咸宁 and 湖北/黄冈 are two regions; hn1 written as '湖南' alone is a third, '湖南'.
    data = copy.deepcopy(DATA)
    data["enterprises"][2]["region"] = "湖南"
    data["funds"][0]["distribution"]["level"] = 2
    s = scenario_from_data(data)
    assert [r.region for r in region_amounts(s, s.funds[0])] == ["湖北/咸宁", "湖北/黄冈", "湖南"]
    assert [f.code for f in diagnosis(s) if f.code.startswith("region_too_short")] == ["region_too_short[central_reward,hn1]"]


def test_a_programme_over_several_years_refuses_the_factor_method(tmp_path):
    # Not carried by the programme's network of fund-years yet: said before solving, not ignored.
    (tmp_path / "p.yaml").write_text("base: " + str(SCENARIOS_DIR / "xianan-2025-2027.yaml") + "\n"
                                     "funds:\n  - id: central_reward\n    distribution: {level: 1, factors: {workers: 1}}\n", encoding="utf-8")
    done = run("validate", tmp_path / "p.yaml", "--lang", "en")
    assert done.code == 2 and "does not carry the factor method yet" in done.stderr
