"""one active rating model per effective date

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:10:40.933862
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("rating_model", schema=None) as batch_op:
        batch_op.create_index(
            "uq_rating_model_active_from",
            ["effective_from_date"],
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )


def downgrade() -> None:

    with op.batch_alter_table("rating_model", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rating_model_active_from",
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )
