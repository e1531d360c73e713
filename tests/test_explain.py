"""Explain: binding rules, shadow prices (checked against re-solves), reasons for each gap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from subsidy.analysis.explain import explain, parse_rule
from subsidy.output.analysis_text import explanation_sentences, explanation_text
from subsidy.scenario.load import load_scenario, scenario_from_data
from subsidy.scenario.model import DEFAULT_CATEGORIES
from subsidy.scenario.paths import get_value, with_value
from subsidy.pipeline import solve
from subsidy.analysis.sweep import scenario_data


def test_parse_rule():
    assert parse_rule("cap_share[county,wenquan,bank_debt]") == ("cap_share", ["county", "wenquan", "bank_debt"])
    assert parse_rule("budget[a]") == ("budget", ["a"])


def test_hand_worked_rules_and_prices(policy_case):
    ex = explain(policy_case)
    rules = ex.rules.set_index("rule")
    # a: 40 + 40 of 100 used (both caps bind), b: 100 of 200, c: 5 of 5.
    assert rules.loc["budget[a]", "used"] == Decimal("80.00") and not rules.loc["budget[a]", "binding"]
    assert rules.loc["budget[b]", "left"] == Decimal("100.00") and not rules.loc["budget[b]", "binding"]
    assert rules.loc["budget[c]", "binding"]
    assert set(ex.binding["rule"]) == {"budget[c]", "cap_enterprise[a,e1]", "cap_enterprise[a,e2]"}
    # One more 万元 in c, or in either of a's caps, pays resettlement (weight 3): weighted 3, plain 1.
    for rule in ("budget[c]", "cap_enterprise[a,e1]", "cap_enterprise[a,e2]"):
        assert (rules.loc[rule, "shadow_weighted"], rules.loc[rule, "shadow_unweighted"]) == (3.0, 1.0)
        assert (rules.loc[rule, "less_weighted"], rules.loc[rule, "less_unweighted"]) == (3.0, 1.0)
    for rule in ("budget[a]", "budget[b]", "cap_share[c,e1,resettlement]"):
        assert rules.loc[rule, "shadow_weighted"] == 0.0 and rules.loc[rule, "shadow_unweighted"] == 0.0


def test_hand_worked_gap_reasons(policy_case):
    gaps = explain(policy_case).gaps.set_index(["enterprise", "category"])
    assert gaps.loc[("e1", "resettlement"), "reason"] == "funds_exhausted+cap_binds"
    assert sorted(gaps.loc[("e1", "resettlement"), "blockers"]) == [("a", "cap_enterprise", "cap_enterprise[a,e1]"),
                                                                     ("c", "budget", "budget[c]")]
    assert gaps.loc[("e2", "resettlement"), "reason"] == "cap_binds"
    assert gaps.loc[("e2", "conversion"), "reason"] == "category_not_payable"
    assert gaps.loc[("e3", "bank_debt"), "reason"] == "no_eligible_fund"
    assert gaps.loc[("e3", "bank_debt"), "payers"] == ["b"]
    assert sum(gaps["gap"]) == Decimal("135.00")


def test_sentences_in_both_languages(policy_case):
    ex = explain(policy_case)
    en = "\n".join(explanation_sentences(ex, "en"))
    zh = "\n".join(explanation_sentences(ex, "zh"))
    # c may pay e1 up to its share cap, 0.1 × 100 = 10: 5 more at weight 3; 5 less cost 3 each.
    assert ("c budget (5.00) is fully used; each 万元 of the first 5.00 万元 more would reduce the weighted gap by 3.00 "
            "and the gap by 1.00 万元 (beyond that, less); each 万元 of the first 5.00 万元 less would add 3.00 to the "
            "weighted gap and 1.00 万元 to the gap.") in en
    # a has 20 left and e1 55 of resettlement open: its cap on e1 is worth 3 for 20 more.
    assert "cap_enterprise[a, e1 (甲厂)] binds at 40.00: each 万元 of the first 20.00 万元 more would reduce the weighted gap by 3.00" in en
    assert "cap_enterprise[a, e1 (甲厂)] binds at 40.00" in en
    assert "conversion 30.00, no fund may pay this category" in en
    assert "the funds that pay it (b) do not cover this enterprise" in en
    assert ("丙资金预算 5.00 万元已全部使用；增加的前 5.00 万元内，每增加 1 万元，加权缺口减少 3.00，资金缺口减少 1.00 万元"
            "（超出部分作用更小）；减少的前 5.00 万元内，每减少 1 万元，加权缺口增加 3.00，资金缺口增加 1.00 万元。") in zh
    assert "企业转产 30.00 万元，没有任何资金可支付此类费用" in zh
    assert "原因" in explanation_text(ex, "zh") and "shadow_price_weighted" in explanation_text(ex, "en")


def _unweighted(data: dict) -> dict:
    """The same scenario with every category weighing 1: its stage-1 optimum is the plain gap."""
    cats = dict(data.get("categories") or {})
    for name in list(DEFAULT_CATEGORIES) + list(cats):
        cats[name] = {**cats.get(name, {}), "weight": 1}
    return {**data, "categories": cats}


def _bumped(scenario, rule: str, kind: str, args: list[str], delta: Decimal):
    """The scenario with the rule's bound moved by `delta` (in the scenario unit)."""
    data = scenario_data(scenario)
    if kind == "budget":
        path = f"funds.{args[0]}.budget"
        return with_value(data, path, get_value(data, path) + delta)
    fund = next(f for f in scenario.funds if f.id == args[0])
    ent = next(e for e in scenario.enterprises if e.id == args[1])
    if kind == "cap_enterprise":
        rate = fund.caps.per_capacity.get(ent.industry)
        if fund.caps.per_enterprise is not None and (rate is None or fund.caps.per_enterprise <= rate * ent.capacity.amount):
            return with_value(data, f"funds.{fund.id}.caps.per_enterprise", fund.caps.per_enterprise + delta)
        # The rate is shared by every enterprise of the industry: move this one's capacity instead.
        return with_value(data, f"enterprises.{ent.id}.capacity.amount", ent.capacity.amount + delta / rate)
    raise AssertionError(f"no finite difference for {rule}")  # cap_share: see the hand-worked test


def _stage1(data: dict) -> float:
    return solve(scenario_from_data(data)).weighted_gap


@pytest.mark.parametrize("name", ["xianan-2025.yaml", "chuxiong-2025.yaml", "linzi-portfolio.yaml",
                                  "options/xianan-more-central.yaml"])
def test_shadow_prices_match_finite_differences(scenarios_dir, name):
    """Every budget and binding per-enterprise cap: one fen more and one fen less, re-solved."""
    scenario = load_scenario(scenarios_dir / name)
    ex = explain(scenario)
    base_w = solve(scenario).weighted_gap
    base_u = _stage1(_unweighted(scenario_data(scenario)))
    delta = Decimal("0.01")
    checked = 0
    for r in ex.rules.itertuples(index=False):
        if r.kind not in ("budget", "cap_enterprise") or not (r.kind == "budget" or r.binding):
            continue
        kind, args = parse_rule(r.rule)
        up, down = _bumped(scenario, r.rule, kind, args, delta), _bumped(scenario, r.rule, kind, args, -delta)
        more_w = (base_w - _stage1(up)) / float(delta)
        less_w = (_stage1(down) - base_w) / float(delta)
        more_u = (base_u - _stage1(_unweighted(up))) / float(delta)
        less_u = (_stage1(_unweighted(down)) - base_u) / float(delta)
        assert r.shadow_weighted == pytest.approx(more_w, abs=1e-3), r.rule
        assert r.less_weighted == pytest.approx(less_w, abs=1e-3), r.rule
        assert r.shadow_unweighted == pytest.approx(more_u, abs=1e-3), r.rule
        assert r.less_unweighted == pytest.approx(less_u, abs=1e-3), r.rule
        checked += 1
    assert checked >= 3


def test_share_cap_price_matches_finite_difference(policy_case):
    """Raising c's share cap on e1 by 1 万元 (0.1 → 0.11 of 100) while c has budget to spare."""
    data = with_value(scenario_data(policy_case), "funds.c.budget", Decimal(50))
    ex = explain(scenario_from_data(data))
    rule = ex.rules.set_index("rule").loc["cap_share[c,e1,resettlement]"]
    assert rule["binding"] and rule["bound"] == Decimal("10.00")
    up = _stage1(with_value(data, "funds.c.caps.share_of_need", Decimal("0.11")))
    assert rule["shadow_weighted"] == pytest.approx(_stage1(data) - up) == 3.0


def test_degenerate_budget_and_caps_give_one_sided_prices(scenarios_dir):
    """The option gives central 400 with caps 160 + 240 = 400: more budget alone closes nothing,
    less budget costs 1 per 万元 (the gap is bank debt, weight 1)."""
    ex = explain(load_scenario(scenarios_dir / "options" / "xianan-more-central.yaml"))
    central = ex.rules.set_index("rule").loc["budget[central_reward]"]
    assert (central["shadow_weighted"], central["less_weighted"]) == (0.0, 1.0)
    assert "one more 万元 alone would close nothing; each 万元 of the first" in "\n".join(explanation_sentences(ex))
    assert central["increase_weighted"] is None  # a price of 0 holds without end


def test_bindings_csv_leaves_a_range_without_end_empty(tmp_path, scenarios_dir):
    """explain --out: bindings.csv wrote Python's `None` where a price has no range (a commitment's
    is one-sided at its side, README "explain"), and English range headers under --lang zh."""
    import csv

    from cli import app
    from typer.testing import CliRunner

    option = scenarios_dir / "options" / "xianan-commitments.yaml"
    for lang, heads in (("en", ["rule", "value", "bound", "shadow_price", "allowable_increase", "allowable_decrease"]),
                        ("zh", ["规则", "数值", "限额", "影子价格", "允许增加量", "允许减少量"])):
        out = CliRunner().invoke(app, ["explain", str(option), "--out", str(tmp_path / lang), "--lang", lang])
        assert out.exit_code == 0, out.output
        with open(tmp_path / lang / "bindings.csv", encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == heads
        by_rule = {r[0]: r[1:] for r in rows[1:]}
        # Central money pays 恒宇's resettlement exactly 100 (the commitment's amount: used = bound);
        # one 万元 more of it closes weight-3 resettlement, 3.00 (README); no range: two empty cells.
        assert by_rule["commitment[central_reward,hengyu_guihua,resettlement]"] == ["100.00", "100.00", "3.0", "", ""]
        # The district's at_most 0 for 温泉 binds at 0 and is worth nothing.
        assert by_rule["commitment[xianan_district,wenquan]"] == ["0.00", "0.00", "0.0", "", ""]
        assert not {"None", "nan"} & {cell for row in rows for cell in row}
