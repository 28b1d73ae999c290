"""The single contact person (CONTRACT §2) and the unit (CONTRACT §2, "Unit")."""

from __future__ import annotations

from tests.builders import (
    MEASURE_PROVIDER,
    OTHER_NAV,
    SPECIALIST,
    absent,
    assign,
    contact,
    end,
    person,
    replay,
    start,
    view_of,
)

A, D, J = person(1), person(2), person(3)


def chosen(*events: dict, now: str | None = None) -> dict:
    return view_of(replay(*events, now=now))["contact_person"]


def test_an_assignment_names_the_contact_person() -> None:
    shown = chosen(assign("2026-10-01 08:00", A, deputy=D), contact("2026-10-02 09:00", person(9)))
    assert (shown["name"], shown["basis"], shown["designated"], shown["available"]) == (
        "Person 1",
        "assigned",
        True,
        True,
    )
    assert shown["actor"]["id"] == "1902"


def test_the_latest_assignment_by_event_time_wins_whatever_the_arrival_order() -> None:
    old, new = assign("2026-09-01 08:00", A), assign("2026-10-01 08:00", J)
    assert chosen(new, old)["name"] == "Person 3"
    assert chosen(old, new)["name"] == "Person 3"


def test_an_expired_assignment_falls_back_to_an_older_valid_one() -> None:
    events = (
        assign("2026-09-01 08:00", A),
        assign("2026-10-01 08:00", J, valid_until="2026-10-31"),
    )
    assert chosen(*events, now="2026-10-31 23:59")["name"] == "Person 3"
    assert chosen(*events, now="2026-11-01 00:00")["name"] == "Person 1"


def test_the_deputy_stands_in_while_the_assigned_person_is_absent() -> None:
    events = (
        assign("2026-10-01 08:00", A, deputy=D),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
    )
    during = chosen(*events, now="2026-10-19 00:00")
    assert (during["name"], during["basis"], during["available"]) == ("Person 2", "deputy", True)
    before = chosen(*events, now="2026-10-18 23:59")
    assert before["basis"] == "assigned"
    after = chosen(*events, now="2026-10-31 00:00")
    assert (after["name"], after["basis"]) == ("Person 1", "assigned")


def test_absent_without_deputy_is_still_the_contact_but_unavailable() -> None:
    shown = chosen(
        assign("2026-10-01 08:00", A),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
        now="2026-10-20 12:00",
    )
    assert (shown["name"], shown["basis"], shown["available"]) == ("Person 1", "assigned", False)


def test_both_absent_shows_the_assigned_person_unavailable() -> None:
    shown = chosen(
        assign("2026-10-01 08:00", A, deputy=D),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
        absent("2026-10-14 12:05", D, "2026-10-01", "2026-10-25"),
        now="2026-10-20 12:00",
    )
    assert (shown["name"], shown["basis"], shown["available"]) == ("Person 1", "assigned", False)


def test_an_absence_reported_under_another_identifier_applies_to_the_same_human() -> None:
    shown = chosen(
        assign("2026-10-01 08:00", {"id": "Z000001", "email": "a@nav.no"}),
        absent(
            "2026-10-14 12:00",
            {"email": "A@nav.no"},
            "2026-10-19",
            "2026-10-30",
            actor=MEASURE_PROVIDER,
        ),
        now="2026-10-20 12:00",
    )
    assert shown["available"] is False


def test_a_job_specialist_following_up_is_the_contact_without_assignment() -> None:
    events = (
        start("2026-09-01 10:00", "k-1", person(5)),
        start("2026-09-14 10:00", "k-2", J, actor=SPECIALIST),
        contact("2026-10-01 09:00", person(9)),
        contact("2026-10-02 09:00", person(9)),
    )
    shown = chosen(*events)
    assert (shown["name"], shown["basis"], shown["designated"]) == (
        "Person 3",
        "job_specialist",
        True,
    )
    assert shown["actor"]["type"] == "job_specialist"
    ended = chosen(*events, end("2026-10-03 09:00", "k-2"))
    assert (ended["name"], ended["basis"], ended["designated"]) == (
        "Person 9",
        "most_active",
        False,
    )


def test_most_active_counts_consolidated_contacts_in_ninety_days() -> None:
    events = [contact(f"2026-06-0{d} 09:00", person(1)) for d in range(1, 6)]
    events += [
        contact("2026-10-01 09:00", person(2)),
        contact("2026-10-02 09:00", person(2)),
        contact("2026-10-03 09:00", person(3)),
    ]
    assert chosen(*events)["name"] == "Person 2"


def test_most_active_ties_go_to_the_most_recent_contact_then_the_smaller_key() -> None:
    events = [contact("2026-10-01 09:00", person(2)), contact("2026-10-02 09:00", person(1))]
    assert chosen(*events)["name"] == "Person 1"
    same_time = [contact("2026-10-01 09:00", person(2)), contact("2026-10-01 09:00", person(1))]
    assert chosen(*same_time)["name"] == "Person 1"  # email:person1@… < email:person2@…


def test_no_contact_at_all_means_no_contact_person() -> None:
    result = replay(start("2026-10-01 10:00", "k-1", person(5)), end("2026-10-02 10:00", "k-1"))
    assert view_of(result)["contact_person"] is None


def test_unit_follows_the_contact_persons_nav_actor() -> None:
    view = view_of(
        replay(
            assign("2026-10-01 08:00", A, actor=OTHER_NAV), contact("2026-10-02 09:00", person(9))
        )
    )
    assert view["unit"] == "0314"


def test_unit_falls_back_to_the_latest_event_naming_a_nav_actor() -> None:
    view = view_of(
        replay(
            contact("2026-10-01 09:00", person(1), actor=OTHER_NAV),
            contact("2026-10-02 09:00", person(2)),
            assign("2026-10-03 08:00", person(3), actor=MEASURE_PROVIDER),
        )
    )
    assert view["contact_person"]["actor"]["type"] == "measure_provider"
    assert view["unit"] == "1902"


def test_no_nav_actor_means_no_unit() -> None:
    view = view_of(replay(contact("2026-10-01 09:00", person(1), actor=MEASURE_PROVIDER)))
    assert view["unit"] is None


def test_an_assignment_naming_two_nav_actors_falls_back_to_its_own_not_its_deputys() -> None:
    # The assignment ran out; the most active human is a measure provider's, so
    # the unit is the NAV actor of the latest event naming one: the assignment,
    # whose own actor (1902) comes before its deputy's (0314).
    assignment = assign("2026-10-01 08:00", A, deputy=D, valid_until="2026-10-05")
    assignment["data"]["deputy"]["actor"] = OTHER_NAV
    view = view_of(
        replay(assignment, contact("2026-10-07 09:00", person(9), actor=MEASURE_PROVIDER))
    )
    assert view["contact_person"]["basis"] == "most_active"
    assert view["unit"] == "1902"


def test_of_two_job_specialists_the_most_recently_started_follow_up_names_one() -> None:
    # X took over k-1 (started in January) in March; k-2 (started in February)
    # is the most recently started follow-up, so its job specialist Y is shown.
    shown = chosen(
        start("2026-01-05 09:00", "k-1", person(7)),
        start("2026-02-02 09:00", "k-2", person(8), actor=SPECIALIST),
        start("2026-03-02 09:00", "k-1", person(9), actor=SPECIALIST),
        contact("2026-03-03 09:00", person(5)),
    )
    assert (shown["name"], shown["basis"]) == ("Person 8", "job_specialist")
