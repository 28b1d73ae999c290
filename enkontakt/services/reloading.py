"""Holding the employers of the partitions assigned to a worker, after a rebalance.

An employer held from before may have been changed by another worker meanwhile,
so every held employer is let go and read again from the table: its snapshot,
then the newer slots in order (``coordinator.store``). That costs about a
millisecond per employer, so it goes a few at a time and lets the event loop run
in between: one long stretch would stall the consumer's heartbeats and the health
pages, and the group (or Kubernetes) would take the worker for dead.

Meanwhile the agents go on: an event for an employer not yet read holds it at
once (``EmployerLog.lookup``), and the reload skips it. A rebalance during the
reload stops it; the next call starts over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import faust

from enkontakt.logging import get_logger
from enkontakt.services.coordinator.store import EmployerLog, Stored
from enkontakt.services.coordinator.worker import EmployerWorker
from enkontakt.services.routing import held_here
from enkontakt.settings import KafkaSettings

log = get_logger("enkontakt.streaming")


@dataclass(slots=True)
class Reloader:
    """Reloads a worker's employers once after each rebalance."""

    worker: EmployerWorker
    history: EmployerLog
    table: Any  # faust table (or any mapping with ``get``) of the stored employers
    assigned: Callable[[], Iterable[str]]  # the orgnrs stored for the partitions held here
    settled: Callable[[], bool]  # False while the group is rebalancing
    hold: Callable[[Stored], None]
    release: Callable[[list[str]], None]
    chunk: int = 100
    pending: bool = True
    generation: int = 0

    @classmethod
    def of_app(
        cls,
        app: faust.App,
        settings: KafkaSettings,
        worker: EmployerWorker,
        history: EmployerLog,
        table: Any,
        hold: Callable[[Stored], None],
        release: Callable[[list[str]], None],
    ) -> Reloader:
        """The reloader of a service's employers table: the employers of the
        ``accepted`` partitions assigned to this worker, once it is not rebalancing."""
        accepted = settings.internal_topic("accepted")
        return cls(
            worker,
            history,
            table,
            assigned=lambda: held_here(app, accepted, table),
            settled=lambda: app.rebalancing is False,
            hold=hold,
            release=release,
        )

    def rebalanced(self) -> None:
        """The partitions assigned here may have changed."""
        self.pending = True
        self.generation += 1

    async def reload_if_rebalanced(self) -> None:
        """Hold exactly the employers of the partitions assigned here, as stored,
        if a rebalance came since the last reload."""
        if not self.pending or not self.settled():
            return
        self.pending = False
        generation, started = self.generation, time.perf_counter()
        held = list(self.worker.ledger.employers)
        for orgnr in held:
            self.history.forget(orgnr)
        self.release(held)
        assigned = list(self.assigned())
        for n, orgnr in enumerate(assigned, start=1):
            if orgnr not in self.worker.ledger.employers:
                stored = self.history.lookup(orgnr, self.table.get)
                if stored is not None:
                    self.hold(stored)
            if n % self.chunk == 0:
                await asyncio.sleep(0)
                if self.generation != generation:
                    log.info("employers reload stopped by a rebalance", read=n)
                    return
        seconds = round(time.perf_counter() - started, 3)
        log.info("employers reloaded", employers=len(assigned), seconds=seconds)
