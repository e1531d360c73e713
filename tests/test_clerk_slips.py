"""Issue 11: a slip of the clerk never silently moves money. Each case of the issue, as a clerk
would meet it at the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from run_cli import run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


# Case 3: `subsidy solve 蕲春.xlsx --xlsx 蕲春.xlsx` overwrote the clerk's input workbook.
def test_solve_refuses_to_write_its_result_over_the_input_workbook(tmp_path):
    book = tmp_path / "蕲春.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    before = book.read_bytes()
    done = run("solve", book, "--xlsx", book)
    assert done.code == 2
    assert "overwrite the input file" in done.stderr and "覆盖输入文件" in done.stderr
    assert book.read_bytes() == before  # the clerk's workbook is untouched, byte for byte
    # The same file by another spelling (./dir/../蕲春.xlsx) is still the same file.
    other = tmp_path / "sub" / ".." / "蕲春.xlsx"
    assert run("solve", book, "--xlsx", other).code == 2


def test_every_writing_command_refuses_an_input_as_its_output(tmp_path):
    base = tmp_path / "xianan-2025.yaml"
    shutil.copy(SCENARIOS / "xianan-2025.yaml", base)
    overlay = tmp_path / "more.yaml"
    overlay.write_text("base: xianan-2025.yaml\nname: more\n", encoding="utf-8")
    before = base.read_bytes()
    # An overlay's base is an input too: the result workbook may not land on it.
    assert run("solve", overlay, "--xlsx", base).code == 2
    assert run("convert", overlay, base).code == 2
    assert run("sweep", base, "--vary", "funds.central_reward.budget=1,2", "--out", base).code == 2
    assert run("report", overlay, "--html", base).code == 2
    # A folder holding an input under a name the command writes: summary.json as the scenario.
    folder = tmp_path / "out"
    folder.mkdir()
    json_scenario = folder / "summary.json"
    assert run("convert", base, json_scenario).code == 0
    json_before = json_scenario.read_bytes()
    assert run("solve", json_scenario, "--out", folder).code == 2
    assert json_scenario.read_bytes() == json_before
    assert base.read_bytes() == before
    # Writing elsewhere is still fine.
    assert run("solve", overlay, "--xlsx", tmp_path / "result.xlsx", "-q").code == 0


# --- Case 1 and 2: the vocabulary of regions and industries ------------------------------------

import copy  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_scenarios import FUZZ, scenario_data  # noqa: E402
from subsidy.pipeline import solve  # noqa: E402
from subsidy.scenario.load import ScenarioError, scenario_from_data  # noqa: E402
from subsidy.scenario.vocabulary import path_form  # noqa: E402


def test_a_blank_region_in_the_workbook_is_refused_with_its_cell(tmp_path):
    # Case 1: 企业!C4 (the second enterprise's region) left empty passed validate as "valid", and
    # solve left that enterprise a 71.4% gap while funds scoped to 湖北 kept money unspent.
    import openpyxl

    book = tmp_path / "x.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    wb = openpyxl.load_workbook(book)
    wb["企业"]["C4"] = None
    wb.save(book)
    for command in ("validate", "solve"):
        done = run(command, book, "--lang", "en")
        assert done.code == 2, done.stdout
        assert "企业!C4 (地区 region): region is empty, but fund(s) central_reward, hubei_provincial, xianan_district" in done.stderr


def test_a_blank_industry_is_refused_even_when_no_scope_reads_it(tmp_path):
    # Region and industry are required of every enterprise (the issue): with no fund scoped by
    # industry yet the blank moves no money today, but a scope added later would silently leave
    # the enterprise out, so validate and solve stop (exit 2) and say so, in both languages.
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nenterprises:\n  - {id: a, name: 甲, region: 湖北/黄冈, costs: {resettlement: 10}}\n"
                    "funds:\n  - {id: f, name: 中央, budget: 5, categories: [resettlement]}\n", encoding="utf-8")
    for command in ("validate", "solve"):
        done = run(command, path, "--lang", "en", *(("--out", tmp_path / "o") if command == "solve" else ()))
        assert done.code == 2
        assert ("s.yaml:3: enterprises[0] (a).industry: industry is empty; every enterprise needs one (no fund is limited by "
                "industry yet, but a scope added later would silently leave this enterprise out); fill in the industry, e.g. cement") in done.stderr
    assert not (tmp_path / "o").exists()
    zh = run("validate", path, "--lang", "zh")
    assert zh.code == 2 and "enterprises[0] (a).industry: 行业为空；每家企业都必须填写" in zh.stderr


CASE_2 = """\
name: 蕲春
enterprises:
  - {id: e1, name: 甲水泥厂, region: 湖北省黄冈市, industry: 水泥, costs: {resettlement: 300}}
  - {id: e2, name: 乙厂, region: 湖北/黄冈/蕲春, industry: cement, costs: {resettlement: 100}}
funds:
  - {id: central, name: 中央, budget: 200, categories: [resettlement], scope: {regions: [湖北], industries: [cement]}}
  - {id: county, name: 县级, budget: 200, categories: [resettlement], scope: {regions: [湖北/黄冈/蕲春]}}
"""


def test_a_region_written_in_one_run_is_named_with_its_path_form_and_the_industry_code(tmp_path):
    # Case 2: region 湖北省黄冈市 and industry 水泥 against a fund scoped to [湖北] / [cement]: the
    # warning blamed own funds and explain said funds_exhausted. Now the enterprise's own line says
    # which scope parts failed, the path form, and the industry's code.
    path = tmp_path / "qichun.yaml"
    path.write_text(CASE_2, encoding="utf-8")
    done = run("validate", path, "--lang", "en")
    assert done.code == 0
    warning = next(line for line in done.stderr.splitlines() if "enterprises[0] (e1).region" in line)
    assert "qichun.yaml:3:" in warning
    assert "central pays only region(s) 湖北, and '湖北省黄冈市' is not within them" in warning
    assert "written as the path '湖北/黄冈' it would be within them" in warning
    assert "'水泥' is the Chinese name of the industry code 'cement'" in warning
    assert run("solve", path, "--strict").code == 2
    assert path_form("湖北省黄冈市蕲春县") == "湖北/黄冈/蕲春县"
    assert path_form("湖北/黄冈") == "湖北/黄冈"


def test_a_scope_word_matching_no_enterprise_names_the_nearest_spelling(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(CASE_2.replace("regions: [湖北/黄冈/蕲春]", "regions: [湖北/黄岗]"), encoding="utf-8")
    done = run("validate", path, "--lang", "en")
    assert ("funds[1] (county).scope.regions[0]: fund county's region scope '湖北/黄岗' matches no enterprise's region; "
            "nearest spelling: '湖北/黄冈'") in done.stderr


def _misspell(word: str, how: int) -> str:
    return [word + "x", word[:-1] if len(word) > 1 else word + "y", word.upper() + "省", " " + word][how % 4]


@FUZZ
@given(scenario_data(), st.integers(0, 1000), st.integers(0, 3))
def test_a_misspelt_scope_word_is_named_or_moves_no_money(data, pick, how):
    """Issue 11 property: inject one misspelling of a region or industry, on the fund side or the
    enterprise side; either a warning or error names the misspelt word, or the allocation is the
    same to the fen."""
    slots = [("enterprises", i, f) for i in range(len(data["enterprises"])) for f in ("region", "industry")]
    slots += [("funds", j, k, w) for j, fund in enumerate(data["funds"]) for k in ("regions", "industries")
              for w in range(len(fund.get("scope", {}).get(k, [])))]
    slot = slots[pick % len(slots)]
    slipped = copy.deepcopy(data)
    if slot[0] == "enterprises":
        entry = slipped["enterprises"][slot[1]]
        entry[slot[2]] = wrong = _misspell(entry[slot[2]], how)
    else:
        words = slipped["funds"][slot[1]]["scope"][slot[2]]
        words[slot[3]] = wrong = _misspell(words[slot[3]], how)
    said: list = []
    try:
        scenario = scenario_from_data(slipped, warnings=said)
    except ScenarioError as exc:
        assert repr(wrong.strip()) in str(exc) or "is empty" in str(exc)
        return
    if any(repr(wrong) in p.message for p in said):
        return
    before = solve(scenario_from_data(data)).allocations
    after = solve(scenario).allocations
    assert before.equals(after), f"{slot} → {wrong!r} moved money and no warning named it: {[p.message for p in said]}"


# --- Case 6: verify reads what we write --------------------------------------------------------

def _result_workbook(tmp_path) -> Path:
    book = tmp_path / "result.xlsx"
    assert run("solve", SCENARIOS / "xianan-2025.yaml", "-q", "--xlsx", book).code == 0
    return book


def _allocations_sheet(book):
    """The result workbook's sheet of payment lines, found by its header labels (the writer names
    and lays out its sheets as it likes; the verifier reads by labels too)."""
    import openpyxl

    from subsidy.scenario.labels import column_key

    wb = openpyxl.load_workbook(book)
    for ws in wb:
        header = [column_key(str(c.value)) if c.value is not None else None for c in ws[1]]
        if {"fund", "enterprise", "category", "amount"} <= set(header):
            return wb, ws, header
    raise AssertionError("no allocations sheet")


def test_verify_reads_our_own_result_workbook_and_catches_a_changed_amount(tmp_path):
    # Case 6: `verify S result.xlsx` said "neither UTF-8 nor GBK text".
    book = _result_workbook(tmp_path)
    done = run("verify", SCENARIOS / "xianan-2025.yaml", book, "--lang", "en")
    assert done.code == 0, done.stderr
    assert "ok: 7 row(s) keep every rule" in done.stdout  # xianan: 7 payment lines
    wb, sheet, header = _allocations_sheet(book)
    fund, amount = header.index("fund") + 1, header.index("amount") + 1
    assert sheet.cell(2, fund).value == "central_reward" and sheet.cell(2, amount).value == 180
    sheet.cell(2, amount).value = 181  # one more 万元 to 恒宇 from the central reward: over its budget of 300
    wb.save(book)
    broken = run("verify", SCENARIOS / "xianan-2025.yaml", book, "--lang", "en")
    assert broken.code == 1 and "budget[central_reward]" in broken.stdout


def test_verify_reads_the_allocations_sheet_saved_as_csv_in_any_header_language(tmp_path):
    # Case 6: the 分配明细 sheet saved as CSV failed with "missing column(s) fund" (bilingual headers).
    import csv

    from subsidy.scenario.labels import column

    book = _result_workbook(tmp_path)
    _, sheet, keys = _allocations_sheet(book)
    rows = [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]
    at = keys.index("amount")
    rows[-1][at] = sum(r[at] for r in rows[1:-1])  # Excel saves the total's value, not the =SUM formula
    assert round(rows[-1][at], 2) == 300 + 150 + 100  # xianan: every budget is used (300 + 150 + 100 万元)
    header_sets = {
        "as written": rows[0],
        "zh": [column(k, "zh") if k else h for k, h in zip(keys, rows[0])],
        "en": [column(k, "en") if k else h for k, h in zip(keys, rows[0])],
        "bilingual": [f"{column(k, 'zh')} {column(k, 'en')}" if k else h for k, h in zip(keys, rows[0])],
    }
    assert header_sets["bilingual"][at] == "金额 amount"
    for name, header in header_sets.items():
        path = tmp_path / f"{name}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header] + rows[1:])
        done = run("verify", SCENARIOS / "xianan-2025.yaml", path, "--lang", "en")
        assert done.code == 0, (name, done.stdout, done.stderr)
        assert "ok: 7 row(s)" in done.stdout


# --- Cases 8, 9 and ids in Chinese -------------------------------------------------------------

CHINESE_IDS = """\
name: 临淄
enterprises:
  - {id: 宏鲁水泥, name: 宏鲁, region: 山东/淄博, industry: cement, costs: {resettlement: 100}}
  - {id: 东风-2, name: 东风, region: 山东/淄博, industry: cement, costs: {resettlement: 100}}
  - {id: 空厂, name: 空, region: 山东/淄博, industry: cement}
funds:
  - {id: 中央奖励, name: 中央, budget: 150, categories: [resettlement], scope: {enterprises: [宏鲁水泥, 东风-2]}}
"""


def test_chinese_ids_go_through_solve_verify_sweep_and_the_workbook(tmp_path):
    # Item 6: ids may be any letters, so clerks need not invent pinyin codes.
    path = tmp_path / "临淄.yaml"
    path.write_text(CHINESE_IDS, encoding="utf-8")
    out = tmp_path / "out"
    assert run("solve", path, "-q", "--out", out, "--xlsx", tmp_path / "r.xlsx").code == 0
    # 150 万元 between two equal lines of 100: 75 each.
    assert (out / "allocations.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "中央奖励,东风-2,resettlement,75.00", "中央奖励,宏鲁水泥,resettlement,75.00"]
    assert run("verify", path, out / "allocations.csv").code == 0
    assert run("verify", path, tmp_path / "r.xlsx").code == 0
    swept = run("sweep", path, "--vary", "funds.中央奖励.budget=100,200")
    assert swept.code == 0 and "funds.中央奖励.budget" in swept.stdout
    book = tmp_path / "临淄.xlsx"
    assert run("convert", path, book).code == 0 and run("validate", book).code == 0


def test_an_enterprise_without_cost_lines_stays_in_the_enterprises_table(tmp_path):
    # Case 8: 空厂 has no cost lines; it vanished from the Enterprises table. Now a row of zeros.
    path = tmp_path / "s.yaml"
    path.write_text(CHINESE_IDS, encoding="utf-8")
    result = solve(scenario_from_data(__import__("yaml").safe_load(CHINESE_IDS)))
    table = result.enterprises.set_index("enterprise")
    assert list(table.index) == ["东风-2", "宏鲁水泥", "空厂"]
    assert [float(table.loc["空厂", k]) for k in ("need", "own_funds", "funded", "gap")] == [0, 0, 0, 0]
    assert "空厂" in run("solve", path).stdout


def test_messages_say_what_a_field_must_be_without_library_wording(tmp_path):
    # Case 9: "String should match pattern '^[a-z0-9_-]+$'" and "got Decimal('-100')".
    path = tmp_path / "s.json"
    path.write_text('{"name": "x", "enterprises": [{"id": "Wen Quan", "name": "a", "region": "湖北/咸宁", "industry": "cement", "workers": 3.5,'
                    ' "costs": {"resettlement": -100}}], "funds": [{"id": "f", "name": "f", "level": "国家",'
                    ' "budget": 1, "categories": []}]}', encoding="utf-8")
    done = run("validate", path)
    assert done.code == 2
    assert done.stderr.splitlines() == [
        f"error: {path}: enterprises[0] (Wen Quan).id: may hold only letters (Chinese too), digits, _ and -, not a space: got 'Wen Quan'",
        f"error: {path}: enterprises[0] (Wen Quan).workers: must be a whole number, got 3.5",
        f"error: {path}: enterprises[0] (Wen Quan).costs.resettlement: must be ≥ 0, got -100",
        f"error: {path}: funds[0] (f).level: must be one of central, provincial, municipal, county or other, got '国家'",
    ]
    for leak in ("should", "pattern", "Decimal(", "Input"):
        assert leak not in done.stderr


# --- Case 7: "fully used" only when nothing is left ---------------------------------------------

YUAN = """\
name: 元 scenario
unit: 元
enterprises:
  - {id: a, name: 甲, region: 湖北/黄冈, industry: cement, costs: {resettlement: 3000000, operating_loss: 100}}
funds:
  - {id: central, name: 中央, budget: 3000000.99, categories: [resettlement]}
"""


def test_a_budget_with_cents_left_is_never_called_fully_used():
    # Case 7: budget 3,000,000.99 元, the line it may pay is 3,000,000.00: 0.99 元 stay in the
    # fund. Whether or not a method counts that budget as binding (one 元 less would cost the
    # line 0.01 元), the sentence must say 0.99 is left, never "fully used".
    import yaml

    from subsidy.analysis.explain import explain
    from subsidy.output.analysis_text import explanation_text

    ex = explain(scenario_from_data(yaml.safe_load(YUAN)))
    budget = ex.rules.index[ex.rules["rule"] == "budget[central]"][0]
    assert str(ex.rules.loc[budget, "left"]) == "0.99"
    assert "fully used" not in explanation_text(ex)
    ex.rules.loc[budget, "binding"] = True
    text = explanation_text(ex)
    assert "fully used" not in text
    assert "central (中央) budget (3,000,000.99) has only 0.99 left" in text or "budget (3,000,000.99) has only 0.99 left" in text
    assert "仅余 0.99 元" in explanation_text(ex, "zh")


# --- Case 4: solve and explain name the same binding rules, from the final allocation ------------

def test_solve_and_explain_print_the_same_binding_rules_taken_from_the_final_allocation():
    # Case 4: `solve linzi-portfolio.yaml` listed cap_enterprise[central_reward,honglu_cement]
    # (stage-1 slack 0) although 宏鲁 receives no central money, and explain printed another set.
    from subsidy.analysis.explain import explain
    from subsidy.scenario.load import load_scenario

    scenario = load_scenario(SCENARIOS / "linzi-portfolio.yaml")
    result = solve(scenario)
    printed = result.binding_rules()
    ex = explain(scenario, result=result)
    assert set(printed) == set(ex.binding["rule"])
    assert "cap_enterprise[central_reward,honglu_cement]" not in printed
    # 宏鲁 now gets 105.38 of central money (85.43 + 19.95, its even share with its equal 东风:
    # case 5), below central's cap of 25 × 10 万吨 = 250, so that cap is not binding.
    paid = result.allocations
    central_to_honglu = paid[(paid["fund"] == "central_reward") & (paid["enterprise"] == "honglu_cement")]["amount"].sum()
    assert round(central_to_honglu, 2) == 105.38
    # Every rule called binding is used to the fen in allocations.csv; e.g. linzi's four budgets
    # 2,500 + 1,500 + 1,000 + 800 万元 are all spent.
    rows = ex.binding.set_index("rule")
    assert (rows["used"] == rows["bound"]).all()
    assert {f"budget[{f}]" for f in ("central_reward", "shandong_provincial", "zibo_municipal", "linzi_district")} <= set(printed)
    stdout = run("solve", SCENARIOS / "linzi-portfolio.yaml", "--rows", "0", "--lang", "en").stdout
    listed = stdout.split("Rules that bind")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.strip() for line in listed] == printed


def test_explain_out_writes_reasons_and_bindings_and_relaxing_the_named_rule_funds_more(tmp_path):
    # Item 2: `explain --out DIR` writes its tables as CSV. 临淄 (Chinese ids): 150 万元 for two
    # resettlement lines of 100 each → 75 each, gap 25 each, held back by budget[中央奖励] alone.
    import yaml

    path = tmp_path / "临淄.yaml"
    path.write_text(CHINESE_IDS, encoding="utf-8")
    out = tmp_path / "why"
    done = run("explain", path, "--out", out)
    assert done.code == 0, done.stderr
    assert (out / "reasons.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "enterprise,category,gap,reason,rule",
        "东风-2,resettlement,25.00,funds_exhausted,budget[中央奖励]",
        "宏鲁水泥,resettlement,25.00,funds_exhausted,budget[中央奖励]",
    ]
    # The budget binds at 150 and one more 万元 saves 3 of weighted gap (resettlement weighs 3), for
    # the 25 + 25 still open; one less costs 3 all the way down (every fen of it pays resettlement).
    assert (out / "bindings.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "rule,value,bound,shadow_price,allowable_increase,allowable_decrease", "budget[中央奖励],150.00,150.00,3.0,50.00,150.00"]
    # Relaxing that one rule funds more of both lines: budget 150 + 25 → 87.50 each.
    data = yaml.safe_load(CHINESE_IDS)
    data["funds"][0]["budget"] = 175
    paid = solve(scenario_from_data(data)).allocations
    assert sorted(paid["amount"].tolist()) == [87.5, 87.5]
    assert run("explain", path, "--out", path).code == 2  # the scenario is no output directory


def test_a_clerks_slips_are_all_reported_in_one_round(tmp_path):
    # A text amount (三十 in 费用!C3, 温泉's pooled-fund repayment) used to stop validation before
    # the check of blank industries, so the blank 企业!D3 (温泉's industry, which central_reward's
    # industry scope reads) came out only after the first fix: two rounds.
    # Now both come at once, from validate and from solve (exit 2, nothing written).
    import openpyxl

    book = tmp_path / "咸安.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    wb = openpyxl.load_workbook(book)
    wb["费用"]["C3"] = "三十"
    wb["企业"]["D3"] = None
    wb.save(book)
    for command in ("validate", "solve"):
        done = run(command, book, *(("--out", tmp_path / "out") if command == "solve" else ()))
        assert done.code == 2, done.stdout
        said = [line for line in done.stderr.splitlines() if "咸安.xlsx" in line]
        assert len(said) == 2, done.stderr
        assert "费用!C3 (职工集资偿还 pooled_fund_repayment): 必须是数字，实际为 '三十'" in said[0]
        assert "企业!D3 (行业 industry): 行业为空，但资金 central_reward 只在其行业范围内支付" in said[1]
    assert not (tmp_path / "out").exists()


def test_an_entry_broken_beyond_a_number_is_left_out_and_the_others_still_checked(tmp_path):
    # a's region is a list (no amount can stand in for it): a is left out of the blank-field
    # check, while b (a text amount, taken as 0 for the check) and c, both without an industry
    # against fund f scoped to cement, are each named at their own line and index.
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nenterprises:\n"
                    "  - {id: a, name: 甲, region: [湖北], industry: cement, costs: {resettlement: 10}}\n"
                    "  - {id: b, name: 乙, region: 湖北/黄冈, costs: {resettlement: 十}}\n"
                    "  - {id: c, name: 丙, region: 湖北/黄冈, costs: {resettlement: 10}}\n"
                    "funds:\n  - {id: f, name: 中央, budget: 5, categories: [resettlement], scope: {industries: [cement]}}\n",
                    encoding="utf-8")
    done = run("validate", path, "--lang", "en")
    assert done.code == 2
    said = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if "s.yaml:" in line]
    assert [s.split(": ")[0] for s in said] == [f"{path}:3", f"{path}:4", f"{path}:4", f"{path}:5"]
    assert "enterprises[0] (a).region: must be text, got a list" in said[0]
    assert "enterprises[1] (b).costs.resettlement: must be a number, got '十'" in said[1]
    assert "enterprises[1] (b).industry: industry is empty, but fund(s) f pay only within their industry scope" in said[2]
    assert "enterprises[2] (c).industry: industry is empty, but fund(s) f pay only within their industry scope" in said[3]
    assert "enterprises[0] (a).industry" not in done.stderr and "enterprises[0] (a).region: region" not in done.stderr
