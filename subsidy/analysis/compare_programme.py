"""Comparing options of a programme over several years: `subsidy compare` when the scenarios have `years:`.

A programme's options differ in time as well as in money: the asset sale slipping a year, a tranche
coming earlier, a fund losing its carry-over. The one-year comparison (`compare`) reads the gap at
the end; a programme's reads what a bureau is asked about year by year: the weighted and total gap
at the end, the weighted arrears summed over the years, the arrears at the end of each year, and
where public money moved between enterprises and years (the pairs where some option pays an
enterprise a different amount in a year than the first option does).

It uses the solves' products only (`ProgrammeResult.paid` and `.arrears`, whole fen), so every
figure is exact: amounts as Decimal of fen, weights as the result computes them. Options must share
their years (the caller says so when they do not). The tables as text and CSV are output's
(`output.programme_compare`). `scenarios/options/xianan-2025-2027-late-sale.yaml` against its base:
the same final gap (160.60 weighted, 310.60 in all), arrears 581.40 / 150.00 / 310.60 against
557.08 / 765.68 / 310.60, and 24.32 of public money moved from 温泉's 2027 to its 2025.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.allocate.waterfall import from_fen
from subsidy.analysis.compare import _inputs
from subsidy.scenario.model import Scenario

TOTALS = ("weighted_gap", "total_gap", "weighted_arrears")


@dataclass
class ProgrammeComparison:
    labels: list[str]
    scenarios: list[Scenario]
    results: list[ProgrammeResult]
    years: list[int]
    totals: pd.DataFrame  # scenario, weighted_gap, total_gap, weighted_arrears, arrears_<year>…, then d_… of each
    moved: pd.DataFrame   # scenario, enterprise, name, year, paid, d_paid: (enterprise, year) pairs some option pays differently
    inputs: pd.DataFrame  # field, one column per option (values that differ), as the one-year comparison

    @property
    def measures(self) -> list[str]:
        return [*TOTALS, *(f"arrears_{y}" for y in self.years)]


def compare_programmes(options: list[tuple[str, Scenario]], results: list[ProgrammeResult]) -> ProgrammeComparison:
    """Tabulate solved programmes (`results`, one per (label, scenario)) against the first."""
    labels = [label for label, _ in options]
    if len(options) < 2 or len(set(labels)) != len(labels):
        raise ValueError("compare needs two or more options with different labels: " + ", ".join(labels))
    years = results[0].years
    if any(r.years != years for r in results):
        raise ValueError("the options' years differ: " + "; ".join(str(r.years) for r in results))
    return ProgrammeComparison(labels, [s for _, s in options], results, years, _totals(labels, results),
                               _moved(labels, results), _inputs(labels, [s for _, s in options]))


def _totals(labels: list[str], results: list[ProgrammeResult]) -> pd.DataFrame:
    rows = []
    for label, r in zip(labels, results):
        values = {"weighted_gap": round(r.weighted_gap, 6), "total_gap": from_fen(int(r.arrears[:, -1].sum())),
                  "weighted_arrears": round(r.weighted_arrears, 6),
                  **{f"arrears_{y}": from_fen(int(v)) for y, v in zip(r.years, r.arrears.sum(axis=0).tolist())}}
        first = values if not rows else first
        rows.append({"scenario": label, **values, **{f"d_{k}": v - first[k] for k, v in values.items()}})
    return pd.DataFrame(rows)


def _paid(result: ProgrammeResult) -> dict[tuple[str, int], int]:
    """(enterprise, year) → public money paid that year, all funds and cost lines together (fen)."""
    yl = result.lines.lines
    per = np.zeros((len(yl.enterprises), len(result.years)), dtype=np.int64)
    np.add.at(per, yl.enterprise, result.paid)
    return {(e, y): int(per[i, j]) for i, e in enumerate(yl.enterprises) for j, y in enumerate(result.years)}


def _moved(labels: list[str], results: list[ProgrammeResult]) -> pd.DataFrame:
    """The (enterprise, year) pairs where some option pays a different amount than the first, in
    the first option's order (enterprises new in a later option after), each option's payment and
    its difference from the first's; an enterprise an option lacks is paid 0 there."""
    paid = [_paid(r) for r in results]
    names: dict[str, str] = {}
    order: dict[tuple[str, int], None] = {}  # insertion-ordered set
    for r, p in zip(results, paid):
        names.update({e.id: e.name for e in r.scenario.enterprises})
        order.update(dict.fromkeys(p))
    moved = [k for k in order if len({p.get(k, 0) for p in paid}) > 1]
    rows = [{"scenario": label, "enterprise": e, "name": names[e], "year": y, "paid": from_fen(p.get((e, y), 0)),
             "d_paid": from_fen(p.get((e, y), 0) - paid[0].get((e, y), 0))}
            for label, p in zip(labels, paid) for e, y in moved]
    return pd.DataFrame(rows, columns=["scenario", "enterprise", "name", "year", "paid", "d_paid"])
