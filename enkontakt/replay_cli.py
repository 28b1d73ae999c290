"""``enkontakt replay EVENTS [--now T] [--out DIR]`` (CONTRACT §5)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from enkontakt.replay import Replay, ReplayResult, UsageError
from enkontakt.services.coordinator.facts import to_us
from enkontakt.services.rules_config import RuleConfig

THRESHOLDS = {
    "response_days": "business days an inquiry may wait (default 3)",
    "urgent_response_days": "business days for urgent or end_placement inquiries (default 1)",
    "max_contact_persons": "contact persons in the window before an alert (default 3)",
    "contact_window_days": "days of the contact-persons window (default 30)",
    "follow_up_gap_days": "days without contact before follow-up-gap (default 90)",
    "most_active_days": "days in which the most active human is counted (default 90)",
    "max_caseload": "active follow-ups per person before caseload-high (default 30)",
    "retention_days": "days of history kept (default 400)",
}


def register(subparsers: Any) -> None:
    """Add the ``replay`` sub-command."""
    parser = subparsers.add_parser(
        "replay",
        help="run the rules over a JSON Lines file of events, without a broker",
        description="Run the rules over a JSON Lines file of events (- for standard input).",
    )
    parser.add_argument("events", help="JSON Lines file of CloudEvents, or - for standard input")
    parser.add_argument("--now", help="RFC 3339 time to move the clock to at the end")
    parser.add_argument("--out", default="replay-out", help="output folder (default ./replay-out)")
    parser.add_argument("--database-url", help="also write the SQL projection to this database")
    for name, meaning in THRESHOLDS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, help=meaning)
    parser.set_defaults(func=run)


def parse_now(text: str) -> int:
    """An RFC 3339 time with offset, as µs; UsageError otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--now is not an RFC 3339 time: {exc}") from None
    if moment.tzinfo is None:
        raise UsageError("--now needs a UTC offset, e.g. 2026-11-26T12:00:00+01:00")
    return to_us(moment)


def config_from(args: argparse.Namespace) -> RuleConfig:
    """The rule configuration with the thresholds given on the command line."""
    given = {name: getattr(args, name) for name in THRESHOLDS if getattr(args, name) is not None}
    for name, value in given.items():
        if value < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    return RuleConfig(**given)


def run(args: argparse.Namespace) -> int:
    """Replay the file; 0 when it was read, 2 on a usage error."""
    # The fold allocates many small, long-lived objects and makes no reference
    # cycles of its own: cyclic garbage collection over a growing heap costs more
    # than the replay itself on large files, so it is paused while the file is
    # read (reference counting still frees everything that is dropped).
    gc.disable()
    try:
        now = parse_now(args.now) if args.now else None
        config = config_from(args)
        replay = Replay(config)
        with _open(args.events) as stream:
            replay.feed(_lines(stream))
        result = replay.finish(now)
    except UsageError as exc:
        print(f"enkontakt replay: {exc}", file=sys.stderr)
        return 2
    finally:
        gc.enable()
    write(result, Path(args.out))
    if args.database_url:
        from enkontakt.projection.store import Projection

        projection = Projection(args.database_url)
        try:
            projection.upgrade()
            projection.write_views(result.views)
            projection.write_alerts(result.alerts)
            projection.write_notices(result.notices)
        finally:
            projection.close()
    s = result.summary
    print(
        f"replayed {s['received']} events: {s['applied']} applied, {s['duplicates']} duplicates, "
        f"{s['rejected']} rejected; {len(result.views)} views, "
        f"{sum(1 for a in result.alerts if a['status'] == 'firing')} alerts firing -> {args.out}",
        file=sys.stderr,
    )
    return 0


class _open:
    """The events file, or standard input for ``-``; UsageError when missing."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stream: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if self.name == "-":
            return sys.stdin.buffer
        try:
            self.stream = open(self.name, "rb")  # noqa: SIM115 - closed in __exit__
        except OSError as exc:
            raise UsageError(f"cannot read {self.name}: {exc.strerror}") from None
        return self.stream

    def __exit__(self, *_: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    yield from stream


def write(result: ReplayResult, out: Path) -> None:
    """Write the five output files into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    (out / "views.json").write_bytes(orjson.dumps(result.views, option=options))
    (out / "alerts.json").write_bytes(orjson.dumps(result.alerts, option=options))
    (out / "notices.json").write_bytes(orjson.dumps(result.notices, option=options))
    (out / "summary.json").write_bytes(orjson.dumps(result.summary, option=options))
    rejected = b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in result.rejected)
    (out / "rejected.jsonl").write_bytes(rejected)
