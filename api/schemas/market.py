"""Reads across the market: an enterprise's cover, a firm's loss run, the audit trail."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainSerializer

from api.schemas.parties import EnterpriseRead, FirmRead
from api.schemas.services import EngagementRead
from api.schemas.types import MoneyOut, Output
from underwriting.vocabulary import AccidentType, ClaimStatus, PolicyStatus

#: A ratio in a response: always four places, as a string ("0.6250").
RatioOut = Annotated[Decimal, PlainSerializer(lambda value: f"{value:.4f}", return_type=str)]


class CoveringPolicyRead(Output):
    """A policy covering the engagement: its terms, and whether it is in force on the date."""

    id: int
    number: str = Field(examples=["SL2027-000042"])
    insurer_id: int
    insurer_name: str
    effective_date: date
    expiry_date: date = Field(description="exclusive: cover ends at the start of this day")
    retro_date: date = Field(description="incidents before it are not covered (claims-made)")
    status: PolicyStatus
    cancelled_date: date | None = Field(description="cover ends at the start of this day")
    per_claim_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    defence_inside: bool = Field(description="defence costs erode the limit (true) or not")
    extended_reporting_end_date: date | None
    in_force_on_date: bool = Field(
        description="the date is in [effective, expiry) and before any cancellation"
    )
    premium: MoneyOut | None = Field(
        description="full-term premium; null unless the policy is the caller's own insurer's "
        "(or the caller is an admin): never shown to an enterprise"
    )
    written_premium: MoneyOut | None = Field(description="null exactly when premium is")


class EngagementCoverRead(Output):
    engagement: EngagementRead
    firm: FirmRead
    active_on_date: bool = Field(description="start_date ≤ date ≤ end_date")
    insured: str = Field(
        description='"insured", "not insured", or "insured, cancelled on YYYY-MM-DD" when '
        "the only cover in force that day has a later cancellation",
        examples=["insured"],
    )
    policies: list[CoveringPolicyRead] = Field(description="newest first")


class CoverageRead(Output):
    enterprise: EnterpriseRead
    on_date: date
    engagements: list[EngagementCoverRead] = Field(description="newest (latest start) first")


class LossRunClaimRead(Output):
    id: int
    incident_id: int
    incident_date: date = Field(description="the day the incident occurred, China time")
    accident_type: AccidentType
    grade: str = Field(description="Decree 493 grade: general, larger, major, especially_major")
    first_made_date: date
    status: ClaimStatus
    paid: MoneyOut = Field(
        description="Σ of the claim's claims_paid and defence_paid ledger legs to the date"
    )
    case_reserve: MoneyOut = Field(
        description="the claim's outstanding case reserves, indemnity and expense"
    )
    incurred: MoneyOut = Field(description="paid + case_reserve")


class LossRunPolicyRead(Output):
    id: int
    number: str
    insurer_id: int
    insurer_name: str
    effective_date: date
    expiry_date: date
    status: PolicyStatus
    cancelled_date: date | None
    written_premium: MoneyOut | None
    claims: list[LossRunClaimRead] = Field(description="claims first made by as_of_date")


class LossTotalsRead(Output):
    claim_count: int
    paid: MoneyOut
    case_reserve: MoneyOut
    incurred: MoneyOut
    written_premium: MoneyOut
    loss_ratio: RatioOut | None = Field(
        description="incurred / written_premium to 4 places, half up; null without premium",
        examples=["0.6250"],
    )


class PolicyYearRead(LossTotalsRead):
    policy_year: int = Field(description="the calendar year the policies took effect")


class LossRunRead(Output):
    firm: FirmRead
    as_of_date: date
    window_start_date: date = Field(description="as_of_date five years earlier")
    policies: list[LossRunPolicyRead] = Field(description="oldest first")
    policy_years: list[PolicyYearRead] = Field(description="oldest first")
    totals: LossTotalsRead


class AuditEventRead(Output):
    id: int
    at: datetime
    actor_key_id: int | None = Field(validation_alias="api_key_id")
    organisation_id: int = Field(description="the actor's organisation")
    action: str = Field(examples=["model.activate"])
    subject_kind: str = Field(examples=["rating_model"])
    subject_id: int = Field(description="0 for rating models: their version is in values")
    reason: str
    values: dict[str, Any] = Field(validation_alias="detail")
