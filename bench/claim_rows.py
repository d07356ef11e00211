"""The rows of ``bench claims``'s book, written in bulk in one session.

What the use cases would write: policies as ``tests/market_rows.write_policy`` writes them
(the engagement linked, a ``new_business`` transaction), claims as
``claim_files.file_claim`` leaves them (open, covered, reported by the insurer, each the
first of its related-claims group once ``close_groups`` has run). Every firm serves one
enterprise under one engagement (fire and electrical, every 30 days) and filed one record
of a visit inspecting both, with a photo, ten days before every incident at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

import claims
from bench.book import _credit_code
from underwriting import clock
from underwriting.db.tables import (
    Claim,
    Engagement,
    Enterprise,
    Firm,
    Incident,
    Organisation,
    Policy,
    PolicyEngagement,
    PolicyTransaction,
    ServiceRecord,
)

MODEL = "pl-2026.1"
LOSS = Decimal("100000.00")  # each claim's damages and each settlement's loss, CNY
CATEGORIES = ("fire", "electrical")
INTERVAL_DAYS = 30
PER_CLAIM, DEDUCTIBLE = Decimal("1000000.00"), Decimal("10000.00")


@dataclass(frozen=True, slots=True)
class Dates:
    """The policy period, the incident, the visit before it and the claim's first making."""

    effective: date
    expiry: date
    incident_at: datetime
    visit: date
    made: date

    @classmethod
    def around(cls, today: date) -> Dates:
        effective = today - timedelta(days=200)
        incident = effective + timedelta(days=100)
        return cls(
            effective=effective,
            expiry=effective + timedelta(days=365),
            incident_at=datetime.combine(incident, time(10), tzinfo=clock.CHINA),
            visit=incident - timedelta(days=10),
            made=incident + timedelta(days=9),
        )

    @property
    def engagement_start(self) -> date:
        return self.effective - timedelta(days=180)

    @property
    def filed_at(self) -> datetime:
        """When the visit's record was filed: noon of the visit, China time."""
        return datetime.combine(self.visit, time(12), tzinfo=clock.CHINA)


def insert_returning(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` with executemany; their new ids, in order."""
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _organisation(kind: str, serial: int) -> dict[str, Any]:
    return {"kind": kind, "name": f"理赔基准{kind}{serial}", "credit_code": _credit_code(serial)}


def write_insurer(session: Session) -> int:
    """The insurer, with credit code number 1; its id."""
    return insert_returning(session, Organisation, [_organisation("insurer", 1)])[0]


class Writer:
    """Writes the rows after the insurer's (``write_insurer``) in one session: each claim
    filed by ``adjuster_key_id`` with the decision ``coverage``. Credit codes and policy
    numbers count up from 2."""

    def __init__(
        self,
        session: Session,
        dates: Dates,
        *,
        insurer: int,
        adjuster_key_id: int,
        coverage: dict[str, Any],
    ) -> None:
        self.session, self.dates, self.serial = session, dates, 1
        self.insurer, self.adjuster_key_id, self.coverage = insurer, adjuster_key_id, coverage

    def _organisations(self, kind: str, count: int) -> list[int]:
        first, self.serial = self.serial + 1, self.serial + count
        rows = [_organisation(kind, n) for n in range(first, first + count)]
        return insert_returning(self.session, Organisation, rows)

    def spread(self, policies: int, each: int, aggregate: Decimal) -> tuple[list[int], list[int]]:
        """``policies`` firms, each with an enterprise, an engagement, a record and a
        policy, and ``each`` claims a policy, each from its own incident; the policies' and
        the claims' ids."""
        firms = self._firms(policies)
        enterprises = self._enterprises(policies)
        engagements = self._engagements(firms, enterprises)
        self._records(engagements)
        policy_ids = self._policies(firms, engagements, aggregate)
        pairs = [(p, e) for _ in range(each) for p, e in zip(policy_ids, enterprises, strict=True)]
        incidents = self._incidents([enterprise for _, enterprise in pairs])
        claim_ids = self._claims([policy for policy, _ in pairs], incidents)
        return policy_ids, claim_ids

    def _firms(self, count: int) -> list[int]:
        ids = self._organisations("firm", count)
        profile = {
            "qualification_kind": "safety_assessment",
            "qualification_expiry_date": date(2030, 1, 1),
            "credit_colour": "blue",
            "safety_engineers": 12,
            "founded_year": 2008,
        }
        self.session.execute(insert(Firm), [{"id": i, **profile} for i in ids])
        return ids

    def _enterprises(self, count: int) -> list[int]:
        ids = self._organisations("enterprise", count)
        profile = {
            "hazard_class": "heavy_manufacturing",
            "region_code": "320500",
            "employees": 250,
            "standardisation_grade": "2",
            "major_hazard_sources": 1,
        }
        self.session.execute(insert(Enterprise), [{"id": i, **profile} for i in ids])
        return ids

    def _engagements(self, firms: list[int], enterprises: list[int]) -> list[int]:
        common = {
            "service_kinds": ["hazard_inspection"],
            "hazard_categories": list(CATEGORIES),
            "start_date": self.dates.engagement_start,
            "end_date": self.dates.expiry,
            "annual_fee": Decimal("60000.00"),
            "inspection_interval_days": INTERVAL_DAYS,
        }
        rows = [
            {"firm_id": f, "enterprise_id": e, **common}
            for f, e in zip(firms, enterprises, strict=True)
        ]
        return insert_returning(self.session, Engagement, rows)

    def _records(self, engagements: list[int]) -> None:
        visit = self.dates.visit
        common = {
            "visit_date": visit,
            "categories_inspected": list(CATEGORIES),
            "evidence_photo_hashes": ["cd" * 32],
            "signer": "王工",
            "submitted_at": self.dates.filed_at,
        }
        self.session.execute(
            insert(ServiceRecord), [{"engagement_id": e, **common} for e in engagements]
        )

    def _policies(self, firms: list[int], engagements: list[int], aggregate: Decimal) -> list[int]:
        d, premium = self.dates, Decimal("12000.00")
        common = {
            "quote_id": None,
            "insurer_id": self.insurer,
            "model_version": MODEL,
            "effective_date": d.effective,
            "expiry_date": d.expiry,
            "retro_date": d.effective,
            "per_claim_limit": PER_CLAIM,
            "aggregate_limit": aggregate,
            "deductible": DEDUCTIBLE,
            "defence_inside": True,
            "aggregate_remaining": aggregate,
            "status": "in_force",
            "premium": premium,
            "written_premium": premium,
            "rating_inputs": {},
        }
        first = self.serial
        self.serial += len(firms)
        rows = [
            {"number": f"SLB{first + n:08d}", "firm_id": f, **common} for n, f in enumerate(firms)
        ]
        ids = insert_returning(self.session, Policy, rows)
        links = [
            {"policy_id": p, "engagement_id": e} for p, e in zip(ids, engagements, strict=True)
        ]
        self.session.execute(insert(PolicyEngagement), links)
        self.session.execute(
            insert(PolicyTransaction), [self._new_business(p, premium) for p in ids]
        )
        return ids

    def _new_business(self, policy: int, premium: Decimal) -> dict[str, Any]:
        return {
            "policy_id": policy,
            "sequence": 1,
            "kind": "new_business",
            "effective_date": self.dates.effective,
            "premium_delta": premium,
            "reason": "new business",
            "details": {},
        }

    def _incidents(self, enterprises: list[int]) -> list[int]:
        common = {
            "occurred_at": self.dates.incident_at,
            "accident_type": "fire",
            "deaths": 0,
            "serious_injuries": 1,
            "minor_injuries": 0,
            "direct_loss": Decimal("300000.00"),
            "grade": claims.accident_grade(0, 1, Decimal("300000.00")).value,
            "description": "仓库起火",
        }
        rows = [{"enterprise_id": e, "reported_by_id": e, **common} for e in enterprises]
        return insert_returning(self.session, Incident, rows)

    def _claims(self, policies: list[int], incidents: list[int]) -> list[int]:
        common = {
            "first_made_date": self.dates.made,
            "claimant": "受伤职工",
            "heads_of_damage": [{"head": "医疗费", "amount": f"{LOSS:.2f}"}],
            "exclusions": [],
            "status": "open",
            "coverage_decision": self.coverage,
            "reported_by_id": self.insurer,
            "created_by_key_id": self.adjuster_key_id,
        }
        rows = [
            {"policy_id": p, "incident_id": i, **common}
            for p, i in zip(policies, incidents, strict=True)
        ]
        return insert_returning(self.session, Claim, rows)

    def close_groups(self) -> None:
        """Each claim is the first of its related-claims group: ``related_group_id`` = id."""
        self.session.execute(
            update(Claim)
            .where(Claim.related_group_id.is_(None))
            .values(related_group_id=Claim.id)
            .execution_options(synchronize_session=False)
        )
