"""The workbench's database: users, scenarios as immutable versions, the audit record, solves
and approved commitments, on SQLite or PostgreSQL through SQLAlchemy 2.

Why versions are rows that never change: two people editing the same version must not lose
each other's work, and a server killed mid-save must leave either the whole new version or
none. A save names the version it was made from (`base`); it inserts version base + 1 in one
transaction together with its audit rows. The unique (scenario, number) constraint is the
lock: when someone else saved first, the insert fails (or the check before it sees a newer
version) and the save is refused with `Conflict`, nothing written. No row is deleted.

Passwords: hashlib.scrypt (n=2**14, r=8, p=1, 16-byte salt), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from subsidy.web.store_schema import audit, commitments, metadata, result_files, scenarios, sessions, solves, users, versions

ROLES = ("admin", "analyst", "clerk", "viewer", "approver")
SESSION_HOURS = 12
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Conflict(Exception):
    """A save made from a version that is no longer the latest: someone else saved first."""

    def __init__(self, base: int, latest: int):
        self.base, self.latest = base, latest
        super().__init__(f"version {base} is no longer the latest (version {latest} was saved meanwhile); "
                         f"nothing was saved: reload version {latest} and make the change again")


class Frozen(Exception):
    """A change of status that the version's status does not allow (approved is final)."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def canonical(data: dict) -> str:
    """The one text of a scenario's data: its sha256 names the version in audit and solves."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT, dklen=32)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(got.hex(), digest)


def open_engine(url: str) -> Engine:
    """An engine on `url`, migrated to the newest tables (Alembic), SQLite with foreign keys on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite(dbapi, _record):  # noqa: ANN001 - DBAPI connection
            dbapi.execute("PRAGMA foreign_keys=ON")
            dbapi.execute("PRAGMA journal_mode=WAL")
            dbapi.execute("PRAGMA busy_timeout=10000")
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the database to the newest migration; a bureau's data is kept (Alembic upgrade)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    regions: tuple[str, ...]


def _user(row) -> User:
    return User(row.id, row.name, row.role, tuple(r for r in row.regions.split("\n") if r))


class Store:
    """Every read and write of the workbench, each write one transaction with its audit rows."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # --- users and sessions ---------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, regions: list[str] = (), by: str = "cli") -> User:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if role == "clerk" and not regions:
            raise ValueError("a clerk needs at least one region path (--region 湖北/咸宁)")
        clean = ["/".join(p for p in r.split("/") if p) for r in regions]
        with self.engine.begin() as c:
            if c.execute(select(users.c.id).where(users.c.name == name)).first():
                raise ValueError(f"user {name!r} exists already")
            uid = c.execute(insert(users).values(name=name, role=role, regions="\n".join(clean),
                                                 password_hash=hash_password(password), created_at=now())).inserted_primary_key[0]
            self._audit(c, by, "user", field=f"user {name}", new=f"{role} {' '.join(clean)}".strip())
        return User(uid, name, role, tuple(clean))

    def user_names(self) -> list[str]:
        with self.engine.connect() as c:
            return list(c.execute(select(users.c.name).order_by(users.c.name)).scalars())

    def login(self, name: str, password: str) -> tuple[str, str] | None:
        """(session token, csrf token) for the right password, else None (same work either way)."""
        with self.engine.begin() as c:
            row = c.execute(select(users).where(users.c.name == name)).first()
            ok = check_password(password, row.password_hash if row else hash_password("-"))
            if not (row and ok):
                return None
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            c.execute(insert(sessions).values(token_sha256=sha256_of(token), user_id=row.id, csrf=csrf, created_at=now(),
                                              expires_at=now() + timedelta(hours=SESSION_HOURS)))
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        with self.engine.connect() as c:
            row = c.execute(select(users, sessions.c.csrf, sessions.c.expires_at).join(sessions, sessions.c.user_id == users.c.id)
                            .where(sessions.c.token_sha256 == sha256_of(token))).first()
        if row is None or _aware(row.expires_at) < now():
            return None
        return _user(row), row.csrf

    def logout(self, token: str) -> None:
        with self.engine.begin() as c:
            c.execute(update(sessions).where(sessions.c.token_sha256 == sha256_of(token)).values(expires_at=now()))

    # --- scenarios and versions -----------------------------------------------------------------
    def create_scenario(self, name: str, data: dict, by: str, how: str = "upload", base: tuple | None = None) -> int:
        """A new scenario with `data` as version 1. A variant names its `base` (scenario, version,
        changes): the overlay it applies, kept in the record."""
        text = canonical(data)
        with self.engine.begin() as c:
            sid = c.execute(insert(scenarios).values(name=name, created_by=by, created_at=now(), base_scenario=base and base[0],
                                                     base_version=base and base[1])).inserted_primary_key[0]
            c.execute(insert(versions).values(scenario_id=sid, number=1, parent=None, data=text, sha256=sha256_of(text),
                                              status="draft", created_by=by, created_at=now()))
            detail = {"sha256": sha256_of(text)}
            if base is not None:
                detail.update(base_scenario=base[0], base_version=base[1], changes=base[2])
            self._audit(c, by, how, sid, 1, field="scenario", new=name, detail=detail)
        return sid

    def scenario_list(self) -> list:
        latest = select(versions.c.scenario_id, func.max(versions.c.number).label("latest")).group_by(versions.c.scenario_id).subquery()
        with self.engine.connect() as c:
            return c.execute(select(scenarios, latest.c.latest).join(latest, latest.c.scenario_id == scenarios.c.id)
                             .order_by(scenarios.c.id)).all()

    def scenario(self, sid: int):
        with self.engine.connect() as c:
            return c.execute(select(scenarios).where(scenarios.c.id == sid)).first()

    def versions_of(self, sid: int) -> list:
        with self.engine.connect() as c:
            return c.execute(select(versions.c.number, versions.c.parent, versions.c.sha256, versions.c.status,
                                    versions.c.created_by, versions.c.created_at)
                             .where(versions.c.scenario_id == sid).order_by(versions.c.number)).all()

    def version(self, sid: int, number: int | None = None):
        """One version (the latest when `number` is None) with its data parsed, or None."""
        q = select(versions).where(versions.c.scenario_id == sid)
        q = q.where(versions.c.number == number) if number is not None else q.order_by(versions.c.number.desc()).limit(1)
        with self.engine.connect() as c:
            row = c.execute(q).first()
        return None if row is None else VersionRow(row.number, row.parent, json.loads(row.data), row.sha256, row.status,
                                                   row.created_by, row.created_at)

    def save(self, sid: int, base: int, data: dict, by: str, changes: list[tuple[str, str, str]]) -> int:
        """Version base + 1 with `data`, made from version `base`; `changes` (field, old, new)
        go to the audit record in the same transaction. Conflict when base is not the latest."""
        text = canonical(data)
        try:
            with self.engine.begin() as c:
                latest = c.execute(select(func.max(versions.c.number)).where(versions.c.scenario_id == sid)).scalar_one()
                if latest != base:
                    raise Conflict(base, latest)
                c.execute(insert(versions).values(scenario_id=sid, number=base + 1, parent=base, data=text, sha256=sha256_of(text),
                                                  status="draft", created_by=by, created_at=now()))
                for field, old, new in changes:
                    self._audit(c, by, "edit", sid, base + 1, field=field, old=old, new=new)
        except IntegrityError:
            raise Conflict(base, base + 1) from None
        return base + 1

    def set_status(self, sid: int, number: int, status: str, by: str, allowed_from: tuple[str, ...], detail: dict | None = None) -> None:
        with self.engine.begin() as c:
            old = c.execute(select(versions.c.status).where(versions.c.scenario_id == sid, versions.c.number == number)).scalar_one()
            if old not in allowed_from:
                raise Frozen(f"version {number} is {old}; {status} needs {' or '.join(allowed_from)}")
            c.execute(update(versions).where(versions.c.scenario_id == sid, versions.c.number == number,
                                             versions.c.status == old).values(status=status))
            self._audit(c, by, {"submitted": "submit"}.get(status, status), sid,
                        number, field="status", old=old, new=status, detail=detail)

    # --- solves, files, approvals ---------------------------------------------------------------
    def record_solve(self, sid: int, number: int, by: str, summary: dict, files: dict[str, bytes], total_gap: str,
                     documents: tuple[str, ...] = ()) -> int:
        """The solve, its files and its record row, which names the `documents` still to come
        (keep_document or document_failed records each)."""
        with self.engine.begin() as c:
            sol = c.execute(insert(solves).values(
                scenario_id=sid, version=number, at=now(), user_name=by, scenario_sha256=summary["scenario_sha256"],
                tool_version=summary["tool_version"], solver=summary["solver"], solver_version=str(summary["solver_version"]),
                method=summary["method"], total_gap=total_gap)).inserted_primary_key[0]
            for name, content in sorted(files.items()):
                c.execute(insert(result_files).values(solve_id=sol, name=name, content=content))
            self._audit(c, by, "solve", sid, number, field="total_gap", new=total_gap,
                        detail={"solve": sol, "sha256": summary["scenario_sha256"], "tool_version": summary["tool_version"],
                                "solver": summary["solver"], "solver_version": str(summary["solver_version"]),
                                "method": summary["method"], "files": sorted(files), "documents": list(documents)})
        return sol

    def keep_document(self, solve_id: int, name: str, content: bytes, by: str) -> None:
        """A document of solve `solve_id`, made after it: its file and its record row, together."""
        with self.engine.begin() as c:
            sid, number = c.execute(select(solves.c.scenario_id, solves.c.version).where(solves.c.id == solve_id)).one()
            c.execute(insert(result_files).values(solve_id=solve_id, name=name, content=content))
            self._audit(c, by, "document", sid, number, field=name, new="ready",
                        detail={"solve": solve_id, "file": name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()})

    def document_failed(self, solve_id: int, name: str, reason: str, by: str) -> None:
        """A document of solve `solve_id` that could not be made, and why, in the record."""
        with self.engine.begin() as c:
            sid, number = c.execute(select(solves.c.scenario_id, solves.c.version).where(solves.c.id == solve_id)).one()
            self._audit(c, by, "document", sid, number, field=name, new="failed", detail={"solve": solve_id, "file": name, "error": reason})

    def documents(self, solve_id: int) -> tuple[list[str], set[str], dict[str, str]]:
        """(the documents solve `solve_id` planned, those kept, those failed with why), from its
        record rows and files. A solve recorded before documents came afterwards planned none."""
        with self.engine.connect() as c:
            sid = c.execute(select(solves.c.scenario_id).where(solves.c.id == solve_id)).scalar()
            rows = c.execute(select(audit.c.action, audit.c.new, audit.c.detail).where(
                audit.c.scenario_id == sid, audit.c.action.in_(("solve", "document"))).order_by(audit.c.id)).all()
        planned, failed = [], {}
        for row in rows:
            detail = json.loads(row.detail or "{}")
            if detail.get("solve") != solve_id:
                continue
            if row.action == "solve":
                planned = list(detail.get("documents") or [])
            elif row.new == "failed":
                failed[detail["file"]] = detail.get("error", "")
        return planned, set(self.file_names(solve_id)), failed

    def solves_of(self, sid: int, number: int | None = None) -> list:
        q = select(solves).where(solves.c.scenario_id == sid)
        if number is not None:
            q = q.where(solves.c.version == number)
        with self.engine.connect() as c:
            return c.execute(q.order_by(solves.c.id.desc())).all()

    def result_file(self, solve_id: int, name: str):
        with self.engine.connect() as c:
            row = c.execute(select(solves.c.scenario_id, result_files.c.content).join(solves, solves.c.id == result_files.c.solve_id)
                            .where(result_files.c.solve_id == solve_id, result_files.c.name == name)).first()
        return row

    def file_names(self, solve_id: int) -> list[str]:
        with self.engine.connect() as c:
            return list(c.execute(select(result_files.c.name).where(result_files.c.solve_id == solve_id).order_by(result_files.c.name)).scalars())

    def approve(self, sid: int, number: int, solve_id: int, rows: list[dict], by: str) -> None:
        """Freeze version `number` (approved is final) and keep its solve's allocation as
        commitments, in one transaction."""
        with self.engine.begin() as c:
            old = c.execute(select(versions.c.status).where(versions.c.scenario_id == sid, versions.c.number == number)).scalar_one()
            if old == "approved":
                raise Frozen(f"version {number} is approved already")
            c.execute(update(versions).where(versions.c.scenario_id == sid, versions.c.number == number).values(status="approved"))
            for r in rows:
                c.execute(insert(commitments).values(scenario_id=sid, version=number, solve_id=solve_id, **r))
            self._audit(c, by, "approve", sid, number, field="status", old=old, new="approved",
                        detail={"solve": solve_id, "commitments": len(rows)})

    def commitments_of(self, sid: int, number: int) -> list:
        with self.engine.connect() as c:
            return c.execute(select(commitments).where(commitments.c.scenario_id == sid, commitments.c.version == number)
                             .order_by(commitments.c.id)).all()

    def approval_in_force(self, sid: int) -> Approval | None:
        """The approval whose allocation later solves of scenario `sid` carry as commitments: the
        scenario's latest approval (a later one supersedes an earlier; both stay in the record),
        else, for a variant, its base scenario's, and so on up the chain of bases."""
        with self.engine.connect() as c:
            found = self._approval_row(c, sid)
            if found is None:
                return None
            owner, row = found
            rows = c.execute(select(commitments).where(commitments.c.scenario_id == owner, commitments.c.version == row.version)
                             .order_by(commitments.c.id)).all()
            return Approval(owner, row.version, json.loads(row.detail)["solve"], row.user_name, _aware(row.at), rows)

    def approval_mark(self, sid: int) -> int | None:
        """Which approval is in force for scenario `sid` (its record row's id), without reading its
        rows: what the app's prepared versions are keyed by (state.Versions.carried)."""
        with self.engine.connect() as c:
            found = self._approval_row(c, sid)
            return None if found is None else found[1].id

    @staticmethod
    def _approval_row(c, sid: int):
        """(the scenario whose approval is in force for `sid`, its record row), or None."""
        seen = set()
        while sid is not None and sid not in seen:
            seen.add(sid)
            row = c.execute(select(audit.c.id, audit.c.version, audit.c.detail, audit.c.at, audit.c.user_name)
                            .where(audit.c.scenario_id == sid, audit.c.action == "approve")
                            .order_by(audit.c.id.desc()).limit(1)).first()
            if row is not None:
                return sid, row
            sid = c.execute(select(scenarios.c.base_scenario).where(scenarios.c.id == sid)).scalar()
        return None

    # --- the record -----------------------------------------------------------------------------
    def audit_rows(self, sid: int | None = None) -> list:
        q = select(audit).order_by(audit.c.id)
        if sid is not None:
            q = q.where(audit.c.scenario_id == sid)
        with self.engine.connect() as c:
            return c.execute(q).all()

    def _audit(self, c, by: str, action: str, sid: int | None = None, number: int | None = None, *, field: str = "",
               old: str = "", new: str = "", detail: dict | None = None) -> None:
        c.execute(insert(audit).values(at=now(), user_name=by, action=action, scenario_id=sid, version=number, field=field,
                                       old=old, new=new, detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)))


@dataclass(frozen=True)
class Approval:
    """One approval: of version `version` of scenario `scenario`, from solve `solve`, by whom and
    when, with its allocation as commitment rows (fund, enterprise, category, amount, source)."""
    scenario: int
    version: int
    solve: int
    by: str
    at: datetime
    rows: list


@dataclass(frozen=True)
class VersionRow:
    number: int
    parent: int | None
    data: dict
    sha256: str
    status: str
    created_by: str
    created_at: datetime


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)  # SQLite hands back naive datetimes
