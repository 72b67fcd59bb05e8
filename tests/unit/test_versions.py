"""Two writers on every kind of record: a stale editor is refused and overwrites nothing.

Each case plays what happens in the app: an editor (a form, the composer, the note editor) reads
a record and its version in one short session, as the window does when a form opens; another
writer changes the record (the command line, through `briefing.cli.main`, or a second store on
the same file); then the editor saves with the version it read. The save is refused with
`StaleRecord`, which carries the record as it is now; the store is exactly as the other writer
left it; and saving again with the version the error carries (overwriting knowingly) works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from briefing.cli import main
from briefing.core import briefings, corrections, editing, notes, versions
from briefing.core.undo import dump
from briefing.errors import NoteChangedElsewhere, StaleRecord
from briefing.store import open_store
from briefing.store.models import (
    Answer,
    Event,
    Note,
    Question,
    Quote,
    Source,
    Stakeholder,
    Topic,
    later_than,
)

pytestmark = pytest.mark.both_databases


def everything(path):
    with open_store(path) as store, store.reading() as session:
        return dump(session)


def cli(path, *args) -> None:
    assert main(["--db", str(path), *map(str, args)]) == 0


def other_store(path, change: Callable) -> None:
    """A second writer: another store object on the same file (another window's session)."""
    with open_store(path) as store, store.writing() as session:
        change(session)


def first_id(session, model, *where) -> int:
    return session.scalars(select(model.id).where(*where).order_by(model.id)).first()


@dataclass
class Case:
    """`load` reads what the editor keeps (the ids and the version); `elsewhere` is the other
    writer; `save` is the editor's save with a version; `saved` says whether the store holds the
    editor's values."""

    load: Callable
    elsewhere: Callable
    save: Callable
    saved: Callable


def _ibm(session) -> int:
    return first_id(session, Stakeholder, Stakeholder.name == "IBM")


def _topic(session) -> int:
    return first_id(session, Topic)


CASES = {
    "topic": Case(
        load=lambda s: (_topic(s), versions.current_version(s, "topic", _topic(s))),
        elsewhere=lambda path, ids: other_store(
            path, lambda s: editing.rename_topic(s, ids, "Face recognition by police")
        ),
        save=lambda s, ids, v: editing.rename_topic(
            s, ids, "Facial recognition (mine)", expected_version=v
        ),
        saved=lambda s, ids: s.get(Topic, ids).name == "Facial recognition (mine)",
    ),
    "stakeholder": Case(
        load=lambda s: (_ibm(s), versions.current_version(s, "stakeholder", _ibm(s))),
        elsewhere=lambda path, ids: other_store(
            path,
            lambda s: editing.edit_stakeholder(
                s, ids, editing.StakeholderFields("IBM", "company", "Changed by another")
            ),
        ),
        save=lambda s, ids, v: editing.edit_stakeholder(
            s, ids, editing.StakeholderFields("IBM", "company", "Mine"), expected_version=v
        ),
        saved=lambda s, ids: s.get(Stakeholder, ids).description == "Mine",
    ),
    "position": Case(  # the CLI sets the same day's position while the form is open
        load=lambda s: (
            (_topic(s), _ibm(s)),
            versions.position_versions(s, _topic(s), _ibm(s)).get(
                dt.date(2021, 3, 1), versions.ABSENT
            ),
        ),
        elsewhere=lambda path, ids: cli(
            path,
            "position",
            "set",
            "IBM",
            "--topic",
            ids[0],
            "--stance",
            "supports",
            "--summary",
            "From the command line",
            "--as-of",
            "2021-03-01",
        ),  # fmt: skip
        save=lambda s, ids, v: editing.set_position(
            s, ids[0], ids[1], "opposes", "Mine", dt.date(2021, 3, 1), expected_version=v
        ),
        saved=lambda s, ids: editing.stakeholder_positions(s, ids[0], ids[1])[0].summary == "Mine",
    ),
    "question": Case(
        load=lambda s: (
            first_id(s, Question),
            versions.current_version(s, "question", first_id(s, Question)),
        ),
        elsewhere=lambda path, ids: other_store(
            path, lambda s: editing.edit_question(s, ids, "Sells to the police?")
        ),
        save=lambda s, ids, v: editing.edit_question(s, ids, "Mine?", expected_version=v),
        saved=lambda s, ids: s.get(Question, ids).text == "Mine?",
    ),
    "answer": Case(  # the CLI answers while the comparison shows the old answer
        load=lambda s: (
            (first_id(s, Question), _ibm(s)),
            versions.answer_version(s, first_id(s, Question), _ibm(s)),
        ),
        elsewhere=lambda path, ids: cli(
            path,
            "answer",
            "set",
            "--question",
            ids[0],
            "--stakeholder",
            "IBM",
            "--answer",
            "partly",
            "--comment",
            "From the command line",
        ),  # fmt: skip
        save=lambda s, ids, v: editing.set_answer(
            s, ids[0], ids[1], "unknown", comment="Mine", expected_version=v
        ),
        saved=lambda s, ids: (
            s.scalars(
                select(Answer.comment).where(
                    Answer.question_id == ids[0], Answer.stakeholder_id == ids[1]
                )
            ).one()
            == "Mine"
        ),
    ),
    "event": Case(
        load=lambda s: (
            first_id(s, Event),
            versions.current_version(s, "event", first_id(s, Event)),
        ),
        elsewhere=lambda path, ids: other_store(
            path,
            lambda s: editing.edit_event(
                s, ids, editing.EventFields("Renamed elsewhere", dt.date(2020, 6, 8))
            ),
        ),
        save=lambda s, ids, v: editing.edit_event(
            s, ids, editing.EventFields("Mine", dt.date(2020, 6, 9)), expected_version=v
        ),
        saved=lambda s, ids: s.get(Event, ids).title == "Mine",
    ),
    "quote tags": Case(  # only the tags change elsewhere: they live in another table
        load=lambda s: (
            first_id(s, Quote),
            versions.current_version(s, "quote", first_id(s, Quote)),
        ),
        elsewhere=lambda path, ids: cli(path, "quote", "edit", ids, "--tag", "Überwachung"),
        save=lambda s, ids, v: corrections.edit_quote(
            s, ids, said_on=dt.date(2020, 6, 1), tags=["mine"], expected_version=v
        ),
        saved=lambda s, ids: [t.name for t in s.get(Quote, ids).tags] == ["mine"],
    ),
    "source": Case(
        load=lambda s: (
            first_id(s, Source),
            versions.current_version(s, "source", first_id(s, Source)),
        ),
        elsewhere=lambda path, ids: cli(path, "source", "edit", ids, "--publisher", "Elsewhere"),
        save=lambda s, ids, v: corrections.edit_source(
            s, ids, publisher="Mine", expected_version=v
        ),
        saved=lambda s, ids: s.get(Source, ids).publisher == "Mine",
    ),
    "briefing": Case(
        load=lambda s: (
            _briefing_id(s),
            versions.current_version(s, "briefing", _briefing_id(s)),
        ),
        elsewhere=lambda path, ids: other_store(
            path, lambda s: briefings.update_briefing(s, ids, introduction="Elsewhere")
        ),
        save=lambda s, ids, v: briefings.update_briefing(
            s, ids, introduction="Mine", expected_version=v
        ),
        saved=lambda s, ids: briefings.get_briefing(s, ids).introduction == "Mine",
    ),
    "note": Case(
        load=lambda s: (first_id(s, Note), versions.current_version(s, "note", first_id(s, Note))),
        elsewhere=lambda path, ids: other_store(
            path, lambda s: notes.update_note(s, ids, private=True)
        ),
        save=lambda s, ids, v: notes.update_note(s, ids, body="Mine", expected_version=v),
        saved=lambda s, ids: s.get(Note, ids).body == "Mine",
    ),
}


def _briefing_id(session) -> int:
    found = briefings.list_briefings(session)
    if found:
        return found[0].id
    briefing_id, _ = briefings.create_briefing(session, _topic(session), "For the committee")
    return briefing_id


@pytest.mark.parametrize("kind", list(CASES))
def test_a_stale_editor_is_refused_and_overwrites_nothing(demo_path, kind):
    case = CASES[kind]
    with open_store(demo_path) as store:
        with store.writing() as session:
            if kind == "briefing":
                _briefing_id(session)
            if kind == "note":
                notes.add_note(session, ("stakeholder", _ibm(session)), "Typed in the window")
        with store.reading() as session:  # the form opens
            ids, version = case.load(session)
        case.elsewhere(demo_path, ids)  # another writer, while the form is open
        after_other = everything(demo_path)
        with pytest.raises(StaleRecord) as refused, store.writing() as session:
            case.save(session, ids, version)
        assert "elsewhere" in str(refused.value) and "kept" in str(refused.value)
        assert everything(demo_path) == after_other  # the refused save wrote nothing
        assert refused.value.current is not None  # the record as it is now, to show the user
        with store.reading() as session:
            assert not case.saved(session, ids)
        # Overwriting knowingly: with the version the refusal carried, the save goes through.
        with store.writing() as session:
            case.save(session, ids, refused.value.version)
        with store.reading() as session:
            assert case.saved(session, ids)
        # ... and a second save with that same version is stale again: it moved on.
        with pytest.raises(StaleRecord), store.writing() as session:
            case.save(session, ids, refused.value.version)


def test_an_unchanged_record_saves_with_its_version(demo_store):
    for kind, case in CASES.items():
        with demo_store.writing() as session:
            if kind == "briefing":
                _briefing_id(session)
            if kind == "note":
                notes.add_note(session, ("stakeholder", _ibm(session)), "Typed in the window")
        with demo_store.reading() as session:
            ids, version = case.load(session)
        with demo_store.writing() as session:
            case.save(session, ids, version)
        with demo_store.reading() as session:
            assert case.saved(session, ids), kind


def test_a_record_deleted_elsewhere_is_said_so(demo_path):
    with open_store(demo_path) as store:
        with store.reading() as session:
            event_id = first_id(session, Event)
            version = versions.current_version(session, "event", event_id)
        other_store(demo_path, lambda s: editing.delete_event(s, event_id))
        before = everything(demo_path)
        refusal = pytest.raises(StaleRecord, match="deleted elsewhere")
        with refusal as refused, store.writing() as session:
            editing.edit_event(
                session,
                event_id,
                editing.EventFields("Mine", dt.date(2020, 6, 9)),
                expected_version=version,
            )
        assert refused.value.current is None
        assert everything(demo_path) == before


def test_a_position_made_elsewhere_for_the_same_day_is_not_replaced(demo_path):
    """The form saw no position on that day (ABSENT); the command line made one meanwhile."""
    with open_store(demo_path) as store:
        with store.reading() as session:
            topic, ibm = _topic(session), _ibm(session)
            seen = versions.position_versions(session, topic, ibm)
        day = dt.date(2022, 5, 5)
        assert day not in seen
        cli(demo_path, "position", "set", "IBM", "--topic", topic, "--stance", "supports",
            "--summary", "From the command line", "--as-of", day)  # fmt: skip
        before = everything(demo_path)
        with pytest.raises(StaleRecord, match="made elsewhere"), store.writing() as session:
            editing.set_position(
                session,
                topic,
                ibm,
                "opposes",
                "Mine",
                day,
                expected_version=seen.get(day, versions.ABSENT),
            )
        assert everything(demo_path) == before


def test_a_stale_briefing_order_is_refused(demo_path):
    with open_store(demo_path) as store:
        with store.writing() as session:
            briefing_id = _briefing_id(session)
            for stakeholder in session.scalars(select(Stakeholder.id).limit(3)):
                briefings.add_item(session, briefing_id, "stakeholder", stakeholder)
        with store.reading() as session:
            shown = [item.id for item in briefings.briefing_items(session, briefing_id)]
        # Elsewhere, the last item is removed.
        other_store(demo_path, lambda s: briefings.remove_item(s, shown[-1]))
        before = everything(demo_path)
        with pytest.raises(StaleRecord), store.writing() as session:
            briefings.reorder_items(
                session, briefing_id, [shown[1], shown[0]], expected_order=shown
            )
        assert everything(demo_path) == before
        with store.writing() as session:
            briefings.reorder_items(
                session, briefing_id, [shown[1], shown[0]], expected_order=shown[:2]
            )


def test_the_note_error_is_a_stale_record(demo_store):
    assert issubclass(NoteChangedElsewhere, StaleRecord)


def test_versions_never_repeat_even_when_the_clock_does_not_move(demo_store, monkeypatch):
    """Two changes in one tick of the clock (or after it went back) still give two versions."""
    frozen = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    monkeypatch.setattr("briefing.store.models.utcnow", lambda: frozen)
    seen = []
    with demo_store.reading() as session:
        ibm = _ibm(session)
    for description in ("one", "two", "three"):
        with demo_store.writing() as session:
            editing.edit_stakeholder(
                session, ibm, editing.StakeholderFields("IBM", "company", description)
            )
        with demo_store.reading() as session:
            seen.append(versions.current_version(session, "stakeholder", ibm))
    assert len(set(seen)) == 3 and seen == sorted(seen)
    assert later_than(frozen) > frozen


def test_a_quote_added_to_a_source_leaves_the_sources_version(demo_store):
    """Only a record's own fields (and tags) make it stale, not a collection seen from afar."""
    with demo_store.reading() as session:
        source_id = first_id(session, Source)
        version = versions.current_version(session, "source", source_id)
    from briefing.core.quotes import add_quote_at

    with demo_store.writing() as session:
        add_quote_at(session, source_id, 0, 40, "IBM")
    with demo_store.writing() as session:
        corrections.edit_source(session, source_id, publisher="Mine", expected_version=version)
