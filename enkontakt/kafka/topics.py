"""The contract's topics, and creating the missing ones."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from enkontakt.logging import get_logger
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs

_DAY_MS = 24 * 60 * 60 * 1000
_TOPIC_ALREADY_EXISTS = 36

log = get_logger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    """One topic as the service expects it to exist."""

    name: str
    partitions: int
    compacted: bool
    retention_days: int | None
    """Days a record is kept; None to keep records until compaction replaces them."""

    def configs(self) -> dict[str, str]:
        """The topic-level Kafka configuration to create the topic with."""
        retention_ms = -1 if self.retention_days is None else self.retention_days * _DAY_MS
        return {
            "cleanup.policy": "compact" if self.compacted else "delete",
            "retention.ms": str(retention_ms),
        }


def contract_topics(settings: KafkaSettings) -> tuple[TopicSpec, ...]:
    """The topics of the external contract, named and sized as configured."""
    partitions = settings.partitions
    retention = settings.retention_days
    return (
        TopicSpec(settings.topic_events, partitions, compacted=False, retention_days=retention),
        TopicSpec(
            settings.topic_dlq,
            partitions,
            compacted=False,
            retention_days=settings.dlq_retention_days,
        ),
        TopicSpec(settings.topic_alerts, partitions, compacted=False, retention_days=retention),
        TopicSpec(settings.topic_views, partitions, compacted=True, retention_days=None),
        TopicSpec(settings.topic_notices, partitions, compacted=False, retention_days=retention),
    )


async def ensure_topics(
    settings: KafkaSettings, specs: tuple[TopicSpec, ...] | None = None
) -> list[str]:
    """Create the topics of ``specs`` (default: the contract's) that do not exist
    yet; return the names created.

    Idempotent: existing topics are left as they are (a different partition count
    is logged, not changed), and a topic created concurrently counts as existing.
    """
    specs = contract_topics(settings) if specs is None else specs
    admin = AIOKafkaAdminClient(**aiokafka_client_kwargs(settings))
    await admin.start()
    try:
        existing = await _partition_counts(admin, [spec.name for spec in specs])
        for spec in specs:
            if spec.name in existing and existing[spec.name] != spec.partitions:
                log.warning(
                    "topic_partitions_differ",
                    topic=spec.name,
                    actual=existing[spec.name],
                    configured=spec.partitions,
                )
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            await _create(admin, missing, settings.replication_factor)
        return [spec.name for spec in missing]
    finally:
        await admin.close()


async def _partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    present = set(await admin.list_topics()) & set(names)
    if not present:
        return {}
    described = await admin.describe_topics(sorted(present))
    return {topic["topic"]: len(topic["partitions"]) for topic in described}


async def _create(
    admin: AIOKafkaAdminClient, specs: list[TopicSpec], replication_factor: int
) -> None:
    response = await admin.create_topics(
        [
            NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=spec.configs())
            for spec in specs
        ]
    )
    for name, code, *detail in response.topic_errors:  # detail: error message from v1 on
        if code not in (0, _TOPIC_ALREADY_EXISTS):
            raise for_code(code)(f"cannot create topic {name}: {detail}")
        log.info("topic_created", topic=name, created=code == 0)
