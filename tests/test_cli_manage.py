"""Managing users, tenants, flows and imports from the command line (real processes,
real database)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest

from discovery.core.database import libpq_url
from tests.cli_runner import discovery, new_client
from tests.inventory_files import write_servers_csv

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _imports_of(database_url: str, client: str) -> int:
    with psycopg.connect(libpq_url(database_url)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM migration.data_imports i JOIN migration.client_accounts c "
            "ON c.id = i.client_account_id WHERE c.name = %s",
            (client,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_help_is_plain_and_names_the_flags(env: dict[str, str]) -> None:
    shown = discovery("flows", "approve", "--help", env=env)
    assert shown.returncode == 0
    assert "<bool>" not in shown.stdout and "╭" not in shown.stdout
    assert "--map SOURCE=TARGET" in shown.stdout
    assert "--wait / --no-wait" in shown.stdout
    listed = discovery("--help", env=env)
    commands = listed.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    for command in ("imports", "users", "tenants", "flows"):
        assert f"  {command} " in listed.stdout


def test_users_list_set_role_disable_enable_and_reset(env: dict[str, str]) -> None:
    client = new_client(env, "Manage")
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = discovery("users", "create", email, "--password", "first-pass-1",
                        "--client", client, "--role", "viewer", env=env)  # fmt: skip
    assert created.returncode == 0, created.stderr

    listed = discovery("users", "list", "--client", client, env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"{email}\tactive\t{client}: viewer"]

    promoted = discovery("users", "set-role", email, "--client", client, "--role", "admin", env=env)
    assert promoted.returncode == 0, promoted.stderr
    [row] = json.loads(discovery("users", "list", "--client", client, "--json", env=env).stdout)
    assert row["roles"] == {client: "admin"} and row["is_active"] is True

    assert discovery("users", "disable", email, env=env).returncode == 0
    [row] = json.loads(discovery("users", "list", "--client", client, "--json", env=env).stdout)
    assert row["is_active"] is False
    assert discovery("users", "enable", email, env=env).returncode == 0

    reset = discovery("users", "reset-password", email, env=env)
    assert reset.returncode == 0, reset.stderr
    generated = reset.stdout.strip()
    assert len(generated) >= 12 and "shown only this once" in reset.stderr
    chosen = discovery("users", "reset-password", email, "--password", "short", env=env)
    assert chosen.returncode == 1 and "at least" in chosen.stderr

    removed = discovery("users", "set-role", email, "--client", client, "--remove", env=env)
    assert removed.returncode == 0
    assert discovery("users", "list", "--client", client, env=env).stdout == ""

    missing = discovery("users", "disable", "nobody@example.com", env=env)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: there is no user with e-mail nobody@example.com"
    both = discovery("users", "set-role", email, "--client", client, env=env)
    assert both.returncode == 1 and "--role ROLE or --remove" in both.stderr


def test_the_last_platform_admin_cannot_be_disabled(env: dict[str, str], database_url: str) -> None:
    with psycopg.connect(libpq_url(database_url)) as connection:
        admins = connection.execute(
            "SELECT email FROM migration.users WHERE is_platform_admin AND is_active"
        ).fetchall()
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    assert discovery("users", "create", email, "--password", "admin-pass-1",
                     "--platform-admin", env=env).returncode == 0  # fmt: skip
    for (other,) in admins:
        assert discovery("users", "disable", other, env=env).returncode == 0
    try:
        refused = discovery("users", "disable", email, env=env)
        assert refused.returncode == 1
        assert "only active platform admin" in refused.stderr
    finally:
        for (other,) in admins:
            discovery("users", "enable", other, env=env)


def test_tenants_list(env: dict[str, str]) -> None:
    client = new_client(env, "Manage")
    listed = discovery("tenants", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert f"{client}\t0 member(s)\tWave 1" in listed.stdout.splitlines()
    shown = json.loads(discovery("tenants", "list", "--json", env=env).stdout)
    assert next(c for c in shown if c["name"] == client)["engagements"] == ["Wave 1"]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("servers.csv", PNG, "image"),
        ("servers.csv", b"", "empty"),
        ("servers.csv", b"name,ip_address\n", "no data rows"),
        ("picture.png", PNG, "is not a CSV, XLSX or JSON file"),
    ],
)
def test_run_refuses_what_the_upload_refuses_without_recording_an_import(
    env: dict[str, str], database_url: str, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    client = new_client(env, "Manage")
    path = tmp_path / name
    path.write_bytes(content)
    refused = discovery("run", str(path), "--client", client, "--engagement", "Wave 1", env=env)
    assert refused.returncode == 1
    assert says in refused.stderr.lower() or says in refused.stderr, refused.stderr
    assert "nothing was imported" in refused.stderr
    assert _imports_of(database_url, client) == 0


def test_run_with_match_keys_then_list_rerun_and_delete(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    client = new_client(env, "Manage")
    path = write_servers_csv(tmp_path / "servers.csv", 12)
    common = ("run", str(path), "--client", client, "--engagement", "Wave 1")
    wrong = discovery(*common, "--match-keys", "colour", env=env)
    assert wrong.returncode == 1 and "unknown match key 'colour'" in wrong.stderr
    ran = discovery(*common, "--approve-mappings", "--match-keys", "hostname,name", "--json",
                    env=env)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout)
    import_id = summary["data_import_id"]
    with psycopg.connect(libpq_url(database_url)) as connection:
        row = connection.execute(
            "SELECT options FROM migration.data_imports WHERE id = %s", (import_id,)
        ).fetchone()
    assert row is not None and row[0]["match_keys"] == ["hostname", "name"]

    listed = discovery("flows", "list", "--client", client, "--engagement", "Wave 1", env=env)
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.startswith(f"{summary['master_flow_id']}\tcompleted")
    assert "\tservers.csv\t" in line

    again = discovery("imports", "rerun", import_id, "--json", env=env)
    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    assert rerun["master_flow_id"] != summary["master_flow_id"]
    assert rerun["status"] == "completed"
    assert _imports_of(database_url, client) == 2

    declined = discovery("imports", "delete", import_id, env=env, stdin="n\n")
    assert declined.returncode == 1
    assert "removes 12 raw row(s), 0 asset(s) only this import created" in declined.stderr
    assert "12 asset(s) other imports also touched are kept" in declined.stderr
    assert _imports_of(database_url, client) == 2

    deleted = discovery("imports", "delete", rerun["data_import_id"], "--yes", env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert "deleted import" in deleted.stdout
    assert _imports_of(database_url, client) == 1
    gone = discovery("imports", "delete", rerun["data_import_id"], "--yes", env=env)
    assert gone.returncode == 1 and "does not exist" in gone.stderr
