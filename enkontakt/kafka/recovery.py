"""A fix for faust 0.15.3 dropping input that arrives while table recovery completes.

faust resumes the consumer's flow while it reads changelogs, so input records
are fetched and queued for the agents during recovery. When recovery completes,
``Recovery.on_recovery_completed`` seeks the input partitions to their committed
offsets and then calls ``flow_control.resume()``, which empties every stream
queue. Records fetched in between are dropped, while the fetch position has
already moved past them: the worker silently skips them until its next restart
(faust-streaming/faust#596). It shows whenever a worker with non-empty tables
starts while input is waiting, on any broker.

The fix stops the flow before recovery completes. The seek then runs with
nothing in flight, and the queues emptied afterwards hold only records that are
fetched again from the committed offsets. A record already taken by an agent may
be processed twice: processing must be idempotent, which it has to be anyway.
"""

from __future__ import annotations

from collections import Counter

from aiokafka import TopicPartition
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.types import TP, ConsumerT

from enkontakt.kafka.offsets import fetched_end_offsets


class QueueSafeRecovery(Recovery):
    """Recovery that stops the flow before seeking input partitions back."""

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        """Stop fetching into stream queues, then complete recovery as faust does."""
        self.app.flow_control.suspend()
        self.app.consumer.stop_flow()
        await super().on_recovery_completed(generation_id)


class QueueSafeTableManager(TableManager):
    """Table manager whose recovery service is :class:`QueueSafeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        """The recovery service, created on first use."""
        if self._recovery is None:
            self._recovery = QueueSafeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


class EmbeddedRecovery(QueueSafeRecovery):
    """On the embedded broker: changelog end offsets from a fetch's high watermark.

    faust reads a changelog up to the end offset ListOffsets reports, which tansu
    reports too low after a batch of several records (``enkontakt.kafka.offsets``):
    recovery would stop early and lose the last writes. The real end is fetched.
    """

    async def _build_highwaters(
        self, consumer: ConsumerT, tps: set[TP], destination: Counter[TP], title: str
    ) -> None:
        client = {"bootstrap_servers": [url.authority for url in self.app.conf.broker]}
        partitions = [TopicPartition(tp.topic, tp.partition) for tp in tps]
        ends = await fetched_end_offsets(client, partitions)
        # As faust does: the highwater is the offset of the last record.
        highwaters = {TP(tp.topic, tp.partition): end - 1 for tp, end in ends.items()}
        destination.clear()
        destination.update(highwaters)


class EmbeddedTableManager(QueueSafeTableManager):
    """Table manager whose recovery service is :class:`EmbeddedRecovery`."""

    @property
    def recovery(self) -> Recovery:
        """The recovery service, created on first use."""
        if self._recovery is None:
            self._recovery = EmbeddedRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
