"""The staged program on cases small enough to solve by hand, by every method.

Each test runs three times: integer flows, the LP with HiGHS and the LP with CBC (the `solve`
fixture below), and every method must reach the hand-worked numbers.
"""

from decimal import Decimal

import pytest

from conftest import make_scenario
from subsidy.pipeline import solve as run_solve

METHODS = {"flow": {"method": "flow"}, "lp-highs": {"method": "pulp"}, "lp-cbc": {"method": "pulp", "solver": "cbc"}}


@pytest.fixture(params=list(METHODS))
def solve(request):
    """`pipeline.solve` with one of the methods; the test's arithmetic holds for each."""
    options = METHODS[request.param]
    return lambda scenario: run_solve(scenario, **options)

ALL = ["resettlement", "bank_debt", "dismantling", "operating_loss"]


def funded(result, enterprise):
    return result.enterprises.set_index("enterprise").loc[enterprise, "funded"]


def amount(result, fund, enterprise, category):
    rows = result.allocations
    hit = rows[(rows.fund == fund) & (rows.enterprise == enterprise) & (rows.category == category)]
    return hit.amount.sum() if len(hit) else Decimal(0)


def test_one_fund_two_enterprises_pays_heavier_weight_first(solve):
    # Budget 100; e1 resettlement 80 (weight 3), e2 bank debt 50 (weight 1).
    # Stage 1: 80 to e1, the remaining 20 to e2. Weighted gap = 3·0 + 1·30 = 30.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e1", "costs": {"resettlement": 80}}, {"region": "湖北/咸宁", "industry": "cement", "id": "e2", "costs": {"bank_debt": 50}}],
        [{"id": "f", "budget": 100, "categories": ALL}],
    )
    r = solve(s)
    assert r.weighted_gap == pytest.approx(30)
    assert amount(r, "f", "e1", "resettlement") == Decimal("80.00")
    assert amount(r, "f", "e2", "bank_debt") == Decimal("20.00")
    # One more unit of budget would go to bank debt (weight 1): shadow price 1.
    assert r.shadow_prices["f"] == pytest.approx(1)


def test_shadow_price_is_the_weight_of_the_marginal_line(solve):
    # Budget 50 < 80 of resettlement: the marginal unit still goes to weight 3.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e1", "costs": {"resettlement": 80}}, {"region": "湖北/咸宁", "industry": "cement", "id": "e2", "costs": {"bank_debt": 50}}],
        [{"id": "f", "budget": 50, "categories": ALL}],
    )
    r = solve(s)
    assert r.weighted_gap == pytest.approx(3 * 30 + 50)
    assert r.shadow_prices["f"] == pytest.approx(3)


def test_fairness_spreads_an_equal_priority_shortfall(solve):
    # Two identical 100 bank debts, budget 100: stage 1 is indifferent (weighted gap 100 either
    # way); stage 2 evens the gap shares to 50 % each.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"bank_debt": 100}}, {"region": "湖北/咸宁", "industry": "cement", "id": "b", "costs": {"bank_debt": 100}}],
        [{"id": "f", "budget": 100, "categories": ALL}],
    )
    r = solve(s)
    assert r.weighted_gap == pytest.approx(100)
    assert r.max_gap_share == pytest.approx(0.5)
    assert funded(r, "a") == funded(r, "b") == Decimal("50.00")


def test_fairness_moves_money_between_unequal_needs(solve):
    # a needs 300, b needs 100, budget 200, same weight. Fair: gaps 150 and 50 (both 50 %),
    # so a gets 150 and b gets 50. Without fairness any split is stage-1 optimal.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"bank_debt": 300}}, {"region": "湖北/咸宁", "industry": "cement", "id": "b", "costs": {"bank_debt": 100}}],
        [{"id": "f", "budget": 200, "categories": ALL}],
    )
    r = solve(s)
    assert (funded(r, "a"), funded(r, "b")) == (Decimal("150.00"), Decimal("50.00"))
    assert r.max_gap_share == pytest.approx(0.5)


def test_fairness_off_keeps_stage_one_value_but_not_the_split(solve):
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"bank_debt": 300}}, {"region": "湖北/咸宁", "industry": "cement", "id": "b", "costs": {"bank_debt": 100}}],
        [{"id": "f", "budget": 200, "categories": ALL}],
        policy={"fairness": False},
    )
    r = solve(s)
    assert r.weighted_gap == pytest.approx(200)
    assert funded(r, "a") + funded(r, "b") == Decimal("200.00")
    assert r.max_gap_share > 0.5  # some other split than the fair one


def test_per_capacity_cap_binds(solve):
    # 150 per 万吨 × 1.2 万吨 = 180 < need 300 < budget 500.
    s = make_scenario(
        [{"region": "湖北/咸宁", "id": "w", "industry": "carbide", "capacity": {"amount": 1.2}, "costs": {"resettlement": 300}}],
        [{"id": "c", "budget": 500, "categories": ALL, "caps": {"per_capacity": {"carbide": 150}, "per_enterprise": 200}}],
    )
    r = solve(s)
    assert funded(r, "w") == Decimal("180.00")
    assert r.allocation.slack_of()["cap_enterprise[c,w]"] == pytest.approx(0, abs=1e-7)
    assert r.shadow_prices["c"] == pytest.approx(0)  # budget not binding


def test_per_enterprise_cap_binds_when_smaller(solve):
    s = make_scenario(
        [{"region": "湖北/咸宁", "id": "w", "industry": "carbide", "capacity": {"amount": 2}, "costs": {"resettlement": 300}}],
        [{"id": "c", "budget": 500, "categories": ALL, "caps": {"per_capacity": {"carbide": 150}, "per_enterprise": 200}}],
    )
    assert funded(solve(s), "w") == Decimal("200.00")


def test_share_cap_binds_and_second_fund_tops_up(solve):
    # f1 may pay at most 80 % of each line: 80 of 100; f2 (no cap, listed second) pays the rest.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e", "costs": {"bank_debt": 100}}],
        [{"id": "f1", "budget": 1000, "categories": ALL, "caps": {"share_of_need": 0.8}},
         {"id": "f2", "budget": 15, "categories": ALL}],
    )
    r = solve(s)
    assert amount(r, "f1", "e", "bank_debt") == Decimal("80.00")
    assert amount(r, "f2", "e", "bank_debt") == Decimal("15.00")
    assert r.gaps.gap.sum() == Decimal("5.00")


def test_scope_and_categories_limit_eligibility(solve):
    # The fund covers 湖北 and resettlement only: the 云南 enterprise and the bank debt get nothing.
    s = make_scenario(
        [{"industry": "cement", "id": "hb", "region": "湖北/咸宁", "costs": {"resettlement": 10, "bank_debt": 10}},
         {"industry": "cement", "id": "yn", "region": "云南/楚雄", "costs": {"resettlement": 10}}],
        [{"id": "f", "budget": 100, "categories": ["resettlement"], "scope": {"regions": ["湖北"]}}],
    )
    r = solve(s)
    assert list(r.exact("allocations").itertuples(index=False, name=None)) == [("f", "hb", "resettlement", Decimal("10.00"))]
    assert r.funds.set_index("fund").loc["f", "left"] == Decimal("90.00")


def test_region_scope_matches_whole_path_parts_only(solve):
    s = make_scenario(
        [{"industry": "cement", "id": "x", "region": "湖北省/武汉", "costs": {"resettlement": 10}}],
        [{"id": "f", "budget": 100, "categories": ["resettlement"], "scope": {"regions": ["湖北"]}}],
    )
    assert solve(s).allocations.empty


def test_stage_three_prefers_funds_in_listed_order(solve):
    # Two funds could each pay the whole line; the first listed pays.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e", "costs": {"resettlement": 60}}],
        [{"id": "central", "budget": 100, "categories": ALL}, {"id": "county", "budget": 100, "categories": ALL}],
    )
    r = solve(s)
    assert amount(r, "central", "e", "resettlement") == Decimal("60.00")
    assert amount(r, "county", "e", "resettlement") == Decimal("0")


def test_weight_zero_lines_get_leftover_money_in_stage_three(solve):
    # operating_loss has weight 0: stage 1 does not care, stage 3 still spends money on it.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e", "costs": {"resettlement": 10, "operating_loss": 50}}],
        [{"id": "f", "budget": 30, "categories": ALL}],
        policy={"fairness": False},
    )
    r = solve(s)
    assert r.weighted_gap == pytest.approx(0)
    assert amount(r, "f", "e", "operating_loss") == Decimal("20.00")


def test_free_own_funds_are_spent_by_the_lp_before_public_money(solve):
    # Under `free`, 40 of own funds go where they help most (resettlement, weight 3) and
    # are used before the fund; the fund then pays the bank debt.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e", "costs": {"resettlement": 40, "bank_debt": 60}, "own_funds": {"sale": 40}, "own_funds_rule": "free"}],
        [{"id": "f", "budget": 100, "categories": ALL}],
    )
    r = solve(s)
    gaps = r.gaps.set_index("category")
    assert gaps.loc["resettlement", "own_funds"] == Decimal("40.00")
    assert gaps.loc["bank_debt", "funded"] == Decimal("60.00")
    assert r.gaps.gap.sum() == 0
    assert r.funds.set_index("fund").loc["f", "used"] == Decimal("60.00")


def test_no_payable_line_gives_zero_allocation_not_an_error(solve):
    s = make_scenario([{"region": "湖北/咸宁", "industry": "cement", "id": "e", "costs": {"operating_loss": 5}}], [{"id": "f", "budget": 10, "categories": ["resettlement"]}])
    r = solve(s)
    assert r.allocations.empty
    assert r.summary["total_gap"] == 5.0
    assert r.max_gap_share == pytest.approx(1.0)


def test_lp_beyond_exact_prices_reports_the_stage_1_dual(monkeypatch):
    # As in the first test: budget 100, e1 resettlement 80, e2 bank debt 50. One more unit of
    # budget goes to bank debt (weight 1): the stage-1 dual of budget[f] is -1. Above the size
    # where the LP computes exact prices it reports that dual, the stage-1 one (a later stage's
    # solve must not overwrite it).
    monkeypatch.setattr("subsidy.allocate.lp.EXACT_PRICES_MAX_ARCS", 0)
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "e1", "costs": {"resettlement": 80}}, {"region": "湖北/咸宁", "industry": "cement", "id": "e2", "costs": {"bank_debt": 50}}],
        [{"id": "f", "budget": 100, "categories": ALL}],
    )
    r = run_solve(s, method="pulp")
    assert "shadow prices are the solver's duals" in r.method_note
    assert r.shadow_prices["f"] == pytest.approx(1)
    assert r.allocation.dual_of()["budget[f]"] == pytest.approx(-1)
