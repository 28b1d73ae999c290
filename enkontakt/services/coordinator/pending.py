"""The employers a worker has yet to derive, and when each is due.

Three lanes, each drained by ``Pending.due``:

- **changed** by their own events: due at the next flush, so a busy employer is
  derived once per flush, not once per event;
- **changed through people**, by new details of a human they name: due
  ``people_delay`` (by the clock) after the first such change. A busy human's
  details touch every employer naming them, and one derivation then covers all
  the changes meanwhile. Under a load of 1,000 reports a second whose humans'
  details kept changing (the streaming benchmark), 5 s instead of 1 s cut the
  views published by about a quarter (docs/performance.md, "Fourth round");
- **restored** from storage and not derived since: their views (alerts) and
  wake-up times are unknown until they are. At most ``catch_up`` are due at a
  time, oldest first, so that a restart or a rebalance does not stall the worker
  on one long burst.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from enkontakt.services.coordinator.facts import SECOND


@dataclass(slots=True)
class Pending:
    """Employers waiting to be derived, by orgnr, in three lanes."""

    changed: set[str] = field(default_factory=set)
    by_people: dict[str, int] = field(default_factory=dict)  # first changed, in order
    restored: dict[str, None] = field(default_factory=dict)
    people_delay: int = 5 * SECOND
    catch_up: int = 250

    def change(self, orgnr: str, now: int, *, by_people: bool = False) -> None:
        """The employer changed at ``now`` (only through a human it names, or not)."""
        if by_people:
            self.by_people.setdefault(orgnr, now)
        else:
            self.changed.add(orgnr)

    def restore(self, orgnr: str) -> None:
        """The employer was restored from storage."""
        self.restored[orgnr] = None

    def derived(self, orgnr: str) -> None:
        """The employer was derived (whatever the reason): no longer restored only."""
        self.restored.pop(orgnr, None)

    def forget(self, orgnr: str) -> None:
        """The employer is no longer held here."""
        self.changed.discard(orgnr)
        self.by_people.pop(orgnr, None)
        self.restored.pop(orgnr, None)

    def due(self, now: int, everything: bool = False) -> set[str]:
        """Take the employers due at ``now`` (every waiting one with ``everything``)."""
        due, self.changed = self.changed, set()
        waiting = self.by_people
        for orgnr in due:
            waiting.pop(orgnr, None)
        while waiting:
            orgnr, since = next(iter(waiting.items()))
            if not everything and now - since < self.people_delay:
                break
            del waiting[orgnr]
            due.add(orgnr)
        restored = self.restored
        for orgnr in list(islice(restored, None if everything else self.catch_up)):
            del restored[orgnr]
            due.add(orgnr)
        return due
