"""The 配套 MIP's stages by their LP relaxation repaired in whole fen (allocate/mip.py): the
relaxation's optimum U bounds the whole-fen optimum (no whole-fen answer is better than
⌈U⌉ for stage 1's and stage 3's integer objectives), so a whole-fen completion reaching it is
the optimum; otherwise the stage falls back to the full MIP. Either way the numbers are the full
MIP's.

Unit 元 throughout, so a fen is 0.01 元; weights resettlement 3, bank debt 1 (the defaults).
"""

from __future__ import annotations

import numpy as np
import pytest

from subsidy.allocate import mip
from subsidy.allocate.mip import AS_MIP, REPAIRED, MipBackend
from subsidy.allocate.mip_prices import Relaxation, RelaxationPrices
from subsidy.allocate.stages import run_stages
from subsidy.pipeline import rules_of, solve
from subsidy.scenario.load import scenario_from_data

from test_match import HAND, brute_force_weighted_gap_fen, paid, tiny

STAGE_1 = "stage 1 (weighted gap, whole-fen MIP)"
STAGE_3 = "stage 3 (spend what can still be spent, whole-fen MIP)"


def two_enterprises() -> dict:
    """e1: resettlement 5 fen, e2: bank debt 5 fen. Central (5 fen, both categories) matched at
    0.3 by local (1 fen, resettlement only, so e1's) and provincial (1 fen, bank debt only, e2's)."""
    return {"name": "配套 repair", "unit": "元",
            "enterprises": [{"id": "e1", "name": "甲", "region": "湖北/咸宁", "industry": "cement", "costs": {"resettlement": 0.05}},
                            {"id": "e2", "name": "乙", "region": "湖北/咸宁", "industry": "cement", "costs": {"bank_debt": 0.05}}],
            "funds": [{"id": "central", "name": "中央", "budget": 0.05, "categories": ["resettlement", "bank_debt"],
                       "match": {"funds": ["local", "provincial"], "ratio": 0.3}},
                      {"id": "local", "name": "地方", "budget": 0.01, "categories": ["resettlement"]},
                      {"id": "provincial", "name": "省级", "budget": 0.01, "categories": ["bank_debt"]}]}


def stages_of(data: dict) -> tuple[MipBackend, object]:
    backend = MipBackend(rules_of(scenario_from_data(data)))
    return backend, run_stages(backend)


def test_stage_1_repaired_reaches_the_relaxations_bound_so_it_is_the_optimum():
    # Local's 1 fen matches central at e1 up to 10/3 fen, provincial's at e2 as much. The
    # relaxation pays central 3.33 at e1 (weight 3) and the other 1.67 at e2 (weight 1):
    # saved 3·(1 + 3.33) + 1·(1 + 1.67) = 15.67, so no whole-fen answer saves more than 15.
    # Whole fen: central 3 at e1 (10·1 ≥ 3·3) and 2 at e2 (10 ≥ 6) saves 3·4 + 1·3 = 15 = the
    # bound, so the repair is the optimum without the MIP: weighted gap 3·1 + 1·2 = 5 fen.
    backend, solution = stages_of(two_enterprises())
    assert backend.by_stage[STAGE_1] == REPAIRED
    assert backend.saved == 15
    assert solution.weighted_gap == pytest.approx(0.05)
    assert brute_force_weighted_gap_fen(two_enterprises()) == 5
    r = solve(scenario_from_data(two_enterprises()), method="pulp")
    assert paid(r) == {"central": 5, "local": 1, "provincial": 1}
    assert f"stage 1, stage 3 {REPAIRED}" in r.summary["method_note"]


def test_an_enterprises_own_whole_fen_loss_lowers_the_bound_to_the_repair():
    # HAND: e1 needs 100 fen, local has 1, central at 0.3. The relaxation pays central 3.33:
    # saved 3·4.33 = 13. Every row here touches e1 only (local's budget too), so e1's own
    # whole-fen best, 3·(1 + 3) = 12 (3·4 = 12 > 10·1), against its continuous 13, lowers the
    # bound by 1 to 12: the repair's 12 is certified without the MIP.
    backend, solution = stages_of(HAND)
    assert backend.by_stage[STAGE_1] == REPAIRED
    assert backend.saved == 12
    assert solution.weighted_gap == pytest.approx(2.88)  # 3 × (100 − 4) fen = 2.88 元


def pays_b_first() -> dict:
    """Fund a (1 fen) matched by b (1 fen) at 1.5 on two enterprises: e1 resettlement 2 fen and
    bank debt 4, e2 resettlement 4."""
    return {"name": "配套 fallback", "unit": "元",
            "enterprises": [{"id": "e1", "name": "e1", "region": "湖北", "industry": "cement", "costs": {"resettlement": 0.02, "bank_debt": 0.04}},
                            {"id": "e2", "name": "e2", "region": "湖北", "industry": "cement", "costs": {"resettlement": 0.04}}],
            "funds": [{"id": "a", "name": "a", "budget": 0.01, "categories": ["resettlement", "bank_debt"], "match": {"funds": ["b"], "ratio": 1.5}},
                      {"id": "b", "name": "b", "budget": 0.01, "categories": ["resettlement", "bank_debt"]}]}


def test_stage_1_falls_back_to_the_mip_when_the_repair_is_below_the_bound():
    # Whole fen, a pays where 2·b_e ≥ 3·a_e, and b has 1 fen: a pays nothing (2 < 3), b its fen
    # on resettlement: saved 3. The relaxation pays a 2/3 fen beside b's: saved 3·(1 + 2/3) = 5.
    # b's budget spans both enterprises, so it is priced by its dual, 5 per fen; at that price
    # the enterprise's whole-fen best loses nothing (b 3 fen with a 2: −3·5 + 5·3 = 0, as
    # continuous), so the bound stays 5 and the repair's 3 cannot be certified: stage 1 is the
    # MIP, which finds the same 3 (weighted gap 3·2 + 1·4 + 3·4 − 3 = 19 fen).
    backend, solution = stages_of(pays_b_first())
    assert backend.by_stage[STAGE_1] == AS_MIP
    assert backend.saved == 3
    assert brute_force_weighted_gap_fen(pays_b_first()) == 19
    assert solution.weighted_gap == pytest.approx(0.19)
    assert f"stage 1 {AS_MIP}" in backend.note or f"stage 1, tie-break {AS_MIP}" in backend.note


@pytest.mark.parametrize("seed", range(16))
def test_repaired_stages_equal_the_full_mip_on_tiny_cases(seed, monkeypatch):
    # Every stage's value, and the tie-break's allocation, with the repair and with the MIP
    # alone (the repair switched off): the same, and stage 1 the brute force's whole-fen optimum.
    data = tiny(seed)
    repaired, with_repair = stages_of(data)
    monkeypatch.setattr(mip.MipBackend, "_repair", lambda self, *args: (None, None))
    alone, mip_only = stages_of(data)
    assert set(alone.by_stage.values()) == {AS_MIP}
    assert round(with_repair.weighted_gap * 100) == round(mip_only.weighted_gap * 100) == brute_force_weighted_gap_fen(data)
    # stage 2's share is an LP optimum in floats: with the repair its relaxation runs over the
    # arcs stage 1 paid (`mip.OverPaidArcs`), so the last bit may differ; its floors do not
    assert with_repair.max_gap_share == pytest.approx(mip_only.max_gap_share, abs=1e-12)
    assert repaired.funded == alone.funded
    assert list(with_repair.amounts) == list(mip_only.amounts)


def test_stage_1_duals_and_fund_prices_come_from_stage_1s_own_relaxation_without_a_second_solve():
    # HAND: one more fen of local lets central pay 10/3 fen more, so the relaxation saves
    # 3·(1 + 10/3) = 13 per fen of local's budget: its stage-1 dual is −13 (≤ 0: a ≤ row of
    # the minimised weighted gap), weighted fen per fen, and central's
    # budget (99.96 元 left) is worth 0. The same numbers as the relaxation solved on its own.
    backend, solution = stages_of(HAND)
    names = backend.rules.bound_names()
    duals = dict(zip(names, solution.duals.tolist()))
    assert duals["budget[local]"] == pytest.approx(-13)
    assert duals["budget[central]"] == 0
    fresh = Relaxation(backend.rules, "highs")
    assert list(fresh.duals()) == pytest.approx(list(solution.duals))
    assert list(RelaxationPrices(backend.rules).marginal_values(np.arange(len(names)))[0]) == pytest.approx(
        list(backend.prices().marginal_values(np.arange(len(names)))[0]))


@pytest.mark.parametrize("seed", range(16))
def test_beyond_the_tie_break_mips_size_its_repair_keeps_every_stage_and_states_its_distance(seed, monkeypatch):
    # The tie-break's repair stands in for its MIP beyond TIE_BREAK_MIP_MAX_ARCS arcs (here every
    # size): every stage's value is the MIP's to the fen, and the repair's tie-break cost lies at
    # or above the exact MIP's, which lies at or above the bound the note measures from. Where
    # the repair reaches the bound it is the MIP's own allocation.
    data = tiny(seed)
    exact, exact_solution = stages_of(data)
    monkeypatch.setattr(mip, "TIE_BREAK_MIP_MAX_ARCS", 0)
    repaired, solution = stages_of(data)
    assert round(solution.weighted_gap * 100) == round(exact_solution.weighted_gap * 100)
    assert repaired.funded == exact.funded == int(np.asarray(solution.amounts).sum())
    assert solution.max_gap_share == pytest.approx(exact_solution.max_gap_share, abs=1e-12)
    stage = "stage 3 (tie-break by fund order, whole-fen MIP)"
    costs = np.array(exact.rules.tie_break_costs())
    mip_cost = float(costs @ np.asarray(exact_solution.amounts, dtype=float))
    value, bound = repaired.certificates[stage]
    assert value == pytest.approx(float(costs @ np.asarray(solution.amounts, dtype=float)), abs=1e-9)
    assert bound - 1e-6 <= mip_cost <= value + 1e-6
    if repaired.by_stage[stage] == REPAIRED:
        assert list(solution.amounts) == list(exact_solution.amounts)
    else:
        assert repaired.by_stage[stage] == mip.TIE_BREAK_NEAR.format(above=value - bound)
        assert f"tie-break {repaired.by_stage[stage]}" in repaired.note
