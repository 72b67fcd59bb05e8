"""The end of an import reads what the new source changed, and nothing else.

On the 100,000-quote, 10,000-source store the window stalled about half a second when a big
import finished: the import announced "a source changed", so every card of the topic and the
whole Sources list were read again on the GUI thread, though a new source is on no card. These
tests hold the work, not the time: which reads an import makes, and on which thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from briefing.core import cards as core_cards
from briefing.core.changes import Changes, Edited, added_record
from briefing.core.info import counts
from briefing.ui import source_import
from briefing.ui import sources as sources_ui

DATA = Path(__file__).resolve().parents[1] / "data"
LETTER = DATA / "primary" / "ibm-letter-2020-06-08.txt"


@pytest.fixture
def reads(monkeypatch):
    """Every read of the topic's cards (`topic_cards`) and of the Sources list
    (`list_sources`), with the thread each ran on."""
    made: dict[str, list[threading.Thread]] = {"cards": [], "sources": []}
    real_cards, real_list = core_cards.topic_cards, sources_ui.list_sources

    def cards(session, topic_id, **kwargs):
        made["cards"].append(threading.current_thread())
        return real_cards(session, topic_id, **kwargs)

    def listed(session, **kwargs):
        made["sources"].append(threading.current_thread())
        return real_list(session, **kwargs)

    monkeypatch.setattr(core_cards, "topic_cards", cards)
    monkeypatch.setattr(sources_ui, "list_sources", listed)
    return made


def import_letter(window, qtbot, monkeypatch, tmp_path, primary_for: str | None = None) -> None:
    path = tmp_path / "letter.txt"
    path.write_text(LETTER.read_text(encoding="utf-8"), encoding="utf-8")
    facts = {"title": "A new letter", "publisher": "Bench", "published": None}
    if primary_for is not None:
        facts["primary_for"] = primary_for
    monkeypatch.setattr(
        sources_ui.SourceFactsDialog, "ask", classmethod(lambda cls, *args: dict(facts))
    )
    monkeypatch.setattr(source_import, "_needs_asking", lambda extracted: True)
    source_import.import_files(window.sources_panel, [path])
    qtbot.waitUntil(lambda: window.sources_panel.importing is None, timeout=20000)
    assert window.runner.wait_idle()


def test_an_import_reads_no_card_and_the_sources_list_once_off_the_gui_thread(
    window, qtbot, monkeypatch, tmp_path, reads
):
    window.side_tabs.setCurrentWidget(window.detail)  # the Sources tab hidden, as when importing
    window.runner.wait_idle()
    cards_before = list(window.cards.ids())
    reads["cards"].clear()
    reads["sources"].clear()

    import_letter(window, qtbot, monkeypatch, tmp_path)

    assert reads["cards"] == []  # a new source is on no card
    assert len(reads["sources"]) == 1  # the list, once
    assert reads["sources"][0] is not threading.main_thread()
    panel = window.sources_panel
    assert panel.document is not None and panel.document.title == "A new letter"
    assert panel.chooser.currentText() == "A new letter \u2014 Bench (0 quotes)"
    assert window.side_tabs.currentWidget() is panel  # shown once it is read
    assert list(window.cards.ids()) == cards_before
    with window.store.reading() as session:
        sources = counts(session)["sources"]
    qtbot.waitUntil(lambda: f"{sources} sources" in window.statusBar().currentMessage()
                    or "Imported 1 source" in window.statusBar().currentMessage())


def test_an_import_that_marks_a_primary_document_reads_the_cards(
    window, qtbot, monkeypatch, tmp_path, reads
):
    # Someone's own document checks their quotes on the cards: those are read again.
    window.runner.wait_idle()
    reads["cards"].clear()
    import_letter(window, qtbot, monkeypatch, tmp_path, primary_for="IBM")
    assert reads["cards"]
    assert len(reads["sources"]) == 1


def test_a_source_in_the_list_stays_chosen_and_scrolled_when_the_list_is_read_again(
    window, qtbot, monkeypatch, tmp_path, reads
):
    import_letter(window, qtbot, monkeypatch, tmp_path)
    panel = window.sources_panel
    chosen = panel.document.id
    bar = panel.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    place = bar.value()
    reads["sources"].clear()
    # Another source's title edited: the list is read again, on a reader.
    other = next(i for i in range(panel.chooser.count()) if panel.chooser.itemData(i) != chosen)
    window.operations.changed.emit(
        Edited(frozenset({"source", "quote"}), panel.chooser.itemData(other), "edited")
    )
    window.runner.wait_idle()
    assert len(reads["sources"]) == 1 and reads["sources"][0] is not threading.main_thread()
    assert panel.chooser.currentData() == chosen and panel.document.id == chosen
    assert bar.value() == place


def test_what_an_announcement_says_happened():
    assert added_record(Edited(frozenset({"source"}), 7, "added"), "source") == 7
    assert added_record(Edited(frozenset({"source"}), 7, "edited"), "source") is None
    assert added_record(Edited(frozenset({"source", "quote"}), 7, "added"), "source") is None
    assert added_record(Changes.of("source"), "source") is None
    # The union of two changes says only which kinds changed.
    assert added_record(Edited(frozenset({"source"}), 7, "added") | Changes.of("source"),
                        "source") is None  # fmt: skip
    with pytest.raises(ValueError):
        Edited(frozenset({"source"}), 7, "renamed")
