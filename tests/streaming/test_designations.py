"""A designation that changed apart from the employer's own events survives a
restart: an absence moves an employer to the deputy, the coordinator is killed
and started again, and the employer's next event finds the deputy designated as
announced, so no second notice goes out for the same change."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson
import pytest

from enkontakt.generate import OSLO
from enkontakt.kafka.broker import EmbeddedBroker
from tests import builders as b
from tests.streaming import stream
from tests.streaming.compare import wall_now
from tests.streaming.kafka_io import Outputs, Producer
from tests.streaming.processes import Services
from tests.streaming.runs import send

pytestmark = pytest.mark.integration

SETTLE_SECONDS = 6.0  # past faust's offset commit (every 2.8 s) and the changelog's flush


def test_a_restarted_coordinator_keeps_the_deputy_an_absence_designated(
    broker: EmbeddedBroker, services: Services
) -> None:
    settings = services.settings
    coordinator = services.start("coordinator")
    services.wait_ready(coordinator)
    now = wall_now().astimezone(OSLO)
    today = now.date()
    orgnr = stream.crafted_orgnr(952)
    assigned, deputy = b.person(1), b.person(2)
    first = [
        b.assign((now - timedelta(days=2)).isoformat(), assigned, deputy=deputy, orgnr=orgnr),
        b.absent(
            (now - timedelta(hours=1)).isoformat(),
            assigned,
            (today - timedelta(days=1)).isoformat(),
            (today + timedelta(days=1)).isoformat(),
        ),
    ]
    # A follow-up start makes the coordinator work out the designation again.
    later = b.start(now.isoformat(), "k-1", b.person(3), orgnr=orgnr)

    def notices(outputs: Outputs) -> list[dict]:
        records = outputs.records[settings.topic_notices]
        return [orjson.loads(r.value) for r in records if r.key == orgnr.encode()]

    async def scenario() -> list[dict]:
        async with (
            Producer(broker.bootstrap) as producer,
            Outputs(broker.bootstrap, settings, settings.topic_notices) as outputs,
        ):
            await send(
                producer, settings.topic_events, [stream.keyed(stream.line(e)) for e in first]
            )
            await producer.flush()
            assert await outputs.until(lambda: len(notices(outputs)) == 2, 30)
            await asyncio.sleep(SETTLE_SECONDS)
            coordinator.kill()
            restarted = services.start("coordinator", "coordinator-restarted")
            await asyncio.to_thread(services.wait_ready, restarted)

            await send(producer, settings.topic_events, [stream.keyed(stream.line(later))])
            await producer.flush()
            followed = lambda: outputs.views.get(orgnr, {}).get("active_follow_ups") == 1  # noqa: E731
            assert await outputs.until(followed, 30)
            await outputs.settle(2.0)
            return notices(outputs)

    found = asyncio.run(scenario())

    assert [n["contact_person"]["basis"] for n in found] == ["assigned", "deputy"]
    assert found[1]["previous_contact_person"]["basis"] == "assigned"
