"""``discovery run`` / ``flows approve`` / ``flows show`` in text mode: the results block
says what the flow found, in the same words as the flow page."""

from __future__ import annotations

import json
from pathlib import Path

from discovery.flows.summary import results_lines
from tests.cli_runner import discovery, new_client
from tests.tech_debt_files import expected_end_of_support, write_servers


def _results_block(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    start = lines.index("results:")
    block: dict[str, str] = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        topic, sentence = line[2:17].strip(), line[18:]
        block[topic] = sentence
    return block


def test_run_prints_what_the_flow_found(env: dict[str, str], tmp_path: Path) -> None:
    client = new_client(env, "Results")
    path = write_servers(tmp_path / "servers.csv")
    common = ("run", str(path), "--client", client, "--engagement", "Wave 1", "--approve-mappings")
    shown = discovery(*common, env=env)
    assert shown.returncode == 0, shown.stderr
    block = _results_block(shown.stdout)

    assert block["assets"] == (
        "4 assets created, 0 updated, 0 unchanged; 1 duplicate row merged into an existing asset."
    )
    assert block["dependencies"].endswith(
        "1 reference to no known asset (for example web02 → ghost01)."
    )
    ended, ending = expected_end_of_support()
    assert ended and ending
    assert block["end of support"] == (
        f"{ended} asset{'s' if ended != 1 else ''} past end of support, "
        f"{ending} more ending within a year."
    )
    assert block["invalid rows"].startswith("1 row with invalid values")
    assert block["errors CSV"].startswith("GET /api/v1/unified-discovery/imports/")
    assert block["errors CSV"].endswith("/errors")
    assert block["as of"].endswith(" UTC.")
    assert "mapping" not in block  # approved on request, not by a reviewer

    # The JSON carries the same results; the text is those results in words.
    again = discovery(*common, "--json", env=env)
    results = json.loads(again.stdout)["results"]
    # Run again: both web01 rows now match the existing asset, so nothing is merged.
    assert results["assets"] == {"created": 0, "updated": 0, "unchanged": 4, "merged_duplicates": 0}
    assert results["dependencies"]["unresolved_samples"] == ["web02: ghost01"]
    assert results["end_of_support"] == {"ended": ended, "ending_within_a_year": ending}
    assert dict(results_lines(results))["assets"].startswith("0 assets created")


def test_approve_shows_the_reviewers_mapping_changes(env: dict[str, str], tmp_path: Path) -> None:
    client = new_client(env, "Results")
    path = write_servers(tmp_path / "servers.csv")
    started = discovery(
        "run", str(path), "--client", client, "--engagement", "Wave 1", "--json", env=env
    )
    summary = json.loads(started.stdout)
    assert summary["status"] == "waiting_for_approval"
    suggested = {m["source_field"]: m["target_field"] for m in summary["field_mappings"]}
    assert suggested["Environment"] == "environment"

    approved = discovery(
        "flows", "approve", summary["master_flow_id"], "--unmap", "Environment", env=env
    )
    assert approved.returncode == 0, approved.stderr
    block = _results_block(approved.stdout)
    assert block["mapping"] == (
        "The reviewer changed 1 column: Environment: environment → not mapped."
    )
    shown = discovery("flows", "show", summary["master_flow_id"], "--json", env=env)
    assert json.loads(shown.stdout)["results"]["mapping_changes"] == [
        {"source_field": "Environment", "suggested": "environment", "approved": None}
    ]
