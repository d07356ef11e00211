"""Cancellation and reinstatement.

| by | basis | premium returned |
|---|---|---|
| the insured | short rate (``SHORT_RATE_TABLE``) | written × (1 − max(short rate, 25%)) |
| the insurer | pro rata by actual days | every transaction's unearned part |
| either, from inception | flat | everything written |

The 25% minimum retained premium keeps an insured from buying a month of cover at a
month's price and walking away; an insurer's cancellation returns the exact unearned
premium. Endorsements effective after the cancellation date are reversed first: that cover
never ran. A cancelled policy may be reinstated within ``REINSTATEMENT_DAYS`` of its
cancellation date: the cancellation is reversed, the returned premium charged back, and the
cover runs on without a gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pricing import PremiumSlice, PricingError, cancellation_refund
from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.audit_trail import record
from underwriting.db.tables import Policy
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.endorsements import TERM_KINDS, PolicyBook, check_in_period, on_locked_policy
from underwriting.errors import Conflict, InvalidInput
from underwriting.idempotency import Created
from underwriting.rating_models import model_version
from underwriting.vocabulary import PolicyStatus
from underwriting.vocabulary import PolicyTransactionKind as Kind

#: Who asked, and the basis of the return premium.
BASIS = {"insured": "short_rate", "insurer": "pro_rata", "flat": "flat"}
REINSTATEMENT_DAYS = 30


def cancel(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    policy_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Cancel a policy from ``values["effective_date"]`` (``by``: insured, insurer, flat)."""
    require_create(principal, Resource.POLICY)

    def create(uow: UnitOfWork, policy: Policy) -> list[int]:
        if policy.status != PolicyStatus.IN_FORCE:
            raise Conflict("status", policy.status, "only a policy in force can be cancelled")
        day = values.get("effective_date") or policy.effective_date
        if values["by"] == "flat" and day != policy.effective_date:
            raise InvalidInput(
                "effective_date", day.isoformat(), "a flat cancellation runs from inception"
            )
        check_in_period(policy, day)
        book = PolicyBook(uow, principal, policy, model_version(uow, policy.model_version))
        book.reverse_after(day)
        ident = _book_refund(book, day, values)
        policy.status, policy.cancelled_date = PolicyStatus.CANCELLED, day
        record(
            uow,
            principal,
            "policy.cancel",
            subject=("policy", policy.id),
            reason=values["reason"],
            values={"by": values["by"], "effective_date": day.isoformat()},
        )
        return [ident]

    payload = {"policy": policy_id, **values}
    return on_locked_policy(
        uow_factory,
        principal,
        policy_id,
        idempotency_key,
        operation="cancel",
        payload=payload,
        create=create,
    )


def _book_refund(book: PolicyBook, day: date, values: Mapping[str, Any]) -> int:
    policy = book.policy
    slices = [
        PremiumSlice(delta_fen=int(t.premium_delta * 100), start=t.effective_date)
        # A reinstated cancellation and its reinstatement net to zero, as does a reversed
        # endorsement with its reversal: the live term-setting transactions are the premium.
        for t in book.live(*TERM_KINDS)
    ]
    try:
        refund = cancellation_refund(
            slices,
            basis=BASIS[values["by"]],
            effective=policy.effective_date,
            expiry=policy.expiry_date,
            cancel=day,
        )
    except PricingError as error:
        raise InvalidInput(error.field or "effective_date", error.value, str(error)) from None
    returned = Decimal(refund.returned_fen).scaleb(-2)
    return book.add(
        Kind.CANCELLATION,
        day,
        -returned,
        values["reason"],
        {
            "by": values["by"],
            "basis": refund.basis,
            "returned": f"{returned:.2f}",
            "retained": f"{Decimal(refund.retained_fen).scaleb(-2):.2f}",
            "explanation": refund.explanation,
        },
    )


def reinstate(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    policy_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Undo a cancellation within the window: cover resumes from the cancellation date."""
    require_create(principal, Resource.POLICY)

    def create(uow: UnitOfWork, policy: Policy) -> list[int]:
        if policy.status != PolicyStatus.CANCELLED:
            raise Conflict("status", policy.status, "only a cancelled policy can be reinstated")
        deadline = date.fromordinal(policy.cancelled_date.toordinal() + REINSTATEMENT_DAYS)
        if clock.today() > deadline:
            raise Conflict(
                "cancelled_date",
                policy.cancelled_date.isoformat(),
                f"the {REINSTATEMENT_DAYS}-day reinstatement window closed on {deadline}",
            )
        book = PolicyBook(uow, principal, policy, model_version(uow, policy.model_version))
        cancellation = book.live(Kind.CANCELLATION)[-1]
        ident = book.add(
            Kind.REINSTATEMENT,
            cancellation.effective_date,
            -cancellation.premium_delta,
            values["reason"],
            {"reinstates": cancellation.id},
        )
        cancellation.reversed_by_id = ident
        policy.status, policy.cancelled_date = PolicyStatus.IN_FORCE, None
        record(
            uow,
            principal,
            "policy.reinstate",
            subject=("policy", policy.id),
            reason=values["reason"],
            values={"cancellation": cancellation.id},
        )
        return [ident]

    payload = {"policy": policy_id, **values}
    return on_locked_policy(
        uow_factory,
        principal,
        policy_id,
        idempotency_key,
        operation="reinstate",
        payload=payload,
        create=create,
    )
