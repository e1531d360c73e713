"""The Excel input workbook: template, round trips with YAML/JSON, and bad cells named as Excel does."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from subsidy.scenario.convert import scenario_data, write_scenario
from subsidy.scenario.load import ScenarioError, load_scenario, scenario_from_data
from subsidy.scenario.convert import template
from subsidy.scenario.scenario_xlsx import EXAMPLE

from conftest import SCENARIOS

runner = CliRunner()


@pytest.fixture
def book(tmp_path):
    """The Chinese template with its Wenquan example, and a helper to edit cells and save."""
    path = tmp_path / "in.xlsx"
    path.write_bytes(template("zh"))

    def edit(**cells):
        wb = openpyxl.load_workbook(path)
        for ref, value in cells.items():
            sheet, cell = ref.split("__")
            wb[sheet][cell] = value
        wb.save(path)
        return path

    return path, edit


def errors(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value).splitlines()


def test_template_reads_back_as_the_wenquan_example(book):
    path, _ = book
    scenario = load_scenario(path)
    assert scenario == scenario_from_data(EXAMPLE)
    wenquan = scenario.enterprises[0]
    assert wenquan.workers == 386 and wenquan.capacity.amount == 1 and wenquan.capacity.unit == "万吨"
    assert wenquan.costs == {"pooled_fund_repayment": Decimal("30"), "resettlement": Decimal("453.6"),
                             "retiree_social_insurance": Decimal("110"), "restructuring": Decimal("50"),
                             "bank_debt": Decimal("350")}
    assert sum(wenquan.costs.values()) == Decimal("993.6")  # the seed's 关停需要资金993.6万元
    assert wenquan.own_funds == {"asset_sales": Decimal("640")} and wenquan.own_funds_rule == "statutory"


def test_template_has_instructions_validation_and_frozen_headers(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "方案", "企业", "费用", "自有资金", "资金", "资金规则", "已定事项", "保底比例", "类别", "假设", "因素法", "地区", "配套", "分年度", "资金分年度到账", "代码表"]
    assert "第 2 行是字段代码" in wb["说明"]["A3"].value
    costs = wb["费用"]
    assert [c.value for c in costs[1]] == ["企业代码", "费用类别", "金额", "数据来源"]
    assert [c.value for c in costs[2]] == ["enterprise", "category", "amount", "source"]
    assert costs.freeze_panes == "A3"
    rules = {(dv.type, str(dv.sqref)): dv for dv in costs.data_validations.dataValidation}
    assert rules[("decimal", "C3:C1002")].operator == "greaterThanOrEqual" and rules[("decimal", "C3:C1002")].formula1 == "0"
    assert rules[("list", "B3:B1002")].formula1 == "'代码表'!$A$3:$A$12"  # the ten default categories
    levels = {str(dv.sqref): dv.formula1 for dv in wb["资金"].data_validations.dataValidation if dv.type == "list"}
    assert levels == {"C3:C1002": "'代码表'!$B$3:$B$7", "J3:J1002": '"是 yes,否 no"'}  # and carry_over (a programme's)
    assert [wb["代码表"].cell(row=r, column=2).value for r in range(3, 8)] == ["中央 central", "省级 provincial", "市级 municipal", "县级 county", "其他 other"]
    # Column widths fit the Chinese names (two columns per character).
    assert wb["企业"].column_dimensions["B"].width >= 2 * len("咸安区温泉电石总厂")


def test_english_template_reads_the_same(tmp_path):
    path = tmp_path / "en.xlsx"
    path.write_bytes(template("en"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Instructions", "Scenario", "Enterprises"]
    assert wb["Costs"]["C1"].value == "amount"
    assert load_scenario(path) == scenario_from_data(EXAMPLE)


@pytest.mark.parametrize("name", ["xianan-2025", "chuxiong-2025", "linzi-portfolio"])
def test_round_trip_yaml_xlsx_yaml(tmp_path, name):
    original = load_scenario(SCENARIOS / f"{name}.yaml")
    write_scenario(original, tmp_path / "s.xlsx")
    from_book = load_scenario(tmp_path / "s.xlsx")
    assert from_book == original
    write_scenario(from_book, tmp_path / "back.yaml")
    back = load_scenario(tmp_path / "back.yaml")
    assert back == original
    # Not only equal models: the same fields given, so the YAML says what the original said
    # (less what a cell cannot tell from blank: an explicit empty list or null).
    assert pruned(yaml.safe_load((tmp_path / "back.yaml").read_text(encoding="utf-8"))) == pruned(scenario_data(original))


def pruned(data):
    if isinstance(data, dict):
        return {k: pruned(v) for k, v in data.items() if v not in (None, [], {})}
    if isinstance(data, list):
        return [pruned(v) for v in data]
    return data


def test_convert_command_any_direction(tmp_path):
    src = SCENARIOS / "xianan-2025.yaml"
    original = load_scenario(src)
    chain = [src, tmp_path / "a.json", tmp_path / "b.xlsx", tmp_path / "c.yml", tmp_path / "d.xlsx", tmp_path / "e.json", tmp_path / "f.yaml"]
    for a, b in zip(chain, chain[1:]):
        out = runner.invoke(app, ["convert", str(a), str(b)])
        assert out.exit_code == 0, out.output
        assert load_scenario(b) == original, b
    bad = runner.invoke(app, ["convert", str(src), str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "unsupported file type '.csv'" in bad.output
    assert not (tmp_path / "x.csv").exists()


def test_template_command(tmp_path):
    out = runner.invoke(app, ["template", str(tmp_path / "t.xlsx"), "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert load_scenario(tmp_path / "t.xlsx") == scenario_from_data(EXAMPLE)
    assert runner.invoke(app, ["template", str(tmp_path / "t.yaml")]).exit_code == 2


def test_codes_as_dropdown_code_or_name(book):
    path, edit = book
    edit(费用__B3="职工集资偿还", 费用__B4="resettlement", 费用__B5="retirees into social insurance",
         资金__C3="中央", 企业__H3="按比例", 资金规则__B3="category", 方案__C6="否")
    scenario = load_scenario(path)
    assert list(scenario.enterprises[0].costs) == ["pooled_fund_repayment", "resettlement", "retiree_social_insurance", "restructuring", "bank_debt"]
    assert scenario.funds[0].level == "central" and scenario.enterprises[0].own_funds_rule == "proportional"
    assert scenario.policy.fairness is False


def test_excel_float_noise_is_what_the_clerk_sees(book):
    path, edit = book
    edit(费用__C3=0.1 + 0.2, 资金__D3=299.99999999999997)  # what =0.1+0.2 and =300-1E-13 store
    scenario = load_scenario(path)
    assert scenario.enterprises[0].costs["pooled_fund_repayment"] == Decimal("0.3")
    assert scenario.funds[0].budget == Decimal("300")


def test_blank_rows_and_extra_example_rows_are_fine(book):
    path, edit = book
    # Region and industry are filled in: the fund is scoped by both, and a blank would be refused (issue 11).
    edit(企业__A5="hengyu", 企业__B5="恒宇", 企业__C5="湖北/咸宁/咸安", 企业__D5="carbide",
         费用__A10="hengyu", 费用__B10="职工安置费 resettlement", 费用__C10=342)
    scenario = load_scenario(path)
    assert [e.id for e in scenario.enterprises] == ["wenquan", "hengyu"]
    assert scenario.enterprises[1].costs == {"resettlement": Decimal("342")}


BAD_CELLS = {
    "text amount": (dict(费用__C4="四百"), "费用!C4 (职工安置费 resettlement): must be a number, got '四百'"),
    "negative amount": (dict(费用__C7=-350), "费用!C7 (银行债务 bank_debt): must be ≥ 0, got -350"),
    "three decimals": (dict(资金__D3=300.125), "资金!D3 (预算 budget): must have at most 2 decimals"),
    "negative own funds": (dict(自有资金__C3=-1), "自有资金!C3 (自有资金 asset_sales): must be ≥ 0"),
    "missing name": (dict(企业__B3=None), "企业!B3 (企业名称 name): required field is missing"),
    "missing budget": (dict(资金__D3=None), "资金!D3 (预算 budget): required field is missing"),
    "blank amount": (dict(费用__C5=None), "费用!C5 (退休职工进社保 retiree_social_insurance): must be a number, got nothing"),
    "fractional workers": (dict(企业__G3=386.5), "企业!G3 (职工人数 workers): must be a whole number, got 386.5"),
    "bad id": (dict(企业__A3="Wen Quan", 费用__A3="Wen Quan"), "企业!A3 (企业代码 id): may hold only letters (Chinese too), digits, _ and -, not a space: got 'Wen Quan'"),
    "unknown level": (dict(资金__C3="国家级"), "资金!C3 (层级 level): must be one of central, provincial, municipal, county or other, got '国家级'"),
    "unknown rule": (dict(企业__H3="随便"), "企业!H3 (自有资金使用规则 own_funds_rule): must be one of statutory, proportional or free"),
    "share above 1": (dict(资金__F3=1.5), "资金!F3 (占需求比例上限 share_of_need): must be at most 1, got 1.5"),
    "unknown category": (dict(费用__B6="贿赂"), "费用!B6 (费用类别 category): unknown category '贿赂'"),
    "unknown category in a fund rule": (dict(资金规则__C4="贿赂"), "资金规则!C4 (类别/地区/行业/企业 value): unknown category '贿赂'"),
    "unknown enterprise": (dict(自有资金__A3="nobody"), "自有资金!A3 (企业代码 enterprise): unknown enterprise 'nobody'"),
    "unknown fund": (dict(资金规则__A5="nofund"), "资金规则!A5 (资金代码 fund): unknown fund 'nofund'"),
    "unknown fund rule": (dict(资金规则__B5="上限"), "资金规则!B5 (规则 rule): unknown rule '上限'"),
    "duplicate cost line": (dict(费用__A8="wenquan", 费用__B8="resettlement", 费用__C8=1), "费用!B8 (费用类别 category): cost line 'resettlement' of this enterprise appears twice (first in row 4)"),
    "duplicate enterprise": (dict(企业__A4="wenquan", 企业__B4="again", 企业__C4="湖北/咸宁/咸安", 企业__D4="carbide"), "企业!A4 (企业代码 id): duplicate enterprise id 'wenquan' (first in row 3)"),
    "duplicate fund": (dict(资金__A4="central_reward", 资金__B4="again", 资金__D4=1), "资金!A4 (资金代码 id): duplicate fund id 'central_reward' (first in row 3)"),
    "scope names an unknown enterprise": (dict(资金规则__B12="enterprise", 资金规则__A12="central_reward", 资金规则__C12="ghost"), "资金规则!C12 (类别/地区/行业/企业 value): unknown enterprise 'ghost'"),
    "bad fairness": (dict(方案__C6="maybe"), "方案!C6 (公平性（第二阶段） fairness): must be yes or no (true/false, 是/否)"),
    "unknown column": (dict(企业__N2="bribe"), "企业!N2: unknown column 'bribe'; known: id, name, region"),
    "unknown scenario field": (dict(方案__B7="color", 方案__C7="red"), "方案!B7 (字段 field): unknown field 'color'"),
    "amount on a category rule": (dict(资金规则__D3=5), "资金规则!D3 (单位产能上限 amount): only a per_capacity rule takes an amount"),
}


@pytest.mark.parametrize("case", BAD_CELLS, ids=list(BAD_CELLS))
def test_bad_cell_is_named_as_excel_shows_it(book, case):
    change, expected = BAD_CELLS[case]
    path, edit = book
    lines = errors(edit(**change))
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(f"{path}: ") for line in lines)
    if case != "bad id":  # renaming the enterprise also orphans its other cost and own-funds rows
        assert len(lines) == 1, lines  # each problem once, though the reader and the model both check ids


def test_every_bad_cell_at_once(book):
    path, edit = book
    cases = ["text amount", "negative amount", "three decimals", "missing name", "fractional workers",
             "unknown level", "unknown category", "unknown enterprise", "unknown fund", "share above 1"]
    change = {k: v for case in cases for k, v in BAD_CELLS[case][0].items()}
    lines = errors(edit(**change))
    assert len(lines) == len(cases), lines
    for case in cases:
        assert any(BAD_CELLS[case][1] in line for line in lines), case


def test_cli_reports_bad_cells_and_writes_nothing(book, tmp_path):
    path, edit = book
    edit(费用__C4="四百", 资金__D3=-1)
    out = runner.invoke(app, ["solve", str(path), "--xlsx", str(tmp_path / "r.xlsx"), "--out", str(tmp_path / "out")])
    assert out.exit_code == 2
    # A Chinese workbook: Chinese sentences (issue 11 item 7), the cell and the field as before.
    assert f"错误: {path}: 费用!C4 (职工安置费 resettlement): 必须是数字，实际为 '四百'" in out.output
    assert f"错误: {path}: 资金!D3 (预算 budget): 不得为负数，实际为 -1" in out.output
    assert not (tmp_path / "r.xlsx").exists() and not (tmp_path / "out").exists()


def test_not_a_workbook_and_missing_sheets(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("name: x\n", encoding="utf-8")
    assert "is not an .xlsx workbook" in errors(fake)[0]
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "empty.xlsx")
    (line,) = errors(tmp_path / "empty.xlsx")
    assert "has no sheet 方案 / Scenario, 企业 / Enterprises, 资金 / Funds" in line


def test_english_sheet_names_in_errors(tmp_path):
    path = tmp_path / "en.xlsx"
    path.write_bytes(template("en"))
    wb = openpyxl.load_workbook(path)
    wb["Costs"]["C4"] = "four hundred"
    wb.save(path)
    assert "Costs!C4 (职工安置费 resettlement): must be a number, got 'four hundred'" in errors(path)[0]
