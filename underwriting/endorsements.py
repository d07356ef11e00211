"""Mid-term changes: add or remove engagements, change limits or deductible, from a date.

The premium change of an endorsement effective on day *D* is pro rata by actual days:
``(full-term premium after − full-term premium before) × days(D, expiry) / days(period)``,
both full-term premiums rated with the policy's own model version from its frozen inputs,
rounded once to the fen (``pricing.proration.pro_rata_fen``). A 2028 policy has 366 days.

An endorsement dated before one already on the policy is *out of sequence*: the later ones
are reversed (a ``reversal`` transaction each, marking the original ``reversed_by``), the
new one applied on the terms of its own date, and the later ones re-applied on top, each
re-priced. Every transaction records the terms and full-term premium before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pricing import RatingModel, pro_rata_fen
from pricing.worksheet import book_inputs
from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.audit_trail import record
from underwriting.db.tables import Policy, PolicyTransaction
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.idempotency import Created, create_once
from underwriting.policy_terms import Terms, full_term_premium, terms_on, with_client_rows
from underwriting.premium_ledger import post_premium
from underwriting.quotes import authority_of
from underwriting.rating_book import build_rating_book
from underwriting.rating_models import model_version
from underwriting.vocabulary import PolicyStatus
from underwriting.vocabulary import PolicyTransactionKind as Kind

CHANGES = (
    "add_engagement_ids",
    "remove_engagement_ids",
    "per_claim_limit",
    "aggregate_limit",
    "deductible",
    "defence_inside",
)
#: Transactions that set terms and may be reversed and re-applied.
TERM_KINDS = (Kind.NEW_BUSINESS, Kind.RENEWAL, Kind.ENDORSEMENT)


def endorse(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    policy_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Apply one endorsement (``values``: effective_date, reason and the changes)."""
    require_create(principal, Resource.POLICY)
    change = {name: values.get(name) for name in CHANGES if values.get(name) is not None}
    if not change:
        raise InvalidInput("body", None, f"names no change; give one of {', '.join(CHANGES)}")

    def create(uow: UnitOfWork, policy: Policy) -> list[int]:
        model = model_version(uow, policy.model_version)
        day = values["effective_date"]
        _check(uow, principal, policy, day, change)
        book = PolicyBook(uow, principal, policy, model)
        book.admit(change.get("add_engagement_ids") or [])
        ids = book.insert(day, change, values["reason"])
        record(
            uow,
            principal,
            "policy.endorse",
            subject=("policy", policy.id),
            reason=values["reason"],
            values={"effective_date": day.isoformat(), "change": _jsonable(change)},
        )
        return ids

    payload = {"policy": policy_id, **values}
    return on_locked_policy(
        uow_factory,
        principal,
        policy_id,
        idempotency_key,
        operation="endorse",
        payload=payload,
        create=create,
    )


def on_locked_policy(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    policy_id: int,
    idempotency_key: str | None,
    *,
    operation: str,
    payload: Any,
    create: Callable[[UnitOfWork, Policy], list[int]],
) -> Created:
    """Run ``create`` once per key on the policy, locked once, first thing in the
    transaction — before the replay check, so a racing retry waits, then replays."""
    held: list[Policy] = []

    def lock(uow: UnitOfWork) -> None:
        held[:] = [locked_policy(uow, principal, policy_id)]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation=operation,
        payload=payload,
        create=lambda uow: create(uow, held[0]),
        lock=lock,
    )


def locked_policy(uow: UnitOfWork, principal: Principal, policy_id: int) -> Policy:
    policy = uow.policies.lock(policy_id, principal)
    if policy is None:
        raise NotFound("policy", policy_id)
    return policy


def check_in_period(policy: Policy, day: date) -> None:
    """Refuse a change dated outside [effective, expiry), naming ``effective_date``."""
    if not policy.effective_date <= day < policy.expiry_date:
        raise InvalidInput(
            "effective_date",
            day.isoformat(),
            f"must be inside the policy period [{policy.effective_date}, {policy.expiry_date})",
        )


def _check(
    uow: UnitOfWork, principal: Principal, policy: Policy, day: date, change: Mapping[str, Any]
) -> None:
    if policy.status != PolicyStatus.IN_FORCE:
        raise Conflict("status", policy.status, "only a policy in force can be endorsed")
    check_in_period(policy, day)
    both = set(change.get("add_engagement_ids") or ()) & set(
        change.get("remove_engagement_ids") or ()
    )
    if both:
        raise InvalidInput("add_engagement_ids", min(both), "is also being removed")
    aggregate = change.get("aggregate_limit")
    if aggregate is not None:
        used = policy.aggregate_limit - policy.aggregate_remaining
        if Decimal(aggregate) < used:
            raise InvalidInput(
                "aggregate_limit", str(aggregate), f"is below the {used} CNY already paid"
            )
        authority = authority_of(principal)
        if Decimal(aggregate) > authority:
            raise Conflict(
                "aggregate_limit", str(aggregate), f"exceeds this key's authority of {authority}"
            )


@dataclass
class PolicyBook:
    """One policy's transactions being rewritten inside a use case's unit of work."""

    uow: UnitOfWork
    principal: Principal
    policy: Policy
    model: RatingModel

    def __post_init__(self) -> None:
        self.history = self.uow.policies.transactions(self.policy.id)

    def admit(self, engagement_ids: list[int]) -> None:
        """Rate the new engagements' client rows from the data as of today and freeze them."""
        new = sorted(set(engagement_ids) - set(self.policy.rating_inputs["engagement_ids"]))
        if not new:
            return
        policy = self.policy
        try:
            book = self._book_of(new)
        except InvalidInput as error:
            raise InvalidInput("add_engagement_ids", error.value, error.message) from None
        rows = book_inputs(book, 0)["clients"]  # build_rating_book kept them in id order
        policy.rating_inputs = with_client_rows(policy.rating_inputs, new, rows)

    def _book_of(self, engagement_ids: list[int]):
        policy = self.policy
        return build_rating_book(
            self.uow,
            [policy.firm_id],
            effective=policy.effective_date,
            expiry=policy.expiry_date,
            retro=[policy.retro_date],
            on=clock.today(),
            model=self.model,
            engagement_ids=engagement_ids,
        )

    def insert(self, day: date, change: Mapping[str, Any], reason: str) -> list[int]:
        """Reverse what is later than ``day``, apply the change, re-apply the later ones."""
        _check_against(terms_on(self.live_terms(), day), change)
        later = sorted(
            (t for t in self.live(Kind.ENDORSEMENT) if t.effective_date > day),
            key=lambda t: (t.effective_date, t.sequence),
        )
        for original in reversed(later):
            self._reverse(original)
        made = [self._apply(day, change, reason, {})]
        for original in later:
            again = {"reapplies": original.id}
            made.append(
                self._apply(
                    original.effective_date, original.details["change"], original.reason, again
                )
            )
        self._settle()
        return [t.id for t in made]

    def reverse_after(self, day: date) -> None:
        """Reverse every live endorsement effective after ``day`` (a cancellation's)."""
        for original in sorted(
            (t for t in self.live(Kind.ENDORSEMENT) if t.effective_date > day),
            key=lambda t: (t.effective_date, t.sequence),
            reverse=True,
        ):
            self._reverse(original)

    def live_terms(self) -> list[PolicyTransaction]:
        return self.live(*TERM_KINDS)

    def live(self, *kinds: str) -> list[PolicyTransaction]:
        return [t for t in self.history if t.kind in kinds and t.reversed_by_id is None]

    def _reverse(self, original: PolicyTransaction) -> None:
        reversal = self._add(
            Kind.REVERSAL,
            original.effective_date,
            -original.premium_delta,
            f"reverses transaction {original.id} before an out-of-sequence endorsement",
            {
                "reverses": original.id,
                "before": original.details["after"],
                "after": original.details["before"],
            },
        )
        original.reversed_by_id = reversal.id
        self.uow.flush()

    def _apply(
        self, day: date, change: Mapping[str, Any], reason: str, extra: dict[str, Any]
    ) -> PolicyTransaction:
        before = terms_on(self.live_terms(), day)
        after = before.changed(change)
        rated = [
            full_term_premium(self.policy.firm_id, self.policy.rating_inputs, t, self.model)
            for t in (before, after)
        ]
        delta = self._pro_rata(rated[1].premium - rated[0].premium, day)
        return self._add(
            Kind.ENDORSEMENT,
            day,
            delta,
            reason,
            extra
            | {
                "change": _jsonable(change),
                "before": before.to_dict(),
                "after": after.to_dict(),
                "full_term_before": str(rated[0].premium),
                "full_term_after": str(rated[1].premium),
                "days": [(self.policy.expiry_date - day).days, self._period_days()],
            },
        )

    def _pro_rata(self, amount: Decimal, day: date) -> Decimal:
        fen = pro_rata_fen(
            int(amount * 100),
            days=(self.policy.expiry_date - day).days,
            of_days=self._period_days(),
        )
        return Decimal(fen).scaleb(-2)

    def _period_days(self) -> int:
        return (self.policy.expiry_date - self.policy.effective_date).days

    def _add(
        self, kind: str, day: date, delta: Decimal, reason: str, details: dict[str, Any]
    ) -> PolicyTransaction:
        row = self.uow.policies.add_transaction(
            PolicyTransaction(
                policy_id=self.policy.id,
                sequence=max((t.sequence for t in self.history), default=0) + 1,
                kind=kind,
                effective_date=day,
                premium_delta=delta,
                reason=reason,
                details=details,
                created_by_key_id=self.principal.key_id,
            )
        )
        self.uow.flush()
        self.history.append(row)
        post_premium(self.uow, self.policy, delta, effective=day, memo=f"{kind} {row.id}")
        return row

    def add(self, kind: str, day: date, delta: Decimal, reason: str, details: dict) -> int:
        """Append one transaction (a cancellation, a reinstatement) and settle the policy."""
        row = self._add(kind, day, delta, reason, details)
        self._settle()
        return row.id

    def _settle(self) -> None:
        """Bring the policy row to its final terms and its written premium."""
        policy = self.policy
        final = terms_on(self.live_terms(), policy.expiry_date)
        used = policy.aggregate_limit - policy.aggregate_remaining
        policy.per_claim_limit, policy.deductible = final.per_claim_limit, final.deductible
        policy.aggregate_limit, policy.defence_inside = final.aggregate_limit, final.defence_inside
        policy.aggregate_remaining = final.aggregate_limit - used
        policy.premium = full_term_premium(
            policy.firm_id, policy.rating_inputs, final, self.model
        ).premium
        policy.written_premium = sum((t.premium_delta for t in self.history), Decimal(0))
        self.uow.policies.set_engagements(policy.id, final.engagement_ids)
        self.uow.flush()


def _check_against(terms: Terms, change: Mapping[str, Any]) -> None:
    """Refuse a change that adds a covered engagement, removes an uncovered one, or does
    nothing at all, judged on the terms of the endorsement's own date."""
    for e in change.get("add_engagement_ids") or ():
        if e in terms.engagement_ids:
            raise InvalidInput("add_engagement_ids", e, "is already covered on that date")
    for e in change.get("remove_engagement_ids") or ():
        if e not in terms.engagement_ids:
            raise InvalidInput("remove_engagement_ids", e, "is not covered on that date")
    if terms.changed(change) == terms:
        raise InvalidInput("body", None, "changes nothing: the terms are already so")


def _jsonable(change: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in change.items()}
