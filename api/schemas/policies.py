"""Policies and their transactions."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from api.schemas.pricing import CoverageOptionCreate, ScheduleItemCreate
from api.schemas.quotes import QuoteRead
from api.schemas.types import Distinct, Id, Input, IsoDate, Money, MoneyOut, Output
from underwriting.vocabulary import PolicyStatus, PolicyTransactionKind


class TransactionRead(Output):
    id: int
    sequence: int
    kind: PolicyTransactionKind
    effective_date: date
    premium_delta: MoneyOut
    reason: str
    details: dict[str, Any]
    reversed_by_id: int | None
    created_at: datetime


class PolicyRead(Output):
    id: int
    number: str
    quote_id: int | None
    firm_id: int
    insurer_id: int
    model_version: str
    status: PolicyStatus
    effective_date: date
    expiry_date: date
    retro_date: date
    cancelled_date: date | None
    per_claim_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    defence_inside: bool
    aggregate_remaining: MoneyOut
    premium: MoneyOut
    written_premium: MoneyOut
    renewal_of_policy_id: int | None
    engagement_ids: list[int]
    transactions: list[TransactionRead]
    created_at: datetime

    @classmethod
    def of(cls, view: Any) -> "PolicyRead":
        policy = view.policy
        columns = {
            name: getattr(policy, name) for name in cls.model_fields if hasattr(policy, name)
        }
        return cls.model_validate(
            {**columns, "engagement_ids": view.engagement_ids, "transactions": view.transactions}
        )


class EndorsementCreate(Input):
    """A mid-term change from `effective_date`; give at least one change."""

    effective_date: IsoDate
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    add_engagement_ids: Distinct(Id, max_length=500) | None = None
    remove_engagement_ids: Distinct(Id, max_length=500) | None = None
    per_claim_limit: Money | None = None
    aggregate_limit: Money | None = None
    deductible: Money | None = None
    defence_inside: StrictBool | None = None


class CancellationCreate(Input):
    by: Literal["insured", "insurer", "flat"] = Field(
        description="insured: short rate with a 25% minimum retained; insurer: pro rata; "
        "flat: from inception, everything returned"
    )
    effective_date: IsoDate | None = Field(
        default=None, description="default: the policy's effective date (flat)"
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ReinstatementCreate(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class RenewalCreate(Input):
    """Everything is optional: by default the expiring terms, engagements running next
    period, and the expiring schedule credits and debits."""

    expiry_date: IsoDate | None = Field(default=None, description="default: one year on")
    engagement_ids: Distinct(Id, max_length=500) | None = None
    options: Annotated[list[CoverageOptionCreate], Field(min_length=1, max_length=24)] | None = None
    schedule: Annotated[list[ScheduleItemCreate], Field(max_length=20)] | None = None


class RenewalRead(Output):
    policy_id: int
    policy_number: str
    expiring_premium: MoneyOut
    quote: QuoteRead
    change: dict[str, Any] = Field(
        description="expiring → renewal premium, step by step: model, hazard, quality, "
        "experience, claims_made, schedule, coverage; the steps add up to the change"
    )
