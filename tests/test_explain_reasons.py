"""Every reason `explain --out` writes is confirmed by re-solving (issue 11, item 2).

What "confirmed" means (README, `subsidy explain`): with several funds and ties, lifting one rule
need not pay more of that particular line (the money it frees may go to an equally or more
deserving line elsewhere), so a reason is checked as a whole. reasons.csv names, for a line with
a gap, every rule on every eligible fund's way to it that the final allocation leaves no room in.
Lift all of them, each by the line's gap, and solve again: the allocation must be strictly
better in the order the stages rank allocations: a smaller weighted gap (stage 1); else, with
fairness, a smaller largest gap share (stage 2); else more money paid (stage 3). That holds
exactly when the rules named are all that stop money reaching the line: the old allocation with
one fen more on the line is then possible, and better. `category_not_payable` and
`no_eligible_fund` are facts about the data, checked as such (no fund lists the category; none of
those that do admits the enterprise); they name a rule only when the enterprise's own funds under
`free` could have paid the line and ran out, and then that rule is re-solved as any other.

The re-solve lifts the rules in the solve's own `Rules` (the bounds the backends read), and
solves with the flow method, which is exact.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given

from fuzz_scenarios import FUZZ, scenario_data
from subsidy.allocate.waterfall import to_fen
from subsidy.analysis.explain import explain
from subsidy.output.analysis_text import explanation_tables
from subsidy.pipeline import allocate, solve
from subsidy.scenario.load import scenario_from_data


def _lifted(rules, names: list[str], by_fen: int):
    """The rules with each named bound raised by `by_fen` (a share cap: removed)."""
    index = {name: b for b, name in enumerate(rules.bound_names())}
    kind, pos = rules.bound_order
    budget, cap, unused = rules.budget_fen.copy(), rules.cap_fen.copy(), rules.lines.unused.copy()
    keep_share = np.ones(len(rules.share_arc), dtype=bool)
    upper = rules.commit_upper.copy()
    commitments = rules.commitment_names()
    for name in names:
        if name in commitments:
            upper[commitments.index(name)] += by_fen
            continue
        k, p = int(kind[index[name]]), int(pos[index[name]])
        if k == 0:
            budget[p] += by_fen
        elif k == 1:
            cap[p] += by_fen
        elif k == 2:
            unused[rules.own_enterprise[p]] += by_fen
        elif k == 3:
            keep_share[p] = False
        else:
            raise AssertionError(f"a need is not a reason: {name}")
    return dataclasses.replace(rules, lines=dataclasses.replace(rules.lines, unused=unused), budget_fen=budget,
                               cap_fen=cap, share_arc=rules.share_arc[keep_share], commit_upper=upper)


def _stage_values(allocation, fairness: bool) -> tuple:
    """What the stages minimise, in their order (more money paid: its negative)."""
    share = allocation.max_gap_share_bound if fairness else 0.0
    return allocation.weighted_gap, share or 0.0, -allocation.total_funded


@FUZZ
@given(scenario_data(max_enterprises=4, max_funds=3))
def test_every_reason_explain_writes_is_confirmed_by_re_solving_with_its_rules_lifted(data):
    scenario = scenario_from_data(data)
    result = solve(scenario, method="flow")
    reasons = explanation_tables(explain(scenario, result=result))["reasons.csv"]
    rules, fairness = result.allocation.rules, scenario.policy.fairness
    before = _stage_values(result.allocation, fairness)
    enterprises = {e.id: e for e in scenario.enterprises}
    for row in reasons.itertuples(index=False):
        payers = [f for f in scenario.funds if row.category in f.categories]
        if row.reason == "category_not_payable":
            assert not payers
        elif row.reason == "no_eligible_fund":
            assert payers and not any(f.scope.admits(enterprises[row.enterprise]) for f in payers)
        else:
            assert "unexplained" not in row.reason and row.rule, row
        if not row.rule:  # no public fund may pay it, and no own funds under `free` could
            continue
        named = row.rule.split("; ")  # the funds' rules, and own_funds[e] under `free`
        after = _stage_values(allocate(_lifted(rules, named, to_fen(row.gap)), "flow"), fairness)
        assert after < before, f"{row.enterprise}/{row.category} ({row.reason}): lifting {named} left {after} vs {before}"


def test_a_fund_held_back_by_its_cap_and_its_budget_is_reported_with_both():
    # One fund of 50 with a per-enterprise cap of 50 pays a's 100 of resettlement: budget and cap
    # both run out at 50. Lifting the budget alone pays nothing more (the cap holds), lifting the
    # cap alone nothing either (no money): the line names both, and lifting both by its gap of 50
    # pays it in full: weighted gap 3 × 50 = 150 → 0.
    data = {"name": "cap and budget", "enterprises": [
        {"id": "a", "name": "甲厂", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "100"}}],
        "funds": [{"id": "f", "name": "省级", "budget": "50", "categories": ["resettlement"], "caps": {"per_enterprise": "50"}}]}
    scenario = scenario_from_data(data)
    result = solve(scenario, method="flow")
    row = explanation_tables(explain(scenario, result=result))["reasons.csv"].iloc[0]
    assert row.reason == "funds_exhausted+cap_binds"
    assert row.rule == "cap_enterprise[f,a]; budget[f]"
    rules = result.allocation.rules
    assert result.weighted_gap == 150.0
    assert allocate(_lifted(rules, ["budget[f]"], 5000), "flow").weighted_gap == 150.0
    assert allocate(_lifted(rules, ["cap_enterprise[f,a]"], 5000), "flow").weighted_gap == 150.0
    assert allocate(_lifted(rules, ["cap_enterprise[f,a]", "budget[f]"], 5000), "flow").weighted_gap == 0.0
