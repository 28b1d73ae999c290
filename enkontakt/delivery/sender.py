"""The sender: plans due notifications and delivers the outbox, with backoff.

Per receiver, entries go out in the order they were enqueued; when one fails,
the ones behind it wait, so a receiver never hears "resolved" before "firing".
The wait after the n-th failed attempt is ``initial * 2**(n-1)``, capped at
``maximum``; there is no last attempt: entries wait until the receiver is back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from enkontakt.delivery import alertmanager
from enkontakt.delivery.outbox import Entry, Outbox
from enkontakt.delivery.settings import DeliverySettings, Receiver
from enkontakt.logging import get_logger

log = get_logger(__name__)


class Poster(Protocol):
    """Sends one body; returns ``None`` on success, else a short error."""

    def __call__(self, receiver: Receiver, entry: Entry) -> str | None: ...


class WebhookPoster:
    """POSTs outbox entries over HTTP, signed with the receiver's secret."""

    def __init__(self, client: httpx.Client) -> None:
        """Use ``client`` (its timeout bounds each attempt)."""
        self._client = client

    def __call__(self, receiver: Receiver, entry: Entry) -> str | None:
        """One attempt: 2xx is success; anything else is an error to retry."""
        body = entry.payload.encode()
        headers = {
            "Content-Type": "application/json",
            alertmanager.SIGNATURE_HEADER: alertmanager.signature(
                receiver.secret.get_secret_value(), body
            ),
            alertmanager.DELIVERY_HEADER: str(entry.id),
        }
        try:
            response = self._client.post(str(receiver.url), content=body, headers=headers)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        return None if response.is_success else f"HTTP {response.status_code}"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff between attempts."""

    initial: timedelta
    maximum: timedelta

    def after(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed attempts (at least one)."""
        wait = self.initial
        for _ in range(1, attempts):
            if wait >= self.maximum:
                break
            wait *= 2
        return min(wait, self.maximum)


@dataclass(frozen=True)
class Report:
    """What one round did."""

    enqueued: int = 0
    delivered: int = 0
    failed: int = 0

    def __add__(self, other: Report) -> Report:
        return Report(
            self.enqueued + other.enqueued,
            self.delivered + other.delivered,
            self.failed + other.failed,
        )


class Deliverer:
    """Plans and sends notifications for every configured receiver."""

    def __init__(self, outbox: Outbox, settings: DeliverySettings, post: Poster) -> None:
        """Deliver ``outbox`` to ``settings.webhooks`` with ``post``."""
        self._outbox = outbox
        self._settings = settings
        self._post = post
        self._backoff = Backoff(settings.backoff_initial, settings.backoff_max)

    def run_once(self, now: datetime) -> Report:
        """One round at ``now``: plan, then send what is due."""
        report = Report()
        for receiver in self._settings.webhooks:
            enqueued = self._outbox.plan(
                receiver.name, now, self._settings.repeat_interval, self._builder(receiver)
            )
            report += Report(enqueued=enqueued) + self._send(receiver, now)
        if report != Report():
            log.info("delivery_round", **vars(report))
        return report

    def run_forever(self, clock: Callable[[], datetime], stop: threading.Event) -> None:
        """Rounds until ``stop`` is set, pausing the poll interval between them."""
        pause = self._settings.poll_interval.total_seconds()
        while not stop.is_set():
            self.run_once(clock())
            stop.wait(pause)

    def _builder(self, receiver: Receiver) -> Callable[..., tuple[str, str]]:
        def build(unit: str | None, alerts: list[dict[str, object]]) -> tuple[str, str]:
            body = alertmanager.message(receiver.name, unit, alerts, self._settings.external_url)
            return body["groupKey"], alertmanager.encode(body)

        return build

    def _send(self, receiver: Receiver, now: datetime) -> Report:
        delivered = 0
        for entry in self._outbox.pending(receiver.name):
            if entry.next_attempt_at > now:
                break
            error = self._post(receiver, entry)
            if error is not None:
                retry_at = now + self._backoff.after(entry.attempts + 1)
                self._outbox.failed(entry, error, retry_at)
                log.warning(
                    "delivery_failed",
                    receiver=receiver.name,
                    entry=entry.id,
                    attempts=entry.attempts + 1,
                    error=error,
                    retry_at=retry_at.isoformat(),
                )
                return Report(delivered=delivered, failed=1)
            self._outbox.delivered(entry, now)
            delivered += 1
        return Report(delivered=delivered)
