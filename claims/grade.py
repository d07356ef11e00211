"""Accident grade by State Council Decree 493 (《生产安全事故报告和调查处理条例》, 2007), art. 3.

| grade (等级)              | deaths | serious injuries | direct economic loss (CNY) |
|---------------------------|--------|------------------|----------------------------|
| ``general`` 一般           | < 3    | < 10             | < 10 million               |
| ``larger`` 较大            | 3–9    | 10–49            | 10 – < 50 million          |
| ``major`` 重大             | 10–29  | 50–99            | 50 – < 100 million         |
| ``especially_major`` 特别重大 | ≥ 30 | ≥ 100            | ≥ 100 million              |

The decree reads "以上" as inclusive of the lower bound and "以下" as exclusive of the upper
one, so 3 deaths is 较大 and ¥10,000,000 exactly is 较大. The grade is the highest that any one
measure reaches.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class AccidentGrade(StrEnum):
    """The four grades of Decree 493, in rising order of gravity."""

    GENERAL = "general"
    LARGER = "larger"
    MAJOR = "major"
    ESPECIALLY_MAJOR = "especially_major"


_ORDER = list(AccidentGrade)
# Lower bounds of grades larger, major and especially_major for each measure.
_DEATH_BOUNDS = (3, 10, 30)
_SERIOUS_BOUNDS = (10, 50, 100)
_LOSS_BOUNDS = (Decimal(10_000_000), Decimal(50_000_000), Decimal(100_000_000))


def _rank(value: int | Decimal, bounds: tuple) -> int:
    return sum(value >= bound for bound in bounds)


def accident_grade(deaths: int, serious_injuries: int, direct_loss: Decimal) -> AccidentGrade:
    """Grade an accident from its deaths, serious injuries and direct loss in CNY.

    >>> accident_grade(2, 0, Decimal("12000000"))
    <AccidentGrade.LARGER: 'larger'>
    """
    for name, value in (("deaths", deaths), ("serious_injuries", serious_injuries)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0; got ({name}={value})")
    if direct_loss < 0:
        raise ValueError(f"direct_loss must be >= 0; got (direct_loss={direct_loss})")
    rank = max(
        _rank(deaths, _DEATH_BOUNDS),
        _rank(serious_injuries, _SERIOUS_BOUNDS),
        _rank(direct_loss, _LOSS_BOUNDS),
    )
    return _ORDER[rank]
