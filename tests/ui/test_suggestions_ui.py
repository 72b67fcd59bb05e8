"""The Done-when, tried as a new user would in the window: IBM's letter as IBM's primary
document flags the demo's reworded quote; a news article's quotes accepted in a few clicks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from briefing.core.quotes import check_quotes
from briefing.store.models import Quote, Stakeholder
from briefing.ui import source_import
from briefing.ui import sources as sources_ui
from briefing.ui.sources import SourceFactsDialog
from briefing.ui.suggestions import SuggestionModel

DATA = Path(__file__).parent.parent / "data"
LETTER = DATA / "primary" / "ibm-letter-2020-06-08.txt"
ARTICLE = DATA / "suggestions" / "04-company-exit.txt"


def _import(window, qtbot, monkeypatch, path: Path, facts: dict) -> None:
    monkeypatch.setattr(source_import, "choose_source_file", lambda parent: path)
    errors: list[str] = []
    monkeypatch.setattr(sources_ui, "show_error", lambda parent, title, msg: errors.append(msg))
    monkeypatch.setattr(source_import, "show_error", lambda parent, title, msg: errors.append(msg))

    def ask(cls, parent, name, extracted, owners=None):
        dialog = cls(parent, name, extracted, owners)  # the real dialog, its stakeholder list
        index = dialog.primary_for.findText(facts.pop("primary_name", ""))
        dialog.primary_for.setCurrentIndex(max(index, 0))
        return dialog.facts() | facts

    monkeypatch.setattr(SourceFactsDialog, "ask", classmethod(ask))
    window.import_source_action.trigger()
    qtbot.waitUntil(lambda: window.sources_panel.importing is None, timeout=20000)
    assert errors == []


@pytest.fixture
def with_letter(window, qtbot, monkeypatch):
    _import(
        window, qtbot, monkeypatch, LETTER,
        {"title": "Letter to Congress", "publisher": "IBM", "published": dt.date(2020, 6, 8),
         "primary_name": "IBM"},
    )  # fmt: skip
    return window


def test_the_letter_as_ibms_primary_document_flags_the_reworded_quote(with_letter, tmp_path):
    window = with_letter
    panel = window.sources_panel
    assert "primary document of IBM" in panel.facts.text()
    assert window.select_stakeholder("IBM")
    window.side_tabs.setCurrentWidget(window.detail)
    text = window.detail.toPlainText()
    assert "Reworded: the primary document Letter to Congress (IBM) says" in text
    assert "no longer offers general purpose IBM facial recognition or analysis software" in text
    window.detail.find("Reworded")
    window.grab().save(str(tmp_path / "details-reworded.png"))
    # The demo report's quote panel sets the two side by side.
    with window.store.reading() as session:
        quote = session.scalars(select(Quote.id).where(Quote.text.like("now not affords%"))).one()
    window.side_tabs.setCurrentWidget(panel)
    panel.reload(select_source=1)
    window.runner.wait_idle()  # the list is read in the background
    panel.show_quote(quote)
    assert "Primary document: Letter to Congress" in panel.quote_detail.toHtml()
    window.grab().save(str(tmp_path / "sources-reworded.png"))


def test_marking_a_source_primary_from_the_sources_tab_is_undoable(window, monkeypatch):
    panel = window.sources_panel
    window.side_tabs.setCurrentWidget(panel)  # a hidden Sources tab reads no source
    panel.show_source(1)
    monkeypatch.setattr(sources_ui, "choose_primary_owner", lambda parent, names, cur: "IBM")
    panel.choose_primary()
    window.runner.wait_idle()  # the Sources list is read again in the background
    assert panel.primary_for == ["IBM"]
    assert "primary document of IBM" in panel.facts.text()
    window.operations.undo()
    window.runner.wait_idle()
    assert panel.primary_for == []


def test_a_news_articles_quotes_are_accepted_in_a_few_clicks(window, qtbot, monkeypatch, tmp_path):
    _import(
        window, qtbot, monkeypatch, ARTICLE,
        {"title": "Second tech firm quits", "publisher": "Example News",
         "published": dt.date(2020, 6, 15)},
    )  # fmt: skip
    panel = window.sources_panel
    source_id = panel.document.id
    # The count is found off the GUI thread and shown when it arrives.
    qtbot.waitUntil(lambda: panel.suggestions_button.isEnabled())
    assert panel.suggestions_button.text() == "Suggested quotes (5)\u2026"
    dialog = panel.show_suggestions()
    qtbot.addWidget(dialog)
    model = dialog.model
    assert model.rowCount() == 5
    assert [model.suggestion(r).speaker for r in range(5)] == (
        ["Samuel Ortiz"] * 3 + ["Jane Whitfield"] * 2
    )
    assert "new stakeholder: Samuel Ortiz" in model.data(model.index(0, 3))
    dialog.grab().save(str(tmp_path / "suggestions.png"))
    # One click (a double-click on the row) makes one quote...
    dialog.table.doubleClicked.emit(model.index(3, 1))
    # ...and one more makes the rest that are ticked.
    assert model.ticked() == [1, 2, 3, 5]
    dialog.make_ticked.click()
    assert model.ticked() == []
    qtbot.waitUntil(lambda: panel.suggestions_button.text() == "Suggested quotes (0)\u2026")
    with window.store.reading() as session:
        checks = check_quotes(session, source_id=source_id)
        names = set(session.scalars(select(Stakeholder.name)))
    assert [(c.speaker, c.verification.status) for c in checks] == [
        ("Samuel Ortiz", "exact"), ("Samuel Ortiz", "exact"), ("Samuel Ortiz", "exact"),
        ("Jane Whitfield", "exact"), ("Jane Whitfield", "exact"),
    ]  # fmt: skip
    assert {"Samuel Ortiz", "Jane Whitfield"} <= names
    # The new speakers join the topic on screen, as cards.
    assert window.select_stakeholder("Samuel Ortiz")
    # Undo takes the last step back: three quotes (and Samuel Ortiz) go.
    window.operations.undo()
    with window.store.reading() as session:
        assert len(check_quotes(session, source_id=source_id)) == 1
    dialog.close()


def test_a_speaker_given_in_the_dialog_is_used(window, qtbot, monkeypatch):
    _import(
        window, qtbot, monkeypatch, DATA / "suggestions" / "03-civil-liberties-report.txt",
        {"title": "Watchdog", "publisher": "News", "published": dt.date(2021, 1, 1)},
    )  # fmt: skip
    dialog = window.sources_panel.show_suggestions()
    qtbot.addWidget(dialog)
    model = dialog.model
    row = next(r for r in range(model.rowCount()) if model.suggestion(r).speaker is None)
    assert model.suggestion(row).number not in model.ticked()  # no speaker: not ticked
    dialog.table.selectRow(row)
    dialog.speaker.setEditText("UK regulators")
    dialog._accept_current()
    with window.store.reading() as session:
        made = session.scalars(
            select(Stakeholder.name)
            .join(Quote, Quote.speaker_id == Stakeholder.id)
            .where(Quote.source_id == window.sources_panel.document.id)
        ).all()
    assert made == ["UK regulators"]
    dialog.close()


def test_the_suggestion_model_passes_the_model_tester(qtmodeltester, window):
    from briefing.core.suggestions import suggest_quotes

    with window.store.reading() as session:
        found = suggest_quotes(session, 1)
    model = SuggestionModel()
    model.set_suggestions(found)
    qtmodeltester.check(model)
