"""Two coordinators and two notifiers share the partitions: results are unchanged,
and an absence, which names a person and no employer, reaches employers held by
the other worker.

Each absence is sent to an input partition owned by the coordinator that does
*not* hold the employer whose contact person is absent (ownership read from the
consumer group assignment each worker logs), so it can only get there through
the people topic that every worker reads in full.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.services.routing import partition_of
from tests import builders as b
from tests.streaming import stream
from tests.streaming.compare import ReplayOutput, replay, view_differences, wall_now
from tests.streaming.kafka_io import Outputs, Producer
from tests.streaming.processes import Service, Services, assigned_partitions
from tests.streaming.runs import send
from tests.streaming.stream import Message

pytestmark = pytest.mark.integration

NAV = {"type": "nav_office", "id": "0314", "name": "NAV Sagene"}
CONVERGE_SECONDS = 90.0


def split(
    services: Services, pair: list[Service], topic: str, timeout: float = 60.0
) -> list[set[int]]:
    """Each worker's partitions of ``topic``, once the two hold all of them between them."""
    everything = set(range(services.settings.partitions))
    deadline = time.monotonic() + timeout
    while True:
        owned = [assigned_partitions(s.log_path, topic) or set() for s in pair]
        if owned[0] and owned[1] and not owned[0] & owned[1] and owned[0] | owned[1] == everything:
            return owned
        if time.monotonic() > deadline:
            raise TimeoutError(f"{topic} not split between {[s.name for s in pair]}: {owned}")
        time.sleep(0.2)


def assignments(orgnrs: list[str]) -> list[Message]:
    """Each crafted employer gets a contact person; the even ones a deputy too."""
    at = stream.oslo_time(wall_now() - timedelta(days=1))
    return [
        stream.keyed(stream.line(b.assign(
            at, b.person(100 + i), orgnr=orgnr, actor=NAV,
            deputy=b.person(200 + i) if i % 2 == 0 else None,
        )))
        for i, orgnr in enumerate(orgnrs)
    ]


def absence(i: int, partition: int) -> Message:
    """The contact person of crafted employer ``i`` is away from yesterday for a
    week: sent without a key to one chosen input partition."""
    yesterday, _, week = stream.oslo_today(wall_now())
    at = stream.oslo_time(wall_now() - timedelta(minutes=1))
    line = stream.line(b.absent(at, b.person(100 + i), yesterday, week, actor=NAV))
    return Message(line, line, key=None, partition=partition)


def test_two_workers_each_give_the_same_results_and_absences_cross_partitions(
    broker: EmbeddedBroker, services: Services, tmp_path: Path
) -> None:
    settings = services.settings
    accepted = settings.internal_topic("accepted")
    coordinators = [services.start("coordinator") for _ in range(2)]
    notifiers = [services.start("notifier") for _ in range(2)]
    services.wait_ready(*coordinators, *notifiers)
    employers_owned = split(services, coordinators, accepted)
    input_owned = split(services, coordinators, settings.topic_events)
    alerts_owned = split(services, notifiers, accepted)

    # Partition p of the input and of the accepted topic go to the same worker:
    # an event read on its orgnr's partition is applied where it was read.
    assert input_owned == employers_owned

    def held_in(orgnr: str) -> int:
        return partition_of(orgnr, settings.partitions)

    crafted = [o for orgnrs in stream.orgnrs_by_partition(settings.partitions, 2).values()
               for o in orgnrs]
    generated = [stream.keyed(x) for x in stream.generated(employers=30, events=800, seed=7)]
    first = generated + assignments(crafted)

    async def scenario() -> tuple[
        Outputs, ReplayOutput, list[Message], dict[str, int], dict[str, int]
    ]:
        async with Producer(broker.bootstrap) as producer, Outputs(
            broker.bootstrap, settings, accepted
        ) as outputs:
            await send(producer, settings.topic_events, first)
            await producer.flush()
            assert await outputs.until(
                lambda: all(_basis(outputs, o) == "assigned" for o in crafted), 60
            ), "the assignments were not all applied"
            holder = {o: _holder(employers_owned, held_in(o)) for o in crafted}
            absences = [
                absence(i, min(input_owned[1 - holder[o]])) for i, o in enumerate(crafted)
            ]
            await send(producer, settings.topic_events, absences)
            await producer.flush()
            lines = [m.line for m in first + absences if m.line is not None]
            expected = replay(lines, tmp_path, wall_now())
            await outputs.until(
                lambda: not view_differences(expected.views_by_orgnr(), outputs.views)
                and outputs.firing() == expected.firing(),
                CONVERGE_SECONDS,
            )
            alerting = {o: _holder(alerts_owned, held_in(o)) for o in crafted}
            return outputs, expected, absences, holder, alerting

    outputs, expected, absences, holder, alerting = asyncio.run(scenario())

    # The crafted employers are held by both coordinators (and both notifiers), and
    # each absence was read by the coordinator that does not hold the employer.
    assert set(holder.values()) == {0, 1}
    assert {alerting[o] for i, o in enumerate(crafted) if i % 2} == {0, 1}
    for message, orgnr in zip(absences, crafted, strict=True):
        assert message.partition in input_owned[1 - holder[orgnr]]
    firing_absent = {k for r, k, _ in outputs.firing() if r == "contact-person-absent"}
    for i, orgnr in enumerate(crafted):
        person = outputs.views[orgnr]["contact_person"]
        if i % 2 == 0:
            assert (person["basis"], person["email"]) == ("deputy", f"person{200 + i}@nav.no")
            assert orgnr not in firing_absent
        else:
            assert (person["basis"], person["available"]) == ("assigned", False)
            assert orgnr in firing_absent
    differences = view_differences(expected.views_by_orgnr(), outputs.views)
    assert differences == [], "\n".join(differences[:30])
    assert outputs.firing() == expected.firing()
    # Nobody moved in the meantime: the ownership above held throughout.
    assert split(services, coordinators, accepted, timeout=0) == employers_owned
    assert split(services, coordinators, settings.topic_events, timeout=0) == input_owned
    assert split(services, notifiers, accepted, timeout=0) == alerts_owned


def _basis(outputs: Outputs, orgnr: str) -> Any:
    view = outputs.views.get(orgnr)
    return view and view["contact_person"] and view["contact_person"]["basis"]


def _holder(owned: list[set[int]], partition: int) -> int:
    return 0 if partition in owned[0] else 1
