"""The one date field in every dialog and panel that takes a date: Edit quote, Edit source, the
source import dialog, New quote, the briefing's date and the search panel's range. Typing a whole
date over a selected one replaces it; `9 June 2020` and `9/6/2020` are read in the user's locale
order; a wrong date is refused in words and nothing is saved; an empty date is allowed where the
record allows none."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from briefing.core import briefings as briefings_core
from briefing.core.sources import Extracted
from briefing.core.undo import dump
from briefing.store.models import Quote, Source
from briefing.ui import corrections
from briefing.ui.datefield import DateField
from briefing.ui.sources import NewQuoteDialog, SourceFactsDialog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def british_locale():
    """Day before month, as in the UK: 9/6/2020 is 9 June 2020."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield
    QLocale.setDefault(before)


def everything(window):
    with window.store.reading() as session:
        return dump(session)


def when_shown(qtbot, kind: type[QDialog], drive) -> list:
    """Run `drive(dialog)` once a modal `kind` is up; on a failure, close it so exec returns."""
    failures: list = []
    timer = QTimer(interval=20)

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            return
        timer.stop()
        try:
            dialog.activateWindow()  # as a window manager does; offscreen Qt does not
            qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
            drive(dialog)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            failures.append(error)
            dialog.reject()

    timer.timeout.connect(look)
    timer.start()
    return failures


def retype(qtbot, field: DateField, text: str) -> None:
    """Select the whole date from the keyboard and type another over it."""
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def check_typing(qtbot, dialog, field: DateField, shortcut: str, old: str) -> None:
    """The field's mnemonic selects the whole old date; typing replaces it; both everyday forms
    are read; a wrong date is refused in words on Enter and the dialog stays open."""
    qtbot.keyClick(dialog, shortcut, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: field.hasFocus() and field.selectedText() == old)
    qtbot.keyClicks(field, "2019-01-24")
    assert field.text() == "2019-01-24" and field.day() == dt.date(2019, 1, 24)
    for typed in ("9 June 2020", "9/6/2020"):
        retype(qtbot, field, typed)
        assert field.day() == dt.date(2020, 6, 9), typed
        assert dialog.problem.text() == ""
    retype(qtbot, field, "31/2/2020")
    assert "there is no 31 February 2020" in dialog.problem.text()
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.text().startswith("Not saved yet:")
    assert "there is no 31 February 2020" in dialog.problem.text()


def _quote_with_date(window) -> int:
    with window.store.reading() as session:
        return session.scalars(select(Quote.id).where(Quote.said_on.is_not(None))).first()


def test_edit_quote_takes_typed_dates_and_refuses_a_wrong_one(window, qtbot):
    quote_id = _quote_with_date(window)
    with window.store.reading() as session:
        old = session.get(Quote, quote_id).said_on.isoformat()
    before = everything(window)

    def wrong(dialog):
        check_typing(qtbot, dialog, dialog.date, "o", old)
        qtbot.keyClick(dialog.date, Qt.Key.Key_Escape)

    failures = when_shown(qtbot, corrections.QuoteEditDialog, wrong)
    assert not corrections.edit_quote(window.context, quote_id)
    assert not failures, failures
    assert everything(window) == before

    def right(dialog):
        qtbot.keyClick(dialog, "o", Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.date.selectedText() == old)
        qtbot.keyClicks(dialog.date, "9/6/2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    failures = when_shown(qtbot, corrections.QuoteEditDialog, right)
    assert corrections.edit_quote(window.context, quote_id)
    assert not failures, failures
    with window.store.reading() as session:
        assert session.get(Quote, quote_id).said_on == dt.date(2020, 6, 9)

    def empty(dialog):  # a quote may have no date: emptying the field is allowed
        qtbot.keyClick(dialog, "o", Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.date.selectedText() == "2020-06-09")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Delete)
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    failures = when_shown(qtbot, corrections.QuoteEditDialog, empty)
    assert corrections.edit_quote(window.context, quote_id)
    assert not failures, failures
    with window.store.reading() as session:
        assert session.get(Quote, quote_id).said_on is None


def test_edit_source_takes_typed_dates_and_refuses_a_wrong_one(window, qtbot, tmp_path):
    with window.store.reading() as session:
        source_id, published = session.execute(
            select(Source.id, Source.published).where(Source.published.is_not(None))
        ).first()
    before = everything(window)

    def wrong(dialog):
        dialog.grab().save(str(tmp_path / "edit-source.png"))
        check_typing(qtbot, dialog, dialog.date, "b", published.isoformat())
        dialog.grab().save(str(tmp_path / "edit-source-refused.png"))
        qtbot.keyClick(dialog.date, Qt.Key.Key_Escape)

    failures = when_shown(qtbot, corrections.SourceEditDialog, wrong)
    assert not corrections.edit_source(window.context, source_id)
    assert not failures, failures
    assert everything(window) == before

    def right(dialog):
        qtbot.keyClick(dialog, "b", Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.date.selectedText() == published.isoformat())
        qtbot.keyClicks(dialog.date, "9 June 2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    failures = when_shown(qtbot, corrections.SourceEditDialog, right)
    assert corrections.edit_source(window.context, source_id)
    assert not failures, failures
    with window.store.reading() as session:
        assert session.get(Source, source_id).published == dt.date(2020, 6, 9)


def test_the_import_dialog_takes_typed_dates_and_refuses_a_wrong_one(qtbot, tmp_path):
    extracted = Extracted(kind="text", text="x", published=dt.date(2021, 2, 3))

    def wrong(dialog):
        check_typing(qtbot, dialog, dialog.date, "b", "2021-02-03")
        dialog.grab().save(str(tmp_path / "import-refused.png"))
        qtbot.keyClick(dialog.date, Qt.Key.Key_Escape)

    failures = when_shown(qtbot, SourceFactsDialog, wrong)
    assert SourceFactsDialog.ask(None, "memo.txt", extracted, owners=[]) is None
    assert not failures, failures

    def right(dialog):
        qtbot.keyClick(dialog, "b", Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.date.selectedText() == "2021-02-03")
        qtbot.keyClicks(dialog.date, "9/6/2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    failures = when_shown(qtbot, SourceFactsDialog, right)
    facts = SourceFactsDialog.ask(None, "memo.txt", extracted, owners=[])
    assert not failures, failures
    assert facts["published"] == dt.date(2020, 6, 9)

    undated = Extracted(kind="text", text="x")
    failures = when_shown(
        qtbot, SourceFactsDialog, lambda d: qtbot.keyClick(d.title, Qt.Key.Key_Return)
    )
    assert SourceFactsDialog.ask(None, "memo.txt", undated, owners=[])["published"] is None
    assert not failures, failures


def test_new_quote_takes_typed_dates_and_refuses_a_wrong_one(qtbot):
    from briefing.core.quotes import SpeakerChoice

    speakers = [SpeakerChoice(1, "IBM", "")]

    def wrong(dialog):
        check_typing(qtbot, dialog, dialog.date, "o", "2020-06-10")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Escape)

    failures = when_shown(qtbot, NewQuoteDialog, wrong)
    assert NewQuoteDialog.ask(None, "words", speakers, 1, dt.date(2020, 6, 10)) is None
    assert not failures, failures

    def right(dialog):
        qtbot.keyClick(dialog, "o", Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.date.selectedText() == "2020-06-10")
        qtbot.keyClicks(dialog.date, "9 June 2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    failures = when_shown(qtbot, NewQuoteDialog, right)
    assert NewQuoteDialog.ask(None, "words", speakers, 1, dt.date(2020, 6, 10)) == (
        1,
        dt.date(2020, 6, 9),
        "direct",
    )
    assert not failures, failures


def test_the_briefing_date_takes_typed_dates_and_refuses_a_wrong_one(window, qtbot, tmp_path):
    window.side_tabs.setCurrentWidget(window.briefings)
    panel = window.briefings
    panel.new_title.setText("For the committee")
    qtbot.keyClick(panel.new_title, Qt.Key.Key_Return)
    briefing_id = panel.current_id()
    assert briefing_id is not None

    def saved():
        with window.store.reading() as session:
            return briefings_core.get_briefing(session, briefing_id).dated

    old = saved().isoformat()
    panel.dated.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: panel.dated.selectedText() == old)
    qtbot.keyClicks(panel.dated, "2019-01-24")
    qtbot.keyClick(panel.dated, Qt.Key.Key_Return)
    assert saved() == dt.date(2019, 1, 24)
    for typed in ("9 June 2020", "9/6/2020"):
        retype(qtbot, panel.dated, "2001-01-01")
        qtbot.keyClick(panel.dated, Qt.Key.Key_Return)
        retype(qtbot, panel.dated, typed)
        qtbot.keyClick(panel.dated, Qt.Key.Key_Return)
        assert saved() == dt.date(2020, 6, 9), typed
    before = everything(window)
    retype(qtbot, panel.dated, "31/2/2020")
    qtbot.keyClick(panel.dated, Qt.Key.Key_Return)
    assert panel.date_problem.isVisible()
    assert "there is no 31 February 2020" in panel.date_problem.text()
    assert everything(window) == before
    panel.grab().save(str(tmp_path / "briefing-date-refused.png"))
    retype(qtbot, panel.dated, "")
    qtbot.keyClick(panel.dated, Qt.Key.Key_Backspace)
    qtbot.keyClick(panel.dated, Qt.Key.Key_Return)
    assert saved() is None and not panel.date_problem.isVisible()  # a briefing may be undated


def test_the_search_dates_take_typed_dates_and_refuse_a_wrong_one(window, qtbot, tmp_path):
    panel = window.search.panel
    window.side_tabs.setCurrentWidget(panel)
    panel.filters_button.setChecked(True)
    panel.field.setText("facial")
    panel.run_query()
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    panel.date_from.setText("2001-01-01")
    # Their own letters, used by nothing else in the window (not File's F, not Topic's T).
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(panel.field, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(panel.date_to.hasFocus)
    qtbot.keyClick(panel.date_to, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: panel.date_from.selectedText() == "2001-01-01")
    qtbot.keyClicks(panel.date_from, "2019-01-24")
    assert panel.current_filters().date_from == dt.date(2019, 1, 24)
    for typed in ("9 June 2020", "9/6/2020"):
        retype(qtbot, panel.date_from, typed)
        qtbot.keyClick(panel.date_from, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
        assert panel.current_filters().date_from == dt.date(2020, 6, 9), typed
        assert "result" in panel.status.text() or "Nothing matches" in panel.status.text()
    retype(qtbot, panel.date_to, "31/2/2020")
    qtbot.keyClick(panel.date_to, Qt.Key.Key_Return)
    assert "there is no 31 February 2020" in panel.status.text()
    retype(qtbot, panel.date_to, "1 January 2020")
    qtbot.keyClick(panel.date_to, Qt.Key.Key_Return)
    assert "the dates run backwards" in panel.status.text().lower()
    assert panel.model.rowCount() == 0
    panel.grab().save(str(tmp_path / "search-dates-refused.png"))


def test_no_other_date_entry_is_left_in_the_window_code():
    found = subprocess.run(
        ["grep", "-rn", r"QDateEdit\|QDate\b\|QDateTimeEdit", "briefing/ui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    lines = [line for line in found.splitlines() if not line.startswith("briefing/ui/datefield.py")]
    assert lines == []
