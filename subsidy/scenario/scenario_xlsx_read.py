"""Reading a scenario from an Excel workbook laid out as `subsidy.scenario.scenario_xlsx` says.

The reader goes by the field keys of each sheet's row 2 (or, where a key cell is blank, the
row-1 name in either language), finds sheets by their Chinese or English name, and takes a code
cell's code, its name or the drop-down's "职工安置费 resettlement".

It produces the same plain dict a YAML file gives, a map from each data path to the cell it came
from (`企业!C7`), and the problems it found itself (unknown sheet rows, duplicate lines);
`subsidy.scenario.load` then validates the dict with the same pydantic models as for YAML.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from subsidy.scenario.model import DEFAULT_CATEGORIES, Problem
from subsidy.scenario.slips import said
from subsidy.scenario.scenario_xlsx_years import YearReader, years_of_cell
from subsidy.scenario.scenario_xlsx import (
    DATA_SHEETS, ENTERPRISES, FIRST_ROW, FUND_RULE_KINDS, FUNDS, LEVELS, NO, RULES, SCENARIO, SCENARIO_FIELDS, YES,
    SheetSpec, display, parse_code,
)


@dataclass
class WorkbookData:
    """What the reader found: the scenario as plain data, where each part came from, and problems."""

    data: dict
    places: dict[tuple, str]
    problems: list[Problem]


def _ref(sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{_quote(sheet)}!{get_column_letter(column)}{row}"


def _quote(sheet: str) -> str:
    """A sheet name as Excel writes it in a reference ('Own funds'!A1 needs quotes, 企业!A1 not)."""
    return sheet if all(ch.isalnum() or ch == "_" for ch in sheet) else "'" + sheet.replace("'", "''") + "'"


def _clean(value: Any) -> Any:
    """A cell's value as a scenario value: text stripped, blanks None, Excel's floats at 15 digits."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float):
        # Excel shows and keeps 15 significant digits: 0.1+0.2 is 0.3 to a clerk, so to us too.
        value = float(f"{value:.15g}")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if hasattr(value, "isoformat"):  # a date typed into a text cell
        return value.isoformat()
    return value


class _Sheet:
    """One data sheet: its columns by key, and its data rows with their row numbers."""

    def __init__(self, ws, spec: SheetSpec, problems: list[Problem]):
        self.title = ws.title
        self.spec = spec
        labels = {}
        for c in spec.cols:
            labels[c.key] = c.key
            labels[c.zh] = c.key
            labels[c.en.lower()] = c.key
        header1 = [_clean(v) for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
        header2 = [_clean(v) for v in next(ws.iter_rows(min_row=2, max_row=2, values_only=True), ())]
        self.columns: dict[str, int] = {}
        for j in range(max(len(header1), len(header2))):
            key = header2[j] if j < len(header2) else None
            label = header1[j] if j < len(header1) else None
            name = key if key is not None else label
            if name is None:
                continue
            found = labels.get(str(name)) or labels.get(str(name).lower())
            if found is None:
                problems.append(Problem(**said("unknown_column", value=repr(name), known=", ".join(c.key for c in spec.cols)),
                                        where=_ref(self.title, j + 1, 2 if key is not None else 1)))
            elif found in self.columns:
                problems.append(Problem(**said("column_twice", value=repr(found)), where=_ref(self.title, j + 1, 2)))
            else:
                self.columns[found] = j + 1
        self.rows: list[tuple[int, dict[str, Any]]] = []
        for i, values in enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
            row = {key: _clean(values[j - 1]) if j - 1 < len(values) else None for key, j in self.columns.items()}
            if any(v is not None for k, v in row.items() if not (spec.name == "scenario" and k in ("label", "help"))):
                self.rows.append((i, row))

    def cell(self, key: str, row: int, what: str | None = None) -> str:
        """'费用!C7 (金额 amount)': the cell as Excel names it, and what it holds. A column that is
        not on the sheet at all is reported on the row ('企业!5:5')."""
        column = self.columns.get(key)
        ref = _ref(self.title, column, row) if column else f"{_quote(self.title)}!{row}:{row}"
        if what is None:
            col = next(c for c in self.spec.cols if c.key == key)
            what = f"{col.zh} {col.key}"
        return f"{ref} ({what})"


def _find_sheets(wb) -> dict[str, Any]:
    by_title = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    found = {}
    for spec in DATA_SHEETS:
        for name in (spec.zh, spec.en, spec.name):
            if name.lower() in by_title:
                found[spec.name] = by_title[name.lower()]
                break
    return found


def read_workbook(path: Path, raw: bytes) -> WorkbookData:
    """Read an input workbook into scenario data; problems located as sheet!cell."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return WorkbookData({}, {}, [Problem(message=f"is not an .xlsx workbook ({type(exc).__name__}: {exc}); save it from Excel or WPS as .xlsx")])
    problems: list[Problem] = []
    worksheets = _find_sheets(wb)
    missing = [s for s in (SCENARIO, ENTERPRISES, FUNDS) if s.name not in worksheets]
    if missing:
        names = ", ".join(f"{s.zh} / {s.en}" for s in missing)
        return WorkbookData({}, {}, [Problem(message=f"has no sheet {names}; start from `subsidy template`")])
    sheets = {name: _Sheet(ws, next(s for s in DATA_SHEETS if s.name == name), problems) for name, ws in worksheets.items()}
    reader = _Reader(sheets, problems)
    return WorkbookData(reader.data, reader.places, problems)


class _Reader:
    """Turns the sheets into the scenario dict, recording each value's cell as it goes."""

    def __init__(self, sheets: dict[str, _Sheet], problems: list[Problem]):
        self.sheets = sheets
        self.problems = problems
        self.places: dict[tuple, str] = {}
        self.data: dict[str, Any] = {}
        self._scenario()
        self.categories = self._categories()
        self._enterprises()
        self._costs()
        self._own_funds()
        self._funds()
        self._distribution()
        self._match()
        self._fund_rules()
        self._commitments()
        self._minimum_coverage()
        self._assumptions()
        self._regions()
        YearReader(self)  # a programme's amounts by year, into the lines and funds read above

    def _rows(self, name: str) -> Iterable[tuple[int, dict]]:
        sheet = self.sheets.get(name)
        return sheet.rows if sheet else ()

    def _put(self, target: dict, key: str, value: Any, loc: tuple, sheet: str, column: str, row: int, what: str | None = None) -> None:
        self.places[loc] = self.sheets[sheet].cell(column, row, what)
        if value is not None:
            target[key] = value

    def _problem(self, sheet: str, column: str, row: int, message: str, loc: tuple = ()) -> None:
        """A problem the reader found; `loc` (when the value is in the data) keeps the model's
        own check of the same thing from reporting it a second time."""
        self.problems.append(Problem(loc=loc, message=message, where=self.sheets[sheet].cell(column, row)))

    def _fund_of(self, sheet: str, row: int, values: dict) -> int | None:
        """The index of the fund a row of `sheet` names in its `fund` column, or None, said at the
        cell in both languages (every sheet of fund rows reads its fund this one way)."""
        ref = values.get("fund")
        j = self.fund_index.get(str(ref)) if ref is not None else None
        if j is None:
            words = said("row_fund_missing") if ref is None else said("row_fund_unknown", value=repr(ref), sheet=self.sheets["funds"].title)
            self.problems.append(Problem(**words, where=self.sheets[sheet].cell("fund", row)))
        return j

    def _scenario(self) -> None:
        labels = {f[0]: f"{f[1]} {f[0]}" for f in SCENARIO_FIELDS}
        for row, values in self._rows("scenario"):
            field, value = values.get("field"), values.get("value")
            if field not in labels:
                self._problem("scenario", "field", row, f"unknown field {field!r}; known: {', '.join(labels)}")
                continue
            if field == "years":
                self._put(self.data, field, years_of_cell(value), (field,), "scenario", "value", row, labels[field])
            elif field == "fairness":
                where = self.sheets["scenario"].cell("value", row, labels[field])
                self.places[("policy",)] = self.places[("policy", "fairness")] = where
                if value is not None:
                    self.data["policy"] = {"fairness": self._bool(value)}
            else:
                self._put(self.data, field, value if value is None else str(value), (field,), "scenario", "value", row, labels[field])

    def _bool(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        words = str(value).lower().split()
        if words and all(w in YES for w in words):
            return True
        if words and all(w in NO for w in words):
            return False
        return value  # pydantic reports it

    def _categories(self) -> dict[str, tuple[str | None, str | None]]:
        table = {k: (c.label_zh, c.label_en) for k, c in DEFAULT_CATEGORIES.items()}
        given: dict[str, dict] = {}
        for row, values in self._rows("categories"):
            key = values.get("key")
            if key is None:
                self._problem("categories", "key", row, "category code is missing")
                continue
            key = str(key)
            if key in given:
                self._problem("categories", "key", row, f"category {key!r} appears twice")
                continue
            entry: dict[str, Any] = {}
            for field in ("label_zh", "label_en", "weight", "class"):
                value = values.get(field)
                if field.startswith("label") and value is not None:
                    value = str(value)
                self._put(entry, field, value, ("categories", key, field), "categories", field, row)
            self.places[("categories", key)] = self.sheets["categories"].cell("key", row)
            given[key] = entry
            base = table.get(key, (None, None))
            table[key] = (entry.get("label_zh", base[0]), entry.get("label_en", base[1]))
        if given:
            self.data["categories"] = given
        return table

    def _enterprises(self) -> None:
        self.enterprise_index: dict[str, int] = {}
        ents = self.data["enterprises"] = []
        rules = {k: v for k, v in RULES.items()}
        for row, values in self._rows("enterprises"):
            i = len(ents)
            e: dict[str, Any] = {}
            loc = ("enterprises", i)
            self.places[loc] = self.sheets["enterprises"].cell("id", row)
            for field in ("id", "name", "region", "industry", "source", "notes"):
                value = values.get(field)
                self._put(e, field, None if value is None else str(value), loc + (field,), "enterprises", field, row)
            for field in ("workers", "net_fixed_assets", "net_equipment", "tax_paid", "exit_year"):
                self._put(e, field, values.get(field), loc + (field,), "enterprises", field, row)
            rule = values.get("own_funds_rule")
            self._put(e, "own_funds_rule", None if rule is None else parse_code(str(rule), rules), loc + ("own_funds_rule",), "enterprises", "own_funds_rule", row)
            amount, unit = values.get("capacity"), values.get("capacity_unit")
            if amount is not None or unit is not None:
                e["capacity"] = {"amount": amount} if unit is None else {"amount": amount, "unit": str(unit)}
            for part, column in (((), "capacity"), (("amount",), "capacity"), (("unit",), "capacity_unit")):
                self.places[loc + ("capacity",) + part] = self.sheets["enterprises"].cell(column, row)
            if isinstance(e.get("id"), str):
                if e["id"] in self.enterprise_index:
                    first = self.sheets["enterprises"].rows[self.enterprise_index[e["id"]]][0]
                    self._problem("enterprises", "id", row, f"duplicate enterprise id {e['id']!r} (first in row {first})", loc + ("id",))
                else:
                    self.enterprise_index[e["id"]] = i
            ents.append(e)

    def _owner(self, sheet: str, row: int, values: dict, column: str = "enterprise") -> int | None:
        """The index of the enterprise a cost/own-funds row belongs to, or a problem."""
        ref = values.get(column)
        if ref is None:
            self._problem(sheet, column, row, "enterprise id is missing")
            return None
        index = self.enterprise_index.get(str(ref))
        if index is None:
            self._problem(sheet, column, row, f"unknown enterprise {ref!r}; it must be an id on the {self.sheets['enterprises'].title} sheet")
        return index

    def _costs(self) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row, values in self._rows("costs"):
            i = self._owner("costs", row, values)
            raw = values.get("category")
            if raw is None:
                self._problem("costs", "category", row, "cost category is missing")
                continue
            cat = parse_code(str(raw), self.categories)
            if cat not in self.categories:
                self._problem("costs", "category", row, f"unknown category {raw!r}; known: {', '.join(self.categories)}")
                continue
            if i is None:
                continue
            if (i, cat) in seen:
                self._problem("costs", "category", row, f"cost line {cat!r} of this enterprise appears twice (first in row {seen[(i, cat)]})")
                continue
            seen[(i, cat)] = row
            e = self.data["enterprises"][i]
            loc = ("enterprises", i)
            self.places.setdefault(loc + ("costs",), self.sheets["costs"].cell("enterprise", row))
            what = display(cat, self.categories[cat][0])
            self._put(e.setdefault("costs", {}), cat, values.get("amount"), loc + ("costs", cat), "costs", "amount", row, what)
            e["costs"].setdefault(cat, None)  # a blank amount is a missing number, not a missing line
            if values.get("source") is not None:
                self._put(e.setdefault("cost_sources", {}), cat, str(values["source"]), loc + ("cost_sources", cat), "costs", "source", row)

    def _own_funds(self) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row, values in self._rows("own_funds"):
            i = self._owner("own_funds", row, values)
            kind = values.get("kind")
            if kind is None:
                self._problem("own_funds", "kind", row, "source of own funds is missing (e.g. asset_sales)")
                continue
            kind = str(kind)
            if i is None:
                continue
            if (i, kind) in seen:
                self._problem("own_funds", "kind", row, f"own funds {kind!r} of this enterprise appear twice (first in row {seen[(i, kind)]})")
                continue
            seen[(i, kind)] = row
            e = self.data["enterprises"][i]
            self.places.setdefault(("enterprises", i, "own_funds"), self.sheets["own_funds"].cell("enterprise", row))
            self._put(e.setdefault("own_funds", {}), kind, values.get("amount"), ("enterprises", i, "own_funds", kind), "own_funds", "amount", row, f"自有资金 {kind}")
            e["own_funds"].setdefault(kind, None)

    def _funds(self) -> None:
        self.fund_index: dict[str, int] = {}
        funds = self.data["funds"] = []
        for row, values in self._rows("funds"):
            j = len(funds)
            f: dict[str, Any] = {"categories": []}
            loc = ("funds", j)
            self.places[loc] = self.places[loc + ("categories",)] = self.sheets["funds"].cell("id", row)
            for field in ("id", "name", "source", "notes"):
                value = values.get(field)
                self._put(f, field, None if value is None else str(value), loc + (field,), "funds", field, row)
            level = values.get("level")
            self._put(f, "level", None if level is None else parse_code(str(level), LEVELS), loc + ("level",), "funds", "level", row)
            self._put(f, "budget", values.get("budget"), loc + ("budget",), "funds", "budget", row)
            carry = values.get("carry_over")
            self._put(f, "carry_over", None if carry is None else self._bool(carry), loc + ("carry_over",), "funds", "carry_over", row)
            caps: dict[str, Any] = {}
            for field in ("per_enterprise", "per_worker", "share_of_need"):
                self._put(caps, field, values.get(field), loc + ("caps", field), "funds", field, row)
            if caps:
                f["caps"] = caps
            if isinstance(f.get("id"), str):
                if f["id"] in self.fund_index:
                    first = self.sheets["funds"].rows[self.fund_index[f["id"]]][0]
                    self._problem("funds", "id", row, f"duplicate fund id {f['id']!r} (first in row {first})", loc + ("id",))
                else:
                    self.fund_index[f["id"]] = j
            funds.append(f)

    def _fund_rules(self) -> None:
        for row, values in self._rows("fund_rules"):
            j = self._fund_of("fund_rules", row, values)
            if j is None:
                continue
            raw_kind, value = values.get("rule"), values.get("value")
            kind = parse_code(str(raw_kind), FUND_RULE_KINDS) if raw_kind is not None else None
            if kind not in FUND_RULE_KINDS:
                self._problem("fund_rules", "rule", row, f"unknown rule {raw_kind!r}; known: {', '.join(FUND_RULE_KINDS)}")
                continue
            if value is None:
                self._problem("fund_rules", "value", row, f"a {kind} rule needs a value")
                continue
            f = self.data["funds"][j]
            loc = ("funds", j)
            if kind == "category":
                cat = parse_code(str(value), self.categories)
                if cat not in self.categories:
                    self._problem("fund_rules", "value", row, f"unknown category {value!r}; known: {', '.join(self.categories)}")
                    continue
                self.places[loc + ("categories", len(f["categories"]))] = self.sheets["fund_rules"].cell("value", row)
                f["categories"].append(cat)
            elif kind == "early_exit":  # value: the year, amount: the weight, on the fund's 因素法 row
                weights = f.setdefault("distribution", {}).setdefault("early_exit_weights", {})
                year = int(value) if isinstance(value, (int, float)) or str(value).strip().isdigit() else str(value)
                self.places[loc + ("distribution", "early_exit_weights", year)] = self.sheets["fund_rules"].cell("amount", row)
                weights[year] = values.get("amount")
            elif kind == "per_capacity":
                per = f.setdefault("caps", {}).setdefault("per_capacity", {})
                if str(value) in per:
                    self._problem("fund_rules", "value", row, f"per-capacity cap for {value!r} appears twice")
                    continue
                self.places[loc + ("caps", "per_capacity", str(value))] = self.sheets["fund_rules"].cell("amount", row)
                per[str(value)] = values.get("amount")
            else:
                field = {"region": "regions", "industry": "industries", "enterprise": "enterprises"}[kind]
                items = f.setdefault("scope", {}).setdefault(field, [])
                self.places[loc + ("scope", field, len(items))] = self.sheets["fund_rules"].cell("value", row)
                items.append(str(value))
            if kind not in ("per_capacity", "early_exit") and values.get("amount") is not None:
                self._problem("fund_rules", "amount", row, f"only a per_capacity rule takes an amount; leave it blank for a {kind} rule")

    def _distribution(self) -> None:
        """因素法 rows: one per fund split by the factor method (its early-exit weights are fund rules)."""
        for row, values in self._rows("distribution"):
            j = self._fund_of("distribution", row, values)
            if j is None:
                continue
            loc = ("funds", j, "distribution")
            d = self.data["funds"][j].setdefault("distribution", {})
            self.places[loc] = self.sheets["distribution"].cell("fund", row)
            level = values.get("level")
            if isinstance(level, str) and level.strip() in ("enterprise", "企业", "按企业"):
                level = "enterprise"
            self._put(d, "level", level, loc + ("level",), "distribution", "level", row)
            factors: dict[str, Any] = {}
            for field in ("capacity", "workers", "difficulty"):
                self._put(factors, field, values.get(field), loc + ("factors", field), "distribution", field, row)
            d["factors"] = factors
            self.places[loc + ("factors",)] = self.sheets["distribution"].cell("capacity", row)
            self._put(d, "share", values.get("share"), loc + ("share",), "distribution", "share", row)

    def _match(self) -> None:
        """配套 rows: (fund, a matching fund, the ratio on the fund's first row; the same or blank after)."""
        for row, values in self._rows("match"):
            j = self._fund_of("match", row, values)
            if j is None:
                continue
            loc = ("funds", j, "match")
            m = self.data["funds"][j].setdefault("match", {"funds": []})
            self.places.setdefault(loc, self.sheets["match"].cell("fund", row))
            by = values.get("by")
            if by is None:
                self._problem("match", "by", row, "the matching fund's id is missing")
            else:
                self.places[loc + ("funds", len(m["funds"]))] = self.sheets["match"].cell("by", row)
                m["funds"].append(str(by))
            ratio = values.get("ratio")
            if ratio is not None and "ratio" in m and str(m["ratio"]) != str(ratio):
                self._problem("match", "ratio", row, f"a second ratio {ratio!r} for fund {values['fund']!r} (the first is {m['ratio']!r}); "
                              "give it once, on the fund's first row")
            elif ratio is not None:
                self._put(m, "ratio", ratio, loc + ("ratio",), "match", "ratio", row)

    def _regions(self) -> None:
        items = []
        for row, values in self._rows("regions"):
            loc = ("regions", len(items))
            r: dict[str, Any] = {}
            self.places[loc] = self.sheets["regions"].cell("path", row)
            path = values.get("path")
            self._put(r, "path", None if path is None else str(path), loc + ("path",), "regions", "path", row)
            self._put(r, "difficulty", values.get("difficulty"), loc + ("difficulty",), "regions", "difficulty", row)
            items.append(r)
        if items:
            self.data["regions"] = items

    def _commitments(self) -> None:
        items = []
        for row, values in self._rows("commitments"):
            loc = ("commitments", len(items))
            c: dict[str, Any] = {}
            self.places[loc] = self.sheets["commitments"].cell("fund", row)
            for field in ("fund", "enterprise", "source"):
                value = values.get(field)
                self._put(c, field, None if value is None else str(value), loc + (field,), "commitments", field, row)
            raw = values.get("category")
            if raw is not None:
                cat = parse_code(str(raw), self.categories)
                if cat not in self.categories:
                    self._problem("commitments", "category", row, f"unknown category {raw!r}; known: {', '.join(self.categories)}")
                self._put(c, "category", cat, loc + ("category",), "commitments", "category", row)
            for field in ("amount", "at_least", "at_most"):
                self._put(c, field, values.get(field), loc + (field,), "commitments", field, row)
            items.append(c)
        if items:
            self.data["commitments"] = items

    def _minimum_coverage(self) -> None:
        """policy.minimum_coverage: one row per category, its share (保底比例)."""
        coverage: dict[str, Any] = {}
        for row, values in self._rows("minimum_coverage"):
            raw = values.get("category")
            if raw is None:
                self._problem("minimum_coverage", "category", row, "category is missing")
                continue
            cat = parse_code(str(raw), self.categories)
            loc = ("policy", "minimum_coverage", cat)
            if cat not in self.categories:
                self._problem("minimum_coverage", "category", row, f"unknown category {raw!r}; known: {', '.join(self.categories)}", loc)
            self._put(coverage, cat, values.get("share"), loc, "minimum_coverage", "share", row)
            if values.get("share") is None:
                self._problem("minimum_coverage", "share", row, "share is missing (a number from 0 to 1)", loc)
        if coverage:
            self.data.setdefault("policy", {})["minimum_coverage"] = coverage

    def _assumptions(self) -> None:
        items = []
        for row, values in self._rows("assumptions"):
            loc = ("assumptions", len(items))
            a: dict[str, Any] = {}
            self.places[loc] = self.sheets["assumptions"].cell("id", row)
            for field in ("id", "text", "unit", "source"):
                value = values.get(field)
                self._put(a, field, None if value is None else str(value), loc + (field,), "assumptions", field, row)
            value = values.get("value")
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            self._put(a, "value", value, loc + ("value",), "assumptions", "value", row)
            items.append(a)
        if items:
            self.data["assumptions"] = items
