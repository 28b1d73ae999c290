"""docs/configuration.md: every environment variable, generated from the settings classes.

``python -m enkontakt.settings_docs`` rewrites the file; ``--check`` exits 1 when
the committed file differs from what the settings classes say (a test runs it).
Each section lists the fields a class declares itself, so variables shared
through inheritance (the database URL) appear once.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings

from enkontakt.api.settings import ApiSettings
from enkontakt.delivery.settings import DeliverySettings
from enkontakt.projection.settings import DatabaseSettings, ProjectorSettings
from enkontakt.settings import KafkaSettings, RulesSettings, environment_variable

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


@dataclass(frozen=True)
class Section:
    """One settings class in the document: a title and the commands that read it."""

    title: str
    settings: type[BaseSettings]
    read_by: str


SECTIONS = (
    Section(
        "Kafka",
        KafkaSettings,
        "`coordinator`, `notifier`, `project`, `topics`, `produce`, `dlq`",
    ),
    Section("Rules", RulesSettings, "`coordinator`, `notifier`"),
    Section("Projection database", DatabaseSettings, "`api`, `project`, `deliver`"),
    Section("Projector", ProjectorSettings, "`project`"),
    Section("API and dashboard", ApiSettings, "`api`"),
    Section("Webhook delivery", DeliverySettings, "`deliver`"),
)

_INTRO = """\
# Configuration

Every process reads its configuration from environment variables once, at
start-up, and refuses to start with a message naming the variable when a value
is invalid. This page is generated from the settings classes: after changing a
setting, run `python -m enkontakt.settings_docs` (a test fails while this file is
stale).

Durations take seconds or ISO 8601 (`PT24H`); lists of brokers are
comma-separated; `ENKONTAKT_WEBHOOKS` is JSON. Secrets (`ENKONTAKT_JWT_SECRET`,
the webhook secrets, the database URL with its password, the Kafka key) belong in
platform secrets, never in a manifest. `enkontakt replay` reads none of these:
it takes the rule thresholds as options (`enkontakt replay --help`).
"""


def own_fields(cls: type[BaseSettings]) -> dict[str, Any]:
    """The fields ``cls`` declares itself, not those it inherits from another settings class."""
    inherited = {
        name
        for base in cls.__mro__[1:]
        if isinstance(base, type) and issubclass(base, BaseSettings) and base is not BaseSettings
        for name in base.model_fields
    }
    return {name: field for name, field in cls.model_fields.items() if name not in inherited}


def format_default(value: Any) -> str:
    """A default written as an operator would set it."""
    match value:
        case None:
            return "(unset)"
        case bool():
            return f"`{str(value).lower()}`"
        case timedelta():
            return format_duration(value)
        case tuple() | list() if not value:
            return "(none)"
        case tuple() | list():
            return f"`{','.join(map(str, value))}`"
        case StrEnum():
            return f"`{value.value}`"
        case "":
            return '`""`'
        case _:
            return f"`{value}`"


def format_duration(value: timedelta) -> str:
    """``24 h``, ``5 min``, ``10 s``: the largest unit that divides the duration."""
    seconds = int(value.total_seconds())
    for unit, size in (("h", 3_600), ("min", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{value.total_seconds():g} s"


def section(part: Section) -> str:
    """The markdown of one section: heading, who reads it, and its table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for field in own_fields(part.settings).values():
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(
            f"| `{environment_variable(field)}` | {format_default(field.default)} | {meaning} |"
        )
    heading = f"## {part.title}\n\nRead by {part.read_by} (`{part.settings.__name__}`).\n"
    return heading + "\n" + "\n".join(rows) + "\n"


def render() -> str:
    """The whole document."""
    return _INTRO + "".join("\n" + section(part) for part in SECTIONS)


def main(argv: list[str] | None = None) -> int:
    """Write docs/configuration.md, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m enkontakt.settings_docs")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            print(f"{DOCUMENT} is stale: run python -m enkontakt.settings_docs", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
