"""Pricing: the batch rating of a whole book, and one aggregate loss by FFT against Monte Carlo.

``rating``: ``pricing.rate`` over a seeded synthetic book (``bench.pricing_book``) of, by
default, 100,000 firms × 20 clients under 3 coverage options, against the same function
called one firm at a time in a Python loop over a sample of the firms, in the same run. The
loop's premiums must equal the batch's rows to the fen. The batch's peak memory is measured
in a fresh ``python -c`` subprocess that builds the same book and rates it once.

``aggregate``: ``pricing.aggregate_loss(3, Lognormal(10, 1.5))`` (no limits) by FFT, against
``pricing.monte_carlo_aggregate`` of the same model with 10 million draws, in the same run;
it lives in ``bench.pricing_aggregate`` and is re-exported here.

Times are wall clock (``time.perf_counter``), seconds unless a column says ms; memory is in
MiB. Nothing is asserted: the numbers are printed, and a mismatch is an ``ERROR`` line.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.postgres import _cpu_model
from bench.pricing_aggregate import AggregateRun, aggregate_report, run_aggregate
from bench.pricing_book import OPTIONS, synthetic_book
from pricing import RatingModel, rate

__all__ = [
    "AggregateRun",
    "RatingRun",
    "aggregate_report",
    "machine",
    "memory_child",
    "rating_report",
    "run_aggregate",
    "run_rating",
]

MODEL = "pl-2026.1"
RATING_AIM_SPEEDUP = 100.0  # the batch at least this many times faster per firm than the loop
RATING_AIM_SECONDS = 5.0  # the whole batch within this
RATING_AIM_MIB = 2048.0  # peak RSS of the batch run below this
ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(f"[bench pricing] {message}", file=sys.stderr, flush=True)


def _best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest wall-clock seconds of ``runs`` calls of ``work``, and the first result."""
    times, first = [], None
    for run in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
        first = result if run == 0 else first
    return min(times), first


def machine() -> str:
    """CPUs usable (as ``nproc`` counts them) and the CPU, Python and numpy versions."""
    return (
        f"machine: nproc {len(os.sched_getaffinity(0))} (os.cpu_count {os.cpu_count()}), "
        f"cpu {_cpu_model()}, python {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}"
    )


# --- rating ----------------------------------------------------------------------------------


def _rss_kib() -> tuple[int, int]:
    """This process's current RSS (VmRSS) and peak RSS so far (VmHWM), KiB."""
    fields = {}
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else "0"
    return int(fields.get("VmRSS", 0)), int(fields.get("VmHWM", 0))


def memory_child(firms: int, clients: int, seed: int) -> None:
    """In a fresh process: build the book, rate it once, print the RSS figures as JSON (KiB,
    ``ru_maxrss`` being KiB on Linux) and the rating's seconds."""
    model = RatingModel.load(MODEL)
    book = synthetic_book(model, firms=firms, clients=clients, seed=seed)
    before, build_peak = _rss_kib()
    started = time.perf_counter()
    rate(book, model, OPTIONS)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before": before, "build_peak": build_peak, "peak": peak, "s": seconds}))


def _memory(firms: int, clients: int, seed: int) -> dict[str, float] | str:
    """The child's figures in MiB (and seconds), or the reason it failed."""
    code = f"from bench.pricing import memory_child; memory_child({firms}, {clients}, {seed})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip()[-400:]}"
    kib = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: (v if k == "s" else v / 1024) for k, v in kib.items()}


@dataclass(frozen=True, slots=True)
class RatingRun:
    """The rating benchmark's figures: seconds are wall clock, memory MiB."""

    firms: int
    clients: int
    build_s: float
    batch_s: float
    loop_firms: int
    loop_s: float  # rating the sampled firms one by one, in all
    take_s: float  # cutting the one-firm books out of the big one (not in loop_s)
    mismatches: list[str]
    memory: dict[str, float] | str


def run_rating(firms: int, clients: int, loop_firms: int, seed: int) -> RatingRun:
    """Build the book, rate it in one batch (best of 2), rate a seeded sample of its firms
    one at a time, compare their premiums, then measure the batch's memory in a subprocess."""
    model = RatingModel.load(MODEL)
    _progress(f"rating: building {firms:,} firms × {clients} clients (seed {seed})")
    build_s, book = _best(1, lambda: synthetic_book(model, firms=firms, clients=clients, seed=seed))
    _progress("rating: the batch, twice")
    results = []
    batch_s, _ = _best(2, lambda: results.append(rate(book, model, OPTIONS)))
    batch = results[0].premium_fen
    mismatches = []
    if not np.array_equal(batch, results[1].premium_fen):
        mismatches.append("the two batch runs priced differently")
    sample = np.sort(np.random.default_rng(seed).choice(firms, min(loop_firms, firms), False))
    started = time.perf_counter()
    singles = [book.take(np.array([i])) for i in sample]
    take_s = time.perf_counter() - started
    _progress(f"rating: {len(sample)} firms one at a time")
    started = time.perf_counter()
    looped = [rate(single, model, OPTIONS).premium_fen[0] for single in singles]
    loop_s = time.perf_counter() - started
    for i, premium in zip(sample, looped, strict=True):
        if not np.array_equal(premium, batch[i]):
            mismatches.append(f"firm row {i}: loop {premium.tolist()} != batch {batch[i].tolist()}")
    _progress("rating: peak memory of the batch, in a fresh subprocess")
    memory = _memory(firms, clients, seed)
    return RatingRun(
        firms, clients, build_s, batch_s, len(sample), loop_s, take_s, mismatches, memory
    )


def rating_report(r: RatingRun) -> str:
    """A plain-text table of the rating benchmark."""
    batch_per_firm, loop_per_firm = r.batch_s / r.firms, r.loop_s / r.loop_firms
    speedup = loop_per_firm / batch_per_firm
    options = "; ".join(
        f"{o.per_claim_limit:,.0f}/{o.aggregate_limit:,.0f}/{o.deductible:,.0f} "
        f"defence {'inside' if o.defence_inside else 'outside'}"
        for o in OPTIONS
    )
    lines = [
        f"rating: {r.firms:,} firms × {r.clients} clients ({r.firms * r.clients:,} client rows) "
        f"× {len(OPTIONS)} options, model {MODEL}",
        f"options (per claim/aggregate/deductible, CNY): {options}",
        machine(),
        f"book built in {r.build_s:.2f} s (not timed below)",
        "",
        f"{'path':<26} {'firms':>8} {'seconds':>9} {'firms/s':>10} {'µs/firm':>10} "
        f"{'loop/batch':>10}",
        f"{'batch rate() (best of 2)':<26} {r.firms:>8,} {r.batch_s:>9.3f} "
        f"{r.firms / r.batch_s:>10,.0f} {batch_per_firm * 1e6:>10,.1f} {speedup:>10,.1f}",
        f"{'loop, one firm a call':<26} {r.loop_firms:>8,} {r.loop_s:>9.3f} "
        f"{r.loop_firms / r.loop_s:>10,.0f} {loop_per_firm * 1e6:>10,.1f} {1.0:>10,.1f}",
        f"(cutting the {r.loop_firms} one-firm books with book.take took {r.take_s:.3f} s, "
        "outside the loop's time)",
        "",
    ]
    if r.mismatches:
        lines += [f"ERROR: {m}" for m in r.mismatches[:10]]
        lines.append(f"ERROR: {len(r.mismatches)} mismatch(es) between loop and batch")
    else:
        lines.append(f"check: the {r.loop_firms} looped firms' premium_fen equal the batch's rows")
    if isinstance(r.memory, str):
        lines.append(f"ERROR: the memory subprocess failed: {r.memory}")
        peak = math.nan
    else:
        m = r.memory
        peak = m["peak"]
        lines.append(
            f"memory (fresh subprocess, ru_maxrss): RSS before rating {m['before']:,.0f} MiB, "
            f"peak {peak:,.0f} MiB, peak − before {peak - m['before']:,.0f} MiB "
            f"(peak while building the book {m['build_peak']:,.0f} MiB; "
            f"its rating took {m['s']:.3f} s)"
        )
    verdicts = [
        (f"per firm >= {RATING_AIM_SPEEDUP:.0f}× faster than the loop", speedup, "×"),
        (f"batch under {RATING_AIM_SECONDS:.0f} s", r.batch_s, " s"),
        (f"peak RSS under {RATING_AIM_MIB:,.0f} MiB", peak, " MiB"),
    ]
    met = [speedup >= RATING_AIM_SPEEDUP, r.batch_s < RATING_AIM_SECONDS, peak < RATING_AIM_MIB]
    lines.append("")
    for (aim, value, unit), ok in zip(verdicts, met, strict=True):
        verdict = "unknown" if math.isnan(value) else "met" if ok else "NOT met"
        lines.append(f"aim: {aim}: {verdict} ({value:,.1f}{unit})")
    return "\n".join([*lines, ""])  # a blank line before the next report
