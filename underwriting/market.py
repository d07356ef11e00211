"""Use cases for demo and reference markets: load a generated market into an empty book."""

from __future__ import annotations

from underwriting.db.uow import UnitOfWorkFactory
from underwriting.demo_market import TABLE_ORDER, Market
from underwriting.errors import Conflict
from underwriting.vocabulary import INSURER_STAFF, OrgKind, Role


def book_is_empty(uow_factory: UnitOfWorkFactory) -> bool:
    """True when no organisation is registered yet."""
    with uow_factory() as uow:
        return uow.is_empty("organisation")


def load_market(uow_factory: UnitOfWorkFactory, market: Market) -> dict[str, int]:
    """Insert every table of ``market`` with its own ids, in one transaction; returns the row
    count per table. Only into an empty book: ids are the generator's."""
    with uow_factory() as uow:
        if not uow.is_empty("organisation"):
            raise Conflict("database", "not empty", "a market loads only into an empty book")
        counts = {name: uow.bulk_insert(name, market.tables.get(name, [])) for name in TABLE_ORDER}
        uow.reset_sequences()
        uow.commit()
    return counts


def demo_organisations(uow_factory: UnitOfWorkFactory) -> dict[Role, int]:
    """One organisation per role for demo keys: the platform, the first insurer, the firm
    with the most engagements and an enterprise it serves (so that the README tour's firm
    and enterprise see the same records)."""
    with uow_factory() as uow:
        platform = uow.organisations.first_of_kind(OrgKind.PLATFORM)
        insurer = uow.organisations.first_of_kind(OrgKind.INSURER)
        firm_id, enterprise_id = uow.engagements.busiest_pair()
    chosen = {Role.ADMIN: platform, Role.FIRM: firm_id, Role.ENTERPRISE: enterprise_id}
    chosen |= {role: insurer for role in INSURER_STAFF}
    missing = sorted(role.value for role, org in chosen.items() if org is None)
    if missing:
        raise Conflict("database", missing, "the book has no organisation for these roles")
    return {role: chosen[role] for role in Role}
