"""Closed-loop load on one endpoint of the real HTTP server, and its table row.

``clients`` threads, each with one keep-alive ``http.client`` connection, send their next
request as soon as the last one is answered, for a warm-up and then ``seconds`` of measured
time. A request counts when it is answered inside the measured window; its latency is
``time.perf_counter`` from sending to the whole answer. A target that runs out of requests
(a pool of claims, each settled once) ends the window early, when the first client finds
it empty. Shared by ``bench quotes`` and ``bench claims``.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

WARMUP_SECONDS = 2.0
TIMEOUT_SECONDS = 60.0
#: The table's columns, after the endpoint's label.
COLUMNS = (
    f"{'requests':>9} {'seconds':>8} {'requests/s':>11} {'p50 ms':>8} "
    f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'client CPUs':>12} {'machine CPUs':>13}"
)


def usable_cpus() -> int:
    """CPUs this process may run on, as ``nproc`` counts them."""
    return len(os.sched_getaffinity(0))


@dataclass(frozen=True, slots=True)
class Request:
    """One request to send: its path, body and headers."""

    path: str
    body: bytes | None
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Target:
    """An endpoint under load: ``draw(rng)`` is the next request to send, or ``None`` when
    there is none left; ``check(status, body)`` says what is wrong, else ``""``."""

    label: str
    method: str
    draw: Callable[[random.Random], Request | None]
    check: Callable[[int, bytes], str]


def picking(
    label: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    bodies: Sequence[bytes | None],
    check: Callable[[int, bytes], str],
) -> Target:
    """``method path`` with ``headers`` and one of ``bodies`` picked at random, endlessly."""
    requests = [Request(path, body, headers) for body in bodies]
    return Target(label, method, lambda rng: requests[rng.randrange(len(requests))], check)


def json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def answer(status: int, body: bytes) -> str:
    """How a wrong answer is shown: its status and the start of its body."""
    return f"{status}: {body[:300].decode(errors='replace')}"


def _check_health(status: int, body: bytes) -> str:
    if status == 200 and json_or_none(body) == {"status": "ok", "database": True}:
        return ""
    return answer(status, body)


HEALTH = picking("GET /healthz", "GET", "/healthz", {}, [None], _check_health)


@dataclass(frozen=True, slots=True)
class Load:
    """An endpoint's run: the latencies (s) of the requests answered inside the window of
    ``seconds``; the right answers, the problems and the wrong answers by status (or error)
    of the whole run (warm-up included); whether the target ran out of requests (which
    ended the window early); the CPUs busy on average over the whole run, in the load
    generator and machine-wide."""

    label: str
    seconds: float
    latencies: np.ndarray
    right: int
    problems: list[str]
    wrong: Counter[str]
    ran_out: bool
    client_cpus: float
    machine_cpus: float

    @property
    def per_second(self) -> float:
        """Requests answered per second of the measured window."""
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def ms(self, quantile: float) -> float:
        """The latency at ``quantile`` (0 to 1) in ms; NaN when nothing was answered."""
        if not len(self.latencies):
            return math.nan
        return float(np.quantile(self.latencies, quantile)) * 1000


@dataclass(slots=True)
class _Outcome:
    """One client's run: (answered at, latency) of every answer, the right answers, the
    problems, the wrong answers by status, and when it found the target empty."""

    answers: list[tuple[float, float]] = field(default_factory=list)
    right: int = 0
    problems: list[str] = field(default_factory=list)
    wrong: Counter[str] = field(default_factory=Counter)
    ran_out_at: float | None = None


def _client(
    port: int, target: Target, rng: random.Random, end: float, stop: threading.Event
) -> _Outcome:
    """Requests back to back over one keep-alive connection until ``end``, ``stop`` or the
    target runs out. A broken connection ends the client."""
    out = _Outcome()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        while not stop.is_set():
            request = target.draw(rng)
            sent = time.perf_counter()
            if request is None:
                out.ran_out_at = sent
                stop.set()
                break
            if sent >= end:
                break
            try:
                connection.request(
                    target.method, request.path, body=request.body, headers=dict(request.headers)
                )
                response = connection.getresponse()
                status, content = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                out.problems.append(f"{type(error).__name__}: {error}")
                out.wrong[type(error).__name__] += 1
                break
            answered = time.perf_counter()
            out.answers.append((answered, answered - sent))
            problem = target.check(status, content)
            out.right += not problem
            if problem:
                out.problems.append(problem)
                out.wrong[str(status)] += 1
    finally:
        connection.close()
    return out


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
    """``clients`` closed-loop clients on ``target``: a warm-up, then ``seconds`` measured
    (less if the target runs out). Client ``k`` draws with ``random.Random(seed * 1000 + k)``."""
    began, cpu, busy = time.perf_counter(), time.process_time(), _busy_cpu_seconds()
    start, end = began + WARMUP_SECONDS, began + WARMUP_SECONDS + seconds
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        rngs = [random.Random(seed * 1000 + k) for k in range(clients)]
        futures = [pool.submit(_client, port, target, rng, end, stop) for rng in rngs]
        try:
            outcomes = [future.result() for future in futures]
        except BaseException:
            stop.set()
            raise
    elapsed = time.perf_counter() - began
    ran_out = [o.ran_out_at for o in outcomes if o.ran_out_at is not None]
    end = min([end, *ran_out])
    return Load(
        label=target.label,
        seconds=max(0.0, end - start) if ran_out else float(seconds),
        latencies=np.array(
            [x for o in outcomes for answered, x in o.answers if start <= answered < end]
        ),
        right=sum(o.right for o in outcomes),
        problems=[p for o in outcomes for p in o.problems],
        wrong=sum((o.wrong for o in outcomes), Counter()),
        ran_out=bool(ran_out),
        client_cpus=(time.process_time() - cpu) / elapsed,
        machine_cpus=(_busy_cpu_seconds() - busy) / elapsed,
    )


def head(width: int = 16) -> str:
    """The table's header, the endpoint's label ``width`` wide."""
    return f"{'endpoint':<{width}} {COLUMNS}"


def row(load: Load, width: int = 16) -> str:
    """One load as a table row: requests, seconds, requests/s, p50/p90/p99/max, CPUs."""
    percentiles = " ".join(f"{load.ms(q):>8.1f}" for q in (0.5, 0.9, 0.99, 1.0))
    return (
        f"{load.label:<{width}} {len(load.latencies):>9,} {load.seconds:>8.1f} "
        f"{load.per_second:>11,.1f} {percentiles} {load.client_cpus:>12.2f} "
        f"{load.machine_cpus:>13.2f}"
    )
