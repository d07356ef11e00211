"""The per-claim layer on a lattice, and the lattice itself, for the aggregate by FFT.

The per-claim payment of a layer ``L xs d`` is Y = min(max(X − d, 0), L), in CNY. Its limited
expected value needs nothing but the severity's LEV (*Loss Models*, ch. 8)::

    E[Y ∧ y] = LEV(d + min(y, L)) − LEV(d)

and from it the mean-preserving discretisation of *Loss Models* ch. 9 ("method of local
moment matching" of order 1, also called rounding with LEV): on the lattice 0, h, 2h, …

    f_0 = 1 − E[Y ∧ h]/h,   f_j = (2E[Y ∧ jh] − E[Y ∧ (j−1)h] − E[Y ∧ (j+1)h])/h.

``choose_grid`` picks the lattice: span, size and the exponential tilt of Grübel &
Hermesmeier (1999) that keeps mass beyond the grid from wrapping round in the FFT.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pricing.errors import PricingError

__all__ = ["AggregateError", "Grid", "HasLev", "choose_grid", "layer_mean", "layer_pmf"]

TILT = 4.0  # θ·n on choose_grid's grids; see choose_grid, step 4
MEAN_TOLERANCE = 1e-6  # share of the aggregate mean choose_grid may leave beyond the grid
MASS_TOLERANCE = 1e-10  # probability choose_grid may leave beyond the grid
CELLS_PER_CLAIM = 8  # lattice cells per mean layer payment (resolution of the body)
CELLS_PER_AGGREGATE_LIMIT = 256
MAX_SIZE = 2**20
COARSEST_CELL = 2.0  # mean layer payments a cell may hold when MAX_SIZE cells cannot reach T
MIN_SIZE = 64


class AggregateError(PricingError):
    """A frequency, layer, grid or lattice distribution outside its domain; names the value."""


class HasLev(Protocol):
    """All the aggregate needs of a claim severity (amounts in CNY)."""

    def lev(self, x: np.ndarray) -> np.ndarray:
        """E[min(X, x)], vectorised."""
        ...

    @property
    def mean(self) -> float:
        """E[X]; used for unlimited layers."""
        ...

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent claim amounts (Monte Carlo cross-checks only)."""
        ...


def require(ok: bool, field: str, value: object, rule: str) -> None:
    """Raise ``AggregateError`` naming ``field`` and ``value`` unless ``ok``."""
    if not ok:
        raise AggregateError(f"must be {rule}", field=field, value=value)


def require_all(ok: np.ndarray, field: str, values: np.ndarray, rule: str) -> None:
    """Raise ``AggregateError`` naming ``field`` and the first of ``values`` not ``ok``."""
    if not np.all(ok):
        require(False, field, float(np.asarray(values)[~np.asarray(ok)].flat[0]), rule)


@dataclass(frozen=True)
class Grid:
    """The lattice 0, h, …, (n − 1)h in CNY on which claims and aggregates live.

    ``span`` h is CNY per cell; ``size`` n the number of cells, a power of two; ``tilt`` θ ≥ 0
    the exponential tilt per cell: the FFT works on p_k·e^(−θk), so mass that falls beyond the
    grid comes back round scaled by e^(−θn), while round-off in cell k grows by e^(θk)
    (Grübel & Hermesmeier 1999; Embrechts & Frei 2009).
    """

    span: float
    size: int
    tilt: float = 0.0

    def __post_init__(self) -> None:
        require(math.isfinite(self.span) and self.span > 0, "span", self.span, "finite and > 0")
        size = self.size
        power = isinstance(size, int | np.integer) and size >= 2 and size & (size - 1) == 0
        require(power, "size", size, "a power of two >= 2")
        finite = math.isfinite(self.tilt) and self.tilt >= 0
        require(finite and self.tilt * size <= 700, "tilt", self.tilt, "in [0, 700/size]")

    @property
    def points(self) -> np.ndarray:
        """The amounts k·h, CNY."""
        return np.arange(self.size) * self.span


def layer_mean(severity: HasLev, *, deductible: float, limit: float) -> float:
    """E[Y] = LEV(d + L) − LEV(d) CNY per claim, or mean − LEV(d) when L = ∞."""
    base = float(np.asarray(severity.lev(np.array([deductible])))[0])
    if math.isinf(limit):
        return max(float(severity.mean) - base, 0.0)
    return max(float(np.asarray(severity.lev(np.array([deductible + limit])))[0]) - base, 0.0)


def layer_pmf(severity: HasLev, *, deductible: float, limit: float, grid: Grid) -> np.ndarray:
    """Mean-preserving lattice pmf (size n) of the per-claim layer Y = min((X − d)+, L).

    *Loss Models* ch. 9, local moment matching. The discrete mean is E[Y ∧ (n−1)h]: exact whenever
    ⌈L/h⌉ ≤ n − 1 (the atom at L lands on a cell, and the second moment too is right, when L
    is a multiple of h); otherwise the mass of Y beyond (n−1)h sits in the last cell and the
    mean lost, ``layer_mean(…) − pmf @ grid.points``, shows in
    ``AggregateLoss.discretisation_error``.

    >>> class Exponential:  # mean 1 CNY
    ...     mean = 1.0
    ...     def lev(self, x): return -np.expm1(-np.asarray(x))
    >>> pmf = layer_pmf(Exponential(), deductible=0.0, limit=2.0, grid=Grid(span=0.5, size=8))
    >>> round(float(pmf @ Grid(span=0.5, size=8).points), 12) == round(1 - math.exp(-2), 12)
    True
    """
    _check_layer(deductible, limit)
    limited = np.minimum(grid.points, limit)
    values = np.asarray(severity.lev(deductible + limited), dtype=np.float64)
    return rounded_pmf(values - values[0], grid.span)


def rounded_pmf(limited_means: np.ndarray, span: float) -> np.ndarray:
    """The rounding pmf from g_j = E[Y ∧ jh], j = 0 … n−1; what lies beyond goes to n−1.

    Δ_j = (g_{j+1} − g_j)/h is the mean of P(Y > y) over cell j. It is clipped to [0, 1] and
    made non-increasing, which only removes round-off, so that every f_j ≥ 0 and Σ f_j = 1.
    """
    slopes = np.clip(np.diff(limited_means) / span, 0.0, 1.0)
    slopes = np.minimum.accumulate(slopes)
    return -np.diff(np.concatenate(([1.0], slopes, [0.0])))


def _check_layer(deductible: float, limit: float) -> None:
    ok = math.isfinite(deductible) and deductible >= 0
    require(ok, "deductible", deductible, "finite and >= 0")
    require(limit > 0, "per_claim_limit", limit, "> 0")


def choose_grid(
    severity: HasLev,
    *,
    frequency_mean: float,
    deductible: float,
    limit: float,
    aggregate_limit: float,
    size: int | None = None,
) -> Grid:
    """A lattice on which the aggregate mean is right to ~1e-6 relative, automatically.

    1. **Cover.** A top T such that the claims beyond the grid carry less than
       ``MEAN_TOLERANCE`` of the mean and ``MASS_TOLERANCE`` of the probability. Cantelli's
       bound would ask for 10⁵ standard deviations at 1e-10, so instead: claims above a point u
       are bounded from the LEV alone (E[Y; Y > u] ≤ 2(E[Y] − E[Y ∧ u/2])), and the sum of the
       claims capped at u by a Chernoff bound on a coarse lattice (``_chernoff_top``).
    2. **Resolution.** ``CELLS_PER_CLAIM`` cells per mean layer payment and at least
       ``CELLS_PER_AGGREGATE_LIMIT`` below the aggregate limit; size the next power of two,
       between ``MIN_SIZE`` and ``MAX_SIZE``. Past it the span grows, up to
       ``COARSEST_CELL`` mean payments a cell, then the cover shrinks instead: the mean lost
       shows in ``AggregateLoss.discretisation_error`` (an unlimited Pareto with alpha ≤ 2,
       say), and the quantiles stay sound. An explicit ``size`` overrides all this.
    3. **Span.** T/(n − 1), widened to L/⌊L/h⌋ so the per-claim limit L is a whole number of
       cells (the grid only ever grows); a limit below one cell stays inside the first.
    4. **Tilt** θ = ``TILT``/n = 4/n. The grid already holds all but 1e-10 of the mass, so
       the tilt has little left to damp, while it multiplies round-off, and the level below
       which ``compound_poisson`` takes a cell for empty, by e^(θk): at most e^4 ≈ 55 here,
       against e^20 ≈ 5e8 for the customary 20/n. That value suits grids that stop near the
       aggregate limit with much mass beyond (the rating engine's); on these long grids it
       would cost up to ~1e-6 of the mean, measured, from the far tail.
    """
    ok = math.isfinite(frequency_mean) and frequency_mean >= 0
    require(ok, "frequency_mean", frequency_mean, "finite and >= 0")
    _check_layer(deductible, limit)
    require(aggregate_limit > 0, "aggregate_limit", aggregate_limit, "> 0")
    claim = layer_mean(severity, deductible=deductible, limit=limit)
    ok = math.isfinite(claim)
    require(ok, "per_claim_limit", limit, "finite when the claim mean is infinite")
    top = _cover(severity, frequency_mean, deductible, limit, claim)
    if size is None:
        wanted = claim / CELLS_PER_CLAIM if claim > 0 else top
        if math.isfinite(aggregate_limit):
            wanted = min(wanted, aggregate_limit / CELLS_PER_AGGREGATE_LIMIT)
        cells = max(top / wanted + 1, MIN_SIZE)
        size = min(1 << math.ceil(math.log2(cells)), MAX_SIZE)
        span = top / (size - 1)
        if claim > 0:  # at MAX_SIZE: coarsen to COARSEST_CELL claims a cell, then lose cover
            span = min(span, COARSEST_CELL * claim)
    else:
        span = top / (size - 1)
    if math.isfinite(limit) and limit >= span:
        span = limit / math.floor(limit / span)
    return Grid(span=span, size=size, tilt=TILT / size)


def _cover(
    severity: HasLev, frequency: float, deductible: float, limit: float, claim: float
) -> float:
    """The top T of the grid, CNY; see ``choose_grid`` step 1."""
    if claim == 0 or frequency == 0:
        return limit if math.isfinite(limit) else max(claim, 1.0)
    base = float(np.asarray(severity.lev(np.array([deductible])))[0])

    def limited(y: np.ndarray) -> np.ndarray:  # E[Y ∧ y]
        return np.asarray(severity.lev(deductible + np.minimum(y, limit))) - base

    u = np.minimum(claim * 2.0 ** (np.arange(0, 4 * 160) / 4), 2 * limit)
    excess = np.maximum(claim - limited(u / 2), 0.0)  # E[(Y − u/2)+]
    fine = (2 * excess <= MEAN_TOLERANCE / 2 * claim) & (
        frequency * 2 * excess / u <= MASS_TOLERANCE / 2
    )
    if not fine.any():
        raise AggregateError(
            "light enough in the tail for a grid of 2**160 mean claims",
            field="severity",
            value=severity,
        )
    u_cap = min(float(u[np.argmax(fine)]), limit)
    return _chernoff_top(limited, u_cap, frequency, claim)


def _chernoff_top(
    limited: Callable[[np.ndarray], np.ndarray],
    u: float,
    frequency: float,
    claim: float,
    cells: int = 2048,
) -> float:
    """Smallest t, CNY, with P(S′ > t) ≤ ε/2 and E[S′; S′ > t] ≤ τ/2·E[S], S′ the sum of the
    claims capped at u. By Chernoff, for every θ > 0:

        P(S′ > t) ≤ exp(−θt + λ(M(θ) − 1)),  E[S′; S′ > t] ≤ e^(−θt)·λM′(θ)·e^(λ(M(θ) − 1)),

    minimised over θ on a geometric grid. M is the MGF of the rounded pmf of Y ∧ u on
    ``cells`` cells; by Jensen it bounds the true MGF from above (rounding spreads each cell's
    mass to its two ends).
    """
    span = u / cells
    pmf = rounded_pmf(limited(np.arange(cells + 1) * span), span)
    y = np.arange(cells + 1) * span
    theta = np.geomspace(1e-3, 600.0, 240)[:, None] / u
    with np.errstate(over="ignore"):
        growth = frequency * (np.expm1(theta * y) @ pmf)  # λ(M(θ) − 1)
        slope = frequency * ((y * np.exp(theta * y)) @ pmf)  # λM′(θ)
    theta = theta[:, 0]
    mass = (growth - math.log(MASS_TOLERANCE / 2)) / theta
    mean = (np.log(slope) + growth - math.log(MEAN_TOLERANCE / 2 * frequency * claim)) / theta
    return max(float(np.min(mass)), float(np.min(mean)))
