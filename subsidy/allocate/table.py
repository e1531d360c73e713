"""A result table as columns: what the export writes and the verifier reads, at any size.

Money columns hold whole fen as int64 arrays; text and ratio columns are plain lists. DataFrames
are made from it only when asked for (`numeric_frame`, what `Result.gaps` & co. give users:
float amounts and exact `_fen` integers; `frame`, money as `Decimal`, what the analyses and their
text sum to the fen), so a national run that writes CSV never builds millions of Decimal cells,
nor imports pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from subsidy.allocate.waterfall import from_fen

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Table:
    """One result table as columns in order; columns named in `money` hold whole fen (int64)."""

    columns: dict[str, Any]
    money: frozenset[str]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def frame(self) -> "pd.DataFrame":
        """The table with money as `Decimal` with two places: for sums to the fen and for text."""
        import pandas as pd

        data = {k: ([from_fen(v) for v in col.tolist()] if k in self.money else list(col)) for k, col in self.columns.items()}
        return pd.DataFrame(data, columns=list(self.columns))

    def numeric_frame(self) -> "pd.DataFrame":
        """The table for pandas users: money as float64 in the unit (fen / 100, the nearest double to
        the 2-decimal amount the files hold), and beside the money columns, `<column>_fen`, the same
        amounts as exact int64 in the smallest step (1/100 of the unit)."""
        import numpy as np
        import pandas as pd

        data: dict[str, Any] = {}
        for k, col in self.columns.items():
            data[k] = np.asarray(col, dtype=np.int64) / 100 if k in self.money else col
        for k in self.columns:
            if k in self.money:
                data[f"{k}_fen"] = np.asarray(self.columns[k], dtype=np.int64)
        return pd.DataFrame(data)
