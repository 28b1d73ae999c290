"""A message the producer cannot deliver stops the worker: faust's flush does not
fail on it, so a worker going on would commit the offsets of input whose output
was lost. Here the broker goes away under a real faust producer, for the
services' own sends and for faust's (a table's changelog writes)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import faust
import pytest

from enkontakt.kafka.app import make_app
from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.kafka.send_errors import EXIT_SEND_FAILED, FatalSendErrors
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.streaming import Topics, raw_topic
from enkontakt.settings import KafkaSettings

pytestmark = pytest.mark.integration


def app_giving_up_soon(broker: EmbeddedBroker, directory: Path) -> faust.App:
    """An app of the services' factory whose producer gives up after 2 s (not
    after faust's 20 minutes)."""
    settings = KafkaSettings(
        KAFKA_BROKERS=broker.bootstrap,
        ENKONTAKT_PROFILE="embedded",
        ENKONTAKT_APP_ID="send-failures",
        ENKONTAKT_DATA_DIR=str(directory),
    )
    app = make_app(settings, web_port=None, store="memory://")
    app.conf.producer_request_timeout = 2.0
    return app


async def until(done: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if done():
            return
        await asyncio.sleep(0.1)


def test_a_send_the_producer_gives_up_on_is_fatal(tmp_path: Path) -> None:
    failures: list[BaseException] = []

    async def main(broker: EmbeddedBroker) -> tuple[bool, bool]:
        app = app_giving_up_soon(broker, tmp_path)
        topic = raw_topic(app, "send-failures.views", partitions=1)
        topics = Topics({"views": topic}, fatal=failures.append)
        await app.producer.start()
        try:
            await topic.maybe_declare()
            await topics.send([Out("views", b"k", b"first")], delivered=True)
            delivered = not failures
            broker.stop()
            await topics.send([Out("views", b"k", b"second")])
            await until(lambda: bool(failures), 10)
            return delivered, not topics.unacknowledged
        finally:
            await app.producer.stop()

    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    with broker:
        delivered, settled = asyncio.run(main(broker))

    assert delivered, "the first message, with the broker up, failed"
    assert len(failures) == 1 and settled
    assert "KafkaError" in [c.__name__ for c in type(failures[0]).__mro__]


def test_a_send_of_faust_own_that_fails_is_fatal(tmp_path: Path) -> None:
    # A table's changelog write goes through faust's producer buffer (send_soon),
    # which reports a failure to the app's sensors only.
    failures: list[BaseException] = []

    async def main(broker: EmbeddedBroker) -> None:
        app = app_giving_up_soon(broker, tmp_path)
        (sensor,) = [s for s in app.sensors if isinstance(s, FatalSendErrors)]
        sensor.fatal = failures.append
        topic = raw_topic(app, "send-failures.changelog", partitions=1)
        await app.producer.start()
        try:
            await topic.maybe_declare()
            broker.stop()
            topic.send_soon(key=b"k", value=b"v", partition=0)
            await until(lambda: bool(failures), 10)
        finally:
            await app.producer.stop()

    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    with broker:
        asyncio.run(main(broker))

    assert len(failures) == 1


def test_exit_at_once_flushes_the_log_and_exits_with_its_own_status() -> None:
    program = (
        "from enkontakt.kafka.send_errors import exit_at_once\n"
        "print('logged before', end='')\n"
        "exit_at_once(RuntimeError('no broker'))\n"
        "print('never')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert done.returncode == EXIT_SEND_FAILED
    assert done.stdout == b"logged before"
