"""Structured logging: JSON lines, bound message ids, no payloads, no traceback locals."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from enkontakt.logging import bound_message, configure_logging, get_logger


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Logging configured to write JSON into a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging(json=True, stream=buffer)
    yield buffer
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_structlog_lines_are_json_with_the_bound_ids(output: io.StringIO) -> None:
    log = get_logger("enkontakt.test")
    with bound_message(event_id="e-1", orgnr="974760673", partition=3, offset=None):
        log.info("event_applied", outputs=2)
    log.info("after")

    inside, after = _lines(output)
    assert inside["event"] == "event_applied"
    assert inside["level"] == "info"
    assert inside["logger"] == "enkontakt.test"
    assert (inside["event_id"], inside["orgnr"], inside["partition"]) == ("e-1", "974760673", 3)
    assert "offset" not in inside
    assert inside["outputs"] == 2
    assert "timestamp" in inside
    assert "event_id" not in after


def test_standard_library_loggers_come_out_the_same_way(output: io.StringIO) -> None:
    with bound_message(event_id="e-2"):
        logging.getLogger("aiokafka").warning("Heartbeat failed for group %s", "g")

    (line,) = _lines(output)
    assert line == {
        "event": "Heartbeat failed for group g",
        "level": "warning",
        "logger": "aiokafka",
        "event_id": "e-2",
        "timestamp": line["timestamp"],
    }


def test_payload_keys_are_never_written(output: io.StringIO) -> None:
    secret = "12345678901 has a health condition"
    get_logger("t").error("rejected", payload=secret, value=secret.encode(), error="invalid-data")

    text = output.getvalue()
    assert secret not in text
    (line,) = _lines(output)
    assert (line["payload"], line["value"], line["error"]) == (
        "[omitted]",
        "[omitted]",
        "invalid-data",
    )


def test_a_failed_send_that_faust_logs_keeps_only_its_topic(output: io.StringIO) -> None:
    # faust's own line for a failed send (faust/topics.py, ``_on_published``) holds
    # the whole message, key and value.
    secret = "person1@nav.no"
    logging.getLogger("faust.topics").warning(
        "_on_published error for message topic app-employers-changelog error "
        f"KafkaTimeoutError message <FutureMessage: key=b'974760673/3' value=b'{secret}'>"
    )
    logging.getLogger("faust.other").warning("_on_published error for message topic t keeps")

    assert secret not in output.getvalue()
    faust_line, other = _lines(output)
    assert faust_line["event"] == (
        "_on_published error for message topic app-employers-changelog [omitted]"
    )
    assert other["event"] == "_on_published error for message topic t keeps"


def test_tracebacks_leave_out_local_variables(output: io.StringIO) -> None:
    def handle(message: bytes) -> None:
        raise ValueError("cannot decode")

    try:
        handle(b"sensitive message body")
    except ValueError:
        get_logger("t").exception("decode_failed")

    text = output.getvalue()
    assert "sensitive message body" not in text
    (line,) = _lines(output)
    assert line["exception"][0]["exc_type"] == "ValueError"


def test_console_output_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    terminal = Terminal()
    try:
        configure_logging(stream=terminal)
        get_logger("t").info("ready", port=9092)
    finally:
        structlog.reset_defaults()
        root.handlers[:] = handlers
        root.setLevel(level)

    text = re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue())  # without colours
    assert "ready" in text
    assert "port=9092" in text
    assert not text.lstrip().startswith("{")
