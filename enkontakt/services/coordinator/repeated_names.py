"""Finding a member name written twice in one object of a JSON text.

JSON parsers keep one of the values of a repeated name (orjson and pydantic-core
the last) and drop the other unseen, so a repeated name could carry text past
every check while the original bytes travel on. The decoder refuses such a text
as malformed JSON; this check runs on the full decoder's path only.
"""

from __future__ import annotations

import re

import orjson

__all__ = ["has_repeated_name"]

# A string, with the colon after it when it is a member name, or a brace. In a
# valid JSON text read from the start these tokens never begin inside a string.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"(?:[ \t\n\r]*:)?|[{}]', re.DOTALL)
_OPEN, _CLOSE, _COLON = ord("{"), ord("}"), ord(":")


def has_repeated_name(json_text: bytes | str) -> bool:
    """True when an object in ``json_text``, a valid JSON text, names a member twice.

    Names are compared as the strings they denote, escapes resolved.
    """
    raw = json_text.encode("utf-8", "surrogatepass") if isinstance(json_text, str) else json_text
    objects: list[set[str]] = []
    for token in _TOKENS.findall(raw):
        first = token[0]
        if first == _OPEN:
            objects.append(set())
        elif first == _CLOSE:
            objects.pop()
        elif token[-1] == _COLON:
            name = _name(token[: token.rindex(b'"') + 1])
            names = objects[-1]
            if name in names:
                return True
            names.add(name)
    return False


def _name(quoted: bytes) -> str:
    """The text of a quoted JSON string."""
    if b"\\" not in quoted:
        return quoted[1:-1].decode("utf-8", "surrogatepass")
    name: str = orjson.loads(quoted)
    return name
