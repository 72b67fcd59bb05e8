"""Finding records by what a user types: a name in any case, or an id; "did you mean" otherwise.

Names are found by their stored key (`briefing.text.name_key`: NFC, case-folded), never by
SQLite's `lower()`, which folds ASCII only.

Every headless command and dialog that takes a name goes through here, so an unknown name is
refused the same way everywhere: with the closest existing names.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from briefing.errors import InputError, NotFound
from briefing.store.models import (
    NOTE_TARGETS,
    Briefing,
    Position,
    Quote,
    Source,
    Stakeholder,
    Topic,
)
from briefing.text import name_key

# SQLite's integers are signed 64-bit: a larger "id" names nothing and must not reach a query.
_MAX_ID = 2**63 - 1


def as_id(text: str) -> int | None:
    """The record id a user typed ("12"), or None for anything else: words, "²", a huge number."""
    text = text.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= _MAX_ID:
        return int(text)
    return None


def closest(name: str, choices: list[str]) -> str:
    """ "; did you mean A or B?" for an unknown name, or "" when nothing is close."""
    lowered = {choice.casefold(): choice for choice in choices}
    matches = difflib.get_close_matches(name.casefold(), list(lowered), n=3, cutoff=0.5)
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(lowered[m]) for m in matches) + "?"


@dataclass(frozen=True)
class TopicSummary:
    id: int
    name: str
    description: str


def list_topics(session: Session) -> list[TopicSummary]:
    rows = session.execute(select(Topic.id, Topic.name, Topic.description).order_by(Topic.name))
    return [TopicSummary(*row) for row in rows]


def find_topic(session: Session, name: str | None) -> TopicSummary:
    """The topic named `name` (any case), or the first topic when no name is given."""
    topics = list_topics(session)
    if not topics:
        raise NotFound("the store holds no topic")
    if name is None:
        return topics[0]
    if (topic_id := as_id(name)) is not None:
        for topic in topics:
            if topic.id == topic_id:
                return topic
    found = session.scalar(select(Topic.id).where(Topic.name_key == name_key(name)))
    for topic in topics:
        if topic.id == found:
            return topic
    raise NotFound(f"no topic is named {name!r}{closest(name, [t.name for t in topics])}")


def find_stakeholder(session: Session, name_or_id: str) -> Stakeholder:
    """A stakeholder by name (any case) or by id."""
    wanted = name_or_id.strip()
    if (key := as_id(wanted)) is not None and (found := session.get(Stakeholder, key)) is not None:
        return found
    found = session.scalars(
        select(Stakeholder).where(Stakeholder.name_key == name_key(wanted))
    ).first()
    if found is not None:
        return found
    names = list(session.scalars(select(Stakeholder.name)))
    raise NotFound(f"no stakeholder is named {name_or_id!r}{closest(wanted, names)}")


_TARGET_MODELS = {
    "topic": (Topic, Topic.name),
    "stakeholder": (Stakeholder, Stakeholder.name),
    "position": (Position, None),
    "quote": (Quote, None),
    "source": (Source, Source.title),
    "briefing": (Briefing, Briefing.title),
}


def resolve_target(session: Session, spec: str) -> tuple[str, int]:
    """ "stakeholder:IBM", "quote:12", "topic:Police use of facial recognition" -> (kind, id).

    Records with names (topics, stakeholders) and titles (sources, briefings) may be named;
    every kind may be given by id. A position may also be named by its stakeholder, meaning
    that stakeholder's latest position.
    """
    kind, sep, key = spec.partition(":")
    kind, key = kind.strip().lower(), key.strip()
    if not sep or kind not in NOTE_TARGETS or not key:
        raise InputError(
            f"{spec!r} should be KIND:NAME_OR_ID, with KIND one of {', '.join(NOTE_TARGETS)}"
        )
    model, name_column = _TARGET_MODELS[kind]
    if (record_id := as_id(key)) is not None and session.get(model, record_id) is not None:
        return kind, record_id
    if kind == "stakeholder":
        return kind, find_stakeholder(session, key).id
    if kind == "topic":
        return kind, find_topic(session, key).id
    if kind == "position":
        stakeholder = find_stakeholder(session, key)
        latest = session.scalars(
            select(Position.id)
            .where(Position.stakeholder_id == stakeholder.id)
            .order_by(Position.as_of.desc(), Position.id.desc())
        ).first()
        if latest is None:
            raise NotFound(f"{stakeholder.name} has no position")
        return kind, latest
    if name_column is not None:
        # sources and briefings: titles are not unique and have no stored key; compare them
        # the way names are compared, in Python (a store holds hundreds, not millions)
        wanted = name_key(key)
        found = next(
            (
                record_id
                for record_id, title in session.execute(select(model.id, name_column))
                if name_key(title) == wanted
            ),
            None,
        )
        if found is not None:
            return kind, found
        names = list(session.scalars(select(name_column)))
        raise NotFound(f"no {kind} is called {key!r}{closest(key, names)}")
    raise NotFound(f"there is no {kind} with id {key!r}")
