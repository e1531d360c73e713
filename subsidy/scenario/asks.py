"""The rules that ask for money, checked on the raw data with the other cross-field rules
(`model.cross_field_problems`): commitments and minimum coverage name what the file has.

Minimum coverage (`policy.minimum_coverage`, 保底比例): category → share 0-1; on each cost line of
that category own funds + public money ≥ share × its cost, a hard rule of every stage (a least on
the line: `allocate.rules.coverage_leasts`). Problems come back as (loc, key of `slips.SLIPS`,
values) for the model to wrap in both languages, so this module needs nothing of it.
"""

from __future__ import annotations

from decimal import Decimal


def coverage_ratio(share: float) -> tuple[int, int]:
    """A minimum-coverage share as the exact fraction p/q it was written as (0.6 → 3/5)."""
    return Decimal(repr(share)).as_integer_ratio()


def asking_problems(data: dict, enterprises: dict, known: set, names: str) -> list[tuple[tuple, str, dict]]:
    """(loc, slip key, values) for each commitment or minimum-coverage entry naming what the file lacks."""
    found: list[tuple[tuple, str, dict]] = []
    _commitment_problems(data, enterprises, known, names, found)
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
        key = (c.get("fund"), c.get("enterprise"), cat)
        if all(isinstance(k, (str, type(None))) for k in key):
            if key in first:
                found.append((("commitments", i), "second_commitment", {"first": f"commitments[{first[key]}]"}))
            else:
                first[key] = i
