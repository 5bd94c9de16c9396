"""All configuration, read once from ``DOCNORM_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from docnorm.schemas.errors import ConfigError


class Settings(BaseSettings):
    """docnorm's settings. Every field can be set as ``DOCNORM_<FIELD>`` (upper case)."""

    model_config = SettingsConfigDict(env_prefix="DOCNORM_", extra="ignore")

    out_dir: Path = Field(default=Path("out"), description="Where curated Parquet, review.db and manifests go.")
    review_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the review queue; default sqlite:///<out_dir>/review.db."
    )
    extractor: str = Field(default="rules", description="Extractor to use: rules (offline, default).")
    batch_size: int = Field(default=8, ge=1, le=10_000, description="Documents per micro-batch task.")
    max_file_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="Larger files go to review.")
    max_pages: int = Field(default=500, ge=1, description="PDFs with more pages go to review.")
    max_decompressed_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="DOCX whose parts expand beyond this go to review."
    )
    classify_min_score: float = Field(default=3.0, ge=0, description="Cue score a doc type needs to be chosen at all.")
    classify_min_margin: float = Field(
        default=0.25, ge=0, le=1, description="Share of the total score the winner must lead by."
    )
    balance_tolerance: float = Field(
        default=0.01, ge=0, description="Allowed relative gap in assets = liabilities + equity and in totals."
    )

    @property
    def review_database_url(self) -> str:
        """The review queue's SQLAlchemy URL, defaulting to SQLite under the output folder."""
        return self.review_url or f"sqlite:///{self.out_dir / 'review.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment plus explicit overrides, as a ConfigError on bad values."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {name} (DOCNORM_{name.upper()}): {first['msg']}") from None
