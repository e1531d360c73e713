"""Writing the output contract (allocations.csv, gaps.csv, funds.csv, summary.json), atomically.

Everything is rendered to bytes in memory first; the files then appear together or not at all:
a new directory is built beside the target and renamed into place, and an existing directory
only ever has our four files replaced, each by an atomic rename.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from subsidy.analysis.compare import MONEY_MEASURES, PRESENT, Comparison
from subsidy.output.phrases import COMPARE
from subsidy.scenario.labels import Lang, column, columns
from subsidy.allocate.result import Result
from subsidy.allocate.table import Table
from subsidy.scenario.files import write_files_atomically

if TYPE_CHECKING:
    import pandas as pd

CONTRACT_FILES = ("allocations.csv", "gaps.csv", "funds.csv", "summary.json")
DISTRIBUTION_FILE = "distribution.csv"
"""Written beside the contract when a fund is split by the factor method (`distribution:`)."""


def _cell(value) -> str:
    """One cell. A value a scenario does not set (compare's inputs.csv: a cap one option lacks) is
    an empty cell, never Python's `None` or pandas' `nan`; a list is written as the scenario's
    YAML writes it, `[hubei_provincial, xianan_district]`, never as a Python tuple."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(round(value, 6) + 0.0)  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(map(_cell, value)) + "]"
    return str(value)


def _column(values: list) -> list:
    """One column's cells, as `_cell` writes them; whole columns of one type skip the dispatch."""
    kinds = set(map(type, values))
    if kinds == {Decimal}:
        return [f"{v:.2f}" for v in values]
    if kinds == {str}:
        return values
    return [_cell(v) for v in values]


def fen_text(fen: np.ndarray) -> list[str]:
    """Whole fen as the scenario unit with two places (12345 → '123.45'), as f"{Decimal:.2f}" writes them."""
    values = fen.tolist()
    if not values or min(values) >= 0:
        return ["%d.%02d" % divmod(v, 100) for v in values]
    return [("-" if v < 0 else "") + "%d.%02d" % divmod(abs(v), 100) for v in values]


def csv_bytes(table: pd.DataFrame | Table, lang: Lang = "en", unit: str | None = None) -> bytes:
    """UTF-8 with BOM (so Excel and WPS open Chinese text correctly), CRLF as Excel writes.

    With `unit`, a Table's money headers carry it in brackets (`金额（万元）`); readers
    (labels.column_key) drop the brackets again."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    names = list(table.columns)
    if isinstance(table, Table):  # money in fen: formatted straight from the integers
        cells = [fen_text(col) if k in table.money else _column(list(col)) for k, col in table.columns.items()]
    else:
        # Column by column: pandas boxes every value it hands out row by row, which cost more
        # than the formatting itself at 100k enterprises.
        cells = [_column(table[c].tolist()) for c in table.columns]
    heads = columns(names, lang)
    if unit and isinstance(table, Table):
        opening, closing = ("（", "）") if lang == "zh" else (" (", ")")
        heads = [f"{h}{opening}{unit}{closing}" if k in table.money else h for h, k in zip(heads, names)]
    writer.writerow(heads)
    writer.writerows(zip(*cells))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def inputs_in_chinese(table: pd.DataFrame) -> pd.DataFrame:
    """inputs.csv in Chinese: an enterprise or fund only some options have is marked in words."""
    return table.map(lambda v: COMPARE("present_cell", "zh") if isinstance(v, str) and v == PRESENT else v)


def _comparison_header_zh(key: str, unit: str) -> str:
    if key in ("field", "present"):
        return COMPARE(f"h_{key}", "zh")
    measure = key.removeprefix("d_")
    head = column(measure, "zh") if key == measure else COMPARE("h_delta", "zh", head=column(measure, "zh"))
    return f"{head}（{unit}）" if measure in MONEY_MEASURES else head


def comparison_csvs(c: Comparison, lang: Lang = "en") -> dict[str, bytes]:
    """`compare --out DIR`: enterprises.csv, funds.csv, totals.csv, inputs.csv and allocations.csv
    (what each fund pays each enterprise where an option differs from the first; long tables).
    In English the column keys, which other tools read; in Chinese Chinese headers with the unit on
    every amount (`资金缺口（万元）`, `资金缺口与基准之差（万元）`) and 是/否. Options are named by
    `c.labels` (the scenarios' names: analysis.compare.option_labels)."""
    files = {}
    for name in ("enterprises", "funds", "totals", "inputs", "allocations"):
        if getattr(c, name) is None:
            continue
        table = getattr(c, name).astype(object)
        if lang == "zh":
            unit = c.scenarios[0].unit
            if "present" in table.columns:
                table["present"] = table["present"].map({True: COMPARE("yes", "zh"), False: COMPARE("no", "zh")})
            # inputs.csv: a field, then one column per option, headed by its label.
            heads = [_comparison_header_zh(k, unit) if name != "inputs" or k == "field" else k for k in table.columns]
            if name == "inputs":
                table = inputs_in_chinese(table)
            table = table.set_axis(heads, axis=1)
        files[f"{name}.csv"] = csv_bytes(table, lang)
    return files


def summary_bytes(result: Result, extra: dict | None = None, lang: Lang = "en") -> bytes:
    data = dict(result.summary)
    # Everything that chose these outputs, so that a run can be repeated exactly.
    data["options"] = {"solver": result.solver, "lang": lang, "fairness": result.scenario.policy.fairness}
    if extra:
        data.update(extra)
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def named_table(result: Result, name: str) -> Table:
    """A contract table as a reader in Chinese wants it: each id (fund, enterprise, category) keeps
    its column and is followed by its name (the category by its Chinese label)."""
    table = result.table(name)
    sc = result.scenario
    names = {
        "fund": ("fund_name", {f.id: f.name for f in sc.funds}),
        "enterprise": ("enterprise_name", {e.id: e.name for e in sc.enterprises}),
        "category": ("category_label", {k: c.label_zh or k for k, c in sc.category_table.items()}),
    }
    if name == "enterprises":  # it has its names already
        return table
    out: dict = {}
    for key, col in table.columns.items():
        out[key] = col
        if key in names:
            label, lookup = names[key]
            out[label] = [lookup.get(v, v) for v in col]
    return Table(out, table.money)


def render_contract(result: Result, lang: Lang = "en", extra_summary: dict | None = None) -> dict[str, bytes]:
    """The four files of the contract as bytes, in memory. In English exactly the contract's
    columns, which other tools read; in Chinese also the names and the unit in the headers."""
    if lang == "zh":
        unit = result.scenario.unit
        tables = {k: csv_bytes(named_table(result, k), lang, unit) for k in ("allocations", "gaps", "funds")}
    else:
        tables = {k: csv_bytes(result.table(k), lang) for k in ("allocations", "gaps", "funds")}
    files = {
        "allocations.csv": tables["allocations"],
        "gaps.csv": tables["gaps"],
        "funds.csv": tables["funds"],
        "summary.json": summary_bytes(result, extra_summary, lang),
    }
    if any(f.distribution is not None for f in result.scenario.funds):  # the factor method's regions
        files[DISTRIBUTION_FILE] = csv_bytes(result.distribution_table(), lang, result.scenario.unit if lang == "zh" else None)
    return files


def write_contract(result: Result, out_dir: str | Path, lang: Lang = "en", extra_summary: dict | None = None) -> list[Path]:
    """`subsidy solve --out DIR`: the contract's four files, all or nothing."""
    return write_files_atomically(out_dir, render_contract(result, lang, extra_summary))
