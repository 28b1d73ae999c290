"""An employer's state kept as snapshots and the events since: what the table
holds rebuilds exactly the state the worker had, with a bounded number of keys."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enkontakt.services.coordinator.codec import encode_state
from enkontakt.services.coordinator.designations import DESIGNATION
from enkontakt.services.coordinator.intake import Out, intake
from enkontakt.services.coordinator.store import EmployerLog, orgnr_of
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.notifier.worker import AlertDeriver
from enkontakt.services.rules_config import RuleConfig
from tests import builders as b
from tests.test_replay_properties import streams

WALL = 1_800_000_000_000_000


def run(
    lines: list[str], tail: int, deriver: AlertDeriver | None = None
) -> tuple[EmployerWorker, dict[str, bytes], list[bytes]]:
    """One worker; the table as a dict (the last value per key wins, as after
    compaction) and the people messages in the order published. With a
    ``deriver``, a notifier's worker that stores its published alerts too;
    without, a coordinator's, which stores designations worked out through people."""
    worker = EmployerWorker(RuleConfig(), deriver or view_out, designations=deriver is None)
    history = EmployerLog(tail)
    table: dict[str, bytes] = {}
    people: list[bytes] = []

    def store(outs: list[Out]) -> None:
        for out in outs:
            if out.topic == "accepted" and DESIGNATION in out.headers:
                state = worker.designated(out.key.decode(), out.value)
                assert state is not None
                key, value = history.designation(state)
                table[key] = value

    for line in lines:
        for out in intake(None, line.encode(), ()).messages():
            if out.topic == "people":
                people.append(out.value)
                store(worker.people(out.value, WALL))
            elif out.topic == "accepted":
                outs, state = worker.accepted(out.value, WALL)
                store(outs)
                if state is not None:
                    extra = None if deriver is None else deriver.export(state.orgnr)
                    key, value = history.write(state, out.value, extra)
                    table[key] = value
    return worker, table, people


def rebuilt(table: dict[str, bytes], people: list[bytes], tail: int) -> EmployerWorker:
    worker = EmployerWorker(RuleConfig(), view_out)
    for message in people:
        worker.people(message, WALL)
    for stored in EmployerLog(tail).read_all(table):
        worker.hold(stored)
    return worker


def states(worker: EmployerWorker, *, checked: bool = False) -> dict[str, bytes]:
    """Every employer's state as stored; without ``checked``, but for the moment
    its designation was last worked out: the notifier does not store the checks
    after an employer's last event (a person record, an absence), and a restored
    employer works it out again from its stored moment (tests/services/test_restart.py)."""
    encoded = {}
    for state in worker.ledger.states():
        value = encode_state(state)
        if not checked:
            value["designation"][3] = None
        encoded[state.orgnr] = orjson.dumps(value)
    return encoded


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams, st.sampled_from([1, 2, 3, 32]))
def test_the_table_rebuilds_every_employer_state(events: tuple, tail: int) -> None:
    lines = b.lines(*events)
    worker, table, people = run(lines, tail)
    assert states(rebuilt(table, people, tail), checked=True) == states(worker, checked=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams, st.sampled_from([1, 3]))
def test_the_notifiers_table_rebuilds_the_state_and_the_published_alerts(
    events: tuple, tail: int
) -> None:
    # What the table keeps is the alerts as of each employer's last event. An
    # absence reaches the notifier through the people topic, and what it (or the
    # clock) changes afterwards is not stored: after a restart such an alert is
    # published once more, under the same alert id (docs/operations.md).
    events = tuple(e for e in events if not e["type"].endswith(".absent.v1"))
    deriver = AlertDeriver()
    worker, table, people = run(b.lines(*events), tail, deriver)

    again, derived = EmployerWorker(RuleConfig(), AlertDeriver()), AlertDeriver()
    for message in people:
        again.people(message, WALL)
    for stored in EmployerLog(tail).read_all(table):
        again.hold(stored)
        derived.load(stored.state.orgnr, stored.extra)

    assert states(again) == states(worker)
    for orgnr in states(worker):
        assert derived.export(orgnr) == deriver.export(orgnr)


def test_keys_per_employer_stay_bounded_and_snapshots_come_every_tail_events() -> None:
    a = b.person(1)
    events = [b.contact(f"2026-10-01 08:{m:02d}", a) for m in range(40)]
    _worker, table, _ = run(b.lines(*events), tail=4)

    orgnrs = {orgnr_of(key) for key in table}
    assert len(orgnrs) == 1
    (orgnr,) = orgnrs
    # The snapshot, and slots for the events after it (the slot of every 4th + 1
    # event is never used: that event writes a snapshot).
    assert set(table) == {orgnr, f"{orgnr}/0", f"{orgnr}/2", f"{orgnr}/3"}
    snapshot = orjson.loads(table[orgnr])
    assert snapshot["seq"] == 37  # the 1st, 5th, ... 37th event wrote a snapshot
    assert len(snapshot["reports"]) == 37
    newer = sorted(int(value.split(b"\n")[0]) for key, value in table.items() if "/" in key)
    assert newer == [38, 39, 40]


def test_reading_an_employer_continues_its_count() -> None:
    a = b.person(1)
    events = [b.contact(f"2026-10-01 08:{m:02d}", a) for m in range(6)]
    _worker, table, _ = run(b.lines(*events), tail=4)
    (orgnr,) = {orgnr_of(key) for key in table}

    history = EmployerLog(4)
    stored = history.lookup(orgnr, table.get)
    assert stored is not None
    assert (stored.seq, len(stored.events)) == (5, 1)
    assert history.seq[orgnr] == 6
    state = stored.state
    key, _value = history.write(state, b"{}")
    assert key == f"{orgnr}/3"  # the 7th event goes to slot 7 % 4


def test_a_snapshot_of_an_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        EmployerLog().read("910000009", b'{"v": 99, "seq": 1}', iter(()))


def test_an_employer_never_stored_is_not_found() -> None:
    assert EmployerLog().lookup("910000009", {}.get) is None
