"""The sieve: deciding a chunk with plain creates set aside decides exactly as the Reconciler.

Random small files drawn from a tiny pool of identifiers, so that rows collide often:
in-file duplicates, case-different names and host names, FQDNs whose host part is
another row's host name, shadow rows (SRM placeholders), rows and known assets with
alternate ids, placeholders ("N/A"), and re-imports (known assets from an earlier import,
some of them touched by this import already).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.assets import reconcile
from discovery.assets.preview import Reconciler, decision_order
from discovery.assets.sieve import atoms, decide_chunk, plain_creates

NAMES = st.sampled_from(["web01", "WEB01", "db01", "Db01", "app7", "n/a", None])
HOSTS = st.sampled_from(["web01", "db01", "app7", "lb3", None])
FQDNS = st.sampled_from(
    ["web01.corp.example", "app7.corp.example", "x9.example", "n/a.corp.example", "N/A.lab", None]
)
IDS = st.sampled_from(["sys-1", "sys-2", "sys-3", "N/A", None])
SERIALS = st.sampled_from(["SN1", "SN2", "to be filled by o.e.m.", None])
IPS = st.sampled_from(["10.0.0.1", "10.0.0.2", None])
TYPES = st.sampled_from(["server", "virtual_machine", "database"])
OSES = st.sampled_from(["Linux", "Windows Server 2012", None])
TAGS = st.lists(st.sampled_from(["prod", "web", "eu"]), max_size=2)
ALTERNATES = st.sampled_from(
    [None, "external_id=sys-3", "serial_number=SN2; hostname=lb3", "fqdn=x9.example"]
)


@st.composite
def assets(draw: st.DrawFn) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    if draw(st.booleans()):
        custom["SRM Placeholder"] = draw(st.sampled_from(["True", "False"]))
    alternates = draw(ALTERNATES)
    if alternates:
        custom[reconcile.ALTERNATE_IDS] = alternates
    data = {
        "name": draw(NAMES),
        "hostname": draw(HOSTS),
        "fqdn": draw(FQDNS),
        "external_id": draw(IDS),
        "serial_number": draw(SERIALS),
        "ip_address": draw(IPS),
        "asset_type": draw(TYPES),
        "operating_system": draw(OSES),
        "tags": draw(TAGS),
        "custom_attributes": custom,
        "completeness_score": 0.5,
    }
    return data


def _reference(
    incoming: list[dict[str, Any]], known: list[dict[str, Any]], touched: set[str]
) -> list[tuple[int, Any]]:
    reconciler = Reconciler(known, reconcile.DEFAULT_MATCH_ORDER, in_import=touched)
    return [
        (position, reconciler.decide(incoming[position], {"id": f"row-{position}"}))
        for position in decision_order(incoming)
    ]


def _outcome(decisions: list[tuple[int, Any]]) -> list[tuple[Any, ...]]:
    return [
        (position, d.action, d.asset["id"], d.matched_by, d.changes, d.asset)
        for position, d in decisions
    ]


@settings(max_examples=400, deadline=None)
@given(
    incoming=st.lists(assets(), max_size=8),
    known=st.lists(assets(), max_size=4),
    touched_mask=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_the_sieve_decides_as_the_reconciler(
    incoming: list[dict[str, Any]], known: list[dict[str, Any]], touched_mask: list[bool]
) -> None:
    for number, asset in enumerate(known):
        asset["id"] = f"known-{number}"
    touched = {a["id"] for a, hit in zip(known, touched_mask, strict=False) if hit}
    expected = _reference(copy.deepcopy(incoming), copy.deepcopy(known), touched)

    own_known = copy.deepcopy(known)
    reconciler = Reconciler(own_known, reconcile.DEFAULT_MATCH_ORDER, in_import=touched)
    got = list(
        decide_chunk(reconciler, copy.deepcopy(incoming), own_known, lambda p: {"id": f"row-{p}"})
    )
    assert _outcome(got) == _outcome(expected)


def test_rows_sharing_nothing_are_plain_and_collisions_are_not() -> None:
    incoming = [
        {"name": "alpha", "hostname": "alpha", "asset_type": "server"},
        {"name": "beta", "fqdn": "beta.corp.example", "asset_type": "server"},
        {"name": "Gamma", "asset_type": "server"},
        {"name": "gamma", "ip_address": "10.0.0.9", "asset_type": "database"},
        {"name": "delta", "asset_type": "server", "custom_attributes": {"SRM Placeholder": "yes"}},
        {"name": "eps", "serial_number": "SN9", "asset_type": "server"},
    ]
    known = [
        {"id": "k", "name": "other", "custom_attributes": {"alternate_ids": "serial_number=SN9"}}
    ]
    # Names collide case-insensitively; shadow rows always go to the Reconciler; an
    # alternate id of a known asset is an atom too.
    assert plain_creates(incoming, known) == {0, 1}
    assert ("hostname", "beta") in atoms(incoming[1])
