"""docs/configuration.md is generated from every settings class and is current."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from enkontakt import settings_docs
from enkontakt.settings import Profile, environment_variable
from tests.deploy.conftest import ROOT


def _settings_classes_in_source() -> set[str]:
    """Names of the public classes in enkontakt/ that derive from BaseSettings."""
    bases: dict[str, set[str]] = {}
    for path in (ROOT / "enkontakt").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"BaseSettings"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return {name for name in found if not name.startswith("_")} - {"BaseSettings"}
        found |= more


def test_the_committed_document_is_current() -> None:
    assert settings_docs.main(["--check"]) == 0, "run: python -m enkontakt.settings_docs"


def test_a_stale_document_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text(settings_docs.render().replace("`12`", "`8`"), encoding="utf-8")
    monkeypatch.setattr(settings_docs, "DOCUMENT", stale)
    assert settings_docs.main(["--check"]) == 1
    assert settings_docs.main([]) == 0
    assert settings_docs.main(["--check"]) == 0


def test_every_settings_class_has_a_section() -> None:
    documented = {part.settings.__name__ for part in settings_docs.SECTIONS}
    assert documented == _settings_classes_in_source()


def test_every_variable_appears_with_its_description() -> None:
    text = settings_docs.render()
    for part in settings_docs.SECTIONS:
        for field in part.settings.model_fields.values():
            assert f"`{environment_variable(field)}`" in text
            assert (field.description or "").replace("|", "\\|") in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "(unset)"),
        (True, "`true`"),
        (False, "`false`"),
        ("", '`""`'),
        ((), "(none)"),
        (("a:1", "b:2"), "`a:1,b:2`"),
        (Profile.PRODUCTION, "`production`"),
        (12, "`12`"),
        (timedelta(hours=24), "24 h"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(seconds=10), "10 s"),
        (timedelta(seconds=1.5), "1.5 s"),
    ],
)
def test_defaults_are_written_as_an_operator_sets_them(value: object, shown: str) -> None:
    assert settings_docs.format_default(value) == shown
