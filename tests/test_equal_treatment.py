"""Equal treatment of equals (issue 11, case 5 / item 3): two enterprises whose data are the same
(all but id, name and source) receive the same allocation, fund by fund and line by line, to
within one fen, on every method: the flow, the LP with HiGHS and with CBC, and a sweep's reused
HiGHS model. The whole-fen optimum of every stage is kept (tests/test_exact_paths.py checks it
on the corpus; here the weighted gap is compared with the flow's).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given

from fuzz_scenarios import FUZZ, scenario_data
from subsidy.allocate.highs_reuse import HighsModels
from subsidy.pipeline import solve
from subsidy.scenario.load import load_scenario, scenario_from_data

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _solves(scenario):
    """The scenario solved by every method: (label, Result)."""
    return [("flow", solve(scenario, method="flow")),
            ("highs", solve(scenario, method="pulp")),
            ("cbc", solve(scenario, method="pulp", solver="cbc")),
            ("reused highs", solve(scenario, method="pulp", models=HighsModels()))]


def _paid(result, enterprise: str) -> dict[tuple[str, str], int]:
    """(fund, category) → fen paid to the enterprise."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    rows = result.exact("allocations")
    for f, e, c, amount in zip(rows.fund, rows.enterprise, rows.category, rows.amount):
        if e == enterprise:
            out[(f, c)] += int(amount * 100)
    return out


def _assert_equal_within_a_fen(result, a: str, b: str, label: str) -> None:
    pa, pb = _paid(result, a), _paid(result, b)
    for key in set(pa) | set(pb):
        assert abs(pa[key] - pb[key]) <= 1, f"{label}: {key} pays {a} {pa[key]} fen and {b} {pb[key]} fen"
    for group in (lambda k: k[0], lambda k: k[1]):  # fund by fund, line by line
        sa, sb = defaultdict(int), defaultdict(int)
        for key, v in pa.items():
            sa[group(key)] += v
        for key, v in pb.items():
            sb[group(key)] += v
        for g in set(sa) | set(sb):
            assert abs(sa[g] - sb[g]) <= 1, f"{label}: {g} gives {a} {sa[g]} fen and {b} {sb[g]} fen"
    assert abs(sum(pa.values()) - sum(pb.values())) <= 1, label


def test_linzi_dongfeng_and_honglu_get_the_same_from_every_fund_on_every_method():
    # Case 5: 东风 and 宏鲁 have identical inputs but received 316.01 and 316.00 from entirely
    # different fund mixes (东风: central 170.86 + 39.90 and linzi 105.24; 宏鲁: provincial, zibo
    # and linzi). Now the pair's totals per fund and line are shared out: central 2 × 85.43 of
    # living allowance and 2 × 19.95 of retiree insurance, provincial 2 × 52.62 of resettlement, …
    scenario = load_scenario(SCENARIOS / "linzi-portfolio.yaml")
    flow_gap = None
    for label, result in _solves(scenario):
        _assert_equal_within_a_fen(result, "dongfeng_cement", "honglu_cement", label)
        paid = _paid(result, "dongfeng_cement")
        assert paid[("central_reward", "living_allowance")] == 8543, label
        assert paid[("linzi_district", "resettlement")] == 5262, label
        assert sum(paid.values()) == sum(_paid(result, "honglu_cement").values()) == 31600, label
        flow_gap = flow_gap if flow_gap is not None else result.weighted_gap
        assert result.weighted_gap == flow_gap, label  # the stage-1 optimum is kept
        assert (result.exact("allocations").amount > 0).all(), label  # no empty payment line


# Two equal enterprises of 100 in one category each; central 101.01 and local 50 pay it, 151.01 of
# 200. Every fen is spent (stage 3), so the pair's totals are central 10,101 fen and local 5,000:
# shared out, 5,051 and 5,050 of central (one fen apart, the odd fen to one of them) and 2,500 each
# of local. Each then has 75.51 or 75.50, a gap of 24.49 or 24.50.
TWO_EQUALS = {
    "name": "two equals",
    "enterprises": [
        {"id": "a", "name": "甲厂", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "100"}},
        {"id": "b", "name": "乙厂", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": "100"}},
    ],
    "funds": [
        {"id": "central", "name": "中央", "budget": "101.01", "categories": ["resettlement"]},
        {"id": "local", "name": "区级", "budget": "50", "categories": ["resettlement"]},
    ],
}


@pytest.mark.parametrize("fairness", [False, True])
def test_two_equals_share_each_fund_to_the_fen(fairness):
    data = copy.deepcopy(TWO_EQUALS)
    data["policy"] = {"fairness": fairness}
    for label, result in _solves(scenario_from_data(data)):
        a, b = _paid(result, "a"), _paid(result, "b")
        assert sorted([a[("central", "resettlement")], b[("central", "resettlement")]]) == [5050, 5051], label
        assert a[("local", "resettlement")] == b[("local", "resettlement")] == 2500, label
        gaps = sorted(result.exact("gaps").gap.tolist())
        assert [float(g) for g in gaps] == [24.49, 24.50], label


def test_a_commitment_makes_two_otherwise_equal_enterprises_different():
    # A commitment of 80 from central to a: a is no longer the equal of b (a decision names it),
    # so a keeps its 80 of central and b gets the other 21.01.
    data = copy.deepcopy(TWO_EQUALS)
    data["commitments"] = [{"fund": "central", "enterprise": "a", "amount": "80", "source": "已批复"}]
    result = solve(scenario_from_data(data), method="pulp")
    assert _paid(result, "a")[("central", "resettlement")] == 8000
    assert _paid(result, "b")[("central", "resettlement")] == 2101


def _with_twin(data: dict) -> dict:
    """The scenario with a copy of its first enterprise under another id and name (and in every
    scope that names the original, since a scope naming an id is data about it)."""
    data = copy.deepcopy(data)
    twin = copy.deepcopy(data["enterprises"][0])
    twin["id"], twin["name"] = "twin", "孪生厂"
    data["enterprises"].append(twin)
    for fund in data["funds"]:
        named = fund.get("scope", {}).get("enterprises")
        if named and data["enterprises"][0]["id"] in named:
            named.append("twin")
    return data


@FUZZ
@given(scenario_data())
def test_a_duplicated_enterprise_gets_what_its_original_gets_on_every_method(data):
    data = _with_twin(data)
    results = _solves(scenario_from_data(data))
    for label, result in results:
        _assert_equal_within_a_fen(result, data["enterprises"][0]["id"], "twin", label)
        assert result.weighted_gap == results[0][1].weighted_gap, label
