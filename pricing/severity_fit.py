"""Maximum-likelihood fits of the severity families to claim amounts in CNY.

Each fit takes a 1-D array of positive, finite claim amounts (developed to ultimate before
fitting, DESIGN.md §2) and returns a fitted distribution of ``pricing.severity``; the classes
expose them as ``Lognormal.fit``, ``Pareto.fit`` and ``SplicedLognormalPareto.fit``.
Numerical maximisation is BFGS on unconstrained parameters (logs of the positive ones) with
analytic gradients of the mean negative log-likelihood.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import log_ndtr

from pricing.severity import Lognormal, Pareto, SeverityError, SplicedLognormalPareto

__all__ = ["fit_lognormal", "fit_pareto", "fit_spliced"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _claim_amounts(amounts: ArrayLike) -> NDArray[np.float64]:
    """``amounts`` as a 1-D float array, refusing empty, non-finite and non-positive data."""
    x = np.asarray(amounts, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise SeverityError(f"claim amounts must be a non-empty 1-D array; got (shape={x.shape})")
    for rule, bad in (("finite", ~np.isfinite(x)), ("> 0", ~(x > 0))):
        if bad.any():
            i = int(np.argmax(bad))
            raise SeverityError(f"must be {rule}", field=f"amounts[{i}]", value=x[i])
    return x


def _normal_mle(logs: NDArray[np.float64], what: str) -> tuple[float, float]:
    """Mean and (1/n) standard deviation, refusing a sample whose sigma would be 0."""
    sigma = float(np.std(logs))
    if not sigma > 0:
        raise SeverityError(f"{what} must not all be equal; got (n={logs.size}, sigma={sigma})")
    return float(np.mean(logs)), sigma


def _minimise(objective, start: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        result = minimize(objective, start, jac=True, method="BFGS")
    if not (result.success and np.all(np.isfinite(result.x))):
        raise SeverityError(f"{what} has no maximum-likelihood fit; got ({result.message})")
    return result.x


def fit_lognormal(amounts: ArrayLike) -> Lognormal:
    """mu = mean of ln x, sigma² = (1/n)·Σ(ln x − mu)²: the closed-form MLE."""
    mu, sigma = _normal_mle(np.log(_claim_amounts(amounts)), "claim amounts")
    return Lognormal(mu=mu, sigma=sigma)


def fit_pareto(amounts: ArrayLike) -> Pareto:
    """Lomax MLE by BFGS over (ln alpha, ln theta) of the mean negative log-likelihood

    ℓ = −ln alpha + ln theta + (alpha + 1)·mean(ln(1 + x/theta)),

    started at theta = median, alpha = 1/mean(ln(1 + x/median)) (the MLE of alpha given theta).
    Samples with a coefficient of variation ≤ 1 are refused: for them the likelihood rises
    towards its exponential limit (theta → ∞ with alpha/theta fixed) rather than a Pareto.
    """
    x = _claim_amounts(amounts)
    cv = float(np.std(x) / np.mean(x))
    if not cv > 1:
        raise SeverityError(
            f"claim amounts are too light-tailed for a Pareto (coefficient of variation must "
            f"be > 1); got (cv={cv:.4g})"
        )

    def objective(params):
        alpha, theta = np.exp(params)
        log_ratio = np.log1p(x / theta)
        value = -params[0] + params[1] + (alpha + 1) * log_ratio.mean()
        gradient = [alpha * log_ratio.mean() - 1, 1 - (alpha + 1) * np.mean(x / (theta + x))]
        return value, np.array(gradient)

    theta0 = float(np.median(x))
    start = np.log([1 / np.mean(np.log1p(x / theta0)), theta0])
    log_alpha, log_theta = _minimise(objective, start, "claim amounts (Pareto)")
    return Pareto(alpha=math.exp(log_alpha), theta=math.exp(log_theta))


def _truncated_lognormal(body: NDArray[np.float64], threshold: float) -> tuple[float, float]:
    """MLE of (mu, sigma) for a lognormal truncated to (0, threshold], by BFGS on (mu, ln sigma).

    Mean negative log-likelihood, up to a constant: mean(z²)/2 + ln sigma + ln Φ(z_u), with
    z = (ln x − mu)/sigma and z_u = (ln threshold − mu)/sigma; started at the untruncated MLE.
    A maximum exists only if the log amounts spread less than their distance from ln threshold
    (variance < gap²); otherwise the likelihood rises towards its limit as mu, sigma → ∞, an
    exponential in ln x crowding against the threshold, and the body is refused.
    """
    logs, log_u = np.log(body), math.log(threshold)
    mu0, sigma0 = _normal_mle(logs, "claim amounts at or below the threshold")
    if not sigma0 < log_u - mu0:
        raise SeverityError(
            "the log claim amounts at or below the threshold must have a standard deviation "
            f"< ln(threshold) − their mean; got ({sigma0:.4g} >= {log_u - mu0:.4g})"
        )

    def objective(params):
        mu, log_sigma = params
        sigma = math.exp(log_sigma)
        z, z_u = (logs - mu) / sigma, (log_u - mu) / sigma
        log_mass = log_ndtr(z_u)
        mills = math.exp(-0.5 * z_u**2 - _LOG_SQRT_2PI - log_mass)  # φ(z_u)/Φ(z_u)
        value = 0.5 * np.mean(z**2) + log_sigma + log_mass
        gradient = [-(z.mean() + mills) / sigma, 1 - np.mean(z**2) - mills * z_u]
        return value, np.array(gradient)

    mu, log_sigma = _minimise(objective, np.array([mu0, math.log(sigma0)]), "the body")
    return float(mu), math.exp(log_sigma)


def fit_spliced(amounts: ArrayLike, *, threshold: float) -> SplicedLognormalPareto:
    """MLE with a given threshold; the likelihood factorises into three independent parts.

    body_weight = n_body/n; (mu, sigma) by the truncated-lognormal MLE of the amounts at or
    below the threshold; alpha = n_tail/Σ ln(x_i/threshold) over the amounts above it (the
    closed-form single-parameter Pareto MLE).
    """
    x = _claim_amounts(amounts)
    if not (math.isfinite(threshold) and threshold > 0):
        raise SeverityError("must be finite and > 0", field="threshold", value=threshold)
    body, tail = x[x <= threshold], x[x > threshold]
    for side, part in (("at or below", body), ("above", tail)):
        if part.size == 0:
            raise SeverityError(
                f"claim amounts must include some {side} the threshold; got (threshold={threshold})"
            )
    mu, sigma = _truncated_lognormal(body, threshold)
    return SplicedLognormalPareto(
        mu=mu,
        sigma=sigma,
        threshold=threshold,
        alpha=tail.size / float(np.sum(np.log(tail / threshold))),
        body_weight=body.size / x.size,
    )
