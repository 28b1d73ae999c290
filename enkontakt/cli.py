"""The `enkontakt` command: the sub-commands listed in COMMANDS.

Each module named there exposes ``register(subparsers)``, which adds its
sub-command(s) and sets ``func`` on the parser to a callable taking the parsed
arguments and returning the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, str] = {
    "replay": "enkontakt.replay_cli",
    "generate": "enkontakt.generate",
    "schemas": "enkontakt.schemas.generate",
    "broker": "enkontakt.kafka.broker",
    "topics": "enkontakt.kafka.internal_topics",
    "coordinator": "enkontakt.services.coordinator.app",
    "notifier": "enkontakt.services.notifier.app",
    "api": "enkontakt.api.cli",
    "project": "enkontakt.api.cli",
    "deliver": "enkontakt.api.cli",
    "produce": "enkontakt.produce",
    "dlq": "enkontakt.dlq",
    "demo": "enkontakt.demo",
}
"""Each command and the module that registers it. Only the module of the command
being run is imported, so that a replay does not pay for the streaming stack."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: for one command, or for all (help, unknown command)."""
    parser = argparse.ArgumentParser(
        prog="enkontakt",
        description="Én kontakt: one contact person per employer.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    every = list(dict.fromkeys(COMMANDS.values()))
    for name in [COMMANDS[command]] if command in COMMANDS else every:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Without ``argv`` this is the process's own command line (the console script,
    ``python -m enkontakt.cli``): ``args.as_command`` tells a command it may end
    the process itself once its work is done.
    """
    as_command = argv is None
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    args.as_command = as_command
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    status: int = func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
