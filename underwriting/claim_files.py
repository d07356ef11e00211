"""Claims: notice, coverage at once, the liability assessment and the claim's life.

A claim is filed by an adjuster of the policy's insurer, or by the insured firm giving
notice, with an ``Idempotency-Key``: a retry returns the same claim. Coverage is decided at
once by ``claims.decide_coverage`` and kept with every reason; a claim that fails it is
denied (``not_covered``) with the failed reasons as its grounds. Claims from one incident on
one policy are related: the first is the group, the rest join it (the policy row is locked
while a claim is filed, so two racing first notices cannot make two groups).

The assessment is computed from the service records whenever it is read, so a record filed
late shows up flagged. An adjuster's decisions on a claim (the share override, denial,
closure, reopening) are in ``underwriting.claim_decisions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import claims
from underwriting import claim_facts, clock
from underwriting.access import Principal, Resource, require_create, require_role
from underwriting.audit_trail import record
from underwriting.db.tables import Claim, ClaimSettlement, Incident, Policy
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.guidelines import GUIDELINES, Guidelines
from underwriting.idempotency import Created, create_once
from underwriting.vocabulary import (
    ClaimStatus,
    DenialCode,
    LedgerAccount,
    Role,
)

#: Who handles claims: the insurer's adjusters.
ADJUSTERS = frozenset({Role.ADJUSTER})
#: Who may read a claim's money and assessment: not the enterprise (it sees the status).
CLAIM_READERS = frozenset({Role.ADMIN, Role.ADJUSTER, Role.UNDERWRITER, Role.ACTUARY, Role.FIRM})
ZERO = Decimal("0.00")


def settlement_authority(principal: Principal, guidelines: Guidelines = GUIDELINES) -> Decimal:
    """The adjuster's settlement authority, CNY: the key's own, or the guideline default."""
    limit = principal.authority_limit
    return limit if limit is not None else guidelines.default_settlement_authority


@dataclass(frozen=True)
class Money:
    """A claim's money from the ledger, CNY: paid (indemnity, defence), case reserves
    outstanding (indemnity, expense), and recovered."""

    indemnity_paid: Decimal = ZERO
    defence_paid: Decimal = ZERO
    indemnity_reserve: Decimal = ZERO
    expense_reserve: Decimal = ZERO
    recovered: Decimal = ZERO

    @classmethod
    def of(cls, balances: Mapping[str, Decimal]) -> Money:
        def balance(account: LedgerAccount) -> Decimal:
            return Decimal(balances.get(account.value, ZERO)).quantize(ZERO)

        return cls(
            indemnity_paid=balance(LedgerAccount.CLAIMS_PAID),
            defence_paid=balance(LedgerAccount.DEFENCE_PAID),
            indemnity_reserve=balance(LedgerAccount.CASE_RESERVE),
            expense_reserve=balance(LedgerAccount.EXPENSE_RESERVE),
            recovered=-balance(LedgerAccount.RECOVERIES),
        )

    @property
    def paid(self) -> Decimal:
        return self.indemnity_paid + self.defence_paid

    @property
    def incurred(self) -> Decimal:
        return self.paid + self.indemnity_reserve + self.expense_reserve


@dataclass(frozen=True)
class ClaimView:
    claim: Claim
    incident: Incident
    money: Money
    settlements: list[ClaimSettlement] = field(default_factory=list)
    related_claim_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class AssessmentView:
    """The assessment as computed now, and the share that settles (override or assessed)."""

    claim: Claim
    assessment: claims.Assessment | None
    look_back_days: int
    share: Decimal | None
    share_source: str  # "assessment", "override" or "none"
    records: tuple[claims.Record, ...] = ()


def file_claim(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str,
) -> Created:
    """File a claim on a policy the caller may see, for an incident it may see."""
    require_create(principal, Resource.CLAIM)
    made = values["first_made_date"]
    if made > clock.today():
        raise InvalidInput("first_made_date", made.isoformat(), "lies in the future")
    if values.get("exclusions") and principal.role is not Role.ADJUSTER:
        raise InvalidInput(
            "exclusions", values["exclusions"], "are found by an adjuster, not given on notice"
        )
    policy_id = values["policy_id"]

    def lock(uow: UnitOfWork) -> None:
        claim_policy(uow, principal, policy_id, lock=True)

    def create(uow: UnitOfWork) -> list[int]:
        policy = claim_policy(uow, principal, policy_id)
        incident = uow.incidents.get(values["incident_id"], principal)
        if incident is None:
            raise NotFound("incident", values["incident_id"], field="incident_id")
        claim = Claim(
            policy_id=policy.id,
            incident_id=incident.id,
            first_made_date=made,
            claimant=values["claimant"],
            heads_of_damage=[
                {"head": h["head"], "amount": f"{h['amount']:.2f}"}
                for h in values["heads_of_damage"]
            ],
            exclusions=sorted(values.get("exclusions") or ()),
            status=ClaimStatus.OPEN,
            reported_by_id=principal.organisation_id,
            created_by_key_id=principal.key_id,
        )
        uow.claims.add(claim)
        uow.flush()
        claim.related_group_id = uow.claims.first_of_group(policy.id, incident.id)
        decision = decide_coverage(uow, claim, policy, incident)
        record(
            uow,
            principal,
            "claim.file",
            subject=("claim", claim.id),
            values={
                "policy_id": policy.id,
                "incident_id": incident.id,
                "covered": decision.covered,
                "related_group_id": claim.related_group_id,
            },
        )
        uow.flush()
        return [claim.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="claim",
        payload=dict(values),
        create=create,
        lock=lock,
    )


def get_claim(uow_factory: UnitOfWorkFactory, principal: Principal, claim_id: int) -> ClaimView:
    with uow_factory() as uow:
        return view_of(uow, principal, claim_id)


def get_settlement(
    uow_factory: UnitOfWorkFactory, principal: Principal, claim_id: int, settlement_id: int
) -> ClaimSettlement:
    """One settlement of a visible claim; not for an enterprise, which sees the status only."""
    require_role(principal, CLAIM_READERS, "read a claim's settlements")
    with uow_factory() as uow:
        claim = visible_claim(uow, principal, claim_id)
        row = uow.claims.settlement(claim.id, settlement_id)
        if row is None:
            raise NotFound("settlement", settlement_id)
        return row


def view_of(uow: UnitOfWork, principal: Principal, claim_id: int) -> ClaimView:
    claim = visible_claim(uow, principal, claim_id)
    incident = uow.incidents.get(claim.incident_id)
    assert incident is not None, "a claim's incident is a foreign key"
    group = claim.related_group_id or claim.id
    return ClaimView(
        claim=claim,
        incident=incident,
        money=Money.of(uow.claims.balances(claim.id)),
        settlements=uow.claims.settlements(claim.id),
        related_claim_ids=[c for c in uow.claims.group_members([group])[group] if c != claim.id],
    )


def list_claims(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    *,
    after: int | None,
    limit: int,
    filters: Mapping[str, Any],
) -> list[Claim]:
    with uow_factory() as uow:
        return list(uow.claims.page(principal, after=after, limit=limit, filters=filters))


def assessment(
    uow_factory: UnitOfWorkFactory, principal: Principal, claim_id: int
) -> AssessmentView:
    """The liability assessment of the claim against the firm's service records, now."""
    require_role(principal, CLAIM_READERS, "read a claim's liability assessment")
    with uow_factory() as uow:
        claim = visible_claim(uow, principal, claim_id)
        return assess(uow, claim)


def assess(uow: UnitOfWork, claim: Claim) -> AssessmentView:
    policy = uow.policies.get(claim.policy_id)
    incident = uow.incidents.get(claim.incident_id)
    assert policy is not None and incident is not None, "foreign keys"
    inputs = claim_facts.liability_inputs(uow, policy, incident)
    found = inputs.assess() if inputs is not None else None
    if claim.liability_share is not None:
        share, source = claim.liability_share, "override"
    elif found is not None and found.share is not None:
        share, source = found.share, "assessment"
    else:
        share, source = None, "none"
    days = inputs.look_back_days if inputs else claim_facts.LOOK_BACK_DAYS
    considered = set(found.considered_record_ids) if found else set()
    records = tuple(r for r in (inputs.records if inputs else ()) if r.record_id in considered)
    return AssessmentView(claim, found, days, share, source, records)


def policy_of_claim(uow_factory: UnitOfWorkFactory, principal: Principal, claim_id: int) -> int:
    """The policy of a visible claim, read on its own so that the transaction that then
    changes the claim can lock the policy before any other read."""
    with uow_factory() as uow:
        return visible_claim(uow, principal, claim_id).policy_id


def visible_claim(uow: UnitOfWork, principal: Principal, claim_id: int) -> Claim:
    claim = uow.claims.get(claim_id, principal)
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def claim_policy(
    uow: UnitOfWork, principal: Principal, policy_id: int, *, lock: bool = False
) -> Policy:
    policies = uow.policies
    policy = policies.lock(policy_id, principal) if lock else policies.get(policy_id, principal)
    if policy is None:
        raise NotFound("policy", policy_id, field="policy_id")
    return policy


def decide_coverage(
    uow: UnitOfWork, claim: Claim, policy: Policy, incident: Incident
) -> claims.CoverageDecision:
    """Decide coverage, keep it on the claim, and deny a claim that fails it."""
    decision = claim_facts.decide(uow, claim, policy, incident)
    claim.coverage_decision = {
        "covered": decision.covered,
        "decided_on": clock.today().isoformat(),
        "reasons": [{"code": r.code, "passed": r.passed, "text": r.text} for r in decision.reasons],
    }
    if not decision.covered:
        claim.status = ClaimStatus.DENIED
        claim.status_code = DenialCode.NOT_COVERED
        claim.status_reason = "; ".join(r.text for r in decision.failures)
    return decision


def require_status(claim: Claim, action: str, *allowed: ClaimStatus) -> None:
    if claim.status not in allowed:
        names = ", ".join(a.value for a in allowed)
        raise Conflict("status", claim.status, f"cannot {action}: the claim must be {names}")
