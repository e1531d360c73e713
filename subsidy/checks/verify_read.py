"""Reading allocation tables as clerks save them (CSV from our export or from Excel/WPS): the
verifier's reader. Headers in English or Chinese in any order, GBK or UTF-8, thousands
separators; every bad row at once, as file:row: column: message."""

from __future__ import annotations

from typing import TYPE_CHECKING
import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable
from subsidy.scenario.load import ScenarioError, read_bytes
from subsidy.scenario.labels import OWN_FUNDS_NAMES, OWN_FUNDS_SOURCE, TOTAL_ROW_NAMES, column_key
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
    text = _decode(path, raw)
    if not text.strip():
        raise AllocationsError(path, [Problem(message="is empty")])
    first = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    problems: list[Problem] = []
    header: list[str] | None = None
    where: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            cells = [c.strip() for c in row]
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
    except csv.Error as exc:
        problems.append(Problem(line=reader.line_num, where="row", message=f"not valid CSV: {exc}"))
    if header is None:
        raise AllocationsError(path, problems or [Problem(message="has no header row")])
    frame = pd.DataFrame(records, columns=[*where, "line"])
    frame.attrs["headers"] = {k: header[i] for k, i in where.items()}
    frame.attrs["problems"] = problems  # the caller adds its own and raises them all at once
    return frame


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
        if rec["fund"].lower() in TOTAL_ROW_NAMES and not rec["enterprise"] and not rec["category"]:
            if fen is not None:
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
