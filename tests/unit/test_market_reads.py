"""The date and money rules of the coverage and loss-run reads, without a database."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from underwriting.coverage import CoveringPolicy, in_force_on, insured_summary
from underwriting.loss_run import ClaimLine, PolicyLine, Totals, policy_years, totals, years_before


@dataclass(frozen=True)
class FakePolicy:
    effective_date: date
    expiry_date: date
    status: str = "in_force"
    cancelled_date: date | None = None


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(days, st.integers(1, 800), days)
def test_an_uncancelled_policy_covers_exactly_its_period(effective, length, day):
    expiry = effective + timedelta(days=length)
    for status in ("in_force", "expired"):
        policy = FakePolicy(effective, expiry, status)
        assert in_force_on(policy, day) == (effective <= day < expiry)


@given(days, st.integers(1, 800), st.integers(0, 800), days)
def test_a_cancelled_policy_covers_its_period_up_to_the_cancellation(effective, length, at, day):
    expiry = effective + timedelta(days=length)
    cancelled = effective + timedelta(days=min(at, length))
    policy = FakePolicy(effective, expiry, "cancelled", cancelled)
    assert in_force_on(policy, day) == (effective <= day < cancelled)


def test_a_cancelled_status_without_a_date_covers_nothing():
    policy = FakePolicy(date(2026, 1, 1), date(2027, 1, 1), "cancelled")
    assert not in_force_on(policy, date(2026, 6, 1))


def covering(in_force: bool, cancelled: date | None = None) -> CoveringPolicy:
    money = Decimal("1.00")
    return CoveringPolicy(
        id=1,
        number="SL2027-000001",
        insurer_id=1,
        insurer_name="甲保险",
        effective_date=date(2027, 1, 1),
        expiry_date=date(2028, 1, 1),
        retro_date=date(2027, 1, 1),
        status="in_force",
        cancelled_date=cancelled,
        per_claim_limit=money,
        aggregate_limit=money,
        deductible=money,
        defence_inside=True,
        extended_reporting_end_date=None,
        in_force_on_date=in_force,
        premium=None,
        written_premium=None,
    )


def test_the_insured_summary():
    assert insured_summary([]) == "not insured"
    assert insured_summary([covering(False)]) == "not insured"
    assert insured_summary([covering(True)]) == "insured"
    later = [covering(True, date(2027, 5, 1)), covering(True, date(2027, 7, 1))]
    assert insured_summary(later) == "insured, cancelled on 2027-07-01"
    assert insured_summary([*later, covering(True)]) == "insured"


def test_five_years_back_keeps_the_calendar_day():
    assert years_before(date(2027, 6, 30), 5) == date(2022, 6, 30)
    assert years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)


def claim(paid: str, reserve: str) -> ClaimLine:
    return ClaimLine(
        id=1,
        incident_id=1,
        incident_date=date(2026, 1, 1),
        accident_type="fire",
        grade="general",
        first_made_date=date(2026, 1, 2),
        status="open",
        paid=Decimal(paid),
        case_reserve=Decimal(reserve),
    )


def policy(year: int, premium: str | None, *claims: ClaimLine) -> PolicyLine:
    written = None if premium is None else Decimal(premium)
    return PolicyLine(
        id=1,
        number=f"SL{year}-000001",
        insurer_id=1,
        insurer_name="甲保险",
        effective_date=date(year, 3, 1),
        expiry_date=date(year + 1, 3, 1),
        status="expired",
        cancelled_date=None,
        written_premium=written,
        claims=list(claims),
    )


def test_the_loss_ratio_rounds_half_up_to_four_places_and_needs_premium():
    ratio = Totals(1, Decimal("0.00"), Decimal("1.00005"), Decimal("1.00")).loss_ratio
    assert ratio == Decimal("1.0001")
    assert Totals(0, Decimal(0), Decimal(0), Decimal("0.00")).loss_ratio is None
    assert Totals(0, Decimal(0), Decimal(0), Decimal("10.00")).loss_ratio == Decimal("0.0000")


money = st.decimals(min_value=0, max_value=10**9, places=2)


@given(st.lists(st.tuples(st.integers(2021, 2027), money, money, money), max_size=12))
def test_the_policy_years_add_up_to_the_window(rows):
    lines = [policy(year, str(p), claim(str(a), str(r))) for year, p, a, r in rows]
    whole, years = totals(lines), policy_years(lines)
    assert [y.policy_year for y in years] == sorted({year for year, *_ in rows})
    assert sum(y.claim_count for y in years) == whole.claim_count == len(rows)
    for field in ("paid", "case_reserve", "incurred", "written_premium"):
        assert sum((getattr(y, field) for y in years), Decimal(0)) == getattr(whole, field)
    assert whole.incurred == whole.paid + whole.case_reserve


def test_a_policy_without_premium_adds_none():
    lines = [policy(2025, None, claim("5.00", "0.00")), policy(2025, "100.00")]
    (year,) = policy_years(lines)
    assert year.written_premium == Decimal("100.00") and year.loss_ratio == Decimal("0.0500")
