"""The workbench's what-if after an approval, in process: the approved allocation carried as commitments.

After an approval every later solve of the scenario carries the approved allocation as
`commitments:` (one `amount` per paid line: 4,546 at 1,000 enterprises), and the what-if panel
(`web.work.whatif`: a verified solve, no tables written) solves that with one budget changed.
This times that call on a generated scenario (`generate(N, 5, 1)`), the approved allocation being
the scenario's own solve, the what-if raising the first fund's budget by 10% (the approved lines
stay feasible), with `method="auto"` (the flow, which carries commitments since issue 13's lower
bounds: `allocate/flow_leasts.py`) and with the LP (`method="pulp"`, how it was solved before).
Prints a Markdown table (bench/SERVE.md keeps a run).

Quiet machine, 17:34 UTC: 418 ms median (371 ms unprofiled, 193 ms without the approval). Since
the two commitment checks are arrays (19:31 UTC, load 4.5, CPU time): the diagnosis's check 93 →
38 ms and the verifier's 19 → 9.5 ms of each call, the same answers to the byte.

    python bench/whatif_approved.py                  # 1,000 enterprises, 5 runs each
    python bench/whatif_approved.py --enterprises 2000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1000, help="size of the generated scenario")
    parser.add_argument("--runs", type=int, default=5, help="what-if calls timed per method")
    args = parser.parse_args()

    from subsidy.pipeline import solve
    from subsidy.scenario.generate import generate
    from subsidy.scenario.load import scenario_from_data
    from subsidy.web import work

    data = generate(args.enterprises, 5, 1)
    approved = solve(scenario_from_data(data))
    rows = approved.allocations[approved.allocations.amount_fen > 0]
    data["commitments"] = [{"fund": f, "enterprise": e, "category": c, "amount": str(Decimal(int(a)) / 100), "source": "bench: approved"}
                           for f, e, c, a in zip(rows.fund, rows.enterprise, rows.category, rows.amount_fen.tolist())]
    budget = Decimal(str(data["funds"][0]["budget"]))
    data["funds"][0]["budget"] = str((budget * Decimal("1.1")).quantize(Decimal("0.01")))
    scenario = scenario_from_data(data)
    print(f"{args.enterprises:,} enterprises, {len(data['commitments']):,} approved lines as commitments, "
          f"{data['funds'][0]['id']} budget {budget} → {data['funds'][0]['budget']}")
    table = []
    for method in ("auto", "pulp"):
        times, gaps, used = [], set(), set()
        for _ in range(args.runs):
            start = time.perf_counter()
            if method == "auto":
                view = work.whatif(scenario)
            else:
                view = work.gap_view(work._solved(scenario, tables=False, method="pulp"))
            times.append(time.perf_counter() - start)
            gaps.add(view["totals"]["gap"] if "totals" in view else str(view.get("gap")))
        result = solve(scenario, method=method, tables=False)
        used.add(result.method)
        table.append((method, ", ".join(sorted(used)), statistics.median(times), min(times), max(times), result.weighted_gap))
        print(f"{method}: median {statistics.median(times):.3f} s", flush=True)
    print()
    print("| method | solved by | median | best | worst | weighted gap |")
    print("|---|---|---|---|---|---|")
    for method, used, med, best, worst, wg in table:
        print(f"| {method} | {used} | {med * 1000:.0f} ms | {best * 1000:.0f} ms | {worst * 1000:.0f} ms | {wg:,.2f} |")
    print(f"load average (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
