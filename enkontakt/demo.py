"""``enkontakt demo``: the whole system on the embedded default.

Starts the embedded Kafka broker, creates the topics, starts a coordinator, a
notifier, the SQL projector and the API with its dashboard (each its own
process, as in production), feeds the sample story built from the research
(``enkontakt.story``), and shows progress and a live summary until Ctrl-C, which
stops everything cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from enkontakt.kafka.broker import EmbeddedBroker, free_port
from enkontakt.kafka.topics import ensure_topics
from enkontakt.settings import KafkaSettings, load_settings
from enkontakt.story import story_events

DEMO_SECRET = "enkontakt-demo-secret-not-for-production"


def register(subparsers: Any) -> None:
    """Add ``enkontakt demo``."""
    parser = subparsers.add_parser(
        "demo", help="run everything on the embedded default, with a sample story"
    )
    parser.add_argument("--api-port", type=int, default=8080, help="port of the API and dashboard")
    parser.add_argument(
        "--extra-events",
        type=int,
        default=0,
        help="also feed this many generated events (enkontakt generate)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="stop by itself after this many seconds (default: run until Ctrl-C)",
    )
    parser.add_argument(
        "--data-dir", help="where state and logs go (default: a new temporary folder)"
    )
    parser.set_defaults(func=run)


@dataclass(slots=True)
class Summary:
    """What the demo has seen on the output topics."""

    sent: int = 0
    views: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    notices: int = 0
    rejected: int = 0

    def line(self) -> str:
        """One line: events, views, alerts firing by rule."""
        firing = Counter(a["rule"] for a in self.alerts.values() if a["status"] == "firing")
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(firing.items())) or "none"
        return (
            f"events sent {self.sent} (rejected {self.rejected}) | views {len(self.views)} | "
            f"notices {self.notices} | alerts firing: {rules}"
        )


def run(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl-C (or ``--duration``)."""
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="enkontakt-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"Én kontakt demo — state and logs in {data_dir}")
    stop = _stop_on_signals()
    with EmbeddedBroker(log_path=data_dir / "broker.log") as broker:
        print(f"  broker        {broker.bootstrap} (embedded tansu, in memory)")
        env = _environment(broker.bootstrap, data_dir)
        os.environ.update(env)
        asyncio.run(ensure_topics(load_settings(KafkaSettings)))
        processes = _start_services(args, env, data_dir)
        try:
            _wait_ready(processes, stop)
            events = _events(args)
            _print_sign_in(args.api_port, events)
            asyncio.run(_feed_and_watch(broker.bootstrap, events, args, stop))
        finally:
            _stop_services(processes)
    print("stopped")
    return 0


def _stop_on_signals() -> dict[str, bool]:
    flag = {"stop": False}

    def handler(signum: int, frame: Any) -> None:
        flag["stop"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return flag


def _environment(bootstrap: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BROKERS": bootstrap,
        "ENKONTAKT_PROFILE": "embedded",
        "ENKONTAKT_DATA_DIR": str(data_dir / "state"),
        "ENKONTAKT_PARTITIONS": "4",
        "ENKONTAKT_DATABASE_URL": f"sqlite:///{data_dir / 'enkontakt.sqlite'}",
        "ENKONTAKT_JWT_SECRET": DEMO_SECRET,
    }


@dataclass(slots=True)
class Service:
    """One child process of the demo."""

    name: str
    process: subprocess.Popen[bytes]
    ready_url: str | None
    log: Path


def _start_services(args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> list[Service]:
    command = [sys.executable, "-m", "enkontakt.cli"]
    coordinator, notifier = free_port(), free_port()
    plan = [
        (
            "coordinator",
            ["coordinator", "--store", "memory://", "--web-port", str(coordinator)],
            f"http://127.0.0.1:{coordinator}/isready",
        ),
        (
            "notifier",
            ["notifier", "--store", "memory://", "--web-port", str(notifier)],
            f"http://127.0.0.1:{notifier}/isready",
        ),
        ("projector", ["project"], None),
        ("api", ["api", "--port", str(args.api_port)], f"http://127.0.0.1:{args.api_port}/isready"),
    ]
    services = []
    for name, arguments, ready in plan:
        log = data_dir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, *arguments],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        services.append(Service(name, process, ready, log))
        print(f"  {name:<13} started (log: {log})")
    return services


def _wait_ready(services: list[Service], stop: dict[str, bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = [s for s in services if s.ready_url is not None]
    while waiting and not stop["stop"]:
        for service in list(waiting):
            if service.process.poll() is not None:
                raise SystemExit(f"{service.name} stopped at start-up; see {service.log}")
            if _answers(str(service.ready_url)):
                waiting.remove(service)
                print(f"  {service.name:<13} ready")
        if time.monotonic() > deadline:
            names = ", ".join(s.name for s in waiting)
            raise SystemExit(f"not ready after {timeout:.0f} s: {names}")
        time.sleep(0.5)


def _answers(url: str) -> bool:
    """True when GET ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _print_sign_in(api_port: int, events: list[dict[str, Any]]) -> None:
    from enkontakt.api.auth import demo_tokens, sign_in_url

    units = sorted(
        {
            actor["id"]
            for e in events
            for actor in (e["data"].get("actor"), (e["data"].get("deputy") or {}).get("actor"))
            if actor and actor["type"] != "measure_provider"
        }
    )
    employer = next(
        (e["data"]["employer"] for e in events if e["data"].get("deputy")),
        next(e["data"]["employer"] for e in events if "employer" in e["data"]),
    )
    base = f"http://127.0.0.1:{api_port}"
    tokens = demo_tokens(DEMO_SECRET, units=units, orgnr=employer["orgnr"])
    print(f"\nDashboard: {base}/")
    print(f"  sign in as a supervisor of units {', '.join(units)}:")
    print(f"    {sign_in_url(base, tokens['supervisor'])}")
    print(f"  sign in as the employer {employer.get('name', '')} ({employer['orgnr']}):")
    print(f"    {sign_in_url(base, tokens['employer'])}\n")


async def _feed_and_watch(
    bootstrap: str, events: list[dict[str, Any]], args: argparse.Namespace, stop: dict[str, bool]
) -> None:
    summary = Summary()
    watcher = asyncio.create_task(_watch(bootstrap, summary))
    try:
        await _feed(bootstrap, events, summary)
        started = time.monotonic()
        last = ""
        while not stop["stop"]:
            if args.duration is not None and time.monotonic() - started > args.duration:
                break
            line = summary.line()
            if line != last:
                print(line, flush=True)
                last = line
            await asyncio.sleep(2)
        print(summary.line())
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def _events(args: argparse.Namespace) -> list[dict[str, Any]]:
    events = story_events(datetime.now(UTC))
    if args.extra_events:
        from enkontakt.generate import generate_events

        start = datetime.now(UTC).replace(microsecond=0)
        events += list(
            generate_events(
                employers=max(10, args.extra_events // 50),
                events=args.extra_events,
                seed=1,
                start=start.replace(year=start.year - 1),
                days=300,
                duplicate_rate=0.05,
                redelivery_rate=0.02,
            )
        )
    return events


async def _feed(bootstrap: str, events: list[dict[str, Any]], summary: Summary) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for event in events:
            key = event.get("data", {}).get("employer", {}).get("orgnr")
            await producer.send(
                "enkontakt.contact-events.v1",
                orjson.dumps(event),
                key=key.encode() if key else None,
            )
            summary.sent += 1
        await producer.send(
            "enkontakt.contact-events.v1", b'{"specversion": "1.0", "note": "a broken event"}'
        )
        summary.sent += 1
        await producer.flush()
    finally:
        await producer.stop()
    print(f"fed {summary.sent} events (the research story, one broken event)")


async def _watch(bootstrap: str, summary: Summary) -> None:
    topics = [
        "enkontakt.employer-views.v1",
        "enkontakt.alerts.v1",
        "enkontakt.employer-notices.v1",
        "enkontakt.contact-events.dlq.v1",
    ]
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    if tp.topic == topics[0]:
                        summary.views[record.key or b""] = orjson.loads(record.value or b"{}")
                    elif tp.topic == topics[1]:
                        alert = orjson.loads(record.value or b"{}")
                        summary.alerts[alert.get("alert_id", "").encode()] = alert
                    elif tp.topic == topics[2]:
                        summary.notices += 1
                    else:
                        summary.rejected += 1
    finally:
        await consumer.stop()


def _stop_services(services: list[Service]) -> None:
    for service in services:
        if service.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.process.pid, signal.SIGTERM)
    for service in services:
        try:
            service.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()
        print(f"  {service.name:<13} stopped")
