"""The Sources tab: importing by menu and by drop, reading, quoting from a selection, conflicts."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QPageSize,
    QPdfWriter,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from briefing.core.info import counts
from briefing.core.sources import Extracted
from briefing.store.models import Quote
from briefing.ui import source_import
from briefing.ui import sources as sources_ui
from briefing.ui.main_window import MainWindow
from briefing.ui.sources import NewQuoteDialog, QuoteListModel, SourceFactsDialog

LETTER = (
    "Letter to Congress \U0001f4dc\r\n\r\n"
    "IBM no longer offers general purpose IBM facial recognition or analysis software.\r\n\r\n"
    "We believe now is the time to begin a national dialogue on whether and how facial "
    "recognition technology should be employed by domestic law enforcement agencies.\r\n"
)
REPORT = (
    "<html><head><title>IBM quits facial recognition</title>"
    "<meta property='og:site_name' content='Example News'>"
    "<meta property='article:published_time' content='2020-06-09'></head>"
    "<body><nav>Home | World</nav><article>"
    "<p>IBM\u2019s chief executive wrote: \u201cIBM no longer offers general purpose IBM facial "
    "recognition or analysis software.\u201d</p>"
    "<p>He wrote that \u201cwe believe now is the time \u2014 to begin a national "
    "dialogue.\u201d</p>"
    "<p>And he said \u201cnow is the time to begin a national debate on whether facial "
    "recognition should be employed by police.\u201d</p></article></body></html>"
)


@pytest.fixture
def window(qtbot, empty_store, tmp_path, monkeypatch):
    with empty_store.writing() as session:
        from briefing.store.models import Stakeholder

        ibm = Stakeholder(name="IBM", kind="company")
        session.add_all([ibm, Stakeholder(name="Arvind Krishna", kind="person", parent=ibm)])
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(empty_store, settings)
    qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    errors: list[str] = []
    monkeypatch.setattr(sources_ui, "show_error", lambda parent, title, msg: errors.append(msg))
    monkeypatch.setattr(source_import, "show_error", lambda parent, title, msg: errors.append(msg))
    window.errors = errors
    window.qtbot = qtbot
    return window


def wait_for_import(window) -> None:
    """Imports run in the background; wait until the last one has finished."""
    window.qtbot.waitUntil(lambda: window.sources_panel.importing is None, timeout=20000)


def store_counts(window) -> dict[str, int]:
    with window.store.reading() as session:
        return counts(session)


def import_by_menu(window, monkeypatch, path, facts=None):
    monkeypatch.setattr(source_import, "choose_source_file", lambda parent: path)
    asked = []

    def ask(cls, parent, name, extracted, owners=None):
        asked.append(name)
        return facts

    monkeypatch.setattr(SourceFactsDialog, "ask", classmethod(ask))
    window.import_source_action.trigger()
    wait_for_import(window)
    return asked


def select_words(panel, words: str, occurrence: int = 0) -> None:
    text = panel.document.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    panel.reader.select_span(start, start + len(words))


def make_quote(panel, monkeypatch, words, speaker_name, occurrence=0, attribution="direct") -> int:
    select_words(panel, words, occurrence)
    with panel.context.operations.store.reading() as session:
        from briefing.core.lookup import find_stakeholder

        speaker = find_stakeholder(session, speaker_name).id
    monkeypatch.setattr(
        NewQuoteDialog,
        "ask",
        classmethod(lambda cls, *args: (speaker, dt.date(2020, 6, 8), attribution)),
    )
    assert panel.new_quote_button.isEnabled()
    quote_id = panel.new_quote()
    assert quote_id is not None
    return quote_id


def test_file_menu_imports_a_text_file_asking_for_what_it_lacks(window, monkeypatch, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes(LETTER.encode("utf-8"))
    facts = {"title": "IBM letter", "publisher": "IBM", "published": dt.date(2020, 6, 8)}
    asked = import_by_menu(window, monkeypatch, path, facts)
    assert asked == ["letter.txt"]
    panel = window.sources_panel
    assert window.side_tabs.currentWidget() is panel
    assert panel.document.text == LETTER  # CRLF and the emoji are stored as they were
    assert panel.chooser.currentText() == "IBM letter \u2014 IBM (0 quotes)"
    assert "2020-06-08" in panel.facts.text()
    assert window.import_source_action in window.file_menu.actions()


def test_cancelling_the_facts_dialog_stores_nothing(window, monkeypatch, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    before = store_counts(window)
    import_by_menu(window, monkeypatch, path, facts=None)
    assert store_counts(window) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("empty.txt", b"", "is empty"), ("broken.pdf", b"%PDF-1.4 nope", "not a readable PDF")],
)
def test_a_bad_file_is_refused_with_a_message(
    window, monkeypatch, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = store_counts(window)
    import_by_menu(window, monkeypatch, path, {"title": "x", "publisher": "", "published": None})
    assert len(window.errors) == 1 and message in window.errors[0]
    assert store_counts(window) == before


def test_a_file_dropped_on_the_window_is_imported(window, monkeypatch, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(REPORT, encoding="utf-8")
    monkeypatch.setattr(SourceFactsDialog, "ask", classmethod(lambda *a: pytest.fail("asked")))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
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
    wait_for_import(window)
    panel = window.sources_panel
    # The page states its own title, publisher and date, so nothing was asked.
    assert panel.chooser.currentText().startswith("IBM quits facial recognition \u2014 Example")
    assert "Home" not in panel.document.text
    assert store_counts(window)["sources"] == 1


def write_pdf_with_qt(path) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle("Letter to Congress")
    document = QTextDocument()
    document.setHtml(
        "<p>First page of the letter.</p>"
        "<p style='page-break-before: always'>We believe now is the time to begin a national "
        "dialogue.</p>"
    )
    document.print_(writer)


def test_a_pdf_made_by_qt_imports_with_its_pages(window, monkeypatch, tmp_path):
    path = tmp_path / "letter.pdf"
    write_pdf_with_qt(path)
    import_by_menu(
        window, monkeypatch, path, {"title": "Letter", "publisher": "IBM", "published": None}
    )
    panel = window.sources_panel
    assert panel.document.kind == "pdf"
    assert len(panel.document.page_starts) == 2
    quote = make_quote(panel, monkeypatch, "now is the time to begin", "IBM")
    (check,) = [c for c in panel.checks if c.id == quote]
    assert check.page == 2
    assert "p. 2" in panel.quotes.index(0, 0).data()


def test_a_selection_becomes_a_quote_with_exact_offsets_and_can_be_undone(
    window, monkeypatch, tmp_path
):
    path = tmp_path / "letter.txt"
    path.write_bytes(LETTER.encode("utf-8"))
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    panel = window.sources_panel
    words = "We believe now is the time"
    quote_id = make_quote(panel, monkeypatch, words, "Arvind Krishna")
    with window.store.reading() as session:
        quote = session.get(Quote, quote_id)
        # After an emoji (two UTF-16 units) and CRLF line ends (one block break for two
        # characters), the offsets still count the stored text's characters.
        assert LETTER[quote.start : quote.end] == words == quote.text
        assert quote.said_on == dt.date(2020, 6, 8)
    assert "Verified: matches the source exactly" in panel.quote_detail.toPlainText()
    window.undo_action.trigger()
    assert store_counts(window)["quotes"] == 0
    window.redo_action.trigger()
    assert store_counts(window)["quotes"] == 1


def test_the_shortcut_and_context_menu_offer_new_quote(window, monkeypatch, tmp_path, qtbot):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    panel = window.sources_panel
    assert not panel.new_quote_action.isEnabled()  # nothing selected yet
    select_words(panel, "national dialogue")
    called = []
    monkeypatch.setattr(NewQuoteDialog, "ask", classmethod(lambda cls, *a: called.append(a)))
    panel.reader.setFocus()
    qtbot.keyClick(
        panel.reader,
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert called and called[0][1] == "national dialogue"
    assert store_counts(window)["quotes"] == 0  # the dialog was cancelled
    menu = panel.reader.context_menu(QPoint(5, 5))
    assert menu.actions()[0] is panel.new_quote_action and panel.new_quote_action.isEnabled()
    menu.deleteLater()
    called.clear()
    panel.new_quote_action.trigger()
    assert called and called[0][1] == "national dialogue"


def test_clicking_a_highlight_shows_its_quote(window, monkeypatch, tmp_path, qtbot):
    path = tmp_path / "letter.txt"
    path.write_bytes(LETTER.encode("utf-8"))
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    panel = window.sources_panel
    first = make_quote(panel, monkeypatch, "general purpose IBM facial recognition", "IBM")
    make_quote(panel, monkeypatch, "national dialogue", "IBM")
    panel.show_source(panel.document.id)  # nothing chosen
    assert "Click a highlighted passage" in panel.quote_detail.toPlainText()
    offset = LETTER.index("purpose IBM")
    cursor = QTextCursor(panel.reader.document())
    cursor.setPosition(panel.reader.positions.to_document(offset))
    point = panel.reader.cursorRect(cursor).center()
    qtbot.mouseClick(panel.reader.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert panel.quote_list.currentIndex().data(sources_ui.QuoteIdRole) == first
    assert "general purpose IBM facial recognition" in panel.quote_detail.toPlainText()
    assert len(panel.reader.extraSelections()) == 2


def test_report_and_primary_document_side_by_side(window, monkeypatch, tmp_path):
    """The issue's 'done when': which quotes match, which differ in typography, which changed."""
    letter = tmp_path / "letter.txt"
    letter.write_bytes(LETTER.encode("utf-8"))
    report = tmp_path / "report.html"
    report.write_text(REPORT, encoding="utf-8")
    import_by_menu(
        window,
        monkeypatch,
        letter,
        {"title": "IBM letter to Congress", "publisher": "IBM", "published": dt.date(2020, 6, 8)},
    )
    panel = window.sources_panel
    make_quote(panel, monkeypatch, "IBM no longer offers general purpose IBM facial", "IBM", 0)
    make_quote(panel, monkeypatch, "We believe now is the time to begin a national", "IBM")
    make_quote(
        panel,
        monkeypatch,
        "now is the time to begin a national dialogue on whether and how facial recognition "
        "technology should be employed by domestic law enforcement agencies.",
        "Arvind Krishna",
    )
    import_by_menu(window, monkeypatch, report)
    exact = make_quote(
        panel, monkeypatch, "IBM no longer offers general purpose IBM facial", "Arvind Krishna"
    )
    typography = make_quote(
        panel, monkeypatch, "we believe now is the time \u2014 to begin a national", "IBM"
    )
    changed = make_quote(
        panel,
        monkeypatch,
        "now is the time to begin a national debate on whether facial recognition should be "
        "employed by police.",
        "Arvind Krishna",
    )
    rows = {
        panel.quotes.check(r).id: panel.quotes.index(r, 0).data()
        for r in range(panel.quotes.rowCount())
    }
    assert "matches another source word for word" in rows[exact]
    assert "matches another source except for typography" in rows[typography]
    assert "conflicts with 1 quote in other sources" in rows[changed]

    panel.show_quote(changed)
    shown = panel.quote_detail.toHtml()
    text = panel.quote_detail.toPlainText()
    assert "Conflict: the words differ in IBM letter to Congress" in text
    assert "This source: IBM quits facial recognition" in text
    # The changed words are marked on both sides (underlined), not by colour alone.
    assert "debate" in text and "dialogue" in text
    assert "text-decoration: underline" in shown
    window.grab().save(str(tmp_path / "sources-conflict.png"))
    panel.show_quote(typography)
    assert "Same words; only typography differs" in panel.quote_detail.toPlainText()
    window.grab().save(str(tmp_path / "sources-typography.png"))


def test_a_tampered_source_is_reported_and_cannot_be_quoted(window, monkeypatch, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    with sqlite3.connect(window.store.path) as connection:
        connection.execute("UPDATE sources SET text = text || 'extra'")
    panel = window.sources_panel
    panel.reload()  # the list is read in the background
    window.runner.wait_idle()
    assert panel.warning.isVisibleTo(panel)
    assert "changed since it was imported" in panel.warning.text()
    select_words(panel, "national dialogue")
    assert not panel.new_quote_button.isEnabled()


def test_dialogs_return_what_the_user_chose(qtbot):
    extracted = Extracted(kind="text", text="x")
    dialog = SourceFactsDialog(None, "memo.txt", extracted)
    qtbot.addWidget(dialog)
    assert dialog.facts() == {"title": "memo", "publisher": "", "published": None, "url": ""}
    dialog.url.setText(" https://www.gov.example/memo ")
    assert dialog.facts()["url"] == "https://www.gov.example/memo"
    dialog.publisher.setText("Home Office")
    dialog.date.setText("2021-02-03")
    assert dialog.facts()["published"] == dt.date(2021, 2, 3)
    assert dialog.facts()["publisher"] == "Home Office"

    from briefing.core.quotes import SpeakerChoice

    speakers = [SpeakerChoice(1, "IBM", ""), SpeakerChoice(2, "Arvind Krishna", "IBM")]
    quote = NewQuoteDialog(None, "words", speakers, 2, None)
    qtbot.addWidget(quote)
    assert quote.speaker.currentText() == "Arvind Krishna (for IBM)"
    assert quote.choice() == (2, None, "direct")
    quote.reported.setChecked(True)
    assert quote.date_label.text() == "Reported &on:"
    assert quote.choice() == (2, None, "reported")
    for widget in (dialog, quote):
        for child in widget.findChildren(QWidget):
            inner = child.objectName().startswith("qt_")  # a part of a Qt control
            focusable = child.focusPolicy() != Qt.FocusPolicy.NoFocus
            if not inner and focusable and child.isVisibleTo(widget):
                assert child.accessibleName() or isinstance(child, QAbstractButton), child


def test_quote_list_model_passes_the_model_tester(qtmodeltester, window, monkeypatch, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    make_quote(window.sources_panel, monkeypatch, "national dialogue", "IBM")
    model = QuoteListModel()
    model.set_checks(window.sources_panel.checks)
    qtmodeltester.check(model)


def test_the_view_menu_goes_to_the_sources_tab(window):
    window.toggle_detail.setChecked(False)
    window.side_tabs.setVisible(False)
    assert window.show_sources_action in window.view_menu.actions()
    window.show_sources_action.trigger()
    assert window.side_tabs.isVisible()
    assert window.side_tabs.currentWidget() is window.sources_panel
    # An empty store says how to begin.
    assert "Import a .txt, .md, .html or .pdf" in window.sources_panel.reader.placeholderText()


def test_reading_a_file_runs_off_the_gui_thread_with_progress(window, monkeypatch, tmp_path):
    """A big PDF is read while the window keeps drawing; the dialog counts its pages."""
    import threading

    real_read = source_import.read_file
    release = threading.Event()
    threads = []

    def slow_read(path, *, progress, cancelled):
        threads.append(threading.current_thread())
        progress(1, 3)
        if not release.wait(timeout=20):
            raise AssertionError("the test never let the read finish")
        return real_read(path, progress=progress, cancelled=cancelled)

    monkeypatch.setattr(source_import, "read_file", slow_read)
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    monkeypatch.setattr(source_import, "choose_source_file", lambda parent: path)
    monkeypatch.setattr(
        SourceFactsDialog,
        "ask",
        classmethod(lambda *a: {"title": "L", "publisher": "", "published": None}),
    )
    window.import_source_action.trigger()  # returns at once: the read waits in its thread
    importing = window.sources_panel.importing
    assert importing is not None
    window.qtbot.waitUntil(lambda: importing.progress.value() == 1)
    assert importing.progress.maximum() == 3
    assert "Reading letter.txt" in importing.progress.labelText()
    assert importing.progress.labelText() == "Reading letter.txt: page 1 of 3"
    assert threads and threads[0] is not threading.main_thread()
    release.set()
    wait_for_import(window)
    assert store_counts(window)["sources"] == 1
    assert window.sources_panel.document.text == LETTER


@pytest.mark.parametrize("phase", ["reading", "storing"])
def test_cancelling_an_import_stores_nothing(window, monkeypatch, tmp_path, phase):
    import threading

    from briefing.core import sources as core_sources

    release = threading.Event()
    real_read = source_import.read_file

    def wait_for_cancel(cancelled):
        if not release.wait(timeout=20):
            raise AssertionError("the test never let the import go on")
        assert cancelled()

    def read(path, *, progress, cancelled):
        if phase == "reading":
            wait_for_cancel(cancelled)
        return real_read(path, progress=progress, cancelled=cancelled)

    real_store = core_sources._store_passages

    def store(session, source_id, text, spans):
        real_store(session, source_id, text, spans)
        if phase == "storing":  # the row has committed, a step of passages is written
            wait_for_cancel(window.sources_panel.importing.job._cancel.is_set)

    monkeypatch.setattr(source_import, "read_file", read)
    monkeypatch.setattr(core_sources, "_store_passages", store)
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    before = store_counts(window)
    monkeypatch.setattr(source_import, "choose_source_file", lambda parent: path)
    monkeypatch.setattr(
        SourceFactsDialog,
        "ask",
        classmethod(lambda *a: {"title": "L", "publisher": "", "published": None}),
    )
    window.import_source_action.trigger()
    importing = window.sources_panel.importing
    expected = "Reading" if phase == "reading" else "Storing"
    window.qtbot.waitUntil(lambda: expected in importing.progress.labelText())
    (cancel,) = [
        b for b in importing.progress.findChildren(QAbstractButton) if b.text() == "Cancel"
    ]
    cancel.click()
    release.set()
    wait_for_import(window)
    assert store_counts(window) == before
    assert window.errors == []
    assert "nothing was stored" in window.statusBar().currentMessage()


def test_closing_the_window_during_an_import_stops_it(window, monkeypatch, tmp_path):
    import threading

    started = threading.Event()

    def read(path, *, progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        from briefing.core.sources import ImportCancelled

        raise ImportCancelled("cancelled")

    monkeypatch.setattr(source_import, "read_file", read)
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    before = store_counts(window)
    monkeypatch.setattr(source_import, "choose_source_file", lambda parent: path)
    window.import_source_action.trigger()
    assert started.wait(timeout=20)
    importing = window.sources_panel.importing
    window.close()  # waits for the worker, which stops at the next page
    assert all(job.isFinished() for job in importing._jobs)
    assert store_counts(window) == before


def test_a_file_already_stored_is_refused_before_asking_anything(window, monkeypatch, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    before = store_counts(window)
    asked = import_by_menu(
        window, monkeypatch, path, {"title": "X", "publisher": "", "published": None}
    )
    assert asked == []
    assert window.errors == [
        "letter.txt holds the same text as source 1 (L), which is already stored; nothing was "
        "imported"
    ]
    assert store_counts(window) == before


STORY = __import__("pathlib").Path(__file__).parent / "story"


def write_statement_pdf(path) -> None:
    """The story's primary document as an office program would write it: two A4 pages, with
    the ligatures ("o\ufb03cers") and line breaks a PDF's text comes back with."""
    from html import escape

    pages = (STORY / "statement.txt").read_text(encoding="utf-8").split("<<PAGE>>\n")
    html = ""
    for number, page in enumerate(pages):
        for index, paragraph in enumerate(p for p in page.split("\n\n") if p.strip()):
            brk = " style='page-break-before: always'" if number and not index else ""
            html += f"<p{brk}>{escape(paragraph).replace(chr(10), '<br>')}</p>"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle("Statement on Live Facial Recognition at Stratford")
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)


def test_the_story_of_a_news_report_and_the_statement_it_quotes(
    qtbot, empty_store, tmp_path, monkeypatch
):
    """Done when: a new user imports a news report and the primary document it quotes, makes
    quotes from both, and sees which match word for word, which differ only in typography, and
    which were changed, with the change marked, in the Sources tab and in the Details panel."""
    from briefing.store.models import Stakeholder, Topic

    with empty_store.writing() as session:
        met = Stakeholder(name="Metropolitan Police", kind="police")
        session.add(met)
        session.add(Topic(name="Live facial recognition", stakeholders=[met]))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(empty_store, settings)
    qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    window.qtbot = qtbot
    errors: list[str] = []
    monkeypatch.setattr(sources_ui, "show_error", lambda parent, title, msg: errors.append(msg))
    monkeypatch.setattr(source_import, "show_error", lambda parent, title, msg: errors.append(msg))
    window.errors = errors

    statement = tmp_path / "statement.pdf"
    write_statement_pdf(statement)
    asked = import_by_menu(
        window,
        monkeypatch,
        statement,
        {
            "title": "Statement on Live Facial Recognition at Stratford",
            "publisher": "Metropolitan Police",
            "published": dt.date(2020, 2, 11),
        },
    )
    assert asked == ["statement.pdf"]  # a PDF does not say who published it
    panel = window.sources_panel
    assert panel.document.kind == "pdf" and len(panel.document.page_starts) == 2
    text = panel.document.text
    primary = {}
    for words in (
        "targeted, intelligence-led, time-bound and geographically limited.",
        "We will publish the results of each deployment.",
        "person's data if an alert is generated",
    ):
        primary[words] = make_quote(panel, monkeypatch, words, "Metropolitan Police")
    # Words across a PDF's line break are selected as they stand.
    start = text.index("all other images")
    end = text.index("immediately.") + len("immediately.")
    panel.reader.select_span(start, end)
    primary["deleted"] = panel.new_quote()

    assert import_by_menu(window, monkeypatch, STORY / "report.html") == []  # it says it all
    assert panel.chooser.currentText() == (
        "Police scan shoppers\u2019 faces in Stratford \u2014 Example Gazette (0 quotes)"
    )
    assert "Subscribe" not in panel.document.text and "Most read" not in panel.document.text
    same = make_quote(
        panel,
        monkeypatch,
        "targeted, intelligence-led, time-bound and geographically limited.",
        "Metropolitan Police",
    )
    typography = make_quote(
        panel, monkeypatch, "person\u2019s data if an alert is generated", "Metropolitan Police"
    )
    changed = make_quote(
        panel,
        monkeypatch,
        "we will publish the results of every deployment.",
        "Metropolitan Police",
    )
    deleted = make_quote(
        panel, monkeypatch, "all other images are deleted within 24 hours.", "Metropolitan Police"
    )
    rows = {
        panel.quotes.check(r).id: panel.quotes.index(r, 0).data()
        for r in range(panel.quotes.rowCount())
    }
    assert rows[same].startswith("\u2713") and "matches another source word for word" in rows[same]
    assert "matches another source except for typography" in rows[typography]
    assert rows[changed].startswith("\u26a0")
    assert "conflicts with 1 quote in other sources" in rows[changed]
    assert "conflicts with 1 quote in other sources" in rows[deleted]
    assert not errors

    panel.show_quote(changed)
    shown = panel.quote_detail.toPlainText()
    assert "Conflict: the words differ in Statement on Live Facial Recognition" in shown
    assert "every" in shown and "each" in shown
    window.grab().save(str(tmp_path / "story-sources.png"))

    # The Details panel says the same of the statement's quotes, on the stakeholder's card.
    assert window.select_stakeholder("Metropolitan Police")
    window.side_tabs.setCurrentIndex(0)
    details = window.detail.toPlainText()
    assert (
        "Conflict: Police scan shoppers\u2019 faces in Stratford has these words differently"
        in (details)
    )
    assert "Agrees word for word with 1 quote in other sources" in details
    assert "Agrees except for typography with 1 quote in other sources" in details
    assert "deleted within 24 hours" in details
    window.grab().save(str(tmp_path / "story-details.png"))

    # The report's own words about the police are quoted as reported, and never as "said".
    reported = make_quote(
        panel,
        monkeypatch,
        "ran live facial recognition cameras for six hours",
        "Metropolitan Police",
        attribution="reported",
    )
    row = panel.quotes.index(panel.quotes.row_of(reported), 0).data()
    assert "\u2014 reported, about Metropolitan Police" in row
    panel.show_quote(reported)
    shown = panel.quote_detail.toPlainText()
    assert "reported, about Metropolitan Police" in shown and "reported 8 June 2020" in shown
    assert "said" not in shown


def test_files_dropped_during_an_import_wait_their_turn(window, monkeypatch, tmp_path):
    import threading

    real_read = source_import.read_file
    release = threading.Event()
    read_order = []

    def read(path, *, progress, cancelled):
        read_order.append(path.name)
        if path.name == "first.txt" and not release.wait(timeout=20):
            raise AssertionError("the test never let the read finish")
        return real_read(path, progress=progress, cancelled=cancelled)

    monkeypatch.setattr(source_import, "read_file", read)
    monkeypatch.setattr(
        SourceFactsDialog,
        "ask",
        classmethod(
            lambda cls, parent, name, ex, *_: {"title": name, "publisher": "", "published": None}
        ),
    )
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("The first source.")
    second.write_text("The second source.")
    running = sources_ui.import_files(window.sources_panel, [first])
    assert sources_ui.import_files(window.sources_panel, [second]) is running  # joins the queue
    window.qtbot.waitUntil(lambda: read_order == ["first.txt"])
    release.set()
    with window.qtbot.waitSignal(running.finished, timeout=20000) as finished:
        pass
    assert read_order == ["first.txt", "second.txt"]
    assert len(finished.args[0]) == 2
    assert window.sources_panel.chooser.currentText() == "second.txt (0 quotes)"


def test_a_pdf_export_keeps_every_conflict_to_the_last_line(demo_store, tmp_path, qapp):
    """The end of a long briefing was lost from the PDF: Qt had not laid out its last blocks
    after the contents' page numbers were filled in. The conflicts close Appendix B."""
    import io

    from pypdf import PdfReader

    from briefing.core.briefings import topic_content
    from briefing.core.quotes import add_quote
    from briefing.core.sources import import_source
    from briefing.export.pdf import render_pdf

    statement = tmp_path / "statement.pdf"
    write_statement_pdf(statement)
    met = "Metropolitan Police"
    with demo_store.writing() as session:
        primary = import_source(session, statement, publisher=met).id
        report = import_source(session, STORY / "report.html").id
        for source, words in (
            (primary, "We will publish the results of each deployment."),
            (primary, "all other images are deleted immediately."),
            (report, "we will publish the results of every deployment."),
            (report, "all other images are deleted within 24 hours."),
        ):
            add_quote(session, source, words, met)
    with demo_store.reading() as session:
        content = topic_content(session, 1)
    assert len(content.conflicting) == 4
    pdf = PdfReader(io.BytesIO(render_pdf(content)))
    text = "".join(page.extract_text() for page in pdf.pages)
    text = " ".join(text.split())
    for quote in content.conflicting:
        assert f"Q{quote.number} \u2014 \u201c{quote.text}\u201d" in text


def test_a_long_text_shows_at_once_and_is_checked_in_the_background(
    window, monkeypatch, tmp_path, qtbot
):
    """Over `CHECK_AT_ONCE` characters the reader shows the text without waiting for its sha256
    (a 30 MB text: a quarter of a second) or its quotations: both come back from a reader as
    one record. Until the check is in, the text takes no new quote; a changed text is then
    reported, whether it is newly shown or shown again."""
    monkeypatch.setattr(sources_ui, "CHECK_AT_ONCE", 10)  # every text here is long
    examined: list = []
    real = sources_ui.SourcesPanel._show_examined
    monkeypatch.setattr(
        sources_ui.SourcesPanel,
        "_show_examined",
        lambda self, found: (examined.append(found), real(self, found))[1],
    )
    path = tmp_path / "letter.txt"
    path.write_text(LETTER)
    import_by_menu(window, monkeypatch, path, {"title": "L", "publisher": "", "published": None})
    panel = window.sources_panel
    window.runner.wait_idle()
    examined.clear()

    panel.show_source(None)
    panel.show_source(panel.chooser.currentData())
    assert panel.reader.toPlainText().startswith(LETTER[:20])  # shown at once
    select_words(panel, "national dialogue")
    assert examined == [] and not panel.new_quote_button.isEnabled()  # not checked yet
    window.runner.wait_idle()
    assert [(e.intact, e.waiting) for e in examined] == [(True, 0)]  # no quotation marks
    assert panel.new_quote_button.isEnabled() and not panel.warning.isVisibleTo(panel)
    assert panel.suggestions_button.text() == "Suggested quotes (0)\u2026"

    with sqlite3.connect(window.store.path) as connection:
        connection.execute("UPDATE sources SET text = text || 'extra'")
    panel.reload()  # the same source shown again: read again in the background, and checked
    window.runner.wait_idle()
    assert examined[-1].intact is False
    assert panel.warning.isVisibleTo(panel)
    assert "changed since it was imported" in panel.warning.text()
    select_words(panel, "national dialogue")
    assert not panel.new_quote_button.isEnabled()
