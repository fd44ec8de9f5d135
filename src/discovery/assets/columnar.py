"""The inventory chunk over whole columns: most rows become assets without a Python row.

A chunk is read with one ``COPY (SELECT …) TO STDOUT``: each row's id, number, its
identifiers, the JSON text of the fields classification and end of support read, which
canonical fields it has a value for, its error count, and the two custom attributes that
make a row special (own ``alternate_ids``, an SRM placeholder flag). Polars turns that
into columns, and:

- the sieve (:mod:`.sieve`) runs as a set operation: a row none of whose identifiers
  (atoms) occurs in another row or a known asset, and that is no shadow and brings no
  alternates of its own, is a *plain create*: the Reconciler would create it as it is;
- classification, the scores and the tech-debt assessment run once per distinct
  combination of what they read (:func:`discovery.core.combinations.per_combination`);
- the plain creates go to a temporary stage (their ids, types, scores and flags) with one
  ``COPY``, and one ``INSERT … SELECT`` builds their assets from the raw rows' cleansed
  data in the database, custom attributes included; the stage then records the import
  and links the rows back, set-based.

The other rows (shared identifiers: duplicates, re-imports, shadows) are decided by the
Reconciler as before; the caller fetches them whole. Python touches one value per row
and identifier (to fold it, as the match keys do), never a row as a whole.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any, Final

import polars as pl
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.assets import classify, reconcile, scores
from discovery.assets.end_of_support import flags_for
from discovery.assets.models import Asset
from discovery.assets.sieve import alternate_atoms, atoms
from discovery.canonical import CANONICAL_FIELDS
from discovery.core.combinations import per_combination
from discovery.core.copy_format import json_text
from discovery.core.database import psycopg_connection
from discovery.core.ids import uuid7_block
from discovery.core.models import SCHEMA
from discovery.core.spaces import python_spaces
from discovery.imports.raw_rows import CREATED_NOTE_SQL, awaiting_inventory_sql, linked_to

#: Every character ``str.strip()`` removes: blank means "only these" in SQL as in Python.
WHITESPACE: Final = python_spaces()
#: The identifiers, in the order of the frame's columns.
IDENTIFIERS: Final = reconcile.KEY_FIELDS
#: Fields read as JSON text and decoded once per distinct value.
_DECODED: Final = tuple(
    dict.fromkeys(
        [*classify.CLASSIFIED_FIELDS, "operating_system", "os_version", "database_type",
         "database_version"]
    )
)  # fmt: skip
_TECH_DEBT: Final = ("operating_system", "os_version", "database_type", "database_version")
#: Asset columns that are not canonical fields: never taken from a row's cleansed data.
_NOT_CANONICAL: Final = sorted(
    column.key for column in Asset.__table__.columns if column.key not in CANONICAL_FIELDS
)
_FROM_CLEANSED: Final = [f for f in CANONICAL_FIELDS if f not in ("name", "asset_type")]
_EMPTY_JSON: Final = "('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb)"


def _blank_free(value: sql.Composable) -> sql.Composable:
    """SQL: ``value`` (a jsonb member) is a string with something other than whitespace."""
    return sql.SQL("(jsonb_typeof({v}) = 'string' AND btrim({v} #>> '{{}}', {ws}) <> '')").format(
        v=value, ws=sql.Literal(WHITESPACE)
    )


def _custom_value(key: str, excluded: frozenset[str]) -> sql.Composable:
    """SQL: the custom attribute ``key`` of the row (its raw text), or NULL."""
    if key in excluded:
        return sql.SQL("NULL")
    member = sql.SQL("r.raw_data -> {}").format(sql.Literal(key))
    return sql.SQL("CASE WHEN {ok} THEN r.raw_data ->> {key} END").format(
        ok=_blank_free(member), key=sql.Literal(key)
    )


@dataclass(frozen=True)
class ChunkShape:
    """What the columnar chunk needs of the flow's plan."""

    data_import_id: uuid.UUID
    excluded_sources: frozenset[str]  # raw columns that are no custom attribute
    confidence_by_target: Mapping[str, float | None]
    detected_format: str | None


def _frame_query(shape: ChunkShape, first_row: int, last_row: int) -> sql.Composed:
    cleansed = sql.SQL("r.cleansed_data")
    identifiers = [
        sql.SQL(
            "CASE WHEN jsonb_typeof({c} -> {f}) = 'string' THEN nullif({c} ->> {f}, '') END"
        ).format(c=cleansed, f=sql.Literal(field))
        for field in IDENTIFIERS
    ]
    decoded = [sql.SQL("{c} -> {f}").format(c=cleansed, f=sql.Literal(f)) for f in _DECODED]
    present = sql.SQL("concat({})").format(
        sql.SQL(", ").join(
            sql.SQL(
                "CASE WHEN {c} -> {f} IS NULL OR {c} -> {f} IN " + _EMPTY_JSON + " THEN '0'"
                " ELSE '1' END"
            ).format(c=cleansed, f=sql.Literal(field))
            for field in CANONICAL_FIELDS
        )
    )
    shadow = sql.SQL("coalesce({})").format(
        sql.SQL(", ").join(
            _custom_value(key, shape.excluded_sources) for key in reconcile.SHADOW_COLUMNS
        )
    )
    return sql.SQL(
        "COPY (SELECT r.id, r.row_number, {identifiers}, {decoded}, {present},"
        " CASE WHEN jsonb_typeof(r.validation_errors) = 'array'"
        " THEN jsonb_array_length(r.validation_errors) ELSE 0 END,"
        " {alternates}, {shadow}"
        " FROM {schema}.raw_import_records r"
        " WHERE r.data_import_id = {import_id} AND r.row_number BETWEEN {first} AND {last}"
        " AND {awaiting} ORDER BY r.row_number) TO STDOUT (FORMAT csv)"
    ).format(
        awaiting=sql.SQL(awaiting_inventory_sql()),
        identifiers=sql.SQL(", ").join(identifiers),
        decoded=sql.SQL(", ").join(decoded),
        present=present,
        alternates=_custom_value(reconcile.ALTERNATE_IDS, shape.excluded_sources),
        shadow=shadow,
        schema=sql.Identifier(SCHEMA),
        import_id=sql.Literal(str(shape.data_import_id)),
        first=sql.Literal(first_row),
        last=sql.Literal(last_row),
    )


_FRAME_COLUMNS: Final = [
    "id", "row_number", *IDENTIFIERS, *(f"json_{f}" for f in _DECODED), "present", "errors",
    "alternates", "shadow",
]  # fmt: skip


async def read_frame(
    session: AsyncSession, shape: ChunkShape, first_row: int, last_row: int
) -> pl.DataFrame:
    """The chunk's rows still to be inventoried, in row order (see the module's text)."""
    buffer = BytesIO()
    query = _frame_query(shape, first_row, last_row)
    async with (await psycopg_connection(session)).cursor() as cursor, cursor.copy(query) as copy:
        async for block in copy:
            buffer.write(block)
    schema = dict.fromkeys(_FRAME_COLUMNS, pl.String) | {"row_number": pl.Int64, "errors": pl.Int64}
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    # An empty unquoted field is NULL; the identifiers are never empty strings (nullif).
    return pl.read_csv(buffer.getvalue(), has_header=False, schema=schema)


def _fold(column: pl.Series, *, placeholders: bool = False) -> list[str | None]:
    """Each value stripped and lower-cased as the sieve's atoms are (Python's own rules);
    a placeholder is none unless ``placeholders``."""
    folded = [value.strip().lower() or None if value is not None else None for value in column]
    if placeholders:
        return folded
    return [None if v is not None and reconcile.is_placeholder(v) else v for v in folded]


@dataclass
class ChunkFrame:
    """A read chunk with what the columnar path decided about it."""

    frame: pl.DataFrame
    plain: pl.Series  # Boolean: the row is a plain create
    asset_ids: list[str]  # each row's asset id if it creates one, in decision order

    def reconciled(self) -> dict[uuid.UUID, uuid.UUID]:
        """The raw rows the Reconciler must decide, each with its reserved asset id (used
        if it creates an asset)."""
        rows = self.frame.select("id", pl.Series("asset_id", self.asset_ids)).filter(~self.plain)
        return {uuid.UUID(raw): uuid.UUID(asset) for raw, asset in rows.iter_rows()}


#: ``name or hostname or fqdn or ip_address`` (the identifiers are null when empty).
_DERIVED_NAME: Final = pl.coalesce("name", "hostname", "fqdn", "ip_address")


def lookup_columns(frame: pl.DataFrame) -> dict[str, list[str | None]]:
    """The chunk's identifiers as the known-asset lookup takes them: the row path's
    incoming asset is named ``name or hostname or fqdn or ip_address``, so the name
    looked up is that one too (a row without a name is found by its host name's)."""
    columns = {field: frame[field].to_list() for field in IDENTIFIERS}
    columns["name"] = frame.select(_DERIVED_NAME).to_series().to_list()
    return columns


def _shadows(frame: pl.DataFrame) -> pl.Series:
    """Whether each row is a shadow (its first shadow column says so)."""
    column = frame["shadow"]
    texts = column.drop_nulls().unique().to_list()
    return column.replace_strict(
        texts, [reconcile.says_shadow(t) for t in texts], default=False, return_dtype=pl.Boolean
    )


def decide(frame: pl.DataFrame, known: Sequence[Mapping[str, Any]]) -> ChunkFrame:
    """Which rows are plain creates, and the asset id each row would create.

    ``known`` are the engagement's assets found by the chunk's identifiers (the ones the
    Reconciler is given). Ids follow the Reconciler's decision order: rows in order,
    shadow rows last.
    """
    height = frame.height
    shadow = _shadows(frame)
    alternates = frame["alternates"]
    special = shadow | alternates.is_not_null()
    name = frame.select(_DERIVED_NAME).to_series()
    parts = []
    for kind, column in [*((f, frame[f]) for f in IDENTIFIERS if f != "name"), ("name", name)]:
        parts.append(pl.DataFrame({"position": range(height), "kind": kind, "atom": _fold(column)}))
    host_of_fqdn = [
        a.split(".")[0] if a is not None else None for a in _fold(frame["fqdn"], placeholders=True)
    ]
    parts.append(
        pl.DataFrame({"position": range(height), "kind": "hostname", "atom": host_of_fqdn})
    )
    extra: list[tuple[int, str, str]] = []
    for position, value in enumerate(alternates.to_list()):
        if value is not None:
            found = alternate_atoms(
                reconcile.alternate_ids({"custom_attributes": {reconcile.ALTERNATE_IDS: value}})
            )
            extra += [(position, kind, atom) for kind, atom in found]
    if extra:
        parts.append(pl.DataFrame(extra, schema=["position", "kind", "atom"], orient="row"))
    schema = pl.Schema({"position": pl.Int64(), "kind": pl.String(), "atom": pl.String()})
    rows = pl.concat([p.cast(schema) for p in parts]).drop_nulls().unique()
    known_atoms = {atom for asset in known for atom in atoms(asset)}
    shared = rows.group_by("kind", "atom").len().filter(pl.col("len") > 1).select("kind", "atom")
    if known_atoms:
        shared = pl.concat(
            [shared, pl.DataFrame(sorted(known_atoms), schema=["kind", "atom"], orient="row")]
        )
    crowded = rows.join(shared, on=["kind", "atom"], how="semi")["position"].unique()
    positions = pl.Series("position", range(height), dtype=pl.Int64)
    plain = ~(special | positions.is_in(crowded.implode()))
    shadows = shadow.to_list()
    order = sorted(range(height), key=lambda p: (shadows[p], p))
    ids = uuid7_block(height)
    asset_ids = [""] * height
    for made, position in zip(ids, order, strict=True):
        asset_ids[position] = made
    return ChunkFrame(frame, plain.alias("plain"), asset_ids)


def _decoded_inputs(frame: pl.DataFrame, fields: Sequence[str]) -> pl.DataFrame:
    return frame.select(f"json_{f}" for f in fields)


def _classes(frame: pl.DataFrame, detected_format: str | None) -> pl.Series:
    json_os = frame["json_operating_system"]
    has_os = json_os.str.starts_with('"') & (json_os != '""')
    host = frame.select(pl.coalesce("hostname", _DERIVED_NAME)).to_series()
    inputs = _decoded_inputs(frame, classify.CLASSIFIED_FIELDS).with_columns(
        host=pl.when(has_os.fill_null(False)).then(None).otherwise(host.fill_null("")),
        identified=has_os.fill_null(False)
        | pl.any_horizontal(frame[f].is_not_null() for f in IDENTIFIERS),
    )

    def rule(combination: tuple[Any, ...]) -> tuple[str]:
        *fields, host_value, identified = combination
        values = tuple(json.loads(v) if v is not None else None for v in fields)
        data = classify.reduced(values, host_value or "", identified)
        return (classify.classify(data, detected_format).value,)

    return per_combination(inputs, {"asset_type": pl.String}, rule)["asset_type"]


def _scores(frame: pl.DataFrame, confidence_by_target: Mapping[str, float | None]) -> pl.DataFrame:
    inputs = frame.select("present", "errors")
    named = {CANONICAL_FIELDS.index(f) for f in ("name", "hostname", "fqdn", "ip_address")}

    def rule(combination: tuple[Any, ...]) -> tuple[str | None, str, str]:
        present, errors = combination
        supplied = {f: "x" for f, bit in zip(CANONICAL_FIELDS, present, strict=True) if bit == "1"}
        data: dict[str, str | None] = dict(supplied)
        data["name"] = "x" if any(present[i] == "1" for i in named) else None
        confidence = scores.confidence_score(supplied, confidence_by_target)
        return (
            None if confidence is None else repr(confidence),
            repr(scores.completeness_score(data)),
            repr(scores.quality_score(supplied, [None] * errors)),
        )

    outputs = dict.fromkeys(("confidence_score", "completeness_score", "quality_score"), pl.String)
    return per_combination(inputs, outputs, rule)


def _tech_debt(frame: pl.DataFrame, today: date) -> pl.DataFrame:
    def rule(combination: tuple[Any, ...]) -> tuple[str, str | None]:
        values = [json.loads(v) if v is not None else None for v in combination]
        flags, end = flags_for(values[0], values[1], today, values[2], values[3])
        return json_text(flags), end.isoformat() if end is not None else None

    outputs = {"tech_debt_flags": pl.String, "os_end_of_support": pl.String}
    return per_combination(_decoded_inputs(frame, _TECH_DEBT), outputs, rule)


_STAGE_COLUMNS: Final = (
    "raw_id", "asset_id", "asset_type", "confidence_score", "completeness_score",
    "quality_score", "tech_debt_flags", "os_end_of_support",
)  # fmt: skip


@dataclass(frozen=True)
class Prepared:
    """A chunk read, with what does not depend on the known assets derived for every row
    (its type, scores and tech debt): made while the previous chunk is being written."""

    first_row: int
    last_row: int
    today: date
    frame: pl.DataFrame
    derived: pl.DataFrame  # asset_type, the three scores, tech_debt_flags, os_end_of_support


async def prepare(
    session: AsyncSession, shape: ChunkShape, first_row: int, last_row: int, today: date
) -> Prepared:
    """Read rows ``first_row..last_row`` and derive their asset columns."""
    frame = await read_frame(session, shape, first_row, last_row)
    derived = pl.DataFrame(
        [
            _classes(frame, shape.detected_format),
            *_scores(frame, shape.confidence_by_target).get_columns(),
            *_tech_debt(frame, today).get_columns(),
        ]
    )
    return Prepared(first_row, last_row, today, frame, derived)


def stage_payload(chunk: ChunkFrame, derived: pl.DataFrame) -> tuple[bytes, int]:
    """The plain creates as ``inventory_stage`` rows in COPY text format, and their count."""
    frame = chunk.frame.select(
        pl.col("id").alias("raw_id"), pl.Series("asset_id", chunk.asset_ids)
    ).hstack(derived)
    staged = frame.filter(chunk.plain)
    if staged.height == 0:
        return b"", 0
    staged = staged.with_columns(
        pl.col("tech_debt_flags").str.replace_all("\\", "\\\\", literal=True)
    )
    payload = staged.select(_STAGE_COLUMNS).write_csv(
        separator="\t", quote_style="never", include_header=False, null_value="\\N"
    )
    return payload.encode(), staged.height


_CREATE_STAGE = text(
    "CREATE TEMP TABLE IF NOT EXISTS inventory_stage ("
    "raw_id uuid PRIMARY KEY, asset_id uuid NOT NULL, asset_type text NOT NULL,"
    " confidence_score double precision, completeness_score double precision,"
    " quality_score double precision, tech_debt_flags jsonb NOT NULL, os_end_of_support date"
    ") ON COMMIT DELETE ROWS"
)

#: A jsonpath that finds a value no custom attribute is made of: not a string, or blank.
_NOT_CUSTOM: Final = (
    '$.* ? (@.type() != "string" || @ like_regex "^['
    + "".join(f"\\u{ord(c):04x}" for c in WHITESPACE)
    + ']*$")'
)
# The row's unmapped non-blank strings. Most rows have none other (a jsonpath test), and
# keep every unmapped column; the others drop the keys of their other values.
_CUSTOM_ATTRIBUTES = """
    CASE WHEN (r.raw_data - CAST(:excluded AS text[])) @? CAST(:not_custom AS jsonpath)
         THEN r.raw_data - CAST(:excluded AS text[]) - ARRAY(
                SELECT e.key FROM jsonb_each(r.raw_data - CAST(:excluded AS text[])) AS e
                 WHERE jsonb_typeof(e.value) <> 'string'
                    OR btrim(e.value #>> '{}', :whitespace) = '')
         ELSE r.raw_data - CAST(:excluded AS text[]) END
"""
_LINEAGE_COLUMNS: Final = (
    "client_account_id", "engagement_id", "discovery_flow_id", "master_flow_id",
    "field_mappings_used", "source_phase", "current_phase", "discovery_method",
    "discovery_source", "discovery_timestamp",
)  # fmt: skip
_INSERT_STAGED = text(
    f"""
    WITH made AS (
    INSERT INTO {SCHEMA}.assets (id, raw_import_records_id, {", ".join(_LINEAGE_COLUMNS)},
           name, asset_type, {", ".join(_FROM_CLEANSED)}, custom_attributes,
           confidence_score, completeness_score, quality_score, tech_debt_flags,
           os_end_of_support)
    SELECT s.asset_id, r.id, {", ".join(f":{column}" for column in _LINEAGE_COLUMNS)},
           coalesce(nullif(p.name, ''), nullif(p.hostname, ''), nullif(p.fqdn, ''),
                    p.ip_address),
           s.asset_type,
           {
        ", ".join(
            f"coalesce(p.{f}, '{{}}')" if f in ("tags", "depends_on") else f"p.{f}"
            for f in _FROM_CLEANSED
        )
    },
           {_CUSTOM_ATTRIBUTES},
           s.confidence_score, s.completeness_score, s.quality_score, s.tech_debt_flags,
           s.os_end_of_support
      FROM inventory_stage AS s
      JOIN {SCHEMA}.raw_import_records AS r ON r.id = s.raw_id
     CROSS JOIN LATERAL jsonb_populate_record(
           NULL::{SCHEMA}.assets, r.cleansed_data - CAST(:not_canonical AS text[])) AS p
    RETURNING id)
    INSERT INTO {SCHEMA}.asset_imports (id, asset_id, data_import_id, action)
    SELECT {SCHEMA}.uuid_v7(), made.id, :import_id, 'created' FROM made
        ON CONFLICT (asset_id, data_import_id) DO NOTHING
    """  # noqa: S608 (constants and the model's own column names)
)
_LINK_STAGED = text(
    f"""
    WITH linked AS (
        UPDATE {SCHEMA}.raw_import_records AS r
           SET {linked_to("s.asset_id", CREATED_NOTE_SQL)}
          FROM inventory_stage AS s
         WHERE r.id = s.raw_id AND r.asset_id IS NULL
        RETURNING 1)
    SELECT count(*) FROM linked
    """  # noqa: S608 (constants)
)


async def create_staged(
    session: AsyncSession,
    payload: bytes,
    shape: ChunkShape,
    lineage: Mapping[str, Any],
) -> None:
    """Create the staged plain rows' assets from their raw rows, and record the import."""
    await session.execute(_CREATE_STAGE)
    # Emptied at each commit; a transaction that runs several chunks (a caller's own
    # unit of work) must not stage the earlier chunks' rows again.
    await session.execute(text("DELETE FROM inventory_stage"))
    async with (
        (await psycopg_connection(session)).cursor() as cursor,
        cursor.copy(f"COPY inventory_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy,
    ):
        await copy.write(payload)
    await session.execute(
        _INSERT_STAGED,
        {
            **{column: lineage[column] for column in _LINEAGE_COLUMNS},
            "excluded": sorted(shape.excluded_sources),
            "whitespace": WHITESPACE,
            "not_custom": _NOT_CUSTOM,
            "not_canonical": _NOT_CANONICAL,
            "import_id": shape.data_import_id,
        },
    )


async def link_staged(session: AsyncSession) -> int:
    """Link the staged rows to their new assets; how many were linked."""
    return int((await session.execute(_LINK_STAGED)).scalar_one())
