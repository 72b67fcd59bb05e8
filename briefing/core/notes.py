"""The advocate's own notes: write, change, delete (and bring back), list, and keep private.

A note is Markdown attached to exactly one record: a topic, stakeholder, position, quote, source
or briefing (a *target*, written `(kind, id)`). Every write here is one use case that takes a
Session and returns `Changes`; the caller owns the transaction.

Deleting is undoable through `core.undo.Recorded`, which puts back every row the delete took
(the note, its tags, its place in briefings) with the same ids and uuids; `note_snapshot`
reads everything a note is, to compare.

Private notes are the most sensitive data in the store. Every feature that writes something a
person other than the advocate may read (exports, packs, shared files) selects notes through
`shareable_notes` or `only_shareable`, which leave private notes out unless the caller passes
`include_private=True` because the user asked for them.

On a team store a note can be *detached*: another member deleted the record it was on, and the
database kept the note (`0013_detached_notes`) with `detached_from`, what it was on in words. Its
target is then None; `detached_notes` lists them for their author (private ones are visible to
their author alone, as always), and they are read, edited and deleted like any other note.

Lists are newest first by creation time: a note keeps its place while it saves itself as the user
types, instead of jumping to the top on every keystroke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session, selectinload

from briefing.core.cards import card_members
from briefing.core.changes import Changes
from briefing.core.versions import lock_version, snapshot, touch
from briefing.errors import InputError, NoteChangedElsewhere, NotFound
from briefing.store.models import (
    NOTE_TARGETS,
    Briefing,
    Note,
    Position,
    Quote,
    Source,
    Stakeholder,
    Tag,
    Topic,
)
from briefing.text import clean_name, clean_text, name_key

Target = tuple[str, int]
TARGET_KINDS = NOTE_TARGETS  # what a note can be attached to, for the layers above the store

TAG_MAX = 100  # the tags.name column
TITLE_MAX = 80

_TARGET_MODELS = {
    "topic": Topic,
    "stakeholder": Stakeholder,
    "position": Position,
    "quote": Quote,
    "source": Source,
    "briefing": Briefing,
}


@dataclass(frozen=True)
class NoteSummary:
    """A note as lists, the CLI and exports show it."""

    id: int
    uuid: str
    body: str  # Markdown
    private: bool
    target: Target | None  # None: detached (`detached_from` says what it was on)
    attached_to: str  # the target in words: "IBM", "the topic Police use of ..."
    tags: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    # The member who wrote it and who changed it last (team stores only; else None).
    added_by: str | None = None
    changed_by: str | None = None
    # What a detached note was on: "stakeholder ‘IBM’, deleted 30 Nov 2026 by bob".
    detached_from: str | None = None

    @property
    def title(self) -> str:
        return note_title(self.body)

    @property
    def detached(self) -> bool:
        return self.target is None


@dataclass(frozen=True)
class NoteSnapshot:
    """Everything a note is, to put it back exactly as it was after a delete."""

    id: int
    uuid: str
    body: str
    private: bool
    target: Target | None
    tags: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class AddedNote:
    id: int
    uuid: str
    changes: Changes


def note_title(body: str) -> str:
    """The first line with words in it, as plain text without Markdown's marks (a link's words,
    not its address), as a list shows it."""
    from briefing.core.search import plain_words  # Markdown as its words read

    for line in body.splitlines():
        words = plain_words(line.strip().lstrip("#>-*+ \t").strip())
        if words:
            return words if len(words) <= TITLE_MAX else words[: TITLE_MAX - 1] + "\u2026"
    return "(empty note)"


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tag names as stored (`briefing.text.clean_name`: NFC, trimmed, no invisible or control
    characters), without duplicates (by their key, ignoring case), in the order given."""
    cleaned: dict[str, str] = {}
    for tag in tags:
        if not tag.strip():
            raise InputError("a tag cannot be empty")
        name = clean_name(tag, "tag", TAG_MAX)
        if "," in name:
            raise InputError(f"a tag cannot contain a comma: {name!r}")
        cleaned.setdefault(name_key(name), name)
    return tuple(cleaned.values())


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed in one line, separated by commas ("follow-up, loopholes")."""
    return clean_tags(part for part in text.split(",") if part.strip())


def _check_target(session: Session, target: Target) -> Target:
    kind, target_id = target
    if kind not in NOTE_TARGETS:
        raise InputError(f"a note cannot be attached to a {kind!r}")
    if session.get(_TARGET_MODELS[kind], target_id) is None:
        raise NotFound(f"there is no {kind} with id {target_id}")
    return kind, target_id


def _tags_named(session: Session, names: Sequence[str]) -> tuple[list[Tag], bool]:
    """The Tag records for these names, reusing existing ones whatever their case or encoding."""
    tags, created = [], False
    for name in names:
        tag = session.scalars(select(Tag).where(Tag.name_key == name_key(name))).first()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            created = True
        tags.append(tag)
    return tags, created


def _get(session: Session, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise NotFound(f"there is no note with id {note_id}")
    return note


def add_note(
    session: Session,
    target: Target,
    body: str,
    *,
    private: bool = False,
    tags: Iterable[str] = (),
) -> AddedNote:
    body = clean_text(body, "note")
    if not body.strip():
        raise InputError("a note needs some text")
    kind, target_id = _check_target(session, target)
    names = clean_tags(tags)
    tag_records, created = _tags_named(session, names)
    note = Note(body=body, private=private, tags=tag_records)
    setattr(note, f"{kind}_id", target_id)
    session.add(note)
    session.flush()
    return AddedNote(
        note.id, note.uuid, Changes.of("note", "tag") if created else Changes.of("note")
    )


def update_note(
    session: Session,
    note_id: int,
    *,
    body: str | None = None,
    private: bool | None = None,
    tags: Iterable[str] | None = None,
    expected_version: dt.datetime | None = None,
) -> Changes:
    """Change what is given; a note whose body, flag and tags are already so is left untouched.

    `expected_version` is the note's `updated_at` when the editor loaded it: if the note has
    changed since (another window, the command line), `NoteChangedElsewhere` is raised and
    nothing is written, so that a stale editor never overwrites someone else's words or flag.
    """
    note = _get(session, note_id)
    if expected_version is not None and lock_version(note) is None:
        # the check and the write are one step, whoever else writes; this one deleted it
        raise NoteChangedElsewhere(
            "this note was deleted elsewhere since it was opened here; your text is kept here "
            "and was not saved",
            current=None,
        )
    if expected_version is not None and note.updated_at != expected_version:
        session.refresh(note)
        raise NoteChangedElsewhere(
            "this note was changed elsewhere (in another window or by the command line) since "
            "it was opened here; your text is kept here and was not saved",
            current=snapshot(note),
            version=note.updated_at,
        )
    changes = Changes()
    if body is not None:
        body = clean_text(body, "note")
    if body is not None and body != note.body:
        note.body = body
        changes = Changes.of("note")
    if private is not None and private != note.private:
        note.private = private
        changes = Changes.of("note")
    if tags is not None:
        names = clean_tags(tags)
        if sorted(t.name_key for t in note.tags) != sorted(name_key(n) for n in names):
            records, created = _tags_named(session, names)
            note.tags = records
            changes = Changes.of("note", "tag") if created else Changes.of("note")
    if changes:
        touch(note)  # also when only its tags (another table) changed
    return changes


def note_version(session: Session, note_id: int) -> dt.datetime:
    """The note's version (its `updated_at`) as the session sees it, after flushing changes."""
    session.flush()
    note = _get(session, note_id)
    session.refresh(note, ["updated_at"])
    return note.updated_at


def note_snapshot(session: Session, note_id: int) -> NoteSnapshot:
    note = _get(session, note_id)
    return NoteSnapshot(
        id=note.id,
        uuid=note.uuid,
        body=note.body,
        private=note.private,
        target=note.target,
        tags=tuple(tag.name for tag in note.tags),
        created_at=note.created_at,
        updated_at=note.updated_at,
    )


def delete_note(session: Session, note_id: int) -> Changes:
    session.delete(_get(session, note_id))
    return Changes.of("note")


def is_shareable(private: bool, *, include_private: bool = False) -> bool:
    """The one rule: a note may leave the store if it is not private, or if the user asked for
    private notes too. `only_shareable` is this rule in SQL."""
    return include_private or not private


class _HasPrivacy(Protocol):
    @property
    def private(self) -> bool: ...


_Noted = TypeVar("_Noted", bound=_HasPrivacy)


def keep_shareable(notes: Iterable[_Noted], *, include_private: bool = False) -> list[_Noted]:
    """The notes (records or views of them) that may leave the store, in their order."""
    return [n for n in notes if is_shareable(n.private, include_private=include_private)]


def only_shareable(statement: Select, *, include_private: bool = False) -> Select:
    """Narrow a query over notes to those that may leave the store.

    Exports, packs and every other shared file select their notes through this (or
    `shareable_notes`, or `keep_shareable` for notes already read), so a private note goes out
    only when the user asked for it.
    """
    if include_private:
        return statement
    return statement.where(Note.private == false())


def describe_target(session: Session, target: Target) -> str:
    """What a note hangs on, in the words a list shows."""
    kind, target_id = target
    record = session.get(_TARGET_MODELS[kind], target_id)
    if record is None:
        return f"a deleted {kind}"
    if isinstance(record, Topic):
        return f"the topic {record.name}"
    if isinstance(record, Stakeholder):
        return record.name
    if isinstance(record, Position):
        return f"{record.stakeholder.name}'s position"
    if isinstance(record, Quote):
        words = record.text if len(record.text) <= 40 else record.text[:39] + "\u2026"
        speaker = record.speaker.name if record.speaker else "unknown speaker"
        return f"a quote by {speaker}: \u201c{words}\u201d"
    if isinstance(record, Source):
        return f"the source {record.title}"
    return f"the briefing {record.title}"


def _summaries(session: Session, statement: Select) -> list[NoteSummary]:
    notes = session.scalars(
        statement.options(selectinload(Note.tags)).order_by(Note.created_at.desc(), Note.id.desc())
    ).all()
    described: dict[Target, str] = {}
    result = []
    for note in notes:
        target = note.target
        if target is not None and target not in described:
            described[target] = describe_target(session, target)
        result.append(
            NoteSummary(
                id=note.id,
                uuid=note.uuid,
                body=note.body,
                private=note.private,
                target=target,
                attached_to=described[target] if target is not None else note.detached_from or "",
                tags=tuple(tag.name for tag in note.tags),
                created_at=note.created_at,
                updated_at=note.updated_at,
                added_by=note.written_by,
                changed_by=note.changed_by,
                detached_from=note.detached_from,
            )
        )
    return result


def _on(target: Target):
    kind, target_id = target
    if kind not in NOTE_TARGETS:
        raise InputError(f"a note cannot be attached to a {kind!r}")
    return getattr(Note, f"{kind}_id") == target_id


def list_notes(
    session: Session, target: Target | None = None, *, include_private: bool = True
) -> list[NoteSummary]:
    """Notes on one record (or all notes), newest first."""
    statement = select(Note)
    if target is not None:
        statement = statement.where(_on(target))
    return _summaries(session, only_shareable(statement, include_private=include_private))


def detached_notes(session: Session) -> list[NoteSummary]:
    """The notes whose record was deleted by another member of a team store, newest first: the
    reader's own (private or not) and other members' shared ones, as row-level security lets
    each member see them. Always empty on a store file."""
    return _summaries(session, select(Note).where(Note.detached_from.is_not(None)))


def detached_count(session: Session) -> int:
    """How many notes `detached_notes` lists, counted without reading them."""
    statement = select(func.count()).select_from(Note).where(Note.detached_from.is_not(None))
    return session.scalar(statement) or 0


def shareable_notes(
    session: Session, target: Target | None = None, *, include_private: bool = False
) -> list[NoteSummary]:
    """The notes a shared file or export may contain: private ones only when asked for."""
    return list_notes(session, target, include_private=include_private)


def card_notes(
    session: Session, topic_id: int, stakeholder_id: int, *, include_private: bool = True
) -> list[NoteSummary]:
    """The notes a stakeholder's card counts: on it and the people it speaks for, on its
    positions on the topic, and on their quotes. Newest first."""
    people = card_members(session, topic_id, stakeholder_id)
    positions = select(Position.id).where(
        Position.topic_id == topic_id, Position.stakeholder_id == stakeholder_id
    )
    quotes = select(Quote.id).where(Quote.speaker_id.in_(people))
    statement = select(Note).where(
        Note.stakeholder_id.in_(people)
        | Note.position_id.in_(positions)
        | Note.quote_id.in_(quotes)
    )
    return _summaries(session, only_shareable(statement, include_private=include_private))


def note_summary(session: Session, note_id: int) -> NoteSummary:
    _get(session, note_id)
    (summary,) = _summaries(session, select(Note).where(Note.id == note_id))
    return summary


def note_counts(session: Session, kind: str, ids: Iterable[int]) -> dict[int, int]:
    """How many notes each of these records of one kind holds (private ones too); a record
    without notes is missing from the answer."""
    if kind not in NOTE_TARGETS:
        raise InputError(f"a note cannot be attached to a {kind!r}")
    column = getattr(Note, f"{kind}_id")
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(column, func.count()).where(column.in_(wanted)).group_by(column)
        ).all()
    )


def all_tags(session: Session) -> list[str]:
    """Every tag name in the store, for completion while tagging (notes, quotes, sources)."""
    return list(session.scalars(select(Tag.name).order_by(Tag.name_key)))


__all__ = [
    "TARGET_KINDS",
    "AddedNote",
    "NoteSnapshot",
    "NoteSummary",
    "add_note",
    "all_tags",
    "card_notes",
    "clean_tags",
    "delete_note",
    "describe_target",
    "detached_notes",
    "is_shareable",
    "keep_shareable",
    "list_notes",
    "note_counts",
    "note_snapshot",
    "note_summary",
    "note_title",
    "only_shareable",
    "parse_tags",
    "shareable_notes",
    "update_note",
]
