"""Every menu's Alt letters are its own: two items of one menu with the same underlined letter
make that letter cycle between them instead of choosing one."""

from __future__ import annotations

import re

MNEMONIC = re.compile(r"&([^&\s])")


def _letters(actions) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for action in actions:
        found = MNEMONIC.search(action.text().replace("&&", ""))
        if found:
            seen.setdefault(found.group(1).casefold(), []).append(action.text())
    return seen


def test_no_two_items_of_a_menu_share_an_alt_letter(window):
    menus = [action.menu() for action in window.menuBar().actions()]
    assert len(menus) >= 4
    for menu in menus:
        items = [action for action in menu.actions() if not action.isSeparator()]
        assert items, menu.title()
        clashes = {k: v for k, v in _letters(items).items() if len(v) > 1}
        assert not clashes, f"{menu.title()}: {clashes}"


def test_no_two_menu_titles_share_an_alt_letter(window):
    clashes = {k: v for k, v in _letters(window.menuBar().actions()).items() if len(v) > 1}
    assert not clashes
