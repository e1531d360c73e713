"""The independent verifier: hand-worked rules in fen, tables as Excel saves them, the CLI."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from run_cli import run
from subsidy.scenario.load import scenario_from_data
from subsidy.checks.verify import verify
from subsidy.checks.verify_read import AllocationsError, parse_amount, read_allocations

# Worked by hand:
#   a (statutory): resettlement 100, bank_debt 50, own funds 30 → class 1 first: own 30 on
#     resettlement; residual resettlement 70, bank_debt 50.
#   b (free): bank_debt 40, own funds 10 → residual (before own funds, they are a source) 40.
#   c: in 云南, outside fund f's regions.
#   f: budget 100, share_of_need 0.5 → a/resettlement ≤ 35, a/bank_debt ≤ 25, b/bank_debt ≤ 20;
#     per_enterprise 80.
#   g: per_capacity carbide 3.333 × capacity 1.5 = 4.9995 → cap 4.99 (rounded down to fen).
#   h: uncapped, budget 1000, bank_debt only.
DATA = {
    "name": "hand-worked",
    "enterprises": [
        {"id": "a", "name": "甲厂", "region": "湖北/咸宁", "industry": "carbide", "capacity": {"amount": 1.5},
         "costs": {"resettlement": 100, "bank_debt": 50}, "own_funds": {"cash": 30}},
        {"id": "b", "name": "乙厂", "industry": "cement", "region": "湖北/武汉", "costs": {"bank_debt": 40}, "own_funds": {"cash": 10}, "own_funds_rule": "free"},
        {"id": "c", "name": "丙厂", "industry": "cement", "region": "云南/楚雄", "costs": {"bank_debt": 10}},
    ],
    "funds": [
        {"id": "f", "name": "中央奖励资金", "budget": 100, "categories": ["resettlement", "bank_debt"], "scope": {"regions": ["湖北"]},
         "caps": {"per_enterprise": 80, "share_of_need": 0.5}},
        {"id": "g", "name": "省级资金", "budget": 10.01, "categories": ["bank_debt"], "caps": {"per_capacity": {"carbide": 3.333}}},
        {"id": "h", "name": "县级资金", "budget": 1000, "categories": ["bank_debt"]},
    ],
}
SCENARIO = scenario_from_data(DATA)
VALID = [("f", "a", "resettlement", "35"), ("f", "a", "bank_debt", "25"), ("f", "b", "bank_debt", "20"), ("g", "a", "bank_debt", "4.99")]


def table(rows) -> pd.DataFrame:
    return pd.DataFrame([(f, e, c, Decimal(a)) for f, e, c, a in rows], columns=["fund", "enterprise", "category", "amount"])


def rules(rows) -> list[str]:
    return [str(v) for v in verify(SCENARIO, table(rows))]


def replace(rows, key, amount):
    return [(f, e, c, amount if (f, e, c) == key else a) for f, e, c, a in rows]


def test_a_table_at_every_bound_passes():
    assert rules(VALID) == []


def test_caps_are_rounded_down_to_the_fen():
    assert rules(replace(VALID, ("g", "a", "bank_debt"), "5.00")) == [
        "cap_enterprise[g,a]: allocated 5.00, cap 4.99 (over by 0.01)"]
    assert rules(replace(VALID, ("f", "a", "resettlement"), "35.01")) == [
        "cap_share[f,a,resettlement]: allocated 35.01, 0.5 of the residual need 70.00 is 35.00 (over by 0.01)"]


def test_share_of_a_free_enterprise_is_of_the_whole_line():
    assert rules(replace(VALID, ("f", "b", "bank_debt"), "20.01")) == [
        "cap_share[f,b,bank_debt]: allocated 20.01, 0.5 of the residual need 40.00 is 20.00 (over by 0.01)"]


def test_budget_enterprise_cap_and_need():
    rows = VALID + [("h", "a", "bank_debt", "21.02")]  # 25 + 4.99 + 21.02 = 51.01 > 50
    assert rules(rows) == ["need[a,bank_debt]: funded 51.01, residual need 50.00 (cost 50.00 − own funds 0.00; over by 1.01)"]
    rows = [("f", "a", "resettlement", "35"), ("f", "a", "bank_debt", "25"), ("f", "b", "bank_debt", "20"), ("g", "a", "bank_debt", "4.99"),
            ("g", "b", "bank_debt", "5.03")]
    assert rules(rows) == ["budget[g]: allocated 10.02, budget 10.01 (over by 0.01)"]
    data = json.loads(json.dumps(DATA))
    data["funds"][0]["caps"]["per_enterprise"] = 59.99
    assert [str(v) for v in verify(scenario_from_data(data), table(VALID))] == [
        "cap_enterprise[f,a]: allocated 60.00, cap 59.99 (over by 0.01)"]


def test_eligibility_says_why():
    assert rules([("f", "c", "bank_debt", "1")]) == [
        "eligible[f,c,bank_debt]: region '云南/楚雄' is outside the fund's regions (湖北)"]
    assert rules([("g", "a", "resettlement", "1")]) == [
        "eligible[g,a,resettlement]: fund g may not pay 'resettlement' (it pays bank_debt)"]
    assert rules([("h", "b", "dismantling", "1")]) == ["eligible[h,b,dismantling]: enterprise b has no cost line 'dismantling'"]
    assert rules([("x", "a", "bank_debt", "1"), ("h", "zz", "bank_debt", "1")]) == [
        "eligible[h,zz,bank_debt]: no enterprise 'zz' in the scenario", "eligible[x,a,bank_debt]: no fund 'x' in the scenario"]
    assert rules([("g", "a", "bank_debt", "0")]) == []  # zero rows are not allocations
    # Two funds the scenario lacks, on the same line: each is named.
    assert rules([("x", "a", "bank_debt", "1"), ("y", "a", "bank_debt", "1")]) == [
        "eligible[x,a,bank_debt]: no fund 'x' in the scenario", "eligible[y,a,bank_debt]: no fund 'y' in the scenario"]


def test_own_funds_rows():
    # statutory: rows, if any, must be the waterfall's
    assert rules(VALID + [("(own funds)", "a", "resettlement", "30")]) == []
    assert rules(VALID + [("自有资金", "a", "bank_debt", "30")]) == [
        "own_funds[a]: own funds on bank_debt: the table has 30.00, the statutory rule applies 0.00",
        "own_funds[a]: own funds on resettlement: the table has 0.00, the statutory rule applies 30.00"]
    # free: any split up to the enterprise's own funds, counted against the need
    assert rules(VALID + [("(own funds)", "b", "bank_debt", "10")]) == []
    assert rules(VALID + [("(own funds)", "b", "bank_debt", "10.01")]) == [
        "own_funds[b]: own funds used 10.01 exceed the enterprise's own funds 10.00 by 0.01"]
    assert rules(replace(VALID, ("f", "b", "bank_debt"), "20") + [("h", "b", "bank_debt", "15"), ("(own funds)", "b", "bank_debt", "5.01")]) == [
        "need[b,bank_debt]: funded 35.00, residual need 34.99 (cost 40.00 − own funds 5.01; over by 0.01)"]


def test_names_and_labels_are_accepted_for_ids():
    assert rules([("中央奖励资金", "甲厂", "职工安置费", "35")]) == []


def test_repeated_rows_add_up():
    assert rules([("g", "a", "bank_debt", "2.50"), ("g", "a", "bank_debt", "2.50")]) == [
        "cap_enterprise[g,a]: allocated 5.00, cap 4.99 (over by 0.01)"]


def test_amounts_finer_than_a_fen_are_violations_in_a_frame():
    frame = pd.DataFrame([("g", "a", "bank_debt", 0.1 + 0.2)], columns=["fund", "enterprise", "category", "amount"])
    assert [v.rule for v in verify(SCENARIO, frame)] == ["fen[g,a,bank_debt]"]


@pytest.mark.parametrize("text, fen", [("1,234.56", 123456), (" 12 ", 1200), ("¥1,000", 100000), ("1.2E+03", 120000),
                                       ("0", 0), ("3.10", 310), ("1 234.5", 123450), ("１２", 1200)])
def test_amounts_as_excel_writes_them(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["1,23", "1.234", "-1", "(5)", "nan", "1e400", "", "12,34,567"])
def test_amounts_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_our_export_and_excel_variants(tmp_path):
    ours = write(tmp_path / "ours.csv", "\ufefffund,enterprise,category,amount\r\nf,a,resettlement,35.00\r\n")
    zh = write(tmp_path / "zh.csv", "\ufeff资金,企业,费用类别,金额\r\nf,a,resettlement,35.00\r\n")
    excel = write(tmp_path / "excel.csv", " 费用类别 ,企业, 金额（万元） ,资金,备注\n职工安置费,甲厂,\"35.00\",中央奖励资金,note\n,,,,\n", "gb18030")
    tabs = write(tmp_path / "tabs.csv", "Fund\tEnterprise\tCategory\tAmount (万元)\nf\ta\tresettlement\t35\n")
    for path in (ours, zh, excel, tabs):
        frame = read_allocations(path)
        assert verify(SCENARIO, frame) == [], path
        assert frame["amount"].tolist() == [Decimal("35.00")]


def test_total_row_is_checked(tmp_path):
    good = write(tmp_path / "t.csv", "fund,enterprise,category,amount\nf,a,resettlement,35\ng,a,bank_debt,4.99\n合计,,,39.99\n")
    assert verify(SCENARIO, read_allocations(good)) == []
    bad = write(tmp_path / "u.csv", "fund,enterprise,category,amount\nf,a,resettlement,35\ng,a,bank_debt,4.99\nTotal,,,\"1,039.99\"\n")
    assert [str(v) for v in verify(SCENARIO, read_allocations(bad))] == [
        "total[row 4]: the total row says 1,039.99, the rows add up to 39.99"]


def test_bad_rows_are_located(tmp_path):
    path = write(tmp_path / "bad.csv", "资金,企业,费用类别,金额\nf,a,resettlement,abc\n,a,bank_debt,1\nf,a,bank_debt,1.234,x\nf,a,bank_debt,\"1,23\"\n")
    with pytest.raises(AllocationsError) as info:
        read_allocations(path)
    assert str(info.value).splitlines() == [
        f"{path}:2: 金额: must be a number, got 'abc'",
        f"{path}:3: 资金: is empty",
        f"{path}:4: row: has 5 cells but the header has 4",
        f"{path}:5: 金额: must be a number (a comma may only separate thousands, as in 1,234.56), got '1,23'",
    ]
    path = write(tmp_path / "bad3.csv", "fund,enterprise,amount\nf,a,1\n")
    with pytest.raises(AllocationsError) as info:
        read_allocations(path)
    assert str(info.value) == f"{path}:1: header: missing column(s) category; expected fund, enterprise, category, amount (English or Chinese headers)"


def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_verify_exit_codes(tmp_path):
    scenario = scenario_file(tmp_path)
    good = write(tmp_path / "good.csv", "fund,enterprise,category,amount\n" + "".join(f"{f},{e},{c},{a}\n" for f, e, c, a in VALID))
    result = run("verify", scenario, good, "--lang", "en")
    assert (result.code, result.stdout) == (0, f"{good}: ok: 4 row(s) keep every rule of {scenario} (allocations checked)\n")
    bad = write(tmp_path / "bad.csv", "fund,enterprise,category,amount\ng,a,bank_debt,5\nf,c,bank_debt,1\n")
    result = run("verify", scenario, bad, "--lang", "en")
    assert result.code == 1
    assert result.stdout.splitlines() == [
        f"{bad}: eligible[f,c,bank_debt]: region '云南/楚雄' is outside the fund's regions (湖北)",
        f"{bad}: cap_enterprise[g,a]: allocated 5.00, cap 4.99 (over by 0.01)",
    ]
    assert run("verify", scenario, tmp_path / "missing.csv").code == 2


def test_solve_output_verifies_with_its_companion_files(tmp_path):
    scenario = scenario_file(tmp_path)
    for lang in ("en", "zh"):
        out = tmp_path / f"out-{lang}"
        assert run("solve", scenario, "--out", out, "--lang", lang, "--quiet").code == 0
        result = run("verify", scenario, out / "allocations.csv", "--lang", "en")
        assert result.code == 0, result.stdout + result.stderr
        assert "(allocations, gaps, funds, summary checked)" in result.stdout
    gaps = out / "gaps.csv"
    text = gaps.read_text(encoding="utf-8-sig").splitlines()
    cells = text[1].split(",")
    from subsidy.scenario.labels import column_key

    funded = [column_key(h) for h in text[0].split(",")].index("funded")  # 已安排资金（元）: after the names
    cells[funded] = str(Decimal(cells[funded]) + Decimal("0.01"))  # funded one fen more than the allocations
    gaps.write_text("\n".join([text[0], ",".join(cells), *text[2:]]), encoding="utf-8-sig")
    result = run("verify", scenario, out / "allocations.csv", "--lang", "en")
    assert result.code == 1
    assert f"reconcile[gaps:{cells[0]},{cells[2]}]: funded is" in result.stdout  # enterprise, (its name), category


def test_solve_refuses_to_write_a_result_that_breaks_a_rule(tmp_path, monkeypatch):
    """A bug in rounding (simulated: one fen more on every arc) is caught before writing."""
    import dataclasses

    import subsidy.pipeline as pipeline

    real = pipeline.round_to_fen

    def one_fen_more(solution):
        allocation = real(solution)
        return dataclasses.replace(allocation, fen=allocation.fen + 1)

    monkeypatch.setattr(pipeline, "round_to_fen", one_fen_more)
    out = tmp_path / "out"
    result = run("solve", scenario_file(tmp_path), "--out", out)
    assert result.code == 3
    assert not out.exists() and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("警告: ")]  # b has no industry: a warning (the scenario's language)
    assert "the allocation failed its independent check" in lines[0]
    assert any("budget[" in line or "need[" in line or "cap_" in line for line in lines[1:])
    assert all(line.startswith("错误 / error: ") for line in lines)  # the check's first line is English, its rules Chinese: both words


def test_verifier_shares_no_code_with_the_solvers():
    """The verifier and everything it imports from the package at module level stay clear of the
    rules, the stage driver, every backend and PuLP: it keeps its own reading of the rules."""
    root = Path(__file__).resolve().parent.parent
    todo, seen = ["subsidy.checks.verify"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((root / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("subsidy."):
                todo.append(node.module)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                assert not any(n and n.split(".")[0] in ("pulp", "highspy", "ortools") for n in names), f"{name} imports a solver"
    allowed = {"subsidy.scenario", "subsidy.checks.verify", "subsidy.checks.verify_read", "subsidy.checks.verify_reconcile", "subsidy.checks.verify_distribution", "subsidy.checks.verify_terms",
               "subsidy.checks.verify_commitments",
               "subsidy.allocate.waterfall", "subsidy.allocate.table"}
    assert {n for n in seen if not n.startswith("subsidy.scenario.")} <= allowed, seen


@pytest.mark.parametrize("name", ["xianan-2025.yaml", "chuxiong-2025.yaml", "linzi-portfolio.yaml"])
def test_shipped_scenarios_verify_with_both_solvers(tmp_path, name):
    from conftest import SCENARIOS

    for solver in ("highs", "cbc"):
        out = tmp_path / solver
        assert run("solve", SCENARIOS / name, "--out", out, "--quiet", "--solver", solver).code == 0
        result = run("verify", SCENARIOS / name, out / "allocations.csv", "--lang", "en")
        assert result.code == 0 and "(allocations, gaps, funds, summary checked)" in result.stdout, result.stdout
