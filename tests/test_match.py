"""配套 matching (issue 13, funds[].match): for each enterprise, what the listed funds pay it ≥
ratio × what this fund pays it, in whole fen, the stages solved as whole-fen MIPs.

The hand-worked case (unit 元, so a fen is 0.01 元): e1 has one resettlement line of 1.00 元 =
100 fen; central (budget 100 元) must be matched by local at 0.3, and local has 1 fen. With 1 fen
of matching, central may pay p fen only where 10 × 1 ≥ 3 × p, so p ≤ 3 (3 × 4 = 12 > 10): central
pays 3 fen, local 1, the line gets 4 fen. The LP relaxation would pay central 3.33 fen.
"""

from __future__ import annotations

import copy
import json
import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from run_cli import run
from subsidy.analysis.explain import explain
from subsidy.checks.verify import verify
from subsidy.pipeline import NotAFlow, solve
from subsidy.scenario.load import ScenarioError, load_scenario, scenario_from_data

from conftest import SCENARIOS

HAND = {
    "name": "配套",
    "unit": "元",
    "enterprises": [{"id": "e1", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 1.00}}],
    "funds": [{"id": "central", "name": "中央", "budget": 100, "categories": ["resettlement"], "match": {"funds": ["local"], "ratio": 0.3}},
              {"id": "local", "name": "地方", "budget": 0.01, "categories": ["resettlement"]}],
}
METHODS = {"auto": {}, "pulp-highs": {"method": "pulp"}, "pulp-cbc": {"method": "pulp", "solver": "cbc"}}
SHIPPED = SCENARIOS / "options" / "xianan-match.yaml"


def paid(result) -> dict[str, int]:
    """Fen per fund."""
    a = result.allocations
    return {f: int(a[a.fund == f].amount_fen.sum()) for f in sorted(set(a.fund))}


@pytest.mark.parametrize("method", list(METHODS))
def test_central_matched_by_one_fen_at_0_3_pays_3_fen_not_3_33(method):
    r = solve(scenario_from_data(HAND), **METHODS[method])
    assert paid(r) == {"central": 3, "local": 1}
    # gap 100 − 4 = 96 fen = 0.96 元, weight 3: weighted gap 2.88
    assert r.summary["objective_weighted_gap"] == pytest.approx(2.88, abs=1e-9)
    assert r.summary["method_note"].startswith("配套 rule: not a network; solved as whole-fen MIP")


def test_the_flow_refuses_matching_and_says_why():
    with pytest.raises(NotAFlow, match="配套 rule: not a network; solved as whole-fen MIP"):
        solve(scenario_from_data(HAND), method="flow")


def test_verifier_rejects_each_match_broken_by_one_fen():
    s = scenario_from_data(HAND)
    table = solve(s).allocations[["fund", "enterprise", "category", "amount"]].copy()
    table["amount"] = [Decimal(str(a)).quantize(Decimal("0.01")) for a in table["amount"]]
    assert verify(s, table) == []
    # central 4 fen against 1 fen of matching: 10 × 1 < 3 × 4; the least is ⌈3 × 4 / 10⌉ = 2 fen
    table.loc[table.fund == "central", "amount"] += Decimal("0.01")
    found = [(v.rule, v.message, v.message_zh) for v in verify(s, table)]
    assert found == [("match[central,e1]", "the matching funds pay 0.01, ratio 0.3 × this fund's 0.04 asks 0.02 (short by 0.01)",
                      "配套资金支付 0.01，配套比例 0.3 × 本资金支付 0.04 要求 0.02（差 0.01）")]
    # and the matching fund's 1 fen taken away: central's 3 fen ask ⌈0.9⌉ = 1 fen
    table.loc[table.fund == "central", "amount"] -= Decimal("0.01")
    table.loc[table.fund == "local", "amount"] -= Decimal("0.01")
    assert [v.rule for v in verify(s, table)] == ["match[central,e1]"]


@pytest.mark.parametrize(("match", "where", "en", "zh"), [
    ({"funds": ["nowhere"], "ratio": 0.3}, "funds[0] (central).match.funds[0]", "unknown fund 'nowhere'", "未知的资金 'nowhere'"),
    ({"funds": ["central"], "ratio": 0.3}, "funds[0] (central).match.funds[0]", "a fund cannot match itself ('central')", "资金不能为自身配套"),
    ({"funds": ["local"], "ratio": 0}, "funds[0] (central).match.ratio", "the ratio must be above 0", "配套比例必须大于 0"),
    ({"funds": ["local"], "ratio": -0.5}, "funds[0] (central).match.ratio", "the ratio must be above 0", "配套比例必须大于 0"),
    ({"funds": ["local", "local"], "ratio": 1}, "funds[0] (central).match.funds[1]", "fund 'local' is listed twice", "资金 'local' 列了两次"),
])
def test_a_match_naming_what_is_not_there_is_refused_in_both_languages(match, where, en, zh):
    data = copy.deepcopy(HAND)
    data["funds"][0]["match"] = match
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data)
    assert where in caught.value.render("en") and en in caught.value.render("en")
    assert zh in caught.value.render("zh")


def test_explain_prices_a_binding_match_from_the_relaxation():
    ex = explain(scenario_from_data(HAND))
    row = ex.rules.set_index("rule").loc["match[central,e1]"]
    # bound ⌈0.3 × 3⌉ = 1 fen of matching, used 1: no fen of room for central (10 × 1 < 3 × 4)
    assert row.binding and row.bound == Decimal("0.01") and row.used == Decimal("0.01")
    # relaxation: one fen of co-funding waived lets central pay 10/3 fen more of a weight-3 line: 10
    assert row.shadow_weighted == pytest.approx(10.0) and row.shadow_unweighted == pytest.approx(10 / 3, abs=1e-5)
    gap = ex.gaps.set_index("category").loc["resettlement"]
    assert ("central", "match", "match[central,e1]") in gap.blockers


# --- the whole-fen optimum, by brute force ----------------------------------------------------------
WEIGHTS = {"resettlement": 3, "bank_debt": 1}


def tiny(seed: int) -> dict:
    """Two or three funds of a few fen, one to three lines of a few fen, one or two matches."""
    rng = random.Random(seed)
    lines = [(e, c) for e in ("e1", "e2") for c in WEIGHTS if rng.random() < 0.6][:3] or [("e1", "resettlement")]
    enterprises = {}
    for e, c in lines:
        enterprises.setdefault(e, {})[c] = Decimal(rng.randint(1, 5)) / 100
    funds = [{"id": f, "name": f, "budget": Decimal(rng.randint(0, 6)) / 100, "categories": list(WEIGHTS)}
             for f in ("a", "b", "c")[: rng.choice((2, 3))]]
    funds[0]["match"] = {"funds": [f["id"] for f in funds[1:]], "ratio": rng.choice((0.3, 0.5, 1, 1.5, 2, 0.25))}
    if len(funds) == 3 and rng.random() < 0.5:
        funds[1]["match"] = {"funds": ["c"], "ratio": rng.choice((0.5, 1, 3))}
    return {"name": f"tiny {seed}", "unit": "元",
            "enterprises": [{"id": e, "name": e, "region": "湖北", "industry": "cement", "costs": costs} for e, costs in enterprises.items()],
            "funds": funds}


def brute_force_weighted_gap_fen(data: dict) -> int:
    """min Σ w·(r − funded) over every whole-fen allocation keeping budgets, needs and matches."""
    lines = [(e["id"], c, int(a * 100)) for e in data["enterprises"] for c, a in e["costs"].items()]
    funds = data["funds"]
    arcs = [(f["id"], e, c) for f in funds for e, c, _ in lines]
    need = {(e, c): r for e, c, r in lines}
    budget = {f["id"]: int(f["budget"] * 100) for f in funds}
    best = None
    for x in itertools.product(*(range(min(budget[f], need[(e, c)]) + 1) for f, e, c in arcs)):
        spent: dict = {}
        for (f, e, c), v in zip(arcs, x):
            spent[f] = spent.get(f, 0) + v
            spent[(e, c)] = spent.get((e, c), 0) + v
            spent[(f, e)] = spent.get((f, e), 0) + v
        if any(spent[f["id"]] > budget[f["id"]] for f in funds) or any(spent.get(k, 0) > r for k, r in need.items()):
            continue
        ok = True
        for f in funds:
            if "match" in f:
                num, den = Fraction(str(f["match"]["ratio"])).as_integer_ratio()
                for e in {e for e, _, _ in lines}:
                    if den * sum(spent.get((g, e), 0) for g in f["match"]["funds"]) < num * spent.get((f["id"], e), 0):
                        ok = False
        if ok:
            gap = sum(WEIGHTS[c] * (r - spent.get((e, c), 0)) for (e, c), r in need.items())
            best = gap if best is None else min(best, gap)
    return best


@pytest.mark.parametrize("seed", range(16))
def test_the_mip_finds_the_whole_fen_optimum_of_tiny_cases(seed):
    data = tiny(seed)
    r = solve(scenario_from_data(data), **(METHODS["pulp-cbc"] if seed % 4 == 0 else {}))
    gaps = r.gaps
    got = sum(WEIGHTS[c] * g for c, g in zip(gaps["category"], gaps["gap_fen"].tolist()))
    assert got == brute_force_weighted_gap_fen(data)


# --- the shipped option -------------------------------------------------------------------------
def test_xianan_match_figures_and_the_two_solvers_agree():
    # 1:1 配套: central pays 恒宇 171 and 温泉 79 (250 of its 300), matched by 100 + 71 and 50 + 29:
    # total gap 310.60 → 360.60, weighted 160.60 → 210.60 (温泉's bank debt, weight 1, loses 50).
    s = load_scenario(SHIPPED)
    highs, cbc = solve(s), solve(s, solver="cbc")
    for r in (highs, cbc):
        assert r.summary["total_gap"] == pytest.approx(360.60) and r.summary["objective_weighted_gap"] == pytest.approx(210.60)
    assert highs.allocations.amount_fen.tolist() == cbc.allocations.amount_fen.tolist()
    a = highs.allocations
    assert int(a[a.fund == "central_reward"].amount_fen.sum()) == 250_00  # 250 万元


def test_solve_cli_reports_the_mip_in_the_method_note(tmp_path):
    done = run("solve", SHIPPED, "--out", tmp_path / "out", "--lang", "en")
    assert done.code == 0, done.err
    assert '"method_note": "配套 rule: not a network; solved as whole-fen MIP' in (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")


# --- conflicts with commitments ---------------------------------------------------------------
def _committed(tmp_path, local_budget: float, enterprises: tuple[str, ...]):
    data = copy.deepcopy(HAND)
    data["enterprises"].append({"id": "e2", "name": "乙", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 1.00}})
    data["funds"][1]["budget"] = local_budget
    data["commitments"] = [{"fund": "central", "enterprise": e, "at_least": 0.5} for e in enterprises]
    path = tmp_path / "committed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_commitment_the_matching_funds_cannot_afford_stops_before_solving(tmp_path):
    # central must pay e1 at least 50 fen: 0.3 × 50 = 15 fen of matching, local has 1 fen
    path = _committed(tmp_path, 0.01, ("e1",))
    en, zh = run("solve", path, "--lang", "en"), run("solve", path, "--lang", "zh")
    assert en.code == zh.code == 2
    assert "match[central,e1]: commitments make central pay e1 at least 0.50 元, so 0.3 × that asks 0.15 元 of local, " \
           "but they can pay e1 at most 0.01 元" in en.stderr
    assert "按配套比例 0.3 需 local 配套 0.15 元，但其对 e1 最多可支付 0.01 元" in zh.stderr


def test_matching_funds_that_fit_each_commitment_but_not_both_name_the_smallest_conflict(tmp_path):
    # local 20 fen reaches either enterprise's 15 fen, not both (30): exit 3, and 10 fen more would do
    path = _committed(tmp_path, 0.20, ("e1", "e2"))
    done = run("solve", path, "--lang", "en")
    assert done.code == 3
    assert "commitment[central,e1], commitment[central,e2], match[central,e1], match[central,e2], budget[local]" in done.stderr
    assert "local +0.10 (0.10 元 in all)" in done.stderr


# --- close-gap, sweep, compare keep the rule ------------------------------------------------------
def test_close_gap_keeps_the_match():
    # Without matching, 160.60 more closes all that budget can (hubei +50, district +110.60).
    # With 1:1 matching the extra local money must also match central's 50 left: 162.10
    # (hubei +50, district +112.10), and solved again the gap is the 150.00 no fund may pay.
    from subsidy.analysis.close_gap import close_gap

    gc = close_gap(load_scenario(SHIPPED))
    assert gc.total_extra == Decimal("162.10")
    assert dict(zip(gc.funds.fund, gc.funds.extra)) == {"central_reward": 0, "hubei_provincial": Decimal("50.00"),
                                                        "xianan_district": Decimal("112.10")}
    assert int(gc.after.gaps.gap_fen.sum()) == 150_00
    assert gc.after.summary["method_note"].startswith("配套 rule")


def test_sweep_over_the_ratio_pays_whole_fen():
    # 0.5: central's 300 asks 150 of the 250 local: it binds nowhere (160.60, as without it);
    # 1.0: central 250 (above); 1.5: local 250 matches 250 / 1.5 = 166.666… of central: 166.66 in
    # whole fen (a fen more, 166.67 × 1.5 = 250.005 > 250).
    from subsidy.analysis.sweep import parse_vary, sweep

    table = sweep(load_scenario(SHIPPED), [parse_vary("funds.central_reward.match.ratio=0.5,1,1.5")], workers=1)
    assert [round(float(v), 2) for v in table["weighted_gap"]] == [160.60, 210.60, 311.28]
    assert [round(float(v), 2) for v in table["used[central_reward]"]] == [300.00, 250.00, 166.66]


def test_compare_names_the_match_in_words():
    base = load_scenario(SCENARIOS / "xianan-2025.yaml")
    done = run("compare", SCENARIOS / "xianan-2025.yaml", SHIPPED, "--lang", "zh")
    assert done.code == 0, done.stderr
    assert "中央财政淘汰落后产能奖励资金（以奖代补） 配套·比例 — → 1" in done.stdout
    assert base.funds[0].match is None


# --- the workbook -------------------------------------------------------------------------------
def test_match_round_trips_through_the_workbook_and_slips_name_their_cells(tmp_path):
    import openpyxl

    from subsidy.scenario.convert import write_scenario

    original = load_scenario(SHIPPED)
    write_scenario(original, tmp_path / "s.xlsx")
    assert load_scenario(tmp_path / "s.xlsx") == original
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    sheet = book["配套"]  # row 3: central_reward, hubei_provincial, 1; row 4: central_reward, xianan_district
    assert [c.value for c in sheet[3]] == ["central_reward", "hubei_provincial", 1]
    sheet["C3"], sheet["B4"] = 0, "nowhere"
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "bad.xlsx")
    assert "配套!C3 (配套比例（配套资金合计不低于本资金支付额的） ratio): the ratio must be above 0, got 0" in caught.value.render("en")
    assert "配套!B4 (配套资金代码 by): 未知的资金 'nowhere'" in caught.value.render("zh")


# --- what does not carry matching yet refuses it, rather than dropping it ------------------------
def test_a_programme_and_the_robust_plan_refuse_matching():
    import yaml

    from subsidy.allocate.robust import robust_allocation
    from subsidy.pipeline import SolveError, rules_of

    data = yaml.safe_load((SCENARIOS / "xianan-2025-2027.yaml").read_text(encoding="utf-8"))
    data["funds"][0]["match"] = {"funds": [data["funds"][1]["id"]], "ratio": 1}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data)
    assert "does not carry 配套 matching yet" in caught.value.render("en") and "跨年度方案暂不支持配套" in caught.value.render("zh")
    rules = rules_of(load_scenario(SHIPPED))
    with pytest.raises(SolveError, match="配套 matching"):
        robust_allocation(rules, rules.lines.residual[None, :])


def test_a_cycle_of_matches_above_one_only_forces_both_to_nothing():
    # central ≥ 2 × local and local ≥ 2 × central at every enterprise: only 0 and 0 keep both
    # (c ≥ 2l ≥ 4c). A third fund without a match pays what it can: 0.40 of the 1.00.
    data = copy.deepcopy(HAND)
    data["funds"][0]["match"] = {"funds": ["local"], "ratio": 2}
    data["funds"][1].update(budget=100, match={"funds": ["central"], "ratio": 2})
    data["funds"].append({"id": "other", "name": "其他", "budget": 0.4, "categories": ["resettlement"]})
    r = solve(scenario_from_data(data))
    assert paid(r) == {"other": 40}


# --- stage 2 by its LP relaxation's floors (allocate/mip.py) ------------------------------------------
def need_fen(resettlement_yuan: float, local_yuan: float) -> dict:
    """HAND with e1's resettlement line and local's budget changed."""
    data = copy.deepcopy(HAND)
    data["enterprises"][0]["costs"]["resettlement"] = resettlement_yuan
    data["funds"][1]["budget"] = local_yuan
    return data


def test_stage_2_is_held_by_the_relaxations_floors_when_whole_fen_can_meet_them():
    # e1 needs 100 fen, local has 40, central 100 (matched at 0.3). Stage 1 funds all 100 in
    # whole fen, so stage 2's relaxation gives t = 0 and floors 100 − ⌊0·100⌋ = 100: stage 3
    # meets them (local 40 + central 60; 400 ≥ 180), so the MIP never solves stage 2 itself.
    r = solve(scenario_from_data(need_fen(1.00, 0.40)), method="pulp")
    assert paid(r) == {"central": 60, "local": 40}
    assert r.summary["max_gap_share"] == 0
    assert r.summary["method_note"].endswith("stage 2 held by its LP relaxation's floors (whole-fen feasible, so optimal)")


def test_stage_2_falls_back_to_the_mip_when_the_relaxations_floors_ask_for_a_fraction_of_a_fen():
    # e1 needs 5 fen; local has 1 fen, central 100 at 0.3. Whole fen: local 1 + central 3 (10 ≥ 9,
    # 10 < 12) = 4 funded, share 1/5. Stage 2's relaxation (stage 1 held at 4 funded, x
    # continuous) pays central 10/3: funded 4.33, t = 0.667/5 = 0.133, floors 5 − ⌊0.667⌋ = 5:
    # not whole-fen feasible, so stage 3 fails and stage 2 is solved as the MIP: t = 1/5, floors
    # 5 − 1 = 4, stage 3 funds 4.
    r = solve(scenario_from_data(need_fen(0.05, 0.01)), method="pulp")
    assert paid(r) == {"central": 3, "local": 1}
    assert r.summary["max_gap_share"] == pytest.approx(1 / 5)
    assert r.summary["method_note"].endswith("stage 2 as a MIP (its LP relaxation's floors are not whole-fen feasible)")
