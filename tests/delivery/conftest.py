"""Fixtures of the delivery tests: a projection on each backend, and real receivers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from enkontakt.projection.store import Projection
from tests.delivery.receiver import Receiver
from tests.projection.databases import postgres_url, sqlite_url


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.integration),
    ]
)
def projection(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Projection]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = sqlite_url(tmp_path)
        else:
            url = stack.enter_context(postgres_url())
        projection = Projection(url)
        projection.upgrade()
        stack.callback(projection.close)
        yield projection


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(secret="receiver-secret-0123456789").start()
    yield receiver
    receiver.stop()
