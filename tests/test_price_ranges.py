"""A shadow price is a rate, not a promise: the range in which each price holds (issue 16, item 5).

`explain` used to say "one more 万元 would reduce the weighted gap by 3.00" where a breakpoint lay
0.5 万元 away and a whole 万元 saved 2.00. Every price now comes with its allowable increase and
decrease (as Excel Solver's sensitivity report), from the method that solved, in whole fen:

- by hand, the case of the issue, on both methods, and the sentence that says it;
- on a fixed-seed sample of the rational reference's corpus (tests/rational_lp.py, an exact
  simplex over fractions written apart from subsidy): for every budget, re-solving with the budget
  raised by the allowable increase lowers the weighted gap by exactly price × increase, and one
  fen further by less than price × (increase + 1 fen); lowered by the allowable decrease, it rises
  by exactly less × decrease, and one fen further by more (unless the budget is then 0);
- on generated scenarios, every rule explain prices (caps and own funds too), weighted and plain,
  against the integer flow re-solved with the rule's bound moved.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

import rational_lp
from conftest import make_scenario
from subsidy.allocate.flow_network import Network, build_network, stage1_flow
from subsidy.allocate.flow_prices import marginal_values, price_ranges, unit_weight_network
from subsidy.allocate.stages import UNBOUNDED
from subsidy.analysis.explain import asked_rules, explain
from subsidy.output.analysis_text import explanation_sentences, explanation_text
from subsidy.pipeline import solve
from subsidy.scenario.generate import generate
from subsidy.scenario.load import scenario_from_data

FEN = Fraction(1, 100)


def _breakpoint_half_a_unit_away():
    """e1: resettlement 10.50 (weight 3), bank_debt 100.00 (weight 1); f1: budget 10.00, pays both.

    Stage 1 puts all 10.00 on resettlement (weight 3 first): weighted gap 0.50·3 + 100·1 = 101.50.
    One 万元 more: its first 0.50 closes resettlement (saves 0.50 × 3 = 1.50), the other 0.50 goes
    to bank debt (saves 0.50 × 1 = 0.50): 2.00 in all, not 3.00. So the price 3.00 holds for 0.50,
    then 1.00. One 万元 less costs 3.00 down to a budget of 0 (all of it is on resettlement): the
    decrease is the whole 10.00. In the plain gap every 万元 closes 1.00 until both lines are paid:
    10.50 + 100 − 10 = 100.50 more.
    """
    return make_scenario([{"costs": {"resettlement": "10.50", "bank_debt": 100}}],
                         [{"budget": 10, "categories": ["resettlement", "bank_debt"]}])


@pytest.mark.parametrize("method", ["flow", "pulp"])
def test_price_three_holds_for_half_a_unit(method):
    scenario = _breakpoint_half_a_unit_away()
    ex = explain(scenario, result=solve(scenario, method=method))
    budget = ex.rules.set_index("rule").loc["budget[f1]"]
    assert (budget["shadow_weighted"], budget["increase_weighted"]) == (3.0, Decimal("0.50"))
    assert (budget["less_weighted"], budget["decrease_weighted"]) == (3.0, Decimal("10.00"))
    assert (budget["shadow_unweighted"], budget["increase_unweighted"]) == (1.0, Decimal("100.50"))
    assert (budget["less_unweighted"], budget["decrease_unweighted"]) == (1.0, Decimal("10.00"))
    # Re-solved: a whole 万元 more saves 2.00 (101.50 → 99.50), half of one saves 1.50 (→ 100.00).
    gap = ex.result.weighted_gap
    assert gap == pytest.approx(101.5)
    more = lambda extra: solve(make_scenario([{"costs": {"resettlement": "10.50", "bank_debt": 100}}],  # noqa: E731
                                             [{"budget": extra, "categories": ["resettlement", "bank_debt"]}]),
                               method=method).weighted_gap
    assert gap - more("11") == pytest.approx(2.0) and gap - more("10.50") == pytest.approx(1.5)
    sentence = next(s for s in explanation_sentences(ex) if s.startswith("f1 budget"))
    assert sentence == ("f1 budget (10.00) is fully used; each 万元 of the first 0.50 万元 more would reduce the weighted "
                        "gap by 3.00 and the gap by 1.00 万元 (beyond that, less); each 万元 of the first 10.00 万元 less "
                        "would add 3.00 to the weighted gap and 1.00 万元 to the gap.")
    zh = next(s for s in explanation_sentences(ex, "zh") if s.startswith("f1预算"))
    assert "增加的前 0.50 万元内，每增加 1 万元，加权缺口减少 3.00" in zh
    table = explanation_text(ex).splitlines()
    header = next(line for line in table if line.startswith("rule "))
    assert "allowable_increase" in header and "allowable_decrease" in header
    row = next(line for line in table if line.startswith("budget[f1]")).split()
    # rule, bound, used, left, price, increase, decrease, plain price
    assert row[4:8] == ["3.00", "0.50", "10.00", "1.00"]


def _with_budget(data: dict, fund: int, fen: int) -> dict:
    funds = [dict(f) for f in data["funds"]]
    funds[fund]["budget"] = str(Decimal(fen) / 100)
    return {**data, "funds": funds}


SAMPLE = [rational_lp.scenario(seed, kind) for kind in ("dense", "normal") for seed in range(40)]
"""80 scenarios of the corpus: dense (a few fen each, many ties and breakpoints a fen apart) and normal."""


def _check_budget_ranges(data: dict, method: str) -> int:
    """Every budget's price and range against the exact reference; returns the ranges checked."""
    scenario = scenario_from_data(data)
    ex = explain(scenario, result=solve(scenario, method=method))
    rules = ex.rules.set_index("rule")
    base = rational_lp.whole_step_weighted_gap(data)
    checked = 0
    for f, fund in enumerate(data["funds"]):
        r = rules.loc[f"budget[{fund['id']}]"]
        budget = rational_lp.fen(fund["budget"])
        at = lambda fen: rational_lp.whole_step_weighted_gap(_with_budget(data, f, fen))  # noqa: E731
        more = Fraction(str(r["shadow_weighted"]))
        where = f"{data['name']} {fund['id']} ({method}): more {more}, up {r['increase_weighted']}"
        if r["increase_weighted"] is None:  # a price of 0 without end: even 10^6 fen more saves nothing
            assert more == 0 and at(budget + 10**6) == base, where
        else:
            up = rational_lp.fen(str(r["increase_weighted"]))
            assert more > 0 and up > 0, where
            assert base - at(budget + up) == more * up * FEN, where  # exactly the price over the range
            assert base - at(budget + up + 1) < more * (up + 1) * FEN, where  # and less one fen beyond
        checked += 1
        if budget == 0:
            assert pd.isna(r["less_weighted"]) and r["decrease_weighted"] == 0  # no unit less to take
            continue
        less = Fraction(str(r["less_weighted"]))
        down = rational_lp.fen(str(r["decrease_weighted"]))
        where = f"{data['name']} {fund['id']} ({method}): less {less}, down {down} of {budget}"
        assert 0 < down <= budget, where
        assert at(budget - down) - base == less * down * FEN, where
        if down < budget:
            assert at(budget - down - 1) - base > less * (down + 1) * FEN, where
        checked += 1
    return checked


def test_budget_ranges_are_exact_on_the_flow():
    assert sum(_check_budget_ranges(data, "flow") for data in SAMPLE) >= 200


def test_budget_ranges_are_exact_on_the_lp():
    """The LP's parametric ranges (one LP per budget and side), on every fourth scenario."""
    assert sum(_check_budget_ranges(data, "pulp") for data in SAMPLE[::4]) >= 40


def _stage1_cost(net) -> int:
    flow = stage1_flow(net)
    return sum(int(c) * int(x) for c, x in zip(net.cost[net.line_arc].tolist(), flow[net.line_arc].tolist()))


def _moved(net, arc: int, delta: int):
    """The network with one bound's arc moved by `delta` fen; arcs with no rule of their own carry
    supply + 1 (no limit), so they move with the supply when the arc leaves s."""
    cap = net.cap.copy()
    if net.tail[arc] == Network.S:
        cap[cap == net.supply + 1] += delta
    cap[arc] += delta
    return dataclasses.replace(net, cap=cap, supply=net.supply + (delta if net.tail[arc] == Network.S else 0))


@pytest.mark.parametrize("n,seed", [(12, 3), (30, 1)])
def test_every_rule_explain_asks_about_on_generated_scenarios(n, seed):
    """Budgets, enterprise caps, share caps and own funds, weighted and plain: the integer stage-1
    optimum re-solved with the bound moved to the ends of its ranges and one fen beyond."""
    scenario = scenario_from_data(generate(n, 4, seed))
    result = solve(scenario)
    rules = result.rules
    asked = asked_rules(result)
    net = build_network(rules)
    checked = 0
    for unit in (False, True):
        more, less = marginal_values(rules, net, asked, unit_weights=unit)
        up, down = price_ranges(rules, net, asked, unit_weights=unit)
        base_net = unit_weight_network(net) if unit else net
        d = base_net.weight_scale
        base = _stage1_cost(base_net)
        for i, b in enumerate(asked.tolist()):
            arc, name = int(net.bound_arc[b]), f"{rules.bound_names()[b]} ({'plain' if unit else 'weighted'})"
            at = lambda delta: _stage1_cost(_moved(base_net, arc, delta))  # noqa: E731 (cost: −saved × D, per fen)
            per_fen = Fraction(str(more[i])) * d  # saved per fen in cost units
            if up[i] == UNBOUNDED:
                assert more[i] == 0 and at(10**6) == base, name
            else:
                assert base - at(int(up[i])) == per_fen * int(up[i]), name
                assert base - at(int(up[i]) + 1) < per_fen * (int(up[i]) + 1), name
            if net.cap[arc] > 0:
                cost = Fraction(str(less[i])) * d
                assert 0 <= down[i] <= net.cap[arc], name
                assert at(-int(down[i])) - base == cost * int(down[i]), name
                if down[i] < net.cap[arc]:
                    assert at(-int(down[i]) - 1) - base > cost * (int(down[i]) + 1), name
            checked += 1
    assert checked >= 2 * n
