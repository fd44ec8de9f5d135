"""``discovery run`` / ``flows approve`` / ``flows show`` in text mode: the results block
says what the flow found, in the same words as the flow page."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

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


def test_retry_failed_reprocesses_in_the_terminal(
    env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    """``flows retry-failed`` does the work itself (the API queues it) and says what it did."""
    client = new_client(env, "Retry")
    path = write_servers(tmp_path / "servers.csv")
    common = ("run", str(path), "--client", client, "--engagement", "Wave 1", "--approve-mappings")
    summary = json.loads(discovery(*common, "--json", env=env).stdout)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO migration.failed_asset_chunks (id, client_account_id, engagement_id,"
            " discovery_flow_id, chunk_number, first_row_number, last_row_number, error,"
            " attempts)"
            " SELECT gen_random_uuid(), client_account_id, engagement_id, id, 9, 1, 2,"
            " 'OperationalError: server closed the connection', 1"
            " FROM migration.discovery_flows WHERE master_flow_id = %s",
            (summary["master_flow_id"],),
        )
    retried = discovery("flows", "retry-failed", summary["master_flow_id"], env=env)
    assert retried.returncode == 0, retried.stderr
    # Rows 1-2 were linked already: the chunk is reprocessed and links nothing new.
    assert retried.stdout.strip() == "reprocessed 1 chunk(s): 0 row(s) linked, 0 asset(s) created"
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT reprocessed_at IS NOT NULL FROM migration.failed_asset_chunks c"
            " JOIN migration.discovery_flows f ON f.id = c.discovery_flow_id"
            " WHERE f.master_flow_id = %s",
            (summary["master_flow_id"],),
        ).fetchone()
    assert row == (True,)
