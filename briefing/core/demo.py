"""The demo briefing that a new store starts with: police use of facial recognition.

The dataset is `resources/demo/facial-recognition.toml`, a human-readable file that refers to
records by short keys; the source text sits beside it as a file stored byte for byte. Loading
checks what the file promises (the source's sha256, every quote equal to its source's text at its
offsets, every key resolving) and refuses a dataset that breaks a promise rather than storing a
misquote.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from briefing.core.dates import parse_date, parse_partial_date
from briefing.paths import resources_dir
from briefing.store.models import (
    Answer,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Tag,
    Topic,
)

DEMO_FILE = "demo/facial-recognition.toml"


class DemoDataError(ValueError):
    """The bundled dataset breaks one of its own promises: a packaging bug, not user input."""


def demo_path() -> Path:
    return resources_dir() / DEMO_FILE


def read_dataset(path: Path | None = None) -> dict[str, Any]:
    path = path or demo_path()
    with path.open("rb") as file:
        return tomllib.load(file)


def read_source_text(path: Path) -> str:
    # newline="" keeps the text exactly as stored: offsets count these characters.
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_demo(session: Session, path: Path | None = None) -> Topic:
    """Add the demo topic and everything it refers to; the caller owns the transaction."""
    path = path or demo_path()
    data = read_dataset(path)
    tags: dict[str, Tag] = {}

    def tag(name: str) -> Tag:
        if name not in tags:
            tags[name] = Tag(name=name)
        return tags[name]

    def lookup(table: dict[str, Any], key: str, what: str) -> Any:
        if key not in table:
            raise DemoDataError(f"{path.name}: unknown {what} {key!r}")
        return table[key]

    topic = Topic(name=data["topic"]["name"], description=data["topic"].get("description", ""))
    session.add(topic)

    sources: dict[str, Source] = {}
    for entry in data.get("sources", []):
        text = read_source_text(path.parent / entry["file"])
        digest = sha256_text(text)
        if digest != entry["sha256"]:
            raise DemoDataError(f"{entry['file']}: sha256 {digest} is not the one declared")
        sources[entry["key"]] = Source(
            title=entry["title"],
            publisher=entry.get("publisher", ""),
            author=entry.get("author", ""),
            url=entry.get("url", ""),
            published=parse_date(entry["published"]) if entry.get("published") else None,
            kind=entry.get("kind", "text"),
            description=entry.get("description", ""),
            text=text,
            sha256=digest,
        )
    session.add_all(sources.values())

    stakeholders: dict[str, Stakeholder] = {}
    for entry in data.get("stakeholders", []):
        stakeholders[entry["key"]] = Stakeholder(
            name=entry["name"],
            kind=entry.get("kind", "other"),
            description=entry.get("description", ""),
            influence=entry.get("influence"),
        )
    for entry in data.get("stakeholders", []):
        if entry.get("parent"):
            stakeholders[entry["key"]].parent = lookup(stakeholders, entry["parent"], "stakeholder")
    topic.stakeholders.extend(stakeholders.values())

    positions: dict[str, Position] = {}
    for entry in data.get("positions", []):
        position = Position(
            stakeholder=lookup(stakeholders, entry["stakeholder"], "stakeholder"),
            topic=topic,
            stance=entry["stance"],
            headline=entry.get("headline", ""),
            summary=entry.get("summary", "").strip(),
            as_of=parse_date(entry["as_of"]),
        )
        positions[entry["stakeholder"]] = position
        session.add(position)

    quotes: dict[str, Quote] = {}
    for entry in data.get("quotes", []):
        source = lookup(sources, entry["source"], "source")
        start, end = entry["start"], entry["end"]
        if source.text[start:end] != entry["text"]:
            raise DemoDataError(
                f"{path.name}: quote {entry['key']!r} is not the source's text at [{start}:{end}]"
            )
        quotes[entry["key"]] = Quote(
            source=source,
            start=start,
            end=end,
            text=entry["text"],
            speaker=lookup(stakeholders, entry["speaker"], "stakeholder"),
            said_on=parse_date(entry["said_on"]) if entry.get("said_on") else None,
            attribution=entry.get("attribution", "direct"),
            tags=[tag(name) for name in entry.get("tags", [])],
        )
    session.add_all(quotes.values())

    questions: dict[str, Question] = {}
    for order, entry in enumerate(data.get("questions", [])):
        questions[entry["key"]] = Question(topic=topic, text=entry["text"], sort_order=order)
    session.add_all(questions.values())

    for entry in data.get("answers", []):
        session.add(
            Answer(
                question=lookup(questions, entry["question"], "question"),
                stakeholder=lookup(stakeholders, entry["stakeholder"], "stakeholder"),
                answer=entry["answer"],
                quote=lookup(quotes, entry["quote"], "quote") if entry.get("quote") else None,
                comment=entry.get("comment", ""),
            )
        )

    for entry in data.get("events", []):
        occurred_on, precision = parse_partial_date(entry["date"])
        session.add(
            Event(
                topic=topic,
                occurred_on=occurred_on,
                precision=precision,
                title=entry["title"],
                stakeholder=(
                    lookup(stakeholders, entry["stakeholder"], "stakeholder")
                    if entry.get("stakeholder")
                    else None
                ),
                source=lookup(sources, entry["source"], "source") if entry.get("source") else None,
            )
        )

    session.flush()  # notes refer to their targets by id
    targets: dict[str, dict[str, Any]] = {
        "topic": {"": topic},
        "stakeholder": stakeholders,
        "position": positions,
        "quote": quotes,
        "source": sources,
    }
    for entry in data.get("notes", []):
        kind, _, key = entry["on"].partition(":")
        target = lookup(lookup(targets, kind, "kind of note target"), key, kind)
        note = Note(
            body=entry["body"].strip(),
            private=entry.get("private", False),
            tags=[tag(name) for name in entry.get("tags", [])],
        )
        setattr(note, f"{kind}_id", target.id)
        session.add(note)

    session.flush()
    return topic
