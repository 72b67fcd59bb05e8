"""Opening a store checks it before writing anything: damage, hot journals, stray -wal files."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from briefing.core.check import check_store
from briefing.errors import StoreDamaged, StoreError
from briefing.store import open_store
from briefing.store.backups import list_backups, take_backup


def dump(path) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return list(connection.iterdump())
    finally:
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


def test_a_damaged_store_is_refused_in_words_kept_aside_and_not_written(demo_path, snapshot):
    good = take_backup(demo_path, "manual")
    damage(demo_path)
    before_bytes = demo_path.read_bytes()
    with pytest.raises(StoreDamaged) as caught:
        open_store(demo_path)
    message = str(caught.value)
    assert "is damaged, so it was not opened and nothing was written to it" in message
    assert str(good) in message and "briefing restore" in message
    assert demo_path.read_bytes() == before_bytes
    kept = caught.value.kept_aside
    assert kept.name.startswith("demo.damaged-") and kept.read_bytes() == before_bytes
    # Trying again keeps no second copy of the same damaged file.
    state = snapshot(demo_path)
    with pytest.raises(StoreDamaged):
        open_store(demo_path)
    assert snapshot(demo_path) == state


def test_damage_the_quick_check_misses_is_caught_by_the_daily_backup(demo_path):
    damage(demo_path, offset=3996)  # an index entry lost: only integrity_check sees it
    with pytest.raises(StoreDamaged, match="There is no backup"):
        open_store(demo_path, backup_if_due=True)
    assert list_backups(demo_path) == []


def test_a_store_without_its_version_row_is_refused_without_a_backup(demo_path, snapshot):
    connection = sqlite3.connect(demo_path)
    connection.execute("DELETE FROM alembic_version")
    connection.commit()
    connection.close()
    before = snapshot(demo_path)
    for _ in range(2):
        with pytest.raises(StoreError, match="no schema version"):
            open_store(demo_path)
    assert snapshot(demo_path) == before
    assert list_backups(demo_path) == []


def _topic_names(path) -> list[str]:
    with open_store(path) as store, store.reading() as session:
        return session.connection().exec_driver_sql("SELECT name FROM topics").scalars().all()


def _live_wal(path, script: str) -> bytes:
    """Run `script` on the store in a child that is killed before it closes: its -wal stays."""
    code = textwrap.dedent(f"""
        import os, signal, sqlite3
        connection = sqlite3.connect({str(path)!r})
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        {script}
        connection.commit()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", code], timeout=60)
    assert result.returncode == -signal.SIGKILL
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    return wal.read_bytes()


def test_a_wal_left_by_a_crash_is_applied(demo_path):
    _live_wal(
        demo_path,
        'connection.execute("INSERT INTO topics (uuid, name, description, created_at, '
        "updated_at) VALUES ('u-c', 'Saved before the crash', '', '2024', '2024')\")",
    )
    assert "Saved before the crash" in _topic_names(demo_path)
    assert not list(demo_path.parent.glob("*set-aside*"))


def test_a_wal_from_another_copy_is_set_aside_before_it_is_applied(demo_path, tmp_path):
    copy = tmp_path / "copy" / "demo.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(demo_path, copy)
    # The copy moves on: many notes are removed and the file rebuilt.
    connection = sqlite3.connect(copy)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("DELETE FROM positions")
    connection.execute("DELETE FROM quotes")
    connection.commit()
    connection.execute("VACUUM")
    connection.close()
    # Meanwhile the original has changes still in its -wal.
    wal = _live_wal(
        demo_path,
        "for i in range(200):\n"
        '            connection.execute("INSERT INTO notes (uuid, body, private, topic_id, '
        "created_at, updated_at) VALUES (?, ?, 0, 1, '2024', '2024')\", (f'w{i}', 'x' * 500))",
    )
    # A restore by hand: the copy is put back while the old -wal sits beside it.
    shutil.copyfile(copy, demo_path)
    expected = dump(demo_path)
    assert demo_path.with_name("demo.sqlite3-wal").read_bytes() == wal

    with open_store(demo_path) as store:
        assert any("did not belong to it" in notice for notice in store.notices)
    [aside] = demo_path.parent.glob("demo.sqlite3-wal.set-aside-*")
    assert aside.read_bytes() == wal
    assert dump(demo_path) == expected
    assert check_store(demo_path).ok


def test_a_hot_journal_is_rolled_back_before_the_store_is_read(demo_path):
    # A store in rollback-journal mode (a restored backup is, until it is opened), and a crash
    # in the middle of a change that had already spilled pages into the file.
    connection = sqlite3.connect(demo_path)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    before = dump(demo_path)
    code = textwrap.dedent(f"""
        import os, signal, sqlite3
        connection = sqlite3.connect({str(demo_path)!r}, isolation_level=None)
        connection.execute("PRAGMA cache_size = 1")
        connection.execute("BEGIN")
        connection.execute("UPDATE alembic_version SET version_num = '9999_half_done'")
        for i in range(300):
            connection.execute(
                "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at) "
                "VALUES (?, ?, 0, 1, '2024', '2024')", (f"h{{i}}", "y" * 800))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == -9
    journal = demo_path.with_name("demo.sqlite3-journal")
    assert journal.stat().st_size > 0
    with open_store(demo_path) as store:
        assert store.schema_version != "9999_half_done"
    assert dump(demo_path) == before
    assert check_store(demo_path).ok


def test_a_read_only_shm_is_made_writable_again(demo_path):
    with open_store(demo_path) as store:  # a window has it open: -wal and -shm exist
        shm = demo_path.with_name("demo.sqlite3-shm")
        held = sqlite3.connect(demo_path)
        held.execute("SELECT 1 FROM topics").fetchall()
    held.close()
    if not shm.exists():
        sqlite3.connect(demo_path).execute("PRAGMA journal_mode").fetchall()
        shm.write_bytes(b"\0" * 32768)
    shm.chmod(0o444)
    with open_store(demo_path) as store, store.writing() as session:
        session.connection().exec_driver_sql("UPDATE topics SET description = 'written'")
    assert not shm.exists() or os.stat(shm).st_mode & 0o200


def _as_nobody(env, *args):
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs setpriv")
def test_a_store_in_a_read_only_folder_is_refused_in_words(demo_template, request):
    folder = Path(tempfile.mkdtemp(prefix="briefing-readonly-", dir="/tmp"))
    request.addfinalizer(lambda: (os.chmod(folder, 0o755), shutil.rmtree(folder)))
    store = folder / "demo.sqlite3"
    shutil.copyfile(demo_template, store)
    os.chmod(store, 0o644)
    os.chmod(folder, 0o555)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["HOME"] = str(folder)
    env["PYTHONPATH"] = os.getcwd()
    if _as_nobody(env, sys.executable, "-c", "import briefing").returncode != 0:
        pytest.skip("the test environment cannot be read by another user")
    before = sorted(p.name for p in folder.iterdir())
    for command in (["info"], ["note", "add", "--on", "topic:1", "words"], ["backup"]):
        result = _as_nobody(env, sys.executable, "-m", "briefing", "--db", store, *command)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert "cannot be written to" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_an_upgrade_whose_backup_does_not_fit_is_refused_and_leaves_nothing(
    tmp_path, monkeypatch, snapshot
):
    from briefing.store import backups as backups_module
    from briefing.store import migrations
    from briefing.store.database import APPLICATION_ID, _make_engine

    if migrations.first_revision() == migrations.head_revision():
        pytest.skip("nothing to upgrade")
    path = tmp_path / "old.sqlite3"
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, migrations.first_revision())
    engine.dispose()
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(
        backups_module.shutil, "disk_usage", lambda folder: usage._replace(free=4096)
    )
    before = path.read_bytes()
    for _ in range(2):
        with pytest.raises(StoreError, match="not enough space for a backup"):
            open_store(path)
    assert path.read_bytes() == before
    assert list_backups(path) == []
    names = [p.name for p in tmp_path.rglob("*")]
    assert not [n for n in names if ".tmp-" in n or n.endswith(".partial")]
