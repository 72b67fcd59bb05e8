"""Undo and redo of one's own last actions, on a store file and on a team store alike: rows are
recorded by their keys, and an undo that would overwrite another member's change since is refused
with who changed what, leaving the store as it was."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select

from briefing.core.demo import load_demo
from briefing.core.editing import (
    StakeholderFields,
    add_stakeholder,
    delete_stakeholder,
    edit_stakeholder,
    stakeholder_fields,
)
from briefing.core.notes import add_note
from briefing.core.search import search
from briefing.core.undo import Recorded, UndoConflict
from briefing.store import open_store
from briefing.store import team as team_store
from briefing.store.models import Base, Position, Quote, Stakeholder

AUTHORSHIP = {"created_by", "changed_by", "written_by"}


@dataclass
class Where:
    me: str  # the member undoing
    other: str  # another member (on a store file: another program, such as the command line)
    other_name: str | None  # the other member's role, as a refusal names it


@pytest.fixture(params=["file", "team"])
def where(request, demo_path):
    if request.param == "file":
        return Where(str(demo_path), str(demo_path), None)
    team = request.getfixturevalue("team")
    team_store.setup(team.url(), load_demo)
    alice, bob = team.role("alice"), team.role("bob")
    team_store.add_member(team.url(), alice)
    team_store.add_member(team.url(), bob)
    return Where(team.url(alice), team.url(bob), bob)


def _state(address: str) -> dict[str, list[tuple]]:
    """Every row the member sees, by key, without who wrote it (a team store's triggers set
    that from the role that restores a row)."""
    with open_store(address) as store, store.reading() as session:
        found = {}
        for name, table in sorted(Base.metadata.tables.items()):
            columns = [c for c in table.columns if c.name not in AUTHORSHIP]
            rows = session.execute(select(*columns).order_by(*table.primary_key.columns))
            found[name] = [tuple(row) for row in rows]
        return found


def _do(address: str, recorded: Recorded) -> None:
    with open_store(address) as store, store.writing() as session:
        recorded.do(session)


def _undo(address: str, recorded: Recorded) -> None:
    with open_store(address) as store, store.writing() as session:
        recorded.undo(session)


def _ibm(address: str) -> int:
    with open_store(address) as store, store.reading() as session:
        return session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()


def _rename(stakeholder_id: int, name: str):
    def edit(session):
        fields = stakeholder_fields(session, stakeholder_id)
        return edit_stakeholder(session, stakeholder_id, replace(fields, name=name))

    return edit


def test_a_rename_undoes_and_redoes(where):
    ibm = _ibm(where.me)
    before = _state(where.me)
    rename = Recorded(_rename(ibm, "IBM Corporation"))
    _do(where.me, rename)
    after = _state(where.me)
    assert after != before
    _undo(where.me, rename)
    assert _state(where.me) == before
    _do(where.me, rename)  # redo
    assert _state(where.me) == after
    with open_store(where.me) as store, store.reading() as session:
        assert "IBM Corporation" in [h.title for h in search(session, "corporation")]


def test_a_delete_with_its_cascade_comes_back_whole(where):
    ibm = _ibm(where.me)
    with open_store(where.me) as store, store.writing() as session:
        held = select(Position.id).where(Position.stakeholder_id == ibm)
        position = session.scalars(held).first()
        quote = session.scalars(select(Quote.id).where(Quote.speaker_id == ibm)).first()
        add_note(session, ("stakeholder", ibm), "Mine on IBM", tags=["follow-up"])
        add_note(session, ("position", position), "Mine on its position", private=True)
        add_note(session, ("quote", quote), "Mine on its quote")
    before = _state(where.me)
    delete = Recorded(lambda session: delete_stakeholder(session, ibm))
    _do(where.me, delete)
    after = _state(where.me)
    with open_store(where.me) as store, store.reading() as session:
        assert session.get(Stakeholder, ibm) is None
        assert session.get(Quote, quote).speaker_id is None  # quotes stay, unspoken
    _undo(where.me, delete)
    assert _state(where.me) == before  # the same ids: notes, tags, positions, answers, speakers
    with open_store(where.me) as store, store.reading() as session:
        assert [h.kind for h in search(session, "mine on its quote")][:1] == ["note"]
    _do(where.me, delete)
    assert _state(where.me) == after
    _undo(where.me, delete)
    assert _state(where.me) == before


def test_an_add_undoes_and_redoes_with_its_id(where):
    before = _state(where.me)
    made: list[int] = []

    def add(session):
        edited = add_stakeholder(session, StakeholderFields("Facewatch", "company"))
        made.append(edited.id)
        return edited

    recorded = Recorded(add)
    _do(where.me, recorded)
    after = _state(where.me)
    _undo(where.me, recorded)
    assert _state(where.me) == before
    _do(where.me, recorded)
    assert _state(where.me) == after
    with open_store(where.me) as store, store.reading() as session:
        assert session.get(Stakeholder, made[0]).name == "Facewatch"


def test_an_undo_over_another_members_edit_is_refused_and_changes_nothing(where):
    ibm = _ibm(where.me)
    rename = Recorded(_rename(ibm, "IBM Corporation"))
    _do(where.me, rename)
    with open_store(where.other) as store, store.writing() as session:
        _rename(ibm, "International Business Machines")(session)
    before = _state(where.me)
    with pytest.raises(UndoConflict) as refused:
        _undo(where.me, rename)
    said = str(refused.value)
    assert "stakeholder \u2018International Business Machines\u2019 was changed" in said
    if where.other_name:
        assert f"changed by {where.other_name}" in said
    assert "nothing was changed" in said
    assert _state(where.me) == before

    # An added stakeholder on which another member wrote a note since: its undo would delete
    # the note, so it is refused, naming the note and its author.
    made: list[int] = []

    def add(session):
        edited = add_stakeholder(session, StakeholderFields("Facewatch", "company"))
        made.append(edited.id)
        return edited

    recorded = Recorded(add)
    _do(where.me, recorded)
    with open_store(where.other) as store, store.writing() as session:
        add_note(session, ("stakeholder", made[0]), "Their words on Facewatch")
    before = _state(where.me)
    with pytest.raises(UndoConflict, match="notes") as refused:
        _undo(where.me, recorded)
    assert "note \u2018Their words on Facewatch\u2019 was added" in str(refused.value)
    if where.other_name:
        assert f"added by {where.other_name}" in str(refused.value)
    assert _state(where.me) == before


def test_edit_undo_in_a_team_window_restores_and_says_who_changed_what(
    team, qtbot, tmp_path, monkeypatch, open_window
):
    from briefing.ui import editing as editing_ui
    from briefing.ui import notes as notes_ui

    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *args: True)
    warned: list[str] = []
    monkeypatch.setattr(editing_ui, "warn", lambda parent, title, text: warned.append(text))
    team_store.setup(team.url(), load_demo)
    alice, bob = team.role("alice"), team.role("bob")
    team_store.add_member(team.url(), alice)
    team_store.add_member(team.url(), bob)
    ibm = _ibm(team.url(alice))
    before = _state(team.url(alice))

    store = open_store(team.url(alice))
    window = open_window(store, size=(1400, 900))
    try:
        delete = Recorded(lambda session: delete_stakeholder(session, ibm))
        window.operations.push("Delete stakeholder IBM", delete.do, delete.undo)
        qtbot.waitUntil(lambda: ibm not in window.cards.ids(), timeout=10_000)
        window.undo_action.trigger()
        qtbot.waitUntil(lambda: ibm in window.cards.ids(), timeout=10_000)
        assert _state(team.url(alice)) == before and not warned

        rename = Recorded(_rename(ibm, "IBM Corporation"))
        window.operations.push("Rename IBM", rename.do, rename.undo)
        with open_store(team.url(bob)) as other, other.writing() as session:
            _rename(ibm, "Big Blue")(session)
        window.undo_action.trigger()
        assert warned and f"\u2018Big Blue\u2019 was changed by {bob}" in warned[0]
        assert "refused" in window.statusBar().currentMessage()
        assert window.undo_action.text() == "&Undo Rename IBM"  # still offered
        window.grab().save(str(tmp_path / "team-undo.png"))
    finally:
        window.close()
        store.close()
    with open_store(team.url(alice)) as other, other.reading() as session:
        assert session.get(Stakeholder, ibm).name == "Big Blue"
