"""`check`, `backup --to FILE` and `restore FILE` on a team store: pg_dump and pg_restore run by
the owner; every bad input said in words, with a non-zero exit and the store unchanged."""

from __future__ import annotations

import sys

from briefing.cli import main
from briefing.core.notes import add_note, delete_note, list_notes
from briefing.store import open_store, team_care


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err




def _forced(team) -> list[tuple[str, bool]]:
    return team.sql(
        team.owner,
        "SELECT relname, relforcerowsecurity FROM pg_class WHERE relname IN "
        "('notes', 'search_private') AND relnamespace = current_schema()::regnamespace "
        "ORDER BY relname",
    )


FORCED = [("notes", True), ("search_private", True)]


def _picture(team) -> list:
    """Everything a restore would change, as the owner sees it, plus the forcing."""
    return [
        team.sql(team.owner, "SELECT id, body FROM notes ORDER BY id"),
        team.sql(team.owner, "SELECT id, name FROM stakeholders ORDER BY id"),
        _forced(team),
    ]


def test_the_owner_backs_up_everything_and_restores_it(team, members, capsys, tmp_path):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        private = add_note(session, ("stakeholder", 1), "Alice's otterglass plan", private=True).id
    dump = tmp_path / "team.pgdump"
    status, out, err = _run(capsys, "--db", team.url(), "backup", "--to", str(dump))
    assert status == 0, err
    assert out.strip() == str(dump) and dump.stat().st_size > 0
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert _forced(team) == FORCED  # lifted for the dump only
    assert not list(tmp_path.glob(".*partial"))

    # Work after the backup: Alice deletes her private note, Bob renames a stakeholder.
    with open_store(team.url(alice)) as store, store.writing() as session:
        delete_note(session, private)
    team.sql(bob, "UPDATE stakeholders SET name = 'Renamed by Bob' WHERE id = 1")

    status, out, err = _run(capsys, "--db", team.url(), "restore", str(dump), "--yes")
    assert status == 0, err
    assert "restored" in out
    assert _forced(team) == FORCED
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert private in {note.id for note in list_notes(session)}  # her private note is back
    with open_store(team.url(bob)) as store, store.reading() as session:
        assert private not in {note.id for note in list_notes(session)}  # and still hers
    assert team.sql(bob, "SELECT name FROM stakeholders WHERE id = 1") != [("Renamed by Bob",)]
    status, out, err = _run(capsys, "--db", team.url(alice), "check")
    assert status == 0, out + err


def test_a_member_can_neither_back_up_nor_restore(team, members, capsys, tmp_path):
    alice, _bob = members
    dump = tmp_path / "team.pgdump"
    status, out, err = _run(capsys, "--db", team.url(alice), "backup", "--to", str(dump))
    assert status == 3 and out == ""
    assert f"by its owner ({team.owner}), not {alice}" in err and "private notes" in err
    assert not dump.exists()

    assert main(["--db", team.url(), "backup", "--to", str(dump)]) == 0
    capsys.readouterr()
    before = _picture(team)
    status, out, err = _run(capsys, "--db", team.url(alice), "restore", str(dump), "--yes")
    assert status == 3 and "restored by its owner" in err
    assert _picture(team) == before


def test_bad_backup_targets_are_refused(team, members, capsys, tmp_path):
    before = _picture(team)
    status, _out, err = _run(capsys, "--db", team.url(), "backup")
    assert status == 2 and "--to FILE" in err
    status, _out, err = _run(
        capsys, "--db", team.url(), "backup", "--to", str(tmp_path / "nowhere" / "x.pgdump")
    )
    assert status == 2 and "there is no folder" in err
    status, _out, err = _run(capsys, "--db", team.url(), "backup", "--to", str(tmp_path))
    assert status == 2 and "is a folder" in err
    assert _picture(team) == before


def test_a_missing_or_too_old_pg_dump_is_said_and_nothing_is_written(
    team, members, capsys, tmp_path, monkeypatch
):
    before = _picture(team)
    dump = tmp_path / "team.pgdump"
    empty = tmp_path / "no-postgresql"
    empty.mkdir()
    monkeypatch.setattr(team_care, "_searched", lambda: [empty])
    status, _out, err = _run(capsys, "--db", team.url(), "backup", "--to", str(dump))
    assert status == 3 and "pg_dump is not installed" in err and "postgresql-client" in err
    assert not dump.exists()

    old = tmp_path / "old-postgresql"
    old.mkdir()
    _fake_program(old / "pg_dump", "pg_dump (PostgreSQL) 9.6.24", status=0)
    monkeypatch.setattr(team_care, "_searched", lambda: [old])
    status, _out, err = _run(capsys, "--db", team.url(), "backup", "--to", str(dump))
    assert status == 3 and "PostgreSQL 9's, older than the server's (15)" in err
    assert not dump.exists()
    assert _picture(team) == before


def test_a_pg_dump_that_fails_leaves_no_file_and_the_forcing_in_place(
    team, members, capsys, tmp_path, monkeypatch
):
    failing = tmp_path / "failing-postgresql"
    failing.mkdir()
    _fake_program(failing / "pg_dump", "pg_dump (PostgreSQL) 99.0", status=1)
    monkeypatch.setattr(team_care, "_searched", lambda: [failing])
    dump = tmp_path / "team.pgdump"
    status, _out, err = _run(capsys, "--db", team.url(), "backup", "--to", str(dump))
    assert status == 3 and "pg_dump failed" in err
    assert not dump.exists() and not list(tmp_path.glob(".*partial"))
    assert _forced(team) == FORCED


def _fake_program(path, version: str, status: int) -> None:
    path.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "{version}"; exit 0; fi\n'
        f"echo 'pg_dump: error: this one always fails' >&2; exit {status}\n"
    )
    path.chmod(0o755)


def test_bad_backups_are_refused_and_the_store_is_unchanged(
    team, members, capsys, tmp_path, monkeypatch
):
    before = _picture(team)
    status, _out, err = _run(
        capsys, "--db", team.url(), "restore", str(tmp_path / "none.pgdump"), "--yes"
    )
    assert status == 2 and "there is no backup at" in err

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a dump at all\n")
    status, _out, err = _run(capsys, "--db", team.url(), "restore", str(text_file), "--yes")
    assert status == 2 and "not a team store's backup" in err

    store_file = tmp_path / "local.db"
    assert main(["--db", str(store_file), "--no-demo", "info"]) == 0
    capsys.readouterr()
    status, _out, err = _run(capsys, "--db", team.url(), "restore", str(store_file), "--yes")
    assert status == 2 and "not a team store's backup" in err

    # A PostgreSQL dump, but of some other database.
    other = tmp_path / "other.pgdump"
    team.sql(team.owner, "CREATE TABLE IF NOT EXISTS scratch_other (id int)")
    import subprocess

    pg_dump = team_care.program("pg_dump", 15)
    subprocess.run(
        [str(pg_dump), "--format=custom", f"--file={other}", "--table=scratch_other",
         f"--dbname={team.url()}"],
        check=True,
    )  # fmt: skip
    team.sql(team.owner, "DROP TABLE scratch_other")
    status, _out, err = _run(capsys, "--db", team.url(), "restore", str(other), "--yes")
    assert status == 2 and "not of a Briefing team store" in err
    assert _picture(team) == before

    # A good backup, but no --yes and no terminal; then a terminal whose answer is not yes.
    dump = tmp_path / "team.pgdump"
    assert main(["--db", team.url(), "backup", "--to", str(dump)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    status, _out, err = _run(capsys, "--db", team.url(), "restore", str(dump))
    assert status == 2 and "--yes" in err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")
    status, out, _err = _run(capsys, "--db", team.url(), "restore", str(dump))
    assert status == 1 and "nothing was changed" in out
    assert _picture(team) == before


def test_check_on_a_team_store_finds_altered_quotes_and_a_broken_index(team, members, capsys):
    alice, _bob = members
    status, out, err = _run(capsys, "--db", team.url(alice), "check", "--json")
    assert status == 0, err
    assert '"ok": true' in out and "search index" in out

    team.sql(team.owner, "UPDATE quotes SET text = 'Words nobody said at all' WHERE id = 1")
    team.sql(
        team.owner,
        "SELECT set_config('briefing.maintenance', 'on', false); "
        "DELETE FROM search_index WHERE rowid = 2 * 8 + 1",
    )
    status, out, err = _run(capsys, "--db", team.url(alice), "check")
    assert status == 1
    assert "quote 1: not the source's words at its offsets" in out
    assert "stakeholder 2: not in the search index" in out
    assert "nothing was changed" in out


def test_team_setup_forces_row_level_security_again(team, members, capsys):
    team.sql(team.owner, "ALTER TABLE notes NO FORCE ROW LEVEL SECURITY")
    assert main(["--db", team.url(), "team", "setup"]) == 0
    assert _forced(team) == FORCED
