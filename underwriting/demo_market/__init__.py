"""The deterministic demo market: a realistic book of safety-service firms, client
enterprises, contracts, visits, findings, audits, hazard snapshots and incidents, drawn from a
known ground truth in the shape of the rating model (DESIGN.md §2).

>>> market = generate_market(firms=3, enterprises=20, years=2, seed=7)
>>> market.tables["organisation"][0]["kind"]
'platform'

Pure Python and numpy; ``fixtures/README.md`` documents every parameter and the file format.
"""

from underwriting.demo_market.market import TABLE_ORDER, Market, generate_market
from underwriting.demo_market.storage import read_market, write_market

__all__ = ["TABLE_ORDER", "Market", "generate_market", "read_market", "write_market"]
