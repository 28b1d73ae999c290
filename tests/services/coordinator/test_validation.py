"""The event decoder: every rejection code, their order, binary mode, and robustness."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from stdnum.no import fodselsnummer

from enkontakt.schemas.events import ContactEvent, ContactPersonAbsentEvent, ContactRegistered
from enkontakt.schemas.normalise import normalise_email, normalise_phone
from enkontakt.services.coordinator.fast_decode import accept
from enkontakt.services.coordinator.validation import (
    Rejection,
    RejectionCode,
    decode,
    decode_binary,
    decode_object,
)

Event = dict[str, Any]
Code = RejectionCode


def with_check_digits(nine: str) -> str:
    first = fodselsnummer.calc_check_digit1(nine)
    return nine + first + fodselsnummer.calc_check_digit2(nine + first)


FNR = with_check_digits("150655610")  # born 15 June 1855
D_NUMBER = with_check_digits("550655610")  # its D-number form (day + 40)


def event(**changes: Any) -> Event:
    base: Event = {
        "specversion": "1.0",
        "id": "0b8f6c1e-5d1a-4c55-9a57-1f0c2a9e7d01",
        "source": "urn:system:nav-crm",
        "type": "enkontakt.contact.registered.v1",
        "time": "2026-10-05T09:30:00+02:00",
        "data": {
            "employer": {"orgnr": "974760673", "name": "Dekk og Felg Nord AS"},
            "actor": {"type": "nav_office", "id": "1902", "name": "NAV Tromsø"},
            "person": {
                "id": "T123456",
                "name": "Tora Veileder",
                "email": "tora.veileder@nav.no",
                "phone": "+47 412 34 567",
            },
            "channel": "visit",
            "candidate": {"ref": "k-5f2a9c"},
            "measure": "MIDLONTIL",
        },
    }
    return {**base, **changes}


def absence(**changes: Any) -> Event:
    data: Event = {"actor": {"type": "nav_office", "id": "1902"}, "person": {"id": "T123456"}}
    data |= {"from": "2026-10-19", "until": "2026-10-30"}
    return event(type="enkontakt.contact-person.absent.v1", data=data, **changes)


def decoded(value: Event | list[Any]) -> ContactEvent | Rejection:
    """Decode ``value`` both from its JSON text and as a parsed object: they must agree."""
    from_text = decode(orjson.dumps(value))
    assert from_text == decode_object(copy.deepcopy(value))
    return from_text


def code(value: Event | list[Any]) -> RejectionCode | None:
    result = decoded(value)
    return result.code if isinstance(result, Rejection) else None


def test_a_valid_event_decodes_to_its_typed_envelope() -> None:
    result = decoded(event(subject="974760673", datacontenttype="application/json"))
    assert isinstance(result, ContactEvent)
    assert result.type == "enkontakt.contact.registered.v1"
    assert isinstance(result.data, ContactRegistered)
    assert result.data.person.phone == "+4741234567"
    assert result.subject == "974760673"
    assert result.time.utcoffset() is not None


def test_decode_accepts_text_as_well_as_bytes() -> None:
    assert decode(orjson.dumps(event()).decode()) == decode(orjson.dumps(event()))


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b'{"a": 1,}', b"\xff\xfe", b'{"a": NaN}', b'"\\ud800"', b"{} {}", "{'a': 1}"],
)
def test_malformed_json(raw: bytes | str) -> None:
    result = decode(raw)
    assert isinstance(result, Rejection)
    assert result.code == Code.MALFORMED_JSON


def test_a_message_without_value_is_malformed_json() -> None:
    for result in (decode(None), decode_binary([], None), decode_binary([("x", b"1")], None)):
        assert result == Rejection(Code.MALFORMED_JSON, "The message has no value.")


@pytest.mark.parametrize("value", [None, b""])
def test_a_binary_mode_message_without_data_is_not_cloudevent(value: bytes | None) -> None:
    headers = headers_of(event())
    assert decode_binary(headers, value) == Rejection(
        Code.NOT_CLOUDEVENT, "Attribute data is missing or not a JSON object."
    )
    without_id = [(name, raw) for name, raw in headers if name != "ce_id"]
    assert decode_binary(without_id, value) == Rejection(
        Code.NOT_CLOUDEVENT, "Attribute id is missing, empty or not a string."
    )
    assert decode_binary([("ce_specversion", b"1.0")], value) == Rejection(
        Code.NOT_CLOUDEVENT, "Attribute id is missing, empty or not a string."
    )


def test_invalid_utf8_inside_a_string_is_malformed_json() -> None:
    raw = orjson.dumps(event()).replace("Tromsø".encode(), b"Troms\xf8")
    assert decode(raw) == Rejection(Code.MALFORMED_JSON, "The value is not valid UTF-8 JSON.")


REPEATED = Rejection(Code.MALFORMED_JSON, "A name appears more than once in one JSON object.")


def written_twice(old: bytes, new: bytes, value: object = None) -> bytes:
    raw = orjson.dumps(event() if value is None else value)
    assert old in raw
    return raw.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"channel":', b'"channel":"15108695088","channel":'),
        (b'"channel":', f'"channel":"{FNR}","channel":'.encode()),
        (b'"data":{', b'"data":{"notes":"ill since May"},"data":{'),
        (b'"data":{', b'"data":{"employer":{"orgnr":"974760673"},'),
        (b'"person":{', b'"person":{"name":"x","name":"y",'),
        (b'"id":', b'"id":"a","i\\u0064":'),
        (b'"type":', b'"type":"x.y.v1",\n "type" :'),
        (b'"specversion":', b'"specversion":"0.3","specversion":'),
        (b'"candidate":{', b'"candidate":{"ref":[{"a":1,"a":2}],'),
    ],
)
def test_a_name_repeated_in_one_object_is_malformed_json(old: bytes, new: bytes) -> None:
    raw = written_twice(old, new)
    assert decode(raw) == REPEATED
    assert decode(raw.decode("utf-8")) == REPEATED


def test_a_name_repeated_in_binary_mode_data_is_malformed_json() -> None:
    value = event()
    data = written_twice(b'"channel":', b'"channel":"15108695088","channel":', value.pop("data"))
    assert decode_binary(headers_of(value), data) == REPEATED


def test_the_same_name_in_different_objects_is_fine() -> None:
    raw = written_twice(b'"data":{', b'"data":{"x":{"name":"a","id":{"name":1}},')
    assert decode(raw) == Rejection(Code.INVALID_DATA, "Unknown field data.x.")
    assert isinstance(decode(orjson.dumps(event())), ContactEvent)  # id and name repeat


def without(name: str) -> Event:
    value = event()
    del value[name]
    return value


@pytest.mark.parametrize(
    "value",
    [
        [event()],
        "event",
        None,
        event(specversion="0.3"),
        event(specversion=1.0),
        without("specversion"),
        without("id"),
        event(id=""),
        event(id=7),
        without("source"),
        event(source=""),
        without("type"),
        event(type=""),
        event(type=None),
        without("time"),
        event(time="2026-10-05T09:30:00"),
        event(time="2026-10-05"),
        event(time="2026-10-05 09:30:00+02:00"),
        event(time="2026-10-05T09:30:60Z"),
        event(time="2026-02-30T09:30:00Z"),
        event(time=1791620000),
        without("data"),
        event(data=None),
        event(data=[]),
        event(data="visit"),
        event(datacontenttype="application/xml"),
        event(datacontenttype="text/json"),
        event(datacontenttype=7),
        event(subject=974760673),
        event(source="urn:system:nav crm"),
        event(source="urn:system:%zz"),
        event(source="urn:system:nav-crm\n"),
        event(source="urn:system:støtte"),
        event(Extension="x"),
        event(data_base64="e30="),
        event(**{"trace-parent": "x"}),
    ],
)
def test_not_cloudevent(value: Any) -> None:
    assert code(value) == Code.NOT_CLOUDEVENT


@pytest.mark.parametrize(
    "source",
    [
        "urn:system:arena",
        "https://crm.nav.no/events?v=1#x",
        "/systems/crm",
        "urn:system:st%C3%B8tte",
    ],
)
def test_a_source_that_is_a_uri_reference_is_fine(source: str) -> None:
    assert code(event(source=source)) is None


@pytest.mark.parametrize(
    "time", ["2026-10-05T07:30:00Z", "2026-10-05t07:30:00z", "2026-10-05T09:30:00.123456789+02:00"]
)
def test_rfc3339_times_with_z_or_fractions_are_accepted(time: str) -> None:
    assert code(event(time=time)) is None


def test_optional_attributes_may_be_null_and_extensions_are_ignored() -> None:
    value = event(subject=None, datacontenttype=None, traceparent="00-ab-01", partitionkey=None)
    result = decoded(value)
    assert isinstance(result, ContactEvent)
    assert "traceparent" not in result.model_dump()


def test_json_media_type_parameters_are_accepted() -> None:
    assert code(event(datacontenttype="application/json; charset=utf-8")) is None


@pytest.mark.parametrize(
    "event_type", ["enkontakt.contact.registered.v2", "no.nav.contact", "enkontakt.contact"]
)
def test_unknown_type(event_type: str) -> None:
    assert code(event(type=event_type)) == Code.UNKNOWN_TYPE


def set_in(value: Event, path: str, item: Any) -> Event:
    value = copy.deepcopy(value)
    *parents, last = path.split(".")
    target = value
    for part in parents:
        target = target[part]
    target[last] = item
    return value


@pytest.mark.parametrize("number", [FNR, D_NUMBER])
@pytest.mark.parametrize(
    "path",
    ["data.person.name", "data.employer.name", "data.person.id", "id", "source", "traceparent"],
)
@pytest.mark.parametrize("written", ["{n}", "{a} {b}", "{a}-{b}", "{a}.{b}", "ref. {a} - {b}."])
def test_personal_identifier_anywhere_however_written(number: str, path: str, written: str) -> None:
    text = written.format(n=number, a=number[:6], b=number[6:])
    # A source with a space is no URI-reference: not-cloudevent comes first.
    expected = Code.NOT_CLOUDEVENT if path == "source" and " " in text else Code.PERSONAL_IDENTIFIER
    assert code(set_in(event(), path, text)) == expected


def test_personal_identifier_in_nested_lists_of_an_unknown_field() -> None:
    value = set_in(event(), "data.extra", [{"a": ["x", f"{FNR[:6]} {FNR[6:]}"]}])
    assert code(value) == Code.PERSONAL_IDENTIFIER


def test_personal_identifier_hidden_behind_json_escapes() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in FNR)
    raw = orjson.dumps(event()).replace(b"Tora Veileder", escaped.encode())
    result = decode(raw)
    assert isinstance(result, Rejection)
    assert result.code == Code.PERSONAL_IDENTIFIER


@pytest.mark.parametrize(
    "text",
    [FNR[:-1] + str((int(FNR[-1]) + 1) % 10), "1" + FNR, FNR[:10], "+47 41234567 41234567"],
)
def test_numbers_that_are_not_identity_numbers_pass(text: str) -> None:
    assert code(set_in(event(), "data.person.name", text)) is None


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("data.notes", "Kandidaten trenger tilrettelegging"),
        ("data.person.title", "Veileder"),
        ("data.employer.address", "Storgata 1"),
        ("data.candidate.diagnosis", "x"),
        ("data.channel", "fax"),
        ("data.channel", None),
        ("data.direction", "sideways"),
        ("data.person", {"name": "Tora Veileder"}),
        ("data.person.email", "tora.veileder(at)nav.no"),
        ("data.person.phone", "41 23"),
        ("data.actor.id", "19020"),
        ("data.actor.type", "municipality"),
        ("data.measure", "midlontil"),
        ("data.candidate.ref", "k 5f2a9c"),
        ("data.employer", "974760673"),
        ("data.employer.orgnr", 974760673),
    ],
)
def test_invalid_data(path: str, item: Any) -> None:
    assert code(set_in(event(), path, item)) == Code.INVALID_DATA


def test_invalid_data_for_absences_and_inquiries() -> None:
    assert code(set_in(absence(), "data.from", "2026-10-31")) == Code.INVALID_DATA
    assert code(set_in(absence(), "data.employer", {"orgnr": "974760673"})) == Code.INVALID_DATA
    inquiry = event(
        type="enkontakt.inquiry.received.v1",
        data={
            "employer": {"orgnr": "974760673"},
            "inquiry_id": "KS-1",
            "topic": "other",
            "channel": "email",
            "person": {"id": "T123456"},
        },
    )
    assert code(inquiry) == Code.INVALID_DATA
    assert code(set_in(inquiry, "data.actor", {"type": "nav_office", "id": "1902"})) is None


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("data.employer.orgnr", "974760674"),
        ("data.employer.orgnr", "97476067"),
        ("data.employer.orgnr", "9747606730"),
        ("data.employer.orgnr", "974 760 673"),
        ("data.employer.orgnr", ""),
        ("data.employer.orgnr", "9" * 100),
        ("data.actor", {"type": "measure_provider", "id": "974760682"}),
        ("data.actor", {"type": "measure_provider", "id": "1902"}),
    ],
)
def test_invalid_orgnr(path: str, item: Any) -> None:
    assert code(set_in(event(), path, item)) == Code.INVALID_ORGNR


def test_invalid_orgnr_of_a_deputy_actor() -> None:
    assigned = event(
        type="enkontakt.contact-person.assigned.v1",
        data={
            "employer": {"orgnr": "974760673"},
            "actor": {"type": "nav_office", "id": "1902"},
            "person": {"id": "T123456"},
            "deputy": {
                "actor": {"type": "measure_provider", "id": "974760681"},
                "person": {"email": "trond@arbeidshuset.no"},
            },
        },
    )
    assert code(assigned) is None
    result = decoded(set_in(assigned, "data.deputy.actor.id", "974760680"))
    assert isinstance(result, Rejection)
    assert result.code == Code.INVALID_ORGNR
    assert "data.deputy.actor.id" in result.detail


def test_a_valid_measure_provider_id_passes() -> None:
    actor = {"type": "measure_provider", "id": "974760681"}
    assert code(set_in(event(), "data.actor", actor)) is None


def test_subject_mismatch() -> None:
    assert code(event(subject="974760673")) is None
    assert code(event(subject="974760681")) == Code.SUBJECT_MISMATCH
    assert code(event(subject="")) == Code.SUBJECT_MISMATCH
    assert code(absence()) is None
    assert code(absence(subject="974760673")) == Code.SUBJECT_MISMATCH


def test_an_absence_decodes_without_employer() -> None:
    result = decoded(absence())
    assert isinstance(result, ContactPersonAbsentEvent)
    assert result.data.from_ <= result.data.until


Injector = Callable[[Event], Event]
INJECTORS: dict[RejectionCode, list[Injector]] = {
    Code.NOT_CLOUDEVENT: [
        lambda e: {**e, "specversion": "0.3"},
        lambda e: {**e, "time": "2026-10-05T09:30:00"},
        lambda e: {**e, "datacontenttype": "text/plain"},
        lambda e: {**e, "Bad_Name": "x"},
    ],
    Code.UNKNOWN_TYPE: [lambda e: {**e, "type": "enkontakt.contact.registered.v2"}],
    Code.PERSONAL_IDENTIFIER: [
        lambda e: set_in(e, "data.person.name", f"{FNR[:6]} {FNR[6:]}"),
        lambda e: {**e, "caseref": D_NUMBER},
        lambda e: set_in(e, "data.remark", f"Kandidat {FNR}"),
    ],
    Code.INVALID_DATA: [
        lambda e: set_in(e, "data.notes", "x"),
        lambda e: set_in(e, "data.channel", "fax"),
        lambda e: set_in(e, "data.person.email", "nope"),
    ],
    Code.INVALID_ORGNR: [
        lambda e: set_in(e, "data.employer.orgnr", "974760674"),
        lambda e: set_in(e, "data.actor", {"type": "measure_provider", "id": "974760682"}),
    ],
    Code.SUBJECT_MISMATCH: [lambda e: {**e, "subject": "974760681"}],
}
ORDER = list(RejectionCode)
PAIRS = [
    (first, second, one, two)
    for first, second in itertools.combinations(ORDER[1:], 2)
    for one, two in itertools.product(INJECTORS[first], INJECTORS[second])
]


@pytest.mark.parametrize(("first", "second", "one", "two"), PAIRS)
def test_when_two_codes_apply_the_earlier_in_the_contract_order_wins(
    first: RejectionCode, second: RejectionCode, one: Injector, two: Injector
) -> None:
    assert code(one(event())) == first
    assert code(two(event())) == second
    assert code(two(one(event()))) == first
    assert code(one(two(event()))) == first


@pytest.mark.parametrize("code_", ORDER[1:])
def test_malformed_json_comes_before_everything(code_: RejectionCode) -> None:
    raw = orjson.dumps(INJECTORS[code_][0](event()))
    result = decode(raw[:-1])
    assert isinstance(result, Rejection)
    assert result.code == Code.MALFORMED_JSON


def string_values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in string_values(item)]
    if isinstance(value, list):
        return [s for item in value for s in string_values(item)]
    return []


@pytest.mark.parametrize("injector", [i for group in INJECTORS.values() for i in group])
def test_details_are_one_sentence_without_payload_values(injector: Injector) -> None:
    value = injector(event())
    result = decoded(value)
    assert isinstance(result, Rejection)
    assert result.detail.endswith(".")
    assert result.detail.count(". ") == 0
    for text in string_values(value):
        if len(text) >= 5:
            assert text not in result.detail
    for digits in (FNR, D_NUMBER, FNR[:6], D_NUMBER[:6]):
        assert digits not in result.detail


def test_details_mask_field_names_that_could_carry_text() -> None:
    result = decoded(set_in(event(), f"data.Kandidat {FNR[:6]}", "x"))
    assert isinstance(result, Rejection)
    assert result.code == Code.INVALID_DATA
    assert result.detail == "Unknown field data.<field>."
    result = decoded(set_in(event(), "data.person.name", f"{FNR}"))
    assert result == Rejection(
        Code.PERSONAL_IDENTIFIER, "The string at data.person.name holds a national identity number."
    )


def headers_of(value: Event) -> list[tuple[str, bytes]]:
    headers = [(f"ce_{k}", str(v).encode()) for k, v in value.items() if k != "data"]
    return [*headers, ("content-type", b"application/json"), ("traceparent", b"00-ab-01")]


def test_binary_mode_decodes_like_structured_mode() -> None:
    value = event(subject="974760673", partitionkey="974760673")
    result = decode_binary(headers_of(value), orjson.dumps(value["data"]))
    value["datacontenttype"] = "application/json"  # from the content-type header
    assert isinstance(result, ContactEvent)
    assert result == decode(orjson.dumps(value))


def test_binary_mode_without_ce_headers_is_structured_mode() -> None:
    raw = orjson.dumps(event())
    assert decode_binary([("CE_SPECVERSION", None)], raw) != decode(raw)
    assert decode_binary([("traceparent", b"00-ab-01")], raw) == decode(raw)
    assert decode_binary([], raw) == decode(raw)


@pytest.mark.parametrize(
    ("change", "value", "expected"),
    [
        (lambda h: h, b"{", Code.MALFORMED_JSON),
        (
            lambda h: [(k, b"\xff") if k == "ce_id" else (k, v) for k, v in h],
            b"{",
            Code.MALFORMED_JSON,
        ),
        (
            lambda h: [(k, b"\xff") if k == "ce_id" else (k, v) for k, v in h],
            None,
            Code.NOT_CLOUDEVENT,
        ),
        (lambda h: [(k, v) for k, v in h if k != "ce_time"], None, Code.NOT_CLOUDEVENT),
        (lambda h: [*h, ("ce_id", b"again")], None, Code.NOT_CLOUDEVENT),
        (lambda h: [*h, ("ce_data", b"{}")], None, Code.NOT_CLOUDEVENT),
        (
            lambda h: [(k, b"text/plain") if k == "content-type" else (k, v) for k, v in h],
            None,
            Code.NOT_CLOUDEVENT,
        ),
        (
            lambda h: [(k, b"x.y.v1") if k == "ce_type" else (k, v) for k, v in h],
            None,
            Code.UNKNOWN_TYPE,
        ),
        (lambda h: [*h, ("ce_caseref", FNR.encode())], None, Code.PERSONAL_IDENTIFIER),
        (lambda h: [*h, ("ce_subject", b"974760681")], None, Code.SUBJECT_MISMATCH),
    ],
)
def test_binary_mode_rejections(
    change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]],
    value: bytes | None,
    expected: RejectionCode,
) -> None:
    data = value if value is not None else orjson.dumps(event()["data"])
    result = decode_binary(change(headers_of(event())), data)
    assert isinstance(result, Rejection)
    assert result.code == expected


def test_binary_mode_data_is_checked_like_structured_data() -> None:
    data = set_in(event(), "data.notes", "x")["data"]
    result = decode_binary(headers_of(event()), orjson.dumps(data))
    assert isinstance(result, Rejection)
    assert result.code == Code.INVALID_DATA
    assert decode_binary(headers_of(event()), b"[]") == Rejection(
        Code.NOT_CLOUDEVENT, "Attribute data is missing or not a JSON object."
    )


def test_deeply_nested_values_do_not_break_the_decoder() -> None:
    nested: Any = "x"
    for _ in range(5000):
        nested = [nested]
    deep = decode_object(set_in(event(), "data.deep", [nested, FNR]))
    assert isinstance(deep, Rejection)
    assert deep.code == Code.PERSONAL_IDENTIFIER
    assert isinstance(decode_object(event(deep=nested)), ContactEvent)
    raw = b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}"
    assert isinstance(decode(raw), Rejection)


def test_emails_and_phones_are_checked_once_per_distinct_value() -> None:
    decode(orjson.dumps(event()))
    email_hits, phone_hits = normalise_email.cache_info().hits, normalise_phone.cache_info().hits
    decode(orjson.dumps(event()))
    assert normalise_email.cache_info().hits == email_hits + 1
    assert normalise_phone.cache_info().hits == phone_hits + 1


@given(st.binary(max_size=300))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(decode(raw), ContactEvent | Rejection)
    assert isinstance(decode_binary([("ce_specversion", raw)], raw), ContactEvent | Rejection)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from([FNR, f"{D_NUMBER[:6]} {D_NUMBER[6:]}", "974760674", "1902", "T123456"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def mutated_events(draw: st.DrawFn) -> Event:
    value = event()
    paths = ["data"] + [f"data.{k}" for k in value["data"]] + list(value)
    paths += ["data.person.email", "data.person.phone", "data.actor.id", "data.employer.orgnr"]
    for path in draw(st.lists(st.sampled_from(paths), max_size=3)):
        *parents, last = path.split(".")
        target: Any = value
        for part in parents:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[last] = draw(json_values)
    return value


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated_events())
def test_mutated_events_never_raise_and_text_and_object_agree(value: Event) -> None:
    result = decoded(value)
    assert isinstance(result, ContactEvent | Rejection)
    if isinstance(result, Rejection):
        assert result.detail.endswith(".")


@given(json_values)
def test_any_json_value_never_raises(value: Any) -> None:
    assert isinstance(decoded(value), ContactEvent | Rejection)


def assigned(**data: Any) -> Event:
    value = event(type="enkontakt.contact-person.assigned.v1")
    value["data"] = {k: v for k, v in value["data"].items() if k in ("employer", "actor", "person")}
    value["data"] |= data
    return value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (event(**{"abc\n": "x"}), Code.NOT_CLOUDEVENT),
        (event(datacontenttype="application/json\n"), Code.NOT_CLOUDEVENT),
        (event(datacontenttype="application/json; charset=utf-8\n"), Code.NOT_CLOUDEVENT),
        (event(time="2026-10-05T09:30:00+02:00\n"), Code.NOT_CLOUDEVENT),
        (set_in(absence(), "data.from", "2026-10-19\n"), Code.INVALID_DATA),
        (set_in(absence(), "data.until", "2026-10-30\n"), Code.INVALID_DATA),
        (assigned(valid_until="2026-10-30\n"), Code.INVALID_DATA),
        (set_in(event(), "data.candidate.ref", "k-1\n"), Code.INVALID_DATA),
        (set_in(event(), "data.measure", "MENTOR\n"), Code.INVALID_DATA),
    ],
)
def test_a_final_line_feed_is_not_part_of_a_pattern(value: Event, expected: RejectionCode) -> None:
    result = decoded(value)
    assert isinstance(result, Rejection)
    assert result.code == expected
    assert "\n" not in result.detail
    assert "2026" not in result.detail
    with pytest.raises(ValidationError):
        ContactEvent.model_validate(value)


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "2026-00-10"])
def test_a_date_that_does_not_exist_is_named_without_its_value(day: str) -> None:
    result = decoded(set_in(absence(), "data.from", day))
    assert result == Rejection(
        Code.INVALID_DATA, "Invalid data.from: must be a date that exists, written YYYY-MM-DD."
    )


@pytest.mark.parametrize("offset", ["+02:60", "-00:60", "+01:99", "+24:00", "-25:00", "+99:00"])
def test_an_offset_beyond_23_59_is_not_cloudevent(offset: str) -> None:
    raw = orjson.dumps(event(time=f"2026-10-05T09:30:00{offset}"))
    assert accept(raw) is None
    assert decode(raw) == Rejection(
        Code.NOT_CLOUDEVENT, "Attribute time is missing or not RFC 3339 with an offset."
    )


@pytest.mark.parametrize("offset", ["+23:59", "-23:59", "+00:00", "-09:30", "+05:45"])
def test_an_offset_up_to_23_59_is_fine(offset: str) -> None:
    result = decode(orjson.dumps(event(time=f"2026-10-05T09:30:00{offset}")))
    assert isinstance(result, ContactEvent)
    assert result.time.isoformat().endswith(offset)


YEARS = Rejection(Code.NOT_CLOUDEVENT, "Attribute time must lie in the years 1970 to 2099.")


@pytest.mark.parametrize(
    "time",
    [
        "2101-01-05T09:00:00+01:00",
        "2100-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-23:59",
        "1969-12-31T23:59:59Z",
        "0001-01-01T00:00:00+00:00",
    ],
)
def test_a_time_outside_the_years_1970_to_2099_is_not_cloudevent(time: str) -> None:
    for value in (event(time=time), absence(time=time)):
        raw = orjson.dumps(value)
        assert accept(raw) is None
        assert decoded(value) == YEARS
        with pytest.raises(ValidationError):
            ContactEvent.model_validate(value)


@pytest.mark.parametrize(
    "time", ["2099-12-31T23:59:59-23:59", "1970-01-01T00:00:00+23:59", "1970-01-01T00:00:00Z"]
)
def test_a_time_whose_year_as_written_is_in_range_is_fine(time: str) -> None:
    assert isinstance(decoded(event(time=time)), ContactEvent)
    assert accept(orjson.dumps(event(time=time))) is not None


@pytest.mark.parametrize("day", ["9999-12-31", "2100-01-01", "1969-12-31", "0000-01-01"])
@pytest.mark.parametrize("field", ["from", "until", "valid_until"])
def test_a_date_outside_1970_to_2099_is_invalid_data(day: str, field: str) -> None:
    if field == "valid_until":
        value = assigned(valid_until=day)
    else:
        value = set_in(absence(), f"data.{field}", day)
    assert accept(orjson.dumps(value)) is None
    assert decoded(value) == Rejection(
        Code.INVALID_DATA, f"Invalid data.{field}: must lie in 1970-01-01 to 2099-12-31."
    )


def test_dates_at_the_ends_of_the_range_are_fine() -> None:
    value = set_in(set_in(absence(), "data.from", "1970-01-01"), "data.until", "2099-12-31")
    assert isinstance(decoded(value), ContactEvent)
    assert accept(orjson.dumps(value)) is not None
    assert isinstance(decoded(assigned(valid_until="2099-12-31")), ContactEvent)


def test_an_event_over_64_kib_is_not_cloudevent_and_one_just_under_is_fine() -> None:
    over = event(padding="x" * 65_536)
    under = event(padding="x" * 60_000)
    assert code(over) == Code.NOT_CLOUDEVENT
    assert code(under) is None
    headers = [("ce_specversion", b"1.0"), ("ce_padding", b"x" * 65_536)]
    headers += [(f"ce_{k}", str(v).encode()) for k, v in event().items() if k != "data"]
    binary = decode_binary(headers, orjson.dumps(event()["data"]))
    assert isinstance(binary, Rejection) and binary.code == Code.NOT_CLOUDEVENT
