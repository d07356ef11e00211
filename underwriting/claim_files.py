"""Claims: notice, coverage at once, the liability assessment and the claim's life.

A claim is filed by an adjuster of the policy's insurer, or by the insured firm giving
notice, with an ``Idempotency-Key``: a retry returns the same claim. Coverage is decided at
once by ``claims.decide_coverage`` and kept with every reason; a claim that fails it is
denied (``not_covered``) with the failed reasons as its grounds. Claims from one incident on
one policy are related: the first is the group, the rest join it (the policy row is locked
while a claim is filed, so two racing first notices cannot make two groups).

The assessment is computed from the service records whenever it is read, so a record filed
late shows up flagged. An adjuster may override the share with a reason; the override
needs authority for what it could make the claim pay (the share of the damages claimed, up
to the per-claim limit) and is an ``AuditEvent``. Denial, closure and reopening each take a
reason code and a reason; a reopened claim's coverage is decided again.
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
    ClosureCode,
    DenialCode,
    LedgerAccount,
    ReopenCode,
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
        _policy(uow, principal, policy_id, lock=True)

    def create(uow: UnitOfWork) -> list[int]:
        policy = _policy(uow, principal, policy_id)
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
        decision = _decide(uow, claim, policy, incident)
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


def override_share(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    *,
    share: Decimal,
    reason: str,
) -> AssessmentView:
    """Set the share that settles the claim, with a reason; an ``AuditEvent`` keeps both."""
    require_role(principal, ADJUSTERS, "override a liability share")
    policy_id = policy_of_claim(uow_factory, principal, claim_id)
    with uow_factory() as uow:
        policy = _policy(uow, principal, policy_id, lock=True)
        claim = visible_claim(uow, principal, claim_id)
        _require_status(claim, "override its liability share", *_LIVE)
        authority, exposure = (
            settlement_authority(principal),
            override_exposure(claim, policy, share),
        )
        if exposure > authority:
            raise Conflict(
                "share",
                str(share),
                f"at this share the claim could pay {exposure:.2f} CNY (the share of the "
                f"damages claimed, up to the per-claim limit); this key's authority is "
                f"{authority} CNY",
            )
        before = assess(uow, claim)
        claim.liability_share = share
        claim.share_override_reason = reason
        record(
            uow,
            principal,
            "claim.share_override",
            subject=("claim", claim.id),
            reason=reason,
            values={
                "share": str(share),
                "was": None if before.share is None else str(before.share),
                "was_source": before.share_source,
            },
        )
        uow.commit()
        return assess(uow, claim)


def deny(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    *,
    code: DenialCode,
    reason: str,
) -> ClaimView:
    """Deny an open, referred or reopened claim; a pending settlement is withdrawn and any
    outstanding reserve released."""
    return _transition(
        uow_factory, principal, claim_id, ClaimStatus.DENIED, code.value, reason, "deny", _LIVE
    )


def close(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    *,
    code: ClosureCode,
    reason: str,
) -> ClaimView:
    """Close a claim that is open, referred, settled or reopened; reserves are released."""
    return _transition(
        uow_factory,
        principal,
        claim_id,
        ClaimStatus.CLOSED,
        code.value,
        reason,
        "close",
        (*_LIVE, ClaimStatus.SETTLED),
    )


def reopen(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    *,
    code: ReopenCode,
    reason: str,
) -> ClaimView:
    """Reopen a settled, denied or closed claim, with a reason code; coverage is decided
    again, and a claim that still fails it stays as it was (409, naming the rules)."""
    return _transition(
        uow_factory,
        principal,
        claim_id,
        ClaimStatus.REOPENED,
        code.value,
        reason,
        "reopen",
        (ClaimStatus.SETTLED, ClaimStatus.DENIED, ClaimStatus.CLOSED),
    )


_LIVE = (ClaimStatus.OPEN, ClaimStatus.REFERRED, ClaimStatus.REOPENED)


def _transition(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    to: ClaimStatus,
    code: str,
    reason: str,
    verb: str,
    allowed: tuple[ClaimStatus, ...],
) -> ClaimView:
    from underwriting.claim_ledger import release_reserves, withdraw_pending

    require_role(principal, ADJUSTERS, f"{verb} a claim")
    policy_id = policy_of_claim(uow_factory, principal, claim_id)
    with uow_factory() as uow:
        policy = _policy(uow, principal, policy_id, lock=True)
        claim = visible_claim(uow, principal, claim_id)
        _require_status(claim, verb, *allowed)
        was = claim.status
        if to is ClaimStatus.REOPENED:
            incident = uow.incidents.get(claim.incident_id)
            assert incident is not None
            decision = _decide(uow, claim, policy, incident)
            if not decision.covered:
                failed = "; ".join(r.text for r in decision.failures)
                raise Conflict("status", claim.status, f"coverage still fails: {failed}")
        else:
            withdraw_pending(uow, principal, claim, reason=f"claim {verb}: {reason}")
            release_reserves(uow, claim, memo=f"claim {verb}")
        claim.status, claim.status_code, claim.status_reason = to, code, reason
        record(
            uow,
            principal,
            f"claim.{verb}",
            subject=("claim", claim.id),
            reason=reason,
            values={"code": code, "from": was},
        )
        uow.commit()
        return view_of(uow, principal, claim_id)


def override_exposure(claim: Claim, policy: Policy, share: Decimal) -> Decimal:
    """What an override to ``share`` could make the claim pay, CNY: that share of the
    damages claimed (Σ heads of damage), at most the per-claim limit."""
    claimed = sum((Decimal(h["amount"]) for h in claim.heads_of_damage), ZERO)
    return min(policy.per_claim_limit, (share * claimed).quantize(ZERO))


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


def _policy(uow: UnitOfWork, principal: Principal, policy_id: int, *, lock: bool = False) -> Policy:
    policies = uow.policies
    policy = policies.lock(policy_id, principal) if lock else policies.get(policy_id, principal)
    if policy is None:
        raise NotFound("policy", policy_id, field="policy_id")
    return policy


def _decide(
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


def _require_status(claim: Claim, action: str, *allowed: ClaimStatus) -> None:
    if claim.status not in allowed:
        names = ", ".join(a.value for a in allowed)
        raise Conflict("status", claim.status, f"cannot {action}: the claim must be {names}")
