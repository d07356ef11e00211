"""API keys: minted once, shown once, stored only as a SHA-256 hash, revocable.

A key is ``sl_`` followed by 43 URL-safe characters (256 random bits). At that entropy a
plain SHA-256 is the right hash: there is nothing to brute-force, and lookups stay one
indexed read per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal

from underwriting import clock
from underwriting.access import Principal
from underwriting.db.tables import ApiKey
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import InvalidInput, NotFound
from underwriting.vocabulary import ROLE_ORG_KIND, OrgKind, Role

KEY_PREFIX = "sl_"


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class MintedKey:
    """A new key: ``plaintext`` exists only here and is never stored."""

    id: int
    organisation_id: int
    role: Role
    plaintext: str


#: The roles whose keys carry an authority limit.
AUTHORITY_ROLES = frozenset({Role.UNDERWRITER, Role.ADJUSTER})


def create_key(
    uow_factory: UnitOfWorkFactory,
    *,
    organisation_id: int,
    role: Role,
    label: str = "",
    authority_limit: Decimal | None = None,
) -> MintedKey:
    """Mint a key for ``role`` at an organisation whose kind holds that role. Authority, CNY:
    an underwriter's is the largest aggregate limit it may quote or accept, an adjuster's
    the largest payment it may approve; each defaults to the guidelines'."""
    if authority_limit is not None and role not in AUTHORITY_ROLES:
        raise InvalidInput(
            "authority", str(authority_limit), "only an underwriter or an adjuster has authority"
        )
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    with uow_factory() as uow:
        organisation = uow.organisations.get(organisation_id)
        if organisation is None:
            raise NotFound("organisation", organisation_id, field="org")
        if organisation.kind != ROLE_ORG_KIND[role]:
            raise InvalidInput(
                "role",
                role.value,
                f"belongs to a {ROLE_ORG_KIND[role].value}, "
                f"but organisation {organisation_id} is a {organisation.kind}",
            )
        row = uow.api_keys.add(
            ApiKey(
                organisation_id=organisation_id,
                role=role,
                key_hash=hash_key(plaintext),
                prefix=plaintext[:11],
                label=label,
                authority_limit=authority_limit,
            )
        )
        uow.flush()
        uow.commit()
        return MintedKey(row.id, organisation_id, role, plaintext)


def revoke_key(uow_factory: UnitOfWorkFactory, key_id: int) -> None:
    """Revoke a key at once; later requests with it are refused (401)."""
    with uow_factory() as uow:
        row = uow.api_keys.get(key_id)
        if row is None:
            raise NotFound("api key", key_id, field="id")
        if row.revoked_at is None:
            row.revoked_at = clock.now()
        uow.commit()


def authenticate(uow_factory: UnitOfWorkFactory, plaintext: str) -> Principal | None:
    """The principal a key stands for, or ``None`` for an unknown or revoked key."""
    if not plaintext.startswith(KEY_PREFIX):
        return None
    with uow_factory() as uow:
        row = uow.api_keys.by_hash(hash_key(plaintext))
        if row is None or row.revoked_at is not None:
            return None
        return Principal(
            key_id=row.id,
            organisation_id=row.organisation_id,
            org_kind=OrgKind(row.organisation.kind),
            role=Role(row.role),
            authority_limit=row.authority_limit,
        )


def operator(uow_factory: UnitOfWorkFactory) -> Principal:
    """The platform's operator at the command line: the platform organisation, acting as an
    admin without an API key (what it writes records no key)."""
    with uow_factory() as uow:
        platform = uow.organisations.first_of_kind(OrgKind.PLATFORM)
    if platform is None:
        raise NotFound("organisation", "platform", field="platform")
    return Principal(
        key_id=None, organisation_id=platform, org_kind=OrgKind.PLATFORM, role=Role.ADMIN
    )
