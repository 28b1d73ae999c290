"""The people directory: which person records are the same human, what is shown
for each human, and when they are absent.

Two records are the same human when they share an actor-local id, an e-mail or
a phone number, transitively (CONTRACT §2). The directory is a union-find over
identifiers; every fact it keeps (shown fields, absences) is merged with a
commutative, idempotent rule, so the result does not depend on the order in
which mentions arrive, and a repeated mention changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from enkontakt.services.coordinator.facts import ActorRef, Stamp

FIELDS = ("name", "email", "phone", "actor")
NO_ABSENCES: list[Absence] = []


@dataclass(frozen=True, slots=True)
class Mention:
    """One person record in one event: its identifiers and the fields it carries."""

    idents: tuple[str, ...]
    stamp: Stamp
    actor: ActorRef
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Absence:
    """A period of absence, inclusive Oslo calendar dates."""

    start: date
    until: date
    stamp: Stamp


@dataclass(slots=True)
class Human:
    """What is known of one human: identifiers, newest field values, absences."""

    idents: set[str]
    shown: dict[str, tuple[Stamp, object]] = field(default_factory=dict)
    absences: list[Absence] = field(default_factory=list)
    # ``People.shown`` of this human, kept until ``shown`` changes.
    shown_out: dict[str, object] | None = None

    @property
    def key(self) -> str:
        """The contract's ``person_key``: the smallest identifier."""
        return min(self.idents)


class People:
    """The identity directory shared by every employer."""

    __slots__ = ("_humans", "_parent", "unions")

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._humans: dict[str, Human] = {}
        self.unions = 0
        """How many times two identifiers' humans became one (any identifier's
        representative may have changed since a count seen before)."""

    def __len__(self) -> int:
        return len(self._humans)

    def root(self, ident: str) -> str:
        """The representative identifier of the human that ``ident`` names."""
        parent = self._parent
        if ident not in parent:
            return ident
        top = ident
        while parent[top] != top:
            top = parent[top]
        while parent[ident] != top:
            parent[ident], ident = top, parent[ident]
        return top

    def human(self, ident: str) -> Human:
        """The human an identifier names (an empty one if never mentioned)."""
        found = self._humans.get(self.root(ident))
        return found if found is not None else Human(idents={ident})

    def mention(self, mention: Mention) -> bool:
        """Record a person record; True when it joined humans known apart until now."""
        return self.record(mention)[0]

    def record(self, mention: Mention) -> tuple[bool, bool]:
        """Record a person record; returns (joined humans known apart, changed a
        shown value of the human)."""
        return self.note(
            mention.idents, mention.stamp, mention.actor, mention.name, mention.email, mention.phone
        )

    def note(
        self,
        idents: tuple[str, ...],
        stamp: Stamp,
        actor: ActorRef,
        name: str | None,
        email: str | None,
        phone: str | None,
    ) -> tuple[bool, bool]:
        """``record`` of the person record with these fields (without building it)."""
        parent = self._parent
        first = idents[0]
        known = True
        for ident in idents:
            if ident not in parent:
                known = False
                break
        if known:
            root = parent[first]
            if parent[root] != root:
                root = self.root(first)
            merged = False
            for ident in idents[1:]:
                other = self.root(ident)
                if other != root:
                    merged = True
                    root = self._union(root, other)
        else:
            merged = len({self.root(i) for i in idents if i in parent}) > 1
            root = self._ensure(first)
            for ident in idents[1:]:
                root = self._union(root, self._ensure(ident))
        human = self._humans[root]
        shown = human.shown
        changed = False
        for field_name, value in zip(FIELDS, (name, email, phone, actor), strict=True):
            if value is not None:
                current = shown.get(field_name)
                if current is None or stamp > current[0]:
                    shown[field_name] = (stamp, value)
                    if current is None or (current[1] is not value and current[1] != value):
                        changed = True
        if changed:
            human.shown_out = None
        return merged, changed

    def add_absence(self, ident: str, absence: Absence) -> None:
        """Record an absence of the human named by ``ident`` (already mentioned)."""
        human = self._humans[self.root(ident)]
        if absence not in human.absences:
            human.absences.append(absence)

    def absent(self, ident: str, day: date) -> bool:
        """True when the human named by ``ident`` is absent on the Oslo date ``day``."""
        human = self._humans.get(self.root(ident))
        if human is None:
            return False
        return any(a.start <= day <= a.until for a in human.absences)

    def shown(self, ident: str) -> dict[str, object]:
        """The human's newest ``name``, ``email``, ``phone`` and ``actor`` (as dict,
        shared between calls: not to be changed)."""
        human = self._humans.get(self.root(ident))
        if human is None:
            return {name: None for name in FIELDS}
        if human.shown_out is None:
            human.shown_out = _shown_out(human)
        return human.shown_out

    def shown_actor(self, ident: str) -> ActorRef | None:
        """The actor of the human's newest report."""
        human = self._humans.get(self.root(ident))
        if human is None or "actor" not in human.shown:
            return None
        actor = human.shown["actor"][1]
        return actor if isinstance(actor, ActorRef) else None

    def key(self, ident: str) -> str:
        """The ``person_key`` of the human named by ``ident``."""
        return self.human(ident).key

    def absence_days(self, ident: str) -> list[Absence]:
        """The absences of the human named by ``ident`` (not to be changed)."""
        human = self._humans.get(self.root(ident))
        return NO_ABSENCES if human is None else human.absences

    def prune(self, horizon: date) -> None:
        """Forget absences that ended before ``horizon``."""
        for human in self._humans.values():
            if human.absences:
                human.absences = [a for a in human.absences if a.until >= horizon]

    def _ensure(self, ident: str) -> str:
        if ident not in self._parent:
            self._parent[ident] = ident
            self._humans[ident] = Human(idents={ident})
            return ident
        return self.root(ident)

    def _union(self, a: str, b: str) -> str:
        if a == b:
            return a
        big, small = self._humans[a], self._humans[b]
        if len(big.idents) < len(small.idents):
            a, b, big, small = b, a, small, big
        self._parent[b] = a
        self.unions += 1
        big.shown_out = None
        big.idents |= small.idents
        for name, (stamp, value) in small.shown.items():
            _keep_latest(big.shown, name, stamp, value)
        for absence in small.absences:
            if absence not in big.absences:
                big.absences.append(absence)
        del self._humans[b]
        return a


def _shown_out(human: Human) -> dict[str, object]:
    get = human.shown.get
    name, email, phone, actor = get("name"), get("email"), get("phone"), get("actor")
    actor_value = actor[1] if actor is not None else None
    return {
        "name": name[1] if name is not None else None,
        "email": email[1] if email is not None else None,
        "phone": phone[1] if phone is not None else None,
        "actor": actor_value.as_dict() if isinstance(actor_value, ActorRef) else actor_value,
    }


def _keep_latest(
    shown: dict[str, tuple[Stamp, object]], name: str, stamp: Stamp, value: object
) -> bool:
    current = shown.get(name)
    if current is None or stamp > current[0]:
        shown[name] = (stamp, value)
        return current is None or current[1] != value
    return False
