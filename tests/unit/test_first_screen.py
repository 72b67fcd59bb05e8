"""The first screen read with plain sqlite3 (`store.first_screen`): the same records as the
store's own reads, and only from a store that may be read before its opening checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

from sqlalchemy import text as sa_text

from briefing.core.cards import topic_cards
from briefing.core.lookup import list_topics
from briefing.store import database, open_store
from briefing.store.first_screen import (
    APPLICATION_ID,
    SQLITE_HEADER,
    read_first_screen,
    readable_now,
)
from briefing.store.models import (
    Answer,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Topic,
)


def _opened_once(path) -> None:
    open_store(path).close()  # as after a session: the checks passed and are recorded


def _same_as_the_store(path) -> int:
    opening = read_first_screen(path)
    assert opening is not None
    screens = {topic.id: read_first_screen(path, topic.id) for topic in opening.topics}
    compared = 0
    with open_store(path) as store, store.reading() as session:
        topics = list_topics(session)
        assert [(t.id, t.name, t.description) for t in opening.topics] == [
            (t.id, t.name, t.description) for t in topics
        ]
        assert opening.topic_id == topics[0].id
        for topic in topics:
            first = screens[topic.id]
            assert first.topic_id == topic.id
            assert list(first.cards) == topic_cards(session, topic.id)
            compared += len(first.cards)
    return compared


def test_the_demos_first_screen_is_what_the_store_reads(demo_path):
    _opened_once(demo_path)
    assert _same_as_the_store(demo_path) >= 10
    first = read_first_screen(demo_path)
    assert first.cards and any(card.quotes for card in first.cards)


def test_names_in_many_scripts_folded_speakers_and_notes_read_the_same(tmp_path):
    path = tmp_path / "scripts.sqlite3"
    names = [
        "Ärzte ohne Grenzen",
        "Право на защиту",
        "حقوق الإنسان",
        "人权观察",
        "Ελληνική Ένωση",
        "ארגון זכויות",
        "Zeta",
        "alpha",
        "Ωmega",
        "İstanbul Barosu",
    ]
    with open_store(path) as store, store.writing() as session:
        topic = Topic(name="Biometría en la calle", description="Cámaras \u2014 y más")
        other = Topic(name="Another topic")
        session.add_all([topic, other])
        people = [
            Stakeholder(name=name, kind="ngo", influence=(n % 3) or None)
            for n, name in enumerate(names)
        ]
        session.add_all(people)
        session.flush()
        speaker = Stakeholder(name="Speaker for Zeta", kind="person", parent_id=people[6].id)
        session.add(speaker)
        session.flush()
        topic.stakeholders.extend([*people, speaker])
        other.stakeholders.append(people[0])
        text = "Words said in many scripts: свобода, حرية, 自由, ελευθερία. " * 20
        source = Source(
            title="Отчёт",
            publisher="Éditions",
            text=text,
            kind="text",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            published=dt.date(2020, 6, 9),
        )
        session.add(source)
        session.flush()
        for n, person in enumerate(people[:8]):
            session.add(
                Position(
                    stakeholder_id=person.id,
                    topic_id=topic.id,
                    stance=["opposes", "supports", "conditional"][n % 3],
                    headline=f"Headline {n} \u2014 {person.name}",
                    as_of=dt.date(2020, 1 + n % 12, 1),
                )
            )
            if n % 2:
                session.add(
                    Position(
                        stakeholder_id=person.id,
                        topic_id=topic.id,
                        stance="unclear",
                        headline="older",
                        as_of=dt.date(2019, 1, 1),
                    )
                )
        quotes = []
        for n, who in enumerate([*people[:6], speaker, speaker, people[0], people[0]]):
            quote = Quote(
                source_id=source.id,
                start=0,
                end=10,
                text=text[:10] + str(n),
                speaker_id=who.id,
                attribution="reported" if n % 3 else "direct",
                said_on=dt.date(2020, 6, 1 + n) if n % 2 else None,
            )
            quotes.append(quote)
        session.add_all(quotes)
        session.flush()
        question = Question(topic_id=topic.id, text="Ban?")
        session.add(question)
        session.flush()
        position = session.query(Position).filter_by(stakeholder_id=people[0].id).first()
        session.add(
            Answer(
                question_id=question.id,
                stakeholder_id=people[0].id,
                answer="yes",
                quote_id=quotes[-1].id,
            )
        )
        session.add_all(
            [
                Note(body="on a person", stakeholder_id=people[1].id),
                Note(body="on a speaker", stakeholder_id=speaker.id),
                Note(body="on a quote", quote_id=quotes[6].id),
                Note(body="on a position", position_id=position.id),
            ]
        )
    _opened_once(path)
    # Ten cards (the speaker folds into Zeta's card) and the other topic's one.
    assert _same_as_the_store(path) == 11


def test_only_a_store_safe_to_read_before_its_checks(demo_path, tmp_path):
    assert (APPLICATION_ID, SQLITE_HEADER) == (database.APPLICATION_ID, database.SQLITE_HEADER)
    assert read_first_screen(tmp_path / "nothing.sqlite3") is None
    # Never checked as it is (made by copying, or changed since its last check).
    assert not readable_now(demo_path) or read_first_screen(demo_path) is not None
    copied = tmp_path / "copied.sqlite3"
    copied.write_bytes(demo_path.read_bytes())
    assert read_first_screen(copied) is None
    _opened_once(demo_path)
    assert read_first_screen(demo_path) is not None
    with sqlite3.connect(demo_path) as connection:  # another program writes: not checked now
        connection.execute("UPDATE topics SET description = 'changed'")
    connection.close()
    assert read_first_screen(demo_path) is None
    _opened_once(demo_path)
    # A -wal beside it (a crash's, for the opening to look at), and a store needing an upgrade.
    wal = demo_path.with_name(demo_path.name + "-wal")
    wal.write_bytes(b"")
    assert read_first_screen(demo_path) is None
    wal.unlink()
    foreign = tmp_path / "foreign.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert read_first_screen(foreign) is None


def test_an_older_schema_is_left_to_the_opening(demo_path):
    from briefing.store import health

    with sqlite3.connect(demo_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0007_packs'")
    connection.close()
    health.remember_checked(demo_path)  # checked as it is: only its schema stands in the way
    assert readable_now(demo_path)
    assert read_first_screen(demo_path) is None


def test_reading_the_first_screen_writes_nothing_and_leaves_no_file(demo_path, snapshot):
    _opened_once(demo_path)
    before = snapshot(demo_path)
    assert read_first_screen(demo_path) is not None
    assert snapshot(demo_path) == before
    assert sorted(p.name for p in demo_path.parent.iterdir() if p.name.startswith("demo")) == [
        "demo.sqlite3",
        "demo.sqlite3-checked",
    ]


def test_a_first_screen_is_still_current_only_while_the_store_is_unchanged(demo_path):
    from briefing.store.first_screen import still_current

    open_store(demo_path).close()
    first = read_first_screen(demo_path)
    assert first is not None and first.seen is not None
    # Opened with every check (its empty -wal made, the daily backup taken): still the same.
    store = open_store(demo_path, backup_if_due=True)
    try:
        assert still_current(first, demo_path)
        with store.writing() as session:
            session.execute(sa_text("UPDATE topics SET name = name || ' (changed)'"))
        assert not still_current(first, demo_path)  # a commit in the -wal
    finally:
        store.close()
    assert not still_current(first, demo_path)  # and in the file once checkpointed


def test_the_first_screen_can_be_turned_off(demo_path, monkeypatch):
    from briefing.store.first_screen import DISABLE_ENV

    open_store(demo_path).close()
    monkeypatch.setenv(DISABLE_ENV, "1")
    assert read_first_screen(demo_path) is None
    monkeypatch.setenv(DISABLE_ENV, "0")
    assert read_first_screen(demo_path) is not None
