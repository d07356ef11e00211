"""The committed demo market loads into an empty book on both databases, exactly."""

from pathlib import Path

import pytest

from underwriting.access import Resource
from underwriting.demo_market import TABLE_ORDER, generate_market, read_market
from underwriting.errors import Conflict
from underwriting.market import book_is_empty, demo_organisations, load_market
from underwriting.reading import list_page
from underwriting.vocabulary import Role

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


@pytest.fixture(scope="module")
def demo_market():
    return read_market(DEMO)


def test_the_demo_market_loads_whole(uows, demo_market):
    assert book_is_empty(uows)
    counts = load_market(uows, demo_market)
    assert counts == {name: len(demo_market.tables.get(name, [])) for name in TABLE_ORDER}
    assert counts["service_record"] > 1000 and counts["incident"] > 0
    with uows() as uow:
        assert uow.service_records.count() == counts["service_record"]


def test_loaded_values_round_trip_exactly(uows, demo_market):
    load_market(uows, demo_market)
    engagement = demo_market.tables["engagement"][0]
    with uows() as uow:
        row = uow.engagements.get(engagement["id"])
        assert str(row.annual_fee) == engagement["annual_fee"]  # money, to the fen
        assert row.start_date.isoformat() == engagement["start_date"]
        record = demo_market.tables["service_record"][0]
        loaded = uow.service_records.get(record["id"])
        assert loaded.submitted_at.isoformat() == record["submitted_at"]


def test_new_rows_continue_after_the_loaded_ids(uows):
    # PostgreSQL's sequences are moved past the explicit ids, so the next insert works.
    market = generate_market(firms=3, enterprises=12, years=2, seed=7)
    load_market(uows, market)
    from tests.small_book import credit_code
    from underwriting.parties import register_platform

    new_id = register_platform(uows, name="第二平台", credit_code=credit_code(424242))
    assert new_id == max(row["id"] for row in market.tables["organisation"]) + 1


def test_a_market_loads_only_into_an_empty_book(uows):
    market = generate_market(firms=3, enterprises=12, years=2, seed=7)
    load_market(uows, market)
    with pytest.raises(Conflict):
        load_market(uows, market)


def test_demo_keys_go_to_a_firm_and_an_enterprise_it_serves(uows):
    load_market(uows, generate_market(firms=3, enterprises=12, years=2, seed=7))
    chosen = demo_organisations(uows)
    assert set(chosen) == set(Role)
    from underwriting.keys import authenticate, create_key

    firm = authenticate(
        uows, create_key(uows, organisation_id=chosen[Role.FIRM], role=Role.FIRM).plaintext
    )
    served = list_page(uows, firm, Resource.ENGAGEMENT, after=None, limit=500).items
    assert chosen[Role.ENTERPRISE] in {row.enterprise_id for row in served}
