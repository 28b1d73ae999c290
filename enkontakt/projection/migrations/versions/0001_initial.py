"""Views, alerts, employer notices and the webhook outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from enkontakt.projection.times import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    """Create the tables."""
    _create_employer_views()
    _create_alerts()
    _create_employer_notices()
    _create_webhook_tables()


def downgrade() -> None:
    """Drop the tables."""
    for table in (
        "webhook_outbox",
        "webhook_alert_state",
        "employer_notices",
        "alerts",
        "employer_views",
    ):
        op.drop_table(table)


def _create_employer_views() -> None:
    op.create_table(
        "employer_views",
        sa.Column("orgnr", sa.String(9), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("unit", sa.String(4), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("contact_persons_30d", sa.Integer(), nullable=False),
        sa.Column("open_inquiries", sa.Integer(), nullable=False),
        sa.Column("overdue_inquiries", sa.Integer(), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("orgnr", name="pk_employer_views"),
    )
    op.create_index("ix_employer_views_unit", "employer_views", ["unit"])


def _create_alerts() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(200), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=True),
        sa.Column("inquiry_id", sa.String(200), nullable=True),
        sa.Column("unit", sa.String(4), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=True),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("change_key", sa.String(200), nullable=False),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alerts"),
    )
    for column in ("rule", "orgnr", "unit", "status"):
        op.create_index(f"ix_alerts_{column}", "alerts", [column])


def _create_employer_notices() -> None:
    op.create_table(
        "employer_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("orgnr", sa.String(9), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_employer_notices"),
        sa.UniqueConstraint("digest", name="uq_employer_notices_digest"),
    )
    op.create_index("ix_employer_notices_orgnr", "employer_notices", ["orgnr"])


def _create_webhook_tables() -> None:
    op.create_table(
        "webhook_alert_state",
        sa.Column("receiver", sa.String(100), nullable=False),
        sa.Column("alert_id", sa.String(200), nullable=False),
        sa.Column("notified_change_key", sa.String(200), nullable=False),
        sa.Column("notified_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("receiver", "alert_id", name="pk_webhook_alert_state"),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receiver", sa.String(100), nullable=False),
        sa.Column("group_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_outbox"),
    )
    op.create_index(
        "ix_webhook_outbox_receiver_delivered_at_id",
        "webhook_outbox",
        ["receiver", "delivered_at", "id"],
    )
