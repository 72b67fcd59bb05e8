"""Writing a topic (or a briefing with its topic) to a pack file: what travels, read in chunks.

`export_pack` collects the records (`collect_pack`) and writes them through
`briefing.core.pack_format`; the fields are described in `docs/packs.md`. Split from
`core/packs.py`, which merges what colleagues send and whose docstring says what travels and
how records are matched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from briefing import __version__
from briefing.core.notes import only_shareable
from briefing.core.pack_format import FORMAT as PACK_FORMAT
from briefing.core.pack_format import (
    KINDS,
    VERSION,
    Cancelled,
    Progress,
    quiet,
    source_entry_name,
    write_pack,
)
from briefing.errors import NotFound
from briefing.store.models import (
    Answer,
    Briefing,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Tag,
    Topic,
    note_tags,
    primary_documents,
    quote_tags,
    source_tags,
    topic_stakeholders,
)

CHUNK = 500  # ids per IN (...): below SQLite's limit on bound parameters


def _never() -> bool:
    return False


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class ExportedPack:
    path: str
    topic: str
    briefing: str | None
    include_private: bool
    counts: dict[str, int]
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "topic": self.topic,
            "briefing": self.briefing,
            "include_private": self.include_private,
            "counts": self.counts,
            "bytes": self.bytes,
        }


def _tags_of(session: Session, link, column, ids: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(column, Tag.name)
            .join(Tag, Tag.id == link.c.tag_id)
            .where(column.in_(chunk))
            .order_by(Tag.name)
        )
        for record_id, name in rows:
            found.setdefault(record_id, []).append(name)
    return found


def _load(session: Session, model, ids: Iterable[int]) -> list:
    records = []
    for chunk in _chunks(sorted(set(ids))):
        records += session.scalars(select(model).where(model.id.in_(chunk))).all()
    return records


def collect_pack(
    session: Session,
    topic_id: int,
    *,
    briefing_id: int | None = None,
    include_private: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """What a pack of this topic (and briefing) holds: the manifest and each source's text."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(f"there is no topic with id {topic_id}")
    briefing = session.get(Briefing, briefing_id) if briefing_id is not None else None

    on_topic = set(
        session.scalars(
            select(topic_stakeholders.c.stakeholder_id).where(
                topic_stakeholders.c.topic_id == topic_id
            )
        )
    )
    positions = session.scalars(
        select(Position).where(Position.topic_id == topic_id).order_by(Position.id)
    ).all()
    questions = session.scalars(
        select(Question).where(Question.topic_id == topic_id).order_by(Question.sort_order)
    ).all()
    answers = _load_answers(session, [q.id for q in questions])
    events = session.scalars(
        select(Event).where(Event.topic_id == topic_id).order_by(Event.id)
    ).all()
    items = list(briefing.items) if briefing is not None else []

    speakers = on_topic | {p.stakeholder_id for p in positions}
    quote_ids: set[int] = set()
    for chunk in _chunks(speakers):
        quote_ids.update(
            session.scalars(
                select(Quote.id).where(Quote.speaker_id.in_(chunk), Quote.source_id.is_not(None))
            )
        )
    quote_ids |= {a.quote_id for a in answers if a.quote_id is not None}
    quote_ids |= {i.quote_id for i in items if i.quote_id is not None}
    quotes = [q for q in _load(session, Quote, quote_ids) if q.source_id is not None]
    quotes.sort(key=lambda q: q.id)
    quote_ids = {q.id for q in quotes}

    stakeholder_ids = (
        speakers
        | {a.stakeholder_id for a in answers}
        | {e.stakeholder_id for e in events if e.stakeholder_id is not None}
        | {q.speaker_id for q in quotes if q.speaker_id is not None}
        | {i.stakeholder_id for i in items if i.stakeholder_id is not None}
    )
    stakeholders = {s.id: s for s in _load(session, Stakeholder, stakeholder_ids)}
    missing = {s.parent_id for s in stakeholders.values() if s.parent_id is not None}
    while missing - stakeholders.keys():  # the organisations people speak for, up the chain
        for s in _load(session, Stakeholder, missing - stakeholders.keys()):
            stakeholders[s.id] = s
        missing = {s.parent_id for s in stakeholders.values() if s.parent_id is not None}

    # The primary documents of the stakeholders who travel go with them, and say whose they are:
    # the check of quotes against them ("reworded") must work the same in the other store.
    primary_of: dict[int, list[int]] = {}
    for chunk in _chunks(stakeholders):
        for source_id, stakeholder_id in session.execute(
            select(primary_documents.c.source_id, primary_documents.c.stakeholder_id).where(
                primary_documents.c.stakeholder_id.in_(chunk)
            )
        ):
            primary_of.setdefault(source_id, []).append(stakeholder_id)
    source_ids = (
        {q.source_id for q in quotes}
        | {e.source_id for e in events if e.source_id is not None}
        | set(primary_of)
    )
    sources = {s.id: s for s in _load(session, Source, source_ids)}

    note_filter = (
        (Note.topic_id == topic_id)
        | _in(Note.stakeholder_id, stakeholders)
        | _in(Note.position_id, {p.id for p in positions})
        | _in(Note.quote_id, quote_ids)
        | _in(Note.source_id, sources)
    )
    if briefing is not None:
        note_filter = note_filter | (Note.briefing_id == briefing.id)
    notes = _shared_notes(session, note_filter, include_private)
    note_ids = {n.id for n in notes}

    uuids: dict[tuple[str, int], str] = {("topic", topic.id): topic.uuid}
    uuids.update({("stakeholder", i): s.uuid for i, s in stakeholders.items()})
    uuids.update({("source", i): s.uuid for i, s in sources.items()})
    uuids.update({("position", p.id): p.uuid for p in positions})
    uuids.update({("quote", q.id): q.uuid for q in quotes})
    uuids.update({("question", q.id): q.uuid for q in questions})
    uuids.update({("note", n.id): n.uuid for n in notes})
    if briefing is not None:
        uuids[("briefing", briefing.id)] = briefing.uuid

    def ref(kind: str, record_id: int | None) -> str | None:
        return None if record_id is None else uuids.get((kind, record_id))

    quote_tag_names = _tags_of(session, quote_tags, quote_tags.c.quote_id, quote_ids)
    source_tag_names = _tags_of(session, source_tags, source_tags.c.source_id, set(sources))
    note_tag_names = _tags_of(session, note_tags, note_tags.c.note_id, note_ids)

    def times(record) -> dict[str, str]:
        return {"created_at": _time(record.created_at), "updated_at": _time(record.updated_at)}

    texts = {s.uuid: s.text for s in sources.values()}
    manifest: dict[str, Any] = {
        "format": PACK_FORMAT,
        "version": VERSION,
        "app": f"Briefing {__version__}",
        "created_at": _time(dt.datetime.now(dt.UTC)),
        "include_private": include_private,
        "topic": {
            "uuid": topic.uuid,
            "name": topic.name,
            "description": topic.description,
            **times(topic),
        },
        "stakeholders": [
            {
                "uuid": s.uuid,
                "name": s.name,
                "kind": s.kind,
                "description": s.description,
                "parent": ref("stakeholder", s.parent_id),
                "influence": s.influence,
                "on_topic": s.id in on_topic,
                **times(s),
            }
            for s in sorted(stakeholders.values(), key=lambda s: s.id)
        ],
        "sources": [
            {
                "uuid": s.uuid,
                "title": s.title,
                "publisher": s.publisher,
                "author": s.author,
                "url": s.url,
                "published": _date(s.published),
                "kind": s.kind,
                "description": s.description,
                "sha256": s.sha256,
                "bytes": len(s.text.encode("utf-8")),
                "file": source_entry_name(s.uuid),
                "page_starts": json.loads(s.page_starts) if s.page_starts else None,
                "revision_of": ref("source", s.revision_of_id),
                "tags": source_tag_names.get(s.id, []),
                "primary_for": sorted(
                    ref("stakeholder", owner) for owner in primary_of.get(s.id, [])
                ),
                **times(s),
            }
            for s in sorted(sources.values(), key=lambda s: s.id)
        ],
        "positions": [
            {
                "uuid": p.uuid,
                "stakeholder": ref("stakeholder", p.stakeholder_id),
                "stance": p.stance,
                "headline": p.headline,
                "summary": p.summary,
                "as_of": _date(p.as_of),
                **times(p),
            }
            for p in positions
        ],
        "quotes": [
            {
                "uuid": q.uuid,
                "source": ref("source", q.source_id),
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "speaker": ref("stakeholder", q.speaker_id),
                "said_on": _date(q.said_on),
                "attribution": q.attribution,
                "tags": quote_tag_names.get(q.id, []),
                **times(q),
            }
            for q in quotes
        ],
        "questions": [
            {"uuid": q.uuid, "text": q.text, "sort_order": q.sort_order, **times(q)}
            for q in questions
        ],
        "answers": [
            {
                "uuid": a.uuid,
                "question": ref("question", a.question_id),
                "stakeholder": ref("stakeholder", a.stakeholder_id),
                "answer": a.answer,
                "quote": ref("quote", a.quote_id),
                "comment": a.comment,
                **times(a),
            }
            for a in answers
        ],
        "events": [
            {
                "uuid": e.uuid,
                "occurred_on": _date(e.occurred_on),
                "precision": e.precision,
                "title": e.title,
                "stakeholder": ref("stakeholder", e.stakeholder_id),
                "source": ref("source", e.source_id),
                **times(e),
            }
            for e in events
        ],
        "notes": [
            {
                "uuid": n.uuid,
                "body": n.body,
                "private": n.private,
                "target": {"kind": n.target[0], "uuid": ref(*n.target)},
                "tags": note_tag_names.get(n.id, []),
                **times(n),
            }
            for n in notes
        ],
        "briefings": [],
    }
    if briefing is not None:
        kept = [
            i
            for i in items
            if (i.kind != "note" or i.note_id in note_ids)
            and (i.kind != "quote" or i.quote_id in quote_ids)
        ]
        manifest["briefings"].append(
            {
                "uuid": briefing.uuid,
                "title": briefing.title,
                "audience": briefing.audience,
                "author": briefing.author,
                "dated": _date(briefing.dated),
                "introduction": briefing.introduction,
                "include_private": briefing.include_private,
                "page_size": briefing.page_size,
                "items": [
                    {
                        "uuid": i.uuid,
                        "kind": i.kind,
                        "sort_order": i.sort_order,
                        "stakeholder": ref("stakeholder", i.stakeholder_id),
                        "quote": ref("quote", i.quote_id),
                        "note": ref("note", i.note_id),
                        **times(i),
                    }
                    for i in kept
                ],
                **times(briefing),
            }
        )
    manifest["counts"] = {kind: len(manifest[kind]) for kind in KINDS}
    return manifest, texts


def _in(column, ids) -> Any:
    ids = list(ids)
    if not ids:
        return column.in_([])
    if len(ids) <= CHUNK:
        return column.in_(ids)
    # Chunks ORed together: SQLite limits the bound parameters of one IN (...).
    clause = column.in_(ids[:CHUNK])
    for chunk in _chunks(ids[CHUNK:]):
        clause = clause | column.in_(chunk)
    return clause


def _load_answers(session: Session, question_ids: list[int]) -> list[Answer]:
    answers: list[Answer] = []
    for chunk in _chunks(question_ids):
        answers += session.scalars(select(Answer).where(Answer.question_id.in_(chunk))).all()
    answers.sort(key=lambda a: a.id)
    return answers


def _shared_notes(session: Session, note_filter, include_private: bool) -> list[Note]:
    statement = only_shareable(select(Note).where(note_filter), include_private=include_private)
    return list(session.scalars(statement.order_by(Note.id)))


def export_pack(
    session: Session,
    out: Path,
    *,
    topic_id: int,
    briefing_id: int | None = None,
    include_private: bool = False,
    progress: Progress = quiet,
    cancelled: Cancelled = _never,
    passphrase: str | None = None,
) -> ExportedPack:
    """Write the topic (and briefing) to `out`, whole or not at all; sealed with `passphrase`
    when one is given (`briefing.core.pack_crypto`)."""
    manifest, texts = collect_pack(
        session, topic_id, briefing_id=briefing_id, include_private=include_private
    )
    size = write_pack(
        Path(out), manifest, texts, progress=progress, cancelled=cancelled, passphrase=passphrase
    )
    briefings = manifest["briefings"]
    return ExportedPack(
        path=str(out),
        topic=manifest["topic"]["name"],
        briefing=briefings[0]["title"] if briefings else None,
        include_private=include_private,
        counts=manifest["counts"],
        bytes=size,
    )
