"""The Briefings side tab: composing, reordering, exporting in a worker thread, previewing."""

from __future__ import annotations

import re
import unicodedata

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from sqlalchemy import select

from briefing.core import briefings as core
from briefing.store.models import Stakeholder
from briefing.ui import briefings as briefings_ui

PRIVATE_MARKER = "Stratford trial: how many alerts"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("-", "")


@pytest.fixture
def window(window, monkeypatch):
    # After an export the panel offers to open the file; here the offer is only recorded.
    offers: list = []
    monkeypatch.setattr(
        briefings_ui.ExportedDialog,
        "ask",
        classmethod(lambda cls, parent, path: offers.append(path)),
    )
    window.offers = offers
    window.side_tabs.setCurrentWidget(window.briefings)
    window.briefings.choose_notes = lambda labels: []  # add stakeholders without their notes
    window.briefings.told = []
    window.briefings.tell = window.briefings.told.append
    return window


def stored(window):
    with window.store.reading() as session:
        found = core.list_briefings(session)
        items = {b.id: [i.kind for i in core.briefing_items(session, b.id)] for b in found}
    return found, items


def compose(window, qtbot, title="For the committee"):
    panel = window.briefings
    panel.new_title.setText(title)
    qtbot.keyClick(panel.new_title, "\r")
    window.select_stakeholder("IBM")
    panel.add_stakeholder()
    panel.add_comparison()
    window.select_stakeholder("Microsoft")
    panel.add_stakeholder()
    return panel


def test_compose_a_briefing(window, qtbot, qtmodeltester, tmp_path):
    panel = compose(window, qtbot)
    found, items = stored(window)
    assert [b.title for b in found] == ["For the committee"]
    assert items[found[0].id] == ["stakeholder", "comparison", "stakeholder"]
    assert panel.items.count() == 3 and "IBM" in panel.items.item(0).text()

    panel.audience.setText("Policing Committee")
    panel.audience.editingFinished.emit()
    panel.introduction.setPlainText("The vote is on **Tuesday**.")
    qtbot.waitUntil(lambda: stored(window)[0][0].introduction.startswith("The vote"))
    assert stored(window)[0][0].audience == "Policing Committee"

    # A quote or note from the selected card, chosen in a dialog (replaced here).
    panel.choose = lambda labels: next(i for i, x in enumerate(labels) if x.startswith("Quote"))
    panel.add_quote_or_note()
    assert stored(window)[1][found[0].id][-1] == "quote"

    qtmodeltester.check(panel.items.model())
    qtmodeltester.check(panel.list.model())
    panel.grab().save(str(tmp_path / "briefings-tab.png"))


def test_reorder_by_drag_and_drop_and_buttons_then_remove(window, qtbot):
    panel = compose(window, qtbot)
    briefing_id = stored(window)[0][0].id
    # A drop moves the row in the list's model; the new order is saved.
    model = panel.items.model()
    assert model.moveRow(model.index(0, 0).parent(), 1, model.index(0, 0).parent(), 0)
    assert stored(window)[1][briefing_id] == ["comparison", "stakeholder", "stakeholder"]
    panel.items.setCurrentRow(0)
    panel.move(1)
    assert stored(window)[1][briefing_id] == ["stakeholder", "comparison", "stakeholder"]
    panel.items.setCurrentRow(1)
    panel.remove()
    assert stored(window)[1][briefing_id] == ["stakeholder", "stakeholder"]


def test_a_refused_title_is_put_back(window, qtbot, monkeypatch):
    panel = compose(window, qtbot)
    warnings = []
    monkeypatch.setattr(
        "briefing.ui.briefings.QMessageBox.warning", lambda *args: warnings.append(args[2])
    )
    panel.title.setText("   ")
    panel.title.editingFinished.emit()
    assert warnings == ["a briefing needs a title"]
    assert panel.title.text() == "For the committee"
    assert stored(window)[0][0].title == "For the committee"


def test_export_runs_in_a_worker_thread(window, qtbot, tmp_path):
    panel = compose(window, qtbot)
    out = tmp_path / "committee.pdf"
    panel.ask_export = lambda *args: (out, False, "Letter")
    with qtbot.waitSignal(panel.exported, timeout=60000) as signal:
        panel.export()
        assert panel.job is not None and panel.job.isRunning() or out.exists()
    assert signal.args == [str(out)]
    qtbot.waitUntil(lambda: panel.job is None)
    reader = PdfReader(out)
    assert abs(float(reader.pages[0].mediabox.width) - 612) < 1
    assert reader.metadata.title == "For the committee"
    assert stored(window)[0][0].page_size == "Letter"  # remembered for next time


def test_private_notes_only_when_ticked(window, qtbot, tmp_path):
    panel = compose(window, qtbot)
    window.select_stakeholder("IBM")
    panel.choose = lambda labels: next(i for i, x in enumerate(labels) if "(private)" in x)
    panel.add_quote_or_note()
    assert "left out" in panel.told[-1]  # said at once, not discovered in the PDF
    for include, name in ((False, "shared.pdf"), (True, "private.pdf")):
        out = tmp_path / name
        panel.ask_export = lambda *args, out=out, include=include: (out, include, "A4")
        with qtbot.waitSignal(panel.exported, timeout=60000):
            panel.export()
        qtbot.waitUntil(lambda: panel.job is None)
        text = squash("".join(p.extract_text() for p in PdfReader(out).pages))
        assert (squash(PRIVATE_MARKER) in text) is include


def test_cancel_leaves_no_file(window, qtbot, tmp_path):
    panel = compose(window, qtbot)
    out = tmp_path / "cancelled.pdf"
    content = panel.content()
    job = panel.prepare_export(content, out, "pdf")
    job.cancel()  # as if Cancel was pressed before the first page: deterministic
    job.start()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60000)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if "cancelled" in p.name] == []
    assert "cancelled" in window.statusBar().currentMessage()


def test_failed_export_says_why(window, qtbot, tmp_path):
    panel = compose(window, qtbot)
    errors = []
    panel.show_error = errors.append
    panel.ask_export = lambda *args: (tmp_path / "missing" / "x.pdf", False, "A4")
    panel.export()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60000)
    assert errors and "does not exist" in errors[0]


def test_empty_briefing_is_not_exported(window, qtbot, tmp_path, monkeypatch):
    panel = window.briefings
    panel.new_title.setText("Empty")
    panel.create()
    warnings = []
    monkeypatch.setattr(
        "briefing.ui.briefings.QMessageBox.warning", lambda *args: warnings.append(args[2])
    )
    panel.ask_export = lambda *args: (tmp_path / "x.pdf", False, "A4")
    panel.export()
    assert panel.job is None and not (tmp_path / "x.pdf").exists()
    assert "has no items" in warnings[0]


def test_print_preview_shows_the_pages(window, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    panel = compose(window, qtbot)
    dialog = panel.preview_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() > 2)
    dialog.grab().save(str(tmp_path / "preview.png"))


def test_delete_asks_first(window, qtbot):
    panel = compose(window, qtbot)
    panel.confirm_delete = lambda title: False
    panel.delete()
    assert len(stored(window)[0]) == 1
    panel.confirm_delete = lambda title: True
    panel.delete()
    assert stored(window)[0] == []


def test_file_menu_and_accessible_names(window):
    texts = [a.text() for a in window.file_menu.actions()]
    assert "&Export briefing…" in texts and "Print pre&view…" in texts
    panel = window.briefings
    for widget in panel.findChildren(QWidget):
        inner = widget.objectName().startswith("qt_")  # a date edit's own line edit
        if isinstance(widget, QAbstractButton | QLineEdit) and widget.isVisible() and not inner:
            assert widget.accessibleName(), widget


def test_export_dialog_asks_for_a_known_format(qtbot, tmp_path, monkeypatch):
    from briefing.ui.briefings import ExportDialog

    dialog = ExportDialog("For the committee", include_private=False, page_size="A4")
    qtbot.addWidget(dialog)
    warnings = []
    monkeypatch.setattr(
        "briefing.ui.briefings.QMessageBox.warning", lambda *args: warnings.append(args[2])
    )
    assert not dialog.include_private.isChecked() and dialog.page_size.currentText() == "A4"
    dialog.path.setText(str(tmp_path / "notes.txt"))
    dialog.buttons.accepted.emit()
    assert dialog.result() != dialog.DialogCode.Accepted and "cannot tell the format" in warnings[0]
    dialog.path.setText(str(tmp_path / "briefing.pdf"))
    dialog.include_private.setChecked(True)
    dialog.page_size.setCurrentText("Letter")
    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted
    dialog.grab().save(str(tmp_path / "export-dialog.png"))


def test_an_unexpected_failure_is_reported_not_hung(window, qtbot, tmp_path, monkeypatch):
    panel = compose(window, qtbot)
    errors, details = [], []
    panel.show_error = lambda message, more="": (errors.append(message), details.append(more))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("briefing.ui.briefings.export_in_child", broken)
    panel.ask_export = lambda *args: (tmp_path / "x.pdf", False, "A4")
    panel.export()
    qtbot.waitUntil(lambda: panel.job is None, timeout=60000)
    assert errors and "unexpectedly" in errors[0] and not (tmp_path / "x.pdf").exists()
    assert "RuntimeError: boom" in details[0]  # the dialog's details hold the traceback


def test_export_and_preview_shortcuts_reach_their_action(window):
    """Qt fires neither of two actions that share a shortcut ("Ambiguous shortcut overload"):
    Print preview once shared Ctrl+Shift+P with Set position. Every shortcut in the window is
    now someone's alone."""
    from PySide6.QtGui import QAction

    owners: dict[str, list[str]] = {}
    from PySide6.QtCore import Qt

    scoped = (Qt.ShortcutContext.WidgetShortcut, Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for action in window.findChildren(QAction):
        for shortcut in action.shortcuts():
            if not shortcut.isEmpty():
                # Delete belongs to each list (and the cards) only while it has the focus.
                key = shortcut.toString()
                if action.shortcutContext() in scoped:
                    key += f" in {action.parent().objectName() or id(action.parent())}"
                owners.setdefault(key, []).append(action.text())
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert shared == {}
    assert window.preview_action.shortcut().toString() == "Ctrl+P"
    assert window.export_action.shortcut().toString() == "Ctrl+E"


def test_export_the_whole_topic_without_composing(window, qtbot, tmp_path):
    """File > Export whole topic: every card of the demo topic, no briefing needed; the menu's
    briefing export and preview are greyed out, saying why, until a briefing exists."""
    assert not window.export_action.isEnabled() and not window.preview_action.isEnabled()
    assert "briefing first" in window.export_action.statusTip()
    panel = window.briefings
    out = tmp_path / "topic.pdf"
    panel.ask_export = lambda title, *args: (out, False, "A4") if "facial" in title else None
    with qtbot.waitSignal(panel.exported, timeout=60000):
        window.export_topic_action.trigger()
    qtbot.waitUntil(lambda: panel.job is None)
    reader = PdfReader(out)
    text = squash("".join(page.extract_text() for page in reader.pages))
    with window.store.reading() as session:
        content = core.topic_content(session, window.topic_id)
    for section in content.glance:
        assert squash(section.title) in text
    assert squash(PRIVATE_MARKER) not in text
    assert stored(window)[0] == []  # nothing was composed or saved on the way

    compose(window, qtbot)
    assert window.export_action.isEnabled() and window.preview_action.isEnabled()


def _introduction(window, briefing_id) -> str:
    with window.store.reading() as session:
        return core.get_briefing(session, briefing_id).introduction


def test_typing_then_switching_briefing_keeps_the_words(window, qtbot):
    panel = compose(window, qtbot, "Alpha")
    alpha = panel.current_id()
    compose(window, qtbot, "Beta")
    row = next(
        r for r in range(panel.list.count()) if panel.list.item(r).text().startswith("Alpha")
    )
    panel.list.setCurrentRow(row)
    assert panel.current_id() == alpha
    qtbot.keyClicks(panel.introduction, "Why this matters")
    other = next(r for r in range(panel.list.count()) if r != row)
    panel.list.setCurrentRow(other)  # before the quiet-time save: the words must still be kept
    assert _introduction(window, alpha) == "Why this matters"
    assert panel.introduction.toPlainText() != "Why this matters"


def test_closing_the_window_keeps_the_words_and_waits_for_the_export(window, qtbot, tmp_path):
    panel = compose(window, qtbot)
    briefing = panel.current_id()
    qtbot.keyClicks(panel.introduction, "Last words")
    out = tmp_path / "late.pdf"
    panel.ask_export = lambda *args: (out, False, "A4")
    panel.export()
    window.close()
    assert _introduction(window, briefing) == "Last words"
    assert panel.job is None or not panel.job.isRunning()  # nothing runs on after the window


SMALL_PRINT = "check the small print"


def _pdf_text(path) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(path).pages))


def test_adding_a_stakeholder_offers_its_notes_to_tick(window, qtbot, tmp_path):
    """The composer offers the card's shareable notes, none ticked; the PDF prints exactly the
    ticked ones, once, and no private note is offered."""
    from briefing.core.notes import add_note

    panel = window.briefings
    offered: list[list[str]] = []
    with window.store.writing() as session:
        ibm = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
        add_note(session, ("stakeholder", ibm), "For the committee: IBM sold to police before")

    def tick(labels):
        offered.append(labels)
        return [i for i, label in enumerate(labels) if "sold to police" in label]

    panel.new_title.setText("For the committee")
    qtbot.keyClick(panel.new_title, "\r")
    window.select_stakeholder("IBM")
    panel.choose_notes = tick
    panel.add_stakeholder()
    assert offered and all("(private)" not in label for label in offered[0])
    assert any("strongest statement" in label for label in offered[0])  # the demo's to-do
    assert stored(window)[1][panel.current_id()] == ["stakeholder", "note"]
    out = tmp_path / "ibm.pdf"
    panel.ask_export = lambda *args: (out, False, "A4")
    with qtbot.waitSignal(panel.exported, timeout=60000):
        panel.export()
    qtbot.waitUntil(lambda: panel.job is None)
    text = _pdf_text(out)
    assert text.count(squash("IBM sold to police before")) == 1
    assert squash(SMALL_PRINT) not in text


def test_whole_topic_notes_only_when_the_box_is_ticked(window, qtbot, tmp_path):
    panel = window.briefings
    for with_notes in (False, True):
        out = tmp_path / f"topic-{with_notes}.pdf"
        panel.ask_export = lambda title, p, s, whole, out=out, w=with_notes: (out, False, "A4", w)
        with qtbot.waitSignal(panel.exported, timeout=60000):
            window.export_topic_action.trigger()
        qtbot.waitUntil(lambda: panel.job is None)
        text = _pdf_text(out)
        assert (squash(SMALL_PRINT) in text) is with_notes
        assert squash(PRIVATE_MARKER) not in text


def test_the_export_dialog_asks_for_notes_only_for_a_whole_topic(qtbot):
    from briefing.ui.briefings import ExportDialog

    composed = ExportDialog("For the committee", False, "A4")
    whole = ExportDialog("Police use of facial recognition", False, "A4", whole_topic=True)
    for dialog in (composed, whole):
        qtbot.addWidget(dialog)
    assert not composed.with_notes.isVisibleTo(composed)
    assert whole.with_notes.isVisibleTo(whole) and not whole.with_notes.isChecked()


def test_export_to_opendocument_then_offer_to_open_it(window, qtbot, tmp_path, monkeypatch):
    """An .odt export through the same worker and atomic write; then the offer to open the
    file or show its folder, which goes through QDesktopServices (replaced here)."""
    import zipfile

    panel = compose(window, qtbot)
    out = tmp_path / "committee.odt"
    panel.ask_export = lambda *args: (out, False, "A4")
    with qtbot.waitSignal(panel.exported, timeout=60000):
        panel.export()
    qtbot.waitUntil(lambda: panel.job is None)
    assert window.offers == [out]
    with zipfile.ZipFile(out) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "IBM" in odt.read("content.xml").decode("utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    opened = []
    monkeypatch.setattr(briefings_ui, "open_url", lambda url: opened.append(url.toLocalFile()))
    offer = briefings_ui.ExportedDialog(window, out)
    qtbot.addWidget(offer)
    offer.show()
    offer.grab().save(str(tmp_path / "export-finished.png"))
    offer.open_button.click()
    offer.folder_button.click()
    assert opened == [str(out), str(tmp_path)]
