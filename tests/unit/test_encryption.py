"""Encrypted stores: no plaintext in any file of the store's folder, passphrases, conversions.

Markers written into a note, a quote and a source must not appear in any byte of any file
beside the store once it is encrypted: the store, its -wal and -shm, its backups. A wrong
passphrase changes nothing and never locks the user out; a plain store keeps stdlib sqlite3.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from briefing.core.check import check_store
from briefing.core.search import search
from briefing.errors import InputError, StoreError
from briefing.store import encryption, open_store
from briefing.store.backups import list_backups, restore_backup, take_backup
from briefing.store.database import APPLICATION_ID

MARKERS = ("QUOKKANOTEMARK", "QUOKKAQUOTEMARK", "QUOKKASOURCEMARK")
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_keys_between_tests():
    encryption.forget_all()
    yield
    encryption.forget_all()


def contents(connection) -> list:
    """Every table's schema and rows, in order (SQLCipher's module has no iterdump)."""
    tables = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    dumped: list = [connection.execute("PRAGMA user_version").fetchone()]
    for name, sql in tables:
        dumped.append(sql)
        if not sql.startswith("CREATE VIRTUAL"):
            rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            dumped.extend(sorted(rows, key=repr))
    return dumped


def plain_dump(path: Path) -> list:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return contents(connection)
    finally:
        connection.close()


def encrypted_dump(path: Path, passphrase: str) -> list:
    key = encryption.derive(passphrase, path.read_bytes()[:16])
    connection = encryption.connect(path, key, options="?mode=ro&immutable=1")
    try:
        return contents(connection)
    finally:
        connection.close()


def add_markers(path: Path) -> None:
    """A note, a quote and a source carrying a marker each, through the app's own store."""
    with open_store(path) as store, store.writing() as session:
        run = session.connection().exec_driver_sql
        run(
            "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at) "
            f"VALUES ('n-mark', 'private words {MARKERS[0]}', 1, 1, '2024-01-01', '2024-01-01')"
        )
        (source_id,) = run("SELECT id FROM sources LIMIT 1").one()
        (speaker_id,) = run("SELECT id FROM stakeholders LIMIT 1").one()
        run(
            "UPDATE quotes SET text = text || ' ' || ? WHERE id = (SELECT min(id) FROM quotes)",
            (MARKERS[1],),
        )
        run("UPDATE sources SET title = title || ' ' || ? WHERE id = ?", (MARKERS[2], source_id))
        assert speaker_id


def every_file(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def found_markers(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in every_file(folder):
        data = path.read_bytes()
        for marker in MARKERS:
            for form in (marker.encode(), marker.encode("utf-16-le")):
                if form in data:
                    found.append((path.name, marker))
    return found


def test_no_marker_in_any_file_of_the_folder_after_encryption(demo_path):
    add_markers(demo_path)
    take_backup(demo_path, "manual")
    assert found_markers(demo_path.parent)  # the test can see them while the store is plain
    converted = encryption.encrypt_store(demo_path, PASSPHRASE)
    assert len(converted.backups) == 1
    assert found_markers(demo_path.parent) == []
    # Working on it: a new private note goes through the -wal; a backup; the daily backup.
    with open_store(demo_path, backup_if_due=True) as store:
        with store.writing() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at) "
                f"VALUES ('n-2', 'more {MARKERS[0]}', 1, 1, '2024-01-01', '2024-01-01')"
            )
        take_backup(store, "manual")
        files = {p.name for p in every_file(demo_path.parent)}
        assert "demo.sqlite3-wal" in files
        assert found_markers(demo_path.parent) == []
        with store.reading() as session:
            hits = search(session, MARKERS[0])
        assert hits  # and search still finds the words in the encrypted store
    assert found_markers(demo_path.parent) == []
    assert all(encryption.is_encrypted(b.path) for b in list_backups(demo_path))


def test_a_new_store_can_be_encrypted_from_its_first_byte(tmp_path):
    from briefing.core.demo import load_demo

    path = tmp_path / "new.sqlite3"
    key = encryption.new_key(PASSPHRASE)
    with open_store(path, seed=load_demo, encrypt_with=key) as store, store.reading() as session:
        assert session.execute(text("SELECT count(*) FROM stakeholders")).scalar() > 0
    assert encryption.is_encrypted(path)
    assert b"Microsoft" not in path.read_bytes()
    encryption.forget_all()
    with pytest.raises(encryption.PassphraseNeeded):
        open_store(path)
    encryption.unlock(path, PASSPHRASE)
    with open_store(path) as store:
        assert store.schema_version is not None


def test_a_wrong_passphrase_changes_nothing_and_never_locks_out(demo_path, snapshot):
    encryption.encrypt_store(demo_path, PASSPHRASE)
    encryption.forget_all()
    before = snapshot(demo_path)
    for attempt in range(12):
        with pytest.raises(encryption.WrongPassphrase, match="does not open"):
            encryption.unlock(demo_path, f"not it {attempt}")
        with pytest.raises(encryption.PassphraseNeeded):
            open_store(demo_path)
    assert snapshot(demo_path) == before
    encryption.unlock(demo_path, PASSPHRASE)  # the right one still opens it
    with open_store(demo_path) as store:
        assert store.schema_version is not None


def test_an_empty_passphrase_is_refused_and_the_store_is_unchanged(demo_path, snapshot):
    before = snapshot(demo_path)
    with pytest.raises(InputError, match="empty"):
        encryption.encrypt_store(demo_path, "")
    assert snapshot(demo_path) == before
    encryption.encrypt_store(demo_path, PASSPHRASE)
    encryption.forget_all()
    encrypted = snapshot(demo_path)
    with pytest.raises(InputError, match="empty"):
        encryption.unlock(demo_path, "")
    assert snapshot(demo_path) == encrypted


def test_a_very_long_passphrase_works_and_a_longer_one_is_refused(demo_path, snapshot):
    long = "ä𝔘 long passphrase " * (encryption.MAX_PASSPHRASE // 19)
    assert len(long) <= encryption.MAX_PASSPHRASE
    encryption.encrypt_store(demo_path, long)
    encryption.forget_all()
    with pytest.raises(encryption.WrongPassphrase):
        encryption.unlock(demo_path, long[:-1])
    encryption.unlock(demo_path, long)
    before = snapshot(demo_path)
    with pytest.raises(InputError, match="longer than"):
        encryption.change_passphrase(demo_path, "x" * (encryption.MAX_PASSPHRASE + 1))
    assert snapshot(demo_path) == before


def test_a_passphrase_typed_composed_or_decomposed_opens_the_same_store(demo_path):
    encryption.encrypt_store(demo_path, "caf\u00e9 \u00fcber")
    encryption.forget_all()
    encryption.unlock(demo_path, "cafe\u0301 u\u0308ber")


def test_the_file_opens_in_sqlcipher_with_the_passphrase_and_default_settings(demo_path):
    """Our raw key is SQLCipher 4's own derivation: any SQLCipher 4 opens it."""
    encryption.encrypt_store(demo_path, PASSPHRASE)
    module = encryption.connection_module()
    connection = module.connect(f"{demo_path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    connection.execute(f"PRAGMA key = '{PASSPHRASE}'")
    (app_id,) = connection.execute("PRAGMA application_id").fetchone()
    connection.close()
    assert app_id == APPLICATION_ID


def test_encrypt_then_decrypt_gives_back_the_same_store(demo_path):
    add_markers(demo_path)
    before = plain_dump(demo_path)
    checked = check_store(demo_path).as_json()["checks"]  # the marked quote no longer verifies
    encryption.encrypt_store(demo_path, PASSPHRASE)
    assert encrypted_dump(demo_path, PASSPHRASE) == before
    assert check_store(demo_path).as_json()["checks"] == checked
    encryption.decrypt_store(demo_path)
    assert demo_path.read_bytes()[:16] == encryption.SQLITE_HEADER
    assert plain_dump(demo_path) == before
    assert check_store(demo_path).as_json()["checks"] == checked


def test_a_new_passphrase_replaces_the_old_one_for_the_store_and_its_backups(demo_path):
    take_backup(demo_path, "manual")
    before = plain_dump(demo_path)
    encryption.encrypt_store(demo_path, PASSPHRASE)
    encryption.change_passphrase(demo_path, "another one")
    encryption.forget_all()
    for path in [demo_path, *(b.path for b in list_backups(demo_path))]:
        with pytest.raises(encryption.WrongPassphrase):
            encryption.unlock(path, PASSPHRASE)
    encryption.unlock(demo_path, "another one")
    assert encrypted_dump(demo_path, "another one") == before
    assert check_store(demo_path).ok


def test_check_backup_and_restore_work_on_an_encrypted_store(demo_path):
    encryption.encrypt_store(demo_path, PASSPHRASE)
    made = take_backup(demo_path, "manual")
    assert encryption.is_encrypted(made)
    assert check_store(demo_path).ok
    with open_store(demo_path) as store, store.writing() as session:
        session.connection().exec_driver_sql("DELETE FROM notes")
    restored = restore_backup(demo_path, made)
    assert encryption.is_encrypted(demo_path)
    assert encryption.is_encrypted(restored.kept_aside)
    with open_store(demo_path) as store, store.reading() as session:
        assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 3


def test_a_plain_backup_restored_into_an_encrypted_store_is_encrypted(demo_path, tmp_path):
    plain = take_backup(demo_path, "manual", to=tmp_path / "plain-copy.sqlite3")
    encryption.encrypt_store(demo_path, PASSPHRASE)
    restore_backup(demo_path, plain)
    assert encryption.is_encrypted(demo_path)
    assert check_store(demo_path).ok


def test_backups_under_a_passphrase_not_given_are_refused_in_words(demo_path, tmp_path):
    other = tmp_path / "other" / "demo.sqlite3"
    other.parent.mkdir()
    other.write_bytes(demo_path.read_bytes())
    encryption.encrypt_store(other, "someone else's")
    encryption.forget_all()
    with pytest.raises(StoreError, match="passphrase that was not given"):
        restore_backup(demo_path, other)


def test_converting_a_store_open_in_a_window_is_refused(demo_path, snapshot):
    from briefing.store.lock import lock_path

    lock_path(demo_path).write_text(f"{__import__('os').getpid()}\n\n\n")
    before = snapshot(demo_path)
    with pytest.raises(StoreError, match="open in the app's window"):
        encryption.encrypt_store(demo_path, PASSPHRASE)
    assert snapshot(demo_path) == before


def test_a_text_file_is_still_not_a_store_and_random_bytes_ask_for_a_passphrase(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("just some words\n" * 1000)
    assert not encryption.is_encrypted(text_file)
    noise = tmp_path / "noise.sqlite3"
    noise.write_bytes(__import__("os").urandom(8192))
    with pytest.raises(encryption.PassphraseNeeded):
        open_store(noise)
    with pytest.raises(encryption.WrongPassphrase):
        encryption.unlock(noise, PASSPHRASE)


def test_a_plain_store_never_loads_sqlcipher():
    """Opening, searching and backing up a plain store use stdlib sqlite3 only."""
    code = (
        "import sys, tempfile, pathlib\n"
        "from briefing.store import open_store\n"
        "from briefing.store.backups import take_backup\n"
        "from briefing.core.check import check_store\n"
        "from briefing.core.demo import load_demo\n"
        "path = pathlib.Path(tempfile.mkdtemp()) / 's.sqlite3'\n"
        "with open_store(path, seed=load_demo) as store:\n"
        "    take_backup(store, 'manual')\n"
        "    assert store.engine.dialect.dbapi.__name__.startswith('sqlite3')\n"
        "open_store(path).close()\n"
        "assert check_store(path).ok\n"
        "print('sqlcipher3' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_an_export_of_an_encrypted_store_reads_it_in_its_child_process(tmp_path):
    """The window's export reads its content in a child process (`briefing.export.process`);
    the child is handed the store's key on its standard input, and the file it writes is the
    readable export the user asked for."""
    import functools

    from briefing.core.briefings import topic_content
    from briefing.core.demo import load_demo
    from briefing.export.process import export_in_child
    from briefing.store.models import Topic

    path = tmp_path / "encrypted.sqlite3"
    key = encryption.new_key(PASSPHRASE)
    with open_store(path, seed=load_demo, encrypt_with=key) as store, store.reading() as session:
        topic_id = session.query(Topic.id).order_by(Topic.id).first()[0]
    out = tmp_path / "topic.md"
    use_case = functools.partial(topic_content, topic_id=topic_id, include_private=False)
    export_in_child(None, out, "md", load=(path, use_case))
    assert "Microsoft" in out.read_text(encoding="utf-8")
    assert b"Microsoft" not in path.read_bytes()
