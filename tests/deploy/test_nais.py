"""The NAIS manifests agree with the code: every topic the services use is
declared with the partitions, retention and compaction the code gives it, the
applications reach exactly the topics they use, and each application runs a
command that exists, on the port its probes and metrics ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from enkontakt.api.settings import ApiSettings
from enkontakt.cli import build_parser
from enkontakt.delivery.settings import DeliverySettings
from enkontakt.kafka.internal_topics import (
    all_topics,
    kubernetes_name,
    service_app_id,
)
from enkontakt.kafka.topics import TopicSpec
from enkontakt.projection.settings import DatabaseSettings, ProjectorSettings
from enkontakt.settings import KafkaSettings, RulesSettings, environment_variable
from tests.deploy.conftest import ROOT, settings_from

NAIS = ROOT / "deploy" / "nais"
TEAM = "enkontakt"
POOL = "nav-prod"
KAFKA_APPS = ("enkontakt-coordinator", "enkontakt-notifier", "enkontakt-projector", "enkontakt-dlq")
SETTINGS_CLASSES = (
    KafkaSettings,
    RulesSettings,
    DatabaseSettings,
    ProjectorSettings,
    ApiSettings,
    DeliverySettings,
)


def _documents() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(NAIS.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


DOCUMENTS = _documents()
APPS = {d["metadata"]["name"]: d for d in DOCUMENTS if d["kind"] in ("Application", "Naisjob")}
TOPICS = {
    f"{d['metadata']['namespace']}.{d['metadata']['name']}": d
    for d in DOCUMENTS
    if d["kind"] == "Topic"
}


def _env(app: str) -> dict[str, str]:
    return {item["name"]: item["value"] for item in APPS[app]["spec"].get("env", [])}


def _settings() -> KafkaSettings:
    """The Kafka settings the coordinator runs with on NAIS."""
    return KafkaSettings(**_env("enkontakt-coordinator"))


def _access(settings: KafkaSettings) -> dict[str, dict[str, str]]:
    """Which of the team's applications may do what on each topic, from what the code does."""
    coordinator, notifier = "enkontakt-coordinator", "enkontakt-notifier"
    internal = settings.internal_topic
    return {
        settings.topic_events: {coordinator: "read", "enkontakt-dlq": "write"},
        settings.topic_dlq: {coordinator: "write", "enkontakt-dlq": "read"},
        settings.topic_alerts: {notifier: "write", "enkontakt-projector": "read"},
        settings.topic_views: {coordinator: "write", "enkontakt-projector": "read"},
        settings.topic_notices: {coordinator: "write", "enkontakt-projector": "read"},
        internal("accepted"): {coordinator: "readwrite", notifier: "read"},
        internal("people"): {coordinator: "readwrite", notifier: "read"},
        internal("caseload"): {notifier: "readwrite"},
        f"{service_app_id(settings, 'coordinator')}-employers-changelog": {
            coordinator: "readwrite"
        },
        f"{service_app_id(settings, 'notifier')}-employers-changelog": {notifier: "readwrite"},
        f"{service_app_id(settings, 'notifier')}-caseload-changelog": {notifier: "readwrite"},
    }


def test_every_resource_belongs_to_the_team() -> None:
    assert DOCUMENTS
    for document in DOCUMENTS:
        assert document["metadata"]["namespace"] == TEAM
        assert document["metadata"]["labels"]["team"] == TEAM


def test_the_services_name_their_topics_within_the_team_namespace() -> None:
    settings = _settings()
    assert not settings.create_topics
    assert settings.internal_topic_prefix == f"{TEAM}."
    assert settings.replication_factor == 3
    for spec in all_topics(settings):
        assert spec.name.startswith(f"{TEAM}."), spec.name


def test_every_declarable_topic_of_the_code_is_declared_and_nothing_else() -> None:
    settings = _settings()
    declarable = {s.name for s in all_topics(settings) if kubernetes_name(s.name, TEAM)}
    assert set(TOPICS) == declarable
    # Every topic can be declared (none has '_' in its name: faust's leader topic is off).
    assert {s.name for s in all_topics(settings)} == declarable


def _expected_config(spec: TopicSpec) -> dict[str, Any]:
    return {
        "cleanupPolicy": "compact" if spec.compacted else "delete",
        "partitions": spec.partitions,
        "replication": 3,
        "retentionHours": -1 if spec.retention_days is None else spec.retention_days * 24,
        "retentionBytes": -1,
        "minimumInSyncReplicas": 2,
    }


@pytest.mark.parametrize(
    "spec",
    list(all_topics(_settings())),
    ids=lambda spec: spec.name,
)
def test_each_topic_is_declared_as_the_code_creates_it(spec: TopicSpec) -> None:
    topic = TOPICS[spec.name]
    assert topic["spec"]["pool"] == POOL
    assert topic["spec"]["config"] == _expected_config(spec)


def test_views_are_compacted_and_caseload_has_one_partition() -> None:
    settings = _settings()
    assert TOPICS[settings.topic_views]["spec"]["config"]["cleanupPolicy"] == "compact"
    assert TOPICS[settings.internal_topic("caseload")]["spec"]["config"]["partitions"] == 1


def test_the_teams_applications_reach_exactly_the_topics_they_use() -> None:
    settings = _settings()
    for name, expected in _access(settings).items():
        own = {
            acl["application"]: acl["access"]
            for acl in TOPICS[name]["spec"]["acl"]
            if acl["team"] == TEAM
        }
        assert own == expected, name
    assert set(_access(settings)) == set(TOPICS)


def test_upstream_teams_may_write_the_input_topic_and_nothing_else() -> None:
    settings = _settings()
    for name, topic in TOPICS.items():
        foreign = [acl for acl in topic["spec"]["acl"] if acl["team"] != TEAM]
        if name == settings.topic_events:
            assert foreign
            assert {acl["access"] for acl in foreign} == {"write"}
        else:
            assert not foreign, name


def test_every_application_in_an_acl_exists_and_uses_the_pool() -> None:
    named = {
        acl["application"]
        for t in TOPICS.values()
        for acl in t["spec"]["acl"]
        if acl["team"] == TEAM
    }
    assert named == set(KAFKA_APPS)
    for app in KAFKA_APPS:
        assert APPS[app]["spec"]["kafka"]["pool"] == POOL


@pytest.mark.parametrize("name", sorted(APPS))
def test_each_application_runs_an_existing_command(name: str) -> None:
    spec = APPS[name]["spec"]
    assert spec["image"] == "{{ image }}"
    command = spec["command"]
    assert command[0] == "enkontakt"
    args = build_parser().parse_args(command[1:])
    assert callable(args.func)
    port = spec.get("port")
    if "web_port" in vars(args):
        assert args.web_port == port
    if command[1] == "api":
        assert (args.host, args.port) == ("0.0.0.0", port)


@pytest.mark.parametrize("name", sorted(APPS))
def test_probes_and_metrics_match_the_http_server(name: str) -> None:
    spec = APPS[name]["spec"]
    serves_http = spec.get("port") is not None
    if serves_http:
        assert spec["liveness"]["path"] == "/isalive"
        assert spec["readiness"]["path"] == "/isready"
        assert spec["prometheus"] == {"enabled": True, "path": "/metrics"}
    else:
        assert "liveness" not in spec and "readiness" not in spec
        assert spec.get("prometheus", {"enabled": False})["enabled"] is False


@pytest.mark.parametrize("name", sorted(APPS))
def test_environment_names_only_known_variables_with_valid_values(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = {
        environment_variable(field)
        for cls in SETTINGS_CLASSES
        for field in cls.model_fields.values()
    }
    env = _env(name)
    assert set(env) <= known
    for cls in (KafkaSettings, RulesSettings, DatabaseSettings, ProjectorSettings):
        settings_from(cls, env, monkeypatch)  # raises on an invalid value
    if name == "enkontakt-api":
        api = settings_from(ApiSettings, env, monkeypatch)
        assert api.jwks_url and api.cookie_secure


def test_the_kafka_applications_agree_on_topic_names() -> None:
    reference = _env("enkontakt-coordinator")
    for app in KAFKA_APPS:
        env = _env(app)
        for name, value in env.items():
            if name.startswith("ENKONTAKT_TOPIC_") or name in (
                "ENKONTAKT_APP_ID",
                "ENKONTAKT_INTERNAL_TOPIC_PREFIX",
                "ENKONTAKT_PARTITIONS",
            ):
                assert value == reference[name], (app, name)
        assert env.get("ENKONTAKT_PROFILE") == "production"


def test_the_coordinator_and_notifier_share_the_kafka_environment() -> None:
    assert _env("enkontakt-coordinator") == _env("enkontakt-notifier")


def test_the_database_and_secrets_come_from_secrets_not_manifests() -> None:
    for name in ("enkontakt-api", "enkontakt-projector", "enkontakt-deliverer"):
        assert {"secret": "enkontakt-database"} in APPS[name]["spec"]["envFrom"]
    assert {"secret": "enkontakt-webhooks"} in APPS["enkontakt-deliverer"]["spec"]["envFrom"]
    for name in APPS:
        env = _env(name)
        assert not {"ENKONTAKT_DATABASE_URL", "ENKONTAKT_JWT_SECRET", "ENKONTAKT_WEBHOOKS"} & set(
            env
        )


def test_only_one_deliverer_runs() -> None:
    replicas = APPS["enkontakt-deliverer"]["spec"]["replicas"]
    assert replicas == {"min": 1, "max": 1}


def test_manifest_files_are_the_ones_documented() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for path in sorted(NAIS.glob("*.yaml")):
        assert f"deploy/nais/{path.name}" in operations, path.name


def test_the_files_are_yaml_with_no_templating_but_the_image() -> None:
    for path in NAIS.glob("*.yaml"):
        text = Path(path).read_text(encoding="utf-8")
        assert text.count("{{") == text.count("{{ image }}")
