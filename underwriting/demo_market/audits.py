"""Sample audits of the firms' records by an insurer or the platform.

From the window's second year on, every firm that has served a client before the year began
and is still qualified is audited once a year, or twice with probability 0.35 (0.6 if its
credit colour is orange or red). The auditor is the platform with probability 0.25, else
one of the insurers. A sample of 10–40 records is drawn; each report in it is inaccurate
with the firm's inaccurate rate and otherwise false with its false rate, and the four
scores are the firm's true scores (``firms.true_audit_scores``) plus N(0, 6²) noise,
clipped to [0, 100] and given to one decimal. The audit is submitted 0–10 days after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.engagements import EngagementBook
from underwriting.demo_market.firms import FirmPanel, true_audit_scores
from underwriting.demo_market.window import SECONDS_PER_DAY, Window

SAMPLE_SIZE = (10, 40)
SECOND_AUDIT_PROBABILITY = (0.35, 0.6)
PLATFORM_SHARE = 0.25
SCORE_NOISE = 6.0
#: Audits are dated at least this many days before the end of their year.
SUBMISSION_SLACK_DAYS = 10
#: Index of the first colour (orange) that attracts closer scrutiny in ``firms.COLOURS``.
WATCHED_COLOUR = 2


@dataclass(frozen=True)
class AuditLog:
    """Audits sorted by date (their id order). ``firm`` is a panel position, ``auditor``
    an organisation id, ``scores`` audits × (completeness, accuracy, follow-up, evidence)."""

    firm: np.ndarray
    auditor: np.ndarray
    audit_day: np.ndarray
    sample_size: np.ndarray
    scores: np.ndarray
    inaccurate: np.ndarray
    false: np.ndarray
    submitted_second: np.ndarray

    def __len__(self) -> int:
        return len(self.firm)


def draw_audits(
    firms: FirmPanel,
    book: EngagementBook,
    auditor_ids: tuple[int, ...],
    window: Window,
    rng: np.random.Generator,
) -> AuditLog:
    """Audits of every year but the first. ``auditor_ids[0]`` is the platform."""
    first_served = np.full(len(firms), np.iinfo(np.int64).max)
    np.minimum.at(first_served, book.firm, book.start_day)
    firm, day = _audit_dates(firms, first_served, window, rng)
    order = np.lexsort((firm, day))
    firm, day = firm[order], day[order]
    sample = rng.integers(SAMPLE_SIZE[0], SAMPLE_SIZE[1] + 1, len(firm))
    inaccurate = rng.binomial(sample, firms.inaccurate_rate[firm])
    false = rng.binomial(sample - inaccurate, firms.false_rate[firm])
    noisy = true_audit_scores(firms)[firm] + rng.normal(0.0, SCORE_NOISE, (len(firm), 4))
    by_platform = rng.random(len(firm)) < PLATFORM_SHARE
    insurer = np.array(auditor_ids[1:])[rng.integers(0, len(auditor_ids) - 1, len(firm))]
    delay = rng.integers(0, SUBMISSION_SLACK_DAYS + 1, len(firm)) * SECONDS_PER_DAY
    return AuditLog(
        firm=firm,
        auditor=np.where(by_platform, auditor_ids[0], insurer),
        audit_day=day,
        sample_size=sample,
        scores=np.round(np.clip(noisy, 0.0, 100.0), 1),
        inaccurate=inaccurate,
        false=false,
        submitted_second=day * SECONDS_PER_DAY + delay + rng.integers(3_600, 36_000, len(firm)),
    )


def _audit_dates(
    firms: FirmPanel, first_served: np.ndarray, window: Window, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(firm, day) of each audit, year by year; never after the firm's qualification lapsed."""
    watched = firms.colour >= WATCHED_COLOUR
    second = np.where(watched, SECOND_AUDIT_PROBABILITY[1], SECOND_AUDIT_PROBABILITY[0])
    firm_parts, day_parts = [], []
    for year in range(window.first_year + 1, window.last_year + 1):
        start = window.year_start(year)
        last = np.minimum(window.year_start(year + 1) - 1 - SUBMISSION_SLACK_DAYS, firms.expiry_day)
        eligible = (first_served < start) & (last > start)
        counts = np.where(eligible, 1 + (rng.random(len(firms)) < second), 0)
        firm = np.repeat(np.arange(len(firms)), counts)
        day_parts.append(
            start + np.floor(rng.random(len(firm)) * (last[firm] - start)).astype(np.int64)
        )
        firm_parts.append(firm)
    if not firm_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firm_parts), np.concatenate(day_parts)
