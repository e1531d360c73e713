"""Same input, same bytes out; the order of enterprises in the file never matters, the order of
funds only through the documented stage-3 tie-break."""

from __future__ import annotations

import copy
import hashlib
import json
import random

from hypothesis import given
from hypothesis import strategies as st

import subsidy
from fuzz_malformed import BASE, _yaml
from fuzz_scenarios import FUZZ, scenario_data
from run_cli import run
from subsidy.scenario.load import scenario_from_data
from subsidy.pipeline import allocate, rules_of, solve

CONTRACT = ("allocations.csv", "gaps.csv", "funds.csv", "summary.json")


def solve_files(tmp_path, name: str, data: dict, *options: str) -> dict[str, bytes]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(_yaml(data), encoding="utf-8")
    out = tmp_path / f"{name}-out"
    result = run("solve", path, "--out", out, "--quiet", *options)
    assert result.code == 0, result.stderr
    return {f: (out / f).read_bytes() for f in CONTRACT}


def test_two_runs_give_byte_identical_files(tmp_path):
    for options in ((), ("--lang", "zh"), ("--solver", "cbc")):
        first = solve_files(tmp_path, "one", BASE, *options)
        second = solve_files(tmp_path, "two", BASE, *options)
        assert first == second, options


def test_summary_records_what_made_the_result(tmp_path):
    files = solve_files(tmp_path, "s", BASE, "--lang", "zh", "--solver", "cbc")
    summary = json.loads(files["summary.json"])
    scenario_bytes = (tmp_path / "s.yaml").read_bytes()
    assert summary["scenario_sha256"] == hashlib.sha256(scenario_bytes).hexdigest()
    assert summary["tool_version"] == subsidy.__version__
    assert summary["solver"] == "cbc" and "CBC" in summary["solver_version"]
    assert summary["options"] == {"solver": "cbc", "lang": "zh", "fairness": True}
    assert summary["warnings"] == []


def test_shuffling_enterprises_changes_nothing_but_the_file_hash(tmp_path):
    reference = solve_files(tmp_path, "ref", BASE)
    rng = random.Random(7)
    for i in range(3):
        data = copy.deepcopy(BASE)
        data["enterprises"].append({"id": f"extra{i}", "name": "新", "region": "湖北/咸宁", "industry": "carbide",
                                    "costs": {"bank_debt": 77.7, "resettlement": 12}})
        base = solve_files(tmp_path, f"base{i}", data)
        rng.shuffle(data["enterprises"])
        shuffled = solve_files(tmp_path, f"shuffled{i}", data)
        for name in CONTRACT[:3]:
            assert base[name] == shuffled[name], name
        strip = lambda raw: {k: v for k, v in json.loads(raw).items() if k != "scenario_sha256"}  # noqa: E731
        assert strip(base["summary.json"]) == strip(shuffled["summary.json"])
    assert reference["allocations.csv"]  # the reference itself solved


@FUZZ
@given(scenario_data(), st.randoms(use_true_random=False))
def test_shuffled_enterprises_give_the_same_allocation(data, rng):
    before = solve(scenario_from_data(data))
    rng.shuffle(data["enterprises"])
    after = solve(scenario_from_data(data))
    assert after.allocation.by_arc() == before.allocation.by_arc()
    assert after.gaps.equals(before.gaps)


@FUZZ
@given(scenario_data(), st.randoms(use_true_random=False))
def test_shuffled_funds_keep_the_stage_one_and_two_optima(data, rng):
    before = allocate(rules_of(scenario_from_data(data)), "pulp")
    rng.shuffle(data["funds"])
    after = allocate(rules_of(scenario_from_data(data)), "pulp")
    assert abs(after.weighted_gap - before.weighted_gap) <= 1e-6 * max(1.0, abs(before.weighted_gap))
    if data["policy"]["fairness"]:
        assert abs(after.max_gap_share - before.max_gap_share) <= 1e-6


def test_shuffled_funds_keep_per_enterprise_gaps_where_the_optimum_fixes_them():
    """Three enterprises, four interchangeable funds, fairness on: stage 1 spends every fen
    (140 of 200), stage 2 equalises gap shares at 60/200 = 30%, so each enterprise's gap is
    fixed (30, 15, 15) whoever pays it. Only which fund pays whom follows the fund order."""
    data = {
        "name": "interchangeable funds",
        "enterprises": [
            {"id": "a", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 100}},
            {"id": "b", "name": "乙", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 50}},
            {"id": "c", "name": "丙", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 50}},
        ],
        "funds": [{"id": f"f{i}", "name": f"资金{i}", "budget": b, "categories": ["resettlement"]}
                  for i, b in enumerate([50, 40, 30, 20])],
    }
    expected = {"a": 30, "b": 15, "c": 15}
    rng = random.Random(3)
    orders = set()
    for _ in range(6):
        rng.shuffle(data["funds"])
        result = solve(scenario_from_data(copy.deepcopy(data)))
        gaps = {row.enterprise: float(row.gap) for row in result.enterprises.itertuples()}
        assert gaps == expected
        assert abs(result.weighted_gap - 180) < 1e-9  # weight 3 × 60
        orders.add(tuple(f["id"] for f in data["funds"]))
    assert len(orders) > 1
