"""Claim severity, each method checked against an independent one.

LEV against quadrature of the survival function, distributions against scipy.stats, layer
laws as hypothesis properties, sampling by Monte Carlo and fits by recovering known
parameters within their standard errors.
"""

import doctest
import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

import pricing.severity
from pricing.severity import Lognormal, Pareto, Severity, SeverityError, SplicedLognormalPareto

LOGNORMALS = [Lognormal(mu=10.0, sigma=1.0), Lognormal(mu=12.0, sigma=2.5), Lognormal(8.0, 0.3)]
PARETOS = [Pareto(2.5, 1e5), Pareto(alpha=1.0, theta=5e4), Pareto(0.7, 2e5), Pareto(1.5, 3e4)]
SPLICES = [
    SplicedLognormalPareto(mu=11.0, sigma=1.2, threshold=5e5, alpha=1.8, body_weight=0.9),
    SplicedLognormalPareto(mu=10.0, sigma=0.8, threshold=1e5, alpha=0.9, body_weight=0.95),
    SplicedLognormalPareto(mu=12.0, sigma=2.0, threshold=2e6, alpha=2.5, body_weight=1.0),
    SplicedLognormalPareto(mu=13.0, sigma=1.5, threshold=1e5, alpha=1.0, body_weight=0.3),
]
ALL = LOGNORMALS + PARETOS + SPLICES
LIMITS = [1.0, 1e3, 1e5, 3e5, 5e5, 2e6, 1e8, 1e12]


def integral(f, upper: float, *, kinks: tuple[float, ...] = ()) -> float:
    """∫_0^upper f by quadrature between decades (and ``kinks``), out to 1e30 and beyond."""
    top = min(upper, 1e30)
    edges = {0.0, upper, *(k for k in kinks if k < upper)}
    if top > 1:
        edges |= set(np.geomspace(1.0, top, int(math.log10(top)) + 2))
    edges = sorted(edges)
    pieces = (integrate.quad(f, a, b, epsrel=1e-12, limit=200)[0] for a, b in pairwise(edges))
    return math.fsum(pieces)


@pytest.mark.parametrize("dist", ALL, ids=repr)
@pytest.mark.parametrize("x", LIMITS)
def test_lev_is_the_integral_of_the_survival_function(dist, x):
    assert dist.lev(x) == pytest.approx(integral(dist.sf, x), rel=1e-8)


@pytest.mark.parametrize("dist", ALL, ids=repr)
def test_mean_is_lev_at_infinity_and_the_integral_of_sf(dist):
    assert dist.lev(np.inf) == pytest.approx(dist.mean, rel=1e-12)
    if math.isfinite(dist.mean):
        assert dist.mean == pytest.approx(integral(dist.sf, np.inf), rel=1e-7)


def scipy_twin(dist):
    if isinstance(dist, Lognormal):
        return stats.lognorm(s=dist.sigma, scale=math.exp(dist.mu))
    return stats.lomax(c=dist.alpha, scale=dist.theta)


@pytest.mark.parametrize("dist", LOGNORMALS + PARETOS, ids=repr)
def test_lognormal_and_pareto_agree_with_scipy(dist):
    x = np.concatenate([[0.0], np.geomspace(1.0, 1e10, 40)])
    twin = scipy_twin(dist)
    np.testing.assert_allclose(dist.cdf(x), twin.cdf(x), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(dist.sf(x), twin.sf(x), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(dist.pdf(x), twin.pdf(x), rtol=1e-10, atol=1e-300)
    if math.isfinite(dist.mean):
        assert dist.mean == pytest.approx(twin.mean(), rel=1e-12)


@pytest.mark.parametrize("dist", SPLICES, ids=repr)
def test_splice_is_a_truncated_lognormal_then_a_single_parameter_pareto(dist):
    u, w = dist.threshold, dist.body_weight
    body = stats.lognorm(s=dist.sigma, scale=math.exp(dist.mu))
    below, above = np.geomspace(1.0, u, 30), np.geomspace(u * 1.001, 1e12, 30)
    np.testing.assert_allclose(dist.cdf(below), w * body.cdf(below) / body.cdf(u), rtol=1e-10)
    tail = stats.pareto(b=dist.alpha, scale=u)
    np.testing.assert_allclose(dist.sf(above), (1 - w) * tail.sf(above), rtol=1e-10)
    np.testing.assert_allclose(dist.pdf(above), (1 - w) * tail.pdf(above), rtol=1e-10)


@pytest.mark.parametrize("dist", SPLICES, ids=repr)
def test_splice_density_integrates_to_one_and_cdf_is_continuous_at_threshold(dist):
    u, w = dist.threshold, dist.body_weight
    total = integral(dist.pdf, np.inf, kinks=(u,))
    assert total == pytest.approx(1.0, rel=1e-8)
    assert dist.cdf(u) == pytest.approx(w, rel=1e-12)
    assert dist.cdf(np.nextafter(u, np.inf)) == pytest.approx(w, rel=1e-12)
    assert dist.cdf(u * (1 - 1e-9)) == pytest.approx(w, rel=1e-7)
    for x in (1e4, u, 10 * u):
        assert integral(dist.pdf, x, kinks=(u,)) == pytest.approx(dist.cdf(x), rel=1e-8)
        assert dist.cdf(x) + dist.sf(x) == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize("dist", ALL, ids=repr)
def test_edges_of_the_domain(dist):
    np.testing.assert_array_equal(dist.cdf([-1.0, 0.0, np.inf]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(dist.sf([-1.0, np.inf]), [1.0, 0.0])
    assert dist.lev(0.0) == 0.0
    assert isinstance(dist.lev(1e5), float)
    assert dist.lev(np.array([[1e4], [1e5]])).shape == (2, 1)
    assert isinstance(dist, Severity)


# --- Laws of layers, as properties ----------------------------------------------------------

lognormals = st.builds(Lognormal, mu=st.floats(6, 14), sigma=st.floats(0.1, 3))
paretos = st.builds(Pareto, alpha=st.floats(0.5, 6), theta=st.floats(1e3, 1e7))
splices = st.builds(
    SplicedLognormalPareto,
    mu=st.floats(8, 14),
    sigma=st.floats(0.2, 2.5),
    threshold=st.floats(1e4, 1e7),
    alpha=st.floats(0.5, 5),
    body_weight=st.floats(0.05, 1),
)
severities = st.one_of(lognormals, paretos, splices)
amounts = st.floats(0, 1e9)
widths = st.floats(1, 1e8)


def close_to(scale: float) -> float:
    return 1e-10 * abs(scale) + 1e-9


@given(severities, amounts, widths)
def test_lev_is_non_decreasing_concave_and_bounded(dist, x, h):
    a, b, c = (dist.lev(x + k * h) for k in range(3))
    assert b - a >= -close_to(b)
    assert c - 2 * b + a <= close_to(c)
    assert -close_to(a) <= a <= min(x, dist.mean) + close_to(a)


@given(severities, st.floats(1e4, 1e7), amounts, widths)
def test_increased_limits_factors_rise_and_are_concave(dist, basic, limit, h):
    ilf = [dist.increased_limits_factor(limit + k * h, basic_limit=basic) for k in (1, 2, 3)]
    assert dist.increased_limits_factor(basic, basic_limit=basic) == pytest.approx(1.0)
    assert ilf[1] - ilf[0] >= -close_to(ilf[1])
    assert ilf[2] - 2 * ilf[1] + ilf[0] <= close_to(ilf[2])


@given(severities, amounts, widths, widths)
def test_layer_costs_are_non_negative_and_additive(dist, a, first, second):
    low, high = dist.layer_cost(a, first), dist.layer_cost(a + first, second)
    whole = dist.layer_cost(a, first + second)
    assert low >= 0 and high >= 0
    assert low + high == pytest.approx(whole, rel=1e-9, abs=1e-6)


@given(severities, amounts, widths, st.one_of(st.just(np.inf), st.floats(1e3, 1e9)))
def test_deductible_credit_is_a_ratio_that_rises_with_the_deductible(dist, d, step, limit):
    low, high = (dist.deductible_credit(x, limit=limit) for x in (d, d + step))
    # The credit is 1 − (LEV(d + L) − LEV(d))/LEV(L): rounding of LEV(d + L) is magnified
    # by LEV(d + L)/LEV(L) when a narrow layer sits far above the deductible.
    magnified = dist.lev(d + step + limit) / dist.lev(limit) if math.isfinite(limit) else 1.0
    tol = 1e-14 * magnified + 1e-12
    assert -tol <= low <= high + tol
    assert high <= 1 + tol
    assert dist.deductible_credit(0.0, limit=limit) == 0.0


@given(severities, st.floats(0.1, 10), amounts)
def test_scaling_scales_the_limited_expected_value(dist, factor, x):
    scaled = dist.scaled(factor)
    assert scaled.lev(factor * x) == pytest.approx(factor * dist.lev(x), rel=1e-9, abs=1e-9)
    assert scaled.cdf(factor * x) == pytest.approx(dist.cdf(x), rel=1e-9, abs=1e-12)


# --- Sampling --------------------------------------------------------------------------------


@pytest.mark.parametrize("dist", ALL, ids=repr)
def test_sample_mean_of_limited_claims_is_lev(dist):
    rng = np.random.default_rng(20260101)
    draws = dist.sample(200_000, rng)
    limit = 1e6
    capped = np.minimum(draws, limit)
    standard_error = capped.std() / math.sqrt(capped.size)
    assert abs(capped.mean() - dist.lev(limit)) < 4 * standard_error
    assert stats.kstest(draws[:20_000], dist.cdf).pvalue > 1e-3


# --- Fitting ---------------------------------------------------------------------------------


def test_lognormal_fit_recovers_parameters_and_is_the_closed_form():
    x = stats.lognorm(s=1.4, scale=math.exp(11.0)).rvs(20_000, random_state=7)
    fit = Lognormal.fit(x)
    assert abs(fit.mu - 11.0) < 4 * 1.4 / math.sqrt(x.size)
    assert abs(fit.sigma - 1.4) < 4 * 1.4 / math.sqrt(2 * x.size)

    def nll(p):
        return -stats.lognorm.logpdf(x, s=p[1], scale=math.exp(p[0])).sum()

    numeric = optimize.minimize(nll, [10.0, 1.0], method="Nelder-Mead", options={"xatol": 1e-8})
    np.testing.assert_allclose([fit.mu, fit.sigma], numeric.x, rtol=1e-5)


def test_pareto_fit_recovers_parameters_within_standard_errors():
    alpha, theta, n = 2.5, 1e5, 20_000
    x = stats.lomax(c=alpha, scale=theta).rvs(n, random_state=11)
    fit = Pareto.fit(x)
    # Fisher information per claim; x/(theta + x) ~ Beta(1, alpha) gives the theta entries.
    cross = -1 / (theta * (alpha + 1))
    information = np.array([[1 / alpha**2, cross], [cross, alpha / (theta**2 * (alpha + 2))]])
    se_alpha, se_theta = np.sqrt(np.diag(np.linalg.inv(information)) / n)
    assert abs(fit.alpha - alpha) < 4 * se_alpha
    assert abs(fit.theta - theta) < 4 * se_theta
    c, _, scale = stats.lomax.fit(x, floc=0)
    np.testing.assert_allclose([fit.alpha, fit.theta], [c, scale], rtol=1e-3)


def central_gradient(f, point, h):
    steps = h * np.eye(len(point))
    return np.array([(f(point + e) - f(point - e)) / (2 * h) for e in steps])


def test_spliced_fit_recovers_parameters_within_standard_errors():
    mu, sigma, u, alpha, w, n = 11.0, 1.2, 3e5, 1.8, 0.85, 40_000
    rng = np.random.default_rng(3)
    n_body = rng.binomial(n, w)
    upper = (math.log(u) - mu) / sigma
    logs = stats.truncnorm(-np.inf, upper, loc=mu, scale=sigma).rvs(n_body, random_state=rng)
    tail = stats.pareto(b=alpha, scale=u).rvs(n - n_body, random_state=rng)
    fit = SplicedLognormalPareto.fit(np.concatenate([np.exp(logs), tail]), threshold=u)

    assert fit.body_weight == n_body / n
    assert abs(fit.alpha - alpha) < 4 * alpha / math.sqrt(n - n_body)

    # Body: scipy's truncated normal on ln x, an independent likelihood; its observed
    # information gives the standard errors, and its gradient must vanish at our fit.
    def loglik(p):
        b = (math.log(u) - p[0]) / p[1]
        return stats.truncnorm.logpdf(logs, -np.inf, b, loc=p[0], scale=p[1]).sum()

    point = np.array([fit.mu, fit.sigma])
    hessian = central_gradient(lambda p: central_gradient(loglik, p, 1e-5), point, 1e-3)
    covariance = np.linalg.inv(-hessian)
    se = np.sqrt(np.diag(covariance))
    assert np.all(np.abs(point - [mu, sigma]) < 4 * se)
    newton_step = covariance @ central_gradient(loglik, point, 1e-5)
    assert np.all(np.abs(newton_step) < 0.01 * se)


# --- Errors name what was wrong --------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Lognormal(mu=0.0, sigma=-1.0), r"sigma must be > 0; got \(sigma=-1.0\)"),
        (lambda: Lognormal(mu=math.nan, sigma=1.0), r"mu must be finite; got \(mu=nan\)"),
        (lambda: Pareto(alpha=0.0, theta=1.0), r"alpha must be > 0; got \(alpha=0.0\)"),
        (lambda: Pareto(alpha=1.0, theta=math.inf), r"theta must be finite; got \(theta=inf\)"),
        (lambda: SplicedLognormalPareto(10, 1, 1e5, 2, 0.0), r"body_weight must be in \(0, 1\]"),
        (lambda: SplicedLognormalPareto(10, 1, 1e5, 2, 1.5), r"\(body_weight=1.5\)"),
        (lambda: SplicedLognormalPareto(10, 1, -1.0, 2, 0.5), r"threshold must be > 0"),
        (lambda: SplicedLognormalPareto(10, 0, 1e5, 2, 0.5), r"sigma must be > 0"),
        (lambda: SplicedLognormalPareto(10, 1, 1e5, -2, 0.5), r"alpha must be > 0"),
        (lambda: SplicedLognormalPareto(500, 1, 1.0, 2, 0.5), r"F_LN\(threshold\) > 0"),
        (lambda: Lognormal(10, 1).scaled(0.0), r"factor must be > 0; got \(factor=0.0\)"),
        (lambda: Pareto(2, 1e5).layer_cost(-1.0, 1e5), r"deductible must be .*>= 0.*=-1.0"),
        (lambda: Pareto(2, 1e5).layer_cost(np.inf, 1e5), r"deductible must be finite"),
        (lambda: Pareto(2, 1e5).layer_cost([0.0, 1e3], 0.0), r"limit must be > 0; got \(limit=0"),
        (lambda: Pareto(2, 1e5).increased_limits_factor(1e6, basic_limit=0), r"basic_limit"),
        (lambda: Pareto(2, 1e5).deductible_credit(1e3, limit=-5.0), r"\(limit=-5.0\)"),
    ],
)
def test_bad_parameters_are_refused_by_name(make, message):
    with pytest.raises(SeverityError, match=message):
        make()


@pytest.mark.parametrize(
    ("fit", "amounts", "message"),
    [
        (Lognormal.fit, [], r"non-empty"),
        (Lognormal.fit, [[1.0, 2.0]], r"1-D"),
        (Lognormal.fit, [1.0, -2.0], r"amounts\[1\] must be > 0; got \(amounts\[1\]=-2.0\)"),
        (Lognormal.fit, [1.0, 0.0], r"amounts\[1\] must be > 0; got \(amounts\[1\]=0.0\)"),
        (Pareto.fit, [1.0, math.nan], r"amounts\[1\] must be finite; got \(amounts\[1\]=nan\)"),
        (Pareto.fit, [math.inf, 1.0], r"amounts\[0\] must be finite; got \(amounts\[0\]=inf\)"),
        (Lognormal.fit, [5.0, 5.0, 5.0], r"must not all be equal"),
        (Pareto.fit, np.linspace(1, 100, 50), r"coefficient of variation must be > 1"),
    ],
)
def test_bad_claim_data_is_refused_by_name(fit, amounts, message):
    with pytest.raises(SeverityError, match=message):
        fit(amounts)


@pytest.mark.parametrize(
    ("amounts", "threshold", "message"),
    [
        ([1e3, 2e3, 3e3], 1e5, r"some above the threshold; got \(threshold=100000.0\)"),
        ([1e6, 2e6], 1e5, r"some at or below the threshold"),
        ([1e3, 2e6], 1e5, r"at or below the threshold must not all be equal"),
        ([1e3, 2e6], -1.0, r"threshold must be finite and > 0; got \(threshold=-1.0\)"),
        ([1e3, 9e4, 9.5e4, 9.9e4, 2e6], 1e5, r"standard deviation < ln\(threshold\) − their mean"),
        ([1e3, -1.0], 1e5, r"amounts\[1\]=-1.0"),
    ],
)
def test_bad_splice_data_is_refused_by_name(amounts, threshold, message):
    with pytest.raises(SeverityError, match=message):
        SplicedLognormalPareto.fit(amounts, threshold=threshold)


def test_the_module_example_runs():
    assert doctest.testmod(pricing.severity).failed == 0
