"""The underwriting guidelines, rule by rule, on hand-made facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from underwriting.guidelines import (
    HAZARDOUS_CLASSES,
    QuoteFacts,
    audit_cutoff,
    has_recent_audit,
    hazardous_share,
    judge,
)

CLEAN = QuoteFacts(
    effective=date(2027, 3, 1),
    expiry=date(2028, 3, 1),
    qualification_expiry=date(2030, 1, 1),
    credit_colour="blue",
    tier="B",
    aggregate_limits=[Decimal("3000000.00")],
    authority=Decimal("5000000.00"),
    client_classes=["light_manufacturing", "mining"],
    client_weights=[1.0, 0.5],
    last_audits=[(date(2027, 1, 10), 0), (date(2026, 6, 1), 0)],
)


def codes(facts: QuoteFacts) -> list[str]:
    return [r.code for r in judge(facts).reasons]


def test_clean_facts_are_accepted_without_conditions():
    judgement = judge(CLEAN)
    assert (judgement.decision, judgement.reasons, judgement.subjectivities) == ("accept", [], [])


def test_a_qualification_lapsing_the_day_before_cover_declines_but_not_on_the_day():
    lapsed = replace(CLEAN, qualification_expiry=date(2027, 2, 28))
    assert judge(lapsed).decision == "decline" and codes(lapsed) == ["qualification_lapsed"]
    on_the_day = replace(CLEAN, qualification_expiry=date(2027, 3, 1))
    assert judge(on_the_day).decision == "accept"
    assert [s.code for s in judge(on_the_day).subjectivities] == ["qualification_renewal"]


def test_decline_outranks_refer():
    facts = replace(CLEAN, credit_colour="red", tier="E")
    assert judge(facts).decision == "decline"
    assert codes(facts) == ["credit_red", "tier_e"]


def test_tier_e_refers():
    assert codes(replace(CLEAN, tier="E")) == ["tier_e"]


def test_each_option_over_authority_is_named():
    facts = replace(
        CLEAN,
        aggregate_limits=[Decimal("5000000.00"), Decimal("5000000.01"), Decimal("9e6")],
    )
    reasons = judge(facts).reasons
    assert [(r.code, r.option_index) for r in reasons] == [("authority", 1), ("authority", 2)]


def test_false_reports_count_only_in_the_last_three_audits():
    older = [(date(2026, 12, 1), 0), (date(2026, 9, 1), 0), (date(2026, 6, 1), 0)]
    assert codes(replace(CLEAN, last_audits=[*older, (date(2026, 1, 1), 4)])) == []
    recent = [(date(2026, 12, 1), 0), (date(2026, 9, 1), 1)]
    assert codes(replace(CLEAN, last_audits=recent)) == ["false_report"]


def test_hazardous_share_is_exposure_weighted():
    assert hazardous_share(["mining", "light_manufacturing"], [3.0, 1.0]) == 0.75
    assert hazardous_share([], []) == 0.0
    heavy = replace(CLEAN, client_classes=["mining", "fireworks"], client_weights=[1.0, 1.0])
    assert codes(heavy) == ["hazardous_share"]
    at_limit = replace(
        CLEAN, client_classes=["mining", "heavy_manufacturing"], client_weights=[0.6, 0.4]
    )
    assert codes(at_limit) == []  # 60% is allowed; over it refers


def test_manufacturing_is_the_only_non_compulsory_sector():
    assert len(HAZARDOUS_CLASSES) == 8
    assert "light_manufacturing" not in HAZARDOUS_CLASSES


def test_the_audit_cutoff_is_twelve_months_before_cover_with_month_ends_clamped():
    assert audit_cutoff(date(2027, 3, 1)) == date(2026, 3, 1)
    assert audit_cutoff(date(2028, 2, 29)) == date(2027, 2, 28)
    assert audit_cutoff(date(2027, 1, 31)) == date(2026, 1, 31)
    assert not has_recent_audit([date(2026, 3, 1)], date(2027, 3, 1))  # newer than, not equal
    assert has_recent_audit([date(2026, 3, 2)], date(2027, 3, 1))


def test_no_recent_audit_is_a_condition_to_bind_not_a_refusal():
    facts = replace(CLEAN, last_audits=[(date(2025, 1, 1), 0)])
    judgement = judge(facts)
    assert judgement.decision == "accept"
    assert [s.code for s in judgement.subjectivities] == ["recent_audit"]


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_the_cutoff_is_between_eleven_and_twelve_months_back(day):
    cutoff = audit_cutoff(day)
    assert 334 <= (day - cutoff).days <= 366
    assert cutoff.day <= day.day
