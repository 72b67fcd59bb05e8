"""The main window's Tab order follows the screen: topic box and search box along the top, then the
cards (or an empty topic's New stakeholder button), then the side tabs' bar and the shown tab's
contents, and round to the topic box again. Walked with the Tab key itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from briefing.ui.editing import Editing


def walk(window, qtbot, limit: int = 80) -> list[QWidget]:
    """Press Tab from the topic box until the focus comes back to it; the widgets it visits."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.topics.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window.topics.hasFocus)
    seen: list[QWidget] = [window.topics]
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is window.topics:
            return seen
        if now is not seen[-1]:  # a details pane moves among its links with Tab
            seen.append(now)
    raise AssertionError(f"Tab never came back to the topic box: {seen}")


def _inside(widget: QWidget, parent: QWidget) -> bool:
    return widget is parent or parent.isAncestorOf(widget)


def _top_left(widget: QWidget, window) -> QPoint:
    return widget.mapTo(window, QPoint(0, 0))


def test_tab_runs_top_bar_then_cards_then_side_tabs(window, qtbot, tmp_path):
    window.grab().save(str(tmp_path / "window.png"))
    seen = walk(window, qtbot)
    assert seen[:5] == [
        window.topics,
        window.as_of_field,
        window.search.field,
        window.grid,
        window.side_tabs.tabBar(),
    ]
    page = window.side_tabs.currentWidget()
    assert all(_inside(widget, page) for widget in seen[5:]) and seen[5:]
    # On screen: the top bar left to right, then the cards below it, then the side panel to
    # their right, its tab bar above its contents.
    top = [_top_left(w, window) for w in seen[:3]]
    assert top[0].y() == top[1].y() == top[2].y() and top[0].x() < top[1].x() < top[2].x()
    assert _top_left(window.grid, window).y() > top[0].y()
    bar, content = _top_left(seen[4], window), _top_left(seen[5], window)
    assert bar.x() > _top_left(window.grid, window).x() and content.y() > bar.y()


@pytest.mark.parametrize("tab", ["briefings", "search", "notes"])
def test_each_side_tab_is_walked_after_the_cards_top_to_bottom(window, qtbot, tab):
    page = {
        "briefings": window.briefings,
        "search": window.search.panel,
        "notes": window.notes_panel,
    }[tab]
    window.side_tabs.setCurrentWidget(page)
    if tab == "search":
        window.search.panel.filters_button.setChecked(True)
    seen = walk(window, qtbot)
    assert seen[:5] == [
        window.topics,
        window.as_of_field,
        window.search.field,
        window.grid,
        window.side_tabs.tabBar(),
    ]
    inside = seen[5:]
    assert inside and all(_inside(widget, page) for widget in inside), [
        w.accessibleName() for w in seen
    ]
    # Row by row: no widget Tab reaches lies above the one before it by more than a row.
    rows = [_top_left(widget, window).y() for widget in inside]
    for before, after, widget in zip(rows, rows[1:], inside[1:], strict=False):
        assert after >= before - 4, f"{widget.accessibleName()} is above the widget before it"


def test_an_empty_topic_offers_its_button_where_the_cards_stand(
    window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setattr(
        Editing, "exec_form", staticmethod(lambda form: form.name.setText("Protest") or True)
    )
    window.editing.new_topic()
    qtbot.waitUntil(window.empty.isVisible)
    window.grab().save(str(tmp_path / "empty-topic.png"))
    seen = walk(window, qtbot)
    assert seen[:5] == [
        window.topics,
        window.as_of_field,
        window.search.field,
        window.empty_button,
        window.side_tabs.tabBar(),
    ]


def test_tab_leaves_the_briefing_introduction_without_typing_into_it(window, qtbot):
    window.side_tabs.setCurrentWidget(window.briefings)
    panel = window.briefings
    panel.new_title.setText("For the committee")
    qtbot.keyClick(panel.new_title, Qt.Key.Key_Return)
    assert panel.composer.isVisible()
    seen = walk(window, qtbot)
    assert panel.introduction in seen and panel.items in seen
    assert seen.index(panel.dated) < seen.index(panel.introduction) < seen.index(panel.items)
    assert panel.introduction.toPlainText() == ""  # Tab moved on; it typed no tab character
