"""The row cleanser: mappings compiled once, then applied to every raw row."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from .datatypes import CleansedRow, FieldError, FieldMapping, InvalidValue
from .fields import CANONICAL_FIELDS, IDENTIFYING_FIELDS, INVALID_ROW_REASON, LIST_FIELDS
from .identity import derive_identity
from .normalizers import Normalizer, normalize_text, normalizer_for
from .text import FORMULA_STARTS, NULL_SPELLINGS, STRIP_CHARS, clean_raw, keep_typed_lead
from .virtualization import EvidenceColumn, derive_virtualization, evidence_columns

RowCleanser = Callable[[Mapping[str, str]], CleansedRow]

_CANONICAL = frozenset(CANONICAL_FIELDS)

# Step modes. _CALL: call the normaliser. _TEXT: free text, collapsed inline. _SKIP_IF_SET:
# a later column of a single-valued field, used only when no earlier column gave a value.
# _LIST: a list field; a later column's list is merged into the earlier one.
_CALL, _TEXT, _SKIP_IF_SET, _LIST = 0, 1, 2, 3

#: Fields whose values are (nearly) unique per row: remembering them would not pay.
#: Every other field repeats a lot within a file (environment, cluster, OS, sizes, …), so
#: its results are memoised per cleanser, keyed by the raw cell text.
UNMEMOIZED_FIELDS: Final = frozenset(
    {"name", "hostname", "fqdn", "ip_address", "mac_address", "serial_number", "external_id"}
)

#: Distinct raw values remembered per column; later new values are simply not remembered,
#: so memory stays bounded on million-row files with many distinct values.
MEMO_SIZE: Final = 2048

_MISSING: Final = object()

#: The unit of a ``cpu_cores`` mapping whose column counts the cores of one socket.
PER_SOCKET: Final = "per socket"

_Step = tuple[str, str, Normalizer, int, "dict[str, object] | None"]


def plan_steps(mappings: Sequence[FieldMapping]) -> tuple[_Step, ...]:
    steps: list[_Step] = []
    seen: set[tuple[str, str]] = set()
    targets: set[str] = set()
    for mapping in mappings:
        source, target = mapping.source_field, mapping.target_field
        if target not in _CANONICAL:
            raise ValueError(
                f"column {source!r} is mapped to {target!r}, which is not a canonical field"
            )
        if (source, target) in seen:
            continue
        seen.add((source, target))
        normalize = normalizer_for(target, mapping.unit)
        if target in LIST_FIELDS:
            mode = _LIST
        elif target in targets:
            mode = _SKIP_IF_SET  # only a field fed by an earlier column takes this path
        elif normalize is normalize_text:
            mode = _TEXT
        else:
            mode = _CALL
        targets.add(target)
        memo: dict[str, object] | None = None if target in UNMEMOIZED_FIELDS else {}
        steps.append((source, target, normalize, mode, memo))
    return tuple(steps)


def compile_cleanser(
    mappings: Sequence[FieldMapping], columns: Sequence[str] | None = None
) -> RowCleanser:
    """Prepare the mappings once; the returned function cleanses one raw row.

    ``columns`` are the file's headers, read for virtualisation evidence
    (:mod:`.virtualization`); without them the first row's keys are used. After the
    mapped values, the missing host name and FQDN are derived (:mod:`.identity`).

    Raises ``ValueError`` for a target that is not a canonical field or, on a size field, a
    unit that is not a known size unit (programming errors; units on other fields are
    ignored). When several columns map to one field, the first column (in mapping order)
    with a usable value wins; for ``tags`` and ``depends_on`` the lists are merged. A mapping
    repeated exactly is applied once. Cells should be strings; ``None`` counts as empty and
    other values are converted with ``str()``.
    """
    plan = plan_steps(mappings)
    # Derivation may add a host name or FQDN that no column is mapped to.
    identifying = IDENTIFYING_FIELDS
    nulls = NULL_SPELLINGS
    extra_strip = STRIP_CHARS
    missing = _MISSING
    memo_size = MEMO_SIZE
    text, skip_if_set, as_list = _TEXT, _SKIP_IF_SET, _LIST
    hostname_sources = tuple(step[0] for step in plan if step[1] == "hostname")
    # A core count "per socket" (ServiceNow's cpu_core_count) times the sockets is the total.
    per_socket = any(
        m.target_field == "cpu_cores" and (m.unit or "").lower() == PER_SOCKET for m in mappings
    )
    fqdn_sources = tuple(step[0] for step in plan if step[1] == "fqdn")
    type_sources = tuple(step[0] for step in plan if step[1] == "asset_type")
    fixed_evidence = evidence_columns(columns, type_sources) if columns is not None else None
    evidence_by_keys: dict[tuple[str, ...], tuple[EvidenceColumn, ...]] = {}
    formula_starts = FORMULA_STARTS

    def cleanse(row: Mapping[str, str]) -> CleansedRow:
        data: dict[str, object] = {}
        errors: list[FieldError] = []
        get = row.get
        for source, target, normalize, mode, memo in plan:
            raw = get(source)
            if not raw:
                continue
            if mode == skip_if_set and target in data:
                continue
            if memo is None:
                result: object = missing
            else:
                try:
                    result = memo.get(raw, missing)
                except TypeError:  # an unhashable non-string cell
                    result = missing
            if result is missing:
                try:
                    value = raw.strip()
                except AttributeError:  # not a string: a stray number from a JSON column
                    value = str(raw).strip()
                if not value.isascii():  # O(1); zero-width characters, BOM
                    value = value.strip(extra_strip)
                if not value or value in nulls:
                    result = None
                elif mode == text:  # free text, inlined: the most common kind of column
                    result = " ".join(value.split())
                else:
                    try:
                        result = normalize(value)
                    except InvalidValue as error:  # rejections are not memoised
                        errors.append(FieldError(target, value, error.reason))
                        continue
                if type(result) is str and result and result[0] in formula_starts:
                    result = keep_typed_lead(raw, result)  # stripping never makes a formula
                if memo is not None and len(memo) < memo_size and type(raw) is str:
                    memo[raw] = result
            if result is None:
                continue
            if mode == as_list:
                # A fresh list per row (the memo's list is shared), merged with what an
                # earlier column of the same field gave.
                items: list[str] = result  # type: ignore[assignment]
                earlier: list[str] | None = data.get(target)  # type: ignore[assignment]
                result = list(dict.fromkeys(earlier + items)) if earlier else list(items)
            data[target] = result
        if per_socket and "cpu_cores" in data and "cpu_sockets" in data:
            data["cpu_cores"] = data["cpu_cores"] * data["cpu_sockets"]  # type: ignore[operator]
        derive_identity(
            data,
            row,
            hostname_sources,
            [e.field for e in errors] if errors else (),
            fqdn_sources,
        )
        evidence = fixed_evidence
        if evidence is None:  # no headers given: the row's own keys (JSON rows may differ)
            keys = tuple(row)
            evidence = evidence_by_keys.get(keys)
            if evidence is None:
                evidence = evidence_columns(keys, type_sources)
                if len(evidence_by_keys) < memo_size:
                    evidence_by_keys[keys] = evidence
        derive_virtualization(data, row, evidence)
        for field in identifying:
            if field in data:
                return CleansedRow(data, errors, True, None)
        return CleansedRow(data, errors, False, INVALID_ROW_REASON)

    return cleanse


def cleanse_value(field: str, raw: str, unit: str | None = None) -> tuple[object, str | None]:
    """Cleanse one value of ``field``: ``(value or None, reason or None)``.

    A convenience for previews and tests; rows should go through :func:`compile_cleanser`.
    """
    if field not in _CANONICAL:
        raise ValueError(f"{field!r} is not a canonical field")
    value = clean_raw(raw)
    if value is None:
        return None, None
    try:
        result = normalizer_for(field, unit)(value)
    except InvalidValue as error:
        return None, error.reason
    return (keep_typed_lead(raw, result) if isinstance(result, str) else result), None
