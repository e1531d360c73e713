"""配套 matching's rows (`funds[].match`), built for `rules.Rules` from the arcs.

match[f,e]: for each fund with a match and each enterprise it has arcs to (an enterprise it
cannot pay needs no row), in funds' then enterprises' order: den·Σ x(matching funds' arcs to e) ≥
num·Σ x(f's arcs to e), the ratio num/den exact as written (`scenario.asks.Match.fraction`). Not a
network row (two families of arcs with different coefficients): a scenario with any is solved as
a whole-fen MIP (`allocate.mip`). Apart from rules.py, which passed 600 lines with it.
"""

from __future__ import annotations

import numpy as np

from subsidy.allocate.waterfall import CostLines
from subsidy.scenario.model import Scenario


def broken_matches(rows: list[tuple[list[int], int, list[int], int]], fen) -> list[int]:
    """The match rows (positions) an allocation in whole fen breaks, in integers."""
    fen = np.asarray(fen, dtype=np.int64)
    return [k for k, (by, den, paid, num) in enumerate(rows) if den * int(fen[by].sum()) < num * int(fen[paid].sum())]


def match_fields(scenario: Scenario, lines: CostLines, arc_source: np.ndarray, arc_line: np.ndarray) -> dict:
    """match[f,e] of each fund with a match, for each enterprise it has an arc to (an enterprise
    it cannot pay needs no row): the fields of `Rules` named match_*."""
    fund_index = {f.id: i for i, f in enumerate(scenario.funds)}
    arc_ent = lines.enterprise[arc_line]
    out: dict = {"match_fund": [], "match_enterprise": [], "match_paid": [], "match_by": [], "match_ratio": {}}
    for f, fund in enumerate(scenario.funds):
        if fund.match is None:
            continue
        out["match_ratio"][f] = fund.match.fraction
        mine = np.flatnonzero(arc_source == f)
        by = np.flatnonzero(np.isin(arc_source, [fund_index[g] for g in fund.match.funds]))
        by_order = by[np.argsort(arc_ent[by], kind="stable")]
        by_ent = arc_ent[by_order]
        for e in np.unique(arc_ent[mine]).tolist():
            out["match_fund"].append(f)
            out["match_enterprise"].append(e)
            out["match_paid"].append(mine[arc_ent[mine] == e])
            lo, hi = np.searchsorted(by_ent, e, side="left"), np.searchsorted(by_ent, e, side="right")
            out["match_by"].append(np.sort(by_order[lo:hi]))
    out["match_fund"] = np.array(out["match_fund"], dtype=np.int64)
    out["match_enterprise"] = np.array(out["match_enterprise"], dtype=np.int64)
    return out
