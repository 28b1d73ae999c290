"""Production token checks: RS256 tokens against a JWKS served over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from enkontakt.api.app import create_app
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.store import Projection
from tests.api.support import SECRET, bearer
from tests.projection import samples as s

ISSUER = "https://issuer.test"
AUDIENCE = "enkontakt"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    public = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [public | {"kid": "key-1", "use": "sig", "alg": "RS256"}]})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(jwks_url: str, projection: Projection, tmp_path: Path) -> Iterator[TestClient]:
    settings = ApiSettings(
        jwks_url=jwks_url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, database_url="sqlite://"
    )
    with TestClient(create_app(settings, projection)) as client:
        yield client


def signed(**changes: Any) -> str:
    claims = {
        "sub": "Z990001",
        "roles": ["supervisor"],
        "units": ["1902"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(minutes=10),
    } | changes
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "key-1"})


def test_a_token_signed_by_the_issuer_is_accepted(client: TestClient) -> None:
    response = client.get(f"/api/employers/{s.ORGNR_A}", headers=bearer(signed()))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        signed(aud="someone-else"),
        signed(iss="https://other.test"),
        jwt.encode(
            {"sub": "Z1", "roles": ["supervisor"], "units": ["1902"], "exp": 9_999_999_999},
            SECRET,
            algorithm="HS256",
            headers={"kid": "key-1"},
        ),
    ],
    ids=["wrong audience", "wrong issuer", "HS256 instead of the issuer's key"],
)
def test_other_tokens_are_401(client: TestClient, token: str) -> None:
    assert client.get("/api/alerts", headers=bearer(token)).status_code == 401
