"""Bounded state: history older than the retention is pruned, event ids included."""

from __future__ import annotations

from enkontakt.replay import Replay
from tests import builders as b


def test_old_history_and_its_event_ids_are_forgotten_but_the_present_is_kept() -> None:
    old_contact = b.contact("2026-01-05 09:00", b.person(1), id="old")
    events = [
        old_contact,
        b.assign("2026-01-06 08:00", b.person(2)),  # still the contact person
        b.inquiry("2026-01-07 10:00", "open-one"),  # never answered: still open
        b.start("2026-01-08 10:00", "k-1", b.person(3)),  # still active
        b.start("2026-01-08 10:00", "k-2", b.person(3)),
        b.end("2026-01-09 10:00", "k-2"),  # ended long ago: forgotten
    ]
    events += [b.contact(f"2026-{m:02d}-15 09:00", b.person(4)) for m in range(2, 13)]
    run = Replay(b.RuleConfig(retention_days=100))
    run.feed(b.lines(*events))
    [state] = run.ledger.states()
    assert ("urn:system:test", "old") not in state.seen
    assert all(r.stamp.at > b.to_us("2026-08-01 00:00") for r in state.reports)
    assert [a.ident for a in state.assignments] == ["id:1902:Z000002"]
    assert set(state.inquiries) == {"open-one"}
    assert set(state.follow_ups) == {"k-1"}
    result = run.finish(None)
    view = result.views[0]
    assert view["contact_person"]["name"] == "Person 2"
    assert view["active_follow_ups"] == 1
    assert [q["inquiry_id"] for q in view["open_inquiries"]] == ["open-one"]


def test_state_stays_bounded_on_an_endless_stream() -> None:
    sizes = []
    run = Replay(b.RuleConfig(retention_days=30))
    for month in range(1, 13):
        run.feed(
            b.lines(
                *[b.contact(f"2026-{month:02d}-{d:02d} 09:00", b.person(d)) for d in range(1, 28)]
            )
        )
        [state] = run.ledger.states()
        sizes.append(len(state.reports) + len(state.seen))
    assert max(sizes[3:]) <= 2 * 27 * 2 + 10


def test_an_old_assignment_still_in_force_outlives_a_newer_one_that_ran_out() -> None:
    # Both assignments are older than the retention when the contact comes; the
    # newer one ran out, so the older one, open-ended, is the contact person.
    events = [
        b.assign("2024-01-10 08:00", b.person(1)),
        b.assign("2024-06-10 08:00", b.person(2), valid_until="2024-12-31"),
        b.contact("2025-09-01 09:00", b.person(3)),
    ]
    run = Replay(b.RuleConfig(retention_days=400))
    run.feed(b.lines(*events))
    view = run.finish(None).views[0]
    assert view["contact_person"]["name"] == "Person 1"
    assert view["contact_person"]["basis"] == "assigned"


def test_old_assignments_that_may_still_come_back_are_kept_until_they_run_out() -> None:
    # Old, newest first: Person 3 until March, Person 2 until December, Person 1
    # until June (shadowed by Person 2 on every day it runs). When Person 3 runs
    # out, Person 2 is the contact person; Person 1 can never be again.
    events = [
        b.assign("2025-01-10 08:00", b.person(1), valid_until="2026-06-30"),
        b.assign("2025-02-10 08:00", b.person(2), valid_until="2026-12-31"),
        b.assign("2025-03-10 08:00", b.person(3), valid_until="2026-03-31"),
        b.contact("2026-02-20 09:00", b.person(4)),
    ]
    run = Replay(b.RuleConfig(retention_days=200))
    run.feed(b.lines(*events))
    [state] = run.ledger.states()
    assert [a.ident for a in state.assignments] == ["id:1902:Z000002", "id:1902:Z000003"]
    assert run.finish(None).views[0]["contact_person"]["name"] == "Person 3"
    run.feed(b.lines(b.contact("2026-04-15 09:00", b.person(4))))
    assert run.finish(None).views[0]["contact_person"]["name"] == "Person 2"


def test_contacts_forgotten_by_pruning_still_count_in_all() -> None:
    lines = b.lines(
        b.contact("2025-01-10 09:00", b.person(1)),
        b.contact("2025-01-10 09:10", b.person(1), source="urn:system:other"),  # the same contact
        b.contact("2026-06-01 09:00", b.person(2)),
    )
    run = Replay(b.RuleConfig(retention_days=400))
    run.feed(lines)
    [state] = run.ledger.states()
    assert len(state.reports) == 1  # the old contact's reports are forgotten
    result = run.finish(None)
    assert result.views[0]["contacts_total"] == 2
    assert result.summary["contacts"] == 2
    assert result.summary["merged_reports"] == 1


def test_an_event_read_after_its_pruning_is_forgotten_at_once_as_in_time_order() -> None:
    old = b.contact("2025-01-10 09:00", b.person(1))
    new = b.contact("2026-06-01 09:00", b.person(2))
    views = []
    for order in ([old, new], [new, old]):
        run = Replay(b.RuleConfig(retention_days=400))
        run.feed(b.lines(*order))
        views.append(run.finish(None).views)
    in_time, late = views
    assert [c["person"]["name"] for c in late[0]["recent_contacts"]] == ["Person 2"]
    assert late[0]["last_contact_at"] == in_time[0]["last_contact_at"]
    # Read late, the old report may have joined a contact already counted.
    assert (in_time[0]["contacts_total"], late[0]["contacts_total"]) == (2, 1)
