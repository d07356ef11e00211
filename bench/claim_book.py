"""The book of ``bench claims``: policies with a pool of open claims, each of which settles
straight through, written as rows in bulk.

Two sets of policies (``Spread``): ``policies`` firms each with one ordinary policy
(1m per claim, 3m aggregate), and one firm with a policy whose aggregate never runs out.
Each firm serves one enterprise under one engagement (fire and electrical, inspection every
30 days) and inspected both categories with photo evidence ten days before every incident,
filing that day. Every claim has its own fire at the enterprise (so its own related-claims
group and deductible), first made nine days later, in the policy period. So the assessment
is a negligent miss in both categories, unambiguous, and a loss of 100,000 CNY pays
0.8 × 100,000 − 10,000 = 70,000 CNY: within the adjuster's authority, paid at once.

The rows (``claim_rows``) are what the use cases would write, inserted with executemany:
filing ten thousand claims through the use case would take minutes. The coverage decision
and the payable are computed once by the pure rules of ``claims`` from the same dates and
terms, and checked before anything is written.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import psycopg

import claims
from bench.claim_rows import (
    CATEGORIES,
    DEDUCTIBLE,
    INTERVAL_DAYS,
    LOSS,
    PER_CLAIM,
    Dates,
    Writer,
    write_insurer,
)
from bench.postgres import libpq_url
from underwriting import clock
from underwriting.db import migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork
from underwriting.keys import create_key
from underwriting.rating_models import ensure_default_model
from underwriting.vocabulary import Role

AUTHORITY = Decimal("100000000.00")  # the adjuster's: far above any one settlement
ORDINARY_AGGREGATE = Decimal("3000000.00")
#: The shared policy's aggregate: NUMERIC(18, 2) holds it, and at 70,000 a claim it pays
#: 14 million claims.
ENDLESS_AGGREGATE = Decimal("1000000000000.00")


@dataclass(frozen=True, slots=True)
class Spread:
    """Policies and their pool of open claims, in the order they are to be settled."""

    label: str
    policy_ids: list[int]
    claim_ids: list[int]


@dataclass(frozen=True, slots=True)
class ClaimBook:
    """The adjuster's key, what each settlement pays, and the two sets of policies."""

    adjuster_key: str
    payable: claims.Payable
    many: Spread
    shared: Spread


def claims_per_policy(pool: int, policies: int) -> int:
    """Claims seeded on each ordinary policy for a pool of about ``pool``; refused where
    they would use up its aggregate, which would turn settlements into 409s."""
    each = math.ceil(pool / policies)
    room = int(ORDINARY_AGGREGATE // expected_payable(Dates.around(clock.today())).total)
    if each > room:
        raise ValueError(
            f"{each} claims a policy would exhaust its {ORDINARY_AGGREGATE} CNY aggregate "
            f"(room for {room}): seed more policies or fewer claims; got ({policies=}, {pool=})"
        )
    return each


def seed_claims(url: str, *, policies: int, pool: int, seed: int) -> ClaimBook:
    """Migrate the database at ``url`` and write ``policies`` ordinary policies sharing a
    pool of about ``pool`` open claims (shuffled with ``seed``), and one shared policy with
    ``pool`` open claims of its own; then ANALYZE."""
    each, dates = claims_per_policy(pool, policies), Dates.around(clock.today())
    payable = expected_payable(dates)
    migrations.upgrade(url)
    engine = build_engine(url)
    try:
        uows = partial(UnitOfWork, session_factory(engine))
        ensure_default_model(uows)
        with uows() as uow:
            insurer = write_insurer(uow.session)
            uow.commit()
        adjuster = create_key(
            uows, organisation_id=insurer, role=Role.ADJUSTER, authority_limit=AUTHORITY
        )
        with uows() as uow:
            writer = Writer(
                uow.session,
                dates,
                insurer=insurer,
                adjuster_key_id=adjuster.id,
                coverage=_coverage(dates),
            )
            many = Spread(
                f"{policies:,} policies", *writer.spread(policies, each, ORDINARY_AGGREGATE)
            )
            shared = Spread("1 shared policy", *writer.spread(1, pool, ENDLESS_AGGREGATE))
            writer.close_groups()
            uow.commit()
    finally:
        engine.dispose()
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute("ANALYZE")  # what autovacuum would do; the suite's server has none
    random.Random(seed).shuffle(many.claim_ids)
    return ClaimBook(adjuster.plaintext, payable, many, shared)


# --- what the rules make of the book ----------------------------------------------------------


def _terms(dates: Dates, aggregate: Decimal) -> claims.PolicyTerms:
    return claims.PolicyTerms(
        effective_date=dates.effective,
        expiry_date=dates.expiry,
        retro_date=dates.effective,
        per_claim_limit=PER_CLAIM,
        aggregate_limit=aggregate,
        deductible=DEDUCTIBLE,
        defence_inside=True,
    )


def _coverage(dates: Dates) -> dict[str, Any]:
    """The coverage decision ``file_claim`` keeps on each claim; it must be covered."""
    facts = claims.ClaimFacts(
        incident_date=dates.incident_at.date(),
        first_made_date=dates.made,
        covered_engagement=True,
        incident_categories=frozenset(claims.hazard_categories("fire")),
        engagement_categories=frozenset(CATEGORIES),
    )
    decision = claims.decide_coverage(facts, terms=_terms(dates, ORDINARY_AGGREGATE))
    if not decision.covered:
        raise RuntimeError(f"the benchmark's claims are not covered: {decision.failures}")
    return {
        "covered": True,
        "decided_on": clock.today().isoformat(),
        "reasons": [{"code": r.code, "passed": r.passed, "text": r.text} for r in decision.reasons],
    }


def expected_payable(dates: Dates, aggregate: Decimal = ORDINARY_AGGREGATE) -> claims.Payable:
    """What each settlement must pay: the share of the assessment (which must be
    unambiguous) of ``LOSS`` under the terms, on a fresh related-claims group."""
    incident = claims.Incident(dates.incident_at, "fire")
    record = claims.Record(1, dates.visit, frozenset(CATEGORIES), dates.filed_at, has_evidence=True)
    scope = claims.Scope(frozenset(CATEGORIES), INTERVAL_DAYS, dates.engagement_start)
    found = claims.assess_liability(incident, scope=scope, records=[record])
    if not found.unambiguous or found.share is None:
        raise RuntimeError(f"the benchmark's claims do not settle straight through: {found}")
    settlement = claims.Settlement(loss=LOSS, share=found.share, aggregate_remaining=aggregate)
    return claims.payable(settlement, terms=_terms(dates, aggregate))
