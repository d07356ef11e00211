"""Renewal: re-quote an expiring policy and explain the change from its premium.

The renewal quote starts the day the policy expires, with the model active on that day and
the latest data, and keeps the policy's retro date: the cover is continuous, so the
claims-made step keeps climbing. Its first option is the expiring terms unless the
underwriter gives another grid. The change from the expiring full-term premium is explained
factor by factor — model, hazard, quality, experience, claims-made step, schedule, coverage —
by ``pricing.explain_change``, whose steps add up to the change exactly, to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pricing import explain_change
from underwriting.access import Principal, Resource, require_create
from underwriting.audit_trail import record
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import Conflict, NotFound
from underwriting.indications import one_year_on
from underwriting.policy_terms import full_term_premium, terms_on
from underwriting.quotes import QuoteRequest, QuoteView, create_quote
from underwriting.rating_models import model_version
from underwriting.vocabulary import PolicyStatus


@dataclass(frozen=True)
class Renewal:
    policy_id: int
    policy_number: str
    expiring_premium: str
    quote: QuoteView
    change: dict[str, Any]


def renew(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    policy_id: int,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Renewal:
    """Quote the renewal of a policy and explain its premium against the expiring one."""
    require_create(principal, Resource.QUOTE)
    with uow_factory() as uow:
        policy = uow.policies.get(policy_id, principal)
        if policy is None:
            raise NotFound("policy", policy_id)
        if policy.status == PolicyStatus.CANCELLED:
            raise Conflict("status", policy.status, "a cancelled policy is not renewed")
        if uow.policies.renewed_by(policy.id) is not None:
            raise Conflict("policy_id", policy_id, "is already renewed")
        terms = terms_on(uow.policies.transactions(policy.id), policy.expiry_date)
        expiring_model = model_version(uow, policy.model_version)
        expiring = full_term_premium(policy.firm_id, policy.rating_inputs, terms, expiring_model)
        facts = (policy.firm_id, policy.expiry_date, policy.retro_date, policy.number)
        schedule = policy.rating_inputs["schedule"]
    firm_id, effective, retro, number = facts
    options = values.get("options") or [{**terms.to_dict()}]
    request = QuoteRequest(
        firm_id=firm_id,
        effective=effective,
        expiry=values.get("expiry_date") or one_year_on(effective),
        retro=retro,
        engagement_ids=values.get("engagement_ids"),
        options=[_option(o) for o in options],
        schedule=values.get("schedule", schedule),
        renewal_of_policy_id=policy_id,
    )
    made = create_quote(uow_factory, principal, request, idempotency_key=idempotency_key)
    created, view = made.created, made.view
    with uow_factory() as uow:
        renewal_model = model_version(uow, view.quote.model_version)
        change = explain_change(
            expiring.worksheet,
            view.quote.options[0]["worksheet"],
            expiring_model=expiring_model,
            renewal_model=renewal_model,
        ).to_dict()
        if not created.replayed:
            record(
                uow,
                principal,
                "policy.renewal_quote",
                subject=("policy", policy_id),
                values={"quote_id": view.quote.id, "change": change["change"]},
            )
            uow.commit()
    return Renewal(policy_id, number, str(expiring.premium), view, change)


def _option(option: Mapping[str, Any]) -> dict[str, Any]:
    names = ("per_claim_limit", "aggregate_limit", "deductible", "defence_inside")
    return {name: option[name] for name in names if name in option}
