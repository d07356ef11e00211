"""Who is calling, and which roles may create what (DESIGN.md section 4).

What a principal may *see* is one SQL filter per resource kind in ``underwriting.db.scope``;
what a role may *create* is the table below. Together they are the one place scoping lives.
A resource outside the principal's scope is reported as not found, never as forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from underwriting.errors import RoleNotAllowed
from underwriting.vocabulary import INSURER_STAFF, OrgKind, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: one API key, bound to one organisation and one role; ``key_id`` is
    ``None`` only for the platform's operator at the command line (``keys.operator``)."""

    key_id: int | None
    organisation_id: int
    org_kind: OrgKind
    role: Role
    #: An underwriter's authority (largest aggregate limit, CNY), if the key records one.
    authority_limit: Decimal | None = None

    @property
    def is_insurer_staff(self) -> bool:
        return self.role in INSURER_STAFF


class Resource(StrEnum):
    ORGANISATION = "organisation"
    FIRM = "firm"
    ENTERPRISE = "enterprise"
    HAZARD_SNAPSHOT = "hazard_snapshot"
    ENGAGEMENT = "engagement"
    SERVICE_RECORD = "service_record"
    AUDIT = "audit"
    RATING_MODEL = "rating_model"
    INCIDENT = "incident"
    CLAIM = "claim"
    QUOTE = "quote"
    POLICY = "policy"
    AUDIT_EVENT = "audit_event"
    BACKTEST = "backtest"


#: Roles that may create each resource kind; the parent must also be in their scope.
CREATE_ROLES: dict[Resource, frozenset[Role]] = {
    Resource.ORGANISATION: frozenset({Role.ADMIN}),
    Resource.FIRM: frozenset({Role.ADMIN}),
    Resource.ENTERPRISE: frozenset({Role.ADMIN}),
    Resource.HAZARD_SNAPSHOT: frozenset({Role.ADMIN, Role.FIRM, Role.ENTERPRISE}),
    Resource.ENGAGEMENT: frozenset({Role.ADMIN, Role.FIRM}),
    Resource.SERVICE_RECORD: frozenset({Role.ADMIN, Role.FIRM}),
    Resource.AUDIT: frozenset({Role.ADMIN, Role.UNDERWRITER}),
    Resource.RATING_MODEL: frozenset({Role.ADMIN, Role.ACTUARY}),
    Resource.INCIDENT: frozenset({Role.ADMIN, Role.ADJUSTER, Role.FIRM, Role.ENTERPRISE}),
    Resource.CLAIM: frozenset({Role.ADMIN, Role.ADJUSTER, Role.FIRM}),
    Resource.QUOTE: frozenset({Role.UNDERWRITER}),
    Resource.POLICY: frozenset({Role.UNDERWRITER}),
    Resource.AUDIT_EVENT: frozenset(),  # written by the use cases, never posted
    Resource.BACKTEST: frozenset({Role.ADMIN, Role.ACTUARY}),
}

#: Who may read rating models and ask for indications: the insurer side and the platform.
PRICING_ROLES = frozenset({Role.ADMIN, Role.UNDERWRITER, Role.ADJUSTER, Role.ACTUARY})


def require_role(principal: Principal, roles: frozenset[Role], action: str) -> None:
    """Raise ``RoleNotAllowed`` unless the principal's role is one of ``roles``."""
    if principal.role not in roles:
        raise RoleNotAllowed(principal.role.value, action)


def require_create(principal: Principal, resource: Resource) -> None:
    """Raise ``RoleNotAllowed`` unless the principal's role may create ``resource``."""
    if principal.role not in CREATE_ROLES[resource]:
        raise RoleNotAllowed(principal.role.value, f"create {resource.value} resources")
