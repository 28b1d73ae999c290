"""Nothing lost, nothing counted twice: services killed in the middle of the stream
(SIGKILL: no shutdown, no offset commit, no flush) and started again end with the
views and firing alerts replay gives.

A restarted worker recovers its table from the changelog and may read its input
again from the start (docs/kafka.md); applied event ids live in the same table
value as the state they changed, so reading an event again changes nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from tests.streaming import stream
from tests.streaming.compare import ReplayOutput, replay, view_differences, wall_now
from tests.streaming.kafka_io import Outputs, Producer
from tests.streaming.processes import Services
from tests.streaming.runs import send

pytestmark = pytest.mark.integration

CONVERGE_SECONDS = 120.0


def test_killed_services_restart_with_nothing_lost_or_counted_twice(
    broker: EmbeddedBroker, services: Services, tmp_path: Path
) -> None:
    lines = stream.generated(employers=40, events=1500, seed=5)
    messages = [stream.keyed(line) for line in lines]
    thirds = [messages[:500], messages[500:1000], messages[1000:]]
    settings = services.settings
    coordinator, notifier = services.start("coordinator"), services.start("notifier")
    services.wait_ready(coordinator, notifier)

    async def scenario() -> tuple[Outputs, ReplayOutput, int, int]:
        async with Producer(broker.bootstrap) as producer, Outputs(
            broker.bootstrap, settings
        ) as outputs:
            await send(producer, settings.topic_events, thirds[0])
            await producer.flush()
            assert await outputs.until(lambda: outputs.view_messages > 0, 30)
            coordinator.kill()
            views_at_kill = outputs.view_messages
            services.start("coordinator", "coordinator-restarted")

            await send(producer, settings.topic_events, thirds[1])
            await producer.flush()
            assert await outputs.until(lambda: len(outputs.alert_arrivals) > 0, 30)
            notifier.kill()
            alerts_at_kill = len(outputs.alert_arrivals)
            services.start("notifier", "notifier-restarted")

            await send(producer, settings.topic_events, thirds[2])
            await producer.flush()
            expected = replay(lines, tmp_path, wall_now())
            await outputs.until(
                lambda: not view_differences(expected.views_by_orgnr(), outputs.views)
                and outputs.firing() == expected.firing(),
                CONVERGE_SECONDS,
            )
            await outputs.settle(2.0)
            return outputs, expected, views_at_kill, alerts_at_kill

    outputs, expected, views_at_kill, alerts_at_kill = asyncio.run(scenario())

    # Killed while working: some output was out, far from all of it.
    assert 0 < views_at_kill < outputs.view_messages
    assert 0 < alerts_at_kill < len(outputs.alert_arrivals)
    differences = view_differences(expected.views_by_orgnr(), outputs.views)
    assert differences == [], "\n".join(differences[:30])
    assert outputs.firing() == expected.firing()
    assert outputs.records[settings.topic_dlq] == []
