"""The notifier's per-message work across workers gives the alerts of replay
(no broker: messages are routed by hand)."""

from __future__ import annotations

import zlib

import orjson
from hypothesis import HealthCheck, given, note, settings

from enkontakt.replay import replay_lines
from enkontakt.services.coordinator.intake import intake
from enkontakt.services.coordinator.worker import EmployerWorker
from enkontakt.services.notifier.worker import AlertDeriver, CaseloadCounter
from enkontakt.services.rules_config import RuleConfig
from tests import builders as b
from tests.test_replay_properties import streams


def run_notifiers(lines: list[str], workers: int, wall: int, config: RuleConfig) -> dict:
    pool = [EmployerWorker(config, AlertDeriver()) for _ in range(workers)]
    counter = CaseloadCounter(config, pool[0].ledger.people)
    latest: dict[tuple[str, str, str], dict] = {}

    def publish(outs: list) -> None:
        for out in outs:
            if out.topic == "alerts":
                alert = orjson.loads(out.value)
                latest[(alert["rule"], alert["key"], alert["alert_id"])] = alert
            elif out.topic == "caseload":
                publish(counter.spans(out.value, wall))
            elif out.topic == "people":
                for worker in pool:
                    publish(worker.people(out.value, wall))
                publish(counter.count(wall))
            elif out.topic == "accepted":
                more, _ = pool[zlib.crc32(out.key) % workers].accepted(out.value, wall)
                publish(more)

    for line in lines:
        publish(intake(None, line.encode(), ()).messages())
    for worker in pool:
        publish(worker.flush(wall, everything=True))
        publish(worker.tick(wall))
    return latest


def shape(alerts) -> set:
    return {
        (a["rule"], a["key"], a["starts_at"], a["ends_at"], a["status"], a["unit"], a["severity"])
        for a in alerts
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams)
def test_two_notifiers_publish_the_alerts_of_replay(events: tuple) -> None:
    config = RuleConfig(max_caseload=1, max_contact_persons=1)
    lines = b.lines(*events)
    expected = replay_lines(lines, config=config)
    latest = run_notifiers(lines, 2, expected.now, config)
    never_held = [
        a for a in latest.values() if a["status"] == "resolved" and a["ends_at"] == a["starts_at"]
    ]
    note("\n".join(lines))
    assert shape(a for a in latest.values() if a not in never_held) == shape(expected.alerts)


def test_an_employer_let_go_leaves_no_published_alerts_behind() -> None:
    deriver = AlertDeriver()
    worker = EmployerWorker(RuleConfig(), deriver)
    for line in b.lines(
        b.inquiry("2026-10-01 09:00", "q1"), b.inquiry("2026-10-01 09:00", "q2", orgnr=b.ORGNRS[0])
    ):
        (accepted,) = (o for o in intake(None, line.encode(), ()).outs if o.topic == "accepted")
        worker.accepted(accepted.value, b.to_us("2026-10-20 09:00"))
    assert {key.split("/")[0] for _, key in deriver.lifecycle.published} == {
        b.EMPLOYER,
        b.ORGNRS[0],
    }

    deriver.forget(b.EMPLOYER)
    assert {key.split("/")[0] for _, key in deriver.lifecycle.published} == {b.ORGNRS[0]}
    assert b.EMPLOYER not in deriver.keys


def test_the_caseload_counter_hears_of_an_employers_follow_ups_only_when_they_change() -> None:
    deriver = AlertDeriver()
    worker = EmployerWorker(RuleConfig(), deriver)
    wall = b.to_us("2026-10-20 09:00")

    def caseload_messages(*events: dict) -> int:
        count = 0
        for line in b.lines(*events):
            (accepted,) = (o for o in intake(None, line.encode(), ()).outs if o.topic == "accepted")
            outs, _ = worker.accepted(accepted.value, wall)
            count += sum(1 for o in outs if o.topic == "caseload")
        return count

    a = b.person(1)
    assert caseload_messages(b.start("2026-10-01 09:00", "k-1", a)) == 1
    assert (
        caseload_messages(b.contact("2026-10-02 09:00", a), b.inquiry("2026-10-02 10:00", "q1"))
        == 0
    )
    assert caseload_messages(b.end("2026-10-03 09:00", "k-1")) == 1
    deriver.forget(b.EMPLOYER)  # let go, and held again: said once more
    assert caseload_messages(b.contact("2026-10-04 09:00", a)) == 1
