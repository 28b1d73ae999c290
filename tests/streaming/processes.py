"""Service processes as a platform runs them: ``enkontakt coordinator`` and
``enkontakt notifier`` with the embedded profile, their output in log files.
``Services.stop_all`` stops every process it started.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from enkontakt.kafka.broker import free_port
from enkontakt.settings import KafkaSettings, as_environment

_STOP_GRACE_SECONDS = 15.0
_TAIL_LINES = 40


@dataclass(slots=True)
class Service:
    """One service process: its kind, web port and log file."""

    kind: str
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        """The address of a page on the service's web server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        """GET a page: status and body (status 0 when nothing answers)."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError):
            return 0, ""

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no commit, no flush."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> None:
        """Ask the process to stop (SIGTERM), as a platform does."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        """Wait for the process to exit after ``terminate``; kill it after a grace period."""
        try:
            self.process.wait(_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = _TAIL_LINES) -> str:
        """The last lines of the service's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


@dataclass(slots=True)
class Services:
    """The service processes of one test; ``stop_all`` stops every one of them."""

    settings: KafkaSettings
    directory: Path
    started: list[Service] = field(default_factory=list)

    def start(self, kind: str, name: str | None = None) -> Service:
        """Start ``enkontakt <kind>`` (coordinator or notifier) with an in-memory store."""
        name = name or f"{kind}-{sum(s.kind == kind for s in self.started) + 1}"
        port = free_port()
        log_path = self.directory / f"{name}.log"
        command = [sys.executable, "-m", "enkontakt.cli", kind]
        command += ["--store", "memory://", "--web-port", str(port)]
        environment = {**os.environ, **as_environment(self.settings)}
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        service = Service(kind, name, port, log_path, process)
        self.started.append(service)
        return service

    def wait_ready(self, *services: Service, timeout: float = 60.0) -> None:
        """Block until every service answers ``/isready`` with 200."""
        deadline = time.monotonic() + timeout
        waiting = list(services)
        while waiting:
            for service in list(waiting):
                if not service.running:
                    raise RuntimeError(f"{service.name} exited:\n{service.tail()}")
                if service.get("/isready", timeout=1.0)[0] == 200:
                    waiting.remove(service)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(s.name for s in waiting)
                raise TimeoutError(f"not ready after {timeout}s: {names}\n{self.log_tails()}")
            time.sleep(0.2)

    def stop_all(self) -> None:
        """Stop every process started here: SIGTERM to all, then wait (SIGKILL if stuck)."""
        for service in self.started:
            service.terminate()
        for service in self.started:
            service.wait_stopped()

    def log_tails(self) -> str:
        """The tail of every service's log, for a failure report."""
        return "\n\n".join(
            f"--- {s.name} ({s.log_path}), last {_TAIL_LINES} lines ---\n{s.tail()}"
            for s in self.started
        )


def assigned_partitions(log_path: Path, topic: str) -> set[int] | None:
    """The partitions of ``topic`` in the consumer group's latest assignment to a
    service, from aiokafka's "Setting newly assigned partitions" log line."""
    latest: set[int] | None = None
    pattern = re.compile(r"TopicPartition\(topic='([^']+)', partition=(\d+)\)")
    for line in log_path.read_text(errors="replace").splitlines():
        if "Setting newly assigned partitions" in line:
            latest = {int(p) for t, p in pattern.findall(line) if t == topic}
    return latest
