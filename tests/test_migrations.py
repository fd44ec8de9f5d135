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
from discovery.migrations.helpers import WIRING_FOREIGN_KEYS

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


def _foreign_keys(url: str) -> dict[str, tuple[bool, str, str]]:
    rows = _query(
        url,
        """
        SELECT c.conname, c.convalidated, c.confdeltype::text, pg_get_constraintdef(c.oid)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'migration' AND c.conname = ANY(%s)
        """,
        [fk.name for fk in WIRING_FOREIGN_KEYS],
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
        assert on_delete == "n"  # SET NULL
        assert definition.startswith(
            f"FOREIGN KEY ({fk.column}) REFERENCES migration.{fk.referred_table}({fk.referred_column})"
        )


def test_foreign_keys_are_not_valid_at_0003_and_after_downgrading_0004(
    scratch_database_url: str,
) -> None:
    migrations.upgrade(scratch_database_url, "0003")
    assert {v for v, _, _ in _foreign_keys(scratch_database_url).values()} == {False}
    migrations.upgrade(scratch_database_url)
    assert {v for v, _, _ in _foreign_keys(scratch_database_url).values()} == {True}
    migrations.downgrade(scratch_database_url, "0003")
    keys = _foreign_keys(scratch_database_url)
    assert len(keys) == 4
    assert {v for v, _, _ in keys.values()} == {False}


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
