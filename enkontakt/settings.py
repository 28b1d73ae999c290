"""Process settings: read from the environment once, validated, then passed down.

Each process builds the settings it needs in its entrypoint with
:func:`load_settings` and hands them to the code that needs them; nothing deeper
reads the environment. Every field names its environment variable explicitly
(``validation_alias``) and carries a description, from which
:func:`environment_table` renders the reference table in the docs.
"""

from __future__ import annotations

import re
import ssl
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from aiokafka.helpers import create_ssl_context
from pydantic import Field, FilePath, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_BROKER_ADDRESS = re.compile(r"[A-Za-z0-9._-]+:[0-9]{1,5}")  # matched whole (fullmatch)
_TOPIC_CHARS = r"[A-Za-z0-9._-]"

TopicName = Annotated[str, Field(pattern=rf"^{_TOPIC_CHARS}{{1,200}}$")]
"""A Kafka topic name: letters, digits, '.', '_' and '-' (kept short enough for suffixes)."""

_SSL_VARIABLES = ("KAFKA_CERTIFICATE_PATH", "KAFKA_PRIVATE_KEY_PATH", "KAFKA_CA_PATH")


class ConfigurationError(Exception):
    """The environment does not describe a valid configuration; the message says why."""


class Profile(StrEnum):
    """Which Kafka the process talks to, and so which client tuning it uses."""

    PRODUCTION = "production"
    EMBEDDED = "embedded"


def _env(variable: str, default: Any, description: str, **constraints: Any) -> Any:
    """Declare a field read from the environment variable ``variable``."""
    return Field(default, validation_alias=variable, description=description, **constraints)


class _Settings(BaseSettings):
    """Shared configuration: frozen, unknown variables ignored, names given per field."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")


class KafkaSettings(_Settings):
    """How to reach Kafka and what the topics are called."""

    brokers: Annotated[tuple[str, ...], NoDecode] = _env(
        "KAFKA_BROKERS",
        ("127.0.0.1:9092",),
        "Kafka bootstrap servers as comma-separated host:port (the NAIS/Aiven variable).",
    )
    certificate_path: FilePath | None = _env(
        "KAFKA_CERTIFICATE_PATH",
        None,
        "Client certificate (PEM). With the key and CA set as well, Kafka is reached over SSL.",
    )
    private_key_path: FilePath | None = _env(
        "KAFKA_PRIVATE_KEY_PATH", None, "Client private key (PEM, unencrypted) for SSL."
    )
    ca_path: FilePath | None = _env(
        "KAFKA_CA_PATH", None, "Certificate authority (PEM) that signed the brokers' certificates."
    )
    profile: Profile = _env(
        "ENKONTAKT_PROFILE",
        Profile.PRODUCTION,
        "`production` for Apache Kafka; `embedded` for the embedded tansu broker and tests "
        "(adds the broker workarounds described in docs/kafka.md).",
    )
    fetch_max_wait_ms: int | None = _env(
        "ENKONTAKT_FETCH_MAX_WAIT_MS",
        None,
        "Longest a broker may hold the services' fetches, in ms (unset: the profile's; "
        "the client libraries' own in production: 1500 for faust, 500 for aiokafka).",
        ge=0,
    )
    fetch_min_bytes: int | None = _env(
        "ENKONTAKT_FETCH_MIN_BYTES",
        None,
        "Data a broker should gather before it answers the services' fetches (unset: the "
        "profile's; 1 byte in production).",
        ge=1,
    )
    producer_linger_ms: int = _env(
        "ENKONTAKT_PRODUCER_LINGER_MS",
        5,
        "How long the services' producers wait for more records to send them together, "
        "in ms (Apache Kafka's own client waits 5 ms by default since 4.0; 0 sends at once).",
        ge=0,
    )
    producer_batch_bytes: int = _env(
        "ENKONTAKT_PRODUCER_BATCH_BYTES",
        262_144,
        "Largest batch of records the services' producers gather for one partition, in "
        "bytes (at most 1,000,000, the largest request they send). The client (aiokafka) "
        "makes a send wait while its partition's batch is full until that batch is "
        "delivered; its default, 16 KiB, holds three views of a busy employer, and views "
        "queued behind each other under load.",
        ge=16_384,
        le=1_000_000,
    )
    app_id: str = _env(
        "ENKONTAKT_APP_ID",
        "enkontakt",
        "Stream-processing application id: the consumer group and the stem of internal topics.",
        pattern=rf"^{_TOPIC_CHARS}{{1,100}}$",
    )
    internal_topic_prefix: str = _env(
        "ENKONTAKT_INTERNAL_TOPIC_PREFIX",
        "",
        "Prefix for internal topics (changelogs, repartitioning), e.g. `myteam.` for a team "
        "namespace; it is prepended to the application id.",
        pattern=rf"^{_TOPIC_CHARS}{{0,100}}$",
    )
    topic_events: TopicName = _env(
        "ENKONTAKT_TOPIC_EVENTS", "enkontakt.contact-events.v1", "Input topic: contact events."
    )
    topic_dlq: TopicName = _env(
        "ENKONTAKT_TOPIC_DLQ",
        "enkontakt.contact-events.dlq.v1",
        "Rejected input events, original bytes with the error in headers.",
    )
    topic_alerts: TopicName = _env(
        "ENKONTAKT_TOPIC_ALERTS", "enkontakt.alerts.v1", "Alert changes for supervisors."
    )
    topic_views: TopicName = _env(
        "ENKONTAKT_TOPIC_VIEWS",
        "enkontakt.employer-views.v1",
        "Compacted topic of employer views, keyed by orgnr.",
    )
    topic_notices: TopicName = _env(
        "ENKONTAKT_TOPIC_NOTICES",
        "enkontakt.employer-notices.v1",
        "Employer notices: the designated contact person changed.",
    )
    partitions: int = _env(
        "ENKONTAKT_PARTITIONS", 12, "Partitions of every topic the service creates.", ge=1
    )
    replication_factor: int = _env(
        "ENKONTAKT_REPLICATION_FACTOR",
        1,
        "Replication factor of topics the service creates (3 on a production cluster).",
        ge=1,
    )
    create_topics: bool = _env(
        "ENKONTAKT_CREATE_TOPICS",
        True,
        "Create missing topics at start-up; `false` where topics are declared by the platform "
        "(NAIS), which then must declare the internal topics too.",
    )
    retention_days: int = _env(
        "ENKONTAKT_TOPIC_RETENTION_DAYS",
        400,
        "Retention of the event, alert and notice topics; keep it equal to "
        "ENKONTAKT_RETENTION_DAYS.",
        ge=1,
    )
    dlq_retention_days: int = _env(
        "ENKONTAKT_DLQ_RETENTION_DAYS",
        14,
        "Retention of the dead-letter topic; short, since rejected input may hold personal data.",
        ge=1,
    )
    data_dir: Path = _env(
        "ENKONTAKT_DATA_DIR", Path(".enkontakt"), "Directory for local state (table stores)."
    )

    @field_validator("brokers", mode="before")
    @classmethod
    def _split_brokers(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("brokers")
    @classmethod
    def _check_brokers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one broker is required")
        bad = [address for address in value if not _BROKER_ADDRESS.fullmatch(address)]
        if bad:
            raise ValueError(f"expected host:port, got {', '.join(map(repr, bad))}")
        return value

    @model_validator(mode="after")
    def _check_ssl_complete(self) -> KafkaSettings:
        paths = (self.certificate_path, self.private_key_path, self.ca_path)
        missing = [name for name, path in zip(_SSL_VARIABLES, paths, strict=True) if path is None]
        if 0 < len(missing) < len(_SSL_VARIABLES):
            raise ValueError(
                f"SSL needs {', '.join(_SSL_VARIABLES)} all set; missing {', '.join(missing)}"
            )
        return self

    @property
    def uses_ssl(self) -> bool:
        """Whether Kafka is reached over SSL with a client certificate."""
        return self.ca_path is not None

    @property
    def faust_id(self) -> str:
        """The stream-processing application id: internal prefix plus application id."""
        return f"{self.internal_topic_prefix}{self.app_id}"

    def internal_topic(self, name: str) -> str:
        """Name an internal topic (e.g. a repartition topic) within the internal namespace."""
        return f"{self.faust_id}-{name}"


class RulesSettings(_Settings):
    """The thresholds of the contact-person and alert rules."""

    response_days: int = _env(
        "ENKONTAKT_RESPONSE_DAYS", 3, "Business days to answer an inquiry.", ge=1
    )
    urgent_response_days: int = _env(
        "ENKONTAKT_URGENT_RESPONSE_DAYS",
        1,
        "Business days to answer an urgent or end-of-placement inquiry.",
        ge=1,
    )
    max_contact_persons: int = _env(
        "ENKONTAKT_MAX_CONTACT_PERSONS",
        3,
        "More distinct humans than this in the contact window fires too-many-contact-persons.",
        ge=1,
    )
    contact_window_days: int = _env(
        "ENKONTAKT_CONTACT_WINDOW_DAYS",
        30,
        "Window (days) for counting contact persons and recent contacts.",
        ge=1,
    )
    follow_up_gap_days: int = _env(
        "ENKONTAKT_FOLLOW_UP_GAP_DAYS",
        90,
        "Days without contact during a follow-up before follow-up-gap fires.",
        ge=1,
    )
    most_active_days: int = _env(
        "ENKONTAKT_MOST_ACTIVE_DAYS",
        90,
        "Window (days) in which the most active contact person is counted "
        "(replay's --most-active-days).",
        ge=1,
    )
    max_caseload: int = _env(
        "ENKONTAKT_MAX_CASELOAD",
        30,
        "More active follow-ups than this for one human fires caseload-high.",
        ge=1,
    )
    retention_days: int = _env(
        "ENKONTAKT_RETENTION_DAYS",
        400,
        "Days after which contact history about an employer is forgotten.",
        ge=1,
    )

    @model_validator(mode="after")
    def _check_response_days(self) -> RulesSettings:
        if self.urgent_response_days > self.response_days:
            raise ValueError(
                "ENKONTAKT_URGENT_RESPONSE_DAYS must not exceed ENKONTAKT_RESPONSE_DAYS"
            )
        return self


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Read ``cls`` from the environment, turning validation errors into one clear message."""
    try:
        return cls()
    except ValidationError as error:
        raise ConfigurationError(_describe(cls, error)) from None


def _describe(cls: type[BaseSettings], error: ValidationError) -> str:
    lines = [f"invalid configuration ({cls.__name__}):"]
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "settings"
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int) and where != "settings" else ""
        lines.append(f"  {where}: {message}{shown}")
    return "\n".join(lines)


def environment_variable(field: FieldInfo) -> str:
    """The environment variable a settings field is read from."""
    alias = field.validation_alias
    if not isinstance(alias, str):
        raise TypeError("every settings field must name its environment variable")
    return alias


def _as_text(value: Any) -> str:
    """A field value written the way its environment variable spells it."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _render_default(value: Any) -> str:
    if value is None:
        return "(unset)"
    text = _as_text(value)
    return f"`{text}`" if text else '`""`'


def as_environment(settings: BaseSettings) -> dict[str, str]:
    """The environment variables that reproduce ``settings`` (unset fields left out).

    For starting a child process, such as a worker, with the same configuration.
    """
    cls = type(settings)
    return {
        environment_variable(field): _as_text(getattr(settings, name))
        for name, field in cls.model_fields.items()
        if getattr(settings, name) is not None
    }


def environment_table(*classes: type[BaseSettings]) -> str:
    """Render a markdown table of every variable, its default and meaning, for the docs."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for cls in classes:
        for field in cls.model_fields.values():
            description = (field.description or "").replace("|", "\\|")
            rows.append(
                f"| `{environment_variable(field)}` | {_render_default(field.default)} "
                f"| {description} |"
            )
    return "\n".join(rows) + "\n"


def ssl_context(settings: KafkaSettings) -> ssl.SSLContext | None:
    """An SSL context with the client certificate, or None when SSL is not configured."""
    if not settings.uses_ssl:
        return None
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(settings.ca_path),
        certfile=str(settings.certificate_path),
        keyfile=str(settings.private_key_path),
    )
    return context


def aiokafka_client_kwargs(settings: KafkaSettings) -> dict[str, Any]:
    """Connection keyword arguments shared by aiokafka producers, consumers and admin clients."""
    context = ssl_context(settings)
    return {
        "bootstrap_servers": list(settings.brokers),
        "security_protocol": "SSL" if context is not None else "PLAINTEXT",
        "ssl_context": context,
    }
