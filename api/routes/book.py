"""The book of business under ``/v1``: parties, risk data, engagements, service records."""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from api.deps import CurrentPrincipal, IdempotencyKey, PageQuery, UowFactory
from api.routes.resources import ResourceRoutes, add_resource, replay_headers
from api.schemas.parties import (
    EnterpriseCreate,
    EnterpriseRead,
    FirmCreate,
    FirmRead,
    OrganisationCreate,
    OrganisationRead,
)
from api.schemas.risk import (
    AuditCreate,
    AuditRead,
    HazardSnapshotCreate,
    HazardSnapshotRead,
    IncidentCreate,
    IncidentRead,
)
from api.schemas.services import (
    EngagementCreate,
    EngagementRead,
    ServiceRecordBatchCreate,
    ServiceRecordBatchRead,
    ServiceRecordCreate,
    ServiceRecordRead,
)
from api.schemas.types import BIGINT_MAX
from underwriting import engagements, incidents, parties, risk_data
from underwriting.access import Principal, Resource
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.idempotency import Created
from underwriting.reading import get_created
from underwriting.vocabulary import CreditColour, HazardClass, OrgKind

# Query strings are text: a filter id is parsed, not strict as in a JSON body.
OptionalId = Annotated[int | None, Field(ge=1, le=BIGINT_MAX, description="only those of this id")]


class OrganisationFilters(PageQuery):
    kind: OrgKind | None = None


class FirmFilters(PageQuery):
    credit_colour: CreditColour | None = None


class EnterpriseFilters(PageQuery):
    hazard_class: HazardClass | None = None


class SnapshotFilters(PageQuery):
    enterprise_id: OptionalId = None


class EngagementFilters(PageQuery):
    firm_id: OptionalId = None
    enterprise_id: OptionalId = None


class RecordFilters(PageQuery):
    engagement_id: OptionalId = None


class AuditFilters(PageQuery):
    firm_id: OptionalId = None


class IncidentFilters(PageQuery):
    enterprise_id: OptionalId = None


def _file_one_record(
    uows: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None,
) -> Created:
    """File one service record. A correction names the record it ``supersedes_id``; both
    stay readable. ``submitted_at`` is set by the server."""
    return engagements.file_service_records(
        uows, principal, [values], field_prefix="", idempotency_key=idempotency_key
    )


RESOURCES = (
    ResourceRoutes(
        "organisations",
        Resource.ORGANISATION,
        OrganisationCreate,
        OrganisationRead,
        parties.create_organisation,
        OrganisationFilters,
        "an organisation",
    ),
    ResourceRoutes(
        "firms", Resource.FIRM, FirmCreate, FirmRead, parties.create_firm, FirmFilters, "a firm"
    ),
    ResourceRoutes(
        "enterprises",
        Resource.ENTERPRISE,
        EnterpriseCreate,
        EnterpriseRead,
        parties.create_enterprise,
        EnterpriseFilters,
        "an enterprise",
    ),
    ResourceRoutes(
        "hazard-snapshots",
        Resource.HAZARD_SNAPSHOT,
        HazardSnapshotCreate,
        HazardSnapshotRead,
        risk_data.create_hazard_snapshot,
        SnapshotFilters,
        "a hazard snapshot",
    ),
    ResourceRoutes(
        "engagements",
        Resource.ENGAGEMENT,
        EngagementCreate,
        EngagementRead,
        engagements.create_engagement,
        EngagementFilters,
        "an engagement",
    ),
    ResourceRoutes(
        "service-records",
        Resource.SERVICE_RECORD,
        ServiceRecordCreate,
        ServiceRecordRead,
        _file_one_record,
        RecordFilters,
        "a service record",
    ),
    ResourceRoutes(
        "audits",
        Resource.AUDIT,
        AuditCreate,
        AuditRead,
        risk_data.create_audit,
        AuditFilters,
        "an audit",
    ),
    ResourceRoutes(
        "incidents",
        Resource.INCIDENT,
        IncidentCreate,
        IncidentRead,
        incidents.report_incident,
        IncidentFilters,
        "an incident",
    ),
)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post(
        "/service-records/batch",
        status_code=201,
        response_model=ServiceRecordBatchRead,
        tags=["service records"],
        summary="File up to 1,000 service records, all or nothing",
    )
    def file_batch(
        body: ServiceRecordBatchCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> ServiceRecordBatchRead:
        """One bad record and none is written; the problem names it as `records[i].field`."""
        created = engagements.file_service_records(
            uows,
            principal,
            [record.model_dump() for record in body.records],
            idempotency_key=idempotency_key,
        )
        replay_headers(response, created, f"/v1/service-records/{created.ids[0]}")
        first = get_created(uows, Resource.SERVICE_RECORD, created.ids[:1])[0]
        return ServiceRecordBatchRead(
            count=len(created.ids), ids=created.ids, submitted_at=first.submitted_at
        )

    for spec in RESOURCES:
        add_resource(router, spec)
    return router
