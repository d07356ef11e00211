"""Claims, their assessment, settlements, reserves, recoveries and a policy's limits."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer

from api.schemas.types import Distinct, Id, Input, IsoDate, Money, MoneyOut, Output
from claims import EXCLUSIONS
from underwriting.vocabulary import (
    ClaimStatus,
    ClosureCode,
    DenialCode,
    ReopenCode,
    SettlementStatus,
)

#: A share in a response, as few places as it needs: "0.8", not "0.8000".
ShareOut = Annotated[
    Decimal, PlainSerializer(lambda value: f"{value.normalize():f}", return_type=str)
]
Reason = Annotated[str, Field(min_length=1, max_length=2000, description="why, in words")]
Share = Annotated[
    Decimal,
    Field(ge=0, le=1, max_digits=5, decimal_places=4, description='a decimal string like "0.6"'),
]
Exclusion = Literal[EXCLUSIONS]  # type: ignore[valid-type]


class HeadOfDamage(Input):
    """One head of damage claimed (死亡赔偿金, 医疗费, 财产损失 …) and its amount, CNY."""

    head: Annotated[str, Field(min_length=1, max_length=100)]
    amount: Money


class ClaimCreate(Input):
    policy_id: Id
    incident_id: Id
    first_made_date: IsoDate
    claimant: Annotated[str, Field(min_length=1, max_length=200)]
    heads_of_damage: Annotated[list[HeadOfDamage], Field(min_length=1, max_length=50)]
    exclusions: Annotated[Distinct(Exclusion, max_length=3), Field(default_factory=list)]


class CoverageReasonRead(Output):
    code: str
    passed: bool
    text: str


class CoverageRead(Output):
    covered: bool
    decided_on: date
    reasons: list[CoverageReasonRead]


class ClaimMoneyRead(Output):
    indemnity_paid: MoneyOut
    defence_paid: MoneyOut
    paid: MoneyOut
    indemnity_reserve: MoneyOut
    expense_reserve: MoneyOut
    incurred: MoneyOut
    recovered: MoneyOut


class SettlementRead(Output):
    id: int
    claim_id: int
    status: SettlementStatus
    loss: MoneyOut
    defence_costs: MoneyOut
    share: ShareOut
    share_source: str
    indemnity: MoneyOut
    defence: MoneyOut
    total: MoneyOut
    deductible_applied: MoneyOut
    charged_to_aggregate: MoneyOut
    breakdown: dict[str, Any]
    straight_through: bool
    referral_reasons: list[str]
    payment_transaction_id: int | None
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> "SettlementRead":
        columns = {name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)}
        return cls.model_validate({**columns, "total": row.indemnity + row.defence})


class ClaimRead(Output):
    """The whole claim, for the insurer's staff and the insured firm."""

    id: int
    policy_id: int
    incident_id: int
    incident_date: date
    accident_type: str
    first_made_date: date
    claimant: str
    heads_of_damage: list[dict[str, Any]]
    exclusions: list[str]
    status: ClaimStatus
    status_code: str | None
    status_reason: str | None
    coverage: CoverageRead | None
    liability_share_override: ShareOut | None
    share_override_reason: str | None
    related_group_id: int | None
    related_claim_ids: list[int]
    money: ClaimMoneyRead
    settlements: list[SettlementRead]
    created_at: datetime

    @classmethod
    def of(cls, view: Any) -> "ClaimRead":
        from underwriting.claim_facts import incident_date

        claim, money = view.claim, view.money
        columns = {name: getattr(claim, name) for name in cls.model_fields if hasattr(claim, name)}
        return cls.model_validate(
            {
                **columns,
                "incident_date": incident_date(view.incident),
                "accident_type": view.incident.accident_type,
                "coverage": claim.coverage_decision,
                "liability_share_override": claim.liability_share,
                "related_claim_ids": view.related_claim_ids,
                "money": {
                    **{n: getattr(money, n) for n in ClaimMoneyRead.model_fields},
                },
                "settlements": [SettlementRead.of(s) for s in view.settlements],
            }
        )


class ClaimStatusRead(Output):
    """What an enterprise sees of a claim from its incident: where it stands, no money."""

    id: int
    incident_id: int
    first_made_date: date
    status: ClaimStatus
    created_at: datetime


class ClaimSummary(Output):
    id: int
    policy_id: int
    incident_id: int
    first_made_date: date
    claimant: str
    status: ClaimStatus
    related_group_id: int | None
    created_at: datetime


class FindingRead(Output):
    category: str
    rule: str
    share: ShareOut | None
    share_term: str | None
    text: str
    record_ids: list[int]
    flagged_record_ids: list[int]
    doubts: list[str]


class ConsideredFindingRead(Output):
    category: str
    severity: str
    rectification_deadline_date: date
    closed_date: date | None


class ConsideredRecordRead(Output):
    """A service record in the look-back window, as the assessment read it."""

    record_id: int
    visit_date: date
    submitted_at: datetime
    categories_inspected: list[str]
    has_evidence: bool
    findings: list[ConsideredFindingRead]


class FlaggedRecordRead(Output):
    record_id: int
    reasons: list[str]


class AssessmentRead(Output):
    """The liability assessment as computed now from the service records."""

    claim_id: int
    accident_type: str
    incident_date: date | None
    look_back_days: int
    window_start_date: date | None
    accident_categories: dict[str, list[str]]
    considered_record_ids: list[int]
    records: list[ConsideredRecordRead]
    findings: list[FindingRead]
    flagged: list[FlaggedRecordRead]
    assessed_share: ShareOut | None
    unambiguous: bool
    share_table: dict[str, ShareOut]
    share: ShareOut | None
    share_source: Literal["assessment", "override", "none"]
    override_reason: str | None
    note: str | None = None

    @classmethod
    def of(cls, view: Any, accident_type: str) -> "AssessmentRead":
        from dataclasses import asdict

        from claims import ACCIDENT_CATEGORIES, ShareTable

        found = view.assessment
        table = found.share_table if found else ShareTable()
        common = {
            "claim_id": view.claim.id,
            "accident_type": accident_type,
            "look_back_days": view.look_back_days,
            "accident_categories": {accident_type: list(ACCIDENT_CATEGORIES[accident_type])},
            "share_table": asdict(table),
            "share": view.share,
            "share_source": view.share_source,
            "override_reason": view.claim.share_override_reason,
        }
        if found is None:
            return cls.model_validate(
                {
                    **common,
                    "incident_date": None,
                    "window_start_date": None,
                    "considered_record_ids": [],
                    "records": [],
                    "findings": [],
                    "flagged": [],
                    "assessed_share": None,
                    "unambiguous": False,
                    "note": "no engagement the policy covers served the enterprise on the "
                    "incident date: there is no scope to judge the records against",
                }
            )
        return cls.model_validate(
            {
                **common,
                "incident_date": found.incident_date,
                "window_start_date": found.window_start_date,
                "considered_record_ids": list(found.considered_record_ids),
                "records": [
                    {
                        "record_id": r.record_id,
                        "visit_date": r.visit_date,
                        "submitted_at": r.submitted_at,
                        "categories_inspected": sorted(r.categories_inspected),
                        "has_evidence": r.has_evidence,
                        "findings": [asdict(f) for f in r.findings],
                    }
                    for r in sorted(view.records, key=lambda r: r.record_id)
                ],
                "findings": [
                    {
                        "category": f.category,
                        "rule": f.rule.value,
                        "share": f.share,
                        "share_term": f.share_term,
                        "text": f.text,
                        "record_ids": list(f.record_ids),
                        "flagged_record_ids": list(f.flagged_record_ids),
                        "doubts": [d.value for d in f.doubts],
                    }
                    for f in found.findings
                ],
                "flagged": [
                    {"record_id": r.record_id, "reasons": [x.value for x in r.reasons]}
                    for r in found.flagged
                ],
                "assessed_share": found.share,
                "unambiguous": found.unambiguous,
            }
        )


class ShareOverride(Input):
    share: Share
    reason: Reason


class SettlementCreate(Input):
    loss: Annotated[Money, Field(description="the claim's loss, CNY, before share and deductible")]
    defence_costs: Money = Decimal("0.00")


class SettlementWithdrawal(Input):
    reason: Reason


class ReservesSet(Input):
    """The case reserves the claim should now carry, CNY (not a change: the new level)."""

    indemnity: Money
    expense: Money
    reason: Reason


class RecoveryCreate(Input):
    amount: Money
    source: Annotated[str, Field(min_length=1, max_length=200, description="who repaid")]
    reason: Reason


class Denial(Input):
    code: DenialCode
    reason: Reason


class Closure(Input):
    code: ClosureCode
    reason: Reason


class Reopening(Input):
    code: ReopenCode
    reason: Reason


class LedgerTransactionRead(Output):
    id: int
    kind: str
    claim_id: int | None
    effective_date: date
    memo: str


class GroupLimitsRead(Output):
    group_id: int
    incident_id: int
    claim_ids: list[int]
    indemnity_paid: MoneyOut
    defence_paid: MoneyOut
    per_claim_used: MoneyOut
    per_claim_remaining: MoneyOut
    deductible_used: MoneyOut
    deductible_remaining: MoneyOut


class LimitsRead(Output):
    policy_id: int
    per_claim_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    defence_inside: bool
    aggregate_used: MoneyOut
    aggregate_remaining: MoneyOut
    pending_settlements: MoneyOut
    ledger_paid: MoneyOut
    ledger_recovered: MoneyOut
    groups: list[GroupLimitsRead]

    @classmethod
    def of(cls, view: Any) -> "LimitsRead":
        policy = view.policy
        return cls.model_validate(
            {
                "policy_id": policy.id,
                "per_claim_limit": policy.per_claim_limit,
                "aggregate_limit": policy.aggregate_limit,
                "deductible": policy.deductible,
                "defence_inside": policy.defence_inside,
                "aggregate_used": view.aggregate_used,
                "aggregate_remaining": policy.aggregate_remaining,
                "pending_settlements": view.pending_total,
                "ledger_paid": view.ledger_paid,
                "ledger_recovered": view.ledger_recovered,
                "groups": view.groups,
            }
        )
