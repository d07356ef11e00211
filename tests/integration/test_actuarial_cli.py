"""``secondlock develop`` and ``secondlock reserve-backtest``: files in, JSON and tables out.

Neither command touches the database; a bad file exits 2 with the problem on stderr and
nothing on stdout (or in ``--out``).
"""

import json
from pathlib import Path

import pytest

from api.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def cli(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_develop_prints_the_chain_ladder_and_mack_as_json(cli):
    code, out, _ = cli("develop", str(DATA / "raa.csv"))
    assert code == 0
    result = json.loads(out)
    assert result["total_ibnr"] == pytest.approx(52135.23, abs=0.005)
    assert result["total_mack_se"] == pytest.approx(26909.01, abs=0.005)
    assert result["ldf"]["1-2"] == pytest.approx(2.999, abs=5e-4)
    assert result["cdf"]["10"] == 1.0 and len(result["cdf"]) == 10
    assert result["ibnr"]["1990"] == pytest.approx(16339.4, abs=0.05)
    assert result["mack_se"]["1981"] == 0.0
    assert result["warnings"] == [
        "origin 1982, age 7: cumulative value fell from 15599 to 15496; kept in the factors"
    ]


def test_develop_takes_the_average_and_a_tail(cli):
    _, plain, _ = cli("develop", str(DATA / "taylor_ashe.csv"))
    code, out, _ = cli("develop", str(DATA / "taylor_ashe.csv"), "--tail", "1.05")
    assert code == 0
    assert json.loads(out)["total_mack_se"] == pytest.approx(
        1.05 * json.loads(plain)["total_mack_se"], rel=1e-12
    )
    _, simple, _ = cli("develop", str(DATA / "taylor_ashe.csv"), "--average", "simple")
    assert json.loads(simple)["ldf"]["1-2"] == pytest.approx(3.566143, abs=5e-7)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("origin,development,value\n2020,1,5\n2020,0,6\n", "line 3: development must be"),
        ("origin,development,value\n2020,1,5\n2022,1,6\n", "origins are missing"),
        ("origin,development,value\n2020,1,5\n2020,3,6\n", "origin 2020 gives development 3"),
        ("origin;development;value\n2020;1;5\n", "header must have the columns"),
        ("origin,development,value\n2020,1,5\n2021,1,6\n", "at least 2 ages"),
    ],
)
def test_develop_refuses_a_bad_file_and_prints_nothing(cli, tmp_path, body, words):
    path = tmp_path / "triangle.csv"
    path.write_text(body)
    code, out, err = cli("develop", str(path))
    assert code == 2 and out == ""
    assert err.startswith("secondlock: ") and words in err


def test_develop_names_a_file_it_cannot_read(cli, tmp_path):
    code, out, err = cli("develop", str(tmp_path / "missing.csv"))
    assert code == 2 and out == "" and "cannot read" in err and "missing.csv" in err


def test_reserve_backtest_prints_the_table_and_writes_every_outcome(cli, tmp_path):
    out_file = tmp_path / "backtest.json"
    code, out, _ = cli("reserve-backtest", "--line", "medical_malpractice", "--out", str(out_file))
    assert code == 0
    assert "medical_malpractice paid           1997" in out
    assert "industry (sum of companies)" in out and "skipped (companies, by reason)" in out
    document = json.loads(out_file.read_text())
    assert document["interval_z"] == 1.96
    assert len(document["summaries"]) == 4  # 2 measures × 2 vintages
    companies = {o["company_code"] for o in document["outcomes"]}
    assert "industry" in companies and len(companies) > 10
    assert all(s["line"] == "medical_malpractice" for s in document["skipped"])


def test_reserve_backtest_refuses_an_unknown_line_and_writes_nothing(cli, tmp_path):
    out_file = tmp_path / "backtest.json"
    code, out, err = cli("reserve-backtest", "--line", "auto", "--out", str(out_file))
    assert code == 2 and out == "" and "line is not in the data" in err
    assert not out_file.exists()


def test_reserve_backtest_names_an_out_file_it_cannot_write(cli, tmp_path):
    target = tmp_path / "no such directory" / "backtest.json"
    code, out, err = cli("reserve-backtest", "--line", "medical_malpractice", "--out", str(target))
    assert code == 2 and out == "" and "cannot write" in err


def test_calibrate_prints_the_fits_and_writes_a_valid_draft(cli, tmp_path):
    from pricing import RatingModel

    out = tmp_path / "draft.json"
    code, printed, err = cli("calibrate", "--as-of", "2023-12-31", "--out", str(out))
    assert (code, err) == (0, "")
    assert printed.startswith("cal-2023-12-31 calibrated as of 2023-12-31 from pl-2026.1")
    assert "frequency: n=9600" in printed
    written = json.loads(out.read_text())
    model = RatingModel.from_document(written["document"])
    assert (model.version, str(model.effective_from)) == ("cal-2023-12-31", "2024-01-01")
    assert written["diagnostics"]["liability"]["n_obs"] > 0


@pytest.mark.parametrize(
    ("as_of", "words"),
    [("2017-06-30", "must leave at least two full years"), ("31/12/2023", "a date like")],
)
def test_calibrate_refuses_a_bad_as_of_date_and_writes_nothing(cli, tmp_path, as_of, words):
    out = tmp_path / "draft.json"
    code, printed, err = cli("calibrate", "--as-of", as_of, "--out", str(out))
    assert (code, printed) == (2, "")
    assert words in err
    assert not out.exists()


def test_backtest_writes_the_metrics_and_the_report_and_prints_a_summary(cli, tmp_path):
    out = tmp_path / "backtest"
    code, printed, err = cli("backtest", "--from", "2024", "--to", "2025", "--out", str(out))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "report.html"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["schema"] == "secondlock.backtest-metrics/1"
    assert metrics["test_years"] == [2024, 2025]
    assert [n["as_of"] for n in metrics["rolling"]["calibrations"]] == ["2022-12-31", "2023-12-31"]
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert printed.startswith("rolling-origin backtest 2024–2025:")
    for words in ("pl-2026.1 as priced", "rolling calibration", "hazard class only", "Gini"):
        assert words in printed


def test_backtest_takes_a_calibrated_draft_as_its_candidate(cli, tmp_path):
    draft = tmp_path / "draft.json"
    assert cli("calibrate", "--as-of", "2022-12-31", "--out", str(draft))[0] == 0
    out = tmp_path / "backtest"
    code, printed, _ = cli(
        "backtest", "--from", "2025", "--to", "2025", "--candidate", str(draft), "--out", str(out)
    )
    assert code == 0 and "cal-2022-12-31" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rolling"]["labels"]["candidate"] == "cal-2022-12-31"
    assert metrics["comparison"]["double_lift"]["deciles"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--from", "2017"], "from: leaves too little history to calibrate"),
        (["--to", "2026"], "to: is past the history, which ends in 2025"),
        (["--from", "2024", "--to", "2023"], "to: must not be before from (2024)"),
        (["--candidate", "pl-1999.9"], "no shipped model 'pl-1999.9'"),
        (["--market", "."], "market: is not a market directory"),
    ],
)
def test_backtest_refuses_bad_input_and_writes_nothing(cli, tmp_path, argv, words):
    out = tmp_path / "backtest"
    code, printed, err = cli("backtest", *argv, "--out", str(out))
    assert (code, printed) == (2, "")
    assert err.startswith("secondlock: ") and words in err
    assert not out.exists()
