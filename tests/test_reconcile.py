"""reconcile_to_fen, vectorised for 100k enterprises, still rounds exactly as the plain loops did.

`plain_reconcile` is the previous implementation, kept here as the oracle: same floors, same
repairs of rules the floors overshoot, same order of handing back fen.
"""

from __future__ import annotations

import math
import random

import pytest

from subsidy.scenario.generate import generate
from subsidy.scenario.load import scenario_from_data
from conftest import reconcile_to_fen, solve_lp


def plain_reconcile(lp, values):
    exact = {arc: v * 100 for arc, v in values.items()}
    fen = {arc: max(0, math.floor(v + 1e-6)) for arc, v in exact.items()}

    def frac(arc):
        return round(exact[arc] - fen[arc], 3)  # solver noise (≤ ~1e-4 fen) below a thousandth of a fen

    rules_of = {arc: [] for arc in values}
    for name, (arcs, bound) in lp.upper_bounds.items():
        for arc in arcs:
            rules_of[arc].append(name)
        used = sum(fen[a] for a in arcs)
        order = sorted(arcs, key=frac)
        while used > bound and any(fen[a] > 0 for a in order):
            for arc in order:
                if used <= bound:
                    break
                if fen[arc] > 0:
                    fen[arc] -= 1
                    used -= 1
    room = {name: bound - sum(fen[a] for a in arcs) for name, (arcs, bound) in lp.upper_bounds.items()}
    by_source = {}
    for arc in lp.arcs:
        by_source.setdefault(arc.source, []).append(arc)
    for arcs in by_source.values():
        deficit = round(sum(exact[a] for a in arcs)) - sum(fen[a] for a in arcs)
        for arc in sorted(arcs, key=lambda a: (-frac(a) if frac(a) > 0 else 1.0)):
            if deficit <= 0:
                break
            if all(room[name] >= 1 for name in rules_of[arc]):
                fen[arc] += 1
                deficit -= 1
                for name in rules_of[arc]:
                    room[name] -= 1
    return fen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_reconcile_equals_the_plain_loops(seed):
    scenario = scenario_from_data(generate(150, 5, seed))
    solution = solve_lp(scenario)
    assert reconcile_to_fen(solution.lp, solution.values) == plain_reconcile(solution.lp, solution.values)
    # Values nudged off the optimum: floors that overshoot a bound (repairs), half-fen ties,
    # solver-noise-sized offsets.
    rnd = random.Random(seed)
    nudged = {a: max(0.0, v + rnd.choice([0, 0, 1e-9, -1e-9, 0.005, -0.004, 0.01, 0.0099999999, 0.02, 0.05]))
              for a, v in solution.values.items()}
    over = sum(1 for arcs, bound in solution.lp.upper_bounds.values() if sum(math.floor(nudged[a] * 100 + 1e-6) for a in arcs) > bound)
    assert over > 0  # the repair step is exercised
    assert reconcile_to_fen(solution.lp, nudged) == plain_reconcile(solution.lp, nudged)
