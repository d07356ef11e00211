"""Incidents: accidents at client enterprises, graded by Decree 493 when they are reported.

The enterprise itself, a firm that serves it, an adjuster or the platform may report one.
Its grade (一般/较大/重大/特别重大) is derived from the casualties and the direct loss by
``claims.accident_grade``, never sent; ``reported_by_id`` is the reporter's organisation. An
incident may not lie in the future, nor before the enterprise's date of establishment where
the book has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claims import accident_grade
from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.db.tables import Incident
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import InvalidInput, NotFound
from underwriting.idempotency import Created, create_once


def report_incident(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Record an accident at an enterprise the caller may see; its grade is derived."""
    require_create(principal, Resource.INCIDENT)
    occurred = values["occurred_at"]
    if occurred > clock.now():
        raise InvalidInput("occurred_at", occurred.isoformat(), "lies in the future")

    def create(uow: UnitOfWork) -> list[int]:
        enterprise_id = values["enterprise_id"]
        enterprise = uow.enterprises.get(enterprise_id, principal)
        if enterprise is None:
            raise NotFound("enterprise", enterprise_id, field="enterprise_id")
        founded = enterprise.established_date
        if founded is not None and occurred.astimezone(clock.CHINA).date() < founded:
            raise InvalidInput(
                "occurred_at",
                occurred.isoformat(),
                f"is before the enterprise was established ({founded})",
            )
        grade = accident_grade(values["deaths"], values["serious_injuries"], values["direct_loss"])
        row = Incident(**values, grade=grade, reported_by_id=principal.organisation_id)
        uow.incidents.add(row)
        uow.flush()
        return [row.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="incident",
        payload=values,
        create=create,
    )
