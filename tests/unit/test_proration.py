"""Premium for part of a period: ``pricing.proration`` against closed forms and laws.

- closed forms: pro rata of a 365- and a 366-day policy to the fen, a half-fen tie rounded
  away from zero (negative too), rows of the short-rate table with the month-end clamp, the
  minimum retained premium in months 1–2 only, flat cancellation;
- an independent method: pro rata equals the sum of each slice's per-day premium over its
  unearned days, day by day, in ``Fraction``;
- laws as hypothesis properties: 0 ≤ returned ≤ written; returned + retained == written;
  the pro-rata refund never grows as the cancel date moves later; for one annual slice the
  insured's short-rate refund never exceeds the insurer's pro-rata one;
- bad input is refused with a ``PricingError`` naming the value.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.errors import PricingError
from pricing.proration import (
    SHORT_RATE_TABLE,
    PremiumSlice,
    cancellation_refund,
    months_in_force,
    pro_rata_fen,
    short_rate_fraction,
)

Y2027, Y2028 = date(2027, 1, 1), date(2028, 1, 1)


def refund(slices, basis, cancel, *, effective=Y2027, expiry=Y2028, **kw):
    return cancellation_refund(
        slices, basis=basis, effective=effective, expiry=expiry, cancel=cancel, **kw
    )


def annual(fen: int, effective: date = Y2027) -> list[PremiumSlice]:
    return [PremiumSlice(fen, effective)]


# --- closed forms --------------------------------------------------------------------------


def test_a_365_day_policy_cancelled_pro_rata_after_73_days_returns_exactly_four_fifths():
    cancel = Y2027 + timedelta(days=73)
    r = refund(annual(100_000), "pro_rata", cancel)  # ¥1,000.00
    assert (r.returned_fen, r.retained_fen, r.written_fen) == (80_000, 20_000, 100_000)
    assert r.explanation["policy_days"] == 365 and r.explanation["days_in_force"] == 73
    assert r.explanation["slices"][0]["fraction_unearned"] == "292/365"


def test_a_leap_year_policy_has_366_days_and_29_february_counts():
    effective, expiry = date(2028, 1, 1), date(2029, 1, 1)
    cancel = effective + timedelta(days=60)
    assert cancel == date(2028, 3, 1)  # 31 days of January and 29 of February
    r = refund(annual(36_600, effective), "pro_rata", cancel, effective=effective, expiry=expiry)
    assert r.returned_fen == 36_600 * 306 // 366 == 30_600
    assert r.explanation["policy_days"] == 366


def test_pro_rata_rounds_once_half_away_from_zero():
    assert pro_rata_fen(1, days=1, of_days=2) == 1  # 0.5 → 1
    assert pro_rata_fen(-1, days=1, of_days=2) == -1  # -0.5 → -1
    assert pro_rata_fen(3, days=1, of_days=2) == 2  # 1.5 → 2
    assert pro_rata_fen(-3, days=1, of_days=2) == -2
    assert pro_rata_fen(10, days=1, of_days=3) == 3  # 3.33 → 3
    assert pro_rata_fen(20, days=1, of_days=3) == 7  # 6.67 → 7
    assert pro_rata_fen(-20, days=1, of_days=3) == -7
    assert pro_rata_fen(5, days=0, of_days=7) == 0 and pro_rata_fen(5, days=7, of_days=7) == 5


def test_two_slices_are_summed_exactly_before_the_one_rounding():
    # each slice's unearned part is exactly ½ fen: rounded apart they would give 2 fen, not 1
    effective, expiry = date(2027, 1, 1), date(2027, 1, 3)
    slices = [PremiumSlice(1, effective), PremiumSlice(1, date(2027, 1, 1))]
    r = refund(slices, "pro_rata", date(2027, 1, 2), effective=effective, expiry=expiry)
    assert r.explanation["unearned_fen"] == "1"
    assert r.returned_fen == 1 and r.retained_fen == 1


def test_an_endorsement_is_prorated_over_its_own_period_and_returned_whole_if_not_yet_begun():
    endorsement = PremiumSlice(36_400, date(2027, 1, 2))  # 364 days to expiry: ¥1 a day
    slices = [*annual(36_500), endorsement]  # ¥1 a day from 2027-01-01
    r = refund(slices, "pro_rata", date(2027, 1, 2))
    assert r.returned_fen == 36_400 + 36_400
    assert refund(slices, "pro_rata", date(2027, 1, 11)).returned_fen == 35_500 + 35_500
    # cancelled before the endorsement starts, its premium comes back whole
    later = PremiumSlice(10_000, date(2027, 7, 1))
    r = refund([*annual(36_500), later], "pro_rata", date(2027, 3, 1))
    assert r.returned_fen == 36_500 * 306 // 365 + 10_000


def test_a_negative_unearned_premium_is_floored_at_zero_and_said_so():
    # an endorsement returning more than its period's premium: data an insurer should fix
    slices = [*annual(36_500), PremiumSlice(-36_500, date(2027, 1, 2))]
    r = refund(slices, "pro_rata", date(2027, 7, 1))
    assert r.returned_fen == 0 and r.retained_fen == r.written_fen == 0
    assert r.explanation["floored_at_zero"] is True


def test_the_short_rate_table_is_the_standard_one():
    percent = [SHORT_RATE_TABLE[m] for m in range(1, 13)]
    assert percent == [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100]


@pytest.mark.parametrize(
    ("effective", "cancel", "months", "fraction"),
    [
        (date(2027, 1, 1), date(2027, 1, 1), 0, Fraction(0)),
        (date(2027, 1, 1), date(2027, 1, 2), 1, Fraction(10, 100)),  # one day in
        (date(2027, 1, 1), date(2027, 2, 1), 1, Fraction(10, 100)),  # exactly one month
        (date(2027, 1, 1), date(2027, 4, 1), 3, Fraction(30, 100)),  # exactly three
        (date(2027, 1, 1), date(2027, 4, 2), 4, Fraction(40, 100)),  # three and a day
        (date(2027, 1, 31), date(2027, 2, 28), 1, Fraction(10, 100)),  # 01-31 + 1 = 02-28
        (date(2027, 1, 31), date(2027, 3, 1), 2, Fraction(20, 100)),
        (date(2027, 1, 31), date(2027, 3, 31), 2, Fraction(20, 100)),  # from 01-31, not 02-28
        (date(2028, 1, 31), date(2028, 2, 29), 1, Fraction(10, 100)),  # leap February
        (date(2027, 1, 1), date(2027, 10, 1), 9, Fraction(85, 100)),
        (date(2027, 1, 1), date(2027, 12, 31), 12, Fraction(1)),
        (date(2027, 1, 1), date(2029, 6, 1), 12, Fraction(1)),  # capped at 12
    ],
)
def test_months_in_force_and_the_short_rate_row(effective, cancel, months, fraction):
    assert months_in_force(effective, cancel) == months
    assert short_rate_fraction(effective, cancel) == fraction


def test_short_rate_retains_the_table_rate_from_the_third_month():
    r = refund(annual(100_000), "short_rate", date(2027, 4, 2))  # 4 months: 40%
    assert (r.retained_fen, r.returned_fen) == (40_000, 60_000)
    assert r.explanation["table_row"] == {"months": 4, "percent_retained": 40}
    assert r.explanation["short_rate_fraction"] == "40/100"
    assert r.explanation["minimum_applied"] is False
    r = refund(annual(100_000), "short_rate", date(2027, 3, 2))  # 3 months: 30%
    assert r.retained_fen == 30_000 and r.explanation["minimum_applied"] is False


@pytest.mark.parametrize("cancel", [date(2027, 1, 1), date(2027, 1, 2), date(2027, 3, 1)])
def test_the_minimum_retained_premium_applies_in_the_first_two_months(cancel):
    r = refund(annual(100_000), "short_rate", cancel)  # table: 0, 10% or 20% < 25%
    assert (r.retained_fen, r.returned_fen) == (25_000, 75_000)
    assert r.explanation["minimum_applied"] is True
    assert r.explanation["fraction_retained"] == "1/4"
    lower = refund(annual(100_000), "short_rate", cancel, minimum_retained=Fraction(0))
    assert lower.retained_fen == 100_000 * short_rate_fraction(Y2027, cancel)


def test_pro_rata_keeps_no_minimum():
    r = refund(annual(100_000), "pro_rata", date(2027, 1, 2))
    assert r.retained_fen == pro_rata_fen(100_000, days=1, of_days=365) == 274


def test_a_flat_cancellation_returns_everything():
    slices = [*annual(50_000), PremiumSlice(7_001, date(2027, 1, 1))]
    r = refund(slices, "flat", Y2027)
    assert (r.returned_fen, r.retained_fen, r.written_fen) == (57_001, 0, 57_001)


def test_the_explanation_is_json_native():
    import json

    for basis, cancel in (("pro_rata", date(2027, 5, 5)), ("short_rate", date(2027, 5, 5))):
        r = refund(annual(123_456), basis, cancel)
        assert json.loads(json.dumps(r.explanation)) == r.explanation


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: pro_rata_fen(100, days=1, of_days=0), "of_days"),
        (lambda: pro_rata_fen(100, days=-1, of_days=10), "days"),
        (lambda: pro_rata_fen(100, days=11, of_days=10), "days"),
        (lambda: refund(annual(100), "pro_rata", date(2028, 1, 1)), "cancel_date"),
        (lambda: refund(annual(100), "pro_rata", date(2026, 12, 31)), "cancel_date"),
        (lambda: refund(annual(100), "flat", date(2027, 1, 2)), "cancel_date"),
        (lambda: refund(annual(100), "pro-rata", date(2027, 1, 2)), "basis"),
        (lambda: refund(annual(100), "pro_rata", Y2027, expiry=Y2027), "expiry"),
        (lambda: refund([], "pro_rata", Y2027), "slices"),
        (lambda: refund(annual(100, date(2026, 6, 1)), "pro_rata", Y2027), "start must"),
        (lambda: refund(annual(-100), "pro_rata", Y2027), "written_fen"),
        (lambda: refund(annual(100), "short_rate", Y2027, minimum_retained=0.25), "minimum"),
        (lambda: refund(annual(100), "short_rate", Y2027, minimum_retained=2), "minimum"),
        (lambda: PremiumSlice(1.5, Y2027), "delta_fen"),
        (lambda: months_in_force(Y2028, Y2027), "cancel"),
    ],
)
def test_bad_input_is_refused_naming_the_value(call, named):
    with pytest.raises(PricingError, match=named):
        call()


def test_the_error_names_the_bad_cancel_date():
    with pytest.raises(PricingError) as caught:
        refund(annual(100), "pro_rata", date(2028, 3, 1))
    assert str(caught.value).endswith("got (cancel_date=2028-03-01)")
    assert caught.value.field == "cancel_date"


# --- an independent method and laws ---------------------------------------------------------


def day_by_day(slices, *, expiry: date, cancel: date) -> Fraction:
    """Σ over slices and over each unearned day of the slice's premium per day, in fen."""
    total = Fraction(0)
    for piece in slices:
        per_day = Fraction(piece.delta_fen, (expiry - piece.start).days)
        day = piece.start
        while day < expiry:
            total += per_day if day >= cancel else 0
            day += timedelta(days=1)
    return total


def half_away(value: Fraction) -> int:
    return int(math.copysign(math.floor(abs(value) + Fraction(1, 2)), value))


@st.composite
def policies(draw, *, max_days: int = 400, signed: bool = False):
    """(slices, effective, expiry, cancel): a period of up to ``max_days`` days with up to
    four slices starting inside it."""
    effective = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
    days = draw(st.integers(1, max_days))
    expiry = effective + timedelta(days=days)
    low = -(10**7) if signed else 0
    starts = st.integers(0, days - 1).map(lambda d: effective + timedelta(days=d))
    # signed: a first slice large enough that the written premium stays >= 0
    first = PremiumSlice(draw(st.integers(3 * 10**7 if signed else 0, 10**9)), effective)
    rest = draw(st.lists(st.builds(PremiumSlice, st.integers(low, 10**7), starts), max_size=3))
    cancel = effective + timedelta(days=draw(st.integers(0, days - 1)))
    return [first, *rest], effective, expiry, cancel


@settings(max_examples=200, deadline=None)
@given(policies(max_days=60, signed=True))
def test_pro_rata_equals_the_day_by_day_sum(policy):
    slices, effective, expiry, cancel = policy
    exact = day_by_day(slices, expiry=expiry, cancel=cancel)
    r = refund(slices, "pro_rata", cancel, effective=effective, expiry=expiry)
    assert Fraction(r.explanation["unearned_fen"]) == exact
    assert r.returned_fen == max(0, half_away(exact))


@settings(max_examples=200, deadline=None)
@given(policies(), st.sampled_from(["pro_rata", "short_rate", "flat"]))
def test_nothing_is_returned_beyond_the_written_premium(policy, basis):
    slices, effective, expiry, cancel = policy
    cancel = effective if basis == "flat" else cancel
    r = refund(slices, basis, cancel, effective=effective, expiry=expiry)
    assert r.written_fen == sum(s.delta_fen for s in slices)
    assert 0 <= r.returned_fen <= r.written_fen
    assert r.returned_fen + r.retained_fen == r.written_fen


@settings(max_examples=200, deadline=None)
@given(policies(), st.integers(1, 400))
def test_the_pro_rata_refund_never_grows_as_the_cancel_date_moves_later(policy, later):
    slices, effective, expiry, cancel = policy
    second = min(cancel + timedelta(days=later), expiry - timedelta(days=1))
    first = refund(slices, "pro_rata", cancel, effective=effective, expiry=expiry)
    then = refund(slices, "pro_rata", second, effective=effective, expiry=expiry)
    assert then.returned_fen <= first.returned_fen


@settings(max_examples=300, deadline=None)
@given(
    st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    st.integers(0, 10**9),
    st.integers(0, 365),
)
def test_the_insureds_short_rate_refund_never_exceeds_the_pro_rata_one(effective, fen, day):
    expiry = effective.replace(year=effective.year + 1, day=min(effective.day, 28))
    effective = effective.replace(day=expiry.day)  # an annual policy, date to date
    cancel = min(effective + timedelta(days=day), expiry - timedelta(days=1))
    pro = refund(annual(fen, effective), "pro_rata", cancel, effective=effective, expiry=expiry)
    short = refund(annual(fen, effective), "short_rate", cancel, effective=effective, expiry=expiry)
    assert short.returned_fen <= pro.returned_fen
