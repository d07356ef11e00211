"""The quotable book of ``bench quotes``: firms seeded through the use cases with everything
a quote needs — engagements running now, hazard snapshots, audits, service records, the
default model active and an underwriter with authority above every option."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
import psycopg

from bench.book import CATEGORIES, Book, Engagement, _Seeder, generate_batches
from bench.postgres import libpq_url
from underwriting import clock, engagements, parties, risk_data
from underwriting.access import Principal
from underwriting.db import migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.keys import create_key
from underwriting.rating_models import ensure_default_model
from underwriting.vocabulary import Role

HORIZON_DAYS = 30  # effective dates: from tomorrow to 30 days on
AUTHORITY = Decimal("100000000.00")  # the underwriter's: above every option, so none refers
RECORDS_PER_FIRM = 100
AUDITED = 0.8  # the share of firms audited in the last 12 months
#: Clients by sector: mostly general industry, a third in the compulsory hazardous sectors.
SECTORS = {
    "light_manufacturing": 0.35,
    "heavy_manufacturing": 0.30,
    "construction": 0.10,
    "hazardous_chemicals": 0.08,
    "metal_smelting": 0.06,
    "transport": 0.05,
    "mining": 0.03,
    "fishery": 0.01,
    "fireworks": 0.01,
    "civil_explosives": 0.01,
}
GRADES = {"1": 0.1, "2": 0.3, "3": 0.4, "none": 0.2}
EXTRA_SERVICES = ("safety_assessment", "standardisation", "training", "emergency_drill")


@dataclass(frozen=True, slots=True)
class QuoteBook:
    """What the seeding made: the underwriter's key, the firms' ids, and how many
    engagements (two hazard snapshots each) and service records the firms have."""

    underwriter_key: str
    firm_ids: list[int]
    engagements: int
    records: int


def seed_quotable(url: str, *, firms: int, seed: int) -> QuoteBook:
    """Migrate the database at ``url`` to head, seed ``firms`` quotable firms through the
    use cases with the default model active (deterministic in ``seed``), then ANALYZE."""
    migrations.upgrade(url)
    engine = build_engine(url)
    try:
        uows = partial(UnitOfWork, session_factory(engine))
        ensure_default_model(uows)
        seeder = _QuotableSeeder(uows, np.random.default_rng(seed))
        for _ in range(firms):
            seeder.add_quotable_firm()
        records = seeder.file_records(seed)
    finally:
        engine.dispose()
    # What autovacuum does on a live book; the test server runs without it, and without
    # statistics the planner scans every service record for each quote.
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute("ANALYZE")
    return QuoteBook(seeder.underwriter_key, seeder.firm_ids, len(seeder.served), records)


class _QuotableSeeder(_Seeder):
    """``bench.book``'s seeder, plus what a quote needs: an underwriter, engagements running
    now, two hazard snapshots per client (the latest within 90 days), recent audits."""

    def __init__(self, uows: UnitOfWorkFactory, rng: np.random.Generator) -> None:
        super().__init__(uows)
        self.rng, self.today = rng, clock.today()
        insurer = self._organisation("insurer", "报价保险")
        self.underwriter_key = create_key(
            uows, organisation_id=insurer, role=Role.UNDERWRITER, authority_limit=AUTHORITY
        ).plaintext
        self.underwriter = self._principal(self.underwriter_key)
        self.firm_principals: list[Principal] = []
        self.served: list[Engagement] = []

    def add_quotable_firm(self) -> None:
        """A firm (``bench.book``'s profile) serving 10–20 clients, most audited this year."""
        self.add_firm()
        firm = len(self.firm_ids) - 1
        self.firm_principals.append(self._principal(self.firm_keys[firm]))
        for _ in range(int(self.rng.integers(10, 21))):
            self._add_client(firm)
        if self.rng.random() < AUDITED:
            self._audit(firm)

    def _days(self, low: int, high: int) -> timedelta:
        return timedelta(days=int(self.rng.integers(low, high)))

    def _add_client(self, firm: int) -> None:
        rng, principal = self.rng, self.firm_principals[firm]
        enterprise = self._organisation("enterprise", "报价企业")
        profile = {
            "organisation_id": enterprise,
            "hazard_class": str(rng.choice(list(SECTORS), p=list(SECTORS.values()))),
            "region_code": "320500",
            "employees": 1 + int(rng.lognormal(np.log(80), 1.0)),
            "standardisation_grade": str(rng.choice(list(GRADES), p=list(GRADES.values()))),
            "major_hazard_sources": int(rng.poisson(0.3)),
        }
        parties.create_enterprise(self.uows, self.admin, profile)
        extra = rng.choice(EXTRA_SERVICES, int(rng.integers(0, 3)), replace=False)
        start, end = self.today - self._days(30, 1000), self.today + self._days(400, 1100)
        values = {
            "firm_id": self.firm_ids[firm],
            "enterprise_id": enterprise,
            "service_kinds": ["hazard_inspection", *map(str, extra)],
            "hazard_categories": list(CATEGORIES),
            "start_date": start,
            "end_date": end,
            "annual_fee": Decimal(int(rng.integers(20, 150)) * 1000),
            "inspection_interval_days": 30,
        }
        created = engagements.create_engagement(self.uows, principal, values).ids[0]
        self.served.append(Engagement(id=created, firm=firm, start=start, end=end))
        for age in (self._days(91, 181), self._days(1, 91)):
            snapshot = {"enterprise_id": enterprise, "as_of_date": self.today - age}
            risk_data.create_hazard_snapshot(self.uows, principal, snapshot | self._metrics())

    def _metrics(self) -> dict[str, Any]:
        rng = self.rng
        return {
            "hidden_hazards_general": int(rng.poisson(4)),
            "hidden_hazards_major": int(rng.random() < 0.05),
            "rectification_closure_rate": round(float(rng.uniform(0.5, 1.0)), 3),
            "overdue_rectifications": int(rng.poisson(1)),
            "accidents_general_3y": int(rng.poisson(0.2)),
            "accidents_larger_3y": int(rng.random() < 0.02),
            "accidents_major_3y": 0,
            "accidents_especially_major_3y": 0,
            "iot_alarm_rate": None if rng.random() < 0.5 else round(float(rng.gamma(2, 0.5)), 3),
            "penalties": int(rng.poisson(0.1)),
        }

    def _audit(self, firm: int) -> None:
        scores = self.rng.uniform(60, 98, size=4).round(1)
        values = {
            "firm_id": self.firm_ids[firm],
            "audit_date": self.today - self._days(1, 365),
            "sample_size": 20,
            "score_completeness": float(scores[0]),
            "score_accuracy": float(scores[1]),
            "score_follow_up": float(scores[2]),
            "score_evidence": float(scores[3]),
            "inaccurate_reports": int(self.rng.poisson(1)),
            "false_reports": int(self.rng.random() < 0.05),
            "supersedes_id": None,
        }
        risk_data.create_audit(self.uows, self.underwriter, values)

    def file_records(self, seed: int) -> int:
        """``RECORDS_PER_FIRM`` service records per firm from ``bench.book``'s generator,
        one batch per firm through the use case; returns how many."""
        book = Book(firm_keys=self.firm_keys, engagements=self.served)
        count = RECORDS_PER_FIRM * len(self.firm_ids)
        for batch in generate_batches(book, records=count, batch=RECORDS_PER_FIRM, seed=seed):
            principal = self.firm_principals[batch.firm]
            engagements.file_service_records(self.uows, principal, batch.records)
        return count
