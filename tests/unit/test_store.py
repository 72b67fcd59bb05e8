"""The store: creating, upgrading and refusing files, and the rules every connection keeps."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from briefing.errors import NotABriefingStore, StoreError, StoreTooNew
from briefing.store import migrations, open_store
from briefing.store.backups import list_backups
from briefing.store.database import APPLICATION_ID, _make_engine
from briefing.store.models import Base, Note, Quote, Stakeholder, Topic
from briefing.store.search_index import include_in_schema

pytestmark = pytest.mark.both_databases


@pytest.mark.sqlite_only("SQLite's application id, WAL and foreign-key pragmas")
def test_new_store_is_marked_stamped_and_uses_wal(empty_store):
    assert empty_store.schema_version == migrations.head_revision()
    with empty_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_new_store_without_seed_is_empty(empty_store):
    with empty_store.reading() as session:
        assert session.scalars(select(Topic)).all() == []


def test_models_match_the_migrations(empty_store):
    with empty_store.engine.connect() as connection:
        # The FTS5 search index is not a model (see briefing.store.search_index).
        context = MigrationContext.configure(connection, opts={"include_object": include_in_schema})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_records_get_uuids_and_utc_times(empty_store):
    with empty_store.writing() as session:
        topic = Topic(name="Protest policing")
        session.add(topic)
    with empty_store.reading() as session:
        stored = session.scalars(select(Topic)).one()
    assert len(stored.uuid) == 36
    assert stored.created_at.tzinfo == dt.UTC
    assert abs(stored.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_a_failed_change_leaves_nothing_behind(empty_store):
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Topic(name="One"))
        session.flush()
        session.add(Topic(name="One"))  # duplicate name: the whole block rolls back
    with empty_store.reading() as session:
        assert session.scalars(select(Topic)).all() == []


def test_foreign_keys_are_enforced(empty_store):
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Note(body="orphan", stakeholder_id=999))


def test_a_note_hangs_on_exactly_one_record(empty_store):
    with empty_store.writing() as session:
        topic = Topic(name="T")
        stakeholder = Stakeholder(name="S", kind="ngo")
        session.add_all([topic, stakeholder])
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Note(body="two targets", topic_id=topic.id, stakeholder_id=stakeholder.id))
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Note(body="no target"))


def test_deleting_a_stakeholder_deletes_its_notes(empty_store):
    with empty_store.writing() as session:
        stakeholder = Stakeholder(name="S", kind="ngo")
        session.add(stakeholder)
        session.flush()
        session.add(Note(body="n", stakeholder_id=stakeholder.id))
    with empty_store.writing() as session:
        session.delete(session.get(Stakeholder, stakeholder.id))
    with empty_store.reading() as session:
        assert session.scalars(select(Note)).all() == []


def test_quote_offsets_must_be_a_span(empty_store):
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Quote(start=5, end=5, text=""))


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_creation_that_fails_leaves_no_file(tmp_path):
    path = tmp_path / "store.sqlite3"

    def broken_seed(session):
        raise RuntimeError("seed failed")

    with pytest.raises(RuntimeError):
        open_store(path, seed=broken_seed)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "store.sqlite3"
    path.touch()
    with open_store(path) as store:
        assert store.schema_version == migrations.head_revision()


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_missing_folder_is_explained(tmp_path):
    with pytest.raises(StoreError, match="no such folder"):
        open_store(tmp_path / "nowhere" / "store.sqlite3")


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_text_file_is_refused_untouched(tmp_path, snapshot):
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a database\n")
    before = snapshot(path)
    with pytest.raises(NotABriefingStore, match="not a SQLite database"):
        open_store(path)
    assert snapshot(path) == before


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_another_programs_database_is_refused_untouched(tmp_path, snapshot):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.execute("INSERT INTO contacts VALUES ('Ada')")
    connection.commit()
    connection.close()
    before = snapshot(path)
    with pytest.raises(NotABriefingStore, match="another program"):
        open_store(path)
    assert snapshot(path) == before


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_another_programs_wal_database_gets_no_files_beside_it(tmp_path, snapshot):
    path = tmp_path / "other-wal.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = snapshot(path)
    with pytest.raises(NotABriefingStore):
        open_store(path)
    assert snapshot(path) == before


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_a_truncated_header_is_refused(tmp_path, snapshot):
    path = tmp_path / "short.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 10)
    before = snapshot(path)
    with pytest.raises(NotABriefingStore):
        open_store(path)
    assert snapshot(path) == before


@pytest.mark.sqlite_only("writes the file's version row with sqlite3 (a team store's: tests/team)")
def test_a_store_from_a_newer_app_is_refused_untouched(demo_path, snapshot):
    connection = sqlite3.connect(demo_path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    before = snapshot(demo_path)
    with pytest.raises(StoreTooNew, match="newer version of Briefing"):
        open_store(demo_path)
    assert snapshot(demo_path) == before


def _store_at(path, revision: str) -> None:
    """A store as the app made it when `revision` was the newest migration."""
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, revision)
        connection.execute(
            text(
                "INSERT INTO topics (uuid, name, description, created_at, "
                "updated_at) VALUES ('u-1', 'Kept', '', '2024-01-01', "
                "'2024-01-01')"
            )
        )
    engine.dispose()


@pytest.mark.sqlite_only(
    "a file is backed up beside it and upgraded on opening (a team store: 'team setup')"
)
def test_a_store_made_by_the_first_migration_is_backed_up_and_upgraded(tmp_path):
    first = migrations.first_revision()
    path = tmp_path / "old.sqlite3"
    _store_at(path, first)
    original = path.read_bytes()

    with open_store(path) as store:
        assert store.schema_version == migrations.head_revision()
        with store.reading() as session:
            assert session.scalars(select(Topic.name)).all() == ["Kept"]

    backups = [b.path for b in list_backups(path)]
    if first == migrations.head_revision():
        assert backups == []  # nothing to upgrade, nothing to back up
    else:
        assert len(backups) == 1 and f"-before-upgrade-from-{first}" in backups[0].name
        # SQLite's backup API bumps the copy's schema cookie (a header field), so the copy is
        # compared by content: the same schema and rows as the store before its upgrade.
        before = tmp_path / "before" / "old.sqlite3"
        before.parent.mkdir()
        before.write_bytes(original)
        assert _dump(backups[0]) == _dump(before)


def _dump(path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.mark.sqlite_only(
    "a file is backed up beside it and upgraded on opening (a team store: 'team setup')"
)
def test_a_store_with_no_schema_yet_is_backed_up_then_upgraded(tmp_path):
    path = tmp_path / "bare.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.commit()
    connection.close()
    with open_store(path) as store:
        assert store.schema_version == migrations.head_revision()
    backups = [b.path for b in list_backups(path)]
    assert len(backups) == 1 and "before-upgrade-from-none" in backups[0].name
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@pytest.mark.sqlite_only("SQLite's file lock and busy timeout (a team store's writers: tests/team)")
def test_a_store_another_program_is_writing_to_is_explained(demo_store):
    other = sqlite3.connect(demo_store.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock past the store's busy timeout
    try:
        with (
            pytest.raises(StoreError, match="another program is using the store"),
            demo_store.writing() as session,
        ):
            session.add(Topic(name="Blocked"))
    finally:
        other.rollback()
        other.close()
    with demo_store.reading() as session:
        assert session.scalars(select(Topic).where(Topic.name == "Blocked")).first() is None


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_a_store_that_cannot_be_created_is_explained(tmp_path, monkeypatch):
    import briefing.store.database as database

    def refuse(path, **kwargs):
        return _make_engine(tmp_path / "no-such-folder" / "x.sqlite3")

    monkeypatch.setattr(database, "_make_engine", refuse)
    with pytest.raises(StoreError, match="cannot be opened or created"):
        open_store(tmp_path / "new.sqlite3")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only("SQLite's file lock and busy timeout (a team store's writers: tests/team)")
def test_a_write_waits_for_another_programs_write_to_finish(demo_store):
    import threading

    other = sqlite3.connect(
        demo_store.path, timeout=0, isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    finished = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    finished.start()
    try:
        with demo_store.writing() as session:  # waits (busy timeout) instead of failing
            session.add(Topic(name="After the other write"))
    finally:
        finished.join()
        other.close()
    with demo_store.reading() as session:
        assert session.scalars(select(Topic).where(Topic.name == "After the other write")).one()
