"""A stored document that is not valid (stored before documents were checked)
never breaks a page: lists leave it out, and on its own it is not found.

One abstract class, run against SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from enkontakt.api.app import create_app
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.store import Projection
from tests.api.support import NOW, SECRET, SUPERVISOR, bearer, seed
from tests.projection import samples as s
from tests.projection.databases import postgres_url, sqlite_url
from tests.projection.test_store import store_unchecked, without

INCOMPLETE_ORGNR = "999999999"


class StoredDocumentSuite:
    """Behaviour of the API over an old, incomplete document, on every backend."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        raise NotImplementedError

    @pytest.fixture
    def client(self, database_url: str) -> Iterator[TestClient]:
        projection = Projection(database_url)
        projection.upgrade()
        seed(projection)
        store_unchecked(
            projection,
            views=[without(s.view(INCOMPLETE_ORGNR), "contact_person")],
            alerts=[without(s.alert("incomplete"), "summary")],
        )
        settings = ApiSettings(jwt_secret=SECRET, database_url=database_url)
        with TestClient(create_app(settings, projection, clock=lambda: NOW)) as client:
            yield client
        projection.close()

    def test_lists_leave_it_out(self, client: TestClient) -> None:
        employers = client.get("/api/employers", headers=bearer(SUPERVISOR))
        assert employers.status_code == 200
        assert {e["orgnr"] for e in employers.json()} == {s.ORGNR_A, s.ORGNR_B}
        alerts = client.get("/api/alerts", headers=bearer(SUPERVISOR))
        assert alerts.status_code == 200
        assert "incomplete" not in {a["alert_id"] for a in alerts.json()}
        assert "overdue-a" in {a["alert_id"] for a in alerts.json()}
        assert client.get("/", headers=bearer(SUPERVISOR)).status_code == 200

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", f"/api/employers/{INCOMPLETE_ORGNR}"),
            ("GET", f"/api/employers/{INCOMPLETE_ORGNR}/contact"),
            ("POST", "/api/alerts/incomplete/ack"),
            ("GET", f"/employers/{INCOMPLETE_ORGNR}"),
        ],
    )
    def test_alone_it_is_not_found(self, client: TestClient, method: str, path: str) -> None:
        assert client.request(method, path, headers=bearer(SUPERVISOR)).status_code == 404


class TestSQLite(StoredDocumentSuite):
    """The embedded default."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        yield sqlite_url(tmp_path)


@pytest.mark.integration
class TestPostgreSQL(StoredDocumentSuite):
    """Production's database, in a schema of this test's own."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        with postgres_url() as url:
            yield url
