"""Helpers for the API tests: tokens, seeded projections and a real server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import uvicorn
from fastapi import FastAPI

from enkontakt.projection.store import Projection
from tests.projection import samples as s

SECRET = "test-secret-of-at-least-thirty-two-characters"
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
CASELOAD = s.alert(
    "caseload-1",
    rule="caseload-high",
    orgnr=None,
    inquiry_id=None,
    severity="warning",
    person=s.person("Per Travel"),
    summary="One person follows more than 30 candidates.",
)


def token(
    roles: list[str],
    units: list[str] | None = None,
    orgnr: str | None = None,
    secret: str = SECRET,
    **claims: Any,
) -> str:
    """An HS256 token with our claims, valid for an hour."""
    body: dict[str, Any] = {
        "sub": claims.pop("sub", "Z990001"),
        "roles": roles,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    if units is not None:
        body["units"] = units
    if orgnr is not None:
        body["orgnr"] = orgnr
    return jwt.encode(body | claims, secret, algorithm="HS256")


def bearer(value: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {value}"}


SUPERVISOR = token(["supervisor"], units=["1902"])
EMPLOYER = token(["employer"], orgnr=s.ORGNR_A, sub="employer-a")


def seed(projection: Projection) -> None:
    """Employers A and B in unit 1902, C in 0301, and alerts in both units."""
    projection.write_views(
        [
            s.view(s.ORGNR_A, contact_persons_30d=2),
            s.view(s.ORGNR_B, contact_persons_30d=5, open_inquiries=[]),
            s.view(s.ORGNR_C, unit="0301", contact_persons_30d=9),
        ]
    )
    projection.write_notices(
        [s.notice(), s.notice(at="2026-10-19T00:00:00+02:00", contact_person=None)]
    )
    projection.write_alerts(
        [
            s.alert("overdue-a"),
            s.alert(
                "absent-b",
                rule="contact-person-absent",
                orgnr=s.ORGNR_B,
                inquiry_id=None,
                severity="warning",
                summary="The assigned contact person is away and no deputy is named.",
            ),
            s.alert("resolved-a", status="resolved", ends_at="2026-10-13T08:00:00+02:00"),
            s.alert("overdue-c", orgnr=s.ORGNR_C, unit="0301", summary="Unit 0301 only."),
            CASELOAD,
        ]
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free local port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
