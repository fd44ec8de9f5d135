"""Which rows of a chunk the Reconciler must decide, and which it would simply create.

Most rows of an import describe an asset that no known asset and no other row of the
chunk shares an identifier with. The Reconciler would create each of them: none of its
keys can be in its index, since every key there (of a known asset, of an asset created
or merged from another row) is built from the identifiers of that asset or those rows.
The sieve finds those rows as a set operation over *atoms*, the single identifiers the
keys are built from (id, serial, FQDN, host name, IP address, folded name), counted over
the whole chunk and the known assets at once: a row none of whose atoms occurs anywhere
else is a plain create. The test is conservative (a shared IP address with a different
name, or a shared placeholder value, sends a row to the Reconciler although it would be
created anyway), so the decisions are exactly those of deciding every row in turn.

Shadow rows and rows that bring their own ``alternate_ids`` always go to the Reconciler.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from discovery.assets import reconcile
from discovery.assets.preview import Decision, Reconciler, decision_order


def atoms(data: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The single identifiers any match key of ``data`` is built from, as (kind, value).

    Values are stripped and folded to lower case for every kind (folding more than the
    keys do only makes the test more conservative). A placeholder ("N/A", "To be filled
    by O.E.M.") is no atom: no key is ever made of it, so rows sharing one still share no
    key. A host name derived from the FQDN counts as a host name, placeholder or not (the
    keys take it from the FQDN as it is).
    """
    found: set[tuple[str, str]] = set()
    for kind in reconcile.KEY_FIELDS:
        value = data.get(kind)
        if isinstance(value, str) and value.strip():
            folded = value.strip().lower()
            if not reconcile.is_placeholder(folded):
                found.add((kind, folded))
    fqdn = data.get("fqdn")
    if isinstance(fqdn, str) and fqdn.strip():
        found.add(("hostname", fqdn.strip().lower().split(".")[0]))
    found |= alternate_atoms(reconcile.alternate_ids(data))
    return found


def alternate_atoms(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The atoms of alternate identifiers (``reconcile.alternate_ids``)."""
    found: set[tuple[str, str]] = set()
    for kind, value in pairs:
        found.add((kind, value.strip().lower()))
        if kind == "fqdn":
            found.add(("hostname", value.strip().lower().split(".")[0]))
    return found


def needs_reconciler(data: Mapping[str, Any]) -> bool:
    """Whether a row must be decided by the Reconciler whatever its identifiers."""
    custom = data.get("custom_attributes")
    own_alternates = isinstance(custom, Mapping) and reconcile.ALTERNATE_IDS in custom
    return own_alternates or reconcile.is_shadow(data)


def plain_creates(
    incoming: Sequence[Mapping[str, Any]], known: Iterable[Mapping[str, Any]]
) -> set[int]:
    """Positions of ``incoming`` that share no atom with another row or a known asset."""
    row_atoms = [atoms(data) for data in incoming]
    counts: Counter[tuple[str, str]] = Counter()
    for found in row_atoms:
        counts.update(found)
    for asset in known:
        # Twice, so that an atom of a known asset never counts as a row's own alone.
        found = atoms(asset)
        counts.update(found)
        counts.update(found)
    return {
        position
        for position, found in enumerate(row_atoms)
        if not needs_reconciler(incoming[position]) and all(counts[a] == 1 for a in found)
    }


def decide_chunk(
    reconciler: Reconciler,
    incoming: Sequence[Mapping[str, Any]],
    known: Iterable[Mapping[str, Any]],
    extra: Callable[[int], Mapping[str, Any]],
    *,
    sieved: bool = False,
) -> Iterator[tuple[int, Decision]]:
    """Every row's decision, in :func:`decision_order`; plain creates skip the Reconciler.

    ``known`` are the assets the Reconciler was given; ``extra(position)`` the lineage
    and id of the asset a row would create (called once per row, in decision order, so
    time-ordered ids follow the rows as they always have). ``sieved``: ``incoming`` are
    the rows a sieve over the whole chunk left (:mod:`.columnar`); none of them is plain.
    """
    plain = set() if sieved else plain_creates(incoming, known)
    for position in decision_order(incoming):
        data = incoming[position]
        if position in plain:
            yield position, Decision("create", {**data, **extra(position)})
        else:
            yield position, reconciler.decide(data, extra(position))
