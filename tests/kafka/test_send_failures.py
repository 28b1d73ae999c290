"""A message the producer cannot deliver stops the worker: faust's flush does not
fail on it, so a worker going on would commit the offsets of input whose output
was lost. Here the broker goes away under a real faust producer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from enkontakt.kafka.app import make_app
from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.streaming import EXIT_SEND_FAILED, Topics, raw_topic
from enkontakt.settings import KafkaSettings

pytestmark = pytest.mark.integration


def test_a_send_the_producer_gives_up_on_is_fatal(tmp_path: Path) -> None:
    failures: list[BaseException] = []

    async def main(broker: EmbeddedBroker) -> tuple[bool, bool]:
        settings = KafkaSettings(
            KAFKA_BROKERS=broker.bootstrap,
            ENKONTAKT_PROFILE="embedded",
            ENKONTAKT_APP_ID="send-failures",
            ENKONTAKT_DATA_DIR=str(tmp_path / "data"),
        )
        app = make_app(settings, web_port=None, store="memory://")
        app.conf.producer_request_timeout = 2.0  # give up soon, not after faust's 20 minutes
        topic = raw_topic(app, "send-failures.views", partitions=1)
        topics = Topics({"views": topic}, fatal=failures.append)
        await app.producer.start()
        try:
            await topic.maybe_declare()
            await topics.send([Out("views", b"k", b"first")], delivered=True)
            delivered = not failures
            broker.stop()
            await topics.send([Out("views", b"k", b"second")])
            for _ in range(100):
                if failures:
                    break
                await asyncio.sleep(0.1)
            return delivered, not topics.unacknowledged
        finally:
            await app.producer.stop()

    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    with broker:
        delivered, settled = asyncio.run(main(broker))

    assert delivered, "the first message, with the broker up, failed"
    assert len(failures) == 1 and settled
    assert "KafkaError" in [c.__name__ for c in type(failures[0]).__mro__]


def test_exit_at_once_flushes_the_log_and_exits_with_its_own_status() -> None:
    program = (
        "from enkontakt.services.streaming import exit_at_once\n"
        "print('logged before', end='')\n"
        "exit_at_once(RuntimeError('no broker'))\n"
        "print('never')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert done.returncode == EXIT_SEND_FAILED
    assert done.stdout == b"logged before"
