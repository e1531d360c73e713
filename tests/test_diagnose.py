"""Odd or impossible rule sets get a plain-words diagnosis: never a traceback, never a silent
empty table."""

from __future__ import annotations

import copy
import json

import pulp
import pytest

from run_cli import run
from subsidy.pipeline import diagnosis
from subsidy.scenario.load import scenario_from_data

BASE = {
    "name": "diagnosis",
    "enterprises": [
        {"id": "a", "name": "甲", "region": "湖北/咸宁", "industry": "carbide", "capacity": {"amount": 2},
         "costs": {"resettlement": 100, "bank_debt": 50}, "own_funds": {"cash": 20}},
        {"id": "b", "name": "乙", "region": "湖北/武汉", "industry": "cement", "costs": {"bank_debt": 40}},
    ],
    "funds": [{"id": "f", "name": "奖励资金", "budget": 60, "categories": ["resettlement", "bank_debt"]}],
}


def with_fund(**changes) -> dict:
    data = copy.deepcopy(BASE)
    data["funds"][0].update(changes)
    return data


def messages(data: dict) -> list[str]:
    return [f"{f.level}: {f}" for f in diagnosis(scenario_from_data(data))]


def test_a_sound_scenario_has_no_findings():
    assert messages(BASE) == []


@pytest.mark.parametrize("changes, why", [
    ({"budget": 0}, "its budget is 0"),
    ({"categories": []}, "it lists no categories it may pay"),
    ({"scope": {"regions": ["云南"]}}, "no enterprise is within its scope (regions 云南)"),
    ({"scope": {"regions": ["湖北"], "industries": ["coke"]}}, "no enterprise is within its scope (regions 湖北; industries coke)"),
    ({"categories": ["conversion"]}, "none of the 2 enterprise(s) in its scope has a cost in its categories (conversion)"),
    ({"caps": {"per_enterprise": 0}}, "its caps allow nothing (per_enterprise is 0)"),
    ({"caps": {"share_of_need": 0.0}}, "its caps allow nothing (share_of_need is 0)"),
    ({"caps": {"share_of_need": 0.00001}}, "its caps allow nothing"),  # 0.00001 × 40 rounds down to 0 fen
])
def test_a_fund_that_can_pay_nothing_is_a_warning(changes, why):
    assert messages(with_fund(**changes)) == [f"warning: fund f can pay nothing: {why}"]


def test_lines_already_paid_by_own_funds():
    data = with_fund(categories=["resettlement"], scope={"enterprises": ["a"]})
    data["enterprises"][0]["own_funds"] = {"cash": 100}
    assert messages(data) == ["warning: fund f can pay nothing: every cost line it may pay is already paid by the enterprises' own funds or is 0"]


def test_per_capacity_cap_without_capacity():
    data = with_fund(caps={"per_capacity": {"cement": 10}})
    assert messages(data) == ["warning: fund f can pay enterprise b nothing: it caps 'cement' per unit of capacity but the enterprise's capacity is missing"]
    data = with_fund(caps={"per_capacity": {"cement": 10, "carbide": 0}})
    assert messages(data) == ["warning: fund f can pay nothing: its caps allow nothing (per_capacity × capacity is 0 for every eligible enterprise, by a rate of 0 or no capacity given)"]


def test_empty_and_zero_need_scenarios():
    assert messages({"name": "x"}) == ["error: the scenario has no enterprises: there is nothing to allocate (list them under `enterprises:`)"]
    assert messages({"name": "x", "enterprises": BASE["enterprises"]}) == [
        "warning: the scenario has no funds: nothing can be paid, every residual need stays a gap"]
    zero = copy.deepcopy(BASE)
    zero["enterprises"][0]["costs"] = {"resettlement": 0}
    zero["enterprises"][1]["costs"] = {"bank_debt": 10}
    zero["enterprises"][1]["own_funds"] = {"cash": 10}
    assert messages(zero) == ["warning: the total residual need is 0: every cost is 0 or already paid by own funds, so nothing is allocated"]
    no_costs = copy.deepcopy(BASE)
    no_costs["enterprises"][1]["costs"] = {}
    assert messages(no_costs) == ["warning: enterprise b has no cost lines: it can receive nothing"]


def write(tmp_path, data) -> str:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_no_enterprises_stops_solve_and_validate(tmp_path):
    path = write(tmp_path, {"name": "x", "funds": BASE["funds"]})
    for args in (("solve", path, "--out", tmp_path / "out"), ("validate", path)):
        result = run(*args, "--lang", "en")
        assert result.code == 2
        assert result.stderr == f"error: {path}: the scenario has no enterprises: there is nothing to allocate (list them under `enterprises:`)\n"
    assert not (tmp_path / "out").exists()


def test_warnings_are_printed_and_kept_in_the_summary(tmp_path):
    path = write(tmp_path, with_fund(scope={"regions": ["云南"]}))
    result = run("solve", path, "--out", tmp_path / "out", "--quiet", "--lang", "en")
    assert result.code == 0
    warning = "fund f can pay nothing: no enterprise is within its scope (regions 云南)"
    # The load's vocabulary warnings, located in the file, come first (issue 11): the scope word
    # 云南 matches no region, and each enterprise the fund would pay is within no fund's scope.
    said = result.stderr.splitlines()
    assert said[-1] == f"warning: {path}: {warning}"
    assert said[0] == f"warning: {path}: funds[0] (f).scope.regions[0]: fund f's region scope '云南' matches no enterprise's region"
    assert [line.split(": ")[2] for line in said[1:-1]] == ["enterprises[0] (a).region", "enterprises[1] (b).region"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"][-1] == warning and len(summary["warnings"]) == len(said)  # every printed warning, in order
    assert summary["warnings"][0].startswith("funds[0] (f).scope.regions[0]: fund f's region scope '云南'")
    assert summary["total_funded"] == 0.0 and summary["total_gap"] == 170.0  # 100 + 50 − 20 own + 40
    assert run("validate", path, "--lang", "en").stderr == result.stderr


def test_no_funds_gives_a_table_of_gaps_with_a_warning(tmp_path):
    path = write(tmp_path, {"name": "x", "enterprises": BASE["enterprises"]})
    result = run("solve", path, "--out", tmp_path / "out", "--quiet", "--lang", "en")
    assert result.code == 0 and "the scenario has no funds" in result.stderr
    assert (tmp_path / "out" / "allocations.csv").read_text(encoding="utf-8-sig") == "fund,enterprise,category,amount\n"


def test_an_infeasible_rule_set_is_explained_not_traced(tmp_path, monkeypatch):
    """A future 'must cover at least X' rule that no budget can meet: simulated by adding
    cover[a] ≥ 1000 to the LP (the fund has 60)."""
    from subsidy.allocate.lp import PulpBackend

    real_init = PulpBackend.__init__

    def with_minimum(self, rules, *args, **kwargs):
        real_init(self, rules, *args, **kwargs)
        funded_a = pulp.lpSum(v for v, e in zip(self.x, rules.arc_enterprise.tolist()) if rules.lines.enterprises[e] == "a")
        self._add(funded_a >= 1000 * 100)  # the LP is in fen

    monkeypatch.setattr(PulpBackend, "__init__", with_minimum)
    path = write(tmp_path, BASE)
    result = run("solve", path, "--out", tmp_path / "out", "--method", "pulp", "--lang", "en")  # the flow has no such rule
    assert result.code == 3
    assert not (tmp_path / "out").exists() and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {path}: stage 1 (weighted gap): the solver did not reach an optimum (Infeasible): the rules contradict each other, "
        "so no allocation can keep them all. Look for a rule that demands money (a minimum to cover) that budgets, caps or needs cannot supply."]


def test_amounts_eleven_orders_apart_get_a_hint():
    from subsidy.checks.diagnose import explain_failure

    data = copy.deepcopy(BASE)
    data["enterprises"][1]["costs"] = {"bank_debt": 0.01}
    data["funds"][0]["budget"] = 1e9
    lines = explain_failure(scenario_from_data(data), "stage 1: the solver did not reach an optimum (Time limit reached)")
    assert lines[0].endswith("the solver stopped without a proven optimum.")
    assert lines[1].startswith("amounts range from 0.01 to 1000000000.00 万元")
