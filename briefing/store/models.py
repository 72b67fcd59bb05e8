"""The store's tables as SQLAlchemy 2 typed models.

Every record has an integer key for joins and a UUID that never changes, so that briefings shared
as files can be merged without duplicates. Times are stored in UTC; dates (when something was said
or published) are calendar dates without a time zone.

The schema itself is owned by the Alembic migrations in `db/versions/`; these models must match
the head revision, which `tests/unit/test_store.py` checks by comparing the two.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from briefing.store.search_index import split_passages
from briefing.text import name_key

# Constraint names that Alembic's batch mode can find again when it rebuilds a SQLite table.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STANCES = ("opposes", "supports", "conditional", "unclear")
ANSWERS = ("yes", "no", "partly", "unknown")
ATTRIBUTIONS = ("direct", "reported")
DATE_PRECISIONS = ("day", "month", "year")
NOTE_TARGETS = ("topic", "stakeholder", "position", "quote", "source", "briefing")
BRIEFING_ITEM_KINDS = ("stakeholder", "quote", "note", "comparison")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def later_than(previous: dt.datetime | None) -> dt.datetime:
    """Now, or a microsecond after `previous` when the clock has not moved past it.

    A record's `updated_at` is its version (`briefing.core.versions`): two changes must never
    give it the same value, even within one tick of a coarse clock or after the clock went back.
    """
    now = utcnow()
    if previous is not None and now <= previous:
        return previous + dt.timedelta(microseconds=1)
    return now


def new_uuid() -> str:
    return str(uuid_module.uuid4())


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored naive in UTC and handed back aware, so no local time leaks in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record:
    """Columns every record has: an integer key, a stable UUID, creation and update times."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Authored:
    """Who added a record and who changed it last: on a team store the database's triggers
    (`0011_authorship`) write the member's role from `current_user`, whatever the client sends;
    None on a store file, which needs no author and never records the local user's name."""

    created_by: Mapped[str | None] = mapped_column(String(200), server_default=FetchedValue())
    changed_by: Mapped[str | None] = mapped_column(
        String(200), server_default=FetchedValue(), server_onupdate=FetchedValue()
    )


class NamedRecord:
    """A record found by its name: `name_key` (NFC, case-folded; `briefing.text.name_key`) is
    kept in step with the name and is UNIQUE, so the schema itself refuses a second "Ärzte ohne
    Grenzen" in another case or encoding, whatever path a row takes in (a form, a pack, an undo).
    """

    name_key: Mapped[str] = mapped_column(String(400), index=True, unique=True)

    @validates("name")
    def _keep_key(self, _attribute: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


@sa_event.listens_for(Base, "before_update", propagate=True)
def _next_version(_mapper, _connection, target) -> None:
    """A record whose own fields change gets a new `updated_at`, strictly later than the last.

    Left alone when the caller set it (a pack keeps the time it carries; a note's tags, which
    live in another table, set it through `later_than`), and when only a collection seen from
    the other side changed (a quote added to a source does not make the source's details stale).
    """
    if not isinstance(target, Record):
        return
    state = sa_inspect(target)
    if state.attrs.updated_at.history.has_changes():
        return
    if any(state.attrs[column.key].history.has_changes() for column in state.mapper.column_attrs):
        target.updated_at = later_than(state.dict.get("updated_at"))


def _enum_check(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)  # constants from this module, never user input
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


topic_stakeholders = Table(
    "topic_stakeholders",
    Base.metadata,
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("stakeholder_id", ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True),
)

quote_tags = Table(
    "quote_tags",
    Base.metadata,
    Column("quote_id", ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

note_tags = Table(
    "note_tags",
    Base.metadata,
    Column("note_id", ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

source_tags = Table(
    "source_tags",
    Base.metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

# A source that is a stakeholder's own document (their letter, statement, testimony): reports of
# their words are checked against it for rewording (`briefing.core.primary`).
primary_documents = Table(
    "primary_documents",
    Base.metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "stakeholder_id",
        ForeignKey("stakeholders.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

# A source still being written in steps by the window (`briefing.core.sources.import_in_steps`):
# hidden from lists, search and look-ups until its last step deletes this mark, and removed with
# what it had written when the store is next opened without it (`briefing.store.database`).
source_imports = Table(
    "source_imports",
    Base.metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
)


class Topic(NamedRecord, Record, Authored, Base):
    """An issue the advocate briefs on, such as police use of facial recognition."""

    __tablename__ = "topics"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    stakeholders: Mapped[list[Stakeholder]] = relationship(
        secondary=topic_stakeholders, back_populates="topics", order_by="Stakeholder.name"
    )
    positions: Mapped[list[Position]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", passive_deletes=True
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="topic",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Question.sort_order",
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", passive_deletes=True
    )


class Stakeholder(NamedRecord, Record, Authored, Base):
    """A company, organisation, body or person with a position; a person may speak for another."""

    __tablename__ = "stakeholders"

    KINDS: ClassVar[tuple[str, ...]] = (
        "company",
        "person",
        "ngo",
        "police",
        "regulator",
        "legislature",
        "government",
        "academic",
        "other",
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="SET NULL"), index=True
    )
    influence: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("influence IS NULL OR influence BETWEEN 1 AND 5", name="influence"),
    )

    parent: Mapped[Stakeholder | None] = relationship(remote_side="Stakeholder.id")
    topics: Mapped[list[Topic]] = relationship(
        secondary=topic_stakeholders, back_populates="stakeholders"
    )
    positions: Mapped[list[Position]] = relationship(
        back_populates="stakeholder", cascade="all, delete-orphan", passive_deletes=True
    )


class Position(Record, Authored, Base):
    """What a stakeholder holds on a topic as of a date; later positions supersede earlier ones."""

    __tablename__ = "positions"

    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(20))
    headline: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    as_of: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (_enum_check("stance", STANCES, "stance"),)

    stakeholder: Mapped[Stakeholder] = relationship(back_populates="positions")
    topic: Mapped[Topic] = relationship(back_populates="positions")


class Source(Record, Authored, Base):
    """A stored copy of a document. Its text is evidence: never edited after import."""

    __tablename__ = "sources"

    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    published: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40), default="text")
    description: Mapped[str] = mapped_column(Text, default="")
    # Deferred: a source may be tens of megabytes, and lists, cards, details and exports need
    # only its facts. The text is read when something asks for it (the reader, `verify`).
    text: Mapped[str] = mapped_column(Text, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # For a PDF: the character offset at which each page starts, as a JSON list.
    page_starts: Mapped[str | None] = mapped_column(Text)
    revision_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )

    quotes: Mapped[list[Quote]] = relationship(back_populates="source", passive_deletes=True)
    tags: Mapped[list[Tag]] = relationship(secondary=source_tags, order_by="Tag.name")
    primary_for: Mapped[list[Stakeholder]] = relationship(
        secondary=primary_documents, order_by="Stakeholder.name", passive_deletes=True
    )


class SourcePassage(Base):
    """A bounded stretch of a source's text with its offsets [start, end): what search indexes,
    shows a snippet of, and opens the reader at; and what a quote is checked against in lists,
    details and exports without reading the whole source.

    Derived from the text when the source is stored (never edited, as the text is not), so it
    carries no UUID: packs and backups rebuild it from the text.
    """

    __tablename__ = "source_passages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_source_passages_source_start", "source_id", "start"),)


@sa_event.listens_for(Source, "after_insert")
def _store_passages(_mapper, connection, source: Source) -> None:
    """Cut a new source into passages in the same transaction (the index's triggers take them),
    unless it is written in steps, whose steps store its passages."""
    text = source.text
    if not text or getattr(source, "passages_later", False):
        return
    connection.execute(
        SourcePassage.__table__.insert(),
        [
            {"source_id": source.id, "start": start, "end": end, "text": text[start:end]}
            for start, end in split_passages(text)
        ],
    )


class Quote(Record, Authored, Base):
    """Words from a source, anchored by character offsets [start, end) into its stored text."""

    __tablename__ = "quotes"

    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="SET NULL"), index=True
    )
    said_on: Mapped[dt.date | None] = mapped_column(Date)
    # "direct": the speaker's own words; "reported": the source's words about the speaker.
    attribution: Mapped[str] = mapped_column(String(20), default="direct")

    __table_args__ = (
        CheckConstraint('start >= 0 AND "end" > start', name="offsets"),
        _enum_check("attribution", ATTRIBUTIONS, "attribution"),
    )

    source: Mapped[Source | None] = relationship(back_populates="quotes")
    speaker: Mapped[Stakeholder | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=quote_tags, order_by="Tag.name")


class Question(Record, Authored, Base):
    """A row of a topic's comparison, such as "Sells facial recognition to police?"."""

    __tablename__ = "questions"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    topic: Mapped[Topic] = relationship(back_populates="questions")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Record, Authored, Base):
    """A stakeholder's answer to a question, backed by a quote where one exists."""

    __tablename__ = "answers"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[str] = mapped_column(String(20))
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="SET NULL"), index=True
    )
    comment: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("question_id", "stakeholder_id", name="uq_answers_question_stakeholder"),
        _enum_check("answer", ANSWERS, "answer"),
    )

    question: Mapped[Question] = relationship(back_populates="answers")
    stakeholder: Mapped[Stakeholder] = relationship()
    quote: Mapped[Quote | None] = relationship()


class Tag(NamedRecord, Record, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(100), unique=True)


class Note(Record, Base):
    """The advocate's own Markdown, attached to exactly one record of any kind.

    One nullable foreign key per kind of target (rather than a kind/id pair) lets SQLite enforce
    that the target exists and delete the note with it; a check keeps exactly one of them set,
    or none for a *detached* note: on a team store, another member deleted the record it was on,
    and `detached_from` says in words what that was (`0013_detached_notes`).
    """

    __tablename__ = "notes"

    body: Mapped[str] = mapped_column(Text, default="")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    position_id: Mapped[int | None] = mapped_column(
        ForeignKey("positions.id", ondelete="CASCADE"), index=True
    )
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    briefing_id: Mapped[int | None] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), index=True
    )
    # Who wrote the note and who changed it last: on a team store the database's own triggers
    # write the member's role (never the client); None on a store file, which needs no author
    # (and must not carry the local user's name into packs or exports).
    written_by: Mapped[str | None] = mapped_column(String(200), server_default=FetchedValue())
    changed_by: Mapped[str | None] = mapped_column(
        String(200), server_default=FetchedValue(), server_onupdate=FetchedValue()
    )
    # What a detached note was on, in words ("stakeholder ‘IBM’, deleted 30 Nov 2026 by bob"),
    # written by the team store's trigger when another member deleted it; None while attached.
    detached_from: Mapped[str | None] = mapped_column(Text)
    # The same in machine form ("stakeholders 12"), written by the team store's own trigger, so
    # that restoring that record (an undo) re-attaches the note (`0016_undo_restores`).
    detached_key: Mapped[str | None] = mapped_column(String(200), index=True)

    __table_args__ = (
        CheckConstraint(
            "(topic_id IS NOT NULL) + (stakeholder_id IS NOT NULL) + (position_id IS NOT NULL)"
            " + (quote_id IS NOT NULL) + (source_id IS NOT NULL) + (briefing_id IS NOT NULL)"
            " + (detached_from IS NOT NULL) = 1",
            name="one_target",
        ),
    )

    tags: Mapped[list[Tag]] = relationship(secondary=note_tags, order_by="Tag.name")

    @property
    def target(self) -> tuple[str, int] | None:
        """The kind and key of the record this note is attached to; None when detached."""
        for kind in NOTE_TARGETS:
            target_id = getattr(self, f"{kind}_id")
            if target_id is not None:
                return kind, target_id
        if self.detached_from is None:
            raise ValueError(f"note {self.id} is attached to nothing")
        return None


class Event(Record, Authored, Base):
    """A dated happening on a topic's timeline, as precise as its source allows."""

    __tablename__ = "events"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    precision: Mapped[str] = mapped_column(String(10), default="day")
    title: Mapped[str] = mapped_column(String(500))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="SET NULL"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (_enum_check("precision", DATE_PRECISIONS, "precision"),)

    topic: Mapped[Topic] = relationship(back_populates="events")
    stakeholder: Mapped[Stakeholder | None] = relationship()
    source: Mapped[Source | None] = relationship()


class Briefing(Record, Authored, Base):
    """A document the advocate composes from stakeholders, quotes and notes, and exports."""

    __tablename__ = "briefings"

    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(300), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    dated: Mapped[dt.date | None] = mapped_column(Date)
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown
    include_private: Mapped[bool] = mapped_column(Boolean, default=False)
    page_size: Mapped[str] = mapped_column(String(10), default="A4")

    items: Mapped[list[BriefingItem]] = relationship(
        back_populates="briefing",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BriefingItem.sort_order",
    )


class BriefingItem(Record, Base):
    """One entry of a briefing, in the order the advocate chose."""

    __tablename__ = "briefing_items"

    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), index=True
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True
    )
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (_enum_check("kind", BRIEFING_ITEM_KINDS, "kind"),)

    briefing: Mapped[Briefing] = relationship(back_populates="items")
