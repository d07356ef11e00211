"""The choices of a year of cover: the terms a firm asks for, the insurer it goes to, and
whether it buys the price it is quoted (``insured_truth``: ``TERMS``, ``INSURERS``,
``NEW_BUSINESS``, ``RENEWAL``, ``REFERRAL_ACCEPTANCE``).

Every function draws the same number of random numbers for every firm, eligible or not, so
that a firm's draws of a year never depend on what other firms did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing import CoverageOption
from underwriting.demo_market.insured_truth import (
    INSURERS,
    NEW_BUSINESS,
    REFERRAL_ACCEPTANCE,
    RENEWAL,
    TERMS,
)
from underwriting.demo_market.streams import categorical_draws, logistic

TIERS = "ABCDE"
#: Tier index of the middle tier (C), around which the purchase probabilities turn.
MIDDLE_TIER = 2


@dataclass(frozen=True, eq=False)
class TermChoice:
    """Per firm: index into ``TERMS.limits``, into ``TERMS.deductibles``, defence inside."""

    limit: np.ndarray
    deductible: np.ndarray
    inside: np.ndarray

    def option(self, firm: int) -> CoverageOption:
        per_claim, aggregate = TERMS.limits[int(self.limit[firm])]
        return CoverageOption(
            per_claim_limit=float(per_claim),
            aggregate_limit=float(aggregate),
            deductible=float(TERMS.deductibles[int(self.deductible[firm])]),
            defence_inside=bool(self.inside[firm]),
        )


def choose_terms(
    current: TermChoice, insured: np.ndarray, clients: np.ndarray, rng: np.random.Generator
) -> TermChoice:
    """Each firm's terms for the year: an insured firm keeps its terms with ``TERMS.kept``;
    otherwise limits around ``log2(clients / limit_clients)`` (a bigger book, higher
    limits), a deductible from the mix and defence inside with ``TERMS.defence_inside``."""
    n = len(clients)
    centre = np.log2(np.maximum(clients, 1) / TERMS.limit_clients)
    centre = np.clip(centre, 0, len(TERMS.limits) - 1)
    ks = np.arange(len(TERMS.limits))
    limit = categorical_draws(np.exp(-((ks[None, :] - centre[:, None]) ** 2) / 2), rng)
    deductible = categorical_draws(np.tile(TERMS.deductible_mix, (n, 1)), rng)
    inside = rng.random(n) < TERMS.defence_inside
    keep = insured & (rng.random(n) < TERMS.kept)
    return TermChoice(
        limit=np.where(keep, current.limit, limit),
        deductible=np.where(keep, current.deductible, deductible),
        inside=np.where(keep, current.inside, inside),
    )


def choose_insurers(
    current: np.ndarray,
    insured: np.ndarray,
    firm_province: np.ndarray,
    insurer_province: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Each firm's insurer (position) for the year: an insured firm stays with ``loyalty``,
    else one is drawn with weight ``home_weight`` in the firm's province (a switching firm
    never draws the insurer it leaves)."""
    home = firm_province[:, None] == insurer_province[None, :]
    weights = np.where(home, INSURERS.home_weight, 1.0)
    stays = insured & (rng.random(len(current)) < INSURERS.loyalty)
    leaving = insured & ~stays & (len(insurer_province) > 1)
    weights[leaving, np.maximum(current, 0)[leaving]] = 0.0
    drawn = categorical_draws(weights, rng)
    return np.where(stays, current, drawn)


def purchase_probability(
    tier: np.ndarray, insured: np.ndarray, premium: np.ndarray, last_premium: np.ndarray
) -> np.ndarray:
    """P(buying the quote): ``RENEWAL`` for an insured firm (price change against last
    year's premium), ``NEW_BUSINESS`` for the others."""
    steps = np.array([TIERS.index(t) for t in tier.tolist()], dtype=np.float64) - MIDDLE_TIER
    change = np.log(np.maximum(premium, 1) / np.maximum(last_premium, 1))
    renew = _logit(RENEWAL.base) - RENEWAL.price_elasticity * change - RENEWAL.tier_slope * steps
    new = _logit(NEW_BUSINESS.base) - NEW_BUSINESS.tier_slope * steps
    return logistic(np.where(insured, renew, new))


def decide(
    tier: np.ndarray,
    insured: np.ndarray,
    premium: np.ndarray,
    last_premium: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(offered, buys) per quoted firm: tier E is referred and accepted by the underwriter
    with ``REFERRAL_ACCEPTANCE``; an offered firm buys with ``purchase_probability``."""
    n = len(tier)
    offered = (tier != "E") | (rng.random(n) < REFERRAL_ACCEPTANCE)
    buys = offered & (rng.random(n) < purchase_probability(tier, insured, premium, last_premium))
    return offered, buys


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))
