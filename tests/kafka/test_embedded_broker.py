"""The embedded tansu broker: lifecycle, the ``enkontakt broker`` command, plain Kafka I/O."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from enkontakt.kafka.broker import BrokerError, EmbeddedBroker, free_port, port_in_use
from enkontakt.kafka.offsets import fetched_end_offsets
from enkontakt.kafka.topics import ensure_topics
from enkontakt.settings import KafkaSettings

if TYPE_CHECKING:
    from conftest import KafkaIO

pytestmark = pytest.mark.integration


def test_broker_starts_on_a_free_port_logs_to_its_file_and_stops(tmp_path: Path) -> None:
    log_path = tmp_path / "broker.log"
    with EmbeddedBroker(log_path=log_path) as broker:
        assert broker.running
        assert broker.bootstrap == f"127.0.0.1:{broker.port}"
        assert port_in_use(broker.port)
    assert not broker.running
    assert not port_in_use(broker.port)
    assert "listening on: tcp://127.0.0.1:" in log_path.read_text()


def test_starting_on_a_port_in_use_fails_clearly(broker: EmbeddedBroker) -> None:
    with pytest.raises(BrokerError, match=f"port {broker.port} .* already in use"):
        EmbeddedBroker(broker.port).start()
    assert broker.running


def test_records_round_trip_with_keys_and_headers(
    kafka_io: KafkaIO, kafka_settings: KafkaSettings
) -> None:
    topic = kafka_settings.topic_events
    sent = [(f"k{n}".encode(), f"v{n}".encode()) for n in range(5)]

    async def scenario() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_io.bootstrap)
        await producer.start()
        try:
            for key, value in sent:
                await producer.send_and_wait(
                    topic, value, key=key, partition=0, headers=[("h", b"x")]
                )
        finally:
            await producer.stop()
        received = await kafka_io.read(topic, count=len(sent), timeout=10)
        assert [(r.key, r.value) for r in received] == sent
        assert [r.offset for r in received] == list(range(len(sent)))
        assert all(list(r.headers) == [("h", b"x")] for r in received)

    asyncio.run(scenario())


def test_a_consumer_group_commits_and_resumes(
    kafka_io: KafkaIO, kafka_settings: KafkaSettings
) -> None:
    topic = kafka_settings.topic_events
    group = kafka_settings.app_id

    async def consume(count: int) -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_io.bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            # Short, so the second consumer does not wait long for tansu to expire the
            # first member, which left no LeaveGroup behind (see docs/kafka.md).
            session_timeout_ms=1000,
            heartbeat_interval_ms=200,
        )
        await consumer.start()
        try:
            values: list[bytes] = []
            while len(values) < count:
                record = await asyncio.wait_for(consumer.getone(), timeout=15)
                values.append(record.value)
            await consumer.commit()
            return values
        finally:
            await consumer.stop()

    async def scenario() -> None:
        await kafka_io.produce(topic, [(b"k", b"1"), (b"k", b"2")])
        assert await consume(2) == [b"1", b"2"]
        await kafka_io.produce(topic, [(b"k", b"3")])
        assert await consume(1) == [b"3"]

    asyncio.run(scenario())


def _end_offsets_after_one_burst(bootstrap: str, topic: str) -> tuple[int, int]:
    """Send ten records without waiting in between (one batch), flush, and return
    the partition's end offset as ListOffsets reports it and as fetched."""

    async def scenario() -> tuple[int, int]:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            pending = [await producer.send(topic, b"v", partition=0) for _ in range(10)]
            await producer.flush()
            assert [(await p).offset for p in pending] == list(range(10))
        finally:
            await producer.stop()
        partition = TopicPartition(topic, 0)
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
        await consumer.start()
        try:
            reported: dict[TopicPartition, int] = await consumer.end_offsets([partition])
        finally:
            await consumer.stop()
        fetched = await fetched_end_offsets({"bootstrap_servers": bootstrap}, [partition])
        return reported[partition], fetched[partition]

    return asyncio.run(scenario())


def test_fetched_end_offsets_are_exact_where_tansu_misreports_them(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings
) -> None:
    """The second number is what the embedded profile's readers use. When the first
    is 10 too, tansu has been fixed: ``enkontakt.kafka.offsets`` can go."""
    reported, fetched = _end_offsets_after_one_burst(broker.bootstrap, kafka_settings.topic_events)
    assert fetched == 10
    assert reported < 10


def test_fetched_end_offsets_of_empty_partitions_are_zero(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings
) -> None:
    asyncio.run(ensure_topics(kafka_settings))
    numbers = range(kafka_settings.partitions)
    partitions = [TopicPartition(kafka_settings.topic_dlq, p) for p in numbers]
    ends = asyncio.run(fetched_end_offsets({"bootstrap_servers": broker.bootstrap}, partitions))
    assert ends == dict.fromkeys(partitions, 0)


def test_broker_command_runs_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "enkontakt.cli", "broker", "--port", str(port)]
    command += ["--log-file", str(tmp_path / "tansu.log")]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(2)]  # a log line and the banner
            assert any(f"ready at 127.0.0.1:{port}" in line for line in lines), lines
            assert port_in_use(port)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
            assert not port_in_use(port)
        finally:
            if process.poll() is None:
                process.kill()


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses the parent-death signal")
def test_broker_stops_when_its_parent_is_killed() -> None:
    script = (
        "from enkontakt.kafka.broker import EmbeddedBroker\n"
        "import time\n"
        "broker = EmbeddedBroker().start()\n"
        "print(broker._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as parent:
        try:
            assert parent.stdout is not None
            lines = [parent.stdout.readline() for _ in range(2)]  # a log line, then the pid
            broker_pid = int(lines[-1])
            assert _running(broker_pid)
        finally:
            parent.kill()
    deadline = time.monotonic() + 5
    while _running(broker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(broker_pid)
