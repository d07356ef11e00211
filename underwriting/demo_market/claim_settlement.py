"""Which liable incidents become claims on which policy, and what each one pays.

Claims-made (DESIGN.md §3.1): a liable incident is a claim on the policy of its firm in
force on the day the claim is first made (incident day + report lag), provided the incident
is on or after that policy's retro date. No policy then — the firm lapsed, or its cover
began after the incident (a new retro date) — and no claim reaches an insurer.

The amount is ``claims.payable`` under the policy's terms: share × loss less the deductible,
within the per-claim limit, defence costs in proportion to the share inside or outside the
limits, and the aggregate limit eroded claim by claim in the order they are first made (an
insurer commits its aggregate as claims are notified and reserved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from claims import PolicyTerms, Settlement, payable
from underwriting.demo_market.insured_truth import SHARES

EPOCH = date(1970, 1, 1)


def to_date(day: int) -> date:
    """The calendar date of a day number."""
    return EPOCH + timedelta(days=int(day))


def yuan(fen: int) -> Decimal:
    """Whole fen as a CNY ``Decimal`` with two places."""
    return Decimal(int(fen)).scaleb(-2)


def fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@dataclass(frozen=True, eq=False)
class PolicyTermsTable:
    """The terms of the policies written so far, by policy position: day numbers (expiry
    exclusive), limits and deductible in fen, defence inside the limits or not."""

    effective_day: np.ndarray
    expiry_day: np.ndarray
    retro_day: np.ndarray
    per_claim_fen: np.ndarray
    aggregate_fen: np.ndarray
    deductible_fen: np.ndarray
    defence_inside: np.ndarray

    def terms(self, policy: int) -> PolicyTerms:
        """The ``claims`` terms of one policy."""
        return PolicyTerms(
            effective_date=to_date(self.effective_day[policy]),
            expiry_date=to_date(self.expiry_day[policy]),
            retro_date=to_date(self.retro_day[policy]),
            per_claim_limit=yuan(self.per_claim_fen[policy]),
            aggregate_limit=yuan(self.aggregate_fen[policy]),
            deductible=yuan(self.deductible_fen[policy]),
            defence_inside=bool(self.defence_inside[policy]),
        )


@dataclass(frozen=True, eq=False)
class Settled:
    """Per claim, fen: the liable loss, the indemnity and defence paid, their total (the
    ultimate payable), what it charged to the aggregate, its limit room (the most it could
    have paid) and the limit that held it, if any (``claims.Cap`` values)."""

    liable_loss: np.ndarray
    indemnity: np.ndarray
    defence: np.ndarray
    ultimate: np.ndarray
    charged: np.ndarray
    room: np.ndarray
    capped_by: list[str]


def settle(
    policy: np.ndarray,
    loss_fen: np.ndarray,
    defence_fen: np.ndarray,
    share: np.ndarray,
    *,
    table: PolicyTermsTable,
    remaining: dict[int, int],
) -> Settled:
    """Settle claims in the order given (first made first) on ``policy`` (positions into
    ``table``); ``remaining`` maps a policy to its aggregate left in fen and is updated."""
    rows = []
    for p, loss, defence, s in zip(
        policy.tolist(), loss_fen.tolist(), defence_fen.tolist(), share.tolist(), strict=True
    ):
        terms = table.terms(p)
        left = remaining.get(p, int(table.aggregate_fen[p]))
        result = payable(
            Settlement(
                loss=yuan(loss),
                defence_costs=yuan(defence),
                share=Decimal(SHARES.values[s]),
                aggregate_remaining=yuan(left),
            ),
            terms=terms,
        )
        remaining[p] = left - fen(result.charged_to_aggregate)
        room = min(int(table.per_claim_fen[p]), left)
        room += 0 if terms.defence_inside else fen(result.defence_due)
        rows.append((result, room))
    return Settled(
        liable_loss=np.array([fen(r.liable_loss) for r, _ in rows], dtype=np.int64),
        indemnity=np.array([fen(r.indemnity) for r, _ in rows], dtype=np.int64),
        defence=np.array([fen(r.defence) for r, _ in rows], dtype=np.int64),
        ultimate=np.array([fen(r.total) for r, _ in rows], dtype=np.int64),
        charged=np.array([fen(r.charged_to_aggregate) for r, _ in rows], dtype=np.int64),
        room=np.array([room for _, room in rows], dtype=np.int64),
        capped_by=[r.capped_by.value for r, _ in rows],
    )


def attach(
    firm: np.ndarray,
    incident_day: np.ndarray,
    made_day: np.ndarray,
    *,
    policy_of_firm: np.ndarray,
    table: PolicyTermsTable,
) -> np.ndarray:
    """The policy (position) each candidate claim attaches to, -1 where none covers it.

    ``policy_of_firm[f]`` is firm f's policy of the year, -1 for none; the claim must be
    first made inside its period and the incident be on or after its retro date."""
    policy = np.where(firm >= 0, policy_of_firm[np.maximum(firm, 0)], -1)
    if len(table.effective_day) == 0:
        return np.full(len(firm), -1)
    p = np.maximum(policy, 0)
    covered = (
        (policy >= 0)
        & (table.effective_day[p] <= made_day)
        & (made_day < table.expiry_day[p])
        & (table.retro_day[p] <= incident_day)
    )
    return np.where(covered, policy, -1)
