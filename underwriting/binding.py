"""Referral decisions and binding: where an accepted quote becomes a policy.

A referred quote is decided by a second underwriter whose authority covers every option's
aggregate limit. A bind issues one policy from a valid, accepted, unexpired quote whose
conditions to bind are met; the quote row is locked for the check, and a unique index on
``policy.quote_id`` settles two binds racing each other, so one quote never makes two
policies. The bind request carries an ``Idempotency-Key``: a retry returns the same policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.audit_trail import record
from underwriting.db.tables import Policy, PolicyTransaction, Quote
from underwriting.db.uow import ConstraintViolated, UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.guidelines import has_recent_audit
from underwriting.idempotency import Created, create_once, replay
from underwriting.premium_ledger import post_premium
from underwriting.quotes import QuoteView, authority_of, get_quote
from underwriting.vocabulary import (
    PolicyStatus,
    PolicyTransactionKind,
    QuoteDecision,
    QuoteStatus,
)

#: The unique constraints a racing bind can lose on, and what losing means.
ALREADY = {
    "uq_policy_quote_id": "is already bound",
    "uq_policy_renewal_of_policy_id": "renews a policy that is already renewed",
}


def decide_referral(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    quote_id: int,
    *,
    decision: str,
    reason: str,
) -> QuoteView:
    """Accept or decline a referred quote, with a reason, by an underwriter with authority."""
    require_create(principal, Resource.QUOTE)
    with uow_factory() as uow:
        quote = _locked_quote(uow, principal, quote_id)
        if quote.decision != QuoteDecision.REFER:
            raise Conflict("decision", quote.decision, "only a referred quote can be decided")
        if quote.created_by_key_id == principal.key_id:
            raise Conflict(
                "quote_id", quote_id, "was quoted with this key; a second underwriter decides"
            )
        largest = max(Decimal(o["aggregate_limit"]) for o in quote.options)
        authority = authority_of(principal)
        if decision == QuoteDecision.ACCEPT and largest > authority:
            raise Conflict(
                "decision",
                decision,
                f"accepting needs authority for {largest} CNY; this key has {authority} CNY",
            )
        quote.decision = decision
        quote.referral = {
            "decision": decision,
            "reason": reason,
            "decided_by_key_id": principal.key_id,
            "decided_at": clock.now().isoformat(),
        }
        record(
            uow,
            principal,
            "quote.referral",
            subject=("quote", quote_id),
            reason=reason,
            values={"decision": decision, "authority": str(authority)},
        )
        uow.commit()
    return get_quote(uow_factory, principal, quote_id)


def bind(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    quote_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str,
) -> Created:
    """Issue the policy of option ``values["option_index"]`` of the quote."""
    require_create(principal, Resource.POLICY)

    def create(uow: UnitOfWork) -> list[int]:
        return [_issue(uow, principal, quote_id, values["option_index"]).id]

    request = {"operation": f"bind quote {quote_id}", "payload": dict(values)}
    try:
        return create_once(uow_factory, principal, idempotency_key, **request, create=create)
    except (Conflict, ConstraintViolated) as error:
        # A retry racing its own first request finds the quote bound: answer as the first.
        if first := replay(uow_factory, principal, idempotency_key, **request):
            return first
        if isinstance(error, ConstraintViolated):
            if error.constraint not in ALREADY:
                raise
            raise Conflict("quote_id", quote_id, ALREADY[error.constraint]) from error
        raise


def _issue(uow: UnitOfWork, principal: Principal, quote_id: int, index: int) -> Policy:
    quote = _locked_quote(uow, principal, quote_id)
    _check_bindable(uow, quote, index)
    option = quote.options[index]
    premium = Decimal(option["premium"])
    renewal_of = quote.inputs.get("renewal_of_policy_id")
    policy = uow.policies.add(
        Policy(
            number=f"SL{quote.effective_date.year}-{quote.id:06d}",
            quote_id=quote.id,
            firm_id=quote.firm_id,
            insurer_id=quote.insurer_id,
            model_version=quote.model_version,
            effective_date=quote.effective_date,
            expiry_date=quote.expiry_date,
            retro_date=quote.retro_date,
            per_claim_limit=Decimal(option["per_claim_limit"]),
            aggregate_limit=Decimal(option["aggregate_limit"]),
            deductible=Decimal(option["deductible"]),
            defence_inside=option["defence_inside"],
            aggregate_remaining=Decimal(option["aggregate_limit"]),
            status=PolicyStatus.IN_FORCE,
            premium=premium,
            written_premium=premium,
            rating_inputs=quote.inputs,
            renewal_of_policy_id=renewal_of,
            created_by_key_id=principal.key_id,
        )
    )
    uow.flush()
    uow.policies.set_engagements(policy.id, quote.inputs["engagement_ids"])
    kind = PolicyTransactionKind.RENEWAL if renewal_of else PolicyTransactionKind.NEW_BUSINESS
    uow.policies.add_transaction(
        PolicyTransaction(
            policy_id=policy.id,
            sequence=1,
            kind=kind,
            effective_date=policy.effective_date,
            premium_delta=premium,
            reason=f"bound from quote {quote.id}, option {index}",
            details={
                "after": terms_of(option) | {"engagement_ids": quote.inputs["engagement_ids"]},
                "full_term_after": str(premium),
            },
            created_by_key_id=principal.key_id,
        )
    )
    post_premium(uow, policy, premium, effective=policy.effective_date, memo=kind.value)
    quote.status = QuoteStatus.BOUND
    record(
        uow,
        principal,
        "quote.bind",
        subject=("policy", policy.id),
        values={
            "quote_id": quote.id,
            "option_index": index,
            "number": policy.number,
            "premium": str(premium),
        },
    )
    uow.flush()
    return policy


def terms_of(option: Mapping[str, Any]) -> dict[str, Any]:
    """The limit terms of a stored option (CNY strings) — what an endorsement may change."""
    return {
        name: option[name]
        for name in ("per_claim_limit", "aggregate_limit", "deductible", "defence_inside")
    }


def _locked_quote(uow: UnitOfWork, principal: Principal, quote_id: int) -> Quote:
    quote = uow.quotes.lock(quote_id, principal)
    if quote is None:
        raise NotFound("quote", quote_id)
    return quote


def _check_bindable(uow: UnitOfWork, quote: Quote, index: int) -> None:
    if quote.status == QuoteStatus.BOUND:
        bound = uow.policies.by_quote(quote.id)
        raise Conflict("quote_id", quote.id, f"is already bound to policy {bound.number}")
    if quote.status != QuoteStatus.OPEN:
        raise Conflict("status", quote.status, "only an open quote can be bound")
    if quote.decision != QuoteDecision.ACCEPT:
        raise Conflict(
            "decision",
            quote.decision,
            "only an accepted quote can be bound (a referral "
            "must be accepted first; a declined quote never)",
        )
    today = clock.today()
    if quote.valid_until_date < today:
        raise Conflict(
            "valid_until", quote.valid_until_date.isoformat(), "the quote has expired; quote again"
        )
    if not 0 <= index < len(quote.options):
        raise InvalidInput("option_index", index, f"must be 0 to {len(quote.options) - 1}")
    renews = quote.inputs.get("renewal_of_policy_id")
    if renews and (other := uow.policies.renewed_by(renews)) is not None:
        raise Conflict(
            "quote_id", quote.id, f"policy {renews} is already renewed by {other.number}"
        )
    unmet = [s for s in quote.subjectivities if not _met(uow, quote, s["code"])]
    if unmet:
        raise Conflict("subjectivities", unmet[0]["code"], f"not met: {unmet[0]['text']}")


def _met(uow: UnitOfWork, quote: Quote, code: str) -> bool:
    """Whether a condition to bind is met now, by the data as of today."""
    today = clock.today()
    if code == "recent_audit":
        audits = uow.rating_inputs.last_audits(quote.firm_id, today, 1)
        return has_recent_audit([d for d, _ in audits], quote.effective_date)
    if code == "qualification_renewal":
        firm = uow.firms.get(quote.firm_id)
        return firm is not None and firm.qualification_expiry_date >= quote.expiry_date
    return False
