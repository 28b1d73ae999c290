"""``enkontakt produce``: which key each line gets, and which lines are sent."""

from __future__ import annotations

import io

import orjson
import pytest

from enkontakt.cli import main
from enkontakt.produce import employer_key, event_lines


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (orjson.dumps({"data": {"employer": {"orgnr": "974760673"}}}), b"974760673"),
        (orjson.dumps({"data": {"actor": {"id": "0332"}}}), None),  # an absence: no employer
        (orjson.dumps({"data": {"employer": {"orgnr": 974760673}}}), None),
        (orjson.dumps({"data": "text"}), None),
        (orjson.dumps([1, 2]), None),
        (b"{not json", None),
    ],
)
def test_the_key_is_the_employers_orgnr_when_there_is_one(line: bytes, key: bytes | None) -> None:
    assert employer_key(line) == key


def test_blank_lines_are_skipped_and_the_rest_kept_byte_for_byte() -> None:
    stream = io.BytesIO(b'{"a": 1}\n\n  \r\n{"b":2}  \r\n{broken')
    assert list(event_lines(stream)) == [b'{"a": 1}', b'{"b":2}', b"{broken"]


def test_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["produce", "/nonexistent/events.jsonl"]) == 2
    assert "no such file" in capsys.readouterr().err
