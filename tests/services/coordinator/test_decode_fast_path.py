"""The decoder's fast path is held to the full decoder.

Whatever ``fast_decode.accept`` accepts, ``validation.decode_full`` accepts as the
same event: the same classes, field values and value types (``time`` with the
same offset and tzinfo type), the same set fields and field order. Whatever it
does not accept, the full decoder decides, so ``decode`` returns exactly what
``decode_full`` returns. Checked on every shipped example, on a generated corpus,
on edge cases of JSON itself and on mutated variants of the valid examples.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from stdnum.no import fodselsnummer

from enkontakt.generate import OSLO, generate_events
from enkontakt.schemas import generate
from enkontakt.schemas.events import (
    EVENT_ENVELOPES,
    Actor,
    Candidate,
    ContactEvent,
    ContactRegisteredEvent,
    Deputy,
    Employer,
    Person,
)
from enkontakt.services.coordinator import fast_decode
from enkontakt.services.coordinator.fast_decode import accept
from enkontakt.services.coordinator.validation import Rejection, decode, decode_full

EXAMPLES = Path(generate.HERE) / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").iterdir())


def fnr() -> str:
    nine = "150655610"
    first = fodselsnummer.calc_check_digit1(nine)
    return nine + first + fodselsnummer.calc_check_digit2(nine + first)


FNR = fnr()


def assert_same(fast: Any, full: Any, where: str = "event") -> None:
    """Equal values of the same types all the way down, models field by field."""
    assert type(fast) is type(full), where
    if isinstance(fast, BaseModel):
        assert list(fast.__dict__) == list(full.__dict__), where
        assert fast.__pydantic_fields_set__ == full.__pydantic_fields_set__, where
        assert fast.__pydantic_extra__ == full.__pydantic_extra__, where
        assert fast.__pydantic_private__ == full.__pydantic_private__, where
        for name, value in fast.__dict__.items():
            assert_same(value, full.__dict__[name], f"{where}.{name}")
        return
    assert fast == full, where
    if isinstance(fast, datetime):
        assert type(fast.tzinfo) is type(full.tzinfo), where
        assert fast.utcoffset() == full.utcoffset(), where
        assert fast.isoformat() == full.isoformat(), where


def held_to_full(raw: bytes | str) -> ContactEvent | None:
    """Check ``raw`` on both paths; returns what the fast path accepted, if anything."""
    full = decode_full(raw)
    fast = accept(raw)
    if fast is not None:
        assert isinstance(full, ContactEvent), f"the full decoder rejects it: {full}"
        assert_same(fast, full)
        assert fast == full
        assert fast.model_dump_json() == full.model_dump_json()
        assert fast.model_dump(exclude_unset=True) == full.model_dump(exclude_unset=True)
    decoded = decode(raw)
    if isinstance(full, Rejection):
        assert decoded == full
    else:
        assert_same(decoded, full)
    return fast


def plain(path: Path) -> bool:
    """A valid example without extension attributes or nulls, which the fast path takes."""
    return b"null" not in path.read_bytes() and "traceparent" not in path.read_text("utf-8")


@pytest.mark.parametrize("path", VALID + INVALID, ids=lambda p: p.name)
def test_every_example_as_shipped_and_compact(path: Path) -> None:
    raw = path.read_bytes()
    accepted = held_to_full(raw)
    if path in VALID and plain(path):
        assert accepted is not None
    if path in INVALID:
        assert accepted is None
    if path.suffix == ".json":
        held_to_full(orjson.dumps(json.loads(raw)))
        held_to_full(raw.decode("utf-8"))


def test_a_generated_corpus_is_all_taken_by_the_fast_path() -> None:
    stream = generate_events(
        employers=150,
        events=3000,
        seed=7,
        start=datetime(2026, 1, 5, tzinfo=OSLO),
        days=120,
        duplicate_rate=0.05,
        redelivery_rate=0.02,
    )
    for event in islice(stream, 3000):
        assert held_to_full(orjson.dumps(event)) is not None


BASE = orjson.dumps(
    json.loads((EXAMPLES / "valid" / "follow-up-started--job-specialist.json").read_bytes())
)


def edited(old: bytes, new: bytes) -> bytes:
    assert old in BASE
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"specversion":"1.0","specversion":"0.3"' + BASE[len(b'{"specversion":"1.0"') :],
        b'{"specversion":"0.3","specversion":"1.0"' + BASE[len(b'{"specversion":"1.0"') :],
        edited(b'"id":"', b'"id":"first","id":"'),
        edited(b'"id":"', b'"id":"","id":"'),
        edited(b'"data":{', b'"data":{"measure":"bad","measure":"IPSUNG",'),
        edited(b'"data":{', b'"data":{"channel":"visit",'),
        b"\xef\xbb\xbf" + BASE,
        b" \t\r\n" + BASE + b" \t\r\n",
        b"\x0c" + BASE,
        BASE + b"\x00",
        BASE + b"{}",
        BASE[:-1],
        edited(b'"id":"', b'"id":"\\ud800'),
        edited(b'"id":"', b'"id":"\\udc00\\ud800'),
        edited(b'"id":"', b'"id":"\\ud83d\\ude00'),
        edited(b'"id":"', b'"id":"\t'),
        edited(b'"id":"', b'"id":"\x7f'),
        edited(b'"id":"', b'"id":"\xff'),
        edited(b'"id":"', b'"id":"\xed\xa0\x80'),
        edited(b'"id":"', b'"id":"\\u0000\\/'),
        edited(b'"id":"', b'"i\\u0064":"'),
        edited(b'"id":"', b'"x":NaN,"id":"'),
        edited(b'"id":"', b'"x":1e999,"id":"'),
        edited(b'"id":"', b'"x":null,"id":"'),
        edited(b'"id":"', b'"subject":null,"datacontenttype":null,"id":"'),
        edited(b'"id":"', b'"Subject":"974760673","id":"'),
        edited(b'"id":"', f'"caseref":"{FNR}","id":"'.encode()),
        edited(b'"id":"', b'"id":"' + "".join(f"\\u{ord(c):04x}" for c in FNR).encode()),
        BASE.decode("utf-8").replace('"id":"', '"id":"\udc80', 1),
        BASE.decode("utf-8"),
    ],
)
def test_json_edge_cases(raw: bytes | str) -> None:
    held_to_full(raw)


SHADOWED_TOKENS = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1E+400", b"1" + b"0" * 30]


@pytest.mark.parametrize("token", SHADOWED_TOKENS)
@pytest.mark.parametrize("name", [b'"id":', b'"channel":', b'"data":', b'"orgnr":', b'"until":'])
def test_a_value_shadowed_by_a_repeated_name_is_not_passed_over(token: bytes, name: bytes) -> None:
    absence = orjson.dumps(
        json.loads((EXAMPLES / "valid" / "contact-person-absent.json").read_bytes())
    )
    for base in (BASE, absence, orjson.dumps(orjson.loads(BASE), option=orjson.OPT_INDENT_2)):
        if name in base:
            raw = base.replace(name, name + token + b"," + name, 1)
            assert accept(raw) is None
            assert held_to_full(raw) is None
            if token != SHADOWED_TOKENS[-1]:  # a long integer is JSON
                assert decode(raw).code == "malformed-json"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "raw",
    [
        edited(b'"measure":', b'"measure":"15108695088","measure":'),
        edited(b'"data":{', b'"data":{"notes":"text"},"data":{'),
        edited(b'"person":{', b'"person":{"id":"x","id":'),
        edited(b'"id":', b'"id" :"x","id"\n\t:'),
        edited(b'"employer":{', b'"employer":{"name":"a", "name":'),
    ],
)
def test_a_repeated_name_is_never_taken_by_the_fast_path(raw: bytes) -> None:
    assert accept(raw) is None
    held_to_full(raw)


def test_the_member_count_knows_every_object() -> None:
    models = [*fast_decode._OBJECT_FIELDS, Actor, Candidate, Deputy, Employer, Person]
    nested = {model: fast_decode._object_fields(model) for model in models}
    assert nested[Deputy] == ("actor", "person")
    assert all(not nested[model] for model in (Actor, Candidate, Employer, Person))


def test_the_envelope_is_validated_by_its_own_strict_schema() -> None:
    with_extension = orjson.loads(BASE) | {"traceparent": "00-ab-01"}
    assert accept(orjson.dumps(with_extension)) is None
    assert isinstance(decode(orjson.dumps(with_extension)), ContactEvent)
    assert accept(BASE) is not None


def test_the_model_classes_keep_their_own_validators() -> None:
    assert all(cls.__pydantic_complete__ for cls in EVENT_ENVELOPES.values())
    event = json.loads(
        (EXAMPLES / "valid" / "contact-registered--visit-by-nav-office.json").read_bytes()
    )
    validated = ContactRegisteredEvent.model_validate(event | {"traceparent": "x", "subject": None})
    assert validated.subject is None


def test_an_invalid_orgnr_is_refused_after_valid_ones_were_seen() -> None:
    assert accept(BASE) is not None
    orgnr = json.loads(BASE)["data"]["employer"]["orgnr"]
    wrong = orgnr[:-1] + str((int(orgnr[-1]) + 1) % 10)
    raw = BASE.replace(orgnr.encode(), wrong.encode())
    assert accept(raw) is None
    assert held_to_full(raw) is None


# Mutations of the valid examples.

EVENTS = [json.loads(path.read_bytes()) for path in VALID]
TEXTS = [
    "",
    " ",
    "x",
    "A" * 129,
    "A" * 201,
    "Æøå Ünïcødé",
    "\u0000",
    "\u2028",
    "\ud7ff",
    "\\",
    '"',
    "Z123456",
    FNR,
    f"{FNR[:6]} {FNR[6:]}",
    f"{FNR[:6]}-{FNR[6:]}",
    "974760673",
    "974760681",
    "974760674",
    "97476067",
    "1902",
    "19020",
    "+47 412 34 567",
    "41234567",
    "0047 41234567",
    "+4741234567",
    "(+47) 412-34-567",
    "+1 202 555 0142",
    "12",
    "TORA.VEILEDER@NAV.NO",
    " tora@nav.no ",
    "tora@nav",
    "tora@xn--nv-yia.no",
    "application/json",
    "application/json; charset=utf-8",
    "2026-10-05",
    "2026-02-30",
    "2026-10-05\n",
    "outbound",
    "inbound",
    "urgent",
    "normal",
    "nav_office",
    "measure_provider",
    "job_specialist",
    "working_life_centre",
    "MIDLONTIL",
    "midlontil",
    "k-5f2a9c",
    "k 5f",
    "enkontakt.contact.registered.v1",
    "enkontakt.follow-up.ended.v1",
    "1.0",
]
SHAPES: list[Any] = [
    {"orgnr": "974760673"},
    {"type": "nav_office", "id": "1902"},
    {"type": "measure_provider", "id": "974760681"},
    {"id": "T123456"},
    {"email": "Tora@NAV.no"},
    {"ref": "k-1"},
    {"actor": {"type": "nav_office", "id": "1902"}, "person": {"phone": "41234567"}},
]
texts = st.sampled_from(TEXTS) | st.text(max_size=12)
values = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SHAPES),
    st.lists(texts, max_size=2),
    st.dictionaries(st.sampled_from(["id", "ref", "x", "orgnr"]), texts, max_size=2),
)
NAMES = ["x", "extra", "traceparent", "Upper", "data_base64", "from", "until", "valid_until"]
names = st.sampled_from(NAMES) | st.text(max_size=6)


VALID_CLOCKS = ["09:30:00", "00:00:00", "23:59:59"]
VALID_OFFSETS = ["Z", "z", "+01:00", "+02:00", "-00:00", "+14:00", "-03:30", "+05:45"]


@st.composite
def times(draw: st.DrawFn, valid: bool = False) -> str:
    day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    clocks = VALID_CLOCKS if valid else [*VALID_CLOCKS, "24:00:00", "12:00:60"]
    offsets = VALID_OFFSETS if valid else [*VALID_OFFSETS, "+24:00", "+02:60", "-23:60", ""]
    clock = draw(st.sampled_from(clocks))
    separator = draw(st.sampled_from(["T", "t"] if valid else ["T", "t", " "]))
    fraction = draw(st.sampled_from(["", ".5", ".123456", ".123456789"]))
    return f"{day.isoformat()}{separator}{clock}{fraction}{draw(st.sampled_from(offsets))}"


class Pairs(list[tuple[str, Any]]):
    """A JSON object written with its pairs as listed, duplicate names included."""


def paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for name, item in value.items():
            found += paths(item, (*prefix, name))
    return found


def objects(value: Any) -> list[tuple[str, ...]]:
    return [path for path in paths(value) if isinstance(at(value, path), dict)]


def at(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        value = value[name]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    event = copy.deepcopy(draw(st.sampled_from(EVENTS)))
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(event, dict) or not event:
            break
        event = draw(mutation(event))
    return event


def mutation(event: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(remove, st.just(event), st.sampled_from(paths(event)[1:])),
        st.builds(replace, st.just(event), st.sampled_from(paths(event)[1:]), values),
        st.builds(add, st.just(event), st.sampled_from(objects(event)), names, values),
        st.builds(set_subject, st.just(event), st.sampled_from(["same", "other", "null", "empty"])),
        st.builds(edit_people, st.just(event), st.sampled_from(["email", "phone"]), texts),
        st.builds(replace, st.just(event), st.just(("time",)), times()),
        st.builds(duplicate, st.just(event), st.sampled_from(objects(event)), values),
    )


def remove(event: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    event = copy.deepcopy(event)
    del at(event, path[:-1])[path[-1]]
    return event


def replace(event: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    at(event, path[:-1])[path[-1]] = value
    return event


def add(event: dict[str, Any], path: tuple[str, ...], name: str, value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    at(event, path)[name] = value
    return event


def set_subject(event: dict[str, Any], how: str) -> dict[str, Any]:
    employer = (
        event.get("data", {}).get("employer") if isinstance(event.get("data"), dict) else None
    )
    orgnr = employer.get("orgnr") if isinstance(employer, dict) else None
    if how == "absent":
        return {name: value for name, value in event.items() if name != "subject"}
    subject = {"same": orgnr, "other": "974760681", "null": None, "empty": ""}[how]
    return {**event, "subject": subject}


def edit_people(event: dict[str, Any], field: str, text: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    for path in objects(event):
        if path[-1:] == ("person",):
            at(event, path)[field] = text.upper() if field == "email" else text
    return event


def duplicate(event: dict[str, Any], path: tuple[str, ...], value: Any) -> Any:
    """The object at ``path`` written with one of its names twice, ``value`` first or last."""
    event = copy.deepcopy(event)
    target = at(event, path)
    if not target:
        return event
    name = sorted(target)[0]
    pairs = Pairs(target.items())
    pairs.insert(0, (name, value))
    if path:
        at(event, path[:-1])[path[-1]] = pairs
        return event
    return pairs


def dumps(value: Any, ascii_only: bool, separators: tuple[str, str]) -> str:
    """JSON text of ``value``, writing ``Pairs`` with their duplicate names."""
    comma, colon = separators
    if isinstance(value, dict):
        value = Pairs(value.items())
    if isinstance(value, Pairs):
        items = (f"{json.dumps(k)}{colon}{dumps(v, ascii_only, separators)}" for k, v in value)
        return "{" + comma.join(items) + "}"
    if isinstance(value, list):
        return "[" + comma.join(dumps(v, ascii_only, separators) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    mutated(),
    st.booleans(),
    st.sampled_from([(",", ":"), (", ", ": ")]),
    st.sampled_from(["bytes", "str"]),
)
def test_mutated_examples(
    event: Any, ascii_only: bool, separators: tuple[str, str], kind: str
) -> None:
    text = dumps(event, ascii_only, separators)
    try:
        raw: bytes | str = text.encode("utf-8") if kind == "bytes" else text
    except UnicodeEncodeError:  # a lone surrogate drawn as text
        raw = text
    held_to_full(raw)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EVENTS), st.sampled_from(["email", "phone"]), st.sampled_from(TEXTS))
def test_people_written_differently_decode_alike(event: Any, field: str, text: str) -> None:
    changed = edit_people(event, field, text)
    held_to_full(orjson.dumps(changed))


@st.composite
def variants(draw: st.DrawFn) -> Any:
    """A valid example changed in ways that mostly keep it valid."""
    event = copy.deepcopy(draw(st.sampled_from(EVENTS)))
    event["time"] = draw(times(valid=True))
    event = set_subject(event, draw(st.sampled_from(["same", "null", "absent"])))
    for field in ("email", "phone"):
        if draw(st.booleans()):
            event = edit_people(event, field, draw(st.sampled_from(TEXTS)))
    optional = [p for p in paths(event) if p[-1:] in (("name",), ("purpose",), ("measure",))]
    for path in draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []:
        event = remove(event, path)
    return event


@settings(max_examples=300, deadline=None)
@given(variants(), st.booleans())
def test_valid_variants(event: Any, ascii_only: bool) -> None:
    held_to_full(dumps(event, ascii_only, (",", ":")).encode("utf-8", "surrogatepass"))
