"""Loss development: the chain ladder and Mack's standard error of its reserves.

A *triangle* is a 2-D float array, origins (accident years, oldest first) × development ages
1..n (years), of **cumulative** amounts, NaN where not yet known. Each row's known cells are a
prefix — an upper-left triangle, or any staircase of prefixes. Results are in the unit of the
triangle (CNY, thousands of USD …); factors are ratios.

The model and its estimators are T. Mack, "Distribution-free calculation of the standard
error of chain ladder reserve estimates", *ASTIN Bulletin* 23(2), 1993, 213–225: the
age-to-age factor f_k, its variance parameter σ²_k, the mean squared error of each origin's
reserve (Theorem 3) and of the total reserve (Corollary); the weights C^α that turn the same
formulas into those of the simple average are T. Mack, "The standard error of chain ladder
reserve estimates: recursive calculation and inclusion of a tail factor", *ASTIN Bulletin*
29(2), 1999, 361–366, as in R's ``ChainLadder::MackChainLadder(alpha=)``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pricing.errors import PricingError

__all__ = ["AVERAGES", "ChainLadder", "TriangleWarning", "read_long_triangle"]

#: The exponent α of Mack (1999) for each average: f_k = Σ C^α F / Σ C^α over the links.
AVERAGES = {"volume": 1.0, "simple": 0.0}


@dataclass(frozen=True)
class TriangleWarning:
    """A cell the fit used with care, or an estimate it could not make.

    ``kind`` is ``"negative"`` (a cumulative cell below 0: links *from* it are left out of the
    factors, and its origin's Mack s.e. is undefined), ``"decrease"`` (a cumulative cell below
    the one before it: kept, as filed — salvage, subrogation, a case reserve taken down),
    ``"zero_base"`` (a cell of 0 followed by a non-zero one: a link from 0 has no ratio and is
    left out) or ``"sigma"`` (σ² of the step from ``age`` could be neither estimated nor
    extrapolated, so the Mack s.e. that need it are NaN). ``row`` is the 0-based origin row
    (None for ``"sigma"``), ``age`` the 1-based development age of the cell, ``value`` the
    cell and ``neighbour`` the cell before it (``decrease``) or after it (``zero_base``).
    """

    kind: str
    age: int
    row: int | None = None
    value: float = math.nan
    neighbour: float = math.nan

    def describe(self, origin: object = None) -> str:
        """The warning in words, naming the origin by ``origin`` (default: its row).

        >>> TriangleWarning("decrease", 3, row=1, value=90.0, neighbour=100.0).describe(1982)
        'origin 1982, age 3: cumulative value fell from 100 to 90; kept in the factors'
        """
        where = f"origin {origin if origin is not None else f'row {self.row}'}, age {self.age}"
        if self.kind == "negative":
            return (
                f"{where}: cumulative value {self.value:g} is negative; links from it are left "
                "out and the origin's Mack s.e. is undefined"
            )
        if self.kind == "decrease":
            return (
                f"{where}: cumulative value fell from {self.neighbour:g} to {self.value:g}; "
                "kept in the factors"
            )
        if self.kind == "zero_base":
            return (
                f"{where}: value 0 is followed by {self.neighbour:g}; a link from 0 has no "
                "ratio and is left out of the factors"
            )
        return (
            f"development age {self.age}: sigma² of the step to age {self.age + 1} has fewer "
            "than 2 links and fewer than 2 earlier estimates to extrapolate from; Mack s.e. "
            "that need it are NaN"
        )


class ChainLadder:
    """The chain ladder with Mack's (1993) standard errors, fitted scikit-learn style.

    ``average`` is ``"volume"`` (f_k = Σ_i C_{i,k+1} / Σ_i C_ik, Mack's estimator) or
    ``"simple"`` (the mean of the link ratios F_ik = C_{i,k+1} / C_ik); ``tail`` the factor
    from the last age to ultimate, a known constant (default 1: no development after age n).
    A *link* (i, k) is usable when C_ik > 0 and C_{i,k+1} is known; only usable links enter
    f_k and σ²_k. ``fit(triangle)`` sets, in the triangle's unit (m origins, n ages):

    - ``ldf_`` (n − 1,) the age-to-age factors f_k, age k → k + 1, without the tail;
    - ``cdf_`` (n,) the factor to ultimate from each age, tail included (``cdf_[-1] = tail``);
    - ``sigma2_`` (n − 1,) σ̂²_k = Σ_i C_ik^α (F_ik − f_k)² / (n_k − 1) over the n_k usable
      links. A step with fewer than 2 links (the last, in a plain triangle) takes Mack's
      extrapolation min(σ̂⁴_{k−1} / σ̂²_{k−2}, σ̂²_{k−2}, σ̂²_{k−1}) (Mack 1993);
    - ``latest_`` and ``latest_age_`` (m,) each origin's last known cell and its 1-based age;
    - ``full_triangle_`` (m, n) the known cells and the projected ones, without the tail;
    - ``ultimate_`` = latest × cdf at the latest age, ``ibnr_`` = ultimate − latest (the
      reserve, whether the triangle is paid or incurred), ``total_ibnr_`` their sum;
    - ``mack_se_`` (m,) √mse of each origin's reserve (Mack 1993, Theorem 3, generalised by
      C^α as in Mack 1999): Ĉ²_in Σ_{k ≥ a_i} (σ̂²_k / f̂²_k)(1 / Ĉ^α_ik + 1 / Σ_j C^α_jk);
    - ``total_mack_se_`` √mse of the total reserve (Mack 1993, Corollary): the origins'
      mse plus 2 Ĉ_in Ĉ_jn Σ_k (σ̂²_k / f̂²_k) / Σ_l C^α_lk for every pair of origins, over the
      steps both have still to develop;
    - ``warnings_`` a list of :class:`TriangleWarning`: negative cells, decreases and links
      from 0 are fitted as described there and reported, never dropped in silence.

    With a tail, the reserve is tail · Ĉ_in − latest with the tail known, so both standard
    errors are the tail times those without it (no tail variance is estimated). A full
    square has no reserve and a zero s.e.; an origin whose latest cell is 0 stays 0.

    >>> nan = np.nan  # the RAA triangle's first four origins and ages (Mack 1994)
    >>> raa = [[5012, 8269, 10907, 11805], [106, 4285, 5396, nan], [3410, 8992, nan, nan],
    ...        [5655, nan, nan, nan]]
    >>> fit = ChainLadder().fit(raa)
    >>> fit.ldf_.round(4).tolist(), fit.ibnr_.round(1).tolist()
    ([2.5265, 1.2986, 1.0823], [0.0, 444.3, 3646.7, 14426.6])
    >>> fit.mack_se_.round(1).tolist(), round(fit.total_mack_se_, 1)
    ([0.0, 3.2, 426.8, 38090.3], 38095.9)
    """

    def __init__(self, average: str = "volume", tail: float = 1.0) -> None:
        self.average = average
        self.tail = tail

    def fit(self, triangle: ArrayLike) -> ChainLadder:
        """Estimate the factors, project the triangle and compute Mack's standard errors."""
        alpha, tail = self._hyperparameters()
        c = _checked_triangle(triangle)
        latest_age = (~np.isnan(c)).sum(axis=1)
        latest = c[np.arange(c.shape[0]), latest_age - 1]
        usable = ~np.isnan(c[:, 1:]) & (c[:, :-1] > 0)
        _require_links(usable)
        weight = np.where(usable, np.where(usable, c[:, :-1], 1.0) ** alpha, 0.0)
        ratio = np.where(usable, c[:, 1:] / np.where(usable, c[:, :-1], 1.0), 0.0)
        self.ldf_ = (weight * ratio).sum(axis=0) / weight.sum(axis=0)
        self.sigma2_, sigma_warnings = _sigma2(weight, ratio, self.ldf_, usable.sum(axis=0))
        self.cdf_ = np.append(np.cumprod(self.ldf_[::-1])[::-1], 1.0) * tail
        self.full_triangle_ = _projected(c, self.ldf_)
        self.latest_, self.latest_age_ = latest, latest_age
        self.ultimate_ = latest * self.cdf_[latest_age - 1]
        self.ibnr_ = self.ultimate_ - latest
        self.total_ibnr_ = float(self.ibnr_.sum())
        mse, total_mse = _mack_mse(self, weight.sum(axis=0), alpha)
        self.mack_se_ = tail * np.sqrt(mse)
        self.total_mack_se_ = tail * math.sqrt(total_mse) if total_mse >= 0 else math.nan
        self.warnings_ = _cell_warnings(c) + sigma_warnings
        return self

    def _hyperparameters(self) -> tuple[float, float]:
        if self.average not in AVERAGES:
            raise PricingError(
                f"must be one of {sorted(AVERAGES)}", field="average", value=self.average
            )
        tail = float(self.tail)
        if not (math.isfinite(tail) and tail > 0):
            raise PricingError("must be finite and > 0", field="tail", value=self.tail)
        return AVERAGES[self.average], tail


def _checked_triangle(triangle: ArrayLike) -> NDArray[np.float64]:
    """``triangle`` as float64, refusing what is not an upper-left (prefix) triangle."""
    try:
        c = np.asarray(triangle, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise PricingError(f"triangle must be a 2-D array of numbers; got ({error})") from None
    if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] < 2:
        raise PricingError(
            "must be 2-D (origins × development ages) with at least 2 ages",
            field="triangle.shape",
            value=c.shape,
        )
    if np.isinf(c).any():
        raise PricingError("must be finite or NaN", field="triangle", value=c[np.isinf(c)][0])
    known = ~np.isnan(c)
    for i in range(c.shape[0]):
        if not known[i].any():
            raise PricingError(
                "has no known cell (a missing origin)", field=f"triangle[{i}]", value=c[i]
            )
        if not known[i, 0] or (known[i, 1:] & ~known[i, :-1]).any():
            raise PricingError(
                "has a known cell after an unknown one (not an upper-left triangle)",
                field=f"triangle[{i}]",
                value=c[i],
            )
    return c


def _require_links(usable: NDArray[np.bool_]) -> None:
    """Every step needs one usable link, or its factor is unknown."""
    empty = np.flatnonzero(~usable.any(axis=0))
    if empty.size:
        age = int(empty[0]) + 1
        raise PricingError(
            f"triangle has no usable link from age {age} to age {age + 1}: no origin has a "
            f"positive cell at age {age} and a known cell at age {age + 1}"
        )


def _sigma2(
    weight: NDArray[np.float64],
    ratio: NDArray[np.float64],
    ldf: NDArray[np.float64],
    links: NDArray[np.int64],
) -> tuple[NDArray[np.float64], list[TriangleWarning]]:
    """σ̂²_k per step; Mack's extrapolation where a step has fewer than 2 links."""
    squares = (weight * (ratio - ldf) ** 2).sum(axis=0)
    sigma2 = np.where(links > 1, squares / np.maximum(links - 1, 1), np.nan)
    warnings = []
    for k in np.flatnonzero(links < 2):
        earlier = sigma2[k - 2 : k] if k >= 2 else np.array([np.nan])
        if np.isnan(earlier).any():
            warnings.append(TriangleWarning("sigma", age=int(k) + 1))
            continue
        before, last = earlier
        # σ⁴_{k−1}/σ²_{k−2}, read as 0 when σ²_{k−2} = 0 (the min is 0 then anyway).
        trend = last * last / before if before > 0 else 0.0
        sigma2[k] = min(trend, before, last)
    return sigma2, warnings


def _projected(c: NDArray[np.float64], ldf: NDArray[np.float64]) -> NDArray[np.float64]:
    """The triangle with each unknown cell the one before it times that step's factor."""
    full = c.copy()
    for k in range(1, c.shape[1]):
        unknown = np.isnan(full[:, k])
        full[unknown, k] = full[unknown, k - 1] * ldf[k - 1]
    return full


def _mack_mse(
    fit: ChainLadder, volume: NDArray[np.float64], alpha: float
) -> tuple[NDArray[np.float64], float]:
    """Mack's mse of each origin's reserve and of the total, before the tail.

    With U_i = Ĉ_in, M_ik = 1 on the steps origin i has still to make (k ≥ its latest age),
    process_i = U²_i Σ_k M_ik σ²_k / (f²_k Ĉ^α_ik) and p_k = σ²_k / (f²_k Σ_j C^α_jk):
    mse_i = process_i + U²_i Σ_k M_ik p_k and the total is Σ_i process_i + Σ_k p_k (Σ_i M_ik
    U_i)², which is Mack's Corollary with its cross terms 2 U_i U_j Σ_k M_ik M_jk p_k.
    """
    full, ldf, sigma2 = fit.full_triangle_, fit.ldf_, fit.sigma2_
    steps = np.arange(ldf.size)
    future = steps[None, :] >= (fit.latest_age_ - 1)[:, None]
    ultimate = full[:, -1]
    base = full[:, :-1] ** alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = sigma2 / ldf**2
        process_terms = np.where(future & (base != 0), relative / base, 0.0)
        parameter = relative / volume
    process = ultimate**2 * process_terms.sum(axis=1)
    process[fit.latest_ < 0] = np.nan
    parameter_terms = np.where(future, parameter, 0.0)
    mse = process + ultimate**2 * parameter_terms.sum(axis=1)
    exposure = (future * ultimate[:, None]).sum(axis=0)
    total = float(process.sum() + (parameter * exposure**2)[exposure != 0].sum())
    return mse, total


def _cell_warnings(c: NDArray[np.float64]) -> list[TriangleWarning]:
    """Negative cells, decreases and links from 0, in origin-then-age order."""
    warnings = []
    for i, k in zip(*np.nonzero(~np.isnan(c)), strict=True):
        value, age = float(c[i, k]), int(k) + 1
        before = float(c[i, k - 1]) if k > 0 else math.nan
        after = float(c[i, k + 1]) if k + 1 < c.shape[1] else math.nan
        if value < 0:
            warnings.append(TriangleWarning("negative", age, int(i), value))
        if value < before:
            warnings.append(TriangleWarning("decrease", age, int(i), value, before))
        if value == 0 and not math.isnan(after) and after != 0:
            warnings.append(TriangleWarning("zero_base", age, int(i), value, after))
    return warnings


def read_long_triangle(lines: Iterable[str]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """A triangle from CSV text with columns ``origin, development, value``, one known cell a row.

    Returns the origin labels (consecutive integers, oldest first) and the triangle (NaN
    where no row gives a cell). Development ages are integers from 1; every origin from the
    first to the last must appear, and each must give its ages without a gap.

    >>> origins, tri = read_long_triangle(
    ...     ["origin,development,value", "2020,1,100", "2020,2,150", "2021,1,120"]
    ... )
    >>> origins.tolist(), tri.tolist()
    ([2020, 2021], [[100.0, 150.0], [120.0, nan]])
    """
    cells: dict[tuple[int, int], float] = {}
    reader = csv.DictReader(lines)
    missing = {"origin", "development", "value"} - set(reader.fieldnames or ())
    if missing:
        raise PricingError(
            f"must have the columns origin, development, value; missing {sorted(missing)}",
            field="header",
            value=reader.fieldnames,
        )
    for row in reader:
        where = f"line {reader.line_num}"
        origin = _integer(row["origin"], f"{where}: origin")
        age = _integer(row["development"], f"{where}: development")
        if age < 1:
            raise PricingError(
                "must be a development age >= 1", field=f"{where}: development", value=age
            )
        if (origin, age) in cells:
            raise PricingError(
                "repeats a cell given before",
                field=f"{where}: (origin, development)",
                value=(origin, age),
            )
        cells[origin, age] = _number(row["value"], f"{where}: value")
    return _assembled(cells)


def _assembled(cells: dict[tuple[int, int], float]) -> tuple:
    if not cells:
        raise PricingError("has no cells", field="triangle", value=0)
    given = sorted({origin for origin, _ in cells})
    gaps = sorted(set(range(given[0], given[-1] + 1)) - set(given))
    if gaps:
        raise PricingError(
            "are missing between the first and last origin", field="origins", value=gaps
        )
    ages = max(age for _, age in cells)
    triangle = np.full((len(given), ages), np.nan)
    for (origin, age), value in cells.items():
        triangle[origin - given[0], age - 1] = value
    for origin in given:
        known = [age for (o, age) in cells if o == origin]
        if max(known) != len(known):
            skipped = sorted(set(range(1, max(known) + 1)) - set(known))
            raise PricingError(
                f"gives development {max(known)} but not {skipped}",
                field=f"origin {origin}",
                value=sorted(known),
            )
    return np.arange(given[0], given[-1] + 1), triangle


def _integer(text: str | None, field: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise PricingError("must be an integer", field=field, value=text) from None


def _number(text: str | None, field: str) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        raise PricingError("must be a number", field=field, value=text) from None
    if not math.isfinite(value):
        raise PricingError("must be finite", field=field, value=text)
    return value
