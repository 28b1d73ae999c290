"""Structured logging, configured once in each entrypoint.

JSON lines on standard output in production, readable console output on a
terminal. Standard-library loggers (faust, aiokafka, uvicorn) go through the same
processors, so a process writes one format. Logs carry ids, never payloads:
values under payload-like keys are replaced before rendering, and so is the
message faust writes into its line for a failed send.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

PAYLOAD_KEYS = frozenset({"payload", "value", "data", "body", "raw", "message_value"})
"""Keys whose values are never written: message contents may hold personal data."""

_OMITTED = "[omitted]"
_FAUST_SEND_ERROR = "_on_published error for message topic "
_handler: logging.Handler | None = None


def omit_payloads(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Replace the value of every payload-like key, so message contents never reach a log."""
    for key in PAYLOAD_KEYS & event_dict.keys():
        event_dict[key] = _OMITTED
    return event_dict


def omit_faust_messages(record: logging.LogRecord) -> bool:
    """faust logs a failed send with the whole message, key and value; keep the
    topic only (a logging filter: the record is changed, never dropped)."""
    message = record.msg
    faust_send = isinstance(message, str) and message.startswith(_FAUST_SEND_ERROR)
    if record.name == "faust.topics" and faust_send:
        topic = message[len(_FAUST_SEND_ERROR) :].split(" ", 1)[0]
        record.msg, record.args = f"{_FAUST_SEND_ERROR}{topic} {_OMITTED}", ()
    return True


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        omit_payloads,
    ]


def _renderer(json: bool) -> list[Processor]:
    if json:
        # Tracebacks without local variables: locals may hold message contents.
        no_locals = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        return [
            structlog.processors.ExceptionRenderer(no_locals),
            structlog.processors.JSONRenderer(),
        ]
    return [structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)]


def configure_logging(
    *, json: bool | None = None, level: str | int = "INFO", stream: TextIO | None = None
) -> None:
    """Configure structlog and the standard-library root logger.

    ``json=None`` chooses JSON unless ``stream`` (default: standard output) is a
    terminal. Calling it again replaces the previous configuration.
    """
    global _handler
    out = stream if stream is not None else sys.stdout
    use_json = json if json is not None else not out.isatty()
    shared = _shared_processors()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.addFilter(omit_faust_messages)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_renderer(use_json),
            ],
        )
    )
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    root.addHandler(handler)
    root.setLevel(level)
    _handler = handler


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structured logger named after the module using it."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


@contextmanager
def bound_message(
    *,
    event_id: str | None = None,
    orgnr: str | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> Iterator[None]:
    """Bind the ids of the message being handled to every log line inside the block."""
    values: MutableMapping[str, Any] = {
        key: value
        for key, value in {
            "event_id": event_id,
            "orgnr": orgnr,
            "topic": topic,
            "partition": partition,
            "offset": offset,
        }.items()
        if value is not None
    }
    with structlog.contextvars.bound_contextvars(**values):
        yield
