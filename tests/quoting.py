"""Shared set-up for the policy-lifecycle tests: the small book made quotable today.

Firm A serves enterprise X from a month ago for the next 800 days (``engagement_now``), a
fresh hazard snapshot is on file and the default model is active. Enterprise X is made a
heavy manufacturer of 4,000 staff, so that a quote is not referred for a book of
hazardous-sector clients unless a test says so.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.small_book import SNAPSHOT_METRICS
from underwriting import clock, engagements, risk_data
from underwriting.rating_models import ensure_default_model

#: 1m per claim, 3m aggregate, no deductible, defence inside.
OPTION = {"per_claim_limit": "1000000.00", "aggregate_limit": "3000000.00"}


def auth(book, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {book.keys[key]}"}


@pytest.fixture
def quotable(book, uows):
    ensure_default_model(uows)
    today = clock.today()
    firm = book.principals["firm_a"]
    book.ids["engagement_now"] = engagements.create_engagement(
        uows,
        firm,
        {
            "firm_id": book.ids["firm_a"],
            "enterprise_id": book.ids["enterprise_x"],
            "service_kinds": ["hazard_inspection"],
            "hazard_categories": ["fire", "electrical"],
            "start_date": today - timedelta(days=30),
            "end_date": today + timedelta(days=800),
            "annual_fee": Decimal("80000.00"),
            "inspection_interval_days": 30,
        },
    ).ids[0]
    risk_data.create_hazard_snapshot(
        uows,
        firm,
        {"enterprise_id": book.ids["enterprise_x"], "as_of_date": today - timedelta(days=5)}
        | SNAPSHOT_METRICS,
    )
    set_enterprise(
        uows, book.ids["enterprise_x"], hazard_class="heavy_manufacturing", employees=4000
    )
    book.uows = uows
    return book


def file_audit(uows, book, day, **change: Any) -> int:
    """An underwriter's audit of firm A on ``day``: scores of 90, no false reports unless
    ``change`` says otherwise."""
    values = {
        "firm_id": book.ids["firm_a"],
        "audit_date": day,
        "sample_size": 20,
        "score_completeness": 90.0,
        "score_accuracy": 90.0,
        "score_follow_up": 90.0,
        "score_evidence": 90.0,
        "inaccurate_reports": 0,
        "false_reports": 0,
        "supersedes_id": None,
    }
    return risk_data.create_audit(uows, book.principals["underwriter"], values | change).ids[0]


def quote_body(book, **change: Any) -> dict[str, Any]:
    body = {
        "firm_id": book.ids["firm_a"],
        "effective_date": (clock.today() + timedelta(days=1)).isoformat(),
        "engagement_ids": [book.ids["engagement_now"]],
        "options": [OPTION],
    }
    return body | change


def set_firm(uows, firm_id: int, **values: Any) -> None:
    """Change a firm's regulator facts as a later register would (no API writes them)."""
    _set(uows, "firms", firm_id, values)


def set_enterprise(uows, enterprise_id: int, **values: Any) -> None:
    _set(uows, "enterprises", enterprise_id, values)


def _set(uows, repository: str, ident: int, values: dict[str, Any]) -> None:
    with uows() as uow:
        row = getattr(uow, repository).get(ident)
        for name, value in values.items():
            setattr(row, name, value)
        uow.commit()
