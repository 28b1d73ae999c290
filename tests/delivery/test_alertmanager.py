"""The notification format: Alertmanager's webhook payload, version 4."""

from __future__ import annotations

from enkontakt.delivery import alertmanager
from tests.projection import samples as s


def test_a_firing_group_has_the_alertmanager_fields() -> None:
    body = alertmanager.message("ops", "1902", [s.alert()], "https://enkontakt.example")
    assert body["version"] == "4"
    assert body["groupKey"] == '{}:{unit="1902"}'
    assert body["status"] == "firing"
    assert body["receiver"] == "ops"
    assert body["groupLabels"] == {"unit": "1902"}
    (alert,) = body["alerts"]
    assert alert["status"] == "firing"
    assert alert["labels"] == {
        "alertname": "response-overdue",
        "rule": "response-overdue",
        "severity": "critical",
        "unit": "1902",
        "orgnr": s.ORGNR_A,
        "inquiry_id": "KS-1",
        "alert_id": "alert-1",
    }
    assert alert["annotations"] == {"summary": s.alert()["summary"]}
    assert alert["startsAt"] == "2026-10-12T13:10:00Z"
    assert alert["endsAt"] == "0001-01-01T00:00:00Z"
    assert alert["generatorURL"] == f"https://enkontakt.example/employers/{s.ORGNR_A}"
    assert alert["fingerprint"] == alertmanager.fingerprint("alert-1")
    assert body["commonLabels"] == alert["labels"]


def test_a_group_is_resolved_only_when_every_alert_is() -> None:
    resolved = s.alert("b", status="resolved", ends_at="2026-10-13T08:00:00+02:00")
    assert alertmanager.message("ops", "1902", [resolved], None)["status"] == "resolved"
    mixed = alertmanager.message("ops", "1902", [resolved, s.alert("a")], None)
    assert mixed["status"] == "firing"
    assert mixed["alerts"][0]["endsAt"] == "2026-10-13T06:00:00Z"
    assert mixed["commonLabels"] == {
        "alertname": "response-overdue",
        "rule": "response-overdue",
        "severity": "critical",
        "unit": "1902",
        "orgnr": s.ORGNR_A,
        "inquiry_id": "KS-1",
    }


def test_labels_carry_no_contact_details() -> None:
    caseload = s.alert(rule="caseload-high", orgnr=None, inquiry_id=None, person=s.person())
    labels = alertmanager.labels(caseload)
    assert "orgnr" not in labels
    text = alertmanager.encode(alertmanager.message("ops", "1902", [caseload], None))
    assert "@nav.no" not in text and "+47" not in text


def test_the_signature_is_an_hmac_of_the_body() -> None:
    header = alertmanager.signature("secret-0123456789", b"{}")
    assert header.startswith("sha256=")
    assert alertmanager.verify("secret-0123456789", b"{}", header)
    assert not alertmanager.verify("secret-0123456789", b"{ }", header)
    assert not alertmanager.verify("other-secret-0123", b"{}", header)
