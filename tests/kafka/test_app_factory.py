"""The faust App factory: what each profile and setting turns into, without a broker."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import faust
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError
from yarl import URL

from enkontakt.kafka.app import broker_url, make_app
from enkontakt.kafka.profiles import tuning_for
from enkontakt.kafka.recovery import EmbeddedRecovery, QueueSafeRecovery, QueueSafeTableManager
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs

# What the embedded profile tunes for tansu. The producer's linger and batch size
# are set on every profile (tests below), as they concern the client, not the broker.
FAUST_DEFAULTS = {
    "broker_session_timeout": 60.0,
    "broker_rebalance_timeout": 60.0,
    "broker_heartbeat_interval": 3.0,
}


def _settings(tmp_path: Path, **environment: Any) -> KafkaSettings:
    return KafkaSettings(ENKONTAKT_DATA_DIR=str(tmp_path / "data"), **environment)


def test_broker_url_lists_every_broker() -> None:
    settings = KafkaSettings(KAFKA_BROKERS="a.example:9092, b.example:9093")
    assert broker_url(settings) == "kafka://a.example:9092;kafka://b.example:9093"


def test_app_takes_id_brokers_partitions_and_store_from_settings(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        KAFKA_BROKERS="a:1,b:2",
        ENKONTAKT_APP_ID="coordinator",
        ENKONTAKT_INTERNAL_TOPIC_PREFIX="team.",
        ENKONTAKT_PARTITIONS=4,
        ENKONTAKT_REPLICATION_FACTOR=3,
        ENKONTAKT_CREATE_TOPICS="false",
    )
    app = make_app(settings, web_port=None, store="rocksdb://")

    assert app.conf.id == "team.coordinator"
    assert app.conf.broker == [URL("kafka://a:1"), URL("kafka://b:2")]
    assert app.conf.topic_partitions == 4
    assert app.conf.topic_replication_factor == 3
    assert app.conf.topic_allow_declare is False
    assert app.conf.store == URL("rocksdb:")
    assert app.conf.datadir == tmp_path / "data" / "team.coordinator"
    assert app.conf.web_enabled is False


def test_internal_topics_are_named_within_the_prefix(tmp_path: Path) -> None:
    settings = _settings(tmp_path, ENKONTAKT_INTERNAL_TOPIC_PREFIX="team.")
    app = make_app(settings, web_port=None, store="memory://")
    table = app.Table("views-state")

    assert table.changelog_topic.get_topic_name() == "team.enkontakt-views-state-changelog"
    assert settings.internal_topic("by-orgnr-repartition") == "team.enkontakt-by-orgnr-repartition"


def test_production_keeps_faust_defaults(tmp_path: Path) -> None:
    app = make_app(_settings(tmp_path), web_port=None, store="rocksdb://")
    assert {name: getattr(app.conf, name) for name in FAUST_DEFAULTS} == FAUST_DEFAULTS


def test_embedded_profile_carries_the_broker_workarounds(tmp_path: Path) -> None:
    settings = _settings(tmp_path, ENKONTAKT_PROFILE="embedded")
    app = make_app(settings, web_port=None, store="memory://")

    assert isinstance(app.tables.recovery, EmbeddedRecovery)
    assert app.conf.broker_session_timeout < 10
    assert app.conf.broker_heartbeat_interval < app.conf.broker_session_timeout / 3
    assert tuning_for(settings).aiokafka_consumer_kwargs() == {"fetch_max_wait_ms": 50}
    assert tuning_for(_settings(tmp_path)).aiokafka_consumer_kwargs() == {}


def _worker_consumer_fetch(app: faust.App) -> tuple[int, int]:
    async def create() -> tuple[int, int]:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)
        return consumer._fetch_max_wait_ms, consumer._fetch_min_bytes

    return asyncio.run(create())


def test_worker_consumer_fetch_is_tuned_only_on_the_embedded_broker(tmp_path: Path) -> None:
    embedded = make_app(
        _settings(tmp_path, ENKONTAKT_PROFILE="embedded"), web_port=None, store="memory://"
    )
    production = make_app(_settings(tmp_path), web_port=None, store="memory://")

    assert _worker_consumer_fetch(embedded) == (50, 1)
    assert _worker_consumer_fetch(production) == (1500, 1)  # faust's own, untouched
    assert type(production) is faust.App


def test_operators_may_set_the_fetch_on_any_profile(tmp_path: Path) -> None:
    production = _settings(tmp_path, ENKONTAKT_FETCH_MAX_WAIT_MS=20, ENKONTAKT_FETCH_MIN_BYTES=4096)
    embedded = _settings(tmp_path, ENKONTAKT_PROFILE="embedded", ENKONTAKT_FETCH_MAX_WAIT_MS=10)

    app = make_app(production, web_port=None, store="memory://")
    assert _worker_consumer_fetch(app) == (20, 4096)
    assert tuning_for(production).aiokafka_consumer_kwargs() == {
        "fetch_max_wait_ms": 20,
        "fetch_min_bytes": 4096,
    }
    assert tuning_for(embedded).fetch_max_wait_ms == 10
    assert tuning_for(embedded).fetch_min_bytes is None  # neither the profile's nor set


def test_every_app_uses_the_queue_safe_recovery(tmp_path: Path) -> None:
    app = make_app(_settings(tmp_path), web_port=None, store="memory://")
    assert isinstance(app.tables, QueueSafeTableManager)
    assert isinstance(app.tables.recovery, QueueSafeRecovery)


def test_web_server_port_and_binding(tmp_path: Path) -> None:
    embedded = make_app(
        _settings(tmp_path, ENKONTAKT_PROFILE="embedded"), web_port=6066, store="memory://"
    )
    production = make_app(_settings(tmp_path), web_port=6067, store="rocksdb://")

    assert (embedded.conf.web_enabled, embedded.conf.web_port) == (True, 6066)
    assert embedded.conf.web_bind == "127.0.0.1"
    assert (production.conf.web_port, production.conf.web_bind) == (6067, "0.0.0.0")


def test_faust_environment_variables_cannot_override_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_URL", "kafka://elsewhere:1")
    monkeypatch.setenv("TOPIC_PARTITIONS", "99")
    app = make_app(_settings(tmp_path, KAFKA_BROKERS="here:1"), web_port=None, store="memory://")

    assert app.conf.broker == [URL("kafka://here:1")]
    assert app.conf.topic_partitions == 12


def test_unknown_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="store must be one of"):
        make_app(_settings(tmp_path), web_port=None, store="redis://")


@pytest.fixture
def client_certificate(tmp_path: Path) -> dict[str, str]:
    """A self-signed certificate and key, the certificate doubling as CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "enkontakt-test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {
        "KAFKA_CERTIFICATE_PATH": str(cert_path),
        "KAFKA_PRIVATE_KEY_PATH": str(key_path),
        "KAFKA_CA_PATH": str(cert_path),
    }


def test_ssl_settings_reach_faust_and_aiokafka(
    tmp_path: Path, client_certificate: dict[str, str]
) -> None:
    settings = _settings(tmp_path, **client_certificate)
    app = make_app(settings, web_port=None, store="rocksdb://")
    client = aiokafka_client_kwargs(settings)

    assert settings.uses_ssl
    assert isinstance(app.conf.broker_credentials, faust.SSLCredentials)
    assert client["security_protocol"] == "SSL"
    assert client["ssl_context"] is not None
    assert client["bootstrap_servers"] == ["127.0.0.1:9092"]


def test_plaintext_without_ssl_settings(tmp_path: Path) -> None:
    client = aiokafka_client_kwargs(_settings(tmp_path))
    assert (client["security_protocol"], client["ssl_context"]) == ("PLAINTEXT", None)


def test_producers_linger_briefly_on_every_profile_unless_told(tmp_path: Path) -> None:
    for profile in ("production", "embedded"):
        app = make_app(
            _settings(tmp_path, ENKONTAKT_PROFILE=profile), web_port=None, store="memory://"
        )
        assert app.conf.producer_linger == 0.005
    told = _settings(tmp_path, ENKONTAKT_PRODUCER_LINGER_MS=0)
    assert make_app(told, web_port=None, store="memory://").conf.producer_linger == 0.0


def test_producers_gather_large_batches_unless_told(tmp_path: Path) -> None:
    # aiokafka makes a send wait while its partition's batch is full; a view of a
    # busy employer is about 5 KiB, so the client's 16 KiB default held three.
    app = make_app(_settings(tmp_path), web_port=None, store="memory://")
    assert app.conf.producer_max_batch_size == 262_144
    assert app.producer._settings_default()["max_batch_size"] == 262_144
    told = _settings(tmp_path, ENKONTAKT_PRODUCER_BATCH_BYTES=65_536)
    assert make_app(told, web_port=None, store="memory://").conf.producer_max_batch_size == 65_536


@pytest.mark.parametrize("size", [1_000, 2_000_000])
def test_a_producer_batch_size_out_of_bounds_is_refused(tmp_path: Path, size: int) -> None:
    with pytest.raises(ValidationError, match="ENKONTAKT_PRODUCER_BATCH_BYTES"):
        _settings(tmp_path, ENKONTAKT_PRODUCER_BATCH_BYTES=size)
