"""Configuration, read from the environment only when ``Settings()`` is built (never at import).

- ``DATABASE_URL`` (or ``SECONDLOCK_DATABASE_URL``), default ``sqlite:///var/secondlock.db``:
  the SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` in production.
- ``SECONDLOCK_PAGE_SIZE_MAX``, default 500: the largest ``limit`` a list endpoint accepts.
- ``SECONDLOCK_BATCH_MAX``, default 1000: the most service records one batch may carry.
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
    page_size_max: int = Field(default=500, ge=1)
    batch_max: int = Field(default=1000, ge=1)
