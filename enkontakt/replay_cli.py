"""``enkontakt replay EVENTS [--now T] [--out DIR]`` (CONTRACT §5)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

import orjson

from enkontakt.replay import Replay, UsageError, compact
from enkontakt.schemas.base import parse_rfc3339
from enkontakt.services.coordinator.facts import to_us
from enkontakt.services.rules_config import RuleConfig

if TYPE_CHECKING:
    from enkontakt.projection.store import Projection

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
    """An RFC 3339 time with offset, as µs (the form of an event's ``time``);
    UsageError otherwise."""
    moment = parse_rfc3339(text)
    if moment is None:
        raise UsageError(
            "--now must be an RFC 3339 time with an offset, e.g. 2026-11-26T12:00:00+01:00"
        )
    return to_us(moment)


def config_from(args: argparse.Namespace) -> RuleConfig:
    """The rule configuration with the thresholds given on the command line."""
    given = {name: getattr(args, name) for name in THRESHOLDS if getattr(args, name) is not None}
    for name, value in given.items():
        if value < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    return RuleConfig(**given)


def run(args: argparse.Namespace) -> int:
    """Replay the file; 0 when it was read, 2 on a usage error.

    Run as the ``enkontakt replay`` command (``args.as_command``, set by
    ``cli.main``), the process ends here once every
    output file is written and closed, without freeing the replay's state object
    by object (which takes several per cent of a large replay). Called in-process,
    e.g. through ``cli.main`` from a test, it returns the status.
    """
    # The fold allocates many small, long-lived objects and makes no reference
    # cycles of its own: cyclic garbage collection over a growing heap costs more
    # than the replay itself on large files, so it is paused while the file is
    # read (reference counting still frees everything that is dropped).
    gc.disable()
    try:
        # The replay is held here, so that ending the process frees nothing.
        status, _held = _replay(args)
        if getattr(args, "as_command", False):
            _end_process(status)
    finally:
        gc.enable()
    return status


def _replay(args: argparse.Namespace) -> tuple[int, Replay | None]:
    """Replay and write every output; the exit status and the replay (kept alive)."""
    try:
        now = parse_now(args.now) if args.now else None
        config = config_from(args)
        out = _output_folder(args.out)
        replay = Replay(config)
        with _open(args.events) as stream:
            replay.feed(_lines(stream))
        now = replay.close(now)
    except UsageError as exc:
        print(f"enkontakt replay: {exc}", file=sys.stderr)
        return 2, None
    projection = None
    if args.database_url:
        from enkontakt.projection.store import Projection

        projection = Projection(args.database_url)
        projection.upgrade()
    try:
        summary, firing, views = write(replay, now, out, projection)
    finally:
        if projection is not None:
            projection.close()
    s = summary
    print(
        f"replayed {s['received']} events: {s['applied']} applied, {s['duplicates']} duplicates, "
        f"{s['rejected']} rejected; {views} views, {firing} alerts firing -> {args.out}",
        file=sys.stderr,
    )
    return 0, replay


def _output_folder(name: str) -> Path:
    """The output folder, checked before the file is read (made when written):
    a path that cannot become a writable folder is a usage error."""
    out = Path(name)
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out {name}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {name}: {existing} is not writable")
    return out


def _end_process(status: int) -> NoReturn:
    """End the process now, with every output already written and closed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


class _open:
    """The events file, or standard input for ``-``; UsageError when missing."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stream: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if self.name == "-":
            return sys.stdin.buffer
        try:
            self.stream = open(self.name, "rb")
        except OSError as exc:
            raise UsageError(f"cannot read {self.name}: {exc.strerror}") from None
        return self.stream

    def __exit__(self, *_: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    yield from stream


def write(
    replay: Replay, now: int | None, out: Path, projection: Projection | None = None
) -> tuple[dict[str, int], int, int]:
    """Write the five output files into ``out``, views one employer at a time, and
    the same outputs to the SQL projection if one is given (derived once for both);
    returns the summary, the number of firing alerts and of views."""
    out.mkdir(parents=True, exist_ok=True)
    batch: list[dict[str, Any]] = []
    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    alerts: list[tuple[tuple[str, str, int], bytes]] = []
    firing = 0
    views = 0
    contacts = 0
    with (out / "views.json").open("wb") as stream:
        stream.write(b"[")

        def on_view(view: dict[str, Any]) -> None:
            nonlocal views
            stream.write(b"\n" if views == 0 else b",\n")
            stream.write(orjson.dumps(view, option=orjson.OPT_INDENT_2))
            views += 1
            if projection is not None:
                batch.append(view)
                if len(batch) >= 1000:
                    projection.write_views(batch)
                    batch.clear()

        def on_alert(key: tuple[str, str, int], alert: dict[str, Any]) -> None:
            nonlocal firing
            firing += alert["status"] == "firing"
            alerts.append((key, compact(alert, orjson.OPT_INDENT_2)))

        if now is not None:
            contacts = replay.derive(now, on_view, on_alert)
        stream.write(b"\n]\n" if views else b"]\n")
    alerts.sort(key=lambda pair: pair[0])
    if projection is not None:
        projection.write_views(batch)
        projection.write_alerts(orjson.loads(a) for _, a in alerts)
        projection.write_notices(orjson.loads(n) for n in replay.notices)
    _write_array(out / "alerts.json", (a for _, a in alerts))
    _write_array(
        out / "notices.json",
        (orjson.dumps(orjson.loads(n), option=orjson.OPT_INDENT_2) for n in replay.notices),
    )
    summary = replay.summary(contacts)
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=options))
    rejected = b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in replay.rejected)
    (out / "rejected.jsonl").write_bytes(rejected)
    return summary, firing, views


def _write_array(path: Path, items: Iterator[bytes]) -> None:
    with path.open("wb") as stream:
        first = True
        stream.write(b"[")
        for item in items:
            stream.write(b"\n" if first else b",\n")
            stream.write(item)
            first = False
        stream.write(b"]\n" if first else b"\n]\n")
