"""quotes, policies and their transactions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:39:36.504342
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from underwriting.db.tables.base import ExactDecimal

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


KINDS_BEFORE = (
    "'new_business', 'endorsement', 'cancellation', 'reinstatement', 'renewal', "
    "'extended_reporting'"
)
KINDS_AFTER = KINDS_BEFORE + ", 'reversal'"


def _kind_check(batch_op, kinds: str) -> None:
    batch_op.drop_constraint(batch_op.f("ck_policy_transaction_kind"), type_="check")
    batch_op.create_check_constraint(batch_op.f("ck_policy_transaction_kind"), f"kind IN ({kinds})")


def upgrade() -> None:
    op.create_table(
        "quote_reason",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quote_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("option_index", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('accept', 'refer', 'decline')", name=op.f("ck_quote_reason_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name=op.f("fk_quote_reason_quote_id_quote")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_reason")),
    )
    with op.batch_alter_table("quote_reason", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_reason_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_reason_quote_id"), ["quote_id"], unique=False)

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authority_limit", ExactDecimal(2), nullable=True))

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_subject", ["subject_kind", "subject_id"], unique=False
        )

    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("premium", ExactDecimal(2), nullable=True))
        batch_op.add_column(sa.Column("written_premium", ExactDecimal(2), nullable=True))
        batch_op.add_column(sa.Column("rating_inputs", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "renewal_of_policy_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "created_by_key_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_unique_constraint(batch_op.f("uq_policy_quote_id"), ["quote_id"])
        batch_op.create_unique_constraint(
            batch_op.f("uq_policy_renewal_of_policy_id"), ["renewal_of_policy_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_renewal_of_policy_id_policy"),
            "policy",
            ["renewal_of_policy_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_created_by_key_id_api_key"),
            "api_key",
            ["created_by_key_id"],
            ["id"],
        )

    with op.batch_alter_table("policy_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column(
                "reversed_by_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "created_by_key_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_policy_transaction_policy_id"), ["policy_id", "sequence"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_transaction_created_by_key_id_api_key"),
            "api_key",
            ["created_by_key_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_transaction_reversed_by_id_policy_transaction"),
            "policy_transaction",
            ["reversed_by_id"],
            ["id"],
        )
        _kind_check(batch_op, KINDS_AFTER)

    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rated_on_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("tier", sa.String(length=1), nullable=True))
        batch_op.add_column(
            sa.Column("subjectivities", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("referral", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "created_by_key_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_quote_created_by_key_id_api_key"),
            "api_key",
            ["created_by_key_id"],
            ["id"],
        )
        batch_op.drop_column("reasons")


def downgrade() -> None:
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.drop_constraint(
            batch_op.f("fk_quote_created_by_key_id_api_key"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_key_id")
        batch_op.drop_column("referral")
        batch_op.drop_column("subjectivities")
        batch_op.drop_column("tier")
        batch_op.drop_column("rated_on_date")

    with op.batch_alter_table("policy_transaction", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_policy_transaction_reversed_by_id_policy_transaction"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_policy_transaction_created_by_key_id_api_key"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_policy_transaction_policy_id"), type_="unique")
        batch_op.drop_column("created_by_key_id")
        batch_op.drop_column("reversed_by_id")
        batch_op.drop_column("details")
        batch_op.drop_column("sequence")
        _kind_check(batch_op, KINDS_BEFORE)

    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_policy_created_by_key_id_api_key"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_policy_renewal_of_policy_id_policy"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_policy_renewal_of_policy_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_policy_quote_id"), type_="unique")
        batch_op.drop_column("created_by_key_id")
        batch_op.drop_column("renewal_of_policy_id")
        batch_op.drop_column("cancelled_date")
        batch_op.drop_column("rating_inputs")
        batch_op.drop_column("written_premium")
        batch_op.drop_column("premium")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_subject")

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("authority_limit")

    with op.batch_alter_table("quote_reason", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_reason_quote_id"))
        batch_op.drop_index(batch_op.f("ix_quote_reason_code"))

    op.drop_table("quote_reason")
