"""SIGKILL at each write step of a backup, a restore and an upgrade: the store stays whole.

Each case runs the real code in a child process that kills itself (SIGKILL: no clean-up, no
finally) at one step: inside SQLite's page copy, before the flush to disk, before the rename,
after it; during a migration before its commit. Afterwards the store opens, passes the full
check, and holds either exactly what it held before or exactly the result, never a mix; no
temporary file survives the next backup.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from briefing.core.check import check_store
from briefing.store import migrations, open_store
from briefing.store.backups import backup_folder, list_backups, take_backup
from briefing.store.database import APPLICATION_ID, _make_engine

# Patches applied in the child before it runs; each kills the process at one step.
KILL = "os.kill(os.getpid(), signal.SIGKILL)"
OS = "types.SimpleNamespace(**{**vars(os)"  # the os module with one function replaced
STEPS = {
    # SQLite's backup copies a page at a time; this kills it between two steps of the copy.
    "copying": f"""
import sqlite3 as _sqlite3
class _Connection(_sqlite3.Connection):
    def backup(self, target, *, pages=-1, progress=None, **kw):
        def dying(status, remaining, total):
            if total - remaining > 2:
                {KILL}
        return super().backup(target, pages=1, progress=dying, **kw)
_connect = _sqlite3.connect
backups.sqlite3 = types.SimpleNamespace(
    connect=lambda *a, **k: _connect(*a, factory=_Connection, **k), Error=_sqlite3.Error,
    Connection=_sqlite3.Connection, DatabaseError=_sqlite3.DatabaseError)
""",
    "flushing": f"backups.os = {OS}, 'fsync': lambda fd: {KILL}}})",
    "renaming": f"backups.os = {OS}, 'replace': lambda a, b: {KILL}}})",
    "rotating": f"backups.rotate = lambda *a, **k: {KILL}",
}


def run_child(body: str, patch: str) -> None:
    code = "\n".join(
        [
            "import os, signal, sys, types",
            "from pathlib import Path",
            "from briefing.store import backups, database, migrations",
            patch,
            textwrap.dedent(body),
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()


def dump(path) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def checks_out(path) -> bool:
    failed = [(r.name, r.problems) for r in check_store(path).results if not r.ok]
    assert failed == []
    return True


def temporaries(folder) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".tmp-" in p.name]


@pytest.mark.parametrize("step", list(STEPS))
def test_killed_during_a_backup(demo_path, step):
    before = dump(demo_path)
    run_child(f"backups.take_backup(Path({str(demo_path)!r}), 'manual')", STEPS[step])
    assert dump(demo_path) == before
    assert checks_out(demo_path)
    for backup in list_backups(demo_path):  # a backup that is listed is whole
        assert dump(backup.path) == before
    take_backup(demo_path, "manual")  # the next backup clears what the killed one left
    assert temporaries(demo_path.parent) == []


@pytest.mark.parametrize("step", [*STEPS, "replacing", "removing-wal"])
def test_killed_during_a_restore(demo_path, step):
    original = dump(demo_path)
    made = take_backup(demo_path, "manual")
    connection = sqlite3.connect(demo_path)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("DELETE FROM notes")
    connection.commit()
    connection.close()
    changed = dump(demo_path)
    patch = STEPS.get(step, "")
    if step == "replacing":
        # The copy is whole and the old store kept; killed just before the rename.
        patch = (
            f"backups.os = {OS}, 'replace': lambda a, b: {KILL} "
            "if Path(b).name == 'demo.sqlite3' else os.replace(a, b)})"
        )
    elif step == "removing-wal":
        patch = f"backups.keep_aside = lambda path: {KILL}"
    run_child(f"backups.restore_backup(Path({str(demo_path)!r}), Path({str(made)!r}))", patch)
    now = dump(demo_path)
    assert now in (original, changed), "the store is neither the old one nor the backup"
    assert checks_out(demo_path)
    with open_store(demo_path) as store:
        assert store.schema_version == migrations.head_revision()
    # If the store was replaced, the one it replaced was kept first.
    if now == original:
        assert any(dump(b.path) == changed for b in list_backups(demo_path))
    take_backup(demo_path, "manual")
    assert temporaries(demo_path.parent) == []


def _old_store(path) -> None:
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, migrations.first_revision())
        connection.exec_driver_sql(
            "INSERT INTO topics (uuid, name, description, created_at, updated_at) "
            "VALUES ('u-1', 'Kept', '', '2024-01-01', '2024-01-01')"
        )
    engine.dispose()


UPGRADE_STEPS = {
    **{f"backup-{name}": patch for name, patch in STEPS.items() if name != "rotating"},
    "after-backup": f"database._upgrade = lambda path: {KILL}",
    # The migrations have run in the transaction; killed before it commits.
    "before-commit": f"""
_upgrade = migrations.upgrade
def dying(connection, revision='head'):
    _upgrade(connection, revision)
    {KILL}
migrations.upgrade = dying
""",
}


@pytest.mark.skipif(
    migrations.first_revision() == migrations.head_revision(), reason="nothing to upgrade"
)
@pytest.mark.parametrize("step", list(UPGRADE_STEPS))
def test_killed_during_an_upgrade(tmp_path, step):
    path = tmp_path / "old.sqlite3"
    _old_store(path)
    before = dump(path)
    run_child(f"database.open_store(Path({str(path)!r}))", UPGRADE_STEPS[step])
    assert dump(path) == before or step == "before-commit"
    with open_store(path) as store:  # the next open finishes the upgrade
        assert store.schema_version == migrations.head_revision()
        with store.reading() as session:
            names = session.connection().exec_driver_sql("SELECT name FROM topics").scalars()
            assert list(names) == ["Kept"]
    assert checks_out(path)
    for backup in list_backups(path):
        assert dump(backup.path) == before
    take_backup(path, "manual")
    assert temporaries(tmp_path) == []
    shutil.rmtree(backup_folder(path))
