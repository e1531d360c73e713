"""Compare: side-by-side tables whose differences equal those of separate solves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subsidy.analysis.compare import compare, labels_for
from subsidy.output.analysis_text import comparison_summary, comparison_text
from subsidy.scenario.load import load_scenario
from subsidy.pipeline import solve
from conftest import SCENARIOS


@pytest.fixture
def options(scenarios_dir):
    paths = [scenarios_dir / "xianan-2025.yaml", scenarios_dir / "options" / "xianan-more-central.yaml",
             scenarios_dir / "options" / "xianan-xianning-fund.yaml"]
    return paths, [load_scenario(p) for p in paths]


def test_labels():
    assert labels_for(["a/x.yaml", "b/y.yaml"]) == ["x", "y"]
    assert labels_for(["a/x.yaml", "b/x.yaml"]) == ["a/x.yaml", "b/x.yaml"]
    assert labels_for(["a/x.yaml", "a/x.yaml"]) == ["a/x.yaml", "a/x.yaml (2)"]


def test_differences_equal_separate_solves(options):
    paths, scenarios = options
    c = compare(list(zip(labels_for(paths), scenarios)))
    results = [solve(s) for s in scenarios]
    base = results[0].exact("enterprises").set_index("enterprise")
    for label, result in zip(c.labels, results):
        rows = c.enterprises[c.enterprises["scenario"] == label].set_index("enterprise")
        mine = result.exact("enterprises").set_index("enterprise")
        for eid in mine.index:
            assert rows.loc[eid, "gap"] == mine.loc[eid, "gap"]
            assert rows.loc[eid, "d_gap"] == mine.loc[eid, "gap"] - base.loc[eid, "gap"]
            assert rows.loc[eid, "d_funded"] == mine.loc[eid, "funded"] - base.loc[eid, "funded"]
            assert rows.loc[eid, "d_gap_share"] == pytest.approx(mine.loc[eid, "gap_share"] - base.loc[eid, "gap_share"])
    totals = c.totals.set_index("scenario")
    assert totals.loc["xianan-more-central", "d_total_gap"] == Decimal("-100.00")  # 310.60 → 210.60
    assert totals.loc["xianan-xianning-fund", "d_total_gap"] == Decimal("-80.00")


def test_missing_fund_counts_as_zero(options):
    paths, scenarios = options
    c = compare(list(zip(labels_for(paths), scenarios)))
    funds = c.funds.set_index(["scenario", "fund"])
    absent = funds.loc[("xianan-2025", "xianning_municipal")]
    assert not absent["present"] and absent["used"] == Decimal("0.00")
    added = funds.loc[("xianan-xianning-fund", "xianning_municipal")]
    assert added["present"] and added["used"] == Decimal("80.00") and added["d_used"] == Decimal("80.00")


def test_inputs_and_summary(options):
    paths, scenarios = options
    c = compare(list(zip(labels_for(paths), scenarios)))
    fields = set(c.inputs["field"])
    assert {"funds.central_reward.budget", "funds.central_reward.caps.per_capacity.carbide", "funds.xianning_municipal"} <= fields
    assert not any(f.endswith((".source", ".notes", "description")) for f in fields)  # provenance text is not an input
    text = comparison_summary(c, "en")
    assert "xianan-more-central against xianan-2025: funds.central_reward.budget 300.00 → 400.00" in text
    assert "the total gap goes from 310.60 to 210.60 万元 (-100.00, -32.2%)" in text
    assert "adds funds.xianning_municipal" in text
    # In Chinese the fields are named by the fund's name (the added fund's from its own option) and in words.
    zh = comparison_summary(c, "zh")
    assert "新增 咸宁市淘汰落后产能配套资金" in zh
    assert "中央财政淘汰落后产能奖励资金（以奖代补） 预算 300.00 → 400.00" in zh and "funds." not in zh
    wide = c.wide("enterprises")
    assert ("gap", "xianan-more-central") in wide.columns and ("d_gap", "xianan-more-central") in wide.columns
    assert wide.loc["wenquan", ("d_gap", "xianan-more-central")] == Decimal("-85.00")
    assert "Δ xianan-more-central" in comparison_text(c, "en")


def test_identical_scenarios_change_nothing(scenarios_dir):
    s = load_scenario(scenarios_dir / "chuxiong-2025.yaml")
    c = compare([("a", s), ("b", s)])
    assert c.inputs.empty
    assert "b against a: no input changes" in comparison_summary(c) and "no enterprise's gap changes" in comparison_summary(c)
    with pytest.raises(ValueError):
        compare([("a", s)])


def test_options_are_named_by_their_scenarios():
    """One labelling for compare and the report: the scenario's name; the file's label added where
    two names collide; the file's label alone for a scenario without a name."""
    from subsidy.analysis.compare import option_labels
    from subsidy.output.charts import titles

    assert option_labels(["方案甲", "方案乙"], ["a", "b"]) == ["方案甲", "方案乙"]
    assert option_labels(["方案甲", "方案甲", "方案乙"], ["a", "b", "c"]) == ["方案甲 (a)", "方案甲 (b)", "方案乙"]
    assert option_labels(["", "方案乙"], ["a", "b"]) == ["a", "方案乙"]
    s = load_scenario(SCENARIOS / "chuxiong-2025.yaml")
    same = [solve(s)] * 2
    assert titles(same, ["x", "y"]) == [f"{s.name} (x)", f"{s.name} (y)"]


def test_chinese_compare_csvs_carry_names_and_the_unit(tmp_path, options):
    """compare --lang zh: Chinese headers with the unit on every amount and on every difference."""
    import csv

    from cli import app
    from typer.testing import CliRunner

    paths, scenarios = options
    out = CliRunner().invoke(app, ["compare", *map(str, paths[:2]), "--out", str(tmp_path), "--lang", "zh"])
    assert out.exit_code == 0, out.output
    with open(tmp_path / "enterprises.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:4] == ["方案", "企业", "名称", "本方案含此项"]
    more = scenarios[1].name
    wenquan = next(r for r in rows if r["方案"] == more and r["企业"] == "wenquan")
    # central_reward +100 万元: 温泉's gap 145.60 → 60.60 (test_inputs_and_summary: -85.00).
    assert wenquan["名称"] == "咸安区温泉电石总厂" and wenquan["本方案含此项"] == "是"
    assert wenquan["资金缺口（万元）"] == "60.60" and wenquan["资金缺口与基准之差（万元）"] == "-85.00"
    with open(tmp_path / "totals.csv", encoding="utf-8-sig", newline="") as f:
        totals = {r["方案"]: r for r in csv.DictReader(f)}
    assert totals[more]["缺口合计（万元）"] == "210.60" and totals[more]["缺口合计与基准之差（万元）"] == "-100.00"
    assert "加权缺口" in totals[more] and "加权缺口（万元）" not in totals[more]  # a weighted sum, not an amount
    # The printed tables name the enterprises, with the ids beside them.
    assert "咸安区温泉电石总厂                      wenquan" in out.output


def test_inputs_csv_leaves_a_value_an_option_lacks_empty(tmp_path, scenarios_dir):
    """compare --out: inputs.csv had Python's `None` where an option does not set a field, and a
    Python tuple for a list of funds. A value an option lacks is an empty cell; a list reads as the
    scenario's YAML writes it."""
    import csv

    from cli import app
    from typer.testing import CliRunner

    options = scenarios_dir / "options"
    paths = [scenarios_dir / "xianan-2025.yaml", options / "xianan-more-central-no-provincial-cap.yaml",
             options / "xianan-match.yaml", options / "xianan-xianning-fund.yaml"]
    for lang, present in (("en", "(present)"), ("zh", "（本方案含此项）")):
        out = CliRunner().invoke(app, ["compare", *map(str, paths), "--out", str(tmp_path / lang), "--lang", lang])
        assert out.exit_code == 0, out.output
        with open(tmp_path / lang / "inputs.csv", encoding="utf-8-sig", newline="") as f:
            rows = {r[0]: r[1:] for r in csv.reader(f)}
        # Columns: base, no provincial cap (its cap of 100 is deleted by `null`), 1:1 matching of the
        # central reward by the province and the district, 咸宁市's fund added.
        assert rows["funds.hubei_provincial.caps.per_enterprise"] == ["100.00", "", "100.00", "100.00"]
        assert rows["funds.central_reward.match.funds"] == ["", "", "[hubei_provincial, xianan_district]", ""]
        assert rows["funds.central_reward.match.ratio"] == ["", "", "1.00", ""]
        assert rows["funds.xianning_municipal"] == ["", "", "", present]
        for other in ("enterprises", "funds", "totals", "allocations"):  # the same slip anywhere else
            with open(tmp_path / lang / f"{other}.csv", encoding="utf-8-sig", newline="") as f:
                assert not {"None", "nan", "NaN"} & {cell for row in csv.reader(f) for cell in row}, other
