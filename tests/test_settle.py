"""`subsidy settle PLAN_DIR ACTUAL` (清算): the first year's planned payments kept, what the actual
figures make overpaid recovered, the later years solved again. Hand-worked, amounts in 万元."""

from __future__ import annotations

import yaml

from run_cli import run
from subsidy.allocate.settle import read_plan
from subsidy.pipeline import settle_programme as settle
from subsidy.scenario.load import load_scenario

PLAN = """fund,year,enterprise,category,amount
c1,2025,a,resettlement,60.00
c2,2025,a,resettlement,40.00
c1,2026,b,bank_debt,10.00
"""


def actual(tmp_path, c1_2025=100, c1_carry=True):
    data = {"name": "settle", "years": [2025, 2026],
            "enterprises": [{"id": "a", "name": "A", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": {2025: 70}}},
                            {"id": "b", "name": "B", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": {2026: 100}}}],
            "funds": [{"id": "c1", "name": "C1", "tranches": {2025: c1_2025, 2026: 50}, "carry_over": c1_carry,
                       "categories": ["resettlement", "bank_debt"]},
                      {"id": "c2", "name": "C2", "tranches": {2025: 50}, "categories": ["resettlement", "bank_debt"]}]}
    path = tmp_path / "actual.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = tmp_path / "plan"
    plan.mkdir(exist_ok=True)
    (plan / "allocations.csv").write_text("\ufeff" + PLAN, encoding="utf-8")
    return path, plan


def test_overpaid_is_recovered_from_the_fund_listed_last_and_the_rest_solved_again(tmp_path):
    # 2025 is settled: the plan paid a's resettlement 60 (c1) + 40 (c2) = 100; it actually cost
    # 70, so 30 is overpaid and recovered from c2 (listed last): c1 keeps 60, c2 keeps 10. The
    # plan's 2026 row is not a fact yet and is decided again. Money left: c1 100 − 60 = 40,
    # carried, + 50 in 2026 = 90; c2 50 − 10 = 40 (the recovered 30 is back in c2), carried.
    # 2026: b's bank debt 100 is paid 90 by c1 (listed first) and 10 by c2: no gap.
    path, plan = actual(tmp_path)
    st = settle(load_scenario(path), read_plan(plan / "allocations.csv"))
    assert st.by_enterprise_and_fund() == [("a", "c1", 60_00, 0, 0), ("a", "c2", 40_00, 30_00, 0),
                                           ("b", "c1", 0, 0, 90_00), ("b", "c2", 0, 0, 10_00)]
    assert st.result.summary["total_gap"] == 0.0 and st.result.summary["arrears_by_year"] == {"2025": 0.0, "2026": 0.0}
    assert st.overdrawn.tolist() == [0, 0]
    fy = st.result.fund_years  # c2: 50 arrived, 10 kept in 2025, 40 carried; 10 spent in 2026, 30 left
    assert fy["spent"][1].tolist() == [10_00, 10_00] and fy["carried_over"][1].tolist() == [40_00, 30_00]


def test_a_fund_that_does_not_carry_over_and_got_less_is_overdrawn(tmp_path):
    # c1 actually received 50 in 2025, not 100, and does not carry over: its kept 60 exceeds its
    # 2025 money by 10 (overdrawn; reported, nothing hidden). 2026: c1 has 50, c2 40 → b gets 90
    # (c1 50, c2 40), a gap of 10 × weight 1.
    path, plan = actual(tmp_path, c1_2025=50, c1_carry=False)
    st = settle(load_scenario(path), read_plan(plan / "allocations.csv"))
    assert st.overdrawn.tolist() == [10_00, 0]
    assert st.by_enterprise_and_fund()[2:] == [("b", "c1", 0, 0, 50_00), ("b", "c2", 0, 0, 40_00)]
    assert st.result.summary["total_gap"] == 10.0


def test_settle_from_the_command_line(tmp_path):
    path, plan = actual(tmp_path)
    done = run("settle", str(plan), str(path), "--out", str(tmp_path / "out"))
    assert done.code == 0, done.stderr
    assert "Settlement of 2025" in done.stdout
    lines = (tmp_path / "out" / "settlement.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "enterprise,fund,paid,to_recover,still_owed" and lines[2] == "a,c2,40.00,30.00,0.00"
    # The re-solved allocations keep the settled 2025 payments (70 in all) beside the new 2026 ones.
    alloc = (tmp_path / "out" / "allocations.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "c1,2025,a,resettlement,60.00" in alloc and "c2,2025,a,resettlement,10.00" in alloc and "c1,2026,b,bank_debt,90.00" in alloc
    # Writing over the plan it reads is refused.
    assert run("settle", str(plan), str(path), "--out", str(plan)).code == 2
