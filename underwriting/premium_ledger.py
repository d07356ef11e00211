"""Premium postings: every policy transaction's premium delta is a balanced ledger entry.

Written premium is booked when the policy or its change is processed: the receivable from
the firm is debited and written premium credited; a return premium reverses the legs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from underwriting.db.tables import LedgerTransaction, Policy
from underwriting.db.uow import UnitOfWork
from underwriting.vocabulary import LedgerAccount


def post_premium(
    uow: UnitOfWork, policy: Policy, amount: Decimal, *, effective: date, memo: str
) -> None:
    """Book ``amount`` CNY of written premium (negative: a return); nothing for zero."""
    if amount == 0:
        return
    uow.ledger.post(
        LedgerTransaction(kind="premium", policy_id=policy.id, effective_date=effective, memo=memo),
        [
            (LedgerAccount.PREMIUM_RECEIVABLE, amount),
            (LedgerAccount.PREMIUM_WRITTEN, -amount),
        ],
    )
