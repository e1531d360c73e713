"""A variant names the scenario and version it was made from (`base_scenario`, `base_version`),
so that a later solve of the variant carries the base's approved commitments as a solve of the
base does. Existing scenarios get no base (they are uploads); nothing else changes."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.add_column(sa.Column("base_scenario", sa.Integer, sa.ForeignKey("scenarios.id", name="fk_scenarios_base"), nullable=True))
        batch.add_column(sa.Column("base_version", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("base_version")
        batch.drop_column("base_scenario")
