"""The decoder's fast path for ``data`` agrees with the pydantic models.

``build_data`` may only ever give what the model gives, or None (then the model
decides). Held to that on every shipped example and on generated variations of
the valid ones: where the fast path answers, the instance equals the model's
(same fields in the same order, same fields set); where the model refuses, the
fast path gives None; and the decoder with the fast path answers exactly as the
decoder without it (the event, or the rejection's code and detail).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from enkontakt.schemas import fast_data, generate
from enkontakt.schemas.events import EVENT_TYPES
from enkontakt.schemas.objects import Actor
from enkontakt.services.coordinator import validation
from enkontakt.services.coordinator.validation import decode_object

EXAMPLES = Path(generate.HERE) / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))
ALL = VALID + INVALID

MODELS = [*EVENT_TYPES.values(), Actor]
OPTIONAL_NAMES = ["from", "until", "deputy", "valid_until", "direction", "urgency", "purpose", "x"]


def literal_values(model: type[BaseModel]) -> set[str]:
    """Every string a Literal field of ``model`` allows."""
    found: set[str] = set()
    for info in model.model_fields.values():
        for arg in (info.annotation, *get_args(info.annotation)):
            if get_origin(arg) is Literal:
                found.update(get_args(arg))
    return found


TRICKY_VALUES: list[Any] = [
    None,
    "",
    " ",
    "x" * 201,
    "x" * 129,
    "A" * 65,
    "1902",
    "1902\n",
    "19022",
    "974760673",
    "974760674",
    "MIDLONTIL",
    "midlontil",
    "mIDLONTIL",
    "MIDLONTIL\n",
    "k-5f2a9c",
    "k 5f2a9c",
    "2026-10-05",
    "2026-10-05\n",
    "2026-02-30",
    "2026-1-05",
    "tora.veileder@nav.no",
    " Tora.Veileder@NAV.no ",
    "not an address",
    "+47 412 34 567",
    "412 34 567",
    "12",
    *(value for model in MODELS for value in literal_values(model)),
    0,
    1,
    True,
    1.5,
    [],
    ["1902"],
    {},
    {"orgnr": "974760673"},
    {"type": "nav_office", "id": "1902"},
    {"id": "T1"},
    {"ref": "k-1"},
]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def model_result(event_type: str, data: object) -> BaseModel | None:
    try:
        return EVENT_TYPES[event_type].model_validate(data)
    except ValidationError:
        return None


def assert_agrees(event_type: str, data: object) -> None:
    fast = fast_data.build_data(event_type, copy.deepcopy(data))
    model = model_result(event_type, copy.deepcopy(data))
    if fast is None:
        return
    assert model is not None, "the fast path accepted what the model refuses"
    assert type(fast) is type(model)
    assert fast == model
    assert_same_instance(fast, model)


def assert_same_instance(fast: object, model: object) -> None:
    if not isinstance(model, BaseModel):
        assert fast == model and type(fast) is type(model)
        return
    assert isinstance(fast, BaseModel)
    assert list(fast.__dict__) == list(model.__dict__)
    assert fast.model_fields_set == model.model_fields_set
    assert fast.__pydantic_extra__ == model.__pydantic_extra__
    assert fast.__pydantic_private__ == model.__pydantic_private__
    for name in model.__dict__:
        assert_same_instance(fast.__dict__[name], model.__dict__[name])


def decoded_both_ways(value: object, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = decode_object(copy.deepcopy(value))
    with monkeypatch.context() as patch:
        patch.setattr(validation, "build_data", lambda event_type, data: None)
        slow = decode_object(copy.deepcopy(value))
    return fast, slow


def test_the_fast_path_answers_for_every_valid_example() -> None:
    for path in VALID:
        event = load(path)
        built = fast_data.build_data(event["type"], event["data"])
        assert built is not None, path.name
        assert_agrees(event["type"], event["data"])


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_example_decodes_the_same_with_and_without_the_fast_path(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = load(path)
    fast, slow = decoded_both_ways(event, monkeypatch)
    assert fast == slow
    if isinstance(event, dict) and event.get("type") in EVENT_TYPES:
        assert_agrees(event["type"], event.get("data"))


def test_shared_objects_are_cached_only_when_valid() -> None:
    person = {"email": "not an address"}
    assert fast_data._person.cache.get(tuple(person.items())) is None
    data = {**load(EXAMPLES / "valid" / "inquiry-answered.json")["data"], "person": person}
    assert fast_data.build_data("enkontakt.inquiry.answered.v1", data) is None
    assert tuple(person.items()) not in fast_data._person.cache


def paths_of(value: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    return found


def changed(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any] | None:
    """A copy of ``data`` with the value at ``path`` replaced (or removed: value ``...``)."""
    data = copy.deepcopy(data)
    target: Any = data
    for part in path[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if not isinstance(target, dict):
        return None
    if value is ...:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)
    return data


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_single_change_of_a_valid_example_agrees_with_the_models(path: Path) -> None:
    event = load(path)
    paths = paths_of(event["data"]) + [(name,) for name in OPTIONAL_NAMES]
    for where in paths:
        for value in [..., *TRICKY_VALUES]:
            data = changed(event["data"], where, value)
            if data is not None:
                assert_agrees(event["type"], data)


@st.composite
def mutated_data(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    event = load(draw(st.sampled_from(VALID)))
    event_type = draw(st.sampled_from([event["type"], *EVENT_TYPES]))
    data = event["data"]
    for _ in range(draw(st.integers(1, 3))):
        paths = paths_of(data) + [(name,) for name in OPTIONAL_NAMES]
        path = draw(st.sampled_from(paths))
        target: Any = data
        for part in path[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        if draw(st.booleans()) and path[-1] in target:
            del target[path[-1]]
        else:
            new = draw(st.sampled_from(TRICKY_VALUES) | st.text(max_size=12))
            target[path[-1]] = copy.deepcopy(new)
    return event_type, data


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_data())
def test_mutated_data_agrees_with_the_models(case: tuple[str, dict[str, Any]]) -> None:
    assert_agrees(*case)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_data())
def test_mutated_events_decode_the_same_with_and_without_the_fast_path(
    case: tuple[str, dict[str, Any]],
) -> None:
    event_type, data = case
    event = {**load(VALID[0]), "type": event_type, "data": data, "subject": None}
    with pytest.MonkeyPatch.context() as patch:
        fast, slow = decoded_both_ways(event, patch)
    assert fast == slow
