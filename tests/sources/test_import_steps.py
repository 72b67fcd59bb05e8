"""A big source is written in steps, each its own short transaction: hidden until the last step
commits, removed when cancelled or when the importer dies, and never in the way of a write queued
meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from briefing.core import sources as core_sources
from briefing.core.search import search
from briefing.core.sources import (
    ImportCancelled,
    find_source,
    import_in_steps,
    list_sources,
    open_source,
)
from briefing.errors import NotFound
from briefing.store import open_store
from briefing.store.database import remove_unfinished_imports
from briefing.store.models import Stakeholder
from briefing.store.search_index import split_passages

pytestmark = pytest.mark.both_databases


def long_text(paragraphs: int = 60) -> str:
    """About 60 passages; the last paragraph holds a word found nowhere else."""
    body = [
        f"Paragraph {n} of the report on facial recognition by the police. " * 20
        for n in range(paragraphs)
    ]
    body[-1] += " zanzibarian"
    return "\n\n".join(body)


@pytest.fixture
def raw_counts(outside_sql):
    """The rows an import writes, counted outside the app."""

    def counts(locator) -> dict[str, int]:
        def one(sql):
            return outside_sql(locator, sql)[0][0]

        return {
            "sources": one("SELECT count(*) FROM sources"),
            "passages": one("SELECT count(*) FROM source_passages"),
            "marks": one("SELECT count(*) FROM source_imports"),
            "indexed": one("SELECT count(*) FROM search_index WHERE rowid % 8 IN (3, 6)"),
        }

    return counts


def writer(store):
    """`write` for `import_in_steps`: each step its own transaction, recorded."""
    steps: list[str] = []

    def write(work):
        with store.writing() as session:
            result = work(session)
        steps.append("step")
        return result

    write.steps = steps
    return write


def test_a_source_written_in_steps_is_whole_at_the_end(
    empty_path, empty_store, raw_counts, tmp_path
):
    text = long_text()
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    write = writer(empty_store)
    done = import_in_steps(write, path, title="Report", per_step=7)
    spans = split_passages(text)
    assert len(spans) > 20
    # The row, ceil(passages / 7) steps of passages, the last step.
    assert len(write.steps) == 1 + -(-len(spans) // 7) + 1
    with empty_store.reading() as session:
        assert [s.id for s in list_sources(session)] == [done.id]
        assert open_source(session, done.id).text == text
        hits = search(session, "zanzibarian")
        assert [(h.kind, h.id) for h in hits] == [("source", done.id)]
    counts = raw_counts(empty_path)
    assert counts == {"sources": 1, "passages": len(spans), "marks": 0, "indexed": len(spans) + 1}


def test_until_its_last_step_a_source_is_hidden(empty_path, empty_store, raw_counts, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(long_text(), encoding="utf-8")
    seen = []

    def write(work):
        with empty_store.writing() as session:
            result = work(session)
        with empty_store.reading() as session:  # between two steps
            if raw_counts(empty_path)["marks"]:
                listed = list_sources(session)
                found = search(session, "zanzibarian") + search(session, "Report")
                source_id = session.execute(
                    core_sources.select(core_sources.Source.id)
                ).scalar_one()
                with pytest.raises(NotFound):
                    find_source(session, source_id)
                seen.append((listed, found))
        return result

    import_in_steps(write, path, title="Report", per_step=10)
    assert len(seen) > 3
    assert all(listed == [] and found == [] for listed, found in seen)


def test_cancelling_between_steps_removes_what_was_written(
    empty_path, empty_store, raw_counts, tmp_path
):
    path = tmp_path / "report.txt"
    path.write_text(long_text(), encoding="utf-8")
    write = writer(empty_store)
    with pytest.raises(ImportCancelled):
        import_in_steps(write, path, per_step=5, cancelled=lambda: len(write.steps) >= 4)
    assert raw_counts(empty_path) == {"sources": 0, "passages": 0, "marks": 0, "indexed": 0}


def test_a_step_that_fails_removes_what_was_written(
    empty_path, empty_store, raw_counts, tmp_path, monkeypatch
):
    path = tmp_path / "report.txt"
    path.write_text(long_text(), encoding="utf-8")
    real = core_sources._store_passages
    calls = []

    def failing(session, source_id, text, spans):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        real(session, source_id, text, spans)

    monkeypatch.setattr(core_sources, "_store_passages", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_in_steps(writer(empty_store), path, per_step=5)
    assert raw_counts(empty_path) == {"sources": 0, "passages": 0, "marks": 0, "indexed": 0}


def test_a_finished_source_is_never_taken_for_an_unfinished_one(empty_store, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(long_text(), encoding="utf-8")
    done = import_in_steps(writer(empty_store), path, per_step=9)
    core_sources.abandon_import(writer(empty_store), done.id)
    assert remove_unfinished_imports(empty_store) == 0
    with empty_store.reading() as session:
        assert [s.id for s in list_sources(session)] == [done.id]


KILLED_IMPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from briefing.core import sources
    from briefing.store import open_store

    store_path, text_path, ready = map(Path, sys.argv[1:4])
    store = open_store(store_path)
    real = sources._store_passages
    done = []

    def store_passages(session, source_id, text, spans):
        real(session, source_id, text, spans)
        done.append(1)

    def write(work):
        with store.writing() as session:
            result = work(session)
        if len(done) == 3:  # three steps of passages have committed: wait to be killed
            ready.write_text("ready")
            time.sleep(120)
        return result

    sources._store_passages = store_passages
    sources.import_in_steps(write, text_path, title="Killed", per_step=5)
    """
)


@pytest.mark.sqlite_only("a store file's lock and its clean-up of a killed import on opening")
def test_an_import_killed_midway_leaves_no_source_and_the_next_open_removes_it(
    tmp_path, raw_counts
):
    store_path = tmp_path / "store.sqlite3"
    open_store(store_path).close()
    text_path = tmp_path / "report.txt"
    text_path.write_text(long_text(), encoding="utf-8")
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(store_path), str(text_path), str(ready)]
    )
    try:
        for _ in range(600):
            if ready.exists() or child.poll() is not None:
                break
            threading.Event().wait(0.05)
        assert ready.exists(), "the importing process never reached its third step"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    left = raw_counts(store_path)
    assert left["sources"] == 1 and left["marks"] == 1 and left["passages"] == 15
    # Before any cleaning, nothing shows it: a read-only window lists and finds nothing.
    with open_store(store_path, read_only=True) as store, store.reading() as session:
        assert list_sources(session) == []
        assert search(session, "Killed") == []
        assert search(session, "facial") == []
    # The next opening for writing removes it, with its passages and rows of the index.
    with open_store(store_path) as store, store.reading() as session:
        assert list_sources(session) == []
    assert raw_counts(store_path) == {"sources": 0, "passages": 0, "marks": 0, "indexed": 0}


@pytest.mark.sqlite_only("a store file's lock and its clean-up of a killed import on opening")
def test_an_unfinished_import_is_left_alone_while_a_window_holds_the_store(tmp_path, raw_counts):
    store_path = tmp_path / "store.sqlite3"
    text_path = tmp_path / "report.txt"
    text_path.write_text(long_text(), encoding="utf-8")
    with open_store(store_path) as store, store.writing() as session:
        extracted = core_sources.read_file(text_path)
        digest = core_sources.sha256_text(extracted.text)
        core_sources._begin(session, text_path, extracted, digest, {})  # and never finished
    assert raw_counts(store_path)["marks"] == 1
    # Another live process holds the window's lock (as QLockFile writes it): hands off.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        lock = store_path.with_name(store_path.name + ".lock")
        lock.write_text(f"{sleeper.pid}\nbriefing\n{socket.gethostname()}\n")
        open_store(store_path).close()
        assert raw_counts(store_path)["marks"] == 1
    finally:
        sleeper.kill()
        sleeper.wait()
    open_store(store_path).close()  # the holder is gone: its import will never finish
    assert raw_counts(store_path) == {"sources": 0, "passages": 0, "marks": 0, "indexed": 0}


def test_a_write_queued_during_an_import_runs_between_its_steps(qapp, empty_store, tmp_path):
    """A write of the window (a note's autosave, a rename), queued on the store runner's writer
    while an import's step runs, commits before the import's next step, not after the whole
    import."""
    from briefing.ui.store_runner import StoreRunner

    runner = StoreRunner(empty_store)
    path = tmp_path / "report.txt"
    path.write_text(long_text(), encoding="utf-8")
    order: list[str] = []
    in_first_step, go_on = threading.Event(), threading.Event()
    real = core_sources._store_passages

    def store_passages(session, source_id, text, spans):
        real(session, source_id, text, spans)
        order.append("step")
        if len(order) == 1:
            in_first_step.set()
            assert go_on.wait(timeout=30), "the test never let the import go on"

    def save_note(session):
        session.add(Stakeholder(name="Renamed while a big file is imported", kind="person"))
        session.flush()
        order.append("note")

    outcome: list = []

    def run_import():
        try:
            outcome.append(import_in_steps(runner.write_from_job, path, per_step=5))
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome.append(error)
        order.append("import done")

    core_sources._store_passages = store_passages
    try:
        importer = threading.Thread(target=run_import)
        importer.start()
        assert in_first_step.wait(timeout=30)
        # As the note editor's autosave and the rename forms write.
        saved = runner.write(save_note, failure=lambda error: order.append(repr(error)))
        go_on.set()
        saved.result(timeout=30)
        importer.join(timeout=60)
    finally:
        core_sources._store_passages = real
        runner.close()
    assert not isinstance(outcome[0], BaseException), outcome
    assert order.count("step") > 5
    assert order.index("note") == 1  # right after the step that was running
    assert order[-1] == "import done"


@pytest.mark.sqlite_only("a store file's lock keeps an import under way; its raw rows are read")
def test_counts_and_info_leave_out_an_unfinished_import(tmp_path, capsys, raw_counts):
    """The status bar's counts and `briefing info` count sources as lists and search show them:
    a source whose import is under way (a window holds the store) is not one yet."""
    import json
    import socket

    from briefing.cli import main
    from briefing.core.info import counts

    store_path = tmp_path / "store.sqlite3"
    finished, unfinished = tmp_path / "finished.txt", tmp_path / "report.txt"
    finished.write_text("A finished source about the police.", encoding="utf-8")
    unfinished.write_text(long_text(), encoding="utf-8")
    with open_store(store_path) as store:
        with store.writing() as session:
            core_sources.import_source(session, finished, title="Finished")
        with store.writing() as session:
            extracted = core_sources.read_file(unfinished)
            digest = core_sources.sha256_text(extracted.text)
            core_sources._begin(session, unfinished, extracted, digest, {})  # under way
        with store.reading() as session:
            assert counts(session)["sources"] == 1
            assert len(list_sources(session)) == 1
    assert raw_counts(store_path)["sources"] == 2 and raw_counts(store_path)["marks"] == 1
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # the window importing it holds the store, so `info` leaves the import alone
        lock = store_path.with_name(store_path.name + ".lock")
        lock.write_text(f"{sleeper.pid}\nbriefing\n{socket.gethostname()}\n")
        assert main(["--db", str(store_path), "info", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["counts"]["sources"] == 1
        assert raw_counts(store_path)["marks"] == 1  # still under way, still there
    finally:
        sleeper.kill()
        sleeper.wait()
