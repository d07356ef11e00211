"""JSON-native column values: ISO dates, ISO timestamps in UTC, money as decimal strings.

Money is carried as integer fen (1/100 CNY) until it is written, so that rounding happens
once and the string always has exactly two decimals (``"120000.00"``).
"""

from __future__ import annotations

import numpy as np

#: Marks a missing date in an array of day numbers (rendered as ``None``).
NO_DATE = -(2**40)


def iso_dates(days: np.ndarray) -> list[str | None]:
    """``YYYY-MM-DD`` for each day number; ``NO_DATE`` becomes ``None``."""
    days = np.asarray(days, dtype=np.int64)
    text = np.datetime_as_string(days.astype("datetime64[D]")).tolist()
    if not (days == NO_DATE).any():
        return text
    return [None if d == NO_DATE else s for d, s in zip(days.tolist(), text, strict=True)]


def iso_timestamps(seconds: np.ndarray) -> list[str]:
    """ISO 8601 UTC timestamps, ``YYYY-MM-DDTHH:MM:SS+00:00``, from Unix seconds."""
    stamps = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    return [f"{s}+00:00" for s in stamps.tolist()]


def money_from_fen(fen: np.ndarray) -> list[str]:
    """Decimal strings in CNY with two places from non-negative integer fen."""
    return [f"{v // 100}.{v % 100:02d}" for v in np.asarray(fen, dtype=np.int64).tolist()]


def fen_from_yuan(yuan: np.ndarray) -> np.ndarray:
    """Round CNY amounts to whole fen (half away from zero is irrelevant here: amounts are
    continuous draws), as int64."""
    return np.rint(np.asarray(yuan, dtype=np.float64) * 100).astype(np.int64)
