"""Time alone fires alerts: an urgent inquiry whose deadline passes a few seconds
after it is sent gives a firing ``response-overdue`` alert, and an overdue view,
within seconds of the deadline, with no further event.

The receipt time is chosen on the business-day calendar so that the deadline is
a few seconds from now: an urgent inquiry (one business day) received on the
previous business day at the same wall time. On a day that is not a business day
no receipt gives such a deadline, and the test is skipped.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest

from enkontakt.generate import OSLO
from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.services.notifier.calendar import deadline, is_business_day
from tests import builders as b
from tests.streaming import stream
from tests.streaming.compare import instants, wall_now
from tests.streaming.kafka_io import Outputs, Producer
from tests.streaming.processes import Services
from tests.streaming.runs import send

pytestmark = pytest.mark.integration

LEAD_SECONDS = 4
ALLOWED_DELAY_SECONDS = 5.0


def receipt_for(due: datetime) -> datetime | None:
    """A receipt time whose one-business-day deadline is ``due``, or None if there is none."""
    local = due.astimezone(OSLO)
    if not is_business_day(local.date()):
        return None
    day = local.date() - timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    received = datetime.combine(day, local.time(), OSLO)
    return received if deadline(received, 1) == local else None


def deadline_in(seconds: int) -> tuple[datetime, datetime]:
    """A one-business-day deadline ``seconds`` from now (whole seconds) and the
    receipt time that gives it; skips the test on a day where none does."""
    due = (wall_now() + timedelta(seconds=seconds)).replace(microsecond=0)
    received = receipt_for(due)
    if received is None:
        pytest.skip(f"no receipt has its one-business-day deadline at {due.astimezone(OSLO)}")
    return due, received


def test_an_inquiry_becomes_overdue_by_the_clock_alone(
    broker: EmbeddedBroker, services: Services
) -> None:
    settings = services.settings
    coordinator, notifier = services.start("coordinator"), services.start("notifier")
    services.wait_ready(coordinator, notifier)
    due, received = deadline_in(LEAD_SECONDS)
    orgnr = stream.crafted_orgnr(950)
    urgent = b.inquiry(received.isoformat(), "URGENT-1", orgnr=orgnr, urgency="urgent")
    normal = b.inquiry(received.isoformat(), "NORMAL-1", orgnr=orgnr)
    key = f"{orgnr}/URGENT-1"

    async def scenario() -> tuple[float | None, float | None, Outputs]:
        async with Producer(broker.bootstrap) as producer, Outputs(
            broker.bootstrap, settings
        ) as outputs:
            await send(producer, settings.topic_events, [
                stream.keyed(stream.line(urgent)), stream.keyed(stream.line(normal)),
            ])
            await producer.flush()
            fired_at, overdue_at = await _fired_and_overdue(outputs, due, orgnr, "URGENT-1")
            return fired_at, overdue_at, outputs

    fired_at, overdue_at, outputs = asyncio.run(scenario())

    assert fired_at is not None, "response-overdue never fired"
    assert due.timestamp() <= fired_at <= due.timestamp() + ALLOWED_DELAY_SECONDS
    firing = [a for a in outputs.alerts.values() if a["key"] == key and a["status"] == "firing"]
    assert len(firing) == 1
    assert firing[0]["rule"] == "response-overdue"
    assert firing[0]["severity"] == "critical"
    assert instants(firing[0]["starts_at"]) == due
    assert not [a for a in outputs.alerts.values() if a["key"] == f"{orgnr}/NORMAL-1"]
    assert overdue_at is not None, "the view never showed the inquiry overdue"
    assert due.timestamp() <= overdue_at <= due.timestamp() + ALLOWED_DELAY_SECONDS


async def _fired_and_overdue(
    outputs: Outputs, due: datetime, orgnr: str, inquiry_id: str
) -> tuple[float | None, float | None]:
    """When the inquiry's ``response-overdue`` alert fired and when its employer's
    view first showed it overdue (None: not by a few seconds past the allowed delay)."""
    key = f"{orgnr}/{inquiry_id}"
    fired_at = overdue_at = None
    limit = due.timestamp() + ALLOWED_DELAY_SECONDS + 5
    while time.time() < limit and (fired_at is None or overdue_at is None):
        await outputs.poll(0.1)
        if fired_at is None and any(k == key for _, k, _ in outputs.firing()):
            fired_at = time.time()
        if overdue_at is None and _overdue(outputs, orgnr, inquiry_id):
            overdue_at = time.time()
    return fired_at, overdue_at


def _overdue(outputs: Outputs, orgnr: str, inquiry_id: str) -> bool:
    view = outputs.views.get(orgnr)
    inquiries = view["open_inquiries"] if view else []
    return any(i["inquiry_id"] == inquiry_id and i["overdue"] for i in inquiries)


RESTART_LEAD_SECONDS = 30
SETTLE_SECONDS = 6.0  # past faust's offset commit (every 2.8 s) and the changelog's flush


def test_a_deadline_still_fires_when_both_services_were_restarted_before_it(
    broker: EmbeddedBroker, services: Services
) -> None:
    # The services took the inquiry, stored it and committed its offset, then were
    # killed; restarted, they read it from their tables, not from the input, and
    # must set its deadline again themselves: no event comes after it.
    settings = services.settings
    coordinator, notifier = services.start("coordinator"), services.start("notifier")
    services.wait_ready(coordinator, notifier)
    due, received = deadline_in(RESTART_LEAD_SECONDS)
    orgnr = stream.crafted_orgnr(951)
    urgent = b.inquiry(received.isoformat(), "URGENT-2", orgnr=orgnr, urgency="urgent")

    async def scenario() -> tuple[float | None, float | None, float]:
        async with Producer(broker.bootstrap) as producer, Outputs(
            broker.bootstrap, settings
        ) as outputs:
            await send(producer, settings.topic_events, [stream.keyed(stream.line(urgent))])
            await producer.flush()
            assert await outputs.until(lambda: orgnr in outputs.views, 30)
            await asyncio.sleep(SETTLE_SECONDS)
            coordinator.kill()
            notifier.kill()
            restarted = [
                services.start("coordinator", "coordinator-restarted"),
                services.start("notifier", "notifier-restarted"),
            ]
            await asyncio.to_thread(services.wait_ready, *restarted)
            ready_at = time.time()
            fired_at, overdue_at = await _fired_and_overdue(outputs, due, orgnr, "URGENT-2")
            return fired_at, overdue_at, ready_at

    fired_at, overdue_at, ready_at = asyncio.run(scenario())

    assert ready_at < due.timestamp(), "the services were not back before the deadline"
    assert fired_at is not None, "response-overdue never fired after the restart"
    assert due.timestamp() <= fired_at <= due.timestamp() + ALLOWED_DELAY_SECONDS
    assert overdue_at is not None, "the view never showed the inquiry overdue after the restart"
    assert due.timestamp() <= overdue_at <= due.timestamp() + ALLOWED_DELAY_SECONDS
