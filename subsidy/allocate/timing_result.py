"""The result of a programme over several years as tables, built from whole fen so that they add up.

`allocations` (fund, year, enterprise, category, amount), `gaps` (per cost line and year: what fell
due, what own funds and funds paid that year, the arrears left at its end; then one `total` row
per line whose arrears are the final gap), `funds` (per fund and year: arrived, spent, carried
over to the next year (in the last year: left at the end), lapsed without `carry_over`), `arrears` (per enterprise and year, what workers feel). One-year
scenarios never come here: they keep `result.Result` and today's files exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from subsidy._version import __version__
from subsidy.allocate.stages import Solution
from subsidy.allocate.table import Table
from subsidy.allocate.timing import YearLines

TOTAL = "total"
"""The `year` of the rows that sum a line over the programme (gaps.csv)."""


@dataclass
class ProgrammeResult:
    """A solved programme: the payments (fund, line, year) in whole fen and the stage values."""

    lines: YearLines
    solution: Solution
    warnings: list[str] = field(default_factory=list)
    scenario_sha256: str | None = None

    @property
    def scenario(self):
        return self.lines.scenario

    @property
    def years(self) -> list[int]:
        return self.lines.years

    @cached_property
    def fen(self) -> np.ndarray:
        """Whole fen per payment (the LP's tie-break is rounded and checked already; the flow's is in fen)."""
        return np.rint(self.solution.amounts).astype(np.int64)

    @property
    def method_note(self) -> str:
        return self.solution.backend.note

    @property
    def solver_version(self) -> str:
        return self.solution.backend.solver_version

    @cached_property
    def paid(self) -> np.ndarray:
        """[line, year] public money paid to each line each year."""
        return self.solution.backend.paid(self.fen)

    @cached_property
    def arrears(self) -> np.ndarray:
        """[line, year] due by the end of the year and not yet paid."""
        return self.lines.arrears(self.paid)

    @property
    def weighted_gap(self) -> float:
        """The weighted gap the written allocation leaves, computed exactly from its fen (stage 1's
        optimum: the later stages hold it, and tests check they do)."""
        net = self.solution.backend.net
        total = sum(w * a for w, a in zip(net.line_weight.tolist(), self.arrears[:, -1].tolist()))
        return float(Fraction(total, net.weight_scale * 100))

    @property
    def weighted_arrears(self) -> float:
        """The weighted arrears summed over the years that the written allocation leaves (the timing stage's optimum)."""
        return float(self.solution.backend.weighted_arrears(self.fen))

    def table(self, name: str) -> Table:
        return {"allocations": self._allocations, "gaps": self._gaps, "funds": self._funds, "arrears": self._enterprise_arrears}[name]()

    def _allocations(self) -> Table:
        net, yl = self.solution.backend.net, self.lines
        # settled payments (first year, `settle`) and the solved ones, as one list
        fund = np.concatenate([yl.prior_fund, net.x_fund])
        line = np.concatenate([yl.prior_line, net.x_line])
        year = np.concatenate([np.zeros(len(yl.prior_fen), dtype=np.int64), net.x_year])
        fen = np.concatenate([yl.prior_fen, self.fen])
        keep = np.flatnonzero(fen > 0)
        order = keep[np.lexsort((line[keep], year[keep], fund[keep]))]
        ids = [f.id for f in self.scenario.funds]
        ents, cats = yl.lines.names(line[order])
        return Table({"fund": [ids[f] for f in fund[order].tolist()], "year": [self.years[k] for k in year[order].tolist()],
                      "enterprise": ents, "category": cats, "amount": fen[order]}, frozenset({"amount"}))

    def _gaps(self) -> Table:
        yl, n_y = self.lines, len(self.years)
        ents, cats = yl.lines.names()
        n = len(ents)
        rows = np.arange(n).repeat(n_y + 1)
        year = (self.years + [TOTAL]) * n

        def with_total(per_year: np.ndarray, total: np.ndarray) -> np.ndarray:
            return np.concatenate([per_year, total[:, None]], axis=1).ravel()

        return Table({"enterprise": [ents[i] for i in rows.tolist()], "category": [cats[i] for i in rows.tolist()], "year": year,
                      "due": with_total(yl.due, yl.due.sum(axis=1)), "own_funds": with_total(yl.own, yl.own.sum(axis=1)),
                      "funded": with_total(self.paid, self.paid.sum(axis=1)), "arrears": with_total(self.arrears, self.arrears[:, -1])},
                     frozenset({"due", "own_funds", "funded", "arrears"}))

    @cached_property
    def fund_years(self) -> dict[str, np.ndarray]:
        """[fund, year]: arrived, spent, carried over to the next year, lapsed."""
        yl, net = self.lines, self.solution.backend.net
        spent = np.zeros(yl.tranche.shape, dtype=np.int64)
        np.add.at(spent, (net.x_fund, net.x_year), self.fen)
        np.add.at(spent[:, 0], yl.prior_fund, yl.prior_fen)
        carried = np.zeros_like(spent)
        lapsed = np.zeros_like(spent)
        held = np.zeros(len(spent), dtype=np.int64)
        arrived = yl.tranche + yl.tranche_settled
        for k in range(len(self.years)):  # in the last year, `carried_over` is what is left at the end
            left = held + arrived[:, k] - spent[:, k]
            carried[:, k] = np.where(yl.carry, left, 0)
            lapsed[:, k] = left - carried[:, k]
            held = carried[:, k]
        return {"arrived": arrived, "spent": spent, "carried_over": carried, "lapsed": lapsed}

    def _funds(self) -> Table:
        n_f, n_y = self.lines.tranche.shape
        ids = [f.id for f in self.scenario.funds]
        cols = {"fund": [ids[f] for f in range(n_f) for _ in range(n_y)], "year": self.years * n_f}
        cols.update({k: v.ravel() for k, v in self.fund_years.items()})
        return Table(cols, frozenset(self.fund_years))

    def _enterprise_arrears(self) -> Table:
        yl = self.lines
        n_e, n_y = len(yl.lines.enterprises), len(self.years)
        per = np.zeros((n_e, n_y), dtype=np.int64)
        np.add.at(per, yl.lines.enterprise, self.arrears)
        return Table({"enterprise": [e for e in yl.lines.enterprises for _ in range(n_y)], "year": self.years * n_e,
                      "arrears": per.ravel()}, frozenset({"arrears"}))

    @property
    def summary(self) -> dict:
        """summary.json: the stage values and the totals (each the sum of its table's column)."""
        yearly = self.arrears.sum(axis=0)
        fy = self.fund_years
        return {
            "scenario": self.scenario.name, "scenario_sha256": self.scenario_sha256, "tool_version": __version__,
            "years": self.years, "method": self.solution.backend.method, "method_note": self.method_note, "solver_version": self.solver_version,
            "weighted_gap": self.weighted_gap, "weighted_arrears": self.weighted_arrears,
            "max_gap_share": self.solution.max_gap_share, "total_due": _units(self.lines.due.sum()),
            "total_own_funds": _units(self.lines.own.sum()), "total_funded": _units(self.fen.sum() + self.lines.prior_fen.sum()),
            "total_gap": _units(self.arrears[:, -1].sum()),
            "arrears_by_year": {str(y): _units(a) for y, a in zip(self.years, yearly.tolist())},
            "lapsed": _units(fy["lapsed"].sum()), "warnings": list(self.warnings),
        }


def _units(fen) -> float:
    return int(fen) / 100
