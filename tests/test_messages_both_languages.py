"""Issue 11 item 7, the last English-only messages: the schema's own checks (field values and
cross-field rules, the workbook's header row), the verifier's rule violations, commitment
conflicts, why a solve failed, and the "wrote …" confirmations: each in Chinese for a scenario
named in Chinese (or --lang zh), in English with --lang en, in the clerk's terms."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from run_cli import run
from subsidy.checks.diagnose import explain_failure
from subsidy.scenario.load import scenario_from_data

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

SLIPS = """\
name: 蕲春
enterprises:
  - {id: e1, name: 甲厂, region: 湖北, industry: cement, costs: {resettlement: -100, bogus: 1}}
  - {id: e1, name: 乙厂, region: 湖北, industry: cement, costs: {resettlement: 3}}
funds:
  - {id: f, name: 中央, budget: 100, categories: [resettlement, resettlement]}
"""

# 甲厂 needs 300; central has 200.
ONE_FUND = """\
name: 蕲春
enterprises:
  - {id: e1, name: 甲厂, region: 湖北, industry: cement, costs: {resettlement: 300}}
funds:
  - {id: central, name: 中央, budget: 200, categories: [resettlement]}
"""


def test_field_and_cross_field_slips_are_said_in_chinese(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SLIPS, encoding="utf-8")
    done = run("validate", path)
    assert done.code == 2
    assert "s.yaml:3: enterprises[0] (e1).costs.resettlement: 不得为负数，实际为 -100" in done.stderr
    assert "s.yaml:3: enterprises[0] (e1).costs.bogus: 未知的费用类别 'bogus'；可用的有：resettlement, " in done.stderr
    assert "s.yaml:4: enterprises[1] (e1).id: 企业代码 'e1' 重复（首次出现在 enterprises[0]）" in done.stderr
    assert "s.yaml:6: funds[0] (f).categories[1]: 费用类别 'resettlement' 列了两次" in done.stderr
    english = run("validate", path, "--lang", "en").stderr
    assert "enterprises[0] (e1).costs.resettlement: must be ≥ 0, got -100" in english
    assert "enterprises[0] (e1).costs.bogus: unknown category 'bogus'; known: resettlement, " in english
    assert "enterprises[1] (e1).id: duplicate enterprise id 'e1' (first at enterprises[0])" in english
    assert "funds[0] (f).categories[1]: category 'resettlement' is listed twice" in english


def test_an_unknown_workbook_column_is_said_in_chinese_at_its_cell(tmp_path):
    book = tmp_path / "x.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["企业"]
    column = sheet.max_column + 1
    sheet.cell(1, column, "abc")
    wb.save(book)
    letter = openpyxl.utils.get_column_letter(column)
    done = run("validate", book)
    assert done.code == 2
    assert f"企业!{letter}1: 未知的列 'abc'；可用的列有：id, name, " in done.stderr
    assert f"企业!{letter}1: unknown column 'abc'; known: id, name, " in run("validate", book, "--lang", "en").stderr


def test_verify_says_each_broken_rule_in_chinese(tmp_path):
    # 250 paid from a budget of 200: over by 50.
    scenario = tmp_path / "s.yaml"
    scenario.write_text(ONE_FUND, encoding="utf-8")
    table = tmp_path / "a.csv"
    table.write_text("fund,enterprise,category,amount\ncentral,e1,resettlement,250\n", encoding="utf-8")
    done = run("verify", scenario, table)
    assert done.code == 1
    assert f"{table}: budget[central]: 已分配 250.00，预算 200.00（超出 50.00）" in done.stdout
    english = run("verify", scenario, table, "--lang", "en")
    assert f"{table}: budget[central]: allocated 250.00, budget 200.00 (over by 50.00)" in english.stdout
    # A line paid beyond its need (300 + 10 of 300) and a row the fund may not pay.
    table.write_text("fund,enterprise,category,amount\ncentral,e1,resettlement,150\ncentral,e1,resettlement,160\n"
                     "central,e1,bank_debt,1\n", encoding="utf-8")
    done = run("verify", scenario, table)
    assert "need[e1,resettlement]: 已资助 310.00，剩余需求 300.00（费用 300.00 − 自有资金 0.00；超出 10.00）" in done.stdout
    assert "eligible[central,e1,bank_debt]: 企业 e1 没有费用项目 'bank_debt'" in done.stdout


def test_a_commitment_conflict_is_said_in_chinese(tmp_path):
    # A commitment of 250 from a fund of 200: impossible from the figures alone (exit 2).
    path = tmp_path / "c.yaml"
    path.write_text(ONE_FUND + "commitments:\n  - {fund: central, enterprise: e1, amount: 250, source: 已批复}\n", encoding="utf-8")
    done = run("validate", path)
    assert done.code == 2
    assert "commitment[central,e1] 已定 250.00 万元，超出 budget[central]：200.00 万元" in done.stderr
    english = run("validate", path, "--lang", "en")
    assert "commitment[central,e1] commits 250.00 万元, beyond budget[central]: 200.00 万元" in english.stderr


def test_why_a_solve_failed_is_said_in_chinese():
    # Amounts from 0.01 to 10^9 万元 (eleven orders of magnitude) and an infeasible status.
    scenario = scenario_from_data({"name": "蕲春", "enterprises": [
        {"id": "e1", "name": "甲厂", "region": "湖北", "industry": "cement", "costs": {"resettlement": "1000000000", "bank_debt": "0.01"}}]})
    zh = explain_failure(scenario, "Infeasible", "zh")
    assert zh[0].startswith("Infeasible：各项规则相互矛盾，没有任何分配能同时满足。")
    assert zh[1] == "金额从 0.01 到 1000000000.00 万元，相差十一个数量级以上：请检查单位是否填错（元与万元），或改用 --solver cbc"
    en = explain_failure(scenario, "Infeasible", "en")
    assert en[0].startswith("Infeasible: the rules contradict each other")
    assert en[1].startswith("amounts range from 0.01 to 1000000000.00 万元, eleven or more orders of magnitude")


def test_the_written_files_are_confirmed_in_the_scenarios_language(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(ONE_FUND, encoding="utf-8")
    out = tmp_path / "o"
    done = run("solve", scenario, "--out", out, "--quiet")
    assert done.code == 0 and done.stdout.strip() == f"已写入 {out / 'allocations.csv'}, {out / 'gaps.csv'}, {out / 'funds.csv'}, {out / 'summary.json'}"
    done = run("solve", scenario, "--out", out, "--quiet", "--lang", "en")
    assert done.stdout.strip().startswith(f"wrote {out / 'allocations.csv'}, ")
    done = run("explain", scenario, "--out", tmp_path / "e")
    assert f"已写入 {tmp_path / 'e' / 'reasons.csv'}, {tmp_path / 'e' / 'bindings.csv'}" in done.stdout
    book = tmp_path / "t.xlsx"
    assert run("template", book, "--lang", "zh").stdout.strip() == f"已写入 {book}"
    assert run("template", book, "--lang", "en").stdout.strip() == f"wrote {book}"
