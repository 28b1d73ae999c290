"""Finding national identity numbers in string values (CONTRACT §6).

Valid numbers are computed with python-stdnum, for people born in 1855.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from enkontakt.schemas.identity_numbers import (
    find_identity_number,
    holds_identity_number,
    may_hold_identity_number,
)


def with_check_digits(nine: str) -> str:
    first = fodselsnummer.calc_check_digit1(nine)
    return nine + first + fodselsnummer.calc_check_digit2(nine + first)


FNR = with_check_digits("150655610")  # born 15 June 1855
D_NUMBER = with_check_digits("550655610")  # day + 40: the D-number form of that date
WRONG_CHECK_DIGIT = FNR[:-1] + str((int(FNR[-1]) + 1) % 10)


def test_the_numbers_used_here_are_what_they_claim() -> None:
    assert fodselsnummer.is_valid(FNR)
    assert fodselsnummer.is_valid(D_NUMBER)
    assert int(D_NUMBER[0]) >= 4
    assert not fodselsnummer.is_valid(WRONG_CHECK_DIGIT)


@pytest.mark.parametrize("number", [FNR, D_NUMBER])
@pytest.mark.parametrize(
    "written",
    [
        "{n}",
        "{a} {b}",
        "{a}-{b}",
        "{a}.{b}",
        "{d}.{m}.{y} {b}",
        "{d}-{m}-{y}-{b}",
        "{a} - {b}",
        "fnr: {n}.",
        "Kandidat {a} {b} har startet",
        "x{n}y",
    ],
)
def test_numbers_are_found_however_they_are_written(number: str, written: str) -> None:
    text = written.format(
        n=number, a=number[:6], b=number[6:], d=number[:2], m=number[2:4], y=number[4:6]
    )
    assert holds_identity_number(text), text


@pytest.mark.parametrize(
    "text",
    [
        WRONG_CHECK_DIGIT,
        FNR[:10],
        "9" + FNR,  # a longer run is not an identity number
        FNR + "0",
        f"{FNR[:6]}/{FNR[6:]}",  # a slash separates: two runs
        f"{FNR[:6]}_{FNR[6:]}",
        "+47 412 34 567",
        "2026-10-05T09:30:00+02:00",
        "0b8f6c1e-5d1a-4c55-9a57-1f0c2a9e7d01",
        "974760673",
        "",
        "٠١٠١٥٥٦٠٠٤١",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_other_strings_are_not_identity_numbers(text: str) -> None:
    assert not holds_identity_number(text)


def test_finds_the_path_in_nested_objects_and_lists_but_not_in_keys() -> None:
    event = {"data": {"list": ["a", {"deep": f"ref {FNR}"}]}, FNR: "key only"}
    assert find_identity_number(event) == ("data", "list", 1, "deep")
    assert find_identity_number({FNR: "x", "n": 1510869508}) is None


def test_numbers_in_json_numbers_are_not_string_values() -> None:
    assert find_identity_number(orjson.loads(f'{{"a": {FNR}}}')) is None


def test_the_raw_text_check_sees_numbers_in_strings_and_behind_escapes() -> None:
    assert may_hold_identity_number(orjson.dumps({"a": f"{FNR[:6]} {FNR[6:]}"}))
    escaped = "".join(f"\\u{ord(c):04x}" for c in FNR)
    assert may_hold_identity_number(f'{{"a": "{escaped}"}}'.encode())
    assert not may_hold_identity_number(orjson.dumps({"a": WRONG_CHECK_DIGIT, "b": "+4741234567"}))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(alphabet='0123456789 .-ab/\\"é'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


@given(json_values, st.sampled_from([FNR, D_NUMBER, WRONG_CHECK_DIGIT, ""]))
def test_the_raw_text_check_never_misses_what_the_walk_finds(value: object, number: str) -> None:
    value = [value, f"{number[:6]} {number[6:]}"]
    raw = orjson.dumps(value)
    if find_identity_number(value) is not None:
        assert may_hold_identity_number(raw)
        assert may_hold_identity_number(raw.decode())
