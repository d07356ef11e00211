"""Use cases for engagements and the service records filed against them.

Service records are append-only. A correction is a new record that ``supersedes`` the old
one (same engagement, superseded at most once); both stay readable. ``submitted_at`` is set
here, by the server, so that a record filed after an incident can never pass as earlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from underwriting import clock
from underwriting.access import Principal, Resource, require_create
from underwriting.db.tables import Engagement
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.idempotency import Created, create_once


def create_engagement(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """A firm takes on an enterprise: service kinds, hazard categories in scope, dates, fee."""
    require_create(principal, Resource.ENGAGEMENT)

    def create(uow: UnitOfWork) -> list[int]:
        if uow.firms.get(values["firm_id"], principal) is None:
            raise NotFound("firm", values["firm_id"], field="firm_id")
        # Any enterprise may be taken on: a firm sees an enterprise once it serves it.
        if uow.enterprises.get(values["enterprise_id"]) is None:
            raise NotFound("enterprise", values["enterprise_id"], field="enterprise_id")
        row = uow.engagements.add(Engagement(**values))
        uow.flush()
        return [row.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="engagement",
        payload=values,
        create=create,
    )


def file_service_records(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    records: Sequence[Mapping[str, Any]],
    *,
    field_prefix: str = "records",
    idempotency_key: str | None = None,
) -> Created:
    """File service records, all or nothing: one bad record and none is written.

    Each record must name an engagement of the caller's, be visited inside the engagement
    and not in the future, inspect only categories in the engagement's scope, and find only
    in categories it inspected. Errors name the field as ``records[i].field``; with
    ``field_prefix=""`` (a single record) as the bare field.
    """
    require_create(principal, Resource.SERVICE_RECORD)

    def create(uow: UnitOfWork) -> list[int]:
        submitted_at = clock.now()
        engagements = uow.engagements.visible_by_id(
            {r["engagement_id"] for r in records}, principal
        )
        _check_supersessions(uow, principal, records, field_prefix)
        rows, findings = [], []
        for index, record in enumerate(records):
            at = f"{field_prefix}[{index}]." if field_prefix else ""
            _check_record(record, engagements.get(record["engagement_id"]), at)
            rows.append(_record_row(record, submitted_at))
            findings.append(record["findings"])
        return uow.service_records.insert_many(rows, findings)

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="service_records",
        payload=list(records),
        create=create,
    )


def _record_row(record: Mapping[str, Any], submitted_at: datetime) -> dict[str, Any]:
    row = {k: v for k, v in record.items() if k != "findings"}
    row.setdefault("supersedes_id", None)
    row["submitted_at"] = submitted_at
    return row


def _check_record(record: Mapping[str, Any], engagement: Engagement | None, at: str) -> None:
    if engagement is None:
        raise NotFound("engagement", record["engagement_id"], field=f"{at}engagement_id")
    visit = record["visit_date"]
    if not engagement.start_date <= visit <= engagement.end_date:
        raise InvalidInput(
            f"{at}visit_date",
            visit.isoformat(),
            f"lies outside engagement {engagement.id} "
            f"({engagement.start_date.isoformat()} to {engagement.end_date.isoformat()})",
        )
    today = clock.today()
    if visit > today:
        raise InvalidInput(f"{at}visit_date", visit.isoformat(), "lies in the future")
    outside = sorted(set(record["categories_inspected"]) - set(engagement.hazard_categories))
    if outside:
        raise InvalidInput(
            f"{at}categories_inspected",
            outside,
            f"are not in engagement {engagement.id}'s scope",
        )
    for number, finding in enumerate(record["findings"]):
        _check_finding(finding, record, f"{at}findings[{number}].", today)


def _check_finding(
    finding: Mapping[str, Any], record: Mapping[str, Any], at: str, today: date
) -> None:
    if finding["category"] not in record["categories_inspected"]:
        raise InvalidInput(f"{at}category", finding["category"], "was not inspected on this visit")
    visit = record["visit_date"]
    if finding["rectification_deadline_date"] < visit:
        raise InvalidInput(
            f"{at}rectification_deadline_date",
            finding["rectification_deadline_date"].isoformat(),
            "is before the visit",
        )
    closed = finding.get("closed_date")
    if closed is not None and not visit <= closed <= today:
        raise InvalidInput(
            f"{at}closed_date", closed.isoformat(), "must lie between the visit and today"
        )


def _check_supersessions(
    uow: UnitOfWork,
    principal: Principal,
    records: Sequence[Mapping[str, Any]],
    field_prefix: str,
) -> None:
    targets = [(i, r["supersedes_id"]) for i, r in enumerate(records) if r.get("supersedes_id")]
    if not targets:
        return
    taken = uow.service_records.superseded(old for _, old in targets)
    seen: set[int] = set()
    for index, old_id in targets:
        field = f"{field_prefix}[{index}].supersedes_id" if field_prefix else "supersedes_id"
        old = uow.service_records.get(old_id, principal)
        if old is None or old.engagement_id != records[index]["engagement_id"]:
            raise NotFound("service record of this engagement", old_id, field=field)
        if old_id in taken or old_id in seen:
            raise Conflict(field, old_id, "that record is already superseded")
        seen.add(old_id)
