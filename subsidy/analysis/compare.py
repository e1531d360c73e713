"""Comparing policy options: several scenarios solved side by side, differences against the first.

Tables are long (one row per scenario and enterprise, or scenario and fund) with `d_…` columns
holding the difference against the first scenario; `wide()` turns one into the side-by-side view
a person reads. An enterprise or fund missing from a scenario counts as zero there (`present`
says so). `inputs` lists every field whose value differs between the scenarios, by id path
(`funds.central_reward.budget`), so the summary can say what was changed as well as what it did.
The summary and the tables as text are output's (`output.analysis_text.comparison_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from subsidy.scenario.model import Scenario
from subsidy.scenario.paths import KEYED_LISTS, flatten
from subsidy.allocate.result import Result
from subsidy.pipeline import solve

ENTERPRISE_MEASURES = ("need", "own_funds", "funded", "gap", "gap_share")
FUND_MEASURES = ("budget", "used", "left", "shadow_price")
TOTAL_MEASURES = ("weighted_gap", "max_gap_share", "total_need", "total_own_funds", "total_funded", "total_gap")


def labels_for(paths: list[str | Path]) -> list[str]:
    """Short labels for scenario files: the file stem, or more of the path where stems clash."""
    stems = [Path(p).stem for p in paths]
    labels = [stem if stems.count(stem) == 1 else str(p) for stem, p in zip(stems, paths)]
    # The same file given twice still needs two labels.
    return [label if labels[:i].count(label) == 0 else f"{label} ({labels[:i].count(label) + 1})" for i, label in enumerate(labels)]


def option_labels(names: list[str], file_labels: list[str]) -> list[str]:
    """How a comparison (`compare`, `report A B`) names each option: by its scenario's name, with
    the file's label (`labels_for`) added where two share a name, the label alone where it has none."""
    return [label if not name else name if names.count(name) == 1 else f"{name} ({label})"
            for name, label in zip(names, file_labels)]


MONEY_MEASURES = ("need", "own_funds", "funded", "gap", "budget", "used", "left", "amount",
                  "total_need", "total_own_funds", "total_funded", "total_gap")
"""The measures of the comparison tables that are amounts in the scenario unit (and their d_…)."""


def effective_inputs(scenario: Scenario) -> dict:
    """Every field by id path, with categories as they apply (defaults and overrides merged)."""
    data = scenario.model_dump(mode="python", by_alias=True)
    data["categories"] = {name: cat.model_dump(mode="python", by_alias=True) for name, cat in scenario.category_table.items()}
    return flatten(data)


@dataclass
class Comparison:
    labels: list[str]
    scenarios: list[Scenario]
    results: list[Result]
    enterprises: pd.DataFrame  # scenario, enterprise, name, present, need, own_funds, funded, gap, gap_share, d_…
    funds: pd.DataFrame        # scenario, fund, name, present, budget, used, left, shadow_price, d_…
    totals: pd.DataFrame       # scenario, weighted_gap, max_gap_share, total_…, d_…
    inputs: pd.DataFrame       # field, one column per scenario label (values that differ)
    # scenario, fund, enterprise, name, amount, d_amount: what each public fund pays each
    # enterprise (all categories), where some scenario differs from the first: where money moved
    allocations: pd.DataFrame | None = None

    def wide(self, table: str, measures: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Side by side: one row per enterprise (or fund), columns (scenario, measure) then Δ."""
        long = getattr(self, table)
        key = {"enterprises": "enterprise", "funds": "fund"}[table]
        measures = measures or {"enterprises": ENTERPRISE_MEASURES, "funds": FUND_MEASURES}[table]
        wide = long.pivot(index=key, columns="scenario", values=list(measures) + [f"d_{m}" for m in measures])
        order = [(m, self.labels[0]) for m in measures]
        for label in self.labels[1:]:
            order += [(m, label) for m in measures] + [(f"d_{m}", label) for m in measures]
        return wide[order]


def _delta(value, base):
    if value is None or base is None:
        return None
    return value - base


def compare(scenarios: list[tuple[str, Scenario]], solver: str = "highs", results: list[Result] | None = None) -> Comparison:
    """Solve each (label, scenario) and tabulate them against the first."""
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    labels = [label for label, _ in scenarios]
    if len(set(labels)) != len(labels):
        raise ValueError("scenario labels must differ: " + ", ".join(labels))
    models = [s for _, s in scenarios]
    results = results or [solve(s, solver) for s in models]
    return Comparison(labels, models, results,
                      _long(labels, [r.exact("enterprises") for r in results], "enterprise", ENTERPRISE_MEASURES),
                      _long(labels, [_funds(r) for r in results], "fund", FUND_MEASURES),
                      _totals(labels, results),
                      _inputs(labels, models),
                      _allocations(labels, results))


def _allocations(labels: list[str], results: list[Result]) -> pd.DataFrame:
    """Per public fund and enterprise, what each scenario pays (all categories together), for
    the pairs where some scenario differs from the first: the fund-by-fund view of where money
    moved (a formula's split against the optimiser's, say), in the first scenario's order."""
    paid: list[dict[tuple[str, str], Decimal]] = []
    names: dict[str, str] = {}
    order: list[tuple[str, str]] = []
    for r in results:
        names.update({e.id: e.name for e in r.scenario.enterprises})
        mine: dict[tuple[str, str], Decimal] = {}
        for row in r.exact("allocations").itertuples(index=False):
            key = (row.fund, row.enterprise)
            mine[key] = mine.get(key, Decimal("0.00")) + row.amount
            if key not in order:
                order.append(key)
        paid.append(mine)
    moved = [k for k in order if len({p.get(k, Decimal("0.00")) for p in paid}) > 1]
    rows = [{"scenario": label, "fund": f, "enterprise": e, "name": names.get(e, e),
             "amount": p.get((f, e), Decimal("0.00")), "d_amount": p.get((f, e), Decimal("0.00")) - paid[0].get((f, e), Decimal("0.00"))}
            for label, p in zip(labels, paid) for f, e in moved]
    return pd.DataFrame(rows, columns=["scenario", "fund", "enterprise", "name", "amount", "d_amount"])


def _funds(result: Result) -> pd.DataFrame:
    names = {f.id: f.name for f in result.scenario.funds}
    funds = result.exact("funds").copy()
    funds.insert(1, "name", [names[f] for f in funds["fund"]])
    return funds


def _long(labels: list[str], tables: list[pd.DataFrame], key: str, measures: tuple[str, ...]) -> pd.DataFrame:
    """Union of keys (first scenario's order, then new ones); missing = zero, `present` False."""
    order: list[str] = []
    names: dict[str, str] = {}
    for one in tables:
        for row in one.itertuples(index=False):
            k = getattr(row, key)
            if k not in names:
                order.append(k)
                names[k] = row.name
    base: dict[str, dict] = {}
    rows = []
    for label, one in zip(labels, tables):
        by_key = {getattr(r, key): r._asdict() for r in one.itertuples(index=False)}
        for k in order:
            got = by_key.get(k)
            values = {m: (got[m] if got else _zero(m)) for m in measures}
            if label == labels[0]:
                base[k] = values
            rows.append({"scenario": label, key: k, "name": names[k], "present": got is not None, **values,
                         **{f"d_{m}": _delta(values[m], base[k][m]) for m in measures}})
    return pd.DataFrame(rows, columns=["scenario", key, "name", "present", *measures, *(f"d_{m}" for m in measures)])


def _zero(measure: str):
    return 0.0 if measure in ("gap_share", "shadow_price") else Decimal("0.00")


def _totals(labels: list[str], results: list[Result]) -> pd.DataFrame:
    rows = []
    for label, r in zip(labels, results):
        values = {
            "weighted_gap": round(r.weighted_gap, 6), "max_gap_share": round(r.max_gap_share, 9),
            "total_need": r.total("gaps", "need"), "total_own_funds": r.total("gaps", "own_funds"),
            "total_funded": r.total("gaps", "funded"), "total_gap": r.total("gaps", "gap"),
        }
        if not rows:
            first = values
        rows.append({"scenario": label, **values, **{f"d_{m}": _delta(values[m], first[m]) for m in TOTAL_MEASURES}})
    return pd.DataFrame(rows)


PRESENT = "(present)"
TEXT_FIELDS = ("name", "description", "source", "notes", "label_zh", "label_en")
"""Names and provenance: they document a scenario but do not change its allocation."""


def _is_text(field: str) -> bool:
    parts = field.split(".")
    return parts[-1] in TEXT_FIELDS or parts[0] == "assumptions" or "cost_sources" in parts


def _inputs(labels: list[str], scenarios: list[Scenario]) -> pd.DataFrame:
    """Fields whose values differ (names and provenance text aside); an enterprise or fund some
    scenarios lack is one row (`enterprises.faraway`: "(present)" or None), not one per field."""
    partial = set()
    for kind in KEYED_LISTS:
        ids = [{e.id for e in getattr(s, kind)} for s in scenarios]
        partial |= {f"{kind}.{i}" for i in set.union(*ids) - set.intersection(*ids)}
    flat = [effective_inputs(s) for s in scenarios]
    fields: list[str] = []
    seen = set()
    for f in flat:
        for k in f:
            entry = ".".join(k.split(".")[:2])
            key = entry if entry in partial else k
            if key not in seen:
                seen.add(key)
                fields.append(key)

    def value(f: dict, key: str):
        if key in partial:
            return PRESENT if any(k.startswith(key + ".") for k in f) else None
        return f.get(key)

    rows = [[k, *(value(f, k) for f in flat)] for k in fields if not _is_text(k)]
    rows = [r for r in rows if len({repr(v) for v in r[1:]}) > 1]
    return pd.DataFrame(rows, columns=["field", *labels], dtype=object)

