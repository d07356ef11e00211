"""Who may call, what they asked for before, and what they did: keys, idempotency, audit trail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from underwriting import vocabulary as v
from underwriting.db.tables.base import (
    Base,
    Id,
    Money,
    UtcDateTime,
    created_at_column,
    in_enum,
)
from underwriting.db.tables.book import Organisation


class ApiKey(Base):
    """A principal: one API key bound to one organisation and one role, stored as SHA-256."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint(in_enum("role", v.Role), name="role"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_at_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: An underwriter's authority: the largest aggregate limit they may quote without
    #: referral and the largest they may accept on a referral, CNY.
    authority_limit: Mapped[Decimal | None] = mapped_column(Money())

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class IdempotencyRecord(Base):
    """The first answer to a creating request with an ``Idempotency-Key``.

    Stored in the same transaction as what the request created, so a retry can never create
    twice: the unique (api key, idempotency key) pair loses the race for the second writer.
    Resources are immutable once created, so the replay re-reads them by id.
    """

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the operation name and the canonical request body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_kind: Mapped[str] = mapped_column(String(32))
    resource_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()


class AuditEvent(Base):
    """Who did what, when, and why: quotes, overrides, binds, settlements, reopenings."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = created_at_column()
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(2000), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
