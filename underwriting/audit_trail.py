"""The audit trail: who did what to which quote, policy or model, when, and why.

Every use case that decides something an insurer must answer for — a quote, a referral
decision, a schedule override, a bind, an endorsement, a cancellation, a reinstatement, a
renewal, a model activation — calls ``record`` inside its own transaction, so the event
exists exactly when the change does. Insurer staff read their own insurer's trail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from underwriting.access import Principal, require_role
from underwriting.db.tables import AuditEvent
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.vocabulary import INSURER_STAFF, Role

#: Who reads the trail: insurer staff (their own insurer's events) and admins (all).
TRAIL_ROLES = INSURER_STAFF | {Role.ADMIN}


def record(
    uow: UnitOfWork,
    principal: Principal,
    action: str,
    *,
    subject: tuple[str, int],
    reason: str = "",
    values: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Stage one event (``action`` like ``"quote.bind"``) about ``subject`` (kind, id)."""
    return uow.audit_events.add(
        AuditEvent(
            api_key_id=principal.key_id,
            organisation_id=principal.organisation_id,
            action=action,
            subject_kind=subject[0],
            subject_id=subject[1],
            reason=reason,
            detail=dict(values or {}),
        )
    )


def read_trail(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    *,
    subject_kind: str | None,
    subject_id: int | None,
    action: str | None,
    after: int | None,
    limit: int,
) -> Sequence[AuditEvent]:
    """The visible events, oldest first, optionally of one subject or one action. Firms and
    enterprises never read the trail: ``RoleNotAllowed``."""
    require_role(principal, TRAIL_ROLES, "read the audit trail")
    filters = {"subject_kind": subject_kind, "subject_id": subject_id, "action": action}
    with uow_factory() as uow:
        return uow.audit_events.page(principal, after=after, limit=limit, filters=filters)
