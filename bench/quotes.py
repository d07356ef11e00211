"""Quotes: ``POST /v1/quotes`` through the real HTTP server on PostgreSQL, under load, next to
``GET /healthz`` on the same server in the same run.

One fresh database, migrated, seeded through the use cases with a quotable book (firms with
engagements running now, hazard snapshots, audits and service records, the default model
active, an underwriter key) and analysed. uvicorn serves it in a subprocess with ``workers``
processes. The load is closed-loop: ``clients`` threads, each with one keep-alive
``http.client`` connection, send their next request as soon as the last one is answered, for
a warm-up and then ``seconds`` of measured time. A request counts when it is answered inside
the measured window; its latency is ``time.perf_counter`` from sending to the whole answer.
Quotes first, then ``/healthz`` with as many clients for as long.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
import psycopg

from bench import server
from bench.book import CATEGORIES, Book, Engagement, _Seeder, generate_batches
from bench.postgres import count_rows, fresh_database, libpq_url, machine
from underwriting import clock, engagements, parties, risk_data
from underwriting.access import Principal
from underwriting.db import migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.keys import create_key
from underwriting.rating_models import ensure_default_model
from underwriting.vocabulary import Role

AIM_P99_MS = 100.0  # a quote's 99th-percentile latency under load stays below this
AIM_RATIO = 0.10  # quotes per second: at least this share of /healthz's requests per second
WARMUP_SECONDS = 2.0
TIMEOUT_SECONDS = 60.0
#: The issue's three options (CNY).
OPTIONS = [
    {
        "per_claim_limit": f"{per_claim}.00",
        "aggregate_limit": f"{aggregate}.00",
        "deductible": f"{deductible}.00",
        "defence_inside": inside,
    }
    for per_claim, aggregate, deductible, inside in (
        (1_000_000, 3_000_000, 0, True),
        (2_000_000, 4_000_000, 10_000, True),
        (3_000_000, 5_000_000, 50_000, False),
    )
]
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


def usable_cpus() -> int:
    """CPUs this process may run on, as ``nproc`` counts them."""
    return len(os.sched_getaffinity(0))


@dataclass(frozen=True, slots=True)
class Options:
    """``clients`` closed-loop clients for ``seconds`` per endpoint, against uvicorn with
    ``workers`` processes, over a book of ``firms`` quotable firms."""

    server: str
    clients: int = 20
    seconds: int = 30
    workers: int = field(default_factory=usable_cpus)
    firms: int = 200
    seed: int = 2026


@dataclass(frozen=True, slots=True)
class QuoteBook:
    """What the seeding made: the underwriter's key, the firms' ids, and how many
    engagements (two hazard snapshots each) and service records the firms have."""

    underwriter_key: str
    firm_ids: list[int]
    engagements: int
    records: int


@dataclass(frozen=True, slots=True)
class Target:
    """An endpoint under load: each request is ``method path`` with ``headers`` and one of
    ``bodies`` picked at random; ``check(status, body)`` says what is wrong, else ``""``."""

    label: str
    method: str
    path: str
    headers: dict[str, str]
    bodies: list[bytes | None]
    check: Callable[[int, bytes], str]


@dataclass(frozen=True, slots=True)
class Load:
    """An endpoint's run: the latencies (s) of the requests answered inside the window of
    ``seconds``; the right answers and the problems of the whole run (warm-up included);
    the CPUs busy on average over the whole run, in the load generator and machine-wide."""

    label: str
    seconds: float
    latencies: np.ndarray
    right: int
    problems: list[str]
    client_cpus: float
    machine_cpus: float

    @property
    def per_second(self) -> float:
        """Requests answered per second of the measured window."""
        return len(self.latencies) / self.seconds

    def ms(self, quantile: float) -> float:
        """The latency at ``quantile`` (0 to 1) in ms; NaN when nothing was answered."""
        if not len(self.latencies):
            return math.nan
        return float(np.quantile(self.latencies, quantile)) * 1000


@dataclass(frozen=True, slots=True)
class Run:
    """Both loads on one server, the CPUs busy just before the server started, and the rows
    of the ``quote`` table afterwards."""

    options: Options
    book: QuoteBook
    background_cpus: float
    quotes: Load
    health: Load
    stored: int


def _progress(message: str) -> None:
    print(f"[bench quotes] {message}", file=sys.stderr, flush=True)


# --- the book ---------------------------------------------------------------------------------


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


# --- the load ---------------------------------------------------------------------------------


@contextmanager
def _api_server(url: str, workers: int) -> Iterator[int]:
    """``bench.server.api_server`` with ``workers`` uvicorn processes: yields the port once
    ``/healthz`` answers; stops the server afterwards (also on failure or Ctrl-C)."""
    port = server.free_port()
    command = server.command(port, workers)
    env = os.environ | {"DATABASE_URL": url, "SECONDLOCK_DATABASE_URL": url}
    process = subprocess.Popen(command, cwd=server.ROOT, env=env)
    try:
        server._wait_healthy(process, f"http://127.0.0.1:{port}")
        yield port
    finally:
        server._stop(process)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _priced(option: Any) -> bool:
    try:
        return Decimal(option["premium"]) > 0
    except (KeyError, TypeError, ArithmeticError):
        return False


def _check_quote(status: int, body: bytes) -> str:
    quote = _json(body) if status == 201 else None
    options = quote.get("options") if isinstance(quote, dict) else None
    if isinstance(options, list) and len(options) == len(OPTIONS) and all(map(_priced, options)):
        return ""
    return f"{status}: {body[:300].decode(errors='replace')}"


def _check_health(status: int, body: bytes) -> str:
    if status == 200 and _json(body) == {"status": "ok", "database": True}:
        return ""
    return f"{status}: {body[:300].decode(errors='replace')}"


def quote_target(book: QuoteBook) -> Target:
    """``POST /v1/quotes`` for every firm and effective date, bodies encoded beforehand."""
    today = clock.today()
    bodies: list[bytes | None] = [
        json.dumps(
            {"firm_id": firm, "effective_date": day.isoformat(), "options": OPTIONS}
        ).encode()
        for firm in book.firm_ids
        for day in (today + timedelta(days=d) for d in range(1, HORIZON_DAYS + 1))
    ]
    headers = {
        "Authorization": f"Bearer {book.underwriter_key}",
        "Content-Type": "application/json",
    }
    return Target("POST /v1/quotes", "POST", "/v1/quotes", headers, bodies, _check_quote)


HEALTH = Target("GET /healthz", "GET", "/healthz", {}, [None], _check_health)


def _client(
    port: int,
    target: Target,
    rng: random.Random,
    window: tuple[float, float],
    stop: threading.Event,
) -> tuple[list[float], int, list[str]]:
    """Requests back to back over one keep-alive connection until the window ends; returns
    the latencies answered inside it, the right answers and the problems. A broken
    connection ends the client."""
    start, end = window
    latencies: list[float] = []
    right, problems = 0, []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        while not stop.is_set():
            body = target.bodies[rng.randrange(len(target.bodies))]
            sent = time.perf_counter()
            if sent >= end:
                break
            try:
                connection.request(target.method, target.path, body=body, headers=target.headers)
                response = connection.getresponse()
                status, content = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                problems.append(f"{type(error).__name__}: {error}")
                break
            answered = time.perf_counter()
            if start <= answered < end:
                latencies.append(answered - sent)
            problem = target.check(status, content)
            right += not problem
            if problem:
                problems.append(problem)
    finally:
        connection.close()
    return latencies, right, problems


def _busy_cpu_seconds() -> float:
    """CPU-seconds the whole machine has worked since boot (``/proc/stat``: user, nice,
    system, irq and softirq; not idle, iowait or time stolen by a hypervisor); NaN where
    there is no ``/proc``."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            user, nice, system, _, _, irq, softirq = map(int, stat.readline().split()[1:8])
    except OSError:
        return math.nan
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def background_cpus(seconds: float = 1.0) -> float:
    """How many CPUs the machine keeps busy, on average over ``seconds`` of waiting."""
    before = _busy_cpu_seconds()
    time.sleep(seconds)
    return (_busy_cpu_seconds() - before) / seconds


def load(port: int, target: Target, *, clients: int, seconds: int, seed: int) -> Load:
    """``clients`` closed-loop clients on ``target``: a warm-up, then ``seconds`` measured.
    Client ``k`` picks its bodies with ``random.Random(seed * 1000 + k)``."""
    began, cpu, busy = time.perf_counter(), time.process_time(), _busy_cpu_seconds()
    window = (began + WARMUP_SECONDS, began + WARMUP_SECONDS + seconds)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        rngs = [random.Random(seed * 1000 + k) for k in range(clients)]
        futures = [pool.submit(_client, port, target, rng, window, stop) for rng in rngs]
        try:
            outcomes = [future.result() for future in futures]
        except BaseException:
            stop.set()
            raise
    elapsed = time.perf_counter() - began
    return Load(
        label=target.label,
        seconds=float(seconds),
        latencies=np.array([x for latencies, _, _ in outcomes for x in latencies]),
        right=sum(right for _, right, _ in outcomes),
        problems=[p for _, _, problems in outcomes for p in problems],
        client_cpus=(time.process_time() - cpu) / elapsed,
        machine_cpus=(_busy_cpu_seconds() - busy) / elapsed,
    )


def run(options: Options) -> Run:
    """Seed a fresh database, serve it, load quotes then ``/healthz``, count the quotes."""
    o = options
    with fresh_database(o.server, "quotes") as url:
        _progress(f"seeding {o.firms} quotable firms through the use cases")
        started = time.perf_counter()
        book = seed_quotable(url, firms=o.firms, seed=o.seed)
        _progress(f"seeded in {time.perf_counter() - started:.0f} s; starting {o.workers} workers")
        quotes, background = quote_target(book), background_cpus()
        with _api_server(url, o.workers) as port:
            loads = []
            for target in (quotes, HEALTH):
                _progress(f"{target.label}: {o.clients} clients, {WARMUP_SECONDS:g}+{o.seconds} s")
                loads.append(load(port, target, clients=o.clients, seconds=o.seconds, seed=o.seed))
        stored = count_rows(url, "quote")
    return Run(o, book, background, loads[0], loads[1], stored)


# --- the report -------------------------------------------------------------------------------


def _row(load: Load) -> str:
    percentiles = " ".join(f"{load.ms(q):>8.1f}" for q in (0.5, 0.9, 0.99, 1.0))
    return (
        f"{load.label:<16} {len(load.latencies):>9,} {load.seconds:>8.1f} "
        f"{load.per_second:>11,.1f} {percentiles} {load.client_cpus:>12.2f} "
        f"{load.machine_cpus:>13.2f}"
    )


def _checks(run: Run) -> list[str]:
    lines = [
        f"ERROR: {load.label}: {len(load.problems):,} wrong answers of "
        f"{load.right + len(load.problems):,}; the first: {load.problems[0]}"
        for load in (run.quotes, run.health)
        if load.problems
    ]
    if run.stored != run.quotes.right:
        lines.append(
            f"ERROR: the quote table holds {run.stored:,} rows; "
            f"{run.quotes.right:,} quotes were answered 201 with {len(OPTIONS)} priced options"
        )
    if not lines:
        lines.append(
            f"checked: all {run.quotes.right:,} quotes (warm-up included) answered 201 with "
            f"{len(OPTIONS)} priced options, the quote table holds as many rows, and every "
            "/healthz answered 200 ok"
        )
    cpus = usable_cpus()
    if run.background_cpus > 0.25 * cpus:
        lines.append(
            f"NOTE: other work kept {run.background_cpus:.2f} of {cpus} CPUs busy before the "
            "run; the figures are lower than on an idle machine"
        )
    return lines


def report(run: Run) -> str:
    """A plain-text table of both loads, the ratio, the aims, the checks and the machine."""
    o, book = run.options, run.book
    facts = machine(o.server) | {"busy before the run": f"{run.background_cpus:.2f} CPUs"}
    ratio = run.quotes.per_second / run.health.per_second if run.health.latencies.size else 0.0
    p99 = run.quotes.ms(0.99)
    head = (
        f"{'endpoint':<16} {'requests':>9} {'seconds':>8} {'requests/s':>11} {'p50 ms':>8} "
        f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'client CPUs':>12} {'machine CPUs':>13}"
    )
    lines = [
        f"quotes: POST /v1/quotes ({len(OPTIONS)} options) next to GET /healthz on one server, "
        f"{o.clients} clients for {o.seconds} s each after {WARMUP_SECONDS:g} s of warm-up, "
        f"secondlock serve --workers {o.workers}",
        f"book: {len(book.firm_ids):,} firms, {book.engagements:,} engagements running now, "
        f"{book.records:,} service records; effective dates from tomorrow to "
        f"{HORIZON_DAYS} days on",
        "machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
        "",
        head,
        _row(run.quotes),
        _row(run.health),
        "",
        f"quotes/s ÷ healthz/s: {ratio:.3f}",
        f"aim: quote p99 < {AIM_P99_MS:g} ms: {_verdict(p99 < AIM_P99_MS)} ({p99:.1f} ms)",
        f"aim: quotes/s >= {AIM_RATIO:g} of healthz/s: {_verdict(ratio >= AIM_RATIO)} "
        f"({ratio:.3f})",
        *_checks(run),
    ]
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"
