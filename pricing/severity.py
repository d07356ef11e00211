"""Claim severity: the cost of one claim in CNY, and the expected cost of a layer of it.

Three families, each a frozen dataclass of its parameters:

- ``Lognormal(mu, sigma)``: ln X ~ Normal(mu, sigma²), so exp(mu) is the median claim in CNY.
- ``Pareto(alpha, theta)``: the Lomax (Pareto type II) on [0, ∞), S(x) = (theta/(theta + x))^alpha,
  the "Pareto" of Klugman, Panjer & Willmot, *Loss Models*, appendix A.
- ``SplicedLognormalPareto``: a lognormal body truncated to (0, threshold] with weight
  ``body_weight``, spliced to a single-parameter (type I) Pareto tail above the threshold
  (*Loss Models*, ch. 5, splicing). This is the severity of DESIGN.md §2 step 4.

Every family prices layers from its limited expected value LEV(x) = E[min(X, x)] =
∫_0^x S(t) dt, in closed form; a layer ``limit xs deductible`` costs LEV(d + L) − LEV(d) per
claim. Differences of LEVs lose only ~1e-16 × LEV(d + L) CNY to rounding, far below a fen.

>>> round(Lognormal(mu=11.0, sigma=1.5).layer_cost(100_000, 1_000_000))
92998
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol, Self, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from pricing.errors import PricingError

__all__ = ["Lognormal", "Pareto", "Severity", "SeverityError", "SplicedLognormalPareto"]

FloatOrArray = float | NDArray[np.float64]


class SeverityError(PricingError):
    """A severity parameter, amount or claim data set outside its domain; names the value.

    >>> Lognormal(mu=10.0, sigma=-1.0)
    Traceback (most recent call last):
    ...
    pricing.severity.SeverityError: sigma must be > 0; got (sigma=-1.0)
    """


@runtime_checkable
class Severity(Protocol):
    """What the rest of pricing may rely on in a claim-severity distribution (amounts in CNY)."""

    @property
    def mean(self) -> float: ...
    def cdf(self, x: ArrayLike) -> FloatOrArray: ...
    def sf(self, x: ArrayLike) -> FloatOrArray: ...
    def lev(self, x: ArrayLike) -> FloatOrArray: ...
    def layer_cost(self, deductible: ArrayLike, limit: ArrayLike) -> FloatOrArray: ...
    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]: ...
    def scaled(self, factor: float) -> Self: ...


def _require(name: str, value: float, rule: str, ok: bool) -> None:
    if not ok:
        raise SeverityError(f"must be {rule}", field=name, value=value)


def _finite(name: str, value: float) -> None:
    _require(name, value, "finite", math.isfinite(value))


def _positive(name: str, value: float) -> None:
    _finite(name, value)
    _require(name, value, "> 0", value > 0)


def _amounts(name: str, values: ArrayLike, rule: str, ok) -> NDArray[np.float64]:
    """``values`` as a float array, refusing the first element for which ``ok`` is false."""
    array = np.asarray(values, dtype=float)
    bad = ~ok(array)
    if bad.any():
        _require(name, array[bad][0], rule, False)
    return array


def _out(array: NDArray[np.float64]) -> FloatOrArray:
    return float(array) if np.ndim(array) == 0 else array


def _power_integral(c: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """∫_0^u exp(−c·s) ds = (1 − exp(−c·u))/c, and u when c = 0; +inf allowed for u.

    Both Pareto LEVs reduce to it with s = ln((theta + t)/theta), resp. s = ln(t/threshold).
    """
    if c == 0:
        return u
    return -np.expm1(-c * u) / c


class _ClaimSeverity:
    """cdf, sf, pdf and lev for any real x, and layer pricing from lev alone.

    Subclasses define ``_cdf``, ``_sf``, ``_pdf`` and ``_lev`` on x in [0, ∞] (NaN passes).
    """

    def _at(self, method, x: ArrayLike, below_zero) -> FloatOrArray:
        x = np.asarray(x, dtype=float)
        return _out(np.where(x < 0, below_zero(x), method(np.maximum(x, 0.0))))

    def cdf(self, x: ArrayLike) -> FloatOrArray:
        """P(X ≤ x)."""
        return self._at(self._cdf, x, np.zeros_like)

    def sf(self, x: ArrayLike) -> FloatOrArray:
        """P(X > x) = 1 − cdf(x), computed directly so that far tails keep their precision."""
        return self._at(self._sf, x, np.ones_like)

    def pdf(self, x: ArrayLike) -> FloatOrArray:
        """Density per CNY."""
        return self._at(self._pdf, x, np.zeros_like)

    def lev(self, x: ArrayLike) -> FloatOrArray:
        """Limited expected value E[min(X, x)] = ∫_0^x S(t) dt in CNY; lev(∞) = mean."""
        return self._at(self._lev, x, lambda negative: negative)

    def layer_cost(self, deductible: ArrayLike, limit: ArrayLike) -> FloatOrArray:
        """Expected payment per claim, in CNY, of ``limit`` xs ``deductible``.

        LEV(d + L) − LEV(d), *Loss Models* ch. 8 (per-loss deductible and policy limit).
        A layer far above all the mass costs ~0 and its difference may round to −1e-12 CNY:
        it is floored at 0.
        """
        d = _amounts("deductible", deductible, "finite and >= 0", lambda a: (a >= 0) & (a < np.inf))
        limit = _amounts("limit", limit, "> 0", lambda a: a > 0)
        return _out(np.maximum(self.lev(d + limit) - self.lev(d), 0.0))

    def increased_limits_factor(self, limit: ArrayLike, *, basic_limit: float) -> FloatOrArray:
        """LEV(limit)/LEV(basic_limit): the cost of a limit relative to the basic limit.

        Miccolis (1977), "On the theory of increased limits and excess of loss pricing", PCAS.
        """
        limit = _amounts("limit", limit, "> 0", lambda a: a > 0)
        _amounts("basic_limit", basic_limit, "> 0", lambda a: a > 0)
        return _out(np.asarray(self.lev(limit) / self.lev(basic_limit)))

    def deductible_credit(
        self, deductible: ArrayLike, *, limit: ArrayLike = np.inf
    ) -> FloatOrArray:
        """Loss elimination ratio 1 − layer_cost(d, L)/LEV(L), in [0, 1] (*Loss Models* ch. 8).

        Where LEV(L) is infinite (a Pareto tail with alpha ≤ 1, unlimited) the credit is 0.
        """
        layer = np.asarray(self.layer_cost(deductible, limit))
        full = np.broadcast_to(np.asarray(self.lev(limit)), layer.shape)
        ratio = np.divide(layer, full, out=np.ones_like(layer), where=np.isfinite(full))
        return _out(1.0 - ratio)


@dataclass(frozen=True)
class Lognormal(_ClaimSeverity):
    """ln X ~ Normal(mu, sigma²), X in CNY (*Loss Models* appendix A, "lognormal").

    S(x) = Φ(−z), z = (ln x − mu)/sigma; mean = exp(mu + sigma²/2);
    LEV(x) = mean·Φ(z − sigma) + x·Φ(−z).
    """

    mu: float
    sigma: float

    def __post_init__(self) -> None:
        _finite("mu", self.mu)
        _positive("sigma", self.sigma)

    @classmethod
    def fit(cls, amounts: ArrayLike) -> Lognormal:
        """Maximum likelihood, closed form: mean and (1/n) standard deviation of ln amounts."""
        from pricing.severity_fit import fit_lognormal  # severity_fit imports this module

        return fit_lognormal(amounts)

    def _z(self, x):
        with np.errstate(divide="ignore"):
            return (np.log(x) - self.mu) / self.sigma

    def _cdf(self, x):
        return ndtr(self._z(x))

    def _sf(self, x):
        return ndtr(-self._z(x))

    def _pdf(self, x):
        density = np.exp(-0.5 * self._z(x) ** 2) / (self.sigma * math.sqrt(2 * math.pi))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, density / x, 0.0)

    def _lev(self, x):
        z = self._z(x)
        x_times_sf = np.where(np.isposinf(x), 0.0, x) * ndtr(-z)  # x·S(x) → 0 as x → ∞
        return self.mean * ndtr(z - self.sigma) + x_times_sf

    @property
    def mean(self) -> float:
        """E[X] = exp(mu + sigma²/2) CNY."""
        return math.exp(self.mu + self.sigma**2 / 2)

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """``n`` independent claim amounts in CNY."""
        return rng.lognormal(self.mu, self.sigma, size=n)

    def scaled(self, factor: float) -> Lognormal:
        """The distribution of factor·X: mu + ln factor."""
        _positive("factor", factor)
        return replace(self, mu=self.mu + math.log(factor))


@dataclass(frozen=True)
class Pareto(_ClaimSeverity):
    """Lomax (Pareto type II) on [0, ∞) (*Loss Models* appendix A, "Pareto").

    S(x) = (theta/(theta + x))^alpha; mean = theta/(alpha − 1) for alpha > 1, else +inf;
    LEV(x) = theta/(alpha − 1)·(1 − (theta/(theta + x))^(alpha − 1)), theta·ln(1 + x/theta)
    at alpha = 1. ``theta`` is in CNY.
    """

    alpha: float
    theta: float

    def __post_init__(self) -> None:
        _positive("alpha", self.alpha)
        _positive("theta", self.theta)

    @classmethod
    def fit(cls, amounts: ArrayLike) -> Pareto:
        """Maximum likelihood over (ln alpha, ln theta); see ``severity_fit.fit_pareto``."""
        from pricing.severity_fit import fit_pareto  # severity_fit imports this module

        return fit_pareto(amounts)

    def _log_ratio(self, x):
        return np.log1p(x / self.theta)  # ln((theta + x)/theta)

    def _cdf(self, x):
        return -np.expm1(-self.alpha * self._log_ratio(x))

    def _sf(self, x):
        return np.exp(-self.alpha * self._log_ratio(x))

    def _pdf(self, x):
        return self.alpha / self.theta * np.exp(-(self.alpha + 1) * self._log_ratio(x))

    def _lev(self, x):
        return self.theta * _power_integral(self.alpha - 1, self._log_ratio(x))

    @property
    def mean(self) -> float:
        """E[X] in CNY; +inf when alpha ≤ 1."""
        return self.theta / (self.alpha - 1) if self.alpha > 1 else math.inf

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """``n`` claim amounts by inversion: theta·(V^(−1/alpha) − 1), V uniform on (0, 1]."""
        return self.theta * np.expm1(-np.log1p(-rng.random(n)) / self.alpha)

    def scaled(self, factor: float) -> Pareto:
        """The distribution of factor·X: theta·factor."""
        _positive("factor", factor)
        return replace(self, theta=self.theta * factor)


@dataclass(frozen=True)
class SplicedLognormalPareto(_ClaimSeverity):
    """Lognormal body on (0, threshold], Pareto type I tail above (*Loss Models* ch. 5).

    f(x) = body_weight·f_LN(x)/F_LN(threshold) for x ≤ threshold;
    S(x) = (1 − body_weight)·(threshold/x)^alpha for x > threshold, i.e. the tail is
    threshold + Lomax(alpha, theta=threshold). ``threshold`` is in CNY; body_weight = 1 leaves
    the truncated lognormal alone.
    """

    mu: float
    sigma: float
    threshold: float
    alpha: float
    body_weight: float

    def __post_init__(self) -> None:
        _positive("threshold", self.threshold)
        _positive("alpha", self.alpha)
        w = self.body_weight
        _require("body_weight", w, "in (0, 1]", 0 < w <= 1)
        mass = self._lognormal.cdf(self.threshold)  # also validates mu and sigma
        _require("threshold", self.threshold, "such that F_LN(threshold) > 0", mass > 0)

    @classmethod
    def fit(cls, amounts: ArrayLike, *, threshold: float) -> SplicedLognormalPareto:
        """Maximum likelihood with the threshold given; see ``severity_fit.fit_spliced``."""
        from pricing.severity_fit import fit_spliced  # severity_fit imports this module

        return fit_spliced(amounts, threshold=threshold)

    @property
    def _lognormal(self) -> Lognormal:
        return Lognormal(mu=self.mu, sigma=self.sigma)

    def _body_lev(self, x):
        """E[min(Y, x)] for Y of the truncated body, x ≤ u: (PE(x) + x·(F(u) − F(x)))/F(u).

        PE(x) = mean_LN·Φ(z − sigma) is the lognormal's partial expectation ∫_0^x t f(t) dt;
        kept as a ratio so that a threshold far below the median loses no precision.
        """
        ln = self._lognormal
        mass = ln.cdf(self.threshold)
        partial = ln.mean * ndtr(ln._z(x) - self.sigma)
        return (partial + x * (mass - ln.cdf(x))) / mass

    def _tail_sf(self, x):
        u = self.threshold
        return (1 - self.body_weight) * (u / np.maximum(x, u)) ** self.alpha

    def _cdf(self, x):
        ln, u = self._lognormal, self.threshold
        body = self.body_weight * ln.cdf(np.minimum(x, u)) / ln.cdf(u)
        return np.where(x <= u, body, 1 - self._tail_sf(x))

    def _sf(self, x):
        return np.where(x <= self.threshold, 1 - self._cdf(x), self._tail_sf(x))

    def _pdf(self, x):
        ln, u = self._lognormal, self.threshold
        body = self.body_weight * ln.pdf(np.minimum(x, u)) / ln.cdf(u)
        return np.where(x <= u, body, self.alpha * self._tail_sf(x) / np.maximum(x, u))

    def _lev(self, x):
        w, u = self.body_weight, self.threshold
        below = np.minimum(x, u)
        lev = w * self._body_lev(below) + (1 - w) * below
        if w == 1:
            return lev
        above = np.log(np.maximum(x, u) / u)
        return lev + (1 - w) * u * _power_integral(self.alpha - 1, above)

    @property
    def mean(self) -> float:
        """w·E[body] + (1 − w)·threshold·alpha/(alpha − 1) CNY; +inf for alpha ≤ 1 and w < 1."""
        w, u, a = self.body_weight, self.threshold, self.alpha
        body = w * float(self._body_lev(u))
        if w == 1:
            return body
        return body + (1 - w) * u * a / (a - 1) if a > 1 else math.inf

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """``n`` claim amounts: body with probability w by inverse cdf, else u·V^(−1/alpha)."""
        in_body = rng.random(n) < self.body_weight
        v = 1.0 - rng.random(n)  # uniform on (0, 1]
        mass = self._lognormal.cdf(self.threshold)
        body = np.exp(self.mu + self.sigma * ndtri(v * mass))
        return np.where(in_body, body, self.threshold * v ** (-1 / self.alpha))

    def scaled(self, factor: float) -> SplicedLognormalPareto:
        """The distribution of factor·X: mu + ln factor, threshold·factor."""
        _positive("factor", factor)
        return replace(self, mu=self.mu + math.log(factor), threshold=self.threshold * factor)
