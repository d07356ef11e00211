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
    Integer,
    String,
    UniqueConstraint,
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
    """A priced offer to one firm: a grid of options, each with its worksheet, and a decision.

    ``inputs`` freezes what the quote was rated on (the firm's deficits, experience and
    schedule, and one client row per covered engagement), so that binding, endorsing and
    renewing re-rate from the same numbers; ``options`` holds each option's premium,
    components and worksheet.
    """

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
    #: The data date: the latest snapshots and audits on or before it were rated.
    rated_on_date: Mapped[date | None] = mapped_column(Date)
    tier: Mapped[str | None] = mapped_column(String(1))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[Any]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(8))
    #: Conditions to bind: ``[{"code", "text"}]``, re-checked when the quote is bound.
    subjectivities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: The underwriter's decision on a referral: decision, reason, key id, time.
    referral: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    valid_until_date: Mapped[date] = mapped_column(Date)
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()


class QuoteReason(Base):
    """Why a quote was referred or declined, one row per rule that fired (queryable)."""

    __tablename__ = "quote_reason"
    __table_args__ = (CheckConstraint(in_enum("outcome", v.QuoteDecision), name="outcome"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(48), index=True)
    text: Mapped[str] = mapped_column(String(500))
    #: The option the reason concerns (an authority referral), or ``None`` for the quote.
    option_index: Mapped[int | None] = mapped_column(Integer)


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
        # One quote makes at most one policy: two binds racing each other cannot both win.
        UniqueConstraint("quote_id"),
        # A policy is renewed at most once, so continuous cover is one chain.
        UniqueConstraint("renewal_of_policy_id"),
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
    #: The full-term premium of the terms in force at the end of the period, CNY.
    premium: Mapped[Decimal | None] = mapped_column(Money())
    #: The sum of every transaction's premium delta, CNY.
    written_premium: Mapped[Decimal | None] = mapped_column(Money())
    #: The rating inputs frozen at the quote, re-used to price endorsements.
    rating_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The liability shares of the wording, by rule (``claims.ShareTable`` fields, decimal
    #: strings); ``None`` for the standard wording's table.
    liability_shares: Mapped[dict[str, str] | None] = mapped_column(JSON)
    cancelled_date: Mapped[date | None] = mapped_column(Date)
    renewal_of_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"))
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()


class PolicyEngagement(Base):
    """The engagements a policy covers."""

    __tablename__ = "policy_engagement"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), primary_key=True)


class PolicyTransaction(Base):
    """One change to a policy and its premium, with the terms before and after.

    ``sequence`` is the order transactions were processed in; an out-of-sequence endorsement
    reverses the later ones (``reversed_by_id``) and re-applies them after itself.
    """

    __tablename__ = "policy_transaction"
    __table_args__ = (
        CheckConstraint(in_enum("kind", v.PolicyTransactionKind), name="kind"),
        UniqueConstraint("policy_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(24))
    effective_date: Mapped[date] = mapped_column(Date)
    premium_delta: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(String(2000), default="")
    #: The change asked for, the terms and full-term premium before and after, the basis.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("policy_transaction.id"))
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()
