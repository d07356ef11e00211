"""Policies, claims and ledger postings written as rows, for the coverage and loss-run tests.

The quote/bind and claims use cases arrive with their own issues; until then these tests
write what those use cases would have written, through a unit of work, every non-null
column filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from tests.small_book import SmallBook
from underwriting import clock
from underwriting.db.tables import (
    Claim,
    Incident,
    LedgerEntry,
    LedgerTransaction,
    Policy,
    PolicyEngagement,
    PolicyTransaction,
)
from underwriting.db.uow import UnitOfWorkFactory


def write_policy(
    uows: UnitOfWorkFactory,
    book: SmallBook,
    number: str,
    *,
    effective: date,
    expiry: date,
    firm: str = "firm_a",
    insurer: str = "insurer_1",
    engagements: Sequence[str] = ("engagement_a",),
    status: str = "in_force",
    cancelled: date | None = None,
    premium: Decimal | None = Decimal("12000.00"),
) -> int:
    """A bound policy with its engagements and its new-business transaction; its id.
    Written premium is the full-term premium (no endorsement or cancellation refund)."""
    underwriter = book.principals["underwriter"].key_id
    with uows() as uow:
        policy = uow.policies.add(
            Policy(
                number=number,
                quote_id=None,
                firm_id=book.ids[firm],
                insurer_id=book.ids[insurer],
                model_version="pl-2026.1",
                effective_date=effective,
                expiry_date=expiry,
                retro_date=effective,
                per_claim_limit=Decimal("1000000.00"),
                aggregate_limit=Decimal("3000000.00"),
                deductible=Decimal("10000.00"),
                defence_inside=True,
                aggregate_remaining=Decimal("3000000.00"),
                status=status,
                premium=premium,
                written_premium=premium,
                rating_inputs={},
                cancelled_date=cancelled,
                created_by_key_id=underwriter,
            )
        )
        uow.flush()
        for name in engagements:
            uow.session.add(PolicyEngagement(policy_id=policy.id, engagement_id=book.ids[name]))
        uow.session.add(
            PolicyTransaction(
                policy_id=policy.id,
                sequence=1,
                kind="new_business",
                effective_date=effective,
                premium_delta=premium or Decimal("0.00"),
                reason="new business",
                details={},
                created_by_key_id=underwriter,
            )
        )
        uow.commit()
        return policy.id


def write_claim(
    uows: UnitOfWorkFactory,
    book: SmallBook,
    policy_id: int,
    *,
    occurred: datetime,
    made: date,
    enterprise: str = "enterprise_x",
    accident_type: str = "fire",
    status: str = "open",
) -> int:
    """An incident at ``enterprise`` (``occurred`` is China time) and a claim on it; the
    claim's id."""
    with uows() as uow:
        incident = Incident(
            enterprise_id=book.ids[enterprise],
            occurred_at=occurred.replace(tzinfo=clock.CHINA),
            accident_type=accident_type,
            deaths=0,
            serious_injuries=1,
            minor_injuries=2,
            direct_loss=Decimal("250000.00"),
            grade="general",
            description="仓库起火",
            reported_by_id=book.ids[enterprise],
        )
        uow.session.add(incident)
        uow.flush()
        claim = Claim(
            policy_id=policy_id,
            incident_id=incident.id,
            first_made_date=made,
            claimant="受害职工",
            heads_of_damage=[{"head": "medical", "amount": "50000.00"}],
            status=status,
        )
        uow.session.add(claim)
        uow.flush()
        uow.commit()
        return claim.id


def post(
    uows: UnitOfWorkFactory,
    *,
    policy_id: int,
    claim_id: int | None,
    on: date,
    kind: str,
    legs: Sequence[tuple[str, Decimal]],
) -> None:
    """One ledger transaction; its legs (debits positive) must sum to zero."""
    assert sum((amount for _, amount in legs), Decimal(0)) == 0, legs
    with uows() as uow:
        transaction = LedgerTransaction(
            kind=kind, policy_id=policy_id, claim_id=claim_id, effective_date=on, memo=kind
        )
        uow.session.add(transaction)
        uow.flush()
        for account, amount in legs:
            uow.session.add(
                LedgerEntry(transaction_id=transaction.id, account=account, amount=amount)
            )
        uow.commit()


def reserve(uows: UnitOfWorkFactory, policy_id: int, claim_id: int, amount: str, on: date) -> None:
    """Raise the claim's case reserve by ``amount``."""
    money = Decimal(amount)
    legs = [("case_reserve", money), ("reserve_expense", -money)]
    post(uows, policy_id=policy_id, claim_id=claim_id, on=on, kind="reserve", legs=legs)


def pay(uows: UnitOfWorkFactory, policy_id: int, claim_id: int, amount: str, on: date) -> None:
    """Pay ``amount`` on the claim out of its case reserve."""
    money = Decimal(amount)
    legs = [
        ("claims_paid", money),
        ("cash", -money),
        ("case_reserve", -money),
        ("reserve_expense", money),
    ]
    post(uows, policy_id=policy_id, claim_id=claim_id, on=on, kind="payment", legs=legs)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12))


def reserve_defence(
    uows: UnitOfWorkFactory, policy_id: int, claim_id: int, amount: str, on: date
) -> None:
    """Raise the claim's expense reserve (for defence costs) by ``amount``."""
    money = Decimal(amount)
    legs = [("expense_reserve", money), ("reserve_expense", -money)]
    post(uows, policy_id=policy_id, claim_id=claim_id, on=on, kind="reserve", legs=legs)


def pay_defence(
    uows: UnitOfWorkFactory, policy_id: int, claim_id: int, amount: str, on: date
) -> None:
    """Pay ``amount`` of defence costs on the claim out of its expense reserve."""
    money = Decimal(amount)
    legs = [
        ("defence_paid", money),
        ("cash", -money),
        ("expense_reserve", -money),
        ("reserve_expense", money),
    ]
    post(uows, policy_id=policy_id, claim_id=claim_id, on=on, kind="payment", legs=legs)


def recover(uows: UnitOfWorkFactory, policy_id: int, claim_id: int, amount: str, on: date) -> None:
    """Receive ``amount`` recovered on the claim (from a third party)."""
    money = Decimal(amount)
    legs = [("cash", money), ("recoveries", -money)]
    post(uows, policy_id=policy_id, claim_id=claim_id, on=on, kind="recovery", legs=legs)
