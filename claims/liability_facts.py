"""What a liability assessment judges: the incident, the engagement's scope, the service
records (DESIGN.md section 1, ``Incident``, ``Engagement``, ``ServiceRecord``), and the
shares the policy terms set for each rule (section 3, item 3).

Plain frozen dataclasses the caller builds from its rows; each refuses a bad value on
construction with a ``LiabilityError`` that names it. Categories and accident types are the
strings of ``claims.accident_categories``. Datetimes must be timezone-aware; business dates
(visits, deadlines, the incident date) are China Standard Time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from claims.accident_categories import ACCIDENT_CATEGORIES, HAZARD_CATEGORIES
from claims.errors import ClaimsError

__all__ = [
    "FlagReason",
    "HazardFinding",
    "Incident",
    "LiabilityError",
    "Record",
    "Scope",
    "ShareTable",
    "hazard_categories",
]

CHINA = ZoneInfo("Asia/Shanghai")
SEVERITIES = ("general", "major")


class LiabilityError(ClaimsError):
    """An input to a liability assessment breaks a rule; the text names the bad value.

    >>> str(LiabilityError("must be in [0, 1]", field="omission", value=Decimal("1.5")))
    'omission must be in [0, 1]; got (omission=1.5)'
    """


class FlagReason(StrEnum):
    """Why a record that bears on the incident may not reduce its share."""

    SUBMITTED_AFTER_INCIDENT = "submitted_after_incident"
    NO_EVIDENCE = "no_evidence"


def hazard_categories(accident_type: str) -> tuple[str, ...]:
    """The hazard categories a GB 6441 accident type puts in question, most specific first.

    >>> hazard_categories("boiler_explosion")
    ('pressure_equipment',)
    """
    if accident_type not in ACCIDENT_CATEGORIES:
        raise LiabilityError(
            "is not a GB 6441 accident type", field="accident_type", value=accident_type
        )
    return ACCIDENT_CATEGORIES[accident_type]


@dataclass(frozen=True)
class Incident:
    """``occurred_at`` timezone-aware; ``accident_type`` one of GB 6441's 20."""

    occurred_at: datetime
    accident_type: str

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)
        hazard_categories(self.accident_type)

    @property
    def incident_date(self) -> date:
        """The business date of the incident, in China Standard Time."""
        return self.occurred_at.astimezone(CHINA).date()


@dataclass(frozen=True)
class Scope:
    """The engagement: hazard categories in scope, required inspection interval, start."""

    hazard_categories: frozenset[str]
    inspection_interval_days: int
    start_date: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "hazard_categories", _categories(self.hazard_categories))
        if self.inspection_interval_days < 1:
            raise LiabilityError(
                "must be a positive number of days",
                field="inspection_interval_days",
                value=self.inspection_interval_days,
            )


@dataclass(frozen=True)
class HazardFinding:
    """A hidden hazard a visit found: its category, severity (``general``/``major``),
    the rectification deadline and the date it was closed, if it was."""

    category: str
    severity: str
    rectification_deadline_date: date
    closed_date: date | None = None

    def __post_init__(self) -> None:
        _categories([self.category])
        if self.severity not in SEVERITIES:
            raise LiabilityError(
                "must be 'general' or 'major'", field="severity", value=self.severity
            )

    def open_on(self, day: date) -> bool:
        """Not closed on or before ``day``."""
        return self.closed_date is None or self.closed_date > day


@dataclass(frozen=True)
class Record:
    """One service record, named by the caller's ``record_id``. ``submitted_at`` is the
    server's timezone-aware time of filing; ``has_evidence`` whether it carries any (photo
    hashes, a signer), as the caller judges. Categories and findings are held in a canonical
    order, so two records that say the same thing are equal.

    Of a record and its corrections (``supersedes``), pass the version current at the
    incident — the latest submitted by then — and any later ones: those are flagged, so a
    correction filed after an accident never rewrites what the records said before it.
    """

    record_id: int
    visit_date: date
    categories_inspected: frozenset[str]
    submitted_at: datetime
    has_evidence: bool
    findings: tuple[HazardFinding, ...] = ()

    def __post_init__(self) -> None:
        _require_aware("submitted_at", self.submitted_at)
        object.__setattr__(self, "categories_inspected", _categories(self.categories_inspected))
        object.__setattr__(self, "findings", tuple(sorted(self.findings, key=_finding_order)))

    def concerns(self, category: str) -> bool:
        """The visit inspected the category, or found a hazard in it."""
        return category in self.categories_inspected or any(
            f.category == category for f in self.findings
        )

    def flags(self, incident: Incident) -> tuple[FlagReason, ...]:
        """Why this record may not reduce a share for ``incident``; empty if it is usable."""
        reasons = []
        if self.submitted_at > incident.occurred_at:
            reasons.append(FlagReason.SUBMITTED_AFTER_INCIDENT)
        if not self.has_evidence:
            reasons.append(FlagReason.NO_EVIDENCE)
        return tuple(reasons)


@dataclass(frozen=True)
class ShareTable:
    """The liability shares of the policy terms, by rule; each a ``Decimal`` in [0, 1].

    They must rise with the firm's fault, ``hazard_found_not_rectified ≤ failed_to_escalate
    ≤ negligent_miss ≤ omission`` and ``rectification_pending ≤ negligent_miss``: a firm that
    found the hazard is never more liable than one that missed it, nor one that inspected
    than one that did not. The assessment's laws (more evidence never raises the share, a
    flagged record never lowers it) rest on this order.
    """

    hazard_found_not_rectified: Decimal = Decimal("0")
    rectification_pending: Decimal = Decimal("0")
    failed_to_escalate: Decimal = Decimal("0.1")
    negligent_miss: Decimal = Decimal("0.8")
    omission: Decimal = Decimal("0.9")

    def __post_init__(self) -> None:
        for name, share in vars(self).items():
            if not isinstance(share, Decimal) or not share.is_finite() or not 0 <= share <= 1:
                raise LiabilityError("must be a Decimal in [0, 1]", field=name, value=share)
        order = ("hazard_found_not_rectified", "failed_to_escalate", "negligent_miss", "omission")
        for low, high in [*pairwise(order), ("rectification_pending", "negligent_miss")]:
            if getattr(self, low) > getattr(self, high):
                raise LiabilityError(
                    f"must not exceed {high} ({getattr(self, high)})",
                    field=low,
                    value=getattr(self, low),
                )


def _finding_order(finding: HazardFinding) -> tuple[Any, ...]:
    closed = finding.closed_date
    return (
        finding.category,
        finding.severity,
        finding.rectification_deadline_date,
        closed is None,
        closed or date.min,
    )


def _categories(values: Iterable[str]) -> frozenset[str]:
    """The categories as a frozenset, refusing any that is not a hazard category."""
    if isinstance(values, str):
        raise LiabilityError(
            "must be a collection of hazard categories, not one string",
            field="hazard_categories",
            value=values,
        )
    for category in values:
        if category not in HAZARD_CATEGORIES:
            raise LiabilityError("is not a hazard category", field="category", value=category)
    return frozenset(values)


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise LiabilityError("must be a timezone-aware datetime", field=name, value=value)
