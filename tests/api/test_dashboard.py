"""The dashboard over HTTP: sign-in, what each role sees, acknowledging from a form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from enkontakt.api.auth import demo_tokens, sign_in_url
from enkontakt.api.dashboard import COOKIE
from tests.api.support import EMPLOYER, SECRET, SUPERVISOR, token
from tests.projection import samples as s


def sign_in(client: TestClient, value: str) -> None:
    response = client.get("/login", params={"token": value}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_without_a_session_the_dashboard_asks_to_sign_in(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 401
    assert "Sign in" in response.text


def test_a_bad_sign_in_link_is_refused(client: TestClient) -> None:
    response = client.get("/login", params={"token": "nonsense"}, follow_redirects=False)
    assert response.status_code == 401
    assert COOKIE not in response.headers.get("set-cookie", "")


def test_signing_in_sets_an_httponly_lax_cookie(client: TestClient) -> None:
    response = client.get("/login", params={"token": SUPERVISOR}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_a_supervisor_sees_their_alerts_and_busiest_employers(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    page = client.get("/").text
    assert 'data-alert-id="overdue-a"' in page
    assert 'data-alert-id="absent-b"' in page
    assert 'data-alert-id="resolved-a"' not in page  # only firing alerts
    assert "overdue-c" not in page and s.ORGNR_C not in page  # another unit
    busiest = re.findall(r'<a href="/employers/(\d{9})">', page.split('id="employers"')[1])
    assert busiest == [s.ORGNR_B, s.ORGNR_A]


def test_the_employer_page_shows_contact_person_inquiries_and_timeline(
    client: TestClient,
) -> None:
    sign_in(client, SUPERVISOR)
    page = client.get(f"/employers/{s.ORGNR_A}").text
    assert "Tora Veileder" in page
    assert "KS-1" in page
    assert "2026-10-12 15:10" in page  # the deadline in Oslo time
    assert 'id="timeline"' in page
    assert "2 reports from urn:system:nav-crm, urn:system:provider" in page
    changes = page.split('id="notices"')[1].split("</ol>")[0]
    assert changes.index("2026-10-19 00:00") < changes.index("2026-10-01 08:00")
    assert "no designated contact person" in changes


def test_the_employer_page_of_another_unit_is_forbidden(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    assert client.get(f"/employers/{s.ORGNR_C}").status_code == 403


def test_acknowledging_needs_the_form_token(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    forged = client.post("/alerts/overdue-a/ack", data={"csrf": "guess"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "Acknowledged by" not in client.get("/").text


def test_acknowledging_from_the_dashboard(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    page = client.get("/").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf is not None
    response = client.post(
        "/alerts/overdue-a/ack", data={"csrf": csrf[1], "back": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    row = client.get("/").text.split('data-alert-id="overdue-a"')[1].split("</tr>")[0]
    assert "Acknowledged by Z990001 at 2026-10-20 14:00" in row


def test_an_alert_of_another_unit_cannot_be_acknowledged(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text)
    assert csrf is not None
    response = client.post("/alerts/overdue-c/ack", data={"csrf": csrf[1]})
    assert response.status_code == 404


def test_an_employer_sees_only_their_contact_person(client: TestClient) -> None:
    sign_in(client, EMPLOYER)
    page = client.get("/").text
    assert "Your contact person" in page
    assert "Tora Veileder" in page
    assert 'href="tel:+4741234567"' in page
    assert 'href="mailto:tora.veileder@nav.no"' in page
    for hidden in ("alert", "KS-1", s.ORGNR_B, s.ORGNR_C, "follow-up", "Per Travel"):
        assert hidden not in page
    assert client.get(f"/employers/{s.ORGNR_A}").status_code == 403


def test_signing_out_forgets_the_session(client: TestClient) -> None:
    sign_in(client, SUPERVISOR)
    client.post("/logout")
    assert client.get("/").status_code == 401


def test_demo_tokens_sign_in_as_each_role(client: TestClient) -> None:
    tokens = demo_tokens(SECRET, units=["1902"], orgnr=s.ORGNR_A)
    url = sign_in_url("http://testserver/", tokens["supervisor"])
    assert url.startswith("http://testserver/login?token=")
    client.get(url)
    assert 'data-alert-id="overdue-a"' in client.get("/").text
    client.get(sign_in_url("http://testserver", tokens["employer"]))
    assert "Your contact person" in client.get("/").text


def test_a_token_without_a_role_gets_no_page(client: TestClient) -> None:
    sign_in(client, token([], units=["1902"]))
    assert client.get("/").status_code == 403
