"""清算 (`subsidy settle PLAN_DIR ACTUAL`): a programme's first year is over; settle it and re-solve the rest.

What was paid in the first year (the plan's allocations.csv rows of that year) is a fact: those
payments are kept, as commitments. Against the actual scenario (actual costs, own funds and
tranches) each is then either still right, or too much:

- a cost line paid more than its actual public need in all (cost less own funds) was overpaid;
  the excess is recovered, from the funds listed last first (local money is returned before
  central money, the mirror of the tie-break's order);
- what is kept counts against the line's dues from the first year on, and against its fund's
  money of the first year (a fund that carries over may draw on its later tranches; what none
  covers is reported as overdrawn);
- the rest of the programme is solved again from the second year on, by the same stages
  (`timing`), on what is left: nothing new is paid in the settled year. Fairness (stage 2) then
  reads the need left after the settled payments.

The result lists, per enterprise and fund: paid in the settled year, to recover, and still owed
(what the re-solve pays in the later years).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from subsidy.allocate.stages import run_stages
from subsidy.allocate.timing import YearLines, YearsFlow, year_lines
from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.scenario.model import Scenario
from subsidy.scenario.years import read_year_table


class PlanError(ValueError):
    """The plan's allocations.csv cannot be read or names what the actual scenario lacks."""


def read_plan(path: str | Path) -> list[tuple[str, int, str, str, int]]:
    """(fund, year, enterprise, category, fen) of each row of a programme's allocations.csv
    (English or Chinese headers, as `solve --out` writes them)."""
    try:
        t = read_year_table(path, ["fund", "enterprise", "category"], ["year"], ["amount"])
    except ValueError as exc:
        raise PlanError(str(exc)) from None
    return list(zip(t["fund"], t["year"], t["enterprise"], t["category"], t["amount"]))


@dataclass
class Settlement:
    """The settled year, the per (fund, line) payments kept and recovered (fen), the funds
    overdrawn, and the re-solved programme (its allocations include the kept payments)."""

    year: int
    fund: np.ndarray  # per settled payment
    line: np.ndarray
    paid: np.ndarray
    recovered: np.ndarray
    overdrawn: np.ndarray  # per fund, fen the actual tranches do not cover
    result: ProgrammeResult

    def by_enterprise_and_fund(self) -> list[tuple[str, str, int, int, int]]:
        """(enterprise, fund, paid in the settled year, to recover, still owed later), fen; rows
        with anything in them, by enterprise then fund order."""
        yl, net = self.result.lines, self.result.solution.backend.net
        n_f = len(yl.scenario.funds)
        ent = yl.lines.enterprise
        table = np.zeros((len(yl.lines.enterprises), n_f, 3), dtype=np.int64)
        np.add.at(table, (ent[self.line], self.fund, 0), self.paid)
        np.add.at(table, (ent[self.line], self.fund, 1), self.recovered)
        np.add.at(table, (ent[net.x_line], net.x_fund, 2), self.result.fen)
        ids = [f.id for f in yl.scenario.funds]
        return [(yl.lines.enterprises[e], ids[f], *map(int, table[e, f])) for e in range(table.shape[0]) for f in range(n_f)
                if table[e, f].any()]


def settle(actual: Scenario, plan: list[tuple[str, int, str, str, int]],
           backend: Callable[[YearLines], object] = YearsFlow) -> Settlement:
    """Keep the plan's first-year payments (less what the actual figures make overpaid) and solve
    the rest on `backend` (`pipeline.programme_backend` chooses it: the LP where fund caps are)."""
    yl = year_lines(actual)
    first = yl.years[0]
    fund_of = {f.id: i for i, f in enumerate(actual.funds)}
    rows = [r for r in plan if r[1] == first and r[4] > 0]
    unknown = sorted({r[0] for r in rows if r[0] not in fund_of})
    if unknown:
        raise PlanError(f"the plan pays from fund(s) {', '.join(unknown)} that the actual scenario does not have / "
                        f"计划中的资金 {', '.join(unknown)} 在实际方案中不存在")
    fund = np.array([fund_of[r[0]] for r in rows], dtype=np.int64)
    line = yl.lines.locate([r[2] for r in rows], [r[3] for r in rows])
    if (line < 0).any():
        bad = rows[int(np.flatnonzero(line < 0)[0])]
        raise PlanError(f"the plan pays {bad[2]}'s {bad[3]}, a cost line the actual scenario does not have / "
                        f"计划支付的 {bad[2]} 的 {bad[3]} 在实际方案中没有该费用项")
    paid = np.array([r[4] for r in rows], dtype=np.int64)
    # Overpaid: beyond the line's actual public need in all, recovered from the funds listed last first.
    left = yl.need.copy()
    recovered = np.zeros(len(rows), dtype=np.int64)
    for i in sorted(range(len(rows)), key=lambda i: (int(fund[i]), i)):  # the first-listed keep theirs
        keep = min(int(paid[i]), int(left[line[i]]))
        left[line[i]] -= keep
        recovered[i] = paid[i] - keep
    kept = paid - recovered
    # What is kept counts against the line's public dues from the first year on ...
    payable = yl.payable.copy()
    rest = np.zeros(len(yl.lines), dtype=np.int64)
    np.add.at(rest, line, kept)
    for k in range(len(yl.years)):
        take = np.minimum(rest, payable[:, k])
        payable[:, k] -= take
        rest -= take
    # ... and against its fund's money: the first year's, then (carrying over) the later tranches.
    tranche = yl.tranche.copy()
    spend = np.zeros(len(actual.funds), dtype=np.int64)
    np.add.at(spend, fund, kept)
    for k in range(len(yl.years)):
        take = np.minimum(spend, tranche[:, k]) if k == 0 else np.where(yl.carry, np.minimum(spend, tranche[:, k]), 0)
        tranche[:, k] -= take
        spend -= take
    settled = yl.tranche - tranche
    left_lines = replace(yl, payable=payable, tranche=tranche, prior_fund=fund, prior_line=line, prior_fen=kept,
                         closed=1, tranche_settled=settled)
    result = ProgrammeResult(left_lines, run_stages(backend(left_lines)))
    return Settlement(first, fund, line, paid, recovered, spend, result)
