"""``enkontakt replay --database-url``: a view the projection cannot store is skipped.

A NUL character is valid JSON and the replay accepts it in a name, but
PostgreSQL stores it neither in a column nor in ``jsonb``. On every backend the
view is skipped with a log line that carries no content; the command succeeds
and the other views are stored.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from enkontakt.projection.queries import ProjectionQueries
from enkontakt.projection.store import Projection
from tests import builders as b
from tests.projection import samples as s
from tests.projection.databases import postgres_url, sqlite_url

pytestmark = pytest.mark.timeout(120)


def events(path: Path) -> Path:
    """Two contacts: one at an employer whose name holds a NUL, one clean."""
    person = {"id": "T123456", "name": "Tora Veileder", "email": "tora.veileder@nav.no"}
    nul = b.contact("2026-10-05 09:30", person, orgnr=s.ORGNR_A, id="nul-1")
    nul["data"]["employer"]["name"] = "Bakeri\x00Hemmelig AS"
    clean = b.contact("2026-10-05 09:30", person, orgnr=s.ORGNR_B, id="clean-1")
    path.write_text("\n".join(b.lines(nul, clean)) + "\n")
    return path


class ReplaySuite:
    """Behaviour of the replay command on every backend of the projection."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        raise NotImplementedError

    def test_a_view_with_a_nul_character_is_skipped(
        self, tmp_path: Path, database_url: str
    ) -> None:
        command = [sys.executable, "-m", "enkontakt.cli", "replay", str(events(tmp_path / "e"))]
        command += ["--out", str(tmp_path / "out"), "--database-url", database_url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "Traceback" not in output
        assert "Bakeri" not in output
        assert "Tora" not in output
        assert "document_skipped" in output
        projection = Projection(database_url)
        try:
            queries = ProjectionQueries(projection.engine)
            assert queries.view(s.ORGNR_A) is None
            assert queries.view(s.ORGNR_B) is not None
        finally:
            projection.close()


class TestSQLite(ReplaySuite):
    """The embedded default."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        yield sqlite_url(tmp_path)


@pytest.mark.integration
class TestPostgreSQL(ReplaySuite):
    """Production's database, in a schema of this test's own."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        with postgres_url() as url:
            yield url
