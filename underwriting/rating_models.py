"""Use cases for rating-model versions: draft → approved → active → retired.

A version's parameters never change once approved: a change is a new version. The model
that prices a policy is the active one with the latest ``effective_from`` on or before the
policy's effective date, so activating 2027's model leaves 2026's policies priced by 2026's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from pricing import ModelError, RatingModel
from underwriting import clock
from underwriting.access import PRICING_ROLES, Principal, Resource, require_create, require_role
from underwriting.audit_trail import record
from underwriting.db.tables import RatingModel as RatingModelRow
from underwriting.db.uow import ConstraintViolated, UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.vocabulary import ModelStatus

#: The transitions a model version may make, and the timestamp each one sets.
TRANSITIONS = {
    "approve": (ModelStatus.DRAFT, ModelStatus.APPROVED),
    "activate": (ModelStatus.APPROVED, ModelStatus.ACTIVE),
    "retire": (ModelStatus.ACTIVE, ModelStatus.RETIRED),
}
#: A model version is a string key, the trail's subject id an integer: model events all
#: carry subject id 0 and name their version in ``values``.
MODEL_SUBJECT = ("rating_model", 0)


def validated(document: Mapping[str, Any]) -> RatingModel:
    """The pricing model a document describes; ``InvalidInput`` names the bad parameter."""
    try:
        return RatingModel.from_document(document)
    except ModelError as error:
        path = str(error).split(" ", 1)[0]
        raise InvalidInput(f"document.{path}", None, str(error)) from None


def create_draft(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    document: Mapping[str, Any],
    *,
    then: Callable[[UnitOfWork, RatingModelRow], None] | None = None,
) -> RatingModelRow:
    """Store a new model version as a draft, after validating every parameter; ``then``
    adds what belongs with it (a calibration's diagnostics) in the same transaction."""
    require_create(principal, Resource.RATING_MODEL)
    model = validated(document)
    with uow_factory() as uow:
        if uow.rating_models.get(model.version) is not None:
            raise Conflict("version", model.version, "already exists; publish a new version")
        row = uow.rating_models.add(
            RatingModelRow(
                version=model.version,
                effective_from_date=model.effective_from,
                status=ModelStatus.DRAFT,
                parameters=dict(model.document),
                created_by_key_id=principal.key_id,
            )
        )
        uow.flush()
        _record(uow, principal, "model.draft", row)
        if then is not None:
            then(uow, row)
        uow.commit()
        return row


def transition(
    uow_factory: UnitOfWorkFactory, principal: Principal, version: str, action: str
) -> RatingModelRow:
    """Move a version along its lifecycle (``approve``, ``activate`` or ``retire``)."""
    require_create(principal, Resource.RATING_MODEL)
    before, after = TRANSITIONS[action]
    with uow_factory() as uow:
        row = uow.rating_models.lock(version)
        if row is None:
            raise NotFound("rating model", version)
        if row.status != before:
            raise Conflict("status", row.status, f"only a {before.value} model can {action}")
        if action == "approve":
            if row.created_by_key_id == principal.key_id:
                raise Conflict(
                    "version", version, "was published with this key; a second actuary approves"
                )
            row.approved_at, row.approved_by_key_id = clock.now(), principal.key_id
        row.status = after
        _record(uow, principal, f"model.{action}", row)
        try:
            uow.commit()
        except ConstraintViolated as error:
            raise Conflict(
                "effective_from_date",
                row.effective_from_date.isoformat(),
                "another active version takes effect that day; retire it first",
            ) from error
        return row


def replace_draft(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    version: str,
    document: Mapping[str, Any],
) -> RatingModelRow:
    """Replace a draft's parameters. Once approved a version never changes: 409."""
    require_create(principal, Resource.RATING_MODEL)
    model = validated(document)
    if model.version != version:
        raise InvalidInput("document.version", model.version, f"must stay {version!r}")
    with uow_factory() as uow:
        row = uow.rating_models.lock(version)
        if row is None:
            raise NotFound("rating model", version)
        if row.status != ModelStatus.DRAFT:
            raise Conflict(
                "status", row.status, "an approved version never changes; publish a new version"
            )
        row.parameters, row.effective_from_date = dict(model.document), model.effective_from
        row.created_by_key_id = principal.key_id
        _record(uow, principal, "model.replace", row)
        uow.commit()
        return row


def _record(uow: UnitOfWork, principal: Principal, action: str, row: RatingModelRow) -> None:
    values = {
        "version": row.version,
        "status": row.status,
        "effective_from": row.effective_from_date.isoformat(),
    }
    record(uow, principal, action, subject=MODEL_SUBJECT, values=values)


def list_models(uow_factory: UnitOfWorkFactory, principal: Principal) -> Sequence[RatingModelRow]:
    require_role(principal, PRICING_ROLES, "read rating models")
    with uow_factory() as uow:
        return uow.rating_models.all()


def get_model(uow_factory: UnitOfWorkFactory, principal: Principal, version: str) -> RatingModelRow:
    require_role(principal, PRICING_ROLES, "read rating models")
    with uow_factory() as uow:
        row = uow.rating_models.get(version)
        if row is None:
            raise NotFound("rating model", version)
        return row


def model_in_force(uow_factory: UnitOfWorkFactory, on: date) -> RatingModel:
    """The active model for a policy effective ``on``."""
    with uow_factory() as uow:
        return model_on(uow, on)


def model_on(uow: UnitOfWork, on: date) -> RatingModel:
    """``model_in_force`` inside a use case's own unit of work. An active version's document
    never changes, so it is parsed once per (version, approval time) and kept."""
    key = uow.rating_models.active_key_on(on)
    if key is None:
        raise NotFound("active rating model on", on.isoformat(), field="effective_date")
    model = _ACTIVE.get(key)
    if model is None:
        row = uow.rating_models.get(key[0])
        model = _ACTIVE[key] = RatingModel.from_document(row.parameters)
    return model


#: Parsed active models by (version, approved_at); a handful over a process's life.
_ACTIVE: dict[tuple[str, Any], RatingModel] = {}


def model_version(uow: UnitOfWork, version: str) -> RatingModel:
    """The pricing model of a stored version (a policy's own); approved ones are cached,
    since an approved version never changes."""
    row = uow.rating_models.get(version)
    if row is None:
        raise NotFound("rating model", version)
    if row.status == ModelStatus.DRAFT:
        return RatingModel.from_document(row.parameters)
    return _parsed(version, json.dumps(row.parameters, sort_keys=True))


@functools.lru_cache(maxsize=32)
def _parsed(version: str, document: str) -> RatingModel:
    return RatingModel.from_document(json.loads(document))


def ensure_default_model(uow_factory: UnitOfWorkFactory, version: str = "pl-2026.1") -> bool:
    """Install the shipped model as active when the book has no model at all (a new book,
    the demo). Returns whether it did."""
    model = RatingModel.load(version)
    with uow_factory() as uow:
        if uow.rating_models.all():
            return False
        uow.rating_models.add(
            RatingModelRow(
                version=model.version,
                effective_from_date=model.effective_from,
                status=ModelStatus.ACTIVE,
                parameters=dict(model.document),
                approved_at=clock.now(),
            )
        )
        uow.commit()
        return True
