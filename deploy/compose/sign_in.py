"""Print dashboard sign-in links for the events the compose demo produced.

``python sign_in.py EVENTS`` signs a supervisor token for the NAV units named in
EVENTS and an employer token for the first employer, with
``ENKONTAKT_JWT_SECRET`` (the local compose secret), and prints a link for each.
For the local setup only: production tokens come from the identity provider.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

from enkontakt.api.auth import demo_tokens, sign_in_url

BASE_URL = os.environ.get("ENKONTAKT_EXTERNAL_URL", "http://localhost:8080")


def units_and_employer(path: Path) -> tuple[list[str], str]:
    """The NAV units acting in the events, and the first employer's orgnr."""
    units: set[str] = set()
    employer = ""
    for line in path.read_bytes().splitlines():
        data = orjson.loads(line).get("data", {})
        actor = data.get("actor") or {}
        if actor.get("type") in ("nav_office", "job_specialist", "working_life_centre"):
            units.add(actor["id"])
        employer = employer or (data.get("employer") or {}).get("orgnr", "")
    return sorted(units), employer


if __name__ == "__main__":
    units, employer = units_and_employer(Path(sys.argv[1]))
    tokens = demo_tokens(os.environ["ENKONTAKT_JWT_SECRET"], units=units, orgnr=employer)
    print(f"\nDashboard: {BASE_URL}/")
    print(f"  supervisor of units {', '.join(units)}:")
    print(f"    {sign_in_url(BASE_URL, tokens['supervisor'])}")
    print(f"  employer {employer}:\n    {sign_in_url(BASE_URL, tokens['employer'])}\n")
