"""Designation messages: how the coordinator stores a designation that changed
apart from the employer's own events.

The designation is the memory behind employer notices (the human last announced,
and when it was last worked out). An absence, or a report that joins two humans,
can change it at employers whose own events say nothing, and the people feed
that carries those runs apart from the partitions. So the worker that worked it
out publishes a designation message on the internal ``accepted`` topic, keyed by
orgnr; the worker holding the employer's partition takes it (``taken``) and
stores the designation in a slot with no event (``EmployerLog.designation``).
"""

from __future__ import annotations

import orjson

from enkontakt.services.coordinator.contact_person import designated
from enkontakt.services.coordinator.employer import Designation, EmployerState
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.coordinator.notices import same_human
from enkontakt.services.coordinator.people import People

DESIGNATION = ("enkontakt-kind", b"designation")
"""The header that marks a designation message on the accepted topic."""


def designation_message(state: EmployerState) -> Out:
    """The designation message for an employer, with its designation as it is."""
    d = state.designation
    value = orjson.dumps([d.ident, d.shown, d.at, d.checked])
    return Out("accepted", state.orgnr.encode(), value, (DESIGNATION,))


def taken(state: EmployerState, people: People, value: bytes) -> bool:
    """Take the message's designation into ``state`` if it is newer than the held
    one (True then).

    The holder keeps its own when it has worked the designation out since (the
    usual case: the sender is the holder); it takes the message's when that is
    newer, as after a rebalance that moved the employer here before the message
    came. Worked out at the same moment, the message's is taken only when the
    holder's own facts give it at that moment and not the held one: the holder
    may have restored an older designation stored at that moment, or may have
    changed it since by an event of that same moment."""
    ident, shown, at, checked = orjson.loads(value)
    held = state.designation
    if checked is None or (held.checked is not None and checked < held.checked):
        return False
    if checked == held.checked:
        choice = designated(state, people, checked)
        now = choice.ident if choice is not None else None
        if not same_human(people, now, ident) or same_human(people, now, held.ident):
            return False
    state.designation = Designation(ident, shown, at, checked)
    return True
