"""Who may see what: 401 without a valid token, 403 outside its scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.api.support import EMPLOYER, SECRET, SUPERVISOR, bearer, token
from tests.projection import samples as s

API_ROUTES = [
    ("GET", "/api/employers"),
    ("GET", f"/api/employers/{s.ORGNR_A}"),
    ("GET", f"/api/employers/{s.ORGNR_A}/contact"),
    ("GET", "/api/alerts"),
    ("POST", "/api/alerts/overdue-a/ack"),
]


def expired() -> str:
    past = datetime.now(UTC) - timedelta(minutes=5)
    return jwt.encode(
        {"sub": "Z1", "roles": ["supervisor"], "units": ["1902"], "exp": past},
        SECRET,
        algorithm="HS256",
    )


BAD_TOKENS = {
    "wrong secret": token(["supervisor"], ["1902"], secret="another-secret-of-thirty-two-chars!"),
    "expired": expired(),
    "no expiry": jwt.encode({"sub": "Z1", "roles": ["supervisor"]}, SECRET, algorithm="HS256"),
    "unsigned": jwt.encode(
        {"sub": "Z1", "roles": ["supervisor"], "units": ["1902"], "exp": 9_999_999_999},
        key="",
        algorithm="none",
    ),
    "roles not a list": token("supervisor", ["1902"]),  # type: ignore[arg-type]
    "unknown role": token(["admin"], ["1902"]),
    "unit not 4 digits": token(["supervisor"], ["19020"]),
    "unit with a line feed": token(["supervisor"], ["1902\n"]),
    "unit in other digits": token(["supervisor"], ["\u0661\u0669\u0660\u0662"]),
    "orgnr with a line feed": token(["employer"], orgnr="974760673\n"),
    "orgnr not 9 digits": token(["employer"], orgnr="97476067"),
    "garbage": "not.a.token",
    "expiry beyond any date": token(["supervisor"], ["1902"], exp=10**20),
    "expiry as text": token(["supervisor"], ["1902"], exp="9999999999"),
    "empty subject": token(["supervisor"], ["1902"], sub=""),
    "subject of 201 characters": token(["supervisor"], ["1902"], sub="s" * 201),
}


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_no_token_is_401_with_a_challenge(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_a_bad_token_is_401(client: TestClient, name: str) -> None:
    response = client.get("/api/alerts", headers=bearer(BAD_TOKENS[name]))
    assert response.status_code == 401


def test_a_cookie_is_not_enough_for_the_api(client: TestClient) -> None:
    client.cookies.set("enkontakt_session", SUPERVISOR)
    assert client.get("/api/alerts").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [route for route in API_ROUTES if not route[1].endswith("/contact")],
)
def test_an_employer_sees_no_supervisor_route(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, headers=bearer(EMPLOYER)).status_code == 403


def test_an_employer_never_sees_another_employer(client: TestClient) -> None:
    for orgnr in (s.ORGNR_B, s.ORGNR_C, "000000000"):
        response = client.get(f"/api/employers/{orgnr}/contact", headers=bearer(EMPLOYER))
        assert response.status_code == 403


def test_an_employer_sees_only_their_contact_person_and_inquiries(client: TestClient) -> None:
    response = client.get(f"/api/employers/{s.ORGNR_A}/contact", headers=bearer(EMPLOYER))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"orgnr", "name", "contact_person", "open_inquiries"}
    assert body["contact_person"]["name"] == "Tora Veileder"
    assert [i["inquiry_id"] for i in body["open_inquiries"]] == ["KS-1"]
    assert "candidate" not in response.text
    assert "follow" not in response.text


def test_a_token_without_roles_reaches_nothing(client: TestClient) -> None:
    nobody = token([], units=["1902"])
    for method, path in API_ROUTES:
        assert client.request(method, path, headers=bearer(nobody)).status_code == 403


def test_a_supervisor_without_units_reaches_nothing(client: TestClient) -> None:
    empty = token(["supervisor"], units=[])
    assert client.get("/api/alerts", headers=bearer(empty)).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/employers/{s.ORGNR_C}"),
        ("GET", f"/api/employers/{s.ORGNR_C}/contact"),
        ("GET", "/api/employers?unit=0301"),
        ("GET", "/api/alerts?unit=0301"),
        ("POST", "/api/alerts/overdue-c/ack"),
    ],
)
def test_a_supervisor_is_kept_to_their_units(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, headers=bearer(SUPERVISOR)).status_code == 403


def test_a_supervisor_lists_only_their_units(client: TestClient) -> None:
    employers = client.get("/api/employers", headers=bearer(SUPERVISOR)).json()
    assert [e["orgnr"] for e in employers] == [s.ORGNR_B, s.ORGNR_A]
    alerts = client.get("/api/alerts", headers=bearer(SUPERVISOR)).json()
    assert {a["alert_id"] for a in alerts} == {"overdue-a", "absent-b", "resolved-a", "caseload-1"}


def test_a_supervisor_of_two_units_sees_both(client: TestClient) -> None:
    both = token(["supervisor"], units=["1902", "0301"])
    employers = client.get("/api/employers", headers=bearer(both)).json()
    assert [e["orgnr"] for e in employers] == [s.ORGNR_C, s.ORGNR_B, s.ORGNR_A]
    only = client.get("/api/employers?unit=0301", headers=bearer(both)).json()
    assert [e["orgnr"] for e in only] == [s.ORGNR_C]


def test_a_person_with_both_roles_has_both_scopes(client: TestClient) -> None:
    both = token(["supervisor", "employer"], units=["0301"], orgnr=s.ORGNR_A)
    own = client.get(f"/api/employers/{s.ORGNR_A}/contact", headers=bearer(both))
    assert own.status_code == 200
    assert client.get(f"/api/employers/{s.ORGNR_C}", headers=bearer(both)).status_code == 200
    assert client.get(f"/api/employers/{s.ORGNR_A}", headers=bearer(both)).status_code == 403


def test_a_missing_employer_or_alert_is_404_for_a_supervisor(client: TestClient) -> None:
    headers = bearer(SUPERVISOR)
    assert client.get("/api/employers/000000000", headers=headers).status_code == 404
    assert client.post("/api/alerts/no-such-alert/ack", headers=headers).status_code == 404
