"""End offsets that are right on the embedded broker too.

tansu answers ListOffsets(LATEST) with the last record batch's base offset + 1,
so after a batch of N records the end offset it reports is N - 1 too low; the
high watermark in its fetch responses is right (docs/kafka.md). Reading "to the
end" — table recovery, the people feed's catch-up, the DLQ tool — needs the
real end. On the embedded profile, ``end_offsets`` therefore fetches the last
reported record of each partition with a consumer of its own and takes the high
watermark of that fetch; on Apache Kafka it is ListOffsets, as the clients do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from enkontakt.settings import KafkaSettings, Profile, aiokafka_client_kwargs

PROBE_TIMEOUT = 30.0
"""Seconds to wait for the high watermark of every partition."""


async def end_offsets(
    consumer: AIOKafkaConsumer, settings: KafkaSettings, partitions: Iterable[TopicPartition]
) -> dict[TopicPartition, int]:
    """The end offset (offset of the next record) of each partition."""
    partitions = list(partitions)
    if settings.profile is Profile.EMBEDDED:
        return await fetched_end_offsets(aiokafka_client_kwargs(settings), partitions)
    return dict(await consumer.end_offsets(partitions))


async def fetched_end_offsets(
    client: Mapping[str, Any], partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """End offsets as the high watermark of a fetch of each partition's last batch,
    read with a consumer of its own (``client``: its connection arguments)."""
    probe = AIOKafkaConsumer(enable_auto_commit=False, fetch_max_wait_ms=50, **client)
    await probe.start()
    try:
        probe.assign(partitions)
        reported = await probe.end_offsets(partitions)
        found = {tp: 0 for tp, end in reported.items() if end == 0}
        for tp, end in reported.items():
            if end > 0:
                probe.seek(tp, end - 1)  # the first record of the last batch, at least
        deadline = time.monotonic() + PROBE_TIMEOUT
        while len(found) < len(partitions):
            waiting = [tp for tp in partitions if tp not in found]
            await probe.getmany(*waiting, timeout_ms=100)
            for tp in waiting:
                highwater = probe.highwater(tp)
                if highwater is not None:
                    found[tp] = max(highwater, reported[tp])
            if time.monotonic() > deadline:
                raise TimeoutError(f"no high watermark for {len(waiting)} partitions")
        return found
    finally:
        await probe.stop()
