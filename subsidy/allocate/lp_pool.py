"""The factor method's pool (`share` < 1, 不分地区) in the LP: one variable z_r ≥ 0 per region of a
fund with a pool, −1 in the region's row (Σ_{a∈r} x_a − z_r ≤ A_r) and +1 in the pool's
(Σ_r z_r ≤ U). Apart from `lp` so that every program `lp` builds (the stages, the prices' primal,
the parametric ranges) adds the same terms the same way.

Still a network: z_r is the arc pool → region of `flow_network`, so every vertex stays whole fen.
In the dual, z_r's column is u_pool − u_r ≥ 0 (cost 0): its reduced cost, with equality where an
optimum takes from the pool for r. Any primal optimum serves complementary slackness, so the
checks and faces take the least take z_r = max(0, paid_r − A_r) (`Rules.pool_take`) of x*.
"""

from __future__ import annotations

import numpy as np
import pulp

from subsidy.allocate.rules import Rules


def pool_variables(problem: pulp.LpProblem, rules: Rules) -> list[pulp.LpVariable]:
    """z_r ≥ 0 per pool column of the rules (`Rules.pool_columns`), named z0, z1, …"""
    return [problem.add_variable(f"z{j}", lowBound=0) for j in range(len(rules.pool_columns[0]))]


def pool_terms(rules: Rules, z: list) -> dict[int, list[tuple]]:
    """Bound (rules' order) → the pool terms its row gets: (z_r, −1) in a region's, (z_r, +1) per
    region in the pool's."""
    terms: dict[int, list[tuple]] = {}
    for j, (region, pool) in enumerate(zip(*(b.tolist() for b in rules.pool_columns))):
        terms.setdefault(region, []).append((z[j], -1.0))
        terms.setdefault(pool, []).append((z[j], 1.0))
    return terms


def pool_reduced_costs(rules: Rules, row_duals: np.ndarray) -> np.ndarray:
    """Per pool column, its stage-1 reduced cost u_pool − u_r (u = −dual ≥ 0 of the ≤ rows)."""
    region, pool = rules.pool_columns
    duals = np.asarray(row_duals, dtype=float)
    return duals[region] - duals[pool] if len(region) else np.zeros(0)
