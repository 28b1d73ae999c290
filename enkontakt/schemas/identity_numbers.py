"""Finding Norwegian national identity numbers in string values (CONTRACT §6).

A string holds one when, after removing spaces, dots and hyphens between digits,
one of its maximal runs of digits is exactly 11 digits long and is a valid
fødselsnummer or D-number by python-stdnum's rules (both check digits, and a
birth date that exists; ``stdnum.no.fodselsnummer`` subtracts 40 from the day of
a D-number). A sequence of several separators between two digits joins them too.
Only ASCII digits count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.no import fodselsnummer

Path = tuple[str | int, ...]

_RUN = re.compile(r"[0-9]+(?:[ .\-]+[0-9]+)*")
_ZEROS = re.compile(rb"0+")
_SEPARATORS = str.maketrans("", "", " .-")
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_ELEVEN_DIGITS = b"0" * 11
_NOT_IN_SHAPE = b" .-\t\n\r"


def holds_identity_number(text: str) -> bool:
    """True when a maximal digit run of ``text`` is a valid fødselsnummer or D-number."""
    if len(text) < 11 or not _has_eleven_digit_run(text.encode("utf-8", "surrogatepass")):
        return False
    for run in _RUN.findall(text):
        if len(run) >= 11:
            digits = run.translate(_SEPARATORS)
            if len(digits) == 11 and fodselsnummer.is_valid(digits):
                return True
    return False


def find_identity_number(value: object) -> Path | None:
    """The path to a string value (in nested dicts and lists) holding an identity number.

    Keys are not scanned. Returns None when no string value holds one.
    """
    stack: list[tuple[object, Path]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if holds_identity_number(item):
                return path
        elif isinstance(item, dict):
            stack.extend((child, (*path, key)) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    return None


def may_hold_identity_number(json_text: bytes | str, shape: bytes | None = None) -> bool:
    """False only when no string value parsed from ``json_text`` can hold an identity number.

    A cheap pre-check on the raw JSON text. Removing every space, dot and hyphen
    from the text joins exactly the digits that the rule joins inside a string,
    while quotes keep strings apart; only ``\\u`` escapes can hide digits.
    ``shape`` is ``digit_shape`` of the same text, if the caller has it.
    """
    raw = json_text.encode("utf-8", "surrogatepass") if isinstance(json_text, str) else json_text
    if b"\\" in raw and b"\\u" in raw:
        return True
    if _ELEVEN_DIGITS not in (digit_shape(raw) if shape is None else shape):
        return False
    return any(fodselsnummer.is_valid(run) for run in _eleven_digit_runs(raw))


def digit_shape(raw: bytes) -> bytes:
    """``raw`` with every digit written ``0`` and spaces, dots, hyphens and JSON whitespace removed.

    Eleven ``0`` in a row show where an identity number may be. Removing JSON
    whitespace (tab, line feed, carriage return, space) joins no two digits in
    valid JSON, and it joins every member name to its colon: each name then
    ends in ``":``.
    """
    return raw.translate(_DIGITS_AS_ZERO, _NOT_IN_SHAPE)


def _eleven_digit_runs(raw: bytes) -> Iterator[str]:
    """Every maximal run of exactly 11 digits once spaces, dots and hyphens are removed."""
    joined = raw.translate(None, b" .-")
    shape = joined.translate(_DIGITS_AS_ZERO)
    start = shape.find(_ELEVEN_DIGITS)
    while start != -1:
        run = _ZEROS.match(shape, start)
        end = run.end() if run else start + 11
        if end - start == 11:
            yield joined[start:end].decode("ascii")
        start = shape.find(_ELEVEN_DIGITS, end)


def _has_eleven_digit_run(raw: bytes) -> bool:
    return _ELEVEN_DIGITS in raw.translate(_DIGITS_AS_ZERO, b" .-")
