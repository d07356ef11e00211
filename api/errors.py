"""The one table from domain errors to HTTP problem responses (RFC 9457).

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``errors``: a list of ``{field, value, message}`` that names what was wrong.
"""

import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from claims import ClaimsError
from pricing import PricingError
from underwriting.db.uow import ConstraintViolated
from underwriting.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
    UnderwritingError,
)

PROBLEM_JSON = "application/problem+json"
_VALUE_MAX = 200


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": f"urn:secondlock:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": list(errors),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_error(field: str | None, value: Any, message: str) -> dict[str, Any]:
    return {"field": field, "value": _shown(value), "message": message}


def _shown(value: Any) -> Any:
    """The offending value as JSON can carry it, cut to a readable length if long."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or ±Infinity: JSON cannot carry them, so say them in words
        return str(value)
    if len(text) <= _VALUE_MAX:
        return json.loads(text)
    return text[:_VALUE_MAX] + "…"


def field_path(loc: Sequence[str | int]) -> str:
    """``("body", "records", 3, "visit_date")`` → ``records[3].visit_date``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        source, parts = parts[0], parts[1:]
        if source == "header" and parts:
            return str(parts[0]).title()
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not path:
            path = str(part)
        else:
            path += f".{part}"
    return path or "body"


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        if error["type"] == "json_invalid":
            position = error["loc"][-1]
            reason = error.get("ctx", {}).get("error", "invalid JSON")
            errors.append(field_error("body", None, f"is not JSON: {reason} at {position}"))
            continue
        missing = error["type"] == "missing"
        message = error["msg"].removeprefix("Value error, ")
        errors.append(
            field_error(field_path(error["loc"]), None if missing else error.get("input"), message)
        )
    return errors


#: The one table from domain errors to (status, problem slug, title); first match wins.
DOMAIN_PROBLEMS: tuple[tuple[type[UnderwritingError], int, str, str], ...] = (
    (InvalidInput, 422, "validation", "Invalid input"),
    (IdempotencyKeyReused, 422, "idempotency-key-reused", "Idempotency-Key reused"),
    (NotFound, 404, "not-found", "Not found"),
    (Conflict, 409, "conflict", "Conflict"),
    (ConstraintViolated, 409, "conflict", "Conflict"),
    (RoleNotAllowed, 403, "forbidden", "Forbidden"),
)


def _domain_problem(exc: UnderwritingError) -> tuple[int, str, str]:
    for kind, status, slug, title in DOMAIN_PROBLEMS:
        if isinstance(exc, kind):
            return status, slug, title
    return 400, "bad-request", "Bad request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into problem responses."""

    @app.exception_handler(RequestValidationError)
    def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0]
        detail = f"{first['field']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return problem(422, "validation", "Invalid input", detail, errors)

    @app.exception_handler(UnderwritingError)
    def _domain(_: Request, exc: UnderwritingError) -> JSONResponse:
        status, slug, title = _domain_problem(exc)
        detail = f"{exc.field}: {exc.message}" if exc.field else exc.message
        errors = [field_error(exc.field, exc.value, exc.message)] if exc.field else []
        return problem(status, slug, title, detail, errors)

    @app.exception_handler(PricingError)
    def _pricing(_: Request, exc: PricingError) -> JSONResponse:
        # Use cases translate what they can name; this catches the rest of the library's
        # domain errors (a parameter out of its domain) as the 422 they are.
        return problem(422, "pricing", "Cannot price", str(exc))

    @app.exception_handler(ClaimsError)
    def _claims(_: Request, exc: ClaimsError) -> JSONResponse:
        # The claims rules name the field and value they refuse: a 422 like any bad input.
        detail = f"{exc.field}: {exc.message}" if exc.field else exc.message
        errors = [field_error(exc.field, exc.value, exc.message)] if exc.field else []
        return problem(422, "validation", "Invalid input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {401: "Unauthorized", 404: "Not found", 405: "Method not allowed", 413: "Too large"}
        return problem(
            exc.status_code,
            "http",
            title.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )
