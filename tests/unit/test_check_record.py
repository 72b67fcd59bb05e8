"""quick_check is skipped only for a file provably unchanged since it last passed; damage is
still caught, whatever way it came in (see "The check record" in `briefing.store.health`)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3

import pytest

from briefing.cli import main
from briefing.errors import StoreDamaged
from briefing.store import health, open_store


def damage(path, table: str = "notes", offset: int = 8) -> None:
    """Overwrite 16 bytes inside a table's root page (its cell pointers), outside SQLite."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size + offset)
        file.write(b"\xa5" * 16)


@pytest.fixture
def checks(monkeypatch):
    """How many times quick_check really ran."""
    ran = []
    real = health.quick_check

    def counted(connection):
        ran.append(1)
        return real(connection)

    monkeypatch.setattr(health, "quick_check", counted)
    return ran


def test_an_unchanged_store_is_not_read_in_full_again(demo_path, checks):
    open_store(demo_path).close()
    assert len(checks) == 1 and health.checked_already(demo_path)
    for _ in range(3):
        open_store(demo_path).close()
    assert len(checks) == 1


def test_damage_written_after_the_check_is_caught(demo_path, checks):
    open_store(demo_path).close()
    damage(demo_path)
    with pytest.raises(StoreDamaged):
        open_store(demo_path)
    assert len(checks) == 2
    assert not health.checked_already(demo_path)


def test_damage_with_the_times_put_back_is_caught(demo_path, checks):
    """`touch -r` can put the modification time back, never the status-change time."""
    open_store(demo_path).close()
    before = demo_path.stat()
    damage(demo_path)
    os.utime(demo_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert demo_path.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(StoreDamaged):
        open_store(demo_path)


def test_a_damaged_copy_put_in_place_is_caught(demo_path, tmp_path, checks):
    open_store(demo_path).close()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy2(demo_path, copy)  # same size and times, another inode
    damage(copy)
    os.replace(copy, demo_path)
    with pytest.raises(StoreDamaged):
        open_store(demo_path)


def test_a_wal_that_appeared_since_makes_it_check_again(demo_path, checks):
    open_store(demo_path).close()
    connection = sqlite3.connect(demo_path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("UPDATE topics SET description = description || ' '")
    connection.commit()
    assert not health.checked_already(demo_path)  # the -wal is there, written since
    connection.close()


def test_the_record_expires_after_a_day(demo_path, checks):
    open_store(demo_path).close()
    later = dt.datetime.now(dt.UTC) + health.CHECK_RECORD_LIFETIME + dt.timedelta(minutes=1)
    assert not health.checked_already(demo_path, now=later)
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # a clock set back
    assert not health.checked_already(demo_path, now=earlier)


def test_a_broken_record_means_the_check_runs(demo_path, checks):
    open_store(demo_path).close()
    health._record_path(demo_path).write_text("{not json", encoding="utf-8")
    open_store(demo_path).close()
    assert len(checks) == 2


def test_commands_after_a_writing_command_skip_the_check(demo_path, checks, capsys):
    assert main(["--db", str(demo_path), "info"]) == 0
    assert len(checks) == 1
    assert main(["--db", str(demo_path), "note", "add", "--on", "stakeholder:IBM", "Hello"]) == 0
    assert main(["--db", str(demo_path), "notes", "--json"]) == 0
    assert main(["--db", str(demo_path), "info"]) == 0
    assert len(checks) == 1  # the command's own write left the file recorded as sound
    capsys.readouterr()
    damage(demo_path)
    assert main(["--db", str(demo_path), "info"]) != 0
    err = capsys.readouterr().err
    assert "is damaged" in err and "Traceback" not in err
    assert len(checks) == 2


def test_a_window_does_not_vouch_for_the_file_when_it_closes(demo_path, checks):
    """A window stays open for hours: only a short command records the file on closing."""
    store = open_store(demo_path)
    with store.writing() as session:
        session.connection().exec_driver_sql("UPDATE topics SET description = 'x'")
    store.close()
    assert not health.checked_already(demo_path)


def test_a_command_whose_store_was_replaced_meanwhile_records_nothing(demo_path, tmp_path):
    store = open_store(demo_path)
    store.remember_on_close = True
    health.forget_checked(demo_path)
    copy = tmp_path / "other.sqlite3"
    shutil.copy2(demo_path, copy)
    os.replace(copy, demo_path)  # replaced at the path while the command ran
    store.close()
    assert not health.checked_already(demo_path)


def test_an_unwritable_record_is_no_obstacle(demo_path, checks, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(health.os, "replace", refuse)
    open_store(demo_path).close()
    open_store(demo_path).close()
    assert len(checks) == 2  # no record, so the check runs each time
    assert not list(demo_path.parent.glob(".*tmp-*"))


def test_without_posix_change_times_every_open_checks(tmp_path, monkeypatch):
    """On Windows a file's change time is its creation time: the record proves nothing there."""
    from briefing.store import health

    store = tmp_path / "store.sqlite3"
    store.write_bytes(b"x" * 4096)
    health.remember_checked(store)
    assert health.checked_already(store)
    monkeypatch.setattr(health.os, "name", "nt")
    assert not health.checked_already(store)


def _window_store(path):
    store = open_store(path)
    store.vouch_on_close = True  # as the window's opening sets it (`ui.app`)
    return store


def _write(store, words="x"):
    with store.writing() as session:
        session.connection().exec_driver_sql(f"UPDATE topics SET description = '{words}'")


def test_a_window_that_was_the_only_writer_records_the_file(demo_path, checks):
    """The window opened after a session of writing skips quick_check (an encrypted store
    decrypts every page for it); the record keeps the time of the real check."""
    open_store(demo_path).close()
    checked_at = health.check_record_time(demo_path)
    store = _window_store(demo_path)
    _write(store, "one")
    _write(store, "two")
    store.close()
    assert health.checked_already(demo_path)
    assert health.check_record_time(demo_path) == checked_at  # not moved to the close
    open_store(demo_path).close()
    assert len(checks) == 1


def test_a_window_does_not_vouch_for_a_write_by_another_program(demo_path, checks):
    store = _window_store(demo_path)
    _write(store)
    other = sqlite3.connect(demo_path)  # another program, while the window is open
    other.execute("UPDATE topics SET description = 'theirs'")
    other.commit()
    other.close()
    store.close()
    assert not health.checked_already(demo_path)
    open_store(demo_path).close()
    assert len(checks) == 2


def test_a_window_does_not_extend_the_day(demo_path, checks):
    open_store(demo_path).close()
    hours_ago = dt.datetime.now(dt.UTC) - health.CHECK_RECORD_LIFETIME + dt.timedelta(minutes=5)
    health.remember_checked(demo_path, checked_at=hours_ago)
    store = _window_store(demo_path)  # still within the day: no check
    _write(store)
    store.close()
    assert len(checks) == 1
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    assert not health.checked_already(demo_path, now=later)  # a day after the real check
