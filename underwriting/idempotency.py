"""Creating requests that may be retried: the same ``Idempotency-Key`` never creates twice.

The key is scoped to the API key that sent it. The first request's fingerprint (operation
and canonical body) and the ids it created are stored in the same transaction as what it
created; a retry with the same body gets those ids back, a retry with another body is refused
(``IdempotencyKeyReused``), and two racing first requests are settled by the unique index:
the loser rolls back and replays the winner.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from underwriting.access import Principal
from underwriting.db.tables import IdempotencyRecord
from underwriting.db.uow import ConstraintViolated, UnitOfWork, UnitOfWorkFactory
from underwriting.errors import IdempotencyKeyReused

_UNIQUE_KEY = "uq_idempotency_record_api_key_id"


@dataclass(frozen=True, slots=True)
class Created:
    """What a creating use case made: the new ids, and whether this answer is a replay."""

    ids: list[int]
    replayed: bool = False


def fingerprint(operation: str, payload: Any) -> str:
    """SHA-256 of the operation and the canonical JSON of the validated request body."""
    canonical = json.dumps([operation, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_once(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    key: str | None,
    *,
    operation: str,
    payload: Any,
    create: Callable[[UnitOfWork], list[int]],
    lock: Callable[[UnitOfWork], object] | None = None,
) -> Created:
    """Run ``create`` in one transaction and commit, unless ``key`` was seen before.

    ``lock``, if given, runs first — before the replay check — to take the row lock the
    creation needs: a retry racing its first request then waits for it and replays it, and
    on SQLite the write lock is taken before any read (see ``PolicyRepository.lock``).
    """
    print_ = fingerprint(operation, payload) if key else ""
    with uow_factory() as uow:
        if lock is not None:
            lock(uow)
        if key and (prior := _replay(uow, principal, key, print_)):
            return prior
        ids = create(uow)
        if key:
            uow.idempotency.add(
                IdempotencyRecord(
                    api_key_id=principal.key_id,
                    key=key,
                    fingerprint=print_,
                    resource_kind=operation,
                    resource_ids=ids,
                )
            )
        try:
            uow.commit()
        except ConstraintViolated as error:
            if not key or error.constraint != _UNIQUE_KEY:
                raise
        else:
            return Created(ids)
    with uow_factory() as uow:  # lost the race to a concurrent first request
        prior = _replay(uow, principal, key, print_)
        assert prior is not None, "the unique index fired, so the winner's record exists"
        return prior


def replay(
    uow_factory: UnitOfWorkFactory, principal: Principal, key: str, *, operation: str, payload: Any
) -> Created | None:
    """The first answer to ``key`` if one was committed meanwhile (a racing retry won)."""
    with uow_factory() as uow:
        return _replay(uow, principal, key, fingerprint(operation, payload))


def _replay(uow: UnitOfWork, principal: Principal, key: str, print_: str) -> Created | None:
    prior = uow.idempotency.find(principal.key_id, key)
    if prior is None:
        return None
    if prior.fingerprint != print_:
        raise IdempotencyKeyReused(key)
    return Created(list(prior.resource_ids), replayed=True)
