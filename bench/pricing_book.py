"""A seeded synthetic rating book for the pricing benchmarks: firms, their clients, options.

Everything comes from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
arguments give the same book bit for bit, in this process or a fresh one. Amounts are CNY.

Firms: quality deficits scattered multiplicatively (lognormal, sigma 0.35) around the model's
``liability.market`` firm; 0–9 full years since the retro date; model-expected losses of the
experience period lognormal around 60,000 CNY and actual losses gamma around them (shape
0.5, so many firms show little); schedule factors 0.85–1.15 in steps of 0.05.

Clients: each firm works mostly in 1–3 dominant hazard classes drawn without replacement by
market share (``MARKET_SHARE``); 85% of its clients are in one of them, the rest anywhere.
Employees are lognormal (median 80, sigma 1.1, 5 to 3,000); standardisation grades 1/2/3/none
5/25/45/25%; major hazard sources 0 for 85%; closure rates uniform 0.5–1; overdue
rectifications 0 for 90%; a few accidents; no IoT (NaN) for half, else alarms exponential
(mean 0.5 per 1,000 device-hours, at most 5); exposure weights uniform 0.3–1.
"""

from __future__ import annotations

import numpy as np

from pricing import ClientMetrics, CoverageOption, RatingBook, RatingModel
from pricing.model import HAZARD_CLASSES

#: Share of clients per class in the market, in the order of ``HAZARD_CLASSES``.
MARKET_SHARE = np.array([0.05, 0.12, 0.02, 0.08, 0.15, 0.02, 0.06, 0.02, 0.28, 0.20])
DOMINANT_SHARE = 0.85  # of a firm's clients in its dominant classes

#: The three coverage options of the rating benchmark: per-claim limit, aggregate limit,
#: deductible (CNY), defence inside or outside the limits.
OPTIONS = (
    CoverageOption(1_000_000, 3_000_000, 10_000, defence_inside=True),
    CoverageOption(2_000_000, 5_000_000, 20_000, defence_inside=False),
    CoverageOption(500_000, 1_000_000, 0, defence_inside=True),
)


def synthetic_book(model: RatingModel, *, firms: int, clients: int, seed: int) -> RatingBook:
    """``firms`` firms with ``clients`` clients each (``firms × clients`` client rows, grouped
    by firm), drawn from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    firm_rows = _firms(rng, model, firms)
    client_firm = np.repeat(np.arange(firms, dtype=np.int64), clients)
    return RatingBook(
        **firm_rows,
        client_firm=client_firm,
        client_class=_classes(rng, firms, client_firm),
        client_metrics=_metrics(rng, len(client_firm)),
        client_weight=rng.uniform(0.3, 1.0, len(client_firm)),
    )


def _firms(rng: np.random.Generator, model: RatingModel, firms: int) -> dict[str, np.ndarray]:
    market = model.liability.market
    deficits = market * rng.lognormal(0.0, 0.35, (firms, len(market)))
    expected = rng.lognormal(np.log(60_000.0), 0.8, firms)
    return {
        "firm_ids": np.arange(1, firms + 1, dtype=np.int64),
        "deficits": deficits,
        "years_since_retro": rng.integers(0, 10, firms),
        "experience_expected": expected,
        "experience_actual": rng.gamma(0.5, 2.0 * expected),
        "schedule_factor": 1.0 + 0.05 * rng.integers(-3, 4, firms),
    }


def _classes(rng: np.random.Generator, firms: int, client_firm: np.ndarray) -> np.ndarray:
    """Each firm's 1–3 dominant classes (Gumbel top-k: weighted, without replacement); a
    client takes one of its firm's with probability ``DOMINANT_SHARE``, else any by share."""
    keys = np.log(MARKET_SHARE) + rng.gumbel(size=(firms, len(HAZARD_CLASSES)))
    dominant = np.argsort(-keys, axis=1)[:, :3]
    count = rng.integers(1, 4, firms)
    pick = (rng.random(len(client_firm)) * count[client_firm]).astype(np.int64)
    classes = dominant[client_firm, pick]
    stray = rng.random(len(client_firm)) >= DOMINANT_SHARE
    classes[stray] = rng.choice(len(HAZARD_CLASSES), int(stray.sum()), p=MARKET_SHARE)
    return classes.astype(np.int64)


def _metrics(rng: np.random.Generator, rows: int) -> ClientMetrics:
    employees = np.clip(np.round(rng.lognormal(np.log(80.0), 1.1, rows)), 5, 3_000)
    sources = np.where(rng.random(rows) < 0.85, 0, 1 + rng.poisson(1.0, rows))
    overdue = np.where(rng.random(rows) < 0.90, 0, 1 + rng.poisson(1.5, rows))
    accidents = np.column_stack(
        [
            rng.poisson(0.02 * employees / 100.0),
            rng.poisson(0.01, rows),
            rng.poisson(0.002, rows),
            rng.poisson(0.0002, rows),
        ]
    )
    alarms = np.minimum(rng.exponential(0.5, rows), 5.0)
    alarms[rng.random(rows) < 0.5] = np.nan
    return ClientMetrics(
        employees=employees,
        standardisation=rng.choice(4, rows, p=[0.05, 0.25, 0.45, 0.25]),
        major_hazard_sources=sources.astype(np.int64),
        closure_rate=rng.uniform(0.5, 1.0, rows),
        overdue_rectifications=overdue.astype(np.int64),
        accidents_3y=accidents.astype(np.int64),
        iot_alarm_rate=alarms,
    )
