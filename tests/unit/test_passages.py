"""A source is searched as passages; quotes are found by their speaker's name; lists, details
and exports read no source text."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import event, select

from briefing.core.search import SearchFilters, search
from briefing.core.search_open import source_view
from briefing.store import migrations, open_store
from briefing.store.database import APPLICATION_ID, _make_engine
from briefing.store.models import Quote, Source, SourcePassage, Stakeholder
from briefing.store.search_index import PASSAGE_MAX, split_passages

pytestmark = pytest.mark.both_databases


def _paragraphs(count: int, needle_at: int) -> str:
    filler = "The committee heard evidence about cameras in public places and their oversight. "
    paragraphs = [filler * 10 for _ in range(count)]
    paragraphs[needle_at] = filler * 4 + "A moratorium on kettling was proposed. " + filler * 4
    return "\n\n".join(paragraphs)


def _add_source(session, text: str, title: str = "Inquiry report") -> Source:
    source = Source(title=title, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    session.add(source)
    session.flush()
    return source


@pytest.mark.parametrize("size", [0, 1, 1999, 2000, 2001, 50_000])
def test_passages_cover_the_text_exactly_and_are_bounded(size):
    text = ("Word " * (size // 5 + 1))[:size]
    spans = split_passages(text)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(0 < b - a <= PASSAGE_MAX for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))


def test_passages_end_at_paragraph_breaks_where_they_can():
    text = _paragraphs(40, 7)
    for a, b in split_passages(text)[:-1]:
        assert text[a:b].endswith("\n\n")


def test_a_hit_in_a_long_source_opens_at_its_passage(empty_store):
    text = _paragraphs(300, 217)
    with empty_store.writing() as session:
        source_id = _add_source(session, text).id
        stored = session.scalars(
            select(SourcePassage).where(SourcePassage.source_id == source_id)
        ).all()
    assert len(stored) > 50
    with empty_store.reading() as session:
        (hit,) = search(session, "kettling")
        view = source_view(session, source_id, "kettling")
    needle = text.index("kettling")
    assert hit.kind == "source" and hit.id == source_id
    assert hit.at is not None and hit.at <= needle < hit.at + PASSAGE_MAX
    # The snippet is cut from the passage, with the word marked in it.
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "kettling" and len(hit.snippet) < 400
    assert view is not None and view.text == text
    assert [text[a:b] for a, b in view.highlights] == ["kettling"]
    assert view.highlights[0][0] == needle


def test_one_hit_per_source_even_when_many_passages_match(empty_store):
    with empty_store.writing() as session:
        _add_source(session, _paragraphs(100, 3), title="Cameras inquiry")
    with empty_store.reading() as session:
        hits = search(session, "cameras", limit=20)
    assert [(hit.kind, hit.title) for hit in hits] == [("source", "Cameras inquiry")]
    assert hits[0].at is not None  # the title matched too: it still opens at a passage


def test_filters_reach_the_passages_of_the_sources_they_allow(empty_store):
    with empty_store.writing() as session:
        old = _add_source(session, _paragraphs(20, 2), title="Old report")
        old.published = dt.date(2001, 1, 1)
        new = _add_source(session, _paragraphs(20, 5) + " new", title="New report")
        new.published = dt.date(2024, 1, 1)
    with empty_store.reading() as session:
        recent = SearchFilters(date_from=dt.date(2020, 1, 1))
        assert [h.title for h in search(session, "kettling", recent)] == ["New report"]
        quotes_only = SearchFilters(kinds=frozenset({"quote"}))
        assert search(session, "kettling", quotes_only) == []


def test_quotes_are_found_by_their_speakers_name_and_follow_a_rename(empty_store):
    with empty_store.writing() as session:
        brad = Stakeholder(name="Brad Smith", kind="person")
        session.add(brad)
        source = _add_source(session, "We will not sell facial recognition to police.")
        session.flush()
        session.add(
            Quote(source_id=source.id, start=0, end=46, text=source.text, speaker_id=brad.id)
        )
    with empty_store.reading() as session:
        found = search(session, "brad smith")
        assert [(h.kind, h.title) for h in found] == [
            ("stakeholder", "Brad Smith"),
            ("quote", "Brad Smith"),
        ]
        # A quote found by its speaker shows its own words, not the name.
        assert found[1].snippet.startswith("We will not sell")
    with empty_store.writing() as session:
        session.scalars(select(Stakeholder)).one().name = "Bradford Smith"
    with empty_store.reading() as session:
        assert [h.kind for h in search(session, "bradford")] == ["stakeholder", "quote"]
        assert search(session, "brad") == []


def test_deleting_a_source_removes_its_passages_from_the_index(empty_store):
    with empty_store.writing() as session:
        source_id = _add_source(session, _paragraphs(30, 9)).id
    with empty_store.writing() as session:
        session.delete(session.get(Source, source_id))
    with empty_store.reading() as session:
        assert session.scalars(select(SourcePassage.id)).all() == []
        assert search(session, "kettling") == []


@pytest.mark.sqlite_only("builds a file at an old migration and upgrades it on opening")
def test_upgrading_a_0002_store_cuts_its_sources_into_passages(tmp_path):
    path = tmp_path / "old.sqlite3"
    text = _paragraphs(50, 41)
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, "0002_search")
        connection.exec_driver_sql(
            "INSERT INTO sources (uuid, title, publisher, author, url, kind, description, text,"
            " sha256, created_at, updated_at) VALUES ('u-1', 'Old inquiry', '', '', '', 'text',"
            " '', ?, 'x', '2024-01-01', '2024-01-01')",
            (text,),
        )
    engine.dispose()
    with open_store(path) as store, store.reading() as session:
        (hit,) = search(session, "kettling")
        assert hit.title == "Old inquiry" and hit.at is not None
        assert hit.at <= text.index("kettling") < hit.at + PASSAGE_MAX
        passages = session.execute(
            select(SourcePassage.start, SourcePassage.end).order_by(SourcePassage.start)
        ).all()
    assert [tuple(p) for p in passages] == split_passages(text)


def _statements_reading_text(store) -> list[str]:
    seen: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _watch(_conn, _cursor, statement, *_args) -> None:
        if "sources.text" in statement:
            seen.append(statement)

    return seen


def test_lists_and_exports_read_no_source_text(demo_store):
    from briefing.core.briefings import topic_content
    from briefing.core.compare import quote_lines
    from briefing.core.lookup import find_topic
    from briefing.core.sources import list_sources

    seen = _statements_reading_text(demo_store)
    with demo_store.reading() as session:
        topic = find_topic(session, None)
        content = topic_content(session, topic.id)
        summaries = list_sources(session)
        lines = quote_lines(session)
        hits = search(session, "facial recognition")
    assert content.sections and summaries and lines and hits
    assert all(summary.intact is None for summary in summaries)
    assert seen == []
    with demo_store.reading() as session:
        assert all(summary.intact for summary in list_sources(session, check=True))
    assert seen  # checking reads the texts, as it must


def test_the_reader_marks_matches_of_a_bounded_stretch_from_the_hit_on(empty_store):
    from briefing.core.search_open import MAX_MARKED_PASSAGES

    text = _paragraphs(5 * MAX_MARKED_PASSAGES, 1)  # two paragraphs a passage
    with empty_store.writing() as session:
        source_id = _add_source(session, text).id
    with empty_store.reading() as session:
        starts = session.scalars(
            select(SourcePassage.start)
            .where(SourcePassage.source_id == source_id)
            .order_by(SourcePassage.start)
        ).all()
        middle = starts[len(starts) // 2]
        first = source_view(session, source_id, "cameras")
        around = source_view(session, source_id, "cameras", around=middle + 5)
    assert first is not None and around is not None
    assert first.highlights[0][0] < starts[1]
    assert around.highlights[0][0] >= middle
    for view in (first, around):
        assert all(text[a:b] == "cameras" for a, b in view.highlights)
        marked = {max(s for s in starts if s <= a) for a, _ in view.highlights}
        assert len(marked) == MAX_MARKED_PASSAGES
