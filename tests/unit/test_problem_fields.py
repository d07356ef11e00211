"""How validation locations become the ``field`` of a problem response, and cursors."""

import pytest

from api.deps import PageQuery, encode_cursor
from api.errors import field_path
from underwriting.errors import InvalidInput


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "records", 3, "visit_date"), "records[3].visit_date"),
        (("body", "findings", 0, "category"), "findings[0].category"),
        (("body", "hazard_categories", 1), "hazard_categories[1]"),
        (("query", "limit"), "limit"),
        (("header", "idempotency-key"), "Idempotency-Key"),
        (("body",), "body"),
    ],
)
def test_field_path(loc, field):
    assert field_path(loc) == field


@pytest.mark.parametrize("after", [0, 1, 57, 2**62])
def test_cursor_round_trip(after):
    assert PageQuery(cursor=encode_cursor(after)).after() == after


def test_no_cursor_means_the_first_page():
    assert encode_cursor(None) is None
    assert PageQuery().after() is None


@pytest.mark.parametrize("cursor", ["zzz", "LTE", "!!", "aGVsbG8"])
def test_foreign_cursors_are_refused(cursor):
    with pytest.raises(InvalidInput) as caught:
        PageQuery(cursor=cursor).after()
    assert caught.value.field == "cursor"
