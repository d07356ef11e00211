"""The SecondLock actuarial library: rating model, severity, aggregate loss, credibility.

numpy and scipy only; nothing of the database, HTTP or the application (DESIGN.md section
5), so an actuary can ``import pricing`` in a notebook::

    >>> import pricing
    >>> model = pricing.RatingModel.load("pl-2026.1")
    >>> loss = pricing.aggregate_loss(3, pricing.Lognormal(10, 1.5), per_claim_limit=1e6)
    >>> round(loss.mean / 3 / pricing.Lognormal(10, 1.5).lev(1e6), 6)
    1.0
"""

from pricing.aggregate import AggregateLoss, aggregate_loss, monte_carlo_aggregate, panjer_pmf
from pricing.backtest_metrics import backtest_metrics
from pricing.backtest_policies import BacktestPolicies
from pricing.book import CoverageOption, RatingBook
from pricing.claims_made import claims_made_step, full_years_between
from pricing.credibility import BuhlmannStraub, experience_mod
from pricing.development import ChainLadder, TriangleWarning
from pricing.errors import PricingError
from pricing.frequency import ClientMetrics, client_frequency, service_weight
from pricing.glm import GLM
from pricing.liability import (
    AuditLog,
    audit_deficits,
    liability_probability,
    market_probability,
    quality_features,
)
from pricing.model import (
    HAZARD_CLASSES,
    QUALITY_FEATURES,
    SERVICE_KINDS,
    STANDARDISATION_GRADES,
    ModelError,
    RatingModel,
)
from pricing.premium import allocate_fen, fen_to_decimal, gross_premium, to_fen
from pricing.premium_change import ChangeStep, PremiumChange, explain_change
from pricing.proration import (
    SHORT_RATE_TABLE,
    PremiumSlice,
    Refund,
    cancellation_refund,
    months_in_force,
    pro_rata_fen,
    short_rate_fraction,
)
from pricing.rate import COMPONENTS, RatingResult, rate
from pricing.schedule import ScheduleItem, schedule_factor
from pricing.severity import Lognormal, Pareto, Severity, SeverityError, SplicedLognormalPareto
from pricing.tier import quality_relativity, tier
from pricing.worksheet import recompute, worksheet

__all__ = [
    "COMPONENTS",
    "GLM",
    "HAZARD_CLASSES",
    "QUALITY_FEATURES",
    "SERVICE_KINDS",
    "SHORT_RATE_TABLE",
    "STANDARDISATION_GRADES",
    "AggregateLoss",
    "AuditLog",
    "BacktestPolicies",
    "BuhlmannStraub",
    "ChainLadder",
    "ChangeStep",
    "ClientMetrics",
    "CoverageOption",
    "Lognormal",
    "ModelError",
    "Pareto",
    "PremiumChange",
    "PremiumSlice",
    "PricingError",
    "RatingBook",
    "RatingModel",
    "RatingResult",
    "Refund",
    "ScheduleItem",
    "Severity",
    "SeverityError",
    "SplicedLognormalPareto",
    "TriangleWarning",
    "aggregate_loss",
    "allocate_fen",
    "audit_deficits",
    "backtest_metrics",
    "cancellation_refund",
    "claims_made_step",
    "client_frequency",
    "experience_mod",
    "explain_change",
    "fen_to_decimal",
    "full_years_between",
    "gross_premium",
    "liability_probability",
    "market_probability",
    "monte_carlo_aggregate",
    "months_in_force",
    "panjer_pmf",
    "pro_rata_fen",
    "quality_features",
    "quality_relativity",
    "rate",
    "recompute",
    "schedule_factor",
    "service_weight",
    "short_rate_fraction",
    "tier",
    "to_fen",
    "worksheet",
]
