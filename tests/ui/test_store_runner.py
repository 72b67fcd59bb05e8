"""The store runner: reads and writes off the GUI thread, one writer, plain results, no silence."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import select

from briefing import logs
from briefing.core import notes
from briefing.core.changes import Changes
from briefing.core.lookup import list_topics
from briefing.errors import InputError
from briefing.store.models import Stakeholder
from briefing.ui import failures, store_runner
from briefing.ui.operations import Operations
from briefing.ui.store_runner import StoreRunner


@pytest.fixture
def shown(monkeypatch):
    said: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        failures,
        "show_failure",
        lambda parent, title, message, details: said.append((title, message, details)),
    )
    return said


@pytest.fixture
def runner(qapp, demo_store):
    runner = StoreRunner(demo_store)
    yield runner
    runner.close()


def _flush_log() -> str:
    for handler in logs.logger.handlers:
        handler.flush()
    path = logs.log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_query_reads_off_the_gui_thread_and_hands_back_plain_records(qtbot, runner):
    seen: list = []

    def read(session):
        seen.append(threading.current_thread())
        return list_topics(session)

    got: list = []
    runner.query(read, success=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert seen[0] is not threading.main_thread()
    topics = got[0]
    assert topics and all(type(t).__module__.startswith("briefing.core") for t in topics)


def test_only_the_latest_query_for_a_view_is_shown(qtbot, runner):
    release = threading.Event()
    shown_results: list[str] = []

    def slow(_session):
        release.wait(10)
        return "old"

    runner.query(slow, success=shown_results.append, key="cards")
    runner.query(lambda _s: "new", success=shown_results.append, key="cards")
    release.set()
    assert runner.wait_idle(10)
    assert shown_results == ["new"]


def test_every_write_runs_on_one_writer_thread_announced_after_commit(qtbot, demo_store):
    operations = Operations(demo_store)
    announced: list[Changes] = []
    order: list[str] = []
    operations.changed.connect(lambda changes: (announced.append(changes), order.append("told")))
    writers: set[str] = set()

    def add(session) -> Changes:
        writers.add(threading.current_thread().name)
        return notes.add_note(session, ("stakeholder", 1), "A note").changes

    for _ in range(3):
        operations.submit(add, success=lambda _changes: order.append("success"))
    operations.run(add)  # the waiting form goes through the same writer
    assert operations.runner.wait_idle(10)
    assert len(writers) == 1 and threading.main_thread().name not in writers
    assert len(announced) == 4 and all(c.touches("note") for c in announced)
    # In the order they committed; the views hear of each before the caller's reply.
    assert order == ["told", "success"] * 3 + ["told"]
    with demo_store.reading() as session:
        assert len(notes.list_notes(session, ("stakeholder", 1))) >= 4
    operations.runner.close()


def test_a_refused_write_changes_nothing_and_says_why_in_words(qtbot, runner, monkeypatch):
    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        store_runner, "warn", lambda parent, title, text: warned.append((title, text))
    )

    def rename_then_refuse(session):
        session.execute(select(Stakeholder)).scalars().first().name = "Changed"
        raise InputError("that name is taken")

    runner.write(rename_then_refuse, what="renaming a stakeholder")
    assert runner.wait_idle(10)
    assert warned == [("Renaming a stakeholder", "That name is taken.")]
    with runner.store.reading() as session:
        assert "Changed" not in {s.name for s in session.execute(select(Stakeholder)).scalars()}


def test_a_broken_job_shows_a_message_with_details_and_lands_in_the_log(qtbot, runner, shown):
    logs.setup_logging()

    def broken(_session):
        words = "the words of a private note"
        return {"x": 1}["missing: " + words]

    runner.write(broken, what="saving a note")
    assert runner.wait_idle(10)
    ((title, message, details),) = shown
    assert title == "Something went wrong"
    assert "unexpected error (KeyError) while saving a note" in message
    assert "in broken" in details and "KeyError" in details  # the traceback, for the user
    logged = _flush_log()
    assert "KeyError" in logged and "broken" in logged
    assert "private note" not in logged  # the log holds the type and stack, never the text


def test_a_bug_in_a_background_read_is_not_lost_either(qtbot, runner, shown):
    runner.query(lambda _s: 1 / 0, success=lambda _r: None, what="reading the cards")
    assert runner.wait_idle(10)
    assert shown and "ZeroDivisionError" in shown[0][1] and "reading the cards" in shown[0][1]


def test_a_job_writes_through_the_writer_in_turn_with_the_windows_saves(qtbot, runner):
    """An import's write and a note's save never hold SQLite's lock against each other: both
    run on the one writer, one after the other, whatever their order."""
    started = threading.Event()
    release = threading.Event()
    events: list[str] = []

    def long_write(session):
        started.set()
        release.wait(10)
        events.append("import committed")
        return Changes.of("source")

    def job(progress, cancelled):
        return runner.write_from_job(long_write)

    done: list = []
    runner.job(job, success=done.append, writes=False)
    assert started.wait(10)
    saved: list = []
    runner.write(
        lambda s: (events.append("note saved"), Changes.of("note"))[1], success=saved.append
    )
    qtbot.wait(50)
    assert events == []  # the save waits its turn, off the GUI thread, which goes on
    release.set()
    assert runner.wait_idle(10)
    assert events == ["import committed", "note saved"] and done and saved


def test_a_read_in_a_show_event_runs_no_events_while_it_waits(qtbot, runner):
    """A read waits with the window's events running, so that it keeps painting; inside a show
    event it must not: Qt is walking the window's children, and an event run then can change
    that list under it (a window reopened on the Sources tab crashed in showChildren)."""
    from PySide6.QtCore import QTimer

    from briefing.ui.store_runner import while_showing

    release = threading.Event()

    def slow(session):
        release.wait(5)  # long enough that a wait would start running events
        return 42

    for showing, expected in ((False, ["ran"]), (True, [])):
        ran: list[str] = []
        QTimer.singleShot(0, lambda ran=ran: ran.append("ran"))
        threading.Timer(0.2, release.set).start()
        with while_showing() if showing else contextlib.nullcontext():
            assert runner.read_now(slow) == 42
        assert ran == expected, showing
        qtbot.waitUntil(lambda ran=ran: ran == ["ran"])  # it runs once the show is over
        release.clear()
