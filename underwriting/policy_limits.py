"""A policy's limits and what its claims have used of them (``GET /v1/policies/{id}/limits``).

The aggregate used is the limit less ``policy.aggregate_remaining`` (reduced by every paid
settlement, under the policy's lock); each related-claims group's per-claim limit and
deductible are what its paid settlements used; the ledger's paid and recovered totals are
shown beside them, so that an actuary sees the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from underwriting.access import Principal, require_role
from underwriting.claim_files import CLAIM_READERS, Money
from underwriting.db.claim_repositories import GroupUsage
from underwriting.db.tables import Policy
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import NotFound

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class GroupLimits:
    """One related-claims group's use of the per-claim limit and the deductible, CNY."""

    group_id: int
    incident_id: int
    claim_ids: list[int]
    indemnity_paid: Decimal
    defence_paid: Decimal
    per_claim_used: Decimal
    per_claim_remaining: Decimal
    deductible_used: Decimal
    deductible_remaining: Decimal


@dataclass(frozen=True)
class LimitsView:
    """The policy's limits and what is used of them; ``ledger_paid`` is Σ claim payments on
    the ledger (indemnity + defence), which agrees with the settlements."""

    policy: Policy
    aggregate_used: Decimal
    pending_total: Decimal
    ledger_paid: Decimal
    ledger_recovered: Decimal
    groups: list[GroupLimits]


def limits(uow_factory: UnitOfWorkFactory, principal: Principal, policy_id: int) -> LimitsView:
    """What is used and left of the policy's aggregate, and of each group's limit."""
    require_role(principal, CLAIM_READERS, "read a policy's limits")
    with uow_factory() as uow:
        policy = uow.policies.get(policy_id, principal)
        if policy is None:
            raise NotFound("policy", policy_id)
        usage = uow.claims.usage(policy_id=policy.id)
        groups = uow.claims.groups_of_policy(policy.id)
        members = uow.claims.group_members([g for g, _ in groups])
        money = Money.of(uow.claims.policy_balances(policy.id))
        pending = uow.claims.pending_total(policy.id)
        return LimitsView(
            policy=policy,
            aggregate_used=policy.aggregate_limit - policy.aggregate_remaining,
            pending_total=pending,
            ledger_paid=money.paid,
            ledger_recovered=money.recovered,
            groups=[
                _group_limits(policy, g, incident, members[g], usage.get(g, GroupUsage()))
                for g, incident in groups
            ],
        )


def _group_limits(
    policy: Policy, group: int, incident: int, claim_ids: list[int], used: GroupUsage
) -> GroupLimits:
    per_claim = used.indemnity + (used.defence if policy.defence_inside else ZERO)
    return GroupLimits(
        group_id=group,
        incident_id=incident,
        claim_ids=claim_ids,
        indemnity_paid=used.indemnity,
        defence_paid=used.defence,
        per_claim_used=per_claim,
        per_claim_remaining=policy.per_claim_limit - per_claim,
        deductible_used=used.deductible,
        deductible_remaining=policy.deductible - used.deductible,
    )
