"""The output models accept what the contract describes and refuse inconsistent outputs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from enkontakt.schemas.outputs import (
    Alert,
    EmployerNotice,
    RejectedLine,
    ReplaySummary,
    View,
)
from enkontakt.schemas.rejection import RejectionCode

NAV = {"type": "nav_office", "id": "1902", "name": "NAV Tromsø"}
TORA = {"name": "Tora Veileder", "email": "tora.veileder@nav.no", "phone": "+4741234567"}
CONTACT_PERSON = {
    **TORA,
    "actor": NAV,
    "basis": "assigned",
    "designated": True,
    "available": True,
}


def view(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "orgnr": "974760673",
        "name": "Dekk og Felg Nord AS",
        "contact_person": CONTACT_PERSON,
        "contact_persons_30d": 1,
        "contacts_30d": 1,
        "contacts_total": 4,
        "last_contact_at": "2026-10-05T09:30:00+02:00",
        "recent_contacts": [
            {
                "at": "2026-10-05T09:30:00+02:00",
                "channel": "visit",
                "person": {**TORA, "actor": NAV},
                "reports": 2,
                "reported_by": ["urn:system:nav-crm", "urn:system:provider-arbeidshuset"],
            }
        ],
        "open_inquiries": [
            {
                "inquiry_id": "KS-2026-0077",
                "topic": "end_placement",
                "urgency": "urgent",
                "received_at": "2026-10-09T15:10:00+02:00",
                "due_at": "2026-10-12T15:10:00+02:00",
                "overdue": False,
            }
        ],
        "active_follow_ups": 1,
        "unit": "1902",
        "updated_at": "2026-10-12T08:05:00Z",
    }
    return {**value, **changes}


def alert(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "alert_id": "response-overdue:974760673:KS-2026-0077:1",
        "rule": "response-overdue",
        "key": "974760673/KS-2026-0077",
        "orgnr": "974760673",
        "inquiry_id": "KS-2026-0077",
        "unit": "1902",
        "severity": "critical",
        "status": "firing",
        "starts_at": "2026-10-12T15:10:00+02:00",
        "ends_at": None,
        "summary": "Inquiry KS-2026-0077 at 974760673 is past its deadline.",
    }
    return {**value, **changes}


def test_a_full_view_is_valid() -> None:
    parsed = View.model_validate(view())
    assert parsed.contact_person is not None
    assert parsed.contact_person.designated


def test_an_empty_view_is_valid() -> None:
    View.model_validate(
        view(
            name=None,
            contact_person=None,
            contact_persons_30d=0,
            contacts_30d=0,
            contacts_total=0,
            last_contact_at=None,
            recent_contacts=[],
            open_inquiries=[],
            active_follow_ups=0,
            unit=None,
        )
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"updated_at": "2026-10-12T08:05:00"},
        {"unit": "19020"},
        {"orgnr": "97476067"},
        {"candidates": ["k-5f2a9c"]},
        {"contact_person": {**CONTACT_PERSON, "basis": "most_active"}},
        {"contact_person": {**CONTACT_PERSON, "phone": "41234567"}},
        {"recent_contacts": view()["recent_contacts"] * 21},
    ],
)
def test_a_view_that_breaks_the_contract_is_invalid(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        View.model_validate(view(**changes))


def test_reported_by_must_be_a_sorted_set() -> None:
    contact = {**view()["recent_contacts"][0], "reported_by": ["urn:b", "urn:a"]}
    with pytest.raises(ValidationError):
        View.model_validate(view(recent_contacts=[contact]))


def test_alerts_firing_resolved_and_for_a_person() -> None:
    Alert.model_validate(alert())
    Alert.model_validate(alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00"))
    Alert.model_validate(
        alert(
            rule="caseload-high",
            orgnr=None,
            inquiry_id=None,
            person={**TORA, "actor": NAV},
            severity="warning",
        )
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "resolved"},
        {"ends_at": "2026-10-13T08:00:00+02:00"},
        {"rule": "caseload-high"},
        {"orgnr": None},
        {"inquiry_id": None},
        {"severity": "info"},
    ],
)
def test_inconsistent_alerts_are_invalid(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Alert.model_validate(alert(**changes))


def test_employer_notices_may_have_either_side_null() -> None:
    for now, before in ((CONTACT_PERSON, None), (None, CONTACT_PERSON)):
        EmployerNotice.model_validate(
            {
                "orgnr": "974760673",
                "contact_person": now,
                "previous_contact_person": before,
                "at": "2026-10-01T08:00:00+02:00",
            }
        )


def test_replay_summary_counts_add_up() -> None:
    counts = {"applied": 7, "duplicates": 1, "rejected": 2, "contacts": 3, "merged_reports": 1}
    ReplaySummary.model_validate({"received": 10, **counts})
    with pytest.raises(ValidationError):
        ReplaySummary.model_validate({"received": 11, **counts})


def test_rejected_lines_carry_a_known_code() -> None:
    line = RejectedLine.model_validate({"line": 3, "error": "invalid-orgnr", "detail": "Bad."})
    assert line.error is RejectionCode.INVALID_ORGNR
    with pytest.raises(ValidationError):
        RejectedLine.model_validate({"line": 0, "error": "invalid-orgnr", "detail": "Bad."})
    with pytest.raises(ValidationError):
        RejectedLine.model_validate({"line": 1, "error": "too-long", "detail": "Bad."})
