"""When each employer a worker holds must be derived again for time alone.

A derivation finds the employer's next breakpoint (``rules.next_breakpoint``):
the first moment at which time alone changes its view or alerts. Every
derivation finds it anew from the present state, so an employer has one wake-up
at a time, the latest one found; an older one left in the heap is stale and
skipped when it comes up. A busy employer is derived many times a second under
load while its breakpoints lie days ahead, so the heap is rebuilt from the
current wake-ups whenever stale entries outnumber them: its size stays bounded
by the employers held, not by the derivations made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush

SLACK = 1024
"""Stale entries tolerated beyond one per current wake-up before a rebuild."""


@dataclass(slots=True)
class Wakeups:
    """The next wake-up of each employer, by orgnr, earliest first."""

    at: dict[str, int] = field(default_factory=dict)
    heap: list[tuple[int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.at)

    def schedule(self, orgnr: str, when: int | None) -> None:
        """The employer's next wake-up is ``when`` (None: none), replacing any other."""
        if when is None:
            self.at.pop(orgnr, None)
            return
        if self.at.get(orgnr) == when:
            return
        self.at[orgnr] = when
        heappush(self.heap, (when, orgnr))
        if len(self.heap) > 2 * len(self.at) + SLACK:
            self.heap = [(moment, key) for key, moment in self.at.items()]
            heapify(self.heap)

    def forget(self, orgnr: str) -> None:
        """The employer is no longer held here."""
        self.at.pop(orgnr, None)

    def due(self, now: int) -> set[str]:
        """Take the employers whose wake-up is at or before ``now``."""
        heap, at = self.heap, self.at
        due: set[str] = set()
        while heap and heap[0][0] <= now:
            when, orgnr = heappop(heap)
            if at.get(orgnr) == when:
                del at[orgnr]
                due.add(orgnr)
        return due
