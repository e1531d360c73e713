"""Reconciling a result's gaps, funds and summary with its allocations, to the fen: the
verifier's `reconcile[...]` rules (when those tables lie beside the allocation table)."""

from __future__ import annotations
from decimal import Decimal, InvalidOperation
from typing import Any
import numpy as np
from subsidy.allocate.table import Table
from subsidy.allocate.waterfall import from_fen, to_fen

from subsidy.checks.verify_read import FUNDS_COLUMNS, GAPS_COLUMNS, parse_amount
from subsidy.checks.verify_terms import WHAT_ZH
from subsidy.scenario.slips import Slip


def reconcile(checker, gaps, funds, summary: dict | None) -> None:
    flag = checker.flag
    lines = checker.lines

    def same(rule: str, what: str, shown: Any, expected: int) -> None:
        if type(shown) is Decimal and shown * 100 == expected:
            return  # our own table, right to the fen: the common case, no parsing
        try:
            fen = parse_amount(shown)
        except ValueError as exc:
            flag(rule, "reconcile_bad", what=what, what_zh=WHAT_ZH.get(what, what), text=str(exc),
                 text_zh=exc.said("zh") if isinstance(exc, Slip) else str(exc))
            return
        if fen != expected:
            flag(rule, "reconcile_differs", what=what, what_zh=WHAT_ZH.get(what, what), shown=_money(fen), expected=_money(expected))

    expected = {"need": lines.cost, "own_funds": checker.own, "funded": checker.funded, "gap": lines.cost - checker.own - checker.funded}
    if gaps is not None:
        names = checker.line_names
        if isinstance(gaps, Table) and gaps.columns["enterprise"] == names[0] and gaps.columns["category"] == names[1]:
            # Our own table, line for line: compare the fen columns whole.
            for what in ("need", "own_funds", "funded", "gap"):
                for i in np.flatnonzero(gaps.columns[what] != expected[what]).tolist():
                    flag(f"reconcile[gaps:{names[0][i]},{names[1][i]}]", "reconcile_differs", what=what, what_zh=WHAT_ZH[what],
                         shown=_money(int(gaps.columns[what][i])), expected=_money(int(expected[what][i])))
        else:
            if isinstance(gaps, Table):
                gaps = gaps.frame()
            index = {(e, c): i for i, (e, c) in enumerate(zip(*names))}
            seen = set()
            cols = {k: v.tolist() for k, v in expected.items()}
            for ent, cat, need, own, funded, gap in zip(*(gaps[k].tolist() for k in GAPS_COLUMNS)):
                key = (str(ent), str(cat))
                i = index.get(key)
                if i is None:
                    flag(f"reconcile[gaps:{key[0]},{key[1]}]", "not_a_line")
                    continue
                seen.add(key)
                for what, shown in zip(("need", "own_funds", "funded", "gap"), (need, own, funded, gap)):
                    same(f"reconcile[gaps:{key[0]},{key[1]}]", what, shown, cols[what][i])
            for key in index:
                if key not in seen:
                    flag(f"reconcile[gaps:{key[0]},{key[1]}]", "line_missing")
    if funds is not None:
        if isinstance(funds, Table):
            funds = funds.frame()
        used = dict(zip(checker.fund_ids, checker.used.tolist()))
        seen = set()
        for fid, budget_shown, used_shown, left_shown in zip(*(funds[k].tolist() for k in FUNDS_COLUMNS)):
            fund = checker.funds.get(str(fid))
            rule = f"reconcile[funds:{fid}]"
            if fund is None:
                flag(rule, "not_a_fund")
                continue
            seen.add(fund.id)
            budget, u = to_fen(fund.budget), used[fund.id]
            same(rule, "budget", budget_shown, budget)
            same(rule, "used", used_shown, u)
            same(rule, "left", left_shown, budget - u)
        for fid in checker.funds.keys() - seen:
            flag(f"reconcile[funds:{fid}]", "fund_missing")
    if summary is not None:
        totals = {
            "total_need": sum(expected["need"].tolist()),
            "total_own_funds": sum(expected["own_funds"].tolist()),
            "total_funded": sum(expected["funded"].tolist()),
            "total_gap": sum(expected["gap"].tolist()),
        }
        for key, fen in totals.items():
            if key not in summary:
                flag(f"reconcile[summary:{key}]", "summary_missing")
                continue
            try:  # summary.json holds floats: equal to the fen when rounded to the fen
                shown = round(Decimal(repr(summary[key])) * 100)
            except (InvalidOperation, TypeError, ValueError):
                flag(f"reconcile[summary:{key}]", "summary_not_number", shown=repr(summary[key]))
                continue
            if shown != fen:
                flag(f"reconcile[summary:{key}]", "reconcile_differs", what=key, what_zh=WHAT_ZH[key], shown=str(summary[key]), expected=_money(fen))


def _money(fen: int) -> str:
    return f"{from_fen(fen):,.2f}"
