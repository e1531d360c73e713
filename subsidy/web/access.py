"""Who may do what, decided on the server for every request from the session's user alone
(never from anything the page sends).

    role      read scenarios         edit enterprises       edit funds   upload  submit  solve/what-if  approve  users
    admin     all                    all                    yes          yes     yes     yes            no       (CLI)
    analyst   all                    all                    yes          yes     no      yes            no
    clerk     their regions' rows    their regions' rows    no           yes*    yes     no             no
    approver  all                    no                     no           no      no      no             yes
    viewer    all                    no                     no           no      no      no             no

A clerk's region path (`湖北/咸宁`) covers an enterprise whose region starts with the same whole
parts, as fund scopes do; a scenario with none of their enterprises does not exist for them.
(*) a clerk's upload must hold only enterprises of their regions.

A clerk reads a solve of a scenario they may open cut to their enterprises (app.clerks_enterprises,
work.regional_view): those rows, totals over them, what each fund paid them; allocations.csv and
gaps.csv cut the same way; no other file, no explanation, no what-if (they cover every region).
"""

from __future__ import annotations

from subsidy.web.store import User

EDIT_ENTERPRISES = {"admin", "analyst", "clerk"}
EDIT_FUNDS = {"admin", "analyst"}
UPLOAD = {"admin", "analyst", "clerk"}
SUBMIT = {"admin", "clerk"}
SOLVE = {"admin", "analyst"}
APPROVE = {"approver"}


def parts(path: str | None) -> list[str]:
    return [p for p in (path or "").split("/") if p]


def covers(user: User, region: str | None) -> bool:
    """Whether the user may see an enterprise in `region`: every role but a clerk sees all."""
    if user.role != "clerk":
        return True
    mine = parts(region)
    return any(mine[: len(parts(r))] == parts(r) for r in user.regions)


def visible_enterprises(user: User, data: dict) -> list[int]:
    """Indexes of the scenario's enterprises the user may see."""
    return [i for i, e in enumerate(data.get("enterprises") or []) if isinstance(e, dict) and covers(user, _text(e.get("region")))]


def may_open(user: User, data: dict) -> bool:
    return user.role != "clerk" or bool(visible_enterprises(user, data))


def _text(value) -> str:
    return value if isinstance(value, str) else ""
