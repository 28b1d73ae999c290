"""Fixtures of the API tests: a seeded SQLite projection and the app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from enkontakt.api.app import create_app
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.store import Projection
from tests.api.support import NOW, SECRET, seed
from tests.projection.databases import sqlite_url


@pytest.fixture
def projection(tmp_path: Path) -> Iterator[Projection]:
    projection = Projection(sqlite_url(tmp_path))
    projection.upgrade()
    seed(projection)
    yield projection
    projection.close()


@pytest.fixture
def settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(jwt_secret=SECRET, database_url=sqlite_url(tmp_path))


@pytest.fixture
def app(settings: ApiSettings, projection: Projection) -> FastAPI:
    return create_app(settings, projection, clock=lambda: NOW)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
