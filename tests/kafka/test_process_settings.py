"""Settings from the environment: parsing, defaults, validation messages, the docs table."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from enkontakt.replay_cli import THRESHOLDS
from enkontakt.services.streaming import rule_config
from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    Profile,
    RulesSettings,
    as_environment,
    environment_table,
    environment_variable,
    load_settings,
)

ALL_VARIABLES = [
    environment_variable(field)
    for cls in (KafkaSettings, RulesSettings)
    for field in cls.model_fields.values()
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No settings variable leaks in from the environment running the tests."""
    for variable in ALL_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


@pytest.fixture
def pem_files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "KAFKA_CERTIFICATE_PATH": tmp_path / "cert.pem",
        "KAFKA_PRIVATE_KEY_PATH": tmp_path / "key.pem",
        "KAFKA_CA_PATH": tmp_path / "ca.pem",
    }
    for path in paths.values():
        path.write_text("placeholder")
    return {name: str(path) for name, path in paths.items()}


def test_kafka_defaults() -> None:
    settings = load_settings(KafkaSettings)

    assert settings.brokers == ("127.0.0.1:9092",)
    assert settings.profile is Profile.PRODUCTION
    assert settings.app_id == settings.faust_id == "enkontakt"
    assert settings.topic_events == "enkontakt.contact-events.v1"
    assert settings.topic_dlq == "enkontakt.contact-events.dlq.v1"
    assert settings.topic_alerts == "enkontakt.alerts.v1"
    assert settings.topic_views == "enkontakt.employer-views.v1"
    assert settings.topic_notices == "enkontakt.employer-notices.v1"
    assert settings.partitions == 12
    assert settings.data_dir == Path(".enkontakt")
    assert not settings.uses_ssl


def test_kafka_settings_from_the_environment(clean_environment: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KAFKA_BROKERS": " broker-1.example:26484 ,broker-2.example:26484",
        "ENKONTAKT_PROFILE": "embedded",
        "ENKONTAKT_APP_ID": "notifier",
        "ENKONTAKT_INTERNAL_TOPIC_PREFIX": "team.",
        "ENKONTAKT_TOPIC_EVENTS": "team.events",
        "ENKONTAKT_PARTITIONS": "6",
        "ENKONTAKT_CREATE_TOPICS": "false",
        "ENKONTAKT_DATA_DIR": "/var/lib/enkontakt",
    }.items():
        clean_environment.setenv(name, value)

    settings = load_settings(KafkaSettings)

    assert settings.brokers == ("broker-1.example:26484", "broker-2.example:26484")
    assert settings.profile is Profile.EMBEDDED
    assert settings.faust_id == "team.notifier"
    assert settings.internal_topic("x-repartition") == "team.notifier-x-repartition"
    assert settings.topic_events == "team.events"
    assert settings.partitions == 6
    assert settings.create_topics is False
    assert settings.data_dir == Path("/var/lib/enkontakt")


def test_ssl_when_all_three_files_are_given(
    clean_environment: pytest.MonkeyPatch, pem_files: dict[str, str]
) -> None:
    for name, value in pem_files.items():
        clean_environment.setenv(name, value)
    assert load_settings(KafkaSettings).uses_ssl


def test_partial_ssl_configuration_names_what_is_missing(
    clean_environment: pytest.MonkeyPatch, pem_files: dict[str, str]
) -> None:
    clean_environment.setenv("KAFKA_CA_PATH", pem_files["KAFKA_CA_PATH"])
    with pytest.raises(ConfigurationError) as raised:
        load_settings(KafkaSettings)
    message = str(raised.value)
    assert "missing KAFKA_CERTIFICATE_PATH, KAFKA_PRIVATE_KEY_PATH" in message
    assert "KafkaSettings" in message


def test_ssl_file_that_does_not_exist_is_named(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("KAFKA_CA_PATH", "/nonexistent/ca.pem")
    with pytest.raises(ConfigurationError, match="KAFKA_CA_PATH: Path does not point to a file"):
        load_settings(KafkaSettings)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KAFKA_BROKERS", "broker-without-port", "expected host:port, got 'broker-without-port'"),
        ("KAFKA_BROKERS", " , ", "at least one broker is required"),
        ("KAFKA_BROKERS", "broker:\uff19\uff10\uff19\uff12", "expected host:port"),
        ("ENKONTAKT_PROFILE", "staging", "Input should be 'production' or 'embedded'"),
        ("ENKONTAKT_PARTITIONS", "0", "greater than or equal to 1"),
        ("ENKONTAKT_PARTITIONS", "many", "valid integer"),
        ("ENKONTAKT_TOPIC_VIEWS", "views with spaces", "should match pattern"),
        ("ENKONTAKT_APP_ID", "", "should match pattern"),
    ],
)
def test_invalid_values_are_reported_by_variable(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    clean_environment.setenv(variable, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(KafkaSettings)
    assert f"{variable}: " in str(raised.value)
    assert message in str(raised.value)


def test_rules_defaults_and_overrides(clean_environment: pytest.MonkeyPatch) -> None:
    defaults = load_settings(RulesSettings)
    assert (
        defaults.response_days,
        defaults.urgent_response_days,
        defaults.max_contact_persons,
        defaults.contact_window_days,
        defaults.follow_up_gap_days,
        defaults.max_caseload,
        defaults.retention_days,
    ) == (3, 1, 3, 30, 90, 30, 400)

    clean_environment.setenv("ENKONTAKT_MAX_CASELOAD", "25")
    clean_environment.setenv("ENKONTAKT_RESPONSE_DAYS", "5")
    overridden = load_settings(RulesSettings)
    assert (overridden.max_caseload, overridden.response_days) == (25, 5)


def test_the_services_rules_are_replays_with_the_same_numbers(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    # Every threshold replay takes as an option is a setting of its own, so the
    # services and a replay given the same numbers apply the same rules.
    given = {name: 100 - 5 * n for n, name in enumerate(THRESHOLDS)}  # urgent <= normal
    for name, value in given.items():
        clean_environment.setenv(f"ENKONTAKT_{name.upper()}", str(value))
    config = rule_config(load_settings(RulesSettings))
    assert {name: getattr(config, name) for name in THRESHOLDS} == given


def test_urgent_deadline_may_not_exceed_the_normal_one(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv("ENKONTAKT_URGENT_RESPONSE_DAYS", "4")
    with pytest.raises(ConfigurationError, match="must not exceed ENKONTAKT_RESPONSE_DAYS"):
        load_settings(RulesSettings)


def test_settings_are_frozen() -> None:
    settings = load_settings(RulesSettings)
    with pytest.raises(ValidationError):
        settings.max_caseload = 99  # type: ignore[misc]


def test_environment_table_documents_every_variable() -> None:
    table = environment_table(KafkaSettings, RulesSettings)
    rows = table.splitlines()

    assert rows[:2] == ["| variable | default | meaning |", "|---|---|---|"]
    assert len(rows) == 2 + len(ALL_VARIABLES)
    for variable in ALL_VARIABLES:
        assert sum(row.startswith(f"| `{variable}` |") for row in rows) == 1
    assert "| `ENKONTAKT_PARTITIONS` | `12` | Partitions of every topic" in table
    assert "| `KAFKA_BROKERS` | `127.0.0.1:9092` |" in table
    assert "| `KAFKA_CA_PATH` | (unset) |" in table
    assert "| `ENKONTAKT_CREATE_TOPICS` | `true` |" in table
    assert '| `ENKONTAKT_INTERNAL_TOPIC_PREFIX` | `""` |' in table
    assert all(row.count(" | ") == 2 for row in rows[2:]), "a description breaks the table"


def test_every_field_has_a_description() -> None:
    for cls in (KafkaSettings, RulesSettings):
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no description"


def test_as_environment_reproduces_the_settings(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    original = KafkaSettings(
        KAFKA_BROKERS="a:1,b:2",
        ENKONTAKT_PROFILE="embedded",
        ENKONTAKT_CREATE_TOPICS=False,
        ENKONTAKT_TOPIC_ALERTS="team.alerts",
    )
    environment = as_environment(original)
    for name, value in environment.items():
        clean_environment.setenv(name, value)

    assert environment["KAFKA_BROKERS"] == "a:1,b:2"
    assert "KAFKA_CA_PATH" not in environment
    assert load_settings(KafkaSettings) == original
