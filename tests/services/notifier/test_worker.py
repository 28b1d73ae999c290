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
