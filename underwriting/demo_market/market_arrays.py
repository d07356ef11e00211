"""A market's tables as the arrays the insured history works on.

The insured history is drawn on top of a ``Market`` — generated, or read from
``fixtures/demo`` — from its rows alone (and the per-firm π_f of its truth), so it sees
exactly what the database would hold. Days are day numbers since 1970-01-01, seconds Unix
seconds, money integer fen; firms, enterprises and engagements are positions (row order).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from pricing import HAZARD_CLASSES, SERVICE_KINDS, STANDARDISATION_GRADES
from pricing.model import CREDIT_COLOURS
from underwriting.demo_market.encoding import NO_DATE
from underwriting.demo_market.market import Market
from underwriting.demo_market.window import Window


@dataclass(frozen=True, eq=False)
class Parties:
    """Firms (``firm_*``), enterprises (``enterprise_*``) and insurers, arrays by position.

    ``firm_colour`` indexes ``pricing.model.CREDIT_COLOURS``; ``firm_liability`` is the
    truth's π_f; provinces are the first two digits of the GB/T 2260 code in the credit code.
    ``enterprise_class`` indexes ``HAZARD_CLASSES``, ``enterprise_grade``
    ``STANDARDISATION_GRADES``.
    """

    firm_ids: np.ndarray
    firm_colour: np.ndarray
    firm_engineers: np.ndarray
    firm_expiry_day: np.ndarray
    firm_province: np.ndarray
    firm_liability: np.ndarray
    enterprise_ids: np.ndarray
    enterprise_class: np.ndarray
    enterprise_employees: np.ndarray
    enterprise_grade: np.ndarray
    enterprise_sources: np.ndarray
    insurer_ids: np.ndarray
    insurer_province: np.ndarray


@dataclass(frozen=True, eq=False)
class Contracts:
    """Engagements (``firm``, ``enterprise`` positions; end day inclusive; ``kinds`` over
    ``SERVICE_KINDS``), in id order."""

    firm: np.ndarray
    enterprise: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    kinds: np.ndarray


@dataclass(frozen=True, eq=False)
class SnapshotGrid:
    """Hazard snapshots, periods × enterprises (``accidents`` periods × enterprises × 4;
    ``iot_alarm_rate`` NaN where not monitored); ``as_of_day`` per period."""

    as_of_day: np.ndarray
    closure_rate: np.ndarray
    overdue: np.ndarray
    accidents: np.ndarray
    iot_alarm_rate: np.ndarray


@dataclass(frozen=True, eq=False)
class ServiceEvidence:
    """What the firms' quality features read: audits, service records and their findings.

    Audits: ``audit_firm`` (position), day, submission second, mean of the four scores,
    inaccurate and false reports, sample size. Records: firm, visit day, submission second,
    whether it carries photo evidence. Findings: record position, deadline day, closed day
    (``NO_DATE`` when never closed).
    """

    audit_firm: np.ndarray
    audit_day: np.ndarray
    audit_submitted: np.ndarray
    audit_score: np.ndarray
    audit_inaccurate: np.ndarray
    audit_false: np.ndarray
    audit_sample: np.ndarray
    record_firm: np.ndarray
    record_day: np.ndarray
    record_submitted: np.ndarray
    record_evidenced: np.ndarray
    finding_record: np.ndarray
    finding_deadline: np.ndarray
    finding_closed: np.ndarray


@dataclass(frozen=True, eq=False)
class Incidents:
    """Incidents in id order: ``ids``, ``enterprise`` position, day, direct loss in fen."""

    ids: np.ndarray
    enterprise: np.ndarray
    day: np.ndarray
    loss_fen: np.ndarray


@dataclass(frozen=True, eq=False)
class MarketArrays:
    window: Window
    seed: int
    parties: Parties
    contracts: Contracts
    snapshots: SnapshotGrid
    evidence: ServiceEvidence
    incidents: Incidents


def market_arrays(market: Market) -> MarketArrays:
    """The arrays of ``market`` (see the module docstring)."""
    arguments = market.truth["arguments"]
    tables = market.tables
    parties = _parties(tables, market.truth)
    firm_of = _positions(parties.firm_ids)
    enterprise_of = _positions(parties.enterprise_ids)
    contracts = _contracts(tables["engagement"], firm_of, enterprise_of)
    contract_of = _positions(_column(tables["engagement"], "id"))
    return MarketArrays(
        window=Window(arguments["first_year"], arguments["years"]),
        seed=arguments["seed"],
        parties=parties,
        contracts=contracts,
        snapshots=_snapshots(tables["hazard_snapshot"], enterprise_of),
        evidence=_evidence(tables, firm_of, contracts.firm[contract_of]),
        incidents=_incidents(tables["incident"], enterprise_of),
    )


def days(texts: list[str | None]) -> np.ndarray:
    """Day numbers of ISO dates; ``None`` becomes ``NO_DATE``."""
    known = np.array([t or "1970-01-01" for t in texts], dtype="datetime64[D]").astype(np.int64)
    missing = np.array([t is None for t in texts], dtype=bool)
    return np.where(missing, NO_DATE, known)


def seconds(texts: list[str]) -> np.ndarray:
    """Unix seconds of ISO timestamps in UTC (``…+00:00``)."""
    return np.array([t.removesuffix("+00:00") for t in texts], dtype="datetime64[s]").astype(
        np.int64
    )


def _column(rows: list[dict], key: str, dtype: type | str = np.int64) -> np.ndarray:
    return np.array([row[key] for row in rows], dtype=dtype)


def _positions(ids: np.ndarray) -> np.ndarray:
    """A lookup array: ``table[id]`` is the position of ``id`` in ``ids``."""
    table = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
    table[ids] = np.arange(len(ids))
    return table


def _parties(tables: dict[str, list[dict]], truth: dict) -> Parties:
    firms, enterprises = tables["firm"], tables["enterprise"]
    organisations = {row["id"]: row for row in tables["organisation"]}
    insurers = [row for row in tables["organisation"] if row["kind"] == "insurer"]
    firm_ids = _column(firms, "id")
    return Parties(
        firm_ids=firm_ids,
        firm_colour=np.array([CREDIT_COLOURS.index(r["credit_colour"]) for r in firms]),
        firm_engineers=_column(firms, "safety_engineers"),
        firm_expiry_day=days([r["qualification_expiry_date"] for r in firms]),
        firm_province=np.array([organisations[i]["credit_code"][2:4] for i in firm_ids.tolist()]),
        firm_liability=np.array(
            [truth["firms"][str(i)]["liability_probability"] for i in firm_ids.tolist()]
        ),
        enterprise_ids=_column(enterprises, "id"),
        enterprise_class=np.array([HAZARD_CLASSES.index(r["hazard_class"]) for r in enterprises]),
        enterprise_employees=_column(enterprises, "employees"),
        enterprise_grade=np.array(
            [STANDARDISATION_GRADES.index(r["standardisation_grade"]) for r in enterprises]
        ),
        enterprise_sources=_column(enterprises, "major_hazard_sources"),
        insurer_ids=_column(insurers, "id"),
        insurer_province=np.array([r["credit_code"][2:4] for r in insurers]),
    )


def _contracts(rows: list[dict], firm_of: np.ndarray, enterprise_of: np.ndarray) -> Contracts:
    kinds = np.array(
        [[kind in row["service_kinds"] for kind in SERVICE_KINDS] for row in rows], dtype=bool
    ).reshape(len(rows), len(SERVICE_KINDS))
    return Contracts(
        firm=firm_of[_column(rows, "firm_id")],
        enterprise=enterprise_of[_column(rows, "enterprise_id")],
        start_day=days([r["start_date"] for r in rows]),
        end_day=days([r["end_date"] for r in rows]),
        kinds=kinds,
    )


def _snapshots(rows: list[dict], enterprise_of: np.ndarray) -> SnapshotGrid:
    as_of = days([r["as_of_date"] for r in rows])
    periods, period = np.unique(as_of, return_inverse=True)
    who = enterprise_of[_column(rows, "enterprise_id")]
    shape = (len(periods), int(enterprise_of.max(initial=-1)) + 1)

    def grid(values: np.ndarray) -> np.ndarray:
        out = np.full(shape + values.shape[1:], np.nan)
        out[period, who] = values
        return out

    grades = ("general", "larger", "major", "especially_major")
    accidents = np.array(
        [[r[f"accidents_{g}_3y"] for g in grades] for r in rows], dtype=np.float64
    ).reshape(len(rows), len(grades))
    iot = [np.nan if r["iot_alarm_rate"] is None else r["iot_alarm_rate"] for r in rows]
    return SnapshotGrid(
        as_of_day=periods,
        closure_rate=grid(_column(rows, "rectification_closure_rate", np.float64)),
        overdue=grid(_column(rows, "overdue_rectifications", np.float64)),
        accidents=grid(accidents),
        iot_alarm_rate=grid(np.array(iot, dtype=np.float64)),
    )


def _evidence(
    tables: dict[str, list[dict]], firm_of: np.ndarray, firm_of_contract: np.ndarray
) -> ServiceEvidence:
    """``firm_of_contract[engagement id]`` is the engagement's firm position."""
    audits, records, findings = tables["audit"], tables["service_record"], tables["finding"]
    record_of = _positions(_column(records, "id"))
    scores = ("score_completeness", "score_accuracy", "score_follow_up", "score_evidence")
    return ServiceEvidence(
        audit_firm=firm_of[_column(audits, "firm_id")],
        audit_day=days([r["audit_date"] for r in audits]),
        audit_submitted=seconds([r["submitted_at"] for r in audits]),
        audit_score=np.array([sum(r[s] for s in scores) / 4.0 for r in audits]),
        audit_inaccurate=_column(audits, "inaccurate_reports", np.float64),
        audit_false=_column(audits, "false_reports", np.float64),
        audit_sample=_column(audits, "sample_size", np.float64),
        record_firm=firm_of_contract[_column(records, "engagement_id")],
        record_day=days([r["visit_date"] for r in records]),
        record_submitted=seconds([r["submitted_at"] for r in records]),
        record_evidenced=np.array([bool(r["evidence_photo_hashes"]) for r in records]),
        finding_record=record_of[_column(findings, "service_record_id")],
        finding_deadline=days([r["rectification_deadline_date"] for r in findings]),
        finding_closed=days([r["closed_date"] for r in findings]),
    )


def _incidents(rows: list[dict], enterprise_of: np.ndarray) -> Incidents:
    return Incidents(
        ids=_column(rows, "id"),
        enterprise=enterprise_of[_column(rows, "enterprise_id")],
        day=seconds([r["occurred_at"] for r in rows]) // 86_400,
        loss_fen=np.array([int(Decimal(r["direct_loss"]) * 100) for r in rows], dtype=np.int64),
    )
