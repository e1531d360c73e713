"""The library API as the README shows it: load any format, solve, read the DataFrames."""

from __future__ import annotations

from decimal import Decimal

import subsidy
from conftest import SCENARIOS
from subsidy.scenario.convert import write_scenario


def test_load_any_format_and_solve_to_dataframes(tmp_path):
    scenario = subsidy.load(SCENARIOS / "xianan-2025.yaml")
    for suffix in (".json", ".xlsx"):
        write_scenario(scenario, tmp_path / f"s{suffix}")
        assert subsidy.load(tmp_path / f"s{suffix}") == scenario
    result = subsidy.solve(subsidy.load(tmp_path / "s.xlsx"))
    assert list(result.allocations.columns) == ["fund", "enterprise", "category", "amount"]
    assert list(result.gaps.columns) == ["enterprise", "category", "need", "own_funds", "funded", "gap"]
    assert list(result.funds.columns) == ["fund", "budget", "used", "left", "shadow_price"]
    # Amounts are exact Decimals, and the tables agree with each other to the fen.
    gaps = result.gaps
    assert all(isinstance(v, Decimal) for v in gaps["gap"])
    assert (gaps["need"] - gaps["own_funds"] - gaps["funded"] == gaps["gap"]).all()
    assert result.total("allocations", "amount") == result.total("funds", "used") == result.total("gaps", "funded")
    # Wenquan: need 993.6 (seed), own funds 640 (seed).
    wenquan = result.enterprises.set_index("enterprise").loc["wenquan"]
    assert wenquan["need"] == Decimal("993.60") and wenquan["own_funds"] == Decimal("640.00")
    # The README's recipes: floats for plotting, a pivot of enterprise × fund.
    assert gaps[["need", "gap"]].astype(float).sum()["need"] == float(result.total("gaps", "need"))
    pivot = result.allocations.pivot_table(index="enterprise", columns="fund", values="amount", aggfunc="sum", fill_value=Decimal(0))
    assert pivot.to_numpy().sum() == result.total("allocations", "amount")
