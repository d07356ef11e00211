"""The benchmark's book, seeded through the use cases, and the service records to file.

The book: a platform organisation with an admin key, one insurer, ``firms`` firms each with
a firm key, and ``engagements`` enterprises each served by one long engagement (firm
``i % firms`` serves enterprise ``i``). Records are drawn from a seeded numpy generator, so
every run files the very same records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np

from underwriting import clock, engagements, parties
from underwriting.access import Principal
from underwriting.credit_code import check_character
from underwriting.db import migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.keys import authenticate, create_key
from underwriting.vocabulary import Role

START, END = date(2020, 1, 1), date(2025, 12, 31)
CATEGORIES = ("fire", "electrical", "machinery", "lifting")
INTERVAL_DAYS = 30
SIGNERS = ("王工", "李工", "张工", "刘工", "陈工", "杨工", "赵工", "黄工")
DESCRIPTIONS = ("灭火器过期", "配电箱未接地", "防护罩缺失", "吊索具磨损", "疏散通道堵塞", "")


@dataclass(frozen=True, slots=True)
class Engagement:
    """One seeded engagement: its id, the index of the firm that serves it, its dates."""

    id: int
    firm: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Book:
    """What the seeding made: one plaintext key per firm, and the engagements."""

    firm_keys: list[str]
    engagements: list[Engagement]


@dataclass(frozen=True, slots=True)
class Batch:
    """Records filed together by the firm at index ``firm``, with Python values (dates)."""

    firm: int
    records: list[dict[str, Any]]


def _credit_code(serial: int) -> str:
    body = f"91320500{serial:09d}"
    return body + check_character(body)


def seed_book(url: str, *, firms: int, engagements_count: int) -> Book:
    """Migrate the database at ``url`` to head and seed the book through the use cases."""
    migrations.upgrade(url)
    engine = build_engine(url)
    try:
        seeder = _Seeder(partial(UnitOfWork, session_factory(engine)))
        for _ in range(firms):
            seeder.add_firm()
        served = [seeder.add_engagement(index % firms) for index in range(engagements_count)]
    finally:
        engine.dispose()
    return Book(firm_keys=seeder.firm_keys, engagements=served)


class _Seeder:
    """Creates parties one use case at a time; credit codes are numbered from 1."""

    def __init__(self, uows: UnitOfWorkFactory) -> None:
        self.uows, self.serial = uows, 1
        platform = parties.register_platform(uows, name="基准平台", credit_code=_credit_code(1))
        self.admin = self._principal(self._mint(platform, Role.ADMIN))
        self.firm_ids: list[int] = []
        self.firm_keys: list[str] = []
        self._organisation("insurer", "基准保险")

    def _mint(self, organisation: int, role: Role) -> str:
        return create_key(self.uows, organisation_id=organisation, role=role).plaintext

    def _principal(self, key: str) -> Principal:
        principal = authenticate(self.uows, key)
        if principal is None:
            raise RuntimeError("a key minted a moment ago does not authenticate")
        return principal

    def _organisation(self, kind: str, name: str) -> int:
        self.serial += 1
        values = {"kind": kind, "name": f"{name}{self.serial}"}
        values["credit_code"] = _credit_code(self.serial)
        return parties.create_organisation(self.uows, self.admin, values).ids[0]

    def add_firm(self) -> None:
        profile = {
            "organisation_id": self._organisation("firm", "基准安全技术"),
            "qualification_kind": "safety_assessment",
            "qualification_expiry_date": date(2030, 1, 1),
            "credit_colour": "blue",
            "safety_engineers": 12,
            "founded_year": 2008,
        }
        firm = parties.create_firm(self.uows, self.admin, profile).ids[0]
        self.firm_ids.append(firm)
        self.firm_keys.append(self._mint(firm, Role.FIRM))

    def add_engagement(self, firm: int) -> Engagement:
        """An enterprise, served by the firm at index ``firm`` from START to END."""
        enterprise = self._organisation("enterprise", "基准企业")
        profile = {
            "organisation_id": enterprise,
            "hazard_class": "heavy_manufacturing",
            "region_code": "320500",
            "employees": 250,
            "standardisation_grade": "2",
            "major_hazard_sources": 1,
        }
        parties.create_enterprise(self.uows, self.admin, profile)
        values = {
            "firm_id": self.firm_ids[firm],
            "enterprise_id": enterprise,
            "service_kinds": ["hazard_inspection"],
            "hazard_categories": list(CATEGORIES),
            "start_date": START,
            "end_date": END,
            "annual_fee": Decimal("60000.00"),
            "inspection_interval_days": INTERVAL_DAYS,
        }
        principal = self._principal(self.firm_keys[firm])
        created = engagements.create_engagement(self.uows, principal, values).ids[0]
        return Engagement(id=created, firm=firm, start=START, end=END)


def generate_batches(book: Book, *, records: int, batch: int, seed: int) -> list[Batch]:
    """``records`` service records in batches of ``batch``; batch ``b`` is filed by firm
    ``b % firms`` against that firm's engagements. Deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    today = clock.today()
    by_firm = [[e for e in book.engagements if e.firm == f] for f in range(len(book.firm_keys))]
    batches = []
    for number, first in enumerate(range(0, records, batch)):
        firm = number % len(by_firm)
        size = min(batch, records - first)
        batches.append(Batch(firm, [_record(rng, by_firm[firm], today) for _ in range(size)]))
    return batches


def _record(rng: np.random.Generator, choices: list[Engagement], today: date) -> dict[str, Any]:
    engagement = choices[int(rng.integers(len(choices)))]
    last = min(engagement.end, today - timedelta(days=1))
    visit = engagement.start + timedelta(days=int(rng.integers((last - engagement.start).days + 1)))
    picked = np.sort(rng.choice(len(CATEGORIES), int(rng.integers(1, 5)), replace=False))
    inspected = [CATEGORIES[i] for i in picked]
    return {
        "engagement_id": engagement.id,
        "visit_date": visit,
        "categories_inspected": inspected,
        "findings": [_finding(rng, inspected, visit, today) for _ in range(rng.integers(4))],
        "evidence_photo_hashes": [rng.bytes(32).hex() for _ in range(rng.integers(1, 4))],
        "signer": SIGNERS[int(rng.integers(len(SIGNERS)))],
        "supersedes_id": None,
    }


def _finding(
    rng: np.random.Generator, inspected: list[str], visit: date, today: date
) -> dict[str, Any]:
    closed = visit + timedelta(days=int(rng.integers(0, 45)))
    return {
        "category": inspected[int(rng.integers(len(inspected)))],
        "severity": "major" if rng.random() < 0.1 else "general",
        "description": DESCRIPTIONS[int(rng.integers(len(DESCRIPTIONS)))],
        "rectification_deadline_date": visit + timedelta(days=int(rng.integers(7, 61))),
        "closed_date": closed if closed <= today and rng.random() < 0.8 else None,
    }


def request_body(batch: Batch) -> bytes:
    """The JSON body of ``POST /v1/service-records/batch`` for ``batch`` (dates ISO 8601)."""
    return json.dumps({"records": batch.records}, default=str, ensure_ascii=False).encode()
