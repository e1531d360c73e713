"""Reading allocation tables as clerks save them (CSV from our export or from Excel/WPS, or our
result workbook .xlsx itself): the verifier's reader. Headers in English, Chinese or both ('金额
amount', as the result workbook writes them) in any order, GBK or UTF-8, thousands separators;
every bad row at once, as file:row: column: message."""

from __future__ import annotations

from typing import TYPE_CHECKING
import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable
from subsidy.scenario.load import ScenarioError, read_bytes
from subsidy.scenario.labels import OWN_FUNDS_NAMES, OWN_FUNDS_SOURCE, column_key, is_total_row
from subsidy.scenario.model import Problem, parse_money
from subsidy.allocate.waterfall import from_fen, to_fen

if TYPE_CHECKING:
    import pandas as pd

ALLOCATION_COLUMNS = ("fund", "enterprise", "category", "amount")
GAPS_COLUMNS = ("enterprise", "category", "need", "own_funds", "funded", "gap")
FUNDS_COLUMNS = ("fund", "budget", "used", "left")


class AllocationsError(ScenarioError):
    """A table that cannot be read: every bad row, one line each (file:row: column: message)."""


# --- reading what Excel users save ------------------------------------------------------------

def parse_amount(value: Any) -> int:
    """An amount as whole fen, read as the schema reads one ('1,234.56' → 123456; Excel's
    spaces, thousands separators, ¥ and 1.2E+05 accepted); ValueError if it is not exactly a
    non-negative number of fen."""
    if type(value) is Decimal and value.is_finite() and value >= 0:
        fen = value * 100
        if fen == fen.to_integral_value():  # our own tables: already exact, skip the text parser
            return int(fen)
    return to_fen(parse_money(value))


def _decode(path: Path, raw: bytes) -> str:
    # Our export writes UTF-8 with BOM; Excel on a Chinese Windows saves "CSV" as GBK (GB18030).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AllocationsError(path, [Problem(message="is neither UTF-8 nor GBK text")])


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: str | Path, required: Iterable[str]) -> pd.DataFrame:
    """A CSV table as strings, columns renamed to their keys, plus `line` (row in the file).

    Headers may be English or Chinese (subsidy.labels), with spaces, any case, a unit in
    brackets, in any order; other columns are ignored. Blank rows are skipped. Every problem
    is collected: fatal ones (no header, missing columns) are raised at once as an
    AllocationsError, row problems are left in attrs['problems'] for the caller to raise with
    its own.
    """
    import pandas as pd

    path = Path(path)
    required = tuple(required)
    raw = read_bytes(path, AllocationsError)
    problems: list[Problem] = []
    rows = _sheet_rows(path, raw, required) if raw[:4] == b"PK\x03\x04" else _csv_rows(path, raw, problems)
    header: list[str] | None = None
    where: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    for line, cells in rows:
        if not any(cells):
            continue
        if header is None:
            header = cells
            for i, cell in enumerate(cells):
                key = column_key(cell)
                if key in required and key in where:
                    problems.append(Problem(line=line, where=cell, message=f"column given twice (also column {where[key] + 1})"))
                elif key is not None:
                    where.setdefault(key, i)
            missing = [k for k in required if k not in where]
            if missing:
                expected = ", ".join(required)
                problems.append(Problem(line=line, where="header", message=f"missing column(s) {', '.join(missing)}; expected {expected} (English or Chinese headers)"))
                raise AllocationsError(path, problems)
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            problems.append(Problem(line=line, where="row", message=f"has {len(cells)} cells but the header has {len(header)}"))
            continue
        record: dict[str, Any] = {k: (cells[i] if i < len(cells) else "") for k, i in where.items()}
        record["line"] = line
        records.append(record)
    if header is None:
        raise AllocationsError(path, problems or [Problem(message="has no header row")])
    frame = pd.DataFrame(records, columns=[*where, "line"])
    frame.attrs["headers"] = {k: header[i] for k, i in where.items()}
    frame.attrs["problems"] = problems  # the caller adds its own and raises them all at once
    return frame


def _csv_rows(path: Path, raw: bytes, problems: list[Problem]) -> Iterable[tuple[int, list[str]]]:
    """(line, stripped cells) of a CSV file; a CSV syntax error ends it with a problem."""
    text = _decode(path, raw)
    if not text.strip():
        raise AllocationsError(path, [Problem(message="is empty")])
    first = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            yield line, [c.strip() for c in row]
    except csv.Error as exc:
        problems.append(Problem(line=reader.line_num, where="row", message=f"not valid CSV: {exc}"))


def _sheet_rows(path: Path, raw: bytes, required: tuple[str, ...]) -> Iterable[tuple[int, list[str]]]:
    """(row, cells as text) of the first sheet of a workbook whose header row has the `required`
    columns (our result workbook: its allocations sheet, whatever its name or language). Numbers
    come as their shortest exact text (92.08, not 92.0799...); a formula (the total row's =SUM)
    as its text, which is not an amount, so a total row is skipped by `read_allocations`."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise AllocationsError(path, [Problem(message=f"is not a readable .xlsx workbook ({type(exc).__name__})")]) from None
    names = []
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        names.append(sheet.title)
        if header is None or not set(required) <= {column_key(str(c)) for c in header if c is not None}:
            continue
        yield 1, [_cell_text(c) for c in header]
        for number, row in enumerate(rows, start=2):
            yield number, [_cell_text(c) for c in row]
        return
    raise AllocationsError(path, [Problem(message=f"has no sheet with the columns {', '.join(required)} (sheets: {', '.join(names)})")])


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def _raise_all(path: Path, table: pd.DataFrame, problems: list[Problem]) -> None:
    found = sorted(table.attrs["problems"] + problems, key=lambda p: p.line or 0)
    if found:
        raise AllocationsError(path, found)


def read_allocations(path: str | Path) -> pd.DataFrame:
    """fund, enterprise, category, amount (Decimal), line; total rows go to attrs['totals']."""
    import pandas as pd

    path = Path(path)
    table = read_table(path, ALLOCATION_COLUMNS)
    headers = table.attrs["headers"]
    problems: list[Problem] = []
    rows, totals = [], []
    for rec in table.to_dict("records"):
        line = rec["line"]
        try:
            fen = parse_amount(rec["amount"])
        except ValueError as exc:
            problems.append(Problem(line=line, where=headers["amount"], message=str(exc)))
            fen = None
        if is_total_row(rec["fund"]) and not rec["enterprise"] and not rec["category"]:
            if rec["amount"].startswith("="):  # a workbook's =SUM formula: Excel's to compute, nothing to check
                problems = [p for p in problems if p.line != line]
            elif fen is not None:
                totals.append((line, fen))
            continue
        for key in ("fund", "enterprise", "category"):
            if not rec[key]:
                problems.append(Problem(line=line, where=headers[key], message="is empty"))
        if fen is not None and all(rec[k] for k in ("fund", "enterprise", "category")):
            fund = OWN_FUNDS_SOURCE if rec["fund"].lower() in OWN_FUNDS_NAMES else rec["fund"]
            rows.append((fund, rec["enterprise"], rec["category"], from_fen(fen), line))
    _raise_all(path, table, problems)
    frame = pd.DataFrame(rows, columns=[*ALLOCATION_COLUMNS, "line"])
    frame.attrs["totals"] = totals
    return frame


def read_amounts(path: str | Path, required: tuple[str, ...], amounts: tuple[str, ...]) -> pd.DataFrame:
    """A companion table (gaps.csv, funds.csv) with its amount columns parsed to Decimal."""
    path = Path(path)
    table = read_table(path, required)
    headers = table.attrs["headers"]
    problems = []
    for key in amounts:
        values = []
        for text, line in zip(table[key], table["line"]):
            try:
                values.append(from_fen(parse_amount(text)))
            except ValueError as exc:
                problems.append(Problem(line=line, where=headers[key], message=str(exc)))
                values.append(None)
        table[key] = values
    _raise_all(path, table, problems)
    return table
