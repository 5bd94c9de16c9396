"""All configuration, read once from ``DOCNORM_*`` environment variables and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from docnorm.schemas.errors import ConfigError


class Settings(BaseSettings):
    """docnorm's settings. Every field can be set as ``DOCNORM_<FIELD>`` (upper case)."""

    model_config = SettingsConfigDict(env_prefix="DOCNORM_", extra="ignore", populate_by_name=True)

    out_dir: Path = Field(default=Path("out"), description="Where curated Parquet, review.db and manifests go.")
    curated_url: str | None = Field(
        default=None,
        description="fsspec URL the curated Parquet tables are also published to (s3://bucket/curated, needs the "
        "protocol's package, e.g. s3fs); out_dir/curated stays the source of truth.",
    )
    review_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the review queue; default sqlite:///<out_dir>/review.db."
    )
    extractor: str = Field(default="rules", description="Extractor to use: rules (offline, default), llm or hybrid.")
    doctypes: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Doc types to load besides the built-in ones and installed plugins, comma-separated "
        "module:attribute references to DocType objects, e.g. my_invoices:INVOICE.",
    )
    batch_size: int = Field(default=8, ge=1, le=10_000, description="Documents per micro-batch task.")
    task_runner: Literal["threads", "processes", "dask"] = Field(
        default="threads",
        description="Where micro-batches are parsed and extracted: threads (the run's own worker processes, with "
        "the per-document time and memory limits), processes (a process pool) or dask (a Dask cluster).",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler address of an existing Dask cluster, e.g. tcp://10.0.0.5:8786; "
        "unset: a local cluster of DOCNORM_PARSE_WORKERS processes.",
    )
    batches_in_flight: int = Field(
        default=2,
        ge=1,
        le=256,
        description="Micro-batches parsed and extracted at once; raise it to keep a process pool or Dask cluster busy.",
    )
    parse_workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 8),
        ge=0,
        le=64,
        description="Worker processes for parsing and rules extraction (default: one per CPU, at most 8); 0 runs "
        "them in the flow's own process, where the time and memory limits below cannot be enforced.",
    )
    parse_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A parse that takes longer is abandoned (its worker killed); the file goes to review.",
    )
    parse_memory_mb: int = Field(
        default=4096, ge=0, description="Address-space cap of each parse worker in MiB (0: no cap); over it, review."
    )
    max_file_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="Larger files go to review.")
    max_pages: int = Field(default=500, ge=1, description="PDFs with more pages go to review.")
    max_decompressed_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="DOCX whose parts expand beyond this go to review."
    )
    ocr_max_pages: int = Field(
        default=50, ge=0, description="Pages of an image-only PDF to OCR with tesseract when installed; 0: no OCR."
    )
    watch_stable_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="A dropped file is claimed once its size and mtime have not changed "
        "for this long (a slow upload is not taken half-written).",
    )
    watch_batch_files: int = Field(
        default=16, ge=1, le=10_000, description="Files per run when many are dropped at once."
    )
    source_paths: list[str] = Field(
        default_factory=list, description='What the scheduled batch deployment processes, JSON: ["/data/incoming"].'
    )
    schedule_cron: str = Field(default="0 2 * * *", description="Cron schedule of the batch deployment (nightly).")
    inbox: Path | None = Field(default=None, description="Drop folder that `docnorm serve` watches, if any.")
    classify_min_score: float = Field(default=3.0, ge=0, description="Cue score a doc type needs to be chosen at all.")
    classify_min_margin: float = Field(
        default=0.25, ge=0, le=1, description="Share of the total score the winner must lead by."
    )
    workbench_url: str | None = Field(
        default="http://127.0.0.1:8765",
        description="Where `docnorm review serve` answers; run reports link to it. Empty: no link.",
    )
    classify_model_min_confidence: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="With llm or hybrid: how sure the model must be of a doc type the cues left unknown or "
        "ambiguous; below it the document goes to review.",
    )
    balance_tolerance: float = Field(
        default=0.01, ge=0, description="Allowed relative gap in assets = liabilities + equity and in totals."
    )

    confidence_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description='Minimum confidence per field path ("*" for every field), JSON: {"effective_date": 0.6}; '
        "a value below its threshold sends the document to review.",
    )
    llm_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DOCNORM_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1; falls back to OPENAI_BASE_URL.",
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("DOCNORM_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key of the endpoint; falls back to OPENAI_API_KEY.",
    )
    llm_model: str | None = Field(default=None, description="Model name the endpoint serves.")
    llm_mode: Literal["tools", "json", "json_schema", "md_json"] = Field(
        default="tools",
        description="How the schema is asked for: tools (tool calling), json_schema (the schema as response_format: "
        "grammar-constrained on llama.cpp, vLLM and Ollama, strict on OpenAI), json, or md_json (no tool calling).",
    )
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    llm_timeout_seconds: float = Field(default=60.0, gt=0, description="Timeout of one HTTP request.")
    llm_max_retries: int = Field(
        default=4, ge=0, description="Retries of 429 / 5xx / timeouts / connection errors (backoff with jitter)."
    )
    llm_validation_retries: int = Field(
        default=2, ge=0, description="Re-asks with the validation error when an answer does not fit the schema."
    )
    llm_concurrency: int = Field(default=8, ge=1, description="LLM calls in flight at once.")
    llm_max_input_tokens: int = Field(
        default=6000, ge=512, description="Input token budget per call; longer documents are split by elements."
    )
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description='USD per million input and output tokens by model, JSON: {"gpt-4o-mini": [0.15, 0.6]}.',
    )
    llm_ungrounded: Literal["review", "drop"] = Field(
        default="review",
        description="A value whose quote is not in the document sends the document to review, or is dropped.",
    )
    llm_cache_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the LLM result cache; default sqlite:///<out_dir>/llm_cache.db."
    )

    @field_validator("doctypes", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def llm_cache_database_url(self) -> str:
        """Where LLM answers are cached, so an unchanged corpus costs no second call."""
        return self.llm_cache_url or f"sqlite:///{self.out_dir / 'llm_cache.db'}"

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
