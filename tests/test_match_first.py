"""配套 matching solved by the flow first (allocate/match_first.py): where the flow's answer
without the match rows keeps them it is the answer with them, so `--method auto` takes it and no
MIP runs; where it breaks one, the MIP runs and its method note says how many broke.

Unit 元 throughout, so a fen is 0.01 元.
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from subsidy.allocate.match_first import FLOW_FIRST_NOTE, same_floors
from subsidy.pipeline import solve
from subsidy.scenario.load import scenario_from_data

from test_match import HAND, paid, tiny


def one_enterprise(local_budget: float, central_budget: float = 1.00) -> dict:
    """e1: resettlement 1.00 元 = 100 fen; central matched by local at 0.3."""
    return {"name": "配套 flow first", "unit": "元",
            "enterprises": [{"id": "e1", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 1.00}}],
            "funds": [{"id": "central", "name": "中央", "budget": central_budget, "categories": ["resettlement"],
                       "match": {"funds": ["local"], "ratio": 0.3}},
                      {"id": "local", "name": "地方", "budget": local_budget, "categories": ["resettlement"]}]}


def test_local_money_first_keeps_the_match_so_no_mip_runs_and_the_mip_agrees():
    # Need 100 fen, local has 40, central 100. Stage 1 funds all 100 either way. The tie-break
    # ranks the matched fund (central) after the others, so the flow without the match row pays
    # local 40 then central 60; the row holds: 10 × 40 = 400 ≥ 3 × 60 = 180. So no MIP runs,
    # and the MIP (--method pulp) finds the same: local 40, central 60. (With central ranked
    # first as listed, the flow would pay central 100 and break the row: 0 < 300.)
    s = scenario_from_data(one_enterprise(0.40))
    auto, mip = solve(s), solve(s, method="pulp")
    assert paid(auto) == paid(mip) == {"central": 60, "local": 40}
    assert auto.summary["method_note"].startswith(FLOW_FIRST_NOTE)
    assert auto.summary["method"] == "flow"
    assert mip.summary["method_note"].startswith("配套 rule: not a network; solved as whole-fen MIP")
    for key in ("total_gap", "objective_weighted_gap", "max_gap_share", "total_funded"):
        assert auto.summary[key] == mip.summary[key], key
    # stage 1 leaves no gap: weighted gap 0 on both
    assert auto.summary["objective_weighted_gap"] == 0


def test_one_fen_of_matching_breaks_the_flow_answer_so_the_mip_pays_3_fen():
    # HAND: local has 1 fen. The flow without the row pays local 1 + central 99 = the whole
    # line, but 10 × 1 = 10 < 3 × 99: broken, so the MIP runs: central 3 (10 ≥ 9, 10 < 12).
    r = solve(scenario_from_data(HAND))
    assert paid(r) == {"central": 3, "local": 1}
    assert "(the flow without the match rows breaks 1 of 1)" in r.summary["method_note"]


def test_two_equal_enterprises_sharing_5_fen_keep_the_flows_floors():
    # e1 and e2 need 3 fen each; only local (5 fen) can pay; central (matched) has nothing, so
    # every match row is 0 ≥ 0. Stage 2: the flow's share t = 1/6 (2.5 fen each), floors
    # ⌊(5/6)·3⌋ = 2 each; stage 3 spends the 5th fen: gaps 1 and 0, largest share s* = 1/3 >
    # 1/6. With the rows t lies in [1/6, 1/3], and ⌊(2/3)·3⌋ = 2 = the flow's floors, so the
    # flow's answer stands: 5 fen paid, 3 + 2, largest share 1/3, the MIP's figures.
    data = {"name": "equals", "unit": "元",
            "enterprises": [{"id": e, "name": e, "region": "湖北", "industry": "cement", "costs": {"resettlement": 0.03}} for e in ("e1", "e2")],
            "funds": [{"id": "central", "name": "中央", "budget": 0, "categories": ["resettlement"], "match": {"funds": ["local"], "ratio": 1}},
                      {"id": "local", "name": "地方", "budget": 0.05, "categories": ["resettlement"]}]}
    s = scenario_from_data(data)
    auto, mip = solve(s), solve(s, method="pulp")
    assert auto.summary["method_note"].startswith(FLOW_FIRST_NOTE)
    a = auto.allocations
    assert sorted(a.amount_fen.tolist()) == [2, 3] and set(a.fund) == {"local"}
    assert auto.summary["max_gap_share"] == pytest.approx(1 / 3) == mip.summary["max_gap_share"]
    assert auto.summary["total_funded"] == mip.summary["total_funded"] == pytest.approx(0.05)


def test_same_floors_compares_whole_fen_floors_not_shares():
    # Needs 3 and 7 fen, flow floors 2 and 5. s* = 1/3: ⌊(2/3)·3⌋ = 2 ≥ 2, ⌊(2/3)·7⌋ = 4 < 5: no.
    # s* = 2/7: ⌊(5/7)·3⌋ = 2 ≥ 2, ⌊(5/7)·7⌋ = 5 ≥ 5: yes. Without fairness (floors 0): always.
    flow = SimpleNamespace(net=SimpleNamespace(need=np.array([3, 7])), lower=np.array([2, 5]))
    assert not same_floors(flow, Fraction(1, 3))
    assert same_floors(flow, Fraction(2, 7))
    assert same_floors(SimpleNamespace(net=flow.net, lower=np.zeros(2, dtype=np.int64)), Fraction(1))


@pytest.mark.parametrize("seed", range(24))
def test_auto_and_the_mip_agree_on_tiny_cases_whichever_path_auto_takes(seed):
    # Two or three funds of a few fen, a match or two (test_match.tiny): every stage's value of
    # --method auto (the flow first, or the MIP) equals the MIP's.
    s = scenario_from_data(tiny(seed))
    auto, mip = solve(s), solve(s, method="pulp")
    for key in ("objective_weighted_gap", "total_gap", "max_gap_share", "total_funded"):
        assert auto.summary[key] == pytest.approx(mip.summary[key], abs=1e-12), key


def test_prices_where_the_flow_prices_a_fund_come_from_the_relaxation_as_the_mips_do():
    # Need 100 fen; central 50, local 40: 90 funded, both budgets spent, the row holds (10 × 40
    # = 400 ≥ 3 × 50 = 150). The flow prices both funds at 3 (weight of resettlement), so
    # funds.csv takes the relaxation's right derivatives: one more unit of central is still
    # co-funded (400 ≥ 3 × 51) and saves 3; one more of local saves 3. The MIP says the same.
    s = scenario_from_data(one_enterprise(0.40, 0.50))
    auto, mip = solve(s), solve(s, method="pulp")
    assert auto.summary["method_note"].startswith(FLOW_FIRST_NOTE)
    assert paid(auto) == paid(mip) == {"central": 50, "local": 40}
    assert auto.funds.shadow_price.tolist() == pytest.approx([3.0, 3.0]) == mip.funds.shadow_price.tolist()
