"""Positions over time and the stakeholder map, as plain records that a widget or an export draws.

`topic_timeline` reads a topic's dated material in a fixed handful of queries: one lane per card
(people who speak for an organisation count on its lane, as on the cards), each lane's stance as
spans between its dated positions (a span runs from a position's date to the next position's, the
last to the end of the axis), and its events and quotes as marks. Events of no stakeholder stand
on the topic's own lane. `stakeholder_map` places each card by stance (across) and influence (up,
1 to 5) as of a day. `set_influence` is the edit that dragging a mark on the map makes.

Nothing here knows how things are drawn: `briefing.export.figures` paints these records with
QPainter for the window (`briefing.ui.timeline`, `briefing.ui.stakeholder_map`) and for the PDF
and ODT exports, and `briefing.render.briefing` says in words what they show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from briefing.core.cards import _card_owners, quote_date, topic_cards
from briefing.core.changes import Changes
from briefing.core.dates import format_date
from briefing.errors import InputError, NotFound
from briefing.store.models import Event, Position, Quote, Source, Stakeholder, Topic

# The order of stances across the map, from against to for; "unclear" and no position at the end.
MAP_STANCES: tuple[str | None, ...] = ("opposes", "conditional", "supports", "unclear", None)
NO_INFLUENCE = 1  # where the map puts a stakeholder whose influence is not recorded


@dataclass(frozen=True)
class StanceSpan:
    """A stakeholder's stance from `start` until `end` (the next position's date; None: open)."""

    position_id: int
    stance: str
    headline: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Mark:
    """An event or a quote on a lane, at its day (a month or year event at its first day)."""

    kind: str  # "event" | "quote"
    id: int
    on: dt.date
    precision: str  # "day" | "month" | "year"
    label: str

    @property
    def when(self) -> str:
        return format_date(self.on, self.precision)


@dataclass(frozen=True)
class Lane:
    stakeholder_id: int | None  # None: the topic's own lane (events of no stakeholder)
    name: str
    kind: str
    spans: tuple[StanceSpan, ...]
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Timeline:
    topic_id: int
    topic: str
    lanes: tuple[Lane, ...]
    first: dt.date | None  # the earliest dated thing (None: nothing is dated)
    last: dt.date | None
    as_of: dt.date | None = None  # the day the window or export stands on, drawn as a line

    @property
    def mark_count(self) -> int:
        return sum(len(lane.marks) + len(lane.spans) for lane in self.lanes)


@dataclass(frozen=True)
class MapPoint:
    stakeholder_id: int
    name: str
    kind: str
    stance: str | None
    influence: int | None  # 1 to 5, None: not recorded (drawn at NO_INFLUENCE, hollow)
    changed_on: dt.date | None = None


@dataclass(frozen=True)
class StakeholderMap:
    topic_id: int
    topic: str
    points: tuple[MapPoint, ...]
    as_of: dt.date | None = None


def _topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(f"there is no topic with id {topic_id}")
    return topic


def _label(text: str, limit: int = 80) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1] + "\u2026"


def topic_timeline(
    session: Session, topic_id: int, *, as_of: dt.date | None = None, quotes: bool = True
) -> Timeline:
    """The topic's lanes in the cards' order. Everything dated is drawn, before and after
    `as_of` alike (the timeline is where a later change is seen); `as_of` is drawn as a line."""
    topic = _topic(session, topic_id)
    cards, owner = _card_owners(session, topic_id)
    spans: dict[int, list[StanceSpan]] = defaultdict(list)
    positions = session.execute(
        select(
            Position.id, Position.stakeholder_id, Position.stance, Position.headline, Position.as_of
        )
        .where(Position.topic_id == topic_id)
        .order_by(Position.stakeholder_id, Position.as_of, Position.id)
    ).all()
    by_stakeholder: dict[int, list] = defaultdict(list)
    for row in positions:
        by_stakeholder[row.stakeholder_id].append(row)
    for stakeholder_id, rows in by_stakeholder.items():
        # Two positions of one day: the later recorded wins (as on the card).
        day_last = {row.as_of: row for row in rows}
        ordered = sorted(day_last.values(), key=lambda r: r.as_of)
        for index, row in enumerate(ordered):
            end = ordered[index + 1].as_of if index + 1 < len(ordered) else None
            spans[stakeholder_id].append(
                StanceSpan(row.id, row.stance, row.headline, row.as_of, end)
            )

    marks: dict[int | None, list[Mark]] = defaultdict(list)
    for event in session.execute(
        select(Event.id, Event.occurred_on, Event.precision, Event.title, Event.stakeholder_id)
        .where(Event.topic_id == topic_id)
        .order_by(Event.occurred_on, Event.id)
    ):
        lane = owner.get(event.stakeholder_id) if event.stakeholder_id is not None else None
        marks[lane].append(
            Mark("event", event.id, event.occurred_on, event.precision, _label(event.title))
        )
    if quotes and owner:
        for quote in session.execute(
            select(Quote.id, Quote.text, Quote.speaker_id, quote_date().label("on"))
            .outerjoin(Source, Source.id == Quote.source_id)
            .where(Quote.speaker_id.in_(list(owner)), quote_date().is_not(None))
            .order_by(quote_date(), Quote.id)
        ):
            marks[owner[quote.speaker_id]].append(
                Mark("quote", quote.id, quote.on, "day", f"\u201c{_label(quote.text, 60)}\u201d")
            )

    lanes = [
        Lane(
            card.id,
            card.name,
            card.kind,
            tuple(spans.get(card.id, ())),
            tuple(sorted(marks.get(card.id, ()), key=lambda m: (m.on, m.kind, m.id))),
        )
        for card in cards
    ]
    if marks.get(None):
        lanes.append(Lane(None, topic.name, "topic", (), tuple(marks[None])))
    days = [s.start for lane in lanes for s in lane.spans] + [
        m.on for lane in lanes for m in lane.marks
    ]
    return Timeline(
        topic_id=topic.id,
        topic=topic.name,
        lanes=tuple(lanes),
        first=min(days) if days else None,
        last=max(days) if days else None,
        as_of=as_of,
    )


def stakeholder_map(
    session: Session, topic_id: int, *, as_of: dt.date | None = None
) -> StakeholderMap:
    """Every card of the topic with its stance as of `as_of` (today without it) and influence."""
    topic = _topic(session, topic_id)
    cards = topic_cards(session, topic_id, as_of=as_of)
    influence = dict(
        session.execute(
            select(Stakeholder.id, Stakeholder.influence).where(
                Stakeholder.id.in_([card.id for card in cards])
            )
        ).all()
    )
    return StakeholderMap(
        topic_id=topic.id,
        topic=topic.name,
        points=tuple(
            MapPoint(
                card.id, card.name, card.kind, card.stance, influence.get(card.id), card.changed_on
            )
            for card in cards
        ),
        as_of=as_of,
    )


def set_influence(session: Session, stakeholder_id: int, influence: int) -> Changes:
    """Set how much a stakeholder weighs, 1 to 5 (what dragging its mark on the map does)."""
    if isinstance(influence, bool) or not isinstance(influence, int) or not 1 <= influence <= 5:
        raise InputError(f"influence {influence!r} is outside 1 to 5")
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if stakeholder is None:
        raise NotFound(f"there is no stakeholder with id {stakeholder_id}")
    if stakeholder.influence == influence:
        return Changes()
    stakeholder.influence = influence
    session.flush()
    return Changes(frozenset({"stakeholder"}))


def quote_source(session: Session, quote_id: int) -> int | None:
    """The source a quote stands in (None: its source was removed), to open it there."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound(f"there is no quote with id {quote_id}")
    return quote.source_id
