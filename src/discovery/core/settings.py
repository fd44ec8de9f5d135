"""Service settings: one class, read from the environment once, validated at start-up.

The seed plan's names (``ASSET_BATCH_CHUNK_SIZE``, ``ASSET_CHUNK_RETRY_POLICY``,
``ASSET_CHUNK_MAX_RETRIES``) and the conventional ``DATABASE_URL`` are kept as they are;
everything specific to this service is prefixed ``DISCOVERY_``.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"


def default_data_dir() -> Path:
    """Per-user data directory (XDG layout): ``$XDG_DATA_HOME/discovery``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "discovery"


def _env(name: str) -> Any:
    """Field alias for an environment variable whose name differs from the field name."""
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", populate_by_name=True, frozen=True
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        validation_alias=_env("DISCOVERY_ENV"),
        description="`production` requires an explicit secret key.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="PostgreSQL URL; when absent an embedded PostgreSQL is started.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validation_alias=_env("DISCOVERY_DATA_DIR"),
        description="Embedded database files and the generated development secret.",
    )
    secret_key: str | None = Field(
        default=None,
        validation_alias=_env("DISCOVERY_SECRET_KEY"),
        min_length=32,
        description="Key that signs access tokens (at least 32 characters).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="WARNING", validation_alias=_env("DISCOVERY_LOG_LEVEL")
    )

    asset_batch_chunk_size: Annotated[int, Field(ge=10, le=5000)] = Field(
        default=500,
        validation_alias=_env("ASSET_BATCH_CHUNK_SIZE"),
        description="Assets persisted per transaction in the inventory phase.",
    )
    asset_chunk_retry_policy: Literal["stop", "skip", "retry"] = Field(
        default="stop",
        validation_alias=_env("ASSET_CHUNK_RETRY_POLICY"),
        description="What a failing chunk does: stop the phase, skip it, or retry it.",
    )
    asset_chunk_max_retries: Annotated[int, Field(ge=1, le=10)] = Field(
        default=3,
        validation_alias=_env("ASSET_CHUNK_MAX_RETRIES"),
        description="Retries of a failing chunk under the `retry` policy.",
    )
    asset_chunk_retry_base_delay_seconds: Annotated[float, Field(ge=0.0, le=60.0)] = Field(
        default=1.0,
        validation_alias=_env("ASSET_CHUNK_RETRY_BASE_DELAY_SECONDS"),
        description="First retry delay of a failing chunk; doubles with every retry.",
    )
    health_cache_ttl_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=30,
        validation_alias=_env("HEALTH_CACHE_TTL_SECONDS"),
        description="How long a wiring-health result may be served from cache.",
    )
    max_page_size: Annotated[int, Field(ge=1, le=10000)] = Field(
        default=200,
        validation_alias=_env("MAX_PAGE_SIZE"),
        description="Largest page the asset listing returns; larger requests are capped.",
    )

    max_upload_bytes: Annotated[int, Field(ge=1024, le=10 * 1024**3)] = Field(
        default=500 * 1024**2,
        validation_alias=_env("DISCOVERY_MAX_UPLOAD_BYTES"),
        description="Largest file an import accepts, in bytes.",
    )
    max_import_rows: Annotated[int, Field(ge=1, le=50_000_000)] = Field(
        default=2_000_000,
        validation_alias=_env("DISCOVERY_MAX_IMPORT_ROWS"),
        description="Most data rows one import may hold.",
    )
    max_import_columns: Annotated[int, Field(ge=1, le=5000)] = Field(
        default=500,
        validation_alias=_env("DISCOVERY_MAX_IMPORT_COLUMNS"),
        description="Most columns one import may hold.",
    )
    upload_retention_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        default=30,
        validation_alias=_env("DISCOVERY_UPLOAD_RETENTION_DAYS"),
        description="Days an uploaded file is kept after its flow ended; 0 keeps it forever.",
    )
    max_blank_rows: Annotated[int, Field(ge=1, le=50_000_000)] = Field(
        default=100_000,
        validation_alias=_env("DISCOVERY_MAX_BLANK_ROWS"),
        description="Most blank rows one import may skip.",
    )
    max_cell_chars: Annotated[int, Field(ge=1024, le=64 * 1024**2)] = Field(
        default=128 * 1024,
        validation_alias=_env("DISCOVERY_MAX_CELL_CHARS"),
        description="Most characters one cell may hold (CSV, XLSX, JSON).",
    )
    max_decompressed_bytes: Annotated[int, Field(ge=1024**2, le=64 * 1024**3)] = Field(
        default=2 * 1024**3,
        validation_alias=_env("DISCOVERY_MAX_DECOMPRESSED_BYTES"),
        description="Most bytes an XLSX workbook may inflate to, all its parts together.",
    )
    max_compression_ratio: Annotated[int, Field(ge=10, le=100_000)] = Field(
        default=200,
        validation_alias=_env("DISCOVERY_MAX_COMPRESSION_RATIO"),
        description="How many times its compressed size a workbook part may inflate to.",
    )
    max_shared_strings: Annotated[int, Field(ge=1, le=100_000_000)] = Field(
        default=2_000_000,
        validation_alias=_env("DISCOVERY_MAX_SHARED_STRINGS"),
        description="Most shared strings an XLSX workbook may hold.",
    )
    max_shared_strings_chars: Annotated[int, Field(ge=1024, le=4 * 1024**3)] = Field(
        default=64 * 1024**2,
        validation_alias=_env("DISCOVERY_MAX_SHARED_STRINGS_CHARS"),
        description="Most characters all shared strings of a workbook may hold together.",
    )
    max_json_depth: Annotated[int, Field(ge=2, le=10_000)] = Field(
        default=64,
        validation_alias=_env("DISCOVERY_MAX_JSON_DEPTH"),
        description="Deepest nesting of arrays and objects a JSON file may have.",
    )
    max_read_seconds: Annotated[int, Field(ge=1, le=86_400)] = Field(
        default=900,
        validation_alias=_env("DISCOVERY_MAX_READ_SECONDS"),
        description="Longest time reading one file may take, in seconds.",
    )
    mapping_auto_approve: bool = Field(
        default=False,
        validation_alias=_env("MAPPING_AUTO_APPROVE"),
        description="Approve suggestions without review when all reach the threshold.",
    )
    mapping_auto_approve_threshold: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        default=0.9,
        validation_alias=_env("MAPPING_AUTO_APPROVE_THRESHOLD"),
        description="Confidence every mapped column needs for automatic approval.",
    )
    worker_stalled_seconds: Annotated[int, Field(ge=2, le=3600)] = Field(
        default=30,
        validation_alias=_env("DISCOVERY_WORKER_STALLED_SECONDS"),
        description="A worker silent this long is presumed dead; its jobs are retried.",
    )

    token_expiry_minutes: Annotated[int, Field(ge=1, le=43200)] = Field(
        default=60,
        validation_alias=_env("DISCOVERY_TOKEN_EXPIRY_MINUTES"),
        description="Lifetime of the access tokens that login returns, in minutes.",
    )
    sign_in_failures_per_account: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=5,
        validation_alias=_env("DISCOVERY_SIGN_IN_FAILURES_PER_ACCOUNT"),
        description="Failed sign-ins for one e-mail address before it is locked out.",
    )
    sign_in_failures_per_address: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=30,
        validation_alias=_env("DISCOVERY_SIGN_IN_FAILURES_PER_ADDRESS"),
        description="Failed sign-ins from one client address before it is locked out.",
    )
    sign_in_lockout_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        default=30,
        validation_alias=_env("DISCOVERY_SIGN_IN_LOCKOUT_SECONDS"),
        description="The first lockout; it doubles with every further failure.",
    )
    sign_in_max_lockout_seconds: Annotated[int, Field(ge=1, le=86400)] = Field(
        default=900,
        validation_alias=_env("DISCOVERY_SIGN_IN_MAX_LOCKOUT_SECONDS"),
        description="The longest lockout; failures are forgotten after twice as long.",
    )
    admin_email: str = Field(
        default="admin@localhost",
        validation_alias=_env("DISCOVERY_ADMIN_EMAIL"),
        description="E-mail of the platform admin created on the first start without users.",
    )
    admin_password: str | None = Field(
        default=None,
        validation_alias=_env("DISCOVERY_ADMIN_PASSWORD"),
        min_length=8,
        description="That admin's password; generated and printed once when unset.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        validation_alias=_env("DISCOVERY_CORS_ORIGINS"),
        description="Origins allowed to call the API from a browser (comma-separated).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            parts = urlsplit(origin)
            if origin != "*" and (parts.scheme not in {"http", "https"} or not parts.netloc):
                raise ValueError(f"{origin!r} is not an origin such as https://app.example.com")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        scheme = urlsplit(value).scheme
        if scheme not in {"postgresql", "postgres", "postgresql+psycopg"}:
            raise ValueError("must be a PostgreSQL URL such as postgresql://user:pass@host:5432/db")
        return value

    @property
    def uploads_dir(self) -> Path:
        """Where imported files are kept for their import job (share it between workers)."""
        return self.data_dir / "uploads"

    @model_validator(mode="after")
    def _lockouts_in_order(self) -> Settings:
        if self.sign_in_max_lockout_seconds < self.sign_in_lockout_seconds:
            raise ValueError(
                "DISCOVERY_SIGN_IN_MAX_LOCKOUT_SECONDS must be at least "
                "DISCOVERY_SIGN_IN_LOCKOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.environment == "production" and not self.secret_key:
            raise ValueError("DISCOVERY_SECRET_KEY must be set when DISCOVERY_ENV=production")
        return self

    def signing_key(self) -> str:
        """The token-signing secret; in development it is generated once and kept."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_KEY_FILE
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


class SettingsError(Exception):
    """A configuration value is invalid; the message is one line per bad variable."""


def _field_for(loc: tuple[int | str, ...]) -> tuple[str, FieldInfo | None]:
    """The environment variable named by an error location, and its field."""
    key = str(loc[0])
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        variables = [str(c) for c in alias.choices] if isinstance(alias, AliasChoices) else []
        if key == name or key in variables:
            return (variables[0] if variables else name.upper()), field
    return key.upper(), None


def _allowed_range(loc: tuple[int | str, ...]) -> str | None:
    """``an integer from 10 to 5000`` for a bounded integer field, else None."""
    _, field = _field_for(loc)
    if field is None or field.annotation is not int:
        return None
    bounds = {type(m).__name__: m for m in field.metadata}
    low = getattr(bounds.get("Ge"), "ge", None)
    high = getattr(bounds.get("Le"), "le", None)
    if low is None or high is None:
        return None
    return f"allowed: an integer from {low} to {high}"


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's report into lines of ``VARIABLE='value': what is allowed``."""
    lines = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        if not item["loc"]:
            lines.append(f"invalid configuration: {message}")
            continue
        name = _field_for(item["loc"])[0]
        message = _allowed_range(item["loc"]) or message
        lines.append(f"invalid configuration: {name}={item['input']!r}: {message}")
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()
