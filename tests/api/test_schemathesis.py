"""Property-based: every operation of the OpenAPI document, called with generated
parameters and bodies (a valid token and valid tenant headers), never answers 5xx and
always answers as its schema says.

One test per operation. (``schemathesis.pytest.from_fixture`` does not work with the
installed pytest 9, so each test draws its cases with ``operation.as_strategy()``.)
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from discovery.api.app import create_app
from discovery.core.settings import load_settings
from tests.api.conftest import SECRET, Account, api_settings, create_account, drop_queued_jobs
from tests.flow_helpers import TenantIds, run_file, settings_for
from tests.inventory_files import write_servers_csv

# Per operation; raise it for a deeper run: SCHEMATHESIS_EXAMPLES=200 pytest tests/api -k schemathesis
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance]


FIXED_HEADERS = {"X-Client-Account-ID", "X-Engagement-ID"}


def _operations(*, negatable: bool = False) -> list[tuple[str, str]]:
    """Every (method, path) of the document (building it needs no database); with
    ``negatable``, those with an input left to make invalid once the tenant headers are
    fixed."""
    unused = "postgresql://unused/none"
    app = create_app(load_settings(database_url=unused, secret_key=SECRET), unused)
    return [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if not negatable
        or "requestBody" in operation
        or any(p["name"] not in FIXED_HEADERS for p in operation.get("parameters", []))
    ]


@pytest.fixture(scope="module")
async def fuzz_account(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Account]:
    """A tenant with a finished flow, so the read operations return real data."""
    account = await create_account(database_url)
    data = tmp_path_factory.mktemp("fuzz")
    summary = await run_file(
        database_url,
        settings_for(database_url, data / "data"),
        TenantIds(account.client_account_id, account.engagement_id),
        write_servers_csv(data / "servers.csv", 15),
    )
    assert summary["status"] == "completed"
    yield account
    await drop_queued_jobs(database_url, account.client_account_id)


@pytest.fixture(scope="module")
def api_schema(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> schemathesis.BaseSchema:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis") / "data"
    app = create_app(api_settings(database_url, data_dir), database_url)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _run(
    api_schema: schemathesis.BaseSchema,
    account: Account,
    method: str,
    path: str,
    mode: GenerationMode,
    checks: list[Any],
) -> None:
    headers = account.headers("admin")
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    run()


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_operation_errors_or_breaks_its_schema(
    method: str, path: str, api_schema: schemathesis.BaseSchema, fuzz_account: Account
) -> None:
    _run(api_schema, fuzz_account, method, path, GenerationMode.POSITIVE, CHECKS)


@pytest.mark.parametrize(("method", "path"), _operations(negatable=True))
def test_invalid_input_is_never_a_server_error(
    method: str, path: str, api_schema: schemathesis.BaseSchema, fuzz_account: Account
) -> None:
    """Negative cases (wrong types, missing fields, out-of-range values) answer 4xx."""
    _run(api_schema, fuzz_account, method, path, GenerationMode.NEGATIVE, [not_a_server_error])
