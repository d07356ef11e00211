"""The frequency GLM: ``pricing.GLM`` (glum) against statsmodels on a million enterprise-years.

The data (``frequency_data``) are seeded and synthetic: ``rows`` enterprise-years whose
hazard metrics are the rating benchmark's (``bench.pricing_book``), hazard classes drawn by
its market shares, each year in force for 0.25–1 of a year. The design has 20 columns: the
eight continuous features of ``pricing.frequency.feature_columns`` (log hazard sources,
1 − closure rate, overdue rectifications, accidents by grade, the IoT alarm rate), the
standardisation grade one-hot (3 columns, base grade 3, the commonest) and the hazard class
one-hot (9 columns, base light manufacturing). Claims are Poisson with mean
``years · (employees/100) · λ0[class] · exp(β · x)``, the true λ0 and β being model
``pl-2026.1``'s; the offset is log(years · employees/100).

Each library fits in its own fresh ``python -c`` subprocess, one after the other, so that
each one's memory is its own. The child builds the data, loads the library and warms it up
on 1,000 rows and reads its RSS. Then it fits twice, each time with the diagnostics a
calibration report reads (coefficients, standard errors, deviance, null deviance, AIC;
statsmodels computes them lazily, on first access), the peak RSS (``VmHWM``) reset to the
RSS before each (``/proc/self/clear_refs``). It reports the faster fit's wall-clock seconds,
the RSS before the fits and the higher of their peaks. The CPUs other work keeps busy are
sampled for a second before each child; above a quarter of them, a ``NOTE`` says so.
Checks: the two sets of coefficients within 1e-6 of each other and the standard errors
within 1e-6 relative, otherwise an ``ERROR`` line.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

from bench.load import background_cpus, usable_cpus
from bench.pricing import ROOT, _rss_kib, machine
from bench.pricing_book import MARKET_SHARE, _metrics
from pricing import HAZARD_CLASSES, RatingModel
from pricing.frequency import feature_columns

__all__ = ["GlmRun", "frequency_data", "glm_child", "glm_report", "run_glm"]

MODEL = "pl-2026.1"
LIBRARIES = ("pricing.GLM (glum)", "statsmodels GLM")
BASE_GRADE, BASE_CLASS = 2, HAZARD_CLASSES.index("light_manufacturing")
COEF_TOLERANCE, BSE_TOLERANCE = 1e-6, 1e-6  # absolute; relative
RUNS = 2  # fits per library, the fastest counts


def frequency_data(rows: int, seed: int):
    """(X rows × 20, claims, offset, true coefficients with the intercept first)."""
    rng = np.random.default_rng(seed)
    frequency = RatingModel.load(MODEL).frequency
    metrics = _metrics(rng, rows)
    classes = rng.choice(len(HAZARD_CLASSES), rows, p=MARKET_SHARE)
    years = rng.uniform(0.25, 1.0, rows)
    continuous = np.column_stack(feature_columns(metrics, frequency)[1:])
    grades, class_levels = _others(4, BASE_GRADE), _others(len(HAZARD_CLASSES), BASE_CLASS)
    x = np.column_stack(
        [continuous, metrics.standardisation[:, None] == grades, classes[:, None] == class_levels]
    ).astype(np.float64)
    steps = frequency.standardisation_steps
    log_base = np.log(frequency.base_per_100_employees)
    truth = np.r_[
        log_base[BASE_CLASS],
        frequency.coefficients[1:],
        frequency.coefficients[0] * (steps[grades] - steps[BASE_GRADE]),
        log_base[class_levels] - log_base[BASE_CLASS],
    ]
    offset = np.log(years * metrics.employees / 100.0)
    claims = rng.poisson(np.exp(truth[0] + x @ truth[1:] + offset)).astype(np.float64)
    return x, claims, offset, truth


def _others(levels: int, base: int) -> np.ndarray:
    return np.array([level for level in range(levels) if level != base])


def _fit_pricing(x, y, offset) -> dict:
    from pricing import GLM

    glm = GLM("poisson").fit(x, y, offset=offset)
    return {
        "coef": np.r_[glm.intercept_, glm.coef_].tolist(),
        "bse": glm.bse_.tolist(),
        "deviance": glm.deviance_,
        "null_deviance": glm.null_deviance_,
        "aic": glm.aic_,
        "iterations": glm.n_iter_,
    }


def _fit_statsmodels(x, y, offset) -> dict:
    import statsmodels.api as sm

    fit = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson(), offset=offset).fit()
    return {
        "coef": fit.params.tolist(),
        "bse": fit.bse.tolist(),
        "deviance": fit.deviance,
        "null_deviance": fit.null_deviance,
        "aic": fit.aic,
        "iterations": fit.fit_history["iteration"],
    }


def glm_child(library: int, rows: int, seed: int) -> None:
    """In a fresh process: build the data, fit with library ``library`` (index into
    ``LIBRARIES``), print the figures as JSON (RSS in KiB)."""
    x, y, offset, truth = frequency_data(rows, seed)
    fit = (_fit_pricing, _fit_statsmodels)[library]
    fit(x[:1_000, :3], y[:1_000], offset[:1_000])  # loads the library, warms it up; untimed
    before, build_peak = _rss_kib()
    seconds, peaks, reset = [], [], True
    for _ in range(RUNS):
        gc.collect()  # the last fit's garbage must not count towards this one's peak
        reset &= _reset_peak()
        started = time.perf_counter()
        figures = fit(x, y, offset)
        seconds.append(time.perf_counter() - started)
        peaks.append(_rss_kib()[1])
    figures.update(seconds=min(seconds), before=before, peak=max(peaks), reset=reset)
    figures.update(build_peak=build_peak)
    figures.update(truth=truth.tolist(), claims=float(y.sum()))
    print(json.dumps(figures))


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS, so that the peak read after
    the fit is the fit's, not the data's (Linux ≥ 4.0); False where that is refused."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class GlmRun:
    """Per library, the child's figures (or the reason it failed); memory in KiB."""

    rows: int
    seed: int
    fits: list[dict | str]
    busy_cpus: float  # the most CPUs other work kept busy in the second before a child


def _child(library: int, rows: int, seed: int) -> dict | str:
    code = f"from bench.glm import glm_child; glm_child({library}, {rows}, {seed})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip()[-400:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_glm(rows: int, seed: int) -> GlmRun:
    fits, busy = [], []
    for index, name in enumerate(LIBRARIES):
        print(f"[bench glm] {name}: {rows:,} rows, in a fresh subprocess", file=sys.stderr)
        busy.append(background_cpus())
        fits.append(_child(index, rows, seed))
    return GlmRun(rows, seed, fits, max(busy))


def glm_report(r: GlmRun) -> str:
    """A plain-text table of the GLM benchmark."""
    lines = [
        f"glm: Poisson frequency GLM, log link, exposure offset; {r.rows:,} enterprise-years × "
        f"20 features + intercept (seed {r.seed}, true coefficients {MODEL}'s)",
        machine(),
        "",
    ]
    failed = [
        f"ERROR: {name} failed: {fit}"
        for name, fit in zip(LIBRARIES, r.fits, strict=True)
        if isinstance(fit, str)
    ]
    if failed:
        return "\n".join([*lines, *failed, ""])
    ours, theirs = r.fits
    lines += [
        f"claims: {ours['claims']:,.0f}; seconds: the best of {RUNS} fits, each with the "
        "diagnostics (bse, deviance, null deviance, AIC), after loading and warming up "
        "each library on 1,000 rows",
        "",
    ]
    lines.append(
        f"{'library':<20} {'seconds':>8} {'iterations':>10} {'RSS before':>11} {'peak':>9} "
        f"{'peak − before':>14}"
    )
    for name, fit in zip(LIBRARIES, r.fits, strict=True):
        before, peak = fit["before"] / 1024, fit["peak"] / 1024
        lines.append(
            f"{name:<20} {fit['seconds']:>8.3f} {fit['iterations']:>10} {before:>7,.0f} MiB "
            f"{peak:>5,.0f} MiB {peak - before:>10,.0f} MiB"
        )
    if r.busy_cpus > usable_cpus() / 4:
        lines.append(f"NOTE: other work kept {r.busy_cpus:.2f} CPUs busy before a fit")
    if not (ours["reset"] and theirs["reset"]):
        lines.append("NOTE: the peak could not be reset before the fit: it may be the data's")
    lines += ["", *_comparison(ours, theirs)]
    return "\n".join([*lines, ""])


def _comparison(ours: dict, theirs: dict) -> list[str]:
    coef, their_coef = np.array(ours["coef"]), np.array(theirs["coef"])
    bse, their_bse = np.array(ours["bse"]), np.array(theirs["bse"])
    coef_gap = float(np.abs(coef - their_coef).max())
    bse_gap = float((np.abs(bse - their_bse) / their_bse).max())
    z = float((np.abs(coef - np.array(ours["truth"])) / bse).max())
    lines = [
        f"statsmodels ÷ pricing.GLM seconds: {theirs['seconds'] / ours['seconds']:.1f}×",
        f"max |coefficient difference|: {coef_gap:.2e} (intercept and 20 coefficients)",
        f"max |bse difference| / bse: {bse_gap:.2e}",
    ]
    for key in ("deviance", "null_deviance", "aic"):
        lines.append(f"{key}: {ours[key]:,.4f} vs {theirs[key]:,.4f}")
    lines.append(f"max |estimate − truth| / bse: {z:.2f} (pricing.GLM)")
    if coef_gap > COEF_TOLERANCE:
        lines.append(f"ERROR: coefficients differ by more than {COEF_TOLERANCE:g}")
    if bse_gap > BSE_TOLERANCE:
        lines.append(f"ERROR: standard errors differ by more than {BSE_TOLERANCE:g} relative")
    return lines
