"""Employer notices: sent when the designated human changes (CONTRACT §4)."""

from __future__ import annotations

from tests.builders import (
    EMPLOYER,
    ORGNRS,
    SPECIALIST,
    absent,
    assign,
    contact,
    end,
    instant,
    joined_while_absent,
    person,
    replay,
    start,
)

A, D, J = person(1), person(2), person(3)


def names(result) -> list[tuple[str | None, str | None]]:
    return [
        ((n["previous_contact_person"] or {}).get("name"), (n["contact_person"] or {}).get("name"))
        for n in result.notices
    ]


def test_gaining_a_designation_sends_a_notice_with_no_previous() -> None:
    result = replay(assign("2026-10-01 08:00", A))
    [notice] = result.notices
    assert notice["orgnr"] == "974760673"
    assert notice["previous_contact_person"] is None
    assert notice["contact_person"]["name"] == "Person 1"
    assert notice["contact_person"]["basis"] == "assigned"
    assert instant(notice["at"]) == instant("2026-10-01 08:00")


def test_an_absence_reported_before_it_began_but_read_late_dates_the_change_at_its_start() -> None:
    # Read after the clock passed the absence's first day, the change is still the
    # one the events in time order give: at the start of that day, not when the
    # absence was reported (the assigned person was the contact person until then).
    in_order = replay(
        assign("2026-10-01 08:00", A, deputy=D),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-11-30"),
        contact("2026-10-25 09:00", J, orgnr=ORGNRS[1]),
    )
    late = replay(
        assign("2026-10-01 08:00", A, deputy=D),
        contact("2026-10-25 09:00", J, orgnr=ORGNRS[1]),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-11-30"),
    )
    assert names(late) == names(in_order) == [(None, "Person 1"), ("Person 1", "Person 2")]
    assert instant(late.notices[1]["at"]) == instant("2026-10-19 00:00")
    assert late.notices == in_order.notices


def test_most_active_contacts_are_not_designations() -> None:
    assert replay(contact("2026-10-01 09:00", A), contact("2026-10-02 09:00", J)).notices == []


def test_the_same_human_reassigned_or_renamed_sends_nothing() -> None:
    result = replay(
        assign("2026-10-01 08:00", A), assign("2026-10-05 08:00", {"email": "person1@nav.no"})
    )
    assert len(result.notices) == 1


def test_deputy_during_absence_and_back_again() -> None:
    result = replay(
        assign("2026-10-01 08:00", A, deputy=D),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
        contact("2026-11-02 09:00", J),
    )
    assert names(result) == [(None, "Person 1"), ("Person 1", "Person 2"), ("Person 2", "Person 1")]
    assert instant(result.notices[1]["at"]) == instant("2026-10-19 00:00")
    assert result.notices[1]["contact_person"]["basis"] == "deputy"
    assert instant(result.notices[2]["at"]) == instant("2026-10-31 00:00")


def test_the_clock_moving_to_now_fires_the_pending_change() -> None:
    result = replay(assign("2026-10-01 08:00", A, valid_until="2026-10-31"), now="2026-11-02 12:00")
    assert names(result) == [(None, "Person 1"), ("Person 1", None)]
    assert instant(result.notices[1]["at"]) == instant("2026-11-01 00:00")


def test_a_job_specialist_taking_over_and_leaving() -> None:
    result = replay(
        start("2026-09-01 10:00", "k-1", J, actor=SPECIALIST),
        end("2026-10-01 10:00", "k-1"),
    )
    assert names(result) == [(None, "Person 3"), ("Person 3", None)]
    assert result.notices[0]["contact_person"]["basis"] == "job_specialist"


def test_a_report_at_another_employer_that_shows_the_assigned_person_absent() -> None:
    # The report joins the assigned person to a human known to be absent: the
    # deputy takes over at the first employer at that report's time, and the
    # assigned person comes back when the absence ends.
    result = replay(*joined_while_absent(report_at=ORGNRS[1]), now="2026-11-02 12:00")
    basis = [n["contact_person"]["basis"] for n in result.notices]
    assert basis == ["assigned", "deputy", "assigned"]
    # Back: the joined human, shown with the latest name reported (the absence's).
    assert names(result)[1:] == [("Person 1", "Person 2"), ("Person 2", "Person 9")]
    assert {n["orgnr"] for n in result.notices} == {EMPLOYER}
    assert instant(result.notices[1]["at"]) == instant("2026-10-20 09:00")
    assert instant(result.notices[2]["at"]) == instant("2026-10-31 00:00")
