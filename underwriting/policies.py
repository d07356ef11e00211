"""Reading policies: their terms, the engagements they cover and every transaction."""

from __future__ import annotations

from dataclasses import dataclass

from underwriting.db.tables import Policy, PolicyTransaction
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import NotFound


@dataclass(frozen=True)
class PolicyView:
    policy: Policy
    engagement_ids: list[int]
    transactions: list[PolicyTransaction]


def get_policy(uow_factory: UnitOfWorkFactory, principal, policy_id: int) -> PolicyView:
    """The policy with its covered engagements and its history, in processing order."""
    with uow_factory() as uow:
        policy = uow.policies.get(policy_id, principal)
        if policy is None:
            raise NotFound("policy", policy_id)
        return PolicyView(
            policy, uow.policies.engagement_ids(policy.id), uow.policies.transactions(policy.id)
        )


def list_policies(
    uow_factory: UnitOfWorkFactory,
    principal,
    *,
    after: int | None,
    limit: int,
    firm_id: int | None = None,
    status: str | None = None,
) -> list[PolicyView]:
    with uow_factory() as uow:
        rows = uow.policies.page(
            principal, after=after, limit=limit, filters={"firm_id": firm_id, "status": status}
        )
        ids = [p.id for p in rows]
        covered = uow.policies.engagement_ids_of(ids)
        history = uow.policies.transactions_of(ids)
        return [PolicyView(p, covered[p.id], history[p.id]) for p in rows]
