"""The deterministic demo market: a realistic book of safety-service firms, client
enterprises, contracts, visits, findings, audits, hazard snapshots and incidents, drawn from a
known ground truth in the shape of the rating model (DESIGN.md §2).

>>> market = generate_market(firms=3, enterprises=20, years=2, seed=7)
>>> market.tables["organisation"][0]["kind"]
'platform'

``insured_history(market)`` draws ten years of policies, claims, reserves and payments on top
of a market from the same ground truth, and ``history.as_of(date)`` shows them as an actuary
would have seen them that day, triangles included.

Pure Python and numpy; ``fixtures/README.md`` documents every parameter and the file format.
"""

from underwriting.demo_market.insured import InsuredHistory, InsuredView, insured_history
from underwriting.demo_market.market import TABLE_ORDER, Market, generate_market
from underwriting.demo_market.storage import read_market, write_market
from underwriting.demo_market.triangles import Triangle

__all__ = [
    "TABLE_ORDER",
    "InsuredHistory",
    "InsuredView",
    "Market",
    "Triangle",
    "generate_market",
    "insured_history",
    "read_market",
    "write_market",
]
