"""Names and tags: one cleaning rule, a stored case-folded key the schema keeps unique, every
lookup by that key, and look-alike names that need the user's say-so."""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from briefing.cli import main
from briefing.core import editing
from briefing.core.editing import StakeholderFields
from briefing.core.lookup import find_stakeholder, find_topic, resolve_target
from briefing.core.notes import add_note, all_tags
from briefing.core.undo import Recorded, UndoConflict, dump
from briefing.errors import InputError, SimilarName
from briefing.store import migrations, open_store
from briefing.store.database import APPLICATION_ID, _make_engine
from briefing.store.models import Note, Stakeholder, Tag
from briefing.text import clean_name, name_key, skeleton

pytestmark = pytest.mark.both_databases

GERMAN = "ÄÖÜäöüßẞ straeÜberwachungÄrzte"
TURKISH = "İıIiŞşĞğÇç stanbul"
GREEK = "ΣσςΟΔΑΒΓοδαβγ"
COMBINING = "aeiouAEIOU\u0301\u0308\u0327\u030c"
ALPHABET = GERMAN + TURKISH + GREEK + COMBINING
names = st.text(alphabet=ALPHABET, min_size=1, max_size=24)


def state(store):
    with store.reading() as session:
        return dump(session)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@given(names)
def test_a_key_ignores_encoding_and_case(name):
    key = name_key(name)
    assert name_key(nfd(name)) == key  # precomposed or combining: one name
    assert name_key(unicodedata.normalize("NFC", name)) == key
    assert name_key(key) == key  # the key of a key is itself
    assert name_key(f"  {name} ") == key
    assert unicodedata.is_normalized("NFC", key)


@given(st.text(alphabet=GERMAN + GREEK + COMBINING + "İ", min_size=1, max_size=24))
def test_upper_and_lower_case_have_one_key(name):
    # (dotless ı is left out: Unicode's default folding keeps it apart from i, see below)
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(name)


def test_keys_in_words():
    assert name_key("Ärzte ohne Grenzen") == name_key("ÄRZTE OHNE GRENZEN")
    assert name_key("Ärzte ohne Grenzen") == name_key(nfd("ärzte ohne grenzen"))
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("ΟΔΟΣ") == name_key("οδος") == name_key("οδοσ")  # final sigma
    assert name_key("İstanbul") == name_key("i̇stanbul")
    # default folding keeps Turkish dotless ı apart; the look-alike check catches it
    assert name_key("Diyarbakır") != name_key("Diyarbakir")
    assert skeleton("Diyarbakır") == skeleton("Diyarbakir")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("\u202eMBI", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("IBM\u200b", "U+200B ZERO WIDTH SPACE"),
        ("IB\u2066M", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("IBM\x00", "U+0000"),
        ("I\u200dBM", "U+200D ZERO WIDTH JOINER"),
        ("IBM\u00ad", "SOFT HYPHEN"),
        ("IBM\ue000", "U+E000"),
    ],
)
def test_invisible_and_control_characters_are_refused_in_names(demo_store, name, says):
    says = re.escape(says)
    before = state(demo_store)
    with pytest.raises(InputError, match=says), demo_store.writing() as session:
        editing.add_stakeholder(session, StakeholderFields(name, "company"))
    with pytest.raises(InputError, match=says), demo_store.writing() as session:
        editing.create_topic(session, name)
    with pytest.raises(InputError, match=says), demo_store.writing() as session:
        add_note(session, ("stakeholder", 1), "a note", tags=[name])
    assert state(demo_store) == before


def test_names_are_stored_nfc_and_trimmed_and_a_persian_joiner_is_kept(empty_store):
    persian = "می\u200cخواهم"  # a zero-width non-joiner between two Arabic-script letters
    with empty_store.writing() as session:
        a = editing.add_stakeholder(
            session, StakeholderFields(nfd("  Ärzte\u00a0 ohne Grenzen "))
        ).id
        b = editing.add_stakeholder(session, StakeholderFields(persian)).id
    with empty_store.reading() as session:
        assert session.get(Stakeholder, a).name == "Ärzte ohne Grenzen"
        assert session.get(Stakeholder, b).name == persian
    assert clean_name("x" * 200) == "x" * 200
    with pytest.raises(InputError, match="201 characters long; at most 200"):
        clean_name("x" * 201)


def test_a_name_is_found_by_its_own_name_in_any_case_or_encoding(empty_store):
    with empty_store.writing() as session:
        made = editing.add_stakeholder(session, StakeholderFields("Ärzte ohne Grenzen", "ngo"))
        topic = editing.create_topic(session, "Überwachung im Öffentlichen Raum")
    with empty_store.reading() as session:
        for typed in ("Ärzte ohne Grenzen", "ÄRZTE OHNE GRENZEN", nfd("ärzte ohne grenzen")):
            assert find_stakeholder(session, typed).id == made.id
            assert resolve_target(session, f"stakeholder:{typed}") == ("stakeholder", made.id)
        assert find_topic(session, "ÜBERWACHUNG IM ÖFFENTLICHEN RAUM").id == topic.id
        assert resolve_target(session, f"topic:{nfd('überwachung im öffentlichen raum')}")[1] == (
            topic.id
        )


@pytest.mark.parametrize(
    "twin", ["ÄRZTE OHNE GRENZEN", nfd("Ärzte ohne Grenzen"), " ärzte  ohne grenzen"]
)
def test_a_twin_is_refused_in_words_not_by_the_schema(empty_store, twin):
    with empty_store.writing() as session:
        editing.add_stakeholder(session, StakeholderFields("Ärzte ohne Grenzen", "ngo"))
        editing.create_topic(session, "Überwachung")
    before = state(empty_store)
    clash = "already a stakeholder named 'Ärzte ohne Grenzen'"
    with pytest.raises(InputError, match=clash), empty_store.writing() as session:
        editing.add_stakeholder(session, StakeholderFields(twin, "ngo"))
    with pytest.raises(InputError, match="already a topic"), empty_store.writing() as session:
        editing.create_topic(session, "ÜBERWACHUNG")
    assert state(empty_store) == before


def test_the_schema_itself_refuses_a_twin(empty_store):
    with empty_store.writing() as session:
        editing.add_stakeholder(session, StakeholderFields("Ärzte ohne Grenzen", "ngo"))
    # a row that bypasses the use cases (a pack, another program) still cannot make a twin
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Stakeholder(name="ÄRZTE OHNE GRENZEN"))
        session.flush()
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add_all([Tag(name="Überwachung"), Tag(name=nfd("überwachung"))])
        session.flush()


def test_a_second_note_tagged_in_another_case_reuses_the_tag(empty_store):
    with empty_store.writing() as session:
        target = ("stakeholder", editing.add_stakeholder(session, StakeholderFields("X")).id)
        add_note(session, target, "first", tags=["Überwachung"])
        add_note(session, target, "second", tags=["ÜBERWACHUNG"])
        add_note(session, target, "third", tags=[nfd("überwachung"), "überwachung"])
    with empty_store.reading() as session:
        assert all_tags(session) == ["Überwachung"]
        notes = session.scalars(select(Note)).all()
        assert [[t.name for t in n.tags] for n in notes] == [["Überwachung"]] * 3


def test_an_undo_cannot_bring_back_a_case_folded_twin(empty_store):
    with empty_store.writing() as session:
        made = editing.add_stakeholder(session, StakeholderFields("Ärzte ohne Grenzen", "ngo")).id
        editing.add_stakeholder(session, StakeholderFields("Liberty", "ngo"))
    delete = Recorded(lambda s: editing.delete_stakeholder(s, made))
    with empty_store.writing() as session:
        delete.do(session)
    with empty_store.writing() as session:  # the command line, meanwhile
        twin = editing.add_stakeholder(session, StakeholderFields("ÄRZTE OHNE GRENZEN", "ngo"))
    assert twin.id != made
    before = state(empty_store)
    with pytest.raises(UndoConflict, match="name"), empty_store.writing() as session:
        delete.undo(session)
    assert state(empty_store) == before


def test_a_look_alike_name_needs_a_say_so_and_the_warning_names_the_original(demo_store):
    before = state(demo_store)
    for spoof in ("I\u0412M", "ΙΒΜ", "lBM", "IBM".translate(str.maketrans("IBM", "ＩＢＭ"))):
        similar = pytest.raises(SimilarName, match="existing stakeholder 'IBM'")
        with similar, demo_store.writing() as session:
            editing.add_stakeholder(session, StakeholderFields(spoof, "company"))
    assert state(demo_store) == before
    with demo_store.writing() as session:
        made = editing.add_stakeholder(
            session, StakeholderFields("I\u0412M", "company"), allow_similar=True
        ).id
        assert editing.similar_stakeholder(session, "I\u0412M", made) is not None
        # editing it again (its description) is not a new look-alike of itself only
        fields = replace(editing.stakeholder_fields(session, made), description="spoof?")
        with pytest.raises(SimilarName):
            editing.edit_stakeholder(session, made, fields)
        editing.edit_stakeholder(session, made, fields, allow_similar=True)
    with demo_store.reading() as session:
        # both stay apart: lookups by key do not mix them up
        assert find_stakeholder(session, "IBM").id != made
        assert find_stakeholder(session, "i\u0432m").id == made


def test_the_command_line_refuses_spoofs_in_words(capsys, demo_path):
    db = str(demo_path)
    before = open_store(demo_path)
    with before.reading() as session:
        rows = dump(session)
    before.close()
    for spoof, says in (
        ("\u202eMBI", r"U\+202E RIGHT-TO-LEFT OVERRIDE"),
        ("IBM\u200b", r"U\+200B ZERO WIDTH SPACE"),
        ("I\u0412M", "looks like the existing stakeholder 'IBM'.*--allow-similar"),
    ):
        code = main(["--db", db, "stakeholder", "add", spoof, "--kind", "company"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("briefing: ") and "Traceback" not in err
        assert re.search(says, err), err
    with open_store(demo_path) as store, store.reading() as session:
        assert dump(session) == rows
    code = main(
        ["--db", db, "stakeholder", "add", "I\u0412M", "--kind", "company", "--allow-similar"]
    )
    assert code == 0
    code = main(["--db", db, "topic", "add", "Police use of facial recognitiοn"])  # Greek omicron
    assert code == 2 and "existing topic" in capsys.readouterr().err


def _store_at_0002(path) -> None:
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, "0002_search")
    engine.dispose()
    rows = [
        ("topics", "Überwachung"),
        ("topics", "ÜBERWACHUNG"),
        ("stakeholders", "Ärzte ohne Grenzen"),
        ("stakeholders", "ÄRZTE OHNE GRENZEN"),
        ("stakeholders", nfd("Ärzte ohne Grenzen")),
        ("stakeholders", "ÄRZTE OHNE GRENZEN (2)"),
        ("tags", "Überwachung"),
        ("tags", "ÜBERWACHUNG"),
    ]
    connection = sqlite3.connect(path)
    with connection:
        for n, (table, name) in enumerate(rows):
            extra = {"topics": ", description", "stakeholders": ", description, kind"}
            values = {"topics": ", ''", "stakeholders": ", '', 'ngo'"}
            connection.execute(
                f"INSERT INTO {table} (uuid, name, created_at, updated_at{extra.get(table, '')})"
                f" VALUES (?, ?, '2024-01-01', '2024-01-01'{values.get(table, '')})",
                (f"u-{n}", name),
            )
        connection.execute(
            "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at)"
            " VALUES ('n-1', 'both tags', 0, 1, '2024-01-01', '2024-01-01')"
        )
        connection.execute(
            "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at)"
            " VALUES ('n-2', 'second tag', 0, 1, '2024-01-01', '2024-01-01')"
        )
        connection.executemany(
            "INSERT INTO note_tags (note_id, tag_id) VALUES (?, ?)", [(1, 1), (1, 2), (2, 2)]
        )
    connection.close()


@pytest.mark.sqlite_only("builds a file at an old migration and upgrades it on opening")
def test_the_migration_reports_existing_twins_instead_of_failing(tmp_path, caplog):
    path = tmp_path / "twins.sqlite3"
    _store_at_0002(path)
    with caplog.at_level(logging.WARNING, logger="briefing.migrations"):
        store = open_store(path)
    with store, store.reading() as session:
        assert store.schema_version == migrations.head_revision()
        names = sorted(session.scalars(select(Stakeholder.name)))
        assert names == sorted(
            [
                "Ärzte ohne Grenzen",
                "ÄRZTE OHNE GRENZEN (3)",
                nfd("Ärzte ohne Grenzen") + " (4)",
                "ÄRZTE OHNE GRENZEN (2)",
            ]
        )
        assert find_stakeholder(session, "ärzte ohne grenzen").name == "Ärzte ohne Grenzen"
        assert find_topic(session, "überwachung (2)").name == "ÜBERWACHUNG (2)"
        assert all_tags(session) == ["Überwachung"]
        notes = session.scalars(select(Note).order_by(Note.id)).all()
        assert [[t.name for t in n.tags] for n in notes] == [["Überwachung"], ["Überwachung"]]
    report = caplog.text
    assert "renamed 'ÄRZTE OHNE GRENZEN (3)'" in report
    assert "tag 'ÜBERWACHUNG' (id 2)" in report and "merged into 1" in report
    assert "topic 'ÜBERWACHUNG' (id 2)" in report
