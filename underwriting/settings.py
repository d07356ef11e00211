"""Configuration, read from the environment only when ``Settings()`` is built (never at import).

- ``DATABASE_URL`` (or ``SECONDLOCK_DATABASE_URL``), default ``sqlite:///var/secondlock.db``:
  the SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` in production.
- ``SECONDLOCK_BODY_MAX_BYTES``, default 16 MiB: the largest request body accepted (413).
- ``SECONDLOCK_HISTORY_MARKET``, default ``fixtures/demo``: the market directory whose insured
  history calibrations and backtests are fitted on (``underwriting.calibrations``).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SECONDLOCK_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/secondlock.db",
        validation_alias=AliasChoices("SECONDLOCK_DATABASE_URL", "DATABASE_URL"),
    )
    body_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    history_market: str = Field(default="")
