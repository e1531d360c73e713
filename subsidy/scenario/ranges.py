"""Amounts that are estimates: a range `{low, expected, high}` in place of a number.

An asset sale is an estimate until the auction, a central reward may be blank in the seed ("？？"):
a clerk writes what is known as a range, read as a triangular distribution (low and high are its
ends, expected its mode). Where: an enterprise's cost lines and own funds, and a fund's budget.
Written in YAML/JSON as a mapping `{low: 400, expected: 640, high: 700}`, or in a workbook cell (or
anywhere) as text `400~640~700` (low~expected~high; a full-width ～ too, as a Chinese input method
types it).

Every command but `subsidy risk` solves on the expected values: the ranges are split off here,
before validation, and each field holds its expected value, so nothing downstream sees a range.
The ranges themselves travel with the validated scenario (`Scenario.ranges`), located by the same
id paths `--vary` and overlays use (`enterprises.wenquan.own_funds.asset_sales`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from subsidy.scenario.model import Problem, parse_money
from subsidy.scenario.slips import Slip

KEYS = ("low", "expected", "high")
TILDES = ("~", "～")


@dataclass(frozen=True)
class AmountRange:
    """One amount given as a range: where it is (kind "cost", "own_funds" or "budget", the
    enterprise or fund id, the category or own-funds source), and its three values."""

    kind: str
    owner: str
    key: str
    low: Decimal
    expected: Decimal
    high: Decimal

    @property
    def path(self) -> str:
        """The id path of the field, as --vary and overlays name it."""
        if self.kind == "budget":
            return f"funds.{self.owner}.budget"
        return f"enterprises.{self.owner}.{'costs' if self.kind == 'cost' else 'own_funds'}.{self.key}"

    @property
    def text(self) -> str:
        """As a clerk types it into a cell: low~expected~high."""
        return f"{self.low}~{self.expected}~{self.high}"


def is_range(value: Any) -> bool:
    """A value written as a range: a mapping of low/expected/high, or text with a ~."""
    if isinstance(value, dict):
        return bool(value) and set(value) <= set(KEYS)
    return isinstance(value, str) and any(t in value for t in TILDES)


def _parts(value: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The three values of a range as written, and what is wrong with its shape (en, zh)."""
    if isinstance(value, dict):
        missing = [k for k in KEYS if k not in value]
        if missing:
            return {}, [(f"a range needs low, expected and high; {', '.join(missing)} missing",
                         f"区间须写明 low、expected、high 三个值；缺少 {'、'.join(missing)}")]
        return dict(value), []
    text = value.replace("～", "~")
    pieces = text.split("~")
    if len(pieces) != 3:
        return {}, [(f"a range is written low~expected~high (three numbers, e.g. 400~640~700), got {value!r}",
                     f"区间写作“低~预期~高”（三个数，如 400~640~700），实际为 {value!r}")]
    return dict(zip(KEYS, (p.strip() for p in pieces))), []


def read_range(value: Any, kind: str, owner: str, key: str, loc: tuple) -> tuple[AmountRange | None, list[Problem]]:
    """A written range as an AmountRange, or the problems with it (located at `loc`)."""
    parts, wrong = _parts(value)
    problems = [Problem(loc=loc, message=en, message_zh=zh) for en, zh in wrong]
    numbers: dict[str, Decimal] = {}
    for name, raw in parts.items():
        try:
            numbers[name] = parse_money(raw)
        except ValueError as exc:
            problems.append(Problem(loc=loc, message=f"range {name}: {exc}", message_zh=f"区间的 {name} 值：{exc.said('zh') if isinstance(exc, Slip) else exc}"))
    if problems:
        return None, problems
    low, expected, high = (numbers[k] for k in KEYS)
    if not low <= expected <= high:
        return None, [Problem(loc=loc, message=f"a range needs low ≤ expected ≤ high, got {low}~{expected}~{high}",
                              message_zh=f"区间须满足 低 ≤ 预期 ≤ 高，实际为 {low}~{expected}~{high}")]
    return AmountRange(kind, owner, key, low, expected, high), []


def split_ranges(data: dict) -> tuple[dict, list[AmountRange], list[Problem]]:
    """`data` with every range replaced by its expected value (the input is not changed), the
    ranges in file order, and the problems with ranges written wrongly (the field then keeps the
    range, which validation reports no further: its location is in the problems already)."""
    if not isinstance(data, dict):
        return data, [], []
    out = dict(data)
    ranges: list[AmountRange] = []
    problems: list[Problem] = []

    def take(table: dict, name: Any, kind: str, owner: str, key: str, loc: tuple) -> None:
        value = table[name]
        if not is_range(value):
            return
        found, wrong = read_range(value, kind, owner, key, loc)
        problems.extend(wrong)
        if found is not None:
            ranges.append(found)
            table[name] = found.expected
        else:
            table[name] = Decimal(0)  # reported above; 0 keeps validation from saying it twice

    enterprises = out.get("enterprises")
    if isinstance(enterprises, list):
        out["enterprises"] = enterprises = list(enterprises)
        for i, ent in enumerate(enterprises):
            if not isinstance(ent, dict):
                continue
            ent = enterprises[i] = dict(ent)
            owner = str(ent.get("id"))
            for field, kind in (("costs", "cost"), ("own_funds", "own_funds")):
                table = ent.get(field)
                if isinstance(table, dict) and any(is_range(v) for v in table.values()):
                    table = ent[field] = dict(table)
                    for name in list(table):
                        take(table, name, kind, owner, str(name), ("enterprises", i, field, name))
    funds = out.get("funds")
    if isinstance(funds, list):
        out["funds"] = funds = list(funds)
        for j, fund in enumerate(funds):
            if isinstance(fund, dict) and is_range(fund.get("budget")):
                fund = funds[j] = dict(fund)
                take(fund, "budget", "budget", str(fund.get("id")), "budget", ("funds", j, "budget"))
    return out, ranges, problems


def with_ranges(data: dict, ranges: tuple[AmountRange, ...] | list[AmountRange], number=lambda d: d) -> dict:
    """Plain scenario data (expected values in place) with each range written back as its
    mapping {low, expected, high}, each value through `number`: what `convert` writes, so that a
    range survives YAML → JSON → workbook → YAML."""
    if not ranges:
        return data
    enterprises = {e.get("id"): e for e in data.get("enterprises", [])}
    funds = {f.get("id"): f for f in data.get("funds", [])}
    for r in ranges:
        written = {k: number(getattr(r, k)) for k in KEYS}
        if r.kind == "budget":
            funds[r.owner]["budget"] = written
        else:
            enterprises[r.owner]["costs" if r.kind == "cost" else "own_funds"][r.key] = written
    return data
