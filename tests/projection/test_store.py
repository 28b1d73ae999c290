"""The storage suite: one abstract class, run against SQLite and PostgreSQL.

It holds both backends to the same behaviour: migrations, idempotent writes
that never regress, and the queries the API relies on.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from enkontakt.projection import documents, store
from enkontakt.projection.models import Alert, Base, EmployerNotice, EmployerView
from enkontakt.projection.queries import AlertFilter, EmployerSort, ProjectionQueries
from enkontakt.projection.store import Projection
from enkontakt.projection.validation import KINDS
from tests.projection import samples as s
from tests.projection.databases import postgres_url, sqlite_url

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
MIGRATE_AT = """
import sys, time
from enkontakt.projection.store import Projection
url, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
Projection(url).upgrade()
"""
SECRET_NAME = "Bakeri Hemmelig AS"  # content that must never reach a log


def without(document: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != field}


INVALID_VIEWS = {
    "year 1 in UTC+1": s.view(updated_at="0001-01-01T00:30:00+01:00"),
    "year 9999 in UTC-1": s.view(updated_at="9999-12-31T23:30:00-01:00"),
    "a contact at the end of time": s.view(last_contact_at="9999-12-31T23:30:00Z"),
    "inquiries as an object": s.view(open_inquiries={}),
    "no contact person": without(s.view(), "contact_person"),
    "NUL in the name": s.view(name=SECRET_NAME.replace(" ", "\x00")),
    "NUL in a nested text": s.view(contact_person=s.contact_person(name="Tora\x00Veileder")),
    "an unpaired surrogate": s.view(name="Bakeri \ud800"),
    "a name of 201 characters": s.view(name="x" * 201),
    "a unit of 5 digits": s.view(unit="19020"),
    "a count beyond 32 bits": s.view(contact_persons_30d=2**31),
    "a count written as true": s.view(contact_persons_30d=True),
    "a count written as text": s.view(contact_persons_30d="5"),
    "not an object": ["974760673"],
}
INVALID_ALERTS = {
    "no summary": without(s.alert(), "summary"),
    "an id of 201 characters": s.alert("x" * 201),
    "an inquiry id of 201 characters": s.alert(inquiry_id="K" * 201),
    "an unknown severity": s.alert(severity="x" * 17),
    "NUL in the summary": s.alert(summary="a\x00b"),
    "a start in year 1": s.alert(starts_at="0001-01-01T00:30:00+01:00"),
    "resolved without an end": s.alert(status="resolved"),
}
INVALID_NOTICES = {
    "no at": without(s.notice(), "at"),
    "an at in year 9999": s.notice(at="9999-12-31T23:30:00-01:00"),
    "NUL in the contact person": s.notice(contact_person=s.contact_person(name="a\x00b")),
}


class StorageSuite:
    """Behaviour every backend of the projection must show."""

    refuses_unstorable_values: bool

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        raise NotImplementedError

    @pytest.fixture
    def projection(self, database_url: str) -> Iterator[Projection]:
        projection = Projection(database_url, clock=lambda: NOW)
        projection.upgrade()
        yield projection
        projection.close()

    @pytest.fixture
    def queries(self, projection: Projection) -> ProjectionQueries:
        return ProjectionQueries(projection.engine)

    # --- schema -------------------------------------------------------------

    def test_migrations_create_exactly_the_models(self, projection: Projection) -> None:
        with projection.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []

    def test_upgrade_twice_changes_nothing(self, projection: Projection) -> None:
        projection.write_views([s.view()])
        projection.upgrade()
        assert self._count(projection, EmployerView) == 1

    def test_processes_migrating_a_fresh_database_together_all_succeed(
        self, database_url: str
    ) -> None:
        # As `enkontakt demo` starts the projector and the API on a fresh file.
        start = time.time() + 3  # after every process has imported the code
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE_AT, database_url, str(start)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(6)
        ]
        outputs = [process.communicate(timeout=60)[0] for process in processes]
        assert [process.returncode for process in processes] == [0] * 6, outputs
        projection = Projection(database_url)
        try:
            assert ProjectionQueries(projection.engine).ping()
        finally:
            projection.close()

    def test_ping_answers(self, queries: ProjectionQueries) -> None:
        assert queries.ping()

    # --- views --------------------------------------------------------------

    def test_a_view_is_stored_as_its_document(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        document = s.view()
        projection.write_views([document])
        record = queries.view(s.ORGNR_A)
        assert record is not None
        assert record.document == document
        assert record.unit == "1902"

    def test_an_older_view_never_overwrites_a_newer(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        newer = s.view(updated_at="2026-10-12T08:05:00+02:00", name="Newer")
        older = s.view(updated_at="2026-10-11T08:05:00+02:00", name="Older")
        projection.write_views([newer])
        projection.write_views([older])
        assert self._view_name(queries) == "Newer"

    def test_a_newer_view_replaces_an_older(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_views([s.view(updated_at="2026-10-11T08:05:00+02:00", name="Older")])
        projection.write_views([s.view(updated_at="2026-10-12T08:05:00+02:00", name="Newer")])
        assert self._view_name(queries) == "Newer"

    def test_instants_are_compared_not_strings(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        # 07:45Z is later than 09:30+02:00 (07:30Z), though it sorts first as text.
        projection.write_views([s.view(updated_at="2026-10-05T07:45:00Z", name="Later")])
        projection.write_views([s.view(updated_at="2026-10-05T09:30:00+02:00", name="Earlier")])
        assert self._view_name(queries) == "Later"

    def test_an_equal_updated_at_is_written_again(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        # The clock changes a view (e.g. an inquiry becomes overdue) without a new event.
        projection.write_views([s.view(open_inquiries=[s.inquiry(overdue=False)])])
        projection.write_views([s.view(open_inquiries=[s.inquiry(overdue=True)])])
        record = queries.view(s.ORGNR_A)
        assert record is not None
        assert record.document["open_inquiries"][0]["overdue"] is True

    def test_one_batch_keeps_the_newest_version_of_each_view(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        batch = [
            s.view(updated_at="2026-10-12T08:00:00+02:00", name="Newest"),
            s.view(updated_at="2026-10-10T08:00:00+02:00", name="Oldest"),
            s.view(orgnr=s.ORGNR_B, name="Other"),
            s.view(updated_at="2026-10-11T08:00:00+02:00", name="Middle"),
        ]
        projection.write_views(batch)
        assert self._view_name(queries) == "Newest"
        assert self._count(projection, EmployerView) == 2

    @settings(
        max_examples=15,
        deadline=None,
        # The fixture's database is emptied by the test itself; the suite runs per backend.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        days=st.lists(st.integers(1, 28), min_size=1, max_size=8, unique=True), seed=st.randoms()
    )
    def test_any_arrival_order_ends_at_the_newest_view(
        self,
        projection: Projection,
        queries: ProjectionQueries,
        days: list[int],
        seed: random.Random,
    ) -> None:
        with projection.engine.begin() as connection:
            connection.execute(delete(EmployerView))
        versions = [
            s.view(updated_at=f"2026-10-{day:02d}T12:00:00+02:00", name=str(day)) for day in days
        ]
        arrivals = versions + seed.sample(versions, k=len(versions))  # each one redelivered
        seed.shuffle(arrivals)
        for version in arrivals:
            projection.write_views([version])
        assert self._view_name(queries) == str(max(days))

    # --- alerts -------------------------------------------------------------

    def test_resolved_beats_firing_whatever_the_order(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        firing = s.alert()
        resolved = s.alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00")
        projection.write_alerts([firing])
        projection.write_alerts([resolved])
        projection.write_alerts([firing])  # a redelivery of the older change
        record = queries.alert("alert-1")
        assert record is not None
        assert record.document == resolved

    def test_a_later_end_wins_between_resolved_versions(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        later = s.alert(status="resolved", ends_at="2026-10-14T08:00:00+02:00")
        earlier = s.alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00")
        projection.write_alerts([later, earlier])
        projection.write_alerts([earlier])
        record = queries.alert("alert-1")
        assert record is not None
        assert record.document["ends_at"] == later["ends_at"]

    def test_a_higher_version_wins_whatever_its_status_and_the_order(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        # A late event took the resolved firing back to firing, then ended it
        # earlier than first thought: each message of the firing counts up.
        firing = s.alert(version=1)
        resolved = s.alert(status="resolved", ends_at="2026-10-14T08:00:00+02:00", version=2)
        again = s.alert(version=3)
        earlier = s.alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00", version=4)
        projection.write_alerts([firing, resolved])
        projection.write_alerts([again])
        record = queries.alert("alert-1")
        assert record is not None and record.document == again
        projection.write_alerts([earlier, resolved])  # and a redelivery of an older one
        record = queries.alert("alert-1")
        assert record is not None and record.document == earlier
        projection.write_alerts([again, firing])
        record = queries.alert("alert-1")
        assert record is not None and record.document == earlier

    def test_a_firing_change_replaces_a_firing_one(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_alerts([s.alert(severity="warning")])
        projection.write_alerts([s.alert(severity="critical")])
        record = queries.alert("alert-1")
        assert record is not None
        assert record.document["severity"] == "critical"

    def test_an_acknowledgement_survives_later_changes(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_alerts([s.alert()])
        queries.acknowledge("alert-1", "Z990001", NOW)
        projection.write_alerts([s.alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00")])
        record = queries.alert("alert-1")
        assert record is not None
        assert (record.acknowledged_by, record.acknowledged_at) == ("Z990001", NOW)
        assert record.document["status"] == "resolved"

    def test_the_first_acknowledgement_stays(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_alerts([s.alert()])
        queries.acknowledge("alert-1", "Z990001", NOW)
        second = queries.acknowledge("alert-1", "Z990002", NOW.replace(hour=13))
        assert second is not None
        assert (second.acknowledged_by, second.acknowledged_at) == ("Z990001", NOW)

    def test_acknowledging_a_missing_alert_finds_nothing(self, queries: ProjectionQueries) -> None:
        assert queries.acknowledge("no-such-alert", "Z990001", NOW) is None

    def test_alerts_are_filtered_and_scoped(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_alerts(
            [
                s.alert("a"),
                s.alert("b", status="resolved", ends_at="2026-10-13T08:00:00+02:00"),
                s.alert("c", rule="follow-up-gap", severity="warning"),
                s.alert("d", unit="0301"),
                s.alert("e", unit=None),
            ]
        )

        def ids(units: set[str], **where: Any) -> set[str]:
            return {r.document["alert_id"] for r in queries.alerts(units, AlertFilter(**where), 50)}

        assert ids({"1902"}) == {"a", "b", "c"}
        assert ids({"1902", "0301"}) == {"a", "b", "c", "d"}
        assert ids({"1902"}, status="firing") == {"a", "c"}
        assert ids({"1902"}, rule="follow-up-gap") == {"c"}
        assert ids({"1902", "0301"}, unit="0301") == {"d"}
        assert ids({"1902"}, orgnr=s.ORGNR_B) == set()
        assert ids(set()) == set()

    # --- notices ------------------------------------------------------------

    def test_a_redelivered_notice_is_kept_once(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        first = s.notice(at="2026-10-01T08:00:00+02:00")
        second = s.notice(
            at="2026-10-19T00:00:00+02:00", previous_contact_person=s.contact_person()
        )
        projection.write_notices([first, second])
        projection.write_notices([first])
        projection.write_notices([second, first])
        assert self._count(projection, EmployerNotice) == 2
        assert queries.notices(s.ORGNR_A) == [second, first]

    # --- documents the projection does not store ----------------------------

    @pytest.mark.parametrize("document", INVALID_VIEWS.values(), ids=INVALID_VIEWS.keys())
    def test_an_invalid_view_is_skipped_and_the_rest_stored(
        self, projection: Projection, queries: ProjectionQueries, document: Any
    ) -> None:
        with structlog.testing.capture_logs() as logs:
            skipped = projection.write_views([document, s.view(s.ORGNR_B)])
        assert skipped == 1
        assert queries.view(s.ORGNR_A) is None
        assert queries.view(s.ORGNR_B) is not None
        assert logs == [
            {"event": "document_skipped", "kind": "views", "error": logs[0]["error"]}
            | {"log_level": "warning"}
        ]

    @pytest.mark.parametrize("document", INVALID_ALERTS.values(), ids=INVALID_ALERTS.keys())
    def test_an_invalid_alert_is_skipped_and_the_rest_stored(
        self, projection: Projection, queries: ProjectionQueries, document: Any
    ) -> None:
        assert projection.write_alerts([document, s.alert("valid")]) == 1
        assert [r.document["alert_id"] for r in queries.alerts({"1902"}, AlertFilter(), 9)] == [
            "valid"
        ]
        assert self._count(projection, Alert) == 1

    @pytest.mark.parametrize("document", INVALID_NOTICES.values(), ids=INVALID_NOTICES.keys())
    def test_an_invalid_notice_is_skipped_and_the_rest_stored(
        self, projection: Projection, queries: ProjectionQueries, document: Any
    ) -> None:
        assert projection.write_notices([document, s.notice()]) == 1
        assert queries.notices(s.ORGNR_A) == [s.notice()]

    def test_a_row_the_database_refuses_is_skipped_without_its_content(
        self, projection: Projection, queries: ProjectionQueries, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Should a document pass the checks and still be refused, the rest is written.
        monkeypatch.setattr(store, "row_of", lambda kind, doc, now: KINDS[kind][1](doc, now))
        refused = [
            s.view(name=SECRET_NAME.replace(" ", "\x00")),
            s.view(s.ORGNR_C, name=SECRET_NAME * 20),
        ]
        with structlog.testing.capture_logs() as logs:
            skipped = projection.write_views([*refused, s.view(s.ORGNR_B)])
        assert queries.view(s.ORGNR_B) is not None
        assert skipped == (2 if self.refuses_unstorable_values else 0)
        assert len(logs) == skipped
        assert "Bakeri" not in repr(logs)

    def test_a_stored_document_that_is_not_valid_is_not_read(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        # Stored before documents were checked: left out of lists, not found alone.
        store_unchecked(
            projection,
            views=[without(s.view(s.ORGNR_B, contact_persons_30d=9), "contact_person")],
            alerts=[without(s.alert("incomplete"), "summary")],
            notices=[without(s.notice(at="2026-10-19T00:00:00+02:00"), "contact_person")],
        )
        projection.write_views([s.view()])
        projection.write_alerts([s.alert()])
        projection.write_notices([s.notice()])
        with structlog.testing.capture_logs() as logs:
            sort = EmployerSort.CONTACT_PERSONS_30D
            assert [v["orgnr"] for v in queries.views({"1902"}, sort, 10)] == [s.ORGNR_A]
            assert queries.view(s.ORGNR_B) is None
            alerts = queries.alerts({"1902"}, AlertFilter(), 10)
            assert [r.document["alert_id"] for r in alerts] == ["alert-1"]
            assert queries.alert("incomplete") is None
            assert queries.acknowledge("incomplete", "Z990001", NOW) is None
            assert queries.notices(s.ORGNR_A) == [s.notice()]
        assert {(line["kind"], line["key"]) for line in logs} >= {
            ("views", s.ORGNR_B),
            ("alerts", "incomplete"),
        }
        assert all(line["event"] == "stored_document_skipped" for line in logs)

    # --- lists --------------------------------------------------------------

    def test_employer_list_is_scoped_and_sorted(
        self, projection: Projection, queries: ProjectionQueries
    ) -> None:
        projection.write_views(
            [
                s.view(s.ORGNR_A, contact_persons_30d=2, open_inquiries=[]),
                s.view(s.ORGNR_B, contact_persons_30d=5, open_inquiries=[s.inquiry()]),
                s.view(
                    s.ORGNR_C,
                    contact_persons_30d=2,
                    open_inquiries=[s.inquiry("1"), s.inquiry("2")],
                ),
                s.view("999999999", unit="0301", contact_persons_30d=9),
            ]
        )

        def orgnrs(sort: EmployerSort, limit: int = 10, offset: int = 0) -> list[str]:
            return [v["orgnr"] for v in queries.views({"1902"}, sort, limit, offset)]

        assert orgnrs(EmployerSort.CONTACT_PERSONS_30D) == [s.ORGNR_B, s.ORGNR_C, s.ORGNR_A]
        assert orgnrs(EmployerSort.OPEN_INQUIRIES) == [s.ORGNR_C, s.ORGNR_B, s.ORGNR_A]
        assert orgnrs(EmployerSort.CONTACT_PERSONS_30D, limit=1, offset=1) == [s.ORGNR_C]

    # --- helpers ------------------------------------------------------------

    @staticmethod
    def _view_name(queries: ProjectionQueries) -> str:
        record = queries.view(s.ORGNR_A)
        assert record is not None
        name: str = record.document["name"]
        return name

    @staticmethod
    def _count(projection: Projection, model: type[Base]) -> int:
        with projection.engine.connect() as connection:
            count: int = connection.scalar(select(func.count()).select_from(model)) or 0
            return count


def store_unchecked(projection: Projection, **kinds: list[dict[str, Any]]) -> None:
    """Store documents as the projection did before it checked them."""
    builders = {
        "views": (EmployerView, documents.view_row),
        "alerts": (Alert, documents.alert_row),
        "notices": (EmployerNotice, documents.notice_row),
    }
    with projection.engine.begin() as connection:
        for kind, found in kinds.items():
            model, build = builders[kind]
            connection.execute(insert(model), [build(document, NOW) for document in found])


class TestSQLite(StorageSuite):
    """The embedded default."""

    refuses_unstorable_values = False  # neither lengths nor NUL characters

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        yield sqlite_url(tmp_path)


@pytest.mark.integration
class TestPostgreSQL(StorageSuite):
    """Production's database, in a schema of this test's own."""

    refuses_unstorable_values = True

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        with postgres_url() as url:
            yield url
