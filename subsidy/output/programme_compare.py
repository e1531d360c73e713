"""`subsidy compare` on programmes over several years, as a person reads it: the totals and the
arrears at the end of each year side by side (a row per measure, a column per option and its Δ
against the first), where public money moved between enterprises and years, and the inputs that
differ; and the same as CSV with `--out` (totals.csv, allocations.csv, inputs.csv; English keys,
or Chinese headers with the unit on every amount). The figures are `analysis.compare_programme`'s.
"""

from __future__ import annotations

import pandas as pd

from subsidy.analysis.compare_programme import ProgrammeComparison
from subsidy.output.phrases import COMPARE, PROGRAMME
from subsidy.output.result_csv import csv_bytes, inputs_in_chinese
from subsidy.scenario.labels import Lang, column, money, table

_FLOAT = ("weighted_gap", "weighted_arrears")
"""Measures computed from weights (floats, rounded to 6 places); the others are amounts (Decimal)."""


def _measure(key: str, lang: Lang) -> str:
    if key.startswith("arrears_"):
        return PROGRAMME("cmp_arrears_year", lang, year=key.removeprefix("arrears_"))
    return PROGRAMME(f"cmp_{key}", lang)


def _signed(value) -> str:
    return f"{value:+,.2f}"


def programme_comparison_text(c: ProgrammeComparison, lang: Lang = "en") -> str:
    base = c.labels[0]
    others = [x for label in c.labels[1:] for x in (label, f"Δ {label}")]
    by = c.totals.set_index("scenario")
    rows = []
    for m in c.measures:
        row = [_measure(m, lang), money(by.loc[base, m])]
        for label in c.labels[1:]:
            row += [money(by.loc[label, m]), _signed(by.loc[label, f"d_{m}"])]
        rows.append(row)
    lines = [PROGRAMME("cmp_title", lang, first=c.years[0], last=c.years[-1], base=base, unit=c.scenarios[0].unit),
             table([PROGRAMME("cmp_measure", lang), base, *others], rows), ""]
    if c.moved.empty:
        lines.append(PROGRAMME("cmp_not_moved", lang, base=base))
    else:
        moved = []
        for (e, y), group in c.moved.groupby(["enterprise", "year"], sort=False):
            g = group.set_index("scenario")
            row = [e, g["name"].iloc[0], y, money(g.loc[base, "paid"])]
            for label in c.labels[1:]:
                row += [money(g.loc[label, "paid"]), _signed(g.loc[label, "d_paid"])]
            moved.append(row)
        lines += [PROGRAMME("cmp_moved", lang, base=base),
                  table([column("enterprise", lang), column("name", lang), column("year", lang), base, *others], moved, numeric_from=2)]
    if not c.inputs.empty:
        rows = [[r["field"], *("—" if pd.isna(r[label]) else str(r[label]) for label in c.labels)] for _, r in c.inputs.iterrows()]
        lines += ["", COMPARE("inputs_title", lang), table([COMPARE("h_field", lang), *c.labels], rows)]
    return "\n".join(lines)


def programme_comparison_csvs(c: ProgrammeComparison, lang: Lang = "en") -> dict[str, bytes]:
    """totals.csv (an option per row: the measures, then each one's Δ against the first),
    allocations.csv (scenario, enterprise, name, year, paid, d_paid: the enterprise-years some
    option pays differently) and inputs.csv (as the one-year comparison's)."""
    unit = c.scenarios[0].unit
    files = {}
    for name, frame in (("totals", c.totals), ("allocations", c.moved), ("inputs", c.inputs)):
        frame = frame.astype(object)
        if lang == "zh":
            frame = frame.set_axis([_header_zh(k, unit, name) for k in frame.columns], axis=1)
            frame = inputs_in_chinese(frame) if name == "inputs" else frame
        files[f"{name}.csv"] = csv_bytes(frame, lang)
    return files


def _header_zh(key: str, unit: str, name: str) -> str:
    if name == "inputs":
        return COMPARE("h_field", "zh") if key == "field" else key  # an option's label heads its column
    measure = key.removeprefix("d_")
    if measure in ("scenario", "enterprise", "name", "year"):
        return column(measure, "zh")
    head = _measure(measure, "zh") if measure not in ("paid",) else column(measure, "zh")
    head = head if key == measure else COMPARE("h_delta", "zh", head=head)
    return head if measure in _FLOAT else f"{head}（{unit}）"
