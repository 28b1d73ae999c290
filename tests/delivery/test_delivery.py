"""Delivery to real local receivers: grouping, signatures, repeats, outages.

The clock is passed in, so an hour of outage takes a fraction of a second;
the HTTP traffic is real.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from enkontakt.delivery.outbox import Outbox
from enkontakt.delivery.sender import Backoff, Deliverer, WebhookPoster
from enkontakt.delivery.settings import DeliverySettings
from enkontakt.delivery.settings import Receiver as ReceiverConfig
from enkontakt.projection.documents import alert_change_key
from enkontakt.projection.models import Alert, WebhookAlertState, WebhookOutbox
from enkontakt.projection.queries import ProjectionQueries
from enkontakt.projection.store import MIGRATIONS, Projection
from tests.delivery.receiver import Receiver, unused_port
from tests.projection import samples as s

T0 = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
RESOLVED_AT = "2026-10-20T12:30:00Z"


def config(*receivers: Receiver, name: str = "ops") -> DeliverySettings:
    return DeliverySettings(
        webhooks=tuple(
            ReceiverConfig(name=f"{name}{i}", url=r.url, secret=r.secret)
            for i, r in enumerate(receivers)
        ),
        database_url="sqlite://",
    )


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as client:
        yield client


def deliverer(projection: Projection, client: httpx.Client, *receivers: Receiver) -> Deliverer:
    return Deliverer(Outbox(projection.engine), config(*receivers), WebhookPoster(client))


def test_firing_alerts_go_out_grouped_per_unit_and_signed(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    projection.write_alerts([s.alert("a"), s.alert("b"), s.alert("c", unit="0301")])
    report = deliverer(projection, client, receiver).run_once(T0)
    assert (report.enqueued, report.delivered, report.failed) == (2, 2, 0)
    assert receiver.groups() == [
        ('{}:{unit="0301"}', [("c", "firing")]),
        ('{}:{unit="1902"}', [("a", "firing"), ("b", "firing")]),
    ]
    for item in receiver.received:
        assert receiver.signature_ok(item)
        assert item.headers["content-type"] == "application/json"
        assert item.body["version"] == "4"
        assert item.headers["x-enkontakt-delivery"].isdigit()


def test_nothing_is_sent_twice_and_resolution_is_sent(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    sender = deliverer(projection, client, receiver)
    projection.write_alerts([s.alert("a")])
    sender.run_once(T0)
    sender.run_once(T0 + timedelta(minutes=1))
    projection.write_alerts([s.alert("a")])  # the same state again
    sender.run_once(T0 + timedelta(minutes=2))
    assert len(receiver.received) == 1
    projection.write_alerts([s.alert("a", status="resolved", ends_at=RESOLVED_AT)])
    sender.run_once(T0 + timedelta(minutes=3))
    assert receiver.groups()[1] == ('{}:{unit="1902"}', [("a", "resolved")])
    assert receiver.received[1].body["status"] == "resolved"
    assert receiver.received[1].body["alerts"][0]["endsAt"] == "2026-10-20T12:30:00Z"
    sender.run_once(T0 + timedelta(days=3))
    assert len(receiver.received) == 2


def test_a_time_written_another_way_is_no_change(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    sender = deliverer(projection, client, receiver)
    for minute, starts_at in enumerate(
        ["2026-10-12T15:10:00+02:00", "2026-10-12T13:10:00Z", "2026-10-12T13:10:00.000Z"]
    ):
        projection.write_alerts([s.alert("a", starts_at=starts_at)])
        sender.run_once(T0 + timedelta(minutes=minute))
    assert len(receiver.received) == 1
    for minute, ends_at in enumerate([RESOLVED_AT, "2026-10-20T14:30:00.000+02:00"], start=5):
        projection.write_alerts([s.alert("a", status="resolved", ends_at=ends_at)])
        sender.run_once(T0 + timedelta(minutes=minute))
    assert receiver.groups()[1:] == [('{}:{unit="1902"}', [("a", "resolved")])]


def test_migrating_the_change_keys_keeps_what_receivers_were_told(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    sender = deliverer(projection, client, receiver)
    projection.write_alerts([s.alert("a")])
    sender.run_once(T0)
    textual = hashlib.sha256(b"firing|critical|2026-10-12T15:10:00+02:00|").hexdigest()
    _migrate(projection, "0001")  # keys as the text the times were written in
    assert _keys(projection) == (textual, textual)
    projection.upgrade()
    assert _keys(projection) == (alert_change_key(s.alert("a")),) * 2
    projection.write_alerts([s.alert("a", starts_at="2026-10-12T13:10:00Z")])
    sender.run_once(T0 + timedelta(minutes=1))
    assert len(receiver.received) == 1


def test_migrating_the_revisions_lets_a_versioned_alert_follow_a_stored_one(
    projection: Projection,
) -> None:
    projection.write_alerts([s.alert("a", status="resolved", ends_at=RESOLVED_AT)])
    _migrate(projection, "0002")  # revisions without the version
    with projection.engine.connect() as connection:
        assert connection.scalar(select(Alert.revision)).startswith("1|")
    projection.upgrade()
    projection.write_alerts([s.alert("a", version=1)])  # back to firing, said a late event
    record = ProjectionQueries(projection.engine).alert("a")
    assert record is not None and record.document["status"] == "firing"


def _migrate(projection: Projection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with projection.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _keys(projection: Projection) -> tuple[str | None, str | None]:
    with projection.engine.connect() as connection:
        stored = connection.scalar(select(Alert.change_key))
        told = connection.scalar(select(WebhookAlertState.notified_change_key))
    return stored, told


def test_an_alert_resolved_before_it_was_ever_sent_is_not_sent(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    projection.write_alerts([s.alert("a", status="resolved", ends_at=RESOLVED_AT)])
    deliverer(projection, client, receiver).run_once(T0)
    assert receiver.received == []


def test_an_unacknowledged_alert_repeats_an_acknowledged_one_does_not(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    sender = deliverer(projection, client, receiver)
    projection.write_alerts([s.alert("a"), s.alert("b")])
    sender.run_once(T0)
    ProjectionQueries(projection.engine).acknowledge("b", "Z990001", T0 + timedelta(hours=1))
    sender.run_once(T0 + timedelta(hours=23, minutes=59))
    assert len(receiver.received) == 1
    sender.run_once(T0 + timedelta(hours=24))
    assert receiver.groups()[1] == ('{}:{unit="1902"}', [("a", "firing")])
    sender.run_once(T0 + timedelta(hours=47))
    assert len(receiver.received) == 2
    sender.run_once(T0 + timedelta(hours=48))
    assert receiver.groups()[2] == ('{}:{unit="1902"}', [("a", "firing")])
    # The acknowledged alert is told again once it changes.
    projection.write_alerts([s.alert("b", status="resolved", ends_at=RESOLVED_AT)])
    sender.run_once(T0 + timedelta(hours=49))
    assert receiver.groups()[3] == ('{}:{unit="1902"}', [("b", "resolved")])


def test_a_receiver_down_for_an_hour_gets_every_notification_once(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    sender = deliverer(projection, client, receiver)
    receiver.failing_status = 503
    minute = timedelta(minutes=1)
    for step in range(61):
        now = T0 + step * minute
        if step == 0:
            projection.write_alerts([s.alert("a")])
        if step == 10:
            projection.write_alerts([s.alert("b", unit="0301")])
        if step == 30:
            projection.write_alerts([s.alert("a", status="resolved", ends_at=RESOLVED_AT)])
        sender.run_once(now)
    assert receiver.received == []
    # Backoff 10 s, 20 s, 40 s, … capped at 5 min: a few attempts, not one per round.
    assert 10 <= receiver.refused <= 20
    receiver.failing_status = None
    for step in range(61, 70):
        sender.run_once(T0 + step * minute)
    assert receiver.groups() == [
        ('{}:{unit="1902"}', [("a", "firing")]),
        ('{}:{unit="0301"}', [("b", "firing")]),
        ('{}:{unit="1902"}', [("a", "resolved")]),
    ]
    with projection.engine.connect() as connection:
        pending = connection.scalars(
            select(WebhookOutbox.id).where(WebhookOutbox.delivered_at.is_(None))
        ).all()
    assert pending == []


def test_a_receiver_that_is_not_listening_gets_it_when_it_starts(
    projection: Projection, client: httpx.Client
) -> None:
    receiver = Receiver(secret="receiver-secret-0123456789", port=unused_port())
    sender = deliverer(projection, client, receiver)
    projection.write_alerts([s.alert("a")])
    report = sender.run_once(T0)
    assert report.failed == 1
    receiver.start()
    try:
        assert sender.run_once(T0 + timedelta(seconds=5)).delivered == 0  # still backing off
        assert sender.run_once(T0 + timedelta(seconds=10)).delivered == 1
        assert receiver.groups() == [('{}:{unit="1902"}', [("a", "firing")])]
    finally:
        receiver.stop()


def test_one_receiver_down_does_not_hold_back_another(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    down = Receiver(secret="receiver-secret-0123456789", port=unused_port())
    projection.write_alerts([s.alert("a")])
    report = deliverer(projection, client, down, receiver).run_once(T0)
    assert (report.delivered, report.failed) == (1, 1)
    assert len(receiver.received) == 1


def test_the_outbox_survives_a_restart_of_the_sender(
    projection: Projection, client: httpx.Client, receiver: Receiver
) -> None:
    receiver.failing_status = 500
    projection.write_alerts([s.alert("a")])
    deliverer(projection, client, receiver).run_once(T0)
    receiver.failing_status = None
    restarted = Projection(str(projection.engine.url))
    try:
        deliverer(restarted, client, receiver).run_once(T0 + timedelta(minutes=1))
    finally:
        restarted.close()
    assert receiver.groups() == [('{}:{unit="1902"}', [("a", "firing")])]


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (50, 300)]
)
def test_backoff_doubles_up_to_its_cap(attempts: int, seconds: int) -> None:
    backoff = Backoff(timedelta(seconds=10), timedelta(minutes=5))
    assert backoff.after(attempts) == timedelta(seconds=seconds)
