"""Which suggestions the mapping review highlights, and why (no database needed)."""

from __future__ import annotations

from typing import Any

from discovery.mapping.models import ImportFieldMapping
from discovery.web.routes.mapping import _review_rows


def mapping(
    source: str, target: str | None, confidence: float | None, **extra: Any
) -> ImportFieldMapping:
    return ImportFieldMapping(
        source_field=source,
        target_field=target,
        confidence=confidence,
        match_type="synonym" if target else None,
        status="suggested",
        alternatives=extra.get("alternatives"),
        priority=extra.get("priority"),
    )


def by_source(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["source"]: row for row in rows}


def test_low_confidence_conflicts_and_samples() -> None:
    rows = by_source(
        _review_rows(
            [
                mapping("Server", "name", 0.97),
                mapping("Status", "power_state", 0.55),
                mapping(
                    "Owner",
                    "business_owner",
                    0.8,
                    alternatives=[
                        {
                            "target_field": "technical_owner",
                            "confidence": 0.78,
                            "match_type": "synonym",
                        },
                        {"target_field": "location", "confidence": 0.3, "match_type": "fuzzy"},
                    ],
                ),
                mapping("Host", "hostname", 0.9),
                mapping("Host name", "hostname", 0.95),
                mapping("Notes", None, 0.0),
            ],
            [
                {"Server": "web01", "Status": "on", "Notes": ""},
                {"Server": "web01", "Status": "off"},
                {"Server": "db01", "Status": "on"},
                {"Server": "app01"},
            ],
        )
    )
    assert (rows["Server"]["low"], rows["Server"]["conflict"]) == (False, False)
    assert rows["Server"]["samples"] == ["web01", "db01", "app01"]
    assert rows["Status"]["low"] is True
    assert rows["Status"]["notes"] == ["Low confidence: check this one."]
    assert rows["Owner"]["conflict"] is True and rows["Owner"]["low"] is False
    assert rows["Owner"]["notes"] == ["Conflicting: it could also be technical_owner (78%)."]
    assert rows["Host"]["conflict"] is rows["Host name"]["conflict"] is True
    assert "Conflicting: another column has the same target." in rows["Host"]["notes"]
    # An unmapped column is neither low nor conflicting, and shows no confidence.
    assert (rows["Notes"]["low"], rows["Notes"]["conflict"], rows["Notes"]["percent"]) == (
        False,
        False,
        None,
    )
    assert rows["Notes"]["samples"] == []


def test_fallback_rows_are_labelled_and_not_conflicting() -> None:
    rows = by_source(
        _review_rows(
            [
                mapping("OS (config)", "operating_system", 0.99, priority=1),
                mapping("OS (tools)", "operating_system", 0.95, priority=2),
                mapping("Guest OS", "operating_system", 0.9, priority=3),
                mapping("Disk", "storage_gb", 0.9),
                mapping("Disk total", "storage_gb", 0.9),
            ],
            [],
        )
    )
    assert rows["OS (tools)"]["rank_note"] == "Fallback 2 for Operating system."
    assert rows["Guest OS"]["rank_note"] == "Fallback 3 for Operating system."
    assert rows["OS (config)"]["rank_note"] == (
        "Primary column for Operating system; where it is empty: OS (tools), Guest OS."
    )
    assert [rows[s]["fallback"] for s in ("OS (config)", "OS (tools)", "Guest OS")] == [
        False,
        True,
        True,
    ]
    assert not any(rows[s]["conflict"] for s in ("OS (config)", "OS (tools)", "Guest OS"))
    # Two columns for one field without ranks are still a conflict.
    assert rows["Disk"]["conflict"] is rows["Disk total"]["conflict"] is True
    assert rows["Disk"]["rank_note"] is None
