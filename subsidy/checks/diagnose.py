"""Plain-words diagnosis of rule sets that are odd or impossible, before and after solving.

A scenario can be valid field by field and still make no sense as a whole: no enterprises, no
funds, nothing left to pay, a fund that can pay nobody. Rather than a traceback or a silent empty
table, each such case gets one sentence a clerk can act on. Errors stop the solve (exit 2);
warnings are printed by `solve` and `validate` and listed in summary.json under `warnings`.

Every rule but commitments is an upper bound on money paid, so without commitments the all-zero
allocation satisfies them all and the LP is never infeasible by construction. Commitments ask for
money: what the data alone show impossible is an error here (`checks.commitments`, exit 2);
`explain_failure` covers what remains: commitments that contradict each other only through the
optimisation, or a solver that stops short, explained together with the scale of the amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Literal

from subsidy.checks.commitments import commitment_conflicts
from subsidy.scenario.model import Enterprise, Fund, Scenario, ScopeGroups
from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    code: str  # stable name, e.g. 'fund_pays_nothing[county]'
    message: str

    def __str__(self) -> str:
        return self.message


def _why_fund_pays_nothing(fund: Fund, admitted: Iterable[Enterprise], residual: Callable[[Enterprise], dict[str, int]]) -> str | None:
    """The most specific reason the fund can pay no fen to anyone, or None if it can pay."""
    if to_fen(fund.budget) == 0:
        return "its budget is 0"
    if not fund.categories:
        return "it lists no categories it may pay"
    # One pass, stopping at the first enterprise the fund can pay a fen: the lists the messages
    # below describe are only complete (and only needed) when it can pay nobody.
    share = fund.caps.share_of_need
    categories = set(fund.categories)
    in_scope = with_lines = 0
    any_open = False
    for ent in admitted:
        in_scope += 1
        if not set(ent.costs) & categories:
            continue
        with_lines += 1
        left = residual(ent)
        lines = [left[c] for c in fund.categories if left.get(c, 0) > 0]
        if not lines:
            continue
        any_open = True
        if share is not None:
            lines = [floor_fen(Decimal(repr(share)) * r / 100) for r in lines]
        cap = fund.enterprise_cap(ent)
        if (sum(lines) if cap is None else min(sum(lines), floor_fen(cap))) > 0:
            return None
    if not in_scope:
        parts = [f"{k} {', '.join(v)}" for k, v in (("regions", fund.scope.regions), ("industries", fund.scope.industries),
                                                    ("enterprises", fund.scope.enterprises)) if v]
        return f"no enterprise is within its scope ({'; '.join(parts)})"
    if not with_lines:
        return f"none of the {in_scope} enterprise(s) in its scope has a cost in its categories ({', '.join(fund.categories)})"
    if not any_open:
        return "every cost line it may pay is already paid by the enterprises' own funds or is 0"
    reasons = []
    if fund.caps.per_enterprise is not None and to_fen(fund.caps.per_enterprise) == 0:
        reasons.append("per_enterprise is 0")
    if fund.caps.per_capacity:
        reasons.append("per_capacity × capacity is 0 for every eligible enterprise, by a rate of 0 or no capacity given")
    if fund.caps.per_worker is not None:
        reasons.append("per_worker × workers is 0 for every eligible enterprise, by a rate of 0 or no workers given")
    if share is not None and share == 0:
        reasons.append("share_of_need is 0")
    return "its caps allow nothing" + (f" ({'; '.join(reasons)})" if reasons else "")


def diagnose(scenario: Scenario, lines: CostLines) -> list[Finding]:
    """Everything odd about the rule set as a whole, errors first; `lines` are the scenario's
    cost lines once own funds are applied (the pipeline's own-funds step)."""
    found: list[Finding] = []
    if not scenario.enterprises:
        found.append(Finding("error", "no_enterprises", "the scenario has no enterprises: there is nothing to allocate (list them under `enterprises:`)"))
        return found
    found += [Finding("error", code, message) for code, message in commitment_conflicts(scenario, lines)]
    if not scenario.funds:
        found.append(Finding("warning", "no_funds", "the scenario has no funds: nothing can be paid, every residual need stays a gap"))
    need = bool(lines.residual.any())
    if not need:
        found.append(Finding("warning", "no_need", "the total residual need is 0: every cost is 0 or already paid by own funds, so nothing is allocated"))
    for ent in scenario.enterprises:
        if not ent.costs:
            found.append(Finding("warning", f"no_costs[{ent.id}]", f"enterprise {ent.id} has no cost lines: it can receive nothing"))
    index = {e: i for i, e in enumerate(lines.enterprises)}
    starts = lines.starts.tolist()

    def residual(ent: Enterprise) -> dict[str, int]:
        """Per category, what own funds leave of the enterprise's lines (fen)."""
        i = index[ent.id]
        span = slice(starts[i], starts[i + 1])
        return dict(zip((lines.categories[c] for c in lines.category[span].tolist()), lines.residual[span].tolist()))

    enterprises = scenario.enterprises
    groups = ScopeGroups.of(enterprises)
    no_capacity = [k for k, e in enumerate(enterprises) if e.capacity is None or e.capacity.amount == 0]
    for fund in scenario.funds:
        admits = fund.admits_each(enterprises, groups)
        admitted = (e for e, ok in zip(enterprises, admits) if ok)
        reason = _why_fund_pays_nothing(fund, admitted, residual) if need else None
        if reason:
            found.append(Finding("warning", f"fund_pays_nothing[{fund.id}]", f"fund {fund.id} can pay nothing: {reason}"))
            continue
        for ent in (enterprises[k] for k in no_capacity if admits[k]):
            if ent.industry in fund.caps.per_capacity and set(ent.costs) & set(fund.categories):
                found.append(Finding("warning", f"capacity_cap_zero[{fund.id},{ent.id}]",
                                     f"fund {fund.id} can pay enterprise {ent.id} nothing: it caps {ent.industry!r} per unit of "
                                     f"capacity but the enterprise's capacity is {'missing' if ent.capacity is None else '0'}"))
        if fund.caps.per_worker is not None:
            for ent in (e for e, ok in zip(enterprises, admits) if ok and not e.workers and set(e.costs) & set(fund.categories)):
                found.append(Finding("warning", f"workers_cap_zero[{fund.id},{ent.id}]",
                                     f"fund {fund.id} can pay enterprise {ent.id} nothing: it caps per worker "
                                     f"({fund.caps.per_worker} per worker) but the enterprise's workers are "
                                     f"{'missing' if ent.workers is None else '0'}"))
    return found


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "warning"]


def amount_range(scenario: Scenario) -> tuple[Decimal, Decimal] | None:
    """Smallest and largest non-zero amount in the scenario (costs, own funds, budgets, caps)."""
    amounts = [a for e in scenario.enterprises for a in (*e.costs.values(), *e.own_funds.values())]
    amounts += [f.budget for f in scenario.funds] + [f.caps.per_enterprise for f in scenario.funds if f.caps.per_enterprise is not None]
    amounts = [a for a in amounts if a > 0]
    return (min(amounts), max(amounts)) if amounts else None


def explain_failure(scenario: Scenario, detail: str) -> list[str]:
    """Why a solve failed, in plain words, from the solver's status text (SolveError's message)."""
    lines = []
    if "infeasible" in detail.lower():
        lines.append(f"{detail}: the rules contradict each other, so no allocation can keep them all. "
                     "Look for a rule that demands money (a minimum to cover) that budgets, caps or needs cannot supply.")
    elif "unbounded" in detail.lower():
        lines.append(f"{detail}: the model has no limit on some amount; this is a bug in the model, please report it.")
    else:
        lines.append(f"{detail}: the solver stopped without a proven optimum.")
    span = amount_range(scenario)
    if span and span[1] / span[0] > Decimal(10) ** 10:
        lines.append(f"amounts range from {from_fen(to_fen(span[0]))} to {from_fen(to_fen(span[1]))} {scenario.unit}, "
                     "eleven or more orders of magnitude: check for a mistyped unit (元 vs 万元), or try --solver cbc")
    return lines
