"""The rating book of the demo market's firms on a policy's effective date, as the live system
would have assembled it then (``underwriting/rating_book.py`` reads the same things from the
database; this reads them from a market's arrays, with no database):

- **quality** — audits dated on or before the rating day, weighted by age; follow-up closure
  and evidence compliance from the firm's records visited in the ``QUALITY_LOOKBACK_DAYS``
  up to it; the credit colour; registered engineers per engagement in force. Only audits and
  records *submitted before the rating day began* count: later ones were not in the book yet;
- **clients** — the firm's engagements overlapping the policy period, each with the latest
  hazard snapshot on or before the rating day and weighted by the share of the period it
  runs times its service-kind weight. On the *quote* basis only engagements that had started
  by the effective date count (the book then knows no others); on the *audit* basis every
  engagement the period saw — the premium adjustment at expiry (``cover``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pricing import (
    AuditLog,
    ClientMetrics,
    RatingBook,
    RatingModel,
    audit_deficits,
    quality_features,
    service_weight,
)
from underwriting.demo_market.encoding import NO_DATE
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.window import SECONDS_PER_DAY

DAYS_PER_YEAR = 365.25
#: The quality look-back of ``underwriting.rating_book`` (3 years), in days.
QUALITY_LOOKBACK_DAYS = round(3 * DAYS_PER_YEAR)


def quality_deficits(arrays: MarketArrays, on: int, model: RatingModel) -> np.ndarray:
    """Every firm's quality deficits (firms × ``QUALITY_FEATURES``) as of day ``on``."""
    firms, ev = len(arrays.parties.firm_ids), arrays.evidence
    known = on * SECONDS_PER_DAY  # submitted before the rating day began
    audited = (ev.audit_day <= on) & (ev.audit_submitted < known)
    log = AuditLog(
        firm=ev.audit_firm[audited],
        age_years=(on - ev.audit_day[audited]) / DAYS_PER_YEAR,
        mean_score=ev.audit_score[audited],
        inaccurate=ev.audit_inaccurate[audited],
        false=ev.audit_false[audited],
        sample_size=ev.audit_sample[audited],
    )
    follow_up, evidence = _service_quality(arrays, on)
    return quality_features(
        audit_deficits(log, firms, model.liability),
        follow_up_closure=follow_up,
        evidence_compliance=evidence,
        credit_colour=arrays.parties.firm_colour,
        engineers_per_engagement=arrays.parties.firm_engineers
        / np.maximum(1, contracts_in_force(arrays, on)),
        model=model.liability,
    )


def _service_quality(arrays: MarketArrays, on: int) -> tuple[np.ndarray, np.ndarray]:
    """(follow-up closure, evidence compliance) per firm, NaN where it has no record/finding
    due: of the findings due by ``on``, the share closed by their deadline; of the records,
    the share with photo evidence."""
    ev, firms = arrays.evidence, len(arrays.parties.firm_ids)
    recent = (
        (ev.record_day >= on - QUALITY_LOOKBACK_DAYS)
        & (ev.record_day <= on)
        & (ev.record_submitted < on * SECONDS_PER_DAY)
    )
    records = np.bincount(ev.record_firm[recent], minlength=firms)
    evidenced = np.bincount(ev.record_firm[recent & ev.record_evidenced], minlength=firms)
    due = recent[ev.finding_record] & (ev.finding_deadline <= on)
    in_time = (ev.finding_closed != NO_DATE) & (ev.finding_closed <= ev.finding_deadline)
    firm = ev.record_firm[ev.finding_record]
    due_count = np.bincount(firm[due], minlength=firms)
    closed = np.bincount(firm[due & in_time], minlength=firms)
    with np.errstate(invalid="ignore", divide="ignore"):
        follow_up = np.where(due_count > 0, closed / due_count, np.nan)
        evidence = np.where(records > 0, evidenced / records, np.nan)
    return follow_up, evidence


def contracts_in_force(arrays: MarketArrays, on: int) -> np.ndarray:
    """Engagements in force on day ``on``, per firm."""
    c = arrays.contracts
    live = (c.start_day <= on) & (c.end_day >= on)
    return np.bincount(c.firm[live], minlength=len(arrays.parties.firm_ids))


def rating_book(
    arrays: MarketArrays,
    firms: np.ndarray,
    *,
    period: tuple[int, int],
    deficits: np.ndarray,
    years: np.ndarray,
    model: RatingModel,
    quote_basis: bool = True,
) -> RatingBook:
    """The book of the firms at positions ``firms`` for the period [start, end) (day
    numbers), before experience and schedule; ``deficits`` holds every firm's row, ``years``
    the full years since each firm's retro date."""
    start, end = period
    c, p = arrays.contracts, arrays.parties
    row_of = np.full(len(p.firm_ids), -1)
    row_of[firms] = np.arange(len(firms))
    chosen = (row_of[c.firm] >= 0) & (c.end_day >= start) & (c.start_day < end)
    if quote_basis:
        chosen &= c.start_day <= start
    clients = np.flatnonzero(chosen)
    overlap = np.minimum(c.end_day[clients] + 1, end) - np.maximum(c.start_day[clients], start)
    weight = overlap / (end - start) * service_weight(c.kinds[clients], model.frequency)
    enterprise = c.enterprise[clients]
    return RatingBook(
        firm_ids=p.firm_ids[firms],
        deficits=deficits[firms],
        years_since_retro=np.asarray(years, dtype=np.int64),
        experience_actual=np.zeros(len(firms)),
        experience_expected=np.zeros(len(firms)),
        schedule_factor=np.ones(len(firms)),
        client_firm=row_of[c.firm[clients]],
        client_class=p.enterprise_class[enterprise],
        client_metrics=client_metrics(arrays, enterprise, start),
        client_weight=weight,
    )


def client_metrics(arrays: MarketArrays, enterprise: np.ndarray, on: int) -> ClientMetrics:
    """The hazard metrics of the enterprises at ``enterprise`` from their latest snapshot on
    or before day ``on``."""
    s, p = arrays.snapshots, arrays.parties
    period = int(np.searchsorted(s.as_of_day, on, side="right")) - 1
    if period < 0:
        raise ValueError(f"no hazard snapshot on or before day {on}; got (on={on})")
    return ClientMetrics(
        employees=p.enterprise_employees[enterprise].astype(np.float64),
        standardisation=p.enterprise_grade[enterprise],
        major_hazard_sources=p.enterprise_sources[enterprise].astype(np.float64),
        closure_rate=s.closure_rate[period, enterprise],
        overdue_rectifications=s.overdue[period, enterprise],
        accidents_3y=s.accidents[period, enterprise],
        iot_alarm_rate=s.iot_alarm_rate[period, enterprise],
    )


def with_experience(book: RatingBook, actual: np.ndarray, expected: np.ndarray) -> RatingBook:
    """``book`` with the firms' actual and expected losses (CNY) of the experience period."""
    return replace(book, experience_actual=actual, experience_expected=expected)
