"""Settings are read once into a typed object and passed in, never read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the warehouse lives and how dates and languages are handled."""

    model_config = SettingsConfigDict(env_prefix="MEMBERLENS_", extra="ignore")

    warehouse: Path = Field(default=Path("memberlens.duckdb"))
    timezone: str = "Asia/Shanghai"
    language: str = Field(default="zh", pattern="^(zh|en)$")
    tag_dirs: list[Path] = Field(default_factory=list)
    threads: int | None = None
    memory_limit: str | None = None
