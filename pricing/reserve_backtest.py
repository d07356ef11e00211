"""How well the chain ladder reserves: a backtest on full Schedule P development squares.

The CAS Loss Reserve Database (Meyers & Shi, from NAIC Schedule P; ``fixtures/cas``) gives
each insurer group's *full square*: accident years × development ages 1–10, so what was
known at a year-end and what came out later are both there. For a *vintage* — the ``ages``
accident years from ``first_year`` — the evaluation year is ``first_year + ages − 1``, and
the upper triangle is the cells with accident_year + age − 1 ≤ evaluation year: what the
company had filed by then (as of 1997 for accident years 1988–1997, as of 2007 for 1998–2007).
Each company's triangle is developed by :class:`pricing.ChainLadder` (volume-weighted, no
tail: the actual is taken at age 10, the last age there is), and so is the industry's: the
sum of the companies developed for that measure and vintage, so that a company skipped as
degenerate — one that entered the line mid-vintage, say, with nothing in the oldest years —
cannot break the industry's development pattern. Two measures:

- ``paid``: ``cum_paid_loss``;
- ``case_incurred``: ``incurred_loss − bulk_loss`` (``incurred_loss`` includes the bulk and
  IBNR reserves the company itself set, so developing it would develop a reserve).

The projected reserve is Σ (ultimate − latest), the actual reserve Σ (age-10 cell − latest),
both in thousands of USD. A company is skipped, with the reason counted (``SKIP_REASONS``),
when its square misses accident years, its earned premium over the vintage is ≤ 0, a cell on
its latest diagonal or at age 10 is negative (beyond repair: the projection would start, or
the actual end, below zero, and Mack's s.e. is undefined), nothing was reported by the
evaluation year, or a development step has no usable link (every known cell at some age is
0, as in a company that wrote nothing in the oldest years). Negative cells elsewhere in the
triangle are fitted as :class:`pricing.ChainLadder` does — links from them left out — and
decreases are kept as filed (salvage, case reserves taken down); both are counted.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from pricing.development import ChainLadder
from pricing.errors import PricingError

__all__ = [
    "INTERVAL_Z",
    "MEASURES",
    "SKIP_REASONS",
    "VINTAGES",
    "CompanySquare",
    "ErrorSummary",
    "ReserveBacktest",
    "ReserveOutcome",
    "ScheduleRow",
    "Skip",
    "backtest_reserves",
    "company_squares",
    "develop_square",
    "industry_square",
    "read_schedule_p",
    "skip_counts",
    "summary_table",
    "upper_triangle",
]

MEASURES = ("paid", "case_incurred")
#: First accident year of each vintage of the database (evaluated as of 1997 and 2007).
VINTAGES = (1988, 1998)
#: The Mack interval is the projected reserve ± INTERVAL_Z standard errors: 95% if normal.
INTERVAL_Z = 1.96
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SKIP_REASONS = (
    "missing accident years",
    "earned premium <= 0",
    "negative latest or age-10 cell",
    "nothing reported by the evaluation year",
    "a development step has no usable link",
)
COLUMNS = (
    "line_of_business", "company_code", "company_name", "accident_year", "development_age",
    "cum_paid_loss", "incurred_loss", "bulk_loss", "earned_prem_net",
)  # fmt: skip


@dataclass(frozen=True)
class ScheduleRow:
    """One cell of a company's square; amounts in thousands of USD."""

    line: str
    company_code: str
    company_name: str
    accident_year: int
    development_age: int
    cum_paid_loss: float
    incurred_loss: float
    bulk_loss: float
    earned_prem_net: float


@dataclass(frozen=True)
class CompanySquare:
    """A company's (or the industry's) full squares for one vintage, accident years × ages."""

    line: str
    code: str
    name: str
    first_year: int
    paid: NDArray[np.float64]
    case_incurred: NDArray[np.float64]
    premium: NDArray[np.float64]  # earned premium per accident year

    @property
    def evaluation_year(self) -> int:
        return self.first_year + self.paid.shape[0] - 1


@dataclass(frozen=True)
class ReserveOutcome:
    """One triangle developed and set against what emerged by age 10."""

    line: str
    measure: str
    evaluation_year: int
    company_code: str
    company_name: str
    latest: float
    projected_reserve: float
    actual_reserve: float
    mack_se: float
    negative_cells: int  # in the triangle developed: links from them were left out
    decreases: int  # cells of the triangle below the one before them, kept as filed

    @property
    def relative_error(self) -> float:
        """(projected − actual) / actual reserve; NaN when the actual reserve is ≤ 0."""
        if not self.actual_reserve > 0:
            return math.nan
        return (self.projected_reserve - self.actual_reserve) / self.actual_reserve

    @property
    def inside(self) -> bool | None:
        """Whether the actual reserve fell within ± INTERVAL_Z Mack s.e. (to rounding, 1e-9 of
        the reserves: a zero s.e. admits only the projection itself); None without an s.e."""
        if not math.isfinite(self.mack_se):
            return None
        rounding = 1e-9 * max(abs(self.projected_reserve), abs(self.actual_reserve))
        gap = abs(self.projected_reserve - self.actual_reserve)
        return gap <= INTERVAL_Z * self.mack_se + rounding


@dataclass(frozen=True)
class Skip:
    """A company left out of a measure and vintage, and why."""

    line: str
    measure: str
    evaluation_year: int
    company_code: str
    company_name: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class ErrorSummary:
    """The error distribution of one line, measure and vintage over its companies."""

    line: str
    measure: str
    evaluation_year: int
    developed: int
    with_negative_cells: int  # developed companies whose triangle had a negative cell
    skipped: int
    with_actual_reserve: int  # companies whose actual reserve is > 0: the relative errors
    mean: float
    quantiles: dict[float, float]
    with_interval: int  # companies with a finite Mack s.e.
    inside: int
    industry: ReserveOutcome | None

    @property
    def inside_share(self) -> float:
        return self.inside / self.with_interval if self.with_interval else math.nan


@dataclass(frozen=True)
class ReserveBacktest:
    """Every outcome (the industry's included), every skip, and a summary per group."""

    outcomes: list[ReserveOutcome] = field(default_factory=list)  # industry rows included
    skipped: list[Skip] = field(default_factory=list)
    summaries: list[ErrorSummary] = field(default_factory=list)


def read_schedule_p(lines: Iterable[str]) -> list[ScheduleRow]:
    """The rows of a CAS Schedule P CSV (the columns of ``COLUMNS``), refusing bad cells."""
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise PricingError(f"misses the columns {missing}", field="header", value=reader.fieldnames)
    rows = []
    for row in reader:
        try:
            numbers = [float(row[c]) for c in COLUMNS[5:]]
            ages = int(row["accident_year"]), int(row["development_age"])
            rows.append(ScheduleRow(*(row[c] for c in COLUMNS[:3]), *ages, *numbers))
        except (TypeError, ValueError):
            raise PricingError(
                "has a cell that is not a number", field=f"line {reader.line_num}", value=row
            ) from None
    return rows


def company_squares(
    rows: Sequence[ScheduleRow], *, line: str, first_year: int, ages: int = 10
) -> tuple[list[CompanySquare], list[Skip]]:
    """Each company's squares for accident years first_year … first_year + ages − 1.

    A company missing any of those cells is skipped (for both measures), naming the years.
    """
    cells: dict[str, dict[tuple[int, int], ScheduleRow]] = {}
    names: dict[str, str] = {}
    for row in rows:
        if row.line != line:
            continue
        names.setdefault(row.company_code, row.company_name)
        i, k = row.accident_year - first_year, row.development_age - 1
        if 0 <= i < ages and 0 <= k < ages:
            cells.setdefault(row.company_code, {})[i, k] = row
    squares, skipped = [], []
    for code in sorted(names, key=_code_order):
        given = cells.get(code, {})
        if len(given) < ages * ages:
            years = sorted(set(range(ages)) - {i for i, _ in given})
            detail = f"{[first_year + i for i in years]}" if years else "missing cells"
            year = first_year + ages - 1
            reason = "missing accident years"
            skipped.append(Skip(line, "both", year, code, names[code], reason, detail))
            continue
        squares.append(_square(line, code, names[code], first_year, ages, given))
    return squares, skipped


def _code_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**12, code)


def _square(line, code, name, first_year, ages, given) -> CompanySquare:
    paid, case, premium = np.empty((ages, ages)), np.empty((ages, ages)), np.empty(ages)
    for (i, k), row in given.items():
        paid[i, k] = row.cum_paid_loss
        case[i, k] = row.incurred_loss - row.bulk_loss
        premium[i] = row.earned_prem_net
    return CompanySquare(line, code, name, first_year, paid, case, premium)


def industry_square(squares: Sequence[CompanySquare]) -> CompanySquare:
    """The sum of the companies' squares, cell by cell: their industry."""
    first = squares[0]
    return CompanySquare(
        line=first.line,
        code="industry",
        name=f"industry (sum of {len(squares)} companies)",
        first_year=first.first_year,
        paid=np.sum([s.paid for s in squares], axis=0),
        case_incurred=np.sum([s.case_incurred for s in squares], axis=0),
        premium=np.sum([s.premium for s in squares], axis=0),
    )


def upper_triangle(square: NDArray[np.float64]) -> NDArray[np.float64]:
    """The cells known at the evaluation year: accident year i, age k with i + k ≤ n + 1.

    >>> upper_triangle(np.arange(1.0, 10.0).reshape(3, 3)).tolist()
    [[1.0, 2.0, 3.0], [4.0, 5.0, nan], [7.0, nan, nan]]
    """
    n = square.shape[0]
    return np.where(np.add.outer(np.arange(n), np.arange(square.shape[1])) < n, square, np.nan)


def develop_square(square: CompanySquare, measure: str) -> ReserveOutcome | Skip:
    """The chain-ladder reserve of one measure as of the evaluation year, against the actual."""
    values = getattr(square, measure)
    year = square.evaluation_year

    def skip(reason: str, detail: str = "") -> Skip:
        return Skip(square.line, measure, year, square.code, square.name, reason, detail)

    if not square.premium.sum() > 0:
        return skip("earned premium <= 0", f"{square.premium.sum():g}")
    triangle = upper_triangle(values)
    latest = triangle[np.arange(len(values)), len(values) - 1 - np.arange(len(values))]
    negative = int((latest < 0).sum() + (values[:, -1] < 0).sum())
    if negative:
        return skip("negative latest or age-10 cell", f"{negative} cells")
    if not latest.sum() > 0:
        return skip("nothing reported by the evaluation year")
    try:
        fit = ChainLadder().fit(triangle)
    except PricingError as error:
        return skip("a development step has no usable link", str(error))
    return ReserveOutcome(
        line=square.line,
        measure=measure,
        evaluation_year=year,
        company_code=square.code,
        company_name=square.name,
        latest=float(latest.sum()),
        projected_reserve=fit.total_ibnr_,
        actual_reserve=float((values[:, -1] - latest).sum()),
        mack_se=fit.total_mack_se_,
        negative_cells=sum(w.kind == "negative" for w in fit.warnings_),
        decreases=sum(w.kind == "decrease" for w in fit.warnings_),
    )


def backtest_reserves(
    rows: Sequence[ScheduleRow],
    *,
    lines: Sequence[str] | None = None,
    vintages: Sequence[int] = VINTAGES,
    ages: int = 10,
) -> ReserveBacktest:
    """Develop every company and the industry per line, measure and vintage; summarise."""
    known = sorted({row.line for row in rows})
    for line in lines or ():
        if line not in known:
            raise PricingError(f"is not in the data, which has {known}", field="line", value=line)
    result = ReserveBacktest()
    for line in lines or known:
        for first_year in vintages:
            squares, skipped = company_squares(rows, line=line, first_year=first_year, ages=ages)
            if squares or skipped:
                for measure in MEASURES:
                    _backtest_measure(result, squares, skipped, measure)
    return result


def _backtest_measure(result: ReserveBacktest, squares, missing, measure: str) -> None:
    outcomes, skipped = [], [replace(skip, measure=measure) for skip in missing]
    kept = []
    for square in squares:
        developed = develop_square(square, measure)
        (outcomes if isinstance(developed, ReserveOutcome) else skipped).append(developed)
        kept += [square] if isinstance(developed, ReserveOutcome) else []
    industry = develop_square(industry_square(kept), measure) if kept else None
    industry = industry if isinstance(industry, ReserveOutcome) else None
    result.outcomes.extend([*outcomes, industry] if industry else outcomes)
    result.skipped.extend(skipped)
    first = (squares or missing)[0]
    line, year = first.line, first.evaluation_year
    result.summaries.append(_summary(line, measure, year, outcomes, len(skipped), industry))


def _summary(line, measure, year, outcomes, skipped: int, industry) -> ErrorSummary:
    errors = np.array([o.relative_error for o in outcomes])
    errors = errors[np.isfinite(errors)]
    inside = [o.inside for o in outcomes if o.inside is not None]
    points = np.quantile(errors, QUANTILES).tolist() if errors.size else [math.nan] * 5
    return ErrorSummary(
        line=line,
        measure=measure,
        evaluation_year=year,
        developed=len(outcomes),
        with_negative_cells=sum(o.negative_cells > 0 for o in outcomes),
        skipped=skipped,
        with_actual_reserve=int(errors.size),
        mean=float(errors.mean()) if errors.size else math.nan,
        quantiles=dict(zip(QUANTILES, points, strict=True)),
        with_interval=len(inside),
        inside=sum(inside),
        industry=industry,
    )


def skip_counts(backtest: ReserveBacktest) -> Counter[tuple[str, str, int, str]]:
    """How many companies were skipped, by line, measure, evaluation year and reason."""
    ordered = sorted(backtest.skipped, key=lambda s: SKIP_REASONS.index(s.reason))
    ordered.sort(key=lambda s: (s.line, s.evaluation_year, MEASURES.index(s.measure)))
    return Counter((s.line, s.measure, s.evaluation_year, s.reason) for s in ordered)


def summary_table(backtest: ReserveBacktest) -> str:
    """The backtest as text: errors by line, measure and vintage, the industry, the skips.

    ``dev.`` companies were developed (``neg.`` of them despite a negative cell in their
    triangle), ``skip`` were skipped, for the reasons listed under the tables.

    Errors are percentages of the actual reserve: mean, 5/25/50/75/95% quantiles over the
    ``n`` companies whose actual reserve is > 0; ``inside`` counts those whose actual reserve
    fell within ± INTERVAL_Z Mack standard errors of the projection, of those with an s.e.
    """
    text = [
        "Chain ladder (volume-weighted, no tail) on each upper triangle, against the actual at "
        "age 10.",
        "error = (projected - actual) / actual reserve, over the n companies with an actual "
        f"reserve > 0; inside = |projected - actual| <= {INTERVAL_Z} Mack s.e.",
        "",
        f"{'line':<20}{'measure':<14}{'as of':>5}{'dev.':>5}{'neg.':>5}{'skip':>5}{'n':>5}"
        f"{'mean':>8}"
        + "".join(f"{f'q{round(q * 100):02d}':>7}" for q in QUANTILES)
        + f"{'inside':>14}",
    ]
    for s in backtest.summaries:
        quantiles = "".join(f"{_percent(v):>7}" for v in s.quantiles.values())
        inside = f"{s.inside}/{s.with_interval} {s.inside_share:.0%}"
        text.append(
            f"{s.line:<20}{s.measure:<14}{s.evaluation_year:>5}{s.developed:>5}"
            f"{s.with_negative_cells:>5}{s.skipped:>5}{s.with_actual_reserve:>5}{_percent(s.mean):>8}{quantiles}{inside:>14}"
        )
    text += ["", f"{'industry (sum of companies)':<40}{'projected':>12}{'actual':>12}"
                 f"{'error':>8}{'Mack s.e.':>12}  inside"]  # fmt: skip
    for s in backtest.summaries:
        if (i := s.industry) is not None:
            text.append(
                f"{f'{s.line} {s.measure} {s.evaluation_year}':<40}{i.projected_reserve:>12,.0f}"
                f"{i.actual_reserve:>12,.0f}{_percent(i.relative_error):>8}{i.mack_se:>12,.0f}"
                f"  {'yes' if i.inside else 'no'}"
            )
    text += ["", "skipped (companies, by reason):"]
    grouped: dict[tuple[str, str, int], list[str]] = {}
    for (line, measure, year, reason), count in skip_counts(backtest).items():
        grouped.setdefault((line, measure, year), []).append(f"{count} {reason}")
    text += [f"  {line} {measure} {year}: {', '.join(reasons)}"
             for (line, measure, year), reasons in grouped.items()]  # fmt: skip
    return "\n".join(text)


def _percent(value: float) -> str:
    return f"{value:+.0%}" if math.isfinite(value) else "n/a"
