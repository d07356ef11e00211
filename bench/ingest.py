"""Ingest: filing service records through the API against a plain bulk insert.

Each path gets its own fresh PostgreSQL database, migrated to head and seeded with the same
book through the use cases, and files the same seeded records:

- API: ``POST /v1/service-records/batch`` to uvicorn in a subprocess, one batch per request,
  over keep-alive httpx clients (1 client, then optionally more in parallel).
- bulk: SQLAlchemy Core ``insert(ServiceRecord).returning(id, sort_by_parameter_order=True)``
  executemany then ``insert(Finding)`` executemany, one transaction per batch.

Only the filing is timed (wall clock, seconds): not seeding, record generation, JSON encoding
of the request bodies, nor the server's startup. After each path the rows are counted.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert

from bench.book import Batch, Book, generate_batches, request_body, seed_book
from bench.postgres import count_rows, fresh_database, machine
from bench.server import api_server
from underwriting.db.engine import build_engine
from underwriting.db.tables import Finding, ServiceRecord

AIM = 0.25  # the API path should reach at least this share of the bulk insert's records/s
ENDPOINT = "/v1/service-records/batch"


@dataclass(frozen=True, slots=True)
class Options:
    """What to run: ``records`` in batches of ``batch``; ``clients`` lists the numbers of
    parallel API clients to try (1 first); the book has ``firms`` and ``engagements``."""

    server: str
    records: int = 100_000
    batch: int = 1_000
    clients: tuple[int, ...] = (1, 2)
    firms: int = 10
    engagements: int = 100
    seed: int = 2026


@dataclass(frozen=True, slots=True)
class Result:
    """One path's filing: ``records`` records with ``findings`` findings in ``seconds``
    of wall-clock time."""

    path: str
    records: int
    findings: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Records filed per second of wall-clock time."""
        return self.records / self.seconds


@dataclass
class _Workload:
    """The records to file, generated once from the first seeded book and then reused."""

    options: Options
    book: Book | None = None
    batches: list[Batch] | None = None
    bodies: list[bytes] | None = None

    def prepare(self, book: Book) -> None:
        """Generate the records on the first book; later books must have the same ids."""
        if self.book is None:
            self.book = book
            o = self.options
            self.batches = generate_batches(book, records=o.records, batch=o.batch, seed=o.seed)
            self.bodies = [request_body(b) for b in self.batches]
        elif book.engagements != self.book.engagements:
            raise RuntimeError("the seeded books differ: their engagements have other ids")

    @property
    def findings(self) -> int:
        """How many findings the records carry, in all."""
        return sum(len(r["findings"]) for b in self.batches or [] for r in b.records)


def _progress(message: str) -> None:
    print(f"[bench ingest] {message}", file=sys.stderr, flush=True)


def _seed(url: str, work: _Workload) -> Book:
    book = seed_book(url, firms=work.options.firms, engagements_count=work.options.engagements)
    work.prepare(book)
    return book


def _post_all(
    base: str, keys: Sequence[str], pairs: Sequence[tuple[Batch, bytes]], stop: threading.Event
) -> list[str]:
    """POST each body with its firm's key over one keep-alive client, until ``stop`` is set;
    returns, per request, ``""`` for a 201 with the right count, else what went wrong."""
    problems = []
    with httpx.Client(base_url=base, timeout=300.0) as client:
        for batch, body in pairs:
            if stop.is_set():
                break
            headers = {
                "Authorization": f"Bearer {keys[batch.firm]}",
                "Content-Type": "application/json",
            }
            response = client.post(ENDPOINT, content=body, headers=headers)
            ok = response.status_code == 201 and response.json()["count"] == len(batch.records)
            problems.append("" if ok else f"{response.status_code}: {response.text[:300]}")
    return problems


def _timed_posts(base: str, book: Book, work: _Workload, clients: int) -> tuple[float, list[str]]:
    """Wall-clock seconds to POST every batch with ``clients`` parallel clients, and the
    per-request problems. On Ctrl-C or an error the clients stop after their current POST."""
    pairs = list(zip(work.batches or [], work.bodies or [], strict=True))
    shares = [pairs[k::clients] for k in range(clients)]
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        try:
            started = time.perf_counter()
            futures = [pool.submit(_post_all, base, book.firm_keys, s, stop) for s in shares]
            outcomes = [future.result() for future in futures]
            seconds = time.perf_counter() - started
        except BaseException:
            stop.set()
            raise
    return seconds, [problem for outcome in outcomes for problem in outcome]


def _api_path(work: _Workload, clients: int) -> Result:
    o = work.options
    with fresh_database(o.server, "api") as url:
        book = _seed(url, work)
        with api_server(url) as base:
            _progress(f"API, {clients} client(s): posting {o.records:,} records to {base}")
            seconds, problems = _timed_posts(base, book, work, clients)
        _verify(url, work, [p for p in problems if p])
    label = "client" if clients == 1 else "clients"
    return Result(f"API, {clients} {label}", o.records, work.findings, seconds)


def _bulk_chunks(work: _Workload) -> list[tuple[list[dict[str, Any]], list[list[dict]]]]:
    return [
        (
            [{k: v for k, v in r.items() if k != "findings"} for r in b.records],
            [r["findings"] for r in b.records],
        )
        for b in work.batches or []
    ]


def _bulk_path(work: _Workload) -> Result:
    o = work.options
    with fresh_database(o.server, "bulk") as url:
        _seed(url, work)
        chunks = _bulk_chunks(work)
        engine = build_engine(url)
        records = insert(ServiceRecord).returning(ServiceRecord.id, sort_by_parameter_order=True)
        _progress(f"bulk: inserting {o.records:,} records with SQLAlchemy Core")
        try:
            started = time.perf_counter()
            for rows, findings in chunks:
                submitted_at = datetime.now(UTC)
                for row in rows:
                    row["submitted_at"] = submitted_at
                with engine.begin() as connection:
                    ids = connection.execute(records, rows).scalars().all()
                    children = [
                        {**finding, "service_record_id": record_id}
                        for record_id, fs in zip(ids, findings, strict=True)
                        for finding in fs
                    ]
                    if children:
                        connection.execute(insert(Finding), children)
            seconds = time.perf_counter() - started
        finally:
            engine.dispose()
        _verify(url, work, [])
    return Result("bulk insert (Core)", o.records, work.findings, seconds)


def _verify(url: str, work: _Workload, problems: list[str]) -> None:
    """Refuse the run unless every request succeeded and exactly the records were written."""
    if problems:
        raise RuntimeError(f"{len(problems)} request(s) failed; the first: {problems[0]}")
    written = count_rows(url, "service_record"), count_rows(url, "finding")
    expected = work.options.records, work.findings
    if written != expected:
        raise RuntimeError(f"wrote (records, findings) = {written}; expected {expected}")


def run(options: Options) -> list[Result]:
    """Every path once, API first (1 client, then the other client counts), bulk last."""
    work = _Workload(options)
    results = [_api_path(work, clients) for clients in options.clients]
    return [*results, _bulk_path(work)]


def report(options: Options, results: Sequence[Result]) -> str:
    """A plain-text table of ``results`` and the machine they ran on."""
    facts = machine(options.server)
    bulk = next(r for r in results if r.path.startswith("bulk"))
    head = f"{'path':<20} {'records':>9} {'findings':>9} {'seconds':>8} {'records/s':>10} "
    lines = [
        f"ingest: {options.records:,} service records in batches of {options.batch:,}",
        "machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()),
        "",
        head + "API / bulk",
    ]
    for r in results:
        ratio = r.per_second / bulk.per_second
        lines.append(
            f"{r.path:<20} {r.records:>9,} {r.findings:>9,} {r.seconds:>8.2f} "
            f"{r.per_second:>10,.0f} {ratio:>10.3f}"
        )
    api = next(r for r in results if r.path.startswith("API"))
    verdict = "met" if api.per_second >= AIM * bulk.per_second else "NOT met"
    ratio = api.per_second / bulk.per_second
    lines.append(f"\naim: {api.path} at >= {AIM} of bulk: {verdict} ({ratio:.3f})")
    return "\n".join(lines)
