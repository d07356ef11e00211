"""Repositories of the insurer's business: quotes, policies and their transactions, the trail.

Reads are scoped by the principal like every other repository; ``lock`` reads a row with
``SELECT … FOR UPDATE`` so that two requests changing one quote or policy queue on
PostgreSQL (SQLite serialises writers on its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from underwriting.access import Principal, Resource
from underwriting.db.repositories import Repository
from underwriting.db.scope import visible
from underwriting.db.tables import (
    AuditEvent,
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
        self, principal: Principal, *, code: str, after: int | None, limit: int
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
        return self.session.scalars(query).all()


class PolicyRepository(Repository[Policy]):
    def lock(self, ident: int, principal: Principal) -> Policy | None:
        query = (
            select(Policy)
            .where(Policy.id == ident, visible(Resource.POLICY, principal))
            .with_for_update()
        )
        return self.session.scalars(query).first()

    def by_quote(self, quote_id: int) -> Policy | None:
        return self.session.scalars(select(Policy).where(Policy.quote_id == quote_id)).first()

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
        query = select(PolicyEngagement.engagement_id).where(
            PolicyEngagement.policy_id == policy_id
        )
        return sorted(self.session.scalars(query))

    def set_engagements(self, policy_id: int, engagement_ids: Sequence[int]) -> None:
        current = set(self.engagement_ids(policy_id))
        wanted = set(engagement_ids)
        for gone in current - wanted:
            self.session.delete(self.session.get(PolicyEngagement, (policy_id, gone)))
        for new in sorted(wanted - current):
            self.session.add(PolicyEngagement(policy_id=policy_id, engagement_id=new))

    def transactions(self, policy_id: int) -> list[PolicyTransaction]:
        query = (
            select(PolicyTransaction)
            .where(PolicyTransaction.policy_id == policy_id)
            .order_by(PolicyTransaction.sequence)
        )
        return list(self.session.scalars(query))

    def covering(self, engagement_ids: Sequence[int]) -> list[tuple[int, Policy]]:
        """(engagement id, policy) for every policy that covers one of ``engagement_ids``."""
        query = (
            select(PolicyEngagement.engagement_id, Policy)
            .join(Policy, Policy.id == PolicyEngagement.policy_id)
            .where(PolicyEngagement.engagement_id.in_(list(engagement_ids)))
            .order_by(Policy.effective_date, Policy.id)
        )
        return [(e, p) for e, p in self.session.execute(query)]

    def of_firm(self, firm_id: int, since: date) -> list[Policy]:
        query = (
            select(Policy)
            .where(Policy.firm_id == firm_id, Policy.expiry_date > since)
            .order_by(Policy.effective_date, Policy.id)
        )
        return list(self.session.scalars(query))


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
