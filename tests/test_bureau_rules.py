"""Rules bureaus allocate by (issue 13), each worked by hand and solved by every method.

Per-worker standards (安置标准): `caps: {per_worker: x}` on a fund caps what the fund pays an
enterprise, all its categories together, at x × the enterprise's `workers`. It is one more term of
the fund's enterprise cap, `cap_enterprise[f,e]` = min(per_enterprise, per_capacity × capacity,
per_worker × workers), so the flow, the LP, the verifier and explain all carry it.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pandas as pd
import pytest

from subsidy.analysis.explain import explain
from subsidy.analysis.sweep import parse_vary, sweep
from subsidy.output.analysis_text import explanation_sentences
from subsidy.checks.verify import verify
from subsidy.pipeline import diagnosis, solve
from subsidy.scenario.convert import write_scenario
from subsidy.scenario.generate import generate
from subsidy.scenario.load import load_scenario, scenario_from_data

from conftest import SCENARIOS

METHODS = {"flow": {"method": "flow"}, "lp-highs": {"method": "pulp"}, "lp-cbc": {"method": "pulp", "solver": "cbc"}}

# Worked by hand (万元):
#   central: budget 500, resettlement and bank_debt, per_worker 0.8.
#     wenquan: 386 workers → cap 0.8 × 386 = 308.80; need 453.6 + 20 = 473.6 → gets 308.80.
#     hengyu:  100 workers → cap 80.00; need 342 → gets 80.00.
#     idle:    no workers → cap 0 → gets nothing (a warning says why).
#     Used 388.80 of 500: the caps bind, not the budget.
#   county: budget 1000, resettlement, scope yaohua only, per_worker 1.1751 (the chuxiong estimate
#     per worker) and per_enterprise 200: 1.1751 × 90 = 105.759 → 105.75 (a cap rounds down to
#     the fen), below 200 → yaohua gets 105.75 of its 150.
#   Gaps: wenquan 473.6 − 308.8 = 164.8, hengyu 262, idle 50, yaohua 44.25: 521.05 in all.
DATA = {
    "name": "per-worker standards",
    "enterprises": [
        {"id": "wenquan", "name": "温泉电石总厂", "region": "湖北/咸宁", "industry": "cement", "workers": 386, "costs": {"resettlement": 453.6, "bank_debt": 20}},
        {"id": "hengyu", "name": "恒宇化工", "region": "湖北/咸宁", "industry": "cement", "workers": 100, "costs": {"resettlement": 342}},
        {"id": "idle", "name": "无职工数据", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 50}},
        {"id": "yaohua", "name": "耀华水泥", "region": "湖北/咸宁", "industry": "cement", "workers": 90, "costs": {"resettlement": 150}},
    ],
    "funds": [
        {"id": "central", "name": "中央奖励资金", "budget": 500, "categories": ["resettlement", "bank_debt"],
         "scope": {"enterprises": ["wenquan", "hengyu", "idle"]}, "caps": {"per_worker": 0.8}},
        {"id": "county", "name": "县级配套", "budget": 1000, "categories": ["resettlement"], "scope": {"enterprises": ["yaohua"]},
         "caps": {"per_worker": 1.1751, "per_enterprise": 200}},
    ],
}
FUNDED_FEN = {"wenquan": 30880, "hengyu": 8000, "idle": 0, "yaohua": 10575}


@pytest.mark.parametrize("method", list(METHODS))
def test_per_worker_cap_binds_by_every_method(method):
    r = solve(scenario_from_data(DATA), **METHODS[method])
    assert r.enterprises.set_index("enterprise")["funded_fen"].to_dict() == FUNDED_FEN
    assert r.gaps.gap_fen.sum() == 52105
    slack = r.allocation.slack_of()
    for rule in ("cap_enterprise[central,wenquan]", "cap_enterprise[central,hengyu]", "cap_enterprise[county,yaohua]"):
        assert slack[rule] == pytest.approx(0, abs=1e-6)
    # The budgets have room, so one more 万元 of either is worth nothing.
    assert r.shadow_prices["central"] == pytest.approx(0) and r.shadow_prices["county"] == pytest.approx(0)


def test_explain_prices_the_per_worker_cap():
    ex = explain(scenario_from_data(DATA)).rules.set_index("rule")
    # One more 万元 of wenquan's cap pays resettlement (weight 3) or bank debt (weight 1); the
    # enterprise's resettlement gap is open, so stage 1 puts it there: 3 weighted, 1 plain.
    row = ex.loc["cap_enterprise[central,wenquan]"]
    assert row["binding"] and (row["shadow_weighted"], row["shadow_unweighted"]) == (3.0, 1.0)
    assert not ex.loc["budget[central]", "binding"]


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame([(f, e, c, Decimal(a)) for f, e, c, a in rows], columns=["fund", "enterprise", "category", "amount"])


def test_verifier_rejects_one_fen_over_the_per_worker_cap():
    s = scenario_from_data(DATA)
    at_cap = [("central", "wenquan", "resettlement", "300.80"), ("central", "wenquan", "bank_debt", "8"),
              ("central", "hengyu", "resettlement", "80"), ("county", "yaohua", "resettlement", "105.75")]
    assert verify(s, _table(at_cap)) == []
    over = [row if row[:2] != ("central", "hengyu") else (*row[:3], "80.01") for row in at_cap]
    assert [str(v) for v in verify(s, _table(over))] == ["cap_enterprise[central,hengyu]: allocated 80.01, cap 80.00 (over by 0.01)"]
    over = [row if row[:2] != ("county", "yaohua") else (*row[:3], "105.76") for row in at_cap]
    assert [str(v) for v in verify(s, _table(over))] == ["cap_enterprise[county,yaohua]: allocated 105.76, cap 105.75 (over by 0.01)"]
    assert [str(v) for v in verify(s, _table(at_cap + [("central", "idle", "resettlement", "0.01")]))] == [
        "cap_enterprise[central,idle]: allocated 0.01, cap 0.00 (over by 0.01)"]


def test_diagnosis_warns_of_an_enterprise_without_workers():
    found = [str(f) for f in diagnosis(scenario_from_data(DATA))]
    assert found == ["fund central can pay enterprise idle nothing: it caps per worker (0.8 per worker) but the "
                     "enterprise's workers are missing"]
    data = copy.deepcopy(DATA)
    data["enterprises"] = [e | {"workers": 0} for e in data["enterprises"]]
    found = [str(f) for f in diagnosis(scenario_from_data(data))]
    assert found[0] == ("fund central can pay nothing: its caps allow nothing (per_worker × workers is 0 for every "
                        "eligible enterprise, by a rate of 0 or no workers given)")


def test_per_worker_cap_round_trips_through_the_workbook(tmp_path):
    original = scenario_from_data(DATA)
    write_scenario(original, tmp_path / "s.xlsx")
    back = load_scenario(tmp_path / "s.xlsx")
    assert back.funds[1].caps.per_worker == Decimal("1.1751")
    assert back == original


def test_shipped_per_worker_option_on_xianan():
    # scenarios/options/xianan-per-worker.yaml: central_reward at 0.8 per worker.
    r = solve(load_scenario(SCENARIOS / "options" / "xianan-per-worker.yaml"))
    base = load_scenario(SCENARIOS / "xianan-2025.yaml")
    workers = {e.id: e.workers for e in base.enterprises}
    paid = r.allocations[r.allocations.fund == "central_reward"].groupby("enterprise")["amount_fen"].sum()
    # 恒宇 (100 workers) at its 80.00; 温泉 (386) at 120 by capacity, below 308.80.
    assert paid.to_dict() == {"hengyu_guihua": 8000, "wenquan": 12000}
    for ent, fen in paid.items():
        assert fen <= Decimal("0.8") * workers[ent] * 100


@pytest.mark.parametrize("method", ["auto", "pulp"])
def test_sweep_over_the_per_worker_standard(method):
    # xianan: central_reward caps carbide at 120 per 万吨 (温泉 1 万吨 → 120, 恒宇 1.5 → 180) and
    # has budget 300. At x per worker the caps are min(120, 386x) and min(180, 100x):
    #   x = 0.4: 120 + 40 = 160;  x = 1.2: 120 + 120 = 240;  x = 2: 120 + 180 = 300 (the budget).
    scenario = load_scenario(SCENARIOS / "options" / "xianan-per-worker.yaml")
    table = sweep(scenario, [parse_vary("funds.central_reward.caps.per_worker=0.4,1.2,2")], workers=1, method=method)
    assert table["used[central_reward]"].tolist() == [Decimal("160.00"), Decimal("240.00"), Decimal("300.00")]


def test_flow_and_lp_agree_with_per_worker_standards():
    # A generated scenario (120 enterprises, 5 funds) with per-worker standards on every fund,
    # tight enough to bind on some enterprises (generated resettlement is 0.3-1.2 per worker):
    # both methods reach the same stage-1 and stage-2 optima, keep every cap to the fen (the
    # verifier ran inside solve), and the per-worker caps do bind.
    data = generate(120, 5, 2)
    for fund, rate in zip(data["funds"], ["0.5", "1.1751", "0.8", "2", "0.3"]):
        fund["caps"]["per_worker"] = rate
    scenario = scenario_from_data(data)
    flow, lp = solve(scenario, method="flow"), solve(scenario, method="pulp")
    assert (flow.method, lp.method) == ("flow", "pulp")
    assert flow.weighted_gap == pytest.approx(lp.weighted_gap, rel=1e-6)
    assert flow.max_gap_share == pytest.approx(lp.max_gap_share, rel=1e-6)
    workers = {e.id: e.workers for e in scenario.enterprises}
    rates = {f.id: f.caps.per_worker for f in scenario.funds}
    paid = flow.allocations.groupby(["fund", "enterprise"])["amount_fen"].sum()
    at_per_worker_cap = [(f, e) for (f, e), a in paid.items() if a == int(rates[f] * workers[e] * 100)]
    assert at_per_worker_cap


def test_explain_says_which_cap_sets_the_limit():
    # xianan-per-worker: central_reward's cap on 恒宇 is min(120 × 1.5 万吨 = 180, 0.8 × 100 = 80) = 80,
    # set by the per-worker standard; on 温泉 min(120 × 1 = 120, 0.8 × 386 = 308.8) = 120, by capacity.
    ex = explain(load_scenario(SCENARIOS / "options" / "xianan-per-worker.yaml"))
    en = explanation_sentences(ex, "en")
    zh = explanation_sentences(ex, "zh")
    assert any(s.startswith("cap_enterprise[central_reward, hengyu_guihua (") and "binds at 80.00 (per_worker 0.8 × 100 workers):" in s for s in en)
    assert any("binds at 120.00 (per_capacity 120 × 1.0 万吨):" in s for s in en)
    assert any("单企业上限 80.00 万元（每人上限 0.8 × 100 人）起约束作用" in s for s in zh)
