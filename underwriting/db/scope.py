"""What each principal may see, as one SQL predicate per resource kind (DESIGN.md section 4).

- ``admin`` sees everything.
- Insurer staff see the market's risk data: every firm, enterprise, snapshot, engagement,
  record, audit and incident, and the organisations of firms and enterprises; of the insurers'
  business — quotes, policies, the audit trail — only their own insurer's.
- A firm sees itself, its engagements and their records, its audits, and the enterprises it
  serves (with their snapshots and incidents).
- A firm also sees the policies that insure it (not the insurers' quotes or trails).
- An enterprise sees itself, its snapshots and incidents, the engagements that serve it and
  their records, and the firms that serve it.
- Claims: insurer staff see the claims on their insurer's policies; a firm the claims on the
  policies insuring it; an enterprise the claims arising from its own incidents (the use
  cases show it their status only), never the firm's other claims.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, false, or_, select, true

from underwriting.access import Principal, Resource
from underwriting.db.tables import (
    Audit,
    AuditEvent,
    Backtest,
    Claim,
    Engagement,
    Enterprise,
    Firm,
    HazardSnapshot,
    Incident,
    Organisation,
    Policy,
    Quote,
    ServiceRecord,
)
from underwriting.vocabulary import OrgKind, Role


def _firms_serving(enterprise_id: int):
    return select(Engagement.firm_id).where(Engagement.enterprise_id == enterprise_id)


def _enterprises_served_by(firm_id: int):
    return select(Engagement.enterprise_id).where(Engagement.firm_id == firm_id)


def _firm(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.FIRM:
        return Firm.id == p.organisation_id
    if p.role is Role.ENTERPRISE:
        return Firm.id.in_(_firms_serving(p.organisation_id))
    return true()


def _enterprise(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ENTERPRISE:
        return Enterprise.id == p.organisation_id
    if p.role is Role.FIRM:
        return Enterprise.id.in_(_enterprises_served_by(p.organisation_id))
    return true()


def _organisation(p: Principal) -> ColumnElement[bool]:
    own = Organisation.id == p.organisation_id
    if p.role is Role.ADMIN:
        return true()
    if p.is_insurer_staff:
        return or_(own, Organisation.kind.in_([OrgKind.FIRM, OrgKind.ENTERPRISE]))
    if p.role is Role.FIRM:
        return or_(own, Organisation.id.in_(_enterprises_served_by(p.organisation_id)))
    return or_(own, Organisation.id.in_(_firms_serving(p.organisation_id)))


def _hazard_snapshot(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ENTERPRISE:
        return HazardSnapshot.enterprise_id == p.organisation_id
    if p.role is Role.FIRM:
        return HazardSnapshot.enterprise_id.in_(_enterprises_served_by(p.organisation_id))
    return true()


def _engagement(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.FIRM:
        return Engagement.firm_id == p.organisation_id
    if p.role is Role.ENTERPRISE:
        return Engagement.enterprise_id == p.organisation_id
    return true()


def _service_record(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.FIRM:
        owner = Engagement.firm_id
    elif p.role is Role.ENTERPRISE:
        owner = Engagement.enterprise_id
    else:
        return true()
    return ServiceRecord.engagement_id.in_(select(Engagement.id).where(owner == p.organisation_id))


def _audit(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.FIRM:
        return Audit.firm_id == p.organisation_id
    if p.role is Role.ENTERPRISE:
        return false()
    return true()


def _incident(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ENTERPRISE:
        return Incident.enterprise_id == p.organisation_id
    if p.role is Role.FIRM:
        return Incident.enterprise_id.in_(_enterprises_served_by(p.organisation_id))
    return true()


def _quote(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ADMIN:
        return true()
    return Quote.insurer_id == p.organisation_id if p.is_insurer_staff else false()


def _policy(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ADMIN:
        return true()
    if p.is_insurer_staff:
        return Policy.insurer_id == p.organisation_id
    return Policy.firm_id == p.organisation_id if p.role is Role.FIRM else false()


def _claim(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.ENTERPRISE:
        mine = select(Incident.id).where(Incident.enterprise_id == p.organisation_id)
        return Claim.incident_id.in_(mine)
    return Claim.policy_id.in_(select(Policy.id).where(_policy(p)))


def _audit_event(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ADMIN:
        return true()
    return AuditEvent.organisation_id == p.organisation_id if p.is_insurer_staff else false()


def _backtest(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.ADMIN:
        return true()
    return Backtest.organisation_id == p.organisation_id if p.is_insurer_staff else false()


VISIBLE: dict[Resource, Callable[[Principal], ColumnElement[bool]]] = {
    Resource.ORGANISATION: _organisation,
    Resource.FIRM: _firm,
    Resource.ENTERPRISE: _enterprise,
    Resource.HAZARD_SNAPSHOT: _hazard_snapshot,
    Resource.ENGAGEMENT: _engagement,
    Resource.SERVICE_RECORD: _service_record,
    Resource.AUDIT: _audit,
    Resource.INCIDENT: _incident,
    Resource.CLAIM: _claim,
    Resource.QUOTE: _quote,
    Resource.POLICY: _policy,
    Resource.AUDIT_EVENT: _audit_event,
    Resource.BACKTEST: _backtest,
}


def visible(resource: Resource, principal: Principal) -> ColumnElement[bool]:
    """The predicate that keeps only the rows of ``resource`` the principal may see."""
    return VISIBLE[resource](principal)
