"""Rating models and price indications."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AliasPath, Field, StrictBool, StrictFloat

from api.schemas.types import Id, Input, IsoDate, Money, MoneyOut, Output
from underwriting.vocabulary import CreditColour, ModelStatus


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
    created_by_key_id: int | None
    approved_by_key_id: int | None
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


class DriverRead(Output):
    metric: str
    firm_value: float
    market_value: float
    contribution: float = Field(description="to log(π_firm / π_market); > 0 costs the firm")


class TierRead(Output):
    firm_id: int
    model_version: str
    rated_on: date
    tier: str
    quality_relativity: float
    experience_mod: float
    market_percentile: float | None = Field(
        description="share of the market's firms whose quality relativity is worse"
    )
    drivers: list[DriverRead]
    premium: MoneyOut | None = Field(
        default=None, description="what-if only: 1,000,000 per claim / 3,000,000 / 10,000"
    )


Share = Annotated[StrictFloat, Field(ge=0, le=1, allow_inf_nan=False)]
Per100 = Annotated[StrictFloat, Field(ge=0, le=100, allow_inf_nan=False)]


class TierWhatIf(Input):
    """Hypothetical quality metrics; those left out stay as they are."""

    audit_score: Annotated[StrictFloat, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    inaccurate_reports_per_100: Per100 | None = None
    false_reports_per_100: Per100 | None = None
    follow_up_closure: Share | None = None
    evidence_compliance: Share | None = None
    credit_colour: CreditColour | None = None
    engineers_per_engagement: Annotated[StrictFloat, Field(ge=0, le=100)] | None = None
