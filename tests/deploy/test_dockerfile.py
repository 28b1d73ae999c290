"""The Dockerfile, read as text (Docker does not run here): a pinned base, two
stages, a non-root user, one entrypoint for every command and a health check
that works without curl; and the health check script itself, run for real."""

from __future__ import annotations

import re
import runpy
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.deploy.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]
HEALTHCHECK = runpy.run_path(str(ROOT / "deploy" / "docker" / "healthcheck.py"))


def _all(keyword: str) -> list[str]:
    return [line for line in INSTRUCTIONS if line.split()[0] == keyword]


def test_the_base_image_is_python_311_slim_pinned_by_version_and_digest() -> None:
    [argument] = [a for a in _all("ARG") if a.startswith("ARG PYTHON_IMAGE=")]
    image = argument.split("=", 1)[1]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", image)
    assert _all("FROM") == ["FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE} AS runtime"]


def test_the_runtime_installs_the_built_wheels_only() -> None:
    runtime = INSTRUCTIONS[INSTRUCTIONS.index("FROM ${PYTHON_IMAGE} AS runtime") :]
    assert not any("build-essential" in line for line in runtime)
    assert any("pip install --no-index" in line and "from=build" in line for line in runtime)
    assert any('pip wheel --wheel-dir /wheels ".[rocksdb]"' in line for line in INSTRUCTIONS)


def test_it_runs_as_a_non_root_user_with_one_entrypoint() -> None:
    [user] = _all("USER")
    uid = user.split()[1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000
    order = [line.split()[0] for line in INSTRUCTIONS]
    assert order.index("USER") < order.index("ENTRYPOINT")
    assert _all("ENTRYPOINT") == ['ENTRYPOINT ["enkontakt"]']


def test_the_health_check_runs_the_script_with_python() -> None:
    [check] = _all("HEALTHCHECK")
    assert 'CMD ["python", "/usr/local/lib/enkontakt/healthcheck.py"]' in check
    assert any(
        "deploy/docker/healthcheck.py /usr/local/lib/enkontakt/healthcheck.py" in line
        for line in _all("COPY")
    )
    assert "curl" not in DOCKERFILE


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "**"  # everything out, then let in what the image needs:
    for source in ("pyproject.toml", "README.md", "enkontakt/", "deploy/docker/"):
        assert f"!{source}" in ignore
        assert (ROOT / source).exists()
    for line in _all("COPY"):
        if "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/isalive" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_health_check_passes_on_200_only(server: ThreadingHTTPServer) -> None:
    healthy = HEALTHCHECK["healthy"]
    url = f"http://127.0.0.1:{server.server_address[1]}"
    assert healthy(f"{url}/isalive")
    assert not healthy(f"{url}/elsewhere")
    _Health.status = 503
    try:
        assert not healthy(f"{url}/isalive")
    finally:
        _Health.status = 200
    server.shutdown()
    server.server_close()
    assert not healthy(f"{url}/isalive", timeout=1)
    assert healthy("off")
