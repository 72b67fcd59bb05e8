"""The main window on a demo store: cards side by side, details, keyboard, layout memory."""

from __future__ import annotations

import datetime as dt
import sys

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from briefing.store.models import Position, Stakeholder, Topic
from briefing.ui import app as app_module
from briefing.ui import browser
from briefing.ui.cards import CardListModel, describe
from briefing.ui.main_window import MainWindow

NAMED = ("IBM", "Microsoft", "Amazon", "ACLU", "Liberty")


def card_names(window) -> list[str]:
    return [window.cards.card(row).name for row in range(window.cards.rowCount())]


def test_demo_cards_are_shown_side_by_side(window, tmp_path):
    names = card_names(window)
    for name in NAMED:
        assert name in names
    rects = {
        name: window.grid.visualRect(window.cards.index(names.index(name), 0)) for name in names
    }
    # Side by side: at least two cards share a row, and the grid wraps into several rows.
    rows = {rect.top() for rect in rects.values()}
    assert len(rows) < len(rects) and len(rows) > 1
    assert window.windowTitle().startswith("Police use of facial recognition")
    window.select_stakeholder("IBM")
    window.grab().save(str(tmp_path / "main-window.png"))


def test_each_card_says_its_stance_in_words_and_has_quotes(window):
    for row in range(window.cards.rowCount()):
        index = window.cards.index(row, 0)
        card = window.cards.card(row)
        text = index.data(Qt.ItemDataRole.AccessibleTextRole)
        assert text == describe(card)
        assert card.name in text
        if card.name in NAMED:
            assert card.stance and card.stance.capitalize() in text
            assert card.quotes


def test_selecting_a_card_opens_its_details(window, tmp_path):
    assert window.select_stakeholder("Microsoft")
    html = window.detail.toPlainText()
    assert "Microsoft" in html
    assert "Conditional" in html
    assert "Orwellian" in html
    assert "Verified: matches the source exactly" in html
    assert "including Brad Smith" in html
    window.detail.grab().save(str(tmp_path / "detail-panel.png"))


def test_keyboard_moves_between_cards_and_enter_opens(window, qtbot):
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.cards.index(0, 0))
    first = window.selected_stakeholder_id()
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    second = window.selected_stakeholder_id()
    assert second is not None and second != first
    assert window.cards.card(1).name in window.detail.toPlainText()
    qtbot.keyClick(window.grid, Qt.Key.Key_Down)
    assert window.selected_stakeholder_id() not in (first, second)
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    assert window.detail.hasFocus()


def _nameless_controls(window) -> list[str]:
    nameless = []
    for widget in window.findChildren(QWidget):
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        interesting = isinstance(widget, QComboBox | QAbstractButton) or focusable
        if not widget.isVisible() or not interesting or isinstance(widget, QLabel):
            continue
        parent = widget.parent()
        if parent is not None and parent.inherits("QAbstractScrollArea"):
            continue  # a scroll area's viewport speaks for its view
        if parent is not None and parent.inherits("QAbstractSpinBox") or (
            parent is not None and parent.inherits("QComboBox")
        ):
            continue  # the line edit inside a date, number or combo box: the box speaks for it
        if not widget.accessibleName() and not widget.toolTip():
            nameless.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return nameless


def test_every_control_has_an_accessible_name(window):
    assert window.select_stakeholder("IBM")
    for tab in range(window.side_tabs.count()):
        window.side_tabs.setCurrentIndex(tab)
        assert _nameless_controls(window) == [], window.side_tabs.tabText(tab)


def test_menus_a_desktop_user_expects(window):
    titles = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Help"]
    help_menu = window.menuBar().actions()[-1].menu()
    assert any("About" in a.text() for a in help_menu.actions())
    assert "stakeholders on this topic" in window.statusBar().currentMessage()


def test_window_size_and_splitter_are_remembered(qtbot, demo_store, settings):
    first = MainWindow(demo_store, settings)
    qtbot.addWidget(first)
    first.resize(720, 540)  # within the offscreen screen (800x600)
    first.show()
    first.splitter.setSizes([400, 320])
    sizes = first.splitter.sizes()
    first.close()

    second = MainWindow(demo_store, settings)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (720, 540)
    assert second.splitter.sizes() == sizes


def test_card_model_passes_the_model_tester(qtmodeltester, demo_store):
    from briefing.core.cards import topic_cards
    from briefing.core.lookup import find_topic

    model = CardListModel()
    with demo_store.reading() as session:
        model.set_cards(topic_cards(session, find_topic(session, None).id))
    qtmodeltester.check(model)
    assert model.rowCount() >= 8


def test_a_thousand_stakeholders_make_no_widget_per_card(qtbot, empty_store, settings, tmp_path):
    with empty_store.writing() as session:
        topic = Topic(name="Large")
        session.add(topic)
        for number in range(1000):
            stakeholder = Stakeholder(name=f"Body {number:04}", kind="police")
            topic.stakeholders.append(stakeholder)
            session.add(
                Position(
                    stakeholder=stakeholder,
                    topic=topic,
                    stance="supports",
                    headline=f"Runs trial number {number}",
                    as_of=dt.date(2024, 1, 1),
                )
            )
    window = MainWindow(empty_store, settings)
    qtbot.addWidget(window)
    window.show()
    assert window.cards.rowCount() == 1000
    assert len(window.grid.findChildren(QWidget)) < 20
    window.grab().save(str(tmp_path / "thousand-cards.png"))


def test_a_link_in_the_details_asks_before_opening(window, monkeypatch):
    opened = []
    monkeypatch.setattr(browser.QDesktopServices, "openUrl", lambda url: opened.append(url))
    monkeypatch.setattr(browser, "confirm_open_link", lambda parent, url: False)
    window.detail.anchorClicked.emit(QUrl("https://example.org/report"))
    assert opened == []
    monkeypatch.setattr(browser, "confirm_open_link", lambda parent, url: True)
    window.detail.anchorClicked.emit(QUrl("https://example.org/report"))
    assert opened == [QUrl("https://example.org/report")]
    window.detail.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert len(opened) == 1


def test_the_details_view_loads_no_resource(window):
    from PySide6.QtGui import QTextDocument

    for url in ("http://127.0.0.1:9/x.png", "file:///etc/hostname", "https://example.org/a.css"):
        assert (
            window.detail.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(url))
            is None
        )
    assert "PySide6.QtNetwork" not in sys.modules


def test_the_gui_explains_a_file_it_cannot_open(tmp_path, monkeypatch, qapp):
    path = tmp_path / "letter.txt"
    path.write_text("Dear councillor")
    shown = []
    monkeypatch.setattr(app_module, "show_error", lambda title, message: shown.append(message))
    assert app_module.run(path) == 1
    assert shown and "not a Briefing store" in shown[0]
    assert path.read_text() == "Dear councillor"


def test_refreshing_keeps_the_selected_card(window):
    assert window.select_stakeholder("Liberty")
    window.reload()
    assert window.cards.card(window.grid.currentIndex().row()).name == "Liberty"
    assert "Liberty" in window.detail.toPlainText()


def test_cards_widen_to_fill_the_row(window, qtbot):
    from briefing.ui.cards import CARD_SIZE

    for width in (1500, 1100, 1900):
        window.resize(width, 900)
        qtbot.waitUntil(lambda: window.grid.cards_delegate.card_size.width() >= CARD_SIZE.width())
        window.grid.doItemsLayout()
        rects = [window.grid.visualRect(window.cards.index(r, 0)) for r in range(3)]
        right = max(rect.right() for rect in rects)
        # The row is filled: what is left at its right is only the spacing around the cards.
        assert window.grid.viewport().width() - right < CARD_SIZE.width() // 4
        assert all(rect.width() >= CARD_SIZE.width() for rect in rects)
