"""Employer state survives the trip through its stored form."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings

from enkontakt.replay import Replay
from enkontakt.services.coordinator.codec import decode_state, encode_state
from enkontakt.services.coordinator.employer import EmployerState
from tests import builders as b
from tests.test_replay_properties import streams


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams)
def test_every_state_round_trips_through_json(events: tuple) -> None:
    run = Replay()
    run.feed(b.lines(*events))
    for state in run.ledger.states():
        stored = orjson.loads(orjson.dumps(encode_state(state)))
        assert decode_state(stored) == state


def test_an_unknown_version_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="version"):
        decode_state({"v": 99})


def test_a_state_stored_before_pruned_contacts_were_kept_reads_as_none_pruned() -> None:
    state = EmployerState("974760673", pruned_contacts=3)
    encoded = encode_state(state)
    assert decode_state(encoded).pruned_contacts == 3
    del encoded["pruned_contacts"]
    assert decode_state(encoded).pruned_contacts == 0
