"""The reserve backtest on a synthetic set with a known answer, and on the real CAS fixture.

Synthetic: 4 × 4 squares whose upper triangles develop exactly by one pattern, so the chain
ladder's projection and its zero Mack s.e. are known; one company's future then comes out
10% above the pattern, and every kind of degenerate company is skipped with its reason.
"""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from pricing import PricingError
from pricing.reserve_backtest import (
    SKIP_REASONS,
    ReserveOutcome,
    backtest_reserves,
    company_squares,
    develop_square,
    industry_square,
    read_schedule_p,
    skip_counts,
    summary_table,
    upper_triangle,
)

CAS = Path(__file__).resolve().parents[2] / "fixtures" / "cas" / "cas_schedule_p_liability.csv.gz"
HEADER = (
    "line_of_business,company_code,company_name,accident_year,development_age,"
    "cum_paid_loss,incurred_loss,bulk_loss,earned_prem_net"
)
PATTERN = np.array([0.4, 0.7, 0.9, 1.0])  # share of the ultimate paid by each age
SIZES = np.array([100.0, 200.0, 150.0, 120.0])  # ultimates of accident years 2000–2003
FUTURE = np.add.outer(np.arange(4), np.arange(4)) > 3  # cells after the end of 2003


def square(sizes=SIZES, *, future_factor=1.0) -> np.ndarray:
    cells = np.outer(sizes, PATTERN)
    return np.where(FUTURE, cells * future_factor, cells)


def csv_lines(companies: dict[str, np.ndarray], *, line="other_liability", premium=1000.0):
    """Schedule P rows: case-incurred is paid × 1.25, incurred adds a bulk reserve of 7."""
    lines = [HEADER]
    for code, paid in companies.items():
        for i, k in np.ndindex(paid.shape):
            if np.isnan(paid[i, k]):
                continue
            case = paid[i, k] * 1.25
            lines.append(
                f"{line},{code},Company {code},{2000 + i},{k + 1},{paid[i, k]},{case + 7},7,"
                f"{premium}"
            )
    return lines


def synthetic_rows():
    missing_year = square()
    missing_year[3] = np.nan
    negative_latest = square()
    negative_latest[2, 1] = -1.0
    new_entrant = square()
    new_entrant[0] = 0.0
    lines = csv_lines(
        {
            "1": square(),
            "2": square(future_factor=1.1),
            "3": missing_year,
            "5": np.zeros((4, 4)),
            "6": negative_latest,
            "7": new_entrant,
        }
    )
    lines += csv_lines({"4": square()}, premium=0.0)[1:]
    lines += csv_lines({"9": square()}, line="medical_malpractice")[1:]
    return read_schedule_p(lines)


def test_a_square_read_back_from_its_rows():
    squares, skipped = company_squares(
        synthetic_rows(), line="other_liability", first_year=2000, ages=4
    )
    assert [s.code for s in squares] == ["1", "2", "4", "5", "6", "7"]
    assert [(s.company_code, s.reason, s.detail) for s in skipped] == [
        ("3", "missing accident years", "[2003]")
    ]
    first = squares[0]
    assert first.paid == pytest.approx(square()) and first.evaluation_year == 2003
    assert first.case_incurred == pytest.approx(square() * 1.25)
    assert first.premium.tolist() == [1000.0] * 4


def test_the_upper_triangle_is_what_was_filed_by_the_evaluation_year():
    triangle = upper_triangle(square())
    assert np.isnan(triangle).sum() == 6
    assert triangle[3, 0] == 48.0 and np.isnan(triangle[3, 1])  # AY 2003 at its own year-end
    assert triangle[0, 3] == 100.0  # AY 2000 at age 4: 2003


def test_the_synthetic_backtest_has_the_known_answer():
    result = backtest_reserves(synthetic_rows(), lines=["other_liability"], vintages=[2000], ages=4)
    by_code = {(o.company_code, o.measure): o for o in result.outcomes}
    latest = SIZES * PATTERN[::-1]
    projected = (SIZES - latest).sum()  # the pattern, exactly
    actual_late = (np.r_[SIZES[0], 1.1 * SIZES[1:]] - latest).sum()
    exact, late = by_code["1", "paid"], by_code["2", "paid"]
    assert exact.projected_reserve == pytest.approx(projected, rel=1e-12)
    assert exact.actual_reserve == pytest.approx(projected, rel=1e-12)
    assert exact.mack_se == pytest.approx(0, abs=1e-9) and exact.inside
    assert late.projected_reserve == pytest.approx(projected, rel=1e-12)
    assert late.actual_reserve == pytest.approx(actual_late, rel=1e-12)
    assert late.relative_error == pytest.approx(projected / actual_late - 1, rel=1e-12)
    assert late.inside is False
    assert by_code["2", "case_incurred"].projected_reserve == pytest.approx(1.25 * projected)

    paid = next(s for s in result.summaries if s.measure == "paid")
    assert (paid.developed, paid.skipped, paid.with_actual_reserve) == (2, 5, 2)
    assert paid.mean == pytest.approx(late.relative_error / 2, rel=1e-12)
    assert paid.quantiles[0.5] == pytest.approx(late.relative_error / 2, rel=1e-12)
    assert (paid.inside, paid.with_interval, paid.inside_share) == (1, 2, 0.5)
    industry = paid.industry
    assert industry.company_code == "industry" and industry.company_name.endswith("2 companies)")
    assert industry.projected_reserve == pytest.approx(2 * projected, rel=1e-12)
    assert industry.actual_reserve == pytest.approx(projected + actual_late, rel=1e-12)


def test_every_degenerate_company_is_skipped_and_counted_with_its_reason():
    result = backtest_reserves(synthetic_rows(), lines=["other_liability"], vintages=[2000], ages=4)
    reasons = {(s.company_code, s.measure): s.reason for s in result.skipped}
    for measure in ("paid", "case_incurred"):
        assert reasons["3", measure] == "missing accident years"
        assert reasons["4", measure] == "earned premium <= 0"
        assert reasons["5", measure] == "nothing reported by the evaluation year"
        assert reasons["7", measure] == "a development step has no usable link"
    assert reasons["6", "paid"] == "negative latest or age-10 cell"
    counts = skip_counts(result)
    assert sum(counts.values()) == 10 and {k[3] for k in counts} == set(SKIP_REASONS)
    table = summary_table(result)
    assert "other_liability     paid           2003" in table
    assert "1 missing accident years, 1 earned premium <= 0" in table


def test_negative_cells_inside_the_triangle_are_fitted_and_counted():
    paid = square()
    paid[0, 1] = -5.0  # an old cell, neither latest nor at age 10
    rows = read_schedule_p(csv_lines({"1": paid, "2": square()}))
    result = backtest_reserves(rows, vintages=[2000], ages=4)
    outcome = next(o for o in result.outcomes if o.company_code == "1")
    assert isinstance(outcome, ReserveOutcome) and outcome.negative_cells == 1
    assert outcome.decreases == 1  # 40 → −5
    assert result.summaries[0].with_negative_cells == 1


def test_lines_are_chosen_and_an_unknown_one_is_refused():
    rows = synthetic_rows()
    result = backtest_reserves(rows, lines=["medical_malpractice"], vintages=[2000], ages=4)
    assert {o.line for o in result.outcomes} == {"medical_malpractice"}
    with pytest.raises(PricingError, match=r"line is not in the data.*got \(line='auto'\)"):
        backtest_reserves(rows, lines=["auto"], vintages=[2000], ages=4)


def test_a_bad_file_is_refused_naming_the_line():
    with pytest.raises(PricingError, match="header misses the columns"):
        read_schedule_p(["line_of_business,company_code", "x,1"])
    with pytest.raises(PricingError, match="line 2 has a cell that is not a number"):
        read_schedule_p([HEADER, "other_liability,1,A,2000,1,x,0,0,0"])


# The real CAS fixture (fixtures/cas/README.md).


@pytest.fixture(scope="module")
def cas_rows():
    with gzip.open(CAS, "rt", newline="") as file:
        return read_schedule_p(file)


def test_the_fixture_is_the_file_its_readme_describes():
    raw = gzip.decompress(CAS.read_bytes())
    digest = "c8b20319b2714bb95cf5d578ec44af085d4a8c7bfea3487905dd4dfc1a73a0a0"
    assert hashlib.sha256(raw).hexdigest() == digest
    assert digest in (CAS.parent / "README.md").read_text()


def test_medical_malpractice_as_of_1997_is_sane(cas_rows):
    result = backtest_reserves(cas_rows, lines=["medical_malpractice"], vintages=[1988])
    assert {(s.measure, s.developed + s.skipped) for s in result.summaries} == {
        ("paid", 34),
        ("case_incurred", 34),
    }
    paid = next(s for s in result.summaries if s.measure == "paid")
    assert (paid.developed, paid.skipped) == (15, 19)
    assert 0 < paid.with_actual_reserve <= paid.developed
    assert 0 <= paid.inside <= paid.with_interval <= paid.developed

    squares, missing = company_squares(cas_rows, line="medical_malpractice", first_year=1988)
    assert len(squares) == 34 and not missing  # 1988–1997 is complete for every group
    kept = [s for s in squares if isinstance(develop_square(s, "paid"), ReserveOutcome)]
    industry = industry_square(kept)
    assert np.array_equal(industry.paid, np.sum([s.paid for s in kept], axis=0))
    outcomes = [o for o in result.outcomes if o.measure == "paid" and o.company_code != "industry"]
    assert paid.industry.latest == pytest.approx(sum(o.latest for o in outcomes), rel=1e-12)
    assert paid.industry.actual_reserve == pytest.approx(
        sum(o.actual_reserve for o in outcomes), rel=1e-12
    )
