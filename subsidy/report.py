"""The result of a solve as tables a bureau can read, built from whole fen so that they add up.

Every amount in these DataFrames is a `Decimal` with two places, derived from one integer-fen
allocation: a fund's `used` is the sum of its allocation rows, a line's `gap` is need − own funds −
funded, and every total is the sum of its column, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pandas as pd

from .rules import OWN, Arc
from .model import Scenario
from .waterfall import OwnFundsSplit, from_fen, to_fen


@dataclass
class Result:
    """One solved scenario. Amounts in fen internally; DataFrames in the scenario unit."""

    scenario: Scenario
    allocation_fen: dict[Arc, int]
    splits: dict[str, OwnFundsSplit]
    weighted_gap: float  # stage-1 optimum (LP value)
    max_gap_share: float  # stage-2 optimum (LP value), or the resulting share without fairness
    solver: str
    solver_version: str
    shadow_prices: dict[str, float]  # fund → weighted gap reduced per extra unit of budget
    duals: dict[str, float] = field(default_factory=dict)
    slacks: dict[str, float] = field(default_factory=dict)
    scenario_sha256: str | None = None
    status: str = "optimal"
    method: str = "pulp"
    method_note: str = ""  # why this method: the flow's unit, or why the scenario went to the LP
    warnings: list[str] = field(default_factory=list)  # plain-words findings of subsidy.diagnose

    # --- per-line figures in fen -------------------------------------------------------------
    @cached_property
    def _line_fen(self) -> dict[tuple[str, str], dict[str, int]]:
        """(enterprise, category) → need, own_funds, funded, gap; all cost lines, in fen."""
        sums: dict[tuple[str, str], list[int]] = {}  # need, own funds, funded
        for ent in sorted(self.scenario.enterprises, key=lambda e: e.id):
            applied = self.splits[ent.id].applied
            eid = ent.id
            for cat, amount in sorted(ent.costs.items()):
                sums[(eid, cat)] = [to_fen(amount), applied[cat], 0]
        for arc, fen in self.allocation_fen.items():
            sums[(arc.enterprise, arc.category)][1 if arc.source == OWN else 2] += fen
        return {key: {"need": n, "own_funds": o, "funded": f, "gap": n - o - f} for key, (n, o, f) in sums.items()}

    # --- the contract's tables ------------------------------------------------------------------
    @cached_property
    def allocations(self) -> pd.DataFrame:
        """fund, enterprise, category, amount: public money only, rows with amount > 0."""
        order = {f.id: i for i, f in enumerate(self.scenario.funds)}
        rows = [
            (arc.source, arc.enterprise, arc.category, from_fen(fen))
            for arc, fen in self.allocation_fen.items()
            if fen > 0 and arc.source != OWN
        ]
        rows.sort(key=lambda r: (order[r[0]], r[1], r[2]))
        return pd.DataFrame(rows, columns=["fund", "enterprise", "category", "amount"])

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """enterprise, category, need, own_funds, funded, gap: every cost line."""
        rows = [
            (eid, cat, from_fen(v["need"]), from_fen(v["own_funds"]), from_fen(v["funded"]), from_fen(v["gap"]))
            for (eid, cat), v in self._line_fen.items()
        ]
        return pd.DataFrame(rows, columns=["enterprise", "category", "need", "own_funds", "funded", "gap"])

    @cached_property
    def funds(self) -> pd.DataFrame:
        """fund, budget, used, left, shadow_price (stage-1 dual: weighted gap saved per extra unit)."""
        used: dict[str, int] = {}
        for arc, fen in self.allocation_fen.items():
            used[arc.source] = used.get(arc.source, 0) + fen
        rows = []
        for fund in self.scenario.funds:
            budget = to_fen(fund.budget)
            u = used.get(fund.id, 0)
            rows.append((fund.id, from_fen(budget), from_fen(u), from_fen(budget - u), round(self.shadow_prices.get(fund.id, 0.0), 6)))
        return pd.DataFrame(rows, columns=["fund", "budget", "used", "left", "shadow_price"])

    @cached_property
    def enterprises(self) -> pd.DataFrame:
        """Per enterprise: need, own funds, residual need, funded, gap and gap share (of residual)."""
        totals: dict[str, dict[str, int]] = {}
        for (eid, _), v in self._line_fen.items():
            t = totals.setdefault(eid, {"need": 0, "own_funds": 0, "funded": 0, "gap": 0})
            for k in t:
                t[k] += v[k]
        rows = []
        names = {e.id: e.name for e in self.scenario.enterprises}
        free = {e.id for e in self.scenario.enterprises if e.own_funds_rule == "free"}
        for eid, t in totals.items():
            # Under `free` own funds are one more source in the LP, so the share is of all costs.
            residual = t["need"] if eid in free else t["need"] - t["own_funds"]
            share = t["gap"] / residual if residual > 0 else 0.0
            rows.append((eid, names[eid], *(from_fen(t[k]) for k in ("need", "own_funds")), from_fen(residual),
                         from_fen(t["funded"]), from_fen(t["gap"]), round(share, 6)))
        return pd.DataFrame(rows, columns=["enterprise", "name", "need", "own_funds", "residual_need", "funded", "gap", "gap_share"])

    @cached_property
    def summary(self) -> dict:
        """summary.json's fields (contract first, then additions)."""
        lines = self._line_fen.values()
        total = {k: sum(v[k] for v in lines) for k in ("need", "own_funds", "funded", "gap")}
        return {
            "status": self.status,
            "objective_weighted_gap": round(self.weighted_gap, 6),
            "max_gap_share": round(self.max_gap_share, 9),
            "total_need": float(from_fen(total["need"])),
            "total_own_funds": float(from_fen(total["own_funds"])),
            "total_funded": float(from_fen(total["funded"])),
            "total_gap": float(from_fen(total["gap"])),
            "solver": self.solver,
            "scenario_sha256": self.scenario_sha256,
            "scenario": self.scenario.name,
            "unit": self.scenario.unit,
            "solver_version": self.solver_version,
            "method": self.method,
            "method_note": self.method_note,
            "fairness": self.scenario.policy.fairness,
            "tool_version": _tool_version(),
            "warnings": list(self.warnings),
        }

    def total(self, table: str, column: str) -> Decimal:
        return sum(getattr(self, table)[column], Decimal(0))


def _tool_version() -> str:
    from . import __version__

    return __version__
