"""Finding a name repeated in one object, held to ``json.loads`` with a pairs hook."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from enkontakt.services.coordinator.repeated_names import has_repeated_name

names = st.sampled_from(["a", "b", "id", 'q"', "a\\", "ø", ":", "{", "}"]) | st.text(max_size=3)
objects = st.recursive(
    st.none() | st.integers() | st.text(alphabet='a:{}"\\ ', max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(st.tuples(names, inner), max_size=4).map(lambda pairs: ("object", pairs))
    ),
    max_leaves=12,
)


def dumps(value: Any, ascii_only: bool, colon: str) -> str:
    if isinstance(value, tuple):
        items = (
            f"{json.dumps(k, ensure_ascii=ascii_only)}{colon}{dumps(v, ascii_only, colon)}"
            for k, v in value[1]
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v, ascii_only, colon) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def repeats(text: str) -> bool:
    found = False

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        found = found or len({name for name, _ in pairs}) < len(pairs)
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)
    return found


@given(objects, st.booleans(), st.sampled_from([":", " : ", "\n\t:"]))
def test_agrees_with_the_standard_library(value: Any, ascii_only: bool, colon: str) -> None:
    text = dumps(value, ascii_only, colon)
    assert has_repeated_name(text) == repeats(text)
    assert has_repeated_name(text.encode("utf-8")) == repeats(text)


def test_escaped_and_plain_names_are_the_same_name() -> None:
    assert has_repeated_name(b'{"id": 1, "i\\u0064": 2}')
    assert has_repeated_name(b'[{"\\"": 1}, {"a": {"b": 1, "\\u0062": 2}}]')
    assert not has_repeated_name(b'[{"a": "a:"}, {"a": {"a": "{\\"a\\":1}"}}]')
