"""Liability against the service records (DESIGN.md section 3, item 3), rule by rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims import (
    ACCIDENT_CATEGORIES,
    ACCIDENT_TYPES,
    HAZARD_CATEGORIES,
    Doubt,
    FlagReason,
    HazardFinding,
    Incident,
    LiabilityError,
    LiabilityRule,
    Record,
    Scope,
    ShareTable,
    assess_liability,
    hazard_categories,
)
from underwriting.vocabulary import AccidentType, HazardCategory

CST = timezone(timedelta(hours=8))
DAY = date(2026, 6, 15)
AT = datetime(2026, 6, 15, 14, 30, tzinfo=CST)
SHOCK = Incident(AT, "electrocution")  # one category: electrical
FIRE = Incident(AT, "fire")  # fire, electrical
SCOPE = Scope(frozenset({"fire", "electrical", "gas"}), 90, date(2025, 1, 1))
R = LiabilityRule


def days(n: int) -> date:
    """The date ``n`` days before the incident date (after it, for negative ``n``)."""
    return DAY - timedelta(days=n)


def record(
    record_id: int,
    days_before: int,
    categories: tuple[str, ...] = ("electrical",),
    *findings: HazardFinding,
    submitted_at: datetime | None = None,
    evidence: bool = True,
) -> Record:
    visit = days(days_before)
    submitted = submitted_at or datetime.combine(visit, time(18), CST)
    return Record(record_id, visit, frozenset(categories), submitted, evidence, findings)


def hazard(due: int, *, severity: str = "general", closed: int | None = None) -> HazardFinding:
    """An electrical hazard due ``due`` days before the incident, closed ``closed`` days before."""
    closed_date = None if closed is None else days(closed)
    return HazardFinding("electrical", severity, days(due), closed_date)


def judged(*records: Record, incident: Incident = SHOCK, scope: Scope = SCOPE, **kwargs):
    """The assessment, and the finding of its first category."""
    assessment = assess_liability(incident, scope=scope, records=records, **kwargs)
    return assessment, assessment.findings[0]


# --- the accident-type table ---------------------------------------------------------------


def test_the_table_maps_every_gb_6441_accident_type_to_valid_hazard_categories():
    assert tuple(a.value for a in AccidentType) == ACCIDENT_TYPES
    assert {c.value for c in HazardCategory} == HAZARD_CATEGORIES
    for accident_type, categories in ACCIDENT_CATEGORIES.items():
        assert categories, accident_type
        assert len(set(categories)) == len(categories), accident_type
        assert set(categories) <= HAZARD_CATEGORIES, accident_type


def test_every_hazard_category_is_put_in_question_by_some_accident_type():
    assert set().union(*ACCIDENT_CATEGORIES.values()) == HAZARD_CATEGORIES


@pytest.mark.parametrize(
    ("accident_type", "categories"),
    [
        ("fire", ("fire", "electrical")),
        ("gas_explosion", ("gas", "dust_explosion", "fire")),
        ("boiler_explosion", ("pressure_equipment",)),
        ("vessel_explosion", ("pressure_equipment",)),
        ("other_explosion", ("dust_explosion", "gas", "pressure_equipment")),
        ("electrocution", ("electrical",)),
        ("other_injury", ("general",)),
    ],
)
def test_the_rows_a_safety_engineer_would_expect(accident_type, categories):
    assert hazard_categories(accident_type) == categories


def test_an_unknown_accident_type_is_refused_by_name():
    with pytest.raises(LiabilityError, match=r"accident_type is not a GB 6441 .*'slip'"):
        hazard_categories("slip")
    with pytest.raises(LiabilityError, match="'slip'"):
        Incident(AT, "slip")


# --- each rule on a hand-made example -------------------------------------------------------


def test_out_of_scope_is_not_covered():
    scope = Scope(frozenset({"fire"}), 90, date(2025, 1, 1))
    assessment, finding = judged(record(1, 10, ("fire",)), scope=scope)
    assert (finding.rule, finding.share, finding.share_term) == (R.OUT_OF_SCOPE, None, None)
    assert assessment.share is None and not assessment.covered
    assert assessment.unambiguous


def test_a_partly_out_of_scope_accident_is_judged_on_its_in_scope_categories():
    scope = Scope(frozenset({"fire"}), 90, date(2025, 1, 1))
    assessment = assess_liability(FIRE, scope=scope, records=[record(1, 10, ("fire",))])
    rules = [(f.category, f.rule) for f in assessment.findings]
    assert rules == [("fire", R.NEGLIGENT_MISS), ("electrical", R.OUT_OF_SCOPE)]
    assert assessment.share == Decimal("0.8") and assessment.covered


def test_a_hazard_found_and_not_rectified_by_its_deadline_leaves_the_firm_without_share():
    assessment, finding = judged(record(4, 30, ("electrical",), hazard(5)))
    assert (finding.rule, finding.share) == (R.HAZARD_FOUND_NOT_RECTIFIED, Decimal(0))
    assert finding.share_term == "hazard_found_not_rectified"
    assert finding.record_ids == (4,)
    assert "record 4" in finding.text and days(5).isoformat() in finding.text
    assert assessment.share == 0 and assessment.unambiguous


def test_a_deadline_on_the_incident_date_has_passed_and_one_after_it_is_pending():
    _, on_the_day = judged(record(1, 30, ("electrical",), hazard(0)))
    assert (on_the_day.rule, on_the_day.share) == (R.HAZARD_FOUND_NOT_RECTIFIED, 0)
    _, pending = judged(record(1, 30, ("electrical",), hazard(-1)))
    assert (pending.rule, pending.share) == (R.RECTIFICATION_PENDING, 0)
    assert pending.share_term == "rectification_pending"


def test_a_hazard_closed_on_the_incident_day_no_longer_excuses_but_one_closed_after_does():
    _, closed_that_day = judged(record(1, 30, ("electrical",), hazard(5, closed=0)))
    assert (closed_that_day.rule, closed_that_day.share) == (R.NEGLIGENT_MISS, Decimal("0.8"))
    _, closed_after = judged(record(1, 30, ("electrical",), hazard(5, closed=-1)))
    assert closed_after.rule is R.HAZARD_FOUND_NOT_RECTIFIED


def test_a_major_hazard_left_past_its_deadline_without_a_follow_up_is_a_failure_to_escalate():
    _, finding = judged(record(1, 30, ("electrical",), hazard(5, severity="major")))
    assert (finding.rule, finding.share) == (R.HAZARD_FOUND_NOT_RECTIFIED, Decimal("0.1"))
    assert finding.share_term == "failed_to_escalate"
    assert "failed to escalate" in finding.text


def test_a_follow_up_visit_on_or_after_the_deadline_is_escalation_but_not_one_before():
    major = record(1, 30, ("electrical",), hazard(5, severity="major"))
    _, on_deadline = judged(major, record(2, 5))
    assert (on_deadline.share, on_deadline.record_ids) == (0, (1,))
    _, before_deadline = judged(major, record(2, 6))
    assert before_deadline.share == Decimal("0.1")


def test_a_major_hazard_due_on_the_incident_date_was_not_yet_to_escalate():
    _, finding = judged(record(1, 30, ("electrical",), hazard(0, severity="major")))
    assert (finding.share, finding.share_term) == (0, "hazard_found_not_rectified")


def test_a_flagged_follow_up_does_not_count_as_escalation():
    major = record(1, 30, ("electrical",), hazard(5, severity="major"))
    assessment, finding = judged(major, record(2, 2, evidence=False))
    assert finding.share == Decimal("0.1") and finding.flagged_record_ids == (2,)
    assert not assessment.unambiguous


def test_of_several_open_hazards_the_one_most_favourable_to_the_firm_decides():
    major = record(1, 40, ("electrical",), hazard(10, severity="major"))
    general = record(2, 30, ("electrical",), hazard(20))
    _, finding = judged(major, general)
    assert (finding.share, finding.record_ids) == (0, (2,))


def test_an_inspection_that_left_no_open_hazard_is_a_negligent_miss():
    assessment, finding = judged(
        record(3, 30), record(5, 60, ("electrical",), hazard(40, closed=35))
    )
    assert (finding.rule, finding.share) == (R.NEGLIGENT_MISS, Decimal("0.8"))
    assert finding.record_ids == (3, 5) and "records 3, 5" in finding.text
    assert assessment.unambiguous


def test_a_visit_exactly_one_interval_before_counts_and_one_day_earlier_does_not():
    _, exactly = judged(record(1, 90))
    assert exactly.rule is R.NEGLIGENT_MISS
    _, earlier = judged(record(1, 91))
    assert (earlier.rule, earlier.share) == (R.OMISSION, Decimal("0.9"))


def test_a_category_in_scope_never_inspected_is_an_omission():
    assessment, finding = judged(record(1, 10, ("fire",)))
    assert (finding.rule, finding.share, finding.record_ids) == (R.OMISSION, Decimal("0.9"), ())
    assert assessment.considered_record_ids == (1,) and assessment.unambiguous


def test_an_omission_in_an_engagement_younger_than_the_interval_is_a_doubt():
    young = replace(SCOPE, start_date=days(89))
    assessment, finding = judged(scope=young)
    assert finding.rule is R.OMISSION and finding.doubts == (
        Doubt.ENGAGEMENT_YOUNGER_THAN_INTERVAL,
    )
    assert not assessment.unambiguous
    assert judged(scope=replace(SCOPE, start_date=days(90)))[0].unambiguous


def test_a_hazard_found_long_ago_and_not_inspected_since_is_a_doubt():
    assessment, finding = judged(record(1, 200, ("electrical",), hazard(180)))
    assert finding.rule is R.HAZARD_FOUND_NOT_RECTIFIED and finding.share == 0
    assert finding.doubts == (Doubt.NOT_INSPECTED_IN_INTERVAL,)
    assert not assessment.unambiguous


def test_the_claim_share_is_the_largest_over_the_in_scope_categories():
    fire_found = record(1, 30, ("fire",), HazardFinding("fire", "general", days(5)))
    assessment = assess_liability(FIRE, scope=SCOPE, records=[fire_found])
    shares = [(f.category, f.share) for f in assessment.findings]
    assert shares == [("fire", 0), ("electrical", Decimal("0.9"))]
    assert assessment.share == Decimal("0.9")


def test_the_policy_terms_may_carry_their_own_shares():
    terms = ShareTable(negligent_miss=Decimal("0.6"), omission=Decimal("0.75"))
    assessment, finding = judged(record(1, 10), shares=terms)
    assert finding.share == Decimal("0.6") and assessment.share_table is terms


# --- flags: late or unevidenced records never reduce the share --------------------------------


def test_a_record_submitted_one_second_after_the_incident_is_flagged_and_ignored():
    late = record(1, 30, ("electrical",), hazard(5), submitted_at=AT + timedelta(seconds=1))
    assessment, finding = judged(late)
    assert (finding.rule, finding.share) == (R.OMISSION, Decimal("0.9"))
    assert finding.flagged_record_ids == (1,)
    assert [(f.record_id, f.reasons) for f in assessment.flagged] == [
        (1, (FlagReason.SUBMITTED_AFTER_INCIDENT,))
    ]
    assert not assessment.unambiguous


def test_a_record_submitted_at_the_very_instant_of_the_incident_is_usable():
    assessment, finding = judged(record(1, 0, submitted_at=AT))
    assert finding.rule is R.NEGLIGENT_MISS and assessment.flagged == ()


def test_a_record_without_evidence_is_flagged_with_every_reason_that_applies():
    bare = record(1, 30, submitted_at=AT + timedelta(days=2), evidence=False)
    assessment, finding = judged(bare)
    assert finding.rule is R.OMISSION
    assert assessment.flagged[0].reasons == (
        FlagReason.SUBMITTED_AFTER_INCIDENT,
        FlagReason.NO_EVIDENCE,
    )


def test_records_that_bear_on_none_of_the_categories_are_not_flagged():
    lifting_scope = replace(SCOPE, hazard_categories=frozenset({"electrical", "lifting"}))
    unrelated = record(1, 10, ("lifting",), evidence=False)
    assessment, _ = judged(unrelated, scope=lifting_scope)
    assert assessment.flagged == () and assessment.considered_record_ids == (1,)


# --- the window and the dates ---------------------------------------------------------------


def test_the_look_back_window_is_365_days_unless_told_otherwise():
    old_finding = record(1, 365, ("electrical",), hazard(5))
    assessment, finding = judged(old_finding)
    assert finding.rule is R.HAZARD_FOUND_NOT_RECTIFIED
    assert assessment.window_start_date == days(365)
    _, too_old = judged(replace(old_finding, visit_date=days(366)))
    assert too_old.rule is R.OMISSION
    assessment, short = judged(old_finding, look_back_days=200)
    assert short.rule is R.OMISSION and assessment.considered_record_ids == ()


def test_a_visit_after_the_incident_date_is_neither_considered_nor_flagged():
    assessment, finding = judged(record(1, -1))
    assert assessment.considered_record_ids == () and assessment.flagged == ()
    assert finding.rule is R.OMISSION


def test_the_incident_date_is_read_in_china_standard_time():
    late_evening_utc = Incident(datetime(2026, 6, 14, 20, 0, tzinfo=UTC), "electrocution")
    assert late_evening_utc.incident_date == DAY
    assessment = assess_liability(late_evening_utc, scope=SCOPE, records=[])
    assert assessment.incident_date == DAY


# --- bad input is refused by name -----------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: Incident(datetime(2026, 6, 15, 14, 30), "fire"), "occurred_at must be .*aware"),
        (lambda: Scope(frozenset({"firee"}), 90, DAY), r"category is not a hazard .*'firee'"),
        (lambda: Scope("fire", 90, DAY), "hazard_categories must be a collection"),
        (lambda: Scope(frozenset(), 0, DAY), r"inspection_interval_days .*got \(.*=0\)"),
        (lambda: HazardFinding("fire", "minor", DAY), r"severity .*got \(severity='minor'\)"),
        (lambda: record(1, 1, submitted_at=datetime(2026, 6, 1)), "submitted_at must be"),
        (lambda: ShareTable(omission=Decimal("1.5")), r"omission .*\[0, 1\]; got \(omission=1.5\)"),
        (lambda: ShareTable(omission=0.9), r"omission must be a Decimal"),
        (lambda: ShareTable(omission=Decimal("NaN")), "omission must be a Decimal"),
        (
            lambda: ShareTable(negligent_miss=Decimal("0.95")),
            r"negligent_miss must not exceed omission \(0.9\); got \(negligent_miss=0.95\)",
        ),
        (
            lambda: ShareTable(rectification_pending=Decimal("0.85")),
            "rectification_pending must not exceed negligent_miss",
        ),
    ],
)
def test_bad_facts_are_refused_on_construction(build, pattern):
    with pytest.raises(LiabilityError, match=pattern):
        build()


def test_bad_assessment_arguments_are_refused_by_name():
    with pytest.raises(LiabilityError, match=r"look_back_days .*got \(look_back_days=0\)"):
        assess_liability(SHOCK, scope=SCOPE, records=[], look_back_days=0)
    with pytest.raises(LiabilityError, match=r"record_id names two records; got \(record_id=7\)"):
        assess_liability(SHOCK, scope=SCOPE, records=[record(7, 1), record(7, 2)])
    later = replace(SCOPE, start_date=days(-1))
    with pytest.raises(LiabilityError, match=r"incident_date falls before .*2026-06-15"):
        assess_liability(SHOCK, scope=later, records=[])


def test_liability_errors_are_value_errors_carrying_field_and_value():
    with pytest.raises(ValueError) as caught:
        Scope(frozenset(), -3, DAY)
    assert (caught.value.field, caught.value.value) == ("inspection_interval_days", -3)


# --- laws -----------------------------------------------------------------------------------

# Few categories and dates near the incident, so that records collide on what they judge.
CATEGORIES = ["fire", "electrical", "gas"]
INCIDENTS = [Incident(AT, t) for t in ("fire", "electrocution", "gas_explosion")]


@st.composite
def findings(draw, visit: int) -> HazardFinding:
    """A finding of a visit ``visit`` days before the incident: due up to 60 days after it,
    open, or closed between 90 days before and 30 days after the deadline."""
    deadline = visit - draw(st.integers(min_value=0, max_value=60))
    closed = draw(st.none() | st.integers(min_value=-30, max_value=90))
    return HazardFinding(
        draw(st.sampled_from(CATEGORIES)),
        draw(st.sampled_from(["general", "major"])),
        days(deadline),
        None if closed is None else days(deadline + closed),
    )


@st.composite
def records(draw, record_id: int, *, submitted_after: bool = False) -> Record:
    """A record visited up to 380 days before the incident (or just after it), submitted
    within three days of the visit, or at some time after the incident."""
    visit = draw(st.integers(min_value=0, max_value=120) | st.integers(min_value=-5, max_value=380))
    if submitted_after:
        submitted = AT + timedelta(seconds=draw(st.integers(min_value=1, max_value=10**7)))
    else:
        delay = timedelta(seconds=draw(st.integers(min_value=0, max_value=3 * 86400)))
        submitted = datetime.combine(days(visit), time(8), CST) + delay
    return Record(
        record_id,
        days(visit),
        draw(st.frozensets(st.sampled_from(CATEGORIES))),
        submitted,
        draw(st.sampled_from([True, True, True, False])),  # mostly evidenced
        tuple(draw(st.lists(findings(visit), max_size=3))),
    )


@st.composite
def record_sets(draw) -> list[Record]:
    size = draw(st.integers(min_value=0, max_value=10))
    return [draw(records(i)) for i in range(size)]


@st.composite
def share_tables(draw) -> ShareTable:
    """Any table in the order ``ShareTable`` requires, in hundredths."""
    hundredths = st.integers(min_value=0, max_value=100)
    found, escalate, miss, omit = sorted(draw(st.lists(hundredths, min_size=4, max_size=4)))
    pending = draw(st.integers(min_value=0, max_value=miss))
    found, pending, escalate, miss, omit = (
        Decimal(n) / 100 for n in (found, pending, escalate, miss, omit)
    )
    return ShareTable(
        hazard_found_not_rectified=found,
        rectification_pending=pending,
        failed_to_escalate=escalate,
        negligent_miss=miss,
        omission=omit,
    )


scopes = st.builds(
    Scope,
    hazard_categories=st.frozensets(st.sampled_from(CATEGORIES)),
    inspection_interval_days=st.integers(min_value=1, max_value=200),
    start_date=st.integers(min_value=0, max_value=500).map(days),
)
cases = st.tuples(st.sampled_from(INCIDENTS), scopes, record_sets(), share_tables())


def share_of(incident, scope, rows, shares) -> Decimal | None:
    return assess_liability(incident, scope=scope, records=rows, shares=shares).share


@given(cases, st.data())
def test_record_order_changes_nothing(case, data):
    incident, scope, rows, shares = case
    shuffled = data.draw(st.permutations(rows))
    before = assess_liability(incident, scope=scope, records=rows, shares=shares)
    assert assess_liability(incident, scope=scope, records=shuffled, shares=shares) == before


@given(cases)
def test_every_share_lies_in_zero_to_one(case):
    incident, scope, rows, shares = case
    assessment = assess_liability(incident, scope=scope, records=rows, shares=shares)
    for share in [assessment.share, *(f.share for f in assessment.findings)]:
        assert share is None or 0 <= share <= 1
    in_scope = [f.share for f in assessment.findings if f.share is not None]
    assert assessment.share == max(in_scope, default=None)


@given(cases, st.data())
def test_removing_evidence_never_lowers_the_share(case, data):
    incident, scope, rows, shares = case
    stripped = [replace(r, has_evidence=False) if data.draw(st.booleans()) else r for r in rows]
    before, after = (
        share_of(incident, scope, rows, shares),
        share_of(incident, scope, stripped, shares),
    )
    assert (before is None) == (after is None)
    assert before is None or after >= before


@given(cases, st.data())
def test_a_record_submitted_after_the_incident_never_lowers_the_share(case, data):
    incident, scope, rows, shares = case
    late = data.draw(records(len(rows), submitted_after=True))
    after = share_of(incident, scope, [*rows, late], shares)
    assert after == share_of(incident, scope, rows, shares)  # it is as if it did not exist


@given(cases, st.data())
def test_filing_one_more_usable_record_never_raises_the_share(case, data):
    incident, scope, rows, shares = case
    extra = replace(data.draw(records(len(rows))), has_evidence=True)
    before, after = (
        share_of(incident, scope, rows, shares),
        share_of(incident, scope, [*rows, extra], shares),
    )
    assert before is None or after <= before
