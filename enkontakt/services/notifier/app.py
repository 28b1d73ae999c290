"""The notifier service: faust agents around the notifier's worker.

- employers: the input events read on their employer's partition, and the
  internal ``accepted`` topic for the others (see ``streaming.Routing``), taken in
  batches (``enkontakt.services.batches``) -> employer
  facts and published alerts (a snapshot every 32 events and the events since,
  changelogged) -> alert changes;
- caseload: every employer's follow-up spans on a one-partition topic -> the one
  worker owning it counts active follow-ups per human;
- a people feed and a timer re-derive employers when people or time change them,
  so deadlines and window expiries fire within seconds of wall time passing them.
"""

from __future__ import annotations

from typing import Any, cast

import faust

from enkontakt.kafka.app import make_app
from enkontakt.logging import get_logger
from enkontakt.services.batches import BatchMetrics, Event, StateWrites, batches, headers_of
from enkontakt.services.coordinator.designations import DESIGNATION
from enkontakt.services.coordinator.intake import Out, intake
from enkontakt.services.coordinator.store import EmployerLog, Stored
from enkontakt.services.coordinator.worker import EmployerWorker
from enkontakt.services.health import Metrics, add_health_pages
from enkontakt.services.notifier.worker import PUBLISHED, AlertDeriver, CaseloadCounter
from enkontakt.services.people_feed import PeopleFeed
from enkontakt.services.reloading import Reloader
from enkontakt.services.routing import Routing
from enkontakt.services.streaming import Topics, add_service_command, rule_config, wall_us
from enkontakt.settings import KafkaSettings, RulesSettings

log = get_logger("enkontakt.notifier")


def build(
    settings: KafkaSettings, rules: RulesSettings, *, web_port: int | None, store: str
) -> faust.App:
    """The notifier app with its agents, tables, feed and timer."""
    service = settings.model_copy(update={"app_id": f"{settings.app_id}-notifier"})
    app = make_app(service, web_port=web_port, store=store)
    topics = Topics.declare(app, settings)
    # Snapshots and the events since, with the alerts published after each
    # (enkontakt.services.coordinator.store), keyed by orgnr.
    table = app.Table("employers", default=None, partitions=settings.partitions, value_type=bytes)
    spans = app.Table("caseload", default=None, partitions=1)
    config = rule_config(rules)
    deriver = AlertDeriver()
    worker = EmployerWorker(config, deriver, settle_restored=True)
    history = EmployerLog()
    counter = CaseloadCounter(config, worker.ledger.people)
    metrics = Metrics()
    routing = Routing(settings)
    caseload = {"reload": True}  # the caseload partition came here: read the table again

    async def send(outs: list[Out], *, delivered: bool = False) -> None:
        # The worker derives employer notices from the same ledger as the
        # coordinator's; the coordinator publishes them, so they are dropped here.
        published = [out for out in outs if out.topic != "notices"]
        await topics.send(published, metrics, delivered=delivered)
        _count_firing(deriver, counter, metrics)

    async def on_people(raw: bytes) -> None:
        outs = worker.people(raw, wall_us())
        if counter.employers and not caseload["reload"]:  # the caseload partition is here
            outs += counter.count(worker.moment(wall_us()))
        await send(outs)

    feed = PeopleFeed(settings, on_people)

    def release(orgnrs: list[str]) -> None:
        worker.release(orgnrs)
        for orgnr in orgnrs:
            deriver.forget(orgnr)

    # Before the first event after a rebalance (reloading.py).
    reloader = Reloader.of_app(
        app,
        settings,
        worker,
        history,
        table,
        lambda stored: _hold(worker, deriver, stored),
        release,
    )

    def apply(
        event: Event, orgnr: str, raw: bytes, batch: BatchMetrics, writes: StateWrites
    ) -> list[Out]:
        """Apply one accepted event; it is stored, with the alerts published as of
        it, once the batch's alerts are out (``StateWrites``)."""
        batch.handle("employer")
        if orgnr not in worker.ledger.employers:
            stored = history.lookup(orgnr, table.get)
            if stored is not None:
                _hold(worker, deriver, stored)
        outs, state = worker.accepted(raw, wall_us())
        if state is not None:
            writes.add(event, *history.write(state, raw, deriver.export(orgnr)))
        return outs

    @app.agent(topics["events"])
    async def intake_agent(stream: faust.StreamT[bytes]) -> None:
        # The coordinator accounts for every input event (DLQ, metrics); here only
        # the accepted ones read on their employer's partition are applied.
        await routing.known.wait()
        await feed.read.wait()
        async for events in batches(stream):
            await reloader.reload_if_rebalanced()
            batch, writes = BatchMetrics(metrics), StateWrites(table)
            outs: list[Out] = []
            for event in events:
                result = intake(event.key, event.value, headers_of(event), people=False)
                orgnr = result.orgnr
                if orgnr is not None and routing.held_as_read(orgnr, event.message.partition):
                    worker.expect(result)
                    (accepted,) = (o for o in result.outs if o.topic == "accepted")
                    outs += apply(event, orgnr, accepted.value, batch, writes)
            await send(outs, delivered=bool(writes.writes))
            writes.write()
            batch.close()

    @app.agent(topics["accepted"])
    async def employers_agent(stream: faust.StreamT[bytes]) -> None:
        await feed.read.wait()
        async for events in batches(stream):
            await reloader.reload_if_rebalanced()
            batch, writes = BatchMetrics(metrics), StateWrites(table)
            outs: list[Out] = []
            for event in events:
                if DESIGNATION in headers_of(event):
                    continue  # the coordinator's, for its notices
                outs += apply(event, cast(bytes, event.key).decode(), event.value, batch, writes)
            await send(outs, delivered=bool(writes.writes))
            writes.write()
            batch.close()

    @app.agent(topics["caseload"])
    async def caseload_agent(stream: faust.StreamT[bytes]) -> None:
        # As for employers: the table is written once the alerts it records are out.
        await feed.read.wait()
        async for event in stream.events():
            now = worker.moment(wall_us())
            outs = []
            if caseload["reload"]:
                caseload["reload"] = False
                outs += counter.reload(dict(spans.items()), now)
            outs += counter.spans(event.value, now)
            await send(outs, delivered=bool(outs))
            if outs:
                spans[PUBLISHED] = counter.export()
            spans[event.key.decode()] = event.value.decode()

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
        caseload["reload"] = True

    @app.timer(interval=1.0)
    async def timers() -> None:
        if feed.caught_up:
            await reloader.reload_if_rebalanced()
            await send(worker.tick(wall_us()))

    @app.timer(interval=0.1)
    async def flush() -> None:
        # Employers changed only through a human they name, and those restored
        # after a restart or a rebalance (``Pending``).
        if feed.caught_up:
            await send(worker.flush(wall_us()))

    def ready() -> bool:
        return feed.caught_up and routing.known.is_set() and not app.rebalancing

    add_health_pages(app, metrics, ready)
    return app


def _hold(worker: EmployerWorker, deriver: AlertDeriver, stored: Stored) -> None:
    """Hold one employer: its snapshot, the events stored after it, and the alerts
    published as of the last of them."""
    worker.hold(stored)
    if stored.extra is not None:
        deriver.load(stored.state.orgnr, stored.extra)


def _count_firing(deriver: AlertDeriver, counter: CaseloadCounter, metrics: Metrics) -> None:
    firing: dict[str, int] = {}
    for lifecycle in (deriver.lifecycle, counter.lifecycle):
        for (rule, _), published in lifecycle.published.items():
            firing[rule] = firing.get(rule, 0) + sum(p.end is None for p in published)
    for rule, count in firing.items():
        metrics.alerts_firing.labels(rule).set(count)


def register(subparsers: Any) -> None:
    """Add ``enkontakt notifier``."""
    add_service_command(subparsers, "notifier", "run a notifier worker", 8082, build)
