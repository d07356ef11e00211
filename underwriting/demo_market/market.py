"""The demo market: a whole book of business generated from a seed, with its ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from underwriting.demo_market import book_rows, record_rows
from underwriting.demo_market.audits import AuditLog, draw_audits
from underwriting.demo_market.engagements import (
    EngagementBook,
    draw_engagements,
    engagements_in_force,
)
from underwriting.demo_market.enterprises import EnterprisePanel, draw_enterprises, enterprise_truth
from underwriting.demo_market.findings import FindingLog, draw_findings
from underwriting.demo_market.firms import FirmPanel, draw_firms, firm_truth, safety_engineers
from underwriting.demo_market.history import History, simulate_history
from underwriting.demo_market.incident_rows import incident_rows
from underwriting.demo_market.naming import person_names
from underwriting.demo_market.streams import random_stream
from underwriting.demo_market.truth import model_truth
from underwriting.demo_market.visits import VisitLog, draw_visits
from underwriting.demo_market.window import HALF_YEAR, Window, years_of

TABLE_ORDER: tuple[str, ...] = (
    "organisation",
    "firm",
    "enterprise",
    "hazard_snapshot",
    "engagement",
    "service_record",
    "finding",
    "audit",
    "incident",
)


@dataclass(frozen=True)
class Market:
    """A generated market: ``tables`` maps each table of ``TABLE_ORDER`` to its rows (dicts
    keyed by the table's column names, JSON-native values); ``truth`` holds the parameters it
    was drawn from and every firm's and enterprise's latent truth (JSON-native)."""

    tables: dict[str, list[dict]]
    truth: dict[str, Any]


@dataclass(frozen=True)
class _Simulation:
    window: Window
    firms: FirmPanel
    enterprises: EnterprisePanel
    book: EngagementBook
    engineers: np.ndarray
    engineers_per_engagement: np.ndarray
    visits: VisitLog
    findings: FindingLog
    history: History
    audits: AuditLog


def generate_market(
    *,
    firms: int = 200,
    enterprises: int = 5000,
    years: int = 10,
    seed: int = 2026,
    first_year: int = 2016,
) -> Market:
    """A market of ``firms`` service firms and ``enterprises`` clients over ``years``
    calendar years from ``first_year``, drawn deterministically from ``seed``."""
    arguments = {
        "firms": firms,
        "enterprises": enterprises,
        "years": years,
        "seed": seed,
        "first_year": first_year,
    }
    _check_arguments(arguments)
    simulation = _simulate(firms, enterprises, Window(first_year, years), seed)
    return Market(tables=_tables(simulation, seed), truth=_truth(simulation, arguments))


#: The least value of each argument of ``generate_market``.
_LEAST = {"firms": 1, "enterprises": 1, "years": 1, "seed": 0, "first_year": 1950}


def _check_arguments(arguments: dict[str, int]) -> None:
    for name, value in arguments.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < _LEAST[name]:
            raise ValueError(f"{name} must be an integer >= {_LEAST[name]}; got ({name}={value!r})")
    if arguments["first_year"] + arguments["years"] > 9999:
        raise ValueError(f"the window must end before the year 9999; got ({arguments=})")


def _simulate(firm_count: int, enterprise_count: int, window: Window, seed: int) -> _Simulation:
    firms = draw_firms(firm_count, book_rows.FIRST_FIRM_ID, window, random_stream(seed, "firms"))
    first_enterprise = book_rows.FIRST_FIRM_ID + firm_count
    enterprises = draw_enterprises(
        enterprise_count, first_enterprise, window, random_stream(seed, "enterprises")
    )
    book = draw_engagements(firms, enterprises, window, random_stream(seed, "engagements"))
    in_force = engagements_in_force(book, len(firms), np.minimum(firms.expiry_day, window.end_day))
    engineers = safety_engineers(firms, in_force)
    visits = draw_visits(book, firms, engineers, window, random_stream(seed, "visits"))
    findings = draw_findings(
        visits, book, firms, enterprises, window, random_stream(seed, "findings")
    )
    history = simulate_history(
        enterprises,
        findings,
        book.enterprise[visits.engagement[findings.record]],
        visits.visit_day[findings.record],
        window,
        random_stream(seed, "history"),
    )
    auditors = (book_rows.PLATFORM_ID, *book_rows.INSURER_IDS)
    audits = draw_audits(firms, book, auditors, window, random_stream(seed, "audits"))
    per_engagement = engineers / np.maximum(in_force, 1)
    return _Simulation(
        window=window,
        firms=firms,
        enterprises=enterprises,
        book=book,
        engineers=engineers,
        engineers_per_engagement=per_engagement,
        visits=visits,
        findings=findings,
        history=history,
        audits=audits,
    )


def _tables(s: _Simulation, seed: int) -> dict[str, list[dict]]:
    names = person_names(int(s.engineers.sum()), random_stream(seed, "engineers"))
    ends = np.cumsum(s.engineers).tolist()
    rosters = [
        names[end - count : end] for end, count in zip(ends, s.engineers.tolist(), strict=True)
    ]
    return {
        "organisation": book_rows.organisation_rows(
            s.firms, s.enterprises, random_stream(seed, "names")
        ),
        "firm": book_rows.firm_rows(s.firms, s.engineers),
        "enterprise": book_rows.enterprise_rows(s.enterprises),
        "hazard_snapshot": record_rows.hazard_snapshot_rows(s.history.snapshots, s.enterprises),
        "engagement": book_rows.engagement_rows(s.book, s.firms, s.enterprises),
        "service_record": record_rows.service_record_rows(
            s.visits, s.book.firm, rosters, random_stream(seed, "photos")
        ),
        "finding": record_rows.finding_rows(s.findings),
        "audit": record_rows.audit_rows(s.audits, s.firms),
        "incident": incident_rows(s.history, s.enterprises),
    }


def _truth(s: _Simulation, arguments: dict[str, int]) -> dict[str, Any]:
    """The model parameters, the expected incident counts and the per-party latent truth."""
    expected = s.history.annual_rates.sum(axis=1) * HALF_YEAR
    period_years = years_of(s.history.snapshots.as_of_day)
    by_year = {
        str(y): float(expected[period_years == y].sum())
        for y in range(s.window.first_year, s.window.last_year + 1)
    }
    return {
        "arguments": arguments,
        "model": model_truth(),
        "expected_incidents_by_year": by_year,
        "expected_incidents_total": float(expected.sum()),
        "firms": firm_truth(s.firms, s.engineers_per_engagement),
        "enterprises": enterprise_truth(s.enterprises, s.history.annual_rates[-2:].T),
    }
