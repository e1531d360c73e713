"""The first workbench tables: users, sessions, scenarios and their immutable versions, the
audit record, solves with their result files, approved commitments.

Written out here (not imported from store_schema) so that this migration stays what it was when
later ones change the tables; tests/test_web_store.py checks the two agree."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("regions", sa.Text, nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("parent", sa.Integer),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("scenario_id", "number", name="uq_versions_scenario_number"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.Integer),
        sa.Column("version", sa.Integer),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old", sa.Text, nullable=False),
        sa.Column("new", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "solves",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("scenario_sha256", sa.String(64), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("solver", sa.String(32), nullable=False),
        sa.Column("solver_version", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("total_gap", sa.String(32), nullable=False),
    )
    op.create_table(
        "result_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("solve_id", sa.Integer, sa.ForeignKey("solves.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("solve_id", "name", name="uq_result_files_solve_name"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("solve_id", sa.Integer, sa.ForeignKey("solves.id"), nullable=False),
        sa.Column("fund", sa.String(64), nullable=False),
        sa.Column("enterprise", sa.String(64), nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("commitments", "result_files", "solves", "audit", "versions", "scenarios", "sessions", "users"):
        op.drop_table(name)
