"""What each wiring-health metric means, in words for the people who read the health page.

The metric names are the API's JSON keys (a contract) and stay as they are; these are
their titles and one sentence each on what a non-zero count means and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class MetricText:
    title: str
    meaning: str
    action: str


METRIC_TEXT: Final[dict[str, MetricText]] = {
    "flow_based_assets_missing_discovery_flow_id": MetricText(
        "Imported assets without their flow",
        "Assets made by a discovery flow that no longer say which flow made them.",
        "Run 'discovery db repair-wiring', or re-run the import.",
    ),
    "all_assets_missing_discovery_flow_id": MetricText(
        "Assets without a flow",
        "Assets of any origin that are not tied to a discovery flow.",
        "Expected for assets added by hand; otherwise re-run their import.",
    ),
    "assets_missing_master_flow_id": MetricText(
        "Assets without their master flow",
        "Assets whose link to the overall (master) flow is missing.",
        "Run 'discovery db repair-wiring': the link is rebuilt from the discovery flow.",
    ),
    "assets_with_orphan_raw_import_ref": MetricText(
        "Assets pointing at a missing file row",
        "Assets that name the imported row they came from, but that row is gone.",
        "Usually a deleted import: re-import the file to give them a source again.",
    ),
    "raw_records_with_orphan_asset_ref": MetricText(
        "File rows pointing at a missing asset",
        "Imported rows that name the asset made from them, but that asset is gone.",
        "Re-run the flow so the rows make their assets again, or delete the import.",
    ),
    "unprocessed_raw_records": MetricText(
        "File rows never processed",
        "Rows of finished flows that were neither turned into an asset nor rejected.",
        "Retry the flow from its progress page; if it persists, report it.",
    ),
    "assets_with_broken_backlink": MetricText(
        "Assets whose file row points elsewhere",
        "The asset names its row, but the row names another asset (or none).",
        "Run 'discovery db repair-wiring': it re-links rows and assets.",
    ),
    "processed_raw_records_without_asset_or_reason": MetricText(
        "Rows processed without result",
        "Rows marked done that made no asset and give no reason why.",
        "Re-run the flow's cleansing; report it if the count stays.",
    ),
    "dead_letter_chunks_pending": MetricText(
        "Batches waiting for a retry",
        "Groups of rows whose write to the inventory failed and were set aside.",
        "Open the flow and retry its failed chunks once the cause is fixed.",
    ),
    "duplicate_assets": MetricText(
        "Duplicate assets",
        "Assets that share an external ID, serial number or hostname with another.",
        "Check the source files for repeated machines; re-import to reconcile them.",
    ),
    "cross_tenant_links": MetricText(
        "Links to another client or engagement",
        "Assets linked to rows, flows or assets of a different tenant. Should never happen.",
        "Stop and report it: this is a data-isolation problem.",
    ),
}


def describe(name: str) -> MetricText:
    return METRIC_TEXT.get(name, MetricText(name.replace("_", " ").capitalize(), "", ""))


def descriptions() -> str:
    """The metrics as a Markdown list, for the API schema's description."""
    return "\n".join(
        f"- `{name}`: {text.title}. {text.meaning} {text.action}"
        for name, text in METRIC_TEXT.items()
    )
