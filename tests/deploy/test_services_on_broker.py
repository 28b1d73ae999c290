"""The streaming services on a real broker: the topics they create, and the
dead-letter round trip through ``enkontakt produce`` and ``enkontakt dlq``.

The internal topic list in ``enkontakt.kafka.internal_topics`` is what NAIS and
docker-compose declare; this test holds it to what the services actually create.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.structs import ConsumerRecord

from enkontakt.cli import main
from enkontakt.dlq import REDRIVEN_HEADER
from enkontakt.generate import generate_events
from enkontakt.kafka.internal_topics import internal_topics
from enkontakt.kafka.topics import contract_topics
from enkontakt.settings import KafkaSettings
from tests.deploy.conftest import Services

pytestmark = pytest.mark.integration

INVALID_LINES = [
    b"{not json",
    orjson.dumps({"specversion": "1.0", "id": "x-1", "source": "urn:system:test"}),
]


async def _topics(settings: KafkaSettings) -> dict[str, tuple[int, str | None]]:
    """Every topic on the broker: partitions and its cleanup.policy, if set."""
    admin = AIOKafkaAdminClient(bootstrap_servers=list(settings.brokers))
    await admin.start()
    try:
        names = sorted(await admin.list_topics())
        described = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(names)}
        policies: dict[str, str | None] = {}
        for name in names:
            [answer] = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name)]
            )
            entries = answer.to_object()["resources"][0]["config_entries"]
            values = {e["config_names"]: e["config_value"] for e in entries}
            policies[name] = values.get("cleanup.policy")
        return {name: (described[name], policies[name]) for name in names}
    finally:
        await admin.close()


async def _read(
    settings: KafkaSettings, topic: str, count: int
) -> list[ConsumerRecord[bytes, bytes]]:
    """At least ``count`` records of ``topic`` (waiting up to 30 s), read from the beginning."""
    # Frequent metadata refreshes: output topics appear with their first message.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=list(settings.brokers), enable_auto_commit=False, metadata_max_age_ms=300
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        records = await _read_once(consumer, topic)
        while len(records) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            records = await _read_once(consumer, topic)
        return records
    finally:
        await consumer.stop()


async def _read_once(consumer: AIOKafkaConsumer, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    if not parts:
        return []
    consumer.assign(parts)
    await consumer.seek_to_beginning(*parts)
    ends = await consumer.end_offsets(parts)
    records: list[ConsumerRecord[bytes, bytes]] = []
    while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    return records


def _use(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in services.environment.items():
        if name.startswith(("KAFKA_", "ENKONTAKT_")):
            monkeypatch.setenv(name, value)


def test_the_services_create_exactly_the_internal_topics(services: Services) -> None:
    settings = services.settings
    contract = {spec.name for spec in contract_topics(settings)}
    expected = {spec.name: spec.partitions for spec in internal_topics(settings)}

    found = asyncio.run(_topics(settings))

    # Output topics appear with their first message; the internal ones at start-up.
    assert settings.topic_events in found
    assert {name: parts for name, (parts, _) in found.items() if name not in contract} == expected
    for spec in internal_topics(settings):
        assert spec.name.startswith("team.deploytest-")
        if spec.compacted:  # faust declares its changelogs compacted
            assert found[spec.name][1] == "compact", spec.name


def test_rejected_events_are_listed_and_land_on_the_dlq_again_when_redriven(
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _use(services, monkeypatch)
    settings = services.settings
    valid = generate_events(
        employers=5,
        events=20,
        seed=3,
        start=datetime(2026, 1, 5, tzinfo=UTC),
        days=30,
        duplicate_rate=0.0,
        redelivery_rate=0.0,
    )
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join([*map(orjson.dumps, valid), *INVALID_LINES, b""]))

    assert main(["produce", str(events)]) == 0
    assert "sent 22 event(s)" in capsys.readouterr().err
    assert asyncio.run(_read(settings, settings.topic_views, 1)), "no view was published"
    first = asyncio.run(_read(settings, settings.topic_dlq, 2))
    assert sorted(r.value for r in first) == sorted(INVALID_LINES)

    assert main(["dlq", "list"]) == 0
    listed = capsys.readouterr()
    assert sorted(line.split("\t")[3] for line in listed.out.splitlines()) == [
        "malformed-json",
        "not-cloudevent",
    ]

    assert main(["dlq", "redrive", "--all"]) == 0
    assert "re-drove 2 event(s)" in capsys.readouterr().err
    again = [r for r in asyncio.run(_read(settings, settings.topic_dlq, 4)) if r not in first]
    assert len(again) == 2
    assert sorted(r.value for r in again) == sorted(INVALID_LINES)
    for record in again:
        origin = dict(record.headers)[REDRIVEN_HEADER].decode()
        assert origin.startswith(f"{settings.topic_dlq}:")
        assert dict(record.headers)["enkontakt-error"] in (b"malformed-json", b"not-cloudevent")
