"""The workbench's tables (SQLAlchemy Core). Alembic's migrations under web/migrations create
them; tests/test_web_store.py checks that the migrated database and these tables agree, so a
bureau's database upgraded by `subsidy serve` has exactly the tables the code reads.

Nothing is ever deleted or updated in place except a version's `status` (draft → submitted →
approved, each step also written to `audit`) and a session's end: a scenario's data lives in
immutable `versions` rows, each naming the version it was made from (`parent`).
"""

from __future__ import annotations

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),            # admin | analyst | clerk | viewer | approver
    Column("regions", Text, nullable=False, default=""),   # a clerk's region paths, one a line
    Column("password_hash", String(256), nullable=False),  # scrypt$n$r$p$salt$hash
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("token_sha256", String(64), primary_key=True),  # the cookie's token is never stored
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

scenarios = Table(
    "scenarios", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("base_scenario", Integer, ForeignKey("scenarios.id", name="fk_scenarios_base")),  # a variant's base (migration 0002)
    Column("base_version", Integer),
)

versions = Table(
    "versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("parent", Integer),                              # the version it was edited from
    Column("data", Text, nullable=False),                   # the scenario as canonical JSON
    Column("sha256", String(64), nullable=False),           # of `data`'s UTF-8 bytes
    Column("status", String(16), nullable=False),           # draft | submitted | approved
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("scenario_id", "number", name="uq_versions_scenario_number"),  # the optimistic lock
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("action", String(16), nullable=False),           # upload | edit | submit | solve | document | approve | variant | user
    Column("scenario_id", Integer),
    Column("version", Integer),
    Column("field", Text, nullable=False, default=""),
    Column("old", Text, nullable=False, default=""),
    Column("new", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),     # JSON: sha256, versions, files …
)

solves = Table(
    "solves", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("scenario_sha256", String(64), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("solver", String(32), nullable=False),
    Column("solver_version", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("total_gap", String(32), nullable=False),        # exact decimal text, in the scenario unit
)

result_files = Table(
    "result_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("solve_id", Integer, ForeignKey("solves.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    UniqueConstraint("solve_id", "name", name="uq_result_files_solve_name"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("solve_id", Integer, ForeignKey("solves.id"), nullable=False),
    Column("fund", String(64), nullable=False),
    Column("enterprise", String(64), nullable=False),
    Column("category", Text, nullable=False),
    Column("amount", String(32), nullable=False),           # exact decimal text, in the scenario unit
    Column("source", Text, nullable=False),
)
