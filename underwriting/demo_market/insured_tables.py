"""The tables of an insured history: column arrays of equal length, one row per thing.

Dates are ``numpy.datetime64[D]`` (``NaT`` where there is none; an expiry is exclusive);
money is ``int64`` fen (1/100 CNY), exact, in columns ending ``_fen``; model loss costs are
float CNY. Firms, enterprises, insurers, incidents, policies and claims are named by their
ids (``*_id``); ``policy``, ``claim`` and ``exposure_row`` columns are row positions in the
history's own tables, for joins. ``hazard_class`` holds ``pricing.HAZARD_CLASSES`` names;
``deficits`` are firms' quality features, rows × ``pricing.QUALITY_FEATURES``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Self

import numpy as np


class Rows:
    """Mixin for a table of equal-length column arrays."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def take(self, rows: np.ndarray) -> Self:
        """The table of the rows ``rows`` (a boolean mask or positions), in that order."""
        return replace(self, **{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True, eq=False)
class Policies(Rows):
    """One row per policy, by year, quote day, then firm. ``premium_fen`` is the premium
    written at inception on the quote's book (pro rata for a first term shorter than a
    year); ``adjustment_fen`` the premium audit dated the expiry (the engagements the term
    really saw; may be negative). ``tier``, ``experience_mod``, ``liability_probability``
    (the model's π_f) and ``expected_loss`` (the model's loss cost E[S∧A] + defence outside
    at mod 1 for the term, CNY) are the quote's; ``experience_actual`` and
    ``experience_expected`` the A and E (CNY) its mod was set from. ``renewal``: the firm
    was insured the year before."""

    policy_id: np.ndarray
    firm_id: np.ndarray
    insurer_id: np.ndarray
    policy_year: np.ndarray
    effective_date: np.ndarray
    expiry_date: np.ndarray
    retro_date: np.ndarray
    per_claim_limit_fen: np.ndarray
    aggregate_limit_fen: np.ndarray
    deductible_fen: np.ndarray
    defence_inside: np.ndarray
    model_version: np.ndarray
    premium_fen: np.ndarray
    adjustment_fen: np.ndarray
    tier: np.ndarray
    years_since_retro: np.ndarray
    experience_mod: np.ndarray
    liability_probability: np.ndarray
    expected_loss: np.ndarray
    experience_actual: np.ndarray
    experience_expected: np.ndarray
    renewal: np.ndarray
    deficits: np.ndarray


@dataclass(frozen=True, eq=False)
class Decisions(Rows):
    """One row per firm and year it was quoted or held cover the year before: ``outcome`` is
    ``new``, ``renewed``, ``not_taken`` (new business refused the quote), ``lapsed`` (an
    insured firm did not renew), ``declined`` (tier E refused by the underwriter) or
    ``ineligible`` (an insured firm with no contract in force or no qualification); the
    quoted annual ``premium_fen`` and ``tier`` are 0 and "" where none was quoted."""

    firm_id: np.ndarray
    year: np.ndarray
    quote_date: np.ndarray
    insured_before: np.ndarray
    eligible: np.ndarray
    premium_fen: np.ndarray
    tier: np.ndarray
    outcome: np.ndarray


@dataclass(frozen=True, eq=False)
class Claims(Rows):
    """Every claim, fully developed, in the order first made: the incident's direct
    ``loss_fen``, the firm's ``share`` of it, ``liable_loss_fen`` = share × loss,
    ``defence_costs_fen`` (the claim's, before the share), what the policy pays —
    ``indemnity_fen`` + ``defence_fen`` = ``ultimate_fen`` (``claims.payable``) — what it
    charged to the aggregate, the limit that held it (``capped_by``) and the day of the
    final payment (``closed_date``)."""

    claim_id: np.ndarray
    policy: np.ndarray
    policy_id: np.ndarray
    incident: np.ndarray
    incident_id: np.ndarray
    firm_id: np.ndarray
    enterprise_id: np.ndarray
    hazard_class: np.ndarray
    incident_date: np.ndarray
    first_made_date: np.ndarray
    closed_date: np.ndarray
    loss_fen: np.ndarray
    share: np.ndarray
    liable_loss_fen: np.ndarray
    defence_costs_fen: np.ndarray
    indemnity_fen: np.ndarray
    defence_fen: np.ndarray
    ultimate_fen: np.ndarray
    charged_fen: np.ndarray
    capped_by: np.ndarray


@dataclass(frozen=True, eq=False)
class Movements(Rows):
    """Claim money movements by claim, then date: ``paid_fen`` (>= 0) and the change in the
    case reserve ``reserve_change_fen``; case incurred = Σ paid + Σ reserve changes."""

    claim: np.ndarray
    claim_id: np.ndarray
    date: np.ndarray
    paid_fen: np.ndarray
    reserve_change_fen: np.ndarray


@dataclass(frozen=True, eq=False)
class IncidentOutcomes(Rows):
    """Every incident of the market (id order) and what became of it. ``firm_id`` is the
    firm whose engagement was in force that day (0: none); ``liability_probability`` its
    true π_f; ``liable`` the truth's draw; ``first_made_date`` when a liable incident is
    claimed (incident + report lag; NaT if not liable) whether or not any policy answers;
    ``policy`` the firm's policy in force on the incident date (-1: none; ``insured``);
    ``covered_until`` the last day of the continuous cover (same retro date) that policy is
    part of — a claim first made after it reaches no insurer (NaT: none); ``claim`` the
    claim row (-1: none); ``deficits`` the firm's quality features as of 1 January of the
    incident year (as that year's quotes read them; NaN without a firm); ``exposure_row``
    the row of the exposure table (enterprise, half-year) it counts in."""

    incident_id: np.ndarray
    enterprise_id: np.ndarray
    hazard_class: np.ndarray
    occurred_date: np.ndarray
    loss_fen: np.ndarray
    firm_id: np.ndarray
    liability_probability: np.ndarray
    liable: np.ndarray
    first_made_date: np.ndarray
    policy: np.ndarray
    covered_until: np.ndarray
    claim: np.ndarray
    deficits: np.ndarray
    exposure_row: np.ndarray

    @property
    def insured(self) -> np.ndarray:
        """Whether the firm held a policy on the incident date."""
        return self.policy >= 0


@dataclass(frozen=True, eq=False)
class ExposurePeriods(Rows):
    """One row per enterprise and half-year (the snapshot grid), by period then enterprise:
    the frequency GLM's data. ``features`` are x (rows × ``pricing.model.FREQUENCY_FEATURES``)
    from the snapshot at the period start; ``exposure_years`` 0.5 a half-year (the truth's
    convention), pro rata for a period cut by an as-of date; ``true_rate`` the truth's λ_e
    (incidents a year); ``incidents`` those that occurred in the period (to date)."""

    enterprise_id: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    hazard_class: np.ndarray
    employees: np.ndarray
    features: np.ndarray
    true_rate: np.ndarray
    exposure_years: np.ndarray
    incidents: np.ndarray


@dataclass(frozen=True, eq=False)
class ClaimsToDate(Rows):
    """The claims first made by the as-of date, as an actuary sees them then: paid, case
    reserve and case incurred (fen) to date; ``closed_date`` NaT while open; ``share`` the
    firm's liability share the claim was assessed at (``claims.assess_liability``)."""

    claim_id: np.ndarray
    policy_id: np.ndarray
    policy_year: np.ndarray
    incident_id: np.ndarray
    firm_id: np.ndarray
    enterprise_id: np.ndarray
    hazard_class: np.ndarray
    incident_date: np.ndarray
    first_made_date: np.ndarray
    closed_date: np.ndarray
    loss_fen: np.ndarray
    share: np.ndarray
    paid_fen: np.ndarray
    case_reserve_fen: np.ndarray
    incurred_fen: np.ndarray


@dataclass(frozen=True, eq=False)
class IncidentObservations(Rows):
    """The incidents that occurred by the as-of date, as seen then: ``claimed`` — a claim
    was first made on a policy by then; ``insured`` and ``deficits`` as in
    ``IncidentOutcomes``; ``covered_until`` the last day, up to the as-of date, of the
    continuous cover in force on the incident date as the policies written by then show it
    — a liable incident is claimed by the as-of date exactly when its report lag is at most
    ``covered_until − occurred_date`` (the reported share of a liability model)."""

    incident_id: np.ndarray
    enterprise_id: np.ndarray
    hazard_class: np.ndarray
    occurred_date: np.ndarray
    loss_fen: np.ndarray
    firm_id: np.ndarray
    insured: np.ndarray
    covered_until: np.ndarray
    claimed: np.ndarray
    deficits: np.ndarray
