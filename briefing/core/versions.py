"""Record versions: an editor that loaded a record before someone else changed it is told, and
never overwrites (no Qt here).

A record's version is its `updated_at`. The store gives it a new value, strictly later than the
last, whenever one of the record's own fields changes (`briefing.store.models.later_than`), and
the use cases that change what lives in other tables (a quote's or a note's tags) move it on with
`touch`. So no schema change is needed, and every store already carries versions.

An editor keeps the version it loaded (a form, the note editor, the briefing composer) and passes
it back as `expected_version`; the use case calls `check_version` before writing anything. If
the record changed or went since, `StaleRecord` is raised with a plain snapshot of the record as
it is now, the transaction writes nothing, and the editor keeps what the user typed and says so:
the user may reload the other version or save theirs over it knowingly, by passing the version
the error carries. Callers that read and write in one transaction (every command of the command
line) pass nothing: they cannot be stale.

For records found by what they are rather than by id (a stakeholder's position on a date, an
answer to a question), `ABSENT` says "the editor saw none": one made since is refused too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, object_session

from briefing.errors import StaleRecord
from briefing.store.models import (
    Answer,
    Briefing,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Record,
    Source,
    Stakeholder,
    Topic,
    later_than,
)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""The expected version of a record the editor saw no trace of."""

Version = dt.datetime


def version_of(record: Record | None) -> Version | None:
    """The record's version, or None for no record."""
    return None if record is None else record.updated_at


_KINDS: dict[str, type[Record]] = {
    "topic": Topic,
    "stakeholder": Stakeholder,
    "position": Position,
    "question": Question,
    "answer": Answer,
    "event": Event,
    "quote": Quote,
    "source": Source,
    "briefing": Briefing,
    "note": Note,
}


def current_version(session: Session, kind: str, record_id: int) -> Version | None:
    """The version of a record of `kind` ("stakeholder", "event", ...) as the store has it now
    (None when there is none), for an editor to keep while it is open."""
    return version_of(session.get(_KINDS[kind], record_id))


def position_versions(
    session: Session, topic_id: int, stakeholder_id: int
) -> dict[dt.date, Version]:
    """The versions of a stakeholder's positions on a topic, by date: a position form keeps
    them, and passes `.get(as_of, ABSENT)` for the date the user chose."""
    rows = session.execute(
        select(Position.as_of, Position.updated_at).where(
            Position.topic_id == topic_id, Position.stakeholder_id == stakeholder_id
        )
    )
    return {as_of: version for as_of, version in rows}


def answer_version(session: Session, question_id: int, stakeholder_id: int) -> Version:
    """The version of a stakeholder's answer to a question, or ABSENT."""
    found = session.scalars(
        select(Answer).where(
            Answer.question_id == question_id, Answer.stakeholder_id == stakeholder_id
        )
    ).first()
    return ABSENT if found is None else found.updated_at


def snapshot(record: Record) -> dict[str, Any]:
    """The record's fields as plain values (deferred ones, such as a source's text, left out),
    with the names of its tags when it has any."""
    state = inspect(record)
    values = {
        attr.key: getattr(record, attr.key)
        for attr in state.mapper.column_attrs
        if attr.key not in state.unloaded or not attr.deferred
    }
    if "tags" in state.mapper.relationships:
        values["tags"] = [tag.name for tag in record.tags]  # type: ignore[attr-defined]
    return values


def lock_version(record: Record) -> Record | None:
    """Read the record's version again, locking its row until the transaction ends; None when
    the row went meanwhile.

    The check and the write are then one step: on a store with many writers (a team store on
    PostgreSQL, `SELECT ... FOR UPDATE`) a second writer waits here until the first commits and
    then sees its version. On SQLite the writing transaction holds the store's write lock
    already, and the read is a plain one."""
    session = object_session(record)
    if session is None or inspect(record).pending:
        return record
    try:
        with session.no_autoflush:
            session.refresh(record, ["updated_at"], with_for_update=True)
    except InvalidRequestError:  # deleted since it was loaded
        return None
    return record


def check_version(record: Record | None, expected: Version | None, what: str) -> None:
    """Refuse to write `record` unless it is at the `expected` version (None: no check).

    `what` names the record for the user ("the stakeholder IBM"). A record deleted since is
    refused the same way, with no snapshot."""
    if expected is None:
        return
    if record is not None:
        record = lock_version(record)
    current = version_of(record)
    if expected is ABSENT and record is None:
        return
    if current == expected:
        return
    if record is None:
        raise StaleRecord(
            f"{what} was deleted elsewhere (in another window or by the command line) since it "
            "was opened here; nothing was saved, and what you typed is kept here",
            current=None,
            version=ABSENT,
        )
    made = expected is ABSENT
    object_session(record).refresh(record)  # type: ignore[union-attr]  # the snapshot as it is now
    raise StaleRecord(
        f"{what} was {'made' if made else 'changed'} elsewhere (in another window or by the "
        "command line) since it was opened here; nothing was saved, and what you typed is kept "
        "here: reload to see the other version, or save anyway to replace it with yours",
        current=snapshot(record),
        version=current,
    )


def touch(record: Record) -> None:
    """Give the record a new version when something of it outside its own row changed."""
    record.updated_at = later_than(record.updated_at)
