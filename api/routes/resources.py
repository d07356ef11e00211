"""Create, read and list for each resource of the book: one shape, declared once a resource.

Every resource answers ``POST /v1/<path>`` (201, honours ``Idempotency-Key``),
``GET /v1/<path>/{id}`` and ``GET /v1/<path>?cursor=&limit=&<filters>``. Out-of-scope
resources are 404s, exactly like missing ones.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from api.deps import CurrentPrincipal, IdempotencyKey, PageQuery, UowFactory, encode_cursor
from api.schemas.types import BIGINT_MAX
from underwriting.access import Resource
from underwriting.idempotency import Created
from underwriting.reading import get_created, get_one, list_page

Item = TypeVar("Item")
CreateUseCase = Callable[..., Created]


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class ResourceRoutes:
    """What differs between resources: names, schemas, the creating use case, filters."""

    path: str
    resource: Resource
    create_schema: type[BaseModel]
    read_schema: type[BaseModel]
    create: CreateUseCase
    filters: type[PageQuery]
    noun: str


def replay_headers(response: Response, created: Created, location: str) -> None:
    response.headers["Location"] = location
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"


def add_resource(router: APIRouter, spec: ResourceRoutes) -> None:
    """Declare the create, read and list routes of one resource on ``router``."""
    Create, Read, Filters = spec.create_schema, spec.read_schema, spec.filters  # noqa: N806

    def create(
        body: Create,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        created = spec.create(uows, principal, body.model_dump(), idempotency_key=idempotency_key)
        replay_headers(response, created, f"/v1/{spec.path}/{created.ids[0]}")
        return get_created(uows, spec.resource, created.ids)[0]

    def read(
        ident: Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)],
        principal: CurrentPrincipal,
        uows: UowFactory,
    ) -> Any:
        return get_one(uows, principal, spec.resource, ident)

    def listing(
        query: Annotated[Filters, Query()],  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        uows: UowFactory,
    ) -> Any:
        page = list_page(
            uows,
            principal,
            spec.resource,
            after=query.after(),
            limit=query.limit,
            filters=query.filters(),
        )
        return {"items": page.items, "next_cursor": encode_cursor(page.next_after)}

    tag = spec.path.replace("-", " ")
    router.add_api_route(
        f"/{spec.path}",
        create,
        methods=["POST"],
        status_code=201,
        response_model=Read,
        summary=f"Create {spec.noun}",
        tags=[tag],
        description=spec.create.__doc__,
    )
    router.add_api_route(
        f"/{spec.path}/{{id}}",
        read,
        methods=["GET"],
        response_model=Read,
        summary=f"Read one {spec.noun}",
        tags=[tag],
    )
    router.add_api_route(
        f"/{spec.path}",
        listing,
        methods=["GET"],
        response_model=Page[Read],
        summary=f"List {spec.noun}s you can see, by cursor",
        tags=[tag],
    )
