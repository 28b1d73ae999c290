"""Alert change keys take times as instants, not as the text they were written in.

Each stored alert's ``change_key`` is recomputed; a receiver that was told the
stored version keeps being up to date (its ``notified_change_key`` follows),
so the new keys send nothing again. The key functions are copied here as they
are at this revision, whatever the code does later.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ALERTS = sa.table(
    "alerts",
    sa.column("alert_id", sa.String()),
    sa.column("change_key", sa.String()),
    sa.column("document", sa.JSON().with_variant(JSONB(), "postgresql")),
)
STATE = sa.table(
    "webhook_alert_state",
    sa.column("alert_id", sa.String()),
    sa.column("notified_change_key", sa.String()),
)
ChangeKey = Callable[[dict[str, Any]], str]


def upgrade() -> None:
    """Recompute the change keys with times as instants."""
    _rekey(_textual_key, _instant_key)


def downgrade() -> None:
    """Recompute the change keys with times as written."""
    _rekey(_instant_key, _textual_key)


def _rekey(old: ChangeKey, new: ChangeKey) -> None:
    connection = op.get_bind()
    stored = connection.execute(sa.select(ALERTS.c.alert_id, ALERTS.c.document)).all()
    for alert_id, document in stored:
        try:
            before, after = old(document), new(document)
        except (KeyError, TypeError, ValueError, OverflowError):
            continue  # not a valid alert: never read, and left as it is
        connection.execute(
            sa.update(ALERTS).where(ALERTS.c.alert_id == alert_id).values(change_key=after)
        )
        connection.execute(
            sa.update(STATE)
            .where(STATE.c.alert_id == alert_id, STATE.c.notified_change_key == before)
            .values(notified_change_key=after)
        )


def _textual_key(alert: dict[str, Any]) -> str:
    parts = (alert["status"], alert["severity"], alert["starts_at"], alert.get("ends_at") or "")
    return _digest(parts)


def _instant_key(alert: dict[str, Any]) -> str:
    ends_at = alert.get("ends_at")
    parts = (
        alert["status"],
        alert["severity"],
        _utc(alert["starts_at"]),
        "" if ends_at is None else _utc(ends_at),
    )
    return _digest(parts)


def _utc(text: str) -> str:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a time without offset")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
