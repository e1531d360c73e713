"""The least and the largest of a linear expression over the stage-1 dual's optimal face: the two
one-sided shadow prices `lp.LpPrices` reads off it (right and left derivatives), apart from `lp`
so that the LP backend stays one module of its stages and their programs.
"""

from __future__ import annotations

import numpy as np
import pulp

from subsidy.allocate.stages import SolveError


def _clean(value: float) -> float:
    # Marginal values are sums of category weights; the solver's noise is far below the 1e-5 kept.
    return round(value, 5) + 0.0


def extremes(face: pulp.LpProblem, engine: pulp.LpSolver, terms: list, with_less: bool) -> tuple[float, float]:
    """(least, largest) of Σ coef·var over the dual's optimal face; NaN largest where not asked.
    With commitments the face can be unbounded: −inf least where one unit more leaves no
    feasible allocation (a least raised past what the budget allows), inf largest where one unit
    less does (a budget cut below a least)."""
    expr = pulp.LpAffineExpression(terms)
    low = _extreme(face, engine, expr, 1.0)
    return low, (_extreme(face, engine, expr, -1.0) if with_less else np.nan)


def _extreme(face: pulp.LpProblem, engine: pulp.LpSolver, expr: pulp.LpAffineExpression, sign: float) -> float:
    """The least (sign 1) or largest (sign −1) of expr over the face; ∓inf where unbounded."""
    face.setObjective(sign * expr + 0)
    if face.solve(engine) == pulp.LpStatusUnbounded:
        return -sign * np.inf
    if face.status != pulp.LpStatusOptimal:
        raise SolveError(f"shadow prices: the solver did not reach an optimum ({pulp.LpStatus.get(face.status, face.status)})")
    return _clean(float(pulp.value(expr) or 0.0))
