"""The commands as a user runs them: ``enkontakt replay --database-url``, ``enkontakt api``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from enkontakt.api.app import create_app
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.models import Alert, EmployerNotice, EmployerView
from enkontakt.projection.store import Projection
from tests.api.support import SECRET, bearer, free_port, token

pytestmark = pytest.mark.timeout(120)
ENKONTAKT = [sys.executable, "-m", "enkontakt.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENKONTAKT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=(os.environ | (env or {})),
        check=False,
    )


def snapshot(url: str) -> list[object]:
    projection = Projection(url)
    try:
        with projection.engine.connect() as connection:
            return [
                connection.execute(select(model.document).order_by(*model.__table__.primary_key))
                .scalars()
                .all()
                for model in (EmployerView, Alert, EmployerNotice)
            ]
    finally:
        projection.close()


def test_replay_fills_the_projection_the_api_serves(tmp_path: Path) -> None:
    events, out, url = tmp_path / "events.jsonl", tmp_path / "out", f"sqlite:///{tmp_path}/p.db"
    generated = run("generate", "--employers", "12", "--events", "1500", "--out", str(events))
    assert generated.returncode == 0, generated.stderr
    replayed = run("replay", str(events), "--out", str(out), "--database-url", url)
    assert replayed.returncode == 0, replayed.stderr
    views = json.loads((out / "views.json").read_text())
    alerts = json.loads((out / "alerts.json").read_text())
    first = snapshot(url)

    units = sorted({view["unit"] for view in views if view["unit"]})
    supervisor = bearer(token(["supervisor"], units=units))
    projection = Projection(url)
    settings = ApiSettings(jwt_secret=SECRET, database_url=url)
    with TestClient(create_app(settings, projection)) as client:
        for view in views:
            response = client.get(f"/api/employers/{view['orgnr']}", headers=supervisor)
            assert response.status_code == 200
            assert response.json()["contact_person"] == view["contact_person"]
        listed = client.get("/api/alerts?limit=1000", headers=supervisor).json()
        in_units = {a["alert_id"] for a in alerts if a["unit"] in units}
        assert {a["alert_id"] for a in listed} == in_units
    projection.close()

    again = run("replay", str(events), "--out", str(out), "--database-url", url)
    assert again.returncode == 0, again.stderr
    assert snapshot(url) == first


def test_the_api_command_serves_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {"ENKONTAKT_JWT_SECRET": SECRET, "ENKONTAKT_DATA_DIR": str(tmp_path)}
    env.pop("ENKONTAKT_DATABASE_URL", None)
    server = subprocess.Popen(
        [*ENKONTAKT, "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/isready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "api did not start"
            time.sleep(0.1)
        supervisor = bearer(token(["supervisor"], units=["1902"]))
        assert httpx.get(f"{base}/api/alerts", headers=supervisor).json() == []
        assert httpx.get(f"{base}/api/alerts").status_code == 401
        assert (tmp_path / "enkontakt.sqlite").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert b"Finished server process" in output
    assert SECRET.encode() not in output


def test_the_api_command_refuses_to_start_without_a_way_to_check_tokens() -> None:
    env = {"ENKONTAKT_JWT_SECRET": "", "ENKONTAKT_JWKS_URL": ""}
    result = run("api", "--port", "0", env=env)
    assert result.returncode == 2
    assert "ENKONTAKT_JWT_SECRET" in result.stderr
