"""Quotes, referrals and binds."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from api.schemas.pricing import CoverageOptionCreate, ScheduleItemCreate
from api.schemas.types import Distinct, Id, Input, IsoDate, MoneyOut, Output
from underwriting.vocabulary import QuoteDecision, QuoteStatus


class QuoteCreate(Input):
    """A quote request. Rated with the model active on `effective_date` and the latest data
    on or before today, which the quote freezes."""

    firm_id: Id
    effective_date: IsoDate
    expiry_date: IsoDate | None = Field(default=None, description="default: one year on")
    retro_date: IsoDate | None = Field(
        default=None,
        description="default: the start of the firm's continuous cover, else effective_date",
    )
    engagement_ids: Distinct(Id, max_length=500) | None = Field(
        default=None, description="default: every engagement of the firm during the period"
    )
    options: Annotated[list[CoverageOptionCreate], Field(min_length=1, max_length=24)]
    schedule: Annotated[
        list[ScheduleItemCreate],
        Field(max_length=20, default_factory=list, description="credits (<0) and debits (>0)"),
    ]


class ReasonRead(Output):
    outcome: QuoteDecision
    code: str
    text: str
    option_index: int | None


class SubjectivityRead(Output):
    code: str
    text: str


class QuoteOptionRead(Output):
    index: int
    per_claim_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    defence_inside: bool
    premium: MoneyOut
    components: dict[str, MoneyOut]


class QuoteRead(Output):
    id: int
    firm_id: int
    insurer_id: int
    model_version: str
    effective_date: date
    expiry_date: date
    retro_date: date
    rated_on_date: date
    tier: str
    decision: QuoteDecision
    status: QuoteStatus
    valid_until: date
    reasons: list[ReasonRead]
    subjectivities: list[SubjectivityRead]
    referral: dict[str, Any] | None
    engagement_ids: list[int]
    schedule: list[dict[str, Any]]
    renewal_of_policy_id: int | None
    options: list[QuoteOptionRead]
    created_at: datetime

    @classmethod
    def of(cls, view: Any) -> "QuoteRead":
        quote = view.quote
        return cls.model_validate(
            {
                **{name: getattr(quote, name) for name in _QUOTE_COLUMNS},
                "status": view.status,
                "valid_until": quote.valid_until_date,
                "reasons": view.reasons,
                "engagement_ids": quote.inputs["engagement_ids"],
                "schedule": quote.inputs["schedule"],
                "renewal_of_policy_id": quote.inputs.get("renewal_of_policy_id"),
            }
        )


_QUOTE_COLUMNS = [
    "id",
    "firm_id",
    "insurer_id",
    "model_version",
    "effective_date",
    "expiry_date",
    "retro_date",
    "rated_on_date",
    "tier",
    "decision",
    "subjectivities",
    "referral",
    "options",
    "created_at",
]


class WorksheetRead(Output):
    quote_id: int
    option_index: int
    worksheet: dict[str, Any]


class ReferralDecision(Input):
    decision: Literal["accept", "decline"]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class BindCreate(Input):
    option_index: Annotated[StrictInt, Field(ge=0, le=23, description="which option to bind")]


class ReasonCount(Output):
    outcome: QuoteDecision
    code: str
    quotes: int
