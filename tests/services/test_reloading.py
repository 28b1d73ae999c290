"""After a rebalance a worker reads its employers from the table a few at a time:
the event loop runs in between, a second rebalance stops the reload, and an
employer an event held meanwhile is not read over."""

from __future__ import annotations

import asyncio

from enkontakt.services.coordinator.intake import intake
from enkontakt.services.coordinator.store import EmployerLog
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.reloading import Reloader
from enkontakt.services.rules_config import RuleConfig
from tests import builders as b

ORGNRS = sorted(b.ORGNRS)


def accepted(event: dict) -> bytes:
    (out,) = (o for o in intake(None, b.lines(event)[0].encode(), ()).outs if o.topic == "accepted")
    return out.value


def stored_table() -> dict[str, bytes]:
    """The table of a worker that took one contact at each employer."""
    worker, history, table = EmployerWorker(RuleConfig(), view_out), EmployerLog(), {}
    for n, orgnr in enumerate(ORGNRS):
        raw = accepted(b.contact(f"2026-10-01 09:0{n}", b.person(n), orgnr=orgnr))
        _outs, state = worker.accepted(raw, 0)
        assert state is not None
        key, value = history.write(state, raw)
        table[key] = value
    return table


def reloader(assigned: list[str], chunk: int = 1) -> Reloader:
    worker, history = EmployerWorker(RuleConfig(), view_out), EmployerLog()
    return Reloader(
        worker,
        history,
        stored_table(),
        assigned=lambda: assigned,
        settled=lambda: True,
        hold=worker.hold,
        release=worker.release,
        chunk=chunk,
    )


def test_the_assigned_employers_are_held_and_the_loop_runs_in_between() -> None:
    r = reloader(ORGNRS[:4])
    moved = r.history.lookup(ORGNRS[5], r.table.get)  # held before, assigned elsewhere now
    assert moved is not None
    r.hold(moved)
    seen: list[int] = []

    async def another_task() -> None:
        while True:
            seen.append(len(r.worker.ledger.employers))
            await asyncio.sleep(0)

    async def run() -> None:
        task = asyncio.create_task(another_task())
        await r.reload_if_rebalanced()
        task.cancel()

    asyncio.run(run())
    assert sorted(r.worker.ledger.employers) == ORGNRS[:4]
    assert any(0 < n < 4 for n in seen)  # it ran while only some were read
    assert r.pending is False


def test_a_rebalance_during_the_reload_stops_it_and_the_next_call_starts_over() -> None:
    r = reloader(ORGNRS[:4])

    async def run() -> None:
        reloading = asyncio.create_task(r.reload_if_rebalanced())
        await asyncio.sleep(0)
        r.rebalanced()
        await reloading

    asyncio.run(run())
    assert len(r.worker.ledger.employers) < 4
    assert r.pending is True
    asyncio.run(r.reload_if_rebalanced())
    assert sorted(r.worker.ledger.employers) == ORGNRS[:4]


def test_an_employer_held_by_an_event_during_the_reload_is_not_read_over() -> None:
    r = reloader(ORGNRS[:4])
    last = ORGNRS[3]
    newer = accepted(b.contact("2026-10-02 09:00", b.person(9), orgnr=last))

    async def event_meanwhile() -> None:
        # As the agents do: hold the employer from the table, then apply.
        stored = r.history.lookup(last, r.table.get)
        assert stored is not None
        r.hold(stored)
        r.worker.accepted(newer, 0)

    async def run() -> None:
        reloading = asyncio.create_task(r.reload_if_rebalanced())
        await asyncio.sleep(0)
        await event_meanwhile()
        await reloading

    asyncio.run(run())
    assert sorted(r.worker.ledger.employers) == ORGNRS[:4]
    assert len(r.worker.ledger.employers[last].reports) == 2


def test_nothing_is_reloaded_while_the_group_rebalances() -> None:
    r = reloader(ORGNRS[:2])
    r.settled = lambda: False
    asyncio.run(r.reload_if_rebalanced())
    assert r.worker.ledger.employers == {} and r.pending is True
