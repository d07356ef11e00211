"""Quotes: ``POST /v1/quotes`` through the real HTTP server on PostgreSQL, under load, next to
``GET /healthz`` on the same server in the same run.

One fresh database, migrated, seeded through the use cases with a quotable book (firms with
engagements running now, hazard snapshots, audits and service records, the default model
active, an underwriter key) and analysed. uvicorn serves it in a subprocess with ``workers``
processes. The load (``bench.load``) is closed-loop: ``clients`` threads, each with one keep-alive
``http.client`` connection, send their next request as soon as the last one is answered, for
a warm-up and then ``seconds`` of measured time. A request counts when it is answered inside
the measured window; its latency is ``time.perf_counter`` from sending to the whole answer.
Quotes first, then ``/healthz`` with as many clients for as long.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench import server
from bench.load import (
    HEALTH,
    WARMUP_SECONDS,
    Load,
    Target,
    answer,
    background_cpus,
    head,
    json_or_none,
    load,
    picking,
    row,
    usable_cpus,
)
from bench.postgres import count_rows, fresh_database, machine
from bench.quote_book import HORIZON_DAYS, QuoteBook, seed_quotable
from underwriting import clock

AIM_P99_MS = 100.0  # a quote's 99th-percentile latency under load stays below this
AIM_RATIO = 0.10  # quotes per second: at least this share of /healthz's requests per second
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


def _priced(option: Any) -> bool:
    try:
        return Decimal(option["premium"]) > 0
    except (KeyError, TypeError, ArithmeticError):
        return False


def _check_quote(status: int, body: bytes) -> str:
    quote = json_or_none(body) if status == 201 else None
    options = quote.get("options") if isinstance(quote, dict) else None
    if isinstance(options, list) and len(options) == len(OPTIONS) and all(map(_priced, options)):
        return ""
    return answer(status, body)


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
    return picking("POST /v1/quotes", "POST", "/v1/quotes", headers, bodies, _check_quote)


def run(options: Options) -> Run:
    """Seed a fresh database, serve it, load quotes then ``/healthz``, count the quotes."""
    o = options
    with fresh_database(o.server, "quotes") as url:
        _progress(f"seeding {o.firms} quotable firms through the use cases")
        started = time.perf_counter()
        book = seed_quotable(url, firms=o.firms, seed=o.seed)
        _progress(f"seeded in {time.perf_counter() - started:.0f} s; starting {o.workers} workers")
        quotes, background = quote_target(book), background_cpus()
        with server.serving(url, o.workers) as port:
            loads = []
            for target in (quotes, HEALTH):
                _progress(f"{target.label}: {o.clients} clients, {WARMUP_SECONDS:g}+{o.seconds} s")
                loads.append(load(port, target, clients=o.clients, seconds=o.seconds, seed=o.seed))
        stored = count_rows(url, "quote")
    return Run(o, book, background, loads[0], loads[1], stored)


# --- the report -------------------------------------------------------------------------------


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
    lines = [
        f"quotes: POST /v1/quotes ({len(OPTIONS)} options) next to GET /healthz on one server, "
        f"{o.clients} clients for {o.seconds} s each after {WARMUP_SECONDS:g} s of warm-up, "
        f"secondlock serve --workers {o.workers}",
        f"book: {len(book.firm_ids):,} firms, {book.engagements:,} engagements running now, "
        f"{book.records:,} service records; effective dates from tomorrow to "
        f"{HORIZON_DAYS} days on",
        "machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
        "",
        head(),
        row(run.quotes),
        row(run.health),
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
