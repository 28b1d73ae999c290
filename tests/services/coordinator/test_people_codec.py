"""Person records shared between workers."""

from __future__ import annotations

import orjson

from enkontakt.services.coordinator.ledger import Ledger
from enkontakt.services.coordinator.mentions import mentions_in
from enkontakt.services.coordinator.people_codec import decode_mention, encode_mention
from enkontakt.services.coordinator.validation import decode
from tests import builders as b


def test_mentions_round_trip_and_carry_deputies() -> None:
    event = decode(b.lines(b.assign("2026-10-01 08:00", b.person(1), deputy=b.person(2)))[0])
    mentions = mentions_in(event)
    assert [m.idents[0] for m in mentions] == ["id:1902:Z000001", "id:1902:Z000002"]
    for mention in mentions:
        assert decode_mention(orjson.loads(orjson.dumps(encode_mention(mention)))) == mention


def test_a_mention_from_elsewhere_that_joins_two_humans_names_the_affected_employers() -> None:
    here = Ledger()
    for line in b.lines(
        b.contact("2026-10-01 09:00", {"id": "Z1"}),
        b.contact("2026-10-01 09:10", {"email": "z@nav.no"}),
    ):
        here.apply(decode(line))
    linking = decode(
        b.lines(
            b.contact("2026-10-02 09:00", {"id": "Z1", "email": "z@nav.no"}, orgnr=b.ORGNRS[0])
        )[0]
    )
    [mention] = mentions_in(linking)
    assert here.apply_mention(mention) == [b.EMPLOYER]
    assert here.apply_mention(mention) == []  # already known: nothing changes
