"""What a row does to the inventory, decided without touching the database.

The inventory phase and the dry run (``POST …/imports/preview``) share these pure pieces,
so a preview says exactly what an import would do:

- :func:`incoming_asset`: the asset a cleansed row describes (canonical fields, type,
  custom attributes, scores);
- :class:`Reconciler`: matches each incoming asset against the known ones (and those
  created by earlier rows of the same file) by the match keys, and merges it;
- :class:`PreviewReport`: counts and a few examples of each outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from discovery.assets import classify, reconcile, scores
from discovery.canonical import CANONICAL_FIELDS

SCORES = frozenset({"confidence_score", "completeness_score", "quality_score"})
EXAMPLES_PER_OUTCOME = 10

Outcome = Literal["create", "update", "unchanged", "error"]


@dataclass(frozen=True)
class AssetShape:
    """How the rows of one import become assets (from its approved or suggested mappings)."""

    mapped_sources: frozenset[str]
    confidence_by_target: Mapping[str, float | None]
    detected_format: str | None
    ignored_sources: frozenset[str] = frozenset()


def incoming_asset(
    shape: AssetShape,
    cleansed: Mapping[str, Any] | None,
    raw: Mapping[str, Any] | None,
    validation_errors: Sequence[Any] | None,
) -> dict[str, Any]:
    """The asset a cleansed row describes, scores included (no lineage)."""
    supplied = {k: v for k, v in (cleansed or {}).items() if k in CANONICAL_FIELDS}
    data = dict(supplied)
    data["name"] = (
        data.get("name") or data.get("hostname") or data.get("fqdn") or data.get("ip_address")
    )
    data["asset_type"] = classify.classify(data, shape.detected_format).value
    custom = {
        key: value
        for key, value in (raw or {}).items()
        if key not in shape.mapped_sources
        and key not in shape.ignored_sources
        and isinstance(value, str)
        and value.strip()
    }
    return {
        **data,
        "custom_attributes": custom,
        # Confidence and quality judge what the mappings supplied, not the name derived
        # from the host name or the classified type; completeness judges the asset.
        "confidence_score": scores.confidence_score(supplied, shape.confidence_by_target),
        "completeness_score": scores.completeness_score(data),
        "quality_score": scores.quality_score(supplied, validation_errors),
    }


@dataclass
class Decision:
    action: Literal["create", "update", "unchanged"]
    asset: dict[str, Any]  # the new asset, or the matched one with the changes applied
    matched_by: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)  # changed fields, as they were


class Reconciler:
    """Matches incoming assets to known ones; every decided asset becomes known too.

    ``in_import`` are the ids of known assets that this import has already created or
    updated (in earlier chunks): a row matching one of them, or any asset decided here,
    is an in-file duplicate and only fills blanks (:func:`reconcile.merge`).
    """

    def __init__(
        self,
        existing: Iterable[dict[str, Any]],
        order: Sequence[str],
        in_import: Iterable[Any] = (),
    ) -> None:
        self.order = tuple(order)
        self._index: dict[tuple[str, str], dict[str, Any]] = {}
        self._in_import_ids = set(in_import)
        self._decided: set[int] = set()  # id() of the assets decided by this reconciler
        self.know(existing)

    def know(self, assets: Iterable[dict[str, Any]]) -> None:
        """Add known assets; a key already taken keeps its first asset."""
        for asset in assets:
            self._remember(asset)

    def _remember(self, asset: dict[str, Any]) -> None:
        for key in reconcile.asset_keys(asset):
            self._index.setdefault(key, asset)

    def decide(self, data: Mapping[str, Any], extra: Mapping[str, Any]) -> Decision:
        """Create ``{**data, **extra}``, or merge ``data`` into the asset it matches."""
        keys = reconcile.match_keys(data, self.order)
        match = next((key for key in keys if key in self._index), None)
        if match is None:
            decision = Decision("create", {**data, **extra})
        else:
            asset = self._index[match]
            fill_only = (
                id(asset) in self._decided
                or asset.get("id") in self._in_import_ids
                or reconcile.is_shadow(data)
            )
            delta = reconcile.merge(
                asset, {k: v for k, v in data.items() if k not in SCORES}, fill_only=fill_only
            )
            previous = {name: asset.get(name) for name in delta}
            if delta:
                asset.update(delta)
                previous["completeness_score"] = asset.get("completeness_score")
                delta["completeness_score"] = scores.completeness_score(asset)
                asset["completeness_score"] = delta["completeness_score"]
            action: Literal["update", "unchanged"] = "update" if delta else "unchanged"
            decision = Decision(action, asset, match[0], delta, previous)
        self._decided.add(id(decision.asset))
        self._remember(decision.asset)
        return decision


def decision_order(incoming: Sequence[Mapping[str, Any]]) -> list[int]:
    """Positions of ``incoming`` in the order to decide them: shadow rows last.

    A shadow row (an SRM placeholder) merges into the machine it stands for, so that
    machine's own row must be decided first wherever it stands in the chunk.
    """
    shadows = [i for i, data in enumerate(incoming) if reconcile.is_shadow(data)]
    if not shadows:
        return list(range(len(incoming)))
    taken = set(shadows)
    return [i for i in range(len(incoming)) if i not in taken] + shadows


def _shown(value: Any) -> Any:
    plain = value is None or isinstance(value, str | int | float | bool | list | dict)
    return value if plain else str(value)


@dataclass
class PreviewReport:
    """Counts of every outcome, and the first few rows of each as examples."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    )
    examples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"create": [], "update": [], "unchanged": [], "error": []}
    )
    rows_with_value_errors: int = 0
    duplicates_in_file: int = 0

    def _example(self, outcome: Outcome, example: dict[str, Any]) -> None:
        self.counts[outcome] += 1
        if len(self.examples[outcome]) < EXAMPLES_PER_OUTCOME:
            self.examples[outcome].append(example)

    def add_error(
        self, row_number: int, raw: Mapping[str, Any], reason: str | None, errors: Sequence[Any]
    ) -> None:
        self._example(
            "error",
            {"row_number": row_number, "reason": reason, "errors": list(errors), "raw": dict(raw)},
        )

    def add(self, row_number: int, decision: Decision, errors: Sequence[Any]) -> None:
        """Record the outcome of one valid row."""
        if errors:
            self.rows_with_value_errors += 1
        asset = decision.asset
        example: dict[str, Any] = {
            "row_number": row_number,
            "name": asset.get("name"),
            "asset_type": asset.get("asset_type"),
        }
        if decision.action != "create":
            in_file = asset.get("id") is None
            self.duplicates_in_file += in_file
            example["matched_by"] = decision.matched_by
            example["existing_asset_id"] = None if in_file else str(asset["id"])
            example["matches_row_number"] = asset.get("preview_row_number") if in_file else None
        if decision.action == "update":
            example["changes"] = {
                name: {"from": _shown(decision.previous.get(name)), "to": _shown(value)}
                for name, value in decision.changes.items()
            }
        if errors:
            example["errors"] = list(errors)
        self._example(decision.action, example)
