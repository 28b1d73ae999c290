"""A real webhook receiver on 127.0.0.1 that can be told to fail, or not to listen."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from enkontakt.delivery import alertmanager


@dataclass
class Received:
    """One notification the receiver accepted."""

    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    """Answers 200 and records the notification, or answers ``failing_status``."""

    secret: str
    failing_status: int | None = None
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        """Listen (on the same port as before, if it had one)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failing_status is not None:
                    receiver.refused += 1
                    self.send_response(receiver.failing_status)
                    self.end_headers()
                    return
                receiver.received.append(
                    Received(json.loads(raw), raw, {k.lower(): v for k, v in self.headers.items()})
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_port
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def signature_ok(self, item: Received) -> bool:
        """Whether the notification carries a valid signature."""
        header = item.headers[alertmanager.SIGNATURE_HEADER.lower()]
        return alertmanager.verify(self.secret, item.raw, header)

    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Per notification: its group key and its (alert_id, status) pairs."""
        return [
            (
                item.body["groupKey"],
                [(a["labels"]["alert_id"], a["status"]) for a in item.body["alerts"]],
            )
            for item in self.received
        ]


def unused_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
