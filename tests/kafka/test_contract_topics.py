"""The contract's topics and creating them."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from enkontakt.kafka.topics import contract_topics, ensure_topics
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs

DAY_MS = 86_400_000


def test_contract_topics_follow_the_settings() -> None:
    settings = KafkaSettings(
        ENKONTAKT_TOPIC_VIEWS="team.views",
        ENKONTAKT_PARTITIONS=6,
        ENKONTAKT_TOPIC_RETENTION_DAYS=30,
        ENKONTAKT_DLQ_RETENTION_DAYS=7,
    )
    by_name = {spec.name: spec for spec in contract_topics(settings)}

    assert set(by_name) == {
        "enkontakt.contact-events.v1",
        "enkontakt.contact-events.dlq.v1",
        "enkontakt.alerts.v1",
        "team.views",
        "enkontakt.employer-notices.v1",
    }
    assert {spec.partitions for spec in by_name.values()} == {6}
    assert [name for name, spec in by_name.items() if spec.compacted] == ["team.views"]
    assert by_name["team.views"].configs() == {"cleanup.policy": "compact", "retention.ms": "-1"}
    assert by_name["enkontakt.alerts.v1"].configs() == {
        "cleanup.policy": "delete",
        "retention.ms": str(30 * DAY_MS),
    }
    assert by_name["enkontakt.contact-events.dlq.v1"].retention_days == 7


async def _describe(settings: KafkaSettings) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    """Partition counts (from metadata) and configs of the contract's topics."""
    names = [spec.name for spec in contract_topics(settings)]
    admin = AIOKafkaAdminClient(**aiokafka_client_kwargs(settings))
    await admin.start()
    try:
        described = await admin.describe_topics(names)
        partitions = {topic["topic"]: len(topic["partitions"]) for topic in described}
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
        configs = {
            resource[3]: {entry[0]: entry[1] for entry in resource[4]}
            for response in responses
            for resource in response.resources
        }
        return partitions, configs
    finally:
        await admin.close()


@pytest.mark.integration
def test_ensure_topics_creates_the_missing_topics_once(kafka_settings: KafkaSettings) -> None:
    names = [spec.name for spec in contract_topics(kafka_settings)]

    created = asyncio.run(ensure_topics(kafka_settings))
    again = asyncio.run(ensure_topics(kafka_settings))
    partitions, configs = asyncio.run(_describe(kafka_settings))

    assert sorted(created) == sorted(names)
    assert again == []
    assert partitions == dict.fromkeys(names, kafka_settings.partitions)
    assert configs[kafka_settings.topic_views]["cleanup.policy"] == "compact"
    assert configs[kafka_settings.topic_events]["cleanup.policy"] == "delete"
    assert configs[kafka_settings.topic_events]["retention.ms"] == str(400 * DAY_MS)
    assert configs[kafka_settings.topic_dlq]["retention.ms"] == str(14 * DAY_MS)


@pytest.mark.integration
def test_ensure_topics_creates_only_what_is_missing(kafka_settings: KafkaSettings) -> None:
    first = kafka_settings.model_copy(update={"topic_alerts": kafka_settings.topic_alerts + "-x"})
    asyncio.run(ensure_topics(first))

    created = asyncio.run(ensure_topics(kafka_settings))

    assert created == [kafka_settings.topic_alerts]
