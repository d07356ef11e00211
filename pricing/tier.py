"""The premium tier A–E: how well a firm serves, in one letter (DESIGN.md §2.10).

The tier is what a firm sees of the second safety lock: serve well and move up. So it is
set only by what the firm controls — the quality of its service (its liability
relativity) and its own loss experience (its experience mod) — and never by how hazardous
its clients are. A firm that takes on mines and chemical plants pays more for the exposure,
but serving them well still earns it an A.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pricing.errors import PricingError, require_non_negative

__all__ = ["DEFAULT_BANDS", "REFERRAL_TIER", "TIERS", "quality_relativity", "tier"]

TIERS = ("A", "B", "C", "D", "E")
#: A firm in this tier is not priced automatically: an underwriter decides.
REFERRAL_TIER = "E"
DEFAULT_BANDS = (0.80, 0.95, 1.15, 1.50)


def quality_relativity(pi_firm: np.ndarray, pi_market: np.ndarray) -> np.ndarray:
    """``π_f / π_market``: the firm's probability of being liable for a client incident
    relative to the market's (dimensionless; 1 = a market-average firm, below 1 = better).

    Both come from the liability model ``π = π0 · exp(γ · q)`` of DESIGN.md §2.2, the
    market one at the market's average quality deficits. They broadcast together.

    >>> quality_relativity(np.array([0.02, 0.05]), 0.04).tolist()
    [0.5, 1.25]
    """
    firm = require_non_negative("pi_firm", pi_firm)
    market = require_non_negative("pi_market", pi_market)
    if np.any(market == 0):
        raise PricingError("must be > 0", field="pi_market", value=0.0)
    return firm / market


def tier(
    quality_relativity: np.ndarray,
    experience_mod: np.ndarray,
    *,
    bands: Sequence[float] = DEFAULT_BANDS,
) -> np.ndarray:
    """The tier letter per firm from the score ``quality_relativity × experience_mod``.

    With ``bands = (b0, b1, b2, b3)``, strictly rising: A below b0, B in [b0, b1), C in
    [b1, b2), D in [b2, b3), E from b3 on, so a score on a band boundary takes the worse
    tier. ``E`` (:data:`REFERRAL_TIER`) refers the firm to an underwriter. The inputs are
    the firm's service quality and its own experience only — no client hazard enters —
    so the tier says how the firm serves, not whom it serves. Returns a ``<U1`` array.

    >>> tier(np.array([0.5, 0.8, 1.0, 1.2, 2.0]), np.ones(5)).tolist()
    ['A', 'B', 'C', 'D', 'E']
    """
    edges = np.asarray(bands, dtype=np.float64)
    valid = edges.shape == (len(TIERS) - 1,) and np.all(np.isfinite(edges) & (edges > 0))
    if not valid or np.any(np.diff(edges) <= 0):
        raise PricingError("must be 4 rising positive numbers", field="bands", value=bands)
    score = require_non_negative("quality_relativity", quality_relativity) * (
        require_non_negative("experience_mod", experience_mod)
    )
    return np.asarray(TIERS)[np.searchsorted(edges, score, side="right")]
