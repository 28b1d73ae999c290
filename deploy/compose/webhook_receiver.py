"""A webhook receiver for the local docker-compose setup.

Stands in for the supervisors' alerting system: accepts ``POST /alerts`` in
Alertmanager's webhook format, checks ``X-Enkontakt-Signature`` against
``RECEIVER_SECRET`` (HMAC-SHA256 of the raw body), and logs one line per
notification: receiver, unit, group status and the rules of its alerts. Labels
carry identifiers only, but nothing else of the body is logged either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def signature_ok(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` is ``sha256=<hex HMAC-SHA256 of body>`` keyed with ``secret``."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected, header)


def summary(notification: dict[str, Any]) -> str:
    """One line about a notification: unit, status and how many alerts of which rules."""
    rules = sorted({alert["labels"].get("rule", "?") for alert in notification.get("alerts", [])})
    unit = notification.get("groupLabels", {}).get("unit", "-")
    count = len(notification.get("alerts", []))
    return f"unit {unit}: {notification.get('status')} ({count} alert(s): {', '.join(rules)})"


class Receiver(BaseHTTPRequestHandler):
    """Answers 204 to a correctly signed notification, 401 otherwise."""

    secret = os.environ.get("RECEIVER_SECRET", "")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not signature_ok(body, self.headers.get("X-Enkontakt-Signature"), self.secret):
            print("rejected a notification with a wrong signature", flush=True)
            self.send_response(401)
        else:
            print(summary(json.loads(body)), flush=True)
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the one line above is the log."""


if __name__ == "__main__":
    port = int(os.environ.get("RECEIVER_PORT", "9000"))
    print(f"webhook receiver listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Receiver).serve_forever()
