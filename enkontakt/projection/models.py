"""Tables of the SQL projection and of the webhook outbox.

Each view, alert and notice is kept as the JSON document it arrived as, beside
the columns needed to query it and to order its versions. The Alembic
migrations in ``migrations/versions`` create exactly these tables; a test
compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Index, Integer, MetaData, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from enkontakt.projection.times import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

Document = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base holding the one metadata of the projection."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: Document,
    }


class EmployerView(Base):
    """The latest view of one employer (CONTRACT §4)."""

    __tablename__ = "employer_views"

    orgnr: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(4), index=True)
    updated_at: Mapped[datetime]
    contact_persons_30d: Mapped[int] = mapped_column(Integer)
    open_inquiries: Mapped[int] = mapped_column(Integer)
    overdue_inquiries: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    written_at: Mapped[datetime]


class Alert(Base):
    """The latest state of one alert (CONTRACT §3) and who acknowledged it."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    rule: Mapped[str] = mapped_column(String(64), index=True)
    orgnr: Mapped[str | None] = mapped_column(String(9), index=True)
    inquiry_id: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(4), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    revision: Mapped[str] = mapped_column(String(64))
    change_key: Mapped[str] = mapped_column(String(200))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None]
    document: Mapped[dict[str, Any]]
    written_at: Mapped[datetime]


class EmployerNotice(Base):
    """One change of an employer's designated contact person (CONTRACT §4)."""

    __tablename__ = "employer_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    orgnr: Mapped[str] = mapped_column(String(9), index=True)
    at: Mapped[datetime]
    document: Mapped[dict[str, Any]]
    written_at: Mapped[datetime]


class WebhookAlertState(Base):
    """What a webhook receiver was last told about one alert, and when."""

    __tablename__ = "webhook_alert_state"

    receiver: Mapped[str] = mapped_column(String(100), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    notified_change_key: Mapped[str] = mapped_column(String(200))
    notified_at: Mapped[datetime]


class WebhookOutbox(Base):
    """One Alertmanager-format notification waiting for, or done with, delivery."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index(None, "receiver", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    receiver: Mapped[str] = mapped_column(String(100))
    group_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
