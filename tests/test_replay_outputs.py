"""Every output of replay has the documented shape (enkontakt.schemas.outputs)."""

from __future__ import annotations

from enkontakt.replay import replay_lines
from enkontakt.schemas.outputs import Alert, EmployerNotice, ReplaySummary, View
from tests import builders as b


def test_outputs_of_a_varied_stream_match_the_output_models() -> None:
    import json
    from datetime import UTC, datetime

    from enkontakt.generate import generate_events

    events = generate_events(
        employers=30,
        events=3000,
        seed=7,
        start=datetime(2026, 1, 5, tzinfo=UTC),
        days=120,
        duplicate_rate=0.05,
        redelivery_rate=0.02,
    )
    from enkontakt.story import story_events

    story = story_events(datetime(2026, 11, 2, 12, tzinfo=UTC))
    result = replay_lines([json.dumps(e) for e in [*events, *story]])
    assert result.views and result.alerts and result.notices
    for view in result.views:
        View.model_validate(view)
    rules = set()
    for alert in result.alerts:
        rules.add(Alert.model_validate(alert).rule)
    assert len(rules) == 6
    for notice in result.notices:
        EmployerNotice.model_validate(notice)
    ReplaySummary.model_validate(result.summary)
    assert not any("ref" in str(view) and "k-" in str(view) for view in result.views)


def test_a_view_never_holds_candidate_refs() -> None:
    result = replay_lines(
        b.lines(
            b.start("2026-10-01 10:00", "k-secret-ref", b.person(1)),
            b.contact("2026-10-02 10:00", b.person(1)),
        )
    )
    assert "k-secret-ref" not in str(result.views)
    assert "k-secret-ref" not in str(result.alerts)
