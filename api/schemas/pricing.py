"""Rating models and price indications."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AliasPath, Field, StrictBool, StrictFloat

from api.schemas.types import Id, Input, IsoDate, Money, MoneyOut, Output
from underwriting.vocabulary import ModelStatus


class RatingModelCreate(Input):
    """A new model version, as a draft. ``document`` is the full parameter document (see
    ``pricing/models/pl-2026.1.json``); every parameter is validated."""

    document: dict[str, Any]


class RatingModelRead(Output):
    version: str
    effective_from_date: date
    status: ModelStatus
    created_at: datetime
    approved_at: datetime | None
    parameters: dict[str, Any]


class CoverageOptionCreate(Input):
    per_claim_limit: Money
    aggregate_limit: Money
    deductible: Money = Field(default="0.00", validate_default=True)
    defence_inside: StrictBool = True


class ScheduleItemCreate(Input):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    adjustment: Annotated[
        StrictFloat, Field(ge=-1, le=1, allow_inf_nan=False, description="-0.05 is a 5% credit")
    ]


class IndicationCreate(Input):
    firm_id: Id
    effective_date: IsoDate
    expiry_date: IsoDate | None = Field(default=None, description="default: one year on")
    retro_date: IsoDate | None = Field(default=None, description="default: effective_date")
    options: Annotated[list[CoverageOptionCreate], Field(min_length=1, max_length=24)]
    schedule: Annotated[list[ScheduleItemCreate], Field(max_length=20, default_factory=list)]


class PricedOptionRead(Output):
    """One option as priced; its limits are read from ``option``."""

    per_claim_limit: MoneyOut = Field(validation_alias=AliasPath("option", "per_claim_limit"))
    aggregate_limit: MoneyOut = Field(validation_alias=AliasPath("option", "aggregate_limit"))
    deductible: MoneyOut = Field(validation_alias=AliasPath("option", "deductible"))
    defence_inside: bool = Field(validation_alias=AliasPath("option", "defence_inside"))
    premium: MoneyOut
    components: dict[str, MoneyOut]
    worksheet: dict[str, Any]


class IndicationRead(Output):
    model_version: str
    firm_id: int
    effective_date: date
    expiry_date: date
    retro_date: date
    rated_on: date
    tier: str
    quality_relativity: float
    experience_mod: float
    options: list[PricedOptionRead]
