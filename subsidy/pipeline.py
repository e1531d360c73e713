"""The one pipeline: a scenario in, a verified result out.

    read → validate → own funds → diagnose → rules → stages → round to fen → verify → result

`solve` is that sequence, one short function; each step runs once and hands its product to the
next (no step computes what an earlier one already has). Own funds come before the diagnosis
because the diagnosis reads the residual needs they leave. Every method goes through the same
steps: only the backend that solves the stages differs (`choose_backend`), and every backend
returns the same `Allocation`.

Methods: "flow" (integer network flows, exact, fast at any size), "pulp" (the LP through PuLP
with HiGHS or CBC), "auto" (the flow whenever the rules fit an exact integer flow, else the LP,
saying why in the result's method note; the LP also when a solver other than HiGHS is named).
With 配套 matching "auto" tries the flow without the match rows first and keeps its answer when
it keeps every row (`allocate.match_first`); else the whole-fen MIP (`allocate.mip`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from subsidy.allocate.result import Result
from subsidy.allocate.rounding import round_to_fen
from subsidy.allocate.rules import Rules, build_rules
from subsidy.allocate.stages import METHODS, Backend, NotAFlow, RulesConflict, SolveError, gc_paused, run_stages
from subsidy.allocate.settle import Settlement, settle
from subsidy.allocate.timing import YearLines, YearsFlow, beyond_the_network, is_programme, year_lines
from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.allocate.waterfall import cost_lines
from subsidy.checks.diagnose import Finding, diagnose, errors
from subsidy.checks.verify import verify_result
from subsidy.checks.verify_years import verify_programme
from subsidy.scenario.load import load_scenario_with_hash
from subsidy.scenario.model import Scenario

__all__ = ["solve", "solve_programme", "programme_backend", "settle_programme", "solve_file", "diagnosis", "rules_of", "allocate", "choose_backend", "SolveError", "NotAFlow", "RulesConflict", "VerificationError", "DiagnosisError"]


class VerificationError(SolveError):
    """The solved allocation broke a rule when checked independently (checks.verify): a bug,
    never to be written out. `.violations` lists each broken rule by name."""

    def __init__(self, violations: list):
        self.violations = violations
        super().__init__(f"the allocation failed its independent check ({len(violations)} violation(s)); nothing written")


class DiagnosisError(SolveError):
    """The diagnosis found errors before solving (a commitment beyond its fund's budget, minimum
    coverage no fund may pay, no enterprises, ...) and the caller passed no `on_findings` to see
    them: raised instead of solving on rules the data show impossible. `.findings` are the
    errors, each with its sentence in English and Chinese (`Finding.said(lang)`)."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"the diagnosis found {len(findings)} error(s) before solving: " + "; ".join(map(str, findings)))

    def said(self, lang: str) -> list[str]:
        return [f.said(lang) for f in self.findings]


def _seen(findings: list[Finding], on_findings: Callable[[list[Finding]], None] | None) -> None:
    """The diagnosis to the caller's `on_findings`; without one, its errors stop the solve."""
    if on_findings is not None:
        on_findings(findings)
    elif errors(findings):
        raise DiagnosisError(errors(findings))


def solve(scenario: Scenario, solver: str = "highs", scenario_sha256: str | None = None, check: bool = True,
          method: str = "auto", *, on_findings: Callable[[list[Finding]], None] | None = None,
          models=None, tables: bool = True) -> Result:
    """Solve a validated scenario and return its verified result (tables in whole fen).

    `on_findings` sees the diagnosis before the solve starts (the CLI prints warnings and stops
    on errors there); without it, an error of the diagnosis raises DiagnosisError. With `check` (the default) the result is verified by checks.verify, which
    shares no code with any backend, and VerificationError is raised if a rule is broken;
    `tables=False` checks the allocations and totals only (a sweep writes no other table).
    `models` (allocate.highs_reuse.HighsModels) lets LP solves reuse held HiGHS models.
    """
    if is_programme(scenario):
        raise SolveError("this scenario runs over several years (years:): solve it with solve_programme "
                         "(`subsidy solve`, `compare` and `report --html/--pdf` do); explain, close-gap, sweep and risk take one year only / "
                         "跨年度方案请用 solve_programme（subsidy solve、compare、report --html/--pdf）求解；explain、close-gap、sweep、risk 仅支持单一年度")
    with gc_paused():  # millions of small objects and no cycles: see stages.gc_paused
        lines = cost_lines(scenario)                                  # own funds (the waterfall)
        findings = diagnose(scenario, lines)                          # odd rule sets, in words
        _seen(findings, on_findings)
        rules = build_rules(scenario, lines)                          # arcs and bounds
        try:
            allocation = allocate(rules, method, solver, models)      # stages, then round to fen
        except SolveError as exc:
            raise conflict_of(rules, solver, exc) from None
        result = Result(scenario, allocation, [str(f) for f in findings], scenario_sha256)
        if check:                                                     # verify, independently
            violations = verify_result(result, tables=tables)
            if violations:
                raise VerificationError(violations)
        return result


def solve_programme(scenario: Scenario, scenario_sha256: str | None = None, check: bool = True, method: str = "auto",
                    solver: str = "highs", *, on_findings: Callable[[list[Finding]], None] | None = None) -> ProgrammeResult:
    """A programme over several years (`years:`): the same steps on the year rules
    (`allocate.timing`: own funds as they arrive, the stages with the timing stage, whole fen;
    by the flow, or the LP `allocate.timing_lp`: `programme_backend`), then the year rules
    checked independently (`checks.verify_years`). `on_findings` as for `solve`."""
    with gc_paused():
        years = year_lines(scenario)                                  # dues, own funds as they arrive
        findings = diagnose(scenario, years.as_totals())              # on the totals over the years
        _seen(findings, on_findings)
        result = ProgrammeResult(years, run_stages(programme_backend(years, method, solver)), [str(f) for f in findings], scenario_sha256)
        if check:
            violations = verify_programme(scenario, result.table("allocations").columns, result.table("gaps").columns, result.summary)
            if violations:
                raise VerificationError(violations)
        return result


def settle_programme(actual: Scenario, plan: list) -> Settlement:
    """清算 (`allocate.settle`), then the year rules checked independently on the kept and the
    re-solved payments together; a fund overdrawn is reported, not checked as an error."""
    with gc_paused():
        settled = settle(actual, plan, programme_backend)
        result = settled.result
        if not settled.overdrawn.any():
            violations = verify_programme(actual, result.table("allocations").columns, result.table("gaps").columns, result.summary)
            if violations:
                raise VerificationError(violations)
        return settled


def programme_backend(years: YearLines, method: str = "auto", solver: str = "highs"):
    """The flow over the years (`timing.YearsFlow`) or the LP (`timing_lp.YearsLp`), chosen as
    `choose_backend` chooses for one year: the LP when asked for, or when another solver than
    HiGHS is named, or when commitments or minimum coverage ask for money; integer programs (`timing_lp.YearsMip`)
    where fund caps or commitments without a year bound a fund over all the years."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    crossing = beyond_the_network(years.scenario)
    reason = crossing or ("commitments are lower and upper bounds the flow does not carry" if years.scenario.commitments else None) \
        or ("minimum coverage asks money, a lower bound the flow does not carry" if years.scenario.policy.minimum_coverage else None)
    if reason and method == "flow":
        raise NotAFlow(f"the flow method cannot solve this programme: {reason}; use --method auto or pulp / "
                       "该跨年度方案含资金上限、已定事项或保底比例，网络流方法无法求解，请用 --method auto 或 pulp")
    note = f"not solved as a flow: {reason}" if reason and method == "auto" else None
    if crossing:
        from subsidy.allocate.timing_lp import YearsMip

        return YearsMip(years, solver, note)
    if reason or method == "pulp" or (method == "auto" and solver != "highs"):
        from subsidy.allocate.timing_lp import YearsLp

        return YearsLp(years, solver, note)
    return YearsFlow(years)


def conflict_of(rules: Rules, solver: str, exc: SolveError) -> SolveError:
    """A stage 1 found infeasible where some rule asks for money: the smallest set of rules in
    conflict and the least extra budget per fund (`RulesConflict`); any other failure as it was."""
    if isinstance(exc, NotAFlow) or "infeasible" not in str(exc).lower() or not (rules.commit_lower > 0).any():
        return exc
    from subsidy.allocate.conflicts import conflicting_rules, least_extra_budget

    found = conflicting_rules(rules, solver)
    if found is None:
        return exc
    return RulesConflict(found, least_extra_budget(rules, solver), str(exc))


def rules_of(scenario: Scenario) -> Rules:
    """Own funds, then the rules: what every backend solves (tests and analyses start here)."""
    return build_rules(scenario, cost_lines(scenario))


def diagnosis(scenario: Scenario) -> list[Finding]:
    """The pipeline's first steps alone (own funds, then the diagnosis): `subsidy validate`."""
    return diagnose(scenario, year_lines(scenario).as_totals() if is_programme(scenario) else cost_lines(scenario))


def solve_file(path: str | Path, **options) -> Result:
    """Read and validate a scenario file (any format, overlays too), then `solve` it."""
    scenario, sha = load_scenario_with_hash(path)
    return solve(scenario, scenario_sha256=sha, **options)


def allocate(rules: Rules, method: str = "auto", solver: str = "highs", models=None):
    """The stages on the chosen backend, rounded to whole fen: the `Allocation`. With 配套
    matching, `auto` tries the flow without the match rows first: its answer is exact with them
    whenever it keeps them (`allocate.match_first` proves it); else the whole-fen MIP, saying why.
    Where the sweeps' held HiGHS model fails, PuLP solves the point (`Allocation.fallback` says why)."""
    if len(rules.match_fund) and method == "auto" and solver == "highs":
        from subsidy.allocate.match_first import flow_first
        from subsidy.allocate.mip import MIP_NOTE, MipBackend

        allocation, why, flow_fen = flow_first(rules, solver)
        if allocation is not None:
            return allocation
        return round_to_fen(run_stages(MipBackend(rules, solver, f"{MIP_NOTE} ({why})", paid=flow_fen)))
    backend = choose_backend(rules, method, solver, models)
    try:
        return round_to_fen(run_stages(backend))
    except SolveError as failure:
        if not hasattr(backend, "fallback") or isinstance(failure, RulesConflict):
            raise
        allocation = round_to_fen(run_stages(backend.fallback(failure)))
        allocation.fallback = str(failure)
        return allocation


def choose_backend(rules: Rules, method: str = "auto", solver: str = "highs", models=None) -> Backend:
    """The flow when it can be exact (and is wanted), else the LP; see the module docstring."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "auto" and solver != "highs":
        method = "pulp"  # asking for an LP solver other than the default is asking for the LP
    note = None
    if method in ("auto", "flow"):
        from subsidy.allocate.flow import FlowBackend
        from subsidy.allocate.flow_network import NotANetwork

        try:
            return FlowBackend(rules)
        except NotANetwork as exc:
            if method == "flow":
                raise NotAFlow(f"the flow method cannot solve this scenario exactly: {exc}") from None
            note = f"not solved as a flow: {exc}"
    if len(rules.match_fund):  # 配套: not a network, so whole-fen MIP stages (allocate.mip)
        from subsidy.allocate.mip import MIP_NOTE, MipBackend

        return MipBackend(rules, solver, MIP_NOTE if note is None or "配套" in note else f"{note}; {MIP_NOTE}")
    from subsidy.allocate.lp import LP_NOTE, PulpBackend

    if models is not None and solver == "highs" and len(rules.arc_source) and not rules.commit_arcs and not len(rules.pool_fund):
        from subsidy.allocate.highs_reuse import ReusedHighs

        return ReusedHighs(rules, models, note or LP_NOTE)
    return PulpBackend(rules, solver, note or LP_NOTE)
