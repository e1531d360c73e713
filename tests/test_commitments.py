"""Commitments (issue 13): decisions already taken, which the optimiser works around.

Worked by hand (万元). e1: resettlement 100 (weight 3), bank_debt 100 (weight 1); e2: resettlement 80.
Fund a: budget 150, pays resettlement and bank debt; fund b: budget 50, resettlement only.
Without commitments resettlement (180) is paid first: b 50 and a 130, a's last 20 to bank debt:
weighted gap 80 × 1 = 80.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rational_lp
from run_cli import run
from subsidy.analysis.close_gap import close_gap
from subsidy.analysis.explain import explain
from subsidy.analysis.sweep import parse_vary, sweep
from subsidy.checks.verify import verify
from subsidy.output.analysis_text import explanation_sentences
from subsidy.pipeline import diagnosis, solve
from subsidy.scenario.convert import write_scenario
from subsidy.scenario.load import load_scenario, scenario_from_data

from conftest import SCENARIOS
from fuzz_scenarios import FUZZ, scenario_data

DATA = {
    "name": "commitments",
    "enterprises": [{"id": "e1", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 100, "bank_debt": 100}},
                    {"id": "e2", "name": "乙", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 80}}],
    "funds": [{"id": "a", "name": "甲资金", "budget": 150, "categories": ["resettlement", "bank_debt"]},
              {"id": "b", "name": "乙资金", "budget": 50, "categories": ["resettlement"]}],
}
LP = {"flow": {"method": "flow"}, "lp-highs": {"method": "pulp"}, "lp-cbc": {"method": "pulp", "solver": "cbc"}}  # every method that carries them


def with_commitments(*items) -> dict:
    data = copy.deepcopy(DATA)
    data["commitments"] = list(items)
    return data


def paid(result, fund, enterprise, category=None) -> int:
    """What `fund` pays `enterprise` (in `category`, if given), in fen (the exact column: the
    library's unit columns are float64 since issue 12)."""
    rows = result.allocations
    hit = rows[(rows.fund == fund) & (rows.enterprise == enterprise) & ((rows.category == category) if category else True)]
    return int(hit.amount_fen.sum())


@pytest.mark.parametrize("method", list(LP))
def test_an_amount_is_paid_exactly_and_the_rest_works_around_it(method):
    # 常务会: a pays e1's bank debt exactly 60. a has 90 left for resettlement, b 50: 140 of 180.
    # Weighted gap 3 × 40 + 1 × 40 = 160; total gap 80. Fairness splits the resettlement gap
    # g1 + g2 = 40 so that (40 + g1)/200 = g2/80: g1 = 120/7, largest share (40 + 120/7)/200 = 2/7.
    # In whole fen each keeps ⌊(1 − 2/7) × need⌋: e1 ⌊14285.7⌋ = 14285 of 20000, e2 ⌊5714.3⌋ = 5714
    # of 8000, 13999 of the 14000 fen for resettlement and bank debt past the 6000; the last fen
    # goes to e2 (tie-break), so e1's share (20000 − 14285)/20000 = 0.28575 is the largest; no
    # whole-fen split does better (14286/5714 leaves e2 at 2286/8000 = 0.28575).
    r = solve(scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60,
                                                   "source": "常务会纪要 2025-3"})), **LP[method])
    assert paid(r, "a", "e1", "bank_debt") == 6000
    assert r.weighted_gap == pytest.approx(160)
    assert r.gaps.gap_fen.sum() == 8000
    assert r.max_gap_share == 0.28575
    assert r.summary["max_gap_share_bound"] == pytest.approx(2 / 7, abs=1e-6)


def test_the_flow_method_carries_a_most_and_auto_stays_on_it():
    # a may give e1 at most 50 in all (a weighted gap of 100, as the LP finds below): a
    # commitment is a bound on one arc of the flow (`flow_leasts`), so auto keeps the flow.
    s = scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "at_most": 50}))
    r = solve(s)
    assert r.method == "flow" and r.summary["method_note"].endswith("commitments and minimum coverage as lower bounds on arcs")
    assert r.weighted_gap == pytest.approx(100) and paid(r, "a", "e1") == 5000


def test_a_least_that_the_optimum_already_meets_changes_nothing():
    # The optimum pays e1's bank debt 20 ≥ 10: weighted gap 80 as without it.
    r = solve(scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "at_least": 10})))
    assert r.weighted_gap == pytest.approx(80) and paid(r, "a", "e1", "bank_debt") >= 1000
    assert not explain(r.scenario, result=r).rules.set_index("rule").loc["commitment[a,e1,bank_debt]", "binding"]


def test_a_most_on_a_funds_total_and_its_price():
    # a may give e1 at most 50 in all: a → e2 80, a → e1 50, b → e1 50: resettlement 180 paid,
    # a has 20 left that it may not give e1, e1's bank debt 100 stays open: weighted gap 100.
    s = scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "at_most": 50}))
    r = solve(s)
    assert paid(r, "a", "e1") == 5000 and r.weighted_gap == pytest.approx(100)
    ex = explain(s, result=r)
    row = ex.rules.set_index("rule").loc["commitment[a,e1]"]
    # One unit more of the most lets a pay e1's bank debt 1 more (weight 1): it saves 1.
    assert row["binding"] and row["bound"] == Decimal("50.00") and row["shadow_weighted"] == pytest.approx(1)
    # a's budget is not used up (20 left) and one more unit of it is worth nothing.
    budget = ex.rules.set_index("rule").loc["budget[a]"]
    assert budget["left"] == Decimal("20.00") and budget["shadow_weighted"] == 0
    gaps = ex.gaps.set_index(["enterprise", "category"])
    assert gaps.loc[("e1", "bank_debt"), "reason"] == "commitment_binds"


def test_an_amount_that_costs_has_a_negative_price():
    # Raising the amount of 60 by one moves a unit of a's money from resettlement (3) to bank
    # debt (1): the weighted gap grows by 2, so one unit more "saves" −2.
    s = scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60}))
    row = explain(s).rules.set_index("rule").loc["commitment[a,e1,bank_debt]"]
    assert row["binding"] and row["shadow_weighted"] == pytest.approx(-2)


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame([(f, e, c, Decimal(a)) for f, e, c, a in rows], columns=["fund", "enterprise", "category", "amount"])


def test_verifier_rejects_each_commitment_broken_by_a_fen():
    data = with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60},
                            {"fund": "b", "enterprise": "e2", "at_most": 30},
                            {"fund": "b", "enterprise": "e1", "category": "resettlement", "at_least": 20})
    for fund in data["funds"]:
        fund["budget"] = 1000  # room everywhere but in the commitments
    s = scenario_from_data(data)
    ok = [("a", "e1", "bank_debt", "60"), ("a", "e1", "resettlement", "50"), ("b", "e2", "resettlement", "30"),
          ("b", "e1", "resettlement", "20"), ("a", "e2", "resettlement", "40")]
    assert verify(s, _table(ok)) == []

    def broken(key, amount):
        return [str(v) for v in verify(s, _table([(f, e, c, amount if (f, e, c) == key else a) for f, e, c, a in ok]))]

    assert broken(("a", "e1", "bank_debt"), "59.99") == ["commitment[a,e1,bank_debt]: allocated 59.99, committed 60.00 (short by 0.01)"]
    assert broken(("a", "e1", "bank_debt"), "60.01") == ["commitment[a,e1,bank_debt]: allocated 60.01, committed 60.00 (over by 0.01)"]
    assert broken(("b", "e2", "resettlement"), "30.01") == ["commitment[b,e2]: allocated 30.01, committed at most 30.00 (over by 0.01)"]
    assert broken(("b", "e1", "resettlement"), "19.99") == ["commitment[b,e1,resettlement]: allocated 19.99, committed at least 20.00 (short by 0.01)"]


def test_contradictions_in_the_data_stop_before_solving():
    data = with_commitments(
        {"fund": "b", "enterprise": "e1", "category": "bank_debt", "amount": 1},        # b may not pay bank debt
        {"fund": "a", "enterprise": "e2", "category": "resettlement", "at_least": 81},  # e2's line is 80
        {"fund": "a", "enterprise": "e1", "at_least": 100},                             # with the 81: 181 > a's 150
        {"fund": "b", "enterprise": "e2", "at_least": 5, "at_most": 4},
    )
    assert [f"{f.level}: {f}" for f in diagnosis(scenario_from_data(data)) if f.level == "error"] == [
        "error: commitment[b,e1,bank_debt] commits 1.00 万元, but fund b may not pay 'bank_debt' (it pays resettlement)",
        "error: commitment[a,e2,resettlement] commits 81.00 万元, beyond need[e2,resettlement]: 80.00 万元",
        "error: commitment[b,e2]: at_least 5.00 万元 is above at_most 4.00 万元",
        "error: commitments commitment[a,e2,resettlement] 81.00 万元, commitment[a,e1] 100.00 万元 add up to 181.00 万元, beyond budget[a]: 150.00 万元",
    ]


def test_a_commitment_within_another_is_not_counted_twice():
    # a pays e1's bank debt exactly 60 and e1 at least 120 in all: the 60 is part of the 120, so
    # together they ask 120 of a's 150, not 60 + 120 = 180. The diagnosis added them and `solve`
    # stopped with exit 2 on a scenario it solves.
    nested = with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60},
                              {"fund": "a", "enterprise": "e1", "at_least": 120})
    scenario = scenario_from_data(nested)
    assert [f for f in diagnosis(scenario) if f.level == "error"] == []
    result = solve(scenario)
    # Bank debt takes 60 of a; the other 90 and b's 50 pay resettlement (weight 3), 140 of the 180
    # e1 and e2 need: weighted gap 40 × 3 + bank debt's 40 × 1 = 160; e1 gets at least 60 of it.
    assert paid(result, "a", "e1", "bank_debt") == 6000 and paid(result, "a", "e1") >= 12000
    assert result.weighted_gap == pytest.approx(160)
    # Leasts on other enterprises still add: e2's 40 more makes 160 > 150, said so.
    beyond = with_commitments(*nested["commitments"], {"fund": "a", "enterprise": "e2", "at_least": 40})
    assert [str(f) for f in diagnosis(scenario_from_data(beyond)) if f.level == "error"] == [
        "commitments commitment[a,e1,bank_debt] 60.00 万元, commitment[a,e1] 120.00 万元, commitment[a,e2] 40.00 万元 ask at "
        "least 160.00 万元 together (one on an enterprise's total or on all years holds those on its categories or years), "
        "beyond budget[a]: 150.00 万元"]


def test_schema_rejects_unknown_references_and_mixed_kinds():
    from subsidy.scenario.load import ScenarioError
    data = with_commitments({"fund": "zz", "enterprise": "e1", "amount": 1},
                            {"fund": "a", "enterprise": "e9", "at_least": 1},
                            {"fund": "a", "enterprise": "e1", "category": "nope", "at_least": 1},
                            {"fund": "a", "enterprise": "e2", "amount": 1, "at_most": 2},
                            {"fund": "b", "enterprise": "e2"})
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(data)
    text = str(info.value)
    for part in ("commitments[0].fund: unknown fund 'zz'", "commitments[1].enterprise: unknown enterprise 'e9'",
                 "commitments[2].category: unknown category 'nope'", "commitments[3].at_most: amount fixes the commitment",
                 "commitments[4]: give amount, or at_least and/or at_most"):
        assert part in text, (part, text)


def test_cli_exit_2_names_the_rules_and_writes_nothing(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("base: " + str(SCENARIOS / "xianan-2025.yaml") + "\ncommitments:\n"
                    "  - {fund: central_reward, enterprise: wenquan, category: resettlement, amount: 100}\n", encoding="utf-8")
    # 温泉's own funds (640) pay its resettlement (453.6) in full: nothing is left to commit to.
    for command in (["validate", str(path)], ["solve", str(path), "--out", str(tmp_path / "out")]):
        done = run(*command)
        out = done.stdout + done.stderr
        assert done.code == 2, out
        assert "commitment[central_reward,wenquan,resettlement] 已定 100.00 万元，超出 need[wenquan,resettlement]：0.00 万元" in out
    english = run("validate", str(path), "--lang", "en").stderr  # the scenario's language is Chinese; --lang en
    assert "commitment[central_reward,wenquan,resettlement] commits 100.00 万元, beyond need[wenquan,resettlement]: 0.00 万元" in english
    assert not (tmp_path / "out").exists()


SHIPPED = SCENARIOS / "options" / "xianan-commitments.yaml"


def test_shipped_commitments_on_xianan():
    # central → 恒宇 resettlement exactly 100 (it gave 180); its other 200 can reach only 温泉,
    # capped at 120: 80 of central's 300 stay unused. The province gives 恒宇 100 (≥ 50) and 温泉
    # 50; the district may give 温泉 nothing, so its 100 go to 恒宇's resettlement.
    # Gap: 恒宇 342 − 300 = 42 of resettlement + 15 + operating loss 150; 温泉 353.6 − 170 = 183.6.
    r = solve(load_scenario(SHIPPED))
    assert paid(r, "central_reward", "hengyu_guihua", "resettlement") == 10000
    assert paid(r, "xianan_district", "wenquan") == 0 and paid(r, "hubei_provincial", "hengyu_guihua") >= 5000
    assert r.funds.set_index("fund").loc["central_reward", "used_fen"] == 22000
    assert r.gaps.gap_fen.sum() == 39060 and r.weighted_gap == pytest.approx(3 * 42 + 15 + 183.6)


@pytest.mark.parametrize("method", ["flow", "pulp"])
def test_close_gap_keeps_the_commitments(method):
    # The same answer from close-gap's flows (carrying the commitments as leasts) and its LPs.
    # Closable: 恒宇's 57 (the district, which alone may still pay it) and 50 more from the
    # province to 温泉 (up to its cap of 100); 温泉's other 133.60 are held (central's cap 120,
    # the district barred by its commitment).
    gc = close_gap(load_scenario(SHIPPED), method=method)
    assert gc.total_extra == Decimal("107.00")
    assert gc.funds.set_index("fund")["extra"].to_dict() == {"central_reward": Decimal("0.00"), "hubei_provincial": Decimal("50.00"),
                                                             "xianan_district": Decimal("57.00")}
    assert gc.after.gaps.gap_fen.sum() == 28360


def test_sweep_with_commitments_solves_each_point_cold():
    table = sweep(load_scenario(SHIPPED), [parse_vary("funds.xianan_district.budget=50,100")], workers=1, method="pulp")
    assert table["used[central_reward]"].tolist() == [Decimal("220.00"), Decimal("220.00")]
    assert table["total_gap"].tolist() == [Decimal("440.60"), Decimal("390.60")]
    assert table.attrs["model_builds"] == 0


def test_commitments_round_trip_through_the_workbook(tmp_path):
    original = load_scenario(SHIPPED)
    write_scenario(original, tmp_path / "s.xlsx")
    assert load_scenario(tmp_path / "s.xlsx") == original


@FUZZ
@given(scenario_data(max_enterprises=4, max_funds=3), st.data())
def test_committing_to_an_optimal_allocation_keeps_its_optimum_and_verifies(data, draw):
    """Property: take a solved allocation, commit some of its rows (as an amount, a least or a
    most, per line or per fund and enterprise); the old allocation keeps every commitment, so the
    stage-1 optimum cannot change; the new result verifies, and one fen off a commitment that
    binds is caught."""
    first = solve(scenario_from_data(data))
    rows = first.allocations[first.allocations.fund != "(own funds)"]
    if rows.empty:
        return
    picked = draw.draw(st.lists(st.sampled_from(list(rows.index)), min_size=1, max_size=3, unique=True))
    commitments, seen = [], set()
    for i in picked:
        f, e, c, a = rows.loc[i, ["fund", "enterprise", "category", "amount_fen"]]
        whole = draw.draw(st.booleans())
        key = (f, e, None if whole else c)
        if key in seen:
            continue
        seen.add(key)
        fen = paid(first, f, e) if whole else int(a)
        kind = draw.draw(st.sampled_from(["amount", "at_least", "at_most"]))
        commitments.append({"fund": f, "enterprise": e, **({} if whole else {"category": c}), kind: str(Decimal(fen) / 100)})
    scenario = scenario_from_data({**data, "commitments": commitments})
    again = solve(scenario)  # verified inside solve: every commitment kept to the fen
    assert again.weighted_gap == pytest.approx(first.weighted_gap, rel=1e-6, abs=1e-6)
    table = again.allocations[["fund", "enterprise", "category"]].copy()
    table["amount"] = [Decimal(f) / 100 for f in again.allocations.amount_fen.tolist()]
    c = scenario.commitments[0]
    mine = table.index[(table.fund == c.fund) & (table.enterprise == c.enterprise) & ((table.category == c.category) if c.category else True)]
    if len(mine) and c.lower is not None and c.lower > 0:
        table.loc[mine[0], "amount"] -= Decimal("0.01")  # one fen short of its least
        assert c.rule in [v.rule for v in verify(scenario, table)]


# --- the exact reference (tests/rational_lp.py) with commitment rows ------------------------------

def _written_weighted_gap_fen(result) -> Fraction:
    """Σ weight × gap over the written lines, in fen, exactly (DATA's categories: the defaults)."""
    weights = {c: Fraction(str(w)) for c, w in rational_lp.WEIGHTS.items()}
    gaps = result.gaps
    return sum((weights[c] * g for c, g in zip(gaps["category"], gaps["gap_fen"].tolist())), Fraction(0))


HAND_MADE = [
    # (commitments, the whole-fen optimum worked by hand, 万元)
    # a pays e1's bank debt exactly 60: 3 × 40 + 1 × 40 (test above).
    ([{"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60}], 160),
    # a gives e1 at most 50 in all: e1's bank debt stays open (test above).
    ([{"fund": "a", "enterprise": "e1", "at_most": 50}], 100),
    # a gives e1 at least 140: e1's resettlement 100 + bank debt 40 from a, a's last 10 and b's
    # 50 to e2: e2 short 20, bank debt short 60: 3 × 20 + 60 = 120.
    ([{"fund": "a", "enterprise": "e1", "at_least": 140}], 120),
    # b may give e2 nothing, a at least 30.01 of e1's bank debt: b's 50 to e1's resettlement,
    # a 50 more of it, 30.01 bank debt, 69.99 to e2: e2 short 10.01, bank 69.99:
    # 3 × 10.01 + 69.99 = 100.02.
    ([{"fund": "b", "enterprise": "e2", "at_most": 0},
      {"fund": "a", "enterprise": "e1", "category": "bank_debt", "at_least": "30.01"}], Fraction("100.02")),
]


@pytest.mark.parametrize("method", list(LP))
@pytest.mark.parametrize("case", range(len(HAND_MADE)))
def test_hand_made_commitments_agree_with_the_exact_reference(case, method):
    commitments, by_hand = HAND_MADE[case]
    data = with_commitments(*commitments)
    best = rational_lp.whole_step_weighted_gap(data)
    assert best == by_hand
    r = solve(scenario_from_data(data), **LP[method])
    assert _written_weighted_gap_fen(r) == best * 100


def test_commitments_on_the_corpus_keep_the_whole_fen_optimum():
    """On 30 scenarios of the fixed-seed corpus: solve, commit the flow's first paid row as a
    least (feasible: that allocation keeps it) and cap another fund-enterprise pair at half
    what it was paid (feasible: lowering arcs outside the least keeps every ≤ rule); the flow's
    and the LP's written weighted gaps are the exact reference's whole-fen optimum with those
    rows, and their stage-2 optima agree."""
    checked = 0
    for data in [d for d in rational_lp.corpus(per_kind=10)]:
        first = solve(scenario_from_data(data), method="flow")
        rows = first.allocations[first.allocations.amount_fen > 0]
        if len(rows) < 2:
            continue
        least, other = rows.iloc[0], rows.iloc[-1]
        commitments = [{"fund": least.fund, "enterprise": least.enterprise, "category": least.category,
                        "at_least": str(Decimal(int(least.amount_fen)) / 100)}]
        if (other.fund, other.enterprise) != (least.fund, least.enterprise):
            commitments.append({"fund": other.fund, "enterprise": other.enterprise,
                                "at_most": str(Decimal(paid(first, other.fund, other.enterprise) // 2) / 100)})
        committed = {**data, "commitments": commitments}
        best = rational_lp.whole_step_weighted_gap(committed)
        weights = {c: Fraction(str(w)) for c, w in rational_lp.WEIGHTS.items()}
        weights.update({c: Fraction(str(v["weight"])) for c, v in data["categories"].items()})
        bounds = []
        for method in ("flow", "pulp"):  # both carry them (the flow as arcs with a least, `flow_leasts`)
            r = solve(scenario_from_data(committed), method=method)  # and the verifier accepts each
            assert r.method == method
            written = sum((weights[c] * g for c, g in zip(r.gaps["category"], r.gaps["gap_fen"].tolist())), Fraction(0))
            assert written == best * 100, (data["name"], method, commitments, float(written), float(best))
            bounds.append(r.summary["max_gap_share_bound"])
        assert (bounds[0] is None) == (bounds[1] is None)
        if bounds[0] is not None:  # stage 2: the flow's exact t, the LP's within its tolerance
            assert bounds[0] == pytest.approx(bounds[1], abs=1e-6), (data["name"], bounds)
        checked += 1
    assert checked >= 15


def test_a_least_at_the_whole_budget_has_no_price_one_way():
    # b's least of 50 to e2 is all of b's budget, and a's amount of 150 to e1 all of a's: one
    # unit more of either commitment, or one unit less of either budget, leaves no allocation
    # (the dual face is unbounded that way: −inf / inf), while one more unit of budget a still
    # pays e2's resettlement (weight 3): e2 has 30 open. Weighted gap 3 × 30 + 1 × 50 = 140.
    s = scenario_from_data(with_commitments({"fund": "b", "enterprise": "e2", "at_least": 50},
                                            {"fund": "a", "enterprise": "e1", "amount": 150}))
    ex = explain(s)
    rules = ex.rules.set_index("rule")
    assert ex.result.weighted_gap == pytest.approx(140)
    assert rules.loc["commitment[b,e2]", "shadow_weighted"] == float("-inf")
    assert rules.loc["commitment[a,e1]", "shadow_weighted"] == float("-inf")
    assert rules.loc["budget[a]", "shadow_weighted"] == 3 and rules.loc["budget[a]", "less_weighted"] == float("inf")
    text = "\n".join(explanation_sentences(ex, "en"))
    assert "commitment[b,e2] binds at 50.00: one 万元 more of it would leave no allocation that keeps every rule." in text
    assert "one 万元 less would leave no allocation that keeps every commitment" in text


def test_the_stage1_duals_of_an_amount_found_on_the_dual_face():
    # The amount of 60 on a → e1's bank debt is two rows, a least and a most. The bank-debt arc is
    # paid, so its reduced cost is 0: −1 + u[budget a] − y[least] + y[most] = 0, and a's money
    # is worth 3 (resettlement is open): y[least] − y[most] = 2. The least-sum point of the dual
    # face (what a plug-in without duals gets) is y = (2, 0), budget a's dual −3 (b's too, need
    # rows 0), and the exact check accepts it; the solver's own duals pass the same check.
    from subsidy.allocate.lp import PulpBackend, commitment_rows, is_optimal_dual, optimal_duals
    from subsidy.allocate.rules import build_rules
    from subsidy.allocate.waterfall import cost_lines

    s = scenario_from_data(with_commitments({"fund": "a", "enterprise": "e1", "category": "bank_debt", "amount": 60}))
    rules = build_rules(s, cost_lines(s))
    assert [(sense, fen) for _, sense, fen in commitment_rows(rules)] == [(-1, 6000), (1, 6000)]
    backend = PulpBackend(rules)
    assert backend.minimise_weighted_gap() == pytest.approx(160)
    duals, values = optimal_duals(rules, backend.optimum, "highs")
    assert values.tolist() == [2.0, 0.0]
    assert dict(zip(rules.bound_names(), duals.tolist()))["budget[a]"] == -3
    assert is_optimal_dual(rules, duals, backend.optimum, values)
    assert is_optimal_dual(rules, backend.duals, backend.optimum, backend.commit_values)
    # and a point off the face is refused: the least's value 1 leaves the paid arc's reduced cost at 1
    assert not is_optimal_dual(rules, duals, backend.optimum, np.array([1.0, 0.0]))
