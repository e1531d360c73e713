"""The tables `explain` and `close-gap` print in Chinese: each row named by the enterprise's, fund's
or rule's name in words, its id in a column of its own, never an id alone; in English the ids.

policy_case (conftest): 甲厂 e1, 乙厂 e2, 丙厂 e3; funds 甲资金 a, 乙资金 b, 丙资金 c (budget 5)."""

from __future__ import annotations

import re

from subsidy.analysis.close_gap import close_gap
from subsidy.analysis.explain import explain
from subsidy.output.analysis_text import explanation_text, gap_closure_text


def rows_under(text: str, title: str) -> tuple[list[str], list[list[str]]]:
    """The headers and rows of the plain-text table printed under `title` (cells: 2+ spaces apart)."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    body = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        body.append(re.split(r"\s{2,}", line.strip()))
    return re.split(r"\s{2,}", lines[start].strip()), body


def test_explain_tables_in_chinese_name_each_row(policy_case):
    text = explanation_text(explain(policy_case), "zh")
    headers, rules = rows_under(text, "规则：预算及起约束作用的上限")
    assert headers[:5] == ["规则", "规则代码", "限额", "已使用", "结余"]
    by_id = {r[1]: r for r in rules}
    # c's budget 5 is used up; a's per-enterprise cap 40 binds on 甲厂 (e1) and 乙厂 (e2).
    assert by_id["budget[c]"][:5] == ["丙资金预算", "budget[c]", "5.00", "5.00", "0.00"]
    assert by_id["cap_enterprise[a,e1]"][:3] == ["甲资金对甲厂的单企业上限", "cap_enterprise[a,e1]", "40.00"]
    assert by_id["cap_enterprise[a,e2]"][0] == "甲资金对乙厂的单企业上限"
    headers, gaps = rows_under(text, "各项缺口的原因")
    assert headers == ["企业名称", "企业代码", "费用类别", "原因", "资金缺口"]
    # Gaps: e1 resettlement 55 (a's cap, c used up), e2 resettlement 10 (a's cap), e2 conversion 30
    # (no fund lists it), e3 bank_debt 40 (outside b's scope): 135 in all.
    found = {(r[0], r[1], r[2]): (r[3], r[4]) for r in gaps}
    assert found == {
        ("甲厂", "e1", "职工安置费"): ("资金已用完、上限约束", "55.00"),
        ("乙厂", "e2", "职工安置费"): ("上限约束", "10.00"),
        ("乙厂", "e2", "企业转产"): ("无资金可支付该类别", "30.00"),
        ("丙厂", "e3", "银行债务"): ("无适用资金", "40.00"),
    }
    assert not re.search(r"\b(resettlement|bank_debt|conversion)\b", text)


def test_explain_tables_in_english_keep_the_ids(policy_case):
    text = explanation_text(explain(policy_case), "en")
    headers, gaps = rows_under(text, "Why each gap remains")
    assert headers == ["enterprise", "category", "reason", "gap"]
    assert ["e2", "conversion", "category_not_payable", "30.00"] in gaps


def test_close_gap_tables_in_chinese_name_each_row(policy_case):
    text = gap_closure_text(close_gap(policy_case), "zh")
    headers, funds = rows_under(text, "资金")
    assert headers == ["资金名称", "资金代码", "预算", "追加预算", "追加后预算", "单独追加所需"]
    # Only c closes the 5 budget can close (c's share cap room on e1): 5 + 5 = 10; a and b cannot alone.
    assert ["丙资金", "c", "5.00", "5.00", "10.00", "5.00"] in funds
    assert ["甲资金", "a", "100.00", "0.00", "100.00", "—"] in funds
    headers, ents = rows_under(text, "企业")
    assert headers == ["企业名称", "企业代码", "现缺口", "无资金可支付", "受上限限制", "可弥补", "追加后缺口"]
    # e1: 55 now = 50 held by a's cap + 5 closable → 50 after; e3: 40 no fund may pay (b's scope).
    assert ["甲厂", "e1", "55.00", "0.00", "50.00", "5.00", "50.00"] in ents
    assert ["丙厂", "e3", "40.00", "40.00", "0.00", "0.00", "40.00"] in ents
    # The sentence on lines outside every fund's scope names the enterprise too.
    assert "丙厂/银行债务 40.00" in text


def test_close_gap_tables_in_english_keep_the_ids(policy_case):
    headers, funds = rows_under(gap_closure_text(close_gap(policy_case), "en"), "Funds")
    assert headers[0] == "fund" and ["c", "5.00", "5.00", "10.00", "5.00"] in funds


def test_a_commitment_is_named_in_words():
    """scenarios/options/xianan-commitments.yaml: central_reward pays hengyu_guihua's resettlement
    100 (a line), xianan_district's amount for wenquan (a fund's total, no category)."""
    from conftest import SCENARIOS
    from subsidy.scenario.load import load_scenario

    text = explanation_text(explain(load_scenario(SCENARIOS / "options" / "xianan-commitments.yaml")), "zh")
    _, rules = rows_under(text, "规则：预算及起约束作用的上限")
    by_id = {r[1]: r[0] for r in rules}
    assert by_id["commitment[central_reward,hengyu_guihua,resettlement]"] == \
        "中央财政淘汰落后产能奖励资金（以奖代补）对咸宁市恒宇物资有限公司桂花电石生产车间职工安置费的已定安排"
    assert by_id["commitment[xianan_district,wenquan]"] == "咸安区淘汰落后产能配套资金对咸安区温泉电石总厂的已定安排"


def test_solve_summary_in_chinese_names_each_binding_rule_in_words_before_its_id():
    """Xian'an, solved: all three budgets are used up (300 + 150 + 100 = 550 paid), so each is a
    binding rule; in Chinese the summary names it by its fund (…预算) with the id after it."""
    from pathlib import Path

    from subsidy.output.console import render_result
    from subsidy.pipeline import solve
    from subsidy.scenario.load import load_scenario

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "xianan-2025.yaml")
    result = solve(scenario)
    zh = render_result(result, "zh").splitlines()
    assert "  中央财政淘汰落后产能奖励资金（以奖代补）预算（budget[central_reward]）" in zh
    assert "  咸安区淘汰落后产能配套资金预算（budget[xianan_district]）" in zh
    assert "  budget[central_reward]" in render_result(result, "en").splitlines()
