"""Rating models, quotes, policies and their transactions (DESIGN.md sections 1 and 2).

The columns here are the ones the spine needs for the whole book to exist and be seeded; the
pricing and underwriting issues fill them through their own migrations.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from underwriting import vocabulary as v
from underwriting.db.tables.base import Base, Id, Money, UtcDateTime, created_at_column, in_enum


class RatingModel(Base):
    """A versioned parameter document; immutable once approved (a change is a new version)."""

    __tablename__ = "rating_model"
    __table_args__ = (
        CheckConstraint(in_enum("status", v.ModelStatus), name="status"),
        # Two versions can never be active from the same date: the database refuses it, so
        # two activations racing each other cannot both succeed.
        Index(
            "uq_rating_model_active_from",
            "effective_from_date",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    effective_from_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Who published and who approved the version: approval takes a second actuary.
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    approved_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))


class Quote(Base):
    __tablename__ = "quote"
    __table_args__ = (
        CheckConstraint("expiry_date > effective_date", name="period"),
        CheckConstraint("retro_date <= effective_date", name="retro"),
        CheckConstraint(in_enum("decision", v.QuoteDecision), name="decision"),
        CheckConstraint(in_enum("status", v.QuoteStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    model_version: Mapped[str] = mapped_column(ForeignKey("rating_model.version"))
    effective_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date] = mapped_column(Date)
    retro_date: Mapped[date] = mapped_column(Date)
    #: The frozen rating inputs, the option grid and one worksheet per option.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[Any]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    valid_until_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()


class Policy(Base):
    __tablename__ = "policy"
    __table_args__ = (
        CheckConstraint("expiry_date > effective_date", name="period"),
        CheckConstraint("retro_date <= effective_date", name="retro"),
        CheckConstraint(
            "per_claim_limit > 0 AND aggregate_limit >= per_claim_limit", name="limits"
        ),
        CheckConstraint("deductible >= 0", name="deductible"),
        CheckConstraint(
            "aggregate_remaining >= 0 AND aggregate_remaining <= aggregate_limit",
            name="aggregate_remaining",
        ),
        CheckConstraint(in_enum("status", v.PolicyStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"))
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    model_version: Mapped[str] = mapped_column(ForeignKey("rating_model.version"))
    effective_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date] = mapped_column(Date)
    retro_date: Mapped[date] = mapped_column(Date)
    per_claim_limit: Mapped[Decimal] = mapped_column(Money())
    aggregate_limit: Mapped[Decimal] = mapped_column(Money())
    deductible: Mapped[Decimal] = mapped_column(Money())
    defence_inside: Mapped[bool] = mapped_column(Boolean)
    aggregate_remaining: Mapped[Decimal] = mapped_column(Money())
    extended_reporting_end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at_column()


class PolicyEngagement(Base):
    """The engagements a policy covers."""

    __tablename__ = "policy_engagement"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), primary_key=True)


class PolicyTransaction(Base):
    __tablename__ = "policy_transaction"
    __table_args__ = (CheckConstraint(in_enum("kind", v.PolicyTransactionKind), name="kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    effective_date: Mapped[date] = mapped_column(Date)
    premium_delta: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = created_at_column()
