"""What the claims rules look at, read from the book for one claim (DESIGN.md section 3).

``claims`` is pure; this module turns rows into its inputs:

- ``policy_terms``: the policy's limits, deductible and defence basis as they now stand
  (an endorsement re-states them for the whole period: claims-made cover has one aggregate),
  its dates, cancellation and extended reporting period;
- ``covering_engagements``: the engagements the policy covered on the incident date (its
  engagement set on that date, from its transaction history; for an incident before
  inception, the set it incepted with) that served the incident's enterprise that day;
- ``coverage_facts``: ``claims.ClaimFacts`` from the above and the claim's exclusions;
- ``liability_inputs``: the incident, the scope of the covering engagements (their hazard
  categories, the shortest inspection interval, the earliest start) and the firm's service
  records at the enterprise in the look-back window. Of a record and its corrections the
  version current at the incident is passed (the latest submitted by then) with any later
  ones, which the rules flag: a correction filed after an accident never rewrites what the
  records said before it. A record "has evidence" when it carries at least one photo hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import claims
from underwriting.db.tables import Claim, Engagement, Incident, Policy, ServiceRecord
from underwriting.db.uow import UnitOfWork
from underwriting.policy_terms import terms_on

#: How far before the incident the service records are read, days (DESIGN.md section 3).
LOOK_BACK_DAYS = 365


@dataclass(frozen=True)
class LiabilityInputs:
    incident: claims.Incident
    scope: claims.Scope
    records: tuple[claims.Record, ...]
    shares: claims.ShareTable
    look_back_days: int = LOOK_BACK_DAYS

    def assess(self) -> claims.Assessment:
        return claims.assess_liability(
            self.incident,
            scope=self.scope,
            records=self.records,
            shares=self.shares,
            look_back_days=self.look_back_days,
        )


def incident_of(row: Incident) -> claims.Incident:
    return claims.Incident(row.occurred_at, row.accident_type)


def policy_terms(policy: Policy) -> claims.PolicyTerms:
    """The claims terms of ``policy`` as they now stand (money in CNY)."""
    return claims.PolicyTerms(
        effective_date=policy.effective_date,
        expiry_date=policy.expiry_date,
        retro_date=policy.retro_date,
        cancelled_date=policy.cancelled_date,
        extended_reporting_end_date=policy.extended_reporting_end_date,
        per_claim_limit=policy.per_claim_limit,
        aggregate_limit=policy.aggregate_limit,
        deductible=policy.deductible,
        defence_inside=policy.defence_inside,
    )


def share_table(policy: Policy) -> claims.ShareTable:
    """The policy's liability shares, or the standard wording's where it names none."""
    shares = policy.liability_shares or {}
    return claims.ShareTable(**{name: Decimal(value) for name, value in shares.items()})


def covering_engagements(uow: UnitOfWork, policy: Policy, incident: Incident) -> list[Engagement]:
    """The engagements the policy covered on the incident date that served its enterprise."""
    day = incident_of(incident).incident_date
    on = min(max(day, policy.effective_date), policy.expiry_date - timedelta(days=1))
    terms = terms_on(uow.policies.transactions(policy.id), on)
    ids = terms.engagement_ids if terms else tuple(uow.policies.engagement_ids(policy.id))
    rows = [uow.engagements.get(ident) for ident in ids]
    return [
        e
        for e in rows
        if e is not None
        and e.enterprise_id == incident.enterprise_id
        and e.start_date <= day <= e.end_date
    ]


def coverage_facts(
    claim: Claim, incident: Incident, engagements: Sequence[Engagement]
) -> claims.ClaimFacts:
    return claims.ClaimFacts(
        incident_date=incident_of(incident).incident_date,
        first_made_date=claim.first_made_date,
        covered_engagement=bool(engagements),
        incident_categories=frozenset(claims.hazard_categories(incident.accident_type)),
        engagement_categories=frozenset(c for e in engagements for c in e.hazard_categories),
        exclusions=frozenset(claim.exclusions or ()),
    )


def decide(
    uow: UnitOfWork, claim: Claim, policy: Policy, incident: Incident
) -> claims.CoverageDecision:
    """Coverage of ``claim`` by the rules of ``claims.coverage``."""
    engagements = covering_engagements(uow, policy, incident)
    facts = coverage_facts(claim, incident, engagements)
    return claims.decide_coverage(facts, terms=policy_terms(policy))


def liability_inputs(uow: UnitOfWork, policy: Policy, incident: Incident) -> LiabilityInputs | None:
    """The assessment's inputs, or ``None`` where no covered engagement served the
    enterprise on the incident date (there is no scope to judge the records against)."""
    engagements = covering_engagements(uow, policy, incident)
    if not engagements:
        return None
    facts = incident_of(incident)
    day = facts.incident_date
    scope = claims.Scope(
        frozenset(c for e in engagements for c in e.hazard_categories),
        min(e.inspection_interval_days for e in engagements),
        min(e.start_date for e in engagements),
    )
    start = day - timedelta(days=LOOK_BACK_DAYS)
    rows = uow.claims.records_at(policy.firm_id, incident.enterprise_id, start=start, end=day)
    records = tuple(_record(r) for r in _current_at(uow, rows, facts))
    return LiabilityInputs(facts, scope, records, share_table(policy))


def _current_at(
    uow: UnitOfWork, rows: list[ServiceRecord], incident: claims.Incident
) -> list[ServiceRecord]:
    """Drop each record that a correction submitted by the incident had replaced."""
    by_id = {r.id: r for r in rows}
    later = [r.superseded_by_id for r in rows if r.superseded_by_id is not None]
    for ident in later:
        if ident not in by_id and (row := uow.service_records.get(ident)) is not None:
            by_id[ident] = row
    return [
        r
        for r in rows
        if r.superseded_by_id is None
        or by_id[r.superseded_by_id].submitted_at > incident.occurred_at
    ]


def _record(row: ServiceRecord) -> claims.Record:
    return claims.Record(
        record_id=row.id,
        visit_date=row.visit_date,
        categories_inspected=frozenset(row.categories_inspected),
        submitted_at=row.submitted_at,
        has_evidence=bool(row.evidence_photo_hashes),
        findings=tuple(
            claims.HazardFinding(
                f.category, f.severity, f.rectification_deadline_date, f.closed_date
            )
            for f in row.findings
        ),
    )


def incident_date(row: Incident) -> date:
    """The business date of the incident, China Standard Time."""
    return incident_of(row).incident_date
