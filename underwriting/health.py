"""Is the book reachable? For ``GET /healthz`` and load balancers."""

from __future__ import annotations

from underwriting.db.uow import UnitOfWorkFactory


def database_reachable(uow_factory: UnitOfWorkFactory) -> bool:
    """True when a trivial query round-trips to the database."""
    try:
        with uow_factory() as uow:
            return uow.ping()
    except Exception:
        return False
