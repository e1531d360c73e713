"""The factor method with `share` < 1 (issue 13): only that part of the budget is split between
regions by factors; the rest (the pool, 不分地区) tops up any region.

Worked by hand (万元), the two-region example of tests/test_distribution.py with `share: 0.8`:
  budget 100.00 = 10,000 fen; D = ⌊0.8 × 10,000⌋ = 8,000 fen split by the factors, U = 2,000 fen.
  share(湖北) = 8321/13860, share(湖南) = 5539/13860 (as without a pool).
  湖北 8000·8321/13860 = 4802 + 0.886…, 湖南 8000·5539/13860 = 3197 + 0.113…; floors 4802 + 3197
  = 7999, the fen left to 湖北 (0.886 > 0.113): 湖北 48.03, 湖南 31.97; the pool 20.00.
  湖南 needs 30 of its 31.97 (1.97 stays unspent: only the pool moves between regions).
  湖北 needs 110 and gets 48.03 + the whole pool 20.00 = 68.03, split by stage 2 at equal gap
  shares (41.97/110 = 38.15 %): hb1 49.47, hb2 18.56. Gap 41.97, weighted 3 × 41.97 = 125.91
  (without the pool: 149.88). Paid 98.03 of 100.00.
  One 万元 more for 湖北's amount, or for the pool, closes 1 (3 weighted) for the first 1.97:
  then the budget (98.03 used of 100.00) binds.
"""

from __future__ import annotations

import copy
import csv
import random
from fractions import Fraction

import pytest

import rational_lp
from run_cli import run
from test_distribution import DATA, METHODS, _generated
from subsidy.allocate.distribution import pool_fen, region_amounts
from subsidy.analysis.close_gap import close_gap
from subsidy.analysis.explain import explain
from subsidy.analysis.sweep import parse_vary, sweep
from subsidy.checks.verify import verify
from subsidy.checks.verify_distribution import pool_amount, region_caps
from subsidy.output.analysis_text import explanation_sentences
from subsidy.pipeline import RulesConflict, solve
from subsidy.scenario.load import scenario_from_data


def _pooled(share=0.8, data=DATA) -> dict:
    out = copy.deepcopy(data)
    out["funds"][0]["distribution"]["share"] = share
    return out


def test_the_regions_split_share_times_the_budget_and_the_rest_is_the_pool():
    s = scenario_from_data(_pooled())
    hubei, hunan = region_amounts(s, s.funds[0])
    assert (hubei.share, hunan.share) == (Fraction(8321, 13860), Fraction(5539, 13860))
    assert (hubei.amount_fen, hunan.amount_fen, pool_fen(s.funds[0])) == (4803, 3197, 2000)
    # The verifier's own reading gives the same fen.
    assert region_caps(s, s.funds[0])[0] == {"湖北": 4803, "湖南": 3197} and pool_amount(s.funds[0]) == 2000
    # share 1 is the factor method without a pool; above 1 is refused, in both languages.
    s1 = scenario_from_data(_pooled(1))
    assert [r.amount_fen for r in region_amounts(s1, s1.funds[0])] == [6004, 3996] and pool_fen(s1.funds[0]) == 0
    with pytest.raises(Exception, match="share.*from 0 to 1, got 1.2 / 按因素分配的预算比例应在 0 到 1 之间"):
        scenario_from_data(_pooled(1.2))


def test_an_odd_budget_leaves_the_pool_the_fen_the_share_does_not_make_whole():
    # 0.8 × 10,001 fen = 8,000.8: D = 8,000 (rounded down), so the pool is 2,001 fen.
    data = _pooled()
    data["funds"][0]["budget"] = 100.01
    s = scenario_from_data(data)
    assert sum(r.amount_fen for r in region_amounts(s, s.funds[0])) == 8000 and pool_fen(s.funds[0]) == 2001
    assert pool_amount(s.funds[0]) == 2001


@pytest.mark.parametrize("method", list(METHODS))
def test_the_pool_tops_up_the_region_that_needs_it_by_every_method(method):
    r = solve(scenario_from_data(_pooled()), **METHODS[method])
    funded = {row.enterprise: row.amount_fen for row in r.allocations.itertuples()}
    assert funded == {"hb1": 4947, "hb2": 1856, "hn1": 3000}  # 湖北 48.03 + 20.00 = 68.03
    assert r.weighted_gap == pytest.approx(125.91, abs=1e-9)
    assert r.binding_rules() == ["distribution[central_reward,湖北]", "distribution_pool[central_reward]"]
    t = r.distribution_table().columns
    assert t["region"] == ["湖北", "湖南", "*"]
    # used counts what the region's enterprises get, pool money too; the pool's row what it gave.
    assert t["amount"].tolist() == [4803, 3197, 2000] and t["used"].tolist() == [6803, 3000, 2000]


@pytest.mark.parametrize("solver", ["highs", "cbc"])  # the flow's residual graph, and the LP's dual face (CBC)
def test_explain_prices_the_region_and_the_pool(solver):
    s = scenario_from_data(_pooled())
    ex = explain(s, solver)
    rules = ex.rules.set_index("rule")
    for name in ("distribution[central_reward,湖北]", "distribution_pool[central_reward]"):
        row = rules.loc[name]
        assert bool(row.binding) and row.shadow_weighted == 3.0 and row.shadow_unweighted == 1.0, name
        assert str(row.increase_weighted) == "1.97", name  # then the budget binds (98.03 of 100.00 used)
    assert rules.loc["distribution[central_reward,湖南]"].shadow_weighted == 0.0
    en, zh = explanation_sentences(ex, "en"), explanation_sentences(ex, "zh")
    assert any(w.startswith("distribution_pool[central_reward] binds at 20.00 (the part of the budget not tied to a region") for w in en)
    assert "hb1 (湖北一厂) has a gap of 30.53 万元 (38.2% of its residual need): resettlement 30.53, because what the factor method " \
           "gives its region of central_reward is used up, so is the part of central_reward not tied to a region." in en
    assert any(w.startswith("中央奖补资金不分地区的部分 20.00 万元（可补充任一地区）起约束作用") for w in zh)


def test_the_lp_prices_the_pool_exactly_as_the_flow():
    s = scenario_from_data(_pooled())
    flow, lp = solve(s, method="flow"), solve(s, method="pulp")
    names = flow.rules.bound_names()
    asked = [names.index("distribution[central_reward,湖南]"), names.index("distribution_pool[central_reward]")]
    for r in (flow, lp):  # 湖南's amount has room (0 both ways); the pool saves 3 per 万元 either way
        more, less = r.allocation.prices.marginal_values(asked)
        assert more.tolist() == [0.0, 3.0] and less.tolist() == [0.0, 3.0]
        increase, decrease = r.allocation.prices.price_ranges(asked)
        # the pool: 1.97 more (then the budget binds), all 20.00 less (湖北 keeps its own 48.03)
        assert (int(increase[1]), int(decrease[1])) == (197, 2000)
    assert [v.tolist() for v in lp.allocation.prices.price_ranges(asked)] == [v.tolist() for v in flow.allocation.prices.price_ranges(asked)]


def test_the_verifier_reads_the_pool_and_rejects_one_fen_beyond_it():
    s = scenario_from_data(_pooled())
    frame = solve(s).exact("allocations")
    assert verify(s, frame) == []
    cent = frame.amount.iloc[0].__class__("0.01")
    # One fen more to hb1: 湖北 is paid 68.04 = 48.03 + 20.01, beyond its amount by 20.01, the pool is 20.00.
    broken = frame.copy()
    broken.loc[broken.enterprise == "hb1", "amount"] += cent
    found = verify(s, broken)
    assert [v.rule for v in found] == ["distribution_pool[central_reward]"]
    assert found[0].said("en").endswith("pays regions 湖北 20.01 beyond the factor method's amounts, the part not split by region is 20.00 (over by 0.01)")
    assert found[0].said("zh").endswith("地区 湖北 超出因素法分配额共 20.01，不分地区部分为 20.00（超出 0.01）")
    # Read against 湖南 needing 40 (room on its line), the regions may share the pool in any way:
    # 湖北 19.00 over its amount (67.03), 湖南 1.00 over (32.97 = 31.97 + 1.00), 20.00 in all.
    roomy = _pooled()
    roomy["enterprises"][2]["costs"] = {"resettlement": 40}
    s40 = scenario_from_data(roomy)
    shared = frame.copy()
    shared.loc[shared.enterprise == "hb1", "amount"] -= cent * 100
    shared.loc[shared.enterprise == "hn1", "amount"] += cent * 297
    assert verify(s40, shared) == []
    # One fen more to 湖南: 20.01 beyond the amounts in all. (With every region over its amount
    # the pool's excess is the budget's too: 100.01 paid; the pool is flagged, named, beside it.)
    shared.loc[shared.enterprise == "hn1", "amount"] += cent
    assert [v.rule for v in verify(s40, shared)] == ["budget[central_reward]", "distribution_pool[central_reward]"]
    assert verify(s40, shared)[1].said("en").endswith("pays regions 湖北, 湖南 20.01 beyond the factor method's amounts, "
                                                      "the part not split by region is 20.00 (over by 0.01)")


def test_distribution_csv_has_the_pool_row(tmp_path):
    from subsidy.scenario.convert import write_scenario

    write_scenario(scenario_from_data(_pooled()), tmp_path / "pooled.yaml")
    done = run("solve", tmp_path / "pooled.yaml", "--out", tmp_path / "out", "--lang", "en")
    assert done.code == 0, done.stderr
    with open(tmp_path / "out" / "distribution.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["region"], r["share"], r["amount"], r["used"]) for r in rows] == [
        ("湖北", "0.6003607504", "48.03", "68.03"), ("湖南", "0.3996392496", "31.97", "30.00"), ("*", "", "20.00", "20.00")]
    from openpyxl import load_workbook

    from subsidy.output.result_xlsx import result_workbook

    (tmp_path / "r.xlsx").write_bytes(result_workbook(solve(scenario_from_data(_pooled())), "zh"))
    ws = load_workbook(tmp_path / "r.xlsx")["因素法分配表"]
    assert [c.value for c in ws[5]][2:9] == ["湖北", 43, 150, 1.2, 0.6003607504, 48.03, 68.03]
    assert [c.value for c in ws[7]][2:] == ["（不分地区）", None, None, None, None, 20, 20, "=H7-I7"]


def test_the_workbook_carries_the_share_and_locates_a_slip(tmp_path):
    from openpyxl import load_workbook

    from subsidy.scenario.convert import write_scenario
    from subsidy.scenario.load import load_scenario

    s = scenario_from_data(_pooled())
    write_scenario(s, tmp_path / "pooled.xlsx")
    assert load_scenario(tmp_path / "pooled.xlsx") == s
    wb = load_workbook(tmp_path / "pooled.xlsx")
    assert [c.value for c in wb["因素法"][3]] == ["central_reward", 1, 0.5, 0.3, 0.2, 0.8]
    wb["因素法"]["F3"] = 1.5
    wb.save(tmp_path / "slip.xlsx")
    done = run("validate", tmp_path / "slip.xlsx", "--lang", "en")
    assert done.code == 2 and "因素法!F3" in done.stderr


def test_close_gap_grows_the_regions_and_the_pool_with_the_budget():
    # 湖北 needs 41.97 more; each fen of budget gives it 0.8 × 8321/13860 + 0.2 = 11786/17325 of a
    # fen (its share of the split part, and the pool): 4197 × 17325/11786 = 6169.4… → 61.70 (rounded
    # up). Solved again at 161.70: D = 12,936 fen, 湖北 7766.27 → 77.66 (湖南 5169.73 takes the fen
    # left), the pool 32.34: 77.66 + 32.34 = 110.00 and the gap closes.
    closure = close_gap(scenario_from_data(_pooled()))
    assert str(closure.total_extra) == "61.70"
    assert closure.after is not None and closure.after.total("gaps", "gap") == 0


def test_minimum_coverage_beyond_a_region_and_its_pool_is_a_conflict_of_both():
    # hb1's resettlement covered in full needs 80 from 湖北, which has at most 48.03 + 20.00 = 68.03.
    data = _pooled()
    data["policy"] = {"minimum_coverage": {"resettlement": 1.0}}
    data["enterprises"] = [e for e in data["enterprises"] if e["id"] != "hb2"]
    with pytest.raises(RulesConflict) as caught:  # the diagnosis sees 110 > 100 in all: solved on to reach the stages
        solve(scenario_from_data(data), on_findings=lambda findings: None)
    assert {"coverage[hb1,resettlement]", "distribution[central_reward,湖北]", "distribution_pool[central_reward]"} <= set(caught.value.rules)
    # At 0.75 (60 of 80) it fits: the LP solves it (the flow does not carry coverage), as the reference does.
    data["policy"] = {"minimum_coverage": {"resettlement": 0.75}}
    r = solve(scenario_from_data(data))
    assert Fraction(str(round(r.weighted_gap, 6))) == rational_lp.whole_step_weighted_gap(_plain(data))


def _plain(data: dict) -> dict:
    """The reference reads amounts as text (fen exact)."""
    return {**data, "funds": [{**f, "caps": {k: str(v) for k, v in f.get("caps", {}).items()}, "budget": str(f["budget"])} for f in data["funds"]],
            "enterprises": [{**e, "costs": {c: str(v) for c, v in e["costs"].items()}} for e in data["enterprises"]]}


@pytest.mark.parametrize("seed", range(16))
def test_flow_lp_and_the_rational_reference_agree_with_a_pool(seed):
    data = _generated(seed)
    data["funds"][0]["distribution"]["share"] = random.Random(f"pool-{seed}").choice([0.5, 0.6, 0.8, 0.9])
    s = scenario_from_data(data)
    flow, lp = solve(s, method="flow"), solve(s, method="pulp")  # each verified before it is returned
    best = rational_lp.whole_step_weighted_gap(_plain(data))
    assert Fraction(str(round(flow.weighted_gap, 6))) == best == Fraction(str(round(lp.weighted_gap, 6)))
    assert flow.max_gap_share == pytest.approx(lp.max_gap_share, abs=1e-12)
    # Where the pool is used up, one fen more to a region already beyond its amount is caught, by name.
    t = flow.distribution_table().columns
    pool_row = t["region"].index("*")
    if t["used"][pool_row] == t["amount"][pool_row] > 0:
        caps, region_of = region_caps(s, s.funds[0])
        frame = flow.exact("allocations")
        over = [r for r, a, u in zip(t["region"][:pool_row], t["amount"].tolist(), t["used"].tolist()) if u > a]
        row = next(i for i, (f, e, amt) in enumerate(zip(frame.fund, frame.enterprise, frame.amount))
                   if f == "central" and region_of.get(e) == over[0] and amt > 0)
        broken = frame.copy()
        broken.loc[row, "amount"] += frame.amount.iloc[0].__class__("0.01")
        found = [v for v in verify(s, broken) if v.rule == "distribution_pool[central]"]
        assert found and "(over by 0.01)" in found[0].said("en") and "（超出 0.01）" in found[0].said("zh")


def test_the_generated_pools_are_used_up_often_enough():
    """The one-fen check above runs only where the pool is used up: it must be so in enough cases."""
    full = 0
    for seed in range(16):
        data = _generated(seed)
        data["funds"][0]["distribution"]["share"] = random.Random(f"pool-{seed}").choice([0.5, 0.6, 0.8, 0.9])
        t = solve(scenario_from_data(data), method="flow").distribution_table().columns
        k = t["region"].index("*")
        full += int(t["used"][k] == t["amount"][k] > 0)
    assert full >= 5


def test_a_sweep_over_the_share():
    # share 0.6: D = 60.00, 湖北 6000·8321/13860 = 3602.16…, 湖南 2397.83… → 36.02 and 23.98 (the fen
    # left to 湖南, .83 > .16), the pool 40.00. 湖北 is 73.98 short of its 110 and 湖南 6.02 of its
    # 30: the pool's 40 all goes, every 0.01 of the budget is paid, and the gap is 140 − 100 = 40.00.
    # share 0.8: 41.97 (the worked example); share 1: 49.96 (tests/test_distribution.py).
    table = sweep(scenario_from_data(_pooled()), [parse_vary("funds.central_reward.distribution.share=0.6,0.8,1")], workers=1)
    gaps = dict(zip(table["funds.central_reward.distribution.share"].astype(float), table["total_gap"].astype(float)))
    assert gaps == {0.6: pytest.approx(40.0), 0.8: pytest.approx(41.97), 1.0: pytest.approx(49.96)}
