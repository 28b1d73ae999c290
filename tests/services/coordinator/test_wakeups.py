"""An employer's wake-ups: one at a time, the latest found, in a bounded heap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from enkontakt.services.coordinator.wakeups import SLACK, Wakeups


def test_a_later_wake_up_replaces_an_earlier_one() -> None:
    wakeups = Wakeups()
    wakeups.schedule("974760673", 100)
    wakeups.schedule("974760673", 300)
    assert wakeups.due(200) == set()
    assert wakeups.due(300) == {"974760673"}
    assert wakeups.due(10_000) == set()


def test_an_earlier_wake_up_replaces_a_later_one() -> None:
    wakeups = Wakeups()
    wakeups.schedule("974760673", 300)
    wakeups.schedule("974760673", 100)
    assert wakeups.due(100) == {"974760673"}
    assert wakeups.due(300) == set()


def test_none_and_forget_leave_no_wake_up() -> None:
    wakeups = Wakeups()
    wakeups.schedule("974760673", 100)
    wakeups.schedule("974760673", None)
    wakeups.schedule("889640782", 100)
    wakeups.forget("889640782")
    assert len(wakeups) == 0
    assert wakeups.due(1_000) == set()


def test_a_busy_employer_does_not_grow_the_heap() -> None:
    wakeups = Wakeups()
    for n in range(50_000):
        # Derived again and again, its breakpoint moving on each time.
        wakeups.schedule(f"{n % 10:09d}", 1_000_000 + n)
        assert len(wakeups.heap) <= 2 * len(wakeups) + SLACK + 1
    assert wakeups.due(1_000_000 + 49_989) == set()
    assert wakeups.due(1_000_000 + 49_999) == {f"{n:09d}" for n in range(10)}
    assert len(wakeups) == 0


operations = st.lists(
    st.tuples(
        st.sampled_from(["schedule", "forget", "due"]),
        st.sampled_from(["a", "b", "c"]),
        st.none() | st.integers(0, 50),
    ),
    max_size=60,
)


@given(operations)
def test_same_as_one_wake_up_per_employer(ops: list[tuple[str, str, int | None]]) -> None:
    wakeups, model = Wakeups(), {}
    for op, orgnr, when in ops:
        if op == "schedule":
            wakeups.schedule(orgnr, when)
            if when is None:
                model.pop(orgnr, None)
            else:
                model[orgnr] = when
        elif op == "forget":
            wakeups.forget(orgnr)
            model.pop(orgnr, None)
        else:
            now = when or 0
            expected = {o for o, w in model.items() if w <= now}
            assert wakeups.due(now) == expected
            model = {o: w for o, w in model.items() if w > now}
    assert len(wakeups) == len(model)
