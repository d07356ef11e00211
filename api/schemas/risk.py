"""Hazard snapshots of enterprises, audits of firms, incidents at enterprises."""

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from api.schemas.types import (
    Count,
    Id,
    Input,
    IsoDate,
    IsoInstant,
    Money,
    MoneyOut,
    Output,
    Rate,
    Score,
)
from underwriting.vocabulary import AccidentType


class HazardSnapshotCreate(Input):
    enterprise_id: Id
    as_of_date: IsoDate
    hidden_hazards_general: Count
    hidden_hazards_major: Count
    rectification_closure_rate: Rate
    overdue_rectifications: Count
    accidents_general_3y: Count
    accidents_larger_3y: Count
    accidents_major_3y: Count
    accidents_especially_major_3y: Count
    iot_alarm_rate: Annotated[
        float | None,
        Field(ge=0, le=1_000_000, allow_inf_nan=False, description="alarms per 1,000 device-hours"),
    ] = None
    penalties: Count


class HazardSnapshotRead(Output):
    id: int
    enterprise_id: int
    as_of_date: date
    hidden_hazards_general: int
    hidden_hazards_major: int
    rectification_closure_rate: float
    overdue_rectifications: int
    accidents_general_3y: int
    accidents_larger_3y: int
    accidents_major_3y: int
    accidents_especially_major_3y: int
    iot_alarm_rate: float | None
    penalties: int
    submitted_at: datetime


class AuditCreate(Input):
    """A sample audit of a firm's records; the auditor is the caller's organisation."""

    firm_id: Id
    audit_date: IsoDate
    sample_size: Annotated[Count, Field(ge=1, le=100_000)]
    score_completeness: Score
    score_accuracy: Score
    score_follow_up: Score
    score_evidence: Score
    inaccurate_reports: Count
    false_reports: Count
    supersedes_id: Id | None = None

    @field_validator("false_reports")
    @classmethod
    def _reports_within_sample(cls, false_reports: int, info: ValidationInfo) -> int:
        sample, inaccurate = info.data.get("sample_size"), info.data.get("inaccurate_reports")
        if sample is not None and inaccurate is not None and inaccurate + false_reports > sample:
            raise ValueError(
                "inaccurate_reports + false_reports must not exceed sample_size; got "
                f"({inaccurate} + {false_reports} > {sample})"
            )
        return false_reports


class AuditRead(Output):
    id: int
    firm_id: int
    auditor_id: int
    audit_date: date
    sample_size: int
    score_completeness: float
    score_accuracy: float
    score_follow_up: float
    score_evidence: float
    inaccurate_reports: int
    false_reports: int
    supersedes_id: int | None
    superseded_by_id: int | None
    submitted_at: datetime


class IncidentCreate(Input):
    """An accident at an enterprise. The grade is derived (Decree 493), never sent."""

    enterprise_id: Id
    occurred_at: IsoInstant
    accident_type: AccidentType
    deaths: Count
    serious_injuries: Count
    minor_injuries: Count
    direct_loss: Money
    description: Annotated[str, Field(max_length=4000)] = ""


class IncidentRead(Output):
    id: int
    enterprise_id: int
    occurred_at: datetime
    accident_type: AccidentType
    deaths: int
    serious_injuries: int
    minor_injuries: int
    direct_loss: MoneyOut
    grade: str
    description: str
    reported_by_id: int | None
    created_at: datetime
