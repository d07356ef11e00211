"""Assemble the rating book of some firms from the database, as of a date.

What the model reads (DESIGN.md section 2), and from where:

- clients: every engagement of the firm overlapping the policy period, weighted by the
  share of the period it runs and by its service kinds; each client's hazard metrics from
  its latest snapshot on or before the rating date (an engaged enterprise with no snapshot
  cannot be priced: the use case refuses rather than guess);
- quality: the firm's unsuperseded audits up to the rating date (recency-weighted in
  ``pricing.liability``), its follow-up closure and evidence compliance from its own
  unsuperseded records of the last ``QUALITY_LOOKBACK_YEARS``, its credit colour and its
  registered engineers per engagement in force;
- experience: the firm's actual losses over the loss run's five years — paid plus
  outstanding reserves of its claims on the policies of any insurer, from the ledger as of
  the rating date — against what the model pricing now expects of those policies, in CNY;
  read for all the book's firms in one query (``underwriting.experience``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from pricing import (
    HAZARD_CLASSES,
    SERVICE_KINDS,
    STANDARDISATION_GRADES,
    AuditLog,
    ClientMetrics,
    RatingBook,
    RatingModel,
    audit_deficits,
    full_years_between,
    quality_features,
    service_weight,
)
from pricing.model import CREDIT_COLOURS
from underwriting.db.uow import UnitOfWork
from underwriting.errors import InvalidInput, NotFound
from underwriting.experience import with_experience

QUALITY_LOOKBACK_YEARS = 3
DAYS_PER_YEAR = 365.25


def build_rating_book(
    uow: UnitOfWork,
    firm_ids: Sequence[int],
    *,
    effective: date,
    expiry: date,
    retro: Sequence[date],
    on: date,
    model: RatingModel,
    schedule: Sequence[float] | None = None,
    engagement_ids: Sequence[int] | None = None,
    clients: Sequence | None = None,
) -> RatingBook:
    """The book of ``firm_ids`` for a policy [effective, expiry), rated with data (its
    experience too) as of ``on``; ``retro`` is each firm's retroactive date, ``schedule`` its
    schedule factor. Clients are the firms' engagements overlapping the period, in
    engagement-id order, or only those of ``engagement_ids``, or ``clients`` as
    ``covered_engagements`` gave them."""
    firm_ids = list(firm_ids)
    inputs = uow.rating_inputs
    deficits = quality_deficits(uow, firm_ids, on=on, model=model)  # refuses unknown firms
    row_of = {firm_id: i for i, firm_id in enumerate(firm_ids)}
    if clients is None:
        clients = covered_engagements(uow, firm_ids, effective, expiry, engagement_ids)
    snapshots = inputs.latest_snapshots(sorted({c.enterprise_id for c in clients}), on)
    unseen = sorted({c.enterprise_id for c in clients} - set(snapshots))
    if unseen:
        raise InvalidInput(
            "enterprise_id", unseen[0], f"has no hazard snapshot on or before {on.isoformat()}"
        )
    book = RatingBook(
        firm_ids=np.array(firm_ids, dtype=np.int64),
        deficits=deficits,
        years_since_retro=np.array([full_years_between(r, effective) for r in retro]),
        experience_actual=np.zeros(len(firm_ids)),  # filled by with_experience below
        experience_expected=np.zeros(len(firm_ids)),
        schedule_factor=np.array(
            schedule if schedule is not None else [1.0] * len(firm_ids), dtype=np.float64
        ),
        client_firm=np.array([row_of[c.firm_id] for c in clients], dtype=np.int64),
        client_class=np.array(
            [HAZARD_CLASSES.index(c.hazard_class) for c in clients], dtype=np.int64
        ),
        client_metrics=_metrics(clients, snapshots),
        client_weight=_weights(clients, effective, expiry, model),
    )
    return with_experience(uow, book, on=on, model=model)


def covered_engagements(
    uow: UnitOfWork,
    firm_ids: Sequence[int],
    effective: date,
    expiry: date,
    engagement_ids: Sequence[int] | None = None,
) -> list:
    """The firms' engagements overlapping [effective, expiry), in id order; restricted to
    ``engagement_ids`` when given, where an id outside that set is refused by name."""
    clients = uow.rating_inputs.engagements(firm_ids, effective, expiry)
    if engagement_ids is None:
        return clients
    wanted = set(engagement_ids)
    unknown = sorted(wanted - {c.id for c in clients})
    if unknown:
        raise InvalidInput(
            "engagement_ids",
            unknown[0],
            "is not an engagement of the firm running during the policy period",
        )
    return [c for c in clients if c.id in wanted]


def _weights(clients: list, effective: date, expiry: date, model: RatingModel) -> np.ndarray:
    days = (expiry - effective).days
    overlap = np.array(
        [
            (min(c.end_date + timedelta(days=1), expiry) - max(c.start_date, effective)).days
            for c in clients
        ],
        dtype=np.float64,
    )
    kinds = np.array(
        [[kind in c.service_kinds for kind in SERVICE_KINDS] for c in clients], dtype=bool
    ).reshape(len(clients), len(SERVICE_KINDS))
    return np.clip(overlap / days, 0.0, 1.0) * service_weight(kinds, model.frequency)


def _metrics(clients: list, snapshots: dict) -> ClientMetrics:
    shots = [snapshots[c.enterprise_id] for c in clients]
    return ClientMetrics(
        employees=np.array([c.employees for c in clients], dtype=np.float64),
        standardisation=np.array(
            [STANDARDISATION_GRADES.index(c.standardisation_grade) for c in clients],
            dtype=np.int64,
        ),
        major_hazard_sources=np.array([c.major_hazard_sources for c in clients], dtype=float),
        closure_rate=np.array([s.rectification_closure_rate for s in shots], dtype=float),
        overdue_rectifications=np.array([s.overdue_rectifications for s in shots], dtype=float),
        accidents_3y=np.array(
            [
                [
                    s.accidents_general_3y,
                    s.accidents_larger_3y,
                    s.accidents_major_3y,
                    s.accidents_especially_major_3y,
                ]
                for s in shots
            ],
            dtype=float,
        ).reshape(len(shots), 4),
        iot_alarm_rate=np.array(
            [np.nan if s.iot_alarm_rate is None else s.iot_alarm_rate for s in shots], dtype=float
        ),
    )


def quality_deficits(
    uow: UnitOfWork, firm_ids: Sequence[int], *, on: date, model: RatingModel
) -> np.ndarray:
    """The quality deficit matrix (firms × ``QUALITY_FEATURES``) of ``firm_ids`` as of ``on``;
    ``NotFound`` names the first id that is no firm."""
    inputs = uow.rating_inputs
    firm_ids = list(firm_ids)
    firms = {row.id: row for row in inputs.firms(firm_ids)}
    missing = [f for f in firm_ids if f not in firms]
    if missing:
        raise NotFound("firm", missing[0], field="firm_id")
    row_of = {firm_id: i for i, firm_id in enumerate(firm_ids)}
    audits = inputs.audits(firm_ids, on)
    log = AuditLog(
        firm=np.array([row_of[a[0]] for a in audits], dtype=np.int64),
        age_years=np.array([(on - a[1]).days / DAYS_PER_YEAR for a in audits], dtype=float),
        mean_score=np.array([a[2] for a in audits], dtype=float),
        inaccurate=np.array([a[3] for a in audits], dtype=float),
        false=np.array([a[4] for a in audits], dtype=float),
        sample_size=np.array([a[5] for a in audits], dtype=float),
    )
    since = on - timedelta(days=round(QUALITY_LOOKBACK_YEARS * DAYS_PER_YEAR))
    quality = {row[0]: row[1:] for row in inputs.service_quality(firm_ids, since, on)}
    in_force = inputs.engagements_in_force(firm_ids, on)
    records, evidenced, due, closed = (
        np.array([quality[f][i] for f in firm_ids], dtype=float) for i in range(4)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        follow_up = np.where(due > 0, closed / due, np.nan)
        evidence = np.where(records > 0, evidenced / records, np.nan)
    engineers = np.array(
        [firms[f].safety_engineers / max(1, in_force.get(f, 0)) for f in firm_ids], dtype=float
    )
    return quality_features(
        audit_deficits(log, len(firm_ids), model.liability),
        follow_up_closure=follow_up,
        evidence_compliance=evidence,
        credit_colour=np.array([CREDIT_COLOURS.index(firms[f].credit_colour) for f in firm_ids]),
        engineers_per_engagement=engineers,
        model=model.liability,
    )
