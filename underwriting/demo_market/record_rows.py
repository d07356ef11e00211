"""Rows of what the book records over time: ``service_record``, ``finding``, ``audit`` and
``hazard_snapshot``, with the exact column names of ``underwriting/db/tables/book.py``
(``hazard_snapshot.submitted_at`` is left to its server default)."""

from __future__ import annotations

import numpy as np

from underwriting.demo_market.audits import AuditLog
from underwriting.demo_market.book_rows import column_labels
from underwriting.demo_market.encoding import iso_dates, iso_timestamps
from underwriting.demo_market.engagements import CATEGORIES
from underwriting.demo_market.enterprises import EnterprisePanel
from underwriting.demo_market.findings import FindingLog, finding_descriptions
from underwriting.demo_market.firms import FirmPanel
from underwriting.demo_market.history import Snapshots
from underwriting.demo_market.visits import VisitLog, photo_hashes
from underwriting.vocabulary import FindingSeverity


def service_record_rows(
    visits: VisitLog, book_firm: np.ndarray, rosters: list[list[str]], rng: np.random.Generator
) -> list[dict]:
    """``book_firm`` is the engagement book's firm positions; ``rosters`` each firm's
    engineers, of whom the record's signer is one."""
    firm = book_firm[visits.engagement]
    signers = [rosters[f][k] for f, k in zip(firm.tolist(), visits.signer.tolist(), strict=True)]
    columns = zip(
        (visits.engagement + 1).tolist(),
        iso_dates(visits.visit_day),
        column_labels(visits.inspected, [c.value for c in CATEGORIES]),
        photo_hashes(visits.photos, rng),
        signers,
        iso_timestamps(visits.submitted_second),
        strict=True,
    )
    return [
        {
            "id": i,
            "engagement_id": engagement_id,
            "visit_date": visit,
            "categories_inspected": inspected,
            "evidence_photo_hashes": hashes,
            "signer": signer,
            "supersedes_id": None,
            "submitted_at": submitted,
        }
        for i, (engagement_id, visit, inspected, hashes, signer, submitted) in enumerate(
            columns, start=1
        )
    ]


def finding_rows(findings: FindingLog) -> list[dict]:
    severities = (FindingSeverity.GENERAL.value, FindingSeverity.MAJOR.value)
    columns = zip(
        (findings.record + 1).tolist(),
        findings.category.tolist(),
        findings.major.tolist(),
        finding_descriptions(findings),
        iso_dates(findings.deadline_day),
        iso_dates(findings.closed_day),
        strict=True,
    )
    return [
        {
            "id": i,
            "service_record_id": record_id,
            "category": CATEGORIES[category].value,
            "severity": severities[major],
            "description": text,
            "rectification_deadline_date": deadline,
            "closed_date": closed,
        }
        for i, (record_id, category, major, text, deadline, closed) in enumerate(columns, start=1)
    ]


def audit_rows(audits: AuditLog, firms: FirmPanel) -> list[dict]:
    columns = zip(
        firms.ids[audits.firm].tolist(),
        audits.auditor.tolist(),
        iso_dates(audits.audit_day),
        audits.sample_size.tolist(),
        audits.scores.tolist(),
        audits.inaccurate.tolist(),
        audits.false.tolist(),
        iso_timestamps(audits.submitted_second),
        strict=True,
    )
    return [
        {
            "id": i,
            "firm_id": firm_id,
            "auditor_id": auditor_id,
            "audit_date": day,
            "sample_size": sample,
            "score_completeness": scores[0],
            "score_accuracy": scores[1],
            "score_follow_up": scores[2],
            "score_evidence": scores[3],
            "inaccurate_reports": inaccurate,
            "false_reports": false,
            "supersedes_id": None,
            "submitted_at": submitted,
        }
        for i, (
            firm_id,
            auditor_id,
            day,
            sample,
            scores,
            inaccurate,
            false,
            submitted,
        ) in enumerate(columns, start=1)
    ]


def hazard_snapshot_rows(snapshots: Snapshots, enterprises: EnterprisePanel) -> list[dict]:
    """One row per half-year and enterprise, ordered by as-of date then enterprise id."""
    periods, n = snapshots.general.shape
    accidents = snapshots.accidents.reshape(periods * n, 4).tolist()
    iot = snapshots.iot_alarm_rate.ravel()
    columns = zip(
        np.tile(enterprises.ids, periods).tolist(),
        np.repeat(iso_dates(snapshots.as_of_day), n).tolist(),
        snapshots.general.ravel().tolist(),
        snapshots.major.ravel().tolist(),
        snapshots.closure_rate.ravel().tolist(),
        snapshots.overdue.ravel().tolist(),
        accidents,
        [None if np.isnan(r) else r for r in iot.tolist()],
        snapshots.penalties.ravel().tolist(),
        strict=True,
    )
    return [
        {
            "id": i,
            "enterprise_id": enterprise_id,
            "as_of_date": as_of,
            "hidden_hazards_general": general,
            "hidden_hazards_major": major,
            "rectification_closure_rate": closure,
            "overdue_rectifications": overdue,
            "accidents_general_3y": counts[0],
            "accidents_larger_3y": counts[1],
            "accidents_major_3y": counts[2],
            "accidents_especially_major_3y": counts[3],
            "iot_alarm_rate": alarms,
            "penalties": penalties,
        }
        for i, (
            enterprise_id,
            as_of,
            general,
            major,
            closure,
            overdue,
            counts,
            alarms,
            penalties,
        ) in enumerate(columns, start=1)
    ]
