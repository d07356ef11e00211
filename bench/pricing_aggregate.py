"""Aggregate loss: ``pricing.aggregate_loss`` by FFT against 10 million Monte Carlo draws.

The model is Poisson(3) claims of ``Lognormal(10, 1.5)`` CNY, no deductible and no limits.
The FFT side is timed best of 5 over ``aggregate_loss`` plus its mean, ``quantile(0.99)``
and ``tvar(0.99)``. The Monte Carlo side is one call of ``monte_carlo_aggregate`` with
``numpy.random.default_rng(seed)``, timed once; its statistics are computed afterwards,
untimed:

- mean ± standard error ``sd/√n``;
- VaR_p: the smallest simulated value with empirical cdf ≥ p, the ⌈pn⌉-th smallest;
- TVaR_p: the mean of the worst n(1 − p) outcomes (for integer n(1 − p) this is the
  lattice's definition, Acerbi & Tasche 2002);
- standard errors of VaR and TVaR by batch means: the same statistic in ``BATCHES``
  consecutive batches of n/``BATCHES`` draws, SE = sd(batch values)/√``BATCHES``. The
  tail-sample formula sd(worst n(1 − p))/√(n(1 − p)) is shown too; it leaves out the
  uncertainty of where the tail starts, so it runs smaller.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from pricing import Lognormal, aggregate_loss, monte_carlo_aggregate

FREQUENCY, SEVERITY = 3.0, Lognormal(10.0, 1.5)
LEVEL = 0.99  # of VaR and TVaR
FFT_RUNS = 5
FFT_AIM_MS = 50.0
BATCHES = 100


@dataclass(frozen=True, slots=True)
class Figures:
    """One method's figures, CNY; standard errors NaN where there are none (the FFT)."""

    seconds: float
    mean: float
    var: float
    tvar: float
    mean_se: float = math.nan
    var_se: float = math.nan
    tvar_se: float = math.nan
    tvar_tail_se: float = math.nan  # the tail-sample formula, for comparison


@dataclass(frozen=True, slots=True)
class AggregateRun:
    """Both methods, the FFT's lattice and its discretisation error (relative)."""

    sims: int
    seed: int
    fft: Figures
    mc: Figures
    cells: int
    span: float
    discretisation_error: float


def _progress(message: str) -> None:
    print(f"[bench aggregate] {message}", file=sys.stderr, flush=True)


def _fft() -> tuple[Figures, int, float, float]:
    best = math.inf
    for _ in range(FFT_RUNS):
        started = time.perf_counter()
        loss = aggregate_loss(FREQUENCY, SEVERITY)
        stats = loss.mean, loss.quantile(LEVEL), loss.tvar(LEVEL)
        best = min(best, time.perf_counter() - started)
    figures = Figures(best, *stats)
    return figures, loss.grid.size, loss.grid.span, loss.discretisation_error


def _tail(sims: np.ndarray) -> tuple[float, np.ndarray]:
    """VaR_p and the worst n(1 − p) outcomes of ``sims``."""
    worst = round(len(sims) * (1 - LEVEL))
    cut = len(sims) - worst - 1  # the ⌈pn⌉-th smallest, 0-based
    parted = np.partition(sims, cut)
    return float(parted[cut]), parted[cut + 1 :]


def _monte_carlo(sims: int, seed: int) -> Figures:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    s = monte_carlo_aggregate(FREQUENCY, SEVERITY, n_sims=sims, rng=rng)
    seconds = time.perf_counter() - started
    var, worst = _tail(s)
    batches = [_tail(batch) for batch in np.array_split(s, BATCHES)]
    batch_var = np.array([v for v, _ in batches])
    batch_tvar = np.array([w.mean() for _, w in batches])
    root = math.sqrt(BATCHES)
    return Figures(
        seconds=seconds,
        mean=float(s.mean()),
        var=var,
        tvar=float(worst.mean()),
        mean_se=float(s.std(ddof=1)) / math.sqrt(sims),
        var_se=float(batch_var.std(ddof=1)) / root,
        tvar_se=float(batch_tvar.std(ddof=1)) / root,
        tvar_tail_se=float(worst.std(ddof=1)) / math.sqrt(len(worst)),
    )


def run_aggregate(sims: int, seed: int) -> AggregateRun:
    """The FFT (best of ``FFT_RUNS``), then ``sims`` Monte Carlo draws seeded with ``seed``."""
    _progress(f"FFT, best of {FFT_RUNS}")
    fft, cells, span, error = _fft()
    _progress(f"Monte Carlo, {sims:,} draws (seed {seed})")
    return AggregateRun(sims, seed, fft, _monte_carlo(sims, seed), cells, span, error)


def aggregate_report(r: AggregateRun, machine: str) -> str:
    """A plain-text table of the aggregate benchmark."""
    f, m = r.fft, r.mc
    exact = FREQUENCY * SEVERITY.mean
    pct = f"{LEVEL:.0%}"

    def z(a: float, b: float, se: float) -> str:
        return f"{(a - b) / se:+.2f}"

    head = f"{'':<22} {'FFT':>16} {'Monte Carlo':>16} {'MC SE':>12} {'(FFT − MC)/SE':>14}"
    lines = [
        f"aggregate: Poisson({FREQUENCY:g}) claims of Lognormal(10, 1.5) CNY, unlimited; "
        f"FFT against {r.sims:,} Monte Carlo draws (default_rng({r.seed}))",
        machine,
        f"FFT lattice: {r.cells:,} cells of {r.span:,.2f} CNY; discretisation error of the "
        f"mean {r.discretisation_error:+.2e} (relative); exact mean {exact:,.2f} CNY",
        "",
        head,
        f"{'mean, CNY':<22} {f.mean:>16,.2f} {m.mean:>16,.2f} {m.mean_se:>12,.2f} "
        f"{z(f.mean, m.mean, m.mean_se):>14}",
        f"{f'VaR {pct}, CNY':<22} {f.var:>16,.2f} {m.var:>16,.2f} {m.var_se:>12,.2f} "
        f"{z(f.var, m.var, m.var_se):>14}",
        f"{f'TVaR {pct}, CNY':<22} {f.tvar:>16,.2f} {m.tvar:>16,.2f} {m.tvar_se:>12,.2f} "
        f"{z(f.tvar, m.tvar, m.tvar_se):>14}",
        f"{'time, ms':<22} {f.seconds * 1e3:>16,.2f} {m.seconds * 1e3:>16,.1f} {'':>12} "
        f"{'FFT/MC ' + f'{f.seconds / m.seconds:.5f}':>14}",
        "",
        f"FFT time: best of {FFT_RUNS}, aggregate_loss + mean + quantile + tvar. MC time: the "
        "one monte_carlo_aggregate call (its statistics afterwards, untimed).",
        f"MC SE: mean sd/√n; VaR and TVaR by batch means over {BATCHES} batches of "
        f"{r.sims // BATCHES:,}. Tail-sample formula for the TVaR, sd(tail)/√(tail count): "
        f"{m.tvar_tail_se:,.2f} CNY ((FFT − MC)/SE {z(f.tvar, m.tvar, m.tvar_tail_se)}).",
        "",
        f"aim: FFT under {FFT_AIM_MS:.0f} ms: "
        f"{'met' if f.seconds * 1e3 < FFT_AIM_MS else 'NOT met'} ({f.seconds * 1e3:.2f} ms)",
        f"aim: TVaR within the MC's standard error: "
        f"{'met' if abs(f.tvar - m.tvar) <= m.tvar_se else 'NOT met'} "
        f"(|FFT − MC| = {abs(f.tvar - m.tvar):,.2f} CNY, SE {m.tvar_se:,.2f} CNY)",
    ]
    return "\n".join([*lines, ""])  # a blank line before the next report
