"""The LP over the years (`allocate.timing_lp`) against the flow (`allocate.timing`): the issue
asks that the flow carry a programme and that the LP agree with it (against the exact rational
reference: test_years.test_stage_1_and_the_timing_stage_match_the_exact_lp, both methods).

Each programme is solved by the flow and by the LP with HiGHS and with CBC; `solve_programme`
runs the independent year check (`checks.verify_years`) on each, so a solve that returns has
passed it. The hand-worked programmes are `test_years.py`'s, with their arithmetic there."""

from __future__ import annotations

import random

import pytest
from run_cli import run

from test_years import (TWO_YEARS_ENTERPRISES, TWO_YEARS_FUND, _random_programme, payments, programme)
from subsidy.checks.verify_years import verify_programme
from subsidy.pipeline import NotAFlow, SolveError, settle_programme, solve_programme
from subsidy.scenario.documents import ScenarioError
from subsidy.scenario.load import load_scenario, scenario_from_data
from subsidy.scenario.convert import write_scenario
from subsidy.scenario.model import Scenario

SOLVERS = ("highs", "cbc")


def _ent(id_, costs, **extra):
    return {"id": id_, "name": id_.upper(), "region": "湖北/咸宁", "industry": "cement", "costs": costs, **extra}


HAND_WORKED = {
    # test_years: carry-over on: a paid 100 in 2025 and 100 in 2026, weighted gap 100, arrears 100.
    "carry_over": (programme([TWO_YEARS_FUND], TWO_YEARS_ENTERPRISES), 100.0, 100.0),
    # carry-over off: 50 lapse in 2025; weighted gap 50 × 3 + 100 × 1 = 250, arrears 250.
    "no_carry_over": (programme([{**TWO_YEARS_FUND, "carry_over": False}], TWO_YEARS_ENTERPRISES), 250.0, 250.0),
    # the timing stage pays a's 2025 debt first: gap 100, arrears 0 + 100 = 100.
    "due_first": (programme([{"id": "c", "name": "C", "tranches": {2025: 100}, "categories": ["bank_debt"]}],
                            [_ent("a", {"bank_debt": {2025: 100}}), _ent("b", {"bank_debt": {2026: 100}})]), 100.0, 100.0),
    # late money settles 2025's arrears in 2026: gap 0, arrears 100 × 3 = 300.
    "late_money": (programme([{"id": "c", "name": "C", "tranches": {2025: 0, 2026: 100}, "categories": ["resettlement"]}],
                             [_ent("a", {"resettlement": {2025: 100}})]), 0.0, 300.0),
    # own funds pay the 2025 bank debt; the fund's 60 go to the 2026 resettlement: gap 40 × 3 = 120,
    # arrears 2025 0, 2026 40 × 3 = 120.
    "own_funds": (programme([{"id": "c", "name": "C", "tranches": {2026: 60}, "categories": ["resettlement", "bank_debt"]}],
                            [_ent("a", {"bank_debt": {2025: 100}, "resettlement": {2026: 100}}, own_funds={"sale": {2025: 100}})]),
                  120.0, 120.0),
}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("case", sorted(HAND_WORKED))
def test_the_lp_pays_the_hand_worked_programmes_as_the_flow_does(case, solver):
    scenario, gap, arrears = HAND_WORKED[case]
    flow = solve_programme(scenario, method="flow")
    lp = solve_programme(scenario, method="pulp", solver=solver)
    assert (lp.weighted_gap, lp.weighted_arrears) == (flow.weighted_gap, flow.weighted_arrears) == (gap, arrears)
    # each of these has one optimal payment plan once the tie-break has spoken: the same fen by fen
    assert payments(lp) == payments(flow)
    assert lp.summary["method"] == "pulp" and f"PuLP, {solver}" in lp.summary["method_note"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_lp_agrees_with_the_flow_on_random_programmes(solver):
    # the 12 random programmes of test_years' invariant test (seed 14): fairness on about half
    rng = random.Random(14)
    for _ in range(12):
        scenario = Scenario.model_validate(_random_programme(rng))
        flow = solve_programme(scenario, method="flow")
        lp = solve_programme(scenario, method="pulp", solver=solver)
        assert (lp.weighted_gap, lp.weighted_arrears) == (flow.weighted_gap, flow.weighted_arrears)
        # stage 1's and the timing stage's optima are what the written allocation leaves
        assert (lp.weighted_gap, lp.weighted_arrears) == (lp.solution.weighted_gap, lp.solution.weighted_arrears)
        assert lp.summary["arrears_by_year"].keys() == flow.summary["arrears_by_year"].keys()
        if scenario.policy.fairness:  # stage 2 reaches the same largest gap share
            assert lp.solution.max_gap_share == pytest.approx(flow.solution.max_gap_share, abs=1e-6)


# Fund caps over all years. Two years; fund c gets 100 in 2025 and 100 in 2026 (carried over) for
# resettlement (weight 3) and bank debt (weight 1). a: resettlement 100 due in 2025 and 100 in 2026;
# b: bank debt 100 due in 2025.
CAPPED_FUND = {"id": "c", "name": "C", "tranches": {2025: 100, 2026: 100}, "categories": ["resettlement", "bank_debt"]}
CAPPED_ENTERPRISES = [_ent("a", {"resettlement": {2025: 100, 2026: 100}}), _ent("b", {"bank_debt": {2025: 100}})]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_cap_per_enterprise_holds_over_all_the_years(solver):
    # Uncapped, a would take all 200 (weight 3). Capped at 120 over both years: a gets 120, b the
    # other 80 → gap a 80 × 3 + b 20 × 1 = 260. Timing: a's 2025 hundred is paid in 2025 (each fen
    # saves 3 in 2025 and 3 in 2026, b's only 1 + 1), so 2025's money all goes to a; 2026: a 20, b 80.
    # Arrears 2025: b 100 (× 1) = 100; 2026: a 80 × 3 + b 20 = 260; summed 360.
    scenario = programme([{**CAPPED_FUND, "caps": {"per_enterprise": 120}}], CAPPED_ENTERPRISES)
    r = solve_programme(scenario, solver=solver) if solver == "highs" else solve_programme(scenario, method="pulp", solver=solver)
    assert payments(r) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 20_00,
                           ("c", 2026, "b", "bank_debt"): 80_00}
    assert (r.weighted_gap, r.weighted_arrears) == (260.0, 360.0)
    assert r.summary["method"] == "pulp" and "integer program" in r.summary["method_note"]
    if solver == "highs":  # auto says why it left the flow
        assert "fund caps over all years are not a network" in r.summary["method_note"]


def test_a_share_of_need_holds_over_all_the_years():
    # share_of_need 0.5: c pays at most half of each line's need over both years: a's resettlement
    # 200 × 0.5 = 100, b's debt 100 × 0.5 = 50. a gets its 2025 hundred in 2025 (each fen saves 3 in
    # 2025 and 3 in 2026; b's save 1 + 1), b 50 in 2026; 50 are left over. Gap a 100 × 3 + b 50 × 1
    # = 350; arrears 2025 b 100, 2026 a 100 × 3 + b 50 = 350 → 450.
    scenario = programme([{**CAPPED_FUND, "caps": {"share_of_need": 0.5}}], CAPPED_ENTERPRISES)
    r = solve_programme(scenario)
    assert payments(r) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "b", "bank_debt"): 50_00}
    assert (r.weighted_gap, r.weighted_arrears) == (350.0, 450.0)
    assert r.fund_years["carried_over"][0].tolist() == [0, 50_00]  # left at the end


def test_the_flow_refuses_caps_over_the_years_and_the_verifier_checks_them():
    scenario = programme([{**CAPPED_FUND, "caps": {"per_enterprise": 120}}], CAPPED_ENTERPRISES)
    with pytest.raises(NotAFlow, match="fund caps over all years are not a network"):
        solve_programme(scenario, method="flow")
    # The uncapped plan pays a 100 + 100 = 200 over the two years: 80 over its cap of 120.
    uncapped = solve_programme(programme([CAPPED_FUND], CAPPED_ENTERPRISES))
    assert sum(a for (f, y, e, c), a in payments(uncapped).items() if e == "a") == 200_00
    found = verify_programme(scenario, uncapped.table("allocations").columns, uncapped.table("gaps").columns, uncapped.summary)
    assert [v.rule for v in found] == ["cap_enterprise[c,a]"] and "over by 80.00" in found[0].message


def test_caps_over_the_years_give_the_same_optima_on_highs_and_cbc():
    # The 12 random programmes with a cap per enterprise on each fund (a third of its money, so
    # that caps bind): two independent branch-and-bound solvers must find the same whole-fen
    # optima, and each allocation passes the year check with its caps (solve_programme runs it).
    rng = random.Random(14)
    for _ in range(12):
        data = _random_programme(rng)
        for f in data["funds"]:
            f["caps"] = {"per_enterprise": round(sum(f["tranches"].values()) / 3, 2)}
        scenario = Scenario.model_validate(data)
        highs = solve_programme(scenario)
        cbc = solve_programme(scenario, solver="cbc")
        assert (highs.weighted_gap, highs.weighted_arrears) == (cbc.weighted_gap, cbc.weighted_arrears)
        assert (highs.weighted_gap, highs.weighted_arrears) == (highs.solution.weighted_gap, highs.solution.weighted_arrears)


def test_settle_counts_the_kept_payments_against_the_caps():
    # The capped plan above pays a 100 in 2025. 清算: the actual figures cut b's bank debt to 10.
    # The kept 100 count against a's cap of 120, so the re-solve pays a only 20 more in 2026 (not a
    # fresh 120), and b its 10: gap a 80 × 3 = 240; c keeps 200 − 130 = 70 unspent at the end.
    actual = programme([{**CAPPED_FUND, "caps": {"per_enterprise": 120}}], [CAPPED_ENTERPRISES[0], _ent("b", {"bank_debt": {2025: 10}})])
    settled = settle_programme(actual, [("c", 2025, "a", "resettlement", 100_00)])
    assert payments(settled.result) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 20_00,
                                        ("c", 2026, "b", "bank_debt"): 10_00}
    assert settled.result.weighted_gap == 240.0 and settled.result.summary["method"] == "pulp"
    assert settled.by_enterprise_and_fund() == [("a", "c", 100_00, 0, 20_00), ("b", "c", 0, 0, 10_00)]


def test_the_shipped_programme_with_caps():
    # scenarios/README.md's figures: the caps bind (central 温泉 120 = 120 万元/万吨 × 1万吨, 恒宇 180 =
    # 120 × 1.5万吨; provincial 100 each at most) and move who pays, not the gap or the arrears.
    r = solve_programme(load_scenario("scenarios/options/xianan-2025-2027-caps.yaml"))
    by_pair: dict = {}
    for (f, _, e, _), a in payments(r).items():
        by_pair[f, e] = by_pair.get((f, e), 0) + a
    assert by_pair == {("central_reward", "wenquan"): 120_00, ("central_reward", "hengyu_guihua"): 180_00,
                       ("hubei_provincial", "wenquan"): 71_20, ("hubei_provincial", "hengyu_guihua"): 78_80,
                       ("xianan_district", "wenquan"): 1_80, ("xianan_district", "hengyu_guihua"): 98_20}
    assert (r.weighted_gap, r.weighted_arrears, r.summary["total_gap"]) == (160.6, 1328.4, 310.6)
    assert list(r.summary["arrears_by_year"].values()) == [581.4, 150.0, 310.6]
    assert r.summary["method_note"].startswith("not solved as a flow: fund caps over all years are not a network")


# Commitments in a programme (test_years' two-year case: c gets 150 in 2025 and 50 in 2026; a's
# resettlement (weight 3) 100 due in 2025 and 100 in 2026; b's bank debt (weight 1) 100 due in 2026.
# Without commitments a gets all 200 and b nothing: weighted gap 100.)
def _committed(*commitments):
    return programme([TWO_YEARS_FUND], TWO_YEARS_ENTERPRISES, commitments=list(commitments))


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_commitment_for_one_year_binds_that_years_payments(solver):
    # b gets exactly 50 in 2026. 2025: a's 100 (all that is due); 2026: 50 carried + 50 arrived =
    # 100: b 50, a 50. Gap a 50 × 3 + b 50 × 1 = 200; arrears 2025 none, 2026 200 → 200.
    r = solve_programme(_committed({"fund": "c", "enterprise": "b", "year": 2026, "amount": 50}), solver=solver)
    assert payments(r) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 50_00,
                           ("c", 2026, "b", "bank_debt"): 50_00}
    assert (r.weighted_gap, r.weighted_arrears) == (200.0, 200.0)
    assert r.summary["method"] == "pulp" and "linear program" in r.summary["method_note"]  # yearly: still a network


def test_a_commitment_without_a_year_binds_the_total_over_the_years():
    # b gets at least 80 over the programme (its debt falls due in 2026, so it is paid then); a the
    # other 120: 100 in 2025, 20 in 2026. Gap a 80 × 3 + b 20 = 260; arrears 2026 260 → 260.
    r = solve_programme(_committed({"fund": "c", "enterprise": "b", "at_least": 80}))
    assert payments(r) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 20_00,
                           ("c", 2026, "b", "bank_debt"): 80_00}
    assert (r.weighted_gap, r.weighted_arrears) == (260.0, 260.0)
    assert "integer program" in r.summary["method_note"] and "commitments over all years" in r.summary["method_note"]


def test_commitments_a_programme_cannot_keep_and_the_verifier():
    # b's debt falls due in 2026: nothing may be paid ahead of its year, so 10 in 2025 cannot be paid.
    with pytest.raises(SolveError, match=r"commitment\[c,b,2025\] cannot be kept"):
        solve_programme(_committed({"fund": "c", "enterprise": "b", "year": 2025, "at_least": 10}))
    with pytest.raises(NotAFlow, match="commitments"):
        solve_programme(_committed({"fund": "c", "enterprise": "b", "year": 2026, "amount": 50}), method="flow")
    with pytest.raises(ScenarioError, match="year 2024 is not one of the programme's years"):
        scenario_from_data({"name": "t", "years": [2025, 2026], "funds": [TWO_YEARS_FUND], "enterprises": TWO_YEARS_ENTERPRISES,
                            "commitments": [{"fund": "c", "enterprise": "b", "year": 2024, "amount": 1}]})
    with pytest.raises(ScenarioError, match="a commitment's year needs the programme's years"):
        scenario_from_data({"name": "t", "funds": [{**TWO_YEARS_FUND, "tranches": None, "budget": 1}],
                            "enterprises": [_ent("a", {"resettlement": 1})],
                            "commitments": [{"fund": "c", "enterprise": "a", "year": 2025, "amount": 1}]})
    # The plan without commitments pays b nothing in 2026: 50 short of the commitment.
    plain = solve_programme(programme([TWO_YEARS_FUND], TWO_YEARS_ENTERPRISES))
    scenario = _committed({"fund": "c", "enterprise": "b", "year": 2026, "amount": 50})
    found = verify_programme(scenario, plain.table("allocations").columns, plain.table("gaps").columns, plain.summary)
    assert [v.rule for v in found] == ["commitment[c,b,2026]"] and "short by 50.00" in found[0].message


def test_settle_counts_the_kept_payments_towards_a_commitment():
    # The plan paid a 100 in 2025. The actual programme commits c to a's resettlement: 150 over the
    # years. The kept 100 count towards it, so the re-solve pays a 50 more in 2026 (not 150, and
    # not the 100 it would without the commitment); 2026's 100 (50 carried + 50) leave 50 for b.
    # Gap a 50 × 3 + b 50 = 200.
    actual = _committed({"fund": "c", "enterprise": "a", "category": "resettlement", "amount": 150})
    settled = settle_programme(actual, [("c", 2025, "a", "resettlement", 100_00)])
    assert payments(settled.result) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 50_00,
                                        ("c", 2026, "b", "bank_debt"): 50_00}
    assert settled.result.weighted_gap == 200.0


@pytest.mark.parametrize("solver", SOLVERS)
def test_minimum_coverage_at_the_end_of_the_programme(solver):
    # test_years' two-year case with minimum coverage 0.6 on bank debt: b's line (100, due 2026, no
    # own funds) must end with at least ⌈0.6 × 100⌉ = 60 paid. b 60 in 2026; a the other 140: 100
    # in 2025, 40 in 2026. Gap a 60 × 3 + b 40 = 220; arrears 2025 none, 2026 220 → 220.
    scenario = programme([TWO_YEARS_FUND], TWO_YEARS_ENTERPRISES, policy={"minimum_coverage": {"bank_debt": 0.6}})
    r = solve_programme(scenario, solver=solver)
    assert payments(r) == {("c", 2025, "a", "resettlement"): 100_00, ("c", 2026, "a", "resettlement"): 40_00,
                           ("c", 2026, "b", "bank_debt"): 60_00}
    assert (r.weighted_gap, r.weighted_arrears) == (220.0, 220.0)
    assert r.summary["method"] == "pulp" and r.summary["method_note"].startswith("not solved as a flow: minimum coverage asks money")
    # The plan without it leaves b's debt unpaid: the year check finds it 60 short.
    plain = solve_programme(programme([TWO_YEARS_FUND], TWO_YEARS_ENTERPRISES))
    found = verify_programme(scenario, plain.table("allocations").columns, plain.table("gaps").columns, plain.summary)
    assert [v.rule for v in found] == ["coverage[b,bank_debt]"] and "short by 60.00" in found[0].message


def test_a_commitment_with_a_year_is_not_written_to_the_workbook(tmp_path):
    # The 已定事项 sheet has no year column yet: convert refuses (exit 2) rather than drop the year;
    # YAML keeps it.
    source = tmp_path / "p.yaml"
    write_scenario(_committed({"fund": "c", "enterprise": "b", "year": 2026, "amount": 50}), source)
    assert load_scenario(source).commitments[0].year == 2026
    done = run("convert", str(source), str(tmp_path / "p.xlsx"))
    assert done.code == 2 and "no year column" in done.stderr and not (tmp_path / "p.xlsx").exists()
