"""The LP over the years (`allocate.timing_lp`) against the flow (`allocate.timing`) and the exact
rational reference: the issue asks that the flow carry a programme and that the LP agree with it.

Each programme is solved by the flow and by the LP with HiGHS and with CBC; `solve_programme`
runs the independent year check (`checks.verify_years`) on each, so a solve that returns has
passed it. The hand-worked programmes are `test_years.py`'s, with their arithmetic there."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from test_years import (TWO_YEARS_ENTERPRISES, TWO_YEARS_FUND, _random_programme, _reference, payments, programme)
from subsidy.pipeline import solve_programme
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


def test_the_lp_matches_the_exact_rational_reference():
    # test_years' reference programmes (seed 7): no own funds, carry-over on or off at random
    rng = random.Random(7)
    for _ in range(6):
        data = _random_programme(rng)
        for e in data["enterprises"]:
            e["own_funds"] = {}
        for f in data["funds"]:
            f["carry_over"] = rng.random() < 0.5
            f["scope"] = {}
        gap, arrears = _reference(data)
        r = solve_programme(Scenario.model_validate(data), method="pulp")
        assert Fraction(r.weighted_gap).limit_denominator(10**6) == gap
        assert Fraction(r.weighted_arrears).limit_denominator(10**6) == arrears
