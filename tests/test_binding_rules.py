"""One place says which rules bind (`allocate.binding.rule_states`): `solve`'s console list
(起约束作用的规则, `Result.binding_rules`) and `explain`'s binding rows are the same list, every kind
of rule included: commitments, minimum coverage and 配套 match rows too (the console used to list
only budgets, caps, regions and pools). Checked on the shipped Xian'an options, names and amounts
worked by hand from scenarios/xianan-2025.yaml:

- budgets: central_reward 300, hubei_provincial 150, xianan_district 100 (万元);
- central_reward pays resettlement, bank_debt… to both, capped at 120 per 万吨 of carbide:
  温泉 1.0 万吨 → 120, 恒宇 1.5 万吨 → 180; hubei_provincial is capped at 100 for 恒宇;
- 恒宇's resettlement 342, no own funds; 温泉's bank_debt 350.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SCENARIOS

from subsidy.analysis.explain import explain
from subsidy.output.console import render_result
from subsidy.pipeline import solve
from subsidy.scenario.load import load_scenario


def printed_rules(text: str) -> list[str]:
    """The rule ids `solve` prints under its binding heading (en: one id per indented line)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Rules that bind"))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def solved(option: str):
    scenario = load_scenario(SCENARIOS / "options" / f"{option}.yaml")
    result = solve(scenario)
    ex = explain(scenario, result=result)
    printed = printed_rules(render_result(result, "en", rows=0))
    return result, ex, printed


def amounts(ex, rule: str) -> tuple[Decimal, Decimal, Decimal, bool]:
    row = ex.rules.set_index("rule").loc[rule]
    return row["bound"], row["used"], row["left"], bool(row["binding"])


def test_commitments_bind_in_the_console_as_in_explain():
    # xianan-commitments: central pays 恒宇's resettlement exactly 100 (a least and a most of 100:
    # it sits at both); the district pays 温泉 at most 0 and pays 0 (at its most); the province pays
    # 恒宇 at least 50 but pays it 100 (its cap for 恒宇), so that one has 100 − 50 = 50 of room.
    result, ex, printed = solved("xianan-commitments")
    assert printed == result.binding_rules() == ex.binding["rule"].tolist()
    assert printed == [
        "budget[hubei_provincial]", "budget[xianan_district]",
        "cap_enterprise[central_reward,wenquan]", "cap_enterprise[hubei_provincial,hengyu_guihua]",
        "commitment[central_reward,hengyu_guihua,resettlement]", "commitment[xianan_district,wenquan]",
    ]
    assert amounts(ex, "commitment[central_reward,hengyu_guihua,resettlement]") == (Decimal("100.00"), Decimal("100.00"), 0, True)
    assert amounts(ex, "commitment[xianan_district,wenquan]") == (0, 0, 0, True)
    assert amounts(ex, "commitment[hubei_provincial,hengyu_guihua]") == (Decimal("50.00"), Decimal("100.00"), Decimal("50.00"), False)
    # central: 120 to 温泉 (its cap) + 100 to 恒宇 (the commitment; central pays 恒宇 nothing else it
    # lists) = 220 of 300, so its budget has 80 left and does not bind.
    assert amounts(ex, "budget[central_reward]") == (Decimal("300.00"), Decimal("220.00"), Decimal("80.00"), False)


def test_minimum_coverage_binds_in_the_console_as_in_explain():
    # xianan-coverage: resettlement in full, bank_debt to 60 %: 恒宇's resettlement needs 1.0 × 342
    # = 342 from the funds (no own funds), and 温泉's bank_debt 0.6 × 350 = 210 (own funds and public
    # money together); the allocation gives each exactly its least.
    result, ex, printed = solved("xianan-coverage")
    assert printed == result.binding_rules() == ex.binding["rule"].tolist()
    assert printed[-2:] == ["coverage[hengyu_guihua,resettlement]", "coverage[wenquan,bank_debt]"]
    assert amounts(ex, "coverage[hengyu_guihua,resettlement]") == (Decimal("342.00"), Decimal("342.00"), 0, True)
    assert amounts(ex, "coverage[wenquan,bank_debt]") == (Decimal("210.00"), Decimal("210.00"), 0, True)
    # every budget is spent: 300 + 150 + 100
    assert {"budget[central_reward]", "budget[hubei_provincial]", "budget[xianan_district]"} <= set(printed)


def test_match_rows_bind_in_the_console_as_in_explain():
    # xianan-match, 1:1: the province and district give 150 + 100 = 250 in all, so central can pay
    # at most 250 (of its 300). Per enterprise: 恒宇 gets 100 (province, its cap) + 71 (district)
    # = 171 of co-funding, 温泉 the province's other 50 + the district's other 29 = 79; central
    # matches each exactly: 171 + 79 = 250. Each row is at its bound: central could not pay one fen
    # more without one more fen of co-funding.
    result, ex, printed = solved("xianan-match")
    assert printed == result.binding_rules() == ex.binding["rule"].tolist()
    assert printed == ["budget[hubei_provincial]", "budget[xianan_district]", "cap_enterprise[hubei_provincial,hengyu_guihua]",
                       "match[central_reward,hengyu_guihua]", "match[central_reward,wenquan]"]
    hengyu, wenquan = amounts(ex, "match[central_reward,hengyu_guihua]"), amounts(ex, "match[central_reward,wenquan]")
    assert hengyu == (Decimal("171.00"), Decimal("171.00"), 0, True)
    assert wenquan == (Decimal("79.00"), Decimal("79.00"), 0, True)
    assert hengyu[1] + wenquan[1] == Decimal("150") + Decimal("100")
    paid = result.allocations
    central = paid[paid["fund"] == "central_reward"].groupby("enterprise")["amount_fen"].sum()
    assert central.to_dict() == {"hengyu_guihua": 17100, "wenquan": 7900}
    local = paid[paid["fund"] != "central_reward"].groupby(["fund", "enterprise"])["amount_fen"].sum()
    assert local.to_dict() == {("hubei_provincial", "hengyu_guihua"): 10000, ("hubei_provincial", "wenquan"): 5000,
                               ("xianan_district", "hengyu_guihua"): 7100, ("xianan_district", "wenquan"): 2900}


@pytest.mark.parametrize("option", ["xianan-per-worker", "linzi-factor-share"])
def test_caps_regions_and_pools_are_one_list_too(option):
    # per-worker caps are terms of cap_enterprise; the factor method's regions and pool are
    # distribution[…] and distribution_pool[…]: the console's list is explain's here as well.
    result, ex, printed = solved(option)
    assert printed == result.binding_rules() == ex.binding["rule"].tolist()
    if option == "xianan-per-worker":
        # 0.8 万元 per worker × 恒宇's 100 workers = 80, below its 180 by capacity: the per-worker term sets it
        assert amounts(ex, "cap_enterprise[central_reward,hengyu_guihua]") == (Decimal("80.00"), Decimal("80.00"), 0, True)
    else:
        # the pool's 500.00 (20 % of central's 2,500) is used in full
        assert amounts(ex, "distribution_pool[central_reward]") == (Decimal("500.00"), Decimal("500.00"), 0, True)


def test_the_chinese_console_names_a_match_row_in_words_before_its_id():
    scenario = load_scenario(SCENARIOS / "options" / "xianan-match.yaml")
    text = render_result(solve(scenario), "zh", rows=0)
    assert ("中央财政淘汰落后产能奖励资金（以奖代补）对咸宁市恒宇物资有限公司桂花电石生产车间的配套"
            "（match[central_reward,hengyu_guihua]）") in text
