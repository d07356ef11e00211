"""who published and who approved a model

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:18:25.328927
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("rating_model", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "created_by_key_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "approved_by_key_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rating_model_created_by_key_id_api_key"),
            "api_key",
            ["created_by_key_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rating_model_approved_by_key_id_api_key"),
            "api_key",
            ["approved_by_key_id"],
            ["id"],
        )


def downgrade() -> None:

    with op.batch_alter_table("rating_model", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_rating_model_approved_by_key_id_api_key"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_rating_model_created_by_key_id_api_key"), type_="foreignkey"
        )
        batch_op.drop_column("approved_by_key_id")
        batch_op.drop_column("created_by_key_id")
