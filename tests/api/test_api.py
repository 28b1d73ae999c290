"""What the API returns: views, lists, alerts, acknowledgements, health and metrics."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text

from enkontakt.api import openapi
from enkontakt.api.auth import HIDDEN_SUBJECT, pseudonymous
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.store import Projection
from tests.api.support import CASELOAD, NOW, SECRET, SUPERVISOR, bearer, token
from tests.projection import samples as s


def test_the_view_is_returned_as_stored(client: TestClient) -> None:
    response = client.get(f"/api/employers/{s.ORGNR_A}", headers=bearer(SUPERVISOR))
    assert response.status_code == 200
    body = response.json()
    expected = s.view(s.ORGNR_A, contact_persons_30d=2)
    assert body["contact_person"] == expected["contact_person"]
    assert (
        body["recent_contacts"][0]["reported_by"] == expected["recent_contacts"][0]["reported_by"]
    )
    assert body["open_inquiries"][0]["inquiry_id"] == "KS-1"
    assert body["active_follow_ups"] == 1


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("contact_persons_30d", [s.ORGNR_B, s.ORGNR_A]),
        ("open_inquiries", [s.ORGNR_A, s.ORGNR_B]),
    ],
)
def test_the_employer_list_sorts(client: TestClient, sort: str, order: list[str]) -> None:
    response = client.get(f"/api/employers?sort={sort}", headers=bearer(SUPERVISOR))
    assert [e["orgnr"] for e in response.json()] == order


def test_the_list_counts_open_and_overdue_inquiries(client: TestClient) -> None:
    employers = client.get("/api/employers", headers=bearer(SUPERVISOR)).json()
    by_orgnr = {e["orgnr"]: e for e in employers}
    assert by_orgnr[s.ORGNR_A]["open_inquiry_count"] == 1
    assert by_orgnr[s.ORGNR_A]["overdue_inquiry_count"] == 0
    assert by_orgnr[s.ORGNR_B]["open_inquiry_count"] == 0


def test_unknown_sort_or_bad_orgnr_is_422(client: TestClient) -> None:
    headers = bearer(SUPERVISOR)
    assert client.get("/api/employers?sort=name", headers=headers).status_code == 422
    assert client.get("/api/employers/12345", headers=headers).status_code == 422


def test_alerts_filter_by_status_and_rule(client: TestClient) -> None:
    headers = bearer(SUPERVISOR)
    firing = client.get("/api/alerts?status=firing", headers=headers).json()
    assert {a["alert_id"] for a in firing} == {"overdue-a", "absent-b", "caseload-1"}
    absent = client.get("/api/alerts?rule=contact-person-absent", headers=headers).json()
    assert [a["alert_id"] for a in absent] == ["absent-b"]
    caseload = client.get("/api/alerts?rule=caseload-high", headers=headers).json()
    assert caseload[0]["person"]["name"] == CASELOAD["person"]["name"]
    assert caseload[0]["orgnr"] is None


def test_acknowledging_records_who_and_when_once(client: TestClient) -> None:
    first = client.post("/api/alerts/overdue-a/ack", headers=bearer(SUPERVISOR))
    assert first.status_code == 200
    assert first.json()["acknowledged_by"] == "Z990001"
    assert first.json()["acknowledged_at"].startswith("2026-10-20T12:00:00")
    other = token(["supervisor"], units=["1902"], sub="Z990002")
    again = client.post("/api/alerts/overdue-a/ack", headers=bearer(other))
    assert again.json()["acknowledged_by"] == "Z990001"
    listed = client.get("/api/alerts?status=firing", headers=bearer(other)).json()
    assert {a["alert_id"]: a["acknowledged_by"] for a in listed}["overdue-a"] == "Z990001"


def synthetic_identity_number() -> str:
    """A number that passes the fødselsnummer checks, made up at run time."""
    from stdnum.no import fodselsnummer

    for serial in range(100, 500):
        stem = f"{date(1990, 1, 15):%d%m%y}{serial}"
        first = fodselsnummer.calc_check_digit1(stem)
        candidate = stem + first + fodselsnummer.calc_check_digit2(stem + first)
        if fodselsnummer.is_valid(candidate):
            return candidate
    raise AssertionError("no valid number found")


def test_an_identity_number_as_subject_is_never_stored(client: TestClient) -> None:
    number = synthetic_identity_number()
    supervisor = token(["supervisor"], units=["1902"], sub=number)
    body = client.post("/api/alerts/absent-b/ack", headers=bearer(supervisor)).json()
    kept = body["acknowledged_by"]
    assert kept.startswith("hmac:")
    assert number not in json.dumps(body)
    # Not a plain hash of the number, which anyone could find by trying them all.
    for digest in (
        hashlib.sha256(number.encode()).hexdigest(),
        hashlib.md5(number.encode()).hexdigest(),
    ):
        assert digest[:16] not in kept


def test_the_subject_hash_is_keyed_and_without_a_key_tells_no_one_apart() -> None:
    number = synthetic_identity_number()
    written = f"{number[:6]} {number[6:]}"
    assert pseudonymous(number, b"k" * 32) == pseudonymous(written, b"k" * 32)
    assert pseudonymous(number, b"k" * 32) != pseudonymous(number, b"j" * 32)
    assert pseudonymous(number, None) == HIDDEN_SUBJECT
    assert pseudonymous("Z990001", None) == "Z990001"


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/isalive").text == "alive"
    assert client.get("/isready").status_code == 200
    client.get(f"/api/employers/{s.ORGNR_A}", headers=bearer(SUPERVISOR))
    metrics = client.get("/metrics").text
    assert 'route="/api/employers/{orgnr}",status="200"' in metrics
    assert s.ORGNR_A not in metrics


def test_a_request_that_fails_inside_is_counted_as_the_500_it_gets(
    app: FastAPI, projection: Projection
) -> None:
    with projection.engine.begin() as connection:
        connection.execute(text("DROP TABLE alerts"))
    with TestClient(app, raise_server_exceptions=False) as failing:
        assert failing.get("/api/alerts", headers=bearer(SUPERVISOR)).status_code == 500
        metrics = failing.get("/metrics").text
    assert 'method="GET",route="/api/alerts",status="500"' in metrics


def test_not_ready_without_the_schema(client: TestClient, projection: Projection) -> None:
    with projection.engine.begin() as connection:
        connection.execute(text("DROP TABLE alerts"))
    assert client.get("/isready").status_code == 503
    assert client.get("/isalive").status_code == 200


def test_the_committed_openapi_document_is_current(app: FastAPI) -> None:
    committed = json.loads(openapi.COMMITTED.read_text(encoding="utf-8"))
    assert committed == openapi.document(), "run: python -m enkontakt.api.openapi"
    assert app.openapi() == committed
    assert openapi.COMMITTED.read_text(encoding="utf-8") == openapi.render()


def test_the_served_openapi_document_is_the_committed_one(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == json.loads(openapi.COMMITTED.read_text())


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "exactly one"),
        ({"ENKONTAKT_JWT_SECRET": "short"}, "at least 32"),
        ({"ENKONTAKT_JWT_SECRET": SECRET, "ENKONTAKT_JWKS_URL": "http://x/jwks"}, "exactly one"),
        ({"ENKONTAKT_JWKS_URL": "http://127.0.0.1/jwks"}, "ISSUER"),
    ],
)
def test_settings_refuse_unclear_token_checks(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name in ("ENKONTAKT_JWT_SECRET", "ENKONTAKT_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        ApiSettings()


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENKONTAKT_JWT_SECRET", SECRET)
    monkeypatch.setenv("ENKONTAKT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENKONTAKT_DATABASE_URL", raising=False)
    settings = ApiSettings()
    assert settings.database == f"sqlite:///{tmp_path}/enkontakt.sqlite"
    assert SECRET not in repr(settings)
    assert NOW.tzinfo is not None
