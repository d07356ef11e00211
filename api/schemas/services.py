"""Engagements and the service records filed against them."""

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictInt, ValidationInfo, field_validator

from api.schemas.types import Distinct, Id, Input, IsoDate, Money, MoneyOut, Output
from underwriting.vocabulary import FindingSeverity, HazardCategory, ServiceKind

BATCH_MAX = 1000

PhotoHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hex")]


class EngagementCreate(Input):
    firm_id: Id
    enterprise_id: Id
    service_kinds: Distinct(ServiceKind, max_length=len(ServiceKind))
    hazard_categories: Distinct(HazardCategory, max_length=len(HazardCategory))
    start_date: IsoDate
    end_date: IsoDate
    annual_fee: Money
    inspection_interval_days: Annotated[StrictInt, Field(ge=1, le=366)]

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end_date: date, info: ValidationInfo) -> date:
        start_date = info.data.get("start_date")
        if start_date is not None and end_date <= start_date:
            raise ValueError(f"must be after start_date; got ({end_date} <= {start_date})")
        return end_date


class EngagementRead(Output):
    id: int
    firm_id: int
    enterprise_id: int
    service_kinds: list[ServiceKind]
    hazard_categories: list[HazardCategory]
    start_date: date
    end_date: date
    annual_fee: MoneyOut
    inspection_interval_days: int
    created_at: datetime


class FindingCreate(Input):
    category: HazardCategory
    severity: FindingSeverity
    description: Annotated[str, Field(max_length=2000)] = ""
    rectification_deadline_date: IsoDate
    closed_date: IsoDate | None = None


class FindingRead(Output):
    id: int
    category: HazardCategory
    severity: FindingSeverity
    description: str
    rectification_deadline_date: date
    closed_date: date | None


class ServiceRecordCreate(Input):
    """One visit. ``submitted_at`` is set by the server and is not accepted here."""

    engagement_id: Id
    visit_date: IsoDate
    categories_inspected: Distinct(HazardCategory, max_length=len(HazardCategory))
    findings: Annotated[list[FindingCreate], Field(max_length=200, default_factory=list)]
    evidence_photo_hashes: Annotated[list[PhotoHash], Field(max_length=100, default_factory=list)]
    signer: Annotated[str, Field(min_length=1, max_length=100)]
    supersedes_id: Id | None = None


class ServiceRecordRead(Output):
    id: int
    engagement_id: int
    visit_date: date
    categories_inspected: list[HazardCategory]
    findings: list[FindingRead]
    evidence_photo_hashes: list[str]
    signer: str
    supersedes_id: int | None
    superseded_by_id: int | None
    submitted_at: datetime


class ServiceRecordBatchCreate(Input):
    """Up to 1,000 records, written all together or not at all."""

    records: Annotated[list[ServiceRecordCreate], Field(min_length=1, max_length=BATCH_MAX)]


class ServiceRecordBatchRead(Output):
    count: int
    ids: list[int]
    submitted_at: datetime
