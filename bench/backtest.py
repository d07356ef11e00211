"""The rolling-origin backtest end to end (issue 6, item 5): generate → history → rolling
calibrations → pricing → metrics → HTML → files.

A fresh ``python -c`` subprocess does the whole default backtest on a generated market of
the default size (``generate_market(firms=200, enterprises=5000, years=10, seed=2026)``, the
seed being ``--seed``): it draws the insured history, runs
``underwriting.backtests.run_backtest`` over every test year the history allows (its own
stages timed inside: calibrations, pricing, metrics, HTML) and writes ``metrics.json`` and
``report.html`` to a temporary directory, as ``secondlock backtest`` does. It reports the
wall-clock seconds of each stage and in all, the RSS after its imports and the peak RSS of
the whole process (``VmHWM``), and the backtest's headline figures. The aims (the
issue's): the whole backtest under **60 s** and **4 GB**; a missed aim is a ``NOTE``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import background_cpus, usable_cpus
from bench.pricing import ROOT, _rss_kib, machine

__all__ = ["backtest_child", "backtest_report", "run_backtest_bench"]

SIZE = {"firms": 200, "enterprises": 5000, "years": 10}
AIM_SECONDS = 60.0
AIM_MIB = 4 * 1024.0
STAGES = ("generate", "history", "calibrations", "pricing", "metrics", "html", "write")


def backtest_child(seed: int) -> None:
    """In a fresh process: the whole backtest; prints its figures as JSON (RSS in KiB)."""
    from underwriting.backtest_pages import write_backtest
    from underwriting.backtests import default_range, run_backtest
    from underwriting.demo_market import generate_market, insured_history

    imported, _ = _rss_kib()
    seconds: dict[str, float] = {}
    started = last = time.perf_counter()
    market = generate_market(**SIZE, seed=seed)
    seconds["generate"], last = time.perf_counter() - last, time.perf_counter()
    history = insured_history(market)
    seconds["history"] = time.perf_counter() - last
    first, final = default_range(history)
    result = run_backtest(history, first_year=first, last_year=final)
    seconds |= result.seconds
    last = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        write_backtest(result.metrics, result.html, Path(directory))
    seconds["write"] = time.perf_counter() - last
    seconds["total"] = time.perf_counter() - started
    print(
        json.dumps(
            {"seconds": seconds, "imported": imported, "peak": _rss_kib()[1]}
            | _figures(result.metrics)
        )
    )


def _figures(metrics: dict) -> dict:
    models = metrics["models"]
    references = metrics["rolling"]["references"]
    blocks = {"current": models["current"], **references}
    return {
        "years": [metrics["test_years"][0], metrics["test_years"][-1]],
        "policies": metrics["policies"],
        "ae": {k: b["actual_to_expected"]["overall"]["ae"] for k, b in blocks.items()},
        "gini": {k: b["lorenz"]["gini"] for k, b in blocks.items()},
        "failed": [n["test_year"] for n in metrics["rolling"]["calibrations"] if n["failed"]],
    }


def run_backtest_bench(seed: int) -> dict | str:
    """The child's figures, or why it failed; with the CPUs other work kept busy before."""
    print(f"[bench backtest] the default backtest (seed {seed}), in a fresh subprocess",
          file=sys.stderr)  # fmt: skip
    busy = background_cpus()
    code = f"from bench.backtest import backtest_child; backtest_child({seed})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip()[-600:]}"
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"busy": busy, "seed": seed}


def backtest_report(run: dict | str) -> str:
    """A plain-text table of the backtest benchmark."""
    lines = [
        f"backtest: rolling-origin backtest end to end on a generated market of "
        f"{SIZE['firms']} firms, {SIZE['enterprises']:,} enterprises, {SIZE['years']} years",
        machine(),
        "",
    ]
    if isinstance(run, str):
        return "\n".join([*lines, f"ERROR: the backtest failed: {run}", ""])
    seconds = run["seconds"]
    lines.append(f"seed {run['seed']}, test years {run['years'][0]}–{run['years'][1]}, "
                 f"{run['policies']} policies")  # fmt: skip
    lines += ["", f"{'stage':<14} {'seconds':>8}"]
    lines += [f"{stage:<14} {seconds[stage]:>8.2f}" for stage in STAGES]
    total, peak = seconds["total"], run["peak"] / 1024
    lines.append(
        f"{'total':<14} {total:>8.2f}   aim < {AIM_SECONDS:.0f} s: {_met(total, AIM_SECONDS)}"
    )
    lines.append(
        f"peak RSS {peak:,.0f} MiB (after imports {run['imported'] / 1024:,.0f} MiB)   "
        f"aim < {AIM_MIB / 1024:.0f} GB: {_met(peak, AIM_MIB)}"
    )
    lines += ["", *_result_lines(run)]
    if total > AIM_SECONDS or peak > AIM_MIB:
        lines.append("NOTE: an aim was missed")
    if run["busy"] > usable_cpus() / 4:
        lines.append(f"NOTE: other work kept {run['busy']:.2f} CPUs busy before the run")
    return "\n".join([*lines, ""])


def _result_lines(run: dict) -> list[str]:
    names = {"current": "current (as priced)", "calibrated": "rolling calibration",
             "hazard_class_only": "hazard class only"}  # fmt: skip
    lines = [f"{'model':<22} {'A/E':>6} {'Gini':>6}"]
    for key, name in names.items():
        lines.append(f"{name:<22} {run['ae'][key]:>6.3f} {run['gini'][key]:>6.3f}")
    if run["failed"]:
        lines.append(f"calibrations that failed (model in force kept): {run['failed']}")
    return lines


def _met(value: float, aim: float) -> str:
    return "met" if value < aim else "MISSED"
