"""The running API against its OpenAPI document, with schemathesis.

A real uvicorn server serves a seeded projection; schemathesis generates a few
requests per operation (valid and invalid) and checks status codes, content
types, response bodies, and that the routes refuse requests without a token.

The operations come from the committed document, which test_api.py holds equal
to the one the server serves. (Loading it from the server inside a fixture,
``schemathesis.pytest.from_fixture``, needs a pytest attribute that pytest 9
no longer has.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import negative_data_rejection

from enkontakt.api import openapi
from tests.api.support import bearer, serving, token

pytestmark = pytest.mark.timeout(180)

# A supervisor of both seeded units, so that generated requests can also succeed.
SUPERVISOR = token(["supervisor"], units=["1902", "0301"])

schema = schemathesis.openapi.from_path(openapi.COMMITTED)


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_openapi_document(case: Case[Any], base_url: str) -> None:
    # Unknown query parameters are ignored, as HTTP APIs commonly do; schemathesis's
    # negative-data check counts a request that only adds one as "accepted invalid
    # data". Invalid values of the declared parameters are still generated and must
    # be answered 422 (status-code and schema conformance below); tokens and scopes
    # have their own tests (test_scoping.py).
    case.call_and_validate(
        base_url=base_url,
        headers=bearer(SUPERVISOR),
        excluded_checks=[negative_data_rejection],
    )
