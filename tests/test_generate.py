"""The synthetic scenario generator: valid, deterministic, and shaped like the seed."""

from __future__ import annotations

import json

from subsidy.scenario.generate import INDUSTRIES, generate, write
from subsidy.scenario.load import load_scenario, scenario_from_data


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    write(generate(50, 5, seed=7), a)
    write(generate(50, 5, seed=7), b)
    write(generate(50, 5, seed=8), c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_generated_scenario_validates_and_round_trips_through_yaml_and_json(tmp_path):
    data = generate(200, 7, seed=3)
    scenario = scenario_from_data(data)
    assert len(scenario.enterprises) == 200 and len(scenario.funds) == 7
    for suffix in ("yaml", "json"):
        path = write(data, tmp_path / f"s.{suffix}")
        again = load_scenario(path)
        assert again.enterprises == scenario.enterprises and again.funds == scenario.funds


def test_shape_follows_the_seed_and_uses_every_cap_kind():
    scenario = scenario_from_data(generate(600, 5, seed=1))
    industries = {e.industry for e in scenario.enterprises}
    assert industries == set(INDUSTRIES)
    caps = [f.caps for f in scenario.funds]
    assert any(c.per_enterprise is not None for c in caps)
    assert any(c.per_capacity for c in caps)
    assert any(c.share_of_need is not None and c.share_of_need < 1 for c in caps)
    assert {e.own_funds_rule for e in scenario.enterprises} == {"statutory", "proportional", "free"}
    # Amounts are whole fen; every enterprise has a resettlement line sized by its workers.
    for e in scenario.enterprises:
        assert all(v == v.quantize(type(v)("0.01")) for v in e.costs.values())
        per_worker = e.costs["resettlement"] / e.workers
        assert 0.79 <= per_worker <= 1.61
    # Regional scopes: some fund is limited to regions, and every province is in some scope.
    scoped = [f for f in scenario.funds if f.scope.regions]
    assert scoped and all(any(f.scope.admits(e) for f in scenario.funds) for e in scenario.enterprises)
    # Budgets are 45% of the total cost before own funds (to the fen, per fund rounded down).
    total_cost = sum(e.total_cost for e in scenario.enterprises)
    budget = sum(f.budget for f in scenario.funds)
    assert abs(budget - total_cost * type(budget)("0.45")) <= type(budget)("0.05")


def test_generate_cli_writes_a_file(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    out = tmp_path / "g.json"
    result = CliRunner().invoke(app, ["generate", "--enterprises", "20", "--funds", "3", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["enterprises"]) == 20


def test_solve_prints_the_largest_gaps_and_totals_of_all(tmp_path):
    """--rows 5 on 40 enterprises: the five largest gaps (from gaps.csv, summed per enterprise),
    in id order, and a total row equal to the whole table's."""
    import csv
    from decimal import Decimal

    from run_cli import run

    path = tmp_path / "g40.json"
    assert run("generate", "--enterprises", 40, "--funds", 3, "--seed", 7, "--out", path).code == 0
    result = run("solve", path, "--rows", 5, "--out", tmp_path / "out", "--lang", "en")  # generated names are Chinese
    assert result.code == 0, result.stderr
    with open(tmp_path / "out" / "gaps.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    gap: dict[str, Decimal] = {}
    for row in rows:
        gap[row["enterprise"]] = gap.get(row["enterprise"], Decimal(0)) + Decimal(row["gap"])
    largest = sorted(sorted(gap, key=lambda e: -gap[e])[:5])
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Enterprises"))
    assert "the 5 with the largest gaps of 40" in lines[start]
    listed = [line.split()[0] for line in lines[start + 3 : start + 8]]
    assert listed == largest
    total = lines[start + 8].split()
    assert total[0] == "Total" and Decimal(total[-1].replace(",", "")) == sum(gap.values())
    rules_at = next(i for i, line in enumerate(lines) if line.startswith("Rules that bind"))
    listed_rules = [line for line in lines[rules_at + 1 :] if line.startswith("  ") and not line.startswith("  …")]
    assert 1 <= len(listed_rules) <= 5
