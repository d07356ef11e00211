"""Shared set-up for the claims tests: a policy, an incident and the records that judge it.

Firm A's policy ``SL2025-C1`` (insurer 1) runs 2025-01-01 to 2026-01-01, retro 2025-01-01,
1m per claim, 3m aggregate, 10,000 deductible, defence inside, covering ``engagement_a``
(enterprise X; fire and electrical; inspection every 30 days). On 2025-05-20 the firm
visited and inspected both categories, with photo evidence, filed that day. A fire at
enterprise X on 2025-06-01 10:00 (China time) is the incident; so the assessment is a
negligent miss in both categories, share 0.8, unambiguous.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.market_rows import write_policy
from underwriting import clock, incidents
from underwriting.db.tables import ServiceRecord
from underwriting.rating_models import ensure_default_model

POLICY_START = date(2025, 1, 1)
POLICY_END = date(2026, 1, 1)
INCIDENT_AT = datetime(2025, 6, 1, 10, 0, tzinfo=clock.CHINA)
MADE = date(2025, 6, 10)


def write_record(
    uows,
    engagement_id: int,
    visit: date,
    *,
    submitted: datetime | None = None,
    categories: tuple[str, ...] = ("fire", "electrical"),
    evidence: bool = True,
) -> int:
    """A service record as the firm filed it (``submitted`` defaults to the visit's noon)."""
    with uows() as uow:
        row = ServiceRecord(
            engagement_id=engagement_id,
            visit_date=visit,
            categories_inspected=list(categories),
            evidence_photo_hashes=["cd" * 32] if evidence else [],
            signer="王工",
            submitted_at=submitted
            or datetime(visit.year, visit.month, visit.day, 12, tzinfo=clock.CHINA),
        )
        uow.session.add(row)
        uow.commit()
        return row.id


def report(uows, book, *, at: datetime = INCIDENT_AT, accident_type: str = "fire") -> int:
    return incidents.report_incident(
        uows,
        book.principals["enterprise_x"],
        {
            "enterprise_id": book.ids["enterprise_x"],
            "occurred_at": at,
            "accident_type": accident_type,
            "deaths": 0,
            "serious_injuries": 1,
            "minor_injuries": 0,
            "direct_loss": Decimal("300000.00"),
            "description": "仓库起火",
        },
    ).ids[0]


def claim_body(book, **overrides: Any) -> dict[str, Any]:
    return {
        "policy_id": book.ids["policy_c1"],
        "incident_id": book.ids["incident_fire"],
        "first_made_date": MADE.isoformat(),
        "claimant": "受伤职工 张三",
        "heads_of_damage": [{"head": "医疗费", "amount": "80000.00"}],
    } | overrides


@pytest.fixture
def claimable(book, uows):
    """The small book with the policy, the record and the incident of the module docstring."""
    ensure_default_model(uows)
    book.ids["policy_c1"] = write_policy(
        uows, book, "SL2025-C1", effective=POLICY_START, expiry=POLICY_END
    )
    book.ids["record_may"] = write_record(uows, book.ids["engagement_a"], date(2025, 5, 20))
    book.ids["incident_fire"] = report(uows, book)
    book.uows = uows
    return book
