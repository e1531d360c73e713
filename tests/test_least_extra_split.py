"""The least extra budget (exit 3) for a fund split by the factor method: the extra flows through
the split as the rules define it (region r's amount share_r × ⌊d × budget⌋ by largest remainder,
the pool the rest), where before only the budget row grew and such a conflict read "no extra
budget helps".

Worked by hand. Two enterprises, equal factors (capacity 10 and 100 workers each), so 湖北 and
湖南 each have share ½; central_reward 100.00 = 10,000 fen pays resettlement; minimum coverage 1.0:
湖北一厂 needs 80.00 from central, 湖南一厂 10.00 (within its region's amount).

share d = 1: 湖北's amount is ½ × budget, 50.00 < 80.00: infeasible. The linear program says
½ × (100 + s) ≥ 80, s = 60.00. Whole fen: 100 + 59.99 = 15,999 fen split in halves is 7,999.5
each; floors 7,999 + 7,999, the fen left to the region named first (湖北 < 湖南 by code point):
湖北 8,000 ✓. 59.98: 15,998 → 7,999 ✗. The least is 59.99.

share d = 0.8: 湖北 gets ½ × ⌊0.8 × budget⌋ and the pool U = budget − ⌊0.8 × budget⌋ tops it up:
0.4 (100 + s) + 0.2 (100 + s) ≥ 80, s = 33.33⅓ by the program. Whole fen:
  s = 33.32: 13,332 fen, D = ⌊10,665.6⌋ = 10,665, halves 5,332.5 → 湖北 5,333 (the tie fen),
             U = 13,332 − 10,665 = 2,667; 5,333 + 2,667 = 8,000 ✓
  s = 33.31: 13,331 fen, D = ⌊10,664.8⌋ = 10,664, 湖北 5,332, U = 2,667; 7,999 ✗
The least is 33.32.
"""

from __future__ import annotations

import copy

import pytest

from subsidy.pipeline import RulesConflict, solve
from subsidy.scenario.load import scenario_from_data

DATA = {
    "name": "two regions, 湖北 short",
    "enterprises": [
        {"id": "hb1", "name": "湖北一厂", "industry": "cement", "region": "湖北/咸宁", "capacity": {"amount": 10}, "workers": 100,
         "costs": {"resettlement": 80}},
        {"id": "hn1", "name": "湖南一厂", "industry": "cement", "region": "湖南/岳阳", "capacity": {"amount": 10}, "workers": 100,
         "costs": {"resettlement": 10}},
    ],
    "funds": [{"id": "central_reward", "name": "中央奖补资金", "budget": 100, "categories": ["resettlement"],
               "distribution": {"level": 1, "factors": {"capacity": 0.5, "workers": 0.5}}}],
    "policy": {"minimum_coverage": {"resettlement": 1.0}},
}


def _split(share, budget="100"):
    data = copy.deepcopy(DATA)
    data["funds"][0]["distribution"]["share"] = share
    data["funds"][0]["budget"] = budget
    return scenario_from_data(data)


@pytest.mark.parametrize("method", ["flow", "pulp"])
@pytest.mark.parametrize("share, extra_fen, pooled", [(1, 5999, False), (0.8, 3332, True)])
def test_the_extra_budget_of_a_split_fund_flows_through_its_split(method, share, extra_fen, pooled):
    with pytest.raises(RulesConflict) as info:
        solve(_split(share), method=method)
    expected = ["coverage[hb1,resettlement]", "distribution[central_reward,湖北]"] + (["distribution_pool[central_reward]"] if pooled else [])
    assert info.value.rules == expected
    assert info.value.extra_budget == {"central_reward": extra_fen}  # was None: "no extra budget helps"


@pytest.mark.parametrize("share, enough, short", [(1, "159.99", "159.98"), (0.8, "133.32", "133.31")])
def test_the_answer_is_least_to_the_fen_on_the_rules_own_split(share, enough, short):
    # With the budget raised by the answer every rule holds, and 湖北一厂 gets its 80 in full;
    # one fen less and the conflict is back.
    result = solve(_split(share, enough))
    paid = result.allocations.set_index("enterprise")["amount_fen"].to_dict()
    assert paid["hb1"] == 8000 and paid["hn1"] == 1000
    with pytest.raises(RulesConflict) as info:
        solve(_split(share, short))
    assert info.value.extra_budget == {"central_reward": 1}


@pytest.mark.parametrize("method", ["flow", "pulp"])
def test_a_fund_without_a_split_is_cheaper_and_ties_go_to_the_fund_listed_first(method):
    # Two more funds of 0.00 that may pay 湖北一厂's resettlement, not split: 30.00 more of either
    # covers its 80 (central's 湖北 amount 50 + 30), cheaper than central's own 59.99 through its
    # split. The two tie at 30.00; the extra goes to the one listed first (city before province),
    # as close-gap's does.
    data = copy.deepcopy(DATA)
    data["funds"][0]["distribution"]["share"] = 1
    data["funds"] += [{"id": "city", "name": "市级资金", "budget": 0, "categories": ["resettlement"]},
                      {"id": "province", "name": "省级资金", "budget": 0, "categories": ["resettlement"]}]
    with pytest.raises(RulesConflict) as info:
        solve(scenario_from_data(data), method=method)
    assert info.value.extra_budget == {"city": 3000}
    data["funds"][1:] = data["funds"][2:0:-1]  # province listed first now
    with pytest.raises(RulesConflict) as info:
        solve(scenario_from_data(data), method=method)
    assert info.value.extra_budget == {"province": 3000}
