"""The one rating function: many firms × many coverage options in one vectorised pass.

For firm f and option o (DESIGN.md section 2):

1. incident exposure per hazard class ``n_fc = Σ_{e ∈ f, class c} w_e λ_e``;
2. expected claim counts ``ν_fc = n_fc · π_f · step(years since retro) · mod_f`` — the
   claims-made step and the experience mod scale the claim count, before the aggregate
   limit, so a firm with more expected claims meets its limit as it really would;
3. the aggregate ``S`` of the per-claim layer (``limit xs deductible``; defence costs
   ``k·X`` inside the layer, or paid on top) by FFT, and from it ``E[S∧A]`` and
   ``TVaR_p(S∧A)``;
4. loss cost ``E[S∧A]`` (+ defence outside), risk load ``m · (TVaR_p(S∧A) − E[S∧A])``, both
   times the schedule factor; gross premium ``(loss + risk + fixed)/(1 − variable − profit)``,
   never below the minimum;
5. money once: the gross premium becomes integer fen by ``premium.to_fen`` and is split into
   its components by largest remainder, so they sum to it exactly.

Every firm's numbers depend only on its own rows (sums run in a canonical order, nothing
is blocked across firms), so a batch of one and a batch of a million agree to the fen, and
the order of firms or clients changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pricing.book import CoverageOption, RatingBook
from pricing.claims_made import claims_made_step
from pricing.credibility import experience_mod
from pricing.errors import PricingError
from pricing.frequency import client_frequency
from pricing.liability import liability_probability, market_probability
from pricing.model import HAZARD_CLASSES, RatingModel
from pricing.option_costs import option_costs
from pricing.premium import allocate_fen, gross_premium, to_fen
from pricing.tier import quality_relativity, tier

COMPONENTS = (
    "loss_cost",
    "risk_load",
    "fixed_expense",
    "variable_expense",
    "profit",
    "minimum_premium_adjustment",
)
FIXED_POINT = 2.0**32  # incidents are summed as exact multiples of 2⁻³² (2.3e-10)
FIXED_POINT_LIMIT = 2.0**21  # below which such sums are exact in a double


@dataclass(frozen=True, eq=False)
class FirmFactors:
    """Per-firm values that do not depend on the option (F rows; ``claims`` F × classes)."""

    incidents: np.ndarray  # n_fc, expected incidents at clients per class, per year
    liability: np.ndarray  # π_f
    relativity: np.ndarray  # π_f / π_market
    step: np.ndarray
    credibility: np.ndarray  # Z
    mod: np.ndarray
    claims: np.ndarray  # ν_fc
    tier: np.ndarray


@dataclass(frozen=True, eq=False)
class RatingResult:
    """Premiums of F firms × O options. Money is integer fen; see ``pricing.worksheet`` for
    the per-quote explanation built from these arrays."""

    book: RatingBook
    model: RatingModel
    options: tuple[CoverageOption, ...]
    factors: FirmFactors
    expected_capped: np.ndarray  # F × O, E[S∧A] of the indemnity layer, CNY
    tvar_capped: np.ndarray  # F × O, TVaR_p(S∧A), CNY
    defence_outside: np.ndarray  # F × O, expected defence paid on top of the limits, CNY
    gross: np.ndarray  # F × O, float CNY before rounding
    premium_fen: np.ndarray  # F × O, int64
    components_fen: np.ndarray  # F × O × COMPONENTS, int64, summing to premium_fen


def rate(book: RatingBook, model: RatingModel, options: Sequence[CoverageOption]) -> RatingResult:
    """Price every firm of ``book`` under every option with ``model``."""
    options = tuple(options)
    if not options:
        raise PricingError("options must name at least one coverage option")
    factors = firm_factors(book, model)
    shape = (book.firms, len(options))
    mean, tvar, defence = option_costs(factors.claims, options, model)
    schedule = np.asarray(book.schedule_factor, dtype=np.float64)[:, None]
    loss = (mean + defence) * schedule
    risk = model.loads.risk_multiple * np.maximum(tvar - mean, 0.0) * schedule
    loads = model.loads
    unfloored = gross_premium(
        loss,
        risk,
        loads.fixed_expense,
        variable_expense=loads.variable_expense,
        profit=loads.profit,
        minimum=0.0,
    )
    gross = np.maximum(unfloored, loads.minimum_premium)
    weights = np.stack(
        [
            loss,
            risk,
            np.full(shape, loads.fixed_expense),
            unfloored * loads.variable_expense,
            unfloored * loads.profit,
            gross - unfloored,
        ],
        axis=-1,
    )
    premium_fen = to_fen(gross)
    components = allocate_fen(premium_fen.ravel(), weights.reshape(-1, len(COMPONENTS)))
    return RatingResult(
        book=book,
        model=model,
        options=options,
        factors=factors,
        expected_capped=mean,
        tvar_capped=tvar,
        defence_outside=defence,
        gross=gross,
        premium_fen=premium_fen,
        components_fen=components.reshape(*shape, len(COMPONENTS)),
    )


def firm_factors(book: RatingBook, model: RatingModel) -> FirmFactors:
    """Steps 1–2 and the tier: everything about a firm that no option changes."""
    incidents = _incidents_by_class(book, model)
    liability = liability_probability(book.deficits, model.liability)
    relativity = quality_relativity(liability, market_probability(model.liability))
    step = claims_made_step(book.years_since_retro, steps=model.claims_made_steps)
    actual = np.asarray(book.experience_actual, dtype=np.float64)
    expected = np.asarray(book.experience_expected, dtype=np.float64)
    mod = experience_mod(
        actual,
        expected,
        k=model.credibility_k,
        floor=model.experience_floor,
        cap=model.experience_cap,
    )
    claims = incidents * (liability * step * mod)[:, None]
    return FirmFactors(
        incidents=incidents,
        liability=liability,
        relativity=relativity,
        step=step,
        credibility=expected / (expected + model.credibility_k),
        mod=mod,
        claims=claims,
        tier=tier(relativity, mod, bands=model.tier_bands),
    )


def _incidents_by_class(book: RatingBook, model: RatingModel) -> np.ndarray:
    """n_fc = Σ w_e λ_e per firm and class, identical to the bit in any client order.

    Each term is first rounded to a multiple of 2⁻³² incidents (2.3·10⁻¹⁰: far below any
    real client's rate). Sums of such multiples below 2²¹ are exact in double precision, so
    the order clients arrive in cannot change a single bit of the result.
    """
    classes = len(HAZARD_CLASSES)
    expected = book.client_weight * client_frequency(
        book.client_class, book.client_metrics, model.frequency
    )
    expected = np.round(expected * FIXED_POINT) / FIXED_POINT
    cell = np.asarray(book.client_firm) * classes + np.asarray(book.client_class)
    sums = np.bincount(cell, expected, minlength=book.firms * classes)
    if len(sums) and sums.max() >= FIXED_POINT_LIMIT:
        raise PricingError(
            f"a firm expects {sums.max():.4g} incidents a year in one class; the exact sums "
            f"hold below {FIXED_POINT_LIMIT:.0f}"
        )
    return sums.reshape(book.firms, classes)
