"""What a sweep point costs: the LP solved cold, the LP through a reused HiGHS model
(`HighsModels`, what `sweep --method pulp` does), and the flow method (`sweep`'s default).

    python bench/sweep_reuse.py [scenario] [points]

Prints milliseconds per point for each and checks that the reused model gives exactly the cold
LP's results. Timings on a shared machine are noisy; run it a few times.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

from subsidy.scenario.load import load_scenario
from subsidy.pipeline import solve
from subsidy.analysis.sweep import point_scenario, scenario_data
from subsidy.allocate.highs_reuse import HighsModels


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "scenarios" / "linzi-portfolio.yaml"
    points = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    scenario = load_scenario(path)
    data = scenario_data(scenario)
    fund = scenario.funds[0]
    budgets = [fund.budget * 2 * i / points for i in range(points)]
    scenarios = [point_scenario(data, [f"funds.{fund.id}.budget"], [Decimal(b).quantize(Decimal("0.01"))]) for b in budgets]

    started = time.perf_counter()
    cold = [solve(s, method="pulp") for s in scenarios]
    cold_s = time.perf_counter() - started

    started = time.perf_counter()
    flows = [solve(s, method="flow") for s in scenarios]
    flow_s = time.perf_counter() - started

    model = HighsModels()
    started = time.perf_counter()
    warm = [solve(s, method="pulp", models=model) for s in scenarios]
    warm_s = time.perf_counter() - started

    same = all((a.allocation.fen == b.allocation.fen).all() and a.summary == b.summary for a, b in zip(cold, warm))
    print(f"{path.name}: {points} points varying funds.{fund.id}.budget")
    print(f"  LP, cold           {cold_s / points * 1000:7.1f} ms/point")
    print(f"  LP, reused model   {warm_s / points * 1000:7.1f} ms/point  ({model.builds} built, {model.reuses} reused)")
    print(f"  flow               {flow_s / points * 1000:7.1f} ms/point  (same stage values as the LP: "
          f"{all(abs(a.weighted_gap - f.weighted_gap) <= 1e-6 * max(1, abs(a.weighted_gap)) for a, f in zip(cold, flows))})")
    print(f"  reused model identical to cold LP: {same}")


if __name__ == "__main__":
    main()
