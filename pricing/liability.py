"""The firm's probability of being liable for an incident at a client (DESIGN.md §2, item 2).

``π_f = min(1, π0 · exp(γ · q_f))`` with ``q_f`` the firm's quality deficits: a logistic-like
log-linear relativity as a GLM on incident → claim outcomes would fit it. Audits are weighted
by recency with an exponential half-life (Bühlmann & Gisler 2005 §9 motivate geometric
decay of old experience); a firm never audited takes the model's documented ``unaudited``
deficits — worse than the market's, never zero — and one with no service records takes
``no_records`` for its follow-up and evidence gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing.errors import PricingError
from pricing.frequency import linear_predictor
from pricing.model import LiabilityModel


@dataclass(frozen=True, eq=False)
class AuditLog:
    """A audits of F firms: ``firm`` indexes the firms; ``age_years`` is years from the audit
    date to the rating date (>= 0); ``mean_score`` is the mean of the four scores (0–100);
    ``inaccurate`` and ``false`` count reports in a sample of ``sample_size``."""

    firm: np.ndarray
    age_years: np.ndarray
    mean_score: np.ndarray
    inaccurate: np.ndarray
    false: np.ndarray
    sample_size: np.ndarray


def audit_deficits(audits: AuditLog, firms: int, model: LiabilityModel) -> np.ndarray:
    """F × 3: recency-weighted (100 − score), inaccurate and false reports per 100 sampled.

    Weights are ``0.5 ** (age / half_life)``; report rates are ratios of weighted sums
    (a sample of 40 counts more than one of 10).
    """
    if len(audits.firm) and ((audits.age_years < 0).any() or (audits.sample_size <= 0).any()):
        raise PricingError("audit ages must be >= 0 and sample sizes > 0")
    weight = 0.5 ** (np.asarray(audits.age_years, dtype=np.float64) / model.audit_half_life_years)
    total = np.bincount(audits.firm, weight, minlength=firms)
    sampled = np.bincount(audits.firm, weight * audits.sample_size, minlength=firms)
    audited = total > 0
    out = np.tile(model.unaudited, (firms, 1))
    score = np.bincount(audits.firm, weight * (100.0 - audits.mean_score), minlength=firms)
    inaccurate = np.bincount(audits.firm, weight * audits.inaccurate, minlength=firms)
    false = np.bincount(audits.firm, weight * audits.false, minlength=firms)
    out[audited, 0] = score[audited] / total[audited]
    out[audited, 1] = 100.0 * inaccurate[audited] / sampled[audited]
    out[audited, 2] = 100.0 * false[audited] / sampled[audited]
    return out


def quality_features(
    audit: np.ndarray,
    *,
    follow_up_closure: np.ndarray,
    evidence_compliance: np.ndarray,
    credit_colour: np.ndarray,
    engineers_per_engagement: np.ndarray,
    model: LiabilityModel,
) -> np.ndarray:
    """The deficit matrix q (F × ``QUALITY_FEATURES``). ``follow_up_closure`` and
    ``evidence_compliance`` are shares in [0, 1] from the firm's service records, NaN where
    it has none; ``credit_colour`` indexes ``CREDIT_COLOURS``."""
    follow_up = 1.0 - np.asarray(follow_up_closure, dtype=np.float64)
    evidence = 1.0 - np.asarray(evidence_compliance, dtype=np.float64)
    engineers = np.minimum(engineers_per_engagement, model.engineers_per_engagement_cap)
    return np.column_stack(
        [
            audit[:, 0],
            audit[:, 1],
            audit[:, 2],
            np.where(np.isnan(follow_up), model.no_records[0], follow_up),
            np.where(np.isnan(evidence), model.no_records[1], evidence),
            model.credit_colour_steps[np.asarray(credit_colour)],
            np.asarray(engineers, dtype=np.float64),
        ]
    )


def liability_probability(deficits: np.ndarray, model: LiabilityModel) -> np.ndarray:
    """π_f for each row of the deficit matrix."""
    deficits = np.atleast_2d(np.asarray(deficits, dtype=np.float64))
    if not np.isfinite(deficits).all():
        raise PricingError("quality deficits must be finite")
    return np.minimum(
        1.0, model.base_probability * np.exp(linear_predictor(deficits, model.coefficients))
    )


def market_probability(model: LiabilityModel) -> float:
    """π_market: the liability probability of the market's average firm, the yardstick of
    a firm's quality relativity (and so of its tier)."""
    return float(liability_probability(model.market[None, :], model)[0])
