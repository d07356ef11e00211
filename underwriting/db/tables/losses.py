"""Incidents, claims and the double-entry ledger (DESIGN.md sections 1 and 3)."""

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
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from claims import AccidentGrade
from underwriting import vocabulary as v
from underwriting.db.tables.base import (
    Base,
    ExactDecimal,
    Id,
    Money,
    UtcDateTime,
    created_at_column,
    in_enum,
    share_checks,
)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint(in_enum("accident_type", v.AccidentType), name="accident_type"),
        CheckConstraint(in_enum("grade", AccidentGrade), name="grade"),
        CheckConstraint(
            "deaths >= 0 AND serious_injuries >= 0 AND minor_injuries >= 0", name="casualties"
        ),
        CheckConstraint("direct_loss >= 0", name="direct_loss"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accident_type: Mapped[str] = mapped_column(String(32))
    deaths: Mapped[int] = mapped_column(Integer)
    serious_injuries: Mapped[int] = mapped_column(Integer)
    minor_injuries: Mapped[int] = mapped_column(Integer)
    direct_loss: Mapped[Decimal] = mapped_column(Money())
    #: Derived by Decree 493 from the casualties and loss (``claims.accident_grade``).
    grade: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = created_at_column()


class Claim(Base):
    """A claim against a policy, arising from one incident (DESIGN.md section 3).

    Claims from one incident on one policy are *related*: ``related_group_id`` is the id of
    the first of them (its own id for the first), and the group shares one per-claim limit
    and one deductible. ``liability_share`` is an adjuster's override of the assessed share
    (``None``: the assessment decides), with its reason; ``status_code`` and ``status_reason``
    say why a claim was last denied, closed or reopened.
    """

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint(in_enum("status", v.ClaimStatus), name="status"),
        *share_checks("liability_share", "liability_share"),
        CheckConstraint(
            "liability_share IS NULL OR share_override_reason IS NOT NULL",
            name="override_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    #: The claims-made trigger: the date the claim was first made against the firm.
    first_made_date: Mapped[date] = mapped_column(Date)
    claimant: Mapped[str] = mapped_column(String(200))
    heads_of_damage: Mapped[list[Any]] = mapped_column(JSON)
    #: Codes of ``claims.EXCLUSIONS`` the adjuster found to apply.
    exclusions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    status: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[str | None] = mapped_column(String(32))
    status_reason: Mapped[str | None] = mapped_column(Text)
    coverage_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    liability_share: Mapped[Decimal | None] = mapped_column(ExactDecimal(4))
    share_override_reason: Mapped[str | None] = mapped_column(Text)
    related_group_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()


class ClaimSettlement(Base):
    """One settlement of a claim: what was asked, what is payable and why, who approved it.

    ``breakdown`` is the whole ``claims.Payable`` (CNY strings) as computed when the
    settlement was asked, or re-computed when it was approved and paid. At most one
    settlement of a claim is pending at a time (a partial unique index).
    """

    __tablename__ = "claim_settlement"
    __table_args__ = (
        CheckConstraint(in_enum("status", v.SettlementStatus), name="status"),
        CheckConstraint("loss >= 0 AND defence_costs >= 0", name="asked"),
        CheckConstraint(
            "indemnity >= 0 AND defence >= 0 AND charged_to_aggregate >= 0", name="paid"
        ),
        *share_checks("share", "share"),
        CheckConstraint(
            "status <> 'paid' OR payment_transaction_id IS NOT NULL", name="paid_has_payment"
        ),
        Index(
            "uq_claim_settlement_one_pending",
            "claim_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    #: The related-claims group the settlement counts against (``Claim.related_group_id``).
    group_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    loss: Mapped[Decimal] = mapped_column(Money())
    defence_costs: Mapped[Decimal] = mapped_column(Money())
    share: Mapped[Decimal] = mapped_column(ExactDecimal(4))
    #: ``assessment`` or ``override``: where the share came from.
    share_source: Mapped[str] = mapped_column(String(16))
    indemnity: Mapped[Decimal] = mapped_column(Money())
    defence: Mapped[Decimal] = mapped_column(Money())
    deductible_applied: Mapped[Decimal] = mapped_column(Money())
    charged_to_aggregate: Mapped[Decimal] = mapped_column(Money())
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON)
    straight_through: Mapped[bool] = mapped_column(Boolean)
    #: Why the settlement waits for an adjuster, when it does.
    referral_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    decided_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    payment_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transaction.id"), unique=True
    )
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LedgerTransaction(Base):
    """One money movement; its legs (``LedgerEntry``) sum to zero."""

    __tablename__ = "ledger_transaction"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = created_at_column()


class LedgerEntry(Base):
    """Append-only leg of a ledger transaction, in CNY: debit positive, credit negative."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(in_enum("account", v.LedgerAccount), name="account"),
        CheckConstraint("amount <> 0", name="amount_nonzero"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transaction.id"), index=True)
    account: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Money())
