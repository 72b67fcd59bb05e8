"""What the card grid and the detail panel show, read in a handful of queries.

A topic's cards are its stakeholders that hold a position on it, plus those with no parent
organisation. A person who speaks for an organisation on the topic (Arvind Krishna for IBM) gets
no card of their own: their quotes and notes count on their organisation's card. `topic_cards`
reads everything for all cards in a fixed number of queries, however many stakeholders a topic
has, so that a grid of a thousand cards opens as fast as one of ten.

"As of" a date (`as_of=` on `topic_cards` and `stakeholder_detail`): the picture as it stood
that day. A stakeholder's position is its latest dated on or before the day (a position dated
later than another is the current one; one dated earlier never replaces it); quotes are those
said by then (`said_on`, else the date of the source that reports them; an undated quote cannot
be placed and is left out); an answer stands when the quote backing it was said by then (an
answer with no dated quote is left out); events are those that happened by then. A card whose
position changed after the day says when (`changed_on`). Which stakeholders have a card does not
depend on the day: the grid keeps its shape as the date moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from briefing.core.card_records import CARD_QUOTES as CARD_QUOTES  # where they were
from briefing.core.card_records import QuoteLine, StakeholderCard
from briefing.core.card_records import citation_dates as citation_dates
from briefing.core.dates import format_date
from briefing.core.primary import PrimaryCheck, primary_checks
from briefing.core.quotes import Conflict, cross_source_relations, verify_quotes
from briefing.core.verify import Verification
from briefing.errors import NotFound
from briefing.store.models import (
    Answer,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    topic_stakeholders,
)


@dataclass(frozen=True)
class PositionView:
    id: int
    stance: str
    headline: str
    summary: str  # Markdown
    as_of: dt.date
    note_count: int = 0
    # Who added it and who changed it last (member roles, on a team store only; else None).
    added_by: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class QuoteView:
    line: QuoteLine
    source_id: int | None
    start: int
    end: int
    verification: Verification
    tags: tuple[str, ...]
    note_count: int = 0
    # Quotes of other sources with the same words: changed beyond typography, or agreeing.
    conflicts: tuple[Conflict, ...] = ()
    agreements: tuple[Conflict, ...] = ()
    # The closest passage of the speaker's primary document (their letter), where one exists.
    primary: PrimaryCheck | None = None
    # Who added it and who changed it last (member roles, on a team store only; else None).
    added_by: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class NoteView:
    id: int
    body: str  # Markdown
    private: bool
    attached_to: str  # what it hangs on, in words
    tags: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    # Who added it and who changed it last (member roles, on a team store only; else None).
    added_by: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class AnswerView:
    question: str
    answer: str
    comment: str
    quote_id: int | None


@dataclass(frozen=True)
class EventView:
    occurred_on: dt.date
    precision: str
    title: str

    @property
    def when(self) -> str:
        return format_date(self.occurred_on, self.precision)


@dataclass(frozen=True)
class StakeholderDetail:
    id: int
    name: str
    kind: str
    description: str
    parent: str | None
    members: tuple[str, ...]
    position: PositionView | None
    earlier_positions: tuple[PositionView, ...]
    quotes: tuple[QuoteView, ...]
    answers: tuple[AnswerView, ...]
    events: tuple[EventView, ...]
    notes: tuple[NoteView, ...] = field(default=())
    quote_count: int = 0  # all the card's quotes; `quotes` may hold only the first of them
    as_of: dt.date | None = None  # the day the details stand as of; None: today
    changed_on: dt.date | None = None  # the next position after `as_of`, if any
    # Who added it and who changed it last (member roles, on a team store only; else None).
    added_by: str | None = None
    changed_by: str | None = None


def _card_owners(session: Session, topic_id: int) -> tuple[list[Row], dict[int, int]]:
    """The topic's card stakeholders (id, name, kind, parent_id), and for every stakeholder of
    it the card it counts on. Rows, not records: a topic of a thousand stays cheap to read."""
    members = session.execute(
        select(Stakeholder.id, Stakeholder.name, Stakeholder.kind, Stakeholder.parent_id)
        .join(topic_stakeholders, topic_stakeholders.c.stakeholder_id == Stakeholder.id)
        .where(topic_stakeholders.c.topic_id == topic_id)
        # The most influential first, so the grid opens on the stakeholders that matter most.
        .order_by(Stakeholder.influence.desc().nulls_last(), Stakeholder.name)
    ).all()
    with_position = set(
        session.scalars(select(Position.stakeholder_id).where(Position.topic_id == topic_id))
    )
    ids = {member.id for member in members}
    owner: dict[int, int] = {}
    cards = []
    for member in members:
        folds = (
            member.id not in with_position
            and member.parent_id is not None
            and member.parent_id in ids
        )
        if folds:
            owner[member.id] = member.parent_id  # type: ignore[assignment]
        else:
            owner[member.id] = member.id
            cards.append(member)
    return cards, owner


def quote_date():
    """The day a quote is placed at: when it was said, else when its source reported it.
    An expression over Quote and Source (the query must join Source)."""
    return func.coalesce(Quote.said_on, Source.published)


def _said_by(as_of: dt.date | None):
    """The condition "said on or before `as_of`" (none without a day)."""
    return quote_date() <= as_of if as_of is not None else None


def _next_positions(session: Session, topic_id: int, as_of: dt.date | None) -> dict[int, dt.date]:
    """For each stakeholder of the topic whose position changed after `as_of`, the first day
    it changed."""
    if as_of is None:
        return {}
    return dict(
        session.execute(
            select(Position.stakeholder_id, func.min(Position.as_of))
            .where(Position.topic_id == topic_id, Position.as_of > as_of)
            .group_by(Position.stakeholder_id)
        ).all()
    )


def _latest_positions(
    session: Session, topic_id: int, as_of: dt.date | None = None
) -> dict[int, Row]:
    dated = [Position.topic_id == topic_id]
    if as_of is not None:
        dated.append(Position.as_of <= as_of)
    ranked = (
        select(
            Position.id,
            func.row_number()
            .over(
                partition_by=Position.stakeholder_id,
                order_by=(Position.as_of.desc(), Position.id.desc()),
            )
            .label("rank"),
        )
        .where(*dated)
        .subquery()
    )
    latest = session.execute(
        select(Position.stakeholder_id, Position.stance, Position.headline, Position.as_of)
        .join(ranked, ranked.c.id == Position.id)
        .where(ranked.c.rank == 1)
    )
    return {position.stakeholder_id: position for position in latest}


def _quote_line(quote: Quote, speaker: str, source: Source | None) -> QuoteLine:
    return QuoteLine(
        id=quote.id,
        text=quote.text,
        speaker=speaker,
        attribution=quote.attribution,
        source_title=source.title if source else "",
        source_publisher=source.publisher if source else "",
        source_published=source.published if source else None,
        said_on=quote.said_on,
    )


def _quote_order(rank_by):
    """Key quotes first: those that back an answer in the comparison, then direct words before
    reported ones, then the order they were recorded in."""
    backs_answer = select(Answer.id).where(Answer.quote_id == Quote.id).exists()
    return (~backs_answer, (Quote.attribution != "direct"), rank_by)


@dataclass(frozen=True)
class CardOrder:
    """Which cards a topic shows, in their order, and for each of its stakeholders the card it
    counts on: what `topic_cards` reads first, without any card's quotes or counts."""

    rows: tuple[Row, ...]  # the cards' stakeholders (id, name, kind, parent_id), in order
    owner: dict[int, int]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(row.id for row in self.rows)

    def cards_of(self, stakeholder_ids) -> set[int]:
        """The cards on which these stakeholders count (none for one not on the topic)."""
        return {self.owner[sid] for sid in stakeholder_ids if sid in self.owner}


def card_order(session: Session, topic_id: int) -> CardOrder:
    """The topic's cards in order and who counts on which: one small read of its stakeholders
    (a name or an influence changed moves a card; a parent changed folds one into another)."""
    cards, owner = _card_owners(session, topic_id)
    return CardOrder(tuple(cards), owner)


def topic_cards(
    session: Session,
    topic_id: int,
    *,
    as_of: dt.date | None = None,
    only: set[int] | frozenset[int] | None = None,
    order: CardOrder | None = None,
) -> list[StakeholderCard]:
    """The topic's cards, or as they stood on the day `as_of` (see the module's docstring).
    With `only` (card ids), just those cards, in the topic's order, reading only their
    stakeholders' quotes and notes: the window's refresh after one stakeholder was edited.
    `order`: the topic's `card_order`, read in the same transaction (else it is read here)."""
    order = order or card_order(session, topic_id)
    cards, owner = list(order.rows), order.owner
    if only is not None:
        cards = [card for card in cards if card.id in only]
    if not cards:
        return []
    positions = _latest_positions(session, topic_id, as_of)
    changed = _next_positions(session, topic_id, as_of)
    if only is None:
        member_ids = select(topic_stakeholders.c.stakeholder_id).where(
            topic_stakeholders.c.topic_id == topic_id
        )
    else:
        member_ids = [member for member, card in owner.items() if card in only]
    said = [Quote.speaker_id.in_(member_ids)]
    if as_of is not None:
        said.append(_said_by(as_of))

    # The first few quotes of every speaker, in one query; merged per card below.
    ranked = (
        select(
            Quote.id,
            func.row_number()
            .over(partition_by=Quote.speaker_id, order_by=_quote_order(Quote.id))
            .label("rank"),
        )
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(*said)
        .subquery()
    )
    speaker = aliased(Stakeholder)
    top_quotes: dict[int, list[QuoteLine]] = defaultdict(list)
    rows = session.execute(
        select(
            Quote.id,
            Quote.text,
            Quote.attribution,
            Quote.said_on,
            Quote.speaker_id,
            speaker.name.label("speaker"),
            Source.title,
            Source.publisher,
            Source.published,
        )
        .join(ranked, ranked.c.id == Quote.id)
        .join(speaker, speaker.id == Quote.speaker_id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(ranked.c.rank <= CARD_QUOTES)
        .order_by(*_quote_order(Quote.id))
    )
    for row in rows:
        line = QuoteLine(
            id=row.id,
            text=row.text,
            speaker=row.speaker,
            attribution=row.attribution,
            source_title=row.title or "",
            source_publisher=row.publisher or "",
            source_published=row.published,
            said_on=row.said_on,
        )
        top_quotes[owner[row.speaker_id]].append(line)

    quote_counts: dict[int, int] = defaultdict(int)
    for speaker_id, count in session.execute(
        select(Quote.speaker_id, func.count())
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(*said)
        .group_by(Quote.speaker_id)
    ):
        quote_counts[owner[speaker_id]] += count

    note_counts = _note_counts(session, topic_id, owner, member_ids)

    result = []
    for stakeholder in cards:
        position = positions.get(stakeholder.id)
        chosen = top_quotes.get(stakeholder.id, [])[:CARD_QUOTES]
        result.append(
            StakeholderCard(
                id=stakeholder.id,
                name=stakeholder.name,
                kind=stakeholder.kind,
                stance=position.stance if position else None,
                headline=position.headline if position else "",
                as_of=position.as_of if position else None,
                quotes=tuple(chosen),
                quote_count=quote_counts[stakeholder.id],
                note_count=note_counts[stakeholder.id],
                changed_on=changed.get(stakeholder.id),
            )
        )
    return result


def card_note_counts(session: Session, topic_id: int) -> dict[int, int]:
    """How many notes each card of the topic counts, as `topic_cards` counts them, without
    reading the rest of the cards: all that writing or deleting a note can change on them."""
    cards, owner = _card_owners(session, topic_id)
    counts = _note_counts(session, topic_id, owner)
    return {card.id: counts[card.id] for card in cards}


def _note_counts(
    session: Session, topic_id: int, owner: dict[int, int], member_ids=None
) -> dict[int, int]:
    """Notes on each card: on its stakeholders, their positions on the topic, their quotes
    (with `member_ids`, only on those stakeholders)."""
    counts: dict[int, int] = defaultdict(int)
    if member_ids is None:
        member_ids = select(topic_stakeholders.c.stakeholder_id).where(
            topic_stakeholders.c.topic_id == topic_id
        )
    queries = (
        select(Note.stakeholder_id, func.count())
        .where(Note.stakeholder_id.in_(member_ids))
        .group_by(Note.stakeholder_id),
        select(Position.stakeholder_id, func.count())
        .join(Note, Note.position_id == Position.id)
        .where(Position.topic_id == topic_id, Position.stakeholder_id.in_(member_ids))
        .group_by(Position.stakeholder_id),
        select(Quote.speaker_id, func.count())
        .join(Note, Note.quote_id == Quote.id)
        .where(Quote.speaker_id.in_(member_ids))
        .group_by(Quote.speaker_id),
    )
    for query in queries:
        for stakeholder_id, count in session.execute(query):
            counts[owner[stakeholder_id]] += count
    return counts


def _position_view(position: Position, note_counts: dict[int, int]) -> PositionView:
    return PositionView(
        id=position.id,
        stance=position.stance,
        headline=position.headline,
        summary=position.summary,
        as_of=position.as_of,
        note_count=note_counts.get(position.id, 0),
        added_by=position.created_by,
        changed_by=position.changed_by,
    )


def card_members(session: Session, topic_id: int, stakeholder_id: int) -> list[int]:
    """The stakeholders whose quotes and notes count on this card: itself and those it folds in."""
    _cards, owner = _card_owners(session, topic_id)
    return [sid for sid, card in owner.items() if card == stakeholder_id] or [stakeholder_id]


def stakeholder_detail(
    session: Session,
    topic_id: int,
    stakeholder_id: int,
    *,
    quote_limit: int | None = None,
    as_of: dt.date | None = None,
) -> StakeholderDetail:
    """Everything the detail panel shows for one card; with `quote_limit`, only the first quotes
    (key quotes first, as on the card), so that a card with a thousand quotes opens at once.
    With `as_of`, the card as it stood that day (see the module's docstring)."""
    stakeholder = session.get(Stakeholder, stakeholder_id)
    if stakeholder is None:
        raise NotFound(f"there is no stakeholder with id {stakeholder_id}")
    people = card_members(session, topic_id, stakeholder_id)
    member_names = session.scalars(
        select(Stakeholder.name)
        .where(Stakeholder.id.in_(people), Stakeholder.id != stakeholder_id)
        .order_by(Stakeholder.name)
    ).all()

    dated = [Position.topic_id == topic_id, Position.stakeholder_id == stakeholder_id]
    if as_of is not None:
        dated.append(Position.as_of <= as_of)
    positions = session.scalars(
        select(Position).where(*dated).order_by(Position.as_of.desc(), Position.id.desc())
    ).all()
    said = [Quote.speaker_id.in_(people)]
    if as_of is not None:
        said.append(_said_by(as_of))

    position_notes = dict(
        session.execute(
            select(Note.position_id, func.count())
            .where(Note.position_id.in_([p.id for p in positions]))
            .group_by(Note.position_id)
        ).all()
    )
    speaker = aliased(Stakeholder)
    quote_notes = dict(
        session.execute(
            select(Note.quote_id, func.count())
            .join(Quote, Quote.id == Note.quote_id)
            .where(Quote.speaker_id.in_(people))
            .group_by(Note.quote_id)
        ).all()
    )
    quote_count = session.scalar(
        select(func.count())
        .select_from(Quote)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(*said)
    )
    # Reads the texts of this card's primary documents only, and nothing where there are none.
    primaries = primary_checks(session, set(people))
    quotes = []
    rows = session.execute(
        select(Quote, speaker.name, Source)
        .options(selectinload(Quote.tags))  # one read of the page's tags, not one per quote
        .join(speaker, speaker.id == Quote.speaker_id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(*said)
        .order_by(*_quote_order(Quote.id))
        .limit(quote_limit)
    ).all()
    shown = {quote.id for quote, _name, _source in rows}
    relations = cross_source_relations(
        session, set(people), only=shown if quote_limit is not None else None
    )
    checked = verify_quotes(
        session,
        ((q.id, q.text, src.id if src else None, q.start, q.end) for q, _name, src in rows),
    )
    for quote, speaker_name, source in rows:
        quotes.append(
            QuoteView(
                line=_quote_line(quote, speaker_name, source),
                source_id=quote.source_id,
                start=quote.start,
                end=quote.end,
                verification=checked[quote.id],
                tags=tuple(tag.name for tag in quote.tags),
                note_count=quote_notes.get(quote.id, 0),
                conflicts=tuple(relations.get(quote.id, ([], []))[0]),
                agreements=tuple(relations.get(quote.id, ([], []))[1]),
                primary=primaries.get(quote.id),
                added_by=quote.created_by,
                changed_by=quote.changed_by,
            )
        )

    answered = [Question.topic_id == topic_id, Answer.stakeholder_id == stakeholder_id]
    if as_of is not None:
        answered.append(answer_stands(as_of))
    answers = [
        AnswerView(
            question=text, answer=answer.answer, comment=answer.comment, quote_id=answer.quote_id
        )
        for answer, text in session.execute(
            select(Answer, Question.text)
            .join(Question, Question.id == Answer.question_id)
            .where(*answered)
            .order_by(Question.sort_order, Question.id)
        )
    ]

    happened = [Event.topic_id == topic_id, Event.stakeholder_id.in_(people)]
    if as_of is not None:
        happened.append(Event.occurred_on <= as_of)
    events = [
        EventView(event.occurred_on, event.precision, event.title)
        for event in session.scalars(
            select(Event).where(*happened).order_by(Event.occurred_on, Event.id)
        )
    ]

    return StakeholderDetail(
        id=stakeholder.id,
        name=stakeholder.name,
        kind=stakeholder.kind,
        description=stakeholder.description,
        parent=stakeholder.parent.name if stakeholder.parent else None,
        members=tuple(member_names),
        position=_position_view(positions[0], position_notes) if positions else None,
        earlier_positions=tuple(_position_view(p, position_notes) for p in positions[1:]),
        quotes=tuple(quotes),
        answers=tuple(answers),
        events=tuple(events),
        notes=tuple(_notes_for(session, topic_id, people, [p.id for p in positions])),
        quote_count=quote_count or 0,
        as_of=as_of,
        changed_on=_next_positions(session, topic_id, as_of).get(stakeholder_id),
        added_by=stakeholder.created_by,
        changed_by=stakeholder.changed_by,
    )


def answer_stands(as_of: dt.date):
    """The condition on Answer "recorded by `as_of`": the quote that backs it was said (or
    reported) on or before that day. An answer without a dated quote cannot be placed in time."""
    said = (
        select(Quote.id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(Quote.id == Answer.quote_id, quote_date() <= as_of)
    )
    return said.exists()


def _notes_for(
    session: Session, topic_id: int, people: list[int], position_ids: list[int]
) -> list[NoteView]:
    names = dict(
        session.execute(
            select(Stakeholder.id, Stakeholder.name).where(Stakeholder.id.in_(people))
        ).all()
    )
    quote_ids = select(Quote.id).where(Quote.speaker_id.in_(people))
    notes = session.scalars(
        select(Note)
        .options(selectinload(Note.tags))
        .where(
            Note.stakeholder_id.in_(people)
            | Note.position_id.in_(position_ids)
            | Note.quote_id.in_(quote_ids)
        )
        .order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    quote_words = dict(
        session.execute(
            select(Quote.id, Quote.text).where(
                Quote.id.in_([n.quote_id for n in notes if n.quote_id is not None])
            )
        ).all()
    )
    views = []
    for note in notes:
        kind, target_id = note.target
        if kind == "stakeholder":
            attached = names.get(target_id, "")
        elif kind == "quote":
            words = " ".join(quote_words.get(target_id, "").split())
            words = words if len(words) <= 40 else words[:39] + "\u2026"
            attached = f"the quote \u201c{words}\u201d"
        else:
            attached = f"the {kind}"
        views.append(
            NoteView(
                id=note.id,
                body=note.body,
                private=note.private,
                attached_to=attached,
                tags=tuple(tag.name for tag in note.tags),
                created_at=note.created_at,
                updated_at=note.updated_at,
                added_by=note.written_by,
                changed_by=note.changed_by,
            )
        )
    return views
