"""The hazard metrics of a snapshot that come from the service records.

For a snapshot of enterprise e as of day a (all comparisons strictly before a):

* ``hidden_hazards_general`` / ``_major`` — findings at e with visit day in [a − 365, a);
* ``rectification_closure_rate`` — of those findings whose deadline is before a, the share
  closed before a; where none fell due, the previous snapshot's rate carries forward;
* ``overdue_rectifications`` — findings at e, of any age, with deadline before a and not
  closed before a.

The first snapshot, on the window's first day, has no records behind it: it is the state the
enterprise last declared to the regulator before the window (``onboarding_metrics``). An
enterprise no firm serves yet has no new findings, so its hidden hazards read 0 and its
closure rate carries forward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.encoding import NO_DATE
from underwriting.demo_market.enterprises import EnterprisePanel
from underwriting.demo_market.findings import FindingLog
from underwriting.demo_market.sectors import PROFILES
from underwriting.demo_market.streams import logistic
from underwriting.demo_market.truth import HAZARD_CLASSES

LOOKBACK_DAYS = 365


@dataclass(frozen=True)
class RecordMetrics:
    """Snapshot metrics from findings, arrays of one value per enterprise."""

    general: np.ndarray
    major: np.ndarray
    closure_rate: np.ndarray
    overdue: np.ndarray


def onboarding_metrics(enterprises: EnterprisePanel, rng: np.random.Generator) -> RecordMetrics:
    """Declared metrics at the window's start: a year's worth of hidden hazards at quarterly
    visits, the closure rate the enterprise's diligence implies, and its overdue backlog."""
    per_visit = np.array([PROFILES[h].findings_per_visit for h in HAZARD_CLASSES])
    profiles_major = np.array([PROFILES[h].major_finding_share for h in HAZARD_CLASSES])
    yearly = 4 * per_visit[enterprises.hazard_class] * enterprises.hazard * 0.6
    major_share = profiles_major[enterprises.hazard_class]
    closure = np.clip(
        logistic(enterprises.diligence + 0.8) + rng.normal(0, 0.05, len(yearly)), 0, 1
    )
    return RecordMetrics(
        general=rng.poisson(yearly * (1 - major_share)),
        major=rng.poisson(yearly * major_share),
        closure_rate=np.round(closure, 4),
        overdue=rng.poisson(yearly * (1 - closure) * 0.5),
    )


def record_metrics(
    findings: FindingLog,
    finding_enterprise: np.ndarray,
    finding_visit_day: np.ndarray,
    as_of_day: int,
    previous_closure: np.ndarray,
) -> RecordMetrics:
    """Metrics of every enterprise as of ``as_of_day`` from the findings (see module doc)."""
    n = len(previous_closure)
    recent = (finding_visit_day >= as_of_day - LOOKBACK_DAYS) & (finding_visit_day < as_of_day)
    due = findings.deadline_day < as_of_day
    closed = (findings.closed_day != NO_DATE) & (findings.closed_day < as_of_day)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(finding_enterprise[mask], minlength=n)

    due_recent, closed_recent = count(recent & due), count(recent & due & closed)
    rate = np.divide(closed_recent, due_recent, out=np.zeros(n), where=due_recent > 0)
    return RecordMetrics(
        general=count(recent & ~findings.major),
        major=count(recent & findings.major),
        closure_rate=np.where(due_recent > 0, np.round(rate, 4), previous_closure),
        overdue=count(due & ~closed),
    )
