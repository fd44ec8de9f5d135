"""Migrations on a real, empty database: drift, round trips, indexes and foreign keys."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy
from alembic import command, util
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import String

from discovery.core import migrations, revisions
from discovery.core.database import libpq_url, sqlalchemy_url
from discovery.core.models import SCHEMA
from discovery.core.registry import metadata
from discovery.migrations.helpers import (
    SINGLE_COLUMN_TENANT_LINKS,
    SINGLE_COLUMN_WIRING_FOREIGN_KEYS,
    TENANT_KEYS,
    WIRING_FOREIGN_KEYS,
)

EXPECTED_TABLES = {
    "alembic_version",
    "client_accounts",
    "engagements",
    "users",
    "client_account_memberships",
    "crewai_flow_state_extensions",
    "discovery_flows",
    "data_imports",
    "raw_import_records",
    "import_field_mappings",
    "assets",
    "asset_dependencies",
    "failed_asset_chunks",
    "learned_field_mappings",
    "asset_imports",
    "asset_alternate_ids",
    "asset_key_counts",
    "api_tokens",
    "user_tenant_preferences",
    "revoked_access_tokens",
    "sign_in_failures",
}

JOB_QUEUE_TABLES = {
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
}

SEED_INDEXES = {
    "idx_assets_tenant_discovery": (
        "assets",
        ["client_account_id", "engagement_id", "discovery_method", "discovery_flow_id"],
    ),
    "idx_assets_tenant_raw_import": (
        "assets",
        ["client_account_id", "engagement_id", "raw_import_records_id"],
    ),
    "idx_raw_import_tenant_processed": (
        "raw_import_records",
        ["client_account_id", "engagement_id", "is_processed", "asset_id"],
    ),
    "idx_raw_import_tenant_id": (
        "raw_import_records",
        ["client_account_id", "engagement_id", "id"],
    ),
}


def _query(url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(libpq_url(url)) as connection:
        return connection.execute(sql, params or None).fetchall()


def _tables(url: str, schema: str = "migration") -> set[str]:
    rows = _query(url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", schema)
    return {str(row[0]) for row in rows}


def _index_state(url: str) -> dict[str, tuple[str, list[str], bool, bool]]:
    rows = _query(
        url,
        """
        SELECT c.relname, t.relname, i.indisvalid, i.indisunique,
               array_agg(a.attname ORDER BY k.ord)
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_class t ON t.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE n.nspname = 'migration' AND c.relname = ANY(%s)
         GROUP BY c.relname, t.relname, i.indisvalid, i.indisunique
        """,
        list(SEED_INDEXES),
    )
    return {
        str(name): (str(table), list(columns), bool(valid), bool(unique))  # type: ignore[call-overload]
        for name, table, valid, unique, columns in rows
    }


def _foreign_keys(url: str, keys: object = WIRING_FOREIGN_KEYS) -> dict[str, tuple[bool, str, str]]:
    rows = _query(
        url,
        """
        SELECT c.conname, c.convalidated, c.confdeltype::text, pg_get_constraintdef(c.oid)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'migration' AND c.conname = ANY(%s)
        """,
        [fk.name for fk in keys],  # type: ignore[attr-defined]
    )
    return {str(n): (bool(v), str(d), str(definition)) for n, v, d, definition in rows}


def test_there_is_one_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1
    assert migrations.head_revision() == script.get_current_head()


def test_the_revisions_read_as_text_are_alembics_own() -> None:
    """The CLI reads the revision graph from the files' header lines, without Alembic:
    the same files, the same revisions, the same links and the same head as Alembic's."""
    script = ScriptDirectory.from_config(migrations.alembic_config())
    expected = {
        s.revision: (Path(s.path).resolve(), tuple(util.to_tuple(s.down_revision, default=())))
        for s in script.walk_revisions()
    }
    read = {r.revision: (r.path.resolve(), r.down_revisions) for r in revisions.read_revisions()}
    assert read == expected
    assert revisions.heads(revisions.read_revisions()) == set(script.get_heads())
    assert revisions.head_revision() == script.get_current_head()
    assert revisions.SCHEMA == SCHEMA


def test_a_revision_header_is_read_as_alembic_writes_it(tmp_path: Path) -> None:
    (tmp_path / "0002_merge.py").write_text(
        '"""Merge.\n\nRevision ID: 0002\nRevises: 0001a, 0001b\n"""\n\n'
        + 'revision: str = "0002"\n'
        + 'down_revision: str | tuple[str, ...] | None = ("0001a", "0001b")\n'
        + 'revision = "later code, not the header"\n'
    )
    (tmp_path / "0001a.py").write_text('revision = "0001a"\ndown_revision = None\n')
    (tmp_path / "0001b.py").write_text("revision = '0001b'\ndown_revision = None\n")
    (tmp_path / "__init__.py").write_text("")
    read = {r.revision: r.down_revisions for r in revisions.read_revisions(tmp_path)}
    assert read == {"0001a": (), "0001b": (), "0002": ("0001a", "0001b")}
    assert revisions.heads(revisions.read_revisions(tmp_path)) == {"0002"}
    (tmp_path / "0003.py").write_text("revision = REVISION\ndown_revision = '0002'\n")
    with pytest.raises(revisions.RevisionGraphError, match="not a literal"):
        revisions.read_revisions(tmp_path)


def test_current_revision_reads_what_alembic_reads(scratch_database_url: str) -> None:
    """No schema at all, an empty version table, and a revision in the middle."""

    def alembics(url: str) -> str | None:
        engine = sqlalchemy.create_engine(sqlalchemy_url(url), poolclass=sqlalchemy.pool.NullPool)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"version_table_schema": SCHEMA}
                )
                return context.get_current_revision()
        finally:
            engine.dispose()

    assert migrations.current_revision(scratch_database_url) is None
    assert alembics(scratch_database_url) is None
    migrations.upgrade(scratch_database_url, "0003")
    assert migrations.current_revision(scratch_database_url) == "0003"
    assert alembics(scratch_database_url) == "0003"
    migrations.downgrade(scratch_database_url, "base")
    assert migrations.current_revision(scratch_database_url) is None
    assert alembics(scratch_database_url) is None


def test_upgrade_builds_every_table_in_schema_migration(scratch_database_url: str) -> None:
    migrations.upgrade(scratch_database_url)
    assert _tables(scratch_database_url) == EXPECTED_TABLES
    assert _tables(scratch_database_url, "procrastinate") == JOB_QUEUE_TABLES
    public = _query(
        scratch_database_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    )
    assert public == [(0,)]
    assert migrations.current_revision(scratch_database_url) == migrations.head_revision()


def test_seed_indexes_exist_with_the_seed_columns_and_are_valid(scratch_database_url: str) -> None:
    migrations.upgrade(scratch_database_url)
    state = _index_state(scratch_database_url)
    assert set(state) == set(SEED_INDEXES)
    for name, (table, columns) in SEED_INDEXES.items():
        assert state[name] == (table, columns, True, False), name


def test_wiring_foreign_keys_exist_validated_with_on_delete(scratch_database_url: str) -> None:
    migrations.upgrade(scratch_database_url)
    keys = _foreign_keys(scratch_database_url)
    assert set(keys) == {fk.name for fk in WIRING_FOREIGN_KEYS}
    for fk in WIRING_FOREIGN_KEYS:
        validated, on_delete, definition = keys[fk.name]
        assert validated, fk.name
        assert on_delete == ("c" if fk.on_delete == "CASCADE" else "n"), fk.name
        assert definition.startswith(
            f"FOREIGN KEY ({', '.join(fk.columns)}) "
            f"REFERENCES migration.{fk.referred_table}({', '.join(fk.referred_columns)})"
        ), definition
        # Every link carries the tenant; a SET NULL nulls only the link, never the tenant.
        assert fk.columns[:2] == ("client_account_id", "engagement_id")
        if on_delete == "n":
            assert f"ON DELETE SET NULL ({fk.link_column})" in definition
        assert ("DEFERRABLE INITIALLY DEFERRED" in definition) is fk.deferrable
    # The single-column keys they replaced are gone.
    replaced = (*SINGLE_COLUMN_WIRING_FOREIGN_KEYS, *SINGLE_COLUMN_TENANT_LINKS)
    assert _foreign_keys(scratch_database_url, replaced) == {}
    tenant_keys = _query(
        scratch_database_url,
        "SELECT c.relname, i.indisunique, i.indisvalid FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY(%s)",
        [key.name for key in TENANT_KEYS],
    )
    assert sorted(tenant_keys) == sorted((key.name, True, True) for key in TENANT_KEYS)


def test_foreign_keys_are_not_valid_at_0003_and_after_downgrading_0004(
    scratch_database_url: str,
) -> None:
    single = SINGLE_COLUMN_WIRING_FOREIGN_KEYS
    migrations.upgrade(scratch_database_url, "0003")
    assert {v for v, _, _ in _foreign_keys(scratch_database_url, single).values()} == {False}
    migrations.upgrade(scratch_database_url, "0004")
    assert {v for v, _, _ in _foreign_keys(scratch_database_url, single).values()} == {True}
    migrations.downgrade(scratch_database_url, "0003")
    keys = _foreign_keys(scratch_database_url, single)
    assert len(keys) == 4
    assert {v for v, _, _ in keys.values()} == {False}


def test_tenant_keys_are_not_valid_at_0021_and_the_old_keys_return_on_downgrade(
    scratch_database_url: str,
) -> None:
    replaced = (*SINGLE_COLUMN_WIRING_FOREIGN_KEYS, *SINGLE_COLUMN_TENANT_LINKS)
    migrations.upgrade(scratch_database_url, "0021")
    assert {v for v, _, _ in _foreign_keys(scratch_database_url).values()} == {False}
    assert len(_foreign_keys(scratch_database_url)) == len(WIRING_FOREIGN_KEYS)
    migrations.upgrade(scratch_database_url)
    migrations.downgrade(scratch_database_url, "0019")
    assert _foreign_keys(scratch_database_url) == {}
    old = _foreign_keys(scratch_database_url, replaced)
    assert set(old) == {fk.name for fk in replaced}
    assert {v for v, _, _ in old.values()} == {True}


def _wired_tenant(url: str) -> dict[str, object]:
    """A tenant with one import, flow, two assets wired both ways, an edge and a dead letter."""
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:

        def one(sql: str, *params: object) -> object:
            row = connection.execute(sql, params).fetchone()
            assert row is not None
            return row[0]

        client = one(
            "INSERT INTO migration.client_accounts (name) VALUES (%s) RETURNING id",
            f"c-{uuid.uuid4()}",
        )
        engagement = one(
            "INSERT INTO migration.engagements (client_account_id, name) VALUES (%s, 'e') "
            "RETURNING id",
            client,
        )
        tenant = (client, engagement)
        data_import = one(
            "INSERT INTO migration.data_imports (client_account_id, engagement_id, file_name, "
            "file_size_bytes, file_sha256, file_format) VALUES (%s, %s, 'a.csv', 1, %s, 'csv') "
            "RETURNING id",
            *tenant, "0" * 64,
        )  # fmt: skip
        master = uuid.uuid4()
        connection.execute(
            "INSERT INTO migration.crewai_flow_state_extensions (client_account_id, "
            "engagement_id, flow_id, flow_type) VALUES (%s, %s, %s, 'discovery')",
            (*tenant, master),
        )
        flow = one(
            "INSERT INTO migration.discovery_flows (client_account_id, engagement_id, flow_id, "
            "master_flow_id, data_import_id) VALUES (%s, %s, %s, %s, %s) RETURNING id",
            *tenant, master, master, data_import,
        )  # fmt: skip
        assets = []
        with connection.transaction():
            for row_number in (1, 2):
                raw = one(
                    "INSERT INTO migration.raw_import_records (client_account_id, engagement_id, "
                    "data_import_id, row_number, raw_data) VALUES (%s, %s, %s, %s, '{}') "
                    "RETURNING id",
                    *tenant, data_import, row_number,
                )  # fmt: skip
                asset = one(
                    "INSERT INTO migration.assets (client_account_id, engagement_id, name, "
                    "asset_type, discovery_flow_id, master_flow_id, raw_import_records_id) "
                    "VALUES (%s, %s, %s, 'server', %s, %s, %s) RETURNING id",
                    *tenant, f"host{row_number}", flow, master, raw,
                )  # fmt: skip
                connection.execute(
                    "UPDATE migration.raw_import_records SET asset_id = %s, is_processed = true "
                    "WHERE id = %s",
                    (asset, raw),
                )
                assets.append(asset)
        connection.execute(
            "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, "
            "asset_id, depends_on_asset_id) VALUES (%s, %s, %s, %s)",
            (*tenant, *assets),
        )
        connection.execute(
            "INSERT INTO migration.failed_asset_chunks (client_account_id, engagement_id, "
            "discovery_flow_id, chunk_number, first_row_number, last_row_number, error) "
            "VALUES (%s, %s, %s, 1, 3, 4, 'boom')",
            (*tenant, flow),
        )
    return {"assets": assets, "flow": flow}


_WIRING_STATE = """
SELECT (SELECT count(*) FROM migration.assets a JOIN migration.raw_import_records r
          ON r.id = a.raw_import_records_id AND r.asset_id = a.id
         WHERE a.discovery_flow_id IS NOT NULL AND a.master_flow_id IS NOT NULL),
       (SELECT count(*) FROM migration.asset_dependencies),
       (SELECT count(*) FROM migration.failed_asset_chunks)
"""


def test_the_tenant_keys_go_down_and_up_again_with_data_in_the_tables(
    scratch_database_url: str,
) -> None:
    migrations.upgrade(scratch_database_url)
    _wired_tenant(scratch_database_url)
    assert _query(scratch_database_url, _WIRING_STATE) == [(2, 1, 1)]
    for down_to in ("0022", "0021", "0020", "0019"):
        migrations.downgrade(scratch_database_url, down_to)
        assert _query(scratch_database_url, _WIRING_STATE) == [(2, 1, 1)], down_to
    replaced = (*SINGLE_COLUMN_WIRING_FOREIGN_KEYS, *SINGLE_COLUMN_TENANT_LINKS)
    assert {v for v, _, _ in _foreign_keys(scratch_database_url, replaced).values()} == {True}
    migrations.upgrade(scratch_database_url)
    assert _query(scratch_database_url, _WIRING_STATE) == [(2, 1, 1)]
    keys = _foreign_keys(scratch_database_url)
    assert len(keys) == len(WIRING_FOREIGN_KEYS)
    assert {v for v, _, _ in keys.values()} == {True}


def test_validating_the_tenant_keys_fails_on_a_link_across_tenants(
    scratch_database_url: str,
) -> None:
    """0022 refuses a database where a link crosses tenants; 0021's keys stay NOT VALID."""
    migrations.upgrade(scratch_database_url, "0020")
    first = _wired_tenant(scratch_database_url)
    second = _wired_tenant(scratch_database_url)
    with psycopg.connect(libpq_url(scratch_database_url), autocommit=True) as connection:
        connection.execute(
            "UPDATE migration.assets SET discovery_flow_id = %s WHERE id = %s",
            (second["flow"], first["assets"][0]),  # type: ignore[index]
        )
    with pytest.raises(Exception, match="fk_assets_tenant_discovery_flow"):
        migrations.upgrade(scratch_database_url)
    assert migrations.current_revision(scratch_database_url) == "0021"


def test_round_trip_upgrade_downgrade_upgrade(scratch_database_url: str) -> None:
    migrations.upgrade(scratch_database_url)
    migrations.downgrade(scratch_database_url, "base")
    assert _tables(scratch_database_url) == {"alembic_version"}
    assert _tables(scratch_database_url, "procrastinate") == set()
    assert migrations.current_revision(scratch_database_url) is None
    migrations.upgrade(scratch_database_url)
    assert _tables(scratch_database_url) == EXPECTED_TABLES
    assert all(valid for _, _, valid, _ in _index_state(scratch_database_url).values())
    assert all(valid for valid, _, _ in _foreign_keys(scratch_database_url).values())


def test_every_revision_goes_up_down_and_up_again(scratch_database_url: str) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        migrations.upgrade(scratch_database_url, revision.revision)
        migrations.downgrade(scratch_database_url, revision.down_revision or "base")
        migrations.upgrade(scratch_database_url, revision.revision)
        assert migrations.current_revision(scratch_database_url) == revision.revision


def test_models_and_migrations_agree(scratch_database_url: str) -> None:
    """``alembic check``: autogenerate finds nothing to add, drop or alter."""
    migrations.upgrade(scratch_database_url)
    command.check(migrations.alembic_config(scratch_database_url))


def test_check_detects_drift(scratch_database_url: str) -> None:
    """The drift check above can fail: a column the models lack is reported."""
    migrations.upgrade(scratch_database_url)
    with psycopg.connect(libpq_url(scratch_database_url)) as connection:
        connection.execute("ALTER TABLE migration.assets ADD COLUMN stray text")
    with pytest.raises(Exception, match="stray"):
        command.check(migrations.alembic_config(scratch_database_url))


def test_an_invalid_leftover_index_is_dropped_and_rebuilt(scratch_database_url: str) -> None:
    """A failed CONCURRENTLY build leaves an INVALID index; the migration replaces it."""
    migrations.upgrade(scratch_database_url, "0001")
    raw_id = uuid.uuid4()
    with psycopg.connect(libpq_url(scratch_database_url), autocommit=True) as connection:
        client = connection.execute(
            "INSERT INTO migration.client_accounts (name) VALUES ('c') RETURNING id"
        ).fetchone()
        assert client is not None
        engagement = connection.execute(
            "INSERT INTO migration.engagements (client_account_id, name) VALUES (%s, 'e') "
            "RETURNING id",
            (client[0],),
        ).fetchone()
        assert engagement is not None
        for _ in range(2):
            connection.execute(
                "INSERT INTO migration.assets (client_account_id, engagement_id, "
                "raw_import_records_id, asset_type) VALUES (%s, %s, %s, 'server')",
                (client[0], engagement[0], raw_id),
            )
        with pytest.raises(psycopg.errors.UniqueViolation):
            connection.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY idx_assets_tenant_raw_import ON "
                "migration.assets (client_account_id, engagement_id, raw_import_records_id)"
            )
    leftover = _index_state(scratch_database_url)["idx_assets_tenant_raw_import"]
    assert leftover[2:] == (False, True)  # INVALID, and the wrong (unique) definition

    migrations.upgrade(scratch_database_url, "0002")
    rebuilt = _index_state(scratch_database_url)["idx_assets_tenant_raw_import"]
    assert rebuilt == ("assets", SEED_INDEXES["idx_assets_tenant_raw_import"][1], True, False)


def _render(start: str | None, end: str, *, down: bool) -> str:
    """The SQL that one step renders offline (``alembic upgrade A:B --sql``)."""
    buffer = io.StringIO()
    config = Config(output_buffer=buffer)
    config.set_main_option("script_location", str(migrations.MIGRATIONS_DIR))
    target = f"{start}:{end}" if start else end
    if down:
        command.downgrade(config, target, sql=True)
    else:
        command.upgrade(config, target, sql=True)
    return buffer.getvalue()


def test_every_migration_sets_lock_timeout_both_ways() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    revisions = list(script.walk_revisions())
    assert len(revisions) >= 4
    for revision in revisions:
        previous = revision.down_revision
        assert isinstance(previous, str | None)
        up = _render(previous, revision.revision, down=False)
        down = _render(revision.revision, previous or "base", down=True)
        for sql in (up, down):
            body = sql.split("Running", 1)[1]
            assert "SET lock_timeout = '5s'" in body, revision.revision
            assert "SET statement_timeout" in body, revision.revision


def test_models_use_text_not_varchar() -> None:
    """Changing a varchar's length locks the table; every string column is text."""
    bounded = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    ]
    assert bounded == []


def test_the_stored_keys_and_row_security_go_up_down_and_up_with_data_in_the_tables(
    scratch_database_url: str,
) -> None:
    """0025-0028 on assets written before them: names get their key, alternates their
    rows, the lower-case checks validate; down to 0024 and up again keeps every row."""
    migrations.upgrade(scratch_database_url, "0024")
    wired = _wired_tenant(scratch_database_url)
    first, second = wired["assets"]  # type: ignore[misc]
    url = libpq_url(scratch_database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "UPDATE migration.assets SET name = 'Web-01', hostname = 'web-01',"
            ' custom_attributes = \'{"alternate_ids": "serial_number=S1; fqdn=w.example"}\''
            " WHERE id = %s",
            (first,),
        )
    keys = "SELECT id, name_key FROM migration.assets ORDER BY name_key"
    alternates = "SELECT asset_id, alternate_id FROM migration.asset_alternate_ids ORDER BY 2"
    for _ in range(2):
        migrations.upgrade(scratch_database_url)
        with psycopg.connect(url) as connection:
            assert connection.execute(keys).fetchall() == [(second, "host2"), (first, "web-01")]
            assert connection.execute(alternates).fetchall() == [
                (first, "fqdn=w.example"), (first, "serial_number=S1")
            ]  # fmt: skip
            checks = connection.execute(
                "SELECT conname, convalidated FROM pg_constraint"
                " WHERE conname LIKE 'ck_assets_%%_lower_case' ORDER BY 1"
            ).fetchall()
            assert checks == [(f"ck_assets_{c}_lower_case", True)
                              for c in ("fqdn", "hostname", "ip_address")]  # fmt: skip
            guarded = connection.execute(
                "SELECT count(*) FROM pg_class WHERE relrowsecurity"
                " AND relnamespace = 'migration'::regnamespace"
            ).fetchone()
            assert guarded == (12,)
            assert connection.execute(_WIRING_STATE).fetchone() == (2, 1, 1)
        migrations.downgrade(scratch_database_url, "0024")
        with psycopg.connect(url) as connection:
            assert connection.execute(_WIRING_STATE).fetchone() == (2, 1, 1)
            names = connection.execute(
                "SELECT name FROM migration.assets ORDER BY lower(name)"
            ).fetchall()
            assert names == [("host2",), ("Web-01",)]
            rls = connection.execute(
                "SELECT count(*) FROM pg_class WHERE relrowsecurity"
                " AND relnamespace = 'migration'::regnamespace"
            ).fetchone()
            assert rls == (0,)
