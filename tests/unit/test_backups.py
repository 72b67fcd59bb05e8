"""Backups, restore and the full check: whole or absent, rotated by age, nothing lost."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest

from briefing.core.check import check_store
from briefing.errors import StoreDamaged, StoreError
from briefing.store import backups as backups_module
from briefing.store import open_store
from briefing.store.backups import (
    backup_folder,
    backup_if_due,
    latest_good_backup,
    list_backups,
    restore_backup,
    rotate,
    take_backup,
)


def dump(path) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def add_note(path, body: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at) "
        "VALUES (?, ?, 0, 1, '2024-01-01', '2024-01-01')",
        (f"u-{body}", body),
    )
    connection.commit()
    connection.close()


def damage(path, table: str = "notes", offset: int = 8) -> None:
    """Overwrite 16 bytes inside a table's root page (offset 8: its cell pointers)."""
    connection = sqlite3.connect(path)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size + offset)
        file.write(b"\xa5" * 16)


def leftovers(folder) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".tmp-" in p.name or p.name.endswith(".partial")]


def test_a_backup_is_a_whole_checked_copy_in_the_backup_folder(demo_path):
    made = take_backup(demo_path, "manual")
    assert made.parent == backup_folder(demo_path)
    assert made.name.startswith("demo-") and made.name.endswith("-manual.sqlite3")
    assert dump(made) == dump(demo_path)
    connection = sqlite3.connect(made)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert leftovers(demo_path.parent) == []
    [listed] = list_backups(demo_path)
    assert listed.path == made and listed.reason == "manual" and listed.size == made.stat().st_size


def test_a_backup_includes_what_is_still_in_the_wal(demo_store):
    with demo_store.writing() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO topics (uuid, name, description, created_at, updated_at) "
            "VALUES ('u-wal', 'Only in the wal', '', '2024-01-01', '2024-01-01')"
        )
    made = take_backup(demo_store, "before-pack-import")
    connection = sqlite3.connect(made)
    names = [row[0] for row in connection.execute("SELECT name FROM topics")]
    connection.close()
    assert "Only in the wal" in names
    assert made.name.endswith("-before-pack-import.sqlite3")


def test_a_backup_to_a_chosen_file(demo_path, tmp_path):
    target = tmp_path / "elsewhere.sqlite3"
    assert take_backup(demo_path, "manual", to=target) == target
    assert dump(target) == dump(demo_path)
    with pytest.raises(StoreError, match="no such folder"):
        take_backup(demo_path, "manual", to=tmp_path / "missing" / "x.sqlite3")


def test_a_backup_that_does_not_fit_on_the_disk_is_refused_and_leaves_nothing(
    demo_path, monkeypatch
):
    usage = shutil.disk_usage(demo_path.parent)
    monkeypatch.setattr(
        backups_module.shutil,
        "disk_usage",
        lambda folder: usage._replace(free=1000),
    )
    with pytest.raises(StoreError, match="not enough space for a backup"):
        take_backup(demo_path, "manual")
    assert list_backups(demo_path) == []
    assert leftovers(demo_path.parent) == []


def test_a_temporary_copy_left_by_a_killed_process_is_removed_by_the_next_backup(demo_path):
    folder = backup_folder(demo_path)
    folder.mkdir()
    stale = folder / ".demo-20240101T000000000000Z-manual.sqlite3.tmp-999999999"
    stale.write_bytes(b"half a copy")
    take_backup(demo_path, "manual")
    assert not stale.exists()


def _fake_backup(store_path, when: dt.datetime, reason: str = "automatic"):
    folder = backup_folder(store_path)
    folder.mkdir(exist_ok=True)
    path = folder / f"{store_path.stem}-{when.strftime('%Y%m%dT%H%M%S%fZ')}-{reason}.sqlite3"
    path.write_bytes(b"")
    return path


def test_backups_rotate_by_age(tmp_path):
    store = tmp_path / "s.sqlite3"
    now = dt.datetime(2025, 6, 30, 12, tzinfo=dt.UTC)
    # Four a day for 400 days.
    made = [_fake_backup(store, now - dt.timedelta(hours=6 * i)) for i in range(4 * 400)]
    rotate(store, now=now)
    kept = {b.taken_at for b in list_backups(store)}
    ages = sorted(now - t for t in kept)
    # Every backup of the last two days.
    assert sum(age <= dt.timedelta(days=2) for age in ages) == 9
    # One a day from 2 to 14 days, then about one a week, one a month; nothing past a year.
    days = {t.date() for t in kept if dt.timedelta(days=2) < now - t <= dt.timedelta(days=14)}
    assert len(days) == sum(dt.timedelta(days=2) < now - t <= dt.timedelta(days=14) for t in kept)
    assert len(days) >= 12
    assert all(age <= dt.timedelta(days=366) for age in ages)
    assert 30 < len(kept) < 45
    assert len(made) == 1600


def test_the_newest_ten_are_kept_whatever_their_age(tmp_path):
    store = tmp_path / "s.sqlite3"
    now = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
    for i in range(12):
        _fake_backup(store, now - dt.timedelta(days=500 + i))
    rotate(store, now=now)
    assert len(list_backups(store)) == 10


def test_an_automatic_backup_is_taken_when_the_last_is_a_day_old(demo_path):
    assert backup_if_due(demo_path) is not None
    assert backup_if_due(demo_path) is None  # the one just taken is recent
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    assert backup_if_due(demo_path, now=later) is not None
    assert len(list_backups(demo_path)) == 2


def test_opening_takes_the_daily_backup_when_asked(demo_path):
    open_store(demo_path, backup_if_due=True).close()
    open_store(demo_path, backup_if_due=True).close()
    assert [b.reason for b in list_backups(demo_path)] == ["automatic"]


def test_restore_puts_the_backup_back_and_keeps_the_replaced_store(demo_path):
    before = dump(demo_path)
    made = take_backup(demo_path, "manual")
    add_note(demo_path, "written after the backup")
    after = dump(demo_path)
    restored = restore_backup(demo_path, made)
    assert dump(demo_path) == before
    assert restored.kept_aside is not None and dump(restored.kept_aside) == after
    assert [b.reason for b in list_backups(demo_path)] == ["before-restore", "manual"]
    with open_store(demo_path) as store:
        assert store.schema_version is not None
    assert leftovers(demo_path.parent) == []


def test_restore_never_applies_the_replaced_stores_wal(demo_path):
    made = take_backup(demo_path, "manual")
    with open_store(demo_path) as store:
        with store.writing() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO topics (uuid, name, description, created_at, updated_at) "
                "VALUES ('u-w', 'In the old wal', '', '2024-01-01', '2024-01-01')"
            )
        restore_backup(demo_path, made)  # a window still has it open: the CLI refuses that
    with open_store(demo_path) as store, store.reading() as session:
        names = session.connection().exec_driver_sql("SELECT name FROM topics").scalars().all()
    assert "In the old wal" not in names
    assert check_store(demo_path).ok


@pytest.mark.parametrize(
    "make_bad, words",
    [
        (lambda p: p.write_text("not a database"), "not a SQLite database"),
        (lambda p: damage(p), "damaged"),
        (lambda p: p.unlink(), "there is no backup"),
    ],
)
def test_a_bad_backup_is_refused_and_the_store_is_unchanged(
    demo_path, tmp_path, snapshot, make_bad, words
):
    bad = tmp_path / "bad" / "backup.sqlite3"
    bad.parent.mkdir()
    shutil.copyfile(demo_path, bad)
    make_bad(bad)
    before = snapshot(demo_path)
    with pytest.raises(StoreError, match=words):
        restore_backup(demo_path, bad)
    assert snapshot(demo_path) == before


def test_a_backup_from_a_newer_app_is_refused(demo_path, tmp_path, snapshot):
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(demo_path, newer)
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()
    before = snapshot(demo_path)
    with pytest.raises(StoreError, match="newer version"):
        restore_backup(demo_path, newer)
    assert snapshot(demo_path) == before


def test_restoring_over_a_damaged_store_keeps_it_aside_under_a_dated_name(demo_path):
    made = take_backup(demo_path, "manual")
    damage(demo_path)
    damaged = demo_path.read_bytes()
    restored = restore_backup(demo_path, made)
    assert restored.kept_aside.name.startswith("demo.replaced-")
    assert restored.kept_aside.read_bytes() == damaged
    assert check_store(demo_path).ok


def test_the_latest_good_backup_skips_a_damaged_one(demo_path):
    good = take_backup(demo_path, "manual")
    bad = take_backup(demo_path, "manual")
    damage(bad)
    assert latest_good_backup(demo_path).path == good


def test_a_damaged_store_cannot_be_backed_up(demo_path):
    damage(demo_path, offset=3996)  # passes quick_check; integrity_check sees it
    with pytest.raises(StoreDamaged):
        take_backup(demo_path, "manual")
    assert list_backups(demo_path) == []
    assert leftovers(demo_path.parent) == []


# --- briefing check ---------------------------------------------------------------------------


def test_a_sound_store_passes_every_check(demo_path, snapshot):
    before = snapshot(demo_path)
    report = check_store(demo_path)
    assert report.ok
    assert [r.name for r in report.results] == [
        "integrity",
        "readable text",
        "foreign keys",
        "search index",
        "sources",
        "quotes",
        "schema version",
    ]
    assert snapshot(demo_path) == before


def _sql(path, *statements) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "statements, failing",
    [
        (["UPDATE sources SET sha256 = 'x' || substr(sha256, 2)"], "sources"),
        (['UPDATE quotes SET start = start + 3, "end" = "end" + 3 WHERE id = 1'], "quotes"),
        (["UPDATE notes SET topic_id = 999 WHERE topic_id IS NOT NULL"], "foreign keys"),
        (["DELETE FROM alembic_version"], "schema version"),
        (["UPDATE notes SET body = CAST(X'4869FF' AS TEXT) WHERE id = 1"], "readable text"),
        (["DELETE FROM search_index_data WHERE id > 10"], "search index"),
    ],
)
def test_each_check_finds_its_problem_and_changes_nothing(demo_path, snapshot, statements, failing):
    _sql(demo_path, *statements)
    before = snapshot(demo_path)
    report = check_store(demo_path)
    assert not report.ok
    assert [r.name for r in report.results if not r.ok] == [failing]
    assert snapshot(demo_path) == before


def test_a_damaged_store_is_described_not_opened(demo_path, snapshot):
    damage(demo_path)
    before = snapshot(demo_path)
    report = check_store(demo_path)
    assert not report.ok and report.results[0].name == "integrity"
    assert "Offset" in report.results[0].problems[0]
    assert snapshot(demo_path) == before
