"""One HiGHS model across a solve's stages (allocate/highs_across_stages.py), and a stage's
relaxation over the arcs already paid with the rest priced in (mip.OverPaidArcs): every solve of
the held model gives the values, duals and slacks PuLP's own HiGHS plug-in gives on the same
program built afresh, through each kind of change the MIP's stages make.

The program, worked by hand: minimise −3x − 2y with x + y ≤ 4 (c1) and x + 3y ≤ 6 (c2), x, y ≥ 0.
Vertices (0,0) 0, (4,0) −12, (3,1) −11, (0,2) −4: the optimum is (4,0), −12; c1 binds with dual
−3 (one more unit of it: x = 5, −15), c2 has 2 of room and dual 0.
"""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from subsidy.allocate.highs_across_stages import HighsAcrossStages
from subsidy.allocate.mip import OverPaidArcs


def program():
    lp = pulp.LpProblem("held", pulp.LpMinimize)
    x = lp.add_variable("x", lowBound=0)
    y = lp.add_variable("y", lowBound=0)
    lp += -3 * x - 2 * y
    lp += x + y <= 4, "c1"
    lp += x + 3 * y <= 6, "c2"
    return lp, x, y


def reading(lp: pulp.LpProblem) -> dict:
    return {"objective": pulp.value(lp.objective), **{v.name: v.varValue for v in lp.variables()},
            **{f"pi[{c.name}]": c.pi for c in lp.constraints()}, **{f"slack[{c.name}]": c.slack for c in lp.constraints()}}


def same_as_pulps_own(lp: pulp.LpProblem, engine: HighsAcrossStages, mip: bool = False) -> dict:
    """Solve on the held model, then again with PuLP's plug-in on a fresh model: the same reading."""
    assert lp.solve(engine) == pulp.LpStatusOptimal
    held = reading(lp)
    assert lp.solve(pulp.HiGHS(msg=False, mip=mip)) == pulp.LpStatusOptimal
    fresh = reading(lp)
    assert held == pytest.approx(fresh, abs=1e-9)
    return held


def test_the_held_model_follows_each_change_as_a_fresh_one_would():
    lp, x, y = program()
    lp_engine, mip_engine = HighsAcrossStages(mip=False), HighsAcrossStages(mip=True)
    first = same_as_pulps_own(lp, lp_engine)
    assert (first["objective"], first["x"], first["y"]) == pytest.approx((-12, 4, 0))
    assert (first["pi[c1]"], first["pi[c2]"], first["slack[c2]"]) == pytest.approx((-3, 0, 2))
    held = lp.held_highs

    lp.get_constraint_by_name("c1").changeRHS(5)  # a right-hand side moved: (5, 0), −15
    assert same_as_pulps_own(lp, lp_engine)["objective"] == pytest.approx(-15)

    lp += x <= 2, "c3"  # a row added: (2, 4/3), −6 − 8/3 = −26/3
    moved = same_as_pulps_own(lp, lp_engine)
    assert (moved["objective"], moved["y"]) == pytest.approx((-26 / 3, 4 / 3))

    y.cat = pulp.LpInteger  # whole y: y = 1 lets x = 2 (−8); y = 2 leaves x = 0 (−4)
    assert same_as_pulps_own(lp, mip_engine, mip=True)["objective"] == pytest.approx(-8)
    assert same_as_pulps_own(lp, lp_engine)["objective"] == pytest.approx(-26 / 3)  # relaxed again

    x.upBound = 1  # a bound: (1, 5/3), −3 − 10/3 = −19/3
    assert same_as_pulps_own(lp, lp_engine)["objective"] == pytest.approx(-19 / 3)

    z = lp.add_variable("z", lowBound=0)  # a new variable in a new row and the objective
    lp += x + y + z <= 5, "c4"
    lp.setObjective(-3 * x - 2 * y - z)  # z takes the room c4 leaves: 5 − 1 − 5/3 = 7/3
    grown = same_as_pulps_own(lp, lp_engine)
    assert (grown["z"], grown["objective"]) == pytest.approx((7 / 3, -19 / 3 - 7 / 3))

    lp.get_constraint_by_name("c3").sense = pulp.LpConstraintGE  # a sense changed: x ≥ 2 against x ≤ 1
    assert lp.solve(lp_engine) == pulp.LpStatusInfeasible
    assert lp.held_highs is held  # every change above was handed over, never a rebuild


def test_a_maximisation_reports_the_duals_pulps_own_plug_in_reports():
    # maximise 3x + 2y on the same rows: HiGHS minimises −3x − 2y, so c1's dual reads −3 both ways
    lp, x, y = program()
    lp.sense = pulp.LpMaximize
    lp.setObjective(3 * x + 2 * y)
    held = same_as_pulps_own(lp, HighsAcrossStages(mip=False))
    assert (held["objective"], held["pi[c1]"]) == pytest.approx((12, -3))


def test_rows_replaced_rebuild_the_model():
    lp, x, y = program()
    engine = HighsAcrossStages(mip=False)
    lp.solve(engine)
    first = lp.held_highs
    del lp._constraints["c1"]  # without c1: x + 3y ≤ 6 alone lets x grow without end
    lp += x + y <= 3, "c1"  # a new c1 in its place: (3, 0), −9
    assert same_as_pulps_own(lp, engine)["objective"] == pytest.approx(-9)
    assert lp.held_highs is not first


def test_an_arc_left_out_of_the_relaxation_is_priced_back_in():
    # minimise −x0 − 2·x1 with x0 + x1 ≤ 3, x1 not paid before: over x0 alone the optimum is
    # x0 = 3 (−3), where x1's reduced cost −2 − 1·(−1) = −1 < 0 lets it in: x1 = 3, −6.
    lp = pulp.LpProblem("priced", pulp.LpMinimize)
    x = [lp.add_variable(f"x{i}", lowBound=0) for i in range(2)]
    lp += -x[0] - 2 * x[1]
    lp += x[0] + x[1] <= 3, "budget"
    engine = OverPaidArcs(HighsAcrossStages(mip=False), x)
    engine.paid = np.array([True, False])
    assert lp.solve(engine) == pulp.LpStatusOptimal
    assert (x[0].varValue, x[1].varValue, pulp.value(lp.objective)) == pytest.approx((0, 3, -6))
    assert engine.rounds == [1] and x[1].upBound is None  # one arc let in; its bound given back


def test_a_restriction_the_rows_cannot_keep_is_solved_whole():
    # x1 ≥ 1 with x1 left out: the restriction is infeasible, so the relaxation is solved whole:
    # x1 is worth 2 a unit against x0's 1, so x1 = 3, −6
    lp = pulp.LpProblem("whole", pulp.LpMinimize)
    x = [lp.add_variable(f"x{i}", lowBound=0) for i in range(2)]
    lp += -x[0] - 2 * x[1]
    lp += x[0] + x[1] <= 3, "budget"
    lp += x[1] >= 1, "least"
    engine = OverPaidArcs(HighsAcrossStages(mip=False), x)
    engine.paid = np.array([True, False])
    assert lp.solve(engine) == pulp.LpStatusOptimal
    assert pulp.value(lp.objective) == pytest.approx(-6)
    assert engine.rounds == [-1]
