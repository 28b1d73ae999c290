"""Paths no record can have are 404 on every database, never a database error:
PostgreSQL refuses a NUL character in any text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from enkontakt.api.app import create_app
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.store import Projection
from tests.api.support import NOW, SECRET, SUPERVISOR, bearer, seed
from tests.projection.databases import postgres_url


@pytest.fixture
def client() -> Iterator[TestClient]:
    with postgres_url() as url:
        projection = Projection(url)
        projection.upgrade()
        seed(projection)
        settings = ApiSettings(jwt_secret=SECRET, database_url=url)
        app = create_app(settings, projection, clock=lambda: NOW)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
        projection.close()


def test_an_alert_id_with_a_nul_is_not_found(client: TestClient) -> None:
    assert client.post("/api/alerts/a%00b/ack", headers=bearer(SUPERVISOR)).status_code == 404


def test_dashboard_pages_of_ids_with_a_nul_are_not_found(client: TestClient) -> None:
    client.get("/login", params={"token": SUPERVISOR})
    assert client.get("/employers/a%00b").status_code == 404
    assert client.get("/employers/" + "9" * 5000).status_code == 404
