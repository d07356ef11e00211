"""The backtest report: its sections, its numbers, its escaping and its bytes."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from pricing.backtest_metrics import backtest_metrics
from pricing.backtest_policies import BacktestPolicies
from pricing.backtest_report import render_html
from pricing.backtest_tables import (
    amount_text,
    count_text,
    percent_text,
    ratio_text,
)

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["summary", "charts", "actual-to-expected", "deciles", "double-lift", "loss-ratios"]
CHARTS = ["ae-by-decile", "lift", "double-lift", "lorenz", "calibration", "ae-by-year"]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")


def policies(*, n=600, seed=0, candidate=True, **overrides):
    rng = np.random.default_rng(seed)
    true = rng.lognormal(np.log(2000), 0.8, n)
    current = true**0.5 * 2000**0.5
    arrays = {
        "test_year": rng.integers(2022, 2025, n),
        "expected": current,
        "premium": current * 1.6,
        "actual": np.where(rng.random(n) < true / 8000, true * 4, 0.0),
        "tier": rng.choice(list("ABCDE"), n),
        "hazard_class": rng.choice(["mining", "fireworks", "construction"], n),
        "candidate_expected": true if candidate else None,
    }
    return BacktestPolicies(**arrays | overrides)


@pytest.fixture(scope="module")
def metrics():
    return backtest_metrics(policies())


@pytest.fixture(scope="module")
def page(metrics):
    return render_html(metrics, title="Backtest of pl-2026.1")


class Cells(HTMLParser):
    """The text of each ``<td>``, the ``id`` of each element, the ``src`` of each image."""

    def __init__(self):
        super().__init__()
        self.cells, self.ids, self.images, self._td = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "img":
            self.images.append(attributes["src"])
        if tag == "td":
            self._td = []

    def handle_data(self, data):
        if self._td is not None:
            self._td.append(data)

    def handle_endtag(self, tag):
        if tag == "td":
            self.cells.append("".join(self._td))
            self._td = None


def parsed(page):
    parser = Cells()
    parser.feed(page)
    return parser


def numbers_of(value):
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_of(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_of(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_the_page_has_every_section_and_chart(page):
    ids = parsed(page).ids
    assert [i for i in ids if not i.startswith("chart-")][: len(SECTIONS) + 1] == [
        *SECTIONS,
        "method",
    ]
    assert [i for i in ids if i.startswith("chart-")] == [f"chart-{c}" for c in CHARTS]
    for heading in ("By test year", "By tier", "By hazard class", "Definitions"):
        assert f">{heading}<" in page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_every_number_in_a_table_is_a_number_of_the_metrics(metrics, page):
    shown = set()
    for value in numbers_of(metrics):
        shown |= {str(value), ratio_text(value), percent_text(value), amount_text(value)}
        shown.add(count_text(value))
    cells = parsed(page).cells
    tokens = [token for cell in cells for token in NUMBER.findall(cell)]
    assert len(tokens) > 500
    assert [t for t in tokens if t not in shown] == []


def test_the_summary_shows_each_models_headline_figures(metrics, page):
    for model in ("current", "candidate"):
        results = metrics["models"][model]
        overall = results["actual_to_expected"]["overall"]
        expected_cells = [
            ratio_text(overall["ae"]),
            f"{ratio_text(overall['ae_low'])}–{ratio_text(overall['ae_high'])}",
            ratio_text(results["lorenz"]["gini"]),
            ratio_text(results["calibration"]["slope"]),
        ]
        summary = page[page.index('id="summary"') : page.index('id="charts"')]
        for text in expected_cells:
            assert f">{text}</td>" in summary
    lr = percent_text(metrics["loss_ratio"]["overall"]["loss_ratio"])
    assert f"<td>{lr}</td>" in page


def test_all_text_is_escaped():
    nasty = policies(n=60, tier=np.full(60, "<script>alert(1)</script>"))
    page = render_html(
        backtest_metrics(nasty),
        title='A & B <img src=x onerror="y">',
        subtitle="<b>as of</b>",
        labels={"current": "cur<rent>", "candidate": 'cand"idate'},
    )
    assert "<script>" not in page and "<img src=x" not in page and "<b>as of" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>A &amp; B &lt;img src=x onerror=&quot;y&quot;&gt;</title>" in page
    assert "cur&lt;rent&gt;" in page and "cand&quot;idate" in page


def test_the_charts_are_inline_svg_without_a_date(page):
    images = parsed(page).images
    assert len(images) == len(CHARTS)
    for source in images:
        prefix = "data:image/svg+xml;base64,"
        assert source.startswith(prefix)
        svg = base64.b64decode(source[len(prefix) :]).decode()
        assert svg.startswith("<?xml") and "<svg" in svg
        assert "<dc:date>" not in svg and "dc:creator" not in svg


def test_rendering_is_deterministic_across_processes(metrics, page):
    assert render_html(metrics, title="Backtest of pl-2026.1") == page
    script = (
        "import hashlib, numpy as np\n"
        "from tests.unit.test_backtest_report import policies\n"
        "from pricing.backtest_metrics import backtest_metrics\n"
        "from pricing.backtest_report import render_html\n"
        "page = render_html(backtest_metrics(policies()), title='Backtest of pl-2026.1')\n"
        "print(hashlib.sha256(page.encode()).hexdigest())\n"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.stdout.strip() == hashlib.sha256(page.encode()).hexdigest(), done.stderr


def test_rendering_leaves_matplotlibs_settings_as_they_were(metrics):
    before = dict(matplotlib.rcParams)
    render_html(metrics, title="t")
    assert dict(matplotlib.rcParams) == before


def test_a_book_without_a_candidate_has_no_double_lift_chart():
    page = render_html(backtest_metrics(policies(candidate=False)), title="t")
    charts = [i for i in parsed(page).ids if i.startswith("chart-")]
    assert charts == [f"chart-{c}" for c in CHARTS if c != "double-lift"]
    assert "No candidate model was given." in page


def test_a_book_without_losses_renders_with_dashes_and_no_warning():
    book = policies(n=40, actual=np.zeros(40))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = render_html(backtest_metrics(book), title="t")
    assert ">—</td>" in page


def test_importing_pricing_does_not_load_matplotlib():
    code = "import sys, pricing, pricing.backtest_report; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
