"""The input event models: shapes, normalisation, nulls and the rules between fields."""

from __future__ import annotations

import typing
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from enkontakt.schemas import events
from enkontakt.schemas.events import (
    EVENT_ENVELOPES,
    EVENT_TYPES,
    Actor,
    ContactEvent,
    ContactPersonAbsent,
    ContactRegistered,
    ContactRegisteredEvent,
    Employer,
    InquiryReceived,
    Person,
)
from enkontakt.schemas.outputs import (
    Alert,
    EmployerNotice,
    RejectedLine,
    ReplaySummary,
    View,
)

NAV = {"type": "nav_office", "id": "1902", "name": "NAV Tromsø"}
EMPLOYER = {"orgnr": "974760673", "name": "Dekk og Felg Nord AS"}


def registered_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "employer": EMPLOYER,
        "actor": NAV,
        "person": {"id": "T123456", "email": "tora.veileder@nav.no"},
        "channel": "visit",
    }
    return {**data, **changes}


def registered_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": "crm-1",
        "source": "urn:system:nav-crm",
        "type": "enkontakt.contact.registered.v1",
        "time": "2026-10-05T09:30:00+02:00",
        "data": registered_data(),
    }
    return {**event, **changes}


def all_models() -> list[type[BaseModel]]:
    """Every contract model reachable from the event envelopes and the outputs."""
    roots: list[type[BaseModel]] = [*EVENT_ENVELOPES.values(), ContactEvent]
    roots += [View, Alert, EmployerNotice, ReplaySummary, RejectedLine]
    seen: dict[type[BaseModel], None] = {}
    stack = list(roots)
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen[model] = None
        for field in model.model_fields.values():
            stack.extend(_models_in(field.annotation))
    return list(seen)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.__name__)
def test_every_model_is_frozen_forbids_unknown_fields_and_describes_every_field(
    model: type[BaseModel],
) -> None:
    assert model.model_config.get("frozen") is True
    assert model.model_config.get("extra") == "forbid"
    assert model.__doc__
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"


def test_event_types_map_the_seven_type_strings_to_their_data_models() -> None:
    assert set(EVENT_TYPES) == set(typing.get_args(events.EventType))
    assert len(EVENT_TYPES) == 7
    for event_type, envelope in EVENT_ENVELOPES.items():
        assert envelope.model_fields["data"].annotation is EVENT_TYPES[event_type]
        assert typing.get_args(envelope.model_fields["type"].annotation) == (event_type,)


def test_email_is_trimmed_and_lower_cased() -> None:
    person = Person.model_validate({"email": "  Tora.Veileder@NAV.no "})
    assert person.email == "tora.veileder@nav.no"


@pytest.mark.parametrize("email", ["tora.veileder(at)nav.no", "tora@", "@nav.no", "", "a b@nav.no"])
def test_an_email_that_is_not_an_address_is_invalid(email: str) -> None:
    with pytest.raises(ValidationError):
        Person.model_validate({"email": email})


@pytest.mark.parametrize(
    ("phone", "e164"),
    [
        ("+47 412 34 567", "+4741234567"),
        ("41234567", "+4741234567"),
        ("412 34 567", "+4741234567"),
        ("0047 41234567", "+4741234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("77 61 20 00", "+4777612000"),
    ],
)
def test_phone_is_normalised_to_e164_with_norway_as_default(phone: str, e164: str) -> None:
    assert Person.model_validate({"phone": phone}).phone == e164


@pytest.mark.parametrize("phone", ["41 23", "telefon", "", "+47"])
def test_a_phone_that_cannot_be_a_number_is_invalid(phone: str) -> None:
    with pytest.raises(ValidationError):
        Person.model_validate({"phone": phone})


def test_person_id_is_kept_as_given() -> None:
    assert Person.model_validate({"id": " z123456 "}).id == " z123456 "


@pytest.mark.parametrize(
    "person",
    [{}, {"name": "Tora Veileder"}, {"id": None, "email": None, "phone": None}, {"id": ""}],
)
def test_a_person_needs_an_id_email_or_phone(person: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Person.model_validate(person)


@pytest.mark.parametrize("actor_type", ["nav_office", "job_specialist", "working_life_centre"])
@pytest.mark.parametrize("actor_id", ["190", "19020", "19a2", "١٩٠٢", ""])
def test_nav_actors_need_a_four_digit_unit_number(actor_type: str, actor_id: str) -> None:
    with pytest.raises(ValidationError):
        Actor.model_validate({"type": actor_type, "id": actor_id})


def test_a_measure_provider_id_is_left_to_the_orgnr_check() -> None:
    assert Actor.model_validate({"type": "measure_provider", "id": "12"}).id == "12"
    assert Employer.model_validate({"orgnr": "12"}).orgnr == "12"


def test_null_in_an_optional_field_means_absent_and_defaults_apply() -> None:
    data = ContactRegistered.model_validate(
        registered_data(direction=None, purpose=None, candidate=None, measure=None)
    )
    assert data.direction == "outbound"
    assert (data.purpose, data.candidate, data.measure) == (None, None, None)
    inquiry = InquiryReceived.model_validate(
        {
            "employer": EMPLOYER,
            "inquiry_id": "KS-1",
            "topic": "information",
            "urgency": None,
            "channel": "email",
            "actor": None,
            "person": None,
        }
    )
    assert inquiry.urgency == "normal"


def test_null_in_a_required_field_is_invalid() -> None:
    with pytest.raises(ValidationError):
        ContactRegistered.model_validate(registered_data(channel=None))


def test_unknown_fields_are_invalid_at_every_depth() -> None:
    for data in (
        registered_data(notes="x"),
        registered_data(person={"id": "T1", "notes": "x"}),
        registered_data(employer={**EMPLOYER, "notes": "x"}),
        registered_data(candidate={"ref": "k1", "diagnosis": "x"}),
    ):
        with pytest.raises(ValidationError, match=r"extra_forbidden|Extra inputs"):
            ContactRegistered.model_validate(data)


def test_an_inquiry_addressee_needs_its_actor() -> None:
    base = {"employer": EMPLOYER, "inquiry_id": "KS-1", "topic": "other", "channel": "sms"}
    InquiryReceived.model_validate({**base, "actor": NAV})
    with pytest.raises(ValidationError, match="actor"):
        InquiryReceived.model_validate({**base, "person": {"id": "T1"}})


def absence(start: str, end: str) -> dict[str, Any]:
    return {"actor": NAV, "person": {"id": "T1"}, "from": start, "until": end}


def test_an_absence_reads_from_by_its_alias_and_dumps_it_back() -> None:
    model = ContactPersonAbsent.model_validate(absence("2026-10-19", "2026-10-19"))
    assert (model.from_, model.until) == (date(2026, 10, 19), date(2026, 10, 19))
    assert model.model_dump(mode="json")["from"] == "2026-10-19"
    with pytest.raises(ValidationError):
        ContactPersonAbsent.model_validate({**absence("2026-10-19", "2026-10-20"), "from_": "x"})


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-10-20", "2026-10-19"), ("2026-10-19T00:00:00", "2026-10-20"), ("19.10.2026", "x")],
)
def test_an_absence_needs_iso_dates_with_from_not_after_until(start: str, end: str) -> None:
    with pytest.raises(ValidationError):
        ContactPersonAbsent.model_validate(absence(start, end))


def test_dates_must_be_strings_not_numbers() -> None:
    with pytest.raises(ValidationError):
        ContactPersonAbsent.model_validate(absence(20261019, "2026-10-20"))  # type: ignore[arg-type]


def test_the_envelope_validates_ignoring_extensions_and_typing_data() -> None:
    event = ContactEvent.model_validate(registered_event(traceparent="00-abc-01", partitionkey="x"))
    assert isinstance(event.data, ContactRegistered)
    assert event.time == datetime(2026, 10, 5, 9, 30, tzinfo=timezone(timedelta(hours=2)))


def test_the_envelope_rejects_data_of_another_type() -> None:
    with pytest.raises(ValidationError):
        ContactEvent.model_validate(registered_event(type="enkontakt.follow-up.ended.v1"))


@pytest.mark.parametrize(
    "time", ["2026-10-05T09:30:00", "2026-10-05", "2026-10-05 09:30:00+02:00", "1791620000"]
)
def test_the_envelope_time_needs_rfc3339_with_an_offset(time: str) -> None:
    with pytest.raises(ValidationError):
        ContactEvent.model_validate(registered_event(time=time))


def test_from_checked_builds_the_same_event_as_validation() -> None:
    raw = registered_event(subject="974760673")
    validated = ContactRegisteredEvent.model_validate(raw)
    built = ContactRegisteredEvent.from_checked(
        {
            **{name: raw[name] for name in ("specversion", "id", "source", "type", "subject")},
            "time": validated.time,
            "data": validated.data,
        }
    )
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert built.model_fields_set == validated.model_fields_set
    assert built.datacontenttype is None
    with pytest.raises(ValidationError):
        built.id = "other"  # type: ignore[misc]
