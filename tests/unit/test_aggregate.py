"""The aggregate loss by FFT, each result checked against an independent one.

Moments against the compound Poisson formulas, the FFT against Panjer's recursion on the same
lattice and against Monte Carlo on the continuous severity, the capped statistics against
hand sums and simulation, and the laws of E[S ∧ A] as hypothesis properties. The severities
are the test's own, with closed-form LEVs, so that nothing here depends on pricing.severity.
"""

import doctest
import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

import pricing.aggregate
import pricing.aggregate_checks
import pricing.aggregate_cost
import pricing.discretise
from pricing.aggregate import (
    AggregateError,
    Grid,
    aggregate_loss,
    capped_statistics,
    choose_grid,
    compound_poisson,
    layer_mean,
    layer_pmf,
    monte_carlo_aggregate,
    panjer_pmf,
)


@dataclass(frozen=True)
class Exponential:
    """Mean ``m`` CNY: LEV(x) = m(1 − e^(−x/m))."""

    m: float

    def lev(self, x):
        return self.m * -np.expm1(-np.asarray(x, dtype=float) / self.m)

    @property
    def mean(self):
        return self.m

    def sample(self, n, rng):
        return rng.exponential(self.m, size=n)


@dataclass(frozen=True)
class Lognormal:
    """LEV(x) = exp(mu + s²/2)·Φ((ln x − mu − s²)/s) + x·(1 − Φ((ln x − mu)/s))."""

    mu: float
    s: float

    def lev(self, x):
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            z = (np.log(x) - self.mu) / self.s
        body = self.mean * norm.cdf(z - self.s)
        return body + np.where(np.isinf(x), 0.0, x) * norm.sf(z)

    @property
    def mean(self):
        return math.exp(self.mu + self.s**2 / 2)

    def sample(self, n, rng):
        return rng.lognormal(self.mu, self.s, size=n)


class Heavy:
    """Pareto with alpha = 1, theta = 1: LEV(x) = ln(1 + x), mean infinite."""

    mean = math.inf

    def lev(self, x):
        return np.log1p(np.asarray(x, dtype=float))


CLAIM = Lognormal(10.0, 1.5)  # median 22,026 CNY, mean 67,846 CNY


def moments(pmf, grid):
    x = grid.points
    return pmf @ x, pmf @ x**2


def test_the_docstrings_run():
    modules = (pricing.aggregate, pricing.aggregate_checks, pricing.aggregate_cost)
    for module in (*modules, pricing.discretise):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module


# --- the per-claim layer -----------------------------------------------------------------


@pytest.mark.parametrize("limit", [5000.0, 4321.0])  # a whole number of cells, and not
def test_layer_pmf_is_a_pmf_with_the_exact_layer_mean(limit):
    grid = Grid(span=50.0, size=256)
    claim = Exponential(2000.0)
    pmf = layer_pmf(claim, deductible=300.0, limit=limit, grid=grid)
    exact = 2000.0 * (math.exp(-300 / 2000) - math.exp(-(300 + limit) / 2000))
    assert (pmf >= 0).all() and pmf.sum() == pytest.approx(1.0, abs=1e-14)
    assert moments(pmf, grid)[0] == pytest.approx(exact, rel=1e-12)
    assert layer_mean(claim, deductible=300.0, limit=limit) == pytest.approx(exact, rel=1e-14)


def test_an_unlimited_layer_lumps_the_tail_in_the_last_cell_and_loses_its_excess_mean():
    grid = Grid(span=100.0, size=64)  # the grid ends at 6,300 CNY, 3.15 mean claims
    claim = Exponential(2000.0)
    pmf = layer_pmf(claim, deductible=0.0, limit=math.inf, grid=grid)
    lost = layer_mean(claim, deductible=0.0, limit=math.inf) - moments(pmf, grid)[0]
    assert lost == pytest.approx(2000.0 * math.exp(-6300 / 2000), rel=1e-10)  # E[(Y − 6300)+]
    assert pmf[-1] == pytest.approx((claim.lev(6300.0) - claim.lev(6200.0)) / 100, rel=1e-12)


# --- compound Poisson by FFT -----------------------------------------------------------


def lognormal_layer(size=1024):
    """Poisson(3) claims of Lognormal(10, 1.5), 1e6 xs 1e4, on a grid that holds S."""
    grid = Grid(span=1e6 / 128, size=size, tilt=4.0 / size)
    return grid, layer_pmf(CLAIM, deductible=1e4, limit=1e6, grid=grid)


def test_compound_poisson_has_mean_lambda_ey_and_variance_lambda_ey2():
    grid, layer = lognormal_layer()
    first, second = moments(layer, grid)
    pmf = compound_poisson([[3.0]], layer[None], grid)[0]
    mean, raw = moments(pmf, grid)
    assert mean == pytest.approx(3 * first, rel=1e-10)
    assert raw - mean**2 == pytest.approx(3 * second, rel=1e-9)


def test_fft_equals_panjer_on_the_same_lattice():
    grid, layer = lognormal_layer()
    fft = compound_poisson([3.0], layer[None], grid)
    assert np.abs(fft - panjer_pmf(3.0, layer, grid.size)).max() < 1e-10


def test_classes_add_up_as_independent_compound_poissons():
    grid, layer = lognormal_layer()
    other = layer_pmf(Exponential(3e5), deductible=0.0, limit=1e6, grid=grid)
    two = compound_poisson([1.0, 0.5], np.stack([layer, other]), grid)
    mixed = (1.0 * layer + 0.5 * other) / 1.5  # compound Poisson(1.5) of the mixture
    assert np.abs(two - panjer_pmf(1.5, mixed, grid.size)).max() < 1e-10


def test_the_tilt_keeps_mass_beyond_the_grid_from_wrapping_onto_small_amounts():
    # Poisson(60) claims of mean 10 cells: S has mean 600 cells, beyond the grid of 512, and
    # the aggregate limit is 256 cells. Without the tilt most of S would land on 0 … 511.
    size = 512
    claim, cells_below_limit = Exponential(10.0), slice(0, 257)
    layer = layer_pmf(claim, deductible=0.0, limit=math.inf, grid=Grid(span=1.0, size=size))
    exact = panjer_pmf(60.0, layer, size)
    assert exact.sum() < 0.5
    for tilt, tolerance in ((20.0 / size, 1e-10), (0.0, None)):
        grid = Grid(span=1.0, size=size, tilt=tilt)
        error = np.abs(compound_poisson([60.0], layer[None], grid) - exact)[cells_below_limit]
        if tolerance:
            assert error.max() < tolerance
        else:
            assert error.max() > 1e-4  # the guard is needed: without it, aliasing shows


def test_a_row_is_the_same_alone_or_in_a_batch_bit_for_bit():
    grid, layer = lognormal_layer(size=256)
    layers = np.stack([layer, layer_pmf(Exponential(2e5), deductible=0.0, limit=1e6, grid=grid)])
    rng = np.random.default_rng(7)
    counts = rng.gamma(0.5, 1.0, size=(300, 2)) * (rng.random((300, 2)) < 0.7)
    batch = compound_poisson(counts, layers, grid)
    stats = capped_statistics(batch, grid, 2e6)
    for i in (0, 3, 127, 128, 299):
        alone = compound_poisson(counts[i], layers, grid)
        assert np.array_equal(alone, batch[i])
        one = capped_statistics(alone, grid, 2e6)
        assert (one.mean, one.std, one.tvar) == (stats.mean[i], stats.std[i], stats.tvar[i])
    assert np.array_equal(compound_poisson(counts[:5], layers, grid), batch[:5])


def test_fft_agrees_with_monte_carlo_on_the_continuous_severity():
    rng = np.random.default_rng(2026)
    layer = {"deductible": 1e4, "per_claim_limit": 1e6}
    sims = monte_carlo_aggregate(3.0, CLAIM, n_sims=200_000, rng=rng, **layer)
    loss = aggregate_loss(3.0, CLAIM, **layer)
    standard_error = sims.std() / math.sqrt(len(sims))
    assert abs(loss.mean - sims.mean()) < 4 * standard_error
    h = loss.grid.span
    for p in (0.5, 0.9, 0.99):
        x = np.quantile(sims, p)
        slack = 4 * math.sqrt(p * (1 - p) / len(sims))
        assert loss.cdf(x - h) - slack <= p <= loss.cdf(x + h) + slack


# --- capped statistics ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "mean", "second", "var", "tvar"),
    [  # pmf 0.5, 0.2, 0.2, 0.1 on 0, 1, 2, 3; p = 0.8
        (math.inf, 0.9, 0.2 + 0.8 + 0.9, 2.0, (0.1 * 3 + 2 * 0.1) / 0.2),
        (2.5, 0.85, 0.2 + 0.8 + 0.625, 2.0, (0.1 * 2.5 + 2 * 0.1) / 0.2),
        (1.0, 0.5, 0.5, 1.0, 1.0),
        (0.5, 0.25, 0.125, 0.5, 0.5),
    ],
)
def test_capped_statistics_equal_hand_sums(limit, mean, second, var, tvar):
    stats = capped_statistics([0.5, 0.2, 0.2, 0.1], Grid(span=1.0, size=4), limit, tvar_level=0.8)
    assert stats.mean == pytest.approx(mean, rel=1e-14)
    assert stats.std == pytest.approx(math.sqrt(second - mean**2), rel=1e-13)
    assert stats.quantile == pytest.approx(var, rel=1e-14)
    assert stats.tvar == pytest.approx(tvar, rel=1e-13)


def test_mass_missing_from_the_grid_counts_as_reaching_the_limit():
    stats = capped_statistics([0.6, 0.3], Grid(span=1.0, size=2), 5.0, tvar_level=0.95)
    assert stats.mean == pytest.approx(0.3 + 0.1 * 5.0)
    assert stats.quantile == 5.0 and stats.tvar == pytest.approx(5.0)


def test_capped_statistics_agree_with_a_capped_sample():
    grid, layer = lognormal_layer()
    pmf = compound_poisson([3.0], layer[None], grid)
    rng = np.random.default_rng(11)
    sample = np.minimum(rng.choice(grid.points, size=1_000_000, p=pmf / pmf.sum()), 1.5e6)
    stats = capped_statistics(pmf, grid, 1.5e6, tvar_level=0.99)
    assert abs(stats.mean - sample.mean()) < 4 * sample.std() / 1000
    assert stats.std == pytest.approx(sample.std(), rel=0.01)
    worst = np.sort(sample)[-10_000:]  # the worst 1% exactly: 10,000 of 1,000,000
    assert stats.tvar == pytest.approx(worst.mean(), rel=0.01)


small_pmfs = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40).filter(lambda w: sum(w) > 0)
limits = st.lists(st.floats(1e-3, 60.0), min_size=1, max_size=8)


@given(small_pmfs, limits, st.floats(0.5, 0.999))
def test_expected_capped_lies_between_zero_and_the_mean_and_the_limit(weights, caps, level):
    size = 1 << max(1, (len(weights) - 1).bit_length())
    pmf = np.zeros(size)
    pmf[: len(weights)] = np.asarray(weights) / sum(weights)
    grid = Grid(span=1.5, size=size)
    caps = np.sort(caps)
    stats = capped_statistics(pmf, grid, caps, tvar_level=level)
    uncapped = pmf @ grid.points
    slack = 1e-12 * (1 + uncapped)
    assert (stats.mean >= 0).all()
    assert (stats.mean <= np.minimum(uncapped, caps) + slack).all()
    assert (np.diff(stats.mean) >= -slack).all()  # never falls as the limit rises
    assert (stats.tvar >= stats.mean - slack).all()
    assert (stats.tvar <= caps + slack).all()


# --- the whole risk ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer",
    [{}, {"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": 1e4}],
    ids=["unlimited", "1e6 xs 1e4, aggregate 3e6"],
)
def test_the_automatic_grid_gets_the_mean_right_to_1e_5(layer):
    loss = aggregate_loss(3.0, CLAIM, **layer)
    assert abs(loss.discretisation_error) < 1e-5
    limit = layer.get("per_claim_limit", math.inf)
    exact = 3 * layer_mean(CLAIM, deductible=layer.get("deductible", 0.0), limit=limit)
    assert loss.expected_capped(math.inf) == pytest.approx(exact, rel=1e-5)
    assert loss.mean <= loss.tvar(0.99) <= layer.get("aggregate_limit", math.inf)


def test_choose_grid_puts_the_limit_on_a_cell_and_covers_the_aggregate():
    grid = choose_grid(CLAIM, frequency_mean=3.0, deductible=1e4, limit=1e6, aggregate_limit=3e6)
    assert grid.size & (grid.size - 1) == 0
    assert 1e6 / grid.span == pytest.approx(round(1e6 / grid.span), abs=1e-9)
    assert (grid.size - 1) * grid.span > 3e6


def test_defence_inside_is_a_layer_of_the_grossed_up_claim():
    claim, scaled = Exponential(1e5), Exponential(1.2e5)
    grid = Grid(span=5000.0, size=1024, tilt=4 / 1024)
    terms = {"deductible": 1e4, "per_claim_limit": 5e5, "aggregate_limit": 1e6, "grid": grid}
    inside = aggregate_loss(0.8, claim, defence_ratio=0.2, **terms)
    assert np.abs(inside.pmf - aggregate_loss(0.8, scaled, **terms).pmf).max() < 1e-14


def test_defence_outside_is_paid_on_top_without_eroding_the_limit():
    claim = Exponential(1e5)
    terms = {"deductible": 1e4, "per_claim_limit": 5e5, "aggregate_limit": 6e5}
    outside = aggregate_loss(2.0, claim, defence_ratio=0.2, defence_inside=False, **terms)
    bare = aggregate_loss(2.0, claim, **terms)
    uncapped = bare.expected_capped(math.inf)
    assert outside.mean == pytest.approx(bare.mean + 0.2 * uncapped, rel=1e-12)
    assert outside.expected_capped(6e5) == pytest.approx(outside.mean, rel=1e-12)
    unlimited = aggregate_loss(2.0, claim, defence_ratio=0.2, defence_inside=False)
    plain = aggregate_loss(2.0, claim)
    assert unlimited.tvar(0.99) == pytest.approx(1.2 * plain.tvar(0.99), rel=1e-12)
    assert unlimited.std == pytest.approx(1.2 * plain.std, rel=1e-12)


def test_quantile_and_cdf_agree():
    loss = aggregate_loss(1.5, CLAIM, per_claim_limit=2e6, aggregate_limit=4e6)
    for p in (0.3, 0.9, 0.995):
        q = loss.quantile(p)
        assert loss.cdf(q) >= p > loss.cdf(q - loss.grid.span / 2)
    assert loss.cdf(4e6) == pytest.approx(1.0) and loss.cdf(-1.0) == 0.0
    assert loss.cv == pytest.approx(loss.std / loss.mean)


def test_no_claims_cost_nothing():
    loss = aggregate_loss(0.0, CLAIM, per_claim_limit=1e6)
    assert (loss.mean, loss.std, loss.tvar(0.99), loss.discretisation_error) == (0, 0, 0, 0)
    assert math.isnan(loss.cv)


# --- errors ------------------------------------------------------------------------------


def test_a_bad_limit_is_named_with_its_value():
    with pytest.raises(AggregateError) as error:
        aggregate_loss(3.0, CLAIM, per_claim_limit=-5.0)
    assert str(error.value) == "per_claim_limit must be > 0; got (per_claim_limit=-5.0)"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("frequency_mean", -1.0),
        ("frequency_mean", math.nan),
        ("frequency_mean", math.inf),
        ("deductible", -1.0),
        ("deductible", math.nan),
        ("per_claim_limit", 0.0),
        ("per_claim_limit", math.nan),
        ("aggregate_limit", -1.0),
        ("defence_ratio", -0.1),
    ],
)
def test_bad_inputs_raise_an_error_naming_the_parameter(field, value):
    arguments = {"frequency_mean": 3.0, field: value}
    with pytest.raises(AggregateError, match=f"^{field} must be .*; got \\({field}="):
        aggregate_loss(arguments.pop("frequency_mean"), CLAIM, **arguments)


UNLIMITED = {"frequency_mean": 1.0, "deductible": 0.0, "limit": math.inf, "aggregate_limit": 1e9}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Grid(span=0.0, size=8), "span"),
        (lambda: Grid(span=1.0, size=1000), "size"),
        (lambda: Grid(span=1.0, size=8, tilt=-1.0), "tilt"),
        (lambda: compound_poisson([[-1.0]], np.ones((1, 8)) / 8, Grid(1.0, 8)), "claim_counts"),
        (lambda: compound_poisson([1.0, 1.0], np.ones((1, 8)) / 8, Grid(1.0, 8)), "claim_counts"),
        (lambda: compound_poisson([1.0], np.ones((1, 4)) / 4, Grid(1.0, 8)), "layer_pmfs"),
        (lambda: capped_statistics(np.ones(8) / 8, Grid(1.0, 8), 1.0, tvar_level=1.0), "tvar"),
        (lambda: capped_statistics(np.ones(8) / 8, Grid(1.0, 8), [1.0, math.nan]), "aggregate"),
        (lambda: panjer_pmf(800.0, [0.0, 1.0], 4), "frequency_mean"),
        (lambda: choose_grid(Heavy(), **UNLIMITED), "per_claim_limit"),  # infinite mean
    ],
)
def test_the_other_entry_points_name_what_is_wrong(call, field):
    with pytest.raises(AggregateError, match=f"^{field}"):
        call()
