"""Every method exact (issue 16): the LP and CBC as right as the flow, in whole fen.

The reference is tests/rational_lp.py, an exact simplex over fractions written apart from the
package; the cases below are the defects it found, each small enough to work by hand.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import yaml

import rational_lp
from run_cli import run
from subsidy.allocate.highs_reuse import HighsModels
from subsidy.allocate.waterfall import to_fen
from subsidy.analysis.close_gap import _with_budgets, close_gap
from subsidy.pipeline import solve
from subsidy.scenario.model import MAX_AMOUNT
from subsidy.scenario.load import scenario_from_data

WEIGHT_ZERO_FUND_FIRST = {
    # A fund of budget 0 that may pay only operating losses (weight 0), listed before a fund that
    # pays the rest: its budget rule covers no arc that saves anything, so it has no variable in
    # the shadow-price dual. CBC then left it out of its solution file and PuLP stopped reading
    # it back (KeyError 'u0', exit 70).
    "name": "weight-0 rule first",
    "enterprises": [{"id": "e1", "name": "甲厂", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "10", "bank_debt": "5", "operating_loss": "4"}}],
    "funds": [
        {"id": "zero", "name": "零预算", "budget": "0", "categories": ["operating_loss"]},
        {"id": "f", "name": "省级", "budget": "8", "categories": ["resettlement", "bank_debt"]},
    ],
}


def test_cbc_prices_a_rule_with_no_variable_in_the_dual(tmp_path):
    # Fund f's 8 go to resettlement (weight 3): weighted gap 3·(10 − 8) + 1·5 + 0·4 = 11.
    # One more 万元 of f saves 3 (2 of resettlement are still open); the zero fund's budget
    # saves nothing (it may pay only weight-0 losses).
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(WEIGHT_ZERO_FUND_FIRST, allow_unicode=True), encoding="utf-8")
    out = run("solve", path, "--solver", "cbc", "--out", tmp_path / "o", "--quiet")
    assert out.code == 0, out.stderr
    funds = (tmp_path / "o" / "funds.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] + "," + row.split(",")[-1] for row in funds[1:]] == ["zero,0.0", "f,3.0"]
    assert '"objective_weighted_gap": 11.0' in (tmp_path / "o" / "summary.json").read_text(encoding="utf-8")
    for command in ("explain", "close-gap"):
        out = run(command, path, "--solver", "cbc")
        assert out.code == 0, (command, out.stderr)


# --- the corpus: every method against the exact whole-fen reference -------------------------------

def _written_weighted_gap(result, data) -> Fraction:
    """Σ weight × gap over gaps.csv's lines, exactly (weights as the reference reads them)."""
    weights = {c: Fraction(str(w)) for c, w in rational_lp.WEIGHTS.items()}
    weights.update({c: Fraction(str(v["weight"])) for c, v in data["categories"].items()})
    gaps = result.gaps
    return sum((weights[c] * Fraction(str(g)) for c, g in zip(gaps["category"], gaps["gap"])), Fraction(0))


def _check_against_reference(result, data, best: Fraction) -> None:
    written = _written_weighted_gap(result, data)
    assert written == best, (data["name"], result.method, result.solver, float(written), float(best))
    summary = result.summary
    assert summary["objective_weighted_gap"] == round(float(best), 6), (data["name"], result.solver)
    # summary.json agrees with the tables it sits beside
    enterprises = result.enterprises
    shares = [Fraction(str(g)) / Fraction(str(r)) for g, r in zip(enterprises["gap"], enterprises["residual_need"]) if r > 0]
    assert summary["max_gap_share"] == round(float(max(shares, default=Fraction(0))), 9), data["name"]
    assert Decimal(str(summary["total_funded"])) == sum((Decimal(str(v)) for v in result.gaps["funded"]), Decimal(0))
    assert Decimal(str(summary["total_gap"])) == sum((Decimal(str(v)) for v in result.gaps["gap"]), Decimal(0))


CORPUS = rational_lp.corpus(per_kind=70)  # 210 scenarios: dense, normal, wide


@pytest.mark.parametrize("kind", ["dense", "normal", "wide"])
def test_flow_and_highs_write_the_whole_fen_optimum_on_the_corpus(kind):
    """Issue 16's 'done': on every scenario of the fixed-seed corpus the flow, the LP with HiGHS
    and the sweeps' reused HiGHS model write an allocation whose weighted gap is the exact
    whole-fen optimum of the rational reference, and summary.json says the same as the tables.
    (Before: the LP missed it on 64 of 210 and failed on 2, the flow missed it on 6.)"""
    models = HighsModels()
    scenarios = [d for d in CORPUS if d["name"].split()[1] == kind]
    for data in scenarios:
        best = rational_lp.whole_step_weighted_gap(data)
        scenario = scenario_from_data(data)
        for method in ("flow", "pulp"):
            _check_against_reference(solve(scenario, method=method), data, best)
        _check_against_reference(solve(scenario, method="pulp", models=models), data, best)


def test_cbc_writes_the_whole_fen_optimum_on_a_third_of_the_corpus():
    """The same for CBC, on every third scenario (CBC runs as a subprocess: 0.6 s a scenario)."""
    for data in CORPUS[::3]:
        _check_against_reference(solve(scenario_from_data(data), method="pulp", solver="cbc"), data,
                                 rational_lp.whole_step_weighted_gap(data))


def test_cbc_holds_stage_3_at_a_total_of_ten_to_the_twelve_fen_and_one():
    """Corpus scenario "wide 38": a fund of 10^10 and one of 0.01 (one fen). CBC declared the
    tie-break infeasible (exit 3) when stage 3 was held by the row Σ x ≥ 1,000,000,000,001 fen;
    it is now held by stage 3's optimal face (the rules' own limits).
    By hand: f0's 10^10 all go to e1's retiree insurance (weight 3: saves 3·10^10), f1's single
    fen to e0's other costs (weight 1; f1 may pay only e0, and e0's losses weigh 0). Weighted
    need 1·10^10 + 0·10^10 (e0) + 16.29 + 21.08 + 2·0.01 + 3·10^10 (e1) = 4·10^10 + 37.39, so the
    weighted gap is 10^10 + 37.38, and 10^10 + 0.01 is funded."""
    data = CORPUS[178]
    assert data["name"] == "corpus wide 38"
    best = rational_lp.whole_step_weighted_gap(data)
    assert best == Fraction(10**10) + Fraction("37.38")
    result = solve(scenario_from_data(data), method="pulp", solver="cbc")
    _check_against_reference(result, data, best)
    assert result.summary["total_funded"] == 10_000_000_000.01
    lines = result.allocations
    paid = {(f, e, c): a for f, e, c, a in zip(lines["fund"], lines["enterprise"], lines["category"], lines["amount"]) if a}
    assert paid == {("f0", "e1", "retiree_social_insurance"): 10**10, ("f1", "e0", "custom_line"): 0.01}


@pytest.mark.parametrize("method", ["auto", "pulp"])
def test_close_gap_one_fund_alone_reaches_its_target_after_solving_again(method):
    """close-gap's 'if only this fund grew' extra, added to that fund alone and solved again,
    leaves a total gap no larger than the target: the solve now writes the whole-fen optimum that
    close-gap's whole-fen programs count on. (Before: 8 of 102 such figures on these 45 scenarios
    left 0.01-0.02 open, e.g. an extra of 0.33 that left 0.01.)
    Of the 86 funds of the 45 reachable closures, 35 get no figure: each is checked here to be
    unable to reach the target alone (the most the rules fund with its budget unlimited, the
    others' as they are, falls short; the text says "f cannot alone"); 4 figures would take a
    budget past 10^10 and are not solved again; the other 47 are. (The LP gave 46: its figures
    were 0.01 too high on 4 funds, one of them then past 10^10; see the next test.)"""
    checked = alone_impossible = 0
    for data in [d for d in CORPUS if int(d["name"].split()[2]) < 15]:  # seeds 0-14 of each kind
        scenario = scenario_from_data(data)
        closure = close_gap(scenario, method=method)
        if not closure.reachable:
            continue
        need_funded = _residual_fen(closure) - to_fen(min(closure.target, closure.result.total("gaps", "gap")))
        for row in closure.funds.itertuples():
            if row.extra_alone is None:
                assert _most_funded_with_unlimited(closure.result.rules, row.fund) < need_funded, (data["name"], row.fund)
                alone_impossible += 1
            elif row.budget + row.extra_alone <= MAX_AMOUNT:
                after = solve(_with_budgets(scenario, {row.fund: to_fen(row.extra_alone)}))
                assert after.total("gaps", "gap") <= closure.target, (data["name"], row.fund)
                checked += 1
    assert (checked, alone_impossible) == (47, 35)


def _residual_fen(closure) -> int:
    """What funds could pay at most: every line's need after own funds, in fen."""
    return sum(r for split in closure.result.rules.lines.splits().values() for r in split.residual.values() if r > 0)


def _most_funded_with_unlimited(rules, fund: str) -> int:
    """max Σ x over the rules without fund's budget (fen), by an LP of its own (HiGHS)."""
    import pulp

    from subsidy.allocate.lp_solvers import make_solver

    position = {arc: i for i, arc in enumerate(rules.arcs)}
    program = pulp.LpProblem("most", pulp.LpMaximize)
    x = [program.add_variable(f"x{i}", lowBound=0) for i in range(len(position))]
    for name, (arcs, limit) in rules.upper_bounds().items():
        if name != f"budget[{fund}]":
            program += pulp.lpSum(x[position[a]] for a in arcs) <= limit
    program += pulp.lpSum(x)
    # HiGHS as the package runs it: a HiGHS of other threads in the same process fails the next ones
    assert program.solve(make_solver("highs")) == pulp.LpStatusOptimal
    return round(pulp.value(program.objective))


def test_close_gap_lp_and_flow_agree_to_the_fen():
    """close-gap's linear programs and its integer flows give the same extra per fund, in total
    and for one fund alone, on seeds 0-14 of the corpus. (The LPs were written in the scenario
    unit, held the least total with a relative slack of 1e-9 and rounded the solver's values up:
    corpus normal 12's central fund alone read 43,376,857.95 against the flow's exact .94, and
    wide 13's f2 alone 9,999,998,289.21 against .20, which took its budget just past 10^10.)"""
    for data in [d for d in CORPUS if int(d["name"].split()[2]) < 15]:
        scenario = scenario_from_data(data)
        result = solve(scenario)
        by_flow, by_lp = (close_gap(scenario, result=result, method=m) for m in ("flow", "pulp"))
        assert by_lp.total_extra == by_flow.total_extra, data["name"]
        columns = ["fund", "extra", "extra_alone"]
        assert by_lp.funds[columns].to_dict("records") == by_flow.funds[columns].to_dict("records"), data["name"]


def test_an_amount_beyond_the_promised_range_is_refused_in_both_languages(tmp_path):
    """The promise is 10^10 of the unit (≈ 3× China's national general budget in 万元): one fen
    more stops with exit 2, naming the field, in English and Chinese; 10^10 itself solves."""
    data = {"name": "range", "enterprises": [{"id": "e1", "name": "甲厂", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": "10000000000"}}],
            "funds": [{"id": "f", "name": "中央", "budget": "10000000000.01", "categories": ["bank_debt"]}]}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = run("solve", path, "--out", tmp_path / "o", "--lang", "en")
    assert out.code == 2 and not (tmp_path / "o").exists()
    assert "budget" in out.stderr and "must be at most 10^10" in out.stderr and "got '10000000000.01'" in out.stderr
    out = run("solve", path, "--out", tmp_path / "o", "--lang", "zh")
    assert out.code == 2 and not (tmp_path / "o").exists()
    assert "budget" in out.stderr and "不得超过 10^10" in out.stderr and "实际为 '10000000000.01'" in out.stderr
    data["funds"][0]["budget"] = "10000000000"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = run("solve", path, "--out", tmp_path / "o", "--quiet")
    assert out.code == 0, out.stderr
    assert '"total_gap": 0.0' in (tmp_path / "o" / "summary.json").read_text(encoding="utf-8")


# --- a weight-0 line the optimum pays ---------------------------------------------------------------

OPERATING_LOSSES_SHARE_A_BUDGET = {
    # Fund f (10) may pay resettlement (weight 3, need 5) and operating losses (weight 0, need 10).
    "name": "weight-0 line in the optimum",
    "enterprises": [{"id": "e1", "name": "甲厂", "region": "湖北/咸宁", "industry": "cement",
                     "costs": {"resettlement": "5", "operating_loss": "10"}}],
    "funds": [{"id": "f", "name": "省级", "budget": "10", "categories": ["resettlement", "operating_loss"]}],
}


def test_a_budget_partly_spent_on_operating_losses_costs_nothing_to_cut(monkeypatch):
    """Stage 1 pays resettlement's 5 (saving 3·5 = 15); the other 5 of the budget may go to the
    losses (weight 0) or stay unspent: both are stage-1 optima. Taking that optimum, the budget
    is full, so the dual's optimal face leaves its variable free, and the losses' arc (paid, weight
    0) must keep it at 0: Σ_{r∋a} u_r = w_a = 0. Without that row the face let the budget's u go
    up to 3, and "one 万元 less" was priced 3 where the exact cost is 0 (the cut comes out of the
    losses). By the rational reference the weighted gap is 3·(5 − 5) + 0·10 = 0 at a budget of
    10, 9.99 and 10.01 alike: both one-sided prices are 0. The flow method had it right."""
    from subsidy.allocate.lp import LpPrices

    scenario = scenario_from_data(OPERATING_LOSSES_SHARE_A_BUDGET)
    result = solve(scenario, method="pulp")
    rules = result.allocation.rules
    budget = rules.bound_names().index("budget[f]")
    cut, more_money = (rational_lp.whole_step_weighted_gap(_budget(OPERATING_LOSSES_SHARE_A_BUDGET, b)) for b in ("9.99", "10.01"))
    at_ten = rational_lp.whole_step_weighted_gap(OPERATING_LOSSES_SHARE_A_BUDGET)
    assert at_ten == 10 * 0 + 3 * 0 + 0  # resettlement fully paid; losses weigh 0
    assert cut == at_ten == more_money
    paying_losses = np.array([{"resettlement": 500, "operating_loss": 500}[arc.category] for arc in rules.arcs])
    monkeypatch.setattr(LpPrices, "_primal_optimum", lambda self, weights, limits, engine: paying_losses)
    more, less = LpPrices(rules).marginal_values(np.array([budget]))
    assert (more[0], less[0]) == (0.0, 0.0)
    flow = solve(scenario, method="flow").allocation.prices.marginal_values(np.array([budget]))
    assert (flow[0][0], flow[1][0]) == (0.0, 0.0)


def _budget(data: dict, budget: str) -> dict:
    changed = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
    changed["funds"][0]["budget"] = budget
    return changed
