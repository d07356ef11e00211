"""Service contracts: each enterprise is served from its onboarding day by a chain of
contracts of 1–3 years; at each renewal it stays with its firm (more often with a good one)
or moves to another, chosen by firm size and nearness. Scope, interval and fee follow the
enterprise's class and size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.enterprises import GRADES, EnterprisePanel
from underwriting.demo_market.firms import QUALIFICATIONS, FirmPanel
from underwriting.demo_market.regions import province_of
from underwriting.demo_market.sectors import (
    GENERAL_INTERVAL_MIX,
    HIGH_HAZARD_INTERVAL_MIX,
    INSPECTION_INTERVALS_DAYS,
    PROFILES,
    SERVICE_FEE_UPLIFT,
)
from underwriting.demo_market.streams import categorical_draws
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.demo_market.window import Window
from underwriting.vocabulary import (
    HazardCategory,
    QualificationKind,
    ServiceKind,
    StandardisationGrade,
)

SERVICE_KINDS: tuple[ServiceKind, ...] = tuple(ServiceKind)
CATEGORIES: tuple[HazardCategory, ...] = tuple(HazardCategory)
TERM_YEARS = (1, 2, 3)
TERM_MIX = (0.5, 0.3, 0.2)
#: Renewal gap: most renew the next day; the rest after 1–120 days without a contract.
SEAMLESS_RENEWAL = 0.85
#: Probability an enterprise leaves the platform at a renewal.
CHURN = 0.03
#: Weight of a firm in the same city, same province, elsewhere, relative to its size.
NEARNESS = (8.0, 3.0, 0.05)
#: A contract needs a firm qualified for at least this many days after it starts.
MIN_CONTRACT_DAYS = 30


@dataclass(frozen=True)
class EngagementBook:
    """Contracts, arrays aligned by position (sorted by start day, then enterprise).

    ``firm`` and ``enterprise`` are positions in the panels; days are day numbers (end
    inclusive); ``kinds`` and ``scope`` are boolean matrices over ``SERVICE_KINDS`` and
    ``CATEGORIES``; ``fee_fen`` is the annual fee in fen.
    """

    firm: np.ndarray
    enterprise: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    interval_days: np.ndarray
    kinds: np.ndarray
    scope: np.ndarray
    fee_fen: np.ndarray

    def __len__(self) -> int:
        return len(self.firm)


def draw_engagements(
    firms: FirmPanel, enterprises: EnterprisePanel, window: Window, rng: np.random.Generator
) -> EngagementBook:
    """Every contract of the window, with its scope, service kinds, interval and fee."""
    firm, enterprise, start, end = _contract_chains(firms, enterprises, window, rng)
    order = np.lexsort((enterprise, start))
    firm, enterprise, start, end = firm[order], enterprise[order], start[order], end[order]
    classes = enterprises.hazard_class[enterprise]
    interval = _intervals(classes, rng)
    kinds = _service_kinds(firms.qualification[firm], enterprises.grade[enterprise], classes, rng)
    return EngagementBook(
        firm=firm,
        enterprise=enterprise,
        start_day=start,
        end_day=end,
        interval_days=interval,
        kinds=kinds,
        scope=_scopes(classes, rng),
        fee_fen=_annual_fees(classes, enterprises.employees[enterprise], kinds, interval, rng),
    )


def _contract_chains(
    firms: FirmPanel, enterprises: EnterprisePanel, window: Window, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(firm, enterprise, start, end) of every contract, renewal round by renewal round."""
    start = enterprises.onboard_day.copy()
    current = np.full(len(enterprises), -1)
    active = np.arange(len(enterprises))
    rounds = []
    while active.size:
        s, previous = start[active], current[active]
        stays = (previous >= 0) & (rng.random(active.size) < firms.retention[previous])
        stays &= _qualified(firms, previous, s)
        chosen = np.where(stays, previous, _choose_firms(firms, enterprises.city[active], s, rng))
        term = rng.choice(TERM_YEARS, active.size, p=TERM_MIX)
        # A contract runs its term (or to the firm's lapse); one signed in the window may end
        # after it, as a contract in force on the market's last day does.
        end = np.minimum(s + 365 * term - 1, firms.expiry_day[chosen])
        signed = (chosen >= 0) & (end > s)
        rounds.append((chosen[signed], active[signed], s[signed], end[signed]))
        gap = np.where(
            rng.random(active.size) < SEAMLESS_RENEWAL, 0, rng.integers(1, 121, active.size)
        )
        start[active] = np.where(signed, end + 1 + gap, s + 365)
        current[active] = np.where(signed, chosen, previous)
        stays_on = rng.random(active.size) >= CHURN
        active = active[stays_on & (start[active] <= window.end_day - MIN_CONTRACT_DAYS)]
    return tuple(np.concatenate(parts) for parts in zip(*rounds, strict=True))


def _qualified(firms: FirmPanel, firm: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each firm (position, -1 for none) may sign a contract starting on ``day``."""
    safe = np.maximum(firm, 0)
    return (
        (firm >= 0)
        & (firms.founded_day[safe] <= day)
        & (firms.expiry_day[safe] >= day + MIN_CONTRACT_DAYS)
    )


def _choose_firms(
    firms: FirmPanel, cities: np.ndarray, days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A qualified firm for each new contract, by size × nearness; -1 where none is."""
    same_city = cities[:, None] == firms.city[None, :]
    same_province = province_of(cities)[:, None] == province_of(firms.city)[None, :]
    nearness = np.where(same_city, NEARNESS[0], np.where(same_province, NEARNESS[1], NEARNESS[2]))
    open_for_work = (firms.founded_day[None, :] <= days[:, None]) & (
        firms.expiry_day[None, :] >= days[:, None] + MIN_CONTRACT_DAYS
    )
    weights = firms.size[None, :] * nearness * open_for_work
    chosen = categorical_draws(weights, rng)
    return np.where(weights.sum(axis=1) > 0, chosen, -1)


def _intervals(classes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    mixes = np.array(
        [
            HIGH_HAZARD_INTERVAL_MIX if PROFILES[h].high_hazard else GENERAL_INTERVAL_MIX
            for h in HAZARD_CLASSES
        ]
    )
    return np.array(INSPECTION_INTERVALS_DAYS)[categorical_draws(mixes[classes], rng)]


def _service_kinds(
    qualification: np.ndarray, grade: np.ndarray, classes: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Boolean contracts × ``SERVICE_KINDS``: hazard inspection always; safety assessment
    only from a firm qualified for it; standardisation consulting mostly for unrated or
    grade-3 enterprises; drills more in the high-hazard classes."""
    assessor = np.array(QUALIFICATIONS)[qualification] == QualificationKind.SAFETY_ASSESSMENT
    low_grade = np.isin(
        np.array(GRADES)[grade], (StandardisationGrade.GRADE_3, StandardisationGrade.NONE)
    )
    high_hazard = np.array([PROFILES[h].high_hazard for h in HAZARD_CLASSES])[classes]
    probability = np.column_stack(
        (
            np.ones(len(classes)),
            np.where(assessor, 0.5, 0.0),
            np.where(low_grade, 0.35, 0.15),
            np.full(len(classes), 0.4),
            np.where(high_hazard, 0.45, 0.2),
        )
    )
    return rng.random(probability.shape) < probability


def _scopes(classes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean contracts × ``CATEGORIES``: ``general`` always, the class's core categories
    with probability 0.95, its other typical categories with 0.5."""
    core = np.zeros((len(HAZARD_CLASSES), len(CATEGORIES)), dtype=bool)
    other = core.copy()
    for row, hazard_class in enumerate(HAZARD_CLASSES):
        profile = PROFILES[hazard_class]
        for k, category in enumerate(profile.scope):
            (core if k < profile.core else other)[row, CATEGORIES.index(category)] = True
    u = rng.random((len(classes), len(CATEGORIES)))
    scope = (core[classes] & (u < 0.95)) | (other[classes] & (u < 0.5))
    scope[:, CATEGORIES.index(HazardCategory.GENERAL)] = True
    return scope


def _annual_fees(
    classes: np.ndarray,
    employees: np.ndarray,
    kinds: np.ndarray,
    interval: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Fen per year: class base × (employees/100)^0.35 × (1 + service uplifts) ×
    (90/interval)^0.3 × lognormal(0, 0.2) noise, rounded to ¥100, at least ¥3,000."""
    base = np.array([PROFILES[h].fee_base for h in HAZARD_CLASSES])[classes]
    uplift = kinds @ np.array([SERVICE_FEE_UPLIFT[k.value] for k in SERVICE_KINDS])
    yuan = base * (employees / 100.0) ** 0.35 * (1.0 + uplift) * (90.0 / interval) ** 0.3
    yuan *= np.exp(rng.normal(0.0, 0.2, len(classes)))
    hundreds = np.maximum(30, np.rint(yuan / 100.0)).astype(np.int64)
    return hundreds * 100 * 100


def engagements_in_force(book: EngagementBook, firm_count: int, days: np.ndarray) -> np.ndarray:
    """Number of each firm's contracts in force on ``days[firm]`` (a day per firm)."""
    on = days[book.firm]
    in_force = (book.start_day <= on) & (book.end_day >= on)
    return np.bincount(book.firm[in_force], minlength=firm_count)
