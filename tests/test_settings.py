"""Settings: defaults, bounds, one clear line per bad value, the development secret."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from discovery.core.database import libpq_url, sqlalchemy_url
from discovery.core.settings import Settings, SettingsError, load_settings

SEED_VARIABLES = (
    "ASSET_BATCH_CHUNK_SIZE",
    "ASSET_CHUNK_RETRY_POLICY",
    "ASSET_CHUNK_MAX_RETRIES",
    "HEALTH_CACHE_TTL_SECONDS",
    "MAX_PAGE_SIZE",
    "DATABASE_URL",
    "DISCOVERY_ENV",
    "DISCOVERY_SECRET_KEY",
    "DISCOVERY_DATA_DIR",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SEED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCOVERY_DATA_DIR", str(tmp_path / "data"))


def test_defaults_are_the_seed_values() -> None:
    settings = load_settings()
    assert settings.asset_batch_chunk_size == 500
    assert settings.asset_chunk_retry_policy == "stop"
    assert settings.asset_chunk_max_retries == 3
    assert settings.health_cache_ttl_seconds == 30
    assert settings.max_page_size == 200
    assert settings.database_url is None
    assert settings.environment == "development"


def test_values_are_read_from_the_seed_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSET_BATCH_CHUNK_SIZE", "5000")
    monkeypatch.setenv("ASSET_CHUNK_RETRY_POLICY", "retry")
    monkeypatch.setenv("ASSET_CHUNK_MAX_RETRIES", "10")
    settings = load_settings()
    assert settings.asset_batch_chunk_size == 5000
    assert settings.asset_chunk_retry_policy == "retry"
    assert settings.asset_chunk_max_retries == 10


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ASSET_BATCH_CHUNK_SIZE", "9", "ASSET_BATCH_CHUNK_SIZE='9': allowed: an integer from 10 to 5000"),
        ("ASSET_BATCH_CHUNK_SIZE", "5001", "allowed: an integer from 10 to 5000"),
        ("ASSET_BATCH_CHUNK_SIZE", "lots", "ASSET_BATCH_CHUNK_SIZE='lots'"),
        ("ASSET_CHUNK_RETRY_POLICY", "again", "ASSET_CHUNK_RETRY_POLICY='again': Input should be 'stop', 'skip' or 'retry'"),
        ("ASSET_CHUNK_MAX_RETRIES", "0", "ASSET_CHUNK_MAX_RETRIES='0': allowed: an integer from 1 to 10"),
        ("ASSET_CHUNK_MAX_RETRIES", "11", "allowed: an integer from 1 to 10"),
        ("MAX_PAGE_SIZE", "0", "MAX_PAGE_SIZE='0'"),
        ("DATABASE_URL", "mysql://root@localhost/db", "DATABASE_URL='mysql://root@localhost/db': must be a PostgreSQL URL"),
        ("DISCOVERY_ENV", "prod", "DISCOVERY_ENV='prod'"),
    ],
)  # fmt: skip
def test_a_bad_value_names_variable_value_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert expected in message


def test_production_requires_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCOVERY_ENV", "production")
    with pytest.raises(SettingsError, match="DISCOVERY_SECRET_KEY must be set"):
        load_settings()
    monkeypatch.setenv("DISCOVERY_SECRET_KEY", "x" * 40)
    assert load_settings().signing_key() == "x" * 40


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings().signing_key()
    second = load_settings().signing_key()
    assert first == second
    assert len(first) >= 32
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://user:pass@db.example:5432/discovery",
        "postgres://user@localhost/discovery",
        "postgresql://postgres:@/postgres?host=/tmp/pg-socket",
    ],
)
def test_database_urls_in_libpq_form_are_accepted(url: str) -> None:
    settings = Settings(database_url=url)
    assert settings.database_url == url
    converted = sqlalchemy_url(url)
    assert converted.drivername == "postgresql+psycopg"
    assert libpq_url(converted).startswith("postgresql://")


def test_unix_socket_host_survives_conversion() -> None:
    converted = sqlalchemy_url("postgresql://postgres:@/postgres?host=/tmp/pg-socket")
    assert converted.host is None
    assert converted.query["host"] == "/tmp/pg-socket"
    assert converted.database == "postgres"


def test_cli_stops_with_one_line_for_a_bad_value(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SEED_VARIABLES}
    env.update(ASSET_CHUNK_MAX_RETRIES="0", DISCOVERY_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "discovery", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "invalid configuration: ASSET_CHUNK_MAX_RETRIES='0': allowed: an integer from 1 to 10"
    )
    assert "Traceback" not in result.stderr
