"""Fixtures for the deployment tests: the repository's files, and (for the
integration tests) a coordinator and a notifier running as processes against an
embedded broker, exactly as ``enkontakt coordinator`` / ``notifier`` run in a
container.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic_settings import BaseSettings

from enkontakt.kafka.broker import EmbeddedBroker, free_port
from enkontakt.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[2]
_READY_TIMEOUT = 40.0


@dataclass(frozen=True)
class Services:
    """A broker with both streaming services started on it."""

    broker: EmbeddedBroker
    settings: KafkaSettings
    environment: dict[str, str]
    logs: Path


def _wait_ready(processes: dict[str, tuple[subprocess.Popen[bytes], int]], logs: Path) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT
    waiting = dict(processes)
    while waiting:
        for name, (process, port) in list(waiting.items()):
            if process.poll() is not None:
                log = (logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log}")
            url = f"http://127.0.0.1:{port}/isready"
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    del waiting[name]
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {_READY_TIMEOUT} s: {', '.join(waiting)}")
        time.sleep(0.2)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """An embedded broker, and a coordinator and a notifier that create their topics."""
    logs = tmp_path_factory.mktemp("services")
    with EmbeddedBroker(log_path=logs / "broker.log") as broker:
        environment = {
            **os.environ,
            "KAFKA_BROKERS": broker.bootstrap,
            "ENKONTAKT_PROFILE": "embedded",
            "ENKONTAKT_DATA_DIR": str(logs / "state"),
            "ENKONTAKT_PARTITIONS": "3",
            "ENKONTAKT_APP_ID": "deploytest",
            "ENKONTAKT_INTERNAL_TOPIC_PREFIX": "team.",
            "ENKONTAKT_CREATE_TOPICS": "true",
        }
        settings = KafkaSettings(
            **{k: v for k, v in environment.items() if k.startswith(("KAFKA_", "ENKONTAKT_"))}
        )
        started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for name in ("coordinator", "notifier"):
                port = free_port()
                with (logs / f"{name}.log").open("wb") as out:
                    process = subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "enkontakt.cli",
                            name,
                            "--store",
                            "memory://",
                            "--web-port",
                            str(port),
                        ],
                        env=environment,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                started[name] = (process, port)
            _wait_ready(started, logs)
            yield Services(broker, settings, environment, logs)
        finally:
            _stop([process for process, _ in started.values()])


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def settings_from(
    cls: type[SettingsT], env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
) -> SettingsT:
    """``cls`` read from exactly ``env``, as the process would read its environment."""
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "ENKONTAKT_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls()
