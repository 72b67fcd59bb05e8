"""A team store on PostgreSQL, as its owner and two members use it: setup, membership, who wrote
what, private notes by row-level security (in the app, search, exports and plain SQL), two
writers on one note, and a server that goes away."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest
from sqlalchemy import select

from briefing.cli import main
from briefing.core.cards import stakeholder_detail
from briefing.core.corrections import edit_quote
from briefing.core.editing import (
    StakeholderFields,
    add_stakeholder,
    create_topic,
    edit_stakeholder,
)
from briefing.core.notes import add_note, list_notes, update_note
from briefing.core.search import search
from briefing.errors import NoteChangedElsewhere, StaleRecord, StoreError
from briefing.render.detail import stakeholder_html
from briefing.store import migrations, open_store
from briefing.store.models import Note, Quote, Stakeholder


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err




def test_setup_makes_the_schema_with_the_demo_and_is_idempotent(team, capsys):
    status, out, err = _run(capsys, "--db", team.url(), "team", "setup", "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["created"] and report["schema"] == migrations.head_revision()

    status, out, _ = _run(capsys, "--db", team.url(), "info", "--json")
    assert status == 0
    info = json.loads(out)
    assert info["schema_version"] == migrations.head_revision()
    assert info["counts"]["stakeholders"] >= 8 and info["counts"]["quotes"] >= 12

    status, out, _ = _run(capsys, "--db", team.url(), "team", "setup")
    assert status == 0 and "up to date" in out


def test_setup_without_the_demo_and_the_environment_variable(team, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFING_DB", team.url())
    assert _run(capsys, "team", "setup", "--no-demo")[0] == 0
    status, out, _ = _run(capsys, "info", "--json")
    assert status == 0 and json.loads(out)["counts"]["stakeholders"] == 0


def test_a_store_not_set_up_is_explained(team, capsys):
    status, _out, err = _run(capsys, "--db", team.url(), "info")
    assert status == 3
    assert "team setup" in err and "Traceback" not in err


def test_a_store_set_up_by_a_newer_app_is_refused_untouched(team, members, capsys):
    alice, _bob = members
    team.sql(team.owner, "UPDATE alembic_version SET version_num = 'zzzz_from_the_future'")
    before = team.sql(alice, "SELECT id, name, updated_at FROM stakeholders ORDER BY id")
    for role in (alice, team.owner):
        status, _out, err = _run(capsys, "--db", team.url(role), "info")
        assert status == 3 and "newer version of Briefing" in err and "Traceback" not in err
    status, _out, err = _run(capsys, "--db", team.url(), "team", "setup")
    assert status != 0 and "newer version of Briefing" in err
    assert team.sql(alice, "SELECT id, name, updated_at FROM stakeholders ORDER BY id") == before
    assert team.sql(alice, "SELECT version_num FROM alembic_version") == [
        ("zzzz_from_the_future",)
    ]


def test_members_are_added_and_removed_by_the_owner_only(team, members, capsys):
    alice, bob = members
    status, out, _ = _run(capsys, "--db", team.url(), "team", "members", "--json")
    assert status == 0 and json.loads(out) == sorted([alice, bob])

    # A member cannot set up, add or remove.
    carol = team.role("carol")
    for args in (("team", "setup"), ("team", "add-member", carol), ("team", "remove-member", bob)):
        status, _out, err = _run(capsys, "--db", team.url(alice), *args)
        assert status == 3, args
        assert "owner" in err
    # Not a role on the server; the owner itself.
    status, _out, err = _run(capsys, "--db", team.url(), "team", "add-member", "nobody_here")
    assert status == 3 and "createuser" in err
    status, _out, err = _run(capsys, "--db", team.url(), "team", "remove-member", team.owner)
    assert status == 3 and "owns" in err

    # A role that is not a member cannot read the store at all.
    status, _out, err = _run(capsys, "--db", team.url(carol), "topics")
    assert status == 3 and "member" in err and "Traceback" not in err

    assert _run(capsys, "--db", team.url(), "team", "remove-member", bob)[0] == 0
    status, _out, err = _run(capsys, "--db", team.url(bob), "topics")
    assert status == 3 and "member" in err
    status, out, _ = _run(capsys, "--db", team.url(), "team", "members", "--json")
    assert json.loads(out) == [alice]


def test_bad_addresses_and_file_commands_are_refused(team, members, capsys, tmp_path):
    with_password = team.url().replace(f"{team.owner}@", f"{team.owner}:secret@")
    status, _out, err = _run(capsys, "--db", with_password, "info")
    assert status == 3 and ".pgpass" in err and "secret" not in err
    for args in (("backups",), ("encrypt",)):
        status, _out, err = _run(capsys, "--db", team.url(), *args)
        assert status == 2, args
        assert "store file" in err and "backup --to FILE" in err
    status, _out, err = _run(capsys, "--db", team.url(), "backup")  # where to? (test_team_care)
    assert status == 2 and "--to FILE" in err
    status, _out, err = _run(capsys, "--db", str(tmp_path / "x.sqlite3"), "team", "setup")
    assert status == 2 and "postgresql://" in err
    assert not (tmp_path / "x.sqlite3").exists()


def test_notes_remember_their_author(team, members):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        added = add_note(session, ("stakeholder", 1), "Alice's note")
    # Bob edits it: the author stays Alice; nobody can write another name in.
    with open_store(team.url(bob)) as store, store.writing() as session:
        update_note(session, added.id, body="Edited by Bob")
        session.get(Note, added.id).written_by = bob
    assert team.sql(
        team.owner, "SELECT written_by, body FROM notes WHERE id = %s", (added.id,)
    ) == [(alice, "Edited by Bob")]


def test_records_remember_who_added_and_who_changed_them(team, members):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        added = add_stakeholder(
            session, StakeholderFields(name="Alpha Coalition", kind="ngo"), topic_id=1
        )
        note = add_note(session, ("stakeholder", added.id), "Alice's note on Alpha")
        quote_id = session.scalars(select(Quote.id).order_by(Quote.id)).first()
        speaker_id = session.get(Quote, quote_id).speaker_id
        edit_quote(session, quote_id, tags=["checked-by-alice"])
    with open_store(team.url(bob)) as store, store.writing() as session:
        edit_stakeholder(
            session, added.id, StakeholderFields(name="Alpha Coalition", description="Bob's")
        )
        update_note(session, note.id, body="Bob's edit of Alice's note")
        # The client cannot write authorship: the database's trigger keeps and sets it.
        stakeholder = session.get(Stakeholder, added.id)
        stakeholder.created_by = bob
        stakeholder.changed_by = alice
        session.get(Note, note.id).changed_by = alice
    rows = team.sql(
        team.owner, "SELECT created_by, changed_by FROM stakeholders WHERE id = %s", (added.id,)
    )
    assert rows == [(alice, bob)]
    assert team.sql(
        team.owner, "SELECT written_by, changed_by FROM notes WHERE id = %s", (note.id,)
    ) == [(alice, bob)]
    # The demo's quote was added by no one (`team setup` loads the demo unsigned), then
    # changed by alice.
    assert team.sql(
        team.owner, "SELECT created_by, changed_by FROM quotes WHERE id = %s", (quote_id,)
    ) == [(None, alice)]

    with open_store(team.url(bob)) as store, store.reading() as session:
        detail = stakeholder_detail(session, 1, added.id)
        spoken = stakeholder_detail(session, 1, speaker_id)
        listed = list_notes(session)
    assert (detail.added_by, detail.changed_by) == (alice, bob)
    assert [(n.added_by, n.changed_by) for n in detail.notes] == [(alice, bob)]
    html = stakeholder_html(detail)
    assert f"added by {alice}" in html and f"changed by {bob}" in html
    quote = next(q for q in spoken.quotes if q.line.id == quote_id)
    assert (quote.added_by, quote.changed_by) == (None, alice)
    assert f"changed by {alice}" in stakeholder_html(spoken)
    assert [(n.added_by, n.changed_by) for n in listed if n.id == note.id] == [(alice, bob)]


def test_a_store_file_records_no_author_and_its_packs_carry_none(tmp_path, capsys, monkeypatch):
    import getpass
    import zipfile

    # A user name no pack would carry by chance, so that finding it means it leaked.
    monkeypatch.setattr(getpass, "getuser", lambda: "localuserzq")
    monkeypatch.setenv("USER", "localuserzq")
    monkeypatch.setenv("LOGNAME", "localuserzq")
    path = tmp_path / "mine.sqlite3"
    with open_store(path) as store, store.writing() as session:
        create_topic(session, "Surveillance")
        added = add_stakeholder(session, StakeholderFields(name="Alpha Coalition"), topic_id=1)
        note = add_note(session, ("stakeholder", added.id), "mine")
        edit_stakeholder(session, added.id, StakeholderFields(name="Alpha", description="x"))
        update_note(session, note.id, body="mine, edited")
    with open_store(path) as store, store.reading() as session:
        stored = session.get(Note, note.id)
        assert (stored.written_by, stored.changed_by) == (None, None)
        stakeholder = session.get(Stakeholder, added.id)
        assert (stakeholder.created_by, stakeholder.changed_by) == (None, None)
        detail = stakeholder_detail(session, 1, added.id)
    assert "added by" not in stakeholder_html(detail)
    assert "changed by" not in stakeholder_html(detail)
    pack = tmp_path / "topic.briefingpack"
    status, _out, err = _run(
        capsys, "--db", str(path), "pack", "export", str(pack), "--topic", "1",
        "--include-private",
    )  # fmt: skip
    assert status == 0, err
    with zipfile.ZipFile(pack) as opened:
        contents = b"".join(opened.read(name) for name in opened.namelist())
    assert b"mine, edited" in contents  # the note is in it, its author is not
    assert b"localuserzq" not in contents
    for key in (b"written_by", b"created_by", b"changed_by"):
        assert key not in contents
    markdown = tmp_path / "topic.md"
    status, _out, err = _run(
        capsys, "--db", str(path), "export", str(markdown), "--topic", "1", "--format", "md",
        "--with-notes", "--include-private",
    )  # fmt: skip
    assert status == 0, err
    assert "mine, edited" in markdown.read_text() and "localuserzq" not in markdown.read_text()


def _downgrade(path, revision: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.downgrade(migrations._config(connection), revision)
    engine.dispose()


def test_the_user_names_0010_wrote_into_a_store_file_are_removed(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with open_store(path) as store, store.writing() as session:
        create_topic(session, "Surveillance")
        add_note(session, ("topic", 1), "written under 0010")
    _downgrade(path, "0012_import_state")  # 0013's check is rebuilt; the rest by hand:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE notes SET written_by = 'localuserzq'")
        connection.execute("UPDATE alembic_version SET version_num = '0010_team_store'")
        for table in ("topics", "stakeholders", "positions", "sources", "quotes", "questions",
                      "answers", "events", "briefings"):  # fmt: skip
            connection.execute(f"ALTER TABLE {table} DROP COLUMN created_by")
            connection.execute(f"ALTER TABLE {table} DROP COLUMN changed_by")
        connection.execute("ALTER TABLE notes DROP COLUMN changed_by")
        connection.execute("DROP TABLE source_imports")  # 0012, after 0011
    connection.close()
    with open_store(path) as store, store.reading() as session:
        assert [n.written_by for n in session.scalars(select(Note))] == [None]


def test_a_private_note_is_invisible_to_the_other_member_everywhere(
    team, members, tmp_path, capsys
):
    alice, bob = members
    secret = "Zanzibarquokka strategy for the committee"
    with open_store(team.url(alice)) as store, store.writing() as session:
        private = add_note(session, ("stakeholder", 1), secret, private=True).id
        shared = add_note(session, ("stakeholder", 1), "Shared quokka plan").id

    # Alice sees hers, through the app and search.
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert {n.id for n in list_notes(session)} >= {private, shared}
        assert [h.id for h in search(session, "zanzibarquokka")] == [private]

    # Bob: not in lists, not in search (not even ranked), not in the CLI, not in exports.
    with open_store(team.url(bob)) as store, store.reading() as session:
        ids = {n.id for n in list_notes(session)}
        assert shared in ids and private not in ids
        assert search(session, "zanzibarquokka") == []
        assert [h.id for h in search(session, "quokka")] == [shared]
        assert session.get(Note, private) is None
    status, out, _ = _run(capsys, "--db", team.url(bob), "notes", "--json")
    assert status == 0 and secret not in out
    status, out, _ = _run(capsys, "--db", team.url(bob), "search", "zanzibarquokka", "--json")
    assert status == 0 and json.loads(out) == []
    exported = tmp_path / "topic.md"
    status, _out, err = _run(
        capsys, "--db", team.url(bob), "export", str(exported), "--format", "md",
        "--include-private", "--with-notes",
    )  # fmt: skip
    assert status == 0, err
    assert "Zanzibarquokka" not in exported.read_text(encoding="utf-8")

    # Plain SQL as Bob: the note's row and its index row are not there.
    assert team.sql(bob, "SELECT id FROM notes WHERE id = %s", (private,)) == []
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE body LIKE '%%Zanzibar%%'") == [(0,)]
    for index in ("search_index", "search_private"):
        assert team.sql(bob, f"SELECT count(*) FROM {index} WHERE body LIKE '%%Zanzibar%%'") == [
            (0,)
        ]
    # Bob cannot write the index or make Alice's shared note private to himself.
    for index in ("search_index", "search_private"):
        with pytest.raises(Exception, match="permission denied"):
            team.sql(bob, f"DELETE FROM {index}")
    with (
        pytest.raises(StoreError, match="belongs to the member who wrote it"),
        open_store(team.url(bob)) as store,
        store.writing() as session,
    ):
        update_note(session, shared, private=True)
    # Alice still finds both; as plain SQL too.
    assert team.sql(alice, "SELECT count(*) FROM notes WHERE body LIKE '%%Zanzibar%%'") == [(1,)]


def test_two_members_editing_one_note_never_overwrite_silently(team, members):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        note_id = add_note(session, ("stakeholder", 1), "First words").id
    with open_store(team.url(alice)) as store, store.reading() as session:
        loaded = session.get(Note, note_id).updated_at

    # Both editors loaded the same version. Alice's write holds the row; Bob's waits for it,
    # then finds the version moved on and is refused.
    alice_store, bob_store = open_store(team.url(alice)), open_store(team.url(bob))
    bob_result: list[BaseException | None] = []
    alice_locked = threading.Event()

    def bob_saves() -> None:
        alice_locked.wait()
        try:
            with bob_store.writing() as session:
                update_note(session, note_id, body="Bob's words", expected_version=loaded)
            bob_result.append(None)
        except BaseException as error:  # noqa: BLE001 (handed to the test)
            bob_result.append(error)

    thread = threading.Thread(target=bob_saves)
    thread.start()
    try:
        with alice_store.writing() as session:
            update_note(session, note_id, body="Alice's words", expected_version=loaded)
            session.flush()
            alice_locked.set()
            thread.join(timeout=1.0)
            assert thread.is_alive()  # Bob waits for Alice's transaction
        thread.join(timeout=30)
    finally:
        alice_locked.set()
        thread.join(timeout=30)
        alice_store.close()
        bob_store.close()
    assert isinstance(bob_result[0], NoteChangedElsewhere)
    assert team.sql(team.owner, "SELECT body FROM notes WHERE id = %s", (note_id,)) == [
        ("Alice's words",)
    ]


def test_the_version_check_of_other_records_locks_too(team, members):
    from briefing.core.editing import StakeholderFields, edit_stakeholder
    from briefing.core.versions import current_version

    alice, bob = members
    with open_store(team.url(alice)) as store, store.reading() as session:
        seen = current_version(session, "stakeholder", 1)
        ibm = session.get(Stakeholder, 1)
        fields = StakeholderFields(ibm.name, ibm.kind, "", ibm.parent_id, ibm.influence)
    with open_store(team.url(bob)) as store, store.writing() as session:
        edit_stakeholder(
            session,
            1,
            dataclasses.replace(fields, description="Bob's words"),
            expected_version=seen,
        )
    with open_store(team.url(alice)) as store:
        with pytest.raises(StaleRecord) as refused, store.writing() as session:
            edit_stakeholder(
                session,
                1,
                dataclasses.replace(fields, description="Alice's words"),
                expected_version=seen,
            )
        assert refused.value.current["description"] == "Bob's words"
        with store.reading() as session:
            assert session.scalar(select(Stakeholder.description).where(Stakeholder.id == 1)) == (
                "Bob's words"
            )


def test_a_topic_taken_away_as_a_local_store_merges_back(team, members, capsys, tmp_path):
    alice, _bob = members
    away, back = tmp_path / "away.briefingpack", tmp_path / "back.briefingpack"
    local = str(tmp_path / "local.sqlite3")
    assert (
        _run(capsys, "--db", team.url(alice), "pack", "export", str(away), "--topic", "1")[0] == 0
    )
    assert _run(capsys, "--db", local, "--no-demo", "pack", "import", str(away))[0] == 0
    status, _out, err = _run(
        capsys, "--db", local, "note", "add", "--on", "stakeholder:IBM", "Written on the train"
    )
    assert status == 0, err
    assert _run(capsys, "--db", local, "pack", "export", str(back), "--topic", "1")[0] == 0
    status, out, err = _run(capsys, "--db", team.url(alice), "pack", "import", str(back))
    assert status == 0, err
    assert "backup" not in out  # the server's to keep; the import is one transaction
    assert team.sql(alice, "SELECT written_by FROM notes WHERE body = 'Written on the train'") == [
        (alice,)
    ]


def test_every_search_statement_uses_the_gin_index_for_members_and_owner(team, members):
    """PostgreSQL cannot use a GIN index for `@@` on a table under row-level security (the
    match is not leakproof), so with private notes in the shared index (0010-0014) every search
    read the whole index, even with sequential scans switched off. Since 0015 the shared rows
    have no row-level security: each statement the app runs to search must match through the
    GIN index, filtered or not, as a member and as the owner, with private notes present."""
    from sqlalchemy import event

    from briefing.core.search import SearchFilters

    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        add_note(session, ("stakeholder", 1), "Quillfeather dialogue", private=True)
    for role in (bob, alice, team.owner):
        with open_store(team.url(role)) as store:
            ran: list[tuple[str, object]] = []

            def keep(_connection, _cursor, statement, parameters, _context, _many, ran=ran):
                if "@@" in statement:
                    ran.append((statement, parameters))

            event.listen(store.engine, "before_cursor_execute", keep)
            with store.reading() as session:
                hits = search(session, "dialogue")
                search(session, "dialogue", SearchFilters(kinds=frozenset({"quote", "note"})))
                search(session, "police NOT ibm", SearchFilters(stakeholder_id=1))
            event.remove(store.engine, "before_cursor_execute", keep)
            assert ("Quillfeather" in " ".join(h.snippet for h in hits)) is (role == alice)
            assert len(ran) >= 3, role
            with store.reading() as session:
                connection = session.connection()
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
                for statement, parameters in ran:
                    plan = "\n".join(
                        row[0]
                        for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
                    )
                    assert "ix_search_index_document" in plan, (role, statement, plan)
                    assert "Seq Scan on search_index" not in plan, (role, plan)


def test_search_split_moves_private_rows_both_ways_and_keeps_them_private(team, members):
    """0015 moves private notes' rows out of the shared index into `search_private`, and its
    downgrade moves them back under 0014's policies: no private row is lost or shown either way,
    and `team setup` brings a store at 0014 to the split again."""

    from briefing.store import team as team_store

    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        private = add_note(session, ("stakeholder", 1), "Quillfeather plans", private=True).id
        shared = add_note(session, ("stakeholder", 1), "Marmaladefox plans").id

    def rows(role):
        return team.sql(
            role,
            "SELECT 'shared', rowid FROM search_index WHERE rowid %% 8 = 5 AND body LIKE "
            "'%%plans' UNION ALL SELECT 'private', rowid FROM search_private WHERE body LIKE "
            "'%%plans' ORDER BY 1, 2",
        )

    assert rows(alice) == [("private", private * 8 + 5), ("shared", shared * 8 + 5)]
    assert rows(bob) == [("shared", shared * 8 + 5)]

    team.downgrade("0014_team_roles")
    back = "SELECT rowid FROM search_index WHERE rowid %% 8 = 5 AND body LIKE '%%plans' ORDER BY 1"
    assert team.sql(alice, back) == [(private * 8 + 5,), (shared * 8 + 5,)]
    assert team.sql(bob, back) == [(shared * 8 + 5,)]

    team_store.setup(team.url())
    assert rows(alice) == [("private", private * 8 + 5), ("shared", shared * 8 + 5)]
    assert rows(bob) == [("shared", shared * 8 + 5)]
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert [hit.id for hit in search(session, "quillfeather")] == [private]
    with open_store(team.url(bob)) as store, store.reading() as session:
        assert search(session, "quillfeather") == []
        assert [hit.id for hit in search(session, "marmaladefox")] == [shared]
