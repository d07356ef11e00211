"""The book of business: parties, engagements, service records, audits, hazard metrics."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import (
    ColumnProperty,
    Mapped,
    aliased,
    column_property,
    mapped_column,
    relationship,
)

from underwriting import vocabulary as v
from underwriting.db.tables.base import (
    Base,
    Id,
    Money,
    UtcDateTime,
    created_at_column,
    in_enum,
    rate_range,
    score_range,
)


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(in_enum("kind", v.OrgKind), name="kind"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    created_at: Mapped[datetime] = created_at_column()


class Firm(Base):
    __tablename__ = "firm"
    __table_args__ = (
        CheckConstraint(in_enum("qualification_kind", v.QualificationKind), name="qualification"),
        CheckConstraint(in_enum("credit_colour", v.CreditColour), name="credit_colour"),
        CheckConstraint("safety_engineers >= 0", name="engineers"),
        CheckConstraint("founded_year >= 1949", name="founded_year"),
    )

    id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    qualification_kind: Mapped[str] = mapped_column(String(32))
    qualification_expiry_date: Mapped[date] = mapped_column(Date)
    credit_colour: Mapped[str] = mapped_column(String(8))
    safety_engineers: Mapped[int] = mapped_column(Integer)
    founded_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Enterprise(Base):
    __tablename__ = "enterprise"
    __table_args__ = (
        CheckConstraint(in_enum("hazard_class", v.HazardClass), name="hazard_class"),
        CheckConstraint(in_enum("standardisation_grade", v.StandardisationGrade), name="grade"),
        CheckConstraint("employees > 0", name="employees"),
        CheckConstraint("major_hazard_sources >= 0", name="major_hazard_sources"),
        CheckConstraint("length(region_code) = 6", name="region_code"),
    )

    id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    hazard_class: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6))
    employees: Mapped[int] = mapped_column(Integer)
    standardisation_grade: Mapped[str] = mapped_column(String(4))
    major_hazard_sources: Mapped[int] = mapped_column(Integer)
    #: The date of establishment on the business licence (成立日期), if given: no incident
    #: can have happened there before it.
    established_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at_column()

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class HazardSnapshot(Base):
    """An enterprise's hazard metrics as of a date; pricing uses the latest on or before."""

    __tablename__ = "hazard_snapshot"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "as_of_date"),
        CheckConstraint("hidden_hazards_general >= 0", name="general"),
        CheckConstraint("hidden_hazards_major >= 0", name="major"),
        CheckConstraint(rate_range("rectification_closure_rate"), name="closure_rate"),
        CheckConstraint("overdue_rectifications >= 0", name="overdue"),
        CheckConstraint(
            "accidents_general_3y >= 0 AND accidents_larger_3y >= 0"
            " AND accidents_major_3y >= 0 AND accidents_especially_major_3y >= 0",
            name="accidents",
        ),
        CheckConstraint("iot_alarm_rate IS NULL OR iot_alarm_rate >= 0", name="iot"),
        CheckConstraint("penalties >= 0", name="penalties"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    as_of_date: Mapped[date] = mapped_column(Date)
    hidden_hazards_general: Mapped[int] = mapped_column(Integer)
    hidden_hazards_major: Mapped[int] = mapped_column(Integer)
    rectification_closure_rate: Mapped[float] = mapped_column(Float)
    overdue_rectifications: Mapped[int] = mapped_column(Integer)
    accidents_general_3y: Mapped[int] = mapped_column(Integer)
    accidents_larger_3y: Mapped[int] = mapped_column(Integer)
    accidents_major_3y: Mapped[int] = mapped_column(Integer)
    accidents_especially_major_3y: Mapped[int] = mapped_column(Integer)
    #: IoT alarms per 1,000 device-hours; NULL where the enterprise has no IoT monitoring.
    iot_alarm_rate: Mapped[float | None] = mapped_column(Float)
    penalties: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = created_at_column()


class Engagement(Base):
    __tablename__ = "engagement"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="dates"),
        CheckConstraint("annual_fee >= 0", name="fee"),
        CheckConstraint("inspection_interval_days > 0", name="interval"),
        Index("ix_engagement_enterprise_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    service_kinds: Mapped[list[str]] = mapped_column(JSON)
    hazard_categories: Mapped[list[str]] = mapped_column(JSON)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    annual_fee: Mapped[Decimal] = mapped_column(Money())
    inspection_interval_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class ServiceRecord(Base):
    """One visit. Append-only: a correction is a new record whose ``supersedes_id`` names
    the old one; both stay readable. ``submitted_at`` is set by the server."""

    __tablename__ = "service_record"
    # Rating reads a firm's records of the last three years, engagement by engagement.
    __table_args__ = (Index("ix_service_record_engagement_visit", "engagement_id", "visit_date"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    categories_inspected: Mapped[list[str]] = mapped_column(JSON)
    evidence_photo_hashes: Mapped[list[str]] = mapped_column(JSON)
    signer: Mapped[str] = mapped_column(String(100))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("service_record.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    findings: Mapped[list[Finding]] = relationship(
        lazy="selectin", order_by="Finding.id", back_populates="record"
    )


class Finding(Base):
    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint(in_enum("category", v.HazardCategory), name="category"),
        CheckConstraint(in_enum("severity", v.FindingSeverity), name="severity"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    service_record_id: Mapped[int] = mapped_column(ForeignKey("service_record.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    rectification_deadline_date: Mapped[date] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)

    record: Mapped[ServiceRecord] = relationship(back_populates="findings")


class Audit(Base):
    """A sample audit of a firm's records. Append-only like service records."""

    __tablename__ = "audit"
    __table_args__ = (
        CheckConstraint("sample_size > 0", name="sample_size"),
        CheckConstraint(score_range("score_completeness"), name="completeness"),
        CheckConstraint(score_range("score_accuracy"), name="accuracy"),
        CheckConstraint(score_range("score_follow_up"), name="follow_up"),
        CheckConstraint(score_range("score_evidence"), name="evidence"),
        CheckConstraint(
            "inaccurate_reports >= 0 AND false_reports >= 0"
            " AND inaccurate_reports + false_reports <= sample_size",
            name="reports",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    audit_date: Mapped[date] = mapped_column(Date)
    sample_size: Mapped[int] = mapped_column(Integer)
    score_completeness: Mapped[float] = mapped_column(Float)
    score_accuracy: Mapped[float] = mapped_column(Float)
    score_follow_up: Mapped[float] = mapped_column(Float)
    score_evidence: Mapped[float] = mapped_column(Float)
    inaccurate_reports: Mapped[int] = mapped_column(Integer)
    false_reports: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


def _superseded_by(table: type[ServiceRecord] | type[Audit]) -> ColumnProperty[int | None]:
    """The id of the row that supersedes this one, read with it (``supersedes_id`` is unique,
    so this is one index probe)."""
    newer = aliased(table)
    return column_property(
        select(newer.id).where(newer.supersedes_id == table.id).scalar_subquery()
    )


ServiceRecord.superseded_by_id = _superseded_by(ServiceRecord)
Audit.superseded_by_id = _superseded_by(Audit)
