"""The shipped examples agree with the models, the generated JSON Schema and the decoder.

Valid examples validate everywhere. Each invalid example is named
``<code>--<what>``: the decoder rejects it with that code and the models refuse
it; the generated JSON Schema refuses it too, except where JSON Schema cannot
say what is wrong (listed below with the reason).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from enkontakt.schemas import generate
from enkontakt.schemas.events import EVENT_ENVELOPES, EVENT_TYPES, ContactEvent
from enkontakt.schemas.rejection import RejectionCode
from enkontakt.services.coordinator.validation import Rejection, decode

EXAMPLES = Path(generate.HERE) / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").iterdir())

BEYOND_JSON_SCHEMA = {
    "personal-identifier--fodselsnummer-in-person-name.json": "check digits",
    "personal-identifier--d-number-with-separators-in-extension.json": "check digits",
    "invalid-data--email-not-an-address.json": "format is not asserted",
    "invalid-data--phone-not-a-number.json": "numbering plans",
    "invalid-data--absence-from-after-until.json": "comparing two fields",
    "invalid-orgnr--check-digit.json": "check digit",
    "invalid-orgnr--measure-provider-id.json": "check digit",
    "invalid-orgnr--deputy-actor.json": "check digit",
    "invalid-orgnr--also-subject-mismatch.json": "check digit",
    "subject-mismatch--other-employer.json": "comparing two fields",
    "subject-mismatch--absence-with-subject.json": "subject is a string",
}


@cache
def validator(event_type: str) -> Draft202012Validator:
    path = generate.SCHEMA_DIR / f"{event_type}.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def code_of(path: Path) -> RejectionCode:
    return RejectionCode(path.name.split("--")[0])


def test_there_are_valid_examples_of_every_type_and_invalid_ones_of_every_code() -> None:
    assert {load(path)["type"] for path in VALID} == set(EVENT_TYPES)
    assert {code_of(path) for path in INVALID} == set(RejectionCode)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_examples_validate_everywhere(path: Path) -> None:
    event = load(path)
    validator(event["type"]).validate(event)
    assert isinstance(ContactEvent.model_validate(event).data, EVENT_TYPES[event["type"]])
    decoded = decode(path.read_bytes())
    assert decoded == EVENT_ENVELOPES[event["type"]].model_validate(event)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_examples_are_rejected_with_the_code_in_their_name(path: Path) -> None:
    rejection = decode(path.read_bytes())
    assert isinstance(rejection, Rejection)
    assert rejection.code == code_of(path), rejection.detail


@pytest.mark.parametrize(
    "path", [p for p in INVALID if code_of(p) != RejectionCode.MALFORMED_JSON], ids=lambda p: p.name
)
def test_invalid_examples_are_refused_by_the_models(path: Path) -> None:
    event = load(path)
    if code_of(path) in (RejectionCode.INVALID_ORGNR, RejectionCode.SUBJECT_MISMATCH):
        ContactEvent.model_validate(event)  # checked by the decoder after the schema
        return
    if code_of(path) == RejectionCode.PERSONAL_IDENTIFIER and path.name in BEYOND_JSON_SCHEMA:
        return  # a valid shape that holds an identity number
    with pytest.raises(ValidationError):
        ContactEvent.model_validate(event)


@pytest.mark.parametrize(
    "path",
    [p for p in INVALID if p.suffix == ".json" and p.name not in BEYOND_JSON_SCHEMA],
    ids=lambda p: p.name,
)
def test_invalid_examples_are_refused_by_the_json_schema(path: Path) -> None:
    event = load(path)
    checker = FormatChecker()
    assert not any(validator(t).is_valid(event) for t in EVENT_TYPES), "a schema accepts it"
    assert not any(
        Draft202012Validator(validator(t).schema, format_checker=checker).is_valid(event)
        for t in EVENT_TYPES
    )


@pytest.mark.parametrize("name", sorted(BEYOND_JSON_SCHEMA))
def test_examples_beyond_json_schema_do_pass_it(name: str) -> None:
    event = load(EXAMPLES / "invalid" / name)
    assert validator(event["type"]).is_valid(event)
