"""The ``discovery`` command line, run as a real process against a real database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg

from discovery.core.database import libpq_url
from discovery.core.migrations import head_revision
from discovery.core.wiring import WIRING_FOREIGN_KEYS
from tests.cli_runner import cli_env, discovery
from tests.hostile.files import unbalanced_quote_csv


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def test_help_lists_the_commands(env: dict[str, str]) -> None:
    result = discovery("--help", env=env)
    assert result.returncode == 0
    for command in ("serve", "db", "tenants", "users"):
        assert command in result.stdout


def test_create_client_prints_its_id_and_is_idempotent(env: dict[str, str]) -> None:
    name = _unique("Acme")
    first = discovery("tenants", "create-client", name, env=env)
    assert first.returncode == 0, first.stderr
    client_id = uuid.UUID(first.stdout.strip())
    again = discovery("tenants", "create-client", name, env=env)
    assert again.returncode == 0
    assert uuid.UUID(again.stdout.strip()) == client_id
    assert "already exists" in again.stderr


def test_create_engagement(env: dict[str, str]) -> None:
    client = _unique("Globex")
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    first = discovery("tenants", "create-engagement", client, "Wave 1", env=env)
    assert first.returncode == 0, first.stderr
    again = discovery("tenants", "create-engagement", client, "Wave 1", env=env)
    assert again.returncode == 0
    assert again.stdout == first.stdout
    assert "already exists" in again.stderr

    missing = discovery("tenants", "create-engagement", _unique("Nobody"), "Wave 1", env=env)
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_create_user_with_membership_and_duplicates(env: dict[str, str], database_url: str) -> None:
    client = _unique("Initech")
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = discovery(
        "users", "create", email, "--password", "s3cret-pass", "--client", client,
        "--role", "admin", env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    user_id = uuid.UUID(created.stdout.strip())
    with psycopg.connect(libpq_url(database_url)) as connection:
        row = connection.execute(
            "SELECT u.email, m.role FROM migration.users u "
            "JOIN migration.client_account_memberships m ON m.user_id = u.id WHERE u.id = %s",
            (user_id,),
        ).fetchone()
    assert row == (email, "admin")

    duplicate = discovery("users", "create", email, "--password", "s3cret-pass", env=env)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr

    half = discovery("users", "create", "x@example.com", "--password", "s3cret-pass",
                     "--client", client, env=env)  # fmt: skip
    assert half.returncode == 1
    assert "--client and --role go together" in half.stderr

    bad_role = discovery("users", "create", "y@example.com", "--password", "s3cret-pass",
                         "--client", client, "--role", "owner", env=env)  # fmt: skip
    assert bad_role.returncode == 2
    assert "owner" in bad_role.stderr


def test_password_is_prompted_for_when_not_given(env: dict[str, str]) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    result = discovery(
        "users", "create", email, "--platform-admin", env=env, stdin="typed-pass\ntyped-pass\n"
    )
    assert result.returncode == 0, result.stderr
    uuid.UUID(result.stdout.strip())


def test_db_current_names_the_head(env: dict[str, str]) -> None:
    result = discovery("db", "current", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{head_revision()} (head)"


def test_repair_wiring_dry_run_reports_counts(env: dict[str, str]) -> None:
    result = discovery("db", "repair-wiring", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ") for line in result.stdout.strip().splitlines())
    assert set(lines) == {
        "raw_import_records_asset_id_cleared",
        "raw_import_records_asset_id",
        "assets_raw_import_records_id_cleared",
        "assets_raw_import_records_id",
        "assets_flow_links_cleared",
        "assets_discovery_flow_id",
        "asset_dependencies_across_tenants_deleted",
        "asset_key_counts_removed",
        "asset_key_counts_corrected",
    }
    assert "would repair" in result.stderr


def test_an_external_database_behind_head_is_not_migrated_silently(
    scratch_database_url: str, tmp_path: Path
) -> None:
    env = cli_env(DATABASE_URL=scratch_database_url, DISCOVERY_DATA_DIR=str(tmp_path))
    result = discovery("tenants", "create-client", "Acme", env=env)
    assert result.returncode == 1
    assert "run `discovery db upgrade`" in result.stderr
    assert discovery("db", "current", env=env).stdout.startswith("none")


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = cli_env(
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing", DISCOVERY_DATA_DIR=str(tmp_path)
    )
    result = discovery("db", "current", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_drop_and_restore_wiring_constraints(scratch_database_url: str, tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=scratch_database_url, DISCOVERY_DATA_DIR=str(tmp_path))
    assert discovery("db", "upgrade", env=env).returncode == 0

    names = [fk.name for fk in WIRING_FOREIGN_KEYS]
    everyone = len(names)

    def constraints() -> dict[str, bool]:
        with psycopg.connect(libpq_url(scratch_database_url)) as connection:
            rows = connection.execute(
                "SELECT conname, convalidated FROM pg_constraint WHERE conname = ANY(%s)",
                (names,),
            ).fetchall()
        return dict(rows)

    assert list(constraints().values()) == [True] * everyone
    dropped = discovery("db", "drop-wiring-constraints", env=env)
    assert dropped.returncode == 0, dropped.stderr
    assert len(dropped.stdout.strip().splitlines()) == everyone
    assert constraints() == {}
    assert discovery("db", "drop-wiring-constraints", env=env).stdout == ""

    restored = discovery("db", "restore-wiring-constraints", env=env)
    assert restored.returncode == 0, restored.stderr
    assert len(restored.stdout.strip().splitlines()) == everyone
    assert list(constraints().values()) == [True] * everyone
    assert f"all {everyone} wiring foreign keys are present and validated" in restored.stderr


def test_run_shows_the_warning_of_a_collapsed_file(env: dict[str, str], tmp_path: Path) -> None:
    client = _unique("Collapse")
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    assert discovery("tenants", "create-engagement", client, "Wave 1", env=env).returncode == 0
    path = unbalanced_quote_csv(tmp_path / "servers.csv", rows=99)
    common = ("run", str(path), "--client", client, "--engagement", "Wave 1", "--approve-mappings")
    shown = discovery(*common, env=env)
    assert shown.returncode == 0, shown.stderr
    warning = next(line for line in shown.stdout.splitlines() if line.startswith("warning"))
    assert warning.startswith("warning       Row 1 has a ")
    assert 'cell in column "Notes" that spans 100 lines and holds delimiters' in warning
    as_json = discovery(*common, "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    [reported] = json.loads(as_json.stdout)["warnings"]
    assert reported["code"] == "collapsed_rows" and reported["row"] == 1
    assert reported["message"] == warning.removeprefix("warning").strip()
