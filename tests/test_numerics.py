"""Amounts from one fen to 10^9 万元 in one scenario: exact to the fen, with either solver."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subsidy.scenario.load import scenario_from_data
from subsidy.allocate.rules import OWN
from subsidy.scenario.labels import OWN_FUNDS_SOURCE
from subsidy.pipeline import allocate, rules_of, solve
from conftest import reconcile_to_fen, solve_lp

# Worked by hand. Weights: resettlement 3 > bank_debt 1, so stage 1 pays every resettlement
# fen first. big: bank_debt 1,000,000,000.00 and resettlement 0.01; tiny: resettlement 0.01;
# mid: bank_debt 12,345.67 with own funds 0.01 (statutory) → residual 12,345.66.
# fund big_fund (999,999,999.99) pays everything; fund fen_fund (0.01) only resettlement.
# Resettlement lines (0.02 in all) are paid first; then bank debt gets 999,999,999.98 between
# big and mid, leaving a gap G = 1,000,012,345.66 − 999,999,999.98 = 12,345.68. Fairness gives
# big and mid the same gap share s = G / (1,000,000,000.01 + 12,345.66) = 1.2345528e-5, so mid's
# gap is 12,345.66 × s = 0.1524 → 0.15 and big's the rest, 12,345.53. The two shares differ from
# "mid fully paid" by only 1.5e-10: a stage-2 hold of 1e-6 (the old floor) let stage 3 ignore it.
DATA = {
    "name": "one fen to a billion",
    "enterprises": [
        {"id": "big", "name": "大", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "1000000000.00", "resettlement": "0.01"}},
        {"id": "tiny", "name": "小", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "0.01"}},
        {"id": "mid", "name": "中", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "12345.67"}, "own_funds": {"cash": "0.01"}},
    ],
    "funds": [
        {"id": "big_fund", "name": "大额资金", "budget": "999999999.99", "categories": ["bank_debt", "resettlement"]},
        {"id": "fen_fund", "name": "一分钱", "budget": "0.01", "categories": ["resettlement"]},
    ],
}
SHARE = 12345.68 / (1_000_000_000.01 + 12345.66)


def gaps_of(result) -> dict:
    return {(r.enterprise, r.category): r.gap for r in result.exact("gaps").itertuples()}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_one_fen_to_a_billion_is_exact(solver):
    result = solve(scenario_from_data(DATA), solver)  # verified to the fen inside solve
    assert gaps_of(result) == {("big", "bank_debt"): Decimal("12345.53"), ("big", "resettlement"): 0,
                               ("mid", "bank_debt"): Decimal("0.15"), ("tiny", "resettlement"): 0}
    assert result.total("funds", "used") == Decimal("1000000000.00")  # both budgets, every fen
    assert result.weighted_gap == pytest.approx(12345.68, abs=1e-6)  # bank_debt weight 1 × G
    # The share reported is the written allocation's (big's gap 12,345.53 of 1,000,000,000.01);
    # stage 2's continuous optimum is the bound.
    assert result.max_gap_share == pytest.approx(12345.53 / 1_000_000_000.01, rel=1e-12)
    assert result.allocation.max_gap_share_bound == pytest.approx(SHARE, rel=1e-9)
    assert result.warnings == []


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_rounding_moves_no_line_by_a_fen(solver):
    scenario = scenario_from_data(DATA)
    solution = solve_lp(scenario, solver)
    fen = reconcile_to_fen(solution.lp, solution.values)
    for arc, value in solution.values.items():
        assert abs(fen[arc] - value * 100) < 1, (arc, value, fen[arc])


def test_a_fen_lost_to_a_fractional_cap_moves_another_line_by_exactly_one_fen():
    """Budget 0.01; shares of 0.5 cap e1 and e2 at 0.005 (0 fen) but e0 at 0.01. If the solver
    puts the fen on e1/e2 (half each), rounding spends it on e0: a move of exactly one fen."""
    data = {"name": "x", "enterprises": [
        {"id": "e0", "name": "e0", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "0.02"}},
        {"id": "e1", "name": "e1", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "0.01"}},
        {"id": "e2", "name": "e2", "region": "湖北/咸宁", "industry": "cement", "costs": {"conversion": "0.01"}}],
        "funds": [{"id": "f0", "name": "f0", "budget": "0.01", "categories": ["bank_debt", "conversion"], "caps": {"share_of_need": 0.5}}],
        "policy": {"fairness": False}}
    solution = solve_lp(scenario_from_data(data))
    values = {arc: (0.005 if arc.enterprise in ("e1", "e2") else 0.0) for arc in solution.values}
    fen = reconcile_to_fen(solution.lp, values)
    assert {arc.enterprise: f for arc, f in fen.items()} == {"e0": 1, "e1": 0, "e2": 0}


def test_reconcile_repairs_a_large_overshoot_and_stays_within_a_fen_otherwise():
    """The solver may hand back a value above a bound (CBC's 8-digit values: 2135289.06 is read
    back as 2135289.1): the bound wins, by as many fen as it takes."""
    data = {"name": "x", "enterprises": [{"id": "e", "name": "e", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": 100000000},
                                         "own_funds": {"cash": "2135289.06"}, "own_funds_rule": "free"}]}
    solution = solve_lp(scenario_from_data(data))
    values = {arc: 2135289.1 for arc in solution.values}
    fen = reconcile_to_fen(solution.lp, values)
    assert list(fen.values()) == [213528906]


def test_own_funds_source_is_the_verifiers():
    assert OWN == OWN_FUNDS_SOURCE


def test_cbc_solves_holds_with_a_margin_of_a_millionth_on_amounts_of_a_fen():
    """cbcbox's CBC declared stage 3 of this program infeasible (its bound propagation) until it
    was turned off: the hold x0 + 3·x1 + 2·x2 ≥ 0.069999 against a maximum of 0.07."""
    data = {"name": "fen amounts", "policy": {"fairness": False}, "enterprises": [
        {"id": "e0", "name": "e0", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "0.01"}, "own_funds_rule": "free", "own_funds": {"cash": "0.01"}},
        {"id": "e1", "name": "e1", "region": "湖北/咸宁", "industry": "cement", "costs": {"pooled_fund_repayment": "0.02", "living_allowance": "0.02"},
         "own_funds_rule": "free", "own_funds": {"cash": "0.02"}}]}
    for solver in ("highs", "cbc"):
        stages = allocate(rules_of(scenario_from_data(data)), "pulp", solver)
        assert stages.weighted_gap == pytest.approx(0.04, abs=1e-9)  # living allowance (3) paid, pooled (2) left 0.02
        assert stages.total_funded == pytest.approx(0.03, abs=1e-9)


def test_fairness_is_found_by_both_solvers_on_a_need_of_a_billion():
    """Own funds of 1,000 may go to an operating loss of 10^9 (weight 0): stage 1 is indifferent,
    stage 2 gains 1,000 / 10^9 of gap share from them. Unscaled, that is a reduced cost of 1e-9,
    under CBC's tolerance: CBC left them unused (share 0.99999999999 instead of 0.99999899999)."""
    data = {"name": "x", "enterprises": [{"id": "e0", "name": "e0", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "0.01", "operating_loss": "1000000000"},
                                         "own_funds_rule": "free", "own_funds": {"land": "1000"}}],
            "funds": [{"id": "f0", "name": "f0", "budget": "0.01", "categories": ["bank_debt"]}]}
    for solver in ("highs", "cbc"):
        stages = allocate(rules_of(scenario_from_data(data)), "pulp", solver)
        assert stages.max_gap_share == pytest.approx((1_000_000_000.01 - 1000.01) / 1_000_000_000.01, rel=1e-12), solver
