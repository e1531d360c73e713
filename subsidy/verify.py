"""An independent check of an allocation table against a scenario's rules, in whole fen.

Independent: nothing here comes from the LP (`subsidy.lp`, `subsidy.solve`). Eligibility and
caps are read off the schema, every amount is an integer number of fen, and every bound that is
not a whole fen is rounded down, so a table passes only if each rule holds to the cent. The same
check runs on every `subsidy solve` result before anything is written, and on any table a clerk
made by hand (`subsidy verify SCENARIO TABLE.csv`).

Rules, named as in the LP so that a violation can be looked up in the model:
  eligible[f,e,c]       money only where fund f may pay category c of enterprise e
  budget[f]             Σ over f's rows ≤ its budget
  cap_enterprise[f,e]   Σ_c x[f,e,c] ≤ min(per_enterprise, per_capacity[industry] × capacity)
  cap_share[f,e,c]      x[f,e,c] ≤ share_of_need × residual need
  need[e,c]             own funds + Σ_f x[f,e,c] ≤ the cost line
  own_funds[e]          own funds applied by the enterprise's rule (see below)
  waterfall[e]          the statutory/proportional split itself keeps its rule (a self-check)
  total[row N]          a total row equals the sum of the rows
  reconcile[...]        gaps/funds/summary agree with the allocations (when given)

Own funds. Under `statutory` and `proportional` the waterfall is fixed, so the residual need of
every line is known and own-funds rows are optional; if a table carries them they must equal the
waterfall. Under `free` own funds are one more source: a table may carry them as rows whose fund
is `(own funds)` (also `自有资金`); their sum may not exceed the enterprise's own funds. A table
without such rows is read as "no own funds used", unless a gaps table is given alongside, whose
`own_funds` column then supplies them (this is how our own export, which lists public money
only in allocations.csv, is checked).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

import pandas as pd

from .io import ScenarioError, read_bytes
from .labels import OWN_FUNDS_NAMES, OWN_FUNDS_SOURCE, TOTAL_ROW_NAMES, column_key
from .model import Enterprise, Fund, Problem, Scenario, parse_money
from .waterfall import OwnFundsSplit, apply_own_funds, floor_fen, from_fen, to_fen

ALLOCATION_COLUMNS = ("fund", "enterprise", "category", "amount")
GAPS_COLUMNS = ("enterprise", "category", "need", "own_funds", "funded", "gap")
FUNDS_COLUMNS = ("fund", "budget", "used", "left")


@dataclass(frozen=True)
class Violation:
    """One rule an allocation breaks: the rule's name as in the LP, and the amounts in words."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


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


# --- the rules ------------------------------------------------------------------------------


def _money(fen: int) -> str:
    return f"{from_fen(fen):,.2f}"


def _resolver(pairs: Iterable[tuple[str, Iterable[str | None]]]) -> dict[str, str]:
    """Names a person may write (id, or a name/label that is unique) → id."""
    pairs = [(ident, list(names)) for ident, names in pairs]
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for ident, names in pairs:
        for name in names:
            if not name or name == ident:
                continue
            if name in out and out[name] != ident:
                ambiguous.add(name)
            out[name] = ident
    for ident, _ in pairs:
        out[ident] = ident
    return {k: v for k, v in out.items() if k not in ambiguous or k == v}


def _scope_refusal(fund: Fund, ent: Enterprise) -> str | None:
    """Why the fund's scope does not admit the enterprise, in words; None when it does."""
    scope = fund.scope
    if scope.admits(ent):
        return None
    if scope.enterprises and ent.id not in scope.enterprises:
        return f"enterprise {ent.id} is not among the fund's enterprises ({', '.join(scope.enterprises)})"
    if scope.industries and ent.industry not in scope.industries:
        return f"industry {ent.industry or '(none)'!r} is outside the fund's industries ({', '.join(scope.industries)})"
    return f"region {ent.region or '(none)'!r} is outside the fund's regions ({', '.join(scope.regions)})"


def check_waterfall(ent: Enterprise, split: OwnFundsSplit, class_of: dict[str, int]) -> list[Violation]:
    """The own-funds split keeps its rule: it adds up, and money reached a later statutory class
    (or a line pro rata) only when the earlier ones were paid in full."""
    rule = f"waterfall[{ent.id}]"
    costs = {c: to_fen(a) for c, a in ent.costs.items()}
    total = to_fen(ent.own_funds_total)
    found: list[Violation] = []
    if sum(split.applied.values()) + split.unused != total:
        found.append(Violation(rule, f"own funds applied {_money(sum(split.applied.values()))} + unused {_money(split.unused)} ≠ own funds {_money(total)}"))
    for c, cost in costs.items():
        if not 0 <= split.applied.get(c, 0) <= cost or split.applied.get(c, 0) + split.residual.get(c, 0) != cost:
            found.append(Violation(rule, f"{c}: own funds {_money(split.applied.get(c, 0))} + residual {_money(split.residual.get(c, 0))} ≠ cost {_money(cost)}"))
    if ent.own_funds_rule == "free":
        if any(split.applied.values()):
            found.append(Violation(rule, "own funds applied before the LP under the free rule"))
        return found
    classes = sorted({class_of[c] for c in costs}) if ent.own_funds_rule == "statutory" else [0]
    members = {k: [c for c in costs if ent.own_funds_rule != "statutory" or class_of[c] == k] for k in classes}
    short = False
    for k in classes:
        need = sum(costs[c] for c in members[k])
        paid = sum(split.applied[c] for c in members[k])
        if short and paid:
            found.append(Violation(rule, f"class {k} got own funds {_money(paid)} while an earlier class was not paid in full"))
        for c in members[k]:  # pro rata within the class: within one fen of paid × cost / need
            if need and abs(split.applied[c] * need - paid * costs[c]) >= need:
                found.append(Violation(rule, f"{c}: own funds {_money(split.applied[c])} are not pro rata within class {k}"))
        short = short or paid < need
    if short and split.unused:
        found.append(Violation(rule, f"own funds {_money(split.unused)} left unused while a cost line is unpaid"))
    return found


@dataclass
class _Line:
    cost: int
    own: int = 0
    funded: int = 0


class _Checker:
    """Works through one table; `lines` keeps per cost line what the table pays, for reconcile."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.categories = scenario.category_table
        self.enterprises = {e.id: e for e in scenario.enterprises}
        self.funds = {f.id: f for f in scenario.funds}
        self.violations: list[Violation] = []
        self.fund_names = _resolver((f.id, [f.name]) for f in scenario.funds)
        self.enterprise_names = _resolver((e.id, [e.name]) for e in scenario.enterprises)
        self.category_names = _resolver((c, [k.label_zh, k.label_en]) for c, k in self.categories.items())
        self.lines = {
            (e.id, c): _Line(cost=to_fen(a)) for e in sorted(scenario.enterprises, key=lambda e: e.id) for c, a in sorted(e.costs.items())
        }

    def flag(self, rule: str, message: str) -> None:
        self.violations.append(Violation(rule, message))

    def amounts(self, allocations: pd.DataFrame) -> dict[tuple[str, str, str], int]:
        """(source, enterprise, category) → fen, names resolved to ids, repeated rows summed."""
        summed: dict[tuple[str, str, str], int] = {}
        for row in _rows(allocations, ALLOCATION_COLUMNS):
            fund, ent, cat = (str(v).strip() for v in (row.fund, row.enterprise, row.category))
            fund = OWN_FUNDS_SOURCE if fund.lower() in OWN_FUNDS_NAMES else self.fund_names.get(fund, fund)
            key = (fund, self.enterprise_names.get(ent, ent), self.category_names.get(cat, cat))
            try:
                fen = parse_amount(row.amount)
            except ValueError as exc:
                self.flag(f"fen[{','.join(key)}]", str(exc))
                continue
            summed[key] = summed.get(key, 0) + fen
        return summed

    def eligible(self, key: tuple[str, str, str]) -> bool:
        """Flags eligible[f,e,c] when the row may not exist; True when the cost line is known."""
        source, eid, cat = key
        rule = f"eligible[{','.join(key)}]"
        ent = self.enterprises.get(eid)
        if source != OWN_FUNDS_SOURCE and source not in self.funds:
            self.flag(rule, f"no fund {source!r} in the scenario")
        if ent is None:
            self.flag(rule, f"no enterprise {eid!r} in the scenario")
            return False
        if cat not in ent.costs:
            self.flag(rule, f"enterprise {eid} has no cost line {cat!r}")
            return False
        fund = self.funds.get(source)
        if fund is not None:
            if cat not in fund.categories:
                self.flag(rule, f"fund {source} may not pay {cat!r} (it pays {', '.join(fund.categories) or 'nothing'})")
            refusal = _scope_refusal(fund, ent)
            if refusal:
                self.flag(rule, refusal)
        return True

    def own_funds(self, given: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        """Own funds per cost line as the rules apply them; flags own_funds[e] and waterfall[e].
        Returns the residual need each cap_share is a share of."""
        share_base: dict[tuple[str, str], int] = {}
        class_of = {c: k.own_funds_class for c, k in self.categories.items()}
        given_by: dict[str, dict[str, int]] = {}  # grouped once: a scan per enterprise was quadratic
        for (e, c), fen in given.items():
            given_by.setdefault(e, {})[c] = fen
        for eid in sorted(self.enterprises):
            ent = self.enterprises[eid]
            split = apply_own_funds(ent, self.categories)
            self.violations += check_waterfall(ent, split, class_of)
            mine = given_by.get(eid, {})
            if ent.own_funds_rule == "free":
                used, available = sum(mine.values()), to_fen(ent.own_funds_total)
                if used > available:
                    self.flag(f"own_funds[{eid}]", f"own funds used {_money(used)} exceed the enterprise's own funds {_money(available)} by {_money(used - available)}")
                applied = {c: mine.get(c, 0) for c in ent.costs}
            else:
                applied = split.applied
                if mine:
                    for c in sorted(set(mine) | set(applied)):
                        if mine.get(c, 0) != applied.get(c, 0):
                            self.flag(f"own_funds[{eid}]", f"own funds on {c}: the table has {_money(mine.get(c, 0))}, the {ent.own_funds_rule} rule applies {_money(applied.get(c, 0))}")
            for c in ent.costs:
                self.lines[(eid, c)].own = applied.get(c, 0)
                share_base[(eid, c)] = split.residual[c]
        return share_base

    def caps(self, public: dict[tuple[str, str, str], int], share_base: dict[tuple[str, str], int]) -> None:
        used: dict[str, int] = {}
        per_enterprise: dict[tuple[str, str], int] = {}
        for (f, e, c), fen in public.items():
            used[f] = used.get(f, 0) + fen
            per_enterprise[(f, e)] = per_enterprise.get((f, e), 0) + fen
            if (e, c) in self.lines:
                self.lines[(e, c)].funded += fen
        for fund in self.scenario.funds:
            budget = to_fen(fund.budget)
            if used.get(fund.id, 0) > budget:
                over = used[fund.id] - budget
                self.flag(f"budget[{fund.id}]", f"allocated {_money(used[fund.id])}, budget {_money(budget)} (over by {_money(over)})")
        capped = {fid for fid, fund in self.funds.items() if fund.caps.per_enterprise is not None or fund.caps.per_capacity}
        over = []
        for (f, e), fen in per_enterprise.items():
            if f not in capped or e not in self.enterprises:
                continue
            cap = self.funds[f].enterprise_cap(self.enterprises[e])
            if cap is not None and fen > floor_fen(cap):
                over.append(((f, e), fen, floor_fen(cap)))
        for (f, e), fen, bound in sorted(over):
            self.flag(f"cap_enterprise[{f},{e}]", f"allocated {_money(fen)}, cap {_money(bound)} (over by {_money(fen - bound)})")
        # Share caps as exact fractions p/q of the residual need: integer arithmetic per arc, and
        # only the arcs over their cap are sorted (to report them in a stable order).
        ratios = {}
        for fund in self.scenario.funds:
            share = fund.caps.share_of_need
            if share is not None and share < 1:
                ratios[fund.id] = (share, *Decimal(repr(share)).as_integer_ratio())
        over = []
        for (f, e, c), fen in public.items():
            ratio = ratios.get(f)
            if ratio is None or (e, c) not in share_base:
                continue
            share, p, q = ratio
            bound = p * share_base[(e, c)] // q
            if fen > bound:
                over.append(((f, e, c), fen, share, bound))
        for (f, e, c), fen, share, bound in sorted(over):
            self.flag(f"cap_share[{f},{e},{c}]", f"allocated {_money(fen)}, {share:g} of the residual need {_money(share_base[(e, c)])} is {_money(bound)} (over by {_money(fen - bound)})")

    def needs(self) -> None:
        for (e, c), line in self.lines.items():
            if line.own + line.funded > line.cost:
                residual = line.cost - line.own
                self.flag(f"need[{e},{c}]", f"funded {_money(line.funded)}, residual need {_money(residual)} "
                          f"(cost {_money(line.cost)} − own funds {_money(line.own)}; over by {_money(line.own + line.funded - line.cost)})")


def _rows(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[SimpleNamespace]:
    """The rows of `frame` by column name (plain objects: itertuples costs more than the check)."""
    return [SimpleNamespace(**dict(zip(keys, values))) for values in zip(*(frame[k].tolist() for k in keys))]


def _own_from_gaps(checker: _Checker, gaps: pd.DataFrame, given: dict[tuple[str, str], int]) -> None:
    """Own funds of `free` enterprises the table does not list, taken from a gaps table."""
    listed = {e for e, _ in given}
    free = {e.id for e in checker.scenario.enterprises if e.own_funds_rule == "free"} - listed
    for row in _rows(gaps, ("enterprise", "category", "own_funds")):
        if row.enterprise in free:
            try:
                fen = parse_amount(row.own_funds)
            except ValueError:
                continue  # reported by reconcile
            if fen:
                given[(row.enterprise, row.category)] = fen


def _reconcile(checker: _Checker, public: dict, gaps: pd.DataFrame | None, funds: pd.DataFrame | None, summary: dict | None) -> None:
    flag = checker.flag

    def same(rule: str, what: str, shown: Any, expected: int) -> None:
        if type(shown) is Decimal and shown * 100 == expected:
            return  # our own table, right to the fen: the common case, no parsing
        try:
            fen = parse_amount(shown)
        except ValueError as exc:
            flag(rule, f"{what}: {exc}")
            return
        if fen != expected:
            flag(rule, f"{what} is {_money(fen)}, the allocations give {_money(expected)}")

    if gaps is not None:
        seen = set()
        lines = checker.lines
        # Plain column lists, and the rule's name only formatted when something is wrong: this
        # loop sees every cost line of a national scenario.
        for ent, cat, need, own, funded, gap in zip(*(gaps[k].tolist() for k in GAPS_COLUMNS)):
            key = (str(ent), str(cat))
            line = lines.get(key)
            if line is None:
                flag(f"reconcile[gaps:{key[0]},{key[1]}]", "a line that is not a cost line of the scenario")
                continue
            seen.add(key)
            expected = (line.cost, line.own, line.funded, line.cost - line.own - line.funded)
            for what, shown, fen in zip(("need", "own_funds", "funded", "gap"), (need, own, funded, gap), expected):
                same(f"reconcile[gaps:{key[0]},{key[1]}]", what, shown, fen)
        for key in checker.lines.keys() - seen:
            flag(f"reconcile[gaps:{key[0]},{key[1]}]", "cost line missing from the gaps table")
    if funds is not None:
        used: dict[str, int] = {}
        for (f, _, _), fen in public.items():
            used[f] = used.get(f, 0) + fen
        seen = set()
        for row in _rows(funds, FUNDS_COLUMNS):
            fund = checker.funds.get(str(row.fund))
            rule = f"reconcile[funds:{row.fund}]"
            if fund is None:
                flag(rule, "not a fund of the scenario")
                continue
            seen.add(fund.id)
            budget, u = to_fen(fund.budget), used.get(fund.id, 0)
            same(rule, "budget", row.budget, budget)
            same(rule, "used", row.used, u)
            same(rule, "left", row.left, budget - u)
        for fid in checker.funds.keys() - seen:
            flag(f"reconcile[funds:{fid}]", "fund missing from the funds table")
    if summary is not None:
        lines = checker.lines.values()
        expected = {
            "total_need": sum(v.cost for v in lines),
            "total_own_funds": sum(v.own for v in lines),
            "total_funded": sum(v.funded for v in lines),
            "total_gap": sum(v.cost - v.own - v.funded for v in lines),
        }
        for key, fen in expected.items():
            if key not in summary:
                flag(f"reconcile[summary:{key}]", "missing from the summary")
                continue
            try:  # summary.json holds floats: equal to the fen when rounded to the fen
                shown = round(Decimal(repr(summary[key])) * 100)
            except (InvalidOperation, TypeError, ValueError):
                flag(f"reconcile[summary:{key}]", f"{summary[key]!r} is not a number")
                continue
            if shown != fen:
                flag(f"reconcile[summary:{key}]", f"{key} is {summary[key]}, the allocations give {_money(fen)}")


def verify(scenario: Scenario, allocations: pd.DataFrame, *, gaps: pd.DataFrame | None = None,
           funds: pd.DataFrame | None = None, summary: dict | None = None) -> list[Violation]:
    """Every rule the table breaks (empty when it keeps them all).

    `allocations` has columns fund, enterprise, category, amount (Decimal, int, str or float
    holding whole fen); ids or the scenario's names/labels; repeated rows are added up; rows of
    0 are ignored. `gaps`, `funds` and `summary` (as our export writes them) are optional:
    given, they must agree with the allocations to the fen.
    """
    checker = _Checker(scenario)
    return _check(checker, checker.amounts(allocations), allocations.attrs.get("totals", []), gaps, funds, summary)


def _check(checker: _Checker, amounts: dict[tuple[str, str, str], int], totals: list, gaps, funds, summary) -> list[Violation]:
    public: dict[tuple[str, str, str], int] = {}
    own: dict[tuple[str, str], int] = {}
    for key, fen in sorted(amounts.items()):
        if fen == 0:
            continue
        if not checker.eligible(key):
            if key[0] != OWN_FUNDS_SOURCE:
                public[key] = fen  # still counts against the fund's budget and caps
            continue
        if key[0] == OWN_FUNDS_SOURCE:
            own[(key[1], key[2])] = fen
        else:
            public[key] = fen
    if gaps is not None:
        _own_from_gaps(checker, gaps, own)
    share_base = checker.own_funds(own)
    checker.caps(public, share_base)
    checker.needs()
    for line, fen in totals:
        everything, public_only = sum(amounts.values()), sum(f for k, f in amounts.items() if k[0] != OWN_FUNDS_SOURCE)
        if fen not in (everything, public_only):
            checker.flag(f"total[row {line}]", f"the total row says {_money(fen)}, the rows add up to {_money(public_only)}")
    _reconcile(checker, public, gaps, funds, summary)
    return checker.violations


def allocation_frame(allocation_fen: dict) -> pd.DataFrame:
    """An allocation in fen keyed by (source, enterprise, category) objects (such as the LP's
    arcs) as the table `verify` reads, own-funds rows included."""
    rows = [(a.source, a.enterprise, a.category, from_fen(fen)) for a, fen in allocation_fen.items() if fen > 0]
    return pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))


def verify_result(result, tables: bool = True) -> list[Violation]:
    """A solved result checked as a clerk's table would be, with its summary totals and, when
    `tables`, its gaps and funds tables (what `subsidy solve` writes). Reads the allocation in
    fen directly: no DataFrame is built unless `tables`."""
    checker = _Checker(result.scenario)
    amounts: dict[tuple[str, str, str], int] = {}
    for arc, fen in result.allocation_fen.items():
        key = (arc.source, arc.enterprise, arc.category)
        amounts[key] = amounts.get(key, 0) + fen
    gaps, funds = (result.gaps, result.funds) if tables else (None, None)
    return _check(checker, amounts, [], gaps, funds, result.summary)
