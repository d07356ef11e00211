"""Settlements: what a claim pays, approved at once or by an adjuster, and paid.

A settlement runs in one transaction that first locks the claim's policy
(``claim_ledger.on_locked_claim``), then reads what the policy and the claim's related-claims
group have used, computes the payable (``claims.payable``), posts the payment and reduces
``policy.aggregate_remaining``: so concurrent settlements on one policy can never together
pay more than its aggregate, and the ``policy`` check constraint (``0 <=
aggregate_remaining``) backs the code. Every request carries an ``Idempotency-Key``.

Straight-through settlement (DESIGN.md section 3, item 4): a settlement is approved and
paid at once when the assessment is unambiguous (no record flagged, no doubt; or the share
is an adjuster's override, which is their judgement), something is payable, and the total
is within the requesting adjuster's settlement authority. Anything else waits, ``pending``,
for an adjuster whose authority covers it; the claim is ``referred`` meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import claims
from underwriting import claim_facts, clock
from underwriting.access import Principal, require_role
from underwriting.audit_trail import record
from underwriting.claim_files import (
    ADJUSTERS,
    Money,
    assess,
    policy_of_claim,
    settlement_authority,
    visible_claim,
)
from underwriting.claim_ledger import (
    claim_transaction,
    on_locked_claim,
    release_legs,
    withdraw_pending,
)
from underwriting.db.tables import Claim, ClaimSettlement, Policy
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.endorsements import locked_policy
from underwriting.errors import Conflict, NotFound
from underwriting.idempotency import Created
from underwriting.vocabulary import (
    SETTLEABLE,
    ClaimStatus,
    LedgerAccount,
    SettlementStatus,
)

ZERO = Decimal("0.00")
#: Claim statuses whose reserves may be set.
RESERVABLE = frozenset({ClaimStatus.OPEN, ClaimStatus.REFERRED, ClaimStatus.REOPENED})


class Referral:
    """Why a settlement waits for an adjuster (codes in ``ClaimSettlement.referral_reasons``)."""

    AMBIGUOUS = "assessment_ambiguous"
    ABOVE_AUTHORITY = "above_authority"
    NOTHING_PAYABLE = "nothing_payable"


def settle(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str,
) -> Created:
    """Compute what the claim pays for ``values["loss"]`` and ``values["defence_costs"]``
    and pay it at once where straight-through allows; otherwise leave it pending."""
    require_role(principal, ADJUSTERS, "settle a claim")

    def create(uow: UnitOfWork, policy: Policy, claim: Claim) -> list[int]:
        _require_settleable(uow, claim)
        view = assess(uow, claim)
        if view.share is None:
            raise Conflict(
                "share",
                None,
                "no share to settle on: no hazard category of the incident is "
                "in the scope of an engagement the policy covers",
            )
        due = _payable(uow, policy, claim, values["loss"], values["defence_costs"], view.share)
        _require_room(due)
        referral = []
        if view.share_source == "assessment" and not (
            view.assessment and view.assessment.unambiguous
        ):
            referral.append(Referral.AMBIGUOUS)
        if due.total == 0:
            referral.append(Referral.NOTHING_PAYABLE)
        if due.total > settlement_authority(principal):
            referral.append(Referral.ABOVE_AUTHORITY)
        row = uow.claims.add_settlement(
            ClaimSettlement(
                claim_id=claim.id,
                policy_id=policy.id,
                group_id=claim.related_group_id or claim.id,
                status=SettlementStatus.PENDING,
                loss=values["loss"],
                defence_costs=values["defence_costs"],
                share=view.share,
                share_source=view.share_source,
                straight_through=not referral,
                referral_reasons=referral,
                requested_by_key_id=principal.key_id,
                **_amounts(due),
            )
        )
        uow.flush()
        if referral:
            claim.status = ClaimStatus.REFERRED
        else:
            _pay(uow, principal, policy, claim, row)
        record(
            uow,
            principal,
            "claim.settlement",
            subject=("claim", claim.id),
            values={
                "settlement_id": row.id,
                "straight_through": not referral,
                "referral_reasons": referral,
                "total": str(due.total),
            },
        )
        uow.flush()
        return [row.id]

    return on_locked_claim(
        uow_factory,
        principal,
        claim_id,
        idempotency_key,
        operation=f"settle claim {claim_id}",
        payload=dict(values),
        create=create,
    )


def approve(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    settlement_id: int,
    *,
    idempotency_key: str,
) -> Created:
    """Approve a pending settlement and pay it. The amount is computed again under the lock
    (the aggregate may have been used meanwhile) and must be within the approver's
    authority."""
    require_role(principal, ADJUSTERS, "approve a settlement")

    def create(uow: UnitOfWork, policy: Policy, claim: Claim) -> list[int]:
        row = _settlement(uow, claim, settlement_id)
        if row.status != SettlementStatus.PENDING:
            raise Conflict("status", row.status, "only a pending settlement can be approved")
        view = assess(uow, claim)
        share = view.share if view.share is not None else row.share
        due = _payable(uow, policy, claim, row.loss, row.defence_costs, share)
        _require_room(due)
        authority = settlement_authority(principal)
        if due.total > authority:
            raise Conflict(
                "total",
                f"{due.total:.2f}",
                f"exceeds this key's settlement authority ({authority} CNY)",
            )
        row.share, row.share_source = share, view.share_source
        for name, value in _amounts(due).items():
            setattr(row, name, value)
        _pay(uow, principal, policy, claim, row)
        record(
            uow,
            principal,
            "claim.settlement_approved",
            subject=("claim", claim.id),
            values={"settlement_id": row.id, "total": str(due.total)},
        )
        uow.flush()
        return [row.id]

    return on_locked_claim(
        uow_factory,
        principal,
        claim_id,
        idempotency_key,
        operation=f"approve settlement {settlement_id} of claim {claim_id}",
        payload={},
        create=create,
    )


def withdraw(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    settlement_id: int,
    *,
    reason: str,
) -> ClaimSettlement:
    """Withdraw a pending settlement, with a reason; the claim is open again."""
    require_role(principal, ADJUSTERS, "withdraw a settlement")
    policy_id = policy_of_claim(uow_factory, principal, claim_id)
    with uow_factory() as uow:
        locked_policy(uow, principal, policy_id)
        claim = visible_claim(uow, principal, claim_id)
        row = _settlement(uow, claim, settlement_id)
        if row.status != SettlementStatus.PENDING:
            raise Conflict("status", row.status, "only a pending settlement can be withdrawn")
        withdraw_pending(uow, principal, claim, reason=reason)
        claim.status = _unreferred(uow, claim)
        uow.commit()
        return row


def _pay(
    uow: UnitOfWork, principal: Principal, policy: Policy, claim: Claim, row: ClaimSettlement
) -> None:
    """Pay the settlement: post it, release the reserves, reduce the aggregate."""
    money = Money.of(uow.claims.balances(claim.id))
    legs = [
        (LedgerAccount.CLAIMS_PAID, row.indemnity),
        (LedgerAccount.DEFENCE_PAID, row.defence),
        (LedgerAccount.CASH, -(row.indemnity + row.defence)),
        *release_legs(money),
    ]
    transaction = uow.ledger.post(
        claim_transaction("claim_payment", policy, claim, f"settlement {row.id}"), legs
    )
    policy.aggregate_remaining -= row.charged_to_aggregate
    row.status, row.payment_transaction_id = SettlementStatus.PAID, transaction.id
    row.decided_by_key_id, row.decided_at = principal.key_id, clock.now()
    claim.status = ClaimStatus.SETTLED


def _payable(
    uow: UnitOfWork,
    policy: Policy,
    claim: Claim,
    loss: Decimal,
    defence_costs: Decimal,
    share: Decimal,
) -> claims.Payable:
    usage = uow.claims.group_usage(claim.related_group_id or claim.id)
    settlement = claims.Settlement(
        loss=loss,
        defence_costs=defence_costs,
        share=share,
        aggregate_remaining=policy.aggregate_remaining,
        group_paid_indemnity=usage.indemnity,
        group_paid_defence=usage.defence,
        group_deductible_used=usage.deductible,
    )
    return claims.payable(settlement, terms=claim_facts.policy_terms(policy))


def _require_room(due: claims.Payable) -> None:
    """A settlement that is owed something but can be paid nothing is refused: the
    aggregate (or the group's per-claim limit) is used up."""
    owed = due.indemnity_due + (due.defence_due if due.defence_inside else ZERO)
    if due.total == 0 and owed > 0:
        if due.aggregate_remaining == 0:
            raise Conflict(
                "aggregate_remaining",
                "0.00",
                f"the policy's aggregate limit is exhausted; {owed:.2f} CNY is due and "
                "nothing more can be paid",
            )
        raise Conflict(
            "per_claim_remaining",
            "0.00",
            f"the related claims have used the per-claim limit; {owed:.2f} CNY cannot be paid",
        )


def _amounts(due: claims.Payable) -> dict[str, Any]:
    breakdown = {
        name: (str(value) if isinstance(value, Decimal) else value)
        for name, value in asdict(due).items()
    }
    breakdown["capped_by"] = due.capped_by.value
    return {
        "indemnity": due.indemnity,
        "defence": due.defence,
        "deductible_applied": due.deductible_applied,
        "charged_to_aggregate": due.charged_to_aggregate,
        "breakdown": breakdown,
    }


def _require_settleable(uow: UnitOfWork, claim: Claim) -> None:
    if claim.status in SETTLEABLE:
        return
    if claim.status == ClaimStatus.REFERRED and (pending := uow.claims.pending(claim.id)):
        text = f"settlement {pending.id} waits for an adjuster's approval; approve or withdraw it"
    elif claim.status == ClaimStatus.SETTLED:
        text = "is already settled; reopen it with a reason code for a further payment"
    else:
        text = "a denied or closed claim cannot be settled; reopen it with a reason code"
    raise Conflict("status", claim.status, text)


def _settlement(uow: UnitOfWork, claim: Claim, settlement_id: int) -> ClaimSettlement:
    row = uow.claims.settlement(claim.id, settlement_id)
    if row is None:
        raise NotFound("settlement", settlement_id)
    return row


def _unreferred(uow: UnitOfWork, claim: Claim) -> ClaimStatus:
    """Where a claim stands once its pending settlement is gone."""
    paid = any(s.status == SettlementStatus.PAID for s in uow.claims.settlements(claim.id))
    return ClaimStatus.REOPENED if paid else ClaimStatus.OPEN
