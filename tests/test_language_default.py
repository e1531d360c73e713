"""A scenario written in Chinese gets Chinese documents unless the user says otherwise."""

from pathlib import Path

from subsidy.scenario.labels import language_of
from subsidy.scenario.load import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_seed_scenarios_with_chinese_names_are_chinese():
    assert language_of(load_scenario(SCENARIOS / "xianan-2025.yaml")) == "zh"


def test_a_scenario_named_only_in_latin_letters_is_english():
    scenario = load_scenario(SCENARIOS / "xianan-2025.yaml")
    latin = scenario.model_copy(update={
        "name": "Xian'an 2025",
        "enterprises": [e.model_copy(update={"name": f"Plant {i}"}) for i, e in enumerate(scenario.enterprises)],
        "funds": [f.model_copy(update={"name": f"Fund {i}"}) for i, f in enumerate(scenario.funds)],
    })
    assert language_of(latin) == "en"


# --- the commands follow it ------------------------------------------------------------------
import csv

from typer.testing import CliRunner

from cli import app

runner = CliRunner()
XIANAN = str(SCENARIOS / "xianan-2025.yaml")


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_solve_prints_chinese_for_a_chinese_scenario_but_keeps_the_csv_contract_english(tmp_path):
    out = runner.invoke(app, ["solve", XIANAN, "--out", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert "已求解" in out.output and "资金缺口" in out.output and "solved" not in out.output
    assert _csv(tmp_path / "o" / "gaps.csv")[0] == ["enterprise", "category", "need", "own_funds", "funded", "gap"]


def test_lang_en_overrides_the_scenario(tmp_path):
    out = runner.invoke(app, ["solve", XIANAN, "--lang", "en"])
    assert out.exit_code == 0 and "solved" in out.output and "已求解" not in out.output
    for command in ("explain", "close-gap"):
        text = runner.invoke(app, [command, XIANAN]).output
        assert "缺口" in text, command
        assert "缺口" not in runner.invoke(app, [command, XIANAN, "--lang", "en"]).output, command


def test_chinese_csv_has_names_category_labels_and_the_unit(tmp_path):
    assert runner.invoke(app, ["solve", XIANAN, "--out", str(tmp_path / "o"), "--lang", "zh", "-q"]).exit_code == 0
    rows = _csv(tmp_path / "o" / "allocations.csv")
    assert rows[0] == ["资金", "资金名称", "企业", "企业名称", "费用类别", "类别名称", "金额（万元）"]
    # The first allocation of xianan-2025: the central reward pays 恒宇桂花's resettlement, 180 万元.
    assert rows[1] == ["central_reward", "中央财政淘汰落后产能奖励资金（以奖代补）", "hengyu_guihua",
                       "咸宁市恒宇物资有限公司桂花电石生产车间", "resettlement", "职工安置费", "180.00"]
    gaps = _csv(tmp_path / "o" / "gaps.csv")
    assert gaps[0][-1] == "资金缺口（万元）"
    # Read back by the verifier, which finds its columns by label whatever the unit.
    checked = runner.invoke(app, ["verify", XIANAN, str(tmp_path / "o" / "allocations.csv"), "--lang", "en"])
    assert checked.exit_code == 0 and "ok: 7 row(s)" in checked.output, checked.output
