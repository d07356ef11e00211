"""Calibrations and backtests: the actuaries' requests and what they get back."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StrictInt

from api.schemas.pricing import RatingModelRead
from api.schemas.types import Input, IsoDate, Output
from underwriting.vocabulary import BacktestStatus

Year = Annotated[StrictInt, Field(ge=1900, le=2200)]
VersionName = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]


class CalibrationCreate(Input):
    as_of_date: Annotated[IsoDate, Field(description="the history as seen on this day")]
    version: VersionName | None = Field(
        default=None, description="the draft's version; default cal-<as_of_date>"
    )


class CalibrationRead(Output):
    id: int
    model_version: str
    as_of_date: date
    source: str
    diagnostics: dict[str, Any]
    created_at: datetime


class CalibratedModelRead(Output):
    model: RatingModelRead
    calibration: CalibrationRead


class BacktestCreate(Input):
    from_year: Year
    to_year: Year
    candidate_version: VersionName | None = Field(
        default=None, description="a model version to compare with the calibrated current one"
    )


class BacktestRead(Output):
    id: int
    status: BacktestStatus
    from_year: int
    to_year: int
    candidate_version: str | None
    source: str
    metrics: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    report_url: str | None

    @classmethod
    def of(cls, row: Any) -> "BacktestRead":
        columns = {name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)}
        url = f"/v1/backtests/{row.id}/report" if row.status == BacktestStatus.FINISHED else None
        return cls.model_validate({**columns, "report_url": url})
