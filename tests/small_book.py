"""A small, hand-made book for integration and API tests: two of everything.

Firm A serves enterprise X and firm B serves enterprise Y, so every scope rule has an "own"
and an "other's" case. Built through the use cases, never by writing rows directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from underwriting import engagements, incidents, parties, risk_data
from underwriting.access import Principal
from underwriting.credit_code import check_character
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.keys import authenticate, create_key
from underwriting.vocabulary import Role

START = date(2024, 1, 1)


def credit_code(serial: int) -> str:
    """A valid GB 32100 code: enterprise legal person (91) in Suzhou (320500)."""
    body = f"91320500{serial:09d}"
    return body + check_character(body)


def record_values(engagement_id: int, visit: date, **overrides: Any) -> dict[str, Any]:
    values = {
        "engagement_id": engagement_id,
        "visit_date": visit,
        "categories_inspected": ["fire", "electrical"],
        "findings": [
            {
                "category": "fire",
                "severity": "general",
                "description": "灭火器过期",
                "rectification_deadline_date": visit + timedelta(days=14),
                "closed_date": visit + timedelta(days=7),
            }
        ],
        "evidence_photo_hashes": ["ab" * 32],
        "signer": "王工",
        "supersedes_id": None,
    }
    return values | overrides


#: A valid set of hazard metrics for a snapshot (JSON-native, so API tests can send it too).
SNAPSHOT_METRICS = {
    "hidden_hazards_general": 4,
    "hidden_hazards_major": 0,
    "rectification_closure_rate": 0.9,
    "overdue_rectifications": 1,
    "accidents_general_3y": 0,
    "accidents_larger_3y": 0,
    "accidents_major_3y": 0,
    "accidents_especially_major_3y": 0,
    "iot_alarm_rate": None,
    "penalties": 0,
}

#: The keys the book mints besides the admin's: (name, organisation, role).
KEYS = (
    ("underwriter", "insurer_1", Role.UNDERWRITER),
    ("adjuster", "insurer_1", Role.ADJUSTER),
    ("actuary", "insurer_1", Role.ACTUARY),
    ("actuary_b", "insurer_1", Role.ACTUARY),
    ("underwriter_2", "insurer_2", Role.UNDERWRITER),
    ("firm_a", "firm_a", Role.FIRM),
    ("firm_b", "firm_b", Role.FIRM),
    ("enterprise_x", "enterprise_x", Role.ENTERPRISE),
    ("enterprise_y", "enterprise_y", Role.ENTERPRISE),
)


@dataclass
class SmallBook:
    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)


def build_small_book(uows: UnitOfWorkFactory) -> SmallBook:
    book = SmallBook()
    book.ids["platform"] = parties.register_platform(
        uows, name="SecondLock 平台", credit_code=credit_code(1)
    )
    _mint(uows, book, "admin", "platform", Role.ADMIN)
    admin = book.principals["admin"]
    orgs = [
        ("insurer", "insurer_1", "甲保险"),
        ("insurer", "insurer_2", "乙保险"),
        ("firm", "firm_a", "甲安全技术"),
        ("firm", "firm_b", "乙安全技术"),
        ("enterprise", "enterprise_x", "甲化工"),
        ("enterprise", "enterprise_y", "乙建筑"),
    ]
    for serial, (kind, name, title) in enumerate(orgs, start=2):
        values = {"kind": kind, "name": title, "credit_code": credit_code(serial)}
        book.ids[name] = parties.create_organisation(uows, admin, values).ids[0]
    for firm in ("firm_a", "firm_b"):
        parties.create_firm(
            uows,
            admin,
            {
                "organisation_id": book.ids[firm],
                "qualification_kind": "safety_assessment",
                "qualification_expiry_date": date(2030, 1, 1),
                "credit_colour": "blue",
                "safety_engineers": 12,
                "founded_year": 2008,
            },
        )
    for enterprise, sector in (
        ("enterprise_x", "hazardous_chemicals"),
        ("enterprise_y", "construction"),
    ):
        parties.create_enterprise(
            uows,
            admin,
            {
                "organisation_id": book.ids[enterprise],
                "hazard_class": sector,
                "region_code": "320500",
                "employees": 250,
                "standardisation_grade": "2",
                "major_hazard_sources": 1,
            },
        )
    for name, org, role in KEYS:
        _mint(uows, book, name, org, role)
    for firm, enterprise, suffix in (
        ("firm_a", "enterprise_x", "a"),
        ("firm_b", "enterprise_y", "b"),
    ):
        _serve(uows, book, firm, enterprise, suffix)
    return book


def _mint(uows: UnitOfWorkFactory, book: SmallBook, name: str, org: str, role: Role) -> None:
    minted = create_key(uows, organisation_id=book.ids[org], role=role, label=name)
    book.keys[name] = minted.plaintext
    book.principals[name] = authenticate(uows, minted.plaintext)


def _serve(uows: UnitOfWorkFactory, book: SmallBook, firm: str, enterprise: str, s: str) -> None:
    firm_p = book.principals[firm]
    book.ids[f"engagement_{s}"] = engagements.create_engagement(
        uows,
        firm_p,
        {
            "firm_id": book.ids[firm],
            "enterprise_id": book.ids[enterprise],
            "service_kinds": ["hazard_inspection"],
            "hazard_categories": ["fire", "electrical"],
            "start_date": START,
            "end_date": START + timedelta(days=730),
            "annual_fee": Decimal("60000.00"),
            "inspection_interval_days": 30,
        },
    ).ids[0]
    book.ids[f"record_{s}"] = engagements.file_service_records(
        uows, firm_p, [record_values(book.ids[f"engagement_{s}"], START + timedelta(days=10))]
    ).ids[0]
    book.ids[f"snapshot_{s}"] = risk_data.create_hazard_snapshot(
        uows,
        firm_p,
        {"enterprise_id": book.ids[enterprise], "as_of_date": START} | SNAPSHOT_METRICS,
    ).ids[0]
    book.ids[f"audit_{s}"] = risk_data.create_audit(
        uows,
        book.principals["underwriter"],
        {
            "firm_id": book.ids[firm],
            "audit_date": START + timedelta(days=60),
            "sample_size": 20,
            "score_completeness": 88.0,
            "score_accuracy": 91.5,
            "score_follow_up": 80.0,
            "score_evidence": 85.0,
            "inaccurate_reports": 1,
            "false_reports": 0,
            "supersedes_id": None,
        },
    ).ids[0]
    book.ids[f"incident_{s}"] = incidents.report_incident(
        uows,
        book.principals[enterprise],
        {
            "enterprise_id": book.ids[enterprise],
            "occurred_at": datetime(2024, 6, 3, 1, 30, tzinfo=UTC),
            "accident_type": "fall_from_height",
            "deaths": 0,
            "serious_injuries": 1,
            "minor_injuries": 2,
            "direct_loss": Decimal("180000.00"),
            "description": "脚手架坠落",
        },
    ).ids[0]
