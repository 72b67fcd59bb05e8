"""Notes on quotes, sources, positions and briefings, reached from where those are shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from sqlalchemy import select

from briefing.core import briefings as briefings_core
from briefing.core import notes as core
from briefing.render.detail import notes_href
from briefing.store.models import Position, Quote, Stakeholder
from briefing.ui import notes as notes_ui

WAIT = 10_000  # generous: these wait for a state, they do not time anything


@pytest.fixture
def window(window):
    assert window.select_stakeholder("IBM")
    return window


@pytest.fixture
def ibm(demo_store):
    with demo_store.reading() as s:
        ibm = s.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
        quote = s.scalars(
            select(Quote.id).where(Quote.speaker_id == ibm, Quote.source_id.is_not(None))
        ).first()
        position = s.scalars(select(Position.id).where(Position.stakeholder_id == ibm)).first()
        source = s.get(Quote, quote).source_id
    return {"stakeholder": ibm, "quote": quote, "position": position, "source": source}


def write(window, qtbot, text: str) -> int:
    """Type a note into the Notes tab's editor and wait for it to be saved."""
    editor = window.notes_panel.editor
    qtbot.keyClicks(editor.source, text)
    qtbot.waitUntil(
        lambda: editor.note_id is not None and not editor.has_unsaved_changes, timeout=WAIT
    )
    qtbot.waitUntil(lambda: not window.notes_panel.refresh_pending, timeout=WAIT)
    return editor.note_id


def notes_on(store, target):
    with store.reading() as session:
        return core.list_notes(session, target)


def test_the_details_link_of_a_quote_opens_its_notes_and_counts_the_new_one(
    window, qtbot, demo_store, ibm, tmp_path
):
    href = notes_href("quote", ibm["quote"])
    html = window.detail.toHtml()
    assert href in html and "add a note" in window.detail.toPlainText()
    window.side_tabs.setCurrentWidget(window.detail)
    window.detail.anchorClicked.emit(QUrl(href))
    panel = window.notes_panel
    assert window.side_tabs.currentWidget() is panel
    assert panel.scope.currentText().startswith("a quote by ")
    assert panel.editor.target == ("quote", ibm["quote"])
    assert "a quote by" in panel.editor.source.placeholderText()
    note_id = write(window, qtbot, "# Check the date of this quote")
    assert [n.id for n in notes_on(demo_store, ("quote", ibm["quote"]))] == [note_id]
    assert panel.model.rowCount() == 1  # the list shows the quote's notes only
    window.grab().save(str(tmp_path / "notes-on-a-quote.png"))
    # The details, hidden behind the Notes tab while typing, count it once shown again.
    assert "1 note" not in window.detail.toPlainText()
    window.side_tabs.setCurrentWidget(window.detail)
    assert "1 note" in window.detail.toPlainText()
    assert "Check the date of this quote" in window.detail.toPlainText()
    assert "on the quote \u201c" in window.detail.toPlainText()  # says which quote it is on
    # A card change goes back to the card's notes, where the quote's note is listed too.
    assert window.select_stakeholder("Microsoft")
    assert window.select_stakeholder("IBM")
    assert panel.scope.currentData()[0] == "card"
    ids = [panel.model.note(row).id for row in range(panel.model.rowCount())]
    assert note_id in ids


def test_the_position_and_the_card_have_links_too(window, qtbot, demo_store, ibm):
    html = window.detail.toHtml()
    assert notes_href("position", ibm["position"]) in html
    window.detail.anchorClicked.emit(QUrl(notes_href("position", ibm["position"])))
    assert window.notes_panel.editor.target == ("position", ibm["position"])
    note_id = write(window, qtbot, "Ask when this changed")
    assert [n.id for n in notes_on(demo_store, ("position", ibm["position"]))] == [note_id]
    window.side_tabs.setCurrentWidget(window.detail)
    assert "as of 8 June 2020 \u00b7 1 note" in window.detail.toPlainText()
    # The card's own link is the card scope, not a record of its own.
    window.detail.anchorClicked.emit(QUrl(notes_href("stakeholder", ibm["stakeholder"])))
    assert window.notes_panel.scope.currentData() == ("card", ibm["stakeholder"])
    assert window.notes_panel.editor.target == ("stakeholder", ibm["stakeholder"])


@pytest.mark.parametrize(
    "address", ["notes:nothing/1", "notes:quote/x", "notes:quote/", "https://example.org/"]
)
def test_other_links_do_not_open_notes(address):
    assert notes_ui.notes_link_target(QUrl(address)) is None


def test_the_sources_tab_opens_notes_on_the_source_and_the_chosen_quote(
    window, qtbot, demo_store, ibm, qtmodeltester, tmp_path
):
    sources = window.sources_panel
    window.side_tabs.setCurrentWidget(sources)
    sources.show_source(ibm["source"])
    assert not sources.quote_notes_button.isEnabled()  # no quote chosen yet
    sources.source_notes_button.click()
    assert window.notes_panel.editor.target == ("source", ibm["source"])
    assert window.notes_panel.scope.currentText().startswith("the source ")
    write(window, qtbot, "Who paid for this report?")
    assert len(notes_on(demo_store, ("source", ibm["source"]))) == 1
    window.side_tabs.setCurrentWidget(sources)  # hidden while typing, it catches up when shown
    assert sources.source_notes_button.text() == "Notes on this source (1)"

    row = sources.quotes.row_of(ibm["quote"])
    sources.quote_list.setCurrentIndex(sources.quotes.index(row, 0))
    assert sources.quote_notes_button.isEnabled()
    assert sources.quote_notes_button.text() == "Notes on this quote"
    sources.quote_notes_button.click()
    assert window.notes_panel.editor.target == ("quote", ibm["quote"])
    write(window, qtbot, "Verbatim? Check the recording")
    window.side_tabs.setCurrentWidget(sources)
    assert sources.quote_notes_button.text() == "Notes on this quote (1)"
    shown = sources.quotes.index(row, 0).data(Qt.ItemDataRole.DisplayRole)
    assert shown.endswith("\u00b7 1 note")
    # The quote's panel below the list shows the note itself, and links to write another.
    assert "Verbatim? Check the recording" in sources.quote_detail.toPlainText()
    assert notes_href("quote", ibm["quote"]) in sources.quote_detail.toHtml()
    window.notes_panel.scope.setCurrentIndex(0)  # back to the card's notes
    sources.quote_detail.anchorClicked.emit(QUrl(notes_href("quote", ibm["quote"])))
    assert window.side_tabs.currentWidget() is window.notes_panel
    assert window.notes_panel.editor.target == ("quote", ibm["quote"])
    qtmodeltester.check(sources.quotes)
    window.side_tabs.setCurrentWidget(sources)
    sources.quote_detail.verticalScrollBar().setValue(10_000)
    sources.grab().save(str(tmp_path / "sources-with-note-counts.png"))


def test_the_briefings_tab_opens_notes_on_the_briefing(window, qtbot, demo_store):
    with demo_store.writing() as s:
        briefing_id, _ = briefings_core.create_briefing(s, window.topic_id, "For the council")
    panel = window.briefings
    panel.reload()
    panel.select(briefing_id)
    assert panel.notes_button.isEnabled()
    panel.notes_button.click()
    assert window.notes_panel.editor.target == ("briefing", briefing_id)
    assert window.notes_panel.scope.currentText() == "the briefing For the council"
    note_id = write(window, qtbot, "Bring printed copies")
    assert [n.id for n in notes_on(demo_store, ("briefing", briefing_id))] == [note_id]


# -- a note saving itself refreshes only what notes change ----------------------------------------


def test_autosave_repaints_counts_and_one_row_without_reloading_cards_or_list(
    window, qtbot, demo_store, ibm
):
    panel = window.notes_panel
    window.side_tabs.setCurrentWidget(panel)
    before = window.cards.card(window.cards.row_of(ibm["stakeholder"])).note_count
    resets = {"cards": 0, "notes": 0}
    window.cards.modelReset.connect(lambda: resets.__setitem__("cards", resets["cards"] + 1))
    panel.new_button.click()
    note_id = write(window, qtbot, "# First words")
    card = window.cards.card(window.cards.row_of(ibm["stakeholder"]))
    assert card.note_count == before + 1  # counted without reading the cards again
    assert resets["cards"] == 0
    in_store = len(notes_on(demo_store, None))
    assert f"{in_store} notes in the store" in window.statusBar().currentMessage()

    panel.model.modelReset.connect(lambda: resets.__setitem__("notes", resets["notes"] + 1))
    qtbot.keyClicks(panel.editor.source, " and more")
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.refresh_pending, timeout=WAIT)
    assert resets == {"cards": 0, "notes": 0}
    row = panel.model.row_of(note_id)
    assert panel.model.note(row).title == "First words and more"
    assert panel.list.selectionModel().isSelected(panel.model.index(row, 0))
    assert notes_on(demo_store, ("stakeholder", ibm["stakeholder"]))[0].body.endswith("more")


def test_shown_details_follow_a_note_change_at_once_and_keep_their_place(
    window, qtbot, demo_store, ibm
):
    window.side_tabs.setCurrentWidget(window.detail)
    bar = window.detail.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100, timeout=WAIT)
    bar.setValue(100)
    window.operations.run(
        lambda s: core.add_note(s, ("quote", ibm["quote"]), "Seen in the minutes").changes
    )
    assert "Seen in the minutes" in window.detail.toPlainText()
    assert bar.value() == 100


def test_what_search_put_in_the_details_stays_after_a_note_change(window, qtbot, ibm):
    window.detail.setHtml("<p>A source opened from search</p>")
    window.side_tabs.setCurrentWidget(window.notes_panel)
    window.operations.run(
        lambda s: core.add_note(s, ("stakeholder", ibm["stakeholder"]), "Later").changes
    )
    window.side_tabs.setCurrentWidget(window.detail)
    assert window.detail.toPlainText() == "A source opened from search"
    # Choosing a card shows cards in the details again, notes and all.
    assert window.select_stakeholder("Microsoft") and window.select_stakeholder("IBM")
    assert "Later" in window.detail.toPlainText()


def test_a_hidden_briefings_tab_catches_up_with_a_note_when_shown(window, qtbot, demo_store, ibm):
    with demo_store.writing() as s:
        note_id = core.add_note(s, ("stakeholder", ibm["stakeholder"]), "Old words").id
        briefing_id, _ = briefings_core.create_briefing(s, window.topic_id, "For the council")
        briefings_core.add_item(s, briefing_id, "note", note_id)
    briefings = window.briefings
    window.side_tabs.setCurrentWidget(briefings)
    briefings.reload()
    briefings.select(briefing_id)
    assert "Old words" in briefings.items.item(0).text()
    window.side_tabs.setCurrentWidget(window.notes_panel)
    window.operations.run(lambda s: core.update_note(s, note_id, body="New words"))
    window.side_tabs.setCurrentWidget(briefings)
    assert "New words" in briefings.items.item(0).text()


def test_a_private_note_in_the_details_has_the_apps_own_padlock(window, qtbot, ibm, tmp_path):
    from PySide6.QtGui import QImage, QTextDocument

    from briefing.render.detail import LOCK_IMAGE

    window.side_tabs.setCurrentWidget(window.detail)
    window.operations.run(
        lambda s: core.add_note(s, ("stakeholder", ibm["stakeholder"]), "Who", private=True).changes
    )
    assert LOCK_IMAGE in window.detail.toHtml() and "Private" in window.detail.toPlainText()
    assert "\U0001f512" not in window.detail.toPlainText()  # no emoji that fonts may lack
    image = window.detail.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl(LOCK_IMAGE)
    )
    assert isinstance(image, QImage) and not image.isNull()
    for elsewhere in ("briefing-image:other", "file:///etc/passwd", "http://127.0.0.1/x.png"):
        kind = QTextDocument.ResourceType.ImageResource.value
        assert window.detail.loadResource(kind, QUrl(elsewhere)) is None
    window.detail.grab().save(str(tmp_path / "details-private-note.png"))


def test_search_opens_a_note_on_a_source_in_the_notes_tab(window, qtbot, demo_store, ibm):
    with demo_store.writing() as s:
        note_id = core.add_note(s, ("source", ibm["source"]), "Paywalled: keep a printout").id
    search = window.search
    search.field.setText("printout")
    qtbot.waitUntil(lambda: not search.panel.timer.isActive(), timeout=WAIT)
    qtbot.waitUntil(lambda: search.panel._shown_generation == search.panel.generation, timeout=WAIT)
    search.open_hit(_note_hit(search.panel.model))
    search.panel.wait_for_idle()
    panel = window.notes_panel
    assert window.side_tabs.currentWidget() is panel
    assert panel.editor.note_id == note_id
    assert panel.editor.source.toPlainText() == "Paywalled: keep a printout"
    assert panel.scope.currentText().startswith("the source ")


def _note_hit(model):
    from briefing.ui.search import HitRole

    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        for row in range(model.rowCount(parent)):
            hit = model.index(row, 0, parent).data(HitRole)
            if hit.kind == "note":
                return hit
    raise AssertionError("no note among the hits")
