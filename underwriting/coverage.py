"""Which firms serve an enterprise, and whether their work for it is insured on a date.

An enterprise relies on the firms that inspect it; their professional-liability cover is
what pays when a deficient service is behind an accident there (DESIGN.md section 3). This
is the enterprise's view of that cover: every engagement serving it, current and past, and
the policies of any insurer covering each one, with their terms. Premiums are the insurer's
business: they show only to those whose policy scope holds the policy (never an enterprise).

A policy's period is [effective_date, expiry_date): a one-year policy effective 2026-03-01
expires 2027-03-01 and covers 2027-02-28 but not 2027-03-01. A cancellation takes effect at
the start of ``cancelled_date``: the policy still covers the days before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from underwriting import clock
from underwriting.access import Principal
from underwriting.db.tables import Engagement, Enterprise, Firm, Policy
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import NotFound
from underwriting.vocabulary import PolicyStatus, Role

INSURED, NOT_INSURED = "insured", "not insured"


@dataclass(frozen=True)
class CoveringPolicy:
    """One policy covering an engagement, as read on ``on_date``."""

    id: int
    number: str
    insurer_id: int
    insurer_name: str
    effective_date: date
    expiry_date: date
    retro_date: date
    status: str
    cancelled_date: date | None
    per_claim_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    defence_inside: bool
    extended_reporting_end_date: date | None
    in_force_on_date: bool
    premium: Decimal | None  # None where the caller may not see the insurer's price
    written_premium: Decimal | None


@dataclass(frozen=True)
class EngagementCover:
    engagement: Engagement
    firm: Firm
    active_on_date: bool
    insured: str
    policies: list[CoveringPolicy]


@dataclass(frozen=True)
class Coverage:
    enterprise: Enterprise
    on_date: date
    engagements: list[EngagementCover]


def in_force_on(policy: Policy, day: date) -> bool:
    """Whether ``policy`` covers ``day``: inside [effective, expiry) and not cancelled on or
    before it. An expired policy covered the days of its period; a cancelled one covers the
    days before its ``cancelled_date``."""
    if not policy.effective_date <= day < policy.expiry_date:
        return False
    if policy.cancelled_date is not None:
        return day < policy.cancelled_date
    return policy.status != PolicyStatus.CANCELLED


def insured_summary(policies: Sequence[CoveringPolicy]) -> str:
    """``"insured"`` when a policy in force that day stays in force; ``"insured, cancelled on
    YYYY-MM-DD"`` when every such policy has a later cancellation (the latest is named);
    ``"not insured"`` when none is in force."""
    live = [p for p in policies if p.in_force_on_date]
    if not live:
        return NOT_INSURED
    ends = [p.cancelled_date for p in live]
    if None in ends:
        return INSURED
    return f"{INSURED}, cancelled on {max(d for d in ends if d is not None).isoformat()}"


def enterprise_coverage(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    enterprise_id: int,
    *,
    on: date | None = None,
) -> Coverage:
    """The enterprise, each engagement serving it (newest first) with its firm, and the
    policies covering it on ``on`` (default today, China time).

    For the enterprise itself, insurer staff and admins. A firm — even one serving the
    enterprise — and any other enterprise get ``NotFound``, as for a resource out of scope.
    """
    if principal.role is Role.FIRM:
        raise NotFound("enterprise", enterprise_id)
    day = on or clock.today()
    with uow_factory() as uow:
        enterprise = uow.enterprises.get(enterprise_id, principal)
        if enterprise is None:
            raise NotFound("enterprise", enterprise_id)
        served = uow.coverage.engagements_serving(enterprise_id)
        covering = uow.coverage.policies_covering([e.id for e, _ in served])
        priced = uow.coverage.priced_for(sorted({p.id for _, p, _ in covering}), principal)
    policies: dict[int, list[CoveringPolicy]] = {e.id: [] for e, _ in served}
    for engagement_id, policy, insurer_name in covering:
        policies[engagement_id].append(
            _covering(policy, insurer_name, day, priced=policy.id in priced)
        )
    return Coverage(
        enterprise=enterprise,
        on_date=day,
        engagements=[_cover(e, firm, policies[e.id], day) for e, firm in served],
    )


def _cover(
    engagement: Engagement, firm: Firm, policies: list[CoveringPolicy], day: date
) -> EngagementCover:
    return EngagementCover(
        engagement=engagement,
        firm=firm,
        active_on_date=engagement.start_date <= day <= engagement.end_date,
        insured=insured_summary(policies),
        policies=policies,
    )


def _covering(policy: Policy, insurer_name: str, day: date, *, priced: bool) -> CoveringPolicy:
    return CoveringPolicy(
        id=policy.id,
        number=policy.number,
        insurer_id=policy.insurer_id,
        insurer_name=insurer_name,
        effective_date=policy.effective_date,
        expiry_date=policy.expiry_date,
        retro_date=policy.retro_date,
        status=policy.status,
        cancelled_date=policy.cancelled_date,
        per_claim_limit=policy.per_claim_limit,
        aggregate_limit=policy.aggregate_limit,
        deductible=policy.deductible,
        defence_inside=policy.defence_inside,
        extended_reporting_end_date=policy.extended_reporting_end_date,
        in_force_on_date=in_force_on(policy, day),
        premium=policy.premium if priced else None,
        written_premium=policy.written_premium if priced else None,
    )
