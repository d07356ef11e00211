"""The ground truth of the insured history: how firms buy cover, how liable incidents become
claims, and how claims are reserved and paid (``fixtures/README.md``, "The insured history").

The market's own truth (``truth.py``: λ_e, π_f, the severity) decides which incidents happen,
which of them are a firm's liability and what they cost. The parameters here add the
insurance on top of it:

* **cover** — every 1 January an eligible firm (qualified, with a contract in force) is
  quoted by the rating model in force; an uninsured one buys with ``NEW_BUSINESS``, an insured
  one renews with ``RENEWAL``, less likely the more its price rose; tier E is referred and
  an underwriter accepts it with ``REFERRAL_ACCEPTANCE``; terms come from ``TERMS``;
* **claims** — a liable incident is first made as a claim ``REPORT_LAG`` after it, against
  the firm for ``SHARES`` of the loss, with defence costs ``DEFENCE``;
* **development** — each claim is reserved on report and re-estimated (``RESERVING``), and
  paid in one to four instalments over ``SETTLEMENT`` years.

Every number is a parameter of the demo, not a fact about the market; the README gives the
reasoning and the sources where there are any.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class NewBusiness:
    """P(an uninsured eligible firm buys its quote) = logistic(logit(``base``) −
    ``tier_slope`` · (tier index − 2)), tier index A = 0 … E = 4."""

    base: float = 0.40
    tier_slope: float = 0.30


@dataclass(frozen=True)
class Renewal:
    """P(an insured eligible firm renews) = logistic(logit(``base``) − ``price_elasticity`` ·
    ln(premium / last premium) − ``tier_slope`` · (tier index − 2)). An insured firm that is
    no longer eligible lapses."""

    base: float = 0.90
    price_elasticity: float = 2.0
    tier_slope: float = 0.15


@dataclass(frozen=True)
class Insurers:
    """A new policy's insurer: one of the market's, weight ``home_weight`` for the firm's own
    province, else 1; at renewal the firm stays with its insurer with ``loyalty``."""

    home_weight: float = 3.0
    loyalty: float = 0.90


@dataclass(frozen=True)
class Terms:
    """The menu. Per-claim × aggregate limits (CNY), chosen around index
    ``clip(log2(clients in force / limit_clients), 0, 4)`` with weights
    ``exp(−(k − k*)² / 2)``; deductibles (CNY) with ``deductible_mix``; defence inside the
    limits with ``defence_inside``; at renewal the terms are kept with ``kept``."""

    limits: tuple[tuple[int, int], ...] = (
        (500_000, 1_000_000),
        (1_000_000, 2_000_000),
        (1_000_000, 3_000_000),
        (2_000_000, 4_000_000),
        (5_000_000, 10_000_000),
    )
    limit_clients: float = 8.0
    deductibles: tuple[int, ...] = (0, 5_000, 10_000, 20_000)
    deductible_mix: tuple[float, ...] = (0.30, 0.35, 0.25, 0.10)
    defence_inside: float = 0.70
    kept: float = 0.85


@dataclass(frozen=True)
class ReportLag:
    """Days from the incident to the claim first made: lognormal with median
    ``median_days`` and log-sd ``sigma``, conditioned on at most ``cap_days`` (the 3-year
    limitation period of 民法典 art. 188), rounded up to whole days (at least 1)."""

    median_days: float = 150.0
    sigma: float = 0.9
    cap_days: int = 1095


@dataclass(frozen=True)
class Shares:
    """The firm's liability share of a liable incident's loss (Decimal strings) and their
    probabilities; the mean is 0.5, the factor the model's severity is scaled by."""

    values: tuple[str, ...] = ("0.2", "0.3", "0.5", "0.7", "0.8", "0.9")
    mix: tuple[float, ...] = (0.20, 0.20, 0.25, 0.15, 0.10, 0.10)


@dataclass(frozen=True)
class Defence:
    """Defence costs of a claim = ``ratio`` × the incident's loss × lognormal noise of
    log-sd ``sigma`` and mean 1; the firm answers for them in proportion to its share."""

    ratio: float = 0.15
    sigma: float = 0.5


@dataclass(frozen=True)
class Settlement:
    """Days from report to the final payment: lognormal, median ``median_days`` ×
    (max(payable, ¥10k) / ¥100k)^``size_elasticity``, log-sd ``sigma``, clipped to
    ``bounds_days``. Up to ``interim_max`` interim payments before it, each with probability
    clip(``interim_slope`` · log10(payable / ¥10k), 0, 0.8), at uniform times; instalment
    weights Gamma(1) for an interim payment and Gamma(``final_weight``) for the final one."""

    median_days: float = 438.0
    sigma: float = 0.6
    size_elasticity: float = 0.15
    bounds_days: tuple[int, int] = (30, 2190)
    interim_max: int = 3
    interim_slope: float = 0.2
    final_weight: float = 2.0


@dataclass(frozen=True)
class Reserving:
    """Case-incurred estimate at review j, t_j days after report, of a claim settling T days
    after report for U: ``U · exp((1 − t_j/T) · (bias + sigma · Z_j))`` with Z an AR(1) of
    correlation ``autocorrelation``, never below the paid to date nor above the claim's
    limit; reviews on report, at every interim payment and every ``review_days``."""

    bias: float = -0.2
    sigma: float = 0.5
    autocorrelation: float = 0.6
    review_days: int = 365


NEW_BUSINESS = NewBusiness()
RENEWAL = Renewal()
REFERRAL_ACCEPTANCE = 0.5
INSURERS = Insurers()
TERMS = Terms()
REPORT_LAG = ReportLag()
SHARES = Shares()
DEFENCE = Defence()
SETTLEMENT = Settlement()
RESERVING = Reserving()


def insured_truth() -> dict[str, Any]:
    """Every parameter above as a JSON-native dict (``InsuredHistory.truth["insured"]``)."""
    parts = {
        "new_business": NEW_BUSINESS,
        "renewal": RENEWAL,
        "insurers": INSURERS,
        "terms": TERMS,
        "report_lag": REPORT_LAG,
        "shares": SHARES,
        "defence": DEFENCE,
        "settlement": SETTLEMENT,
        "reserving": RESERVING,
    }
    out: dict[str, Any] = {
        "policy_period": "calendar year, 1 January to 1 January; claims-made",
        "referral_acceptance": REFERRAL_ACCEPTANCE,
    }
    for name, part in parts.items():
        out[name] = _json_native(asdict(part))
    return out


def _json_native(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_native(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json_native(v) for v in value]
    return value
