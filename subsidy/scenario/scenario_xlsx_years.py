"""A programme over several years in the input workbook: amounts by year, read and written.

A YAML programme writes a cost line as `resettlement: {2025: 300, 2026: 153.6}` and a fund's money as
`tranches: {2025: 200, 2026: 100}` (scenario/years.py). A clerk's workbook cannot nest a mapping in a
cell, so the years go on sheets of their own, one row per year (scenario_xlsx.BY_YEAR, TRANCHES):

    分年度          企业代码 | 费用类别 | 自有资金来源 | 年度 | 金额      wenquan | 职工安置费 resettlement | | 2025 | 300
    资金分年度到账  资金代码 | 年度 | 金额                             central_reward | 2025 | 200

The programme's years are a Scenario-sheet field (`2025, 2026, 2027`) and a fund's carry-over a
Funds-sheet column. A line on the by-year sheet needs no row on the Costs / OwnFunds sheet; when it
has one, that row's amount is blank or the total of its years (what the writer puts there, so a
clerk sees the line's total where the one-year lines are), and a total that differs is refused at
its cell, as is a fund budget that differs from the sum of its tranches (once every row of the
sheet reads: a row left out for a slip of its own would make every total differ). Every other check (a year
outside `years`, an amount below zero or with three decimals) names the cell it is in, in English
and Chinese, through the same checks the YAML reader uses (`years.year_of`, `model.parse_money`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from subsidy.scenario.model import Problem, Scenario, parse_money
from subsidy.scenario.scenario_xlsx import parse_code
from subsidy.scenario.slips import Slip
from subsidy.scenario.years import year_of


def years_cell(years: list[int] | None) -> str | None:
    """The Scenario sheet's 年度 cell: '2025, 2026, 2027'."""
    return None if years is None else ", ".join(str(y) for y in years)


def years_of_cell(value: Any) -> Any:
    """The 年度 cell as `years:` — 2025, '2025, 2026', '2025，2026、2027' or '2025 2026' → a list;
    what is not a year stays as typed, so that the schema's own check names it."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return [value]
    text = str(value)
    for sep in "，、;；":
        text = text.replace(sep, ",")
    return [part.strip() for piece in text.split(",") for part in piece.split() if part.strip()]


def programme_rows(scenario: Scenario, cat) -> dict[str, list[list]]:
    """The by-year sheets' rows: each line written by year, then each fund's tranches."""
    by_year: list[list] = []
    for e in scenario.enterprises:
        for c, schedule in e.costs_due.items():
            by_year += [[e.id, cat(c), None, year, _number(amount)] for year, amount in schedule.items()]
        for kind, schedule in e.own_funds_arrive.items():
            by_year += [[e.id, None, kind, year, _number(amount)] for year, amount in schedule.items()]
    tranches = [[f.id, year, _number(amount)] for f in scenario.funds for year, amount in (f.tranches or {}).items()]
    return {"by_year": by_year, "tranches": tranches}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class YearReader:
    """Reads the by-year sheets into the data a `_Reader` (scenario_xlsx_read) has built from the
    one-year sheets: its sheets, data, places, problems, enterprise and fund indices, categories."""

    def __init__(self, reader):
        self.r = reader
        self.by_year()
        self.tranches()

    def _problem(self, sheet: str, column: str, row: int, en: str, zh: str, loc: tuple = ()) -> None:
        self.r.problems.append(Problem(loc=loc, message=en, message_zh=zh, where=self.r.sheets[sheet].cell(column, row)))

    def _year_and_amount(self, sheet: str, row: int, values: dict) -> tuple[int, Decimal] | None:
        """The row's year and amount, checked as the YAML reader checks them, or None (said at the cell)."""
        try:
            year = year_of(values.get("year"))
        except ValueError as exc:
            en, _, zh = str(exc).partition(" / ")
            self._problem(sheet, "year", row, en, zh or en)
            return None
        try:
            amount = parse_money(values.get("amount"))
        except Slip as slip:
            self._problem(sheet, "amount", row, slip.said("en"), slip.said("zh"))
            return None
        return year, amount

    def by_year(self) -> None:
        r = self.r
        before = len(r.problems)
        schedules: dict[tuple[int, str, str], dict[int, Decimal]] = {}
        rows_of: dict[tuple[int, str, str, int], int] = {}
        for row, values in r._rows("by_year"):
            i = r._owner("by_year", row, values)
            raw_cat, kind = values.get("category"), values.get("kind")
            if (raw_cat is None) == (kind is None):
                self._problem("by_year", "category", row, "give a cost category or a source of own funds (one of the two)",
                              "请填写费用类别或自有资金来源（二者填一项）")
                continue
            if raw_cat is not None:
                table, name = "costs", parse_code(str(raw_cat), r.categories)
                if name not in r.categories:
                    self._problem("by_year", "category", row, f"unknown category {raw_cat!r}; known: {', '.join(r.categories)}",
                                  f"未知的费用类别 {raw_cat!r}；可用的有：{', '.join(r.categories)}")
                    continue
            else:
                table, name = "own_funds", str(kind)
            read = self._year_and_amount("by_year", row, values)
            if i is None or read is None:
                continue
            year, amount = read
            first = rows_of.setdefault((i, table, name, year), row)
            if first != row:
                self._problem("by_year", "year", row, f"{name} {year} of this enterprise appears twice (first in row {first})",
                              f"该企业 {name} 的 {year} 年金额填写了两次（首次在第 {first} 行）")
                continue
            schedules.setdefault((i, table, name), {})[year] = amount
            loc = ("enterprises", i, table, name)
            r.places[loc + (year,)] = r.sheets["by_year"].cell("year", row)
            r.places.setdefault(loc, r.sheets["by_year"].cell("category" if table == "costs" else "kind", row))
        for (i, table, name), schedule in schedules.items():
            e = r.data["enterprises"][i]
            entries = e.setdefault(table, {})
            total = sum(schedule.values(), Decimal(0))
            if entries.get(name) is not None and len(r.problems) == before and not self._same_total(entries[name], total):
                r.problems.append(Problem(
                    loc=("enterprises", i, table, name), where=r.places[("enterprises", i, table, name)],
                    message=f"the total {entries[name]} differs from the sum of its years on the {r.sheets['by_year'].title} sheet "
                            f"({_shown(total)}); leave it blank or make it the sum",
                    message_zh=f"合计 {entries[name]} 与“{r.sheets['by_year'].title}”表中各年度金额之和（{_shown(total)}）不符；"
                               "请留空或填写各年之和"))
            entries[name] = dict(sorted(schedule.items()))

    def tranches(self) -> None:
        r = self.r
        before = len(r.problems)
        schedules: dict[int, dict[int, Decimal]] = {}
        for row, values in r._rows("tranches"):
            j = r._fund_of("tranches", row, values)
            if j is None:
                continue
            read = self._year_and_amount("tranches", row, values)
            if read is None:
                continue
            year, amount = read
            if year in schedules.setdefault(j, {}):
                self._problem("tranches", "year", row, f"the {year} tranche of fund {values['fund']!r} appears twice",
                              f"资金 {values['fund']!r} 的 {year} 年到账金额填写了两次")
                continue
            schedules[j][year] = amount
            loc = ("funds", j, "tranches")
            r.places.setdefault(loc, r.sheets["tranches"].cell("fund", row))
            r.places[loc + (year,)] = r.sheets["tranches"].cell("year", row)
        for j, schedule in schedules.items():
            f = r.data["funds"][j]
            total = sum(schedule.values(), Decimal(0))
            if f.get("budget") is not None:
                if len(r.problems) > before or self._same_total(f["budget"], total):
                    del f["budget"]  # the writer's total beside the tranches (or a row unread: the total waits)
                else:  # the schema's "budget or tranches, not both" would say less than this
                    r.problems.append(Problem(
                        loc=("funds", j, "tranches"), where=r.places[("funds", j, "budget")],
                        message=f"the budget {f['budget']} differs from the sum of the fund's tranches on the "
                                f"{r.sheets['tranches'].title} sheet ({_shown(total)}); leave it blank or make it the sum",
                        message_zh=f"预算 {f['budget']} 与“{r.sheets['tranches'].title}”表中该资金各年度到账之和（{_shown(total)}）不符；"
                                   "请留空或填写各年之和"))
            f["tranches"] = dict(sorted(schedule.items()))

    @staticmethod
    def _same_total(cell: Any, total: Decimal) -> bool:
        try:
            return parse_money(cell) == total
        except Slip:
            return False  # a total that is not an amount differs from the sum


def _shown(amount: Decimal) -> str:
    return f"{amount:f}"
