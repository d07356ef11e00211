"""Claims, their settlements and the ledger balances that settle them; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from underwriting.db.repositories import Repository
from underwriting.db.tables import (
    Claim,
    ClaimSettlement,
    Engagement,
    LedgerEntry,
    LedgerTransaction,
    ServiceRecord,
)
from underwriting.vocabulary import SettlementStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class GroupUsage:
    """What the paid settlements of one related-claims group have used, CNY."""

    indemnity: Decimal = ZERO
    defence: Decimal = ZERO
    deductible: Decimal = ZERO
    charged_to_aggregate: Decimal = ZERO


class ClaimRepository(Repository[Claim]):
    def first_of_group(self, policy_id: int, incident_id: int) -> int | None:
        """The id of the first claim from ``incident_id`` on ``policy_id``: its group's id."""
        query = select(func.min(Claim.id)).where(
            Claim.policy_id == policy_id, Claim.incident_id == incident_id
        )
        return self.session.scalar(query)

    def group_members(self, group_ids: Sequence[int]) -> dict[int, list[int]]:
        """{group id: its claims' ids, oldest first}."""
        query = (
            select(Claim.related_group_id, Claim.id)
            .where(Claim.related_group_id.in_(list(group_ids)))
            .order_by(Claim.id)
        )
        found: dict[int, list[int]] = {g: [] for g in group_ids}
        for group, claim in self.session.execute(query):
            found[group].append(claim)
        return found

    def settlements(self, claim_id: int) -> list[ClaimSettlement]:
        query = select(ClaimSettlement).where(ClaimSettlement.claim_id == claim_id)
        return list(self.session.scalars(query.order_by(ClaimSettlement.id)))

    def settlement(self, claim_id: int, settlement_id: int) -> ClaimSettlement | None:
        query = select(ClaimSettlement).where(
            ClaimSettlement.id == settlement_id, ClaimSettlement.claim_id == claim_id
        )
        return self.session.scalars(query).first()

    def settlement_by_id(self, settlement_id: int) -> ClaimSettlement | None:
        return self.session.get(ClaimSettlement, settlement_id)

    def pending(self, claim_id: int) -> ClaimSettlement | None:
        query = select(ClaimSettlement).where(
            ClaimSettlement.claim_id == claim_id,
            ClaimSettlement.status == SettlementStatus.PENDING,
        )
        return self.session.scalars(query).first()

    def add_settlement(self, row: ClaimSettlement) -> ClaimSettlement:
        self.session.add(row)
        return row

    def usage(self, *, policy_id: int) -> dict[int, GroupUsage]:
        """{group id: what its paid settlements used} for every group of the policy."""
        query = (
            select(
                ClaimSettlement.group_id,
                func.sum(ClaimSettlement.indemnity),
                func.sum(ClaimSettlement.defence),
                func.sum(ClaimSettlement.deductible_applied),
                func.sum(ClaimSettlement.charged_to_aggregate),
            )
            .where(
                ClaimSettlement.policy_id == policy_id,
                ClaimSettlement.status == SettlementStatus.PAID,
            )
            .group_by(ClaimSettlement.group_id)
        )
        return {
            group: GroupUsage(*(Decimal(total or 0).quantize(ZERO) for total in totals))
            for group, *totals in self.session.execute(query)
        }

    def group_usage(self, group_id: int) -> GroupUsage:
        """What the paid settlements of one group have used."""
        query = select(
            func.sum(ClaimSettlement.indemnity),
            func.sum(ClaimSettlement.defence),
            func.sum(ClaimSettlement.deductible_applied),
            func.sum(ClaimSettlement.charged_to_aggregate),
        ).where(
            ClaimSettlement.group_id == group_id,
            ClaimSettlement.status == SettlementStatus.PAID,
        )
        totals = self.session.execute(query).one()
        return GroupUsage(*(Decimal(total or 0).quantize(ZERO) for total in totals))

    def pending_total(self, policy_id: int) -> Decimal:
        """Σ of what the policy's pending settlements would pay, as computed when asked."""
        query = select(func.sum(ClaimSettlement.indemnity + ClaimSettlement.defence)).where(
            ClaimSettlement.policy_id == policy_id,
            ClaimSettlement.status == SettlementStatus.PENDING,
        )
        return Decimal(self.session.scalar(query) or 0).quantize(ZERO)

    def groups_of_policy(self, policy_id: int) -> list[tuple[int, int]]:
        """(group id, incident id) of every related-claims group on the policy."""
        query = (
            select(Claim.id, Claim.incident_id)
            .where(Claim.policy_id == policy_id, Claim.related_group_id == Claim.id)
            .order_by(Claim.id)
        )
        return [(group, incident) for group, incident in self.session.execute(query)]

    def balances(self, claim_id: int) -> dict[str, Decimal]:
        """{account: Σ legs} over the claim's ledger transactions; debits positive, CNY."""
        return self._balances(LedgerTransaction.claim_id == claim_id)

    def policy_balances(self, policy_id: int) -> dict[str, Decimal]:
        """{account: Σ legs} over the ledger transactions of the policy's claims."""
        return self._balances(
            LedgerTransaction.policy_id == policy_id, LedgerTransaction.claim_id.is_not(None)
        )

    def _balances(self, *where) -> dict[str, Decimal]:
        query = (
            select(LedgerEntry.account, func.sum(LedgerEntry.amount))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(*where)
            .group_by(LedgerEntry.account)
        )
        return {account: Decimal(total) for account, total in self.session.execute(query)}

    def records_at(
        self, firm_id: int, enterprise_id: int, *, start: date, end: date
    ) -> list[ServiceRecord]:
        """The firm's service records at the enterprise visited in [start, end], with their
        findings, of every engagement between the two (a visit counts whatever contract it
        was made under)."""
        engagements = select(Engagement.id).where(
            Engagement.firm_id == firm_id, Engagement.enterprise_id == enterprise_id
        )
        query = select(ServiceRecord).where(
            ServiceRecord.engagement_id.in_(engagements),
            ServiceRecord.visit_date >= start,
            ServiceRecord.visit_date <= end,
        )
        return list(self.session.scalars(query.order_by(ServiceRecord.id)))
