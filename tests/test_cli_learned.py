"""``discovery mappings learned list|forget`` and what ``run --approve-mappings`` says about
a learned unmap it did not apply."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from tests.cli_runner import discovery

SERVERS = """\
Server Name,IP Address,Application,Owner
web01,10.0.0.11,Billing,alice@example.com
db01,10.0.0.21,Billing,bob@example.com
"""


def test_learned_mappings_are_listed_forgotten_and_an_unmap_is_not_applied_unattended(
    env: dict[str, str], tmp_path: Path
) -> None:
    client = f"Learn-{uuid.uuid4().hex[:8]}"
    assert discovery("tenants", "create-client", client, env=env).returncode == 0
    for engagement in ("Wave 1", "Wave 2"):
        assert (
            discovery("tenants", "create-engagement", client, engagement, env=env).returncode == 0
        )
    path = tmp_path / "servers.csv"
    path.write_text(SERVERS)

    waiting = discovery("run", str(path), "--client", client, "--engagement", "Wave 1", env=env)
    assert waiting.returncode == 0, waiting.stderr
    found = re.search(r"^master flow\s+(\S+)", waiting.stdout, re.M)
    assert found is not None, waiting.stdout
    approved = discovery(
        "flows", "approve", found.group(1), "--map", "Owner=technical_owner",
        "--unmap", "Application", env=env,
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr

    listed = discovery("mappings", "learned", "list", "--client", client, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[1]: line for line in listed.stdout.splitlines()}
    assert set(lines) == {"Application", "Owner"}
    assert "(leave unmapped)" in lines["Application"]
    assert "technical_owner" in lines["Owner"]
    assert "engagement 'Wave 1' (servers.csv)" in lines["Owner"]
    assert lines["Owner"].endswith(" UTC")

    unattended = discovery(
        "run", str(path), "--client", client, "--engagement", "Wave 2", "--approve-mappings",
        env=env,
    )  # fmt: skip
    assert unattended.returncode == 0, unattended.stderr
    assert re.search(r"^  Application\s+-> application_name\s", unattended.stdout, re.M)
    assert re.search(r"^  Owner\s+-> technical_owner\s", unattended.stdout, re.M)
    assert (
        "learned, not applied: 'Application' was left unmapped in engagement 'Wave 1'"
        in unattended.stdout
    )

    forgot = discovery("mappings", "learned", "forget", "Owner", "--client", client, env=env)
    assert forgot.returncode == 0, forgot.stderr
    assert forgot.stdout.startswith("forgot 'Owner' -> technical_owner")
    again = discovery("mappings", "learned", "forget", "Owner", "--client", client, env=env)
    assert again.returncode == 1
    assert "no learned mapping 'Owner'" in again.stderr
    left = discovery("mappings", "learned", "list", "--client", client, env=env).stdout
    assert [line.split()[1] for line in left.splitlines()] == ["Application"]
