"""A claim's money on the ledger: reserves, recoveries, and the locking every money move uses.

Every request here moves money and carries an ``Idempotency-Key``: a retry returns the
first answer and moves nothing more. Each runs in one transaction that first locks the
claim's policy (``PolicyRepository.lock``; ``on_locked_claim``), then reads and posts, so
that concurrent requests on one policy are serialised; ``underwriting.settlements`` pays
claims the same way.

Ledger postings, CNY, debits positive (``underwriting.db.ledger``):

- reserve change: ``case_reserve`` (indemnity) and ``expense_reserve`` (defence) by the
  change, against ``reserve_expense``;
- payment (``underwriting.settlements``): ``claims_paid`` (indemnity) and ``defence_paid``
  (defence) against ``cash``, and the claim's outstanding reserves released to
  ``reserve_expense`` (``release_legs``): a settlement is final; a reopened claim is
  reserved again;
- recovery: ``cash`` against ``recoveries``. A recovery never exceeds what was paid, and it
  does not reinstate the aggregate (the wording grants no reinstatement).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import claims
from underwriting import clock
from underwriting.access import Principal, require_role
from underwriting.audit_trail import record
from underwriting.claim_files import (
    ADJUSTERS,
    Money,
    policy_of_claim,
    settlement_authority,
    visible_claim,
)
from underwriting.db.tables import Claim, LedgerTransaction, Policy
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.endorsements import on_locked_policy
from underwriting.errors import Conflict
from underwriting.idempotency import Created
from underwriting.vocabulary import ClaimStatus, LedgerAccount, SettlementStatus

#: Claim statuses whose reserves may be set.
RESERVABLE = frozenset({ClaimStatus.OPEN, ClaimStatus.REFERRED, ClaimStatus.REOPENED})


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
            claim_transaction("reserve", policy, claim, values.get("reason") or "reserve change"),
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

    return on_locked_claim(
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
            claim_transaction("recovery", policy, claim, memo),
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

    return on_locked_claim(
        uow_factory,
        principal,
        claim_id,
        idempotency_key,
        operation=f"recover on claim {claim_id}",
        payload=dict(values),
        create=create,
    )


def on_locked_claim(
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

    def run(uow: UnitOfWork, policy: Policy) -> list[int]:
        return create(uow, policy, visible_claim(uow, principal, claim_id))

    return on_locked_policy(
        uow_factory,
        principal,
        policy_id,
        idempotency_key,
        operation=operation,
        payload=payload,
        create=run,
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
    legs = release_legs(money)
    if legs:
        policy = uow.policies.get(claim.policy_id)
        assert policy is not None
        uow.ledger.post(claim_transaction("reserve", policy, claim, memo), legs)


def release_legs(money: Money) -> list[tuple[str, Decimal]]:
    total = money.indemnity_reserve + money.expense_reserve
    if not (money.indemnity_reserve or money.expense_reserve):
        return []
    return [
        (LedgerAccount.CASE_RESERVE, -money.indemnity_reserve),
        (LedgerAccount.EXPENSE_RESERVE, -money.expense_reserve),
        (LedgerAccount.RESERVE_EXPENSE, total),
    ]


def claim_transaction(kind: str, policy: Policy, claim: Claim, memo: str) -> LedgerTransaction:
    return LedgerTransaction(
        kind=kind,
        policy_id=policy.id,
        claim_id=claim.id,
        effective_date=clock.today(),
        memo=memo[:2000],
    )
