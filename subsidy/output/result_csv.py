"""Writing the output contract (allocations.csv, gaps.csv, funds.csv, summary.json), atomically.

Everything is rendered to bytes in memory first; the files then appear together or not at all:
a new directory is built beside the target and renamed into place, and an existing directory
only ever has our four files replaced, each by an atomic rename.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from subsidy.scenario.labels import Lang, columns
from subsidy.allocate.result import Result
from subsidy.allocate.table import Table

if TYPE_CHECKING:
    import pandas as pd

CONTRACT_FILES = ("allocations.csv", "gaps.csv", "funds.csv", "summary.json")


def _cell(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(round(value, 6) + 0.0)  # + 0.0 turns -0.0 into 0.0
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


def csv_bytes(table: pd.DataFrame | Table, lang: Lang = "en") -> bytes:
    """UTF-8 with BOM (so Excel and WPS open Chinese text correctly), CRLF as Excel writes."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    names = list(table.columns)
    if isinstance(table, Table):  # money in fen: formatted straight from the integers
        cells = [fen_text(col) if k in table.money else _column(list(col)) for k, col in table.columns.items()]
    else:
        # Column by column: pandas boxes every value it hands out row by row, which cost more
        # than the formatting itself at 100k enterprises.
        cells = [_column(table[c].tolist()) for c in table.columns]
    writer.writerow(columns(names, lang))
    writer.writerows(zip(*cells))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def summary_bytes(result: Result, extra: dict | None = None, lang: Lang = "en") -> bytes:
    data = dict(result.summary)
    # Everything that chose these outputs, so that a run can be repeated exactly.
    data["options"] = {"solver": result.solver, "lang": lang, "fairness": result.scenario.policy.fairness}
    if extra:
        data.update(extra)
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_contract(result: Result, lang: Lang = "en", extra_summary: dict | None = None) -> dict[str, bytes]:
    """The four files of the contract as bytes, in memory."""
    return {
        "allocations.csv": csv_bytes(result.table("allocations"), lang),
        "gaps.csv": csv_bytes(result.table("gaps"), lang),
        "funds.csv": csv_bytes(result.table("funds"), lang),
        "summary.json": summary_bytes(result, extra_summary, lang),
    }


def write_files_atomically(out_dir: str | Path, files: dict[str, bytes]) -> list[Path]:
    """Put `files` into `out_dir` so that a failure leaves `out_dir` as it was."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a directory")
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{parent} does not exist; create it first")
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; DIR should not be
        for name, data in files.items():
            with open(staging / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if not out_dir.exists():
            os.rename(staging, out_dir)
            staging = None
        else:
            for name in files:
                os.replace(staging / name, out_dir / name)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in files]


def _umask() -> int:
    """The process umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file_atomically(path: str | Path, data: bytes) -> Path:
    """Write one file so that it appears complete or not at all (temp file beside it + rename)."""
    path = Path(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{parent} does not exist; create it first")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            os.unlink(tmp)
    return path


def write_contract(result: Result, out_dir: str | Path, lang: Lang = "en", extra_summary: dict | None = None) -> list[Path]:
    """`subsidy solve --out DIR`: the contract's four files, all or nothing."""
    return write_files_atomically(out_dir, render_contract(result, lang, extra_summary))
