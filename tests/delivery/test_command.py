"""``enkontakt deliver`` as a user runs it, configured by the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from enkontakt.projection.store import Projection
from tests.delivery.receiver import Receiver
from tests.projection import samples as s
from tests.projection.databases import sqlite_url

pytestmark = pytest.mark.timeout(60)


def deliver(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "enkontakt.cli", "deliver", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=os.environ | env,
        check=False,
    )


def test_one_round_delivers_to_the_configured_receiver(tmp_path: Path, receiver: Receiver) -> None:
    url = sqlite_url(tmp_path)
    projection = Projection(url)
    projection.upgrade()
    projection.write_alerts([s.alert("a")])
    projection.close()
    webhooks = [{"name": "ops", "url": receiver.url, "secret": receiver.secret}]
    result = deliver(
        "--once", "--database-url", url, env={"ENKONTAKT_WEBHOOKS": json.dumps(webhooks)}
    )
    assert result.returncode == 0, result.stderr
    assert receiver.groups() == [('{}:{unit="1902"}', [("a", "firing")])]
    assert receiver.signature_ok(receiver.received[0])
    assert receiver.secret not in result.stdout + result.stderr
    again = deliver(
        "--once", "--database-url", url, env={"ENKONTAKT_WEBHOOKS": json.dumps(webhooks)}
    )
    assert again.returncode == 0
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("webhooks", "message"),
    [
        ("[]", "names no receiver"),
        ('[{"name": "ops", "url": "not a url", "secret": "0123456789abcdef"}]', "url"),
        ('[{"name": "ops", "url": "http://127.0.0.1/", "secret": "short"}]', "secret"),
    ],
)
def test_a_bad_receiver_configuration_is_a_usage_error(
    tmp_path: Path, webhooks: str, message: str
) -> None:
    result = deliver(
        "--once", "--database-url", sqlite_url(tmp_path), env={"ENKONTAKT_WEBHOOKS": webhooks}
    )
    assert result.returncode == 2
    assert message in result.stderr
