"""What the aggregate S costs under an aggregate limit A: S ∧ A on the lattice, in CNY.

The loss cost E[S ∧ A] and the risk measures of S ∧ A — standard deviation, VaR_p and TVaR_p —
for a batch of lattice pmfs (``capped_statistics``, the rating engine's), and the whole
cost distribution of one risk, defence costs included (``AggregateLoss``). Values of S at or
above A count as A: E[S ∧ A] = Σ min(kh, A)·s_k = E[S] − E[(S − A)+], the stop-loss
identity of *Loss Models* ch. 9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from pricing.discretise import Grid, require, require_all

__all__ = ["AggregateLoss", "CappedStatistics", "capped_statistics"]

ROWS_PER_BLOCK = 128  # rows per pass: the work arrays stay small (no 30 MB temporaries)


@dataclass(frozen=True, eq=False)
class CappedStatistics:
    """Of S ∧ A per row, CNY: mean, standard deviation, VaR_p (``quantile``) and TVaR_p."""

    mean: np.ndarray
    std: np.ndarray
    quantile: np.ndarray
    tvar: np.ndarray


def capped_statistics(
    pmf: ArrayLike,
    grid: Grid,
    aggregate_limit: float | ArrayLike,
    *,
    tvar_level: float = 0.99,
    with_std: bool = True,
) -> CappedStatistics:
    """E[S ∧ A], std(S ∧ A), VaR_p and TVaR_p(S ∧ A) of lattice pmfs, shape (..., n);
    ``with_std=False`` leaves std NaN and saves a pass over the cells.

    Conventions: S ∧ A takes the values min(kh, A), so every cell at or above A counts as A,
    and A need not be a cell. Mass missing from the grid (1 − Σ pmf, the tail beyond it) is
    put at A too, or at nh when A = ∞. ``aggregate_limit`` broadcasts against the leading
    dims. VaR_p is the smallest value with cdf ≥ p; TVaR_p the mean of the worst 1 − p of
    outcomes, counting only the share F(VaR_p) − p of the atom at VaR_p
    (*Loss Models* ch. 3, Acerbi & Tasche 2002):
    TVaR_p = (E[Z; Z > VaR_p] + VaR_p·(F(VaR_p) − p))/(1 − p).

    >>> grid = Grid(span=1.0, size=4)
    >>> stats = capped_statistics([0.5, 0.2, 0.2, 0.1], grid, 2.5, tvar_level=0.8)
    >>> round(float(stats.mean), 12), round(float(stats.tvar), 12)  # 3 counts as 2.5
    (0.85, 2.25)
    """
    pmf = np.asarray(pmf, dtype=np.float64)
    fits = pmf.ndim >= 1 and pmf.shape[-1] == grid.size
    require(fits, "pmf.shape", pmf.shape, f"(..., {grid.size})")
    require(0 < tvar_level < 1, "tvar_level", tvar_level, "in (0, 1)")
    limit = _limits(aggregate_limit)
    shape = np.broadcast_shapes(pmf.shape[:-1], limit.shape)
    rows = np.broadcast_to(pmf, (*shape, grid.size)).reshape(-1, grid.size)
    limits = np.broadcast_to(limit, shape).reshape(-1)
    stats = np.empty((4, len(rows)))
    for start in range(0, len(rows), ROWS_PER_BLOCK):
        block = slice(start, start + ROWS_PER_BLOCK)
        stats[:, block] = _statistics(
            rows[block], grid, limits[block], tvar_level, with_std=with_std
        )
    mean, std, quantile, tvar = stats.reshape(4, *shape)
    return CappedStatistics(mean=mean, std=std, quantile=quantile, tvar=tvar)


def _limits(aggregate_limit: float | ArrayLike) -> np.ndarray:
    limit = np.asarray(aggregate_limit, dtype=np.float64)
    require_all(limit > 0, "aggregate_limit", limit, "> 0")
    return limit


def _costs(grid: Grid, limit: np.ndarray, defence: float) -> tuple[np.ndarray, np.ndarray]:
    """C = S ∧ A + k·S at the cells, shape (rows, n), and at the missing mass, shape (rows,).

    The missing mass has S ≥ nh: it counts as nh, and as having reached A when A is finite.
    Both ascend, the missing mass last, which the quantiles rely on.
    """
    top = grid.size * grid.span
    values = np.minimum(grid.points, limit[:, None])
    last = np.where(np.isfinite(limit), limit, top)
    if defence:
        values += defence * grid.points
        last = last + defence * top
    return values, last


def _statistics(
    pmf: np.ndarray,
    grid: Grid,
    limit: np.ndarray,
    level: float,
    defence: float = 0.0,
    *,
    with_std: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, std, VaR and TVaR at ``level`` of C for rows ``pmf`` (rows, n), ``limit`` (rows,).

    Weights are the pmf plus the missing mass 1 − Σ pmf (if positive), over their total.
    """
    values, last = _costs(grid, limit, defence)
    mass = pmf.sum(axis=-1)
    missing = np.maximum(1.0 - mass, 0.0)
    total = mass + missing
    weighted = pmf * values
    running = np.cumsum(weighted, axis=-1)  # E[C; C ≤ value], times total
    mean = (running[:, -1] + missing * last) / total
    std = np.full(len(pmf), np.nan)
    if with_std:  # rating needs only the mean and TVaR: skip a pass over the cells
        spread = values - mean[:, None]
        spread *= spread
        spread *= pmf
        std = np.sqrt((spread.sum(axis=-1) + missing * (last - mean) ** 2) / total)
    cdf = np.cumsum(pmf, axis=-1)  # times total
    reached = cdf >= level * total[:, None]
    on_grid = reached.any(axis=-1)
    at = (np.arange(len(pmf)), reached.argmax(axis=-1))
    quantile = np.where(on_grid, values[at], last)
    share = np.where(on_grid, cdf[at], total) / total - level  # F(VaR) − p
    tail = np.where(on_grid, running[:, -1] - running[at] + missing * last, 0.0)
    tvar = (tail / total + quantile * share) / (1.0 - level)
    return mean, std, quantile, tvar


@dataclass(frozen=True, eq=False)
class AggregateLoss:
    """The insurer's cost over the period for one risk, C = S ∧ A + k·S, in CNY.

    ``pmf`` is P(S = kh) on ``grid``, S the aggregate that erodes the aggregate limit A: the
    layer payments, defence included when it is inside the limits. ``defence_outside`` k is
    the defence ratio when defence is paid on top (then it does not erode A and is paid on
    every claim, so C = S ∧ A + k·S), else 0. ``discretisation_error`` is
    (Σ kh·pmf − λ·E[Y])/(λ·E[Y]), the relative error of the lattice mean of S.
    Conventions as in ``capped_statistics``.
    """

    pmf: np.ndarray
    grid: Grid
    aggregate_limit: float
    defence_outside: float
    discretisation_error: float

    def _statistics(
        self, level: float = 0.5, limit: float | None = None, defence: float | None = None
    ) -> list[float]:
        """Mean, std, VaR and TVaR at ``level`` of C, or of S ∧ ``limit`` + ``defence``·S."""
        cap = np.array([self.aggregate_limit if limit is None else limit])
        k = self.defence_outside if defence is None else defence
        return [float(x[0]) for x in _statistics(self.pmf[None], self.grid, cap, level, k)]

    @cached_property
    def mean(self) -> float:
        """E[C] CNY: the loss cost."""
        return self._statistics()[0]

    @cached_property
    def std(self) -> float:
        """Standard deviation of C, CNY."""
        return self._statistics()[1]

    @property
    def cv(self) -> float:
        """std/mean; NaN when no loss is expected."""
        return self.std / self.mean if self.mean > 0 else math.nan

    def quantile(self, p: float) -> float:
        """VaR_p(C): the smallest lattice value of C with P(C ≤ value) ≥ p, CNY."""
        require(0 < p < 1, "p", p, "in (0, 1)")
        return self._statistics(p)[2]

    def tvar(self, p: float) -> float:
        """TVaR_p(C), CNY, with the fractional atom at VaR_p (see ``capped_statistics``)."""
        require(0 < p < 1, "p", p, "in (0, 1)")
        return self._statistics(p)[3]

    def cdf(self, x: ArrayLike) -> np.ndarray:
        """P(C ≤ x), vectorised over x in CNY."""
        x = np.asarray(x, dtype=np.float64)
        values, last = _costs(self.grid, np.array([self.aggregate_limit]), self.defence_outside)
        missing = max(1.0 - float(self.pmf.sum()), 0.0)
        below = np.concatenate(([0.0], np.cumsum(self.pmf)))
        counted = below[np.searchsorted(values[0], x, side="right")] + missing * (x >= last[0])
        return counted / (below[-1] + missing)

    def expected_capped(self, aggregate_limit: float | ArrayLike) -> float | np.ndarray:
        """E[S ∧ a + k·S] CNY for other aggregate limits a (vectorised): one distribution
        prices every aggregate-limit option of a quote."""
        limit = np.asarray(aggregate_limit, dtype=np.float64)[..., None]
        capped = capped_statistics(self.pmf, self.grid, limit).mean[..., 0]
        if self.defence_outside:
            capped = capped + self.defence_outside * self._statistics(0.5, math.inf, 0.0)[0]
        return float(capped) if capped.ndim == 0 else capped
