"""``enkontakt dlq``: selecting, showing and re-driving rejected events.

The unit tests cover selection, header handling and what may be printed; the
integration tests put rejected records on a real (embedded) dead-letter topic,
list them through the command and re-drive a selection, checking that exactly
those records arrive on the input topic with their original key, bytes and
headers.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from enkontakt.cli import main
from enkontakt.dlq import (
    REDRIVEN_HEADER,
    Rejected,
    Selection,
    newest_copies,
    parse_offset,
    parse_time,
    redrive_headers,
    row,
    shown_key,
)
from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.kafka.internal_topics import create_missing
from enkontakt.kafka.topics import contract_topics
from enkontakt.settings import KafkaSettings

FNR = "01010112345"  # only its shape matters here: 11 digits in a key or payload
SECRET_TEXT = "kandidaten har en diagnose"


def rejected(
    partition: int = 0,
    offset: int = 0,
    *,
    error: str = "invalid-data",
    at: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    key: bytes | None = b"974760673",
    value: bytes = b"{}",
    extra: tuple[tuple[str, bytes], ...] = (),
) -> Rejected:
    headers = (*extra, ("enkontakt-error", error.encode()), ("enkontakt-error-detail", b"x."))
    return Rejected(partition, offset, int(at.timestamp() * 1000), key, value, headers)


class TestSelection:
    def test_empty_selection_matches_everything_and_is_not_narrowed(self) -> None:
        assert Selection().matches(rejected())
        assert not Selection().narrowed

    @pytest.mark.parametrize(
        ("selection", "expected"),
        [
            (Selection(errors=frozenset({"invalid-data"})), True),
            (Selection(errors=frozenset({"invalid-orgnr"})), False),
            (Selection(offsets=frozenset({(0, 7)})), True),
            (Selection(offsets=frozenset({(1, 7)})), False),
            (Selection(since=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), True),
            (Selection(since=datetime(2026, 3, 2, 9, 1, tzinfo=UTC)), False),
            (Selection(until=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), False),
            (
                Selection(
                    errors=frozenset({"invalid-data"}), offsets=frozenset({(0, 8)})
                ),  # every criterion must hold
                False,
            ),
        ],
    )
    def test_criteria(self, selection: Selection, expected: bool) -> None:
        assert selection.matches(rejected(offset=7)) is expected


def test_redrive_headers_drop_the_error_and_keep_the_rest() -> None:
    record = rejected(
        partition=3,
        offset=41,
        extra=(("ce_specversion", b"1.0"), (REDRIVEN_HEADER, b"dlq:1:2")),
    )
    assert redrive_headers(record, "the.dlq") == [
        ("ce_specversion", b"1.0"),
        (REDRIVEN_HEADER, b"the.dlq:3:41"),
    ]


def test_an_event_re_driven_and_rejected_again_is_selected_once_as_its_newest_copy() -> None:
    original = rejected(partition=0, offset=4)
    other = rejected(partition=1, offset=4)
    copy = rejected(partition=1, offset=9, extra=((REDRIVEN_HEADER, b"t.dlq:0:4"),))
    again = rejected(partition=0, offset=12, extra=((REDRIVEN_HEADER, b"t.dlq:1:9"),))
    assert newest_copies([original, other, copy]) == [other, copy]
    assert newest_copies([original, other, copy, again]) == [other, again]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        (b"974760673", "974760673"),
        (None, "-"),
        (FNR.encode(), "(not an orgnr)"),
        (b"x", "(not an orgnr)"),
    ],
)
def test_only_an_orgnr_key_is_shown(key: bytes | None, shown: str) -> None:
    assert shown_key(key) == shown


def test_a_row_never_holds_the_payload() -> None:
    payload = orjson.dumps({"note": SECRET_TEXT, "fnr": FNR})
    line = row(rejected(key=FNR.encode(), value=payload))
    assert SECRET_TEXT not in line
    assert FNR not in line
    assert line.split("\t")[:4] == ["0:0", "2026-03-02T09:00:00Z", "(not an orgnr)", "invalid-data"]


def test_parse_time_takes_rfc3339_or_an_age() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert parse_time("6h", now) == now - timedelta(hours=6)
    assert parse_time("2d", now) == now - timedelta(days=2)
    assert parse_time("2026-03-01T10:00:00+01:00") == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for bad in ("yesterday", "2026-03-01T10:00:00"):
        with pytest.raises(Exception, match=r"expected|offset"):
            parse_time(bad)


def test_parse_offset_takes_one_or_a_range() -> None:
    assert parse_offset("2:5") == [(2, 5)]
    assert parse_offset("0:3-5") == [(0, 3), (0, 4), (0, 5)]
    for bad in ("5", "1:9-3", "a:1"):
        with pytest.raises(Exception, match=r"expected|empty"):
            parse_offset(bad)


# --- against the embedded broker -----------------------------------------------------------


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def settings(broker: EmbeddedBroker, monkeypatch: pytest.MonkeyPatch) -> KafkaSettings:
    """Settings with topics of this test only, also set in the environment for the command."""
    unique = uuid.uuid4().hex[:8]
    env = {
        "KAFKA_BROKERS": broker.bootstrap,
        "ENKONTAKT_PROFILE": "embedded",
        "ENKONTAKT_PARTITIONS": "2",
        "ENKONTAKT_TOPIC_EVENTS": f"t{unique}.events",
        "ENKONTAKT_TOPIC_DLQ": f"t{unique}.dlq",
        "ENKONTAKT_TOPIC_ALERTS": f"t{unique}.alerts",
        "ENKONTAKT_TOPIC_VIEWS": f"t{unique}.views",
        "ENKONTAKT_TOPIC_NOTICES": f"t{unique}.notices",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    configured = KafkaSettings()
    asyncio.run(create_missing(configured, contract_topics(configured)))
    return configured


Record = tuple[int, bytes | None, bytes, list[tuple[str, bytes]]]

ON_DLQ: list[Record] = [
    # partition, key, original bytes, headers as the coordinator writes them
    (
        0,
        b"974760673",
        b'{"specversion": "1.0", "id": "a"}',
        [("enkontakt-error", b"not-cloudevent")],
    ),
    (0, FNR.encode(), orjson.dumps({"fnr": FNR}), [("enkontakt-error", b"personal-identifier")]),
    (
        1,
        b"123456789",
        b'{"data": {"employer": {"orgnr": "123456789"}}}',
        [("ce_specversion", b"1.0"), ("enkontakt-error", b"invalid-orgnr")],
    ),
    (1, None, b"\xff not json", [("enkontakt-error", b"malformed-json")]),
    (
        0,
        b"111111111",
        b'{"id": "b", "orgnr": "111111111"}',
        [("enkontakt-error", b"invalid-orgnr")],
    ),
]


async def _put_on_dlq(settings: KafkaSettings, records: list[Record]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=list(settings.brokers))
    await producer.start()
    try:
        for partition, key, value, headers in records:
            detail = ("enkontakt-error-detail", b"A sentence naming at most a field.")
            await producer.send_and_wait(
                settings.topic_dlq, value, key=key, partition=partition, headers=[*headers, detail]
            )
    finally:
        await producer.stop()


async def _read_all(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(records) <= count:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
            if len(records) == count:
                deadline = min(deadline, time.monotonic() + 0.5)  # a little longer: no extras
        return records
    finally:
        await consumer.stop()


@pytest.mark.integration
def test_list_shows_every_rejected_event_without_payloads(
    settings: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_put_on_dlq(settings, ON_DLQ))

    assert main(["dlq", "list"]) == 0
    out, err = capsys.readouterr()

    lines = out.splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == ["0:0", "0:1", "0:2", "1:0", "1:1"]
    by_position = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert by_position["0:0"][2:4] == ["974760673", "not-cloudevent"]
    assert by_position["0:1"][2:4] == ["(not an orgnr)", "personal-identifier"]
    assert by_position["1:1"][2:4] == ["-", "malformed-json"]
    assert FNR not in out + err
    assert "employer" not in out + err
    assert "5 match" in err
    assert "invalid-orgnr 2" in err

    assert main(["dlq", "list", "--error", "invalid-orgnr", "--json"]) == 0
    shown = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {(item["partition"], item["offset"]) for item in shown} == {(1, 0), (0, 2)}

    assert main(["dlq", "list", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.integration
def test_redrive_republishes_the_selection_byte_for_byte(
    settings: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_put_on_dlq(settings, ON_DLQ))

    assert main(["dlq", "redrive", "--error", "invalid-orgnr", "--dry-run"]) == 0
    assert "would re-drive 2 event(s)" in capsys.readouterr().err
    assert asyncio.run(_read_all(settings.brokers[0], settings.topic_events, 0)) == []

    assert main(["dlq", "redrive", "--error", "invalid-orgnr", "--offsets", "0:1"]) == 0
    assert "re-drove 0 event(s)" in capsys.readouterr().err  # 0:1 is not invalid-orgnr

    assert main(["dlq", "redrive", "--error", "invalid-orgnr"]) == 0
    assert "re-drove 2 event(s)" in capsys.readouterr().err

    arrived = asyncio.run(_read_all(settings.brokers[0], settings.topic_events, 2))
    assert sorted((r.key, r.value) for r in arrived) == sorted(
        (key, value)
        for _, key, value, headers in ON_DLQ
        if (("enkontakt-error", b"invalid-orgnr") in headers)
    )
    headers = {r.key: list(r.headers) for r in arrived}
    assert headers[b"123456789"] == [
        ("ce_specversion", b"1.0"),
        (REDRIVEN_HEADER, f"{settings.topic_dlq}:1:0".encode()),
    ]
    assert headers[b"111111111"] == [(REDRIVEN_HEADER, f"{settings.topic_dlq}:0:2".encode())]


@pytest.mark.integration
def test_redrive_refuses_an_unnarrowed_selection(
    settings: KafkaSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_put_on_dlq(settings, ON_DLQ[:1]))

    assert main(["dlq", "redrive"]) == 2
    assert "--all" in capsys.readouterr().err

    assert main(["dlq", "redrive", "--all"]) == 0
    arrived = asyncio.run(_read_all(settings.brokers[0], settings.topic_events, 1))
    assert [(r.key, r.value) for r in arrived] == [(ON_DLQ[0][1], ON_DLQ[0][2])]


@pytest.mark.integration
def test_redrive_keeps_a_missing_value_and_missing_header_values_as_they_were(
    settings: KafkaSettings,
) -> None:
    without: list[Any] = [
        (0, b"974760673", None, [("ce_specversion", b"1.0"), ("ce_subject", None)]),
    ]
    asyncio.run(_put_on_dlq(settings, without))
    assert main(["dlq", "redrive", "--all"]) == 0
    [arrived] = asyncio.run(_read_all(settings.brokers[0], settings.topic_events, 1))
    assert arrived.value is None
    assert list(arrived.headers)[:2] == [("ce_specversion", b"1.0"), ("ce_subject", None)]
