"""Read use cases: one resource by id, or a cursor page of them, always within scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from underwriting.access import Principal, Resource
from underwriting.db.repositories import Repository
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import NotFound

_REPOSITORY = {
    Resource.ORGANISATION: "organisations",
    Resource.FIRM: "firms",
    Resource.ENTERPRISE: "enterprises",
    Resource.HAZARD_SNAPSHOT: "hazard_snapshots",
    Resource.ENGAGEMENT: "engagements",
    Resource.SERVICE_RECORD: "service_records",
    Resource.AUDIT: "audits",
    Resource.INCIDENT: "incidents",
}


def repository(uow: UnitOfWork, resource: Resource) -> Repository[Any]:
    return getattr(uow, _REPOSITORY[resource])


@dataclass(frozen=True, slots=True)
class Page:
    """A page of rows and the id to continue after, or ``None`` on the last page."""

    items: Sequence[Any]
    next_after: int | None


def get_one(
    uow_factory: UnitOfWorkFactory, principal: Principal, resource: Resource, ident: int
) -> Any:
    """The resource with id ``ident``; ``NotFound`` when absent or out of scope."""
    with uow_factory() as uow:
        row = repository(uow, resource).get(ident, principal)
        if row is None:
            raise NotFound(resource.value, ident)
        return row


def get_created(uow_factory: UnitOfWorkFactory, resource: Resource, ids: list[int]) -> list[Any]:
    """Rows a use case has just created (or is replaying), in the order of ``ids``."""
    with uow_factory() as uow:
        repo = repository(uow, resource)
        return [repo.get(ident) for ident in ids]


def list_page(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    resource: Resource,
    *,
    after: int | None,
    limit: int,
    filters: Mapping[str, Any] | None = None,
) -> Page:
    """Up to ``limit`` visible rows after id ``after``; ``filters`` are column equalities."""
    with uow_factory() as uow:
        rows = repository(uow, resource).page(
            principal, after=after, limit=limit + 1, filters=filters
        )
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, items[-1].id if more else None)
