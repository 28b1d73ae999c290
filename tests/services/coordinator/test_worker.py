"""The coordinator's per-message work, across workers that share the partitions,
gives the same views as replay (no broker: messages are routed by hand)."""

from __future__ import annotations

import zlib

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from enkontakt.replay import replay_lines
from enkontakt.services.coordinator.designations import DESIGNATION
from enkontakt.services.coordinator.facts import to_us
from enkontakt.services.coordinator.intake import intake
from enkontakt.services.coordinator.store import EmployerLog
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.rules_config import RuleConfig
from tests import builders as b
from tests.test_replay_properties import streams


def run_workers(
    lines: list[str], workers: int, wall: int, defer: bool = False
) -> tuple[dict[str, dict], list]:
    pool = [EmployerWorker(RuleConfig(), view_out, defer=defer) for _ in range(workers)]
    views: dict[str, dict] = {}
    dlq = []

    def publish(outs: list) -> None:
        for out in outs:
            if out.topic == "views":
                views[out.key.decode()] = orjson.loads(out.value)
            elif out.topic == "dlq":
                dlq.append(out)
            elif out.topic == "people":
                for worker in pool:
                    publish(worker.people(out.value, wall))
            elif out.topic == "accepted":
                worker = pool[zlib.crc32(out.key) % workers]
                more, _state = worker.accepted(out.value, wall)
                publish(more)

    for line in lines:
        publish(intake(None, line.encode(), ()).messages())
    for worker in pool:
        publish(worker.flush(wall, everything=True))
        publish(worker.tick(wall))
    return views, dlq


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams)
def test_two_workers_give_the_views_of_replay(events: tuple) -> None:
    lines = b.lines(*events)
    expected = replay_lines(lines)
    for defer in (False, True):
        views, _ = run_workers(lines, 2, expected.now, defer)
        assert sorted(views.values(), key=lambda v: v["orgnr"]) == expected.views


def test_an_absence_reaches_the_employer_held_by_another_worker() -> None:
    a, d = b.person(1), b.person(2)
    lines = b.lines(
        b.assign("2026-10-01 08:00", a, deputy=d),
        b.absent("2026-10-14 12:00", a, "2026-10-19", "2026-10-30"),
    )
    wall = to_us(b.instant("2026-10-20 12:00"))
    for workers in (1, 2, 3):
        views, _ = run_workers(lines, workers, wall)
        assert views[b.EMPLOYER]["contact_person"]["basis"] == "deputy"


def test_a_rejected_message_goes_to_the_dlq_with_its_bytes_and_reason() -> None:
    raw = b'{"specversion": "1.0", "id": "x"}'
    result = intake(b"key", raw, (("traceparent", b"00-abc"),))
    [out] = result.outs
    assert (out.topic, out.key, out.value) == ("dlq", b"key", raw)
    headers = dict(out.headers)
    assert headers["enkontakt-error"] == b"not-cloudevent"
    assert headers["enkontakt-error-detail"]
    assert headers["traceparent"] == b"00-abc"


def test_a_message_without_value_goes_to_the_dlq_saying_so() -> None:
    [out] = intake(b"key", None, ()).outs
    assert out.topic == "dlq" and out.value == b""
    headers = dict(out.headers)
    assert headers["enkontakt-error"] == b"malformed-json"
    assert headers["enkontakt-error-detail"] == b"The message has no value."


def test_binary_mode_is_accepted_and_forwarded_structured() -> None:
    event = b.contact("2026-10-05 09:30", b.person(1))
    headers = [(f"ce_{k}", str(v).encode()) for k, v in event.items() if k != "data"]
    headers.append(("content-type", b"application/json"))
    result = intake(None, orjson.dumps(event["data"]), headers)
    accepted = [o for o in result.outs if o.topic == "accepted"]
    assert [o.key for o in accepted] == [b.EMPLOYER.encode()]
    assert orjson.loads(accepted[0].value)["id"] == event["id"]


def test_an_events_person_records_travel_in_one_people_message() -> None:
    a, d = b.person(1), b.person(2)
    (line,) = b.lines(b.assign("2026-10-01 08:00", a, deputy=d))
    people = [out for out in intake(None, line.encode(), ()).messages() if out.topic == "people"]

    assert len(people) == 1
    records = orjson.loads(people[0].value)
    assert records["kind"] == "mentions"
    first, deputy = (r["idents"][0] for r in records["mentions"])
    assert (first, deputy) == (people[0].key.decode(), "id:1902:Z000002")


def test_without_people_the_intake_makes_no_person_records_and_no_absence_message() -> None:
    # The notifier reads the same input; the coordinator publishes these.
    a = b.person(1)
    contact, absence = b.lines(
        b.contact("2026-10-01 08:00", a),
        b.absent("2026-10-01 08:00", a, "2026-10-05", "2026-10-06"),
    )
    quiet = intake(None, contact.encode(), (), people=False)
    assert quiet.mentions == [] and [o.topic for o in quiet.messages()] == ["accepted"]
    assert quiet.outs == intake(None, contact.encode(), ()).outs
    assert intake(None, absence.encode(), (), people=False).messages() == []
    assert [o.topic for o in intake(None, absence.encode(), ()).messages()] == ["people"]


def test_a_single_person_record_of_an_earlier_version_is_still_applied() -> None:
    a = b.person(1, phone=True)
    worker = EmployerWorker(RuleConfig(), view_out)
    (line,) = b.lines(b.contact("2026-10-01 08:00", b.person(1)))
    (people,) = [o for o in intake(None, line.encode(), ()).messages() if o.topic == "people"]
    (record,) = orjson.loads(people.value)["mentions"]
    (with_phone,) = b.lines(b.contact("2026-10-01 09:00", a))
    (newer,) = [o for o in intake(None, with_phone.encode(), ()).messages() if o.topic == "people"]
    (newer_record,) = orjson.loads(newer.value)["mentions"]

    worker.people(orjson.dumps(record), 0)
    worker.people(orjson.dumps(newer_record), 0)

    assert worker.ledger.people.shown(record["idents"][0])["phone"] is not None


def test_the_event_decoded_by_the_intake_is_applied_without_decoding_again() -> None:
    (line,) = b.lines(b.contact("2026-10-01 08:00", b.person(1)))
    result = intake(None, line.encode(), ())
    (accepted,) = [out for out in result.outs if out.topic == "accepted"]
    worker = EmployerWorker(RuleConfig(), view_out)

    worker.expect(result)
    assert worker.decoded[accepted.value] is result
    _outs, state = worker.accepted(accepted.value, 0)

    assert worker.decoded == {}
    assert state is not None and len(state.reports) == 1


def test_decoded_events_kept_for_the_employers_side_are_bounded() -> None:
    worker = EmployerWorker(RuleConfig(), view_out, handoff=3)
    lines = b.lines(*(b.contact(f"2026-10-01 08:{m:02d}", b.person(1)) for m in range(5)))
    results = [intake(None, line.encode(), ()) for line in lines]
    for result in results:
        worker.expect(result)
    kept = [r.event.id for r in worker.decoded.values() if r.event is not None]
    assert kept == [r.event.id for r in results[2:] if r.event is not None]  # oldest two dropped


def test_an_absence_that_moves_a_designation_asks_for_it_to_be_stored() -> None:
    # The absence changes who is designated at the employer apart from its own
    # events: the coordinator's worker publishes a designation message for it
    # (stored on the employer's partition); a worker holding the employer as
    # stored before takes the newer designation from it, the sender keeps its own.
    a, d = b.person(1), b.person(2)
    wall = to_us(b.instant("2026-09-01 00:00"))
    (assigned,) = b.lines(b.assign("2026-10-01 08:00", a, deputy=d))
    (absence,) = intake(
        None, b.lines(b.absent("2026-10-20 12:00", a, "2026-10-19", "2026-10-30"))[0].encode(), ()
    ).messages()
    sender = EmployerWorker(RuleConfig(), view_out, designations=True)
    (accepted,) = (o for o in intake(None, assigned.encode(), ()).outs if o.topic == "accepted")
    _outs, state = sender.accepted(accepted.value, wall)
    assert state is not None
    history = EmployerLog()
    stored = history.read(b.EMPLOYER, history.write(state, accepted.value)[1], iter(()))

    outs = sender.people(absence.value, wall)

    (message,) = (o for o in outs if o.topic == "accepted")
    assert DESIGNATION in message.headers and message.key == b.EMPLOYER.encode()
    [notice] = [orjson.loads(o.value) for o in outs if o.topic == "notices"]
    assert notice["contact_person"]["basis"] == "deputy"
    held = sender.ledger.employers[b.EMPLOYER].designation
    assert sender.designated(b.EMPLOYER, message.value) is not None
    assert sender.ledger.employers[b.EMPLOYER].designation is held
    older = orjson.dumps([None, None, None, to_us(b.instant("2026-10-01 08:00"))])
    sender.designated(b.EMPLOYER, older)
    assert sender.ledger.employers[b.EMPLOYER].designation is held

    holder = EmployerWorker(RuleConfig(), view_out, designations=True)
    holder.people(absence.value, wall)  # its people feed, before it held the employer
    holder.hold(stored)
    stale = holder.ledger.employers[b.EMPLOYER].designation
    assert stale.shown is not None and stale.shown["basis"] == "assigned"
    taken = holder.designated(b.EMPLOYER, message.value)
    assert taken is not None and taken.designation == held
    assert holder.designated(b.ORGNRS[1], message.value) is None  # not held here
    for broken in (b"not json", b"[1, 2]", b'{"ident": 1}'):  # the app skips these, logged
        with pytest.raises((ValueError, TypeError)):
            holder.designated(b.EMPLOYER, broken)
    assert holder.ledger.employers[b.EMPLOYER].designation == held
    quiet = EmployerWorker(RuleConfig(), view_out)
    quiet.accepted(accepted.value, wall)
    assert "accepted" not in {o.topic for o in quiet.people(absence.value, wall)}


def test_an_absence_that_has_not_begun_asks_for_nothing_to_be_stored() -> None:
    # Its start is a timer like any other, set again from the stored designation
    # after a restart; one that has begun when it comes may have changed what a
    # restored worker would announce, so it is stored even when nothing changed.
    a = b.person(1)
    wall = to_us(b.instant("2026-09-01 00:00"))

    def messages(start: str, until: str) -> list:
        worker = EmployerWorker(RuleConfig(), view_out, designations=True)
        found = []
        for line in b.lines(
            b.assign("2026-10-01 08:00", a),  # no deputy: the designation stays
            b.absent("2026-10-10 12:00", a, start, until),
        ):
            for out in intake(None, line.encode(), ()).messages():
                if out.topic == "accepted":
                    worker.accepted(out.value, wall)
                elif out.topic == "people":
                    found += [o for o in worker.people(out.value, wall) if o.topic == "accepted"]
        return found

    assert messages("2026-10-19", "2026-10-30") == []
    [message] = messages("2026-10-05", "2026-10-07")
    assert DESIGNATION in message.headers


def test_a_designation_message_of_the_same_moment_is_taken_only_where_the_facts_agree() -> None:
    # The absence moves the designation to the deputy at the clock of the last
    # stored event (15 September), so the message and the stored designation
    # were worked out at the same moment. A holder that restored the stored one
    # takes the message's; the sender, which changed the designation again at
    # that moment by an event of its own, keeps its own.
    assigned, deputy, third = (
        b.person(2, id=False, email=False, phone=True),
        b.person(1),
        b.person(3),
    )
    wall = to_us(b.instant("2026-09-01 00:00"))
    history, table = EmployerLog(), {}
    sender = EmployerWorker(RuleConfig(), view_out, designations=True)
    lines = b.lines(
        b.contact("2026-09-15 00:00", deputy),
        b.assign("2026-09-01 00:00", assigned, deputy=deputy),
        b.absent("2026-09-01 00:00", assigned, "2026-09-15", "2026-09-18"),
    )
    people, messages = [], []
    for line in lines:
        for out in intake(None, line.encode(), ()).messages():
            if out.topic == "accepted":
                _outs, state = sender.accepted(out.value, wall)
                assert state is not None
                key, value = history.write(state, out.value)
                table[key] = value
            elif out.topic == "people":
                people.append(out.value)
                messages += [o for o in sender.people(out.value, wall) if o.topic == "accepted"]
    [message] = messages
    (stored,) = EmployerLog().read_all(table)

    holder = EmployerWorker(RuleConfig(), view_out, designations=True)
    for record in people:
        holder.people(record, wall)
    holder.hold(stored)
    held = holder.ledger.employers[b.EMPLOYER].designation
    assert held.shown is not None and held.shown["basis"] == "assigned"
    assert held.checked == orjson.loads(message.value)[3]
    taken = holder.designated(b.EMPLOYER, message.value)
    assert taken is not None and taken.designation.shown is not None
    assert taken.designation.shown["basis"] == "deputy"

    (again,) = b.lines(b.assign("2026-09-02 00:00", third))  # at the same clock
    (accepted,) = (o for o in intake(None, again.encode(), ()).outs if o.topic == "accepted")
    sender.accepted(accepted.value, wall)
    own = sender.ledger.employers[b.EMPLOYER].designation
    assert own.checked == held.checked and own.shown is not None
    assert own.shown["name"] == "Person 3"
    sender.designated(b.EMPLOYER, message.value)
    assert sender.ledger.employers[b.EMPLOYER].designation is own


def notices_of_one_worker(lines: list[str], wall: int) -> list[dict]:
    """The notices one worker publishes for these lines, its people feed included."""
    worker = EmployerWorker(RuleConfig(), view_out)
    found: list[dict] = []
    for line in lines:
        for out in intake(None, line.encode(), ()).messages():
            if out.topic == "accepted":
                outs, _state = worker.accepted(out.value, wall)
            elif out.topic == "people":
                outs = worker.people(out.value, wall)
            else:
                outs = [out]
            found += [orjson.loads(o.value) for o in outs if o.topic == "notices"]
    return found


def test_a_report_that_joins_the_assigned_person_to_an_absent_human_sends_the_notice() -> None:
    # The assigned person is known by a NAV ident; an absence names a human known
    # only by e-mail; a report with both makes them one human, absent: the deputy
    # takes over at the report's time, in the stream as in replay.
    lines = b.lines(*b.joined_while_absent())
    expected = replay_lines(lines).notices
    assert [n["contact_person"]["basis"] for n in expected] == ["assigned", "deputy"]

    found = notices_of_one_worker(lines, wall=to_us(b.instant("2026-09-01 00:00")))

    assert found == expected


def test_an_employer_changed_only_through_a_human_it_names_waits_five_seconds() -> None:
    # A human seen at two employers gets a phone number in a report at one of
    # them: that employer's view comes with the next flush, the other's (changed
    # only through the human) with the first flush five seconds later, so that one
    # derivation covers all such changes meanwhile.
    other = b.ORGNRS[0]
    worker = EmployerWorker(RuleConfig(), view_out, defer=True)
    wall = to_us(b.instant("2026-09-01 00:00"))

    def apply(*events: dict) -> None:
        for line in b.lines(*events):
            for out in intake(None, line.encode(), ()).outs:
                if out.topic == "accepted":
                    worker.accepted(out.value, wall)

    def views(outs: list) -> dict[str, dict]:
        return {o.key.decode(): orjson.loads(o.value) for o in outs if o.topic == "views"}

    apply(
        b.contact("2026-10-01 09:00", b.person(1)),
        b.contact("2026-10-01 10:00", b.person(1), orgnr=other),
    )
    assert set(views(worker.flush(wall))) == {b.EMPLOYER, other}
    apply(b.contact("2026-10-02 09:00", b.person(1, phone=True)))

    flushed = views(worker.flush(wall))
    assert set(flushed) == {b.EMPLOYER}
    assert flushed[b.EMPLOYER]["recent_contacts"][0]["person"]["phone"] == "+4741000001"
    later = to_us(b.instant("2026-10-02 09:00:04.999999"))  # the clock: the latest event
    assert views(worker.tick(later)) == {}
    second = views(worker.flush(later + 1))
    assert set(second) == {other}
    assert second[other]["recent_contacts"][0]["person"]["phone"] == "+4741000001"
    assert views(worker.flush(later + 2)) == {}


def test_a_view_derived_again_unchanged_is_not_published_again_until_the_employer_moves() -> None:
    worker = EmployerWorker(RuleConfig(), view_out, defer=True)
    wall = to_us(b.instant("2026-09-01 00:00"))
    (line,) = b.lines(b.contact("2026-10-01 09:00", b.person(1)))
    (accepted,) = (o for o in intake(None, line.encode(), ()).outs if o.topic == "accepted")
    worker.accepted(accepted.value, wall)

    def views() -> list:
        worker.pending.change(b.EMPLOYER, wall)
        return [o for o in worker.flush(wall) if o.topic == "views"]

    assert len(views()) == 1
    assert views() == []
    # Held elsewhere meanwhile, and back: the views topic may hold another
    # worker's view by now, so this worker publishes its own again.
    state = worker.ledger.employers[b.EMPLOYER]
    worker.release([b.EMPLOYER])
    worker.restore([state])
    assert len(views()) == 1
