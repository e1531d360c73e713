"""The flow method against the LP: same stage values, both allocations keep every rule to the fen.

Two independent checks: every `solve` result passes subsidy.verify (solve raises otherwise), and
`fen_violations` here, written from the schema alone (not from `rules`, `lp` or `flow`):
eligibility from scopes and categories, caps from the fund's caps, residual needs from the
own-funds waterfall. It was the stand-in while the verifier was being written; both now run.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pytest

from subsidy.scenario.generate import generate
from subsidy.scenario.load import load_scenario, scenario_from_data
from subsidy.allocate.flow_algorithms import Reducer, min_cost_flow
from subsidy.allocate.rules import OWN
from subsidy.pipeline import allocate, rules_of, SolveError, solve
from subsidy.allocate.waterfall import to_fen
from waterfall_reference import apply_own_funds

from conftest import SCENARIOS, make_scenario


def fen_violations(scenario, allocation: dict) -> list[str]:
    """Every rule of the spec, in whole fen (bounds that are not whole fen rounded down)."""
    bad: list[str] = []
    ents = {e.id: e for e in scenario.enterprises}
    funds = {f.id: f for f in scenario.funds}
    splits = {e.id: apply_own_funds(e, scenario.category_table) for e in scenario.enterprises}
    per_fund: dict[str, int] = {}
    per_fund_ent: dict[tuple, int] = {}
    per_line: dict[tuple, int] = {}
    own_used: dict[str, int] = {}
    for arc, fen in allocation.items():
        if fen < 0:
            bad.append(f"negative {arc}")
        if fen == 0:
            continue
        ent = ents[arc.enterprise]
        per_line[(arc.enterprise, arc.category)] = per_line.get((arc.enterprise, arc.category), 0) + fen
        if arc.source == OWN:
            if ent.own_funds_rule != "free":
                bad.append(f"own funds as a source under {ent.own_funds_rule}: {arc}")
            own_used[ent.id] = own_used.get(ent.id, 0) + fen
            continue
        fund = funds[arc.source]
        if arc.category not in fund.categories or not fund.scope.admits(ent):
            bad.append(f"not eligible {arc}")
        per_fund[fund.id] = per_fund.get(fund.id, 0) + fen
        per_fund_ent[(fund.id, ent.id)] = per_fund_ent.get((fund.id, ent.id), 0) + fen
        share = fund.caps.share_of_need
        if share is not None and fen > math.floor(Decimal(repr(share)) * splits[ent.id].residual[arc.category]):
            bad.append(f"cap_share {arc}: {fen}")
    for fid, used in per_fund.items():
        if used > to_fen(funds[fid].budget):
            bad.append(f"budget {fid}: {used}")
    for (fid, eid), used in per_fund_ent.items():
        cap = funds[fid].enterprise_cap(ents[eid])
        if cap is not None and used > math.floor(cap * 100):
            bad.append(f"cap_enterprise {fid},{eid}: {used}")
    for (eid, cat), paid in per_line.items():
        if paid > splits[eid].residual[cat]:
            bad.append(f"need {eid},{cat}: {paid} > {splits[eid].residual[cat]}")
    for eid, used in own_used.items():
        if used > to_fen(ents[eid].own_funds_total):
            bad.append(f"own funds {eid}: {used}")
    return bad


def close(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-9)


CASES = [  # (enterprises, funds, seed, fairness)
    (60, 3, 1, True),
    (120, 5, 2, True),
    (150, 5, 3, True),
    (90, 7, 4, True),
    (100, 5, 5, False),
    (80, 4, 6, True),
]


@pytest.mark.parametrize("n, k, seed, fairness", CASES)
def test_flow_and_lp_agree_on_generated_scenarios(n, k, seed, fairness):
    data = generate(n, k, seed)
    data["policy"] = {"fairness": fairness}
    scenario = scenario_from_data(data)
    flow, lp = solve(scenario, method="flow"), solve(scenario, method="pulp")
    assert (flow.method, lp.method) == ("flow", "pulp")
    assert close(flow.weighted_gap, lp.weighted_gap)
    assert close(flow.max_gap_share, lp.max_gap_share)
    assert fen_violations(scenario, flow.allocation.by_arc()) == []
    assert fen_violations(scenario, lp.allocation.by_arc()) == []
    # The stage-3 optimum is a single point; the LP sits up to a fraction of a fen off it (its
    # holds have 1e-6 of slack), so after rounding a line may differ by one fen, never more.
    assert max(abs(flow.allocation.by_arc().get(a, 0) - lp.allocation.by_arc().get(a, 0)) for a in lp.allocation.by_arc()) <= 1
    # Shadow prices: the flow gives what one more unit of budget saves (right derivative); the
    # LP's dual is some subgradient, ≥ that, and equal to it wherever the dual is unique.
    for fund in scenario.funds:
        assert flow.shadow_prices[fund.id] <= lp.shadow_prices[fund.id] + 1e-9


def test_flow_is_exact_on_a_hand_worked_case():
    # f pays resettlement only, at most 0.8 of each line: a: 100 resettlement, b: 80
    # resettlement + 10 bank debt; caps 80 and 64. Budget 100 < 144: stage 1 spends it all on
    # resettlement (weighted gap 3·(180 − 100) + 10 = 250). Stage 2 evens the gap shares of the
    # residual needs 100 and 90: a gets x, b 100 − x, (100 − x)/100 = (x − 10)/90, so
    # x = 10000/190 = 52.63… (inside both caps) and the share is 9/19.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"resettlement": 100}}, {"region": "湖北/咸宁", "industry": "cement", "id": "b", "costs": {"resettlement": 80, "bank_debt": 10}}],
        [{"id": "f", "budget": 100, "categories": ["resettlement"], "caps": {"share_of_need": 0.8}}],
    )
    r = solve(s, method="flow")
    assert r.weighted_gap == pytest.approx(250, rel=1e-12)
    assert r.allocation.max_gap_share_bound == pytest.approx(9 / 19, rel=1e-12)
    # In whole fen each keeps ⌊(10/19)·need⌋: a 5263 of 10000 fen, b 4736 of 9000; the last fen
    # goes by the tie-break to b (4737): shares 4737/10000 = 0.4737 and 4263/9000 = 0.47367.
    paid = {arc.enterprise: fen for arc, fen in r.allocation.by_arc().items()}
    assert paid == {"a": 5263, "b": 4737}
    assert r.max_gap_share == 0.4737 and r.summary["max_gap_share_bound"] == round(9 / 19, 9)


def test_flow_reports_the_value_of_one_more_unit_of_budget(scenarios_dir):
    # In Xian'an the central fund is used up exactly where caps bind too: one more 万元 of it
    # saves nothing (every enterprise it may pay is at a cap), although the LP's dual says 1.
    scenario = load_scenario(scenarios_dir / "xianan-2025.yaml")
    flow = solve(scenario, method="flow")
    richer = scenario.model_copy(update={"funds": [
        f.model_copy(update={"budget": f.budget + Decimal("0.01")}) if f.id == "central_reward" else f for f in scenario.funds]})
    again = solve(richer, method="flow")
    assert flow.shadow_prices["central_reward"] == pytest.approx((flow.weighted_gap - again.weighted_gap) / 0.01, abs=1e-6)
    assert flow.shadow_prices["central_reward"] == 0.0


@pytest.mark.parametrize("name", ["xianan-2025.yaml", "chuxiong-2025.yaml", "linzi-portfolio.yaml"])
def test_seed_scenarios_agree(name):
    scenario = load_scenario(SCENARIOS / name)
    flow, lp = solve(scenario, method="flow"), solve(scenario, method="pulp")
    assert close(flow.weighted_gap, lp.weighted_gap) and close(flow.max_gap_share, lp.max_gap_share)
    assert fen_violations(scenario, flow.allocation.by_arc()) == []


def test_weights_beyond_six_decimals_go_to_the_lp_and_say_so(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    data = generate(20, 3, 1)
    data["categories"] = {"bank_debt": {"weight": 0.1234567}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(path), "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["method"] == "pulp" and summary["solver"] == "highs"
    assert "bank_debt" in summary["method_note"] and "decimals" in summary["method_note"]
    refused = runner.invoke(app, ["solve", str(path), "-q", "--method", "flow"])
    assert refused.exit_code == 3 and "cannot solve this scenario exactly" in refused.output
    with pytest.raises(SolveError):
        solve(scenario_from_data(data), method="flow")


def test_cli_method_option_is_recorded(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    for method, solver in (("flow", "ortools"), ("pulp", "highs"), ("auto", "ortools")):
        out = tmp_path / method
        result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "xianan-2025.yaml"), "-q", "--method", method, "--out", str(out)])
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert (summary["method"], summary["solver"]) == ("pulp" if method == "pulp" else "flow", solver)


def test_no_payable_arc_at_all():
    s = make_scenario([{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"operating_loss": 10}}], [{"id": "f", "budget": 5, "categories": ["bank_debt"]}])
    flow, lp = solve(s, method="flow"), solve(s, method="pulp")
    assert flow.weighted_gap == lp.weighted_gap == 0 and flow.max_gap_share == lp.max_gap_share == 1.0
    assert flow.total("gaps", "gap") == Decimal("10.00")


def test_free_own_funds_are_a_source_in_the_flow():
    # Own funds 30 under `free` pay any line; the fund (budget 50) pays resettlement only.
    s = make_scenario(
        [{"region": "湖北/咸宁", "industry": "cement", "id": "a", "costs": {"resettlement": 60, "bank_debt": 40}, "own_funds": {"cash": 30}, "own_funds_rule": "free"}],
        [{"id": "f", "budget": 50, "categories": ["resettlement"]}],
    )
    flow, lp = solve(s, method="flow"), solve(s, method="pulp")
    # Stage 1: resettlement (w 3) fully paid, 30 own + 50 fund = 80 of 100; bank debt gets the rest.
    assert flow.weighted_gap == pytest.approx(lp.weighted_gap) == pytest.approx(20)
    assert flow.allocation.by_arc() == lp.allocation.by_arc()
    assert fen_violations(s, flow.allocation.by_arc()) == []


def test_reducer_keeps_the_optimum_of_random_networks():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = 30
        m = 70
        tail = rng.integers(0, n, m)
        head = rng.integers(0, n, m)
        keep = tail != head
        tail, head = tail[keep], head[keep]
        cap = rng.integers(0, 20, len(tail))
        cost = rng.integers(-5, 10, len(tail))
        # A feasible supply: route a random flow and read off the balances.
        flow = rng.integers(0, cap + 1)
        supply = np.zeros(n, dtype=np.int64)
        np.add.at(supply, tail, flow)
        np.subtract.at(supply, head, flow)
        direct = min_cost_flow(n, tail, head, cap, cost, supply)
        small = Reducer(n, tail, head, cap, cost, supply)
        small.reduce()
        alive = np.flatnonzero(small.alive)
        solved = small.expand(min_cost_flow(n, small.tail[alive], small.head[alive], small.cap[alive], small.cost[alive], small.balance))
        assert int((solved * cost).sum()) == int((direct * cost).sum())
        assert np.all((solved >= 0) & (solved <= cap))
        balance = supply.copy()
        np.subtract.at(balance, tail, solved)
        np.add.at(balance, head, solved)
        assert not balance.any()


def test_stage_one_greedy_matches_the_lp_on_weights_that_are_not_integers():
    data = generate(80, 5, 11)
    data["categories"] = {"resettlement": {"weight": 2.5}, "bank_debt": {"weight": 0.75}, "conversion": {"weight": 1.3}}
    scenario = scenario_from_data(data)
    assert close(allocate(rules_of(scenario), "flow").weighted_gap, allocate(rules_of(scenario), "pulp").weighted_gap)
