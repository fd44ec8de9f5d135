"""The columnar cleanser: a batch of raw rows cleansed column by column.

The same rules as the row cleanser (:mod:`.row`), applied where they cost least. Every
normaliser runs once per distinct value of its column (:mod:`.cells`): inventories repeat
environments, clusters, OS names and sizes on thousands of rows. The cross-field rules,
identity (:mod:`.identity`) and virtualisation evidence (:mod:`.virtualization`), run
once per distinct combination of their inputs (:mod:`.derivations`). The cleansed row and
its errors are assembled as JSON text by Polars expressions over whole columns.

Input: a Polars frame with one ``String`` column per source column (those in
:attr:`ColumnCleanser.sources`; a missing one counts as empty), each cell the JSON text of
the raw value (what PostgreSQL gives for ``raw_data -> 'column'``), null when absent.
Output: a frame of ``cleansed`` (JSON object text), ``errors`` (JSON array text),
``valid`` and ``note``, row for row, equal to what the row cleanser gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from discovery.core.copy_format import json_text

from .cells import Cell, cleanse_cell, decode
from .datatypes import FieldMapping
from .derivations import derive_identity_columns, derive_virtualization_column
from .fields import IDENTIFYING_FIELDS, INVALID_ROW_REASON, LIST_FIELDS
from .row import PER_SOCKET, plan_steps
from .text import clean_raw
from .virtualization import EvidenceColumn, column_finding, evidence_columns

#: Fields whose cleansed values the cross-field rules read, with their Polars type.
_TYPED: Final[dict[str, type[pl.DataType]]] = {
    "hostname": pl.String,
    "fqdn": pl.String,
    "name": pl.String,
    "asset_type": pl.String,
    "manufacturer": pl.String,
    "model": pl.String,
    "serial_number": pl.String,
    "cpu_cores": pl.Int64,
    "cpu_sockets": pl.Int64,
}


@dataclass(frozen=True, slots=True)
class _Column:
    """One source column of a batch: its distinct raw values and each row's index into them."""

    values: list[object]
    index: pl.Series

    def spread(self, per_value: Sequence[object], dtype: type[pl.DataType]) -> pl.Series:
        return pl.Series(per_value, dtype=dtype).gather(self.index)


def _read_column(frame: pl.DataFrame, source: str) -> _Column:
    if source not in frame.columns:
        return _Column([], pl.Series([None] * frame.height, dtype=pl.Int32))
    texts = frame[source].drop_nulls().unique().to_list()
    index = frame[source].replace_strict(
        texts, list(range(len(texts))), default=None, return_dtype=pl.Int32
    )
    return _Column([decode(text) for text in texts], index)


@dataclass(slots=True)
class _Target:
    """One canonical field's columns in the batch: its JSON member, typed value, errors."""

    member: pl.Series  # '"field":value', null when the field has no value
    typed: pl.Series | None  # the value itself, for the fields in _TYPED
    rejected: pl.Series  # whether any of its columns held a bad value


class ColumnCleanser:
    """Mappings compiled once (see :func:`compile_column_cleanser`)."""

    def __init__(self, mappings: Sequence[FieldMapping], columns: Sequence[str]) -> None:
        self._plan = plan_steps(mappings)
        self._per_socket = any(
            m.target_field == "cpu_cores" and (m.unit or "").lower() == PER_SOCKET for m in mappings
        )
        self._hostname_sources = tuple(s[0] for s in self._plan if s[1] == "hostname")
        self._fqdn_sources = tuple(s[0] for s in self._plan if s[1] == "fqdn")
        type_sources = tuple(s[0] for s in self._plan if s[1] == "asset_type")
        self._evidence: tuple[EvidenceColumn, ...] = evidence_columns(columns, type_sources)
        self.sources: tuple[str, ...] = tuple(
            dict.fromkeys([s[0] for s in self._plan] + [e.source for e in self._evidence])
        )

    def cleanse(self, frame: pl.DataFrame) -> pl.DataFrame:
        height = frame.height
        read = {source: _read_column(frame, source) for source in self.sources}
        nulls = pl.Series([None] * height, dtype=pl.String)
        errors: list[pl.Series] = []
        steps_of: dict[str, list[tuple[pl.Series, pl.Series | None, list[Cell], _Column]]] = {}
        for source, target, normalize, _mode, _memo in self._plan:
            column = read[source]
            cells = [cleanse_cell(value, normalize) for value in column.values]
            member = column.spread([_member(target, c.value) for c in cells], pl.String)
            error = column.spread(
                [
                    None
                    if c.reason is None
                    else json_text({"field": target, "value": c.rejected, "reason": c.reason})
                    for c in cells
                ],
                pl.String,
            )
            earlier = steps_of.setdefault(target, [])
            if earlier and target not in LIST_FIELDS:
                # A later column of a single-valued field counts only where no earlier
                # column gave a value (its errors too: it is not read there).
                unset = pl.all_horizontal([m.is_null() for m, *_ in earlier])
                error = pl.select(pl.when(unset).then(error)).to_series()
            errors.append(error)
            typed = None
            if target in _TYPED:
                typed = column.spread([c.value for c in cells], _TYPED[target])
            earlier.append((member, typed, cells, column))
        targets: dict[str, _Target] = {}
        for target, steps in steps_of.items():
            if target in LIST_FIELDS and len(steps) > 1:
                member = _merged_lists(target, [(cells, column) for _m, _t, cells, column in steps])
            else:
                member = pl.select(pl.coalesce([m for m, *_ in steps])).to_series()
            typed_parts = [t for _m, t, *_ in steps if t is not None]
            typed = pl.select(pl.coalesce(typed_parts)).to_series() if typed_parts else None
            targets[target] = _Target(member, typed, pl.Series([False] * height))
        self._mark_rejected(targets, errors)
        if self._per_socket and "cpu_cores" in targets and "cpu_sockets" in targets:
            _multiply_per_socket(targets["cpu_cores"], targets["cpu_sockets"])

        def value_of(field: str) -> pl.Series:
            target = targets.get(field)
            if target is None or target.typed is None:
                return nulls if _TYPED[field] is pl.String else nulls.cast(_TYPED[field])
            return target.typed

        def rejected(field: str) -> pl.Series:
            target = targets.get(field)
            return target.rejected if target is not None else pl.Series([False] * height)

        hostname, fqdn = derive_identity_columns(
            value_of("hostname"),
            value_of("fqdn"),
            value_of("name"),
            value_of("asset_type"),
            rejected("hostname"),
            rejected("fqdn"),
            self._first_raw(read, self._hostname_sources, height),
            self._first_raw(read, self._fqdn_sources, height),
        )
        for field, derived in (("hostname", hostname), ("fqdn", fqdn)):
            _add_derived(targets, field, derived, height)
        if self._evidence:
            current = targets.get("virtualization_platform")
            platform = derive_virtualization_column(
                current.member.is_not_null() if current else pl.Series([False] * height),
                [
                    (
                        e.kind == "vm_id",
                        read[e.source].spread(
                            [column_finding(e, value) for value in read[e.source].values], pl.String
                        ),
                    )
                    for e in self._evidence
                ],
                value_of("manufacturer"),
                value_of("model"),
                value_of("serial_number"),
            )
            _add_derived(targets, "virtualization_platform", platform, height)
        return _assemble(targets, errors, height)

    def _mark_rejected(self, targets: dict[str, _Target], errors: list[pl.Series]) -> None:
        for (_source, target, *_rest), error in zip(self._plan, errors, strict=True):
            targets[target].rejected = targets[target].rejected | error.is_not_null()

    @staticmethod
    def _first_raw(read: dict[str, _Column], sources: Sequence[str], height: int) -> pl.Series:
        parts = [
            read[source].spread(
                [None if value is None else clean_raw(value) for value in read[source].values],
                pl.String,
            )
            for source in sources
        ]
        if not parts:
            return pl.Series([None] * height, dtype=pl.String)
        return pl.select(pl.coalesce(parts)).to_series()


#: Text that JSON writes as it is between quotes (no quote, backslash or control character).
_PLAIN_TEXT: Final = re.compile(r'[^"\\\x00-\x1f]*')


def _member(target: str, value: object) -> str | None:
    """``"target":value`` in JSON, or ``None`` for no value."""
    if value is None:
        return None
    if type(value) is str and _PLAIN_TEXT.fullmatch(value):
        return f'"{target}":"{value}"'
    return f'"{target}":{json_text(value)}'


def _merged_lists(target: str, steps: list[tuple[list[Cell], _Column]]) -> pl.Series:
    """Several list columns of one field: their items merged, first occurrence kept."""
    indexes = [column.index.to_list() for _cells, column in steps]
    merged: dict[tuple[int | None, ...], str | None] = {}
    out: list[str | None] = []
    for key in zip(*indexes, strict=True):
        member = merged.get(key, "")
        if member == "":
            items: list[str] = []
            for (cells, _column), position in zip(steps, key, strict=True):
                value = None if position is None else cells[position].value
                if isinstance(value, list):
                    items.extend(value)
            merged[key] = member = (
                f'"{target}":{json_text(list(dict.fromkeys(items)))}' if items else None
            )
        out.append(member)
    return pl.Series(out, dtype=pl.String)


def _multiply_per_socket(cores: _Target, sockets: _Target) -> None:
    """A core count per socket times the sockets is the machine's total."""
    if cores.typed is None or sockets.typed is None:
        return
    total = pl.select(
        pl.when(cores.typed.is_not_null() & sockets.typed.is_not_null())
        .then(cores.typed * sockets.typed)
        .otherwise(cores.typed)
    ).to_series()
    cores.typed = total
    cores.member = pl.select(
        pl.when(total.is_not_null()).then(pl.concat_str(pl.lit('"cpu_cores":'), total.cast(str)))
    ).to_series()


def _add_derived(targets: dict[str, _Target], field: str, derived: pl.Series, height: int) -> None:
    """A derived value (plain DNS-name or platform text: nothing to escape) where the
    field has none."""
    member = pl.select(
        pl.when(derived.is_not_null()).then(
            pl.concat_str(pl.lit(f'"{field}":"'), derived, pl.lit('"'))
        )
    ).to_series()
    current = targets.get(field)
    if current is None:
        targets[field] = _Target(member, derived, pl.Series([False] * height))
        return
    current.member = pl.select(pl.coalesce(current.member, member)).to_series()
    if current.typed is not None:
        current.typed = pl.select(pl.coalesce(current.typed, derived)).to_series()


def _assemble(targets: dict[str, _Target], errors: list[pl.Series], height: int) -> pl.DataFrame:
    members = [t.member for t in targets.values()]
    identified = [targets[f].member.is_not_null() for f in IDENTIFYING_FIELDS if f in targets]
    valid = (
        pl.any_horizontal(identified) if identified else pl.repeat(False, height, dtype=pl.Boolean)
    )
    empty = pl.repeat("", height, dtype=pl.String)
    return pl.select(
        cleansed=pl.concat_str(
            [
                pl.lit("{"),
                pl.concat_str(members or [empty], separator=",", ignore_nulls=True),
                pl.lit("}"),
            ]
        ),
        errors=pl.concat_str(
            [
                pl.lit("["),
                pl.concat_str(errors or [empty], separator=",", ignore_nulls=True),
                pl.lit("]"),
            ]
        ),
        valid=valid,
    ).with_columns(note=pl.when(pl.col("valid")).then(None).otherwise(pl.lit(INVALID_ROW_REASON)))


def compile_column_cleanser(
    mappings: Sequence[FieldMapping], columns: Sequence[str]
) -> ColumnCleanser:
    """Prepare the mappings once, as :func:`~.row.compile_cleanser` does; ``columns`` are
    the file's headers (read for virtualisation evidence), in the order a raw row lists
    them. Raises ``ValueError`` as the row cleanser does."""
    return ColumnCleanser(mappings, columns)
