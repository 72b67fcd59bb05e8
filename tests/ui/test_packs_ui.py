"""Sharing a topic as a file and importing one from the window: preview, progress, Cancel, Undo."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThread, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from briefing.core import packs
from briefing.core.editing import StakeholderFields, add_stakeholder
from briefing.core.lookup import find_stakeholder, find_topic
from briefing.core.notes import add_note
from briefing.core.pack_format import read_pack
from briefing.core.undo import dump
from briefing.store import open_store
from briefing.ui.jobs import BackgroundJob
from briefing.ui.packs import PackPreviewDialog, PackQuestions

TOPIC = "Police use of facial recognition"


def colleague_pack(demo_template, tmp_path):
    """A colleague's store (the demo, their own UUIDs) with a new stakeholder, a note, and
    IBM described in their words; shared as a pack."""
    path = tmp_path / "colleague.sqlite3"
    shutil.copyfile(demo_template, path)
    out = tmp_path / "colleague.briefingpack"
    with open_store(path) as store:
        with store.writing() as session:
            topic_id = find_topic(session, TOPIC).id
            added = add_stakeholder(
                session, StakeholderFields(name="Big Brother Watch", kind="ngo"), topic_id
            )
            add_note(session, ("stakeholder", added.id), "From my colleague")
            find_stakeholder(session, "IBM").description = "Their words on IBM"
        with store.reading() as session:
            packs.export_pack(session, out, topic_id=topic_id)
    return out


def finished(qtbot, task, timeout=20000) -> str:
    outcomes = []
    task.finished.connect(outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=timeout)
    return outcomes[0]


def card_names(window) -> list[str]:
    return [window.cards.card(row).name for row in range(window.cards.rowCount())]


def test_the_file_menu_offers_sharing_and_importing(window):
    texts = [a.text() for a in window.file_menu.actions()]
    assert "S&hare topic as file\u2026" in texts
    assert "I&mport shared file\u2026" in texts
    assert texts.index("I&mport shared file\u2026") < texts.index("&Quit")


def test_share_topic_writes_a_pack_without_private_notes(window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "shared.briefingpack"
    asked = []
    monkeypatch.setattr(PackQuestions, "destination", staticmethod(lambda parent, topic: out))
    monkeypatch.setattr(
        PackQuestions, "include_private", staticmethod(lambda parent: asked.append(1) or False)
    )
    task = window.packs.share_topic()
    assert finished(qtbot, task) == "shared"
    assert asked, "the demo has a private note: the user was asked"
    manifest = read_pack(out).manifest
    assert manifest["topic"]["name"] == TOPIC and not manifest["include_private"]
    assert not any(n["private"] for n in manifest["notes"])
    assert "Shared" in window.statusBar().currentMessage()


def test_import_previews_then_merges_and_undo_takes_it_all_back(
    window, qtbot, tmp_path, demo_template, monkeypatch
):
    pack = colleague_pack(demo_template, tmp_path)
    with window.store.reading() as session:
        before = dump(session)
    seen = []

    def preview(parent, report):
        # Nothing has changed while the user looks at the preview.
        with window.store.reading() as session:
            assert dump(session) == before
        seen.append(report)
        return packs.KEEP_MINE

    monkeypatch.setattr(PackPreviewDialog, "ask", classmethod(lambda cls, p, r: preview(p, r)))
    task = window.packs.import_file(pack)
    assert finished(qtbot, task) == "imported"
    (report,) = seen
    assert report.dry_run and report.added == {"stakeholder": 1, "note": 1}
    assert [(c.kind, c.label, c.theirs) for c in report.conflicts] == [
        ("stakeholder", "IBM", {"description": "Their words on IBM"})
    ]
    assert "Big Brother Watch" in card_names(window)
    assert window.operations.undo_stack.undoText() == f"Import {pack.name}"
    assert task.report.backup
    assert list(tmp_path.glob("demo-backups/demo-*-before-pack-import.sqlite3"))

    after = None
    with window.store.reading() as session:
        after = dump(session)
    assert window.operations.undo()
    with window.store.reading() as session:
        assert dump(session) == before
    assert "Big Brother Watch" not in card_names(window)
    assert window.operations.redo()
    with window.store.reading() as session:
        assert dump(session) == after
    assert "Big Brother Watch" in card_names(window)


def test_declining_the_preview_changes_nothing(window, qtbot, tmp_path, demo_template, monkeypatch):
    pack = colleague_pack(demo_template, tmp_path)
    with window.store.reading() as session:
        before = dump(session)
    monkeypatch.setattr(PackPreviewDialog, "ask", classmethod(lambda cls, p, r: None))
    task = window.packs.import_file(pack)
    assert finished(qtbot, task) == "declined"
    with window.store.reading() as session:
        assert dump(session) == before
    assert window.operations.undo_stack.count() == 0


def test_a_bad_pack_is_refused_in_words(window, qtbot, tmp_path, monkeypatch):
    told = []
    monkeypatch.setattr(PackQuestions, "tell", staticmethod(lambda p, t, m: told.append(m)))
    monkeypatch.setattr(PackPreviewDialog, "ask", classmethod(lambda *a: pytest.fail("asked")))
    bad = tmp_path / "bad.briefingpack"
    bad.write_text("not a pack")
    with window.store.reading() as session:
        before = dump(session)
    task = window.packs.import_file(bad)
    assert finished(qtbot, task) == "refused"
    assert told == ["bad.briefingpack is not a Briefing pack (it is not a zip file)"]
    with window.store.reading() as session:
        assert dump(session) == before


def test_cancelling_the_import_changes_nothing(window, qtbot, tmp_path, demo_template, monkeypatch):
    pack = colleague_pack(demo_template, tmp_path)
    with window.store.reading() as session:
        before = dump(session)

    def cancelled_at_once(job):
        job.cancel()  # as if Cancel was pressed before the worker got far
        QThread.start(job)

    def preview(parent, report):
        monkeypatch.setattr(BackgroundJob, "start", cancelled_at_once)
        return packs.KEEP_BOTH

    monkeypatch.setattr(PackPreviewDialog, "ask", classmethod(lambda cls, p, r: preview(p, r)))
    task = window.packs.import_file(pack)
    assert finished(qtbot, task) == "cancelled"
    with window.store.reading() as session:
        assert dump(session) == before
    assert window.operations.undo_stack.count() == 0
    assert "cancelled" in window.statusBar().currentMessage()


def test_a_pack_dropped_on_the_window_is_previewed(
    window, qtbot, tmp_path, demo_template, monkeypatch
):
    pack = colleague_pack(demo_template, tmp_path)
    seen = []
    monkeypatch.setattr(
        PackPreviewDialog, "ask", classmethod(lambda cls, p, r: seen.append(r) or None)
    )
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(pack))])
    enter = QDragEnterEvent(
        QPoint(400, 300),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(400, 300),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    (task,) = window.pack_tasks
    assert finished(qtbot, task) == "declined"
    assert seen and seen[0].added == {"stakeholder": 1, "note": 1}


def test_the_preview_shows_both_versions_and_the_rule(qtbot, tmp_path, demo_template, demo_store):
    pack = colleague_pack(demo_template, tmp_path)
    report = packs.import_pack(demo_store, pack, dry_run=True)
    dialog = PackPreviewDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    summary = dialog.summary.text()
    assert "1 note, 1 stakeholder" in summary and "1 conflict" in summary
    top = dialog.conflicts.topLevelItem(0)
    assert top.text(0) == "IBM (stakeholder) \u2014 Yours stays"
    child = top.child(0)
    assert child.text(0) == "description" and child.text(2) == "Their words on IBM"
    dialog.rule.setCurrentIndex(dialog.rule.findData(packs.TAKE_THEIRS))
    assert dialog.conflicts.topLevelItem(0).text(0).endswith("Theirs replaces yours")
    assert dialog.chosen_rule() == packs.TAKE_THEIRS
    dialog.grab().save(str(tmp_path / "pack-preview.png"))
    assert (tmp_path / "pack-preview.png").exists()


def test_a_pack_with_a_passphrase_asks_for_it_and_a_wrong_one_changes_nothing(
    window, qtbot, tmp_path, demo_template, monkeypatch
):
    plain = colleague_pack(demo_template, tmp_path)
    sealed = tmp_path / "sealed.briefingpack"
    with open_store(tmp_path / "colleague.sqlite3") as store, store.reading() as session:
        topic_id = find_topic(session, TOPIC).id
        packs.export_pack(session, sealed, topic_id=topic_id, passphrase="for the coalition")
    assert plain.exists() and b"Big Brother Watch" not in sealed.read_bytes()
    with window.store.reading() as session:
        before = dump(session)
    told, answers = [], ["not it", None, "for the coalition"]
    monkeypatch.setattr(PackQuestions, "tell", staticmethod(lambda p, t, m: told.append(m)))
    monkeypatch.setattr(
        PackQuestions, "pack_passphrase", staticmethod(lambda parent, name: answers.pop(0))
    )
    monkeypatch.setattr(PackPreviewDialog, "ask", classmethod(lambda cls, p, r: packs.KEEP_MINE))

    assert finished(qtbot, window.packs.import_file(sealed)) == "refused"
    assert "the passphrase does not open sealed.briefingpack" in told[-1]
    window.packs.import_file(sealed)  # Cancel: ends at once, before any reading
    assert window.statusBar().currentMessage() == "Nothing imported from sealed.briefingpack"
    assert answers == ["for the coalition"] and len(told) == 1
    with window.store.reading() as session:
        assert dump(session) == before
    assert finished(qtbot, window.packs.import_file(sealed)) == "imported"
    assert "Big Brother Watch" in card_names(window)
