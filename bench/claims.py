"""Claims: ``POST /v1/claims/{id}/settlement`` through the real HTTP server on PostgreSQL,
under load, on many policies and on one shared policy, next to ``GET /healthz`` on the same
server in the same run.

One fresh database, migrated and written in bulk with ``claim_book``'s book: ordinary
policies sharing a pool of open claims, and one policy with a pool of its own whose
aggregate never runs out; each claim settles straight through for the same amount.
uvicorn serves it in a subprocess with ``workers`` processes. The load is ``bench.load``'s
closed loop; each request settles the next claim of the pool, once, with its own
``Idempotency-Key``; a pool that runs dry ends its window early. A settlement locks its
policy's row for the whole transaction, so on one shared policy the settlements queue one
behind another: the locking worst case. After each set the ledger is checked against the
settlements; then ``/healthz`` with as many clients for as long.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg

from bench import server
from bench.claim_book import (
    DEDUCTIBLE,
    ENDLESS_AGGREGATE,
    LOSS,
    ORDINARY_AGGREGATE,
    PER_CLAIM,
    ClaimBook,
    Spread,
    claims_per_policy,
    seed_claims,
)
from bench.load import (
    HEALTH,
    WARMUP_SECONDS,
    Load,
    Request,
    Target,
    answer,
    background_cpus,
    head,
    json_or_none,
    load,
    row,
    usable_cpus,
)
from bench.postgres import fresh_database, libpq_url, machine

#: The settlements per second per client a pool is sized for by default: about twice the
#: most seen on the 2-CPU machine, so a pool does not run dry on a faster one.
CEILING_PER_CLIENT = 40
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Options:
    """``clients`` closed-loop clients for ``seconds`` per set of policies and on
    ``/healthz``, against uvicorn with ``workers`` processes; ``policies`` ordinary policies
    and one shared policy, each set with ``pool`` open claims (0: sized for the load)."""

    server: str
    clients: int = 8
    seconds: int = 20
    workers: int = field(default_factory=usable_cpus)
    policies: int = 1_000
    pool: int = 0
    seed: int = 2026

    @property
    def claims(self) -> int:
        """Open claims seeded per set: ``pool``, or enough for ``CEILING_PER_CLIENT``."""
        planned = self.clients * (WARMUP_SECONDS + self.seconds) * CEILING_PER_CLIENT
        return self.pool or math.ceil(planned)


@dataclass(frozen=True, slots=True)
class Ledger:
    """A set's ledger after its load: paid settlements and Σ their totals; Σ the
    ``claims_paid`` and ``defence_paid`` legs; settlements in any other status; Σ over the
    policies of aggregate limit − remaining and of paid ``charged_to_aggregate``; and the
    policies on which those two differ."""

    paid: int
    settled: Decimal
    posted: Decimal
    unpaid: int
    used: Decimal
    charged: Decimal
    policies_off: int

    @property
    def agrees(self) -> bool:
        return self.settled == self.posted and self.used == self.charged and not self.policies_off


@dataclass(frozen=True, slots=True)
class Phase:
    """One set of policies under load, and its ledger afterwards."""

    spread: Spread
    load: Load
    ledger: Ledger


@dataclass(frozen=True, slots=True)
class Run:
    options: Options
    book: ClaimBook
    background_cpus: float
    phases: list[Phase]
    health: Load


def _progress(message: str) -> None:
    print(f"[bench claims] {message}", file=sys.stderr, flush=True)


# --- the load ---------------------------------------------------------------------------------


def settle_target(book: ClaimBook, spread: Spread) -> Target:
    """``POST /v1/claims/{id}/settlement`` on each claim of ``spread`` in turn, once."""
    pool = deque(spread.claim_ids)
    body = json.dumps({"loss": f"{LOSS:.2f}", "defence_costs": "0.00"}).encode()
    auth = {"Authorization": f"Bearer {book.adjuster_key}", "Content-Type": "application/json"}
    total = book.payable.total

    def draw(_rng: object) -> Request | None:
        try:
            claim = pool.popleft()  # atomic: the clients' threads share the pool
        except IndexError:
            return None
        key = {"Idempotency-Key": f"bench-settle-{claim}"}
        return Request(f"/v1/claims/{claim}/settlement", body, auth | key)

    def check(status: int, content: bytes) -> str:
        paid = json_or_none(content) if status == 201 else None
        if isinstance(paid, dict) and _paid_in_full(paid, total):
            return ""
        return answer(status, content)

    return Target(spread.label, "POST", draw, check)


def _paid_in_full(settlement: dict[str, object], total: Decimal) -> bool:
    """Paid straight through, ``total`` CNY."""
    try:
        paid = Decimal(str(settlement["total"])) == total
    except (KeyError, ArithmeticError):
        return False
    return (
        paid and settlement.get("status") == "paid" and settlement.get("straight_through") is True
    )


LEDGER_SQL = """
SELECT
  (SELECT count(*) FROM claim_settlement WHERE policy_id = ANY(%(p)s) AND status = 'paid'),
  (SELECT coalesce(sum(indemnity + defence), 0) FROM claim_settlement
    WHERE policy_id = ANY(%(p)s) AND status = 'paid'),
  (SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e
    JOIN ledger_transaction t ON t.id = e.transaction_id
    WHERE t.policy_id = ANY(%(p)s) AND e.account IN ('claims_paid', 'defence_paid')),
  (SELECT count(*) FROM claim_settlement WHERE policy_id = ANY(%(p)s) AND status <> 'paid'),
  (SELECT coalesce(sum(aggregate_limit - aggregate_remaining), 0) FROM policy
    WHERE id = ANY(%(p)s)),
  (SELECT coalesce(sum(charged_to_aggregate), 0) FROM claim_settlement
    WHERE policy_id = ANY(%(p)s) AND status = 'paid'),
  (SELECT count(*) FROM policy p
    LEFT JOIN (SELECT policy_id, sum(charged_to_aggregate) AS charged FROM claim_settlement
               WHERE status = 'paid' GROUP BY policy_id) s ON s.policy_id = p.id
    WHERE p.id = ANY(%(p)s)
      AND p.aggregate_limit - p.aggregate_remaining <> coalesce(s.charged, 0))
"""


def ledger(url: str, policy_ids: list[int]) -> Ledger:
    """The ledger of the policies ``policy_ids``, read straight from the tables."""
    with psycopg.connect(libpq_url(url)) as connection:
        found = connection.execute(LEDGER_SQL, {"p": policy_ids}).fetchone()
    assert found is not None
    paid, settled, posted, unpaid, used, charged, off = found
    return Ledger(paid, settled, posted, unpaid, used, charged, off)


def run(options: Options) -> Run:
    """Seed a fresh database, serve it, settle on many policies, then on one, each followed
    by its ledger check, then load ``/healthz``."""
    o = options
    claims_per_policy(o.claims, o.policies)  # refuse a pool the policies cannot pay first
    with fresh_database(o.server, "claims") as url:
        _progress(
            f"writing {o.policies:,} policies and 1 shared, {o.claims:,} open claims each set"
        )
        started = time.perf_counter()
        book = seed_claims(url, policies=o.policies, pool=o.claims, seed=o.seed)
        _progress(f"seeded in {time.perf_counter() - started:.0f} s; starting {o.workers} workers")
        background, phases = background_cpus(), []
        with server.serving(url, o.workers) as port:
            for spread in (book.many, book.shared):
                done = _load(port, settle_target(book, spread), o)
                phases.append(Phase(spread, done, ledger(url, spread.policy_ids)))
            health = _load(port, HEALTH, o)
    return Run(o, book, background, phases, health)


def _load(port: int, target: Target, o: Options) -> Load:
    _progress(f"{target.label}: {o.clients} clients, {WARMUP_SECONDS:g}+{o.seconds} s")
    return load(port, target, clients=o.clients, seconds=o.seconds, seed=o.seed)


# --- the report -------------------------------------------------------------------------------


def _wrong(load: Load) -> str:
    if not load.wrong:
        return "none"
    return ", ".join(f"{status}: {count:,}" for status, count in sorted(load.wrong.items()))


def _ledger_lines(phase: Phase) -> list[str]:
    led, label, many = phase.ledger, phase.spread.label, len(phase.spread.policy_ids) > 1
    used = "Σ (aggregate_limit − aggregate_remaining)" if many else "aggregate_limit − remaining"
    each = f", policy by policy ({led.policies_off:,} differ)" if many else ""
    aggregate_ok = led.used == led.charged and not led.policies_off
    lines = [
        f"ledger after {label}: Σ {led.paid:,} paid settlement totals {led.settled:,.2f} vs "
        f"Σ claims_paid + defence_paid legs {led.posted:,.2f}: "
        f"{_verdict(led.settled == led.posted)}",
        f"aggregate after {label}: {used} {led.used:,.2f} vs Σ charged_to_aggregate of paid "
        f"settlements {led.charged:,.2f}{each}: {_verdict(aggregate_ok)}",
    ]
    if not led.agrees:
        lines.append(f"ERROR: the ledger of {label} does not agree with its settlements")
    return lines


def _verdict(agrees: bool) -> str:
    return "OK" if agrees else "MISMATCH"


def _checks(run: Run) -> list[str]:
    lines = []
    for done in (*(p.load for p in run.phases), run.health):
        if done.problems:
            lines.append(
                f"ERROR: {done.label}: {len(done.problems):,} wrong answers of "
                f"{done.right + len(done.problems):,}; the first: {done.problems[0]}"
            )
    for phase in run.phases:
        if phase.ledger.paid != phase.load.right or phase.ledger.unpaid:
            lines.append(
                f"ERROR: {phase.spread.label}: {phase.ledger.paid:,} settlements paid and "
                f"{phase.ledger.unpaid:,} in another status; {phase.load.right:,} were "
                "answered 201 paid"
            )
        if phase.load.ran_out:
            lines.append(
                f"NOTE: {phase.spread.label}: the pool of {len(phase.spread.claim_ids):,} open "
                f"claims ran dry after {phase.load.seconds:.1f} s of the window; the figures "
                "are over that time (raise --claim-pool)"
            )
    cpus = usable_cpus()
    if run.background_cpus > 0.25 * cpus:
        lines.append(
            f"NOTE: other work kept {run.background_cpus:.2f} of {cpus} CPUs busy before the "
            "run; the figures are lower than on an idle machine"
        )
    return lines


def report(run: Run) -> str:
    """A plain-text table of the three loads, the ratios, the ledger checks and the machine."""
    o, book, health = run.options, run.book, run.health
    facts = machine(o.server) | {"busy before the run": f"{run.background_cpus:.2f} CPUs"}
    loads = [p.load for p in run.phases]
    width = max(16, *(len(x.label) for x in (*loads, health)))
    many, shared = run.phases
    lines = [
        f"claims: POST /v1/claims/{{id}}/settlement (loss {LOSS:,.2f}, no defence costs: pays "
        f"{book.payable.total:,.2f} straight through), next to GET /healthz on one server, "
        f"{o.clients} clients for {o.seconds} s each after {WARMUP_SECONDS:g} s of warm-up, "
        f"secondlock serve --workers {o.workers}",
        f"book: {many.spread.label} ({PER_CLAIM:,.0f} per claim, {ORDINARY_AGGREGATE:,.0f} "
        f"aggregate, {DEDUCTIBLE:,.0f} deductible) sharing {len(many.spread.claim_ids):,} open "
        f"claims; 1 shared policy (aggregate {ENDLESS_AGGREGATE:,.0f}) with "
        f"{len(shared.spread.claim_ids):,}; each claim from its own fire, in its own group",
        "machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
        "",
        head(width),
        *(row(x, width) for x in (*loads, health)),
        "",
        "wrong answers by status (warm-up included): "
        + "; ".join(f"{x.label} {_wrong(x)}" for x in (*loads, health)),
        "settlements/s ÷ healthz/s: "
        + "; ".join(f"{x.label} {_ratio(x, health):.3f}" for x in loads),
        f"1 shared policy ÷ {many.spread.label}: {_ratio(shared.load, many.load):.3f}",
        *(line for phase in run.phases for line in _ledger_lines(phase)),
        *_checks(run),
    ]
    return "\n".join(lines)


def _ratio(load: Load, base: Load) -> float:
    return load.per_second / base.per_second if base.per_second else math.nan
