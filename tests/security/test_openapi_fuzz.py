"""schemathesis against the app's own OpenAPI schema, in process: no endpoint answers 5xx to anything.

Calls carry an admin bearer token so generated data reaches the handlers, not only the auth check.
Endpoints that would lock the fuzzer out (revoking its token, deactivating its account) are left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.security.conftest import SecureApp

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    # 7-13 minutes on 2 cores: run with HOTLINE_FUZZ=1 (see README); known findings are in the closing notes.
    pytest.mark.skipif(os.environ.get("HOTLINE_FUZZ") != "1", reason="OpenAPI fuzzing runs with HOTLINE_FUZZ=1"),
]

# Examples per operation: enough for NUL bytes, huge numbers, odd unicode and empty bodies to come up,
# few enough that ~40 operations finish in about a minute on 2 shared cores.
EXAMPLES = 8


def _openapi() -> dict[str, Any]:
    """The schema the app publishes; building the app is cheap, its lifespan (models, store) is not needed."""
    import tempfile

    from gateway.app import create_app
    from gateway.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        document: dict[str, Any] = create_app(Settings(data_dir=Path(scratch))).openapi()
    return document


schema = (
    schemathesis.openapi.from_dict(_openapi())
    .exclude(path_regex=r"^/api/auth/api-tokens/\{token_id\}$")
    .exclude(path_regex=r"^/api/users/\{username\}$")
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples on every run: a failure in CI reproduces locally
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing request is reported as sent
)
def test_no_endpoint_answers_5xx(case: Any, secure_app: SecureApp) -> None:
    client = secure_app.client
    response = case.call(session=client, app=secure_app.app, base_url=client.base_url, headers=secure_app.auth)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n"
        f"request: {case.as_curl_command()}\nbody: {response.text[:800]}"
    )
