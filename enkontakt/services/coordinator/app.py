"""The coordinator service: faust agents around the coordinator's worker.

- intake: input events -> DLQ, or the employer's state when the event came in on
  the partition of its orgnr (the usual case: upstream keys by orgnr), or else the
  internal ``accepted`` topic (keyed by orgnr); person records to the ``people``
  topic, one message per batch of input (``enkontakt.services.batches``);
- employers: ``accepted`` -> employer state (table, changelogged); designations
  worked out again through people come back on ``accepted`` to be stored on
  their employer's partition (``EmployerWorker.designated``);
- views are derived for changed employers every 0.1 s; notices as they arise;
- a people feed and a timer re-derive employers when people or time change them.
"""

from __future__ import annotations

from typing import Any, cast

import faust

from enkontakt.kafka.app import make_app
from enkontakt.logging import get_logger
from enkontakt.services.batches import (
    BatchMetrics,
    Event,
    StateWrites,
    batches,
    headers_of,
)
from enkontakt.services.coordinator.designations import DESIGNATION
from enkontakt.services.coordinator.intake import Out, intake, people_message
from enkontakt.services.coordinator.store import EmployerLog
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.health import Metrics, add_health_pages
from enkontakt.services.people_feed import PeopleFeed
from enkontakt.services.reloading import Reloader
from enkontakt.services.routing import Routing
from enkontakt.services.streaming import Topics, add_service_command, rule_config, wall_us
from enkontakt.settings import KafkaSettings, RulesSettings

log = get_logger("enkontakt.coordinator")


def build(
    settings: KafkaSettings, rules: RulesSettings, *, web_port: int | None, store: str
) -> faust.App:
    """The coordinator app with its agents, table, feed and timer."""
    service = settings.model_copy(update={"app_id": f"{settings.app_id}-coordinator"})
    app = make_app(service, web_port=web_port, store=store)
    topics = Topics.declare(app, settings)
    # Snapshots and the events since, keyed by orgnr (enkontakt.services.coordinator.store).
    table = app.Table(
        "employers",
        default=None,
        partitions=settings.partitions,
        value_type=bytes,  # stored as they are (faust's "raw" serializer)
    )
    worker = EmployerWorker(rule_config(rules), view_out, defer=True, designations=True)
    history = EmployerLog()
    metrics = Metrics()
    routing = Routing(settings)
    feed = PeopleFeed(settings, lambda raw: _people(raw))
    # Before the first event after a rebalance (reloading.py).
    reloader = Reloader.of_app(app, settings, worker, history, table, worker.hold, worker.release)

    async def _people(raw: bytes) -> None:
        await topics.send(worker.people(raw, wall_us()), metrics)

    def held(orgnr: str) -> None:
        if orgnr not in worker.ledger.employers:
            stored = history.lookup(orgnr, table.get)
            if stored is not None:
                worker.hold(stored)

    def apply(
        event: Event, orgnr: str, raw: bytes, batch: BatchMetrics, writes: StateWrites
    ) -> list[Out]:
        """Apply one accepted event to its employer, held here; it is stored once
        the batch's messages are out (``StateWrites``)."""
        batch.handle("employer")
        held(orgnr)
        outs, state = worker.accepted(raw, wall_us())
        if state is not None:
            writes.add(event, *history.write(state, raw))
        else:
            batch.count("duplicate")
        return outs

    def take_in(
        event: Event, batch: BatchMetrics, mentions: list[dict[str, Any]], writes: StateWrites
    ) -> list[Out]:
        """One input message: to the DLQ, to its employer here, or to ``accepted``."""
        batch.handle("intake")
        partition = event.message.partition
        result = intake(event.key, event.value, headers_of(event))
        mentions.extend(result.mentions)
        if result.rejection is not None:
            code = str(result.rejection.code)
            batch.count("rejected", code)
            log.warning(
                "event rejected",
                event_id=result.event_id,
                partition=partition,
                offset=event.message.offset,
                error=code,
            )
            return result.outs
        batch.count("accepted")
        worker.expect(result)
        orgnr = result.orgnr
        if orgnr is not None and routing.held_as_read(orgnr, partition):
            # No detour through the accepted topic: apply it here.
            (accepted,) = (o for o in result.outs if o.topic == "accepted")
            outs = [o for o in result.outs if o.topic != "accepted"]
            return outs + apply(event, orgnr, accepted.value, batch, writes)
        return result.outs

    @app.agent(topics["events"])
    async def intake_agent(stream: faust.StreamT[bytes]) -> None:
        await routing.known.wait()
        await feed.read.wait()
        async for events in batches(stream):
            await reloader.reload_if_rebalanced()
            batch, writes = BatchMetrics(metrics), StateWrites(table)
            outs: list[Out] = []
            mentions: list[dict[str, Any]] = []
            for event in events:
                outs += take_in(event, batch, mentions, writes)
            if (people := people_message(mentions)) is not None:
                outs.append(people)
            await topics.send(outs, metrics, delivered=bool(writes.writes))
            writes.write()
            batch.close()

    @app.agent(topics["accepted"])
    async def employers_agent(stream: faust.StreamT[bytes]) -> None:
        await feed.read.wait()
        async for events in batches(stream):
            await reloader.reload_if_rebalanced()
            batch, writes = BatchMetrics(metrics), StateWrites(table)
            outs = []
            for event in events:
                orgnr = cast(bytes, event.key).decode()
                if DESIGNATION in headers_of(event):
                    held(orgnr)
                    try:
                        state = worker.designated(orgnr, event.value)
                    except (ValueError, TypeError):
                        # Written by our own coordinator, so a bug or a foreign
                        # writer: skip it, say where it is, never its content.
                        log.exception(
                            "designation message skipped",
                            partition=event.message.partition,
                            offset=event.message.offset,
                        )
                        continue
                    if state is not None:
                        writes.add(event, *history.designation(state))
                    continue
                outs += apply(event, orgnr, event.value, batch, writes)
            await topics.send(outs, metrics, delivered=bool(writes.writes))
            writes.write()
            batch.close()

    @app.task
    async def input_partitions() -> None:
        await routing.start()

    @app.task
    async def people_feed() -> None:
        await topics["people"].maybe_declare()  # no agent consumes it
        await feed.run()

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def on_rebalance(sender: Any, **kwargs: Any) -> None:
        reloader.rebalanced()

    @app.timer(interval=0.1)
    async def flush() -> None:
        if feed.caught_up:
            await topics.send(worker.flush(wall_us()), metrics)

    @app.timer(interval=1.0)
    async def timers() -> None:
        if feed.caught_up:
            await reloader.reload_if_rebalanced()
            await topics.send(worker.tick(wall_us()), metrics)

    def ready() -> bool:
        return feed.caught_up and routing.known.is_set() and not app.rebalancing

    add_health_pages(app, metrics, ready)
    return app


def register(subparsers: Any) -> None:
    """Add ``enkontakt coordinator``."""
    add_service_command(subparsers, "coordinator", "run a coordinator worker", 8081, build)
