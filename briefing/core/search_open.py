"""Opening a search hit where it lives, and the choices the search filters offer.

`locate` says which topic and card show a hit (so the window opens it there); `source_view`
reads a source at the passage a hit was found in, with the words searched for marked (at most
`MAX_MARKED_PASSAGES` passages from there on); `filter_choices` lists the stakeholders and tags
the filters offer. Split from `core/search.py` (the query grammar, the filters, the search),
whose index this reads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from briefing.core.search import (  # the index and grammar this reads
    _ROWID,
    _index,
    _match_target,
    parse_query,
    split_marks,
)
from briefing.core.search_kinds import KINDS
from briefing.errors import InputError
from briefing.store.models import (
    STANCES,
    Note,
    Position,
    Quote,
    Source,
    SourcePassage,
    Stakeholder,
    Tag,
    topic_stakeholders,
)
from briefing.store.search_index import (
    KIND_CODES,
    KIND_FACTOR,
    MARK_END,
    MARK_START,
    search_backend,
)


@dataclass(frozen=True)
class Location:
    """Where a record is shown: a topic and a card, and what to find in the card's details.

    `cards` lists the stakeholders whose card may show the record, best first (a person without
    a card of their own appears on their organisation's). A source is shown on its own.
    """

    topic_id: int | None = None
    cards: tuple[int, ...] = ()
    find_text: str = ""
    source_id: int | None = None
    topics: tuple[int, ...] = field(default=())
    quote_id: int | None = None  # a quote opens inside its source, in the source reader


def _topics_of(session: Session, stakeholder_ids: list[int]) -> tuple[int, ...]:
    return tuple(
        session.scalars(
            select(topic_stakeholders.c.topic_id)
            .where(topic_stakeholders.c.stakeholder_id.in_(stakeholder_ids))
            .distinct()
            .order_by(topic_stakeholders.c.topic_id)
        )
    )


def _card_location(
    session: Session, stakeholder_id: int | None, current_topic: int | None, find_text: str
) -> Location:
    if stakeholder_id is None:
        return Location(find_text=find_text)
    parent = session.scalar(select(Stakeholder.parent_id).where(Stakeholder.id == stakeholder_id))
    cards = (stakeholder_id,) if parent is None else (stakeholder_id, parent)
    topics = _topics_of(session, list(cards))
    topic = current_topic if current_topic in topics else (topics[0] if topics else None)
    return Location(topic_id=topic, cards=cards, find_text=find_text, topics=topics)


def locate(session: Session, kind: str, record_id: int, current_topic: int | None) -> Location:
    """Where to open a hit: its stakeholder's card (on the current topic if it is there)."""
    if kind == "stakeholder":
        return _card_location(session, record_id, current_topic, "")
    if kind == "position":
        row = session.execute(
            select(Position.stakeholder_id, Position.topic_id, Position.headline).where(
                Position.id == record_id
            )
        ).first()
        if row is None:
            return Location()
        found = _card_location(session, row[0], row[1], row[2])
        return Location(row[1], found.cards, row[2], None, found.topics)
    if kind == "quote":
        row = session.execute(
            select(Quote.speaker_id, Quote.text, Quote.source_id).where(Quote.id == record_id)
        ).first()
        if row is None:
            return Location()
        found = _card_location(session, row[0], current_topic, row[1])
        return replace(found, source_id=row[2], quote_id=record_id)
    if kind == "source":
        return Location(source_id=record_id)
    if kind == "note":
        note = session.get(Note, record_id)
        if note is None:
            return Location()
        excerpt = _first_line(note.body)
        if note.source_id is not None:
            return Location(source_id=note.source_id, find_text=excerpt)
        owner = note.stakeholder_id
        if owner is None and note.position_id is not None:
            owner = session.scalar(
                select(Position.stakeholder_id).where(Position.id == note.position_id)
            )
        if owner is None and note.quote_id is not None:
            owner = session.scalar(select(Quote.speaker_id).where(Quote.id == note.quote_id))
        if owner is None:
            return Location(topic_id=note.topic_id, find_text=excerpt)
        return _card_location(session, owner, current_topic, excerpt)
    raise InputError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")


def _first_line(markdown: str) -> str:
    """A stretch of a note's words as the details show them (Markdown marks stripped)."""
    for line in markdown.splitlines():
        words = " ".join(_words_with_spaces(line))
        if words:
            return " ".join(words.split()[:6])
    return ""


def _words_with_spaces(line: str) -> list[str]:
    return re.sub(r"[*_`#>\[\]()!]", " ", line).split()


@dataclass(frozen=True)
class SourceView:
    """A source as search opens it: its citation and text, with the matched words marked."""

    id: int
    title: str
    publisher: str
    author: str
    published: dt.date | None
    url: str
    text: str
    highlights: tuple[tuple[int, int], ...]


def source_view(
    session: Session,
    source_id: int,
    query: str = "",
    *,
    as_you_type: bool = False,
    around: int | None = None,
) -> SourceView | None:
    """A source's text with the words `query` matches marked by FTS5's own `highlight()` (by
    the store's own search on a team store), so the marks agree with the search (folded case
    and accents, prefixes, phrases). `as_you_type` as
    the search that found it had it, so that a half-typed last word marks what it matched.
    Matches are marked in the first MAX_MARKED_PASSAGES passages that have any, from the
    passage at offset `around` on (a hit's passage) or from the start."""
    source = session.get(Source, source_id)
    if source is None:
        return None
    text = source.text
    highlights: list[tuple[int, int]] = []
    parsed = parse_query(query, as_you_type=as_you_type)
    backend = search_backend(session)
    expression = parsed.fts() if backend is None else backend.expression(parsed)
    if expression:
        # Marked passage by passage: only the passages that match are highlighted, however long
        # the source; each passage's marks are moved by the passage's offset into the text.
        parameters = {"expression": expression, "source": source_id, "from": 0}
        if around is not None:
            parameters["from"] = session.scalar(
                select(func.coalesce(func.max(SourcePassage.start), 0)).where(
                    SourcePassage.source_id == source_id, SourcePassage.start <= around
                )
            )
        if backend is None:
            marked_passages = session.connection().execute(_HIGHLIGHT, parameters)
        else:
            marked_passages = backend.marked_passages(
                session, expression, source_id, parameters["from"], MAX_MARKED_PASSAGES
            )
        for start, marked in marked_passages:
            _plain, spans = split_marks(marked or "")
            highlights.extend((start + a, start + b) for a, b in spans)
    return SourceView(
        source.id,
        source.title,
        source.publisher,
        source.author,
        source.published,
        source.url,
        text,
        tuple(highlights),
    )


# The reader marks the matches of at most this many passages: some 400 kB of text around a hit,
# more than anyone reads match by match. Marking every "police" of a 50 MB report would cost
# tens of thousands of marks, and seconds, for words nobody scrolls to.
MAX_MARKED_PASSAGES = 200


_HIGHLIGHT = (
    select(SourcePassage.start, func.highlight(_match_target, 1, MARK_START, MARK_END))
    .select_from(_index)
    .join(SourcePassage, SourcePassage.id == _ROWID.op("/")(KIND_FACTOR))
    .where(
        _match_target.op("MATCH")(bindparam("expression")),
        _ROWID.op("%")(KIND_FACTOR) == KIND_CODES["passage"],
        SourcePassage.source_id == bindparam("source"),
        SourcePassage.start >= bindparam("from"),
    )
    .order_by(SourcePassage.start)
    .limit(MAX_MARKED_PASSAGES)
)


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: every stakeholder (id, name) and every tag, by name."""

    stakeholders: tuple[tuple[int, str], ...]
    tags: tuple[str, ...]
    stances: tuple[str, ...] = STANCES


def filter_choices(session: Session) -> FilterChoices:
    stakeholders = session.execute(
        select(Stakeholder.id, Stakeholder.name).order_by(Stakeholder.name_key)
    ).all()
    tags = session.scalars(select(Tag.name).order_by(Tag.name_key)).all()
    return FilterChoices(tuple((i, n) for i, n in stakeholders), tuple(tags))
