"""`subsidy compare` on programmes over several years: the totals and arrears by year side by side,
and public money moved per enterprise and year.

scenarios/xianan-2025-2027.yaml against its option scenarios/options/xianan-2025-2027-late-sale.yaml
(温泉's asset sale of 640 in 2027 instead of 2026). Amounts in 万元.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from run_cli import run

BASE = "scenarios/xianan-2025-2027.yaml"
LATE = "scenarios/options/xianan-2025-2027-late-sale.yaml"


def test_a_late_asset_sale_keeps_the_final_gap_and_raises_the_arrears_of_2026(tmp_path):
    done = run("compare", BASE, LATE, "--out", tmp_path / "cmp", "--lang", "en")
    assert done.code == 0, done.stderr
    totals = {r["scenario"]: r for r in csv.DictReader((tmp_path / "cmp" / "totals.csv").open(encoding="utf-8-sig"))}
    base, late = totals.values()
    # Each option's figures are its own solve's (summary.json of `solve --out`).
    for source, row in ((BASE, base), (LATE, late)):
        assert run("solve", source, "--out", tmp_path / row["scenario"], "--quiet").code == 0
        summary = json.loads((tmp_path / row["scenario"] / "summary.json").read_text(encoding="utf-8"))
        assert [float(row[f"arrears_{y}"]) for y in (2025, 2026, 2027)] == list(summary["arrears_by_year"].values())
        assert (float(row["total_gap"]), float(row["weighted_gap"]), float(row["weighted_arrears"])) == \
            (summary["total_gap"], summary["weighted_gap"], summary["weighted_arrears"])
    # Base (test_years.test_the_example_programme): 581.40 / 150.00 / 310.60, final gap 310.60.
    assert [base[f"arrears_{y}"] for y in (2025, 2026, 2027)] == ["581.40", "150.00", "310.60"]
    # The sale still comes before the end, so the final gap is the same (public money is spent in
    # full either way: 550) ...
    assert (late["total_gap"], late["d_total_gap"], late["d_weighted_gap"]) == ("310.60", "0.00", "0.0")
    # ... but 温泉 waits for its own money a year longer: by the end of 2026 it owes all it was due
    # by then, 30 + 453.6 + 110 + 50 = 643.60, less the 27.92 public money paid it in 2025 =
    # 615.68; with 恒宇's 150 of operating loss, 765.68 (against 150.00: +615.68).
    assert (late["arrears_2026"], late["d_arrears_2026"]) == ("765.68", "615.68")
    # Money moved: 温泉 gets 24.32 more in 2025 (27.92 against 3.60) and as much less in 2027, the
    # year its bank debt is paid (165.08 against 189.40); nothing else moves.
    moved = list(csv.DictReader((tmp_path / "cmp" / "allocations.csv").open(encoding="utf-8-sig")))
    late_moves = {(r["enterprise"], r["year"]): (r["paid"], r["d_paid"]) for r in moved if r["scenario"] == late["scenario"]}
    assert late_moves == {("wenquan", "2025"): ("27.92", "24.32"), ("wenquan", "2027"): ("165.08", "-24.32")}
    assert "Arrears at the end of 2026" in done.stdout and "+615.68" in done.stdout
    inputs = (tmp_path / "cmp" / "inputs.csv").read_text(encoding="utf-8-sig")
    assert "enterprises.wenquan.own_funds.asset_sales.2027" in inputs


def test_in_chinese_the_table_names_each_year(tmp_path):
    done = run("compare", BASE, LATE)  # a Chinese scenario: Chinese unless --lang says otherwise
    assert done.code == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("2026 年末欠付"))
    assert row.split()[-3:] == ["150.00", "765.68", "+615.68"]


def test_a_programme_is_compared_with_programmes_of_the_same_years_only(tmp_path):
    mixed = run("compare", BASE, "scenarios/xianan-2025.yaml")
    assert mixed.code == 2 and "compared with programmes only" in mixed.stderr and "只能与跨年度方案对比" in mixed.stderr
    longer = tmp_path / "four-years.yaml"
    longer.write_text(f"base: {Path(BASE).resolve()}\nyears: [2025, 2026, 2027, 2028]\n", encoding="utf-8")
    other = run("compare", BASE, longer)
    assert other.code == 2 and "differ from" in other.stderr and "须年份相同" in other.stderr
