"""What a claim pays, with the whole breakdown (DESIGN.md section 3, item 4).

    payable = min(L, max(0, share × loss − d)), then capped by what is left of the aggregate

for per-claim limit L, deductible d and the firm's liability ``share``. Related claims (one
incident on one policy) form a *group* that shares ONE per-claim limit and ONE deductible,
so every settlement is told what its group has already used. Step by step, in CNY:

1. ``liable_loss = share × loss``, rounded to the fen half-up (``ROUND_HALF_UP``);
2. ``deductible_applied = min(d − deductible the group has used, liable_loss)``;
3. ``indemnity_due = liable_loss − deductible_applied``;
4. ``defence_due = share × defence_costs``, rounded half-up: the firm answers for defence
   costs in proportion to its liability (按责任比例, as Chinese liability wordings put it),
   whether they sit inside or outside the limits. The deductible applies to indemnity only;
5. ``per_claim_remaining = L −`` the group's indemnity paid (and, inside, its defence paid);
6. ``indemnity = min(indemnity_due, per_claim_remaining, aggregate_remaining)``;
7. defence *inside* the limits comes after indemnity and erodes both limits: it gets
   ``min(defence_due, per_claim_remaining − indemnity, aggregate_remaining − indemnity)``.
   Indemnity goes first because the injured party's compensation is what the cover is for:
   when a limit runs short, the costs give way. Defence *outside* is paid in full on top
   (still in proportion to the share) and charged to neither limit;
8. ``charged_to_aggregate = indemnity (+ defence inside) ≤ aggregate_remaining``.

Those are the only roundings: every other amount is a sum or minimum of whole fen.
``capped_by`` names the limit that held the payment below what was due; where the
per-claim and aggregate room are equal the aggregate is named, as it ends the policy's cover.

>>> from datetime import date
>>> terms = PolicyTerms(
...     effective_date=date(2026, 3, 1), expiry_date=date(2027, 3, 1),
...     retro_date=date(2026, 3, 1), per_claim_limit=Decimal("1000000.00"),
...     aggregate_limit=Decimal("3000000.00"), deductible=Decimal("10000.00"),
...     defence_inside=True)
>>> paid = payable(Settlement(loss=Decimal("800000.00"), defence_costs=Decimal("50000.00"),
...     share=Decimal("0.7"), aggregate_remaining=Decimal("3000000.00")), terms=terms)
>>> paid.liable_loss, paid.indemnity, paid.defence, paid.total, paid.capped_by.value
(Decimal('560000.00'), Decimal('550000.00'), Decimal('35000.00'), Decimal('585000.00'), 'none')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from typing import Any

from claims.coverage import PolicyTerms
from claims.errors import ClaimsError, require_fen

__all__ = [
    "Cap",
    "InvalidRecovery",
    "InvalidSettlement",
    "Payable",
    "RecoveryExceedsPaid",
    "Settlement",
    "payable",
    "recovery_allowed",
]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class InvalidSettlement(ClaimsError):
    """A settlement's amounts are impossible (a negative loss, a share above 1 …)."""


class InvalidRecovery(ClaimsError):
    """A recovery's amounts are impossible (an amount of zero, recoveries above payments …)."""


class RecoveryExceedsPaid(InvalidRecovery):
    """The recovery would bring the claim's recoveries above what was paid on it."""


class Cap(StrEnum):
    """The limit that held a payment below what was due, if any."""

    NONE = "none"
    PER_CLAIM_LIMIT = "per_claim_limit"
    AGGREGATE_LIMIT = "aggregate_limit"


@dataclass(frozen=True, kw_only=True)
class Settlement:
    """One claim to settle, and what its related-claims group and the policy have used.

    ``loss`` and ``defence_costs`` are this claim's, in CNY, whole fen; ``share`` is the
    firm's liability share in [0, 1]. ``group_paid_indemnity``, ``group_paid_defence`` and
    ``group_deductible_used`` are what earlier claims of the same group have been paid and
    borne (the defence counts against the per-claim limit only where defence is inside);
    ``aggregate_remaining`` is what is left of the policy's aggregate limit.
    """

    loss: Decimal
    defence_costs: Decimal = ZERO
    share: Decimal
    aggregate_remaining: Decimal
    group_paid_indemnity: Decimal = ZERO
    group_paid_defence: Decimal = ZERO
    group_deductible_used: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in _MONEY:
            require_fen(name, getattr(self, name), error=InvalidSettlement)
        share = self.share
        if not isinstance(share, Decimal) or not share.is_finite() or not 0 <= share <= 1:
            raise InvalidSettlement("must be a Decimal in [0, 1]", field="share", value=share)


_MONEY = (
    "loss",
    "defence_costs",
    "aggregate_remaining",
    "group_paid_indemnity",
    "group_paid_defence",
    "group_deductible_used",
)


@dataclass(frozen=True)
class Payable:
    """What one settlement pays and why, in CNY (the steps of the module docstring).

    ``per_claim_remaining`` and ``aggregate_remaining`` are the room before this payment;
    ``total = indemnity + defence``; ``charged_to_aggregate`` is what the policy's aggregate
    loses (``total`` where defence is inside, ``indemnity`` where it is outside).
    """

    liable_loss: Decimal
    deductible_applied: Decimal
    indemnity_due: Decimal
    defence_due: Decimal
    per_claim_remaining: Decimal
    aggregate_remaining: Decimal
    defence_inside: bool
    indemnity: Decimal
    defence: Decimal
    total: Decimal
    charged_to_aggregate: Decimal
    capped_by: Cap


def payable(settlement: Settlement, *, terms: PolicyTerms) -> Payable:
    """What ``settlement`` pays under ``terms``, step by step as the module docstring says.

    >>> from datetime import date
    >>> terms = PolicyTerms(
    ...     effective_date=date(2026, 3, 1), expiry_date=date(2027, 3, 1),
    ...     retro_date=date(2026, 3, 1), per_claim_limit=Decimal("500000.00"),
    ...     aggregate_limit=Decimal("500000.00"), deductible=Decimal("0.00"),
    ...     defence_inside=False)
    >>> paid = payable(Settlement(loss=Decimal("900000.00"), defence_costs=Decimal("1000.00"),
    ...     share=Decimal("1"), aggregate_remaining=Decimal("200000.00")), terms=terms)
    >>> paid.indemnity, paid.defence, paid.charged_to_aggregate, paid.capped_by.value
    (Decimal('200000.00'), Decimal('1000.00'), Decimal('200000.00'), 'aggregate_limit')
    """
    _check_against(settlement, terms)
    liable_loss = _share_of(settlement.loss, settlement.share)
    deductible = min(terms.deductible - settlement.group_deductible_used, liable_loss)
    indemnity_due = liable_loss - deductible
    defence_due = _share_of(settlement.defence_costs, settlement.share)
    per_claim = terms.per_claim_limit - _limit_used(settlement, terms)
    room = min(per_claim, settlement.aggregate_remaining)
    indemnity = min(indemnity_due, room)
    inside = terms.defence_inside
    defence = min(defence_due, room - indemnity) if inside else defence_due
    charged = (indemnity + defence) if inside else indemnity
    due = (indemnity_due + defence_due) if inside else indemnity_due
    return Payable(
        liable_loss=liable_loss,
        deductible_applied=deductible,
        indemnity_due=indemnity_due,
        defence_due=defence_due,
        per_claim_remaining=per_claim,
        aggregate_remaining=settlement.aggregate_remaining,
        defence_inside=inside,
        indemnity=indemnity,
        defence=defence,
        total=indemnity + defence,
        charged_to_aggregate=charged,
        capped_by=_cap(charged < due, per_claim, settlement.aggregate_remaining),
    )


def recovery_allowed(amount: Decimal, *, paid: Decimal, recovered: Decimal) -> None:
    """Refuse a recovery of ``amount`` on a claim paid ``paid`` and recovered ``recovered``
    so far, unless ``amount > 0`` and ``recovered + amount <= paid``: recoveries never
    exceed what was paid (DESIGN.md section 3, item 4).

    >>> recovery_allowed(Decimal("600.00"), paid=Decimal("1000.00"), recovered=Decimal("500.00"))
    Traceback (most recent call last):
    ...
    claims.amounts.RecoveryExceedsPaid: amount would bring recoveries to 1100.00, above the ...
    """
    require_fen("paid", paid, error=InvalidRecovery)
    require_fen("recovered", recovered, error=InvalidRecovery)
    require_fen("amount", amount, error=InvalidRecovery, positive=True)
    _require(recovered <= paid, "recovered", recovered, f"must not exceed paid ({paid})")
    if recovered + amount > paid:
        rule = (
            f"would bring recoveries to {recovered + amount}, above the {paid} paid; "
            f"at most {paid - recovered} may still be recovered"
        )
        raise RecoveryExceedsPaid(rule, field="amount", value=amount)


def _check_against(settlement: Settlement, terms: PolicyTerms) -> None:
    """The group's and the policy's usage must fit inside the terms they were used under."""
    remaining, aggregate = settlement.aggregate_remaining, terms.aggregate_limit
    rule = f"must not exceed aggregate_limit ({aggregate})"
    _require(remaining <= aggregate, "aggregate_remaining", remaining, rule, InvalidSettlement)
    used, deductible = settlement.group_deductible_used, terms.deductible
    rule = f"must not exceed the deductible ({deductible})"
    _require(used <= deductible, "group_deductible_used", used, rule, InvalidSettlement)
    used, limit = _limit_used(settlement, terms), terms.per_claim_limit
    field = "group_paid_indemnity" + (" + group_paid_defence" if terms.defence_inside else "")
    rule = f"must not exceed per_claim_limit ({limit})"
    _require(used <= limit, field, used, rule, InvalidSettlement)


def _limit_used(settlement: Settlement, terms: PolicyTerms) -> Decimal:
    """What the group has charged to its per-claim limit: defence only where it is inside."""
    defence = settlement.group_paid_defence if terms.defence_inside else ZERO
    return settlement.group_paid_indemnity + defence


def _cap(short: bool, per_claim_room: Decimal, aggregate_room: Decimal) -> Cap:
    """The limit that bound, given whether the payment fell short of what was due."""
    if not short:
        return Cap.NONE
    return Cap.AGGREGATE_LIMIT if aggregate_room <= per_claim_room else Cap.PER_CLAIM_LIMIT


def _share_of(amount: Decimal, share: Decimal) -> Decimal:
    """``share × amount`` computed exactly, then rounded to the fen half up (0.005 → 0.01)."""
    digits = len(amount.as_tuple().digits) + len(share.as_tuple().digits)
    with localcontext(prec=max(digits, 28)):
        return (share * amount).quantize(FEN, rounding=ROUND_HALF_UP)


def _require(
    holds: bool, field: str, value: Any, rule: str, error: type[ClaimsError] = InvalidRecovery
) -> None:
    if not holds:
        raise error(rule, field=field, value=value)
