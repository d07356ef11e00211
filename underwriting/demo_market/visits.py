"""Service records: the visits a firm makes under each contract.

Visits are scheduled every ``inspection_interval_days`` from a random phase in the first
half-interval, each moved by up to a tenth of the interval. A firm makes each scheduled visit
with its ``visit_rate``, inspects each contracted category with its ``coverage``, leaves
photo evidence with its ``evidence`` rate, and submits the record 0–3 days after the visit —
or, with its ``late_rate``, 4–45 days after. Records not yet submitted on the window's last
day do not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.engagements import CATEGORIES, EngagementBook
from underwriting.demo_market.firms import FirmPanel
from underwriting.demo_market.window import SECONDS_PER_DAY, Window
from underwriting.vocabulary import HazardCategory

#: P(record submitted 0, 1, 2, 3 days after the visit) for a punctual submission.
SUBMISSION_DELAY_MIX = (0.55, 0.25, 0.12, 0.08)
LATE_DELAY_DAYS = (4, 45)
#: Submissions happen 09:00–21:00 Beijing time, i.e. 01:00–13:00 UTC.
SUBMISSION_SECONDS = (3_600, 13 * 3_600)
#: Photos per evidenced record: 1 + Binomial(2, 0.3).
EXTRA_PHOTOS = (2, 0.3)


@dataclass(frozen=True)
class VisitLog:
    """Service records sorted by submission time (their id order); arrays aligned.

    ``engagement`` indexes the engagement book; ``inspected`` is boolean records ×
    ``CATEGORIES``; ``signer`` indexes the firm's roster of engineers.
    """

    engagement: np.ndarray
    visit_day: np.ndarray
    submitted_second: np.ndarray
    inspected: np.ndarray
    photos: np.ndarray
    signer: np.ndarray

    def __len__(self) -> int:
        return len(self.engagement)


def draw_visits(
    book: EngagementBook,
    firms: FirmPanel,
    engineers: np.ndarray,
    window: Window,
    rng: np.random.Generator,
) -> VisitLog:
    """The service records of every contract (see the module docstring); ``engineers`` is
    each firm's number of registered engineers, who sign the records."""
    engagement, day = _scheduled_visits(book, rng)
    firm = book.firm[engagement]
    made = rng.random(len(day)) < firms.visit_rate[firm]
    engagement, day, firm = engagement[made], day[made], firm[made]
    submitted = _submission_seconds(day, firms.late_rate[firm], rng)
    exists = submitted <= window.end_second
    engagement, day, firm, submitted = (a[exists] for a in (engagement, day, firm, submitted))
    order = np.lexsort((engagement, submitted))
    engagement, day, firm, submitted = (a[order] for a in (engagement, day, firm, submitted))
    return VisitLog(
        engagement=engagement,
        visit_day=day,
        submitted_second=submitted,
        inspected=_inspected(book.scope[engagement], firms.coverage[firm], rng),
        photos=_photo_counts(firms.evidence[firm], rng),
        signer=rng.integers(0, engineers[firm]),
    )


def _scheduled_visits(
    book: EngagementBook, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(engagement, day) of every scheduled visit, inside each contract."""
    interval = book.interval_days
    slots = (book.end_day - book.start_day) // interval + 1
    engagement = np.repeat(np.arange(len(book)), slots)
    first_slot = np.cumsum(slots) - slots
    k = np.arange(len(engagement)) - np.repeat(first_slot, slots)
    phase = rng.integers(0, interval // 2 + 1)[engagement]
    reach = interval[engagement] // 10
    jitter = rng.integers(-reach, reach + 1)
    day = book.start_day[engagement] + phase + k * interval[engagement] + jitter
    inside = (day >= book.start_day[engagement]) & (day <= book.end_day[engagement])
    return engagement[inside], day[inside]


def _submission_seconds(
    day: np.ndarray, late_rate: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    punctual = rng.choice(len(SUBMISSION_DELAY_MIX), len(day), p=SUBMISSION_DELAY_MIX)
    late = rng.integers(LATE_DELAY_DAYS[0], LATE_DELAY_DAYS[1] + 1, len(day))
    delay = np.where(rng.random(len(day)) < late_rate, late, punctual)
    second = rng.integers(SUBMISSION_SECONDS[0], SUBMISSION_SECONDS[1], len(day))
    return (day + delay) * SECONDS_PER_DAY + second


def _inspected(scope: np.ndarray, coverage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each contracted category inspected with the firm's coverage; never none at all
    (a visit that inspects nothing still records general management)."""
    inspected = scope & (rng.random(scope.shape) < coverage[:, None])
    general = CATEGORIES.index(HazardCategory.GENERAL)
    inspected[~inspected.any(axis=1), general] = True
    return inspected


def _photo_counts(evidence: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    evidenced = rng.random(len(evidence)) < evidence
    return np.where(evidenced, 1 + rng.binomial(*EXTRA_PHOTOS, len(evidence)), 0)


def photo_hashes(counts: np.ndarray, rng: np.random.Generator) -> list[list[str]]:
    """``counts[i]`` distinct-looking SHA-256 hex digests (64 characters) per record."""
    digits = rng.bytes(32 * int(counts.sum())).hex()
    ends = np.cumsum(counts).tolist()
    hashes = [digits[64 * i : 64 * (i + 1)] for i in range(int(counts.sum()))]
    starts = [0, *ends[:-1]]
    return [hashes[a:b] for a, b in zip(starts, ends, strict=True)]
