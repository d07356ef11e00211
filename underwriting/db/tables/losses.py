"""Incidents, claims and the double-entry ledger (DESIGN.md sections 1 and 3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
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
    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint(in_enum("status", v.ClaimStatus), name="status"),
        CheckConstraint(
            "liability_share IS NULL OR (liability_share >= 0 AND liability_share <= 1)",
            name="liability_share",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    #: The claims-made trigger: the date the claim was first made against the firm.
    first_made_date: Mapped[date] = mapped_column(Date)
    claimant: Mapped[str] = mapped_column(String(200))
    heads_of_damage: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    coverage_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    liability_share: Mapped[Decimal | None] = mapped_column(ExactDecimal(4))
    related_group_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    created_at: Mapped[datetime] = created_at_column()


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
