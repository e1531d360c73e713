"""Issue 11 item 7: messages in the clerk's terms, in English and Chinese, for every command;
--lang on validate, verify and sweep, defaulting to the scenario's own language (Chinese when its
names are Chinese), as solve and explain do."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from run_cli import run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# Two enterprises in 蕲春; the county fund's scope 湖北/黄岗 is a slip for 湖北/黄冈 (岗 for 冈).
MISSPELT_SCOPE = """\
name: 蕲春
enterprises:
  - {id: e1, name: 甲厂, region: 湖北/黄冈/蕲春, industry: cement, costs: {resettlement: 300}}
  - {id: e2, name: 乙厂, region: 湖北/黄冈/蕲春, industry: cement, costs: {resettlement: 100}}
funds:
  - {id: central, name: 中央, budget: 200, categories: [resettlement], scope: {regions: [湖北]}}
  - {id: county, name: 县级, budget: 200, categories: [resettlement], scope: {regions: [湖北/黄岗]}}
"""


def _blank_region_workbook(tmp_path: Path) -> Path:
    book = tmp_path / "x.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    wb = openpyxl.load_workbook(book)
    wb["企业"]["C4"] = None  # the second enterprise's region, left blank
    wb.save(book)
    return book


def test_a_blank_region_is_refused_in_chinese_naming_its_cell(tmp_path):
    # Case 1 in the clerk's language: the workbook's names are Chinese, so without --lang the
    # error is Chinese; --lang en gives the English sentence, at the same cell.
    book = _blank_region_workbook(tmp_path)
    for command in ("validate", "solve"):
        for args in ((), ("--lang", "zh")):
            done = run(command, book, *args)
            assert done.code == 2
            assert ("企业!C4 (地区 region): 地区为空，但资金 central_reward, hubei_provincial, xianan_district "
                    "只在其地区范围内支付：该企业将得不到这些资金且无任何提示；请填写地区，用路径写法，例如 湖北/黄冈/蕲春") in done.stderr
            assert "region is empty" not in done.stderr
    english = run("validate", book, "--lang", "en")
    assert english.code == 2 and "企业!C4 (地区 region): region is empty, but fund(s) central_reward" in english.stderr


def test_a_misspelt_scope_is_named_in_chinese_with_the_nearest_spelling(tmp_path):
    path = tmp_path / "qichun.yaml"
    path.write_text(MISSPELT_SCOPE, encoding="utf-8")
    done = run("validate", path)  # names are Chinese: Chinese by default
    assert done.code == 0
    warning = next(line for line in done.stderr.splitlines() if "funds[1] (county).scope.regions[0]" in line)
    assert warning.endswith("funds[1] (county).scope.regions[0]: 资金 county 的地区范围 “湖北/黄岗” 与任何企业的地区都不匹配；"
                            "最接近的写法：“湖北/黄冈”——适用范围按地区路径的整段匹配，所以“湖北/黄冈”在“湖北”之内，“湖北省黄冈市”则不在")
    # The closing line is Chinese too, and does not read as "all is well" under the warnings: it
    # counts them (one line of stderr each) before 2 enterprises, 2 cost lines (one each), 2 funds.
    count = sum(line.startswith("警告: ") for line in done.stderr.splitlines())  # in the scenario's language
    assert count >= 1
    assert done.stdout.strip().endswith(f"qichun.yaml：格式有效，但有上述 {count} 条警告，求解前请逐条核对：2 家企业，2 条费用，2 项资金")
    english = run("validate", path, "--lang", "en")
    assert "fund county's region scope '湖北/黄岗' matches no enterprise's region; nearest spelling: '湖北/黄冈'" in english.stderr
    assert english.stdout.strip().endswith(f"qichun.yaml: valid, with {count} warning(s) above to read before solving: "
                                           "2 enterprises, 2 cost lines, 2 funds")
    # --strict stops on it in the language asked for.
    strict = run("solve", path, "--strict", "--lang", "zh")
    assert strict.code == 2 and "与任何企业的地区都不匹配" in strict.stderr


def test_an_enterprise_written_in_one_run_is_explained_in_chinese(tmp_path):
    # Case 2 in Chinese: 湖北省黄冈市 and 水泥 against a fund scoped to 湖北 / cement; the only fund
    # is scoped, so the enterprise is within no fund's scope.
    path = tmp_path / "s.yaml"
    path.write_text("name: 蕲春\nenterprises:\n"
                    "  - {id: e1, name: 甲水泥厂, region: 湖北省黄冈市, industry: 水泥, costs: {resettlement: 300}}\n"
                    "  - {id: e2, name: 乙厂, region: 湖北/黄冈/蕲春, industry: cement, costs: {resettlement: 100}}\n"
                    "funds:\n  - {id: central, name: 中央, budget: 200, categories: [resettlement], "
                    "scope: {regions: [湖北], industries: [cement]}}\n", encoding="utf-8")
    done = run("validate", path, "--lang", "zh")
    warning = next(line for line in done.stderr.splitlines() if "enterprises[0] (e1).region" in line)
    assert "企业 e1 不在任何资金的适用范围内，因此得不到任何资金，尽管资金 central 支付其费用类别" in warning
    assert "central 只支付地区 湖北，而 “湖北省黄冈市” 不在其内（适用范围按地区路径的整段匹配：写成路径 “湖北/黄冈” 即在其内）" in warning
    assert "“水泥” 是行业代码 “cement” 的中文名称：两处都请填写代码" in warning


def test_a_field_error_is_in_the_clerks_terms_in_chinese(tmp_path):
    # Workers written as a word and a misspelt field: pydantic's "Input should be a valid
    # integer" and "Extra inputs are not permitted" never reach the clerk; the Chinese file (and
    # a failed load still knows its names) gets the Chinese sentences, at the line.
    path = tmp_path / "s.yaml"
    path.write_text("name: 蕲春\nenterprises:\n  - {id: e1, name: 甲厂, region: 湖北, industry: cement, workers: many, "
                    "costs: {resettlement: 3}, costz: 1}\nfunds:\n  - {id: f, name: 中央, budget: 100, categories: [resettlement]}\n",
                    encoding="utf-8")
    done = run("validate", path)
    assert done.code == 2
    assert "s.yaml:3: enterprises[0] (e1).workers: 必须是整数，实际为 'many'" in done.stderr
    assert "s.yaml:3: enterprises[0] (e1).costz: 未知字段（请检查拼写；方案格式见 README）" in done.stderr
    assert "Input should" not in done.stderr and "Extra inputs" not in done.stderr
    english = run("validate", path, "--lang", "en").stderr
    assert "enterprises[0] (e1).workers: must be a whole number, got 'many'" in english
    assert "enterprises[0] (e1).costz: unknown field (check the spelling; see the scenario format in the README)" in english


def test_diagnosis_warnings_follow_the_language(tmp_path):
    # A fund with budget 0 can pay nothing: the diagnosis's warning, in both languages.
    path = tmp_path / "s.yaml"
    path.write_text("name: 蕲春\nenterprises:\n  - {id: e1, name: 甲厂, region: 湖北, industry: cement, costs: {resettlement: 3}}\n"
                    "funds:\n  - {id: f, name: 中央, budget: 0, categories: [resettlement]}\n", encoding="utf-8")
    assert "警告: " + str(path) + ": 资金 f 无法支付任何金额：其预算为 0" in run("validate", path).stderr
    assert "warning: " + str(path) + ": fund f can pay nothing: its budget is 0" in run("validate", path, "--lang", "en").stderr


def test_verify_and_sweep_speak_the_scenarios_language(tmp_path):
    out = tmp_path / "o"
    scenario = SCENARIOS / "xianan-2025.yaml"  # Chinese names: Chinese by default
    assert run("solve", scenario, "--out", out, "-q").code == 0
    table = out / "allocations.csv"
    rows = len(table.read_text(encoding="utf-8").splitlines()) - 1  # one line per payment, under a header
    done = run("verify", scenario, table)
    assert done.code == 0
    assert f"{table}：通过：{rows} 行均符合 {scenario} 的全部规则（已核对 allocations, gaps, funds, summary）" in done.stdout
    english = run("verify", scenario, table, "--lang", "en")
    assert f"{table}: ok: {rows} row(s) keep every rule of {scenario} (allocations, gaps, funds, summary checked)" in english.stdout
    swept = tmp_path / "sweep.csv"
    done = run("sweep", scenario, "--vary", "funds.central_reward.budget=100,200", "--out", swept)
    assert done.code == 0 and done.stdout.startswith(f"已写入 {swept}（2 个点；")
    done = run("sweep", scenario, "--vary", "funds.central_reward.budget=100,200", "--out", swept, "--lang", "en")
    assert done.code == 0 and done.stdout.startswith(f"wrote {swept} (2 points; ")
