"""The small book builds through the use cases on both databases."""

from tests.small_book import build_small_book


def test_small_book_builds(uows):
    book = build_small_book(uows)
    assert book.ids["engagement_a"] != book.ids["engagement_b"]
    assert book.principals["firm_a"].organisation_id == book.ids["firm_a"]
