"""What the card grid and the detail panel read from the store."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from briefing.core.cards import stakeholder_detail, topic_cards
from briefing.core.lookup import find_topic, list_topics
from briefing.errors import NotFound
from briefing.store.models import Position, Quote, Source, Stakeholder, Topic

pytestmark = pytest.mark.both_databases


@pytest.fixture
def demo(demo_store):
    with demo_store.reading() as session:
        topic = find_topic(session, None)
        cards = {card.name: card for card in topic_cards(session, topic.id)}
    return demo_store, topic, cards


def test_the_demo_topic_has_cards_for_the_named_stakeholders(demo):
    _store, topic, cards = demo
    assert topic.name == "Police use of facial recognition"
    for name in ("IBM", "Microsoft", "Amazon", "ACLU", "Liberty"):
        card = cards[name]
        assert card.stance in ("opposes", "supports", "conditional", "unclear")
        assert card.headline
        assert card.quotes, f"{name} has no quote on its card"
        for quote in card.quotes:
            assert quote.source_title and quote.when


def test_people_count_on_their_organisations_card(demo):
    _store, _topic, cards = demo
    assert "Arvind Krishna" not in cards and "Brad Smith" not in cards
    assert any(q.speaker == "Arvind Krishna" for q in cards["IBM"].quotes)
    assert cards["IBM"].quote_count >= 4
    assert cards["IBM"].note_count == 1


def test_key_quotes_are_those_that_back_answers(demo):
    store, topic, cards = demo
    with store.reading() as session:
        detail = stakeholder_detail(session, topic.id, cards["Amazon"].id)
    answered = {a.quote_id for a in detail.answers if a.quote_id}
    assert cards["Amazon"].quotes[0].id in answered


def test_the_card_shows_the_latest_position(demo):
    store, topic, cards = demo
    with store.writing() as session:
        session.add(
            Position(
                stakeholder_id=cards["Amazon"].id,
                topic_id=topic.id,
                stance="opposes",
                headline="A later change of heart",
                as_of=dt.date(2021, 5, 18),
            )
        )
    with store.reading() as session:
        card = next(c for c in topic_cards(session, topic.id) if c.name == "Amazon")
        detail = stakeholder_detail(session, topic.id, card.id)
    assert (card.stance, card.headline) == ("opposes", "A later change of heart")
    assert detail.position.headline == "A later change of heart"
    # the demo's 9 June 2020 position, then its 2018 one (the patent)
    assert [(p.stance, p.as_of.year) for p in detail.earlier_positions] == [
        ("unclear", 2020),
        ("unclear", 2018),
    ]


def test_detail_lists_every_quote_with_its_check_and_notes(demo):
    store, topic, cards = demo
    with store.reading() as session:
        detail = stakeholder_detail(session, topic.id, cards["IBM"].id)
    assert detail.members == ("Arvind Krishna",)
    assert len(detail.quotes) == cards["IBM"].quote_count
    assert all(q.verification.status == "exact" for q in detail.quotes)
    assert any("national dialogue" in q.line.text for q in detail.quotes)
    assert [e.when for e in detail.events] == ["8 June 2020"]
    assert len(detail.notes) == 1 and not detail.notes[0].private


def test_a_quote_whose_source_changed_shows_as_not_verified(demo):
    store, topic, cards = demo
    with store.writing() as session:
        quote = session.scalars(select(Quote).where(Quote.text.contains("Orwellian"))).one()
        quote.text = quote.text.replace("Orwellian", "dystopian")
    with store.reading() as session:
        detail = stakeholder_detail(session, topic.id, cards["Microsoft"].id)
    changed = next(q for q in detail.quotes if "dystopian" in q.line.text)
    assert changed.verification.status == "altered"
    assert "[-Orwellian-] {+dystopian+}" in changed.verification.diff


def test_many_stakeholders_read_in_one_go(empty_store):
    with empty_store.writing() as session:
        topic = Topic(name="Large")
        source = Source(title="S", text="words " * 50, sha256="0" * 64)
        session.add_all([topic, source])
        for number in range(1000):
            stakeholder = Stakeholder(name=f"Stakeholder {number:04}", kind="company")
            topic.stakeholders.append(stakeholder)
            session.add(
                Position(
                    stakeholder=stakeholder,
                    topic=topic,
                    stance="unclear",
                    as_of=dt.date(2024, 1, 1),
                )
            )
            for _ in range(3):
                session.add(Quote(source=source, start=0, end=5, text="words", speaker=stakeholder))
    with empty_store.reading() as session:
        cards = topic_cards(session, topic.id)
    assert len(cards) == 1000
    assert all(len(c.quotes) == 2 and c.quote_count == 3 for c in cards)


def test_unknown_topic_names_the_closest(demo_store):
    with demo_store.reading() as session, pytest.raises(NotFound, match="did you mean"):
        find_topic(session, "Police use of facial recogniton")


def test_topics_are_listed(demo_store):
    with demo_store.reading() as session:
        assert [t.name for t in list_topics(session)] == ["Police use of facial recognition"]


def test_a_topic_without_stakeholders_has_no_cards(empty_store):
    with empty_store.writing() as session:
        session.add(Topic(name="New"))
    with empty_store.reading() as session:
        topic = find_topic(session, "new")
        assert topic_cards(session, topic.id) == []
        with pytest.raises(NotFound):
            stakeholder_detail(session, topic.id, 12345)


def _many_quotes(store, topic, card_id: int, count: int) -> None:
    with store.writing() as session:
        source = session.scalars(select(Source)).first()
        words = source.text[:40]
        for _ in range(count):
            session.add(Quote(source_id=source.id, start=0, end=40, text=words, speaker_id=card_id))


def test_the_details_can_show_only_a_cards_first_quotes(demo):
    from briefing.render.detail import MORE_QUOTES_HREF, stakeholder_html

    store, topic, cards = demo
    _many_quotes(store, topic, cards["Liberty"].id, 120)
    with store.reading() as session:
        everything = stakeholder_detail(session, topic.id, cards["Liberty"].id)
        first = stakeholder_detail(session, topic.id, cards["Liberty"].id, quote_limit=50)
    total = len(everything.quotes)
    assert total >= 120 and everything.quote_count == total
    assert len(first.quotes) == 50 and first.quote_count == total
    # The first ones are the same quotes, in the same order, checked the same way.
    assert [q.line.id for q in first.quotes] == [q.line.id for q in everything.quotes[:50]]
    assert [q.verification for q in first.quotes] == [
        q.verification for q in everything.quotes[:50]
    ]
    html = stakeholder_html(first)
    assert f"Quotes ({total})" in html and MORE_QUOTES_HREF in html
    assert f"50 of {total} shown" in html
    assert MORE_QUOTES_HREF not in stakeholder_html(everything)


def test_quotes_are_checked_against_their_passages_without_reading_sources(demo):
    from sqlalchemy import event

    store, topic, cards = demo
    seen: list[str] = []

    def watch(_conn, _cursor, statement, *_args) -> None:
        if "sources.text" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", watch)
    try:
        with store.reading() as session:
            for card in cards.values():
                detail = stakeholder_detail(session, topic.id, card.id)
                assert all(q.verification.verified for q in detail.quotes if q.source_id)
            topic_cards(session, topic.id)
    finally:
        event.remove(store.engine, "before_cursor_execute", watch)
    assert seen == []
