"""Schema-driven fuzzing of the HTTP API (Schemathesis + Hypothesis): for every operation in the
OpenAPI schema, a bounded number of generated requests, authenticated as a system administrator
and as an editor, must never produce a server error (5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.conftest import WITH_ID, auth, make_app, run_jobs, upload

MAX_EXAMPLES = 6
STATS: dict[int, int] = {}


@pytest.fixture
def fuzz_app(tmp_path: Path) -> Iterator[object]:
    app = make_app(tmp_path / "data", None)  # SQLite only: the point is the HTTP layer
    from fastapi.testclient import TestClient

    client = TestClient(app)
    upload(client, auth(app, "ed"), WITH_ID)  # draft 1 with findings 1 and 2
    run_jobs(app)
    app.state.fuzz_headers = {"root": auth(app, "root"), "ed": auth(app, "ed")}
    try:
        yield app
    finally:
        app.state.service.close()


def test_no_server_errors(fuzz_app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)
    headers = fuzz_app.state.fuzz_headers
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):  # type: ignore[no-untyped-def]
            for who in ("root", "ed"):
                response = case.call(headers=headers[who])
                STATS[response.status_code] = STATS.get(response.status_code, 0) + 1
                assert response.status_code < 500, (
                    who,
                    case.method,
                    case.formatted_path,
                    response.text[:300],
                )

        fuzz()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) >= 40 and "POST /api/v1/drafts/{draft_id}/approve" in tested
    assert sum(STATS.values()) > 300 and any(200 <= code < 300 for code in STATS), STATS
