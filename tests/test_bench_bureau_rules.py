"""bench/bureau_rules.py's every-rule variant really carries every rule of issue 13.

The bench times issue 13's target ("a generated scenario with every rule present") on files it
writes step by step: per-worker standards, then commitments, minimum coverage, the factor method
and 配套 matching. A step that silently wrote nothing would leave the figures measuring less than
they claim, and a step that made the scenario contradictory would stop the bench (exit 2 or 3);
this builds the chain on a small generated scenario and checks each rule is in the last file,
with the values the bench's constants give, and that the file validates and solves.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from decimal import Decimal

from subsidy.scenario.generate import generate
from subsidy.scenario.load import load_scenario

from conftest import ROOT
from run_cli import run


def _bench():
    spec = importlib.util.spec_from_file_location("bench_bureau_rules", ROOT / "bench" / "bureau_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_every_rule_variant_carries_each_rule_of_issue_13_and_solves(tmp_path):
    bench = _bench()
    plain, ruled = tmp_path / "plain.json", tmp_path / "per-worker.json"
    committed, covered = tmp_path / "commitments.json", tmp_path / "coverage.json"
    distributed, matched = tmp_path / "distribution.json", tmp_path / "match-0.1.json"
    plain.write_text(json.dumps(generate(200, 5, seed=1), ensure_ascii=False), encoding="utf-8")
    bench.with_per_worker(plain, ruled)
    solved = run("solve", ruled, "--quiet", "--method", "flow", "--out", tmp_path / "out")
    assert solved.code == 0, solved.stderr
    with (tmp_path / "out" / "allocations.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    # Every 100th allocation row committed as an amount, and as many at_most 0 (if that many
    # unpaid pairs exist among every 100th enterprise: 5 funds × 2 enterprises here).
    amounts = len(rows[:: bench.COMMIT_EVERY])
    count = bench.with_commitments(ruled, tmp_path / "out" / "allocations.csv", committed)
    assert amounts >= 2 and amounts < count <= 2 * amounts
    bench.with_coverage(committed, covered)
    bench.with_distribution(covered, distributed)
    bench.with_match(distributed, matched, "0.1")

    scenario = load_scenario(matched)
    funds = {f.id: f for f in scenario.funds}
    first = scenario.funds[0]
    # Per-worker standards: the bench's RATES, one per generated fund in turn (the 兜底 fund
    # with_coverage adds comes after them and has none).
    assert [f.caps.per_worker for f in scenario.funds[:5]] == [Decimal(r) for r in bench.RATES]
    # Commitments: with_match drops the first fund's amounts (taken from a solve without 配套),
    # the others' amounts and every at_most 0 stay.
    kept = json.loads(committed.read_text(encoding="utf-8"))["commitments"]
    kept = [c for c in kept if c["fund"] != first.id or "amount" not in c]
    assert len(scenario.commitments) == len(kept) > 0
    assert any(c.amount is not None for c in scenario.commitments) and any(c.at_most == 0 for c in scenario.commitments)
    # Minimum coverage, and the 兜底 fund that keeps it feasible.
    assert scenario.policy.minimum_coverage == bench.COVERAGE
    assert "bottom_line" in funds
    # The factor method on the national fund: level 2 (cities), 80 % by 0.5 / 0.3 / 0.2, the
    # 2018 method's early-exit weights; difficulty for the first three cities by path; exit
    # years 2016, 2017, … on enterprises 0, 2, 4, … (enterprise 10 is the sixth: 2016 again).
    dist = funds[bench.DISTRIBUTED_FUND].distribution
    assert (dist.level, dist.share) == (2, Decimal("0.8"))
    assert (dist.factors.capacity, dist.factors.workers, dist.factors.difficulty) == (Decimal("0.5"), Decimal("0.3"), Decimal("0.2"))
    assert dist.early_exit_weights == {2016: Decimal("1.1"), 2017: Decimal("1.0"), 2018: Decimal("0.9"), 2019: Decimal("0.8"), 2020: Decimal("0.7")}
    cities = sorted({"/".join(e.region.split("/")[:2]) for e in scenario.enterprises})
    assert [(r.path, r.difficulty) for r in scenario.regions] == list(zip(cities[:3], (Decimal("1.3"), Decimal("1.2"), Decimal("1.1"))))
    years = [e.exit_year for e in scenario.enterprises]
    assert years[:11] == [2016, None, 2017, None, 2018, None, 2019, None, 2020, None, 2016]
    assert sum(y is not None for y in years) == 100  # one in 2 of 200
    # 配套: the first (central) fund matched by the four others at 0.1.
    assert first.match is not None and first.match.ratio == Decimal("0.1")
    assert first.match.funds == [f.id for f in scenario.funds[1:]]

    # It validates and solves (exit 2 or 3 here would be a bench bug: the rules contradict).
    assert run("validate", matched).code == 0
    out = tmp_path / "out-auto"
    solved = run("solve", matched, "--quiet", "--out", out)
    assert solved.code == 0, solved.stderr
    with (out / "distribution.csv").open(encoding="utf-8-sig") as f:
        split = list(csv.DictReader(f))
    # One row per city of the fund's scope (all: the national fund has none) and the pool (*),
    # whose amount is the 20 % not split: budget − ⌊0.8 × budget⌋ in 0.01s.
    budget = Decimal(str(funds[bench.DISTRIBUTED_FUND].budget))
    assert [r["region"] for r in split] == [*cities, "*"]
    assert Decimal(split[-1]["amount"]) == budget - (Decimal("0.8") * budget).quantize(Decimal("0.01"), rounding="ROUND_FLOOR")
