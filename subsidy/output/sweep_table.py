"""Writing a sweep's table: CSV (UTF-8 with BOM, like every CSV we write) or Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from subsidy.analysis.sweep import FALLBACK, SweepError
from subsidy.output.phrases import CHECK
from subsidy.output.result_csv import csv_bytes
from subsidy.scenario.files import write_file_atomically

OUT_SUFFIXES = (".csv", ".parquet")


def write_table(table: pd.DataFrame, out: str | Path) -> Path:
    """CSV (UTF-8 with BOM, like every CSV we write) or Parquet, chosen by the suffix; atomic."""

    out = check_out(out)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        # Varied values keep every decimal they were given (a share of 0.125, a weight of 2.5).
        varied = table.attrs.get("varied", [])
        data = csv_bytes(table.astype({c: str for c in varied}))
    else:
        data = parquet_bytes(table)
    write_file_atomically(out, data)
    return out


def in_words(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table as a person reads it: a point PuLP solved after the held HiGHS model failed says
    so in `lang` (column fallback; empty on the other points). The attrs are kept."""
    if FALLBACK not in table:
        return table
    worded = table.copy()
    worded[FALLBACK] = [CHECK("fallback", lang, failure=f) if f else "" for f in table[FALLBACK]]
    return worded


def check_out(out: str | Path) -> Path:
    """The output path, if its suffix is one we write and the library for it is installed."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise SweepError(f"{out}: write .csv or .parquet (got {suffix or 'no suffix'!r})")
    if suffix == ".parquet":
        _pyarrow()
    return out


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise SweepError("writing .parquet needs the optional extra: pip install 'subsidy[parquet]'") from None
    return pyarrow


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """Parquet with amounts as exact decimals (Decimal columns become decimal128)."""
    import io

    pa = _pyarrow()
    pq = pa.parquet

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), buf)
    return buf.getvalue()
