"""HiGHS and CBC must agree on the values the spec says are unique: stages 1 and 2."""

import pytest

from conftest import SCENARIOS, make_scenario
from subsidy.io import load_scenario
from subsidy.solve import solve_lp

CASES = {
    "xianan": lambda: load_scenario(SCENARIOS / "xianan-2025.yaml"),
    "chuxiong": lambda: load_scenario(SCENARIOS / "chuxiong-2025.yaml"),
    "linzi": lambda: load_scenario(SCENARIOS / "linzi-portfolio.yaml"),
    "fairness": lambda: make_scenario(
        [{"id": "a", "costs": {"bank_debt": 300, "resettlement": 20}}, {"id": "b", "costs": {"bank_debt": 100}}],
        [{"id": "f", "budget": 200, "categories": ["bank_debt", "resettlement"], "caps": {"share_of_need": 0.9}}],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_highs_and_cbc_agree_on_stage_values(case):
    scenario = CASES[case]()
    highs = solve_lp(scenario, "highs").stages
    cbc = solve_lp(scenario, "cbc").stages
    assert highs.weighted_gap == pytest.approx(cbc.weighted_gap, rel=1e-7, abs=1e-6)
    assert highs.max_gap_share == pytest.approx(cbc.max_gap_share, rel=1e-7, abs=1e-7)
