"""Alert revisions start with the notifier's version of the alert.

A late event can take a resolved firing back to firing, with the same
``alert_id`` and a higher ``version``; ranked by status alone, the projection
kept it resolved. Every stored revision gets the version its document
carries (none before this revision: ``000000000000``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ALERTS = sa.table("alerts", sa.column("revision", sa.String()))
PREFIX = "000000000000|"


def upgrade() -> None:
    """Prefix every stored revision with version 0."""
    op.execute(sa.update(ALERTS).values(revision=sa.literal(PREFIX) + ALERTS.c.revision))


def downgrade() -> None:
    """Drop the version from every stored revision."""
    op.execute(
        sa.update(ALERTS).values(revision=sa.func.substr(ALERTS.c.revision, len(PREFIX) + 1))
    )
