"""The six alert rules and their lifecycle (CONTRACT §3), through replay."""

from __future__ import annotations

from datetime import UTC, timedelta

from tests.builders import (
    ORGNRS,
    SPECIALIST,
    absent,
    alerts_of,
    answer,
    assign,
    contact,
    end,
    inquiry,
    instant,
    lines,
    person,
    replay,
    start,
)

A, D = person(1), person(2)


def only(alerts: list[dict]) -> dict:
    assert len(alerts) == 1, alerts
    return alerts[0]


# -- response-overdue -------------------------------------------------------------------------


def test_an_unanswered_inquiry_fires_at_its_deadline() -> None:
    events = [inquiry("2026-10-02 14:00", "Q1")]  # Friday, N = 3 -> Wednesday 14:00
    assert alerts_of(replay(*events, now="2026-10-07 13:59"), "response-overdue") == []
    alert = only(alerts_of(replay(*events, now="2026-10-07 14:00"), "response-overdue"))
    assert instant(alert["starts_at"]) == instant("2026-10-07 14:00")
    assert (alert["status"], alert["severity"], alert["ends_at"]) == ("firing", "warning", None)
    assert (alert["orgnr"], alert["inquiry_id"]) == ("974760673", "Q1")


def test_an_urgent_or_end_placement_inquiry_has_one_business_day_and_is_critical() -> None:
    for kwargs in ({"urgency": "urgent"}, {"topic": "end_placement"}):
        result = replay(inquiry("2026-10-09 15:10", "Q2", **kwargs), now="2026-10-12 15:10")
        alert = only(alerts_of(result, "response-overdue"))
        assert alert["severity"] == "critical"
        assert instant(alert["starts_at"]) == instant("2026-10-12 15:10")


def test_a_late_answer_resolves_the_alert_when_it_came() -> None:
    result = replay(
        inquiry("2026-10-02 14:00", "Q1"),
        answer("2026-10-08 10:00", "Q1", A),
        now="2026-10-20 12:00",
    )
    alert = only(alerts_of(result, "response-overdue"))
    assert alert["status"] == "resolved"
    assert instant(alert["ends_at"]) == instant("2026-10-08 10:00")


def test_answered_in_time_never_fires_even_when_the_answer_arrives_first() -> None:
    received, answered = inquiry("2026-10-02 14:00", "Q1"), answer("2026-10-05 09:00", "Q1", A)
    for order in ((received, answered), (answered, received)):
        assert alerts_of(replay(*order, now="2026-11-01 12:00"), "response-overdue") == []


def test_an_answer_timed_before_the_receipt_answers_it_at_once() -> None:
    result = replay(
        answer("2026-10-01 09:00", "Q1", A),
        inquiry("2026-10-02 14:00", "Q1"),
        now="2026-11-01 12:00",
    )
    assert alerts_of(result, "response-overdue") == []


def test_a_repeated_receipt_keeps_the_earliest() -> None:
    result = replay(
        inquiry("2026-10-05 14:00", "Q1", id="b"),
        inquiry("2026-10-02 14:00", "Q1", id="a"),
        now="2026-10-07 14:00",
    )
    assert instant(only(alerts_of(result, "response-overdue"))["starts_at"]) == instant(
        "2026-10-07 14:00"
    )


def test_an_answer_at_another_employer_does_not_close_the_inquiry() -> None:
    result = replay(
        inquiry("2026-10-02 14:00", "Q1"),
        answer("2026-10-05 09:00", "Q1", A, orgnr=ORGNRS[0]),
        now="2026-10-08 12:00",
    )
    assert only(alerts_of(result, "response-overdue"))["status"] == "firing"


# -- too-many-contact-persons -----------------------------------------------------------------

FOUR = [
    contact("2026-10-01 09:00", person(1)),
    contact("2026-10-05 09:00", person(2)),
    contact("2026-10-10 09:00", person(3)),
    contact("2026-10-20 09:00", person(4)),
]


def test_more_than_three_humans_in_thirty_days_fires_and_clears_as_the_window_moves() -> None:
    alert = only(alerts_of(replay(*FOUR, now="2026-10-30 12:00"), "too-many-contact-persons"))
    assert alert["status"] == "firing"
    assert instant(alert["starts_at"]) == instant("2026-10-20 09:00")
    later = only(alerts_of(replay(*FOUR, now="2026-11-15 12:00"), "too-many-contact-persons"))
    assert later["status"] == "resolved"
    # 30 days are 24-hour periods: across the October DST change the local hour moves.
    assert instant(later["ends_at"]) == instant("2026-10-01 09:00").astimezone(UTC) + timedelta(
        days=30
    )
    assert later["ends_at"].startswith("2026-10-31T08:00")
    assert later["alert_id"] == alert["alert_id"]


def test_three_humans_do_not_fire_and_the_same_human_counts_once() -> None:
    events = [*FOUR[:3], contact("2026-10-20 09:00", {"id": "Z000001"})]
    assert alerts_of(replay(*events), "too-many-contact-persons") == []


# -- no-designated-contact --------------------------------------------------------------------


def test_an_active_follow_up_without_designated_contact_fires_until_an_assignment() -> None:
    events = [start("2026-09-01 10:00", "k-1", person(5))]
    alert = only(alerts_of(replay(*events), "no-designated-contact"))
    assert instant(alert["starts_at"]) == instant("2026-09-01 10:00")
    events.append(assign("2026-09-10 08:00", A))
    alert = only(alerts_of(replay(*events), "no-designated-contact"))
    assert alert["status"] == "resolved"
    assert instant(alert["ends_at"]) == instant("2026-09-10 08:00")


def test_a_job_specialist_follow_up_is_a_designation() -> None:
    events = [start("2026-09-01 10:00", "k-1", person(5), actor=SPECIALIST)]
    assert alerts_of(replay(*events), "no-designated-contact") == []


def test_an_expiring_assignment_starts_the_alert_at_oslo_midnight() -> None:
    events = [
        start("2026-09-01 10:00", "k-1", person(5)),
        assign("2026-08-01 08:00", A, valid_until="2026-09-30"),
    ]
    alert = only(alerts_of(replay(*events, now="2026-10-05 12:00"), "no-designated-contact"))
    assert instant(alert["starts_at"]) == instant("2026-10-01 00:00")


def test_a_follow_up_ended_before_it_started_is_never_active() -> None:
    events = [end("2026-08-31 10:00", "k-1"), start("2026-09-01 10:00", "k-1", person(5))]
    assert alerts_of(replay(*events), "no-designated-contact") == []


# -- contact-person-absent --------------------------------------------------------------------


def test_an_absent_contact_person_without_deputy_fires_for_the_absence_days() -> None:
    events = [
        assign("2026-10-01 08:00", A),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
    ]
    alert = only(alerts_of(replay(*events, now="2026-11-02 12:00"), "contact-person-absent"))
    assert instant(alert["starts_at"]) == instant("2026-10-19 00:00")
    assert instant(alert["ends_at"]) == instant("2026-10-31 00:00")
    assert alert["unit"] == "1902"


def test_an_available_deputy_silences_it_and_an_absent_deputy_does_not() -> None:
    events = [
        assign("2026-10-01 08:00", A, deputy=D),
        absent("2026-10-14 12:00", A, "2026-10-19", "2026-10-30"),
    ]
    assert alerts_of(replay(*events, now="2026-10-20 12:00"), "contact-person-absent") == []
    events.append(absent("2026-10-14 13:00", D, "2026-10-22", "2026-10-23"))
    alert = only(alerts_of(replay(*events, now="2026-10-28 12:00"), "contact-person-absent"))
    assert instant(alert["starts_at"]) == instant("2026-10-22 00:00")
    assert instant(alert["ends_at"]) == instant("2026-10-24 00:00")


# -- follow-up-gap ----------------------------------------------------------------------------


def test_no_contact_for_more_than_ninety_days_during_a_follow_up_fires() -> None:
    events = [
        start("2026-06-01 10:00", "k-1", person(5), actor=SPECIALIST),
        contact("2026-06-15 09:00", person(5)),
    ]
    boundary = instant("2026-06-15 09:00").astimezone(UTC) + timedelta(days=90)
    assert alerts_of(replay(*events, now=boundary.isoformat()), "follow-up-gap") == []
    after = (boundary + timedelta(seconds=1)).isoformat()
    alert = only(alerts_of(replay(*events, now=after), "follow-up-gap"))
    assert instant(alert["starts_at"]) == boundary
    events.append(contact("2026-10-01 09:00", person(5)))
    alert = only(alerts_of(replay(*events, now="2026-10-02 12:00"), "follow-up-gap"))
    assert instant(alert["ends_at"]) == instant("2026-10-01 09:00")


def test_no_gap_alert_without_active_follow_up() -> None:
    events = [
        start("2026-06-01 10:00", "k-1", person(5), actor=SPECIALIST),
        end("2026-06-02 10:00", "k-1"),
    ]
    assert alerts_of(replay(*events, now="2026-12-01 12:00"), "follow-up-gap") == []


# -- caseload-high ----------------------------------------------------------------------------


def test_more_than_thirty_active_follow_ups_for_one_human_across_employers() -> None:
    j = person(7)
    events = [
        start(
            f"2026-09-{1 + i // 3:02d} {10 + i % 3}:00",
            f"k-{i}",
            j,
            actor=SPECIALIST,
            orgnr=ORGNRS[i % 2],
        )
        for i in range(31)
    ]
    alert = only(alerts_of(replay(*events), "caseload-high"))
    assert alert["orgnr"] is None
    assert alert["person"]["email"] == "person7@nav.no"
    assert alert["unit"] == "1902"
    assert instant(alert["starts_at"]) == instant("2026-09-11 10:00")
    assert alerts_of(replay(*events[:30]), "caseload-high") == []
    ended = replay(*events, end("2026-09-20 10:00", "k-0", orgnr=ORGNRS[0]))
    assert only(alerts_of(ended, "caseload-high"))["status"] == "resolved"


def test_handing_a_follow_up_over_moves_it_to_the_new_person() -> None:
    j, k = person(7), person(8)
    events = [
        start(f"2026-09-{1 + i // 3:02d} {10 + i % 3}:00", f"k-{i}", j, actor=SPECIALIST)
        for i in range(31)
    ]
    events.append(start("2026-09-25 10:00", "k-0", k, actor=SPECIALIST))
    alert = only(alerts_of(replay(*events), "caseload-high"))
    assert instant(alert["ends_at"]) == instant("2026-09-25 10:00")


# -- lifecycle --------------------------------------------------------------------------------


def test_a_late_event_that_shows_a_condition_never_held_removes_the_alert() -> None:
    events = [
        inquiry("2026-10-02 14:00", "Q1"),
        contact("2026-10-20 09:00", person(1)),
        answer("2026-10-05 09:00", "Q1", A),
    ]
    assert alerts_of(replay(*events), "response-overdue") == []


def test_alerts_are_sorted_by_rule_key_and_start() -> None:
    result = replay(
        *FOUR,
        inquiry("2026-10-02 14:00", "Q2"),
        inquiry("2026-10-02 14:00", "Q1"),
        start("2026-09-01 10:00", "k-1", person(5)),
        now="2026-10-30 12:00",
    )
    keys = [(a["rule"], a["key"], instant(a["starts_at"])) for a in result.alerts]
    assert keys == sorted(keys)
    assert {a["rule"] for a in result.alerts} >= {"response-overdue", "too-many-contact-persons"}


def test_the_next_breakpoint_is_the_first_instant_time_alone_changes_something() -> None:
    from enkontakt.replay import Replay
    from enkontakt.services.coordinator.consolidation import consolidate
    from enkontakt.services.coordinator.facts import to_us
    from enkontakt.services.notifier.rules import next_breakpoint

    run = Replay()
    run.feed(lines(inquiry("2026-10-02 14:00", "Q1"), contact("2026-10-01 09:00", person(1))))
    [state] = run.ledger.states()
    contacts = consolidate(state.reports, run.ledger.people, run.config.session_gap)
    now = to_us(instant("2026-10-02 14:00"))
    assert next_breakpoint(state, run.ledger.people, contacts, run.config, now) == to_us(
        instant("2026-10-07 14:00")
    )
    after_due = to_us(instant("2026-10-07 14:00"))
    expected = to_us(instant("2026-10-01 09:00").astimezone(UTC) + timedelta(days=30))
    assert next_breakpoint(state, run.ledger.people, contacts, run.config, after_due) == expected
