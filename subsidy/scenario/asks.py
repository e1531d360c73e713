"""The rules that ask for money, checked on the raw data with the other cross-field rules
(`model.cross_field_problems`): commitments and minimum coverage name what the file has.

配套 matching (`funds[].match: {funds: [...], ratio: r}`): for each enterprise, what the listed
funds pay it ≥ r × what this fund pays it (central money flows only with local co-funding). The
ratio is the exact fraction it was written as (`Decimal(str)`: 0.3 → 3/10) and the rule is
solved as den·Σ matching ≥ num·Σ this fund in whole fen (`allocate.rules`, `allocate.mip`). A
cycle (A matched by B and B by A) is allowed: it is a rule like any other, and where the ratios'
product passes 1 it only forces both funds' payments to that enterprise to 0; all-zero always
keeps every match, so matching alone never makes a scenario impossible.

Minimum coverage (`policy.minimum_coverage`, 保底比例): category → share 0-1; on each cost line of
that category own funds + public money ≥ share × its cost, a hard rule of every stage (a least on
the line: `allocate.rules.coverage_leasts`). Problems come back as (loc, key of `slips.SLIPS`,
values) for the model to wrap in both languages, so this module needs nothing of it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from subsidy.scenario.slips import Slip


def _ratio(value: Any) -> Decimal:
    """A match ratio: a number > 0 as the exact decimal written (a float by its str: 0.3 is 3/10)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise Slip("number", value=repr(value))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Slip("number", value=repr(value)) from None
    if not number.is_finite() or number <= 0:
        raise Slip("match_ratio", value=repr(value))
    return number + 0


class Match(BaseModel):
    """配套: for each enterprise, what `funds` pay it together ≥ `ratio` × what this fund pays it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    funds: list[str] = Field(min_length=1)
    ratio: Annotated[Decimal, BeforeValidator(_ratio)]

    @property
    def fraction(self) -> tuple[int, int]:
        """The ratio as (num, den) in lowest terms: 0.3 → (3, 10)."""
        return self.ratio.as_integer_ratio()


def coverage_ratio(share: float) -> tuple[int, int]:
    """A minimum-coverage share as the exact fraction p/q it was written as (0.6 → 3/5)."""
    return Decimal(repr(share)).as_integer_ratio()


def asking_problems(data: dict, enterprises: dict, known: set, names: str) -> list[tuple[tuple, str, dict]]:
    """(loc, slip key, values) for each commitment or minimum-coverage entry naming what the file lacks."""
    found: list[tuple[tuple, str, dict]] = []
    _commitment_problems(data, enterprises, known, names, found)
    _match_problems(data, found)
    policy = data.get("policy") if isinstance(data.get("policy"), dict) else {}
    coverage = policy.get("minimum_coverage") if isinstance(policy.get("minimum_coverage"), dict) else {}
    found += [(("policy", "minimum_coverage", cat), "unknown_category", {"value": repr(cat), "known": names})
              for cat in coverage if cat not in known]
    return found


def entries(data: dict, key: str) -> list[tuple[int, dict]]:
    """(index, entry) of each mapping in the list `data[key]` of raw data (anything else skipped:
    its type error is pydantic's to report)."""
    items = data.get(key)
    return [(i, e) for i, e in enumerate(items) if isinstance(e, dict)] if isinstance(items, list) else []


def _commitment_problems(data: dict, enterprises: dict, known: set, names: str, found: list) -> None:
    """Each commitment names a fund, an enterprise and (if any) a category the file has, gives
    `amount` or `at_least`/`at_most` (not both kinds), and no two bind the same thing."""
    funds = {f.get("id") for _, f in entries(data, "funds")}
    first: dict[tuple, int] = {}
    for i, c in entries(data, "commitments"):
        for key, ok in (("fund", lambda v: v in funds), ("enterprise", lambda v: v in enterprises)):
            if isinstance(c.get(key), str) and not ok(c[key]):
                found.append((("commitments", i, key), f"unknown_{key}", {"value": repr(c[key])}))
        cat = c.get("category")
        if isinstance(cat, str) and cat not in known:
            found.append((("commitments", i, "category"), "unknown_category", {"value": repr(cat), "known": names}))
        given = [k for k in ("amount", "at_least", "at_most") if c.get(k) is not None]
        if not given:
            found.append((("commitments", i), "give_amount", {}))
        elif "amount" in given and len(given) > 1:
            found.append((("commitments", i, given[1]), "amount_fixes", {}))
        key = (c.get("fund"), c.get("enterprise"), cat, str(c.get("year")))  # a programme's years: one per year
        if all(isinstance(k, (str, type(None))) for k in key):
            if key in first:
                found.append((("commitments", i), "second_commitment", {"first": f"commitments[{first[key]}]"}))
            else:
                first[key] = i


def _match_problems(data: dict, found: list) -> None:
    """Each fund's match names funds the file has, other than itself, each once."""
    funds = {f.get("id") for _, f in entries(data, "funds")}
    for i, fund in entries(data, "funds"):
        match = fund.get("match")
        listed = match.get("funds") if isinstance(match, dict) and isinstance(match.get("funds"), list) else []
        for j, fid in enumerate(listed):
            if not isinstance(fid, str):
                continue
            loc = ("funds", i, "match", "funds", j)
            if fid == fund.get("id"):
                found.append((loc, "match_itself", {"value": repr(fid)}))
            elif fid not in funds:
                found.append((loc, "unknown_fund", {"value": repr(fid)}))
            elif fid in listed[:j]:
                found.append((loc, "fund_twice", {"value": repr(fid)}))
