"""Repositories of the insurer's business: quotes, policies and their transactions, the trail.

Reads are scoped by the principal like every other repository; ``lock`` reads a row with
``SELECT … FOR UPDATE`` so that two requests changing one quote or policy queue on
PostgreSQL (SQLite serialises writers on its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from underwriting.access import Principal, Resource
from underwriting.db.repositories import Repository
from underwriting.db.scope import visible
from underwriting.db.tables import (
    AuditEvent,
    Claim,
    Engagement,
    Firm,
    Incident,
    LedgerEntry,
    LedgerTransaction,
    Organisation,
    Policy,
    PolicyEngagement,
    PolicyTransaction,
    Quote,
    QuoteReason,
)


class QuoteRepository(Repository[Quote]):
    def lock(self, ident: int, principal: Principal) -> Quote | None:
        query = (
            select(Quote)
            .where(Quote.id == ident, visible(Resource.QUOTE, principal))
            .with_for_update()
        )
        return self.session.scalars(query).first()

    def add_reasons(self, rows: Iterable[QuoteReason]) -> None:
        self.session.add_all(list(rows))

    def reasons(self, quote_ids: Sequence[int]) -> dict[int, list[QuoteReason]]:
        query = select(QuoteReason).where(QuoteReason.quote_id.in_(list(quote_ids)))
        found: dict[int, list[QuoteReason]] = {q: [] for q in quote_ids}
        for row in self.session.scalars(query.order_by(QuoteReason.id)):
            found[row.quote_id].append(row)
        return found

    def reason_counts(
        self, principal: Principal, *, since: date | None
    ) -> list[tuple[str, str, int]]:
        """(outcome, code, number of quotes) over the visible quotes created since ``since``."""
        query = (
            select(QuoteReason.outcome, QuoteReason.code, func.count(func.distinct(Quote.id)))
            .join(Quote, Quote.id == QuoteReason.quote_id)
            .where(visible(Resource.QUOTE, principal))
            .group_by(QuoteReason.outcome, QuoteReason.code)
            .order_by(QuoteReason.outcome, func.count(func.distinct(Quote.id)).desc())
        )
        if since is not None:
            query = query.where(Quote.effective_date >= since)
        return [(o, c, n) for o, c, n in self.session.execute(query)]

    def with_reason(
        self,
        principal: Principal,
        *,
        code: str,
        after: int | None,
        limit: int,
        decision: str | None = None,
        firm_id: int | None = None,
    ) -> Sequence[Quote]:
        query = (
            select(Quote)
            .where(
                visible(Resource.QUOTE, principal),
                Quote.id.in_(select(QuoteReason.quote_id).where(QuoteReason.code == code)),
            )
            .order_by(Quote.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(Quote.id > after)
        if decision is not None:
            query = query.where(Quote.decision == decision)
        if firm_id is not None:
            query = query.where(Quote.firm_id == firm_id)
        return self.session.scalars(query).all()


class PolicyRepository(Repository[Policy]):
    def lock(self, ident: int, principal: Principal) -> Policy | None:
        """The policy, locked until the transaction ends: ``SELECT … FOR UPDATE`` on
        PostgreSQL; on SQLite, whose only lock is the database write lock, a no-op write
        first takes it (waiting out the busy timeout), so call this before any other read
        of the transaction or SQLite may refuse the upgrade of a stale snapshot."""
        if self.session.get_bind().dialect.name == "sqlite":
            touch = update(Policy).where(Policy.id == ident).values(id=Policy.id)
            self.session.execute(touch.execution_options(synchronize_session=False))
        query = (
            select(Policy)
            .where(Policy.id == ident, visible(Resource.POLICY, principal))
            .with_for_update()
        )
        return self.session.scalars(query).first()

    def by_quote(self, quote_id: int) -> Policy | None:
        return self.session.scalars(select(Policy).where(Policy.quote_id == quote_id)).first()

    def renewed_by(self, policy_id: int) -> Policy | None:
        query = select(Policy).where(Policy.renewal_of_policy_id == policy_id)
        return self.session.scalars(query).first()

    def continuous_cover(self, firm_id: int, effective: date) -> Policy | None:
        """The firm's policy that runs up to ``effective`` without a gap, if any: one not
        cancelled that started before ``effective`` and expires on or after it."""
        query = (
            select(Policy)
            .where(
                Policy.firm_id == firm_id,
                Policy.status != "cancelled",
                Policy.effective_date < effective,
                Policy.expiry_date >= effective,
            )
            .order_by(Policy.retro_date)
            .limit(1)
        )
        return self.session.scalars(query).first()

    def engagement_ids(self, policy_id: int) -> list[int]:
        return self.engagement_ids_of([policy_id])[policy_id]

    def engagement_ids_of(self, policy_ids: Sequence[int]) -> dict[int, list[int]]:
        """The covered engagement ids of each policy, in one query."""
        query = select(PolicyEngagement.policy_id, PolicyEngagement.engagement_id).where(
            PolicyEngagement.policy_id.in_(list(policy_ids))
        )
        found: dict[int, list[int]] = {p: [] for p in policy_ids}
        for policy_id, engagement_id in self.session.execute(query):
            found[policy_id].append(engagement_id)
        return {p: sorted(ids) for p, ids in found.items()}

    def set_engagements(self, policy_id: int, engagement_ids: Sequence[int]) -> None:
        current = set(self.engagement_ids(policy_id))
        wanted = set(engagement_ids)
        for gone in current - wanted:
            self.session.delete(self.session.get(PolicyEngagement, (policy_id, gone)))
        for new in sorted(wanted - current):
            self.session.add(PolicyEngagement(policy_id=policy_id, engagement_id=new))

    def add_transaction(self, row: PolicyTransaction) -> PolicyTransaction:
        self.session.add(row)
        return row

    def transactions(self, policy_id: int) -> list[PolicyTransaction]:
        return self.transactions_of([policy_id])[policy_id]

    def transactions_of(self, policy_ids: Sequence[int]) -> dict[int, list[PolicyTransaction]]:
        """Each policy's transactions in processing order, in one query."""
        query = (
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id.in_(list(policy_ids)))
            .order_by(PolicyTransaction.policy_id, PolicyTransaction.sequence)
        )
        found: dict[int, list[PolicyTransaction]] = {p: [] for p in policy_ids}
        for row in self.session.scalars(query):
            found[row.policy_id].append(row)
        return found


class AuditEventRepository(Repository[AuditEvent]):
    def of_subject(self, kind: str, ident: int, principal: Principal) -> Sequence[AuditEvent]:
        query = (
            select(AuditEvent)
            .where(
                AuditEvent.subject_kind == kind,
                AuditEvent.subject_id == ident,
                visible(Resource.AUDIT_EVENT, principal),
            )
            .order_by(AuditEvent.id)
        )
        return self.session.scalars(query).all()


class CoverageQueries:
    """What insures the work done for an enterprise: the engagements serving it, their firms
    and the policies covering them, of every insurer. Unscoped on purpose: the coverage use
    case decides who may ask, and ``priced_for`` decides who sees premiums."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def engagements_serving(self, enterprise_id: int) -> list[tuple[Engagement, Firm]]:
        """Every engagement serving the enterprise, current and past, with its firm; newest
        (latest start) first."""
        query = (
            select(Engagement, Firm)
            .join(Firm, Firm.id == Engagement.firm_id)
            .where(Engagement.enterprise_id == enterprise_id)
            .order_by(Engagement.start_date.desc(), Engagement.id.desc())
        )
        return [(engagement, firm) for engagement, firm in self.session.execute(query)]

    def policies_covering(self, engagement_ids: Sequence[int]) -> list[tuple[int, Policy, str]]:
        """(engagement id, policy, insurer's name) for each policy covering one of
        ``engagement_ids``, newest (latest effective date) first."""
        query = (
            select(PolicyEngagement.engagement_id, Policy, Organisation.name)
            .join(Policy, Policy.id == PolicyEngagement.policy_id)
            .join(Organisation, Organisation.id == Policy.insurer_id)
            .where(PolicyEngagement.engagement_id.in_(list(engagement_ids)))
            .order_by(Policy.effective_date.desc(), Policy.id.desc())
        )
        return [(e, policy, name) for e, policy, name in self.session.execute(query)]

    def priced_for(self, policy_ids: Sequence[int], principal: Principal) -> set[int]:
        """Which of ``policy_ids`` are in the principal's policy scope, premium and all."""
        query = select(Policy.id).where(
            Policy.id.in_(list(policy_ids)), visible(Resource.POLICY, principal)
        )
        return set(self.session.scalars(query))


class LossRunQueries:
    """A firm's policies of every insurer, their claims and the claims' ledger balances.
    Unscoped on purpose: a loss run follows the firm from insurer to insurer; the loss-run
    use case decides who may ask."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def policies_of(self, firm_id: int, *, start: date, end: date) -> list[tuple[Policy, str]]:
        """(policy, insurer's name) for the firm's policies whose period [effective, expiry)
        meets the window [start, end], oldest first."""
        query = (
            select(Policy, Organisation.name)
            .join(Organisation, Organisation.id == Policy.insurer_id)
            .where(
                Policy.firm_id == firm_id,
                Policy.effective_date <= end,
                Policy.expiry_date > start,
            )
            .order_by(Policy.effective_date, Policy.id)
        )
        return [(policy, name) for policy, name in self.session.execute(query)]

    def claims_of(
        self, policy_ids: Sequence[int], *, made_by: date
    ) -> list[tuple[Claim, Incident]]:
        """(claim, its incident) for the claims against ``policy_ids`` first made on or
        before ``made_by``, in the order they were made."""
        query = (
            select(Claim, Incident)
            .join(Incident, Incident.id == Claim.incident_id)
            .where(Claim.policy_id.in_(list(policy_ids)), Claim.first_made_date <= made_by)
            .order_by(Claim.first_made_date, Claim.id)
        )
        return [(claim, incident) for claim, incident in self.session.execute(query)]

    def claim_balances(
        self, claim_ids: Sequence[int], *, on: date, accounts: Sequence[str]
    ) -> dict[tuple[int, str], Decimal]:
        """{(claim id, account): Σ legs} over the ledger transactions of ``claim_ids``
        effective on or before ``on``; debits positive, CNY. Absent pairs are zero."""
        query = (
            select(LedgerTransaction.claim_id, LedgerEntry.account, func.sum(LedgerEntry.amount))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerTransaction.claim_id.in_(list(claim_ids)),
                LedgerTransaction.effective_date <= on,
                LedgerEntry.account.in_(list(accounts)),
            )
            .group_by(LedgerTransaction.claim_id, LedgerEntry.account)
        )
        return {(claim, account): total for claim, account, total in self.session.execute(query)}
