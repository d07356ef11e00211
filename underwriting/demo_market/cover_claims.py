"""A year's claims: the liable incidents first made during it, attached to the year's
policies, settled under their terms and developed into dated movements."""

from __future__ import annotations

import numpy as np

from underwriting.demo_market.claim_development import claim_path
from underwriting.demo_market.claim_draws import IncidentDraws
from underwriting.demo_market.claim_settlement import Settled, attach, settle
from underwriting.demo_market.cover_ledger import Ledger, terms_table
from underwriting.demo_market.window import day_number


def record_claims(
    ledger: Ledger,
    year: int,
    *,
    incident_day: np.ndarray,
    loss_fen: np.ndarray,
    draws: IncidentDraws,
    policy_of_firm: np.ndarray,
) -> None:
    """Attach, settle and develop the claims first made during ``year``."""
    made = incident_day + draws.lag_days
    candidate = draws.liable & (made >= day_number(year)) & (made < day_number(year + 1))
    if not ledger.count(ledger.policies) or not candidate.any():
        return
    table = terms_table(ledger)
    index = np.flatnonzero(candidate)
    policy = attach(
        draws.firm[index],
        incident_day[index],
        made[index],
        policy_of_firm=policy_of_firm,
        table=table,
    )
    index, policy = index[policy >= 0], policy[policy >= 0]
    order = np.lexsort((index, made[index]))  # first made first, then incident id
    index, policy = index[order], policy[order]
    settled = settle(
        policy,
        loss_fen[index],
        draws.defence_fen[index],
        draws.share[index],
        table=table,
        remaining={},
    )
    first = ledger.count(ledger.claims)
    closed = _develop(ledger, first, index, made[index], settled, draws)
    Ledger.append(
        ledger.claims,
        incident=index,
        policy=policy,
        made_day=made[index],
        closed_day=closed,
        liable_loss_fen=settled.liable_loss,
        indemnity_fen=settled.indemnity,
        defence_fen=settled.defence,
        ultimate_fen=settled.ultimate,
        charged_fen=settled.charged,
        capped_by=np.array(settled.capped_by, dtype=object),
    )


def _develop(
    ledger: Ledger,
    first: int,
    index: np.ndarray,
    made: np.ndarray,
    settled: Settled,
    draws: IncidentDraws,
) -> np.ndarray:
    """Record the movements of each new claim (numbered from ``first``); returns the day
    each one closes (its final payment)."""
    claim, day, paid, change, closed = [], [], [], [], []
    for k, i in enumerate(index.tolist()):
        path = claim_path(
            int(settled.ultimate[k]),
            int(settled.room[k]),
            duration_z=float(draws.duration_z[i]),
            interim_u=draws.interim_u[i],
            interim_t=draws.interim_t[i],
            weights=draws.weights[i],
            reserve_z=draws.reserve_z[i],
        )
        claim += [first + k] * len(path.offsets)
        day += [int(made[k]) + o for o in path.offsets]
        paid += path.paid
        change += path.reserve_change
        closed.append(int(made[k]) + path.settled_after)
    Ledger.append(
        ledger.movements,
        claim=np.array(claim, dtype=np.int64),
        day=np.array(day, dtype=np.int64),
        paid_fen=np.array(paid, dtype=np.int64),
        reserve_change_fen=np.array(change, dtype=np.int64),
    )
    return np.array(closed, dtype=np.int64)
