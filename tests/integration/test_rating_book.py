"""The rating book assembled from the database: what the model reads, and from where."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from pricing import QUALITY_FEATURES, RatingModel
from tests.small_book import START, build_small_book, record_values
from underwriting import engagements, parties, risk_data
from underwriting.errors import InvalidInput
from underwriting.rating_book import build_rating_book

MODEL = RatingModel.load("pl-2026.1")
EFFECTIVE, EXPIRY = date(2024, 7, 1), date(2025, 7, 1)
ON = date(2024, 6, 30)


@pytest.fixture
def small(uows):
    return build_small_book(uows)


def book_of(uows, small, firm="firm_a", **kwargs):
    with uows() as uow:
        return build_rating_book(
            uow,
            [small.ids[firm]],
            effective=EFFECTIVE,
            expiry=EXPIRY,
            retro=[EFFECTIVE],
            on=kwargs.pop("on", ON),
            model=MODEL,
            **kwargs,
        )


def deficit(book, name):
    return float(book.deficits[0, QUALITY_FEATURES.index(name)])


def test_clients_are_the_engagements_overlapping_the_period(uows, small):
    book = book_of(uows, small)
    # Engagement A runs 2024-01-01 to 2025-12-31: the whole policy year, inspection only.
    assert book.client_firm.tolist() == [0]
    assert book.client_weight.tolist() == [1.0]
    assert book.client_metrics.closure_rate.tolist() == [0.9]


def test_a_part_year_engagement_weighs_its_share_of_the_period(uows, small):
    firm = small.principals["firm_b"]
    engagements.create_engagement(
        uows,
        firm,
        {
            "firm_id": small.ids["firm_b"],
            "enterprise_id": small.ids["enterprise_y"],
            "service_kinds": ["training"],
            "hazard_categories": ["fire"],
            "start_date": date(2025, 1, 1),
            "end_date": date(2026, 12, 31),
            "annual_fee": Decimal("10000.00"),
            "inspection_interval_days": 90,
        },
    )
    book = book_of(uows, small, firm="firm_b")
    weights = sorted(book.client_weight.tolist())
    days = (EXPIRY - date(2025, 1, 1)).days / (EXPIRY - EFFECTIVE).days
    assert weights == pytest.approx([days * 0.15, 1.0])


def test_the_latest_snapshot_on_or_before_the_rating_date_is_used(uows, small):
    values = {
        "enterprise_id": small.ids["enterprise_x"],
        "as_of_date": date(2024, 6, 1),
        "hidden_hazards_general": 9,
        "hidden_hazards_major": 2,
        "rectification_closure_rate": 0.5,
        "overdue_rectifications": 4,
        "accidents_general_3y": 1,
        "accidents_larger_3y": 0,
        "accidents_major_3y": 0,
        "accidents_especially_major_3y": 0,
        "iot_alarm_rate": 1.5,
        "penalties": 1,
    }
    risk_data.create_hazard_snapshot(uows, small.principals["firm_a"], values)
    risk_data.create_hazard_snapshot(
        uows,
        small.principals["firm_a"],
        values | {"as_of_date": date(2024, 8, 1), "rectification_closure_rate": 0.1},
    )
    book = book_of(uows, small)
    assert book.client_metrics.closure_rate.tolist() == [0.5]  # not August's
    assert book.client_metrics.iot_alarm_rate.tolist() == [1.5]
    earlier = book_of(uows, small, on=date(2024, 3, 1))
    assert earlier.client_metrics.closure_rate.tolist() == [0.9]


def test_an_engaged_enterprise_without_a_snapshot_is_refused(uows, small):
    with pytest.raises(InvalidInput) as caught:
        book_of(uows, small, on=START - timedelta(days=1))
    assert caught.value.field == "enterprise_id"


def test_superseded_audits_are_left_out(uows, small):
    before = deficit(book_of(uows, small), "false_reports_per_100")
    assert before == 0.0
    old = small.ids["audit_a"]
    risk_data.create_audit(
        uows,
        small.principals["underwriter"],
        {
            "firm_id": small.ids["firm_a"],
            "audit_date": START + timedelta(days=60),
            "sample_size": 20,
            "score_completeness": 88.0,
            "score_accuracy": 91.5,
            "score_follow_up": 80.0,
            "score_evidence": 85.0,
            "inaccurate_reports": 1,
            "false_reports": 4,
            "supersedes_id": old,
        },
    )
    # Only the correction counts: 4 false reports in a sample of 20.
    assert deficit(book_of(uows, small), "false_reports_per_100") == pytest.approx(20.0)


def test_an_unaudited_firm_takes_the_documented_default(uows, small):
    admin = small.principals["admin"]
    org = parties.create_organisation(
        uows, admin, {"kind": "firm", "name": "新公司", "credit_code": "91350100M000100Y43"}
    ).ids[0]
    parties.create_firm(
        uows,
        admin,
        {
            "organisation_id": org,
            "qualification_kind": "safety_consulting",
            "qualification_expiry_date": date(2030, 1, 1),
            "credit_colour": "yellow",
            "safety_engineers": 2,
            "founded_year": 2023,
        },
    )
    with uows() as uow:
        book = build_rating_book(
            uow, [org], effective=EFFECTIVE, expiry=EXPIRY, retro=[EFFECTIVE], on=ON, model=MODEL
        )
    assert book.deficits[0, :3].tolist() == MODEL.liability.unaudited.tolist()
    assert book.deficits[0, 3:5].tolist() == MODEL.liability.no_records.tolist()
    assert book.client_firm.size == 0


def test_follow_up_and_evidence_come_from_the_firms_records(uows, small):
    visit = START + timedelta(days=40)
    late = record_values(small.ids["engagement_a"], visit, evidence_photo_hashes=[])
    late["findings"][0] |= {"closed_date": visit + timedelta(days=30)}  # after the deadline
    engagements.file_service_records(uows, small.principals["firm_a"], [late])
    book = book_of(uows, small)
    # Two records, one with evidence; two findings due, one closed in time.
    assert deficit(book, "evidence_gap") == pytest.approx(0.5)
    assert deficit(book, "open_follow_up_share") == pytest.approx(0.5)


def test_engineers_per_engagement_in_force(uows, small):
    book = book_of(uows, small)
    # 12 engineers, one engagement in force on the rating date; the model caps it at 1.
    assert deficit(book, "engineers_per_engagement") == MODEL.liability.engineers_per_engagement_cap
    assert np.isfinite(book.deficits).all()
