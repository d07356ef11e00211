"""Ten years of insured history drawn from the demo market's ground truth.

On top of a ``Market`` (generated, or read from ``fixtures/demo``), firms buy or lapse annual
claims-made policies priced by the rating model in force (``cover``), the truth's liable
incidents become claims after a report lag and attach to the policy in force when first
made (``claim_settlement``), and every claim is reserved and paid over several years
(``claim_development``). Everything is drawn from the market's seed, on streams of its own,
so the market itself is untouched; ``fixtures/README.md`` documents every parameter.

The history holds the whole truth, fully developed; ``as_of`` shows what an actuary would
see on a date — policies written, claims first made, paid and case incurred to date, the
incidents and exposure so far — and its triangles::

    >>> from underwriting.demo_market import generate_market
    >>> history = insured_history(generate_market(firms=4, enterprises=60, years=3, seed=5))
    >>> view = history.as_of("2018-06-30")
    >>> view.triangle("paid").values.shape
    (3, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np

from pricing import RatingModel
from underwriting.demo_market import insured_rows as rows
from underwriting.demo_market.claim_draws import draw_incident_claims
from underwriting.demo_market.cover import simulate_cover
from underwriting.demo_market.exposure import exposure_periods, exposure_to_date
from underwriting.demo_market.insured_tables import (
    Claims,
    ClaimsToDate,
    Decisions,
    ExposurePeriods,
    IncidentObservations,
    IncidentOutcomes,
    Movements,
    Policies,
)
from underwriting.demo_market.insured_truth import insured_truth
from underwriting.demo_market.market import Market
from underwriting.demo_market.market_arrays import MarketArrays, market_arrays
from underwriting.demo_market.streams import random_stream
from underwriting.demo_market.triangles import ORIGINS, Triangle, triangle

DateLike = date | str | np.datetime64


def as_day(when: DateLike) -> np.datetime64:
    """A date (``date``, ISO string or ``datetime64``) as ``datetime64[D]``."""
    return np.datetime64(when, "D")


@dataclass(frozen=True, eq=False)
class InsuredView:
    """What an actuary sees on ``as_of``: nothing in it is dated after that day.

    ``policies`` written by then (a premium adjustment only once its expiry has passed),
    ``decisions`` of the years begun, ``claims`` first made by then with paid and case
    incurred to date, their ``movements`` to date, the ``incidents`` that had occurred and
    the ``exposure`` of the half-years begun (pro rata)."""

    as_of: np.datetime64
    first_year: int
    policies: Policies
    decisions: Decisions
    claims: ClaimsToDate
    movements: Movements
    incidents: IncidentObservations
    exposure: ExposurePeriods

    def triangle(self, measure: str, *, origin: str = "policy_year") -> Triangle:
        """The ``measure`` (``paid``, ``incurred`` — case incurred — or ``reported``
        claims) by ``origin`` (``policy_year`` or ``accident_year``) and age, to date."""
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}; got (origin={origin!r})")
        years = (
            self.claims.policy_year
            if origin == "policy_year"
            else self.claims.incident_date.astype("datetime64[Y]").astype(np.int64) + 1970
        )
        moves = self.movements
        paid = measure == "paid"
        return triangle(
            measure=measure,
            origin=origin,
            as_of=self.as_of,
            first_origin=self.first_year,
            claim_origin=np.asarray(years, dtype=np.int64),
            made=self.claims.first_made_date,
            movement_claim=moves.claim,
            movement_date=moves.date,
            movement_amount=moves.paid_fen + (0 if paid else moves.reserve_change_fen),
        )


@dataclass(frozen=True, eq=False)
class InsuredHistory:
    """The whole insured history, fully developed (see ``insured_tables`` for the columns);
    ``truth`` holds its parameters (JSON-native); ``arrays`` the market's arrays it was
    drawn on, from which a policy's book can be rebuilt (``repricing``)."""

    first_year: int
    years: int
    policies: Policies
    decisions: Decisions
    claims: Claims
    movements: Movements
    incidents: IncidentOutcomes
    exposure: ExposurePeriods
    truth: dict[str, Any]
    arrays: MarketArrays | None = field(default=None, repr=False)

    def as_of(self, when: DateLike) -> InsuredView:
        """What was known at the end of the day ``when``."""
        day = as_day(when)
        made = self.claims.first_made_date <= day
        claims = self.claims.take(made)
        position = np.cumsum(made) - 1  # a claim's row among those made by ``day``
        moves = self.movements.take(self.movements.date <= day)
        moves = replace(moves, claim=position[moves.claim])
        written = self.policies.take(self.policies.effective_date <= day)
        audited = written.expiry_date <= day
        policies = replace(written, adjustment_fen=np.where(audited, written.adjustment_fen, 0))
        return InsuredView(
            as_of=day,
            first_year=self.first_year,
            policies=policies,
            decisions=self.decisions.take(self.decisions.quote_date <= day),
            claims=claims_to_date(claims, moves, self.policies, day),
            movements=moves,
            incidents=self._incidents_to_date(day),
            exposure=exposure_to_date(
                self.exposure, self.incidents.exposure_row, self.incidents.occurred_date, day
            ),
        )

    def _incidents_to_date(self, day: np.datetime64) -> IncidentObservations:
        seen = self.incidents.take(self.incidents.occurred_date <= day)
        has_claim = seen.claim >= 0
        claimed = np.zeros(len(seen), dtype=bool)
        claimed[has_claim] = self.claims.first_made_date[seen.claim[has_claim]] <= day
        return IncidentObservations(
            incident_id=seen.incident_id,
            enterprise_id=seen.enterprise_id,
            hazard_class=seen.hazard_class,
            occurred_date=seen.occurred_date,
            loss_fen=seen.loss_fen,
            firm_id=seen.firm_id,
            insured=seen.insured,
            covered_until=rows.covered_until(seen.policy, self.policies, day),
            claimed=claimed,
            deficits=seen.deficits,
        )


def claims_to_date(
    claims: Claims, moves: Movements, policies: Policies, day: np.datetime64
) -> ClaimsToDate:
    """Paid, case reserve and case incurred to ``day`` of claims made by then (``moves``
    already cut to ``day``; their ``claim`` positions index ``claims``)."""
    n = len(claims)
    paid = np.bincount(moves.claim, moves.paid_fen, minlength=n).astype(np.int64)
    reserve = np.bincount(moves.claim, moves.reserve_change_fen, minlength=n).astype(np.int64)
    closed = claims.closed_date <= day
    return ClaimsToDate(
        claim_id=claims.claim_id,
        policy_id=claims.policy_id,
        policy_year=policies.policy_year[claims.policy],
        incident_id=claims.incident_id,
        firm_id=claims.firm_id,
        enterprise_id=claims.enterprise_id,
        hazard_class=claims.hazard_class,
        incident_date=claims.incident_date,
        first_made_date=claims.first_made_date,
        closed_date=np.where(closed, claims.closed_date, np.datetime64("NaT")),
        loss_fen=claims.loss_fen,
        share=claims.share,
        paid_fen=paid,
        case_reserve_fen=reserve,
        incurred_fen=paid + reserve,
    )


def insured_history(
    market: Market, *, models: Sequence[RatingModel] | None = None
) -> InsuredHistory:
    """The insured history of ``market``, its policies priced by ``models`` (each year by
    the one in force on 1 January; before the first, the first — by default the shipped
    ``pl-2026.1``, back-dated over the window)."""
    arrays = market_arrays(market)
    models = tuple(models) if models is not None else (RatingModel.load(),)
    draws = draw_incident_claims(arrays, random_stream(arrays.seed, "insured-claims"))
    ledger = simulate_cover(arrays, draws, models, random_stream(arrays.seed, "insured-cover"))
    exposure, incident_row = exposure_periods(arrays)
    policies = rows.policies(ledger, arrays)
    claims = rows.claims(ledger, arrays, draws, policies)
    return InsuredHistory(
        first_year=arrays.window.first_year,
        years=arrays.window.years,
        policies=policies,
        decisions=rows.decisions(ledger, arrays),
        claims=claims,
        movements=rows.movements(ledger, claims),
        incidents=rows.incidents(arrays, draws, ledger, claims, policies, incident_row),
        exposure=exposure,
        truth={
            "arguments": market.truth["arguments"],
            "models": [m.version for m in models],
            "insured": insured_truth(),
        },
        arrays=arrays,
    )
