"""The persistent outbox: which notifications are due, and which are still unsent.

Planning and sending are separate steps. Planning reads the projected alerts,
finds what a receiver has not yet been told (or must be told again), and in
one transaction adds the notifications to the outbox and records what they
said. Sending takes the outbox in order and marks each entry delivered or
schedules its retry; nothing is removed, so a receiver that is down loses
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.engine import Connection

from enkontakt.projection.models import Alert, WebhookAlertState, WebhookOutbox

# Builds (group key, body) from one unit's due alerts.
Build = Callable[[str | None, Sequence[dict[str, Any]]], tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Entry:
    """One outbox entry awaiting delivery."""

    id: int
    group_key: str
    payload: str
    attempts: int
    next_attempt_at: datetime


class Outbox:
    """Outbox and per-receiver alert state in the projection's database."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine``, which must already hold the migrated schema."""
        self._engine = engine

    def plan(self, receiver: str, now: datetime, repeat_interval: timedelta, build: Build) -> int:
        """Enqueue the due notifications for ``receiver``; return how many."""
        with self._engine.begin() as connection:
            due = _due_alerts(connection, receiver, now - repeat_interval)
            by_unit: dict[str | None, list[Any]] = defaultdict(list)
            for row in due:
                by_unit[row.unit].append(row)
            for unit in sorted(by_unit, key=lambda u: u or ""):
                rows = by_unit[unit]
                key, body = build(unit, [row.document for row in rows])
                _enqueue(connection, receiver, key, body, now)
                _remember(connection, receiver, rows, now)
        return len(by_unit)

    def pending(self, receiver: str, limit: int = 100) -> list[Entry]:
        """The receiver's undelivered entries, oldest first."""
        stmt = (
            select(
                WebhookOutbox.id,
                WebhookOutbox.group_key,
                WebhookOutbox.payload,
                WebhookOutbox.attempts,
                WebhookOutbox.next_attempt_at,
            )
            .where(WebhookOutbox.receiver == receiver, WebhookOutbox.delivered_at.is_(None))
            .order_by(WebhookOutbox.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [Entry(*row) for row in connection.execute(stmt)]

    def delivered(self, entry: Entry, at: datetime) -> None:
        """Mark an entry delivered."""
        self._update(entry, delivered_at=at, attempts=entry.attempts + 1, last_error=None)

    def failed(self, entry: Entry, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and schedule the next one."""
        self._update(
            entry, attempts=entry.attempts + 1, last_error=error[:200], next_attempt_at=retry_at
        )

    def _update(self, entry: Entry, **values: Any) -> None:
        stmt = update(WebhookOutbox).where(WebhookOutbox.id == entry.id).values(**values)
        with self._engine.begin() as connection:
            connection.execute(stmt)


def _due_alerts(connection: Connection, receiver: str, repeat_before: datetime) -> list[Any]:
    """Alerts the receiver must hear about now.

    New firing alerts; alerts that changed since the receiver was told
    (including resolution); and firing, unacknowledged alerts last told at or
    before ``repeat_before``. A resolved alert the receiver never heard of
    firing is not sent.
    """
    state = WebhookAlertState
    told = and_(state.receiver == receiver, state.alert_id == Alert.alert_id)
    firing = Alert.status == "firing"
    stmt = (
        select(Alert.alert_id, Alert.unit, Alert.change_key, Alert.document)
        .outerjoin(state, told)
        .where(
            or_(
                and_(state.alert_id.is_(None), firing),
                and_(state.alert_id.is_not(None), state.notified_change_key != Alert.change_key),
                and_(firing, Alert.acknowledged_at.is_(None), state.notified_at <= repeat_before),
            )
        )
        .order_by(Alert.unit, Alert.starts_at, Alert.alert_id)
    )
    return list(connection.execute(stmt))


def _enqueue(connection: Connection, receiver: str, key: str, body: str, now: datetime) -> None:
    connection.execute(
        insert(WebhookOutbox).values(
            receiver=receiver,
            group_key=key,
            payload=body,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            delivered_at=None,
            last_error=None,
        )
    )


def _remember(connection: Connection, receiver: str, rows: Sequence[Any], now: datetime) -> None:
    """Record what the receiver has now been told about each alert."""
    ids = [row.alert_id for row in rows]
    known = set(
        connection.scalars(
            select(WebhookAlertState.alert_id).where(
                WebhookAlertState.receiver == receiver, WebhookAlertState.alert_id.in_(ids)
            )
        )
    )
    for row in rows:
        values = {"notified_change_key": row.change_key, "notified_at": now}
        if row.alert_id in known:
            connection.execute(
                update(WebhookAlertState)
                .where(
                    WebhookAlertState.receiver == receiver,
                    WebhookAlertState.alert_id == row.alert_id,
                )
                .values(**values)
            )
        else:
            connection.execute(
                insert(WebhookAlertState).values(receiver=receiver, alert_id=row.alert_id, **values)
            )
