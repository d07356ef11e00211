"""The tables of an insured history (``insured_tables``) assembled from the simulation's
ledger and the market's arrays: positions become ids, day numbers dates."""

from __future__ import annotations

import numpy as np

from pricing import HAZARD_CLASSES, QUALITY_FEATURES
from underwriting.demo_market.claim_draws import IncidentDraws
from underwriting.demo_market.cover_ledger import Ledger
from underwriting.demo_market.insured_tables import (
    Claims,
    Decisions,
    IncidentOutcomes,
    Movements,
    Policies,
)
from underwriting.demo_market.insured_truth import SHARES, TERMS
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.window import day_number


def _dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def _years_to_dates(years: np.ndarray) -> np.ndarray:
    return _dates(np.array([day_number(int(y)) for y in years.tolist()], dtype=np.int64))


def policies(ledger: Ledger, arrays: MarketArrays) -> Policies:
    c = Ledger.columns(ledger.policies)
    limits = np.array(TERMS.limits, dtype=np.int64) * 100
    parties = arrays.parties
    return Policies(
        policy_id=np.arange(1, len(c["firm"]) + 1),
        firm_id=parties.firm_ids[c["firm"]],
        insurer_id=parties.insurer_ids[c["insurer"]],
        policy_year=c["year"],
        effective_date=_dates(c["effective_day"]),
        expiry_date=_years_to_dates(c["year"] + 1),
        retro_date=_dates(c["retro_day"]),
        per_claim_limit_fen=limits[c["limit"], 0],
        aggregate_limit_fen=limits[c["limit"], 1],
        deductible_fen=np.array(TERMS.deductibles, dtype=np.int64)[c["deductible"]] * 100,
        defence_inside=c["inside"],
        model_version=c["model_version"].astype(str),
        premium_fen=c["premium_fen"],
        adjustment_fen=c["adjustment_fen"],
        tier=c["tier"],
        years_since_retro=c["years_since_retro"],
        experience_mod=c["mod"],
        liability_probability=c["liability"],
        expected_loss=c["loss_cost"],
        experience_actual=c["experience_actual"],
        experience_expected=c["experience_expected"],
        renewal=c["renewal"],
        deficits=c["deficits"],
    )


def decisions(ledger: Ledger, arrays: MarketArrays) -> Decisions:
    c = Ledger.columns(ledger.decisions)
    return Decisions(
        firm_id=arrays.parties.firm_ids[c["firm"]],
        year=c["year"],
        quote_date=_dates(c["quote_day"]),
        insured_before=c["insured_before"],
        eligible=c["eligible"],
        premium_fen=c["premium_fen"],
        tier=c["tier"].astype(str),
        outcome=c["outcome"].astype(str),
    )


_CLAIM_COLUMNS = {
    "incident": np.int64,
    "policy": np.int64,
    "made_day": np.int64,
    "closed_day": np.int64,
    "liable_loss_fen": np.int64,
    "indemnity_fen": np.int64,
    "defence_fen": np.int64,
    "ultimate_fen": np.int64,
    "charged_fen": np.int64,
    "capped_by": str,
}


def claims(
    ledger: Ledger, arrays: MarketArrays, draws: IncidentDraws, policies: Policies
) -> Claims:
    c = Ledger.columns(ledger.claims)
    c = {name: c.get(name, np.zeros(0, dtype=t)).astype(t) for name, t in _CLAIM_COLUMNS.items()}
    incident, enterprise = c["incident"], arrays.incidents.enterprise[c["incident"]]
    return Claims(
        claim_id=np.arange(1, len(incident) + 1),
        policy=c["policy"],
        policy_id=policies.policy_id[c["policy"]],
        incident=incident,
        incident_id=arrays.incidents.ids[incident],
        firm_id=arrays.parties.firm_ids[draws.firm[incident]],
        enterprise_id=arrays.parties.enterprise_ids[enterprise],
        hazard_class=np.array(HAZARD_CLASSES)[arrays.parties.enterprise_class[enterprise]],
        incident_date=_dates(arrays.incidents.day[incident]),
        first_made_date=_dates(c["made_day"]),
        closed_date=_dates(c["closed_day"]),
        loss_fen=arrays.incidents.loss_fen[incident],
        share=np.array([float(v) for v in SHARES.values])[draws.share[incident]],
        liable_loss_fen=c["liable_loss_fen"],
        defence_costs_fen=draws.defence_fen[incident],
        indemnity_fen=c["indemnity_fen"],
        defence_fen=c["defence_fen"],
        ultimate_fen=c["ultimate_fen"],
        charged_fen=c["charged_fen"],
        capped_by=c["capped_by"],
    )


def movements(ledger: Ledger, claims: Claims) -> Movements:
    c = Ledger.columns(ledger.movements)
    empty = np.zeros(0, dtype=np.int64)
    claim = c.get("claim", empty)
    return Movements(
        claim=claim,
        claim_id=claims.claim_id[claim],
        date=_dates(c.get("day", empty)),
        paid_fen=c.get("paid_fen", empty),
        reserve_change_fen=c.get("reserve_change_fen", empty),
    )


def incidents(
    arrays: MarketArrays,
    draws: IncidentDraws,
    ledger: Ledger,
    claims: Claims,
    policies: Policies,
    exposure_row: np.ndarray,
) -> IncidentOutcomes:
    incidents, parties = arrays.incidents, arrays.parties
    firm = draws.firm
    served = firm >= 0
    claim = np.full(len(incidents.ids), -1)
    claim[claims.incident] = np.arange(len(claims))
    firm_id = np.where(served, parties.firm_ids[np.maximum(firm, 0)], 0)
    in_force = policy_in_force(firm_id, _dates(incidents.day), policies)
    year = _dates(incidents.day).astype("datetime64[Y]").astype(np.int64) + 1970
    deficits = np.full((len(firm), len(QUALITY_FEATURES)), np.nan)
    for y, table in ledger.deficits_by_year.items():
        rows = served & (year == y)
        deficits[rows] = table[firm[rows]]
    return IncidentOutcomes(
        incident_id=incidents.ids,
        enterprise_id=parties.enterprise_ids[incidents.enterprise],
        hazard_class=np.array(HAZARD_CLASSES)[parties.enterprise_class[incidents.enterprise]],
        occurred_date=_dates(incidents.day),
        loss_fen=incidents.loss_fen,
        firm_id=firm_id,
        liability_probability=np.where(served, parties.firm_liability[np.maximum(firm, 0)], 0.0),
        liable=draws.liable,
        first_made_date=np.where(
            draws.liable, _dates(incidents.day + draws.lag_days), np.datetime64("NaT")
        ),
        policy=in_force,
        covered_until=covered_until(in_force, policies, np.datetime64("9999-12-31")),
        claim=claim,
        deficits=deficits,
        exposure_row=exposure_row,
    )


def policy_in_force(firm_id: np.ndarray, day: np.ndarray, policies: Policies) -> np.ndarray:
    """The row of the policy of firm ``firm_id`` in force on ``day`` (dates), -1 for none: a
    firm has at most one policy a year, from its effective date to 1 January."""
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    keys = zip(policies.firm_id.tolist(), policies.policy_year.tolist(), strict=True)
    row_of = {key: k for k, key in enumerate(keys)}
    rows = np.array(
        [row_of.get(key, -1) for key in zip(firm_id.tolist(), year.tolist(), strict=True)],
        dtype=np.int64,
    )
    starts = policies.effective_date[np.maximum(rows, 0)] if len(policies) else day
    return np.where((rows >= 0) & (starts <= day), rows, -1)


def covered_until(policy: np.ndarray, policies: Policies, as_of: np.datetime64) -> np.ndarray:
    """For each policy row (-1: none), the last day of the continuous cover it is part of —
    the firm's policies with its retro date written by ``as_of`` — cut at ``as_of``: the
    last day a claim for an incident under it could reach a policy, as then known. NaT for
    none."""
    written = policies.effective_date <= as_of
    runs: dict[tuple[int, int], np.datetime64] = {}
    for firm, retro, expiry in zip(
        policies.firm_id[written].tolist(),
        policies.retro_date[written].astype(np.int64).tolist(),
        policies.expiry_date[written],
        strict=True,
    ):
        runs[(firm, retro)] = max(runs.get((firm, retro), expiry), expiry)
    out = np.full(len(policy), np.datetime64("NaT"), dtype="datetime64[D]")
    for k, row in enumerate(policy.tolist()):
        if row >= 0:
            key = (int(policies.firm_id[row]), int(policies.retro_date[row].astype(np.int64)))
            out[k] = min(runs[key] - 1, as_of)
    return out
