"""Use cases for the risk data pricing reads: hazard snapshots and audits of firms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.db.tables import Audit, HazardSnapshot
from underwriting.db.uow import ConstraintViolated, UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.idempotency import Created, create_once


def create_hazard_snapshot(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Record an enterprise's hazard metrics as of a date (one snapshot per date)."""
    require_create(principal, Resource.HAZARD_SNAPSHOT)
    _not_in_future("as_of_date", values["as_of_date"])

    def create(uow: UnitOfWork) -> list[int]:
        enterprise_id = values["enterprise_id"]
        if uow.enterprises.get(enterprise_id, principal) is None:
            raise NotFound("enterprise", enterprise_id, field="enterprise_id")
        row = HazardSnapshot(**values, submitted_at=clock.now())
        uow.hazard_snapshots.add(row)
        try:
            uow.flush()
        except ConstraintViolated as error:
            raise Conflict(
                "as_of_date", values["as_of_date"], "this enterprise already has a snapshot then"
            ) from error
        return [row.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="hazard_snapshot",
        payload=values,
        create=create,
    )


def create_audit(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Record a sample audit of a firm by the caller's organisation. A correction names the
    audit it ``supersedes``; both stay readable."""
    require_create(principal, Resource.AUDIT)
    _not_in_future("audit_date", values["audit_date"])

    def create(uow: UnitOfWork) -> list[int]:
        firm_id = values["firm_id"]
        if uow.firms.get(firm_id, principal) is None:
            raise NotFound("firm", firm_id, field="firm_id")
        old_id = values.get("supersedes_id")
        if old_id is not None:
            old = uow.audits.get(old_id, principal)
            if old is None or old.firm_id != firm_id:
                raise NotFound("audit of this firm", old_id, field="supersedes_id")
        row = Audit(**values, auditor_id=principal.organisation_id, submitted_at=clock.now())
        uow.audits.add(row)
        try:
            uow.flush()
        except ConstraintViolated as error:
            raise Conflict("supersedes_id", old_id, "that audit is already superseded") from error
        return [row.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="audit",
        payload=values,
        create=create,
    )


def _not_in_future(field: str, value: Any) -> None:
    if value > clock.today():
        raise InvalidInput(field, value.isoformat(), "lies in the future")
