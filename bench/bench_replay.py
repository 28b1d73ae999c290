"""Replay benchmark: how fast ``enkontakt replay`` folds a corpus, against the floor.

For each corpus size this script generates a deterministic corpus with
``enkontakt.generate`` (ten events per employer: 1M events over 100k
employers), runs ``enkontakt replay FILE --out DIR`` as a child process and
measures its wall time and peak resident memory, then measures on the same
file how fast plain ``json.loads`` and ``orjson.loads`` get through the lines.
``json.loads`` is the floor no parser-based design can beat; the last column
says how many times longer the replay takes.

    python bench/bench_replay.py                       # 10k, 100k and 1M events
    python bench/bench_replay.py --sizes 10000 --generate-only
    python bench/bench_replay.py --sizes 100000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from enkontakt.generate import OSLO, generate_events, write_events

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
START = datetime(2026, 1, 5, tzinfo=OSLO)


@dataclass(frozen=True, slots=True)
class Corpus:
    """A generated JSON Lines file of events."""

    path: Path
    events: int
    employers: int


@dataclass(frozen=True, slots=True)
class ReplayRun:
    """One child ``enkontakt replay``: its exit status, wall time and peak memory."""

    status: int
    seconds: float
    peak_rss_kib: int
    stderr: str


def employers_for(events: int) -> int:
    """Ten events per employer, at least a hundred employers."""
    return max(100, events // 10)


def corpus(out: Path, events: int, employers: int, seed: int, regenerate: bool) -> Corpus:
    """The corpus for ``events``, generated unless an identical one is already there."""
    path = out / f"events-{events}-employers-{employers}-seed-{seed}.jsonl"
    if path.exists() and not regenerate:
        print(f"reusing {path.name}", file=sys.stderr)
        return Corpus(path, events, employers)
    out.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    started = time.perf_counter()
    stream = generate_events(
        employers=employers,
        events=events,
        seed=seed,
        start=START,
        days=180,
        duplicate_rate=0.05,
        redelivery_rate=0.02,
    )
    with partial.open("wb") as sink:
        write_events(stream, sink)
    partial.replace(path)
    seconds = time.perf_counter() - started
    print(
        f"generated {path.name}: {events / seconds:,.0f} events/s, "
        f"{path.stat().st_size / 2**20:,.0f} MiB",
        file=sys.stderr,
    )
    return Corpus(path, events, employers)


def replay_command(path: Path, out: Path) -> list[str]:
    """The command line of a replay of ``path`` into ``out``."""
    return [sys.executable, "-m", "enkontakt.cli", "replay", str(path), "--out", str(out)]


def run_replay(path: Path, out: Path) -> ReplayRun:
    """Run a replay as a child and take its own resource usage (not the sum of children)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            replay_command(path, out), stdout=subprocess.DEVNULL, stderr=errors
        )
        _, wait_status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(wait_status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    return ReplayRun(child.returncode, seconds, usage.ru_maxrss, stderr)


def parse_rate(path: Path, loads: Callable[[bytes], Any]) -> float:
    """Lines per second that ``loads`` parses, reading the file as the replay does."""
    count = 0
    started = time.perf_counter()
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                loads(line)
                count += 1
    return count / (time.perf_counter() - started)


def start_up(work: Path) -> float:
    """Seconds a replay of an empty file takes: interpreter start and imports."""
    empty = work / "empty.jsonl"
    empty.write_bytes(b"")
    return run_replay(empty, work / "replay-empty").seconds


def measure(item: Corpus, work: Path, startup: float) -> list[str]:
    """One table row: the replay of ``item`` and the parse floors on the same file."""
    run = run_replay(item.path, work / f"replay-{item.events}")
    json_rate = parse_rate(item.path, json.loads)
    orjson_rate = parse_rate(item.path, orjson.loads)
    if run.status != 0:
        tail = run.stderr.strip().splitlines()[-1:] or ["no output"]
        print(f"replay of {item.path.name} exited {run.status}: {tail[0]}", file=sys.stderr)
        replay_cells = ["failed", "", "", "", ""]
    else:
        rate = item.events / run.seconds
        net = item.events / max(run.seconds - startup, 1e-9)
        json_seconds = item.events / json_rate
        replay_cells = [
            f"{rate:,.0f}",
            f"{net:,.0f}",
            f"{1e6 / rate:,.1f}",
            f"{run.peak_rss_kib / 1024:,.0f}",
            f"{run.seconds / json_seconds:,.1f}x",
        ]
    return [
        f"{item.events:,}",
        f"{item.employers:,}",
        *replay_cells[:4],
        f"{json_rate:,.0f}",
        f"{orjson_rate:,.0f}",
        replay_cells[4],
    ]


HEADER = [
    "events",
    "employers",
    "replay events/s",
    "events/s after start-up",
    "µs/event",
    "peak RSS MiB",
    "json.loads events/s",
    "orjson.loads events/s",
    "replay time / json.loads time",
]


def markdown(rows: Sequence[Sequence[str]]) -> str:
    """A markdown table of ``rows`` under HEADER."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def profile(item: Corpus, work: Path, sort: str, top: int) -> None:
    """Replay ``item`` in this process under cProfile and print the top functions."""
    from enkontakt.cli import main

    profiler = cProfile.Profile()
    profiler.enable()
    status = main(["replay", str(item.path), "--out", str(work / f"profile-{item.events}")])
    profiler.disable()
    print(f"## profile of {item.events:,} events (exit status {status}, sorted by {sort})")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(sort).print_stats(top)


def sizes(text: str) -> list[int]:
    """A comma-separated list of corpus sizes, such as ``10000,100000``."""
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated event counts (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--employers", type=int, help="employers per corpus (default: a tenth of the events)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=OUT)
    parser.add_argument(
        "--regenerate", action="store_true", help="generate corpora again even if present"
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="replay in-process under cProfile instead of timing a child",
    )
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--top", type=int, default=25)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the corpora, then time (or profile) the replays."""
    args = arguments(argv)
    corpora = [
        corpus(args.out_dir, n, args.employers or employers_for(n), args.seed, args.regenerate)
        for n in args.sizes
    ]
    if args.generate_only:
        return 0
    work = args.out_dir / "runs"
    work.mkdir(parents=True, exist_ok=True)
    if args.profile:
        for item in corpora:
            profile(item, work, args.sort, args.top)
        return 0
    startup = start_up(work)
    rows = [measure(item, work, startup) for item in corpora]
    print(
        f"replay start-up (empty file): {startup:.2f} s; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
