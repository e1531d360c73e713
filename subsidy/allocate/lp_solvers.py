"""The LP solvers behind PuLP: HiGHS through highspy (one thread, fixed seed) or CBC.

This module and the LP backends are imported only when the LP is used: the flow path never
loads PuLP.
"""

from __future__ import annotations

import os
import re
import sys
from importlib.metadata import version

import pulp

SOLVERS = ("highs", "cbc")
"""The solvers tuned here; any other installed PuLP solver is taken by its PuLP name."""
ALIASES = {"HiGHS": "highs", "PULP_CBC_CMD": "cbc", "COIN_CMD": "cbc"}
"""PuLP's names of the two tuned here: CBC with PuLP's defaults declares feasible holds infeasible
(see `make_solver`), so its names take the tuned one."""
IPM_FROM_ARCS = 6000
"""From this many variables on, HiGHS's interior point (with crossover) beats its simplex on this
LP (measured: 6k arcs 1.6 s vs 1.3 s, 12k arcs 6.4 s vs 3.6 s; below, simplex is faster)."""


def silence_highs_banner() -> None:
    """HiGHS prints a copyright banner to fd 1 on the first Highs() of a process, whatever its
    options; swallow it once so that `--format json` output and CSV pipes stay clean."""
    global _BANNER_DONE
    if _BANNER_DONE:
        return
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_DONE = True


_BANNER_DONE = False


class _CBC(pulp.COIN_CMD):
    """CBC, also keeping the objective value from the first line of CBC's solution file.

    The CBC bundled with PuLP < 3.3 writes variable values with 8 significant digits (2135289.06
    reads back as 2135289.1), so an objective recomputed from them was off by up to 5e-8 of
    every term, and holding the next stage at such a value made it infeasible. The objective
    line has 8 decimals whatever the magnitude (it leaves out the objective's constant, which
    `objective_value` adds back)."""

    objective: float | None = None

    def readsol_MPS(self, filename, *args, **kwargs):
        with open(filename) as fh:
            found = re.search(r"objective value\s+(\S+)", fh.readline())
        try:
            self.objective = float(found.group(1)) if found else None
        except ValueError:
            self.objective = None
        return super().readsol_MPS(filename, *args, **kwargs)


def objective_value(problem: pulp.LpProblem, solver: pulp.LpSolver) -> float:
    """The optimum just found, as precisely as the solver reports it."""
    reported = getattr(solver, "objective", None)
    if reported is not None:
        return reported + float(problem.objective.constant)
    return float(pulp.value(problem.objective))


def make_solver(name: str, arcs: int = 0) -> pulp.LpSolver:
    """HiGHS through highspy (one thread, fixed seed: same answer every run), PuLP's CBC, or any
    other solver PuLP has a plug-in for and finds installed (`GLPK_CMD`, `GUROBI`, ...: PuLP's
    name for it), with its defaults.

    HiGHS uses its interior-point method (then crossover to a vertex) for large models."""
    if name == "highs":
        silence_highs_banner()
        if arcs >= IPM_FROM_ARCS:
            return pulp.HiGHS(msg=False, threads=1, random_seed=0, mip=False, solver="ipm")
        return pulp.HiGHS(msg=False, threads=1, random_seed=0, mip=False)
    if name == "cbc":
        try:  # PuLP ≥ 3.3 ships CBC through the cbcbox package (extra `pulp[cbc]`)
            import cbcbox

            path = cbcbox.cbc_bin_path()
        except ImportError:
            return pulp.PULP_CBC_CMD(msg=False, threads=1)
        # cbcbox's CBC (devel) runs bound propagation before an LP solve, and its divergence
        # test declares feasible programs infeasible when a hold leaves a margin of 1e-6 on
        # amounts of a few fen (x0 + 3·x1 + 2·x2 ≥ 0.069999 with a maximum of 0.07). An LP
        # gains nothing from it.
        return _CBC(msg=False, threads=1, path=path, options=["boundPropLevel off"])
    if name in ALIASES:
        return make_solver(ALIASES[name], arcs)
    if name in pulp.listSolvers(onlyAvailable=True):  # any other solver PuLP has a plug-in for, installed here
        return pulp.getSolver(name, msg=False)
    raise ValueError(unknown_solver(name))


def make_mip_solver(name: str) -> pulp.LpSolver:
    """The same solvers for the whole-fen MIP stages (`mip`): one thread, fixed seed, relative
    gap 0 and an absolute gap of 1e-6 (stage 1's and stage 3's objectives are integers, so that
    is optimal; stage 2's share to that tolerance, as the LP's)."""
    if name == "highs":
        silence_highs_banner()
        return pulp.HiGHS(msg=False, threads=1, random_seed=0, mip=True, gapRel=0, gapAbs=1e-6)
    if name == "cbc":
        try:
            import cbcbox

            path = cbcbox.cbc_bin_path()
        except ImportError:
            return pulp.PULP_CBC_CMD(msg=False, threads=1, gapRel=0, gapAbs=1e-6)
        return _CBC(msg=False, threads=1, path=path, gapRel=0, gapAbs=1e-6, options=["boundPropLevel off"])
    if name in ALIASES:
        return make_mip_solver(ALIASES[name])
    if name in pulp.listSolvers(onlyAvailable=True):
        return pulp.getSolver(name, msg=False, gapRel=0)
    raise ValueError(unknown_solver(name))


def unknown_solver(name: str) -> str:
    """Why `name` is no solver, and which are."""
    others = [s for s in pulp.listSolvers(onlyAvailable=True) if s not in ALIASES]
    return (f"unknown solver {name!r}: choose highs, cbc" + (f" or a PuLP solver installed here ({', '.join(others)})" if others else "")
            + f"; PuLP also knows {', '.join(sorted(set(pulp.listSolvers()) - set(pulp.listSolvers(onlyAvailable=True))))}, not installed")


def solver_version(name: str) -> str:
    """The solver's name and version, for summary.json."""
    if name == "highs":
        return f"highspy {version('highspy')}"
    if name != "cbc":
        return f"{name} through PuLP {version('pulp')}"
    try:
        return f"CBC from cbcbox {version('cbcbox')}"
    except Exception:  # noqa: BLE001 - the binary bundled with older PuLP
        return f"CBC bundled with PuLP {version('pulp')}"
