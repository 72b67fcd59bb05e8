"""Changes from the GUI run in one transaction, are announced, and undo and redo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from briefing.core.changes import Changes
from briefing.store.models import Topic
from briefing.ui.operations import Operations


def topic_names(store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(Topic.name).order_by(Topic.name)))


def rename(old: str, new: str):
    def change(session) -> Changes:
        session.scalars(select(Topic).where(Topic.name == old)).one().name = new
        return Changes.of("topic")

    return change


def test_push_runs_announces_undoes_and_redoes(qtbot, empty_store):
    with empty_store.writing() as session:
        session.add(Topic(name="Before"))
    operations = Operations(empty_store)
    heard = []
    operations.changed.connect(heard.append)

    operations.push("Rename topic", rename("Before", "After"), rename("After", "Before"))
    assert topic_names(empty_store) == ["After"]
    assert heard == [Changes.of("topic")]
    assert operations.undo_stack.undoText() == "Rename topic"

    assert operations.undo()
    assert topic_names(empty_store) == ["Before"]
    assert operations.redo()
    assert topic_names(empty_store) == ["After"]
    assert len(heard) == 3


def test_a_failing_change_is_not_pushed_and_changes_nothing(qtbot, empty_store):
    operations = Operations(empty_store)

    def broken(session) -> Changes:
        session.add(Topic(name="Half done"))
        session.flush()
        raise ValueError("refused")

    with pytest.raises(ValueError):
        operations.push("Broken", broken, broken)
    assert topic_names(empty_store) == []
    assert operations.undo_stack.count() == 0


def test_changes_know_their_kinds():
    assert (Changes.of("note") | Changes.of("quote")).touches("quote")
    assert not Changes()
    with pytest.raises(ValueError):
        Changes.of("bogus")


def test_a_refused_undo_or_redo_leaves_the_store_and_the_stack_where_they_were(qtbot, empty_store):
    from briefing.errors import InputError

    with empty_store.writing() as session:
        session.add(Topic(name="Before"))
    operations = Operations(empty_store)
    refusals = []
    operations.refused.connect(lambda what, why: refusals.append((what, why)))
    undo_action = operations.create_undo_action(None)
    redo_action = operations.create_redo_action(None)
    allowed = {"undo": False, "redo": True}

    def guarded(step: str, change):
        def run(session) -> Changes:
            changes = change(session)  # half done, then refused: the transaction rolls back
            if not allowed[step]:
                raise InputError(f"{step} refused")
            return changes

        return run

    operations.push(
        "Rename topic",
        guarded("redo", rename("Before", "After")),
        guarded("undo", rename("After", "Before")),
    )
    assert undo_action.text() == "&Undo Rename topic" and not redo_action.isEnabled()

    undo_action.trigger()
    assert topic_names(empty_store) == ["After"]
    assert operations.undo_stack.index() == 1 and undo_action.isEnabled()
    assert refusals == [("Undo Rename topic", "undo refused")]

    allowed.update(undo=True, redo=False)
    assert operations.undo()
    assert topic_names(empty_store) == ["Before"] and operations.undo_stack.index() == 0
    assert redo_action.text() == "&Redo Rename topic" and not undo_action.isEnabled()

    redo_action.trigger()
    assert topic_names(empty_store) == ["Before"] and operations.undo_stack.index() == 0
    assert refusals[-1] == ("Redo Rename topic", "redo refused")
    allowed["redo"] = True
    assert operations.redo()
    assert topic_names(empty_store) == ["After"] and operations.undo_stack.index() == 1
