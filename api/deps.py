"""Request dependencies: who is calling, the unit-of-work factory, paging, idempotency."""

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from api.schemas.types import BIGINT_MAX
from underwriting.access import Principal
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import InvalidInput
from underwriting.keys import authenticate

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer sl_…`")


def _uow_factory(request: Request) -> UnitOfWorkFactory:
    return request.app.state.uow_factory


UowFactory = Annotated[UnitOfWorkFactory, Depends(_uow_factory)]


def _current_principal(
    uows: UowFactory,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(401, "send an API key as 'Authorization: Bearer <key>'", challenge)
    principal = authenticate(uows, credentials.credentials)
    if principal is None:
        raise HTTPException(401, "the API key is unknown or revoked", challenge)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retry-safe creation: the same key and body return the first response.",
    ),
]


class PageQuery(BaseModel):
    """Cursor paging: pass back ``next_cursor`` as ``cursor`` for the next page."""

    model_config = ConfigDict(extra="forbid")

    cursor: Annotated[str | None, Field(max_length=64)] = None
    limit: Annotated[int, Field(ge=1, le=500)] = 50

    def after(self) -> int | None:
        """The id the cursor stands for; ``InvalidInput`` when it is not one of ours."""
        if self.cursor is None:
            return None
        try:
            after = int(base64.urlsafe_b64decode(self.cursor.encode() + b"==").decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            after = -1
        if not 0 <= after <= BIGINT_MAX:
            raise InvalidInput("cursor", self.cursor, "is not a cursor this API returned")
        return after

    def filters(self) -> dict[str, object]:
        return self.model_dump(exclude={"cursor", "limit"})


def encode_cursor(after: int | None) -> str | None:
    if after is None:
        return None
    return base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=")
