"""Programmes over several years (`years: [2025, 2026, 2027]`): how a file writes amounts by year,
and the rules between them that no single field can check.

Money in a real closure programme arrives and falls due year by year: a central reward in
tranches (预拨, 清算, 以奖代补), living allowances yearly, an asset sale when the plant is sold. A
scenario says so with `years:` and writes any cost line, own-funds source or fund (`tranches`
instead of `budget`) as `{year: amount}`; a plain number is due (or arrives) in the first year.
Without `years:` a scenario is exactly the one-year model, and amounts by year are refused.

The schema (`model.py`) keeps every cost line and own-funds source as its *total* (what the
one-year model, the diagnosis and the tables read) and the schedule beside it; this module holds
the year words both use, and `year_problems`, the cross-field checks on the raw data (years
outside `years`, a fund with both `budget` and `tranches`), each in English and Chinese.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator


def year_of(key: Any) -> int:
    """A year as a file writes it (2025, or "2025" in JSON and workbooks) → 2025; else ValueError."""
    if isinstance(key, bool):
        raise ValueError(f"a year must be a whole number such as 2025, got {key!r} / 年份必须是整数，如 2025")
    if isinstance(key, int):
        year = key
    elif isinstance(key, str) and key.strip().isdigit():
        year = int(key.strip())
    elif isinstance(key, float) and key.is_integer():
        year = int(key)
    else:
        raise ValueError(f"a year must be a whole number such as 2025, got {key!r} / 年份必须是整数，如 2025")
    if not 1900 <= year <= 2200:
        raise ValueError(f"a year must lie between 1900 and 2200, got {year} / 年份须在 1900 至 2200 之间，实际为 {year}")
    return year


Year = Annotated[int, BeforeValidator(lambda key: year_of(key))]
"""A year as the schema reads it (`years`, the keys of `tranches`)."""


def by_year(value: Any, money) -> Decimal | dict[int, Decimal]:
    """One amount as written: a plain amount (`money` validates it), or `{year: amount}`."""
    if isinstance(value, dict):
        return {year_of(k): money(v) for k, v in value.items()}
    return money(value)


def split_schedule(table: dict[str, Any]) -> tuple[dict[str, Decimal], dict[str, dict[int, Decimal]]]:
    """{name: amount or {year: amount}} → (totals by name, the schedules of the by-year entries)."""
    totals, schedules = {}, {}
    for name, value in table.items():
        if isinstance(value, dict):
            schedules[name] = dict(sorted(value.items()))
            totals[name] = sum(value.values(), Decimal(0))
        else:
            totals[name] = value
    return totals, schedules


def schedules_aside(enterprise):
    """An enterprise once validated: lines written by year keep their total in `costs` /
    `own_funds` (what the one-year model and every table read), their schedules go aside
    (`costs_due`, `own_funds_arrive`). `model.Enterprise`'s validator."""
    for field, private in (("costs", "_costs_due"), ("own_funds", "_own_funds_arrive")):
        totals, timed = split_schedule(getattr(enterprise, field))
        if timed:
            object.__setattr__(enterprise, field, totals)  # the model is frozen; this is its own validation
            enterprise.__pydantic_private__[private] = timed
    return enterprise


def budget_of_tranches(fund):
    """A fund once validated: with `tranches`, its `budget` is their sum. `model.Fund`'s validator."""
    if fund.tranches is not None:
        object.__setattr__(fund, "budget", sum(fund.tranches.values(), Decimal(0)))  # frozen; its own validation
    return fund


def with_schedules(enterprise, table: dict[str, Decimal], field: str) -> dict[str, Any]:
    """`costs` or `own_funds` as the file wrote them (schedules back in place): what a dump holds."""
    timed = enterprise.costs_due if field == "costs" else enterprise.own_funds_arrive
    return {name: dict(timed[name]) if name in timed else amount for name, amount in table.items()}


def schedule(total: Decimal, timed: dict[int, Decimal] | None, years: list[int]) -> dict[int, Decimal]:
    """An amount by year over `years`: its schedule, or (a plain amount) all of it in the first."""
    if timed is not None:
        return {y: timed.get(y, Decimal(0)) for y in years}
    return {y: (total if i == 0 else Decimal(0)) for i, y in enumerate(years)}


def _years_in(value: Any) -> list[Any]:
    return list(value) if isinstance(value, dict) else []


def year_problems(data: dict) -> list[tuple[tuple, str, str]]:
    """(location, English, Chinese) of each year rule the raw data break: amounts by year without
    `years:`, a year outside `years`, years not increasing, a fund with both budget and tranches;
    and what a programme does not carry yet (配套 matching, own funds under `free`)."""
    found: list[tuple[tuple, str, str]] = []
    years = data.get("years")
    listed: set[int] | None = None
    if isinstance(years, list):
        try:
            written = [year_of(y) for y in years]
        except ValueError:
            written = None  # the field's own check says so
        if written is not None:
            if any(b <= a for a, b in zip(written, written[1:])):
                found.append((("years",), f"years must be listed once each, in increasing order, got {written}",
                              f"年份须逐一列出且从小到大排列，实际为 {written}"))
            listed = set(written)
    shown = ", ".join(str(y) for y in sorted(listed)) if listed else ""

    def check(loc: tuple, keys: list[Any]) -> None:
        if not keys:
            return
        if listed is None:
            found.append((loc, "amounts by year need the programme's years at the top of the file, e.g. years: [2025, 2026]",
                          "分年度金额须在方案开头列出年份，例如 years: [2025, 2026]"))
            return
        for key in keys:
            try:
                year = year_of(key)
            except ValueError:
                continue  # the field's own check says so
            if year not in listed:
                found.append((loc + (key,), f"year {year} is not one of the programme's years ({shown})",
                              f"{year} 年不在方案年份（{shown}）之内"))

    enterprises = data.get("enterprises") if isinstance(data.get("enterprises"), list) else []
    funds = data.get("funds") if isinstance(data.get("funds"), list) else []
    for i, ent in enumerate(enterprises):
        if not isinstance(ent, dict):
            continue
        for table in ("costs", "own_funds"):
            entries = ent.get(table)
            for name, value in (entries.items() if isinstance(entries, dict) else ()):
                check(("enterprises", i, table, name), _years_in(value))
    programme = listed is not None and len(listed) > 1
    for i, fund in enumerate(funds):
        if not isinstance(fund, dict):
            continue
        if programme and fund.get("match") is not None:
            found.append((("funds", i, "match"), "a programme over several years does not carry 配套 matching yet; "
                          "solve one year at a time", "跨年度方案暂不支持配套（match）；请逐年求解"))
        if programme and fund.get("distribution") is not None:
            found.append((("funds", i, "distribution"), "a programme over several years does not carry the factor method yet; "
                          "solve one year at a time", "跨年度方案暂不支持因素法分配（distribution）；请逐年求解"))
        has_budget, tranches = fund.get("budget") is not None, fund.get("tranches")
        if tranches is not None and has_budget:
            found.append((("funds", i, "tranches"), "give budget (all in the first year) or tranches (by year), not both",
                          "预算（全部在第一年到位）与分年到位资金（tranches）只能填写一项"))
        check(("funds", i, "tranches"), _years_in(tranches))
    commitments = data.get("commitments")
    for i, c in enumerate(commitments if isinstance(commitments, list) else []):
        if not isinstance(c, dict) or c.get("year") is None:
            continue
        try:
            year = year_of(c["year"])
        except ValueError:
            continue  # the field's own check says so
        if listed is None:
            found.append((("commitments", i, "year"), "a commitment's year needs the programme's years at the top of the file",
                          "已定事项的年份须在方案开头列出年份（years）"))
        elif year not in listed:
            found.append((("commitments", i, "year"), f"year {year} is not one of the programme's years ({shown})",
                          f"{year} 年不在方案年份（{shown}）之内"))
    for i, ent in enumerate(enterprises):
        if programme and isinstance(ent, dict) and ent.get("own_funds_rule") == "free":
            found.append((("enterprises", i, "own_funds_rule"), "a programme over several years applies own funds as they arrive "
                          "(statutory or proportional), not free", "跨年度方案中自有资金按到位时间依法定顺序或按比例使用，不支持 free"))
    return found


def read_year_table(path: str | Path, text: list[str], years: list[str], money: list[str]) -> dict[str, list]:
    """A table a programme's solve wrote (allocations.csv, gaps.csv; English or Chinese headers,
    names beside ids allowed) as columns: `text` as read, `years` as whole numbers (or 'total'),
    `money` in whole fen. ValueError names the file, the row and what is wrong, in both languages."""
    from subsidy.scenario.labels import column_key

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc}) / 无法读取") from None
    keys = [column_key(h) for h in rows[0]] if rows else []
    missing = [k for k in text + years + money if k not in keys]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)} (a table of a programme over several years is needed) / "
                         f"缺少列 {', '.join(missing)}（需要跨年度方案的表）")
    at = {k: keys.index(k) for k in text + years + money}
    out: dict[str, list] = {k: [] for k in at}
    for n, row in enumerate(rows[1:], start=2):
        try:
            for k in text:
                out[k].append(row[at[k]])
            for k in years:
                out[k].append(row[at[k]] if row[at[k]] == "total" else year_of(row[at[k]]))
            for k in money:
                out[k].append(_fen_of(row[at[k]]))
        except (ValueError, IndexError, ArithmeticError) as exc:
            raise ValueError(f"{path}: row {n}: {exc} / 第 {n} 行无法读取") from None
    return out


def _fen_of(cell: str) -> int:
    """An amount cell as whole fen: a number ≥ 0 with at most 2 decimals (thousands separators allowed)."""
    number = Decimal(cell.strip().replace(",", ""))
    fen = number * 100
    if not number.is_finite() or number < 0 or fen != fen.to_integral_value():
        raise ValueError(f"{cell!r} is not an amount ≥ 0 with at most 2 decimals")
    return int(fen)
