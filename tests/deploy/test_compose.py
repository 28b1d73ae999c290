"""docker-compose.yml agrees with the code. Docker does not run here, so the file
is read as data: every service runs a command that exists, health checks and
published ports meet the port the command serves, the environment holds only
known variables with valid values, and the topics job creates every topic the
services use (the broker creates none by itself)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from enkontakt.api.settings import ApiSettings
from enkontakt.cli import build_parser
from enkontakt.delivery.settings import DeliverySettings
from enkontakt.projection.settings import DatabaseSettings, ProjectorSettings
from enkontakt.settings import KafkaSettings, RulesSettings, environment_variable
from tests.deploy.conftest import ROOT, settings_from

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OWN_IMAGE = "enkontakt:local"
STREAMING = ("coordinator-1", "coordinator-2", "notifier")
KNOWN = {
    environment_variable(field)
    for cls in (
        KafkaSettings,
        RulesSettings,
        DatabaseSettings,
        ProjectorSettings,
        ApiSettings,
        DeliverySettings,
    )
    for field in cls.model_fields.values()
} | {"ENKONTAKT_HEALTH_URL"}


def _enkontakt_services() -> list[str]:
    return [
        name
        for name, service in SERVICES.items()
        if service.get("image") == OWN_IMAGE and "entrypoint" not in service
    ]


def _args(name: str) -> Any:
    return build_parser().parse_args(SERVICES[name]["command"])


def _env(name: str) -> dict[str, str]:
    return {key: str(value) for key, value in SERVICES[name].get("environment", {}).items()}


def _kafka_settings(name: str) -> KafkaSettings:
    env = _env(name)
    return KafkaSettings(**{k: v for k, v in env.items() if k.startswith(("KAFKA_", "ENKONTAKT_"))})


def test_the_whole_system_is_there() -> None:
    assert {
        "kafka",
        "postgres",
        "topics",
        "coordinator-1",
        "coordinator-2",
        "notifier",
        "projector",
        "api",
        "deliverer",
        "demo-producer",
    } <= set(SERVICES)
    assert SERVICES["demo-producer"]["profiles"] == ["demo"]
    assert set(COMPOSE["volumes"]) >= {"kafka-data", "postgres-data"}


def test_third_party_images_are_official_and_pinned() -> None:
    assert re.fullmatch(r"apache/kafka:\d+\.\d+\.\d+", SERVICES["kafka"]["image"])
    assert re.fullmatch(r"postgres:\d+\.\d+-bookworm", SERVICES["postgres"]["image"])
    for name, service in SERVICES.items():
        if name not in ("kafka", "postgres"):
            assert (service["image"], service["build"]) == (OWN_IMAGE, "."), name


@pytest.mark.parametrize("name", _enkontakt_services())
def test_each_service_runs_an_existing_command(name: str) -> None:
    assert callable(_args(name).func)


@pytest.mark.parametrize("name", [*_enkontakt_services(), "webhook-receiver", "demo-producer"])
def test_environment_names_only_known_variables_with_valid_values(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _env(name)
    if name == "webhook-receiver":
        env = {k: v for k, v in env.items() if not k.startswith("RECEIVER_")}
    assert set(env) <= KNOWN
    for cls in (KafkaSettings, RulesSettings, DatabaseSettings, ProjectorSettings):
        settings_from(cls, env, monkeypatch)  # raises on an invalid value
    if name == "api":
        settings_from(ApiSettings, env, monkeypatch)
    if name == "deliverer":
        assert settings_from(DeliverySettings, env, monkeypatch).webhooks


@pytest.mark.parametrize("name", _enkontakt_services())
def test_health_check_and_published_port_meet_the_served_port(name: str) -> None:
    args = _args(name)
    served = getattr(args, "web_port", None) or (args.port if args.command == "api" else None)
    health = _env(name)["ENKONTAKT_HEALTH_URL"]
    if served is None:
        assert health == "off"
        assert "ports" not in SERVICES[name]
        return
    assert health == f"http://127.0.0.1:{served}/isalive"
    for mapping in SERVICES[name]["ports"]:
        assert mapping.split(":")[-1] == str(served)
    if args.command == "api":
        assert args.host == "0.0.0.0"


def test_published_host_ports_do_not_clash() -> None:
    published = [m.split(":")[0] for s in SERVICES.values() for m in s.get("ports", [])]
    assert len(published) == len(set(published))


def test_topics_come_only_from_the_topics_job() -> None:
    kafka = SERVICES["kafka"]["environment"]
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert SERVICES["topics"]["command"] == ["topics", "create"]
    assert SERVICES["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in (*STREAMING, "projector", "demo-producer"):
        assert not _kafka_settings(name).create_topics
        assert SERVICES[name]["depends_on"]["topics"] == {
            "condition": "service_completed_successfully"
        }


def test_every_kafka_client_sees_the_same_topics_as_the_topics_job() -> None:
    reference = _kafka_settings("topics")
    fields = (
        "brokers",
        "app_id",
        "internal_topic_prefix",
        "partitions",
        "replication_factor",
        "topic_events",
        "topic_dlq",
        "topic_alerts",
        "topic_views",
        "topic_notices",
    )
    for name in (*STREAMING, "projector", "demo-producer"):
        settings = _kafka_settings(name)
        assert {f: getattr(settings, f) for f in fields} == {
            f: getattr(reference, f) for f in fields
        }, name


def test_two_coordinators_share_the_input_partitions() -> None:
    one, two = _kafka_settings("coordinator-1"), _kafka_settings("coordinator-2")
    assert one.app_id == two.app_id  # one consumer group
    assert one.partitions >= 2
    assert SERVICES["coordinator-1"]["volumes"] != SERVICES["coordinator-2"]["volumes"]


def test_the_brokers_address_is_an_advertised_listener() -> None:
    advertised = SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(",")
    addresses = {listener.split("//")[1] for listener in advertised}
    assert set(_kafka_settings("topics").brokers) <= addresses
    assert SERVICES["kafka"]["environment"]["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert _kafka_settings("topics").replication_factor == 1


def test_the_database_url_points_at_the_postgres_service() -> None:
    postgres = SERVICES["postgres"]["environment"]
    expected = (
        f"postgresql+psycopg://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    for name in ("projector", "api", "deliverer"):
        assert _env(name)["ENKONTAKT_DATABASE_URL"] == expected
        assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_webhook_receiver_holds_the_deliverers_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    [receiver] = settings_from(DeliverySettings, _env("deliverer"), monkeypatch).webhooks
    assert receiver.secret.get_secret_value() == _env("webhook-receiver")["RECEIVER_SECRET"]
    assert str(receiver.url).startswith(
        f"http://webhook-receiver:{_env('webhook-receiver')['RECEIVER_PORT']}/"
    )


def test_the_demo_signs_tokens_the_api_accepts() -> None:
    assert _env("demo-producer")["ENKONTAKT_JWT_SECRET"] == _env("api")["ENKONTAKT_JWT_SECRET"]
    script = " ".join(SERVICES["demo-producer"]["command"])
    assert "enkontakt produce" in script and "enkontakt generate" in script
