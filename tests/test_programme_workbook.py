"""A programme over several years in the Excel input workbook: the 分年度 / ByYear sheet (cost lines
and own funds by year), 资金分年度到账 / FundTranches (a fund's tranches), the Scenario sheet's years
and the Funds sheet's carry-over; a round trip that solves to the same tables, and every slip
named at its cell in both languages.

scenarios/xianan-2025-2027.yaml as a workbook (`convert`, Chinese): 分年度 rows 3-11 are 温泉's
resettlement 300 (2025) / 153.6 (2026), its retiree insurance 55 / 55, its bank debt 350 (2027), its
asset sale 640 (2026, row 8), then 恒宇's resettlement 200 / 142 and land restoration 10 (2026);
资金分年度到账 rows 3-8 are central 200 / 100, provincial 100 / 50, district 50 / 50.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from run_cli import run
from subsidy.scenario.convert import write_scenario
from subsidy.scenario.documents import ScenarioError
from subsidy.scenario.load import load_scenario

PROGRAMME = "scenarios/xianan-2025-2027.yaml"
PROGRAMME_PATH = Path(__file__).resolve().parents[1] / PROGRAMME


@pytest.fixture
def book(tmp_path):
    """The example programme as a Chinese workbook, and a helper to edit cells and save."""
    path = tmp_path / "programme.xlsx"
    write_scenario(load_scenario(PROGRAMME), path, "zh")

    def edit(**cells):
        wb = openpyxl.load_workbook(path)
        for ref, value in cells.items():
            sheet, cell = ref.split("__")
            wb[sheet][cell] = value
        wb.save(path)
        return path

    return path, edit


def slips(path, lang: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [p.said(lang) for p in info.value.problems]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_programme_workbook_solves_to_the_same_tables_as_its_yaml(tmp_path, lang):
    # convert yaml → xlsx, then solve both: allocations.csv, gaps.csv and funds.csv byte for byte
    # (summary.json names the scenario file's hash, which differs).
    book = tmp_path / "p.xlsx"
    assert run("convert", PROGRAMME, book, "--lang", lang).code == 0
    assert load_scenario(book) == load_scenario(PROGRAMME)
    for source, out in ((PROGRAMME, tmp_path / "yaml"), (book, tmp_path / "xlsx")):
        done = run("solve", source, "--out", out, "--quiet")
        assert done.code == 0, done.stderr
    for table in ("allocations.csv", "gaps.csv", "funds.csv"):
        assert (tmp_path / "yaml" / table).read_bytes() == (tmp_path / "xlsx" / table).read_bytes(), table
    # … and the figures the example is known by (test_years.test_the_example_programme): the
    # final gap is 温泉's bank debt 350 less the 189.40 of central money left for it, plus 恒宇's
    # 150 of operating loss that no fund pays.
    summary = json.loads((tmp_path / "xlsx" / "summary.json").read_text(encoding="utf-8"))
    assert summary["arrears_by_year"] == {"2025": 581.4, "2026": 150.0, "2027": 310.6}
    assert (summary["total_gap"], summary["weighted_gap"]) == (350 - 189.4 + 150, 160.6)


def test_the_workbook_shows_years_by_row_and_totals_where_one_year_lines_are(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-3:] == ["分年度", "资金分年度到账", "代码表"]
    assert [c.value for c in wb["分年度"][2]] == ["enterprise", "category", "kind", "year", "amount"]
    assert [c.value for c in wb["分年度"][3]] == ["wenquan", "职工安置费 resettlement", None, 2025, 300]
    assert [c.value for c in wb["分年度"][8]] == ["wenquan", None, "asset_sales", 2026, 640]
    assert [c.value for c in wb["资金分年度到账"][4]] == ["central_reward", 2026, 100]
    scenario_sheet = {r[1]: r[2] for r in wb["方案"].iter_rows(min_row=3, values_only=True)}
    assert scenario_sheet["years"] == "2025, 2026, 2027"
    # The totals stay on the one-year sheets: 温泉's resettlement 300 + 153.6 = 453.6; central 200 + 100 = 300.
    assert wb["费用"]["C4"].value == 453.6 and wb["资金"]["D3"].value == 300
    # carry_over: 否 for the district's money, which lapses at the end of its year.
    assert [wb["资金"].cell(r, 10).value for r in (3, 4, 5)] == ["是 yes", "是 yes", "否 no"]


def test_blank_totals_and_a_line_only_on_the_by_year_sheet_read_the_same(book):
    path, edit = book
    # Clearing 温泉's resettlement total (费用!C4) and central's budget (资金!D3) changes nothing:
    # the by-year rows give 300 + 153.6 and 200 + 100.
    edit(费用__C4=None, 资金__D3=None)
    assert load_scenario(path) == load_scenario(PROGRAMME)
    # Deleting 恒宇's land-restoration row on 费用 (row 10) leaves its by-year row: the line is
    # still there, 10 due in 2026 (its source, given only on 费用, goes with the row).
    wb = openpyxl.load_workbook(path)
    wb["费用"].delete_rows(10)
    wb.save(path)
    hengyu = load_scenario(path).enterprises[1]
    assert hengyu.costs["land_restoration"] == Decimal(10) and hengyu.costs_due["land_restoration"] == {2026: Decimal(10)}


def test_carry_over_and_years_typed_by_a_clerk(book):
    path, edit = book
    # 是/否 in either language; years separated by Chinese commas.
    edit(资金__J3="否", 资金__J5="yes", 方案__C7="2025，2026，2027")
    s = load_scenario(path)
    assert [f.carry_over for f in s.funds] == [False, True, True] and s.years == [2025, 2026, 2027]


BAD_CELLS = {
    # 温泉's resettlement moved to 2028, outside the programme's years.
    "year outside": (dict(分年度__D4=2028), "分年度!D4 (年度 year): year 2028 is not one of the programme's years (2025, 2026, 2027)",
                     "分年度!D4 (年度 year): 2028 年不在方案年份（2025, 2026, 2027）之内"),
    "year not a year": (dict(分年度__D4="明年"), "分年度!D4 (年度 year): a year must be a whole number such as 2025, got '明年'",
                        "分年度!D4 (年度 year): 年份必须是整数，如 2025"),
    "negative amount": (dict(分年度__E5=-55), "分年度!E5 (金额 amount): must be ≥ 0, got -55", "分年度!E5 (金额 amount): 不得为负数，实际为 -55"),
    "three decimals in a tranche": (dict(资金分年度到账__C3=200.125), "资金分年度到账!C3 (金额 amount): must have at most 2 decimals",
                                    "资金分年度到账!C3 (金额 amount): 最多 2 位小数"),
    "neither category nor source": (dict(分年度__B3=None), "分年度!B3 (费用类别 category): give a cost category or a source of own funds",
                                    "分年度!B3 (费用类别 category): 请填写费用类别或自有资金来源"),
    "the same year twice": (dict(分年度__D4=2025), "分年度!D4 (年度 year): resettlement 2025 of this enterprise appears twice (first in row 3)",
                            "分年度!D4 (年度 year): 该企业 resettlement 的 2025 年金额填写了两次（首次在第 3 行）"),
    # 300 + 153.6 = 453.6, not 450.
    "a total that differs": (dict(费用__C4=450), "费用!C4 (职工安置费 resettlement): the total 450 differs from the sum of its years on the 分年度 sheet (453.6)",
                             "费用!C4 (职工安置费 resettlement): 合计 450 与“分年度”表中各年度金额之和（453.6）不符"),
    "a budget that differs": (dict(资金__D3=250), "资金!D3 (预算 budget): the budget 250 differs from the sum of the fund's tranches on the 资金分年度到账 sheet (300)",
                              "资金!D3 (预算 budget): 预算 250 与“资金分年度到账”表中该资金各年度到账之和（300）不符"),
    "unknown fund": (dict(资金分年度到账__A8="ghost"), "资金分年度到账!A8 (资金代码 fund): unknown fund 'ghost'", "资金分年度到账!A8 (资金代码 fund): 未知的资金 'ghost'"),
    "unknown enterprise": (dict(分年度__A11="ghost"), "分年度!A11 (企业代码 enterprise): unknown enterprise 'ghost'", None),
    "bad carry-over": (dict(资金__J3="maybe"), "资金!J3 (结转（未用完留作以后年度） carry_over): ", "资金!J3 (结转（未用完留作以后年度） carry_over): "),
}


@pytest.mark.parametrize("case", BAD_CELLS, ids=list(BAD_CELLS))
def test_a_slip_on_the_by_year_sheets_is_named_at_its_cell_in_both_languages(book, case):
    change, english, chinese = BAD_CELLS[case]
    path, edit = book
    edit(**change)
    en, zh = slips(path, "en"), slips(path, "zh")
    assert any(english in line for line in en), en
    assert chinese is None or any(chinese in line for line in zh), zh
    assert len(en) == 1, en  # said once, though the reader and the schema both check


def test_without_years_amounts_by_year_are_refused_line_by_line(book):
    # 年度 cleared: each of the 6 lines (温泉 3 costs and its asset sale, 恒宇 2 costs) and 3 funds
    # written by year is refused at its cell.
    path, edit = book
    edit(方案__C7=None)
    en = slips(path, "en")
    assert len(en) == 6 + 3 and all("amounts by year need the programme's years" in line for line in en), en
    assert en[0].startswith("费用!C4 (职工安置费 resettlement): ") and any(line.startswith("自有资金!C3 (自有资金 asset_sales): ") for line in en)
    assert any(line.startswith("资金分年度到账!A3 (资金代码 fund): ") for line in en), en


def test_an_overlay_on_tranches_converts_to_the_tables_it_solves_to(tmp_path):
    # Overlays merge mappings key by key (README "Overlays"), so `tranches: {2026: 150}` changes
    # central's 2026 tranche only (2025's 200 stays), and `tranches: null` with a budget makes the
    # province's 150 arrive at once in 2025. convert writes the merged programme: its workbook and
    # JSON solve to the overlay's tables byte for byte.
    option = tmp_path / "option.yaml"
    option.write_text(f"base: {PROGRAMME_PATH}\nname: 中央 2026 年清算增至 150，省级一次到位\n"
                      "funds:\n  - {id: central_reward, tranches: {2026: 150}}\n"
                      "  - {id: hubei_provincial, tranches: null, budget: 150}\n", encoding="utf-8")
    merged = load_scenario(option)
    funds = {f.id: f for f in merged.funds}
    assert funds["central_reward"].tranches == {2025: 200, 2026: 150} and funds["central_reward"].budget == 350
    assert funds["hubei_provincial"].tranches is None and funds["hubei_provincial"].budget == 150
    outs = {}
    for suffix in (".xlsx", ".json"):
        assert run("convert", option, tmp_path / f"p{suffix}").code == 0
        assert load_scenario(tmp_path / f"p{suffix}") == merged
    for source in (option, tmp_path / "p.xlsx", tmp_path / "p.json"):
        outs[source] = tmp_path / f"out-{source.suffix[1:]}"
        done = run("solve", source, "--out", outs[source], "--quiet")
        assert done.code == 0, done.stderr
    for table in ("allocations.csv", "gaps.csv", "funds.csv"):
        first = (outs[option] / table).read_bytes()
        assert first == (outs[tmp_path / "p.xlsx"] / table).read_bytes() == (outs[tmp_path / "p.json"] / table).read_bytes(), table
    # 50 more central money reaches 温泉's bank debt in 2027 (239.40 of it, against 189.40): the
    # final gap is 350 − 239.40 + 恒宇's 150 of operating loss = 260.60 (310.60 − 50).
    summary = json.loads((outs[option] / "summary.json").read_text(encoding="utf-8"))
    assert (summary["total_gap"], summary["weighted_gap"]) == (260.6, 110.6)
    assert "central_reward,2027,0.00,239.40,0.00,0.00" in (outs[option] / "funds.csv").read_text(encoding="utf-8-sig")
    assert "hubei_provincial,2025,150.00,48.00,102.00,0.00" in (outs[option] / "funds.csv").read_text(encoding="utf-8-sig")
