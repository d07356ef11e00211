"""Use cases for the parties: organisations, and the firm and enterprise profiles on them.

A firm or an enterprise is first an organisation (name, credit code); its profile is then
created on that organisation's id, which it shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from underwriting.access import Principal, Resource, require_create
from underwriting.credit_code import credit_code_problem
from underwriting.db.tables import Enterprise, Firm, Organisation
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.idempotency import Created, create_once
from underwriting.reading import repository
from underwriting.vocabulary import OrgKind


def create_organisation(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Register an organisation; its credit code must be valid (GB 32100) and unused."""
    require_create(principal, Resource.ORGANISATION)
    problem = credit_code_problem(values["credit_code"])
    if problem:
        raise InvalidInput("credit_code", values["credit_code"], problem)

    def create(uow: UnitOfWork) -> list[int]:
        if uow.organisations.by_credit_code(values["credit_code"]):
            raise Conflict("credit_code", values["credit_code"], "already registered")
        row = uow.organisations.add(Organisation(**values))
        uow.flush()
        return [row.id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation="organisation",
        payload=values,
        create=create,
    )


def create_firm(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Give a ``firm`` organisation its firm profile (qualification, credit colour…)."""
    return _create_profile(
        uow_factory, principal, values, Firm, OrgKind.FIRM, Resource.FIRM, idempotency_key
    )


def create_enterprise(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """Give an ``enterprise`` organisation its profile (sector, size, grade…)."""
    return _create_profile(
        uow_factory,
        principal,
        values,
        Enterprise,
        OrgKind.ENTERPRISE,
        Resource.ENTERPRISE,
        idempotency_key,
    )


def _create_profile(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    table: type[Firm] | type[Enterprise],
    kind: OrgKind,
    resource: Resource,
    idempotency_key: str | None,
) -> Created:
    require_create(principal, resource)
    org_id = values["organisation_id"]

    def create(uow: UnitOfWork) -> list[int]:
        organisation = uow.organisations.get(org_id, principal)
        if organisation is None:
            raise NotFound("organisation", org_id, field="organisation_id")
        if organisation.kind != kind:
            raise InvalidInput(
                "organisation_id", org_id, f"is a {organisation.kind}, not a {kind.value}"
            )
        profiles = repository(uow, resource)
        if profiles.get(org_id) is not None:
            raise Conflict("organisation_id", org_id, f"already has a {kind.value} profile")
        fields = {k: v for k, v in values.items() if k != "organisation_id"}
        profiles.add(table(id=org_id, **fields))
        uow.flush()
        return [org_id]

    return create_once(
        uow_factory,
        principal,
        idempotency_key,
        operation=resource.value,
        payload=values,
        create=create,
    )


def register_platform(uow_factory: UnitOfWorkFactory, *, name: str, credit_code: str) -> int:
    """Bootstrap: register the platform organisation that holds the first admin keys.

    The one creation without a principal, for ``secondlock platform create`` on a new book.
    """
    problem = credit_code_problem(credit_code)
    if problem:
        raise InvalidInput("credit_code", credit_code, problem)
    with uow_factory() as uow:
        if uow.organisations.by_credit_code(credit_code):
            raise Conflict("credit_code", credit_code, "already registered")
        row = uow.organisations.add(
            Organisation(kind=OrgKind.PLATFORM, name=name, credit_code=credit_code)
        )
        uow.flush()
        uow.commit()
        return row.id
