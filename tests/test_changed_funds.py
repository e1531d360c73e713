"""scenario_with_changed_funds (the workbench's what-if): a scenario whose funds' budgets, caps
per enterprise or commitments changed is validated without validating its enterprises again,
and gives exactly what the full validation gives, problems included."""

from __future__ import annotations

import copy

import pytest

from subsidy.scenario.documents import ScenarioError
from subsidy.scenario.generate import generate
from subsidy.scenario.load import scenario_from_data, scenario_with_changed_funds


@pytest.fixture(scope="module")
def base():
    data = generate(60, 5, 1)
    return data, scenario_from_data(data)


def changed(data: dict, **fund0) -> dict:
    new = {**data, "funds": copy.deepcopy(data["funds"])}
    new["funds"][0].update(fund0)
    return new


def test_a_changed_budget_cap_and_commitment_equal_the_full_validation_and_reuse_the_enterprises(base):
    data, scenario = base
    new = changed(data, budget=12345, caps={**data["funds"][0].get("caps", {}), "per_enterprise": 77})
    e = data["enterprises"][0]
    new["commitments"] = [{"fund": data["funds"][0]["id"], "enterprise": e["id"], "at_most": 5, "source": "what-if"}]
    fast = scenario_with_changed_funds(scenario, data, new)
    assert fast == scenario_from_data(new)
    assert fast.funds[0].budget == 12345 and fast.funds[0].caps.per_enterprise == 77 and fast.commitments[0].at_most == 5
    assert all(a is b for a, b in zip(fast.enterprises, scenario.enterprises))          # not validated again


def test_problems_are_the_full_validations(base):
    data, scenario = base
    for bad in (changed(data, budget="abc"), {**data, "commitments": [{"fund": "nobody", "enterprise": "x", "amount": 1}]}):
        with pytest.raises(ScenarioError) as fast:
            scenario_with_changed_funds(scenario, data, bad)
        with pytest.raises(ScenarioError) as full:
            scenario_from_data(bad)
        assert [(p.loc, p.message) for p in fast.value.problems] == [(p.loc, p.message) for p in full.value.problems]
        assert fast.value.problems                                                      # and there are some


def test_any_other_change_is_validated_in_full(base):
    """An enterprise's cost, a fund's categories: the enterprises are validated again."""
    data, scenario = base
    cost = copy.deepcopy(data)
    category = next(iter(cost["enterprises"][0]["costs"]))
    cost["enterprises"][0]["costs"][category] = 1
    scope = changed(data, categories=data["funds"][0]["categories"][:1])
    for new in (cost, scope):
        again = scenario_with_changed_funds(scenario, data, new)
        assert again == scenario_from_data(new) and again != scenario
        assert again.enterprises[1] is not scenario.enterprises[1]


def test_the_apps_versions_are_read_once_and_bounded(tmp_path):
    """The workbench's what-if reads and validates a version once (state.Versions); the LRU
    keeps at most KEEP versions, the least recently used dropped first; a version's problems
    are kept with it."""
    from conftest import optional_module

    optional_module("sqlalchemy", "web")
    from subsidy.web.state import Versions
    from web_support import make_store, two_counties

    store = make_store(f"sqlite:///{tmp_path / 'v.db'}")
    bad = two_counties()
    bad["funds"][0]["budget"] = "abc"
    sids = [store.create_scenario(f"s{i}", two_counties() if i else bad, "admin") for i in range(3)]
    versions = Versions(store)
    versions.KEEP = 2
    first = versions.get(sids[0], 1)
    assert first.scenario is None and first.problems and versions.get(sids[0], 1) is first and versions.reads == 1
    assert versions.get(sids[1], 1).scenario.funds[0].budget == 120
    versions.get(sids[0], 1)                                   # s0 used again: s1 is now the oldest
    versions.get(sids[2], 1)
    assert list(versions.held) == [(sids[0], 1), (sids[2], 1)] and versions.reads == 3
    assert versions.get(sids[0], 9) is None


def test_a_scenario_with_ranges_keeps_them(base):
    """A cost given as a range (issue 14: low~expected~high) travels with the scenario for
    `subsidy risk`; the changed scenario keeps it as the full validation does."""
    data, _scenario = base
    ranged = copy.deepcopy(data)
    category = next(iter(ranged["enterprises"][0]["costs"]))
    ranged["enterprises"][0]["costs"][category] = "1~2~3"
    scenario = scenario_from_data(ranged)
    new = changed(ranged, budget=999)
    fast = scenario_with_changed_funds(scenario, ranged, new)
    assert fast.ranges and fast.ranges == scenario_from_data(new).ranges and fast.funds[0].budget == 999


def test_commitments_left_as_they_were_are_not_validated_again(base):
    # an approval's lines carried by every what-if: a budget changed, the commitments the base's
    data, _ = base
    e = data["enterprises"][0]
    with_commitments = {**data, "commitments": [{"fund": data["funds"][0]["id"], "enterprise": e["id"], "at_most": 5, "source": "approved"}]}
    scenario = scenario_from_data(with_commitments)
    new = changed(with_commitments, budget=54321)
    fast = scenario_with_changed_funds(scenario, with_commitments, new)
    assert fast == scenario_from_data(new) and fast.funds[0].budget == 54321
    assert fast.commitments[0] is scenario.commitments[0]                              # taken as validated
