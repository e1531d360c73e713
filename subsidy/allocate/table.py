"""A result table as columns: what the export writes and the verifier reads, at any size.

Money columns hold whole fen as int64 arrays; text and ratio columns are plain lists. The
contract's DataFrames (money as `Decimal`) are made from it only when asked for, so a national
run that writes CSV never builds millions of Decimal cells, nor imports pandas.
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
        """The DataFrame of the contract: money as `Decimal` with two places."""
        import pandas as pd

        data = {k: ([from_fen(v) for v in col.tolist()] if k in self.money else list(col)) for k, col in self.columns.items()}
        return pd.DataFrame(data, columns=list(self.columns))
