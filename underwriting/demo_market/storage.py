"""A market on disk: a directory with one gzip-compressed JSON Lines file per table
(``<table>.jsonl.gz``, one row per line, in id order) and ``truth.json``.

Files are byte-for-byte reproducible: rows are written with a fixed key order and no
whitespace, gzip headers carry no file name and a zero timestamp.
"""

from __future__ import annotations

import gzip
import json
import pathlib

from underwriting.demo_market.market import TABLE_ORDER, Market

TRUTH_FILE = "truth.json"


def table_path(directory: pathlib.Path, table: str) -> pathlib.Path:
    return directory / f"{table}.jsonl.gz"


def write_market(market: Market, path: pathlib.Path) -> None:
    """Write ``market`` into the directory ``path`` (created if missing)."""
    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for table in TABLE_ORDER:
        lines = "".join(
            json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
            for row in market.tables[table]
        )
        with (
            table_path(path, table).open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
        ):
            packed.write(lines.encode("utf-8"))
    truth = json.dumps(market.truth, ensure_ascii=False, indent=1) + "\n"
    (path / TRUTH_FILE).write_text(truth, encoding="utf-8")


def read_market(path: pathlib.Path) -> Market:
    """Read a market written by ``write_market``."""
    path = pathlib.Path(path)
    tables = {}
    for table in TABLE_ORDER:
        with gzip.open(table_path(path, table), "rt", encoding="utf-8") as lines:
            tables[table] = [json.loads(line) for line in lines]
    truth = json.loads((path / TRUTH_FILE).read_text(encoding="utf-8"))
    return Market(tables=tables, truth=truth)
