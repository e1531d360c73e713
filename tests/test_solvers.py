"""HiGHS and CBC must agree on the values the spec says are unique: stages 1 and 2."""

import pytest

from conftest import SCENARIOS, make_scenario
from subsidy.scenario.load import load_scenario
from subsidy.pipeline import allocate, rules_of

CASES = {
    "xianan": lambda: load_scenario(SCENARIOS / "xianan-2025.yaml"),
    "chuxiong": lambda: load_scenario(SCENARIOS / "chuxiong-2025.yaml"),
    "linzi": lambda: load_scenario(SCENARIOS / "linzi-portfolio.yaml"),
    "fairness": lambda: make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"bank_debt": 300, "resettlement": 20}}, {"region": "湖北/咸宁", "industry": "cement", "id": "b", "costs": {"bank_debt": 100}}],
        [{"id": "f", "budget": 200, "categories": ["bank_debt", "resettlement"], "caps": {"share_of_need": 0.9}}],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_highs_and_cbc_agree_on_stage_values(case):
    scenario = CASES[case]()
    highs = allocate(rules_of(scenario), "pulp", "highs")
    cbc = allocate(rules_of(scenario), "pulp", "cbc")
    assert highs.weighted_gap == pytest.approx(cbc.weighted_gap, rel=1e-7, abs=1e-6)
    assert highs.max_gap_share == pytest.approx(cbc.max_gap_share, rel=1e-7, abs=1e-7)


def test_budget_shadow_prices_are_right_derivatives_on_both_methods():
    # Xian'an's central fund (300) is exactly used up by its two enterprise caps (120 + 180):
    # one more 万元 of it can pay nothing, so its price is 0, not the dual 1 a solver may return.
    # The other two funds still have payable lines of weight 1 behind them.
    from subsidy.pipeline import solve

    scenario = CASES["xianan"]()
    for method in ("pulp", "flow"):
        prices = solve(scenario, method=method).shadow_prices
        assert prices == pytest.approx({"central_reward": 0.0, "hubei_provincial": 1.0, "xianan_district": 1.0}), method


def test_a_solver_is_named_as_pulp_names_it_and_an_unknown_one_is_refused(tmp_path):
    """PuLP's own names of the two tuned solvers take the tuned ones (PuLP's CBC defaults declare
    the stage holds infeasible); a name PuLP has no installed solver for stops before solving."""
    from run_cli import run

    from subsidy.allocate.lp_solvers import _CBC, make_solver

    assert isinstance(make_solver("PULP_CBC_CMD"), _CBC) and isinstance(make_solver("COIN_CMD"), _CBC)
    out = run("solve", SCENARIOS / "xianan-2025.yaml", "--solver", "PULP_CBC_CMD", "--out", tmp_path / "o", "--quiet")
    assert out.code == 0 and '"solver": "cbc"' in (tmp_path / "o" / "summary.json").read_text(encoding="utf-8")
    out = run("solve", SCENARIOS / "xianan-2025.yaml", "--solver", "NO_SUCH_SOLVER", "--out", tmp_path / "n")
    assert out.code == 2 and "unknown solver 'NO_SUCH_SOLVER'" in out.stderr and not (tmp_path / "n").exists()
