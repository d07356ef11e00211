"""Safety technical service firms: their registration, their latent quality and how that
quality shows in the way they work.

Each firm has a latent quality ``z ~ N(0, 1)`` (higher is better). Everything a firm does is
a logistic or log-linear function of ``z`` — how many scheduled visits it makes, how much of
the contracted scope it inspects, how many of the hazards present it finds, how closely it
follows up rectification, how often it leaves photo evidence, how many reports are
inaccurate — and a few firms also file false reports. Its true quality deficits ``q_f`` and
liability probability ``π_f`` (``truth.liability_probability``) follow from those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.regions import city_probabilities
from underwriting.demo_market.sectors import PROFILES
from underwriting.demo_market.streams import categorical_draws, logistic
from underwriting.demo_market.truth import (
    HAZARD_CLASSES,
    LIABILITY_COEFFICIENTS,
    liability_probability,
)
from underwriting.demo_market.window import Window, day_number
from underwriting.vocabulary import CreditColour, QualificationKind

QUALIFICATIONS: tuple[QualificationKind, ...] = tuple(QualificationKind)
QUALIFICATION_MIX = (0.40, 0.15, 0.35, 0.10)
COLOURS: tuple[CreditColour, ...] = tuple(CreditColour)
#: Shares of the worst-ranked firms that are red, orange and yellow; the rest are blue.
COLOUR_SHARES = (0.03, 0.07, 0.15)
FRAUD_SHARE = 0.04
LAPSE_SHARE = 0.08
#: A market of at least this many firms always has one whose qualification lapsed.
MIN_FIRMS_FOR_A_LAPSE = 5
FOUNDED_RANGE = (1995, 2020)
#: Staffing beyond one engineer per engagement buys no further quality (caps q_f's column).
ENGINEERS_PER_ENGAGEMENT_CAP = 1.0
#: The fewest registered safety engineers a qualified firm keeps on its staff.
MIN_ENGINEERS = 3


@dataclass(frozen=True)
class FirmPanel:
    """The firms of a market, arrays aligned by position; ``ids`` are organisation ids.

    Rates are probabilities per scheduled visit / per category / per hazard present / per
    finding / per record / per report; ``founded_day`` and ``expiry_day`` are day numbers.
    """

    ids: np.ndarray
    city: np.ndarray
    qualification: np.ndarray
    founded_year: np.ndarray
    founded_day: np.ndarray
    expiry_day: np.ndarray
    size: np.ndarray
    quality: np.ndarray
    fraudulent: np.ndarray
    colour: np.ndarray
    visit_rate: np.ndarray
    coverage: np.ndarray
    detection: np.ndarray
    follow_up: np.ndarray
    evidence: np.ndarray
    inaccurate_rate: np.ndarray
    false_rate: np.ndarray
    late_rate: np.ndarray
    engineers_per_engagement: np.ndarray
    retention: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def draw_firms(count: int, first_id: int, window: Window, rng: np.random.Generator) -> FirmPanel:
    """``count`` firms with organisation ids from ``first_id``, in random cities."""
    z = rng.standard_normal(count)
    fraudulent = _fraudsters(z, rng)
    founded_year, founded_day = _founding(count, window, rng)
    return FirmPanel(
        ids=np.arange(first_id, first_id + count),
        city=_firm_cities(count, rng),
        qualification=rng.choice(len(QUALIFICATIONS), count, p=QUALIFICATION_MIX),
        founded_year=founded_year,
        founded_day=founded_day,
        expiry_day=_qualification_expiry(z, founded_day, window, rng),
        size=rng.lognormal(0.0, 1.0, count) * np.exp(0.3 * z),
        quality=z,
        fraudulent=fraudulent,
        colour=_credit_colours(z, fraudulent, rng),
        visit_rate=logistic(3.0 + z),
        coverage=logistic(2.0 + z),
        detection=logistic(0.5 + 0.8 * z),
        follow_up=logistic(1.5 + z),
        evidence=logistic(2.5 + 1.2 * z),
        inaccurate_rate=np.minimum(0.3, 0.03 * np.exp(-0.7 * z)),
        false_rate=np.where(fraudulent, rng.uniform(0.04, 0.12, count), 0.0),
        late_rate=logistic(-4.0 - z),
        engineers_per_engagement=0.5 * np.exp(0.25 * z + rng.normal(0.0, 0.25, count)),
        retention=0.70 + 0.20 * logistic(z),
    )


def _firm_cities(count: int, rng: np.random.Generator) -> np.ndarray:
    """Firms set up where their clients are: cities drawn from the enterprises' mix."""
    shares = np.array([PROFILES[h].share for h in HAZARD_CLASSES])
    return categorical_draws(np.tile(shares @ city_probabilities(), (count, 1)), rng)


def _fraudsters(z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few firms, all from the weaker half, that file false reports."""
    count = max(1, round(FRAUD_SHARE * len(z)))
    weaker_half = np.argsort(z, kind="stable")[: max(count, len(z) // 2)]
    fraudulent = np.zeros(len(z), dtype=bool)
    fraudulent[rng.choice(weaker_half, count, replace=False)] = True
    return fraudulent


def _founding(
    count: int, window: Window, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Founding year in 1995–2020 (never after the window's second-to-last year) and the
    first day the firm could sign a contract."""
    last = min(FOUNDED_RANGE[1], window.last_year - 1)
    first = min(FOUNDED_RANGE[0], last)
    years = rng.integers(first, last + 1, count)
    days = np.array([day_number(int(y)) for y in years]) + rng.integers(0, 365, count)
    return years, days


def _qualification_expiry(
    z: np.ndarray, founded_day: np.ndarray, window: Window, rng: np.random.Generator
) -> np.ndarray:
    """The day each firm's qualification expires.

    A firm in good standing holds a certificate that runs past the window: the Ministry of
    Emergency Management's certificates last five years (《安全评价检测检验机构管理办法》,
    2019, art. 11), so its expiry falls somewhere in the five years after the window ends. A
    qualification is a dated attribute, not an event, so a future date is no leak of the
    future. About ``LAPSE_SHARE`` of firms, the weaker more likely, let it lapse on a day
    before the last year begins and take no work after it.
    """
    renewal_cycle = 5 * 365
    expiry = window.end_day + rng.integers(30, renewal_cycle, len(z))
    earliest = np.maximum(founded_day + 365, window.start_day + 365)
    latest = window.year_start(window.last_year) - 1
    can_lapse = np.flatnonzero(earliest < latest)
    wanted = round(LAPSE_SHARE * len(z))
    count = min(len(can_lapse), max(1, wanted) if len(z) >= MIN_FIRMS_FOR_A_LAPSE else wanted)
    if count == 0:
        return expiry
    weights = np.exp(-z[can_lapse])
    lapsed = rng.choice(can_lapse, count, replace=False, p=weights / weights.sum())
    lapsed.sort()
    expiry[lapsed] = rng.integers(earliest[lapsed], latest)
    return expiry


def _credit_colours(z: np.ndarray, fraudulent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Regulator colours by rank of a noisy view of quality; fraud weighs heavily."""
    seen = z + rng.normal(0.0, 0.5, len(z)) - 2.5 * fraudulent
    rank = np.empty(len(z), dtype=np.int64)
    rank[np.argsort(seen, kind="stable")] = np.arange(len(z))
    red, orange, yellow = (round(share * len(z)) for share in COLOUR_SHARES)
    cuts = np.cumsum([max(red, 1), orange, yellow])
    worst_first = np.searchsorted(cuts, rank, side="right")  # 0 red … 3 blue
    return 3 - np.minimum(worst_first, 3)


def true_audit_scores(firms: FirmPanel) -> np.ndarray:
    """Expected audit scores, firms × (completeness, accuracy, follow-up, evidence), 0–100.

    Completeness is the share of scheduled scope actually inspected; accuracy the share of
    reports neither inaccurate nor false, discounted for hazards missed; follow-up and
    evidence the firm's follow-up and photo-evidence rates.
    """
    accurate = 1.0 - firms.inaccurate_rate - firms.false_rate
    return 100.0 * np.column_stack(
        (
            firms.visit_rate * firms.coverage,
            accurate * (0.7 + 0.3 * firms.detection),
            firms.follow_up,
            firms.evidence,
        )
    )


def quality_deficits(firms: FirmPanel, engineers_per_engagement: np.ndarray) -> np.ndarray:
    """The true q_f, firms × ``LIABILITY_COEFFICIENTS``, from the firms' latent behaviour and
    their observed registered engineers per engagement in force (capped at 1)."""
    columns = (
        100.0 - true_audit_scores(firms).mean(axis=1),
        100.0 * firms.inaccurate_rate,
        100.0 * firms.false_rate,
        1.0 - firms.follow_up,
        1.0 - firms.evidence,
        firms.colour.astype(np.float64),
        np.minimum(engineers_per_engagement, ENGINEERS_PER_ENGAGEMENT_CAP),
    )
    return np.column_stack(columns)


def firm_truth(firms: FirmPanel, engineers_per_engagement: np.ndarray) -> dict[str, dict]:
    """Per firm (keyed by its id as a string): latent quality, behaviour, q_f and π_f."""
    deficits = quality_deficits(firms, engineers_per_engagement)
    liability = liability_probability(deficits)
    scores = true_audit_scores(firms).mean(axis=1)
    names = list(LIABILITY_COEFFICIENTS)
    return {
        str(firm_id): {
            "latent_quality": float(firms.quality[i]),
            "fraudulent": bool(firms.fraudulent[i]),
            "visit_rate": float(firms.visit_rate[i]),
            "coverage": float(firms.coverage[i]),
            "detection": float(firms.detection[i]),
            "follow_up": float(firms.follow_up[i]),
            "evidence": float(firms.evidence[i]),
            "inaccurate_rate": float(firms.inaccurate_rate[i]),
            "false_rate": float(firms.false_rate[i]),
            "true_audit_score": float(scores[i]),
            "deficits": dict(zip(names, deficits[i].tolist(), strict=True)),
            "liability_probability": float(liability[i]),
        }
        for i, firm_id in enumerate(firms.ids.tolist())
    }


def safety_engineers(firms: FirmPanel, engagements_in_force: np.ndarray) -> np.ndarray:
    """Registered safety engineers: the firm's engineers per engagement times its contracts in
    force on its last qualified day, and never fewer than ``MIN_ENGINEERS``."""
    staffed = firms.engineers_per_engagement * engagements_in_force
    return np.maximum(MIN_ENGINEERS, np.rint(staffed)).astype(np.int64)
