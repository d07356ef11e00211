"""The demo-market generator: determinism, the schema's constraints, internal consistency,
and that what it generates follows the ground truth it reports."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from claims import AccidentGrade, accident_grade
from underwriting.credit_code import is_valid_credit_code
from underwriting.demo_market import TABLE_ORDER, generate_market, read_market, write_market
from underwriting.vocabulary import (
    AccidentType,
    CreditColour,
    FindingSeverity,
    HazardCategory,
    HazardClass,
    OrgKind,
    QualificationKind,
    ServiceKind,
    StandardisationGrade,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_ARGUMENTS = {"firms": 40, "enterprises": 600, "years": 10, "seed": 2026}
SMALL_ARGUMENTS = {"firms": 6, "enterprises": 80, "years": 4, "seed": 11, "first_year": 2020}
MONEY = re.compile(r"^\d+\.\d{2}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
HEX_64 = re.compile(r"^[0-9a-f]{64}$")
HAZARDOUS = (
    HazardClass.MINING,
    HazardClass.HAZARDOUS_CHEMICALS,
    HazardClass.FIREWORKS,
    HazardClass.CIVIL_EXPLOSIVES,
    HazardClass.METAL_SMELTING,
    HazardClass.CONSTRUCTION,
)


@pytest.fixture(scope="module")
def small():
    return generate_market(**SMALL_ARGUMENTS)


@pytest.fixture(scope="module")
def demo():
    return generate_market(**DEMO_ARGUMENTS)


@pytest.fixture(scope="module", params=["small", "demo"])
def market(request, small, demo):
    return {"small": small, "demo": demo}[request.param]


def window_of(market) -> tuple[date, date]:
    arguments = market.truth["arguments"]
    first = arguments["first_year"]
    return date(first, 1, 1), date(first + arguments["years"] - 1, 12, 31)


def day(text: str) -> date:
    return date.fromisoformat(text)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


# --- determinism and storage ------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(small, tmp_path):
    write_market(small, tmp_path / "a")
    write_market(generate_market(**SMALL_ARGUMENTS), tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([f"{t}.jsonl.gz" for t in TABLE_ORDER] + ["truth.json"])
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_different_seed_gives_a_different_market(small):
    other = generate_market(**{**SMALL_ARGUMENTS, "seed": 12})
    assert other.tables["organisation"] != small.tables["organisation"]
    assert other.tables["incident"] != small.tables["incident"]


def test_write_then_read_gives_the_same_market(small, tmp_path):
    write_market(small, tmp_path)
    assert read_market(tmp_path) == small


def test_truth_is_json_native(small):
    assert json.loads(json.dumps(small.truth)) == small.truth


def test_committed_demo_set_is_the_generated_one(demo):
    committed = read_market(ROOT / "fixtures" / "demo")
    assert committed.tables == demo.tables
    # The truth is derived with libm (exp, log): its last bits may differ between numpy
    # builds, so it is compared to 1e-12 relative; the tables themselves match exactly.
    assert _close(committed.truth, demo.truth)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_close, a, b))
    if isinstance(a, float):
        return isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12)
    return a == b


@pytest.mark.parametrize("bad", [{"firms": 0}, {"enterprises": -1}, {"years": 0}, {"seed": -5}])
def test_rejects_impossible_arguments(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        generate_market(**{**SMALL_ARGUMENTS, **bad})


# --- shape of the rows -------------------------------------------------------------------


def test_rows_have_exactly_the_columns_of_the_tables(small):
    from underwriting.db.tables import Base

    server_set = {"created_at"} | {("hazard_snapshot", "submitted_at")}
    for table in TABLE_ORDER:
        columns = {
            c.name
            for c in Base.metadata.tables[table].columns
            if c.name not in server_set and (table, c.name) not in server_set
        }
        for row in small.tables[table]:
            assert set(row) == columns, table


def test_ids_count_from_one_in_every_table(market):
    for table in ("organisation", *TABLE_ORDER[3:]):
        assert [row["id"] for row in market.tables[table]] == list(
            range(1, len(market.tables[table]) + 1)
        ), table


def test_values_are_json_native(market):
    for row in market.tables["engagement"]:
        assert MONEY.match(row["annual_fee"])
    for row in market.tables["incident"]:
        assert MONEY.match(row["direct_loss"]) and TIMESTAMP.match(row["occurred_at"])
    for table in ("service_record", "audit"):
        assert all(TIMESTAMP.match(row["submitted_at"]) for row in market.tables[table])
    for row in market.tables["hazard_snapshot"]:
        assert isinstance(row["rectification_closure_rate"], float)
        assert row["iot_alarm_rate"] is None or isinstance(row["iot_alarm_rate"], float)
    for row in market.tables["service_record"]:
        assert all(HEX_64.match(h) for h in row["evidence_photo_hashes"])


# --- organisations and foreign keys ------------------------------------------------------


def test_organisations_one_platform_three_insurers_then_firms_and_enterprises(market):
    orgs = market.tables["organisation"]
    kinds = Counter(o["kind"] for o in orgs)
    arguments = market.truth["arguments"]
    assert orgs[0]["kind"] == OrgKind.PLATFORM and kinds[OrgKind.PLATFORM] == 1
    assert kinds[OrgKind.INSURER] == 3
    assert kinds[OrgKind.FIRM] == arguments["firms"]
    assert kinds[OrgKind.ENTERPRISE] == arguments["enterprises"]
    assert all(0 < len(o["name"]) <= 200 for o in orgs)


def test_credit_codes_are_valid_and_unique(market):
    codes = [o["credit_code"] for o in market.tables["organisation"]]
    assert all(len(c) == 18 and is_valid_credit_code(c) for c in codes)
    assert len(set(codes)) == len(codes)


def test_foreign_keys_point_at_rows_of_the_right_kind(market):
    t = market.tables
    kind = {o["id"]: o["kind"] for o in t["organisation"]}
    assert all(kind[f["id"]] == OrgKind.FIRM for f in t["firm"])
    assert all(kind[e["id"]] == OrgKind.ENTERPRISE for e in t["enterprise"])
    firms, enterprises = by_id(t["firm"]), by_id(t["enterprise"])
    engagements, records = by_id(t["engagement"]), by_id(t["service_record"])
    assert all(e["firm_id"] in firms and e["enterprise_id"] in enterprises for e in t["engagement"])
    assert all(r["engagement_id"] in engagements for r in t["service_record"])
    assert all(r["supersedes_id"] is None for r in t["service_record"] + t["audit"])
    assert all(f["service_record_id"] in records for f in t["finding"])
    assert all(s["enterprise_id"] in enterprises for s in t["hazard_snapshot"])
    for audit in t["audit"]:
        assert audit["firm_id"] in firms
        assert kind[audit["auditor_id"]] in (OrgKind.PLATFORM, OrgKind.INSURER)
    for incident in t["incident"]:
        assert incident["enterprise_id"] in enterprises
        assert incident["reported_by_id"] == incident["enterprise_id"]


# --- CHECK and UNIQUE constraints of the tables ------------------------------------------


def test_firm_and_enterprise_checks(market):
    for f in market.tables["firm"]:
        assert f["qualification_kind"] in set(QualificationKind)
        assert f["credit_colour"] in set(CreditColour)
        assert f["safety_engineers"] >= 0
        assert 1995 <= f["founded_year"] <= market.truth["arguments"]["first_year"] + 9
    for e in market.tables["enterprise"]:
        assert e["hazard_class"] in set(HazardClass)
        assert e["standardisation_grade"] in set(StandardisationGrade)
        assert isinstance(e["employees"], int) and e["employees"] > 0
        assert e["major_hazard_sources"] >= 0
        assert len(e["region_code"]) == 6 and e["region_code"].isdigit()


def test_hazard_snapshot_checks(market):
    keys = [(s["enterprise_id"], s["as_of_date"]) for s in market.tables["hazard_snapshot"]]
    assert len(set(keys)) == len(keys)
    for s in market.tables["hazard_snapshot"]:
        assert s["hidden_hazards_general"] >= 0 and s["hidden_hazards_major"] >= 0
        assert 0 <= s["rectification_closure_rate"] <= 1
        assert s["overdue_rectifications"] >= 0
        for grade in ("general", "larger", "major", "especially_major"):
            assert s[f"accidents_{grade}_3y"] >= 0
        assert s["iot_alarm_rate"] is None or s["iot_alarm_rate"] >= 0
        assert s["penalties"] >= 0


def test_engagement_checks(market):
    for e in market.tables["engagement"]:
        assert day(e["end_date"]) > day(e["start_date"])
        assert Decimal(e["annual_fee"]) >= 0
        assert e["inspection_interval_days"] in (30, 60, 90, 180)
        assert e["service_kinds"] and set(e["service_kinds"]) <= set(ServiceKind)
        assert HazardCategory.GENERAL in e["hazard_categories"]
        assert set(e["hazard_categories"]) <= set(HazardCategory)


def test_finding_and_audit_checks(market):
    for f in market.tables["finding"]:
        assert f["category"] in set(HazardCategory)
        assert f["severity"] in set(FindingSeverity)
    for a in market.tables["audit"]:
        assert 10 <= a["sample_size"] <= 40
        for score in ("completeness", "accuracy", "follow_up", "evidence"):
            assert 0 <= a[f"score_{score}"] <= 100
        assert a["inaccurate_reports"] >= 0 and a["false_reports"] >= 0
        assert a["inaccurate_reports"] + a["false_reports"] <= a["sample_size"]


def test_incident_checks(market):
    for i in market.tables["incident"]:
        assert i["accident_type"] in set(AccidentType)
        assert i["grade"] in set(AccidentGrade)
        assert min(i["deaths"], i["serious_injuries"], i["minor_injuries"]) >= 0
        assert Decimal(i["direct_loss"]) >= 0


def test_incident_grade_is_decree_493(market):
    for i in market.tables["incident"]:
        grade = accident_grade(i["deaths"], i["serious_injuries"], Decimal(i["direct_loss"]))
        assert i["grade"] == grade.value


# --- dates and consistency ----------------------------------------------------------------


def test_every_date_lies_in_the_window(market):
    first, last = window_of(market)
    dated = {
        "hazard_snapshot": ["as_of_date"],
        "engagement": ["start_date"],
        "service_record": ["visit_date"],
        "finding": ["rectification_deadline_date", "closed_date"],
        "audit": ["audit_date"],
    }
    for table, columns in dated.items():
        for row in market.tables[table]:
            for column in columns:
                assert row[column] is None or first <= day(row[column]) <= last, (table, column)
    stamped = {"service_record": "submitted_at", "audit": "submitted_at", "incident": "occurred_at"}
    for table, column in stamped.items():
        for row in market.tables[table]:
            assert first <= moment(row[column]).date() <= last, (table, column)


def test_visits_lie_inside_their_engagement_and_precede_their_submission(market):
    engagements = by_id(market.tables["engagement"])
    for record in market.tables["service_record"]:
        contract = engagements[record["engagement_id"]]
        visit = day(record["visit_date"])
        assert day(contract["start_date"]) <= visit <= day(contract["end_date"])
        assert moment(record["submitted_at"]).date() >= visit
        assert set(record["categories_inspected"]) <= set(contract["hazard_categories"])
        assert record["categories_inspected"] and 0 < len(record["signer"]) <= 100


def test_findings_belong_to_what_was_inspected_and_close_after_the_visit(market):
    records = by_id(market.tables["service_record"])
    for finding in market.tables["finding"]:
        record = records[finding["service_record_id"]]
        visit = day(record["visit_date"])
        assert finding["category"] in record["categories_inspected"]
        assert day(finding["rectification_deadline_date"]) >= visit
        assert finding["closed_date"] is None or day(finding["closed_date"]) > visit


def test_no_contract_outlives_its_firms_qualification(market):
    firms = by_id(market.tables["firm"])
    for e in market.tables["engagement"]:
        assert day(e["end_date"]) <= day(firms[e["firm_id"]]["qualification_expiry_date"])


def test_every_enterprise_has_a_snapshot_every_year(market):
    first, last = window_of(market)
    years = defaultdict(set)
    for s in market.tables["hazard_snapshot"]:
        years[s["enterprise_id"]].add(day(s["as_of_date"]).year)
    assert set(years) == {e["id"] for e in market.tables["enterprise"]}
    assert all(y == set(range(first.year, last.year + 1)) for y in years.values())


def test_snapshot_accident_counts_are_the_incidents_of_the_prior_three_years(market):
    incidents = defaultdict(list)
    for i in market.tables["incident"]:
        incidents[i["enterprise_id"]].append((moment(i["occurred_at"]).date(), i["grade"]))
    for s in market.tables["hazard_snapshot"]:
        as_of = day(s["as_of_date"])
        since = as_of.replace(year=as_of.year - 3)
        counts = Counter(g for d, g in incidents[s["enterprise_id"]] if since <= d < as_of)
        for grade in AccidentGrade:
            assert s[f"accidents_{grade.value}_3y"] == counts[grade.value], (s["id"], grade)


def test_snapshot_hidden_hazards_are_the_findings_of_the_prior_year(demo):
    engagements = by_id(demo.tables["engagement"])
    records = by_id(demo.tables["service_record"])
    found = defaultdict(list)
    for f in demo.tables["finding"]:
        record = records[f["service_record_id"]]
        enterprise = engagements[record["engagement_id"]]["enterprise_id"]
        found[enterprise].append((day(record["visit_date"]), f["severity"]))
    for s in demo.tables["hazard_snapshot"][600::997]:  # a spread sample beyond the first
        as_of = day(s["as_of_date"])
        recent = Counter(
            sev for d, sev in found[s["enterprise_id"]] if as_of - timedelta(365) <= d < as_of
        )
        assert s["hidden_hazards_general"] == recent[FindingSeverity.GENERAL.value]
        assert s["hidden_hazards_major"] == recent[FindingSeverity.MAJOR.value]


def test_some_firms_lapse_and_colours_are_mostly_blue(demo):
    _, last = window_of(demo)
    firms = demo.tables["firm"]
    colours = Counter(f["credit_colour"] for f in firms)
    assert colours[CreditColour.BLUE] > len(firms) / 2 and colours[CreditColour.RED] >= 1
    lapsed = [f for f in firms if day(f["qualification_expiry_date"]) < date(last.year, 1, 1)]
    assert 1 <= len(lapsed) < len(firms) / 4
    # The rest hold certificates running on past the window, at most one 5-year cycle.
    for firm in firms:
        if firm not in lapsed:
            expiry = day(firm["qualification_expiry_date"])
            assert last < expiry <= last + timedelta(days=5 * 365), firm


# --- the market follows its truth ---------------------------------------------------------


def test_realised_incident_count_is_close_to_the_true_expectation(demo):
    expected = demo.truth["expected_incidents_total"]
    assert abs(len(demo.tables["incident"]) - expected) < 4 * math.sqrt(expected)
    by_year = Counter(moment(i["occurred_at"]).year for i in demo.tables["incident"])
    for year, mean in demo.truth["expected_incidents_by_year"].items():
        assert abs(by_year[int(year)] - mean) < 4 * math.sqrt(mean) + 1


def test_hazardous_classes_have_higher_incident_rates_than_light_manufacturing(demo):
    enterprises = by_id(demo.tables["enterprise"])
    staff, incidents = Counter(), Counter()
    for e in enterprises.values():
        staff[e["hazard_class"]] += e["employees"]
    for i in demo.tables["incident"]:
        incidents[enterprises[i["enterprise_id"]]["hazard_class"]] += 1

    def rate(hazard_class):
        return incidents[hazard_class] / staff[hazard_class]

    for hazard_class in HAZARDOUS:
        assert rate(hazard_class) > 1.5 * rate(HazardClass.LIGHT_MANUFACTURING), hazard_class


def test_worse_firms_get_worse_audit_scores(demo):
    quality, score = [], []
    for a in demo.tables["audit"]:
        quality.append(demo.truth["firms"][str(a["firm_id"])]["latent_quality"])
        score.append(
            np.mean(
                [a[f"score_{s}"] for s in ("completeness", "accuracy", "follow_up", "evidence")]
            )
        )
    assert np.corrcoef(quality, score)[0, 1] > 0.5


def test_false_reports_come_only_from_fraudulent_firms_and_show_in_audits(demo):
    firms = demo.truth["firms"]
    flagged = {a["firm_id"] for a in demo.tables["audit"] if a["false_reports"] > 0}
    assert flagged and all(firms[str(f)]["fraudulent"] for f in flagged)


def test_truth_holds_every_firm_and_enterprise(market):
    t = market.truth
    assert set(t["firms"]) == {str(f["id"]) for f in market.tables["firm"]}
    assert set(t["enterprises"]) == {str(e["id"]) for e in market.tables["enterprise"]}
    assert all(0 < f["liability_probability"] <= 1 for f in t["firms"].values())
    assert all(e["lambda_last_year"] > 0 for e in t["enterprises"].values())
    assert set(t["model"]["frequency"]["lambda0_per_100_employees"]) == set(HazardClass)
