"""The generated JSON Schema and AsyncAPI files: up to date, deterministic, complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from enkontakt import cli
from enkontakt.schemas import generate
from enkontakt.schemas.events import EVENT_TYPES
from enkontakt.schemas.rejection import RejectionCode


def test_the_committed_generated_files_are_not_stale() -> None:
    assert generate.stale_files() == [], "run `enkontakt schemas` and commit the result"


def test_the_check_command_passes_on_fresh_files() -> None:
    assert cli.main(["schemas", "--check"]) == 0


def test_the_check_command_fails_on_a_stale_or_orphaned_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema_dir = tmp_path / "json"
    monkeypatch.setattr(generate, "SCHEMA_DIR", schema_dir)
    monkeypatch.setattr(generate, "ASYNCAPI_PATH", tmp_path / "asyncapi.json")
    monkeypatch.setattr(generate, "HERE", tmp_path / "a" / "b")
    assert generate.main(["--check"]) == 1
    assert generate.main([]) == 0
    assert generate.main(["--check"]) == 0
    (schema_dir / "view.schema.json").write_text("{}\n", encoding="utf-8")
    (schema_dir / "old.schema.json").write_text("{}\n", encoding="utf-8")
    assert generate.stale_files() == [
        schema_dir / "old.schema.json",
        schema_dir / "view.schema.json",
    ]
    assert generate.main([]) == 0
    assert not (schema_dir / "old.schema.json").exists()
    assert generate.main(["--check"]) == 0


def test_generation_is_deterministic_sorted_and_ends_with_a_newline() -> None:
    first, second = generate.generated_files(), generate.generated_files()
    assert first == second
    for text in first.values():
        assert text.endswith("}\n")
        assert (
            text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_there_is_one_schema_per_event_type_and_output() -> None:
    names = {path.name for path in generate.generated_files() if path.parent == generate.SCHEMA_DIR}
    expected = {f"{event_type}.schema.json" for event_type in EVENT_TYPES}
    expected |= {"view.schema.json", "alert.schema.json", "employer-notice.schema.json"}
    assert names == expected


@pytest.mark.parametrize("path", sorted(generate.SCHEMA_DIR.glob("*.schema.json")), ids=str)
def test_every_generated_schema_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == generate.JSON_SCHEMA_DIALECT
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_event_schemas_fix_the_type_and_allow_extensions(event_type: str) -> None:
    schema = json.loads((generate.SCHEMA_DIR / f"{event_type}.schema.json").read_text())
    assert schema["properties"]["type"]["const"] == event_type
    assert schema["additionalProperties"] is False
    assert schema["patternProperties"] == {"^[a-z0-9]+$": {}}
    assert set(schema["required"]) == {"specversion", "id", "source", "type", "time", "data"}


def asyncapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(generate.ASYNCAPI_PATH.read_text(encoding="utf-8"))
    return document


def test_asyncapi_names_the_five_topics() -> None:
    document = asyncapi()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {
        "enkontakt.contact-events.v1",
        "enkontakt.contact-events.dlq.v1",
        "enkontakt.alerts.v1",
        "enkontakt.employer-views.v1",
        "enkontakt.employer-notices.v1",
    }
    for operation in document["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        assert channel in document["channels"]


def test_asyncapi_views_are_compacted_and_keyed_by_orgnr() -> None:
    document = asyncapi()
    kafka = document["channels"]["employerViews"]["bindings"]["kafka"]
    assert kafka["topicConfiguration"]["cleanup.policy"] == ["compact"]
    key = document["components"]["messages"]["View"]["bindings"]["kafka"]["key"]
    assert key["pattern"] == "^[0-9]{9}$"


def test_asyncapi_dead_letters_carry_the_error_headers() -> None:
    headers = asyncapi()["components"]["messages"]["RejectedEvent"]["headers"]
    assert set(headers["required"]) == {"enkontakt-error", "enkontakt-error-detail"}
    assert headers["properties"]["enkontakt-error"]["enum"] == [
        code.value for code in RejectionCode
    ]


def test_asyncapi_input_channel_has_a_message_per_event_type() -> None:
    document = asyncapi()
    messages = document["components"]["messages"]
    names = {messages[ref].get("name") for ref in document["channels"]["contactEvents"]["messages"]}
    assert names == set(EVENT_TYPES)


def test_every_reference_in_asyncapi_resolves() -> None:
    document = asyncapi()
    for ref in _refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
