"""The one place SecondLock reads the wall clock. Business dates are China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, timezone-aware in UTC (what ``submitted_at`` records)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in China (UTC+8): the date against which "not in the future" is judged."""
    return datetime.now(CHINA).date()
