"""Settings of the processes that use the projection.

Like :mod:`enkontakt.settings`, every field names its environment variable
(``validation_alias``) and has a description, so that
:func:`enkontakt.settings.environment_table` can document it; each process
loads its settings once in its entrypoint with
:func:`enkontakt.settings.load_settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from enkontakt.projection.store import default_database_url


def env_field(variable: str, default: Any, description: str, **constraints: Any) -> Any:
    """A settings field read from the environment variable ``variable``."""
    return Field(default, validation_alias=variable, description=description, **constraints)


class DatabaseSettings(BaseSettings):
    """Where the projection lives."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", validate_by_name=True)

    data_dir: Path = env_field(
        "ENKONTAKT_DATA_DIR", Path(".enkontakt"), "Directory of the embedded SQLite database."
    )
    database_url: str | None = env_field(
        "ENKONTAKT_DATABASE_URL",
        None,
        "SQLAlchemy URL of the projection: `postgresql+psycopg://…` in production; "
        "unset, an SQLite file `enkontakt.sqlite` in the data directory.",
    )

    @property
    def database(self) -> str:
        """The database URL in force."""
        return self.database_url or default_database_url(self.data_dir)


class ProjectorSettings(BaseSettings):
    """The projector's own settings; Kafka comes from :class:`enkontakt.settings.KafkaSettings`."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", validate_by_name=True)

    group_id: str = env_field(
        "ENKONTAKT_PROJECTOR_GROUP_ID",
        "enkontakt-projector",
        "Kafka consumer group of `enkontakt project`.",
        pattern=r"^[A-Za-z0-9._-]{1,200}$",
    )
    batch_size: int = env_field(
        "ENKONTAKT_PROJECTOR_BATCH_SIZE",
        500,
        "Most records `enkontakt project` writes in one transaction.",
        ge=1,
    )
