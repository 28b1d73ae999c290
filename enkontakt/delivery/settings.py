"""Configuration of the outbox sender (``enkontakt deliver``)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from enkontakt.projection.settings import DatabaseSettings, env_field


class Receiver(BaseModel):
    """One webhook receiver."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$", description="Receiver name.")
    url: AnyHttpUrl = Field(description="Where notifications are POSTed.")
    secret: SecretStr = Field(min_length=16, description="Key of the HMAC-SHA256 signature.")


class DeliverySettings(DatabaseSettings):
    """Everything ``enkontakt deliver`` reads from the environment.

    Durations take seconds or ISO 8601 (``PT24H``).
    """

    webhooks: tuple[Receiver, ...] = env_field(
        "ENKONTAKT_WEBHOOKS",
        (),
        'Webhook receivers as a JSON list of `{"name", "url", "secret"}` '
        "(secret: at least 16 characters, the HMAC-SHA256 key).",
    )
    repeat_interval: timedelta = env_field(
        "ENKONTAKT_WEBHOOK_REPEAT_INTERVAL",
        timedelta(hours=24),
        "Resend a firing alert nobody has acknowledged after this long.",
        gt=timedelta(0),
    )
    backoff_initial: timedelta = env_field(
        "ENKONTAKT_WEBHOOK_BACKOFF_INITIAL",
        timedelta(seconds=10),
        "Wait after the first failed attempt; doubled after each further failure.",
        gt=timedelta(0),
    )
    backoff_max: timedelta = env_field(
        "ENKONTAKT_WEBHOOK_BACKOFF_MAX",
        timedelta(minutes=5),
        "Longest wait between two attempts.",
        gt=timedelta(0),
    )
    timeout: timedelta = env_field(
        "ENKONTAKT_WEBHOOK_TIMEOUT",
        timedelta(seconds=10),
        "Timeout of one HTTP attempt.",
        gt=timedelta(0),
    )
    poll_interval: timedelta = env_field(
        "ENKONTAKT_DELIVERY_POLL_INTERVAL",
        timedelta(seconds=5),
        "Pause between two rounds of `enkontakt deliver`.",
        gt=timedelta(0),
    )
    external_url: str | None = env_field(
        "ENKONTAKT_EXTERNAL_URL",
        None,
        "Public base URL of the dashboard, for links in notifications.",
    )
