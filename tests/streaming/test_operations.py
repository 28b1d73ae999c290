"""Operations: health pages, metrics and logs of the services after the standard run.

/metrics shows events by outcome and rejection code, the consumer lag per
partition, the processing latency histogram and the alerts firing by rule. Logs
are JSON lines and never hold a value from a message: no name, e-mail, phone
number, identity number or free text that was sent.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from enkontakt.services.coordinator.intake import intake as intake_message
from tests.streaming import stream
from tests.streaming.runs import StandardRun

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of a Prometheus text page, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def metrics(run: StandardRun, kind: str) -> Samples:
    """The samples of one service's /metrics page."""
    status, body = run.pages[(kind, "/metrics")]
    assert status == 200
    return samples(body)


def labelled(found: Samples, name: str, label: str) -> dict[str, float]:
    """The values of one metric by one of its labels."""
    return {dict(labels)[label]: v for (n, labels), v in found.items() if n == name}


def log_paths(run: StandardRun) -> list[Path]:
    """The log files of the run's services."""
    return [service.log_path for service in run.services.started]


@pytest.mark.parametrize("kind", ["coordinator", "notifier"])
def test_health_pages_answer(standard_run: StandardRun, kind: str) -> None:
    assert standard_run.pages[(kind, "/isalive")] == (200, "alive")
    assert standard_run.pages[(kind, "/isready")] == (200, "ready")
    assert standard_run.pages[(kind, "/metrics")][0] == 200


def test_events_are_counted_by_outcome_and_rejection_code(standard_run: StandardRun) -> None:
    found = metrics(standard_run, "coordinator")
    events = {
        (dict(labels)["outcome"], dict(labels)["code"]): value
        for (name, labels), value in found.items()
        if name == "enkontakt_events_total"
    }
    summary = standard_run.expected.summary
    codes = Counter(code for _, code, _ in standard_run.expected_dlq)

    assert events.pop(("accepted", "")) == summary["applied"] + summary["duplicates"]
    duplicates = events.pop(("duplicate", ""))
    assert 0 < duplicates <= summary["duplicates"]  # absences are deduplicated elsewhere
    assert events == {("rejected", code): count for code, count in codes.items()}
    assert events[("rejected", "invalid-data")] == 2


def test_lag_is_shown_for_every_partition_read_and_is_zero_once_caught_up(
    standard_run: StandardRun,
) -> None:
    settings = standard_run.services.settings
    accepted = settings.internal_topic("accepted")
    everything = set(range(settings.partitions))
    for kind, topics in (
        ("coordinator", {settings.topic_events, accepted}),
        ("notifier", {accepted}),
    ):
        lag = [
            (dict(labels)["topic"], int(dict(labels)["partition"]), value)
            for (name, labels), value in metrics(standard_run, kind).items()
            if name == "enkontakt_consumer_lag"
        ]
        for topic in topics:
            assert {p for t, p, _ in lag if t == topic} == everything, (kind, topic)
        assert not [x for x in lag if "changelog" in x[0]]
        assert all(value == 0 for t, _, value in lag if t in topics), lag


def test_processing_latency_is_a_histogram_per_stage(standard_run: StandardRun) -> None:
    coordinator = metrics(standard_run, "coordinator")
    notifier = metrics(standard_run, "notifier")
    published = labelled(coordinator, "enkontakt_published_messages_total", "topic")
    intake = labelled(coordinator, "enkontakt_processing_seconds_count", "stage")

    with_employer = sum(
        intake_message(m.key, m.value, list(m.headers or [])).orgnr is not None
        for m in standard_run.messages
    )

    assert intake["intake"] == len(standard_run.messages)
    # Every event with an employer reaches each service's employers once: read on
    # its orgnr's partition, or through the accepted topic (wrong or missing keys).
    assert intake["employer"] == with_employer
    assert labelled(notifier, "enkontakt_processing_seconds_count", "stage")["employer"] == (
        with_employer
    )
    assert 0 < published["accepted"] < with_employer / 2
    buckets = [
        dict(labels)["le"]
        for (name, labels), _ in coordinator.items()
        if name == "enkontakt_processing_seconds_bucket" and dict(labels)["stage"] == "intake"
    ]
    assert len(buckets) > 5 and "+Inf" in buckets


def test_alerts_firing_are_counted_by_rule(standard_run: StandardRun) -> None:
    expected = Counter(rule for rule, _, _ in standard_run.expected.firing())
    assert expected

    firing = labelled(metrics(standard_run, "notifier"), "enkontakt_alerts_firing", "rule")

    assert {rule: n for rule, n in firing.items() if n} == dict(expected)


def test_the_notifier_publishes_no_employer_notices(standard_run: StandardRun) -> None:
    published = labelled(
        metrics(standard_run, "notifier"), "enkontakt_published_messages_total", "topic"
    )

    assert published.get("notices", 0) == 0
    assert published["alerts"] > 0


def test_logs_are_json_lines(standard_run: StandardRun) -> None:
    for path in log_paths(standard_run):
        lines = path.read_text().splitlines()
        assert len(lines) > 20
        for number, text in enumerate(lines, 1):
            try:
                entry = json.loads(text)
            except ValueError:
                pytest.fail(f"{path.name}:{number} is not JSON: {text[:120]!r}")
            assert {"event", "level", "timestamp"} <= entry.keys(), (path.name, number)


def test_a_rejection_is_logged_with_its_code(standard_run: StandardRun) -> None:
    coordinator = standard_run.services.started[0]
    entries = [json.loads(x) for x in coordinator.log_path.read_text().splitlines()]
    rejected = [e for e in entries if e["event"] == "event rejected"]

    codes = sorted(code for _, code, _ in standard_run.expected_dlq)
    assert sorted(e["error"] for e in rejected) == codes


def test_logs_never_hold_values_from_messages(standard_run: StandardRun) -> None:
    sent = b"\n".join(m.value for m in standard_run.messages).decode()
    emails = set(re.findall(r'"email": ?"([^"]+)"', sent))
    assert len(emails) > 20
    secrets = {*stream.SENTINEL_VALUES, *emails, stream.FODSELSNUMMER, "sykmeldt"}

    for path in log_paths(standard_run):
        raw = path.read_text()
        decoded = "\n".join(json.dumps(json.loads(x), ensure_ascii=False) for x in raw.splitlines())
        leaked = sorted(s for s in secrets if s in raw or s in decoded)
        assert leaked == [], path.name


@pytest.mark.parametrize("kind", ["coordinator", "notifier"])
def test_the_workers_collect_garbage_rarely_and_show_its_pauses(
    standard_run: StandardRun, kind: str
) -> None:
    found = metrics(standard_run, kind)
    collections = labelled(found, "enkontakt_gc_pauses_total", "generation")
    seconds = labelled(found, "enkontakt_gc_pause_seconds_total", "generation")
    longest = labelled(found, "enkontakt_gc_pause_longest_seconds", "generation")

    assert set(collections) == set(seconds) == set(longest) == {"0", "1", "2"}
    # With Python's defaults a worker makes a young collection every 700 new
    # objects, some forty over this run; with the services' thresholds hardly any.
    assert collections["0"] < 20
    assert collections["2"] == 0
    assert all(seconds[g] >= longest[g] >= 0 for g in seconds)
