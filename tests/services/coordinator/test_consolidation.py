"""Same human and consolidated contacts (CONTRACT §2)."""

from __future__ import annotations

import itertools

from tests.builders import MEASURE_PROVIDER, contact, instant, person, replay, view_of


def test_two_systems_reporting_one_contact_make_one_contact() -> None:
    result = replay(
        contact("2026-10-05 09:30", person(1), source="urn:system:nav-crm", channel="visit"),
        contact(
            "2026-10-05 09:41",
            {"email": " Person1@NAV.no "},
            actor=MEASURE_PROVIDER,
            source="urn:system:provider",
            channel="meeting",
        ),
    )
    view = view_of(result)
    assert view["contacts_total"] == 1
    [recent] = view["recent_contacts"]
    assert recent["reports"] == 2
    assert recent["reported_by"] == ["urn:system:nav-crm", "urn:system:provider"]
    assert recent["channel"] == "visit"  # the earliest report's
    assert instant(recent["at"]) == instant("2026-10-05 09:30")
    assert result.summary["contacts"] == 1
    assert result.summary["merged_reports"] == 1


def test_reports_more_than_thirty_minutes_apart_are_two_contacts() -> None:
    result = replay(contact("2026-10-05 09:00", person(1)), contact("2026-10-05 09:31", person(1)))
    assert view_of(result)["contacts_total"] == 2
    exactly = replay(contact("2026-10-05 09:00", person(1)), contact("2026-10-05 09:30", person(1)))
    assert view_of(exactly)["contacts_total"] == 1


def test_a_late_report_bridging_two_contacts_merges_them() -> None:
    first, last = contact("2026-10-05 09:00", person(1)), contact("2026-10-05 09:50", person(1))
    bridge = contact("2026-10-05 09:25", person(1), source="urn:system:late")
    assert view_of(replay(first, last))["contacts_total"] == 2
    for order in itertools.permutations([first, last, bridge]):
        view = view_of(replay(*order))
        assert view["contacts_total"] == 1
        assert view["recent_contacts"][0]["reports"] == 3


def test_different_humans_at_the_same_time_are_different_contacts() -> None:
    result = replay(contact("2026-10-05 09:00", person(1)), contact("2026-10-05 09:05", person(2)))
    assert view_of(result)["contacts_total"] == 2
    assert view_of(result)["contact_persons_30d"] == 2


def test_same_human_is_transitive_over_id_email_and_phone() -> None:
    by_id = {"id": "Z000001"}
    by_phone = {"phone": "412 34 567"}
    linking = {"id": "Z000001", "phone": "+4741234567"}
    result = replay(
        contact("2026-10-01 09:00", by_id),
        contact("2026-10-02 09:00", by_phone),
        contact("2026-10-03 09:00", {"email": "x@nav.no", "phone": "0047 41234567"}),
        contact("2026-10-04 09:00", linking),
    )
    view = view_of(result)
    assert view["contacts_total"] == 4
    assert view["contact_persons_30d"] == 1
    assert view["contact_person"]["email"] == "x@nav.no"
    assert view["contact_person"]["phone"] == "+4741234567"


def test_ids_are_local_to_their_actor() -> None:
    other = {"type": "nav_office", "id": "0314"}
    result = replay(
        contact("2026-10-01 09:00", {"id": "Z000001"}),
        contact("2026-10-01 09:05", {"id": "Z000001"}, actor=other),
    )
    assert view_of(result)["contact_persons_30d"] == 2


def test_shown_fields_come_from_the_latest_report_that_carries_each() -> None:
    result = replay(
        contact("2026-10-02 09:00", {"id": "Z1", "name": "New Name"}),
        contact("2026-10-01 09:00", {"id": "Z1", "name": "Old Name", "email": "Old@Nav.no"}),
    )
    shown = view_of(result)["contact_person"]
    assert shown["name"] == "New Name"
    assert shown["email"] == "old@nav.no"
