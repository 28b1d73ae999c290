"""A worker restarted from its table, in the middle of a stream, ends with the
results of replay: the restored employers' timers (deadlines, windows, the end
of an assignment) are set again, and what was stored but never published goes
out (no broker: the tables are dicts, messages are routed by hand)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from enkontakt.replay import replay_lines
from enkontakt.services.coordinator.designations import DESIGNATION
from enkontakt.services.coordinator.intake import Out, intake
from enkontakt.services.coordinator.store import EmployerLog
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.notifier.worker import PUBLISHED, AlertDeriver, CaseloadCounter
from enkontakt.services.rules_config import RuleConfig
from tests import builders as b
from tests.services.notifier.test_worker import shape
from tests.test_replay_properties import streams

NOW = b.to_us("2026-11-20 12:00")  # weeks after the latest event of ``streams``
CONFIG = RuleConfig(max_caseload=1, max_contact_persons=1)


@dataclass
class Process:
    """One process of a service: its worker, and what it reads from its tables."""

    notifier: bool
    table: dict[str, bytes]
    caseload: dict[str, str]
    people: list[bytes]
    worker: EmployerWorker = field(init=False)
    deriver: AlertDeriver = field(default_factory=AlertDeriver)
    counter: CaseloadCounter = field(init=False)
    history: EmployerLog = field(default_factory=lambda: EmployerLog(3))

    def __post_init__(self) -> None:
        derive = self.deriver if self.notifier else view_out
        self.worker = EmployerWorker(
            CONFIG,
            derive,
            defer=not self.notifier,
            designations=not self.notifier,
            settle_restored=self.notifier,
        )
        self.counter = CaseloadCounter(CONFIG, self.worker.ledger.people)

    def start(self, publish: Callable[[list[Out]], None]) -> None:
        """As after a restart: the people feed from the start, then the tables."""
        for message in self.people:
            publish(self.worker.people(message, 0))
        for stored in self.history.read_all(self.table):
            self.worker.hold(stored)
            if stored.extra is not None:
                self.deriver.load(stored.state.orgnr, stored.extra)
        if self.caseload:
            publish(self.counter.reload(self.caseload, self.worker.moment(0)))

    def designated(self, out: Out) -> None:
        state = self.worker.designated(out.key.decode(), out.value)
        if state is not None:
            key, value = self.history.designation(state)
            self.table[key] = value

    def accepted(self, raw: bytes) -> list[Out]:
        outs, state = self.worker.accepted(raw, 0)
        if state is not None:
            extra = self.deriver.export(state.orgnr) if self.notifier else None
            key, value = self.history.write(state, raw, extra)
            self.table[key] = value
        return outs

    def spans(self, out: Out) -> list[Out]:
        outs = self.counter.spans(out.value, self.worker.moment(0))
        if outs:
            self.caseload[PUBLISHED] = self.counter.export()
        self.caseload[out.key.decode()] = out.value.decode()
        return outs


def run_with_restart(lines: list[str], cut: int, notifier: bool) -> dict[str, Any]:
    """Feed ``lines[:cut]`` to a process (which stops before any flush or tick),
    the rest to one restarted from its tables; then let the clock reach ``NOW``."""
    tables: dict[str, Any] = {"table": {}, "caseload": {}, "people": []}
    published: dict[str, Any] = {"views": {}, "alerts": {}, "notices": set()}
    process = Process(notifier, **tables)

    def publish(outs: list[Out]) -> None:
        for out in outs:
            value = orjson.loads(out.value)
            if out.topic == "views":
                published["views"][value["orgnr"]] = value
            elif out.topic == "alerts":
                published["alerts"][(value["rule"], value["key"], value["alert_id"])] = value
            elif out.topic == "notices":
                published["notices"].add(out.value)
            elif out.topic == "caseload":
                publish(process.spans(out))
            elif out.topic == "people":
                tables["people"].append(out.value)
                publish(process.worker.people(out.value, 0))
                if process.counter.employers:  # as the notifier's people feed does
                    publish(process.counter.count(process.worker.moment(0)))
            elif out.topic == "accepted" and DESIGNATION in out.headers:
                process.designated(out)
            elif out.topic == "accepted":
                publish(process.accepted(out.value))

    for line in lines[:cut]:
        publish(intake(None, line.encode(), ()).messages())
    process = Process(notifier, **tables)
    process.start(publish)
    for line in lines[cut:]:
        publish(intake(None, line.encode(), ()).messages())
    publish(process.worker.tick(NOW))
    publish(process.worker.flush(NOW, everything=True))
    return published


restarts = dict(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(**restarts)
@given(streams, st.integers(0, 30))
def test_a_restarted_coordinator_publishes_the_views_and_notices_of_replay(
    events: tuple, cut: int
) -> None:
    lines = b.lines(*events)
    note("\n".join(lines))
    expected = replay_lines(lines, now=NOW, config=CONFIG)
    published = run_with_restart(lines, cut, notifier=False)
    assert sorted(published["views"].values(), key=lambda v: v["orgnr"]) == expected.views
    # A notice may be sent twice across a restart, never missed.
    assert published["notices"] == {orjson.dumps(n) for n in expected.notices}


@settings(**restarts)
@given(streams, st.integers(0, 30))
def test_a_restarted_notifier_publishes_the_alerts_of_replay(events: tuple, cut: int) -> None:
    lines = b.lines(*events)
    note("\n".join(lines))
    expected = replay_lines(lines, now=NOW, config=CONFIG)
    alerts = run_with_restart(lines, cut, notifier=True)["alerts"].values()
    never_held = [a for a in alerts if a["status"] == "resolved" and a["ends_at"] == a["starts_at"]]
    assert shape(a for a in alerts if a not in never_held) == shape(expected.alerts)


def restarted(events: list[dict[str, Any]], notifier: bool = False) -> tuple[Process, list[Out]]:
    """A process that took ``events`` (and stopped before any flush or tick), and
    the one restarted from its tables, with what it published as it started."""
    tables: dict[str, Any] = {"table": {}, "caseload": {}, "people": []}
    first = Process(notifier, **tables)

    def route(outs: list[Out]) -> None:
        for out in outs:
            if out.topic == "people":
                tables["people"].append(out.value)
                route(first.worker.people(out.value, 0))
            elif out.topic == "accepted":
                route(first.accepted(out.value))
            elif out.topic == "caseload":
                route(first.spans(out))

    for line in b.lines(*events):
        route(intake(None, line.encode(), ()).messages())
    again, started = Process(notifier, **tables), []
    again.start(started.extend)
    return again, started


def test_a_restored_employer_announces_the_end_of_its_assignment_without_another_event() -> None:
    a = b.person(1)
    process, _ = restarted([b.assign("2026-10-01 09:00", a, valid_until="2026-10-10")])
    outs = process.worker.tick(b.to_us("2026-10-11 00:00"))
    (notice,) = [orjson.loads(o.value) for o in outs if o.topic == "notices"]
    assert notice["contact_person"] is None
    assert notice["at"] == b.oslo("2026-10-11 00:00")


def test_a_restored_employer_does_not_announce_what_its_stored_state_had_passed() -> None:
    # The assignment came late (its time is before the other employer's
    # latest event), so it was worked out at that later moment, when it had
    # already run out: nothing was ever designated, and a restart must not
    # announce the assignment (at the absence's start or end) afterwards.
    a = b.person(1)
    process, _ = restarted(
        [
            b.contact("2026-10-20 09:00", a, orgnr=b.ORGNRS[0]),
            b.absent("2026-10-01 08:00", a, "2026-10-05", "2026-10-07"),
            b.assign("2026-10-01 09:00", a, valid_until="2026-10-10"),
        ]
    )
    outs = process.worker.tick(b.to_us("2026-10-21 00:00"))
    outs += process.worker.flush(b.to_us("2026-10-21 00:00"), everything=True)
    assert [o for o in outs if o.topic == "notices"] == []


def test_a_restored_employer_fires_its_deadline_without_another_event() -> None:
    process, _ = restarted([b.inquiry("2026-10-01 09:00", "q1")], notifier=True)
    outs = process.worker.tick(b.to_us("2026-10-20 09:00"))
    outs += process.worker.flush(b.to_us("2026-10-20 09:00"), everything=True)
    rules = {orjson.loads(o.value)["rule"] for o in outs if o.topic == "alerts"}
    assert "response-overdue" in rules


def test_restored_employers_are_derived_a_few_at_a_time() -> None:
    events = [b.contact("2026-10-01 09:00", b.person(1), orgnr=o) for o in b.ORGNRS[:3]]
    process, _ = restarted(events)
    process.worker.pending.catch_up = 2
    wall = b.to_us("2026-10-01 10:00")
    assert len([o for o in process.worker.flush(wall) if o.topic == "views"]) == 2
    assert len([o for o in process.worker.flush(wall) if o.topic == "views"]) == 1
    assert process.worker.flush(wall) == []


def test_a_restarted_caseload_counter_publishes_only_what_changed_meanwhile() -> None:
    a = b.person(1)
    starts = [b.start("2026-10-01 09:00", "k-1", a, orgnr=o) for o in b.ORGNRS[:2]]
    process, started = restarted(starts, notifier=True)
    assert process.counter.lifecycle.published  # the firing caseload alert, stored
    assert [o for o in started if o.topic == "alerts"] == []

    # The counter owned the partition; an employer's follow-up ended meanwhile.
    end = intake(None, b.lines(b.end("2026-10-02 09:00", "k-1", orgnr=b.ORGNRS[0]))[0].encode(), ())
    (accepted,) = (o for o in end.outs if o.topic == "accepted")
    # (Its spans as restored come first: the employer is derived before the event.)
    spans = [o for o in process.accepted(accepted.value) if o.topic == "caseload"]
    (alert,) = [orjson.loads(o.value) for out in spans for o in process.spans(out)]
    assert (alert["rule"], alert["status"]) == ("caseload-high", "resolved")


def test_a_timer_passed_before_the_restart_fires_before_the_next_event() -> None:
    # The assignment ran out on 21 September; an absence dated that day moved the
    # clock past it before the restart, but the stored state is that of the
    # assignment. Restarted, the worker announces the end at its moment, 21
    # September, before it applies a late follow-up, not at the follow-up's time.
    a = b.person(1)
    events = [
        b.assign("2026-09-01 00:00", a, valid_until="2026-09-20"),
        b.absent("2026-09-21 00:00", a, "2026-09-15", "2026-09-18"),
        b.start("2026-09-01 00:00", "k-1", a),
    ]
    lines = b.lines(*events)
    expected = {orjson.dumps(n) for n in replay_lines(lines, now=NOW, config=CONFIG).notices}
    assert run_with_restart(lines, 2, notifier=False)["notices"] == expected


def test_a_restart_keeps_a_designation_changed_by_an_absence() -> None:
    # Found by the property test above. The absence moves the designation to the
    # deputy on 15 September, apart from the employer's own events; the
    # restarted worker must hold the deputy as designated, or it sees no change
    # when the absence ends.
    assigned, deputy = b.person(2, id=False, email=False, phone=True), b.person(1)
    lines = b.lines(
        b.contact("2026-09-15 00:00", deputy),
        b.assign("2026-09-01 00:00", assigned, deputy=deputy),
        b.absent("2026-09-01 00:00", assigned, "2026-09-15", "2026-09-18"),
    )
    expected = replay_lines(lines, now=NOW, config=CONFIG)
    assert [n["at"] for n in expected.notices][-1] == b.oslo("2026-09-19 00:00")

    published = run_with_restart(lines, len(lines), notifier=False)

    assert published["notices"] == {orjson.dumps(n) for n in expected.notices}


def test_a_restart_does_not_announce_an_absence_that_had_ended_when_it_came() -> None:
    # The absence (15 to 18 September) is read when another employer's event has
    # moved the clock to 25 September: nobody is announced. The stored state is
    # the assignment's, worked out on 1 September; restarted, the worker must
    # not run the designation from there through the absence it now knows.
    a, deputy = b.person(1), b.person(2)
    lines = b.lines(
        b.assign("2026-09-01 00:00", a, deputy=deputy),
        b.contact("2026-09-25 00:00", a, orgnr=b.ORGNRS[1]),
        b.absent("2026-09-02 00:00", a, "2026-09-15", "2026-09-18"),
    )
    expected = replay_lines(lines, now=NOW, config=CONFIG)
    assert len(expected.notices) == 1  # the assignment's

    published = run_with_restart(lines, len(lines), notifier=False)

    assert published["notices"] == {orjson.dumps(n) for n in expected.notices}


def test_a_restart_keeps_a_designation_changed_by_a_report_at_another_employer() -> None:
    # The assigned person is known by a NAV ident, an absence names a human known
    # only by e-mail; a report at another employer makes them one human: the
    # deputy takes over at the first employer, apart from its own events. The
    # restarted worker must announce the assigned person's return.
    lines = b.lines(*b.joined_while_absent(report_at=b.ORGNRS[1]))
    expected = replay_lines(lines, now=NOW, config=CONFIG)
    basis = [n["contact_person"]["basis"] for n in expected.notices]
    assert basis == ["assigned", "deputy", "assigned"]

    published = run_with_restart(lines, len(lines), notifier=False)

    assert published["notices"] == {orjson.dumps(n) for n in expected.notices}


def test_a_firing_by_the_clock_alone_is_resolved_by_a_late_event_after_a_restart() -> None:
    # The deadline passed with no event: the firing was published, but stored
    # with no event of the employer. After a restart, an answer timed before the
    # deadline shows it never held, and the resolution must follow.
    tables: dict[str, Any] = {"table": {}, "caseload": {}, "people": []}
    first = Process(True, **tables)
    for line in b.lines(b.inquiry("2026-10-01 09:00", "q1", urgency="urgent")):
        for out in intake(None, line.encode(), ()).messages():
            if out.topic == "accepted":
                first.accepted(out.value)
    fired = first.worker.tick(b.to_us("2026-10-05 09:00"))
    [firing] = [orjson.loads(o.value) for o in fired if o.topic == "alerts"]
    assert firing["status"] == "firing"
    again = Process(True, **tables)
    again.start(lambda outs: None)
    late = b.answer("2026-10-01 10:00", "q1", b.person(1))
    outs = []
    for out in intake(None, b.lines(late)[0].encode(), ()).messages():
        if out.topic == "accepted":  # as the restarted notifier applies it, at the wall clock
            outs += again.worker.accepted(out.value, b.to_us("2026-10-05 09:30"))[0]
    alerts = [orjson.loads(o.value) for o in outs if o.topic == "alerts"]
    assert [(a["alert_id"], a["status"], a["ends_at"]) for a in alerts][-1] == (
        firing["alert_id"],
        "resolved",
        firing["starts_at"],
    )
