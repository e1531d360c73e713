"""The seed documents' own figures, reproduced from the shipped scenarios."""

from decimal import Decimal

import pytest

from conftest import SCENARIOS
from subsidy.scenario.load import load_scenario, scenario_from_data
from subsidy.pipeline import solve

SEEDS = ["xianan-2025.yaml", "chuxiong-2025.yaml", "linzi-portfolio.yaml"]


def without_funds(scenario):
    data = scenario.model_dump(by_alias=True, exclude_unset=True)
    data["funds"] = []
    return scenario_from_data(data)


def test_xianan_without_funds_shows_the_seeds_gaps():
    # Seed: 温泉 needs 30 + 453.6 + 110 + 50 + 350 = 993.6, asset sales 640, gap 353.6;
    # 恒宇 loses 342 + 5 + 10 + 150 = 507 and has no own funds.
    scenario = load_scenario(SCENARIOS / "xianan-2025.yaml")
    result = solve(without_funds(scenario))
    ent = result.exact("enterprises").set_index("enterprise")
    assert ent.loc["wenquan", "need"] == Decimal("993.60")
    assert ent.loc["wenquan", "own_funds"] == Decimal("640.00")
    assert ent.loc["wenquan", "gap"] == Decimal("353.60")
    assert ent.loc["hengyu_guihua", "need"] == Decimal("507.00")
    assert ent.loc["hengyu_guihua", "gap"] == Decimal("507.00")


def test_xianan_enterprise_facts_match_the_seed():
    scenario = load_scenario(SCENARIOS / "xianan-2025.yaml")
    ents = {e.id: e for e in scenario.enterprises}
    assert ents["wenquan"].workers == 386 and ents["hengyu_guihua"].workers == 100  # 486 in all
    assert ents["wenquan"].capacity.amount == Decimal("1.0")
    assert ents["hengyu_guihua"].capacity.amount == Decimal("1.5")


def test_chuxiong_yaohua_facts_match_the_seed():
    scenario = load_scenario(SCENARIOS / "chuxiong-2025.yaml")
    yaohua = scenario.enterprises[0]
    assert (yaohua.id, yaohua.workers, yaohua.net_fixed_assets, yaohua.capacity.amount) == ("yaohua", 90, Decimal(1041), Decimal(8))
    work_fund = next(f for f in scenario.funds if f.budget == Decimal(15))
    assert "seed" in work_fund.source
    central = next(f for f in scenario.funds if f.level == "central")
    assert "assumption" in central.source  # the seed leaves the amount blank (？？万元)


def test_linzi_facts_match_the_seed():
    scenario = load_scenario(SCENARIOS / "linzi-portfolio.yaml")
    by_industry: dict[str, list] = {}
    for e in scenario.enterprises:
        by_industry.setdefault(e.industry, []).append(e)
    cement = by_industry["cement"]
    assert sum(e.capacity.amount for e in cement) == 80  # 60 + 10 + 10 万吨
    assert sum(e.workers for e in cement) == 1120
    assert sum(e.net_fixed_assets for e in cement) == 18200
    assert sum(e.net_equipment for e in cement) == 8600
    coal = by_industry["coal"]
    assert sum(e.capacity.amount for e in coal) == 40 and sum(e.workers for e in coal) == 630
    assert {e.net_fixed_assets for e in by_industry["steel"]} == {Decimal(157795), Decimal(72000), Decimal(11617)}
    glass, = by_industry["glass"]
    assert (glass.workers, glass.net_fixed_assets, glass.net_equipment) == (160, 1255, 460)
    refinery, = by_industry["refining"]
    assert (refinery.workers, refinery.net_fixed_assets, refinery.net_equipment) == (260, 600, 230)


@pytest.mark.parametrize("name", SEEDS)
def test_every_figure_carries_its_source(name):
    scenario = load_scenario(SCENARIOS / name)
    for e in scenario.enterprises:
        assert e.source.strip(), e.id
    for f in scenario.funds:
        assert f.source.strip(), f.id
        assert "assumption" in f.source or "seed" in f.source, f.id


@pytest.mark.parametrize("name", SEEDS)
def test_seed_scenarios_solve_and_add_up(name):
    result = solve(load_scenario(SCENARIOS / name))
    gaps = result.exact("gaps")
    assert (gaps.need - gaps.own_funds - gaps.funded == gaps.gap).all()
    assert (gaps.gap >= 0).all()
    assert result.total("allocations", "amount") == result.total("funds", "used")
