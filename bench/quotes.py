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
from typing import Any

import numpy as np

from bench import server
from bench.postgres import count_rows, fresh_database, machine
from bench.quote_book import HORIZON_DAYS, QuoteBook, seed_quotable
from underwriting import clock

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
