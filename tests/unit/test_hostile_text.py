"""Control characters and lengths: one rule for every text that enters the store, whether it
comes from the command line, the window (the same use cases) or an imported file."""

from __future__ import annotations

import io
import sys
import types

import pytest

from briefing.cli import main
from briefing.core import editing, notes
from briefing.core.briefings import create_briefing, update_briefing
from briefing.core.editing import EventFields, StakeholderFields
from briefing.core.lookup import find_stakeholder, find_topic
from briefing.core.sources import import_source
from briefing.core.undo import dump
from briefing.errors import InputError
from briefing.store import open_store
from briefing.store.models import Source
from briefing.text import LIMITS, clean_line, clean_text

pytestmark = pytest.mark.both_databases

CONTROLS = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)])


def state(store):
    with store.reading() as session:
        return dump(session)


def no_controls(rows) -> bool:
    text = repr(rows)
    return not any(char in text for char in CONTROLS if char not in "\t\n\r")


def test_controls_are_removed_but_tab_and_line_ends_stay():
    assert clean_text(f"a\x00b\tc\nd\r\ne{CONTROLS}\ufffff") == "ab\tc\nd\r\nef"
    assert clean_line(" A\x00  title\n on two\tlines ", "title") == "A title on two lines"


def test_every_field_is_cleaned_on_the_way_in(demo_store):
    dirty = "Words\x00 with\x1b[31m escapes\x07"
    with demo_store.writing() as session:
        topic = find_topic(session, None).id
        ibm = find_stakeholder(session, "IBM").id
        made = editing.add_stakeholder(session, StakeholderFields("Clean", "ngo", dirty), topic)
        editing.set_position(session, topic, made.id, "opposes", dirty, editing_date(), dirty)
        question = editing.add_question(session, topic, "Sells\x00 to police?").id
        editing.set_answer(session, question, ibm, "yes", comment=dirty)
        editing.add_event(session, topic, EventFields(dirty, editing_date()))
        notes.add_note(session, ("stakeholder", ibm), dirty)
        briefing, _ = create_briefing(
            session, topic, "For\x00 the council", audience=dirty, introduction=dirty
        )
        update_briefing(session, briefing, author=dirty)
    assert no_controls(state(demo_store))


def editing_date():
    import datetime as dt

    return dt.date(2024, 1, 2)


@pytest.mark.parametrize(
    ("option", "what", "limit"),
    [
        ("title", "source title", 500),
        ("publisher", "publisher", 200),
        ("author", "author", 200),
        ("url", "address", 2000),
    ],
)
def test_a_source_fact_over_its_limit_is_refused_in_words(
    empty_store, tmp_path, option, what, limit
):
    path = tmp_path / "statement.txt"
    path.write_text("We believe now is the time.", encoding="utf-8")
    before = state(empty_store)
    says = f"the {what} is 10000 characters long; at most {limit}"
    with pytest.raises(InputError, match=says), empty_store.writing() as session:
        import_source(session, path, **{option: "x" * 10_000})
    assert state(empty_store) == before
    assert LIMITS[what] == limit


def test_a_files_own_long_title_is_shortened_and_its_controls_removed(empty_store, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>{'Long ' * 300}</title><meta name='author' content='A\x01B'>"
        "</head><body><p>Words\x00 of the page.</p></body></html>",
        encoding="utf-8",
    )
    with empty_store.writing() as session:
        made = import_source(session, path)
    with empty_store.reading() as session:
        source = session.get(Source, made.id)
        assert len(source.title) == 500 and source.title.endswith("\u2026")
        assert source.author == "AB" and source.text == "Words of the page."


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda s, t, ibm: editing.set_position(
                s, t, ibm, "opposes", "x" * 50_001, editing_date()
            ),
            "summary is 50001 characters long; at most 50000",
        ),
        (
            lambda s, t, ibm: editing.set_position(
                s, t, ibm, "opposes", "ok", editing_date(), "x" * 301
            ),
            "longer than 300",
        ),
        (
            lambda s, t, ibm: editing.add_stakeholder(
                s, StakeholderFields("New", "ngo", "x" * 20_001)
            ),
            "description is 20001 characters long",
        ),
        (
            lambda s, t, ibm: notes.add_note(s, ("topic", t), "x" * 2_000_001),
            "note is 2000001 characters long; at most 2000000",
        ),
        (
            lambda s, t, ibm: create_briefing(s, t, "ok", introduction="x" * 200_001),
            "introduction is 200001 characters long",
        ),
        (lambda s, t, ibm: create_briefing(s, t, "x" * 301), "at most 300"),
    ],
)
def test_free_text_over_its_limit_is_refused_in_words(demo_store, edit, says):
    before = state(demo_store)
    with pytest.raises(InputError, match=says), demo_store.writing() as session:
        edit(session, find_topic(session, None).id, find_stakeholder(session, "IBM").id)
    assert state(demo_store) == before


def test_a_note_read_from_standard_input_loses_its_nul(demo_path, monkeypatch, capsys, tmp_path):
    stdin = types.SimpleNamespace(buffer=io.BytesIO(b"Ask about\x00 resellers\x1b[2J\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["--db", str(demo_path), "note", "add", "--on", "stakeholder:IBM", "-"]) == 0
    note_id = int(capsys.readouterr().out)
    with open_store(demo_path) as store, store.reading() as session:
        assert notes.note_snapshot(session, note_id).body == "Ask about resellers[2J\n"
        assert no_controls(dump(session))
    out = tmp_path / "export.md"
    assert main(["--db", str(demo_path), "export", str(out), "--format", "md"]) == 0
    assert "\x00" not in out.read_text(encoding="utf-8")


def test_the_window_saves_a_note_through_the_same_rule(demo_store):
    """The note editor saves through `update_note`, as the command line adds through
    `add_note`: a pasted escape sequence does not reach the store either way."""
    with demo_store.writing() as session:
        added = notes.add_note(session, ("topic", find_topic(session, None).id), "First")
        notes.update_note(session, added.id, body="Pasted\x1b[0m text\x00")
    with demo_store.writing() as session:
        assert notes.note_snapshot(session, added.id).body == "Pasted[0m text"
        # saving the same words again changes nothing
        assert not notes.update_note(session, added.id, body="Pasted\x1b[0m text\x00")
