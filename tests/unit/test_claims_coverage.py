"""The coverage decision, rule by rule, passing and failing, on hand-made facts (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.coverage import (
    COVERAGE_RULES,
    EXCLUSIONS,
    ClaimFacts,
    ClaimsError,
    InvalidClaimFacts,
    InvalidTerms,
    PolicyTerms,
    decide_coverage,
)

# A one-year policy: covers claims first made 2026-03-01 .. 2027-02-28 inclusive.
TERMS = PolicyTerms(
    effective_date=date(2026, 3, 1),
    expiry_date=date(2027, 3, 1),
    retro_date=date(2025, 3, 1),
    per_claim_limit=Decimal("1000000.00"),
    aggregate_limit=Decimal("3000000.00"),
    deductible=Decimal("10000.00"),
    defence_inside=True,
)
FACTS = ClaimFacts(
    incident_date=date(2026, 6, 10),
    first_made_date=date(2026, 7, 1),
    covered_engagement=True,
    incident_categories=frozenset({"lifting"}),
    engagement_categories=frozenset({"lifting", "electrical"}),
)


def failures(facts: ClaimFacts = FACTS, terms: PolicyTerms = TERMS) -> list[str]:
    return [r.code for r in decide_coverage(facts, terms=terms).failures]


def reason(code: str, facts: ClaimFacts = FACTS, terms: PolicyTerms = TERMS):
    return next(r for r in decide_coverage(facts, terms=terms).reasons if r.code == code)


def test_a_clean_claim_is_covered_with_every_rule_reported_in_order():
    decision = decide_coverage(FACTS, terms=TERMS)
    assert decision.covered
    assert [r.code for r in decision.reasons] == list(COVERAGE_RULES)
    assert all(r.passed and r.text for r in decision.reasons)
    assert len(COVERAGE_RULES) == 7


def test_every_failing_rule_is_named_at_once_in_rule_order():
    facts = replace(
        FACTS,
        incident_date=date(2025, 1, 1),  # before the retro date
        first_made_date=date(2027, 4, 1),  # after the period
        covered_engagement=False,
        exclusions=frozenset({"fines_and_penalties"}),
    )
    decision = decide_coverage(facts, terms=TERMS)
    assert not decision.covered
    expected = ["claims_made_trigger", "retro_date", "covered_engagement", "exclusions"]
    assert [r.code for r in decision.failures] == expected
    assert len(decision.reasons) == 7


# claims_made_trigger ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_made", "covered"),
    [
        (date(2026, 2, 28), False),  # the day before inception
        (date(2026, 3, 1), True),  # inception
        (date(2027, 2, 28), True),  # the last day of the period
        (date(2027, 3, 1), False),  # the expiry date is outside the period
    ],
)
def test_the_trigger_is_first_made_inside_effective_to_expiry_exclusive(first_made, covered):
    facts = replace(FACTS, incident_date=date(2026, 2, 1), first_made_date=first_made)
    assert reason("claims_made_trigger", facts).passed is covered
    assert failures(facts) == ([] if covered else ["claims_made_trigger"])


def test_the_trigger_texts_name_the_dates():
    early = replace(FACTS, incident_date=date(2026, 2, 1), first_made_date=date(2026, 2, 28))
    assert reason("claims_made_trigger", early).text == (
        "first made 2026-02-28, before the period began 2026-03-01"
    )
    late = replace(FACTS, first_made_date=date(2027, 3, 1))
    assert reason("claims_made_trigger", late).text == (
        "first made 2027-03-01, after the policy period ended on 2027-02-28"
    )


ERP = replace(TERMS, extended_reporting_end_date=date(2027, 8, 31))


@pytest.mark.parametrize(
    ("first_made", "covered"),
    [
        (date(2027, 3, 1), True),  # the ERP starts on the expiry date: no gap day
        (date(2027, 8, 31), True),  # the ERP end date is inside
        (date(2027, 9, 1), False),
    ],
)
def test_the_extended_reporting_period_runs_from_expiry_to_its_end_inclusive(first_made, covered):
    facts = replace(FACTS, first_made_date=first_made)
    assert reason("claims_made_trigger", facts, ERP).passed is covered
    assert failures(facts, ERP) == ([] if covered else ["claims_made_trigger"])


def test_a_claim_after_the_erp_names_both_ends():
    facts = replace(FACTS, first_made_date=date(2027, 9, 1))
    assert reason("claims_made_trigger", facts, ERP).text.endswith(
        "and after the extended reporting period ended on 2027-08-31"
    )
    on_expiry = replace(FACTS, first_made_date=date(2027, 3, 1))
    assert reason("claims_made_trigger", on_expiry, ERP).text == (
        "first made 2027-03-01, in the extended reporting period 2027-03-01 to 2027-08-31"
    )


# retro_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incident", "covered"), [(date(2025, 2, 28), False), (date(2025, 3, 1), True)]
)
def test_an_incident_on_the_retro_date_is_covered_the_day_before_is_not(incident, covered):
    facts = replace(FACTS, incident_date=incident)
    assert failures(facts) == ([] if covered else ["retro_date"])
    assert "retro date 2025-03-01" in reason("retro_date", facts).text


# in_force --------------------------------------------------------------------------------

CANCELLED = replace(TERMS, cancelled_date=date(2026, 9, 1))


@pytest.mark.parametrize(
    ("incident", "first_made", "covered"),
    [
        (date(2026, 8, 1), date(2026, 8, 31), True),  # both before the cancellation
        (date(2026, 8, 1), date(2026, 9, 1), False),  # first made on the cancellation date
        (date(2026, 8, 1), date(2026, 12, 1), False),  # first made after it
        (date(2026, 9, 1), date(2026, 9, 2), False),  # incident on the cancellation date
    ],
)
def test_a_cancelled_policy_covers_claims_made_and_incidents_before_the_cancellation(
    incident, first_made, covered
):
    facts = replace(FACTS, incident_date=incident, first_made_date=first_made)
    assert failures(facts, CANCELLED) == ([] if covered else ["in_force"])


def test_the_in_force_texts_say_what_preceded_the_cancellation():
    assert reason("in_force").text == "the policy is not cancelled"
    on_the_day = replace(FACTS, first_made_date=date(2026, 9, 1))
    assert reason("in_force", on_the_day, CANCELLED).text == (
        "the policy was cancelled from 2026-09-01; "
        "the claim was first made on 2026-09-01, not before that date"
    )


def test_an_erp_bought_on_cancellation_runs_from_the_cancellation_date():
    terms = replace(CANCELLED, extended_reporting_end_date=date(2026, 12, 31))
    made_in_erp = replace(FACTS, incident_date=date(2026, 8, 1), first_made_date=date(2026, 9, 1))
    assert failures(made_in_erp, terms) == []
    at_erp_end = replace(made_in_erp, first_made_date=date(2026, 12, 31))
    assert failures(at_erp_end, terms) == []
    after_erp = replace(made_in_erp, first_made_date=date(2027, 1, 1))
    assert failures(after_erp, terms) == ["in_force"]
    assert reason("in_force", after_erp, terms).text.endswith(
        "nor in the extended reporting period to 2026-12-31"
    )
    # The ERP never covers an incident on or after the cancellation date.
    late_incident = replace(
        made_in_erp, incident_date=date(2026, 9, 1), first_made_date=date(2026, 10, 1)
    )
    assert failures(late_incident, terms) == ["in_force"]


# incident_in_period_or_before ------------------------------------------------------------


def test_a_claim_cannot_be_made_before_its_incident():
    same_day = replace(FACTS, incident_date=date(2026, 7, 1), first_made_date=date(2026, 7, 1))
    assert failures(same_day) == []
    before = replace(FACTS, incident_date=date(2026, 7, 2), first_made_date=date(2026, 7, 1))
    assert failures(before) == ["incident_in_period_or_before"]
    assert reason("incident_in_period_or_before", before).text == (
        "incident on 2026-07-02, after the claim was first made on 2026-07-01"
    )


def test_an_incident_during_the_erp_is_not_covered():
    facts = replace(FACTS, incident_date=date(2027, 3, 1), first_made_date=date(2027, 3, 2))
    assert failures(facts, ERP) == ["incident_in_period_or_before"]
    last_day = replace(facts, incident_date=date(2027, 2, 28))
    assert failures(last_day, ERP) == []


# covered_engagement, category_in_scope, exclusions ---------------------------------------


def test_no_covered_engagement_on_the_incident_date_is_not_covered():
    facts = replace(FACTS, covered_engagement=False)
    assert failures(facts) == ["covered_engagement"]
    assert reason("covered_engagement", facts).text.endswith("2026-06-10")


def test_one_incident_category_in_scope_is_enough():
    facts = replace(FACTS, incident_categories=frozenset({"lifting", "confined_space"}))
    assert failures(facts) == []
    assert reason("category_in_scope", facts).text == "in scope: lifting"


def test_incident_categories_all_outside_the_scope_are_not_covered():
    facts = replace(FACTS, incident_categories=frozenset({"confined_space", "gas"}))
    assert failures(facts) == ["category_in_scope"]
    assert reason("category_in_scope", facts).text == (
        "confined_space, gas outside the engagement's scope (electrical, lifting)"
    )


def test_an_accident_type_mapping_to_no_category_is_not_covered():
    facts = replace(FACTS, incident_categories=frozenset())
    assert failures(facts) == ["category_in_scope"]
    assert "maps to no hazard category" in reason("category_in_scope", facts).text


@pytest.mark.parametrize("exclusion", EXCLUSIONS)
def test_each_exclusion_alone_denies_cover(exclusion):
    facts = replace(FACTS, exclusions=frozenset({exclusion}))
    assert failures(facts) == ["exclusions"]


def test_every_exclusion_that_applies_is_named_in_vocabulary_order():
    facts = replace(FACTS, exclusions=frozenset({"fines_and_penalties", "intentional_act"}))
    assert reason("exclusions", facts).text == ("excluded: an intentional act; fines and penalties")


def test_an_unknown_exclusion_is_refused_by_name():
    with pytest.raises(InvalidClaimFacts) as caught:
        replace(FACTS, exclusions=frozenset({"gross_negligence", "intentional_act"}))
    assert caught.value.field == "exclusions"
    assert caught.value.value == ["gross_negligence"]
    assert "gross_negligence" in str(caught.value)


# the terms themselves --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expiry_date": date(2026, 3, 1)}, "expiry_date"),
        ({"retro_date": date(2026, 3, 2)}, "retro_date"),
        ({"cancelled_date": date(2026, 2, 28)}, "cancelled_date"),
        ({"cancelled_date": date(2027, 3, 1)}, "cancelled_date"),
        ({"extended_reporting_end_date": date(2027, 2, 28)}, "extended_reporting_end_date"),
        ({"per_claim_limit": Decimal("0.00")}, "per_claim_limit"),
        ({"aggregate_limit": Decimal("999999.99")}, "aggregate_limit"),
        ({"deductible": Decimal("-1.00")}, "deductible"),
        ({"deductible": Decimal("0.001")}, "deductible"),
        ({"per_claim_limit": 1_000_000.0}, "per_claim_limit"),
        ({"aggregate_limit": Decimal("NaN")}, "aggregate_limit"),
    ],
)
def test_contradictory_terms_are_refused_naming_field_and_value(change, field):
    with pytest.raises(InvalidTerms) as caught:
        replace(TERMS, **change)
    assert caught.value.field == field
    assert f"got ({field}=" in str(caught.value)
    assert isinstance(caught.value, ClaimsError) and isinstance(caught.value, ValueError)


def test_an_erp_on_a_cancelled_policy_may_end_before_the_expiry_date():
    terms = replace(CANCELLED, extended_reporting_end_date=date(2026, 9, 1))
    assert terms.end_of_cover == date(2026, 9, 1)
    with pytest.raises(InvalidTerms, match="extended_reporting_end_date"):
        replace(CANCELLED, extended_reporting_end_date=date(2026, 8, 31))


# the law ---------------------------------------------------------------------------------

DAYS = st.integers(min_value=-800, max_value=800)


@given(
    incident=DAYS,
    lag=st.integers(min_value=-30, max_value=800),
    cancel=st.one_of(st.none(), st.integers(min_value=0, max_value=364)),
    erp=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_covered_claims_obey_every_date_rule_at_once(incident, lag, cancel, erp):
    start = TERMS.effective_date
    cancelled = start + timedelta(days=cancel) if cancel is not None else None
    end = cancelled or TERMS.expiry_date
    terms = replace(
        TERMS,
        cancelled_date=cancelled,
        extended_reporting_end_date=end + timedelta(days=erp) if erp is not None else None,
    )
    happened = start + timedelta(days=incident)
    facts = replace(FACTS, incident_date=happened, first_made_date=happened + timedelta(lag))
    decision = decide_coverage(facts, terms=terms)
    assert decision.covered == all(r.passed for r in decision.reasons)
    if decision.covered:
        made, last_report = facts.first_made_date, terms.extended_reporting_end_date
        assert terms.retro_date <= happened <= made
        assert happened < end
        assert start <= made
        assert made < end or (last_report is not None and made <= last_report)
