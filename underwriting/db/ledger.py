"""The double-entry ledger: a transaction's legs sum to zero, checked before they are staged."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from underwriting.db.tables import LedgerEntry, LedgerTransaction


class UnbalancedPosting(ValueError):
    """Legs that do not sum to zero: a programming error, never a user's."""


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def post(
        self, transaction: LedgerTransaction, legs: Sequence[tuple[str, Decimal]]
    ) -> LedgerTransaction:
        """Stage ``transaction`` with its (account, amount) legs; debits positive."""
        if sum((amount for _, amount in legs), Decimal(0)) != 0:
            raise UnbalancedPosting(f"legs must sum to zero; got ({legs!r})")
        self.session.add(transaction)
        self.session.flush()  # the legs need the transaction's id
        self.session.add_all(
            LedgerEntry(transaction_id=transaction.id, account=account, amount=amount)
            for account, amount in legs
            if amount
        )
        return transaction
