"""The scenario page's editable tables: which cells a user sees, what a submitted form changes,
and each validation problem placed at its cell.

A cell is named by what it holds, never by a row number: `cost|wenquan|resettlement`,
`workers|wenquan`, `own|wenquan|asset_sales`, `budget|central_reward`, `cap|central_reward`.
A form is applied to the version it names; every cell in it must be one the user may edit
(access.py), or the whole save is refused (`Refused`): a clerk cannot reach another region's
enterprise by writing its id into a form field. What a clerk types is kept as typed (the
scenario format reads "1,234.56" as a clerk writes it) and validated by the library as any file.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from subsidy.scenario.load import ScenarioError, scenario_from_data, scenario_with_changed_funds
from subsidy.scenario.model import DEFAULT_CATEGORIES, Problem, Scenario
from subsidy.web import access
from subsidy.web.store import User
from subsidy.web.ui_text import category_names, field_label


class Refused(Exception):
    """A form that names a cell the user may not change."""


def shown(value) -> str:
    """A value as a cell shows it: numbers in their shortest exact form, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Tables:
    """What the scenario page shows: the user's enterprises and the funds, with messages."""

    enterprises: list[dict]
    categories: list[str]
    own_kinds: list[str]
    funds: list[dict]
    cell_problems: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)    # every problem the user may read, "where: message"
    scenario: Scenario | None = None
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # category → (中文, English)


def validate(data: dict) -> tuple[Scenario | None, list[Problem]]:
    """The scenario, or the problems that stop it (each with its place in the data)."""
    try:
        return scenario_from_data(data), []
    except ScenarioError as exc:
        return None, exc.problems


def validate_changed(base: Scenario | None, base_data: dict, data: dict) -> tuple[Scenario | None, list[Problem]]:
    """As validate(data), for `data` made from `base_data` whose scenario `base` is already
    validated: only what changed is validated again when only funds and commitments changed."""
    if base is None:
        return validate(data)
    try:
        return scenario_with_changed_funds(base, base_data, data), []
    except ScenarioError as exc:
        return None, exc.problems


def cell_of(data: dict, loc: tuple) -> str | None:
    """The page's cell for a problem's place in the data, if the page shows one."""
    if len(loc) >= 2 and loc[0] == "enterprises" and isinstance(loc[1], int):
        ents = data.get("enterprises") or []
        e = ents[loc[1]] if 0 <= loc[1] < len(ents) and isinstance(ents[loc[1]], dict) else {}
        eid = e.get("id")
        if loc[2:3] == ("costs",) and len(loc) >= 4:
            return f"cost|{eid}|{loc[3]}"
        if loc[2:3] == ("own_funds",) and len(loc) >= 4:
            return f"own|{eid}|{loc[3]}"
        if loc[2:3] == ("workers",):
            return f"workers|{eid}"
        if loc[2:3] in (("region",), ("industry",)):
            return f"{loc[2]}|{eid}"
    if len(loc) >= 3 and loc[0] == "funds" and isinstance(loc[1], int):
        funds = data.get("funds") or []
        f = funds[loc[1]] if 0 <= loc[1] < len(funds) and isinstance(funds[loc[1]], dict) else {}
        if loc[2] == "budget":
            return f"budget|{f.get('id')}"
        if loc[2:4] == ("caps", "per_enterprise"):
            return f"cap|{f.get('id')}"
    return None


def tables(user: User, data: dict, lang: str = "zh") -> Tables:
    visible = access.visible_enterprises(user, data)
    ents = [data["enterprises"][i] for i in visible]
    categories = sorted({c for e in ents for c in (e.get("costs") or {})})
    own_kinds = sorted({k for e in ents for k in (e.get("own_funds") or {})})
    funds = [f for f in data.get("funds") or [] if isinstance(f, dict)]
    scenario, problems = validate(data)
    table = scenario.category_table if scenario is not None else DEFAULT_CATEGORIES
    labels = {c: (table[c].label_zh or c, table[c].label_en or c) if c in table else (c, c) for c in categories}
    out = Tables(ents, categories, own_kinds, funds, scenario=scenario, labels=labels)
    hidden = set(range(len(data.get("enterprises") or []))) - set(visible)
    for p in problems:
        if len(p.loc) >= 2 and p.loc[0] == "enterprises" and p.loc[1] in hidden:
            continue  # another region's problem is not this clerk's to read
        cell = cell_of(data, p.loc)
        if cell is not None:
            # in the page's language where the check wrote one (issue 11's Chinese sentences)
            out.cell_problems.setdefault(cell, []).append(p.message_zh if lang == "zh" and p.message_zh else p.message)
        out.problems.append(problem_in_words(p, data, lang))
    return out


def problem_in_words(p: Problem, data: dict, lang: str) -> str:
    """A problem as the list above the tables shows it: on a Chinese page its place named as the
    record names fields (`企业 wenquan · 费用 · 职工安置费: 不得为负数…`, not the data's path
    `enterprises[0] (wenquan).costs.resettlement`); a place of another form, and English pages,
    as the check wrote it."""
    loc = p.loc
    if lang != "zh" or len(loc) < 3 or loc[0] not in ("enterprises", "funds") or not isinstance(loc[1], int):
        return p.said(lang)
    rows = data.get(loc[0]) or []
    row = rows[loc[1]] if loc[1] < len(rows) and isinstance(rows[loc[1]], dict) else {}
    key = row.get("id") or f"#{loc[1] + 1}"
    field_path = f"{loc[0]}[{key}]." + ".".join(str(x) for x in loc[2:])
    message = p.message_zh or p.message
    return f"{field_label(field_path, 'zh', category_names(data))}: {message}"


def apply_form(user: User, data: dict, form: dict[str, str]) -> tuple[dict, list[tuple[str, str, str]]]:
    """The data with the form's changed cells written in, and (field, old, new) for each change.
    Refused if any cell named is not the user's to change; unchanged cells are not changes.

    `data` is never changed: the new data shares every enterprise and fund the form leaves alone
    and holds copies of those it changes (a what-if of one budget at 1,000 enterprises copied
    them all, 40 ms a request)."""
    new = dict(data)
    ents = {e.get("id"): ("enterprises", i) for i, e in enumerate(data.get("enterprises") or []) if isinstance(e, dict)}
    funds = {f.get("id"): ("funds", i) for i, f in enumerate(data.get("funds") or []) if isinstance(f, dict)}
    copied: set[tuple[str, int]] = set()

    def writable(at: tuple[str, int] | None) -> dict | None:
        """The entry at `at` in `new`, copied (once) so that changing it leaves `data` as it was."""
        if at is None:
            return None
        if at not in copied:
            if not any(a[0] == at[0] for a in copied):
                new[at[0]] = list(new[at[0]])
            new[at[0]][at[1]] = copy.deepcopy(new[at[0]][at[1]])
            copied.add(at)
        return new[at[0]][at[1]]

    changes = []
    for name, typed in form.items():
        kind, _, rest = name.partition("|")
        if kind not in ("cost", "own", "workers", "industry", "budget", "cap"):
            continue  # csrf, base and other fields of the form
        key, _, sub = rest.partition("|")
        typed = typed.strip()
        if kind in ("cost", "own", "workers", "industry"):
            e = writable(ents.get(key))
            if e is None or user.role not in access.EDIT_ENTERPRISES or not access.covers(user, e.get("region") if isinstance(e.get("region"), str) else ""):
                raise Refused(f"enterprise {key!r} is not yours to change")
            if kind in ("workers", "industry"):
                holder, leaf, label = e, kind, f"enterprises[{key}].{kind}"
            else:
                section = "costs" if kind == "cost" else "own_funds"
                holder = e.get(section)
                if not isinstance(holder, dict) or sub not in holder:
                    raise Refused(f"enterprise {key!r} has no {section} line {sub!r}")
                leaf, label = sub, f"enterprises[{key}].{section}.{sub}"
        else:
            f = writable(funds.get(key))
            if f is None or user.role not in access.EDIT_FUNDS:
                raise Refused(f"fund {key!r} is not yours to change")
            if kind == "budget":
                holder, leaf, label = f, "budget", f"funds[{key}].budget"
            else:
                holder, leaf, label = f.setdefault("caps", {}), "per_enterprise", f"funds[{key}].caps.per_enterprise"
                if typed == "" and leaf not in holder:
                    if not holder:
                        del f["caps"]
                    continue
        old = shown(holder.get(leaf))
        if typed == old:
            continue
        if typed == "" and kind == "cap":
            holder.pop(leaf)
        else:
            holder[leaf] = typed if kind == "industry" else _number(typed)  # an industry is a word (a code: cement)
        changes.append((label, old, typed))
    return new, changes


COMMITMENT_KINDS = ("amount", "at_least", "at_most")
NEW_COMMITMENTS = 3  # blank rows the what-if panel offers for commitments to add


def apply_commitments(user: User, data: dict, form: dict[str, str]) -> tuple[dict, list[tuple[str, str, str]]]:
    """The what-if panel's commitments: `drop|I` removes the version's own commitment I (an
    approval's, carried at each solve, is not in the data and cannot be removed here), and each
    filled row `add|K|fund`, `add|K|enterprise`, `add|K|category`, `add|K|kind`, `add|K|value`
    adds one {fund, enterprise, category?, amount|at_least|at_most}. What is typed is kept as
    typed; validation judges it (an unknown fund or enterprise is a problem shown, not a refusal).
    Only the roles that edit funds may change commitments."""
    drops = sorted({name.partition("|")[2] for name, typed in form.items() if name.startswith("drop|") and typed})
    adds = {}
    for name, typed in form.items():
        kind, _, rest = name.partition("|")
        if kind == "add" and typed.strip():
            row, _, field = rest.partition("|")
            adds.setdefault(row, {})[field] = typed.strip()
    adds = {row: a for row, a in adds.items() if a.get("fund") or a.get("enterprise") or a.get("value")}
    if not (drops or adds):
        return data, []
    if user.role not in access.EDIT_FUNDS:
        raise Refused("commitments are not yours to change")
    own = list(data.get("commitments") or [])
    changes = []
    if not all(d.isdigit() and int(d) < len(own) for d in drops):
        raise Refused("the form removes a commitment the version does not have")
    for d in sorted(map(int, drops), reverse=True):
        gone = own.pop(d)
        kinds = [k for k in COMMITMENT_KINDS if isinstance(gone, dict) and gone.get(k) is not None]
        changes.append((_commitment_label(gone, "+".join(kinds)), " ".join(shown(gone.get(k)) for k in kinds), ""))
    for _row, a in sorted(adds.items()):
        kind = a.get("kind", "amount")
        if kind not in COMMITMENT_KINDS:
            raise Refused(f"a commitment is an amount, at_least or at_most, not {kind!r}")
        entry = {"fund": a.get("fund", ""), "enterprise": a.get("enterprise", ""), kind: _number(a.get("value", "")),
                 "source": f"what-if by {user.name}"}
        if a.get("category"):
            entry["category"] = a["category"]
        own.append(entry)
        changes.append((_commitment_label(entry, kind), "", a.get("value", "")))
    new = copy.deepcopy(data)
    if own:
        new["commitments"] = own
    else:
        new.pop("commitments", None)
    return new, changes


def _commitment_label(c, kind: str) -> str:
    c = c if isinstance(c, dict) else {}
    key = ",".join(str(c.get(k)) for k in ("fund", "enterprise", "category") if c.get(k))
    return f"commitments[{key}].{kind}"


def _number(typed: str):
    """A typed cell as the number it plainly is, else the text itself for validation to judge
    (a blank stays None: a missing number)."""
    if typed == "":
        return None
    try:
        return int(typed) if typed.lstrip("-").isdigit() else float(typed) if _plain_decimal(typed) else typed
    except ValueError:
        return typed


def _plain_decimal(text: str) -> bool:
    head, dot, tail = text.lstrip("-").partition(".")
    return bool(dot) and head.isdigit() and tail.isdigit() and len(tail) <= 2
