"""Client tuning per profile: Apache Kafka in production, the embedded tansu broker otherwise.

Production uses the client libraries' defaults. The embedded profile carries
every workaround for tansu (see docs/kafka.md), each named and explained here,
and nothing else: none of it may reach the production path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from enkontakt.settings import KafkaSettings, Profile


@dataclass(frozen=True)
class ClientTuning:
    """Consumer-group and fetch settings that differ between profiles;
    None = default."""

    session_timeout: float | None = None
    rebalance_timeout: float | None = None
    heartbeat_interval: float | None = None
    fetch_max_wait_ms: int | None = None
    fetch_min_bytes: int | None = None

    def faust_settings(self) -> dict[str, Any]:
        """The faust App settings this tuning sets (empty for library defaults)."""
        values = {
            "broker_session_timeout": self.session_timeout,
            "broker_rebalance_timeout": self.rebalance_timeout,
            "broker_heartbeat_interval": self.heartbeat_interval,
        }
        return {key: value for key, value in values.items() if value is not None}

    def aiokafka_consumer_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for an ``AIOKafkaConsumer`` (empty for library defaults);
        faust's worker consumers get them through ``enkontakt.kafka.tuned_transport``."""
        values = {
            "fetch_max_wait_ms": self.fetch_max_wait_ms,
            "fetch_min_bytes": self.fetch_min_bytes,
        }
        return {key: value for key, value in values.items() if value is not None}


PRODUCTION = ClientTuning()

EMBEDDED = ClientTuning(
    # tansu's ListOffsets answer is too low after a batch of several records: readers
    # that need the real end fetch it (enkontakt.kafka.offsets; table recovery:
    # kafka.recovery.EmbeddedRecovery).
    # tansu holds every JoinGroup for about half the session timeout (30 s with faust's
    # 60 s default), and numbers the first generation 0, for which aiokafka sends no
    # LeaveGroup on shutdown: a worker restarted after its first generation waits until
    # the broker expires the old member (two session timeouts). tansu does not enforce
    # Kafka's 6 s minimum, so a short session makes joins take about 2 s and a restart
    # a few seconds.
    session_timeout=3.0,
    # Not used by tansu to time joins; kept equal to the session timeout.
    rebalance_timeout=3.0,
    # Must stay well below the session timeout (a sixth here).
    heartbeat_interval=0.5,
    # tansu holds a fetch for part of the client's maximum wait even when data
    # arrives (aiokafka's 500 ms, faust's fixed 1,500 ms), which adds up to a second
    # per hop between the services; Apache Kafka answers as soon as data is there.
    fetch_max_wait_ms=50,
    # No fetch minimum: 64 KiB gave fuller fetches in a backlog, but whether tansu
    # still answers at the maximum wait with a minimum set is unverified (docs/kafka.md).
)


def tuning_for(settings: KafkaSettings) -> ClientTuning:
    """The client tuning of the configured profile, with the fetch settings the
    operator set (``ENKONTAKT_FETCH_MAX_WAIT_MS``, ``ENKONTAKT_FETCH_MIN_BYTES``)."""
    match settings.profile:
        case Profile.PRODUCTION:
            tuning = PRODUCTION
        case Profile.EMBEDDED:
            tuning = EMBEDDED
    chosen = {
        "fetch_max_wait_ms": settings.fetch_max_wait_ms,
        "fetch_min_bytes": settings.fetch_min_bytes,
    }
    return replace(tuning, **{k: v for k, v in chosen.items() if v is not None})
