"""The result of a solve as tables a bureau can read, built from whole fen so that they add up.

Every amount derives from one integer-fen allocation: a fund's `used` is the sum of its
allocation rows, a line's `gap` is need − own funds − funded, and every total is the sum of its
column, exactly. The tables are columns first (`table(name)`: money as int64 fen arrays, what the
export and the verifier read at any size); the DataFrames, with `Decimal` cells, are built from
them when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from subsidy.scenario.model import Scenario
from subsidy._version import __version__
from subsidy.allocate.binding import RuleStates, rule_states
from subsidy.allocate.distribution import POOL_REGION, distributions
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import Allocation
from subsidy.allocate.table import Table
from subsidy.allocate.waterfall import CostLines, from_fen, to_fen

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Result:
    """One solved scenario: its `Allocation` (whole fen per arc, stage values, duals) and the
    tables built from it. Amounts in fen internally; DataFrames in the scenario unit."""

    scenario: Scenario
    allocation: Allocation
    warnings: list[str] = field(default_factory=list)  # plain-words findings of checks.diagnose
    scenario_sha256: str | None = None
    status: str = "optimal"

    # --- what the method found ------------------------------------------------------------------
    @property
    def rules(self) -> Rules:
        return self.allocation.rules

    @property
    def lines(self) -> CostLines:
        """The cost lines and own-funds waterfall the allocation was made on."""
        return self.allocation.rules.lines

    @property
    def weighted_gap(self) -> float:
        """Stage-1 optimum."""
        return self.allocation.weighted_gap

    @property
    def max_gap_share(self) -> float:
        """Stage-2 optimum, or the resulting largest share without fairness."""
        return self.allocation.max_gap_share

    @property
    def solver(self) -> str:
        return self.allocation.solver

    @property
    def solver_version(self) -> str:
        return self.allocation.solver_version

    @property
    def method(self) -> str:
        return self.allocation.method

    @property
    def method_note(self) -> str:
        """Why this method: the flow's unit, or why the scenario went to the LP."""
        return self.allocation.note

    @cached_property
    def shadow_prices(self) -> dict[str, float]:
        """Fund → weighted gap saved per extra unit of budget."""
        return dict(zip((f.id for f in self.scenario.funds), self.allocation.shadow_prices.tolist()))

    @cached_property
    def rule_use(self) -> tuple[np.ndarray, np.ndarray]:
        """(used, limit) of every bound in whole fen, from the final allocation (allocations.csv);
        a pooled region's row counts what the pool does not cover (`Rules.rule_use`)."""
        return self.rules.rule_use(self.allocation.fen), self.rules.membership()[2]

    def distribution_table(self) -> Table:
        """distribution.csv: per fund split by the factor method and region, its factors (capacity
        weighted by the early-exit weights), exact share (10 decimals), amount and what the
        allocation pays the region's enterprises (pool money too). A fund with a pool (share < 1)
        gets one more row after its regions: region `*`, amount U, used Σ of what its regions take
        beyond their amounts; its factor columns are empty."""
        kind = self.rules.bound_order[0]
        paid = self.rule_use[0][kind == self.rules.KINDS.index("distribution")].tolist()
        taken = self.rule_use[0][kind == self.rules.KINDS.index("distribution_pool")].tolist()
        dist_bound, pool_bound = self.rules.pool_columns
        for row, take in zip(np.searchsorted(np.flatnonzero(kind == 5), dist_bound).tolist(), self.rules.pool_take(self.allocation.fen).tolist()):
            paid[row] += take  # the region's row counts what the pool does not cover: add the pool's part back
        pools = dict(zip((self.scenario.funds[f].id for f in self.rules.pool_fund.tolist()), zip(self.rules.pool_fen.tolist(), taken)))
        cols: dict[str, list] = {k: [] for k in ("fund", "region", "capacity", "workers", "difficulty", "share", "amount", "used")}
        k = 0
        for fund, regions in distributions(self.scenario).items():
            for r in regions:
                for key, value in zip(cols, (r.fund, r.region, _decimal(r.capacity), r.workers, _decimal(r.difficulty), _decimal(r.share), r.amount_fen, paid[k])):
                    cols[key].append(value)
                k += 1
            if fund in pools:
                for key, value in zip(cols, (fund, POOL_REGION, "", "", "", "", *pools[fund])):
                    cols[key].append(value)
        cols["amount"], cols["used"] = np.array(cols["amount"], dtype=np.int64), np.array(cols["used"], dtype=np.int64)
        return Table(cols, frozenset({"amount", "used"}))

    @cached_property
    def rule_states(self) -> RuleStates:
        """Every rule's bound, use, room and whether it binds under the final allocation, every kind
        of rule (budgets, caps, own funds, regions, pools, commitments, coverage, match rows): the
        one reading `binding_rules` and `explain` share (`allocate.binding`)."""
        return rule_states(self.rules, self.allocation.fen)

    def binding_rules(self) -> list[str]:
        """The rules the final allocation sits at the limit of, every kind, in the rules' order
        (upper bounds, then commitments, coverage, match rows): the one set `solve` prints and
        `explain` marks binding (`allocate.binding`). A cap of an enterprise the final allocation
        pays nothing from that fund does not bind although stage 1's slack was 0 (linzi:
        cap_enterprise[central_reward,honglu_cement])."""
        return self.rule_states.binding_names()

    @cached_property
    def _arcs(self) -> tuple[CostLines, list[str], np.ndarray, np.ndarray, np.ndarray]:
        """(cost lines, sources = fund ids then OWN, per arc: source code, line, fen)."""
        rules = self.rules
        return rules.lines, rules.sources, rules.arc_source, rules.arc_line, self.allocation.fen

    @cached_property
    def _line_columns(self) -> dict[str, np.ndarray]:
        """Per cost line (gaps-table order), in fen: need, own_funds, funded, gap."""
        lines, sources, source, line, fen = self._arcs
        own = lines.applied.copy()
        funded = np.zeros(len(lines), dtype=np.int64)
        mine = source == len(sources) - 1
        np.add.at(own, line[mine], fen[mine])
        np.add.at(funded, line[~mine], fen[~mine])
        return {"need": lines.cost, "own_funds": own, "funded": funded, "gap": lines.cost - own - funded}

    @cached_property
    def _used(self) -> np.ndarray:
        """Per fund (as listed), fen allocated."""
        _, sources, source, _, fen = self._arcs
        used = np.zeros(len(sources), dtype=np.int64)
        np.add.at(used, source, fen)
        return used[:-1]

    def own_funds_rows(self) -> tuple[list[str], list[str], np.ndarray]:
        """Own funds spent as a source (the `free` rule): enterprise, category, fen, rows > 0."""
        lines, sources, source, line, fen = self._arcs
        keep = np.flatnonzero((source == len(sources) - 1) & (fen > 0))
        return (*lines.names(line[keep]), fen[keep])

    # --- the contract's tables ------------------------------------------------------------------
    def table(self, name: str) -> Table:
        """allocations, gaps, funds or enterprises as columns (money in fen)."""
        return getattr(self, f"_{name}_table")

    @cached_property
    def _allocations_table(self) -> Table:
        lines, sources, source, line, fen = self._arcs
        keep = np.flatnonzero((fen > 0) & (source < len(sources) - 1))
        keep = keep[np.lexsort((line[keep], source[keep]))]  # funds as listed, then enterprise, category
        ents, cats = lines.names(line[keep])
        return Table({
            "fund": [sources[k] for k in source[keep].tolist()],
            "enterprise": ents,
            "category": cats,
            "amount": fen[keep],
        }, frozenset({"amount"}))

    @cached_property
    def _gaps_table(self) -> Table:
        ents, cats = self._arcs[0].names()
        return Table({
            "enterprise": ents,
            "category": cats,
            **self._line_columns,
        }, frozenset({"need", "own_funds", "funded", "gap"}))

    @cached_property
    def _funds_table(self) -> Table:
        funds = self.scenario.funds
        budget = np.array([to_fen(f.budget) for f in funds], dtype=np.int64)
        return Table({
            "fund": [f.id for f in funds],
            "budget": budget,
            "used": self._used,
            "left": budget - self._used,
            "shadow_price": [round(self.shadow_prices.get(f.id, 0.0), 6) for f in funds],
        }, frozenset({"budget", "used", "left"}))

    @cached_property
    def _enterprises_table(self) -> Table:
        lines = self._arcs[0]
        cols = self._line_columns
        n = len(lines.enterprises)
        totals = {}
        for k in ("need", "own_funds", "funded", "gap"):
            totals[k] = np.zeros(n, dtype=np.int64)
            np.add.at(totals[k], lines.enterprise, cols[k])
        # Under `free` own funds are one more source, so the share is of all costs.
        residual = np.where(lines.free, totals["need"], totals["need"] - totals["own_funds"])
        names = {e.id: e.name for e in self.scenario.enterprises}
        ids = list(lines.enterprises)  # every enterprise, one without cost lines too (all zeros): none vanishes
        share = [round(g / r, 6) if r > 0 else 0.0 for g, r in zip(totals["gap"].tolist(), residual.tolist())]
        return Table({
            "enterprise": ids,
            "name": [names[e] for e in ids],
            "need": totals["need"], "own_funds": totals["own_funds"], "residual_need": residual,
            "funded": totals["funded"], "gap": totals["gap"], "gap_share": share,
        }, frozenset({"need", "own_funds", "residual_need", "funded", "gap"}))

    @cached_property
    def allocations(self) -> "pd.DataFrame":
        """fund, enterprise, category, amount (float, in the unit): public money only, rows with
        amount > 0; amount_fen the same exactly (int64, 1/100 of the unit)."""
        return self._allocations_table.numeric_frame()

    @cached_property
    def gaps(self) -> "pd.DataFrame":
        """enterprise, category, need, own_funds, funded, gap (floats in the unit): every cost line;
        then need_fen … gap_fen, exact."""
        return self._gaps_table.numeric_frame()

    @cached_property
    def funds(self) -> "pd.DataFrame":
        """fund, budget, used, left (floats in the unit), shadow_price (stage-1 dual: weighted gap
        saved per extra unit); then budget_fen, used_fen, left_fen, exact."""
        return self._funds_table.numeric_frame()

    @cached_property
    def enterprises(self) -> "pd.DataFrame":
        """Per enterprise: name, need, own funds, residual need, funded, gap (floats in the unit),
        gap share (of residual); then the amounts exactly as `_fen` integers."""
        return self._enterprises_table.numeric_frame()

    def exact(self, name: str) -> "pd.DataFrame":
        """allocations, gaps, funds or enterprises with money as `Decimal` (two places), the
        contract's columns only: what the analyses and their sentences sum to the fen."""
        frames = self.__dict__.setdefault("_exact_frames", {})
        if name not in frames:
            frames[name] = self.table(name).frame()
        return frames[name]

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Result {self.scenario.name!r}: {len(self._enterprises_table)} enterprises, {len(self.scenario.funds)} funds; "
                f"gap {s['total_gap']:,.2f} of need {s['total_need']:,.2f} {self.scenario.unit}; {self.method}>")

    def _repr_html_(self) -> str:
        """A notebook's view: the totals, then the enterprises with the largest gaps."""
        import html

        s = self.summary
        rows = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:right'>{s[k]:,.2f}</td></tr>"
                       for k in ("total_need", "total_own_funds", "total_funded", "total_gap"))
        largest = self.enterprises.nlargest(10, "gap_fen")[["enterprise", "name", "need", "funded", "gap", "gap_share"]]
        return (f"<p><b>{html.escape(self.scenario.name)}</b> ({html.escape(self.scenario.unit)}; "
                f"{len(self._enterprises_table)} enterprises; {html.escape(self.method)})</p>"
                f"<table>{rows}</table><p>largest gaps</p>{largest.to_html(index=False, float_format=lambda v: f'{v:,.2f}')}")

    @cached_property
    def summary(self) -> dict:
        """summary.json's fields (contract first, then additions)."""
        total = {k: sum(v.tolist()) for k, v in self._line_columns.items()}  # Python integers: no overflow
        return {
            "status": self.status,
            "objective_weighted_gap": round(self.weighted_gap, 6),
            "max_gap_share": round(self.max_gap_share, 9),
            "max_gap_share_bound": None if self.allocation.max_gap_share_bound is None else round(self.allocation.max_gap_share_bound, 9),
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
            "tool_version": __version__,
            "warnings": list(self.warnings),
        }

    def total(self, table: str, column: str) -> Decimal:
        """A money column's total, exact."""
        return from_fen(sum(self.table(table).columns[column].tolist()))


def _decimal(value) -> str:
    """An exact fraction as a decimal of at most 10 places, as text (distribution.csv's factors and
    shares: the money columns' two places would show a share of 0.600361 as 0.60)."""
    return format((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-10")).normalize(), "f")
