"""Every change made in the window is on the undo stack, named; undo says what it did, shows the
restored thing and keeps the grid where it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from briefing.core import briefings as core
from briefing.core.cards import topic_cards
from briefing.store.models import Stakeholder
from briefing.ui.editing import Editing


def briefing_items(window):
    with window.store.reading() as session:
        found = core.list_briefings(session)
        return {b.title: [i.kind for i in core.briefing_items(session, b.id)] for b in found}


def test_briefing_edits_are_undone_before_an_older_edit(window, qtbot, monkeypatch):
    monkeypatch.setattr(
        Editing,
        "exec_form",
        staticmethod(
            lambda form: (
                (
                    form.stance.setCurrentIndex(form.stance.findData("supports")),
                    form.headline.setText("Sells again"),
                )
                and True
            )
        ),
    )
    window.select_stakeholder("IBM")
    window.editing.set_position()
    assert window.undo_action.text() == "&Undo Set position of IBM"

    panel = window.briefings
    panel.choose_notes = lambda labels: []
    window.side_tabs.setCurrentWidget(panel)
    panel.new_title.setText("For the committee")
    qtbot.keyClick(panel.new_title, Qt.Key.Key_Return)
    assert window.undo_action.text() == "&Undo New briefing For the committee"
    panel.add_stakeholder()
    assert window.undo_action.text() == "&Undo Add stakeholder to briefing For the committee"
    panel.audience.setText("Policing Committee")
    panel.audience.editingFinished.emit()
    assert window.undo_action.text() == "&Undo Edit briefing For the committee"
    assert briefing_items(window) == {"For the committee": ["stakeholder"]}

    window.undo_action.trigger()  # the audience
    assert window.statusBar().currentMessage() == "Undid Edit briefing For the committee"
    with window.store.reading() as session:
        assert core.list_briefings(session)[0].audience == ""
    window.undo_action.trigger()  # the stakeholder item, not the position
    assert briefing_items(window) == {"For the committee": []}
    window.undo_action.trigger()
    assert briefing_items(window) == {}
    with window.store.reading() as session:
        ibm = session.scalar(select(Stakeholder.id).where(Stakeholder.name == "IBM"))
        assert next(c for c in topic_cards(session, window.topic_id) if c.id == ibm).stance == (
            "supports"
        )
    assert window.undo_action.text() == "&Undo Set position of IBM"
    window.redo_action.trigger()
    assert window.statusBar().currentMessage() == "Redid New briefing For the committee"
    assert briefing_items(window) == {"For the committee": []}


def test_undoing_a_delete_shows_the_card_again_without_jumping(
    window, qtbot, monkeypatch, tmp_path
):
    monkeypatch.setattr(Editing, "ask", staticmethod(lambda *args: True))
    window.resize(700, 500)  # small, so the grid scrolls
    qtbot.waitUntil(lambda: window.grid.verticalScrollBar().maximum() > 0)
    last = window.cards.rowCount() - 1
    name = window.cards.card(last).name
    window.grid.setCurrentIndex(window.cards.index(last, 0))
    window.grid.scrollTo(window.cards.index(last, 0))
    scroll = window.grid.verticalScrollBar().value()
    assert scroll > 0
    window.editing.delete_stakeholder()
    assert name not in [window.cards.card(r).name for r in range(window.cards.rowCount())]
    window.grid.setCurrentIndex(window.cards.index(last - 1, 0))
    window.undo_action.trigger()
    assert window.statusBar().currentMessage() == f"Undid Delete {name}"
    current = window.grid.currentIndex()
    assert window.cards.card(current.row()).name == name  # the restored card is shown
    assert window.grid.verticalScrollBar().value() > 0  # not back at the top
    assert window.grid.visualRect(current).intersects(window.grid.viewport().rect())
    window.grab().save(str(tmp_path / "undone-delete.png"))
