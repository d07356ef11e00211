"""Two ways to the aggregate loss independent of the FFT, to check it: Panjer's recursion on
the same lattice, and Monte Carlo on the continuous severity (amounts in CNY)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from pricing.discretise import HasLev, require

__all__ = ["monte_carlo_aggregate", "panjer_pmf"]


def panjer_pmf(frequency_mean: float, severity_pmf: ArrayLike, size: int) -> np.ndarray:
    """Lattice pmf of a compound Poisson sum on cells 0 … size − 1, by Panjer's recursion.

    Poisson is the (a, b, 0) class with a = 0, b = λ (*Loss Models* ch. 9; Panjer 1981):
    s_0 = exp(−λ(1 − f_0)), s_k = (λ/k)·Σ_{j=1..k} j·f_j·s_{k−j}. Exact on the lattice (no
    wrap-round), O(size²). s_0 underflows when λ(1 − f_0) > 700, which is refused.

    >>> panjer_pmf(1.0, [0.0, 1.0], 3).round(6).tolist()  # Poisson(1) claims of 1 cell
    [0.367879, 0.367879, 0.18394]
    """
    ok = math.isfinite(frequency_mean) and frequency_mean >= 0
    require(ok, "frequency_mean", frequency_mean, "finite and >= 0")
    require(isinstance(size, int) and size >= 1, "size", size, "an integer >= 1")
    given = np.asarray(severity_pmf, dtype=np.float64)
    ok = given.ndim == 1 and bool((given >= 0).all())
    require(ok, "severity_pmf", given, "a one-dimensional array >= 0")
    f = np.zeros(size)
    f[: min(size, len(given))] = given[:size]
    start = frequency_mean * (1.0 - f[0])
    require(start <= 700, "frequency_mean", frequency_mean, "such that λ(1 − f_0) <= 700")
    weighted = frequency_mean * np.arange(size) * f
    s = np.zeros(size)
    s[0] = math.exp(-start)
    for k in range(1, size):
        s[k] = weighted[1 : k + 1] @ s[k - 1 :: -1] / k
    return s


def monte_carlo_aggregate(
    frequency_mean: float,
    severity: HasLev,
    *,
    deductible: float = 0.0,
    per_claim_limit: float = math.inf,
    n_sims: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n_sims`` simulated aggregates Σ_{i ≤ N} min((X_i − d)+, L), N ~ Poisson(λ), CNY.

    All claims are drawn at once and summed per simulation with ``np.bincount``.
    """
    ok = math.isfinite(frequency_mean) and frequency_mean >= 0
    require(ok, "frequency_mean", frequency_mean, "finite and >= 0")
    require(isinstance(n_sims, int) and n_sims >= 1, "n_sims", n_sims, "an integer >= 1")
    counts = rng.poisson(frequency_mean, size=n_sims)
    claims = np.asarray(severity.sample(int(counts.sum()), rng), dtype=np.float64)
    paid = np.clip(claims - deductible, 0.0, per_claim_limit)
    owner = np.repeat(np.arange(n_sims), counts)
    return np.bincount(owner, weights=paid, minlength=n_sims)
