"""Reserves, settlements, payments and recoveries: the claim's money, on the ledger.

Every request here moves money and carries an ``Idempotency-Key``: a retry returns the
first answer and moves nothing more. Each runs in one transaction that first locks the
claim's policy (``PolicyRepository.lock``), then reads what the policy and the claim's
related-claims group have used, computes, posts and reduces ``policy.aggregate_remaining``:
so concurrent settlements on one policy can never together pay more than its aggregate,
and the ``policy`` check constraint (``0 <= aggregate_remaining``) backs the code.

Ledger postings, CNY, debits positive (``underwriting.db.ledger``):

- reserve change: ``case_reserve`` (indemnity) and ``expense_reserve`` (defence) by the
  change, against ``reserve_expense``;
- payment: ``claims_paid`` (indemnity) and ``defence_paid`` (defence) against ``cash``, and
  the claim's outstanding reserves released to ``reserve_expense``: a settlement is final;
  a reopened claim is reserved again;
- recovery: ``cash`` against ``recoveries``. A recovery never exceeds what was paid, and it
  does not reinstate the aggregate (the wording grants no reinstatement).

Straight-through settlement (DESIGN.md section 3, item 4): a settlement is approved and
paid at once when the assessment is unambiguous (no record flagged, no doubt; or the share
is an adjuster's override, which is their judgement), something is payable, and the total
is within the requesting adjuster's settlement authority. Anything else waits, ``pending``,
for an adjuster whose authority covers it; the claim is ``referred`` meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import claims
from underwriting import claim_facts, clock
from underwriting.access import Principal, require_role
from underwriting.audit_trail import record
from underwriting.claim_files import (
    ADJUSTERS,
    CLAIM_READERS,
    Money,
    assess,
    policy_of_claim,
    settlement_authority,
    visible_claim,
)
from underwriting.db.claim_repositories import GroupUsage
from underwriting.db.tables import Claim, ClaimSettlement, LedgerTransaction, Policy
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.endorsements import locked_policy
from underwriting.errors import Conflict, NotFound
from underwriting.idempotency import Created, create_once
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

    return _on_locked_claim(
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

    return _on_locked_claim(
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
        _policy(uow, principal, policy_id)
        claim = visible_claim(uow, principal, claim_id)
        row = _settlement(uow, claim, settlement_id)
        if row.status != SettlementStatus.PENDING:
            raise Conflict("status", row.status, "only a pending settlement can be withdrawn")
        withdraw_pending(uow, principal, claim, reason=reason)
        claim.status = _unreferred(uow, claim)
        uow.commit()
        return row


def set_reserves(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str,
) -> Created:
    """Set the claim's case reserves to ``values["indemnity"]`` and ``values["expense"]``
    (CNY), posting the change; the total must be within the adjuster's authority."""
    require_role(principal, ADJUSTERS, "set a claim's reserves")
    indemnity, expense = values["indemnity"], values["expense"]

    def create(uow: UnitOfWork, policy: Policy, claim: Claim) -> list[int]:
        if claim.status not in RESERVABLE:
            raise Conflict(
                "status", claim.status, "only an open, referred or reopened claim is reserved"
            )
        authority = settlement_authority(principal)
        if indemnity + expense > authority:
            raise Conflict(
                "indemnity",
                f"{indemnity:.2f}",
                f"reserves of {indemnity + expense:.2f} CNY exceed this key's "
                f"authority ({authority} CNY)",
            )
        money = Money.of(uow.claims.balances(claim.id))
        change_i, change_e = indemnity - money.indemnity_reserve, expense - money.expense_reserve
        transaction = uow.ledger.post(
            _transaction("reserve", policy, claim, values.get("reason") or "reserve change"),
            [
                (LedgerAccount.CASE_RESERVE, change_i),
                (LedgerAccount.EXPENSE_RESERVE, change_e),
                (LedgerAccount.RESERVE_EXPENSE, -(change_i + change_e)),
            ],
        )
        record(
            uow,
            principal,
            "claim.reserve",
            subject=("claim", claim.id),
            reason=values.get("reason") or "",
            values={"indemnity": f"{indemnity:.2f}", "expense": f"{expense:.2f}"},
        )
        return [transaction.id]

    return _on_locked_claim(
        uow_factory,
        principal,
        claim_id,
        idempotency_key,
        operation=f"reserve claim {claim_id}",
        payload=dict(values),
        create=create,
    )


def recover(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str,
) -> Created:
    """Record money recovered on the claim (salvage, subrogation, a repaid overpayment):
    never more, over all its recoveries, than was paid on it."""
    require_role(principal, ADJUSTERS, "record a recovery")
    amount = values["amount"]

    def create(uow: UnitOfWork, policy: Policy, claim: Claim) -> list[int]:
        money = Money.of(uow.claims.balances(claim.id))
        try:
            claims.recovery_allowed(amount, paid=money.paid, recovered=money.recovered)
        except claims.RecoveryExceedsPaid as error:
            raise Conflict("amount", f"{amount:.2f}", error.message) from None
        memo = f"recovery from {values['source']}: {values['reason']}"
        transaction = uow.ledger.post(
            _transaction("recovery", policy, claim, memo),
            [(LedgerAccount.CASH, amount), (LedgerAccount.RECOVERIES, -amount)],
        )
        record(
            uow,
            principal,
            "claim.recovery",
            subject=("claim", claim.id),
            reason=values["reason"],
            values={"amount": f"{amount:.2f}", "source": values["source"]},
        )
        return [transaction.id]

    return _on_locked_claim(
        uow_factory,
        principal,
        claim_id,
        idempotency_key,
        operation=f"recover on claim {claim_id}",
        payload=dict(values),
        create=create,
    )


@dataclass(frozen=True)
class GroupLimits:
    """One related-claims group's use of the per-claim limit and the deductible, CNY."""

    group_id: int
    incident_id: int
    claim_ids: list[int]
    indemnity_paid: Decimal
    defence_paid: Decimal
    per_claim_used: Decimal
    per_claim_remaining: Decimal
    deductible_used: Decimal
    deductible_remaining: Decimal


@dataclass(frozen=True)
class LimitsView:
    """The policy's limits and what is used of them; ``ledger_paid`` is Σ claim payments on
    the ledger (indemnity + defence), which agrees with the settlements."""

    policy: Policy
    aggregate_used: Decimal
    pending_total: Decimal
    ledger_paid: Decimal
    ledger_recovered: Decimal
    groups: list[GroupLimits]


def limits(uow_factory: UnitOfWorkFactory, principal: Principal, policy_id: int) -> LimitsView:
    """What is used and left of the policy's aggregate, and of each group's limit."""
    require_role(principal, CLAIM_READERS, "read a policy's limits")
    with uow_factory() as uow:
        policy = uow.policies.get(policy_id, principal)
        if policy is None:
            raise NotFound("policy", policy_id)
        usage = uow.claims.usage(policy_id=policy.id)
        groups = uow.claims.groups_of_policy(policy.id)
        members = uow.claims.group_members([g for g, _ in groups])
        balances = uow.claims.policy_balances(policy.id)
        pending = uow.claims.pending_total(policy.id)
        return LimitsView(
            policy=policy,
            aggregate_used=policy.aggregate_limit - policy.aggregate_remaining,
            pending_total=pending,
            ledger_paid=_balance(balances, LedgerAccount.CLAIMS_PAID)
            + _balance(balances, LedgerAccount.DEFENCE_PAID),
            ledger_recovered=-_balance(balances, LedgerAccount.RECOVERIES),
            groups=[
                _group_limits(policy, g, incident, members[g], usage.get(g, GroupUsage()))
                for g, incident in groups
            ],
        )


def _on_locked_claim(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    claim_id: int,
    idempotency_key: str,
    *,
    operation: str,
    payload: Any,
    create: Callable[[UnitOfWork, Policy, Claim], list[int]],
) -> Created:
    """Run ``create`` once per key, in one transaction that first locks the claim's policy
    (before the replay check: a racing retry waits, then replays), then reads the claim."""
    policy_id = policy_of_claim(uow_factory, principal, claim_id)

    def run(uow: UnitOfWork) -> list[int]:
        policy = _policy(uow, principal, policy_id)
        return create(uow, policy, visible_claim(uow, principal, claim_id))

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation=operation,
        payload=payload,
        create=run,
        lock=lambda uow: _policy(uow, principal, policy_id),
    )


def withdraw_pending(uow: UnitOfWork, principal: Principal, claim: Claim, *, reason: str) -> None:
    """Withdraw the claim's pending settlement, if it has one (denial, closure, withdrawal)."""
    row = uow.claims.pending(claim.id)
    if row is None:
        return
    row.status, row.decided_at = SettlementStatus.WITHDRAWN, clock.now()
    row.decided_by_key_id = principal.key_id
    record(
        uow,
        principal,
        "claim.settlement_withdrawn",
        subject=("claim", claim.id),
        reason=reason,
        values={"settlement_id": row.id},
    )


def release_reserves(uow: UnitOfWork, claim: Claim, *, memo: str) -> None:
    """Post the claim's outstanding reserves back to zero, if it has any."""
    money = Money.of(uow.claims.balances(claim.id))
    legs = _release(money)
    if legs:
        policy = uow.policies.get(claim.policy_id)
        assert policy is not None
        uow.ledger.post(_transaction("reserve", policy, claim, memo), legs)


def _pay(
    uow: UnitOfWork, principal: Principal, policy: Policy, claim: Claim, row: ClaimSettlement
) -> None:
    """Pay the settlement: post it, release the reserves, reduce the aggregate."""
    money = Money.of(uow.claims.balances(claim.id))
    legs = [
        (LedgerAccount.CLAIMS_PAID, row.indemnity),
        (LedgerAccount.DEFENCE_PAID, row.defence),
        (LedgerAccount.CASH, -(row.indemnity + row.defence)),
        *_release(money),
    ]
    transaction = uow.ledger.post(
        _transaction("claim_payment", policy, claim, f"settlement {row.id}"), legs
    )
    policy.aggregate_remaining -= row.charged_to_aggregate
    row.status, row.payment_transaction_id = SettlementStatus.PAID, transaction.id
    row.decided_by_key_id, row.decided_at = principal.key_id, clock.now()
    claim.status = ClaimStatus.SETTLED


def _release(money: Money) -> list[tuple[str, Decimal]]:
    total = money.indemnity_reserve + money.expense_reserve
    if not (money.indemnity_reserve or money.expense_reserve):
        return []
    return [
        (LedgerAccount.CASE_RESERVE, -money.indemnity_reserve),
        (LedgerAccount.EXPENSE_RESERVE, -money.expense_reserve),
        (LedgerAccount.RESERVE_EXPENSE, total),
    ]


def _transaction(kind: str, policy: Policy, claim: Claim, memo: str) -> LedgerTransaction:
    return LedgerTransaction(
        kind=kind,
        policy_id=policy.id,
        claim_id=claim.id,
        effective_date=clock.today(),
        memo=memo[:2000],
    )


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


def _policy(uow: UnitOfWork, principal: Principal, policy_id: int) -> Policy:
    return locked_policy(uow, principal, policy_id)


def _group_limits(
    policy: Policy, group: int, incident: int, claim_ids: list[int], used: GroupUsage
) -> GroupLimits:
    per_claim = used.indemnity + (used.defence if policy.defence_inside else ZERO)
    return GroupLimits(
        group_id=group,
        incident_id=incident,
        claim_ids=claim_ids,
        indemnity_paid=used.indemnity,
        defence_paid=used.defence,
        per_claim_used=per_claim,
        per_claim_remaining=policy.per_claim_limit - per_claim,
        deductible_used=used.deductible,
        deductible_remaining=policy.deductible - used.deductible,
    )


def _balance(balances: Mapping[str, Decimal], account: LedgerAccount) -> Decimal:
    return Decimal(balances.get(account.value, ZERO)).quantize(ZERO)
