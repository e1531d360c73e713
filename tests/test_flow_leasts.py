"""The flow method with lower bounds (`allocate/flow_leasts.py`): commitments and minimum coverage
as arcs with a least, solved exactly, priced exactly, and equal to the LP and the rational reference.

Prices are checked against exact finite differences of the whole-fen optimum (`rational_lp`: the
optimum is piecewise linear in a row's amount with breakpoints at whole fen, so one fen each way
gives each one-sided derivative exactly)."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import rational_lp
from subsidy.allocate.flow_network import build_network, stage1_flow
from subsidy.allocate.flow_rule_prices import commitment_values
from subsidy.pipeline import RulesConflict, rules_of, solve
from subsidy.scenario.load import scenario_from_data

DATA = {
    "name": "leasts",
    "enterprises": [{"id": "e1", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 100, "bank_debt": 100}},
                    {"id": "e2", "name": "乙", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 80}}],
    "funds": [{"id": "a", "name": "甲资金", "budget": 150, "categories": ["resettlement", "bank_debt"]},
              {"id": "b", "name": "乙资金", "budget": 50, "categories": ["resettlement"]}],
}


def _data(commitments=(), coverage=None) -> dict:
    data = copy.deepcopy(DATA)
    data["commitments"] = list(commitments)
    if coverage:
        data["policy"] = {"minimum_coverage": coverage}
    return data


def paid(result, fund, enterprise, category=None) -> int:
    rows = result.allocations
    hit = rows[(rows.fund == fund) & (rows.enterprise == enterprise) & ((rows.category == category) if category else True)]
    return int(hit.amount_fen.sum())


def test_a_least_on_a_funds_total_forces_money_past_a_heavier_line():
    # a must give e1 at least 140 in all. Without it a pays resettlement (weight 3) first: e2's 80
    # and e1's 100 take b's 50 and 130 of a, a's last 20 goes to bank debt: weighted gap 80.
    # With it: a → e1 140 (resettlement 100 − what b gives e1, the rest bank debt), a's other 10 and
    # b's 50 → e2's resettlement 60 of 80: e2 short 20 (× 3 = 60), bank debt short 60 (× 1):
    # weighted gap 120, total gap 80. The flow's stage 1 is one min-cost flow here (the greedy by
    # weight level would fill resettlement first and could not keep the least).
    r = solve(scenario_from_data(_data([{"fund": "a", "enterprise": "e1", "at_least": 140}])), method="flow")
    assert r.method == "flow"
    assert paid(r, "a", "e1") == 14000 and r.weighted_gap == 120
    assert r.gaps.gap_fen.sum() == 8000


def test_a_most_on_a_funds_total_and_an_amount_inside_it_sit_in_series():
    # a gives e1 at most 120 in all, of which exactly 25 for bank debt: the total's arc sits above
    # a's lines to e1, the amount's below it (`flow_leasts`). a: 25 bank debt + 95 to e1's
    # resettlement (≤ 120 in all) + 30 to e2's; b: 5 to e1, 45 to e2. Resettlement gets 175 of
    # 180 (short 5, × 3 = 15) and bank debt 25 of 100 (short 75): weighted gap 90.
    r = solve(scenario_from_data(_data([{"fund": "a", "enterprise": "e1", "at_most": 120},
                                        {"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 25}])),
              method="flow")
    assert paid(r, "a", "e1", "bank_debt") == 2500 and paid(r, "a", "e1") <= 12000
    assert r.weighted_gap == 90 and r.gaps.gap_fen.sum() == 8000


def test_coverage_moves_money_to_a_lighter_line_and_prices_it():
    # Bank debt covered at 0.5: e1's bank debt needs 50 (it got 20 without). a gives it 50 and
    # 100 to resettlement, b 50: resettlement short 30 (× 3 = 90) + bank debt short 50: 140.
    # One fen more of the least moves a fen from weight 3 to weight 1: it saves −2 (more = −2);
    # one fen less moves one back: it adds −2 (less = −2).
    s = scenario_from_data(_data(coverage={"bank_debt": 0.5}))
    r = solve(s, method="flow")
    assert r.weighted_gap == 140 and paid(r, "a", "e1", "bank_debt") == 5000
    prices = r.allocation.prices
    assert [v.tolist() for v in prices.commitment_values()] == [[-2.0], [-2.0]]
    # The price of −2 holds up to the line's whole need (100: 50 fen-hundreds more, a still has
    # 100 in resettlement to move) and down to 20, where resettlement is paid in full (30 less).
    assert [v.tolist() for v in prices.least_ranges([0])] == [[5000], [3000]]
    # Plain gap: moving money between lines changes nothing: 0 both ways, and 0 holds from the
    # least of 50 up to the need of 100 and down to 0.
    assert [v.tolist() for v in prices.commitment_values(unit_weights=True)] == [[0.0], [0.0]]
    assert [v.tolist() for v in prices.least_ranges([0], unit_weights=True)] == [[5000], [5000]]
    lp = solve(s, method="pulp").allocation.prices  # the LP's dual face and parametric programs agree
    assert [v.tolist() for v in lp.least_ranges([0])] == [[5000], [3000]]


def _row_data(data: dict, k: int, delta_fen: int) -> dict | None:
    """`data` with commitment k's amount, least and most (whichever it has) moved by delta_fen
    fen, or None where it cannot be moved that way (a most of 0 lowered)."""
    out = copy.deepcopy(data)
    c = out["commitments"][k]
    for key in ("amount", "at_least", "at_most"):
        if key in c:
            moved = Decimal(str(c[key])) + Decimal(delta_fen) / 100
            if moved < 0:
                return None
            c[key] = str(moved)
    return out


def _exact_derivatives(data: dict, k: int) -> tuple[Fraction, Fraction]:
    """(saved by one fen more, added by one fen less) of row k, per unit, from the reference;
    ∓inf where the moved rules leave no allocation."""
    best = rational_lp.whole_step_weighted_gap(data)
    out = []
    for delta in (1, -1):
        moved = _row_data(data, k, delta)
        if moved is None:
            out.append(None)
            continue
        try:
            value = rational_lp.whole_step_weighted_gap(moved)
        except ArithmeticError:
            out.append(-np.inf if delta > 0 else np.inf)
            continue
        out.append((best - value) * 100 if delta > 0 else (value - best) * 100)
    return out[0], out[1]


COMMITMENT_CASES = [
    [{"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60}],
    [{"fund": "a", "enterprise": "e1", "at_most": 50}],
    [{"fund": "a", "enterprise": "e1", "at_least": 140}],
    [{"fund": "b", "enterprise": "e2", "at_most": 0}, {"fund": "a", "enterprise": "e1", "category": "bank_debt", "at_least": "30.01"}],
    [{"fund": "b", "enterprise": "e2", "at_least": 50}, {"fund": "a", "enterprise": "e1", "amount": 150}],
    [{"fund": "a", "enterprise": "e2", "amount": 20}, {"fund": "a", "enterprise": "e1", "category": "resettlement", "at_most": 90}],
]


@pytest.mark.parametrize("case", range(len(COMMITMENT_CASES)))
def test_commitment_prices_are_the_exact_one_sided_derivatives(case):
    data = _data(COMMITMENT_CASES[case])
    s = scenario_from_data(data)
    rules = rules_of(s)
    more, less = commitment_values(rules, build_network(rules))
    lp_more, lp_less = solve(s, method="pulp").allocation.prices.commitment_values()
    for k in range(len(data["commitments"])):
        up, down = _exact_derivatives(data, k)
        assert more[k] == float(up) == lp_more[k], (case, k, more[k], up, lp_more[k])
        if down is None:  # a most of 0 has no unit less
            assert np.isnan(less[k]) and np.isnan(lp_less[k])
        else:
            assert less[k] == float(down) == lp_less[k], (case, k, less[k], down, lp_less[k])


def test_an_infeasible_least_gives_the_same_conflict_on_the_flow_and_the_lp():
    # Coverage 1.0 on bank debt and resettlement: 280 asked of 200 in budgets. The conflict names
    # the coverage rules and a's and b's budgets as the LP diagnosis does (`allocate.conflicts`),
    # whichever method found stage 1 infeasible.
    s = scenario_from_data(_data(coverage={"bank_debt": 1.0, "resettlement": 1.0}))
    found = []
    for method in ("flow", "pulp"):
        with pytest.raises(RulesConflict) as info:  # the diagnosis sees 280 > 200 too: solved on to reach the stages
            solve(s, method=method, on_findings=lambda findings: None)
        found.append((info.value.rules, info.value.extra_budget))
    assert found[0] == found[1]
    assert found[0][1] is not None and sum(found[0][1].values()) == 8000  # 280 − 200 = 80 more


def test_greedy_stage_one_is_kept_without_leasts():
    # Without commitments or coverage the network has no leasts and stage 1 stays the greedy max
    # flows (7-14× faster): lower is None, and the solve's note is the plain one.
    rules = rules_of(scenario_from_data(_data()))
    net = build_network(rules)
    assert net.lower is None and net.commit_arc is None
    assert int(stage1_flow(net)[net.bypass]) == 0  # every fen of 200 is spent on 280 of need


def _approved(data: dict) -> dict | None:
    """The scenario with commitments and coverage its own flow optimum keeps (so feasible, as
    an approved allocation carried into a later run): the first paid line as an `amount`, the
    middle one's fund total to its enterprise as an `at_least`, the last paid line as an
    `at_most`, and minimum coverage on a funded line's category at the least funded share of
    that category (3 places, rounded down). None with fewer than three paid lines."""
    first = solve(scenario_from_data(data), method="flow")
    rows = first.allocations[first.allocations.amount_fen > 0]
    if len(rows) < 3:
        return None
    r0, r1, r2 = rows.iloc[0], rows.iloc[len(rows) // 2], rows.iloc[-1]
    commitments = [{"fund": r0.fund, "enterprise": r0.enterprise, "category": r0.category, "amount": str(Decimal(int(r0.amount_fen)) / 100)},
                   {"fund": r1.fund, "enterprise": r1.enterprise, "at_least": str(Decimal(paid(first, r1.fund, r1.enterprise)) / 100)}]
    if (r2.fund, r2.enterprise, r2.category) != (r0.fund, r0.enterprise, r0.category):
        commitments.append({"fund": r2.fund, "enterprise": r2.enterprise, "category": r2.category,
                            "at_most": str(Decimal(int(r2.amount_fen)) / 100)})
    out = {**data, "commitments": commitments}
    funded = first.gaps[first.gaps.funded_fen > 0]
    line = funded.iloc[len(funded) // 2]
    mine = first.gaps[(first.gaps.category == line.category) & (first.gaps.need_fen > 0)]
    share = min(Fraction(int(f), int(n)) for f, n in zip(mine.funded_fen, mine.need_fen))
    if share >= Fraction(1, 1000):
        out["policy"] = {**out.get("policy", {}), "minimum_coverage": {line.category: (share * 1000).__floor__() / 1000}}
    return out


def test_the_corpus_with_approved_commitments_and_coverage_on_the_flow_the_lp_and_the_reference():
    """14 scenarios of the fixed-seed corpus (dense, normal, wide: amounts from 0.01 to 10^10),
    each with an amount, a fund total's least, a line's most and minimum coverage: the flow's
    and the LP's written weighted gaps are the reference's whole-fen optimum, their stage-2
    optima agree, the verifier accepts both (inside solve), and every commitment's two prices on
    the flow are its exact one-sided derivatives (±inf where one fen leaves no allocation).
    Found by it: an amount's arc (no room either way) can leave its two ends in different
    components of the residual graph, where a shared local search had borrowed a neighbour's
    distance (`flow_prices._Residual._local`)."""
    checked = 0
    found_by_it = ("corpus wide 8", "corpus wide 13")
    for data in [d for i, d in enumerate(rational_lp.corpus(per_kind=14)) if i % 14 < 4 or d["name"] in found_by_it]:
        approved = _approved(data)
        if approved is None:
            continue
        best = rational_lp.whole_step_weighted_gap(approved)
        weights = {c: Fraction(str(w)) for c, w in rational_lp.WEIGHTS.items()}
        weights.update({c: Fraction(str(v["weight"])) for c, v in data["categories"].items()})
        bounds = []
        for method in ("flow", "pulp"):
            r = solve(scenario_from_data(approved), method=method)
            written = sum((weights[c] * g for c, g in zip(r.gaps["category"], r.gaps["gap_fen"].tolist())), Fraction(0))
            assert written == best * 100, (data["name"], method, float(written), float(best))
            bounds.append(r.summary["max_gap_share_bound"])
            if method == "flow":
                more, less = r.allocation.prices.commitment_values()
        if bounds[0] is not None:
            assert bounds[0] == pytest.approx(bounds[1], abs=1e-6), (data["name"], bounds)
        for k in range(len(approved["commitments"])):
            up, down = _exact_derivatives(approved, k)
            assert more[k] == float(up), (data["name"], k, more[k], up)
            assert (np.isnan(less[k]) and down is None) or less[k] == float(down), (data["name"], k, less[k], down)
        checked += 1
    assert checked >= 9, checked
