"""The internal topics of the streaming services, and ``enkontakt topics``.

Besides the contract's topics (:func:`enkontakt.kafka.topics.contract_topics`)
the coordinator and the notifier use topics of their own: the re-keyed
``accepted`` stream, the ``people`` feed, the one-partition ``caseload`` topic,
and faust's changelog topics (leader election is switched off in the app
factory). All of them are named from ``settings.faust_id``
(``ENKONTAKT_INTERNAL_TOPIC_PREFIX`` + ``ENKONTAKT_APP_ID``), so that on a
shared cluster they live in the team's namespace.

The services create these topics themselves when ``ENKONTAKT_CREATE_TOPICS`` is
true; where topics are declared by the platform (NAIS) every one of them must be
declared. ``enkontakt topics list`` prints the whole plan, ``enkontakt topics
create`` creates what is missing (docker-compose runs it once before the services).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any

from enkontakt.kafka.topics import TopicSpec, contract_topics, ensure_topics
from enkontakt.logging import configure_logging, get_logger
from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    load_settings,
)

SERVICES = ("coordinator", "notifier")
"""The stream processors; each is a faust app with the id ``<faust_id>-<service>``."""


_TOPIC_ALREADY_EXISTS = 36
_KUBERNETES_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")  # matched whole

log = get_logger(__name__)


def service_app_id(settings: KafkaSettings, service: str) -> str:
    """The faust app id of ``service`` (its consumer group and the stem of its tables)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    return f"{settings.faust_id}-{service}"


def internal_topics(settings: KafkaSettings) -> tuple[TopicSpec, ...]:
    """Every topic the streaming services create besides the contract's, as they create it.

    Streams between the services keep records as long as the contract's topics
    (``ENKONTAKT_TOPIC_RETENTION_DAYS``): a worker that restarts reads the people
    feed in full, and a rebuilt notifier re-reads ``accepted``. Table changelogs
    are compacted and kept until replaced.
    """
    n = settings.partitions
    keep = settings.retention_days
    coordinator = service_app_id(settings, "coordinator")
    notifier = service_app_id(settings, "notifier")
    return (
        TopicSpec(settings.internal_topic("accepted"), n, compacted=False, retention_days=keep),
        TopicSpec(settings.internal_topic("people"), n, compacted=False, retention_days=keep),
        TopicSpec(settings.internal_topic("caseload"), 1, compacted=False, retention_days=keep),
        _changelog(coordinator, "employers", n),
        _changelog(notifier, "employers", n),
        _changelog(notifier, "caseload", 1),
    )


def _changelog(app_id: str, table: str, partitions: int) -> TopicSpec:
    return TopicSpec(f"{app_id}-{table}-changelog", partitions, compacted=True, retention_days=None)


def all_topics(settings: KafkaSettings) -> tuple[TopicSpec, ...]:
    """The contract's topics followed by the internal ones."""
    return contract_topics(settings) + internal_topics(settings)


def kubernetes_name(topic: str, team: str) -> str | None:
    """The NAIS Topic resource name for ``topic`` (``<team>.<name>``), or None if it has none.

    A Topic resource's name must be a Kubernetes object name (lower-case letters,
    digits, '-' and '.'), and Aiven names the topic ``<team>.<resource name>``.
    """
    prefix = f"{team}."
    if not topic.startswith(prefix):
        return None
    name = topic.removeprefix(prefix)
    return name if len(name) <= 253 and _KUBERNETES_NAME.fullmatch(name) else None


async def create_missing(settings: KafkaSettings, specs: tuple[TopicSpec, ...]) -> list[str]:
    """Create the topics of ``specs`` that do not exist yet; return the names created."""
    return await ensure_topics(settings, specs)


def describe(spec: TopicSpec) -> str:
    """One line about a topic: name, partitions, cleanup policy and retention."""
    policy = "compact" if spec.compacted else "delete"
    kept = "until replaced" if spec.retention_days is None else f"{spec.retention_days} d"
    return f"{spec.name}\t{spec.partitions}\t{policy}\t{kept}"


def register(subparsers: Any) -> None:
    """Add ``enkontakt topics list`` and ``enkontakt topics create``."""
    parser = subparsers.add_parser(
        "topics",
        help="list or create every topic (contract and internal)",
        description="The topics Én kontakt uses, named and sized by the Kafka settings.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="print name, partitions, cleanup and retention")
    listing.add_argument("--internal", action="store_true", help="only the internal topics")
    listing.set_defaults(func=run_list)
    create = actions.add_parser("create", help="create the topics that do not exist yet")
    create.set_defaults(func=run_create)


def run_list(args: argparse.Namespace) -> int:
    """``enkontakt topics list``."""
    settings = _settings()
    if settings is None:
        return 2
    specs = internal_topics(settings) if args.internal else all_topics(settings)
    for spec in specs:
        print(describe(spec))
    return 0


def run_create(args: argparse.Namespace) -> int:
    """``enkontakt topics create``."""
    settings = _settings()
    if settings is None:
        return 2
    configure_logging()
    created = asyncio.run(create_missing(settings, all_topics(settings)))
    print(f"created {len(created)} topic(s)" + "".join(f"\n  {name}" for name in created))
    return 0


def _settings() -> KafkaSettings | None:
    try:
        return load_settings(KafkaSettings)
    except ConfigurationError as error:
        print(f"enkontakt: {error}", file=sys.stderr)
        return None
