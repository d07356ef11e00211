"""an index for rating reads

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 01:23:59.022961
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_record_engagement_visit", ["engagement_id", "visit_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.drop_index("ix_service_record_engagement_visit")
