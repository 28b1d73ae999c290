"""A message that cannot be published stops the worker.

faust's flush does not fail when the producer gives up on a batch, so a worker
that went on would commit the offsets of input whose output, or whose table
write, was lost. The services' own sends are checked by ``Topics.send``; faust's
own sends (a table's changelog writes, through its producer buffer) are reported
to the app's sensors, where ``FatalSendErrors`` takes them. Either way the worker
logs the failure and exits at once, with no shutdown, offset commit or flush (as
SIGKILL would): the restarted worker reads again what was not published.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from faust import Sensor

from enkontakt.logging import get_logger

log = get_logger("enkontakt.streaming")

EXIT_SEND_FAILED = 3
"""The exit status of a worker that could not publish a message."""

Fatal = Callable[[BaseException], None]


def exit_at_once(error: BaseException) -> None:
    """Stop the process now, after flushing the log."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_SEND_FAILED)


def send_failed(topic: str | None, error: BaseException, fatal: Fatal) -> None:
    """Log a failed send (the topic and the error, never the message), then ``fatal``."""
    log.error(
        "publishing failed: the worker stops so that its input is read again",
        topic=topic,
        error=type(error).__name__,
        detail=str(error),
    )
    fatal(error)


class FatalSendErrors(Sensor):
    """A faust sensor: a send of faust's own that failed stops the worker."""

    def __init__(self, fatal: Fatal = exit_at_once, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fatal = fatal

    def on_send_error(self, producer: Any, exc: BaseException, state: Any) -> None:
        """Called by faust when its producer could not publish a message."""
        send_failed(None, exc, self.fatal)
