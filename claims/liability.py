"""Liability against the service records (DESIGN.md section 3, item 3).

An incident's accident type names hazard categories (``claims.accident_categories``). Each
is judged on the records visited in the look-back window, ``[incident date − look_back_days,
incident date]`` (default 365 days); records visited outside it are not considered. Business
dates are China Standard Time: the incident date is ``occurred_at`` read in UTC+8.

A record is *usable* when it was submitted on or before ``occurred_at`` and carries evidence.
Any other record in the window that bears on a category (it inspected the category or found
a hazard in it) is **flagged** for review and the category is judged as if it did not exist:
it can never reduce the share. A finding is *open* when it was not closed on or before the
incident date: dates carry no time, so a hazard closed on the incident day may have been
closed before the accident, and the firm cannot rely on it. For each category, the first
rule that holds decides, with a share from the ``ShareTable``:

1. ``out_of_scope`` — not in the engagement's scope: not covered, no share.
2. ``hazard_found_not_rectified`` — a usable record found a hazard in the category, its
   rectification deadline is on or before the incident date and it is still open: the firm
   did its job (share ``hazard_found_not_rectified``, default 0). A *major* hazard whose
   deadline passed before the incident date, with no later usable record (visited on or after
   the deadline) re-inspecting the category, is a failure to escalate
   (``failed_to_escalate``, default 0.1). The records hold no report to the regulator, so a
   follow-up visit is what shows the firm pursued the hazard.
   ``rectification_pending`` — as above, but the deadline is after the incident: the
   enterprise was still within its time (default 0). With several open hazards, the most
   favourable to the firm decides — any one ignored notice shows the firm found the hazard —
   so that filing a further honest record can never raise a firm's share.
3. ``negligent_miss`` — no open hazard, but a usable record inspected the category within
   ``inspection_interval_days`` before the incident date (a visit exactly that many days
   before counts): the hazard was missed (default 0.8).
4. ``omission`` — in scope, no open hazard, not inspected within the interval (default 0.9).

Doubts send a resolved category to an adjuster without changing its share:
``not_inspected_in_interval`` (an open hazard decides, but the firm did not inspect the
category within the interval — it found the hazard once, then stopped looking) and
``engagement_younger_than_interval`` (an omission, but the engagement began less than one
interval before the incident, so the first inspection was not yet overdue).

The claim's share is the largest over the in-scope categories: an accident that several
categories could have prevented is on the firm if any one of them was neglected, and the
adjuster may override with a reason. ``None`` when no category is in scope. The assessment is
``unambiguous`` — fit for straight-through settlement — when no record is flagged and no
category has a doubt. The share never falls when a record loses its evidence or a record
submitted after the incident is added, and record order changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from claims.liability_facts import (
    FlagReason,
    HazardFinding,
    Incident,
    LiabilityError,
    Record,
    Scope,
    ShareTable,
    hazard_categories,
)

__all__ = [
    "Assessment",
    "CategoryFinding",
    "Doubt",
    "FlaggedRecord",
    "LiabilityRule",
    "assess_liability",
]


#: The shares of DESIGN.md's examples, for terms that set none of their own.
DEFAULT_SHARES = ShareTable()


class LiabilityRule(StrEnum):
    """The rule that decides one category, in the order they are tried."""

    OUT_OF_SCOPE = "out_of_scope"
    HAZARD_FOUND_NOT_RECTIFIED = "hazard_found_not_rectified"
    RECTIFICATION_PENDING = "rectification_pending"
    NEGLIGENT_MISS = "negligent_miss"
    OMISSION = "omission"


class Doubt(StrEnum):
    """Why a resolved category still wants an adjuster (see the module docstring)."""

    NOT_INSPECTED_IN_INTERVAL = "not_inspected_in_interval"
    ENGAGEMENT_YOUNGER_THAN_INTERVAL = "engagement_younger_than_interval"


@dataclass(frozen=True)
class CategoryFinding:
    """How one category was judged: the rule, why (``text``), the share (``None`` when out
    of scope), the ``ShareTable`` term it came from, the records it rests on, the records
    flagged for it and any doubts."""

    category: str
    rule: LiabilityRule
    text: str
    share: Decimal | None
    share_term: str | None = None
    record_ids: tuple[int, ...] = ()
    flagged_record_ids: tuple[int, ...] = ()
    doubts: tuple[Doubt, ...] = ()


@dataclass(frozen=True)
class FlaggedRecord:
    """A record that bears on the incident but may not reduce the share, and why."""

    record_id: int
    reasons: tuple[FlagReason, ...]


@dataclass(frozen=True)
class Assessment:
    """The liability assessment of one incident against one engagement's records."""

    accident_type: str
    incident_date: date
    window_start_date: date
    considered_record_ids: tuple[int, ...]
    findings: tuple[CategoryFinding, ...]
    flagged: tuple[FlaggedRecord, ...]
    share: Decimal | None
    unambiguous: bool
    share_table: ShareTable

    @property
    def covered(self) -> bool:
        """Some category of the accident is in the engagement's scope."""
        return self.share is not None


def assess_liability(
    incident: Incident,
    *,
    scope: Scope,
    records: Iterable[Record],
    shares: ShareTable = DEFAULT_SHARES,
    look_back_days: int = 365,
) -> Assessment:
    """Judge each hazard category of the incident against the records (rules above).

    Refuses an incident dated before the engagement's start (coverage rules those out) and
    two records with one ``record_id``.

    >>> from claims.liability_facts import CHINA
    >>> incident = Incident(datetime(2026, 5, 1, 10, tzinfo=CHINA), "fire")
    >>> scope = Scope(frozenset({"fire", "electrical"}), 90, date(2026, 1, 1))
    >>> visit = Record(7, date(2026, 4, 1), frozenset({"fire"}),
    ...                datetime(2026, 4, 1, 18, tzinfo=CHINA), has_evidence=True)
    >>> result = assess_liability(incident, scope=scope, records=[visit])
    >>> [(f.category, f.rule.value, str(f.share)) for f in result.findings]
    [('fire', 'negligent_miss', '0.8'), ('electrical', 'omission', '0.9')]
    >>> str(result.share), result.unambiguous
    ('0.9', True)
    """
    day = incident.incident_date
    records = list(records)
    _check(day, scope=scope, records=records, look_back_days=look_back_days)
    start = day - timedelta(days=look_back_days)
    considered = sorted((r for r in records if start <= r.visit_date <= day), key=_record_order)
    context = _Context(incident, day, scope, tuple(considered), shares)
    findings = tuple(_judge(c, context) for c in hazard_categories(incident.accident_type))
    flagged = _flagged(considered, findings, incident)
    return Assessment(
        accident_type=incident.accident_type,
        incident_date=day,
        window_start_date=start,
        considered_record_ids=tuple(sorted(r.record_id for r in considered)),
        findings=findings,
        flagged=flagged,
        share=max((f.share for f in findings if f.share is not None), default=None),
        unambiguous=not flagged and not any(f.doubts for f in findings),
        share_table=shares,
    )


@dataclass(frozen=True)
class _Context:
    incident: Incident
    day: date
    scope: Scope
    records: tuple[Record, ...]
    shares: ShareTable

    @property
    def since(self) -> date:
        """The earliest visit date that is within the inspection interval."""
        return self.day - timedelta(days=self.scope.inspection_interval_days)


def _judge(category: str, context: _Context) -> CategoryFinding:
    if category not in context.scope.hazard_categories:
        text = f"{category} is not in the engagement's scope: not covered"
        return CategoryFinding(category, LiabilityRule.OUT_OF_SCOPE, text, None)
    relevant = [r for r in context.records if r.concerns(category)]
    usable = [r for r in relevant if not r.flags(context.incident)]
    recent = [r for r in usable if r.visit_date >= context.since]
    finding = _open_hazard(category, usable, context) or _inspection(category, recent, context)
    flagged = tuple(sorted(r.record_id for r in relevant if r.flags(context.incident)))
    doubts = _doubts(finding.rule, recent=bool(recent), context=context)
    return replace(finding, flagged_record_ids=flagged, doubts=doubts)


def _doubts(rule: LiabilityRule, *, recent: bool, context: _Context) -> tuple[Doubt, ...]:
    """An omission in an engagement younger than one interval; an open hazard the firm
    found but did not inspect again within the interval."""
    if rule is LiabilityRule.OMISSION and context.scope.start_date > context.since:
        return (Doubt.ENGAGEMENT_YOUNGER_THAN_INTERVAL,)
    if rule in _FOUND and not recent:
        return (Doubt.NOT_INSPECTED_IN_INTERVAL,)
    return ()


_FOUND = (LiabilityRule.HAZARD_FOUND_NOT_RECTIFIED, LiabilityRule.RECTIFICATION_PENDING)
# The ShareTable terms an open hazard can earn, in order of preference on equal shares, and
# the rule each reports under.
_EXCUSES = {
    "hazard_found_not_rectified": LiabilityRule.HAZARD_FOUND_NOT_RECTIFIED,
    "rectification_pending": LiabilityRule.RECTIFICATION_PENDING,
    "failed_to_escalate": LiabilityRule.HAZARD_FOUND_NOT_RECTIFIED,
}


def _open_hazard(category: str, usable: list[Record], context: _Context) -> CategoryFinding | None:
    """The open hazard most favourable to the firm decides; ``None`` when there is none."""
    excuses = [
        (_excuse(finding, record, usable, context), record.record_id, finding)
        for record in usable
        for finding in record.findings
        if finding.category == category and finding.open_on(context.day)
    ]
    if not excuses:
        return None
    preference = list(_EXCUSES)
    term = min(
        {t for t, _, _ in excuses}, key=lambda t: (getattr(context.shares, t), preference.index(t))
    )
    ids = tuple(sorted({record_id for t, record_id, _ in excuses if t == term}))
    deadline = min(f.rectification_deadline_date for t, _, f in excuses if t == term)
    text = _FOUND_TEXT[term].format(
        records=_records(ids), category=category, deadline=deadline.isoformat()
    )
    share = getattr(context.shares, term)
    return CategoryFinding(category, _EXCUSES[term], text, share, share_term=term, record_ids=ids)


_FOUND_TEXT = {
    "hazard_found_not_rectified": "{records} found a hazard in {category}, due for rectification"
    " by {deadline} and still open at the incident: the enterprise did not rectify",
    "failed_to_escalate": "{records} found a major hazard in {category}, due for rectification"
    " by {deadline} and still open at the incident, and no later visit re-inspected"
    " {category}: the firm failed to escalate",
    "rectification_pending": "{records} found a hazard in {category}, due for rectification"
    " by {deadline}, after the incident: the enterprise was still within its time",
}


def _excuse(finding: HazardFinding, holder: Record, usable: list[Record], context: _Context) -> str:
    """The ShareTable term an open finding earns the firm (rule 2 of the module docstring)."""
    deadline = finding.rectification_deadline_date
    if deadline > context.day:
        return "rectification_pending"
    followed_up = any(
        r.record_id != holder.record_id
        and r.visit_date >= deadline
        and r.concerns(finding.category)
        for r in usable
    )
    if finding.severity == "major" and deadline < context.day and not followed_up:
        return "failed_to_escalate"
    return "hazard_found_not_rectified"


def _inspection(category: str, recent: list[Record], context: _Context) -> CategoryFinding:
    """No open hazard: a negligent miss if inspected within the interval, else an omission."""
    days, since = context.scope.inspection_interval_days, context.since.isoformat()
    if recent:
        ids = tuple(sorted(r.record_id for r in recent))
        text = (
            f"{_records(ids)} inspected {category} within {days} days before the incident"
            f" (since {since}) and left no open hazard: the hazard was missed"
        )
        share = context.shares.negligent_miss
        return CategoryFinding(
            category,
            LiabilityRule.NEGLIGENT_MISS,
            text,
            share,
            share_term="negligent_miss",
            record_ids=ids,
        )
    text = (
        f"{category} is in scope but no usable record inspected it within {days} days"
        f" before the incident (since {since})"
    )
    share = context.shares.omission
    return CategoryFinding(category, LiabilityRule.OMISSION, text, share, share_term="omission")


def _flagged(
    considered: Sequence[Record], findings: Sequence[CategoryFinding], incident: Incident
) -> tuple[FlaggedRecord, ...]:
    """The records flagged for any in-scope category, by id, with their reasons."""
    ids = sorted({i for f in findings for i in f.flagged_record_ids})
    by_id = {r.record_id: r for r in considered}
    return tuple(FlaggedRecord(i, by_id[i].flags(incident)) for i in ids)


def _check(day: date, *, scope: Scope, records: list[Record], look_back_days: int) -> None:
    if look_back_days < 1:
        raise LiabilityError(
            "must be a positive number of days", field="look_back_days", value=look_back_days
        )
    if day < scope.start_date:
        raise LiabilityError(
            f"falls before the engagement's start ({scope.start_date})",
            field="incident_date",
            value=day,
        )
    seen: set[int] = set()
    for record in records:
        if record.record_id in seen:
            raise LiabilityError("names two records", field="record_id", value=record.record_id)
        seen.add(record.record_id)


def _records(ids: Sequence[int]) -> str:
    return f"record {ids[0]}" if len(ids) == 1 else f"records {', '.join(map(str, ids))}"


def _record_order(record: Record) -> tuple[date, datetime, int]:
    return record.visit_date, record.submitted_at, record.record_id
