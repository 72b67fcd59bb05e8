"""An undone delete on a team store: the rows come back with their authors, and the notes other
members wrote on them come back attached (`0016_undo_restores`), without a member being able to
claim another's authorship by inserting rows of their own making."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from briefing.core.editing import (
    StakeholderFields,
    add_stakeholder,
    delete_stakeholder,
    set_position,
)
from briefing.core.notes import (
    add_note,
    delete_note,
    detached_count,
    detached_notes,
    list_notes,
)
from briefing.core.search import search
from briefing.core.undo import Recorded
from briefing.store import open_store
from briefing.store.models import Topic


def _row(team, table: str, row_id: int) -> dict:
    """A row as JSON, read by the owner (records are not private)."""
    ((row,),) = team.sql(
        team.owner, f"SELECT row_to_json(r) FROM {table} AS r WHERE id = %s", (row_id,)
    )
    return row


def _insert(team, role: str, table: str, row: dict) -> None:
    team.sql(
        role,
        f"INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, %s::json)",
        (json.dumps(row),),
    )


def _authors(team, table: str, row_id: int) -> tuple:
    return team.sql(
        team.owner, f"SELECT created_by, changed_by FROM {table} WHERE id = %s", (row_id,)
    )[0]


def _alices_stakeholder(team, alice: str, name: str = "Quokka Watch") -> dict[str, int]:
    """Alice's stakeholder with a position of hers, her shared and private notes on them."""
    with open_store(team.url(alice)) as store, store.writing() as session:
        topic = session.scalars(select(Topic.id)).first()
        made = add_stakeholder(session, StakeholderFields(name, "ngo"), topic).id
        position = set_position(
            session, topic, made, "supports", "Backs the ban", dt.date(2026, 1, 5), "Ban it"
        ).id
        return {
            "stakeholder": made,
            "position": position,
            "topic": topic,
            "shared": add_note(session, ("stakeholder", made), "Quokkashared words").id,
            "private": add_note(
                session, ("stakeholder", made), "Quokkaprivate thoughts", private=True
            ).id,
            "on_position": add_note(
                session, ("position", position), "Quokkaposition aside", private=True
            ).id,
        }


def test_an_undone_delete_brings_back_authors_and_reattaches_other_members_notes(team, members):
    alice, bob = members
    made = _alices_stakeholder(team, alice)
    # Bob changed the stakeholder last: the last changer comes back too.
    team.sql(
        bob,
        "UPDATE stakeholders SET description = 'Watchdog' WHERE id = %s",
        (made["stakeholder"],),
    )
    with open_store(team.url(bob)) as store, store.writing() as session:
        bobs = add_note(session, ("stakeholder", made["stakeholder"]), "Bob's quokkabob").id
    assert _authors(team, "stakeholders", made["stakeholder"]) == (alice, bob)

    delete = Recorded(lambda session: delete_stakeholder(session, made["stakeholder"]))
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.do(session)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 3  # her shared and private notes, the position's
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.undo(session)

    # The records say who wrote them, not who undid the delete.
    assert _authors(team, "stakeholders", made["stakeholder"]) == (alice, bob)
    assert _authors(team, "positions", made["position"]) == (alice, None)
    assert team.sql(team.owner, "SELECT written_by FROM notes WHERE id = %s", (bobs,)) == [(bob,)]

    # Alice's notes are on them again, the private ones still hers alone.
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 0 and detached_notes(session) == []
        notes = {n.id: n for n in list_notes(session)}
        for name, target in (
            ("shared", ("stakeholder", made["stakeholder"])),
            ("private", ("stakeholder", made["stakeholder"])),
            ("on_position", ("position", made["position"])),
        ):
            note = notes[made[name]]
            assert note.target == target and not note.detached and note.detached_from is None
            assert note.added_by == alice and note.private is (name != "shared")
        assert notes[made["private"]].changed_by == bob  # he re-attached it, by his undo
        assert [h.id for h in search(session, "quokkaprivate")] == [made["private"]]
    rows = team.sql(
        alice,
        "SELECT id, stakeholder_id, position_id, detached_from, detached_key, written_by, private "
        "FROM notes WHERE id = ANY(%s) ORDER BY id",
        ([made["shared"], made["private"], made["on_position"]],),
    )
    assert rows == [
        (made["shared"], made["stakeholder"], None, None, None, alice, False),
        (made["private"], made["stakeholder"], None, None, None, alice, True),
        (made["on_position"], None, made["position"], None, None, alice, True),
    ]

    # Bob still sees none of her private notes: by the app, its search, or plain SQL.
    with open_store(team.url(bob)) as store, store.reading() as session:
        seen = {n.id for n in list_notes(session)}
        assert made["shared"] in seen and bobs in seen
        assert made["private"] not in seen and made["on_position"] not in seen
        assert search(session, "quokkaprivate") == [] and detached_count(session) == 0
    private_ids = [made["private"], made["on_position"]]
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE id = ANY(%s)", (private_ids,)) == [(0,)]
    assert team.sql(bob, "SELECT count(*) FROM search_private") == [(0,)]
    # Nothing is kept once restored.
    assert team.sql(team.owner, "SELECT count(*) FROM authorship_kept") == [(0,)]

    # Redo and undo again: detached again for Alice, then back again.
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.do(session)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 3
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.undo(session)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 0
    assert _authors(team, "stakeholders", made["stakeholder"]) == (alice, bob)


def test_a_person_who_speaks_for_an_organisation_comes_back_as_added(team, members):
    """A reference to the row's own table (a person's organisation) goes back in with the row,
    not set afterwards: the row is inserted as it was deleted, so its authors come back too."""
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        organisation = add_stakeholder(session, StakeholderFields("Quokka Org", "company")).id
        person = add_stakeholder(
            session, StakeholderFields("Quinn Quokka", "person", parent_id=organisation)
        ).id
    delete = Recorded(lambda session: delete_stakeholder(session, person))
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.do(session)
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.undo(session)
    assert _authors(team, "stakeholders", person) == (alice, None)
    assert _row(team, "stakeholders", person)["parent_id"] == organisation


def test_an_undone_note_delete_gives_the_note_back_to_its_author(team, members):
    """Bob deletes Alice's shared note and undoes it: hers again. Alice deletes her private note
    and undoes it: hers, still private (the database's policy would refuse it otherwise)."""
    alice, bob = members
    made = _alices_stakeholder(team, alice)
    for role, note in ((bob, made["shared"]), (alice, made["private"])):
        delete = Recorded(lambda session, note=note: delete_note(session, note))
        with open_store(team.url(role)) as store, store.writing() as session:
            delete.do(session)
        with open_store(team.url(role)) as store, store.writing() as session:
            delete.undo(session)
    rows = team.sql(
        alice,
        "SELECT id, written_by, changed_by, private FROM notes WHERE id = ANY(%s) ORDER BY id",
        ([made["shared"], made["private"]],),
    )
    assert rows == [(made["shared"], alice, None, False), (made["private"], alice, None, True)]
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE id = %s", (made["private"],)) == [(0,)]


def test_a_member_cannot_claim_another_members_authorship_by_choosing_an_id(team, members):
    """Bob inserts rows by plain SQL: with a fresh id, or the id of Alice's deleted stakeholder
    but words of his own, the row is his and re-attaches nothing; only Alice's row word for word
    (a restore, whoever makes it) is hers again. The kept authorship is the owner's alone."""
    alice, bob = members
    made = _alices_stakeholder(team, alice)
    stakeholder = made["stakeholder"]
    with open_store(team.url(bob)) as store, store.writing() as session:
        bobs_note = add_note(session, ("stakeholder", stakeholder), "Bob's quokkanote").id
    alices = _row(team, "stakeholders", stakeholder)
    assert alices["created_by"] == alice
    with open_store(team.url(alice)) as store, store.writing() as session:
        delete_stakeholder(session, stakeholder)  # her own notes go; Bob's is detached
    assert team.sql(team.owner, "SELECT count(*) FROM authorship_kept") != [(0,)]

    # A fresh id, authorship written in: his.
    fresh = {
        **alices,
        "id": stakeholder + 1000,
        "uuid": "b0b-fresh",
        "name": "Fresh quokka",
        "name_key": "fresh",
    }
    _insert(team, bob, "stakeholders", {**fresh, "created_by": alice, "changed_by": alice})
    assert _authors(team, "stakeholders", stakeholder + 1000) == (bob, None)

    # Alice's deleted id with his own words: his, and his detached note stays detached.
    forged = {**alices, "name": "Quokka Watch (a fraud)", "name_key": "fraud"}
    _insert(team, bob, "stakeholders", forged)
    assert _authors(team, "stakeholders", stakeholder) == (bob, None)
    ((detached_from, on),) = team.sql(
        bob, "SELECT detached_from, stakeholder_id FROM notes WHERE id = %s", (bobs_note,)
    )
    assert detached_from.startswith("stakeholder \u2018Quokka Watch\u2019") and on is None
    team.sql(bob, "DELETE FROM stakeholders WHERE id = %s", (stakeholder,))

    # Her row word for word is a restore: hers again, and the note on it back on it.
    _insert(team, bob, "stakeholders", {**alices, "created_by": bob})
    assert _authors(team, "stakeholders", stakeholder) == (alice, None)
    assert team.sql(
        bob, "SELECT detached_from, stakeholder_id FROM notes WHERE id = %s", (bobs_note,)
    ) == [(None, stakeholder)]

    # Nor can a member aim a note of theirs at a record's restore: the key is the database's.
    ((own,),) = team.sql(
        bob,
        "INSERT INTO notes (uuid, body, private, detached_from, detached_key, created_at, "
        "updated_at) VALUES ('b0b-note', 'b', false, 'nothing', %s, now(), now()) RETURNING id",
        (f"stakeholders {stakeholder + 1000}",),
    )
    team.sql(bob, "UPDATE notes SET detached_key = 'stakeholders 1' WHERE id = %s", (own,))
    assert team.sql(bob, "SELECT detached_key FROM notes WHERE id = %s", (own,)) == [(None,)]

    # A member can neither read nor write what is kept, nor hang its triggers on a table of theirs.
    for statement in (
        "SELECT * FROM authorship_kept",
        "INSERT INTO authorship_kept (table_name, row_id, fingerprint, author) "
        "VALUES ('stakeholders', 1, '\\x00', 'alice')",
        "DELETE FROM authorship_kept",
    ):
        with pytest.raises(Exception, match="permission denied for table authorship_kept"):
            team.sql(bob, statement)
    with pytest.raises(Exception, match="permission denied for function briefing_authorship"):
        team.sql(
            bob,
            "CREATE TEMP TABLE stakeholders (id int, created_by text, changed_by text); "
            "CREATE TRIGGER mine BEFORE INSERT ON pg_temp.stakeholders "
            "FOR EACH ROW EXECUTE FUNCTION briefing_authorship()",
        )


def test_the_migration_goes_down_and_up_again(team, members):

    from briefing.store import team as team_store

    alice, bob = members
    made = _alices_stakeholder(team, alice)
    delete = Recorded(lambda session: delete_stakeholder(session, made["stakeholder"]))
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete.do(session)

    team.downgrade("0015_team_search_split")
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes'"
    assert ("detached_key",) not in team.sql(team.owner, columns)
    assert team.sql(team.owner, "SELECT to_regclass('authorship_kept')") == [(None,)]
    assert team.sql(
        team.owner,
        "SELECT proname, prosecdef, proconfig FROM pg_proc WHERE proname IN "
        "('briefing_authorship', 'notes_author', 'notes_changer') ORDER BY 1",
    ) == [
        ("briefing_authorship", False, None),
        ("notes_author", False, None),
        ("notes_changer", False, None),
    ]
    # 0011's triggers as they were: the member who inserts is the author.
    team.sql(alice, "INSERT INTO topics (uuid, name, description, created_at, updated_at) "
             "VALUES ('down', 'Downgraded', '', now(), now())")  # fmt: skip
    assert team.sql(team.owner, "SELECT created_by FROM topics WHERE uuid = 'down'") == [(alice,)]

    team_store.setup(team.url())
    assert ("detached_key",) in team.sql(team.owner, columns)
    with pytest.raises(Exception, match="permission denied for table authorship_kept"):
        team.sql(bob, "SELECT * FROM authorship_kept")  # `setup` grants members no right on it
    # Up again: a delete is kept and undone with its authors and notes.
    second = _alices_stakeholder(team, alice, "Quokka Two")
    again = Recorded(lambda session: delete_stakeholder(session, second["stakeholder"]))
    with open_store(team.url(bob)) as store, store.writing() as session:
        again.do(session)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 6  # the first delete's three stay detached
    with open_store(team.url(bob)) as store, store.writing() as session:
        again.undo(session)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert detached_count(session) == 3
        assert {n.id for n in detached_notes(session)} == {
            made["shared"],
            made["private"],
            made["on_position"],
        }
    assert _authors(team, "stakeholders", second["stakeholder"]) == (alice, None)


def test_alices_open_notes_panel_shows_her_notes_detached_then_back(
    team, members, qtbot, tmp_path, open_window
):
    """Alice's window is open while Bob deletes her stakeholder and undoes it: her Notes panel
    gains a "Detached notes (3)" entry, then loses it, with no action of hers."""
    alice, bob = members
    made = _alices_stakeholder(team, alice)
    store = open_store(team.url(alice))
    window = open_window(store, size=(1400, 900))
    panel = window.notes_panel

    def entries() -> list[str]:
        return [panel.scope.itemText(row) for row in range(panel.scope.count())]

    try:
        window.side_tabs.setCurrentWidget(panel)
        panel.refresh()
        assert not any(entry.startswith("Detached notes") for entry in entries())
        delete = Recorded(lambda session: delete_stakeholder(session, made["stakeholder"]))
        with open_store(team.url(bob)) as other, other.writing() as session:
            delete.do(session)
        qtbot.waitUntil(lambda: "Detached notes (3)" in entries(), timeout=10_000)
        window.grab().save(str(tmp_path / "detached.png"))
        with open_store(team.url(bob)) as other, other.writing() as session:
            delete.undo(session)
        qtbot.waitUntil(
            lambda: not any(entry.startswith("Detached notes") for entry in entries()),
            timeout=10_000,
        )
        window.grab().save(str(tmp_path / "reattached.png"))
    finally:
        window.close()
        store.close()
