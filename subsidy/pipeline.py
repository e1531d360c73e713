"""Solving the allocation program stage by stage, and turning the solution into whole fen.

Stage 1 minimises the weighted gap. Stage 2 (policy.fairness) holds stage 1 and minimises the
largest gap share. Stage 3 holds both, first spends whatever money can still reach a payable line
(this only matters for weight-0 categories), then picks one allocation among the equally good ones
by fund order (own funds, then funds as listed) with a fixed id-derived tie-break.

Two methods give the same stage values: `flow` (subsidy.flow: integer network flows, fast at any
size) and `pulp` (this module's LP). `auto` takes the flow whenever the scenario's rules fit an
exact integer flow and says why not otherwise. PuLP is imported only when the LP is used.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import re
import sys
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from subsidy.scenario.model import Scenario
from subsidy.allocate.rules import Arc, ArcAmounts, Lazy, Rules, build_rules

if TYPE_CHECKING:
    import pulp

    from subsidy.allocate.lp import AllocationLP

HOLD_TOLERANCE = 1e-9
"""Relative slack when a later stage holds an earlier one at its optimum (spec)."""
HOLD_FLOOR = 1e-6
"""Absolute floor of that slack: solvers' own feasibility tolerance is about 1e-7, and a hold
tighter than what the solver can see makes the next stage spuriously infeasible."""

SHARE_HOLD_FLOOR = 1e-12
"""Floor of the stage-2 hold, which is on a share, not an amount: 1e-6 of an enterprise's need
was 1,000 万元 of leeway for a need of 10^9 万元, enough for stage 3 to undo fairness."""

SOLVERS = ("highs", "cbc")
METHODS = ("auto", "flow", "pulp")
LP_NOTE = "linear program (PuLP)"
IPM_FROM_ARCS = 6000
"""From this many variables on, HiGHS's interior point (with crossover) beats its simplex on this
LP (measured: 6k arcs 1.6 s vs 1.3 s, 12k arcs 6.4 s vs 3.6 s; below, simplex is faster)."""


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector: solving builds millions of small objects (arcs,
    bounds, rows) and no reference cycles, and at 100k enterprises the collector's repeated full
    sweeps took half the run time. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SolveError(RuntimeError):
    """The solver could not produce an optimal allocation; the message says why in plain words."""


class NotAFlow(SolveError):
    """`method="flow"` was asked for, but the rules cannot be solved exactly as an integer flow
    (the message says which rule); the LP can solve them."""


class VerificationError(SolveError):
    """The solved allocation broke a rule when checked independently (subsidy.verify): a bug,
    never to be written out. `.violations` lists each broken rule by name."""

    def __init__(self, violations: list):
        self.violations = violations
        super().__init__(f"the allocation failed its independent check ({len(violations)} violation(s)); nothing written")


def _silence_highs_banner() -> None:
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


@functools.cache
def _cbc_class() -> type:
    """CBC's solver class, defined on first use so that PuLP is imported only on the LP path."""
    import pulp

    class _CBC(pulp.COIN_CMD):
        """CBC, also keeping the objective value from the first line of CBC's solution file.

        The CBC bundled with PuLP < 3.3 writes variable values with 8 significant digits (2135289.06
        reads back as 2135289.1), so an objective recomputed from them was off by up to 5e-8 of
        every term, and holding the next stage at such a value made it infeasible. The objective
        line has 8 decimals whatever the magnitude (it leaves out the objective's constant, which
        `_objective` adds back)."""

        objective: float | None = None

        def readsol_MPS(self, filename, *args, **kwargs):
            with open(filename) as fh:
                found = re.search(r"objective value\s+(\S+)", fh.readline())
            try:
                self.objective = float(found.group(1)) if found else None
            except ValueError:
                self.objective = None
            return super().readsol_MPS(filename, *args, **kwargs)

    return _CBC


def _objective(lp: AllocationLP, solver: pulp.LpSolver) -> float:
    """The optimum just found, as precisely as the solver reports it."""
    import pulp

    reported = getattr(solver, "objective", None)
    if reported is not None:
        return reported + float(lp.problem.objective.constant)
    return float(pulp.value(lp.problem.objective))


def make_solver(name: str, arcs: int = 0) -> pulp.LpSolver:
    """HiGHS through highspy (one thread, fixed seed: same answer every run), or PuLP's CBC.

    HiGHS uses its interior-point method (then crossover to a vertex) for large models."""
    import pulp

    if name == "highs":
        _silence_highs_banner()
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
        return _cbc_class()(msg=False, threads=1, path=path, options=["boundPropLevel off"])
    raise ValueError(f"unknown solver {name!r}; choose one of {', '.join(SOLVERS)}")


@functools.cache
def solver_version(name: str) -> str:
    from importlib.metadata import version

    if name == "highs":
        return f"highspy {version('highspy')}"
    if name == "ortools":
        return f"OR-Tools {version('ortools')} min-cost flow"
    try:
        return f"CBC from cbcbox {version('cbcbox')}"
    except Exception:  # noqa: BLE001 - the binary bundled with older PuLP
        return f"CBC bundled with PuLP {version('pulp')}"


@dataclass
class StageValues:
    weighted_gap: float
    max_gap_share: float
    total_funded: float


@dataclass
class Solution:
    """What the solver found, in the scenario unit, before rounding to fen."""

    lp: AllocationLP
    solver: str
    values: dict[Arc, float]
    stages: StageValues
    duals: dict[str, float] = field(default_factory=dict)  # stage-1 duals by readable constraint name
    slacks: dict[str, float] = field(default_factory=dict)  # stage-1 slacks


def _run(lp: AllocationLP, solver: pulp.LpSolver, stage: str) -> None:
    import pulp

    status = lp.problem.solve(solver)
    model_status = _highs_status(lp.problem)
    if status != pulp.LpStatusOptimal or model_status not in (None, "Optimal"):
        detail = model_status or pulp.LpStatus.get(status, str(status))
        raise SolveError(f"{stage}: the solver did not reach an optimum ({detail})")


def _highs_status(problem: pulp.LpProblem) -> str | None:
    # PuLP maps HiGHS time/iteration limits to "Optimal"; ask HiGHS itself.
    model = getattr(problem, "solverModel", None)
    if model is None or not hasattr(model, "getModelStatus"):
        return None
    return model.modelStatusToString(model.getModelStatus())


def _hold(value: float, floor: float = HOLD_FLOOR, relative: float = HOLD_TOLERANCE) -> float:
    return max(relative * abs(value), floor)


def fairness_scale(lp: AllocationLP) -> float:
    """Stage 2 minimises the share times the largest need, so that a unit more funding lowers
    the objective by up to 1, not by 1/need (1e-9 for 10^9 万元): that was below the solvers'
    dual tolerance (1e-7) and let CBC stop 1,000 万元 short of the fair optimum."""
    return max(1.0, max(lp.enterprise_need.values(), default=1.0))


def share_hold(max_share: float) -> float:
    """Slack of the stage-2 hold: relative 1e-9, with a floor for a share, not an amount."""
    return _hold(max_share, SHARE_HOLD_FLOOR)


def solve_lp(scenario: Scenario, solver: str = "highs", rules: Rules | None = None) -> Solution:
    """All stages on one PuLP model; returns float values of every arc."""
    import pulp

    from subsidy.allocate.lp import add_fairness, build, fund_ranks, tie_break_weight

    lp = build(scenario, rules)
    engine = make_solver(solver, len(lp.arcs))
    if not lp.arcs:
        # Nothing can be paid: every stage's optimum is the all-zero allocation.
        shares = [1.0 for need in lp.enterprise_need.values() if need > 0]
        stages = StageValues(float(pulp.value(lp.weighted_gap.constant)), max(shares, default=0.0), 0.0)
        return Solution(lp, solver, {}, stages, {name: 0.0 for name in lp.constraints}, {})

    lp.problem.setObjective(lp.weighted_gap)
    _run(lp, engine, "stage 1 (weighted gap)")
    weighted_gap = _objective(lp, engine)
    duals = {name: float(c.pi or 0.0) for name, c in lp.constraints.items()}
    slacks = {name: float(c.slack or 0.0) for name, c in lp.constraints.items()}

    lp.add("hold[weighted_gap]", lp.weighted_gap <= weighted_gap + _hold(weighted_gap))
    if scenario.policy.fairness and lp.enterprise_need:
        share = add_fairness(lp)
        scale = fairness_scale(lp)
        lp.problem.setObjective(pulp.LpAffineExpression([(share, scale)]))
        _run(lp, engine, "stage 2 (largest gap share)")
        # CBC's objective line has 8 decimals, too few for a share of 1e-5: read the variable.
        max_share = float(share.varValue) if solver == "cbc" else _objective(lp, engine) / scale
        lp.add("hold[max_gap_share]", pulp.LpAffineExpression([(share, 1.0)]) <= max_share + share_hold(max_share))
    else:
        max_share = math.nan

    lp.problem.setObjective(-lp.total_funded)
    _run(lp, engine, "stage 3 (spend what can still be spent)")
    funded = -_objective(lp, engine)
    lp.add("hold[total_funded]", lp.total_funded >= funded - _hold(funded))

    ranks = fund_ranks(scenario)
    lp.problem.setObjective(
        pulp.LpAffineExpression([(var, tie_break_weight(arc, ranks[arc.source])) for arc, var in lp.x.items()])
    )
    _run(lp, engine, "stage 3 (tie-break by fund order)")
    values = {arc: max(0.0, float(var.varValue or 0.0)) for arc, var in lp.x.items()}
    if math.isnan(max_share):
        max_share = _largest_share(lp, values)
    return Solution(lp, solver, values, StageValues(float(weighted_gap), max_share, float(funded)), duals, slacks)


def _largest_share(lp: AllocationLP, values: dict[Arc, float]) -> float:
    funded: dict[str, float] = {}
    for arc, v in values.items():
        funded[arc.enterprise] = funded.get(arc.enterprise, 0.0) + v
    shares = [(need - funded.get(eid, 0.0)) / need for eid, need in lp.enterprise_need.items() if need > 0]
    return max(shares, default=0.0)


FRACTION_PLACES = 3
"""Rounding to whole fen compares what the solver left on an arc to a thousandth of a fen; below
that it is solver noise, and arcs tie (first in arc order wins)."""


def reconcile_to_fen(lp: AllocationLP | Rules, values: dict[Arc, float] | list[float]) -> Mapping[Arc, int]:
    """Round every arc to whole fen without breaking any upper-bound rule.

    Floors each value, then gives back single fen, largest fractional part first, to each
    source until its total equals its rounded float total, and only where every rule containing
    the arc still has a fen of room. An arc moves by less than a fen from the solver's value,
    or by exactly one fen where a fen lost to a bound that is not a whole fen is spent on it;
    by more only where the solver's value itself broke a bound (the bound wins).

    `Rules` (the flow method) come as arrays and give an `ArcAmounts`; an LP gives a dict.
    """
    if isinstance(lp, Rules):
        owner, member, limits = lp.membership()
        amounts = values if isinstance(values, list) else [values[a] for a in lp.arcs]
        return ArcAmounts(lp, _round_to_fen(amounts, owner, member, limits, lp.arc_source))
    arcs = lp.arcs
    bounds = list(lp.upper_bounds.values())
    amounts = values if isinstance(values, list) else [values[a] for a in arcs]  # a list is aligned with arcs
    pos = {id(a): i for i, a in enumerate(arcs)}  # the same Arc objects sit in the rules' lists
    member = np.array([pos[id(a)] for rule_arcs, _ in bounds for a in rule_arcs], dtype=np.int64)
    owner = np.repeat(np.arange(len(bounds)), [len(rule_arcs) for rule_arcs, _ in bounds]).astype(np.int64)
    limits = np.array([bound for _, bound in bounds], dtype=np.int64)
    codes: dict[str, int] = {}
    source = np.array([codes.setdefault(a.source, len(codes)) for a in arcs], dtype=np.int64)
    return dict(zip(arcs, _round_to_fen(amounts, owner, member, limits, source).tolist()))


def _round_to_fen(amounts: list[float], owner: np.ndarray, member: np.ndarray, limits: np.ndarray,
                  source: np.ndarray) -> np.ndarray:
    """`reconcile_to_fen` on a sparse rule matrix: rule owner[k] contains arc member[k] (pairs
    sorted by rule, then arc), `limits` per rule in fen, `source` a code per arc.

    Vectorised with numpy where the order of operations does not matter; the greedy steps
    (repairing a rule the floors overshoot, handing back fen) stay sequential, in the same order
    and with the same keys (Python floats, Python's round) as the plain loops they replace.
    """
    exact = np.array(amounts, dtype=np.float64) * 100  # the same doubles as v * 100 in Python
    fen = np.maximum(0, np.floor(exact + 1e-6)).astype(np.int64)
    n_rules = len(limits)
    begin = np.searchsorted(owner, np.arange(n_rules + 1))

    # Fractional parts compared to FRACTION_PLACES (a thousandth of a fen), ties in arc order:
    # two arcs at half a fen each, or a fen lost to a cap spent on one of two empty arcs, must not
    # be decided by solver noise (HiGHS leaves up to ~1e-4 fen), or the same program solved twice
    # (warm or cold) could round differently.
    def frac(i: int) -> float:
        return round(float(exact[i]) - int(fen[i]), FRACTION_PLACES)

    # Solver tolerance (or CBC's 8-digit values) can leave a sum above a bound that rounds down,
    # by more than one fen per arc: take back fen one at a time, round after round, from the arcs
    # that were rounded up the most, until the rule holds. Repairs only lower fen, so a rule
    # within its bound before any repair stays within it: only rules over it at the start need a look.
    used = np.zeros(n_rules, dtype=np.int64)
    np.add.at(used, owner, fen[member])
    for r in np.flatnonzero(used > limits).tolist():
        order = sorted(member[begin[r] : begin[r + 1]].tolist(), key=frac)
        total = int(fen[order].sum())
        while total > limits[r] and any(fen[i] > 0 for i in order):
            for i in order:
                if total <= limits[r]:
                    break
                if fen[i] > 0:
                    fen[i] -= 1
                    total -= 1
    # Room is counted after all repairs: an arc may sit in several rules.
    used = np.zeros(n_rules, dtype=np.int64)
    np.add.at(used, owner, fen[member])
    room = (limits - used).tolist()
    by_arc = np.argsort(member, kind="stable")
    starts = np.searchsorted(member[by_arc], np.arange(len(amounts) + 1)).tolist()
    rules_of = owner[by_arc].tolist()

    fen_list = fen.tolist()
    by_source = np.argsort(source, kind="stable")
    cuts = np.flatnonzero(np.diff(source[by_source])) + 1
    for idx in np.split(by_source, cuts) if len(by_source) else []:
        target = round(sum(exact[idx].tolist()))  # Python's sum, in arc order
        deficit = target - int(fen[idx].sum())
        if deficit <= 0:
            continue
        # Arcs the solver left a fraction on first, largest first; then any arc with room, so
        # that a fen lost to a bound that is not a whole fen (a share cap of 0.5 × 533.45) is
        # spent elsewhere. Either way an arc gains at most one fen. Python's round on the few
        # arcs whose fraction could round above 0: numpy's rounds differently at a half.
        part = exact[idx] - fen[idx]
        keys = np.ones(len(idx))
        near = np.flatnonzero(part >= 0.4 * 10.0**-FRACTION_PLACES)
        rounded = [round(f, FRACTION_PLACES) for f in part[near].tolist()]
        keys[near] = [-f if f > 0 else 1.0 for f in rounded]
        idx = idx.tolist()
        for k in np.argsort(keys, kind="stable").tolist():
            if deficit <= 0:
                break
            i = idx[k]
            mine = rules_of[starts[i] : starts[i + 1]]
            if all(room[r] >= 1 for r in mine):
                fen_list[i] += 1
                deficit -= 1
                for r in mine:
                    room[r] -= 1
    return np.array(fen_list, dtype=np.int64)


def solve(scenario: Scenario, solver: str = "highs", scenario_sha256: str | None = None, check: bool = True,
          method: str = "auto") -> "Result":
    """Solve all stages and return the reconciled result (tables in whole fen).

    `method`: "flow" (integer network flows; fails with SolveError when the rules do not fit),
    "pulp" (the LP with `solver`), or "auto" (flow when it fits, else the LP, saying why; the LP
    also when `solver` is not the default "highs"). With `check` (the default) the result is verified by subsidy.verify, which shares no code
    with either solver, and VerificationError is raised if any rule is broken. Odd rule sets found
    by subsidy.diagnose are listed in `result.warnings`.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "auto" and solver != "highs":
        method = "pulp"  # asking for an LP solver other than the default is asking for the LP
    with gc_paused():
        return _solve(scenario, solver, scenario_sha256, check, method)


def _solve(scenario: Scenario, solver: str, scenario_sha256: str | None, check: bool, method: str) -> "Result":
    from subsidy.allocate.result import Result

    rules = build_rules(scenario)
    reason = LP_NOTE
    if method in ("auto", "flow"):
        from subsidy.allocate.flow import FlowError, NotANetwork, solve_flow

        try:
            flow = solve_flow(scenario, rules)
        except NotANetwork as exc:
            if method == "flow":
                raise NotAFlow(f"the flow method cannot solve this scenario exactly: {exc}") from None
            reason = f"not solved as a flow: {exc}"
        except FlowError as exc:
            raise SolveError(str(exc)) from None
        else:
            fen = flow.fen if flow.fen is not None else reconcile_to_fen(rules, flow.amounts())
            result = Result(
                scenario=scenario,
                allocation_fen=fen,
                splits=Lazy(lambda: rules.splits),
                weighted_gap=flow.weighted_gap,
                max_gap_share=flow.max_gap_share,
                solver="ortools",
                solver_version=solver_version("ortools"),
                shadow_prices=flow.shadow_prices,
                duals=flow.duals,
                slacks=flow.slacks,
                scenario_sha256=scenario_sha256,
                method="flow",
                method_note=f"min-cost flow in units of 1/{flow.unit_per_fen} fen (exact)",
                lines=rules.lines,
            )
            return _checked(scenario, result, check)
    solution = solve_lp(scenario, solver, rules)
    prices = None
    if len(solution.lp.arcs) <= EXACT_PRICES_MAX_ARCS:
        prices = budget_shadow_prices(scenario, solution, solver)
    else:
        reason += "; shadow prices are the solver's duals (a subgradient where the optimum is degenerate; --method flow gives the right derivative)"
    return result_of(scenario, solution, scenario_sha256, check, method_note=reason, shadow_prices=prices)


EXACT_PRICES_MAX_ARCS = 5_000
"""Above this the LP path keeps the solver's duals: the dual-face solves would cost more than the
solve itself (2,000 enterprises: +19 s). The flow method gives exact prices at any size."""


def budget_shadow_prices(scenario: Scenario, solution: Solution, solver: str) -> dict[str, float]:
    """What one more unit of each budget saves in weighted gap: the right derivative.

    A solver's dual at a degenerate optimum (a budget running out together with the caps that
    limit it) is any subgradient, so it could say 1 where one more 万元 saves nothing. The least
    dual on the dual's optimal face is the right derivative; it is what the flow method reports
    too, so both methods agree.
    """
    from subsidy.analysis.explain import marginal_values

    table = scenario.category_table
    weights = {a: table[a.category].weight for a in solution.lp.arcs}
    names = [f"budget[{f.id}]" for f in scenario.funds]
    values = marginal_values(solution.lp, weights, names, solver, right_only=True)
    return {f.id: values[f"budget[{f.id}]"].more for f in scenario.funds}


def result_of(scenario: Scenario, solution: Solution, scenario_sha256: str | None = None, check: bool = True,
              check_tables: bool = True, method_note: str = LP_NOTE,
              shadow_prices: dict[str, float] | None = None) -> "Result":
    """The reconciled result of a solution, however it was solved (here, or a reused model),
    verified as in `solve` when `check`; `check_tables=False` leaves out the gaps and funds
    tables (a sweep, which writes neither, saves building them)."""
    from subsidy.allocate.result import Result

    fen = reconcile_to_fen(solution.lp, solution.values)
    result = Result(
        scenario=scenario,
        allocation_fen=fen,
        splits=solution.lp.splits,
        weighted_gap=solution.stages.weighted_gap,
        max_gap_share=solution.stages.max_gap_share,
        solver=solution.solver,
        solver_version=solver_version(solution.solver),
        shadow_prices=shadow_prices if shadow_prices is not None else _shadow_prices(scenario, solution.duals),
        duals=solution.duals,
        slacks=solution.slacks,
        scenario_sha256=scenario_sha256,
        method="pulp",
        method_note=method_note,
    )
    return _checked(scenario, result, check, check_tables)


def _checked(scenario: Scenario, result: "Result", check: bool, check_tables: bool = True) -> "Result":
    """The diagnosis's warnings on the result, and the independent verification when `check`."""
    from subsidy.checks.diagnose import diagnose

    result.warnings = [str(finding) for finding in diagnose(scenario)]
    if check:
        from subsidy.checks.verify import verify_result

        violations = verify_result(result, tables=check_tables)
        if violations:
            raise VerificationError(violations)
    return result


def _shadow_prices(scenario: Scenario, duals: dict[str, float]) -> dict[str, float]:
    """Weighted gap saved per extra unit of each fund's budget (minus the stage-1 dual)."""
    return {f.id: -duals.get(f"budget[{f.id}]", 0.0) + 0.0 for f in scenario.funds}
