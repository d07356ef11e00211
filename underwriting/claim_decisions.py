"""An adjuster's decisions on a claim: the share override, denial, closure and reopening.

An adjuster may override the assessed share with a reason; the override needs authority for
what it could make the claim pay (the share of the damages claimed, up to the per-claim
limit) and is an ``AuditEvent``. Denial, closure and reopening each take a reason code and
a reason, and an ``AuditEvent``; denial and closure withdraw a pending settlement and
release the reserves; a reopened claim's coverage is decided again, and one that still
fails it stays as it was. Each locks the claim's policy first, like every money move.
"""

from __future__ import annotations

from decimal import Decimal

from underwriting.access import Principal, require_role
from underwriting.audit_trail import record
from underwriting.claim_files import (
    ADJUSTERS,
    ZERO,
    AssessmentView,
    ClaimView,
    assess,
    claim_policy,
    decide_coverage,
    policy_of_claim,
    require_status,
    settlement_authority,
    view_of,
    visible_claim,
)
from underwriting.db.tables import Claim, Policy
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import Conflict
from underwriting.vocabulary import ClaimStatus, ClosureCode, DenialCode, ReopenCode


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
        policy = claim_policy(uow, principal, policy_id, lock=True)
        claim = visible_claim(uow, principal, claim_id)
        require_status(claim, "override its liability share", *_LIVE)
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
        policy = claim_policy(uow, principal, policy_id, lock=True)
        claim = visible_claim(uow, principal, claim_id)
        require_status(claim, verb, *allowed)
        was = claim.status
        if to is ClaimStatus.REOPENED:
            incident = uow.incidents.get(claim.incident_id)
            assert incident is not None
            decision = decide_coverage(uow, claim, policy, incident)
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
