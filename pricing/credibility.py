"""Bühlmann–Straub credibility and the experience mod it sets (DESIGN.md §2.7).

Risk *i* in period *j* shows an observation ``X_ij`` per unit of weight ``w_ij`` (a firm's
actual-to-expected ratio, weighted by its expected losses). The credibility estimate of
risk *i*'s own mean is ``Z_i X̄_i + (1 − Z_i) μ̂`` with ``Z_i = w_i / (w_i + k)`` and
``k = σ² / τ²``. Sources: H. Bühlmann & A. Gisler, *A Course in Credibility Theory and its
Applications*, Springer 2005, §4.8; S. A. Klugman, H. H. Panjer & G. E. Willmot, *Loss
Models*, Wiley, the empirical Bayes chapter (nonparametric Bühlmann–Straub).
"""

from __future__ import annotations

import numpy as np

from pricing.errors import PricingError, require_non_negative

__all__ = ["BuhlmannStraub", "experience_mod"]


class BuhlmannStraub:
    """The Bühlmann–Straub model fitted by its unbiased structural-parameter estimators.

    ``fit(losses, weights)`` takes two arrays of shape (risks, periods): ``losses`` holds
    ``X_ij``, the loss *per unit of weight* (a ratio, not a total), ``weights`` holds
    ``w_ij``. A cell is missing where either is nan or the weight is 0. With ``n_i`` the
    observed periods of risk *i*, ``w_i = Σ_j w_ij``, ``X̄_i = Σ_j w_ij X_ij / w_i``,
    ``w = Σ_i w_i``, ``X̄ = Σ_i w_i X̄_i / w`` and *I* the risks with any observation:

    - ``within_variance_`` σ̂² = Σ_ij w_ij (X_ij − X̄_i)² / Σ_i (n_i − 1);
    - ``between_variance_`` τ̂² = max(0, [Σ_i w_i (X̄_i − X̄)² − (I − 1) σ̂²] / [w − Σ_i w_i²/w]).
      The unbiased estimate can fall below zero; a variance cannot, and Bühlmann & Gisler
      take the positive part: the data then show no heterogeneity between risks;
    - ``k_`` = σ̂² / τ̂², ``inf`` when τ̂² = 0; ``z_`` = w_i / (w_i + k), 0 for a risk
      without observations;
    - ``collective_`` μ̂ = Σ_i Z_i X̄_i / Σ_i Z_i, the credibility-weighted mean of the
      homogeneous estimator, which balances: Σ_i w_i premium_i = Σ_i w_i X̄_i. When every
      Z_i is 0 it is X̄ (as in R's actuar ``bstraub``);
    - ``premiums_`` = Z_i X̄_i + (1 − Z_i) μ̂ per risk; ``risk_weights_`` w_i and
      ``risk_means_`` X̄_i (nan for a risk without observations).

    >>> fit = BuhlmannStraub().fit(np.array([[1.0, 3.0], [5.0, 7.0]]), np.ones((2, 2)))
    >>> fit.k_, fit.premiums_.tolist()
    (0.2857142857142857, [2.25, 5.75])
    """

    def fit(self, losses: np.ndarray, weights: np.ndarray) -> BuhlmannStraub:
        x, w = _observations(losses, weights)
        risk_w = w.sum(axis=1)
        seen = risk_w > 0
        means = np.full(risk_w.shape, np.nan)
        means[seen] = (w * x).sum(axis=1)[seen] / risk_w[seen]
        sigma2 = _within_variance(x, w, means, seen)
        tau2 = _between_variance(risk_w[seen], means[seen], sigma2)
        k = sigma2 / tau2 if tau2 > 0 else np.inf
        z = np.zeros_like(risk_w)
        z[seen] = risk_w[seen] / (risk_w[seen] + k)
        if z.sum() > 0:
            collective = float((z * np.nan_to_num(means)).sum() / z.sum())
        else:
            collective = float((risk_w[seen] * means[seen]).sum() / risk_w.sum())
        self.within_variance_, self.between_variance_, self.k_ = sigma2, tau2, k
        self.risk_weights_, self.risk_means_, self.z_ = risk_w, means, z
        self.collective_ = collective
        self.premiums_ = np.where(seen, z * means + (1 - z) * collective, collective)
        return self


def experience_mod(
    actual: np.ndarray,
    expected: np.ndarray,
    *,
    k: float,
    floor: float = 0.70,
    cap: float = 1.50,
) -> np.ndarray:
    """The experience mod per firm: ``clip(1 + Z (A/E − 1), floor, cap)``, ``Z = E/(E + K)``.

    ``actual`` *A* and ``expected`` *E* are a firm's developed and model-expected losses over
    the experience period (CNY, broadcast together); ``k`` is the credibility constant in
    CNY of expected loss — the ``k_`` of a :class:`BuhlmannStraub` fitted to A/E ratios with
    weights E — and may be ``inf`` (no credibility, every mod 1). For E > 0 and finite K,
    1 + Z (A/E − 1) = (A + K) / (E + K), the form computed: it needs no A/E, so a tiny E
    cannot overflow it. A firm with E = 0 has Z = 0, no rated experience, and a mod of 1
    (not the limit 1 + A/K as E → 0: with no expected losses there is nothing to rate).

    >>> experience_mod(np.array([0.0, 50.0, 300.0]), np.array([100.0, 100.0, 0.0]), k=100.0)
    array([0.7 , 0.75, 1.  ])
    """
    a, e = np.broadcast_arrays(
        require_non_negative("actual", actual), require_non_negative("expected", expected)
    )
    if np.isnan(k) or k <= 0:
        raise PricingError("must be > 0 (inf means no credibility)", field="k", value=k)
    if not 0 < floor <= 1:
        raise PricingError("must be in (0, 1]", field="floor", value=floor)
    if not 1 <= cap < np.inf:
        raise PricingError("must be finite and >= 1", field="cap", value=cap)
    mod = (a + k) / (e + k) if np.isfinite(k) else np.ones_like(a)
    return np.clip(np.where(e > 0, mod, 1.0), floor, cap)


def _observations(losses: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Losses and weights with every missing cell as weight 0 (and loss 0)."""
    x = np.asarray(losses, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if x.ndim != 2:
        raise PricingError("must be a 2-D array (risks × periods)", field="losses", value=x.shape)
    if w.shape != x.shape:
        raise PricingError(
            f"must have the shape of losses {x.shape}", field="weights", value=w.shape
        )
    missing = np.isnan(x) | np.isnan(w)
    w = require_non_negative("weights", np.where(missing, 0.0, w))
    x = np.where(missing | (w == 0), 0.0, x)
    if not np.isfinite(x).all():
        raise PricingError(
            "must be finite or nan", field="losses", value=x[~np.isfinite(x)].flat[0]
        )
    return x, w


def _within_variance(x: np.ndarray, w: np.ndarray, means: np.ndarray, seen: np.ndarray) -> float:
    periods = (w > 0).sum(axis=1)
    if seen.sum() < 2:
        raise PricingError("must be >= 2", field="observed_risks", value=int(seen.sum()))
    dof = int((periods[seen] - 1).sum())
    if dof < 1:
        raise PricingError("must be >= 1", field="observed_periods - observed_risks", value=dof)
    residual = np.where(w > 0, x - np.nan_to_num(means)[:, None], 0.0)
    return float((w * residual**2).sum() / dof)


def _between_variance(risk_w: np.ndarray, means: np.ndarray, sigma2: float) -> float:
    total = risk_w.sum()
    overall = (risk_w * means).sum() / total
    spread = (risk_w * (means - overall) ** 2).sum() - (means.size - 1) * sigma2
    return float(max(0.0, spread / (total - (risk_w**2).sum() / total)))
