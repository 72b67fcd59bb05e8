"""Editing one stakeholder reads its card again, and nothing else of the grid.

On the 100,000-quote store a rename stalled the window for a quarter of a second while every
card of the topic was read and rebuilt (`bench_gui_stalls.py`). These tests hold the work, not
the time: which cards a rename reads, that the other cards are the very records they were, that
the grid is never reset, and that what it shows is what a full read shows.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from briefing.core import cards as core_cards
from briefing.core import editing
from briefing.core.cards import topic_cards
from briefing.ui.editing import Editing, push_edit


@pytest.fixture
def answer(monkeypatch, qtbot):
    """The user's answer to the next form: `answer.append(function_of_the_form)`."""
    pending = []

    def exec_form(form) -> bool:
        qtbot.waitUntil(lambda: not getattr(form, "loading", False))
        accepted = pending.pop(0)(form) is not False
        return accepted and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    return pending


@pytest.fixture
def reads(monkeypatch):
    """Every `topic_cards` read the window makes: the `only` it asked for (None: all cards)."""
    made: list = []
    real = core_cards.topic_cards

    def counted(session, topic_id, **kwargs):
        made.append(kwargs.get("only"))
        return real(session, topic_id, **kwargs)

    monkeypatch.setattr(core_cards, "topic_cards", counted)
    return made


def resets(window) -> list[int]:
    count: list[int] = []
    window.cards.modelReset.connect(lambda: count.append(1))
    return count


def as_read_in_full(window):
    with window.store.reading() as session:
        return topic_cards(session, window.topic_id, as_of=window.as_of)


def shown(window):
    return [window.cards.card(row) for row in range(window.cards.rowCount())]


def rename(window, qtbot, answer, old: str, new: str) -> None:
    assert window.select_stakeholder(old)
    answer.append(lambda form: form.name.setText(new))
    window.editing.edit_stakeholder()
    window.runner.wait_idle()
    qtbot.waitUntil(lambda: any(card.name == new for card in shown(window)))


def test_a_rename_reads_one_card_and_keeps_the_others(window, qtbot, answer, reads):
    before = {card.id: card for card in shown(window)}
    reset = resets(window)
    ibm = next(card for card in before.values() if card.name == "IBM")

    rename(window, qtbot, answer, "IBM", "IBM (renamed)")

    assert reads == [{ibm.id}]  # one card read, not the topic's
    assert reset == []  # the grid was not rebuilt
    after = {card.id: card for card in shown(window)}
    assert after.keys() == before.keys()
    assert [cid for cid in after if after[cid] is not before[cid]] == [ibm.id]
    assert after[ibm.id].name == "IBM (renamed)"
    # The quotes of the people who speak for IBM say its new name nowhere but on its card.
    assert shown(window) == as_read_in_full(window)
    assert window.shown.stakeholder_name == "IBM (renamed)"
    assert window.selected_stakeholder_id() == ibm.id


def test_a_renamed_card_moves_to_its_place_and_stays_current(window, qtbot, answer, reads):
    reset = resets(window)
    ring = next(card for card in shown(window) if card.name == "Ring")
    row_before = window.cards.row_of(ring.id)

    rename(window, qtbot, answer, "Ring", "Aardvark Doorbells")  # sorts first among its peers

    assert reads == [{ring.id}] and reset == []
    assert shown(window) == as_read_in_full(window)  # the order a full read gives
    assert window.cards.row_of(ring.id) != row_before
    assert window.selected_stakeholder_id() == ring.id  # the current card moved with it
    assert window.grid.currentIndex().row() == window.cards.row_of(ring.id)


def test_undo_and_redo_of_a_rename_read_one_card_each(window, qtbot, answer, reads):
    amazon = next(card for card in shown(window) if card.name == "Amazon")
    rename(window, qtbot, answer, "Amazon", "Amazon Web Services")
    reads.clear()
    window.operations.undo()
    window.runner.wait_idle()
    assert any(card.name == "Amazon" for card in shown(window))
    window.operations.redo()
    window.runner.wait_idle()
    assert any(card.name == "Amazon Web Services" for card in shown(window))
    assert reads == [{amazon.id}, {amazon.id}]
    assert shown(window) == as_read_in_full(window)


def test_a_new_parent_moves_quotes_between_cards_so_the_topic_is_read_again(window, reads):
    """When an edit changes which card a stakeholder counts on (Arvind Krishna, who has no card
    of his own, now speaks for Microsoft, not IBM), two cards change: all are read again."""
    with window.store.reading() as session:
        arvind = editing.stakeholder_fields(session, 12)
        assert arvind.name == "Arvind Krishna" and arvind.parent_id == 1
    moved = replace(arvind, parent_id=2)
    counts = {card.name: card.quote_count for card in shown(window)}

    push_edit(window.editing.context, "Edit", lambda s: editing.edit_stakeholder(s, 12, moved))
    window.runner.wait_idle()

    assert reads == [None]  # the whole topic, once
    assert shown(window) == as_read_in_full(window)
    after = {card.name: card.quote_count for card in shown(window)}
    assert after["IBM"] < counts["IBM"] and after["Microsoft"] > counts["Microsoft"]


def test_a_hidden_notes_tab_reads_a_card_s_notes_only_when_shown(window, qtbot, monkeypatch):
    """Each click on a card moves the Notes tab to it; hidden, the tab reads nothing until it
    is shown, and then the card's notes once."""
    from briefing.core import notes as core_notes

    read: list[int] = []
    real = core_notes.card_notes
    monkeypatch.setattr(
        core_notes, "card_notes", lambda s, t, card: (read.append(card), real(s, t, card))[1]
    )
    notes = window.notes_panel
    window.side_tabs.setCurrentWidget(window.detail)
    assert not notes.isVisible()
    for name in ("Microsoft", "Amazon", "IBM"):
        assert window.select_stakeholder(name)
    window.runner.wait_idle()
    assert read == []
    ibm = window.selected_stakeholder_id()
    window.side_tabs.setCurrentWidget(notes)
    qtbot.waitUntil(lambda: read == [ibm])
    assert notes.model.rowCount() > 0  # IBM's card has notes in the demo
