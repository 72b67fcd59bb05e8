"""Alt+letter reaches one thing: no two visible menus, tabs, buttons or labelled fields of the
window share a letter, whichever side tab shows (a shared letter only moves the focus between
them, or reaches the wrong one: Alt+D on the Sources tab showed the Details tab instead of the
source's Details button)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def clashes(window) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        if m := re.search(r"&([^&\s])", text.replace("&&", "")):
            found[m.group(1).lower()].append(f"{what} {text!r}")

    for action in window.menuBar().actions():
        add(action.text(), "menu")
    bar = window.side_tabs.tabBar()
    for index in range(bar.count()):
        add(bar.tabText(index), "tab")
    widgets: list[QWidget] = [*window.findChildren(QAbstractButton), *window.findChildren(QLabel)]
    for widget in widgets:
        if not widget.isVisible() or bar.isAncestorOf(widget):
            continue
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        add(widget.text(), type(widget).__name__)
    return {letter: where for letter, where in found.items() if len(where) > 1}


@pytest.mark.parametrize("tab", range(7))
def test_no_two_things_share_an_alt_letter(window, qtbot, tab):
    page = window.side_tabs.widget(tab)
    window.side_tabs.setCurrentWidget(page)
    if page is window.search.panel:
        page.filters_button.setChecked(True)
    if page is window.briefings:
        page.new_title.setText("For the committee")
        page.create()
    if page is window.sources_panel:
        assert page.chooser.count() > 0  # the demo store's source is open
    qtbot.wait(20)
    assert clashes(window) == {}, window.side_tabs.tabText(tab)
