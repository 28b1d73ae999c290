"""Writes the JSON Schema and AsyncAPI files generated from the contract models.

``python -m enkontakt.schemas.generate`` (or ``enkontakt schemas``) rewrites
``enkontakt/schemas/json/*.schema.json`` and ``enkontakt/schemas/asyncapi.json``;
with ``--check`` it changes nothing and exits 1 when the committed files are stale.
The output is deterministic: sorted keys, two-space indent, a final newline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from enkontakt.schemas.asyncapi import asyncapi_document
from enkontakt.schemas.events import EVENT_ENVELOPES
from enkontakt.schemas.outputs import Alert, EmployerNotice, View

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "json"
ASYNCAPI_PATH = HERE / "asyncapi.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    "view": View,
    "alert": Alert,
    "employer-notice": EmployerNotice,
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The standalone JSON Schema (draft 2020-12) of one model."""
    return {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode="validation")}


def generated_files() -> dict[Path, str]:
    """Every generated file's path and content: one schema per event type and output."""
    models = {**EVENT_ENVELOPES, **OUTPUT_MODELS}
    files = {
        SCHEMA_DIR / f"{name}.schema.json": render(json_schema(m)) for name, m in models.items()
    }
    files[ASYNCAPI_PATH] = render(asyncapi_document())
    return files


def render(document: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, indent 2, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_files() -> list[Path]:
    """Generated files missing or out of date, and schema files no model produces."""
    files = generated_files()
    stale = [path for path, text in files.items() if _read(path) != text]
    return sorted(stale + _orphans(files))


def write_files() -> list[Path]:
    """Rewrite the files that changed, delete orphaned schema files; return what changed."""
    files = generated_files()
    SCHEMA_DIR.mkdir(exist_ok=True)
    changed = [path for path, text in files.items() if _read(path) != text]
    for path in changed:
        path.write_text(files[path], encoding="utf-8")
    orphans = _orphans(files)
    for path in orphans:
        path.unlink()
    return sorted(changed + orphans)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def _orphans(files: dict[Path, str]) -> list[Path]:
    return [path for path in SCHEMA_DIR.glob("*.schema.json") if path not in files]


def run(args: argparse.Namespace) -> int:
    """Write the generated files, or with ``--check`` report stale ones (exit 1)."""
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(HERE.parent.parent)}", file=sys.stderr)
        if stale:
            print("Run `enkontakt schemas` to regenerate.", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files():
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``enkontakt schemas [--check]``."""
    parser = subparsers.add_parser(
        "schemas", help="regenerate the JSON Schema and AsyncAPI files from the models"
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the files are stale"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m enkontakt.schemas.generate``."""
    parser = argparse.ArgumentParser(prog="python -m enkontakt.schemas.generate")
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
