"""Documents shaped as CONTRACT §3 and §4 describe them, for tests."""

from __future__ import annotations

from typing import Any

ORGNR_A = "974760673"
ORGNR_B = "912345688"
ORGNR_C = "912345696"


def actor(unit: str = "1902", name: str | None = "NAV Tromsø") -> dict[str, Any]:
    """A NAV office."""
    return {"type": "nav_office", "id": unit, "name": name}


def person(name: str = "Tora Veileder", unit: str = "1902") -> dict[str, Any]:
    """A shown human."""
    slug = name.lower().replace(" ", ".")
    return {"name": name, "email": f"{slug}@nav.no", "phone": "+4741234567", "actor": actor(unit)}


def contact_person(
    name: str = "Tora Veileder", unit: str = "1902", **changes: Any
) -> dict[str, Any]:
    """An assigned, available contact person."""
    return (
        person(name, unit) | {"basis": "assigned", "designated": True, "available": True} | changes
    )


def inquiry(inquiry_id: str = "KS-1", overdue: bool = False) -> dict[str, Any]:
    """An open inquiry."""
    return {
        "inquiry_id": inquiry_id,
        "topic": "end_placement",
        "urgency": "urgent",
        "received_at": "2026-10-09T15:10:00+02:00",
        "due_at": "2026-10-12T15:10:00+02:00",
        "overdue": overdue,
    }


def view(
    orgnr: str = ORGNR_A,
    updated_at: str = "2026-10-12T08:05:00+02:00",
    unit: str | None = "1902",
    **changes: Any,
) -> dict[str, Any]:
    """An employer view."""
    return {
        "orgnr": orgnr,
        "name": f"Employer {orgnr}",
        "contact_person": contact_person(unit=unit or "1902"),
        "contact_persons_30d": 1,
        "contacts_30d": 1,
        "contacts_total": 3,
        "last_contact_at": "2026-10-05T09:30:00+02:00",
        "recent_contacts": [
            {
                "at": "2026-10-05T09:30:00+02:00",
                "channel": "visit",
                "person": person(unit=unit or "1902"),
                "reports": 2,
                "reported_by": ["urn:system:nav-crm", "urn:system:provider"],
            }
        ],
        "open_inquiries": [inquiry()],
        "active_follow_ups": 1,
        "unit": unit,
        "updated_at": updated_at,
    } | changes


def alert(
    alert_id: str = "alert-1",
    status: str = "firing",
    ends_at: str | None = None,
    unit: str | None = "1902",
    **changes: Any,
) -> dict[str, Any]:
    """A response-overdue alert."""
    return {
        "alert_id": alert_id,
        "rule": "response-overdue",
        "key": f"{ORGNR_A}/KS-1",
        "orgnr": ORGNR_A,
        "inquiry_id": "KS-1",
        "unit": unit,
        "severity": "critical",
        "status": status,
        "starts_at": "2026-10-12T15:10:00+02:00",
        "ends_at": ends_at,
        "summary": "An inquiry has passed its response deadline.",
    } | changes


def notice(at: str = "2026-10-01T08:00:00+02:00", **changes: Any) -> dict[str, Any]:
    """A change of designated contact person."""
    return {
        "orgnr": ORGNR_A,
        "contact_person": contact_person(),
        "previous_contact_person": None,
        "at": at,
    } | changes
