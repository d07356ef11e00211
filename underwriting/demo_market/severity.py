"""What an incident costs and whom it hurts.

The direct economic loss is drawn from the class severity of ``truth.SEVERITY``: a lognormal
draw that exceeds the threshold is replaced by a Pareto draw above it, which splices the
Pareto tail on with exactly the lognormal's exceedance probability. Casualties follow the
loss, since a death in China costs the employer the statutory lump sum of 20 times the
national urban per-capita disposable income (工伤保险条例 art. 39; about ¥1 million today)
on top of everything else:

* deaths — ``floor(((loss − ¥1m) / ¥1.2m)^0.7 + U)`` for losses above ¥1m;
* serious injuries — Poisson(0.15 + 0.5 (loss / ¥1m)^0.7);
* minor injuries — Poisson(0.4 + (loss / ¥1m)^0.6), and at least one when nobody else is
  hurt — except that a modest fire or explosion (loss < ¥1m) leaves no casualty 35% of
  the time;

each capped by the headcount still unhurt. The grade is Decree 493's (``claims``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

import numpy as np

from claims import AccidentGrade, accident_grade
from underwriting.demo_market.accident_types import (
    ACCIDENT_TYPES,
    PROPERTY_ONLY_TYPES,
    draw_accident_types,
)
from underwriting.demo_market.encoding import fen_from_yuan, money_from_fen
from underwriting.demo_market.truth import HAZARD_CLASSES, LOSS_CAP, LOSS_FLOOR, SEVERITY

GRADES: tuple[AccidentGrade, ...] = tuple(AccidentGrade)
DEATH_THRESHOLD = 1.0e6
DEATH_COST = 1.2e6
PROPERTY_ONLY_PROBABILITY = 0.35


@dataclass(frozen=True)
class Outcomes:
    """Per incident: accident type (index into ``ACCIDENT_TYPES``), casualties, direct loss
    in fen and its decimal string, and the grade (index into ``GRADES``)."""

    accident_type: np.ndarray
    deaths: np.ndarray
    serious: np.ndarray
    minor: np.ndarray
    loss_fen: np.ndarray
    loss_text: list[str]
    grade: np.ndarray


def direct_losses(
    class_index: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(loss in CNY, whether it lies in the Pareto tail) for incidents of the given classes."""
    params = np.array(
        [
            [SEVERITY[h].mu, SEVERITY[h].sigma, SEVERITY[h].threshold, SEVERITY[h].alpha]
            for h in HAZARD_CLASSES
        ]
    )
    mu, sigma, threshold, alpha = params[class_index].T
    body = np.exp(mu + sigma * rng.standard_normal(len(class_index)))
    tail = threshold * (1.0 - rng.random(len(class_index))) ** (-1.0 / alpha)
    in_tail = body > threshold
    loss = np.where(in_tail, tail, body)
    return np.clip(loss, LOSS_FLOOR, LOSS_CAP), in_tail


def incident_outcomes(
    class_index: np.ndarray, employees: np.ndarray, rng: np.random.Generator
) -> Outcomes:
    """Type, casualties, loss and grade of each incident at enterprises of these classes
    and headcounts."""
    loss, in_tail = direct_losses(class_index, rng)
    fen = fen_from_yuan(loss)
    kinds = draw_accident_types(class_index, in_tail, rng)
    deaths, serious, minor = _casualties(fen / 100.0, kinds, employees, rng)
    text = money_from_fen(fen)
    grade = [
        GRADES.index(accident_grade(d, s, Decimal(t)))
        for d, s, t in zip(deaths.tolist(), serious.tolist(), text, strict=True)
    ]
    return Outcomes(kinds, deaths, serious, minor, fen, text, np.array(grade, dtype=np.int64))


def _casualties(
    loss: np.ndarray, kinds: np.ndarray, employees: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(loss)
    millions = loss / 1e6
    fatal_scale = np.maximum(0.0, loss - DEATH_THRESHOLD) / DEATH_COST
    deaths = np.floor(fatal_scale**0.7 + rng.random(n)).astype(np.int64)
    serious = rng.poisson(0.15 + 0.5 * millions**0.7)
    minor = rng.poisson(0.4 + millions**0.6)
    property_type = np.isin(np.array(ACCIDENT_TYPES)[kinds], PROPERTY_ONLY_TYPES)
    unhurt = property_type & (loss < 1e6) & (rng.random(n) < PROPERTY_ONLY_PROBABILITY)
    deaths = np.minimum(deaths, employees)
    serious = np.minimum(serious, employees - deaths)
    minor = np.minimum(minor, employees - deaths - serious)
    minor = np.where((deaths + serious + minor == 0) & ~unhurt, 1, minor)
    zero = np.zeros(n, dtype=np.int64)
    return (
        np.where(unhurt, zero, deaths),
        np.where(unhurt, zero, serious),
        np.where(unhurt, zero, minor),
    )


def join_outcomes(batches: list[Outcomes], order: np.ndarray) -> Outcomes:
    """Several batches of outcomes as one, rearranged by ``order`` (an index array)."""
    texts = [text for batch in batches for text in batch.loss_text]
    arrays = {
        field.name: np.concatenate([getattr(batch, field.name) for batch in batches])[order]
        for field in fields(Outcomes)
        if field.name != "loss_text"
    }
    return Outcomes(**arrays, loss_text=[texts[i] for i in order.tolist()])
