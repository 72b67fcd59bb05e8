"""Positions over time: the picture "as of" a day, the timeline and the map as records."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.core.briefings import topic_content
from briefing.core.cards import stakeholder_detail, topic_cards
from briefing.core.compare import comparison
from briefing.core.editing import set_position
from briefing.core.lookup import find_stakeholder, list_topics
from briefing.core.timeline import set_influence, stakeholder_map, topic_timeline
from briefing.core.undo import dump
from briefing.errors import InputError, NotFound

pytestmark = pytest.mark.both_databases

D = dt.date


def _topic(session) -> int:
    return list_topics(session)[0].id


def _card(cards, name):
    return next(card for card in cards if card.name == name)


def test_a_later_position_becomes_current_and_an_earlier_one_never_replaces_it(demo_store):
    with demo_store.writing() as session:
        topic = _topic(session)
        ibm = find_stakeholder(session, "IBM").id
        set_position(session, topic, ibm, "supports", "Back in.", D(2021, 3, 1), "Back in")
        # recorded after the 2021 one, but dated before it: it stays in the past
        set_position(session, topic, ibm, "conditional", "Pause.", D(2020, 12, 1), "Pause")
    with demo_store.reading() as session:
        cards = topic_cards(session, topic)
        assert _card(cards, "IBM").stance == "supports"
        assert _card(cards, "IBM").as_of == D(2021, 3, 1)
        assert _card(cards, "IBM").changed_on is None  # no as-of day: nothing is "later"
        between = topic_cards(session, topic, as_of=D(2021, 1, 15))
        assert _card(between, "IBM").stance == "conditional"
        assert _card(between, "IBM").changed_on == D(2021, 3, 1)
        detail = stakeholder_detail(session, topic, ibm, as_of=D(2021, 1, 15))
        assert detail.position.headline == "Pause"
        assert [p.headline for p in detail.earlier_positions][0].startswith("Has quit")
        assert detail.changed_on == D(2021, 3, 1) and detail.as_of == D(2021, 1, 15)


def test_as_of_a_past_day_shows_positions_quotes_answers_and_events_of_that_day(demo_store):
    with demo_store.reading() as session:
        topic = _topic(session)
        today = topic_cards(session, topic)
        before = topic_cards(session, topic, as_of=D(2020, 3, 1))
        # the same cards in the same order: the grid keeps its shape as the date moves
        assert [c.id for c in before] == [c.id for c in today]
        assert _card(before, "Metropolitan Police").stance == "supports"
        assert _card(before, "Microsoft").stance == "conditional"
        assert _card(before, "Microsoft").changed_on == D(2020, 6, 9)
        assert _card(before, "IBM").stance is None
        assert _card(before, "IBM").changed_on == D(2020, 6, 8)
        # no quote of the report (9 June 2020) was said by 1 March 2020
        assert all(card.quote_count == 0 and not card.quotes for card in before)
        assert _card(today, "IBM").quote_count > 0
        # the letter (8 June) is quoted; the report (9 June) not yet
        letter_day = topic_cards(session, topic, as_of=D(2020, 6, 8))
        ibm = _card(letter_day, "IBM")
        assert ibm.stance == "opposes" and 0 < ibm.quote_count < _card(today, "IBM").quote_count
        assert all(q.said_on is not None and q.said_on <= D(2020, 6, 8) for q in ibm.quotes)

        ibm_id = ibm.id
        detail = stakeholder_detail(session, topic, ibm_id, as_of=D(2020, 3, 1))
        assert detail.position is None and detail.quotes == () and detail.answers == ()
        assert detail.events == ()
        now = stakeholder_detail(session, topic, ibm_id)
        assert now.answers and now.events

        amazon = find_stakeholder(session, "Amazon").id
        early = stakeholder_detail(session, topic, amazon, as_of=D(2019, 1, 1))
        assert [e.when for e in early.events] == ["2018"]

        chosen = [ibm_id, find_stakeholder(session, "Microsoft").id]
        past = comparison(session, topic, chosen, as_of=D(2020, 3, 1))
        present = comparison(session, topic, chosen)
        assert present.cells and not past.cells
        assert past.as_dict()["as_of"] == "2020-03-01"
        assert all(cell == "No answer" for row in past.as_rows()[1:] for cell in row[1:])


def test_the_timeline_has_a_lane_per_card_with_spans_and_marks(demo_store):
    with demo_store.reading() as session:
        topic = _topic(session)
        timeline = topic_timeline(session, topic, as_of=D(2020, 3, 1))
        cards = topic_cards(session, topic)
    names = [lane.name for lane in timeline.lanes]
    assert names[: len(cards)] == [card.name for card in cards]
    assert timeline.lanes[-1].stakeholder_id is None  # the report itself: no stakeholder
    microsoft = next(lane for lane in timeline.lanes if lane.name == "Microsoft")
    assert [(s.stance, s.start, s.end) for s in microsoft.spans] == [
        ("conditional", D(2019, 9, 30), D(2020, 6, 9)),
        ("conditional", D(2020, 6, 9), None),
    ]
    amazon = next(lane for lane in timeline.lanes if lane.name == "Amazon")
    assert [(m.kind, m.when) for m in amazon.marks if m.kind == "event"] == [("event", "2018")]
    assert any(m.kind == "quote" for m in amazon.marks)
    assert timeline.first == D(2018, 1, 1) and timeline.last == D(2020, 6, 9)
    assert timeline.as_of == D(2020, 3, 1)


def test_the_map_follows_the_day_and_dragging_sets_influence(demo_store):
    with demo_store.reading() as session:
        topic = _topic(session)
        past = stakeholder_map(session, topic, as_of=D(2020, 3, 1))
        now = stakeholder_map(session, topic)
    ibm_then = next(p for p in past.points if p.name == "IBM")
    ibm_now = next(p for p in now.points if p.name == "IBM")
    assert ibm_then.stance is None and ibm_now.stance == "opposes"
    assert ibm_now.influence == 5
    with demo_store.writing() as session:
        changes = set_influence(session, ibm_now.stakeholder_id, 2)
        assert changes.touches("stakeholder")
    with demo_store.reading() as session:
        moved = stakeholder_map(session, topic)
    assert next(p for p in moved.points if p.name == "IBM").influence == 2


@pytest.mark.parametrize("bad", [0, 6, -1, True, 2.5, None])
def test_influence_outside_one_to_five_is_refused_and_changes_nothing(demo_store, bad):
    with demo_store.reading() as session:
        before = dump(session)
        ibm = find_stakeholder(session, "IBM").id
    with pytest.raises(InputError, match="outside 1 to 5"), demo_store.writing() as session:
        set_influence(session, ibm, bad)
    with pytest.raises(NotFound), demo_store.writing() as session:
        set_influence(session, 99999, 3)
    with demo_store.reading() as session:
        assert dump(session) == before


def test_an_export_as_of_a_day_carries_the_day_the_timeline_and_the_map(demo_store):
    with demo_store.reading() as session:
        topic = _topic(session)
        content = topic_content(session, topic, as_of=D(2020, 3, 1))
        today = topic_content(session, topic)
    assert content.as_of == D(2020, 3, 1) and today.as_of is None
    met = next(s for s in content.glance if s.title == "Metropolitan Police")
    assert met.stance == "supports" and met.as_of == D(2020, 2, 29)
    assert next(s for s in content.glance if s.title == "IBM").stance is None
    assert not content.all_quotes and today.all_quotes
    assert content.timeline is not None and content.stakeholder_map is not None
    assert "Positions over time" in content.section_titles
    assert "Stakeholder map" in content.section_titles
