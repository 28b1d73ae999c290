"""The `enkontakt` command: one sub-command per module listed in COMMANDS.

Each module named here exposes ``register(subparsers)``, which adds its
sub-command(s) and sets ``func`` on the parser to a callable taking the parsed
arguments and returning the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: tuple[str, ...] = (
    "enkontakt.replay_cli",
    "enkontakt.generate",
    "enkontakt.api.cli",
    "enkontakt.schemas.generate",
    "enkontakt.kafka.broker",
    "enkontakt.services.coordinator.app",
    "enkontakt.services.notifier.app",
    "enkontakt.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enkontakt",
        description="Én kontakt: one contact person per employer.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    status: int = func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
