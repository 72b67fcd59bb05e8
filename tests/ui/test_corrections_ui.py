"""Correcting and deleting quotes and sources in the Sources tab, and undoing it; the New quote
dialog's speaker comes from the text, never from the selected card."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from briefing.core.undo import dump
from briefing.store.models import Answer, Quote, Source, Stakeholder
from briefing.ui import corrections
from briefing.ui.sources import NewQuoteDialog


@pytest.fixture
def panel(window, monkeypatch):
    window.side_tabs.setCurrentWidget(window.sources_panel)
    asked: list[str] = []

    def confirm(parent, title, text):
        asked.append(text)
        return True

    monkeypatch.setattr(corrections, "confirm", confirm)
    window.sources_panel.asked = asked
    return window.sources_panel


def everything(window):
    with window.store.reading() as session:
        return dump(session)


def choose_quote(panel, quote_id: int) -> None:
    panel.quote_list.setCurrentIndex(panel.quotes.index(panel.quotes.row_of(quote_id), 0))


def _id(window, model, *where):
    with window.store.reading() as session:
        return session.scalars(select(model.id).where(*where)).first()


def test_fix_a_misattributed_quote_and_undo_it(window, panel, monkeypatch, tmp_path):
    quote_id = _id(window, Quote, Quote.attribution == "direct")
    liberty = _id(window, Stakeholder, Stakeholder.name == "Liberty")
    before = everything(window)
    choose_quote(panel, quote_id)
    assert panel.edit_quote_button.isEnabled() and panel.delete_quote_button.isEnabled()
    seen = []

    def ask(cls, parent, details, speakers):
        seen.append(details)
        return {
            "speaker": liberty,
            "said_on": dt.date(2020, 6, 10),
            "attribution": "reported",
            "tags": ["checked"],
        }

    monkeypatch.setattr(corrections.QuoteEditDialog, "ask", classmethod(ask))
    panel.edit_quote_button.click()
    assert seen[0].id == quote_id
    with window.store.reading() as session:
        quote = session.get(Quote, quote_id)
        assert (quote.speaker_id, quote.said_on, quote.attribution) == (
            liberty,
            dt.date(2020, 6, 10),
            "reported",
        )
        assert [t.name for t in quote.tags] == ["checked"]
    assert "Edit quote" in window.operations.undo_stack.undoText()
    panel.grab().save(str(tmp_path / "sources-tab-edit.png"))
    assert window.operations.undo()
    assert everything(window) == before
    assert window.operations.redo()
    assert everything(window) != before


def test_delete_a_quote_says_what_goes_and_undo_brings_it_back(window, panel):
    with window.store.reading() as session:
        quote_id = session.scalars(
            select(Answer.quote_id).where(Answer.quote_id.is_not(None))
        ).first()
    before = everything(window)
    choose_quote(panel, quote_id)
    panel.delete_quote_button.click()
    assert "backing quote" in panel.asked[-1] and "Undo" in panel.asked[-1]
    assert _id(window, Quote, Quote.id == quote_id) is None
    window.runner.wait_idle()  # the Sources list is read again in the background
    assert panel.quotes.row_of(quote_id) is None  # the list no longer shows it
    assert window.operations.undo()
    assert everything(window) == before
    window.runner.wait_idle()
    assert panel.quotes.row_of(quote_id) is not None


def test_a_refused_delete_changes_nothing(window, panel, monkeypatch):
    monkeypatch.setattr(corrections, "confirm", lambda *args: False)
    before = everything(window)
    choose_quote(panel, _id(window, Quote))
    panel.delete_quote_button.click()
    panel.delete_source_button.click()
    assert everything(window) == before and not window.operations.undo_stack.canUndo()


def test_edit_and_delete_a_source_undoably(window, panel, monkeypatch):
    source_id = _id(window, Source)
    before = everything(window)
    monkeypatch.setattr(
        corrections.SourceEditDialog,
        "ask",
        classmethod(
            lambda cls, parent, details: {
                "title": details.title,
                "publisher": "Tech Policy Daily",
                "author": "",
                "url": "https://techpolicy.example/ibm",
                "published": dt.date(2020, 6, 12),
            }
        ),
    )
    panel.edit_source_button.click()
    with window.store.reading() as session:
        source = session.get(Source, source_id)
        assert source.publisher == "Tech Policy Daily" and source.url.endswith("/ibm")
    window.runner.wait_idle()  # the Sources list is read again in the background
    assert "Tech Policy Daily" in panel.facts.text() and "2020-06-12" in panel.facts.text()
    panel.delete_source_button.click()
    assert "With it go 27 quotes" in panel.asked[-1]
    assert _id(window, Source) is None and _id(window, Quote) is None
    window.runner.wait_idle()
    assert panel.document is None
    assert window.operations.undo() and window.operations.undo()
    assert everything(window) == before
    assert panel.document is not None and panel.document.id == source_id


def test_a_bad_source_edit_says_why_and_changes_nothing(window, panel, monkeypatch):
    warned = []
    monkeypatch.setattr("briefing.ui.editing.warn", lambda parent, title, text: warned.append(text))
    monkeypatch.setattr(
        corrections.SourceEditDialog,
        "ask",
        classmethod(
            lambda cls, parent, details: {
                "title": "x",
                "publisher": "",
                "author": "",
                "url": "not an address with spaces",
                "published": None,
            }
        ),
    )
    before = everything(window)
    panel.edit_source_button.click()
    assert warned and "no spaces" in warned[0]
    assert everything(window) == before


def test_new_quotes_speaker_starts_from_the_text_not_the_selected_card(window, panel, monkeypatch):
    window.select_stakeholder("Amazon")  # a card that has nothing to do with the words
    offered = []
    monkeypatch.setattr(
        NewQuoteDialog, "ask", classmethod(lambda cls, *args: offered.append(args) or None)
    )
    text = panel.document.text
    start = text.index("IBM firmly opposes")
    panel.reader.select_span(start, start + len("IBM firmly opposes"))
    panel.new_quote()
    with window.store.reading() as session:
        ibm = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
    assert offered[-1][3] == ibm
    # Words with no stakeholder named in or next to them: nobody, not Amazon.
    names = {choice.name.casefold() for choice in offered[-1][2]}
    for start in range(0, len(text) - 20, 97):
        nearby = text[max(0, start - 300) : start + 320].casefold()
        if not any(name in nearby for name in names):
            break
    else:
        pytest.skip("every passage of the demo source names a stakeholder")
    panel.reader.select_span(start, start + 20)
    panel.new_quote()
    assert offered[-1][3] is None


def test_the_new_quote_dialog_starts_empty_and_cannot_add_without_a_speaker(qtbot, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    from briefing.core.quotes import SpeakerChoice

    speakers = [SpeakerChoice(1, "IBM", ""), SpeakerChoice(2, "Amazon", "")]
    dialog = NewQuoteDialog(None, "some words", speakers, None, None)
    qtbot.addWidget(dialog)
    add = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.speaker.currentIndex() == -1 and not add.isEnabled()
    dialog.speaker.setCurrentIndex(1)
    assert add.isEnabled() and dialog.choice()[0] == 2
    dialog.grab().save(str(tmp_path / "new-quote.png"))
