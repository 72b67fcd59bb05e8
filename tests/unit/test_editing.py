"""Editing use cases: what they make, what they refuse (changing nothing), and undo."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from briefing.core import editing
from briefing.core.cards import stakeholder_detail, topic_cards
from briefing.core.compare import backing_quotes, check_choice, comparison
from briefing.core.editing import EventFields, StakeholderFields
from briefing.core.lookup import find_stakeholder, find_topic
from briefing.core.undo import Recorded, dump
from briefing.errors import InputError, NotFound
from briefing.store.models import Answer, Event, Position, Question, Quote, Stakeholder, Topic

pytestmark = pytest.mark.both_databases

TOPIC = "Police use of facial recognition"


def state(store):
    with store.reading() as session:
        return dump(session)


def ids(store, *names):
    with store.reading() as session:
        return [find_stakeholder(session, name).id for name in names]


def topic_id(store, name=TOPIC):
    with store.reading() as session:
        return find_topic(session, name).id


def refused(store, edit, message):
    """`edit` raises InputError containing `message`, and the store is exactly as it was."""
    before = state(store)
    with pytest.raises(InputError, match=message), store.writing() as session:
        edit(session)
    assert state(store) == before


def test_topic_names_are_checked(demo_store):
    refused(demo_store, lambda s: editing.create_topic(s, "  "), "needs a name")
    refused(demo_store, lambda s: editing.create_topic(s, TOPIC.upper()), "already a topic")
    refused(demo_store, lambda s: editing.create_topic(s, "x" * 201), "at most 200")
    with demo_store.writing() as session:
        made = editing.create_topic(session, " Shop-floor facial recognition ")
    with demo_store.reading() as session:
        assert find_topic(session, "shop-floor facial recognition").id == made.id
    refused(demo_store, lambda s: editing.rename_topic(s, made.id, TOPIC), "already a topic")


def test_stakeholder_validation(demo_store):
    tid = topic_id(demo_store)
    (ibm,) = ids(demo_store, "IBM")
    refused(
        demo_store,
        lambda s: editing.add_stakeholder(s, StakeholderFields("ibm", "company"), tid),
        "already a stakeholder named 'IBM'",
    )
    refused(
        demo_store,
        lambda s: editing.add_stakeholder(s, StakeholderFields("X", "company", influence=6)),
        "outside 1 to 5",
    )
    refused(
        demo_store,
        lambda s: editing.add_stakeholder(s, StakeholderFields("X", "firm")),
        "not one of",
    )
    refused(
        demo_store,
        lambda s: editing.edit_stakeholder(s, ibm, StakeholderFields("IBM", "company", "", ibm)),
        "cannot speak for itself",
    )
    (krishna,) = ids(demo_store, "Arvind Krishna")
    refused(
        demo_store,
        lambda s: editing.edit_stakeholder(
            s, ibm, StakeholderFields("IBM", "company", "", krishna)
        ),
        "already speaks",
    )


def test_position_validation_and_newest_on_the_card(demo_store):
    tid = topic_id(demo_store)
    (ibm,) = ids(demo_store, "IBM")
    refused(
        demo_store,
        lambda s: editing.set_position(s, tid, ibm, "maybe", "x", dt.date(2021, 1, 1)),
        "stance 'maybe' is not one of",
    )
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    refused(
        demo_store,
        lambda s: editing.set_position(s, tid, ibm, "supports", "x", tomorrow),
        "in the future",
    )
    assert (
        editing.check_as_of("2021-02-30")[1]
        == "'2021-02-30' is not a date: there is no 30 February 2021"
    )
    with demo_store.reading() as session:
        old = next(c for c in topic_cards(session, tid) if c.id == ibm)
    with demo_store.writing() as session:
        editing.set_position(
            session, tid, ibm, "supports", "Now **sells** again.", dt.date(2024, 5, 1)
        )
    with demo_store.reading() as session:
        card = next(c for c in topic_cards(session, tid) if c.id == ibm)
        detail = stakeholder_detail(session, tid, ibm)
    assert (card.stance, card.headline, card.as_of) == (
        "supports",
        "Now sells again.",
        dt.date(2024, 5, 1),
    )
    assert old.as_of in [p.as_of for p in detail.earlier_positions]


def test_answer_quote_must_be_the_stakeholders(demo_store):
    tid = topic_id(demo_store)
    ibm, aclu = ids(demo_store, "IBM", "ACLU")
    with demo_store.reading() as session:
        question = session.scalars(select(Question.id).where(Question.topic_id == tid)).first()
        aclu_quote = session.scalars(select(Quote.id).where(Quote.speaker_id == aclu)).first()
        ibm_quotes = [q.id for q in backing_quotes(session, ibm)]
        speakers = {session.get(Quote, q).speaker.name for q in ibm_quotes}
    assert "Arvind Krishna" in speakers  # a person who speaks for IBM may back its answers
    refused(
        demo_store,
        lambda s: editing.set_answer(s, question, ibm, "yes", aclu_quote),
        "was said by ACLU, not by IBM",
    )
    refused(demo_store, lambda s: editing.set_answer(s, question, ibm, "maybe"), "not one of")
    krishna_quote = next(q for q in ibm_quotes if q in ids(demo_store, "Arvind Krishna") or True)
    with demo_store.writing() as session:
        editing.set_answer(session, question, ibm, "partly", krishna_quote)
    with demo_store.reading() as session:
        cell = comparison(session, tid, [ibm, aclu]).cell(question, ibm)
    assert (cell.answer, cell.supported, cell.quote.id) == ("partly", True, krishna_quote)


def test_questions_are_ordered_and_unique(demo_store):
    tid = topic_id(demo_store)
    refused(demo_store, lambda s: editing.add_question(s, tid, " "), "needs its words")
    refused(
        demo_store,
        lambda s: editing.add_question(s, tid, "sells facial recognition to police?"),
        "already asks",
    )
    with demo_store.writing() as session:
        new = editing.add_question(session, tid, "Publishes accuracy tests?").id
        editing.move_question(session, new, -10)
    with demo_store.reading() as session:
        assert editing.topic_questions(session, tid)[0].id == new


def test_events_refuse_impossible_dates(demo_store):
    assert editing.check_event_date("2019-02-29")[1]
    assert editing.check_event_date("2019-13")[1]
    assert editing.check_event_date("2019-09")[0] == (dt.date(2019, 9, 1), "month")
    tid = topic_id(demo_store)
    refused(
        demo_store,
        lambda s: editing.add_event(s, tid, EventFields(" ", dt.date(2020, 1, 1))),
        "needs a title",
    )
    refused(
        demo_store,
        lambda s: editing.add_event(s, tid, EventFields("t", dt.date(2020, 1, 1), "week")),
        "precision",
    )
    refused(
        demo_store,
        lambda s: editing.add_event(s, tid, EventFields("t", dt.date(2020, 1, 1), source_id=99)),
        "no source",
    )


def test_deleting_a_stakeholder_says_what_goes_and_undoes_exactly(demo_store):
    (ibm,) = ids(demo_store, "IBM")
    with demo_store.reading() as session:
        said = editing.deletion_consequences(session, ibm)
    assert any(line.startswith("Deleted with it:") and "answers" in line for line in said)
    assert any("people no longer speak for it" in line or "person" in line for line in said)
    before = state(demo_store)
    edit = Recorded(lambda s: editing.delete_stakeholder(s, ibm))
    with demo_store.writing() as session:
        edit.do(session)
    after = state(demo_store)
    with demo_store.reading() as session:
        assert session.get(Stakeholder, ibm) is None
        assert session.scalars(select(Quote).where(Quote.speaker_id.is_(None))).first()
    with demo_store.writing() as session:
        edit.undo(session)
    assert state(demo_store) == before
    with demo_store.writing() as session:
        edit.do(session)
    assert state(demo_store) == after


def test_unknown_ids_are_refused(demo_store):
    refused(demo_store, lambda s: editing.delete_stakeholder(s, 999), "no stakeholder")
    refused(demo_store, lambda s: editing.delete_answer(s, 999, 1), "not answered")
    with pytest.raises(NotFound), demo_store.reading() as session:
        comparison(session, 999, [])
    assert check_choice(1) and check_choice(7) and check_choice(2) is None


# -- any sequence of edits, undone, leaves the store exactly as it was -------------------------


def _pick(session, model, n):
    rows = list(session.scalars(select(model.id).order_by(model.id)))
    return rows[n % len(rows)] if rows else None


def _edit(kind: str, n: int, text: str):
    """An edit chosen by hypothesis; it looks its targets up when it runs."""

    def run(session):
        tid = _pick(session, Topic, n)
        sid = _pick(session, Stakeholder, n)
        qid = _pick(session, Question, n)
        pid = _pick(session, Position, n)
        if kind == "create_topic":
            return editing.create_topic(session, f"Topic {text}")
        if kind == "rename_topic" and tid:
            return editing.rename_topic(session, tid, f"Renamed {text}", text)
        if kind == "delete_topic" and tid:
            return editing.delete_topic(session, tid)
        if kind == "add_stakeholder":
            fields = StakeholderFields(f"S {text}", "ngo", text, sid, n % 5 + 1)
            return editing.add_stakeholder(session, fields, tid)
        if kind == "edit_stakeholder" and sid:
            return editing.edit_stakeholder(session, sid, StakeholderFields(f"E {text}", "other"))
        if kind == "delete_stakeholder" and sid:
            return editing.delete_stakeholder(session, sid)
        if kind == "set_position" and tid and sid:
            day = dt.date(2020, 1, 1) + dt.timedelta(days=n % 3)
            return editing.set_position(session, tid, sid, "unclear", text, day)
        if kind == "delete_position" and pid:
            return editing.delete_position(session, pid)
        if kind == "add_question" and tid:
            return editing.add_question(session, tid, f"Q {text}?")
        if kind == "move_question" and qid:
            return editing.move_question(session, qid, n % 3 - 1)
        if kind == "delete_question" and qid:
            return editing.delete_question(session, qid)
        if kind == "set_answer" and qid and sid:
            quote = next(iter(backing_quotes(session, sid)), None)
            return editing.set_answer(
                session, qid, sid, "yes" if n % 2 else "partly", quote.id if quote else None
            )
        if kind == "add_event" and tid:
            fields = EventFields(f"E {text}", dt.date(2019, 1, 1), "year", sid)
            return editing.add_event(session, tid, fields)
        eid = _pick(session, Event, n)
        if kind == "edit_event" and eid:
            fields = EventFields(f"Edited {text}", dt.date(2021, 3, 1), "month", None)
            return editing.edit_event(session, eid, fields)
        if kind == "delete_event" and eid:
            return editing.delete_event(session, eid)
        if kind == "edit_question" and qid:
            return editing.edit_question(session, qid, f"Edited {text}?")
        if kind == "delete_answer" and (aid := _pick(session, Answer, n)):
            answer = session.get(Answer, aid)
            return editing.delete_answer(session, answer.question_id, answer.stakeholder_id)
        if kind == "link" and tid and sid:
            return editing.link_stakeholder(session, tid, sid)
        return editing.Edited()

    return run


EDITS = st.tuples(
    st.sampled_from(
        [
            "create_topic",
            "rename_topic",
            "delete_topic",
            "add_stakeholder",
            "edit_stakeholder",
            "delete_stakeholder",
            "set_position",
            "delete_position",
            "add_question",
            "move_question",
            "delete_question",
            "set_answer",
            "add_event",
            "edit_event",
            "delete_event",
            "edit_question",
            "delete_answer",
            "link",
        ]
    ),
    st.integers(0, 40),
    st.text(alphabet="abcxyz", min_size=1, max_size=4),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(EDITS, min_size=1, max_size=8))
def test_any_edits_then_as_many_undos_restore_the_store(demo_template, tmp_path, edits):
    import shutil

    from briefing.store import open_store

    path = tmp_path / f"prop-{abs(hash(tuple(edits)))}.sqlite3"
    shutil.copyfile(demo_template, path)
    with open_store(path) as store:
        before = state(store)
        done, states = [], []
        for kind, n, text in edits:
            recorded = Recorded(_edit(kind, n, text))
            try:
                with store.writing() as session:
                    recorded.do(session)
            except InputError:
                continue  # refused (a duplicate name, say): nothing changed, nothing to undo
            done.append(recorded)
            states.append(state(store))
        for recorded in reversed(done):
            with store.writing() as session:
                recorded.undo(session)
        assert state(store) == before
        for recorded, expected in zip(done, states, strict=True):  # and redo replays them
            with store.writing() as session:
                recorded.do(session)
            assert state(store) == expected
    path.unlink()


def test_answers_survive_undo_of_a_deleted_question(demo_store):
    tid = topic_id(demo_store)
    with demo_store.reading() as session:
        qid = session.scalars(select(Question.id).where(Question.topic_id == tid)).first()
        answers = sorted(session.scalars(select(Answer.uuid).where(Answer.question_id == qid)))
    edit = Recorded(lambda s: editing.delete_question(s, qid))
    with demo_store.writing() as session:
        edit.do(session)
    with demo_store.writing() as session:
        edit.undo(session)
    with demo_store.reading() as session:
        assert sorted(session.scalars(select(Answer.uuid).where(Answer.question_id == qid))) == (
            answers
        )


def test_undo_refuses_to_lose_a_change_made_off_the_stack(demo_store):
    from briefing.core.undo import UndoConflict
    from briefing.store.models import Note

    edit = Recorded(lambda s: editing.add_stakeholder(s, StakeholderFields("Facewatch", "company")))
    with demo_store.writing() as session:
        made = edit.do(session)
    with demo_store.writing() as session:  # a note that saved itself, not on the undo stack
        session.add(Note(body="Sells to shops", stakeholder_id=made.id))
    before = state(demo_store)
    with pytest.raises(UndoConflict, match="notes"), demo_store.writing() as session:
        edit.undo(session)
    assert state(demo_store) == before

    rename = Recorded(lambda s: editing.rename_topic(s, topic_id(demo_store), "Renamed"))
    with demo_store.writing() as session:
        rename.do(session)
    with demo_store.writing() as session:
        editing.rename_topic(session, topic_id(demo_store, "Renamed"), "Renamed again")
    before = state(demo_store)
    with pytest.raises(UndoConflict, match="topics"), demo_store.writing() as session:
        rename.undo(session)
    assert state(demo_store) == before


def test_an_edit_that_swaps_two_names_undoes_and_redoes(demo_store):
    """SQLite checks UNIQUE at each statement: restoring swapped names must not collide."""

    ibm, amazon = ids(demo_store, "IBM", "Amazon")

    def swap(session):
        for who, name in ((ibm, "Parked"), (amazon, "IBM"), (ibm, "Amazon")):
            fields = editing.stakeholder_fields(session, who)
            editing.edit_stakeholder(session, who, replace(fields, name=name))
        return editing.Edited(frozenset({"stakeholder"}))

    before = state(demo_store)
    edit = Recorded(swap)
    with demo_store.writing() as session:
        edit.do(session)
    after = state(demo_store)
    assert after != before
    with demo_store.writing() as session:
        edit.undo(session)
    assert state(demo_store) == before
    with demo_store.writing() as session:
        edit.do(session)
    assert state(demo_store) == after


def test_an_undo_that_would_take_a_name_made_since_is_refused(demo_store):
    """Another program (the command line) named a new stakeholder as the one undo renames back."""
    from briefing.core.undo import UndoConflict

    (ibm,) = ids(demo_store, "IBM")
    rename = Recorded(
        lambda s: editing.edit_stakeholder(
            s, ibm, replace(editing.stakeholder_fields(s, ibm), name="IBM Corporation")
        )
    )
    with demo_store.writing() as session:
        rename.do(session)
    with demo_store.writing() as session:
        editing.add_stakeholder(session, StakeholderFields("IBM", "company"))
    before = state(demo_store)
    with pytest.raises(UndoConflict, match="stakeholders.name"), demo_store.writing() as session:
        rename.undo(session)
    assert state(demo_store) == before


def test_deleting_a_stakeholder_names_the_briefings_and_position_notes_that_go(demo_store):
    from briefing.core.briefings import add_item, create_briefing
    from briefing.store.models import BriefingItem, Note

    (ibm,) = ids(demo_store, "IBM")
    with demo_store.writing() as session:
        said_before = editing.deletion_consequences(session, ibm)
        briefing, _ = create_briefing(session, topic_id(demo_store), "For the council")
        add_item(session, briefing, "stakeholder", ibm)
        position = session.scalars(select(Position).where(Position.stakeholder_id == ibm)).first()
        session.add(Note(body="Check the date", position_id=position.id))
    with demo_store.reading() as session:
        said = editing.deletion_consequences(session, ibm)
    assert "It is taken out of 1 briefing." in said
    notes_before = next(line for line in said_before if line.startswith("Deleted with it:"))
    notes_now = next(line for line in said if line.startswith("Deleted with it:"))
    assert notes_now != notes_before  # one more note on it: the one on its position

    before = state(demo_store)
    edit = Recorded(lambda s: editing.delete_stakeholder(s, ibm))
    with demo_store.writing() as session:
        assert edit.do(session).touches("briefing")
    with demo_store.reading() as session:
        assert not session.scalars(
            select(BriefingItem).where(BriefingItem.briefing_id == briefing)
        ).all()
    with demo_store.writing() as session:
        edit.undo(session)
    assert state(demo_store) == before


def test_deleting_a_topic_says_what_goes_and_what_stays(demo_store):
    from briefing.core.briefings import create_briefing
    from briefing.store.models import Briefing, Note

    tid = topic_id(demo_store)
    with demo_store.writing() as session:
        create_briefing(session, tid, "For the council")
        session.add(Note(body="Background", topic_id=tid))
    with demo_store.reading() as session:
        said = editing.topic_deletion_consequences(session, tid)
        questions = len(editing.topic_questions(session, tid))
    gone = said[0]
    assert gone.startswith("Deleted with it:") and f"{questions} questions" in gone
    assert "positions" in gone and "answers" in gone and "notes on it or its positions" in gone
    assert "1 briefing stays without a topic." in said
    assert said[-1] == "Its stakeholders, quotes and sources stay."
    with demo_store.writing() as session:
        assert editing.delete_topic(session, tid).touches("note", "briefing")
    with demo_store.reading() as session:
        assert session.scalars(select(Briefing.topic_id)).all() == [None]
    with demo_store.writing() as session:
        empty = editing.create_topic(session, "Empty").id
        assert editing.topic_deletion_consequences(session, empty) == [
            "Its stakeholders, quotes and sources stay."
        ]
