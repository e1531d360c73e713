"""What `subsidy risk` costs: 1,000 draws of xianan-2025 (target < 5 s) and of a generated
1,000-enterprise scenario (target < 60 s), on the process pool (2 workers on this machine).

    python bench/risk.py [draws] [workers]

Every own-funds source and every budget becomes a range 80%~100%~110% of its figure (the asset
sale of an auction not yet held, a tranche not yet confirmed); costs stay as they are. Each run
re-optimises every draw (the default of `subsidy risk`), and is timed again without (`--no-reopt`).
Prints the wall-clock seconds of the run on the pool, and the CPU milliseconds one draw takes
(measured in this process, so that other jobs on a shared machine do not count) with the time
the draws would take on idle cores.

Measured 2026-11-30 17:36 UTC on a quiet machine (load average 1.2 → 1.6), wall clock:

    scenario         enterprises ranges reopt  wall s cpu ms/draw projected s target s
    xianan-2025                2      4   yes     2.7         2.8         1.4        5
    xianan-2025                2      4    no     0.6         0.1         0.0        5
    generated 1,000        1,000   1005   yes    46.3        83.1        41.5       60
    generated 1,000        1,000   1005    no     2.8         2.0         1.0       60

Earlier the same day on the shared machine (AMD EPYC, 2 cores; load average 6.8 before, 11.4 after):

    scenario         enterprises ranges reopt  wall s cpu ms/draw projected s target s
    xianan-2025                2      4   yes    14.5         5.1         2.6        5
    xianan-2025                2      4    no     2.1         0.4         0.2        5
    generated 1,000        1,000   1005   yes   408.1        79.8        39.9       60
    generated 1,000        1,000   1005    no    25.2         3.0         1.5       60

Before the rules read scopes, caps and jitters once per run (`rules.Eligibility`): 148 ms a
re-optimised draw of the generated scenario (≈ 74 s projected). Both targets are met in CPU time;
the wall clock at that load is the load's.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

import yaml

from subsidy.analysis.risk import risk
from subsidy.scenario.generate import generate
from subsidy.scenario.load import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent


def ranged(data: dict) -> dict:
    """Own funds and budgets as ranges 80%~100%~110% of the figure, to the fen."""

    def spread(value) -> str:
        mid = Decimal(str(value))
        low, high = ((mid * Decimal(k)).quantize(Decimal("0.01")) for k in ("0.8", "1.1"))
        return f"{low}~{mid}~{high}"

    for ent in data["enterprises"]:
        ent["own_funds"] = {k: spread(v) for k, v in (ent.get("own_funds") or {}).items()}
    for fund in data["funds"]:
        fund["budget"] = spread(fund["budget"])
    return data


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    cases = [
        ("xianan-2025", yaml.safe_load((ROOT / "scenarios" / "xianan-2025.yaml").read_text(encoding="utf-8")), 5),
        ("generated 1,000", generate(1000, funds=5, seed=2026), 60),
    ]
    print(f"{draws:,} draws on {workers} worker(s); cpu ms/draw from 20 draws (200 without re-optimising) in this process (load-independent);")
    print(f"projected = cpu ms/draw × {draws:,} / {workers} workers, without pool start-up")
    print(f"{'scenario':<16} {'enterprises':>11} {'ranges':>6} {'reopt':>5} {'wall s':>7} {'cpu ms/draw':>11} {'projected s':>11} {'target s':>8}")
    for name, data, target in cases:
        scenario = scenario_from_data(ranged(data))
        for reoptimise in (True, False):
            risk(scenario, 1, seed=1, workers=1, reoptimise=reoptimise)  # imports and first-call costs out of the way
            timed = 21 if reoptimise else 201  # a draw without re-optimising is ~0.1-3 ms: time more of them
            cpu = time.process_time()
            risk(scenario, timed, seed=1, workers=1, reoptimise=reoptimise)
            cpu = time.process_time() - cpu
            risk(scenario, 1, seed=1, workers=1, reoptimise=reoptimise)
            once = time.process_time()
            risk(scenario, 1, seed=1, workers=1, reoptimise=reoptimise)  # the expected-value solve alone, about
            per_draw = (cpu - (time.process_time() - once)) / (timed - 1)
            started = time.perf_counter()
            risk(scenario, draws, seed=1, workers=workers, reoptimise=reoptimise)
            wall = time.perf_counter() - started
            print(f"{name:<16} {len(scenario.enterprises):>11,} {len(scenario.ranges):>6} {'yes' if reoptimise else 'no':>5} "
                  f"{wall:>7.1f} {per_draw * 1000:>11.1f} {per_draw * draws / workers:>11.1f} {target:>8}")


if __name__ == "__main__":
    main()
