"""The small named factors of the rating model (DESIGN.md §2, items 6–10).

Each factor is checked against a closed form or a published figure, and by the laws it
must obey whatever its inputs: the claims-made step never falls as years pass, the
experience mod stays within its caps and is 1 when actual equals expected, the fen
components of a premium sum exactly to it, the tier never improves as the score worsens.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pricing.claims_made import claims_made_step, full_years_between
from pricing.credibility import BuhlmannStraub, experience_mod
from pricing.errors import PricingError
from pricing.premium import MAX_FEN, allocate_fen, fen_to_decimal, gross_premium, to_fen
from pricing.schedule import ScheduleItem, schedule_factor
from pricing.tier import quality_relativity, tier

MODULES = ["errors", "claims_made", "credibility", "schedule", "premium", "tier"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"pricing.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_an_error_names_its_field_and_value():
    error = PricingError("must be in (0, 1)", field="cap", value=np.float64(1.5))
    assert str(error) == "cap must be in (0, 1); got (cap=1.5)"
    assert (error.field, error.value, error.message) == ("cap", 1.5, "must be in (0, 1)")
    assert isinstance(error, ValueError)
    assert str(PricingError("options must name one option")) == "options must name one option"


# --- 6. claims-made step ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "step"), [(0, 0.35), (1, 0.65), (2, 0.85), (3, 0.95), (4, 1.0), (5, 1.0), (40, 1.0)]
)
def test_claims_made_step_of_design_2_6(years, step):
    assert claims_made_step(years) == step


def test_claims_made_step_keeps_the_shape_and_takes_a_model_table():
    years = np.array([[0, 1], [2, 7]])
    assert claims_made_step(years, steps=(0.5, 1.0)).tolist() == [[0.5, 1.0], [1.0, 1.0]]
    assert claims_made_step(np.array([0.0, 3.0])).tolist() == [0.35, 0.95]  # whole floats


steps_tables = st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8).map(sorted)


@given(st.integers(0, 60), st.integers(0, 60), steps_tables)
def test_claims_made_step_never_falls_as_years_pass(a, b, steps):
    low, high = sorted((a, b))
    assert claims_made_step(low, steps=steps) <= claims_made_step(high, steps=steps)


@pytest.mark.parametrize(
    ("years", "steps", "field"),
    [
        (-1, (0.35, 1.0), "years_since_retro"),
        (np.array([1.5]), (0.35, 1.0), "years_since_retro"),
        (1, (0.65, 0.35, 1.0), "steps"),  # falls
        (1, (0.0, 1.0), "steps"),
        (1, (0.5, 1.2), "steps"),
        (1, (), "steps"),
    ],
)
def test_claims_made_step_refuses_by_name(years, steps, field):
    with pytest.raises(PricingError, match=rf"^{field} "):
        claims_made_step(years, steps=steps)


@pytest.mark.parametrize(
    ("retro", "effective", "years"),
    [
        (date(2023, 6, 15), date(2023, 6, 15), 0),
        (date(2023, 6, 15), date(2024, 6, 14), 0),
        (date(2023, 6, 15), date(2024, 6, 15), 1),  # full on the anniversary
        (date(2020, 1, 1), date(2026, 1, 1), 6),
        (date(2024, 2, 29), date(2025, 2, 28), 0),  # the leap-day rule: full on 1 March
        (date(2024, 2, 29), date(2025, 3, 1), 1),
        (date(2024, 2, 29), date(2028, 2, 28), 3),
        (date(2024, 2, 29), date(2028, 2, 29), 4),  # a true anniversary again
        (date(2023, 3, 1), date(2024, 2, 29), 0),
    ],
)
def test_full_years_between(retro, effective, years):
    assert full_years_between(retro, effective) == years


def _anniversary(start: date, years: int) -> date:
    """The date ``years`` after ``start``, a 29 February landing on 1 March (the rule)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.integers(0, 20_000))
def test_full_years_is_the_last_anniversary_reached(retro, days):
    effective = retro + timedelta(days=days)
    n = full_years_between(retro, effective)
    assert _anniversary(retro, n) <= effective < _anniversary(retro, n + 1)


def test_a_retro_date_after_the_effective_date_is_refused():
    with pytest.raises(PricingError, match=r"^retro .*got \(retro=2026-01-02\)"):
        full_years_between(date(2026, 1, 2), date(2026, 1, 1))


# --- 7. Bühlmann–Straub credibility ----------------------------------------------------


def test_buhlmann_straub_hand_example():
    """Two risks, two periods, unit weights: X = [[1, 3], [5, 7]].

    X̄_1 = 2, X̄_2 = 6, X̄ = 4; σ̂² = (1 + 1 + 1 + 1) / ((2 − 1) + (2 − 1)) = 2;
    τ̂² = [2·(2 − 4)² + 2·(6 − 4)² − (2 − 1)·2] / (4 − (2² + 2²)/4) = 14 / 2 = 7;
    k = 2/7; Z = 2 / (2 + 2/7) = 7/8 for both; μ̂ = (7/8·2 + 7/8·6) / (7/4) = 4;
    premiums 7/8·2 + 1/8·4 = 2.25 and 7/8·6 + 1/8·4 = 5.75.
    """
    fit = BuhlmannStraub().fit(np.array([[1.0, 3.0], [5.0, 7.0]]), np.ones((2, 2)))
    assert fit.within_variance_ == pytest.approx(2)
    assert fit.between_variance_ == pytest.approx(7)
    assert fit.k_ == pytest.approx(2 / 7)
    assert fit.z_ == pytest.approx([7 / 8, 7 / 8])
    assert fit.collective_ == pytest.approx(4)
    assert fit.premiums_ == pytest.approx([2.25, 5.75])


# Klugman, Panjer & Willmot, *Loss Models*, the nonparametric Bühlmann–Straub example of the
# empirical Bayes chapter: total claims and group sizes of policyholders X and Y over three
# years; X has no data in year 1. The ratio observed is claims per member.
KPW_CLAIMS = np.array([[np.nan, 10_000, 13_000], [18_000, 21_000, 17_000]])
KPW_MEMBERS = np.array([[np.nan, 50, 60], [100, 110, 105]])


def test_buhlmann_straub_reproduces_the_loss_models_example():
    """The book prints v̂ = 17,837.87, â = 380.76, k̂ = 46.85, Ẑ_X = 0.7013, Ẑ_Y = 0.8705.

    It rounds each ratio to the cent before squaring (216.67, 190.91, 161.90), so its
    v̂ and â differ from the unrounded ones (17,830.69 and 380.90) in the fourth digit;
    the comparison allows for that. The rest follow from the exact ones: X̄_X = 23,000/110
    = 209.09, X̄_Y = 56,000/315 = 177.78, and the credibility-weighted collective 191.75.
    """
    fit = BuhlmannStraub().fit(KPW_CLAIMS / KPW_MEMBERS, KPW_MEMBERS)
    assert fit.risk_weights_.tolist() == [110, 315]
    assert fit.risk_means_ == pytest.approx([23_000 / 110, 56_000 / 315])
    assert fit.within_variance_ == pytest.approx(17_837.87, rel=1e-3)
    assert fit.between_variance_ == pytest.approx(380.76, rel=1e-3)
    assert fit.k_ == pytest.approx(46.85, rel=1e-3)
    assert fit.z_ == pytest.approx([0.7013, 0.8705], rel=1e-3)
    assert fit.collective_ == pytest.approx(191.75, abs=0.01)


def _textbook_fit(x: list[list[float]], w: list[list[float]]) -> dict:
    """Bühlmann & Gisler (2005) §4.8, written out in plain loops; nan or 0 weight = missing."""
    cells = [[(xv, wv) for xv, wv in zip(xr, wr, strict=True) if wv == wv and wv > 0 and xv == xv]
             for xr, wr in zip(x, w, strict=True)]  # fmt: skip
    risks = [row for row in cells if row]
    w_i = [sum(wv for _, wv in row) for row in risks]
    m_i = [sum(xv * wv for xv, wv in row) / wt for row, wt in zip(risks, w_i, strict=True)]
    dof = sum(len(row) - 1 for row in risks)
    sigma2 = (
        sum(wv * (xv - m) ** 2 for row, m in zip(risks, m_i, strict=True) for xv, wv in row) / dof
    )
    total = sum(w_i)
    mean = sum(wt * m for wt, m in zip(w_i, m_i, strict=True)) / total
    spread = sum(wt * (m - mean) ** 2 for wt, m in zip(w_i, m_i, strict=True))
    tau2 = max(
        0.0, (spread - (len(risks) - 1) * sigma2) / (total - sum(v * v for v in w_i) / total)
    )
    if tau2 == 0:
        return {"sigma2": sigma2, "tau2": 0.0, "collective": mean, "premiums": [mean] * len(x)}
    k = sigma2 / tau2
    z = [wt / (wt + k) for wt in w_i]
    mu = sum(zi * m for zi, m in zip(z, m_i, strict=True)) / sum(z)
    by_risk = iter(zi * m + (1 - zi) * mu for zi, m in zip(z, m_i, strict=True))
    premiums = [next(by_risk) if row else mu for row in cells]
    return {"sigma2": sigma2, "tau2": tau2, "collective": mu, "premiums": premiums}


@st.composite
def portfolios(draw):
    """Risks × periods of ratios and weights, some cells missing, always estimable."""
    shape = (draw(st.integers(2, 6)), draw(st.integers(2, 6)))
    ratios = st.integers(0, 1000).map(lambda cents: cents / 100)
    x = draw(hnp.arrays(np.float64, shape, elements=ratios))
    w = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.5, 100)))
    gone = draw(hnp.arrays(np.bool_, shape))
    gone[:2, :2] = False  # two risks, each with two periods, stay observed
    x[gone & draw(hnp.arrays(np.bool_, shape))] = np.nan
    w[gone] = np.where(np.isnan(x[gone]), w[gone], 0.0)
    return x, w


@given(portfolios())
def test_buhlmann_straub_matches_the_textbook_loops(portfolio):
    x, w = portfolio
    fit = BuhlmannStraub().fit(x, w)
    want = _textbook_fit(x.tolist(), w.tolist())
    assert fit.within_variance_ == pytest.approx(want["sigma2"], rel=1e-9, abs=1e-12)
    assert fit.between_variance_ == pytest.approx(want["tau2"], rel=1e-6, abs=1e-9)
    assert fit.collective_ == pytest.approx(want["collective"], rel=1e-9)
    assert fit.premiums_ == pytest.approx(want["premiums"], rel=1e-9)


@given(portfolios(), st.floats(0.01, 1000))
def test_credibility_is_unchanged_by_the_unit_of_weight(portfolio, scale):
    x, w = portfolio
    # With every ratio equal both variances are 0 up to rounding noise, and k = noise/noise.
    assume(np.ptp(x[(w > 0) & ~np.isnan(x)]) > 0)
    fit, scaled = BuhlmannStraub().fit(x, w), BuhlmannStraub().fit(x, w * scale)
    assert scaled.z_ == pytest.approx(fit.z_, rel=1e-6, abs=1e-9)
    assert scaled.premiums_ == pytest.approx(fit.premiums_, rel=1e-6)


@given(portfolios())
def test_credibility_premiums_balance_with_the_data(portfolio):
    x, w = portfolio
    fit = BuhlmannStraub().fit(x, w)
    assume(fit.between_variance_ > 0)
    seen = fit.risk_weights_ > 0
    weights, means = fit.risk_weights_[seen], fit.risk_means_[seen]
    assert (weights * fit.premiums_[seen]).sum() == pytest.approx((weights * means).sum())


def test_no_heterogeneity_gives_every_risk_the_collective():
    x = np.array([[1.0, 3.0], [3.0, 1.0], [2.0, 2.0]])  # equal means: τ̂² < 0, truncated
    fit = BuhlmannStraub().fit(x, np.ones_like(x))
    assert fit.between_variance_ == 0 and fit.k_ == math.inf
    assert fit.z_.tolist() == [0, 0, 0]
    assert fit.premiums_.tolist() == [2.0, 2.0, 2.0] and fit.collective_ == 2.0


def test_a_risk_without_data_gets_the_collective_and_counts_for_nothing():
    x = np.array([[1.0, 3.0], [5.0, 7.0], [np.nan, np.nan]])
    fit = BuhlmannStraub().fit(x, np.ones_like(x))
    assert fit.z_[2] == 0 and np.isnan(fit.risk_means_[2])
    assert fit.premiums_.tolist() == [2.25, 5.75, 4.0]  # as the hand example, plus μ̂


def test_the_estimator_is_scikit_learn_shaped():
    model = BuhlmannStraub()
    assert vars(model) == {}
    assert model.fit(np.array([[1.0, 3.0], [5.0, 7.0]]), np.ones((2, 2))) is model


@pytest.mark.parametrize(
    ("x", "w", "field"),
    [
        (np.ones(4), np.ones(4), "losses"),
        (np.ones((2, 2)), np.ones((2, 3)), "weights"),
        (np.ones((2, 2)), -np.ones((2, 2)), "weights"),
        (np.array([[1.0, np.inf], [1.0, 2.0]]), np.ones((2, 2)), "losses"),
        (np.array([[1.0, 2.0], [np.nan, np.nan]]), np.ones((2, 2)), "observed_risks"),
        (np.array([[1.0, np.nan], [2.0, np.nan]]), np.ones((2, 2)), "observed_periods"),
    ],
)
def test_buhlmann_straub_refuses_by_name(x, w, field):
    with pytest.raises(PricingError, match=rf"^{field}"):
        BuhlmannStraub().fit(x, w)


def test_experience_mod_is_the_credibility_blend():
    a, e, k = np.array([0, 80, 100, 120, 400.0]), np.full(5, 100.0), 300.0
    z = 100 / (100 + 300)
    assert experience_mod(a, e, k=k).tolist() == pytest.approx(
        [1 - z, 1 - 0.2 * z, 1, 1 + 0.2 * z, 1.5]  # 1 + 3z = 1.75 capped at 1.5
    )
    assert experience_mod(a[1:4], e[1:4], k=k) == pytest.approx((a[1:4] + k) / (e[1:4] + k))


def test_experience_mod_without_experience_or_credibility_is_one():
    assert experience_mod(np.array([5.0, 0.0]), np.array([0.0, 0.0]), k=10).tolist() == [1, 1]
    assert experience_mod(np.array([500.0]), np.array([10.0]), k=math.inf).tolist() == [1]


money = st.floats(0, 1e8)
mods = st.tuples(money, money, money, st.floats(0.01, 1e8), st.floats(0.3, 1), st.floats(1, 3))


@given(mods)
def test_experience_mod_laws(case):
    a, da, e, k, floor, cap = case
    mod = experience_mod(np.array([a, a + da]), np.array([e, e]), k=k, floor=floor, cap=cap)
    assert np.all((floor <= mod) & (mod <= cap))
    assert mod[0] <= mod[1]  # monotone in actual losses
    assert experience_mod(e, e, k=k, floor=floor, cap=cap) == 1


@pytest.mark.parametrize(
    ("a", "e", "kwargs", "field"),
    [
        (-1.0, 1.0, {"k": 1.0}, "actual"),
        (1.0, -1.0, {"k": 1.0}, "expected"),
        (1.0, np.nan, {"k": 1.0}, "expected"),
        (1.0, 1.0, {"k": 0.0}, "k"),
        (1.0, 1.0, {"k": -5.0}, "k"),
        (1.0, 1.0, {"k": 1.0, "floor": 1.1}, "floor"),
        (1.0, 1.0, {"k": 1.0, "cap": 0.9}, "cap"),
    ],
)
def test_experience_mod_refuses_by_name(a, e, kwargs, field):
    with pytest.raises(PricingError, match=rf"^{field} .*got \({field}="):
        experience_mod(a, e, **kwargs)


# --- 8. schedule rating ----------------------------------------------------------------


def test_schedule_factor_is_one_plus_the_adjustments():
    items = [ScheduleItem("digital evidence", -0.05), ScheduleItem("pending case", 0.10)]
    assert schedule_factor(items) == pytest.approx(1.05)
    assert schedule_factor([]) == 1.0


def test_a_total_of_exactly_the_cap_is_allowed_and_beyond_it_refused():
    at_cap = [ScheduleItem("a", -0.15), ScheduleItem("b", -0.10)]
    assert schedule_factor(at_cap) == pytest.approx(0.75)
    with pytest.raises(PricingError, match=r"^total must be within ±0.25; got \(total=0.3"):
        schedule_factor([ScheduleItem("a", 0.2), ScheduleItem("b", 0.1)])


@pytest.mark.parametrize(
    ("reason", "adjustment", "field"),
    [("", 0.1, "reason"), ("   ", 0.1, "reason"), ("x" * 501, 0.1, "reason")]
    + [("r", value, "adjustment") for value in (math.nan, math.inf, "0.1", True)],
)
def test_schedule_items_refuse_by_name(reason, adjustment, field):
    with pytest.raises(PricingError, match=rf"^{field} "):
        ScheduleItem(reason, adjustment)


@pytest.mark.parametrize("cap", [0.0, 1.0, 1.5, math.nan])
def test_schedule_cap_must_be_a_share(cap):
    with pytest.raises(PricingError, match=r"^cap must be in \(0, 1\)"):
        schedule_factor([], cap=cap)


adjustments = st.lists(st.floats(-0.2, 0.2), max_size=6)


@given(adjustments, st.floats(0.05, 0.5), st.randoms())
def test_schedule_factor_stays_within_the_cap_whatever_the_order(values, cap, rng):
    items = [ScheduleItem(f"reason {i}", v) for i, v in enumerate(values)]
    try:
        factor = schedule_factor(items, cap=cap)
    except PricingError:
        assert abs(math.fsum(values)) > cap
        return
    assert 1 - cap - 1e-9 <= factor <= 1 + cap + 1e-9
    rng.shuffle(items)
    assert schedule_factor(items, cap=cap) == factor


# --- 9. gross premium and money ---------------------------------------------------------


def test_gross_premium_loads_the_costs_and_the_minimum_binds():
    pure, risk_load = np.array([6000.0, 100.0]), np.array([1000.0, 0.0])
    premium = gross_premium(
        pure, risk_load, 500.0, variable_expense=0.2, profit=0.05, minimum=1000.0
    )
    assert premium.tolist() == pytest.approx([7500 / 0.75, 1000.0])  # 600 / 0.75 < 1000


@given(st.floats(0, 1e7), st.floats(0, 1e7), st.floats(0, 0.5), st.floats(0, 0.4), money)
def test_gross_premium_never_falls_as_costs_rise_nor_below_the_minimum(a, b, v, p, minimum):
    low, high = sorted((a, b))
    premium = gross_premium(
        np.array([low, high]), 0.0, 0.0, variable_expense=v, profit=p, minimum=minimum
    )
    assert premium[0] <= premium[1] and np.all(premium >= minimum)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((-1.0, 0.0, 0.0), {}, "pure"),
        ((1.0, np.nan, 0.0), {}, "risk_load"),
        ((1.0, 0.0, 0.0), {"variable_expense": 0.7, "profit": 0.3}, "variable_expense"),
        ((1.0, 0.0, 0.0), {"profit": -0.1}, "profit"),
        ((1.0, 0.0, 0.0), {"minimum": -1.0}, "minimum"),
    ],
)
def test_gross_premium_refuses_by_name(args, kwargs, field):
    loads = {"variable_expense": 0.2, "profit": 0.05, "minimum": 0.0} | kwargs
    with pytest.raises(PricingError, match=rf"^{field}"):
        gross_premium(*args, **loads)


@pytest.mark.parametrize(
    ("cny", "fen"),
    [
        (0.125, 13),  # an exact binary half: up
        (12.345, 1235),  # held as 12.34500000000000063…: above the half
        (2.675, 267),  # held as 2.67499999999999982…: below the half, though typed as one
        (0.015, 1),  # held as 0.01499999999999999944…
        (0.005, 1),  # held as 0.00500000000000000010…
        (0.004999, 0),
        (0.0, 0),
        (1e11, 10**13),
        (12345.67, 1234567),
    ],
)
def test_to_fen_rounds_the_float_held_half_up(cny, fen):
    assert to_fen(np.array([cny])).tolist() == [fen]


def _half_up_fen(x: float) -> int:
    with localcontext() as context:
        context.prec = 500
        return int((Decimal(x) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(st.floats(0, MAX_FEN / 100) | st.integers(0, 10**9).map(lambda c: c / 1000 + 0.005))
def test_to_fen_equals_decimal_half_up_on_the_exact_float(x):
    assume(x <= MAX_FEN / 100)
    assert to_fen(np.array(x)) == _half_up_fen(x)


@pytest.mark.parametrize("bad", [-0.01, math.nan, math.inf, 2e11])
def test_to_fen_refuses_by_name(bad):
    with pytest.raises(PricingError, match=r"^amounts "):
        to_fen(np.array([1.0, bad]))


def test_allocate_fen_ties_go_to_the_earlier_column_and_empty_rows_to_the_last():
    totals = np.array([100, 2, 7, 0])
    weights = np.array([[1.0, 1, 1], [1, 1, 1], [0, 0, 0], [3, 1, 0]])
    assert allocate_fen(totals, weights).tolist() == [
        [34, 33, 33],
        [1, 1, 0],
        [0, 0, 7],
        [0, 0, 0],
    ]


allocations = st.integers(1, 5).flatmap(
    lambda k: st.tuples(
        hnp.arrays(
            np.int64, st.integers(1, 8).map(lambda n: (n,)), elements=st.integers(0, MAX_FEN)
        ),
        st.just(k),
    )
)


@given(allocations, st.data())
def test_allocations_sum_exactly_and_stay_within_a_fen_of_the_share(case, data):
    totals, k = case
    weight = st.one_of(st.just(0.0), st.floats(1e-6, 1e9))
    weights = data.draw(hnp.arrays(np.float64, (totals.size, k), elements=weight))
    parts = allocate_fen(totals, weights)
    assert parts.dtype == np.int64 and (parts.sum(axis=1) == totals).all() and (parts >= 0).all()
    for total, row, part in zip(totals.tolist(), weights.tolist(), parts.tolist(), strict=True):
        mass = sum(Fraction(v) for v in row)
        shares = [Fraction(total) * Fraction(v) / mass for v in row] if mass else None
        for j, got in enumerate(part):
            share = shares[j] if shares else Fraction(total if j == k - 1 else 0)
            assert abs(got - share) < 1 + Fraction(1, 10**6)
    order = data.draw(st.permutations(range(totals.size)))
    assert (allocate_fen(totals[order], weights[order]) == parts[order]).all()


@pytest.mark.parametrize(
    ("totals", "weights", "field"),
    [
        (np.array([-1]), np.ones((1, 2)), "total_fen"),
        (np.array([1.5]), np.ones((1, 2)), "total_fen"),
        (np.array([MAX_FEN + 1]), np.ones((1, 2)), "total_fen"),
        (np.array([10]), np.array([[1.0, -1.0]]), "weights"),
        (np.array([10]), np.array([[1.0, np.inf]]), "weights"),
        (np.array([10, 20]), np.ones((1, 2)), "weights"),
    ],
)
def test_allocate_fen_refuses_by_name(totals, weights, field):
    with pytest.raises(PricingError, match=rf"^{field} "):
        allocate_fen(totals, weights)


@pytest.mark.parametrize(
    ("fen", "cny"),
    [
        (123456, "1234.56"),
        (5, "0.05"),
        (0, "0.00"),
        (-7, "-0.07"),
        (np.int64(10**15), "1" + "0" * 13 + ".00"),
    ],
)
def test_fen_to_decimal_is_exact(fen, cny):
    assert fen_to_decimal(fen) == Decimal(cny) and str(fen_to_decimal(fen)) == cny


@pytest.mark.parametrize("bad", [1.5, "100", True])
def test_fen_to_decimal_refuses_anything_but_whole_fen(bad):
    with pytest.raises(PricingError, match=r"^fen "):
        fen_to_decimal(bad)


# --- 10. tier ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        *[(0.0, "A"), (0.7999, "A"), (0.80, "B"), (0.9499, "B"), (0.95, "C"), (1.0, "C")],
        *[(1.15, "D"), (1.4999, "D"), (1.50, "E"), (9.0, "E")],
    ],
)
def test_tier_bands_take_the_worse_tier_on_the_boundary(score, letter):
    assert tier(np.array([score]), np.array([1.0])).tolist() == [letter]


def test_tier_scores_quality_times_experience():
    assert tier(np.array([0.5, 2.0]), np.array([2.0, 0.5])).tolist() == ["C", "C"]
    assert quality_relativity(np.array([0.01, 0.03]), 0.02) == pytest.approx([0.5, 1.5])


def test_the_tier_cannot_see_client_hazard():
    # DESIGN.md §2.10: the tier says how a firm serves, not how hazardous its clients are.
    assert list(inspect.signature(tier).parameters) == [
        "quality_relativity",
        "experience_mod",
        "bands",
    ]


@given(st.floats(0, 5), st.floats(0, 5), st.floats(0.5, 1.5))
def test_tier_never_improves_as_the_score_worsens(a, b, mod):
    low, high = sorted((a, b))
    letters = tier(np.array([low, high]), np.array([mod, mod])).tolist()
    assert letters[0] <= letters[1]


@pytest.mark.parametrize(
    "bands",
    [(0.8, 0.95, 1.15), (0.8, 0.8, 1.15, 1.5), (0.0, 0.95, 1.15, 1.5), (1.5, 1.15, 0.95, 0.8)],
)
def test_tier_bands_must_be_four_rising_positive_numbers(bands):
    with pytest.raises(PricingError, match=r"^bands "):
        tier(np.array([1.0]), np.array([1.0]), bands=bands)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: quality_relativity(np.array([-0.1]), 0.02), "pi_firm"),
        (lambda: quality_relativity(np.array([0.1]), 0.0), "pi_market"),
        (lambda: tier(np.array([np.nan]), np.array([1.0])), "quality_relativity"),
        (lambda: tier(np.array([1.0]), np.array([-1.0])), "experience_mod"),
    ],
)
def test_tier_inputs_refuse_by_name(call, field):
    with pytest.raises(PricingError, match=rf"^{field} "):
        call()
